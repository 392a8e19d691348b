/*
 * The spool file format: files that must be accepted, from smstools3's
 * documentation and examples to every header of doc/contract.md §4,
 * personalisation and CSV sections.
 */
#include "harness.h"
#include "spool_helpers.h"

#include <stdlib.h>

struct accept_case {
	const char *name;
	const char *text;
	size_t len;		/* 0: strlen */
	const char *numbers;	/* the recipients, joined with ' ' */
	const char *body;	/* the first recipient's body */
	size_t duplicates;
};

static const struct accept_case accepts[] = {
	/* smstools3 fileformat page, "Easy example" */
	{ "smstools3 easy", "To: 491721234567\n\nHello, this is the sms.\n", 0,
	  "+491721234567", "Hello, this is the sms." },
	/* smstools3 fileformat page, "More complex example" */
	{ "smstools3 complex",
	  "To: 491721234567\nFlash: yes\nAlphabet: ISO\n\nHello Stefan, how "
	  "are you?\n", 0, "+491721234567", "Hello Stefan, how are you?" },
	/* Debian smstools examples/send_sms.sms, byte for byte */
	{ "smstools3 send_sms.sms",
	  "To: 491721234567\n\nHello, this is a text that I can send with SMS "
	  "Server Tools. \n", 0, "+491721234567",
	  "Hello, this is a text that I can send with SMS Server Tools. " },
	/* Debian smstools examples/send_sms_unicode.sms: UCS-2 BE and the
	 * editor's one-byte "\n" after it */
	{ "smstools3 send_sms_unicode.sms",
	  LIT("To: 491721234567\nAlphabet: UCS2\n\n\x4e\x2d\x5c\x31\x81\xea"
	      "\x5b\xb6\n"), "+491721234567", "中就自家" },
	{ "smstools3 grouped number", "To: 358 12 345 6789\n\nHi\n", 0,
	  "+358123456789", "Hi" },
	{ "smstools3 short code", "To: s12345\n\nSTOP\n", 0, "12345", "STOP" },
	{ "headers are case-insensitive",
	  "to: +491721234567\nPRIORITY: High\nreport: NO\n\nx", 0,
	  "+491721234567", "x" },
	{ "no space after the colon", "To:+491721234567\n\nx", 0,
	  "+491721234567", "x" },
	{ "national number", "To: 0172 1234567\n\nx", 0, "+491721234567",
	  "x" },
	{ "CRLF line ends", "To: +491721234567\r\nReport: yes\r\n\r\nline "
	  "one\r\nline two\r\n", 0, "+491721234567", "line one\nline two" },
	{ "UTF-8 byte order mark", "\xef\xbb\xbfTo: +491721234567\n\nx", 0,
	  "+491721234567", "x" },
	{ "no newline at the end", "To: +491721234567\n\nend", 0,
	  "+491721234567", "end" },
	{ "empty body", "To: +491721234567\n\n", 0, "+491721234567", "" },
	{ "only line breaks in the body", "To: +491721234567\n\n\n\n", 0,
	  "+491721234567", "" },
	{ "blank line of spaces ends the headers",
	  "To: +491721234567\n  \t\nbody", 0, "+491721234567", "body" },
	{ "body keeps inner blank lines and spaces",
	  "To: +491721234567\n\n  a\n\nb  \n\n", 0, "+491721234567",
	  "  a\n\nb  " },
	{ "a body line that looks like a header",
	  "To: +491721234567\n\nTo: someone else\n", 0, "+491721234567",
	  "To: someone else" },
	/* smstools3's default: valid UTF-8 is UTF-8, else ISO-8859-15 */
	{ "UTF-8 without Alphabet", "To: +491721234567\n\nGrüße €\n", 0,
	  "+491721234567", "Grüße €" },
	{ "ISO-8859-15 without Alphabet",
	  "To: +491721234567\n\nGr\xfc\xdf" "e \xa4 \xbd\n", 0,
	  "+491721234567", "Grüße € œ" },
	{ "Alphabet: ISO with Windows-1252 quotes",
	  "To: +491721234567\nAlphabet: ISO-8859-15\n\n\x93quoted\x94 \x80 "
	  "\x85\n", 0, "+491721234567", "“quoted” € …" },
	{ "Alphabet: UTF-8", "To: +491721234567\nAlphabet: UTF-8\n\nπ ≈ 3\n",
	  0, "+491721234567", "π ≈ 3" },
	{ "Alphabet: Unicode with BOM and a surrogate pair",
	  LIT("To: +491721234567\nAlphabet: Unicode\n\n\xfe\xff\x00H\xd8\x3d"
	      "\xde\x00"), "+491721234567", "H😀" },
	/* several recipients */
	{ "repeated To:", "To: +491721234567\nTo: +15551234567\n\nx", 0,
	  "+491721234567 +15551234567", "x" },
	{ "comma-separated To:",
	  "To: +491721234567, 15551234567 ,s2222\n\nx", 0,
	  "+491721234567 +15551234567 2222", "x" },
	{ "duplicates removed, first kept",
	  "To: +491721234567, 01721234567\nTo: 491721234567\nTo: "
	  "+15551234567\n\nx", 0, "+491721234567 +15551234567", "x", 2 },
	/* personalisation from To: lines */
	{ "To: fields",
	  "To: +491721234567; name=Ann; code=X1\nTo: +15551234567; name=Bob; "
	  "code=Y2\n\nHi {{name}}, your code is {{ code }}.\n", 0,
	  "+491721234567 +15551234567", "Hi Ann, your code is X1." },
	{ "quoted field with ';' and a quote",
	  "To: +491721234567; name=\"Smith; \"\"Jo\"\"\"\n\nDear {{name}}", 0,
	  "+491721234567", "Dear Smith; \"Jo\"" },
	{ "{{number}} is the recipient",
	  "To: 01721234567\n\nSent to {{number}}", 0, "+491721234567",
	  "Sent to +491721234567" },
	{ "fields the body does not use may be missing",
	  "To: +491721234567; name=Ann; extra=1\nTo: +15551234567; "
	  "name=Bob\n\nHi {{name}}", 0, "+491721234567 +15551234567",
	  "Hi Ann" },
	{ "a stray {{ is text", "To: +491721234567\n\n{{ not one }} {{\n", 0,
	  "+491721234567", "{{ not one }} {{" },
	/* CSV section */
	{ "CSV section",
	  "Recipients: csv\n\nHi {{name}}, code {{code}}\n--- recipients ---\n"
	  "number,name,code\n+491721234567,Ann,X1\n15551234567,\"Bob, "
	  "Jr.\",Y2\n", 0, "+491721234567 +15551234567",
	  "Hi Ann, code X1" },
	{ "CSV with ';', CRLF, blank lines and a To: column",
	  "Recipients: CSV\r\n\r\nHi {{name}}\r\n\r\n--- Recipients ---\r\n"
	  "\r\nname ; to\r\nAnn;01721234567\r\n\r\nBob;+15551234567\r\n", 0,
	  "+491721234567 +15551234567", "Hi Ann" },
	{ "CSV with tabs and an empty unused cell",
	  "Recipients: csv\n\nHi {{name}}\n--- recipients ---\nnumber\tname\t"
	  "note\n+491721234567\tAnn\t\n", 0, "+491721234567", "Hi Ann" },
	{ "To: and CSV together",
	  "To: +15551234567; name=Zed\nRecipients: csv\n\nHi {{name}}\n--- "
	  "recipients ---\nnumber,name\n+491721234567,Ann\n+15551234567,Dup\n",
	  0, "+15551234567 +491721234567", "Hi Zed", 1 },
	{ "the marker means nothing without Recipients: csv",
	  "To: +491721234567\n\na\n--- recipients ---\nb\n", 0,
	  "+491721234567", "a\n--- recipients ---\nb" },
	/* smstools3 Macro: */
	{ "Macro:",
	  "To: +491721234567\nMacro: @URL@=example.org\nMacro: @N@=5\n\nSee "
	  "@URL@, @N@ times @URL@\n", 0, "+491721234567",
	  "See example.org, 5 times example.org" },
};

static void check_accept(const struct accept_case *c, struct spool_parser *p,
			 const struct got *g)
{
	const struct spool_message *m = spool_parse_message(p);
	char joined[512] = "";
	size_t off = 0;

	for (size_t i = 0; i < g->n && i < GOT_MAX; i++)
		off += (size_t)snprintf(joined + off, sizeof(joined) - off,
					"%s%s", i ? " " : "", g->number[i]);
	CHECK_STR(joined, c->numbers);
	CHECK_INT(m->recipients, g->n);
	CHECK_INT(m->duplicates, c->duplicates);
	if (g->n)
		CHECK_STR(g->body[0], c->body);
}

TEST(spool_accepts_files)
{
	for (size_t i = 0; i < N(accepts); i++) {
		const struct accept_case *c = &accepts[i];
		size_t len = c->len ? c->len : strlen(c->text);
		struct spool_rules r;
		struct spool_parser *p;
		struct spool_error e;
		struct got g;

		test_rules(&r);
		p = parse_with(&r, c->text, len, &g, &e);
		if (!CHECK(p)) {
			printf("# %s: %s\n", c->name, error_text(&e));
			continue;
		}
		check_accept(c, p, &g);
		spool_parse_free(p);
	}
}

/* Any cut of the input into chunks gives the same result. */
TEST(spool_chunking_does_not_matter)
{
	for (size_t i = 0; i < N(accepts); i++) {
		const struct accept_case *c = &accepts[i];
		size_t len = c->len ? c->len : strlen(c->text);
		struct spool_rules r;

		test_rules(&r);
		for (size_t cut = 0; cut <= len; cut++) {
			struct spool_parser *p = spool_parse_new(&r);
			struct got g = { 0 };
			bool ok = true;

			for (int pass = 0; pass < 2 && ok; pass++) {
				if (pass)
					ok = spool_parse_rewind(p, got_add, &g);
				/* the cut, then one byte at a time */
				ok = ok && spool_parse_feed(p, c->text, cut);
				for (size_t k = cut; ok && k < len; k++)
					ok = spool_parse_feed(p, c->text + k,
							      1);
				ok = ok && spool_parse_finish(p);
			}
			if (!CHECK(ok))
				printf("# %s cut at %zu: %s\n", c->name, cut,
				       error_text(spool_parse_error(p)));
			else
				check_accept(c, p, &g);
			spool_parse_free(p);
		}
	}
}

TEST(spool_every_header)
{
	static const char text[] =
		"To: +491721234567\n"
		"To: +15551234567\n"
		"Kind: direct\n"
		"Campaign: Spring sale 2026\n"
		"Priority: low\n"
		"Send-At: 2026-11-27T08:00:00+02:00\n"
		"Report: yes\n"
		"Flash: yes\n"
		"Validity: 30m\n"
		"Pool: marketing\n"
		"Id: order-4711\n"
		"Alphabet: UTF-8\n"
		"Retries: 3\n"
		"Language: Turkish\n"
		"X-Source: crm\n"
		"\n"
		"Hi\n";
	struct spool_parser *p;
	const struct spool_message *m;
	struct got g;

	p = PARSE_OK(text, &g, "every header");
	if (!p)
		return;
	m = spool_parse_message(p);
	CHECK_INT(m->kind, SPOOL_KIND_DIRECT);
	CHECK(m->kind_given);
	CHECK_STR(m->campaign, "Spring sale 2026");
	CHECK_INT(m->priority, SPOOL_PRIORITY_LOW);
	CHECK(m->has_send_at);
	CHECK_INT(m->send_at_ms, 1795759200000LL);	/* 06:00Z */
	CHECK_INT(m->report, 1);
	CHECK(m->flash);
	CHECK_INT(m->validity_minutes, 30);
	CHECK_STR(m->pool, "marketing");
	CHECK(m->sim == NULL);
	CHECK_STR(m->id, "order-4711");
	CHECK_INT(m->alphabet, SPOOL_ALPHABET_UTF8);
	CHECK(!m->force_ucs2);
	CHECK_INT(m->retries, 3);
	CHECK_INT(m->language, 1);
	CHECK_STR(m->body, "Hi");
	CHECK_INT(m->body_len, 2);
	CHECK(!m->personalised);
	CHECK_INT(m->recipients, 2);
	spool_parse_free(p);
}

TEST(spool_content_hash)
{
	struct spool_parser *p, *q;
	struct spool_error e;
	struct got g;

	p = parse_text("To: +491721234567\n\nx", &g, &e);
	q = parse_text("To: +491721234567\n\ny", &g, &e);
	if (CHECK(p && q)) {
		/* FNV-1a 64 of the bytes, as 16 hex digits */
		CHECK_INT(strlen(spool_parse_message(p)->hash), 16);
		CHECK(strcmp(spool_parse_message(p)->hash,
			     spool_parse_message(q)->hash) != 0);
	}
	spool_parse_free(q);
	q = parse_text("To: +491721234567\n\nx", &g, &e);
	if (CHECK(p && q))
		CHECK_STR(spool_parse_message(p)->hash,
			  spool_parse_message(q)->hash);
	spool_parse_free(q);
	/* FNV-1a 64 of the file, computed independently */
	if (p)
		CHECK_STR(spool_parse_message(p)->hash, "cf43fd500384dd0e");
	spool_parse_free(p);
}

TEST(spool_defaults)
{
	struct spool_parser *p;
	const struct spool_message *m;
	struct spool_error e;
	struct got g;

	p = PARSE_OK("To: +491721234567\n\nx", &g, "defaults");
	if (!p)
		return;
	m = spool_parse_message(p);
	CHECK_INT(m->kind, SPOOL_KIND_DIRECT);
	CHECK(!m->kind_given);
	CHECK_INT(m->priority, SPOOL_PRIORITY_NORMAL);
	CHECK(!m->has_send_at);
	CHECK_INT(m->report, -1);
	CHECK(!m->flash);
	CHECK_INT(m->validity_minutes, -1);
	CHECK(!m->campaign && !m->pool && !m->sim && !m->id);
	CHECK_INT(m->retries, -1);
	CHECK_INT(m->language, 0);
	CHECK_INT(m->alphabet, SPOOL_ALPHABET_ISO);
	CHECK(!m->from_latin9);
	spool_parse_free(p);

	/* several recipients: bulk unless Kind: says otherwise */
	p = parse_text("To: +491721234567, +15551234567\n\nx", &g, &e);
	CHECK(p && spool_parse_message(p)->kind == SPOOL_KIND_BULK);
	spool_parse_free(p);
	p = parse_text("To: +491721234567\nKind: bulk\n\nx", &g, &e);
	CHECK(p && spool_parse_message(p)->kind == SPOOL_KIND_BULK);
	spool_parse_free(p);
	/* duplicates do not make a bulk message */
	p = parse_text("To: +491721234567, 01721234567\n\nx", &g, &e);
	CHECK(p && spool_parse_message(p)->kind == SPOOL_KIND_DIRECT);
	spool_parse_free(p);
}

/* One header line each, and what it sets. */
TEST(spool_header_values)
{
	static const struct {
		const char *line;
		int field;	/* which member to look at, below */
		long long want;
	} v[] = {
		{ "Priority: high", 0, SPOOL_PRIORITY_HIGH },
		{ "Priority: Normal", 0, SPOOL_PRIORITY_NORMAL },
		{ "Report: no", 1, 0 },
		{ "Report: true", 1, 1 },
		{ "Report: off", 1, 0 },
		{ "Report: 1", 1, 1 },
		{ "Flash: no", 2, 0 },
		{ "Flash: on", 2, 1 },
		{ "Class: 0", 2, 1 },	/* smstools3: class 0 is flash */
		{ "Class: 1", 2, 0 },
		{ "Validity: 1d", 3, 1440 },
		{ "Validity: 12h", 3, 720 },
		{ "Validity: 2w", 3, 20160 },
		{ "Validity: 3 days", 3, 4320 },
		{ "Validity: 1 month", 3, 43200 },
		{ "Validity: 1 year", 3, 525600 },
		{ "Validity: 63 weeks", 3, 635040 },
		{ "Validity: 0", 3, 5 },	/* TP-VP codes, §9.2.3.12.1 */
		{ "Validity: 143", 3, 720 },
		{ "Validity: 167", 3, 1440 },
		{ "Validity: 168", 3, 2880 },
		{ "Validity: 255", 3, 635040 },
		{ "Kind: direct", 4, SPOOL_KIND_DIRECT },
		{ "Kind: BULK", 4, SPOOL_KIND_BULK },
		{ "Retries: 0", 5, 0 },
		{ "Language: 2", 6, 2 },
		{ "Language: port", 6, 3 },
		{ "Language: Hindi", 6, 0 },	/* no table: default alphabet */
		{ "Alphabet: Chinese", 7, SPOOL_ALPHABET_UCS2 },
		{ "Alphabet: UTF", 7, SPOOL_ALPHABET_UTF8 },
		{ "Alphabet: Latin", 7, SPOOL_ALPHABET_ISO },
		{ "Alphabet: Ansi", 7, SPOOL_ALPHABET_ISO },
		{ "Send-At: 2026-11-27T06:00:00Z", 8, 1795759200000LL },
		{ "Send-At: 2026-11-27 01:00-05:00", 8, 1795759200000LL },
	};

	for (size_t i = 0; i < N(v); i++) {
		char text[256];
		const struct spool_message *m;
		struct spool_parser *p;
		struct got g;
		long long got = -99;

		/* UCS-2 bodies are bytes: give them two. */
		snprintf(text, sizeof(text), "To: +491721234567\n%s\n\nxy",
			 v[i].line);
		p = PARSE_OK(text, &g, v[i].line);
		if (!p)
			continue;
		m = spool_parse_message(p);
		switch (v[i].field) {
		case 0: got = m->priority; break;
		case 1: got = m->report; break;
		case 2: got = m->flash; break;
		case 3: got = m->validity_minutes; break;
		case 4: got = m->kind; break;
		case 5: got = m->retries; break;
		case 6: got = m->language; break;
		case 7: got = m->alphabet; break;
		case 8: got = m->send_at_ms; break;
		}
		if (!CHECK_INT(got, v[i].want))
			printf("# %s\n", v[i].line);
		spool_parse_free(p);
	}
}

/* smstools3 headers we take without doing anything with them, X- headers,
 * and switches accepted when off. */
TEST(spool_harmless_headers)
{
	static const char *const lines[] = {
		"From: Shop", "Autosplit: 0", "SMSC: 491722270333",
		"Reject_duplicates: yes", "Reply_path: no",
		"Message_reference: 12", "Replace: 3", "UDH: false",
		"Language_ext: Turkish", "Message_id: 117",
		"Sent: 00-02-21 22:26:23", "Modem: GSM1",
		"IMSI: 262011234567890", "IMEI: 351234567890123",
		"NOTICE: none", "Sending_time: 3 sec",
		"Failed: 21-02-27 11:15:21", "Error: timeout",
		"To_TOA: International",
		"To-TOA: Unknown", "Binary: no", "Hex: false", "Ping: no",
		"System_message: no", "Text_is_pdu: no", "Voicecall: no",
		"X-Anything: at all", "x_lower: fine", "Queue: GSM1",
		"Provider: p2",
	};

	for (size_t i = 0; i < N(lines); i++) {
		char text[256];
		struct got g;

		snprintf(text, sizeof(text), "To: +491721234567\n%s\n\nx",
			 lines[i]);
		spool_parse_free(PARSE_OK(text, &g, lines[i]));
	}
}

TEST(spool_queue_is_pool_and_sim_forms)
{
	static const struct {
		const char *line, *pool, *sim;
		enum spool_sim_kind kind;
	} v[] = {
		{ "Queue: GSM1", "GSM1", NULL, SPOOL_SIM_NONE },
		{ "Pool: marketing", "marketing", NULL, SPOOL_SIM_NONE },
		{ "SIM: m1/1", NULL, "m1/1", SPOOL_SIM_NAME },
		{ "SIM: 8949022123456789012", NULL, "8949022123456789012",
		  SPOOL_SIM_ICCID },
		{ "SIM: 894902212345678901f", NULL, "894902212345678901F",
		  SPOOL_SIM_ICCID },
		{ "SIM: +15551230001", NULL, "+15551230001", SPOOL_SIM_NUMBER },
		{ "SIM: 0172 1230001", NULL, "+491721230001",
		  SPOOL_SIM_NUMBER },
	};

	for (size_t i = 0; i < N(v); i++) {
		char text[256];
		const struct spool_message *m;
		struct spool_parser *p;
		struct got g;

		snprintf(text, sizeof(text), "To: +491721234567\n%s\n\nx",
			 v[i].line);
		p = PARSE_OK(text, &g, v[i].line);
		if (!p)
			continue;
		m = spool_parse_message(p);
		if (v[i].pool)
			CHECK_STR(m->pool, v[i].pool);
		else
			CHECK(!m->pool);
		if (v[i].sim)
			CHECK_STR(m->sim, v[i].sim);
		else
			CHECK(!m->sim);
		CHECK_INT(m->sim_kind, v[i].kind);
		spool_parse_free(p);
	}
}

TEST(spool_personalised_bodies_per_recipient)
{
	static const char text[] =
		"Campaign: codes\n"
		"To: +491721234567; name=Ann; code=X1\n"
		"To: +15551234567; code=Y2; name = \"Bob\" \n"
		"To: +491721234567; name=Dup; code=Z\n"
		"Recipients: csv\n"
		"\n"
		"{{name}}: {{code}} ({{number}})\n"
		"--- recipients ---\n"
		"number,code,name\n"
		"+447700900123,Q9,Cy\n";
	struct spool_parser *p;
	const struct spool_message *m;
	struct got g;

	p = PARSE_OK(text, &g, "personalised");
	if (!p)
		return;
	m = spool_parse_message(p);
	CHECK(m->personalised);
	CHECK(m->csv);
	CHECK_INT(m->recipients, 3);
	CHECK_INT(m->duplicates, 1);
	CHECK_STR(m->body, "{{name}}: {{code}} ({{number}})");
	CHECK(m->body_len_max >= strlen("Bob: Y2 (+15551234567)"));
	CHECK_INT(g.n, 3);
	CHECK_STR(g.body[0], "Ann: X1 (+491721234567)");
	CHECK_STR(g.body[1], "Bob: Y2 (+15551234567)");
	CHECK_STR(g.body[2], "Cy: Q9 (+447700900123)");
	CHECK_INT(g.line[0], 2);
	CHECK_INT(g.line[1], 3);
	CHECK_INT(g.line[2], 10);
	spool_parse_free(p);
}

TEST(spool_ucs2_and_latin9_flags)
{
	static const char ucs2[] = "To: +491721234567\nAlphabet: UCS2\n\n"
				   "\x00H\x00i";
	struct spool_parser *p;
	struct spool_error e;
	struct got g;
	struct spool_rules r;

	test_rules(&r);
	p = parse_with(&r, ucs2, sizeof(ucs2) - 1, &g, &e);
	if (CHECK(p)) {
		CHECK(spool_parse_message(p)->force_ucs2);
		CHECK_STR(spool_parse_message(p)->body, "Hi");
	}
	spool_parse_free(p);
	p = parse_text("To: +491721234567\n\n\xe9t\xe9", &g, &e);
	if (CHECK(p)) {
		CHECK(spool_parse_message(p)->from_latin9);
		CHECK_STR(g.body[0], "été");
	}
	spool_parse_free(p);
}

TEST(spool_error_format_and_names)
{
	struct spool_error e = { SPOOL_ERROR_VALUE, 3, "Priority",
				 "'urgent' is not high, normal or low" };
	char buf[200];

	spool_error_format(&e, buf, sizeof(buf));
	CHECK_STR(buf, "line 3: Priority: 'urgent' is not high, normal or low");
	e.line = 0;
	e.header[0] = '\0';
	spool_error_format(&e, buf, sizeof(buf));
	CHECK_STR(buf, "'urgent' is not high, normal or low");
	CHECK_STR(spool_error_code_name(SPOOL_ERROR_UNKNOWN_HEADER),
		  "unknown-header");
	CHECK_STR(spool_error_code_name(SPOOL_ERROR_PLACEHOLDER),
		  "placeholder");
	CHECK_STR(spool_error_code_name((enum spool_error_code)999), "unknown");
}
