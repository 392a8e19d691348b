/*
 * Fuzz target: modem bytes through the AT framer, every line through the
 * result iterator and every parser, and the input as capture text through
 * the capture loader. Nothing here may crash, leak or read out of bounds.
 *
 * The first input byte picks how the bytes are split into chunks and
 * whether the framer expects a prompt, so chunking bugs show up too.
 */
#include "at_capture.h"
#include "at_frame.h"
#include "at_parse.h"
#include "at_parse_sms.h"
#include "at_result.h"
#include "driver.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_LINES 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_iter(const char *line)
{
	struct at_result_iter it;
	char buf[32];
	uint8_t hex[16];
	size_t len;
	uint32_t u;
	int n;

	/* Walk the line with each reader until none makes progress. */
	at_result_iter_line(&it, line);
	at_result_skip_prefix(&it, "+");
	for (int guard = 0; guard < 64 && !at_result_at_end(&it); guard++) {
		if (at_result_next_number(&it, &n) ||
		    at_result_next_hexnum(&it, &u) ||
		    at_result_next_string(&it, buf, sizeof(buf)) ||
		    at_result_next_hexstring(&it, hex, sizeof(hex), &len) ||
		    at_result_open_list(&it) || at_result_close_list(&it) ||
		    at_result_next_unquoted(&it, buf, sizeof(buf)) ||
		    at_result_skip(&it))
			continue;
		break;
	}
}

static void fuzz_parsers(const char *line, const char *next)
{
	static const char *const reg[] = { "+CREG:", "+CGREG:", "+CEREG:" };
	struct at_csq q;
	struct at_reg r;
	struct at_cops op;
	enum at_cpin pin;
	struct at_cnum num;
	struct at_cpms m;
	struct at_sms_pdu p;
	struct at_sms_index idx;
	struct at_csca sca;
	char id[32];
	int v;

	at_parse_csq(line, &q);
	/* Every family's own forms, through its driver. */
	for (size_t i = 0; driver_table[i]; i++) {
		driver_signal_read(driver_table[i], line, &q);
		driver_iccid_read(driver_table[i], line, id, sizeof(id));
	}
	for (size_t i = 0; i < 3; i++)
		at_parse_reg(line, reg[i], &r);
	at_parse_cops(line, &op);
	at_parse_cpin(line, &pin);
	at_parse_cnum(line, &num);
	at_parse_cme_error(line, &v);
	at_parse_imei(line, id, sizeof(id));
	at_parse_imsi(line, id, sizeof(id));
	at_parse_iccid(line, id, sizeof(id));
	at_parse_sms_cpms(line, &m);
	at_parse_sms_cmt(line, next, &p);
	at_parse_sms_cds(line, next, &p);
	at_parse_sms_cmti(line, &idx);
	at_parse_sms_cdsi(line, &idx);
	at_parse_sms_cmgs(line, &v);
	at_parse_sms_cms_error(line, &v);
	at_parse_sms_csca(line, &sca);
	at_parse_sms_pdu_ok(line, (int)(strlen(line) / 2));
}

static void fuzz_lines(char **lines, size_t n)
{
	struct at_sms_pdu p;
	size_t pos = 0;

	for (size_t i = 0; i < n; i++) {
		fuzz_iter(lines[i]);
		fuzz_parsers(lines[i], i + 1 < n ? lines[i + 1] : NULL);
	}
	while (at_parse_sms_cmgl((const char *const *)lines, n, &pos, &p) !=
	       AT_PARSE_SMS_END)
		;
	at_parse_sms_cmgr((const char *const *)lines, n, &p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct at_frame *fr;
	struct at_capture cap;
	char *lines[FUZZ_MAX_LINES];
	size_t nlines = 0, step, off = 0;

	if (size < 1)
		return 0;
	fr = malloc(sizeof(*fr));
	if (!fr)
		return 0;
	at_frame_init(fr);
	at_frame_expect_prompt(fr, data[0] & 0x80);
	step = (data[0] & 0x7f) ? (data[0] & 0x7f) : size;
	data++;
	size--;
	while (off < size) {
		size_t chunk = size - off < step ? size - off : step;

		while (chunk) {
			enum at_frame_event ev;
			size_t used = at_frame_feed(fr, data + off, chunk, &ev);

			off += used;
			chunk -= used;
			if (ev == AT_FRAME_EVENT_LINE) {
				if (strlen(at_frame_line(fr)) !=
				    at_frame_line_len(fr))
					abort();
				if (nlines < FUZZ_MAX_LINES)
					lines[nlines++] =
						strdup(at_frame_line(fr));
			}
			if (!used && ev == AT_FRAME_EVENT_NONE && chunk)
				abort(); /* no progress: would loop */
		}
	}
	fuzz_lines(lines, nlines);
	for (size_t i = 0; i < nlines; i++)
		free(lines[i]);
	free(fr);

	if (at_capture_parse((const char *)data, size, &cap, NULL, 0) == 0) {
		size_t n;
		uint8_t *joined = at_capture_join(&cap, AT_CAPTURE_DIR_MODEM,
						  &n);

		free(joined);
		at_capture_free(&cap);
	}
	return 0;
}
