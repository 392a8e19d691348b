/*
 * smstools3's reading rules (README "Coming from smstools3"): what smsd
 * ignores we ignore and name; booleans as its yesno() reads them; the
 * headers that reach the PDU; email2sms output. strict_headers = yes keeps
 * refusing, as test_spool_reject.c checks.
 */
#include "harness.h"
#include "spool_helpers.h"

#include <stdlib.h>

/* What email2sms (Debian smstools examples/scripts/email2sms) writes: the
 * mail as it came, To: replaced by formail with the mail's To: value. */
static const char email2sms[] =
	"Return-Path: <herbert@example.com>\n"
	"Received: from mail.example.com (mail.example.com [192.0.2.1])\n"
	"\tby gw.example.com (Postfix) with ESMTP id 4F3A1\n"
	"\tfor <sms@localhost>; Thu,  3 Dec 2026 09:30:00 +0100 (CET)\n"
	"From: Herbert <herbert@example.com>\n"
	"To: \"Herbert +491721234567\" <sms@localhost>\n"
	"Subject: table\n"
	"Date: Thu, 3 Dec 2026 09:30:00 +0100\n"
	"Message-ID: <1234@example.com>\n"
	"MIME-Version: 1.0\n"
	"Content-Type: text/plain; charset=UTF-8\n"
	"Content-Transfer-Encoding: 8bit\n"
	"\n"
	"Your table is ready.\n";

TEST(compat_email2sms_output)
{
	struct spool_parser *p;
	const struct spool_message *m;
	struct got g;

	p = PARSE_OK(email2sms, &g, "email2sms");
	if (!p)
		return;
	m = spool_parse_message(p);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.number[0], "+491721234567");
	CHECK_STR(m->body, "Your table is ready.");
	CHECK_STR(m->from, "Herbert <herbert@example.com>");
	/* Message-ID is smsd's Message_id ('-' is '_' here): ignored too. */
	CHECK_STR(m->ignored, "Return-Path, Received, Subject, Date, "
		  "MIME-Version, Content-Type, Content-Transfer-Encoding");
	spool_parse_free(p);
}

TEST(compat_folded_line_of_a_known_header_is_named)
{
	struct spool_parser *p;
	struct got g;

	p = PARSE_OK("To: 491721234567\n 491721234568\nX-Mailer: a\n b\n\nx",
		     &g, "folded To:");
	if (!p)
		return;
	CHECK_INT(g.n, 1);
	CHECK_STR(spool_parse_message(p)->not_honoured,
		  "line 2 (folded) ignored");
	spool_parse_free(p);
}

TEST(compat_strict_refuses_unknown)
{
	struct spool_rules r;
	struct spool_error e;
	struct got g;

	test_rules(&r);
	r.strict_headers = true;
	CHECK(!parse_with(&r, email2sms, strlen(email2sms), &g, &e));
	CHECK_INT(e.code, SPOOL_ERROR_UNKNOWN_HEADER);
	CHECK(!parse_with(&r, LIT("To: +491721234567\nSubject: x\n\nx"), &g,
			  &e));
	CHECK_INT(e.code, SPOOL_ERROR_UNKNOWN_HEADER);
	CHECK(!parse_with(&r, LIT("To: +491721234567\nFlash: maybe\n\nx"), &g,
			  &e));
	CHECK_INT(e.code, SPOOL_ERROR_VALUE);
}

TEST(compat_booleans_as_smsd)
{
	static const struct {
		const char *v;
		bool yes;
		bool noted;
	} cases[] = {
		{ "yes", true, false },	  { "true", true, false },
		{ "on", true, false },	  { "1", true, false },
		{ "YES", true, false },	  { "no", false, false },
		{ "off", false, false },  { "0", false, false },
		{ "", false, true },	  { "maybe", false, true },
		{ "nope", false, true },  { "y", true, true },
		{ "Tak", true, true },	  { "2", false, true },
	};

	for (size_t i = 0; i < N(cases); i++) {
		char text[128];
		struct spool_parser *p;
		struct got g;

		snprintf(text, sizeof(text), "To: +491721234567\nFlash: %s\n"
			 "Report: %s\n\nx", cases[i].v, cases[i].v);
		p = PARSE_OK(text, &g, cases[i].v);
		if (!p)
			continue;
		if (!CHECK_INT(spool_parse_message(p)->flash, cases[i].yes) ||
		    !CHECK_INT(spool_parse_message(p)->report, cases[i].yes) ||
		    !CHECK_INT(strstr(spool_parse_message(p)->not_honoured,
				      "Flash: '") != NULL, cases[i].noted))
			printf("# value '%s'\n", cases[i].v);
		spool_parse_free(p);
	}
}

TEST(compat_pdu_headers_recorded)
{
	struct spool_parser *p;
	const struct spool_message *m;
	struct got g;

	p = PARSE_OK("To: 491721234567\nAutosplit: 1\nSMSC: 00 49 172 "
		     "2270333\nClass: 2\nReject_duplicates: yes\nReply_path: "
		     "on\nReplace: 3\nFrom: Shop\nMessage_reference: 7\n"
		     "Language_ext: Turkish\n\nx", &g, "pdu headers");
	if (!p)
		return;
	m = spool_parse_message(p);
	CHECK_INT(m->autosplit, 1);
	CHECK_STR(m->smsc, "+491722270333");
	CHECK_INT(m->msg_class, 2);
	CHECK(!m->flash);
	CHECK(m->reject_duplicates);
	CHECK(m->reply_path);
	CHECK_INT(m->replace, 3);
	CHECK_STR(m->from, "Shop");
	CHECK(strstr(m->not_honoured, "Message_reference") != NULL);
	CHECK(strstr(m->not_honoured, "Language_ext") != NULL);
	CHECK_STR(m->ignored, "");
	spool_parse_free(p);

	/* A long From: keeps its first 128 bytes, whole characters. */
	p = PARSE_OK("To: 491721234567\nFrom: Jörg Müller-Lüdenscheidt "
		     "<joerg.mueller-luedenscheidt@example.com> on behalf of "
		     "the Ärztekammer Nordrhein-Westfalen, Abteilung für "
		     "Öffentlichkeitsarbeit\n\nx", &g, "long From");
	if (!p)
		return;
	m = spool_parse_message(p);
	CHECK(strlen(m->from) <= 128 && strlen(m->from) >= 126);
	CHECK(strncmp(m->from, "Jörg Müller", 12) == 0);
	spool_parse_free(p);

	p = PARSE_OK("To: 491721234567\n\nx", &g, "defaults");
	if (!p)
		return;
	m = spool_parse_message(p);
	CHECK_INT(m->autosplit, -1);
	CHECK_INT(m->msg_class, -1);
	CHECK(!m->smsc && !m->from);
	CHECK_STR(m->not_honoured, "");
	spool_parse_free(p);
}

TEST(compat_bad_values_still_refused)
{
	struct spool_error e;
	struct got g;

	CHECK(!parse_text("To: 491721234567\nAutosplit: yes\n\nx", &g, &e));
	CHECK_STR(error_text(&e), "line 2: Autosplit: 'yes' is not 0, 1, 2 "
		  "or 3");
	CHECK(!parse_text("To: 491721234567\nSMSC: +49abc\n\nx", &g, &e));
	CHECK_INT(e.code, SPOOL_ERROR_VALUE);
	CHECK(!parse_text("To: 491721234567\nReplace: 9\n\nx", &g, &e));
	CHECK_INT(e.code, SPOOL_ERROR_VALUE);
}

/* Every outgoing header of smstools3's fileformat page, in one file each:
 * accepted, or refused as a feature we do not do (never as unknown). */
TEST(compat_every_smstools3_header)
{
	static const char *const lines[] = {
		"Alphabet: ISO", "Autosplit: 3", "Class: 1", "Flash: no",
		"From: x", "Language: Turkish", "Language_ext: Turkish",
		"Macro: A=b", "Message_reference: 1", "Priority: High",
		"Provider: default", "Queue: default", "Reject_duplicates: no",
		"Replace: 1", "Reply_path: no", "Report: yes", "Retries: 2",
		"SMSC: 491722270333", "To_TOA: International", "UDH: false",
		"Validity: 1 day", "Binary: no", "Hex: no", "Ping: no",
		"System_message: no", "Text_is_pdu: no", "Voicecall: no",
	};
	static const char *const refused[] = {
		"Include: /etc/passwd", "UDH-DATA: 05 00 03", "DCS_hex: 04",
		"Alphabet: binary", "Hex: yes", "Voicecall: yes",
	};

	for (size_t i = 0; i < N(lines); i++) {
		char text[128];
		struct spool_parser *p;
		struct got g;

		snprintf(text, sizeof(text), "To: 491721234567\n%s\n\nx",
			 lines[i]);
		p = PARSE_OK(text, &g, lines[i]);
		spool_parse_free(p);
	}
	for (size_t i = 0; i < N(refused); i++) {
		char text[128];
		struct spool_error e;
		struct got g;

		snprintf(text, sizeof(text), "To: 491721234567\n%s\n\nx",
			 refused[i]);
		if (!CHECK(!parse_text(text, &g, &e)) ||
		    !CHECK_INT(e.code, SPOOL_ERROR_UNSUPPORTED))
			printf("# %s\n", refused[i]);
	}
}
