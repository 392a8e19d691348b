/* Capture and trace format: parse, escape, write, read back. */
#include "harness.h"
#include "at_capture.h"
#include "at_trace.h"

#include <stdio.h>
#include <errno.h>
#include <stdlib.h>

TEST(at_capture_parses_chunks_and_escapes)
{
	static const char text[] =
		"# comment\n"
		"\n"
		"> AT+CMGS=17\\r\n"
		"< \\r\\n> \n"
		"> 0791\\x1a\n"
		"< \\t\\\\\\\"\\x00\\xFF\n"
		"<\n";
	struct at_capture cap;
	char err[64];

	CHECK_INT(at_capture_parse(text, sizeof(text) - 1, &cap, err,
				   sizeof(err)), 0);
	CHECK_INT(cap.nchunks, 5);
	CHECK_INT(cap.chunks[0].dir, AT_CAPTURE_DIR_HOST);
	CHECK_INT(cap.chunks[0].len, 11);
	CHECK_MEM(cap.chunks[0].data, "AT+CMGS=17\r", 11);
	CHECK_INT(cap.chunks[0].line, 3);
	/* The prompt's trailing space is data, not layout. */
	CHECK_INT(cap.chunks[1].len, 4);
	CHECK_MEM(cap.chunks[1].data, "\r\n> ", 4);
	CHECK_MEM(cap.chunks[2].data, "0791\x1a", 5);
	CHECK_INT(cap.chunks[3].len, 5);
	CHECK_MEM(cap.chunks[3].data, "\t\\\"\0\xff", 5);
	CHECK_INT(cap.chunks[4].len, 0);
	CHECK_STR(cap.chunks[0].port, "");
	at_capture_free(&cap);
}

TEST(at_capture_reads_trace_lines)
{
	static const char text[] =
		"2026-11-27T06:00:00.123Z modem0 > AT\\r\n"
		"2026-11-27T06:00:00.140Z modem0 < \\r\\nOK\\r\\n\r\n";
	struct at_capture cap;
	size_t n;
	uint8_t *modem;

	CHECK_INT(at_capture_parse(text, sizeof(text) - 1, &cap, NULL, 0), 0);
	CHECK_INT(cap.nchunks, 2);
	CHECK_STR(cap.chunks[0].port, "modem0");
	CHECK_STR(cap.chunks[1].time, "2026-11-27T06:00:00.140Z");
	CHECK_INT(cap.chunks[1].len, 6);
	modem = at_capture_join(&cap, AT_CAPTURE_DIR_MODEM, &n);
	CHECK_INT(n, 6);
	CHECK_MEM(modem, "\r\nOK\r\n", 6);
	free(modem);
	at_capture_free(&cap);
}

TEST(at_capture_rejects_bad_lines_with_line_number)
{
	static const struct {
		const char *text;
		const char *err;
	} cases[] = {
		{ "> ok\n? what\n", "line 2: expected '> ' or '< '" },
		{ "<x\n", "line 1: expected a space after '<'" },
		{ "< \\q\n", "line 1: unknown escape \\q" },
		{ "< \\x4\n", "line 1: short \\x escape" },
		{ "< \\xZZ\n", "line 1: bad \\x escape" },
		{ "< ab\\\n", "line 1: backslash at end of line" },
		{ "\n\n2026 modem0\n", "line 3: bad trace prefix" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct at_capture cap;
		char err[64];

		CHECK_INT(at_capture_parse(cases[i].text,
					   strlen(cases[i].text), &cap, err,
					   sizeof(err)), -EINVAL);
		CHECK_STR(err, cases[i].err);
		CHECK(cap.chunks == NULL && cap.nchunks == 0);
	}
}

TEST(at_capture_escape_round_trip)
{
	uint8_t all[256];
	char esc[1025], line[1100];
	struct at_capture cap;

	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	CHECK_INT(at_capture_escape(all, 256, esc, sizeof(esc)),
		  (int)strlen(esc));
	snprintf(line, sizeof(line), "< %s\n", esc);
	CHECK_INT(at_capture_parse(line, strlen(line), &cap, NULL, 0), 0);
	CHECK_INT(cap.nchunks, 1);
	CHECK_INT(cap.chunks[0].len, 256);
	CHECK_MEM(cap.chunks[0].data, all, 256);
	at_capture_free(&cap);

	/* Truncated output stays terminated and reports the full length. */
	CHECK_INT(at_capture_escape("\r\n", 2, esc, 3), 4);
	CHECK_STR(esc, "\\r");
}

TEST(at_trace_writes_what_the_loader_reads)
{
	char path[512];
	struct at_trace tr;
	struct timespec ts = { .tv_sec = 1795759200, .tv_nsec = 123456789 };
	struct at_capture cap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace.at", harness_tmpdir());
	f = fopen(path, "w");
	CHECK(f != NULL);
	at_trace_init(&tr, f, "modem 0");
	CHECK_INT(at_trace_write(&tr, '>', "AT+CSQ\r", 7, &ts), 0);
	CHECK_INT(at_trace_write(&tr, '<', "\r\n+CSQ: 17,99\r\n\0\xff", 17,
				 &ts), 0);
	at_trace_chat_cb('<', "\r\n> ", 4, &tr);
	fclose(f);

	CHECK_INT(at_capture_load(path, &cap, NULL, 0), 0);
	CHECK_INT(cap.nchunks, 3);
	CHECK_STR(cap.chunks[0].time, "2026-11-27T06:00:00.123Z");
	CHECK_STR(cap.chunks[0].port, "modem_0");
	CHECK_INT(cap.chunks[0].dir, '>');
	CHECK_INT(cap.chunks[1].len, 17);
	CHECK_MEM(cap.chunks[1].data, "\r\n+CSQ: 17,99\r\n\0\xff", 17);
	CHECK_INT(cap.chunks[2].len, 4);
	at_capture_free(&cap);
	CHECK_INT(at_capture_load("/nonexistent/x.at", &cap, NULL, 0),
		  -ENOENT);
}
