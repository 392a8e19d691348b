/*
 * Spool files that must be refused, each with its reason: hostile bytes,
 * broken structure, bad values, smstools3 features we do not do, missing
 * personalisation values, limits.
 */
#include "harness.h"
#include "spool_helpers.h"

#include "config.h"

#include <stdlib.h>

struct reject_case {
	const char *text;
	size_t len;
	enum spool_error_code code;
	const char *reason;	/* spool_error_format() */
};

static const struct reject_case rejects[] = {
	/* structure */
	{ LIT(""), SPOOL_ERROR_SYNTAX, "empty file" },
	{ LIT("To: 491721234567\n"), SPOOL_ERROR_SYNTAX,
	  "line 1: no blank line between the headers and the body" },
	{ LIT("To: 491721234567"), SPOOL_ERROR_SYNTAX,
	  "line 1: no blank line between the headers and the body" },
	{ LIT("To: 491721234567\nHello there\n"), SPOOL_ERROR_SYNTAX,
	  "line 2: 'Hello there' is not a header line (Name: value); a blank "
	  "line must come before the body" },
	{ LIT("To: 491721234567\n Report: yes\n\nx"), SPOOL_ERROR_SYNTAX,
	  "line 2: a header line cannot start with a space" },
	{ LIT(": x\nTo: 491721234567\n\nx"), SPOOL_ERROR_SYNTAX,
	  "line 1: ': x' is not a header line (Name: value)" },
	{ LIT("To Whom: 491721234567\n\nx"), SPOOL_ERROR_SYNTAX,
	  "line 1: 'To Whom: 491721234567' is not a header line (Name: "
	  "value)" },
	{ LIT("\nHello"), SPOOL_ERROR_NO_RECIPIENT,
	  "no recipients: no To: line and no CSV row" },
	{ LIT("Report: yes\n\nHello"), SPOOL_ERROR_NO_RECIPIENT,
	  "no recipients: no To: line and no CSV row" },
	/* unknown and repeated headers */
	{ LIT("To: +491721234567\nFoo: bar\n\nx"), SPOOL_ERROR_UNKNOWN_HEADER,
	  "line 2: unknown header 'Foo'" },
	{ LIT("To: +491721234567\nX: bar\n\nx"), SPOOL_ERROR_UNKNOWN_HEADER,
	  "line 2: unknown header 'X'" },
	{ LIT("To: +491721234567\nPriority: high\nPriority: low\n\nx"),
	  SPOOL_ERROR_DUPLICATE_HEADER,
	  "line 3: Priority: given twice (first on line 2)" },
	{ LIT("Pool: a\nTo: +491721234567\nqueue: b\n\nx"),
	  SPOOL_ERROR_DUPLICATE_HEADER,
	  "line 3: Queue: given twice (first on line 1)" },
	{ LIT("To: +491721234567\nAlphabet: UTF-8\nalphabet: ISO\n\nx"),
	  SPOOL_ERROR_DUPLICATE_HEADER,
	  "line 3: Alphabet: given twice (first on line 2)" },
	/* hostile bytes in headers */
	{ LIT("To: 4917212\r34567\n\nx"), SPOOL_ERROR_ENCODING,
	  "line 1: control byte 0x0d" },
	{ LIT("To: 4917212\x00" "34567\n\nx"), SPOOL_ERROR_ENCODING,
	  "line 1: NUL byte" },
	{ LIT("To: +491721234567\nCampaign: a\x1b[2Jb\n\nx"),
	  SPOOL_ERROR_ENCODING, "line 2: control byte 0x1b" },
	{ LIT("To: +491721234567\nCampaign: caf\xe9\n\nx"),
	  SPOOL_ERROR_ENCODING, "line 2: invalid UTF-8 (byte 0xe9)" },
	{ LIT("To: +491721234567\nCampaign: \xc0\xaf\n\nx"),
	  SPOOL_ERROR_ENCODING, "line 2: invalid UTF-8 (byte 0xc0)" },
	/* numbers */
	{ LIT("To: abc\n\nx"), SPOOL_ERROR_RECIPIENT,
	  "line 1: To: 'abc': letter 'a' is not allowed in a number" },
	{ LIT("To: 4917212;34567\n\nx"), SPOOL_ERROR_RECIPIENT,
	  "line 1: To: '34567' is not a field (name=value)" },
	{ LIT("To: +491721234567;ATD112;\n\nx"), SPOOL_ERROR_RECIPIENT,
	  "line 1: To: 'ATD112' is not a field (name=value)" },
	{ LIT("To: \"+491721234567\"\n\nx"), SPOOL_ERROR_RECIPIENT,
	  "line 1: To: '\"+491721234567\"': character '\"' is not allowed in "
	  "a number" },
	{ LIT("To: +49172123456789012\n\nx"), SPOOL_ERROR_RECIPIENT,
	  "line 1: To: '+49172123456789012': too long: 17 digits, E.164 "
	  "allows at most 15" },
	{ LIT("To: 112\n\nx"), SPOOL_ERROR_RECIPIENT,
	  "line 1: To: '112': too short: 3 digits, an international number "
	  "has at least 7 (write short codes as s12345)" },
	{ LIT("To: +491721234567,\n\nx"), SPOOL_ERROR_RECIPIENT,
	  "line 1: To: an empty number in the list" },
	{ LIT("To:\n\nx"), SPOOL_ERROR_RECIPIENT, "line 1: To: no number" },
	{ LIT("To: +491721234567; number=1\n\nx"), SPOOL_ERROR_RECIPIENT,
	  "line 1: To: 'number' is the recipient's own number: name the field "
	  "otherwise" },
	{ LIT("To: +491721234567; a=1; a=2\n\nx"), SPOOL_ERROR_RECIPIENT,
	  "line 1: To: field 'a' given twice" },
	{ LIT("To: +491721234567; a b=1\n\nx"), SPOOL_ERROR_RECIPIENT,
	  "line 1: To: 'a b' is not a field name (letters, digits, _ - .)" },
	{ LIT("To: +491721234567; a=\"open\n\nx"), SPOOL_ERROR_RECIPIENT,
	  "line 1: To: unterminated quote (a value cannot span lines)" },
	{ LIT("To: +491721234567; a=\"q\"x\n\nx"), SPOOL_ERROR_RECIPIENT,
	  "line 1: To: text after a closing quote" },
	/* values */
	{ LIT("To: +491721234567\nPriority: urgent\n\nx"), SPOOL_ERROR_VALUE,
	  "line 2: Priority: 'urgent' is not high, normal or low" },
	{ LIT("To: +491721234567\nKind: maybe\n\nx"), SPOOL_ERROR_VALUE,
	  "line 2: Kind: 'maybe' is not bulk or direct" },
	{ LIT("To: +491721234567\nReport: perhaps\n\nx"), SPOOL_ERROR_VALUE,
	  "line 2: Report: 'perhaps' is not yes or no" },
	{ LIT("To: +491721234567\nFlash:\n\nx"), SPOOL_ERROR_VALUE,
	  "line 2: Flash: '' is not yes or no" },
	{ LIT("To: +491721234567\nValidity: 5x\n\nx"), SPOOL_ERROR_VALUE,
	  "line 2: Validity: '5x' is not a validity period (30m, 12h, 1d, "
	  "2w)" },
	{ LIT("To: +491721234567\nValidity: 300\n\nx"), SPOOL_ERROR_VALUE,
	  "line 2: Validity: a bare number is a TP-VP code from 0 to 255; "
	  "write a unit (30m, 12h, 1d, 2w)" },
	{ LIT("To: +491721234567\nValidity: 64w\n\nx"), SPOOL_ERROR_VALUE,
	  "line 2: Validity: '64w' is out of range: from 1m to 63w" },
	{ LIT("To: +491721234567\nValidity: 0m\n\nx"), SPOOL_ERROR_VALUE,
	  "line 2: Validity: '0m' is out of range: from 1m to 63w" },
	{ LIT("To: +491721234567\nValidity: 99999999999d\n\nx"),
	  SPOOL_ERROR_VALUE, "line 2: Validity: '99999999999d' is not a "
	  "validity period (30m, 12h, 1d, 2w)" },
	{ LIT("To: +491721234567\nSend-At: 2026-11-27 08:00\n\nx"),
	  SPOOL_ERROR_VALUE,
	  "line 2: Send-At: '2026-11-27 08:00' is not an ISO-8601 time with an "
	  "offset (2026-11-27T08:00:00+02:00)" },
	{ LIT("To: +491721234567\nSend-At: tomorrow\n\nx"), SPOOL_ERROR_VALUE,
	  "line 2: Send-At: 'tomorrow' is not an ISO-8601 time with an offset "
	  "(2026-11-27T08:00:00+02:00)" },
	{ LIT("To: +491721234567\nAlphabet: EBCDIC\n\nx"), SPOOL_ERROR_VALUE,
	  "line 2: Alphabet: 'EBCDIC' is not ISO, UTF-8 or UCS2" },
	{ LIT("To: +491721234567\nRecipients: xml\n\nx"), SPOOL_ERROR_VALUE,
	  "line 2: Recipients: 'xml' is not csv" },
	{ LIT("To: +491721234567\nRetries: many\n\nx"), SPOOL_ERROR_VALUE,
	  "line 2: Retries: 'many' is not a number from 0 to 100" },
	{ LIT("To: +491721234567\nClass: 4\n\nx"), SPOOL_ERROR_VALUE,
	  "line 2: Class: '4' is not a class from 0 to 3" },
	{ LIT("To: +491721234567\nLanguage: Klingon\n\nx"), SPOOL_ERROR_VALUE,
	  "line 2: Language: 'Klingon' is not a language from 0 to 13" },
	{ LIT("To: +491721234567\nTo_TOA: Martian\n\nx"), SPOOL_ERROR_VALUE,
	  "line 2: To_TOA: 'Martian' is not International, National or "
	  "Unknown" },
	{ LIT("To: +491721234567\nMacro: =x\n\nx"), SPOOL_ERROR_VALUE,
	  "line 2: Macro: '=x' is not name=value" },
	{ LIT("To: +491721234567\nCampaign:\n\nx"), SPOOL_ERROR_VALUE,
	  "line 2: Campaign: empty value" },
	{ LIT("To: +491721234567\nId: "
	      "0123456789012345678901234567890123456789012345678901234567890123"
	      "4567890123456789012345678901234567890123456789012345678901234567"
	      "8\n\nx"),
	  SPOOL_ERROR_VALUE, "line 2: Id: longer than 128 bytes" },
	{ LIT("To: +491721234567\nSIM: m1/1/2\n\nx"), SPOOL_ERROR_VALUE,
	  "line 2: SIM: 'm1/1/2' is not a SIM: write modem/slot (m1/1), an "
	  "ICCID or the SIM's number" },
	{ LIT("To: +491721234567\nSIM: +1555x\n\nx"), SPOOL_ERROR_VALUE,
	  "line 2: SIM: '+1555x' is not a SIM's number: letter 'x' is not "
	  "allowed in a number" },
	{ LIT("To: +491721234567\nSIM: m1/1\nPool: bulk\n\nx"),
	  SPOOL_ERROR_VALUE,
	  "line 2: SIM: Pool: and SIM: cannot both be given" },
	{ LIT("To: +491721234567\nAlphabet: UCS2\nRecipients: csv\n\nx"),
	  SPOOL_ERROR_VALUE,
	  "line 4: Recipients: a CSV section needs a text body, not Alphabet: "
	  "UCS2" },
	/* smstools3 features we do not do */
	{ LIT("To: +491721234567\nAlphabet: binary\n\nx"),
	  SPOOL_ERROR_UNSUPPORTED,
	  "line 2: Alphabet: 'binary' is not supported: write the body in "
	  "UTF-8" },
	{ LIT("To: +491721234567\nAlphabet: GSM\n\nx"), SPOOL_ERROR_UNSUPPORTED,
	  "line 2: Alphabet: 'GSM' is not supported: write the body in UTF-8" },
	{ LIT("To: +491722056395\nBinary: true\n\n\x0b\x05"),
	  SPOOL_ERROR_UNSUPPORTED,
	  "line 2: Binary: binary messages are not supported" },
	{ LIT("To: +491721234567\nHex: yes\n\n0F"), SPOOL_ERROR_UNSUPPORTED,
	  "line 2: Hex: bodies written in hexadecimal are not supported" },
	{ LIT("To: +491721234567\nVoicecall: yes\n\nTONE: 1,2"),
	  SPOOL_ERROR_UNSUPPORTED, "line 2: Voicecall: voice calls are not "
	  "supported" },
	{ LIT("To: +491721234567\nPing: maybe\n\nx"), SPOOL_ERROR_UNSUPPORTED,
	  "line 2: Ping: silent messages (Ping) are not supported" },
	{ LIT("To: +491721234567\nInclude: /etc/passwd\n\nx"),
	  SPOOL_ERROR_UNSUPPORTED,
	  "line 2: Include: not supported: a spool file must hold its whole "
	  "message" },
	{ LIT("To: +491721234567\nUDH-DATA: 05 00 03 01 02 01\n\nx"),
	  SPOOL_ERROR_UNSUPPORTED,
	  "line 2: UDH-DATA: a user data header of your own is not supported" },
	{ LIT("To: 1721234567\nTo_TOA: National\n\nx"),
	  SPOOL_ERROR_UNSUPPORTED,
	  "line 2: To_TOA: national numbers without their trunk prefix are not "
	  "supported: write them with it or in international form" },
	/* bodies */
	{ LIT("To: +491721234567\nAlphabet: UTF-8\n\nok\ncaf\xe9\n"),
	  SPOOL_ERROR_ENCODING,
	  "line 5: invalid UTF-8 in the body (byte 0xe9)" },
	{ LIT("To: +491721234567\n\nline\n\x81\n"), SPOOL_ERROR_ENCODING,
	  "line 4: byte 0x81 in the body is neither UTF-8 nor ISO-8859-15" },
	{ LIT("To: +491721234567\n\nNUL\x00here"), SPOOL_ERROR_ENCODING,
	  "line 3: NUL byte in the body" },
	{ LIT("To: +491721234567\n\none\ntwo\x07\n"), SPOOL_ERROR_ENCODING,
	  "line 4: control character U+0007 in the body" },
	{ LIT("To: +491721234567\n\nC1 \xc2\x85\n"), SPOOL_ERROR_ENCODING,
	  "line 3: control character U+0085 in the body" },
	{ LIT("To: +491721234567\nAlphabet: UCS2\n\n\x00H\x00"),
	  SPOOL_ERROR_ENCODING,
	  "line 4: UCS-2 body has an odd number of bytes (3)" },
	{ LIT("To: +491721234567\nAlphabet: UCS2\n\n\x00H\xd8\x3d"),
	  SPOOL_ERROR_ENCODING,
	  "line 4: UCS-2 body: lone surrogate 0xd83d at byte 2" },
	{ LIT("To: +491721234567\nAlphabet: UCS2\n\n\x00H\x00\x00"),
	  SPOOL_ERROR_ENCODING, "line 4: UCS-2 body: U+0000 at byte 2" },
	{ LIT("To: +491721234567\nAlphabet: UCS2\n\n\x00\x07"),
	  SPOOL_ERROR_ENCODING,
	  "line 4: control character U+0007 in the body" },
	/* placeholders */
	{ LIT("To: +491721234567\n\nHi {{name}}"), SPOOL_ERROR_PLACEHOLDER,
	  "line 1: no value for {{name}}" },
	{ LIT("To: +491721234567; name=Ann\nTo: +15551234567\n\nHi {{name}}"),
	  SPOOL_ERROR_PLACEHOLDER, "line 2: no value for {{name}}" },
	{ LIT("To: +491721234567\nTo: +15551234567; name=Bob\n\nHi {{name}}"),
	  SPOOL_ERROR_PLACEHOLDER, "line 1: no value for {{name}}" },
	{ LIT("To: +491721234567; name=Ann\nTo: +15551234567; name=\n\nHi "
	      "{{name}}"),
	  SPOOL_ERROR_PLACEHOLDER, "line 2: no value for {{name}}" },
	{ LIT("To: +491721234567; a=1; b=2\nTo: +15551234567; a=1\nTo: "
	      "+447700900123; b=2\n\n{{b}} {{a}}"),
	  SPOOL_ERROR_PLACEHOLDER, "line 2: no value for {{b}}" },
	{ LIT("Recipients: csv\n\nHi {{name}} {{code}}\n--- recipients ---\n"
	      "number,name\n+491721234567,Ann\n"),
	  SPOOL_ERROR_PLACEHOLDER, "line 6: no value for {{code}}" },
	{ LIT("Recipients: csv\n\nHi {{name}}\n--- recipients ---\n"
	      "number,name\n+491721234567,Ann\n+15551234567,\n"),
	  SPOOL_ERROR_PLACEHOLDER, "line 7: no value for {{name}}" },
	/* CSV */
	{ LIT("Recipients: csv\n\nHi\n"), SPOOL_ERROR_CSV,
	  "line 3: Recipients: no '--- recipients ---' line after the body" },
	{ LIT("Recipients: csv\n\nHi\n--- recipients ---\n\n"), SPOOL_ERROR_CSV,
	  "line 5: no CSV header row after '--- recipients ---'" },
	{ LIT("Recipients: csv\n\nHi\n--- recipients ---\nname,code\nA,B\n"),
	  SPOOL_ERROR_CSV, "line 5: the header row has no 'number' column" },
	{ LIT("Recipients: csv\n\nHi\n--- recipients ---\nnumber,to\n"),
	  SPOOL_ERROR_CSV, "line 5: two number columns" },
	{ LIT("Recipients: csv\n\nHi\n--- recipients ---\nnumber,first name\n"),
	  SPOOL_ERROR_CSV,
	  "line 5: column 2: 'first name' is not a field name (letters, "
	  "digits, _ - .)" },
	{ LIT("Recipients: csv\n\nHi\n--- recipients ---\nnumber,a,a\n"),
	  SPOOL_ERROR_CSV, "line 5: column 'a' twice" },
	{ LIT("Recipients: csv\n\nHi\n--- recipients ---\nnumber,name\n"
	      "+491721234567\n"),
	  SPOOL_ERROR_CSV, "line 6: 1 cells where the header row has 2" },
	{ LIT("Recipients: csv\n\nHi\n--- recipients ---\nnumber,name\n"
	      "+491721234567,\"Ann\n"),
	  SPOOL_ERROR_CSV,
	  "line 6: unterminated quote (a value cannot span lines)" },
	{ LIT("Recipients: csv\n\nHi\n--- recipients ---\nnumber,name\n"
	      "+49172;1234567,Ann\n"),
	  SPOOL_ERROR_RECIPIENT,
	  "line 6: '+49172;1234567': character ';' is not allowed in a "
	  "number" },
	{ LIT("Recipients: csv\n\nHi\n--- recipients ---\nnumber\n+4917\x00\n"),
	  SPOOL_ERROR_ENCODING, "line 6: NUL byte" },
	/* limits */
	{ LIT("To: +491721234567\nMacro: @A@=0123456789012345678901234567890123"
	      "4567890123456789012345678901234567890123456789\n\n"
	      "@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@"
	      "@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@"
	      "@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@"
	      "@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@"
	      "@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@@A@"),
	  SPOOL_ERROR_LIMIT, "Macro: the body would be too long" },
};

static void check_reject(const struct spool_rules *r, const char *text,
			 size_t len, enum spool_error_code code,
			 const char *reason)
{
	struct spool_parser *p;
	struct spool_error e;
	struct got g;

	p = parse_with(r, text, len, &g, &e);
	if (!CHECK(!p)) {
		printf("# accepted: %.60s\n", text);
		spool_parse_free(p);
		return;
	}
	if (!CHECK_STR(error_text(&e), reason) ||
	    !CHECK_INT(e.code, code))
		printf("# input: %.60s\n", text);
	CHECK_INT(g.n, 0);	/* pass 2 never ran */
}

TEST(spool_rejects_with_reason)
{
	struct spool_rules r;

	test_rules(&r);
	/* The refusals of strict_headers = yes; smstools3's lenient reading
	 * is test_spool_compat.c's. */
	r.strict_headers = true;
	/* Small enough that the Macro: case overflows it. */
	r.max_body = 4096;
	for (size_t i = 0; i < N(rejects); i++)
		check_reject(&r, rejects[i].text, rejects[i].len,
			     rejects[i].code, rejects[i].reason);
}

TEST(spool_limits)
{
	struct spool_rules r;
	char *big;
	size_t off;

	test_rules(&r);
	r.max_line = 64;
	r.max_body = 100;
	r.max_headers = 3;
	r.max_recipients = 3;
	check_reject(&r, LIT("To: +491721234567\nCampaign: 0123456789012345678"
			     "901234567890123456789012345678901234567890123\n\n"
			     "x"), SPOOL_ERROR_LIMIT,
		     "line 2: line longer than 64 bytes");
	check_reject(&r, LIT("To: +491721234567\nX-1: a\nX-2: b\nX-3: c\nX-4: "
			     "d\n\nx"), SPOOL_ERROR_LIMIT,
		     "line 5: more than 3 header lines");
	check_reject(&r, LIT("To: +491721234567, +15551234567\nTo: "
			     "+447700900123, +447700900124\n\nx"),
		     SPOOL_ERROR_LIMIT, "line 2: To: more than 3 recipients");
	/* duplicates count towards the limit: they cost work too */
	check_reject(&r, LIT("To: +491721234567\nTo: +491721234567\nTo: "
			     "+491721234567\nTo: +491721234567\n\nx"),
		     SPOOL_ERROR_LIMIT, "line 4: To: more than 3 recipients");

	big = malloc(300);
	off = (size_t)sprintf(big, "To: +491721234567\n\n");
	memset(big + off, 'a', 101);
	check_reject(&r, big, off + 101, SPOOL_ERROR_LIMIT,
		     "line 3: the body is longer than 100 bytes");
	/* the same over several lines */
	for (size_t i = off; i < off + 101; i += 10)
		big[i] = '\n';
	check_reject(&r, big, off + 101, SPOOL_ERROR_LIMIT,
		     "line 13: the body is longer than 100 bytes");
	free(big);
}

/* A huge line is refused as soon as it passes the limit, without reading
 * (or holding) the rest. */
TEST(spool_huge_line_stops_early)
{
	struct spool_rules r;
	struct spool_parser *p;
	char chunk[4096];
	size_t fed = 0;

	test_rules(&r);
	p = spool_parse_new(&r);
	memset(chunk, 'A', sizeof(chunk));
	CHECK(spool_parse_feed(p, "To: ", 4));
	while (fed < (64u << 20) && spool_parse_feed(p, chunk, sizeof(chunk)))
		fed += sizeof(chunk);
	CHECK(fed <= SPOOL_MAX_LINE);
	CHECK_INT(spool_parse_error(p)->code, SPOOL_ERROR_LIMIT);
	CHECK(!spool_parse_finish(p));
	CHECK(!spool_parse_rewind(p, NULL, NULL));
	spool_parse_free(p);
}

TEST(spool_binary_garbage)
{
	struct spool_rules r;
	uint32_t x = 12345;

	test_rules(&r);
	for (int round = 0; round < 200; round++) {
		unsigned char buf[2048];
		struct spool_parser *p = spool_parse_new(&r);
		struct got g = { 0 };

		for (size_t i = 0; i < sizeof(buf); i++) {
			x = x * 1103515245 + 12345;
			buf[i] = (unsigned char)(x >> 16);
		}
		if (spool_parse_feed(p, buf, sizeof(buf)) &&
		    spool_parse_finish(p)) {
			/* Only possible if garbage happened to be a file. */
			CHECK(spool_parse_rewind(p, got_add, &g));
		} else {
			CHECK(spool_parse_error(p)->code != SPOOL_ERROR_NONE);
			CHECK(spool_parse_error(p)->text[0] != '\0');
		}
		spool_parse_free(p);
	}
}

static bool stop_at_second(const struct spool_recipient *rc, void *ud)
{
	(void)ud;
	return rc->index < 1;
}

TEST(spool_pass_two_catches_changes_and_stops)
{
	static const char a[] = "To: +491721234567, +15551234567\n\nx";
	static const char b[] = "To: +491721234567\n\nx";
	struct spool_rules r;
	struct spool_parser *p;
	struct spool_error e;
	struct got g = { 0 };

	test_rules(&r);
	p = spool_parse_new(&r);
	CHECK(spool_parse_feed(p, a, strlen(a)) && spool_parse_finish(p));
	CHECK(spool_parse_rewind(p, got_add, &g));
	CHECK(spool_parse_feed(p, b, strlen(b)));
	CHECK(!spool_parse_finish(p));
	CHECK_INT(spool_parse_error(p)->code, SPOOL_ERROR_CHANGED);
	spool_parse_free(p);

	/* same length, same recipients, another text */
	p = spool_parse_new(&r);
	CHECK(spool_parse_feed(p, a, strlen(a)) && spool_parse_finish(p));
	CHECK(spool_parse_rewind(p, got_add, &g));
	CHECK(spool_parse_feed(p, a, strlen(a) - 1));
	CHECK(spool_parse_feed(p, "y", 1));
	CHECK(!spool_parse_finish(p));
	CHECK_INT(spool_parse_error(p)->code, SPOOL_ERROR_CHANGED);
	spool_parse_free(p);

	CHECK(!spool_parse_buffer(&r, a, strlen(a), stop_at_second, NULL, NULL,
				  &e));
	CHECK_INT(e.code, SPOOL_ERROR_ABORTED);
	CHECK_STR(e.text, "stopped at recipient 2");
	CHECK_INT(e.line, 1);
}

/* Pool: and SIM: against a configuration. */
TEST(spool_pool_and_sim_checked_against_config)
{
	static struct config_sim m1_sims[] = {
		{ .name = "1", .pool = "default" },
		{ .name = "2", .pool = "marketing" },
	};
	static struct config_sim m2_sims[] = {
		{ .name = "1", .pool = "support" },
	};
	static struct config_modem modems[] = {
		{ .name = "m1", .sims = m1_sims, .nsims = 2 },
		{ .name = "m2", .sims = m2_sims, .nsims = 1 },
	};
	struct config cfg = {
		.default_country = "49", .trunk_prefix = "0", .max_parts = 10,
		.modems = modems, .nmodems = 2,
	};
	static const struct {
		/* want: the pool or SIM, or the reason */
		const char *line, *want;
		bool ok;
	} v[] = {
		{ "Pool: marketing", "marketing", true },
		{ "Pool: default", "default", true },
		{ "Queue: support", "support", true },
		{ "Pool: sales", "line 2: Pool: no pool 'sales' in the "
				 "configuration (pools: default, marketing, "
				 "support)", false },
		{ "SIM: m1/2", "m1/2", true },
		{ "SIM: m2", "m2/1", true },
		{ "SIM: m1", "line 2: SIM: modem 'm1' has 2 SIMs: write "
			     "m1/<slot>", false },
		{ "SIM: m1/3", "line 2: SIM: modem 'm1' has no SIM '3'",
		  false },
		{ "SIM: m9/1",
		  "line 2: SIM: no modem 'm9' in the configuration", false },
		{ "SIM: 89490221234567890123", "89490221234567890123", true },
	};
	struct spool_rules r;

	spool_rules_init(&r, &cfg);
	CHECK_INT(r.max_body, 6400);
	for (size_t i = 0; i < N(v); i++) {
		char text[128];
		struct spool_parser *p;
		struct spool_error e;
		struct got g;

		snprintf(text, sizeof(text), "To: 01721234567\n%s\n\nx",
			 v[i].line);
		p = parse_with(&r, text, strlen(text), &g, &e);
		if (!v[i].ok) {
			if (CHECK(!p))
				CHECK_STR(error_text(&e), v[i].want);
			spool_parse_free(p);
			continue;
		}
		if (!CHECK(p)) {
			printf("# %s: %s\n", v[i].line, error_text(&e));
			continue;
		}
		CHECK_STR(g.number[0], "+491721234567");
		if (v[i].line[0] == 'S')
			CHECK_STR(spool_parse_message(p)->sim, v[i].want);
		else
			CHECK_STR(spool_parse_message(p)->pool, v[i].want);
		spool_parse_free(p);
	}
}
