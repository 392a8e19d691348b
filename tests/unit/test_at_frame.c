/* AT framing: table-driven on real bytes, every split, every capture. */
#include "harness.h"
#include "at_capture.h"
#include "at_frame.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Events rendered as text: "L:<line>|", "P|", "O|". */
struct events {
	char *buf;
	size_t len, cap;
};

static void events_add(struct events *e, const char *s, size_t n)
{
	if (e->len + n + 1 > e->cap) {
		e->cap = (e->len + n + 1) * 2;
		e->buf = realloc(e->buf, e->cap);
	}
	memcpy(e->buf + e->len, s, n);
	e->len += n;
	e->buf[e->len] = '\0';
}

static void feed(struct at_frame *fr, struct events *e, const uint8_t *p,
		 size_t n)
{
	while (n) {
		enum at_frame_event ev;
		size_t used = at_frame_feed(fr, p, n, &ev);

		p += used;
		n -= used;
		switch (ev) {
		case AT_FRAME_EVENT_LINE:
			events_add(e, "L:", 2);
			events_add(e, at_frame_line(fr), at_frame_line_len(fr));
			events_add(e, "|", 1);
			break;
		case AT_FRAME_EVENT_PROMPT:
			events_add(e, "P|", 2);
			break;
		case AT_FRAME_EVENT_OVERLONG:
			events_add(e, "O|", 2);
			break;
		case AT_FRAME_EVENT_NONE:
			if (used == 0 && n)
				return; /* would loop: a bug */
			break;
		}
	}
}

/* Feeds data in pieces: split at offset k (k = 0: whole), or byte by byte
 * when k is SIZE_MAX. */
static char *run(const uint8_t *data, size_t n, size_t k, bool expect_prompt)
{
	struct at_frame fr;
	struct events e = { 0 };

	at_frame_init(&fr);
	at_frame_expect_prompt(&fr, expect_prompt);
	events_add(&e, "", 0);
	if (k == SIZE_MAX) {
		for (size_t i = 0; i < n; i++)
			feed(&fr, &e, data + i, 1);
	} else {
		feed(&fr, &e, data, k);
		feed(&fr, &e, data + k, n - k);
	}
	return e.buf;
}

struct frame_case {
	const char *name;
	const char *in;
	size_t len;		/* 0: strlen(in) */
	const char *want;
	bool expect_prompt;
};

#define S(x) x, sizeof(x) - 1

static const struct frame_case frame_cases[] = {
	{ "ok", "\r\nOK\r\n", 0, "L:OK|" },
	{ "csq", "\r\n+CSQ: 17,99\r\n\r\nOK\r\n", 0, "L:+CSQ: 17,99|L:OK|" },
	{ "echo", "AT+CSQ\r\r\n+CSQ: 17,99\r\n\r\nOK\r\n", 0,
	  "L:AT+CSQ|L:+CSQ: 17,99|L:OK|" },
	{ "lf-cr", "\n\rOK\n\r", 0, "L:OK|" },
	{ "bare-lf", "OK\nERROR\n", 0, "L:OK|L:ERROR|" },
	{ "bare-cr", "OK\rERROR\r", 0, "L:OK|L:ERROR|" },
	{ "prompt", "\r\n> ", 0, "P|" },
	{ "prompt-then-echo-pdu",
	  "AT+CMGS=17\r\r\n> 0791AB\x1a\r\n+CMGS: 5\r\n\r\nOK\r\n", 0,
	  "L:AT+CMGS=17|P|L:0791AB|L:+CMGS: 5|L:OK|" },
	{ "gt-newline", ">\r\n", 0, "P|" },
	{ "gt-text", ">foo\r\n", 0, "L:>foo|" },
	{ "gt-unfinished", "\r\n>", 0, "" },
	{ "gt-expected", "\r\n>", 0, "P|", true },
	{ "gt-expected-space-eaten", "\r\n> 00\r", 0, "P|L:00|", true },
	{ "gt-expected-no-space", "\r\n>00\r", 0, "P|L:00|", true },
	{ "nul-inside", S("O\0K\r\n"), "L:OK|" },
	{ "nul-only", S("\0\0\0"), "" },
	{ "garbage-ctrl", "\x01\x02OK\x7f\r\n", 0, "L:OK|" },
	{ "high-bytes-kept", "+COPS: 0,0,\"T\xc3\xa9l\"\r\n", 0,
	  "L:+COPS: 0,0,\"T\xc3\xa9l\"|" },
	{ "trailing-space", "OK  \t\r\n", 0, "L:OK|" },
	{ "blank-line", "   \r\n\r\n", 0, "" },
	{ "tab-inside", "A\tB\r\n", 0, "L:A\tB|" },
	{ "truncated", "\r\n+CSQ: 17", 0, "" },
	{ "esc-ends-line", "AT\x1b\r\nOK\r\n", 0, "L:AT|L:OK|" },
	{ "esc-splits", "AT\x1bOK\r", 0, "L:AT|L:OK|" },
	{ "ctrl-z-splits", "0791\x1a+CMGS: 1\r", 0, "L:0791|L:+CMGS: 1|" },
	{ "ctrl-z-alone", "\x1a", 0, "" },
	{ "urc-between", "\r\n+CMGL: 1,1,,21\r\n00AA\r\n\r\n^RSSI:14\r\n", 0,
	  "L:+CMGL: 1,1,,21|L:00AA|L:^RSSI:14|" },
};

TEST(at_frame_table)
{
	for (size_t i = 0; i < sizeof(frame_cases) / sizeof(frame_cases[0]);
	     i++) {
		const struct frame_case *c = &frame_cases[i];
		size_t n = c->len ? c->len : strlen(c->in);
		char *got = run((const uint8_t *)c->in, n, 0, c->expect_prompt);

		if (!CHECK_STR(got, c->want))
			printf("# case %s\n", c->name);
		free(got);
	}
}

TEST(at_frame_table_every_split)
{
	for (size_t i = 0; i < sizeof(frame_cases) / sizeof(frame_cases[0]);
	     i++) {
		const struct frame_case *c = &frame_cases[i];
		size_t n = c->len ? c->len : strlen(c->in);
		char *got;

		for (size_t k = 0; k <= n; k++) {
			got = run((const uint8_t *)c->in, n, k,
				  c->expect_prompt);
			if (!CHECK_STR(got, c->want))
				printf("# case %s split %zu\n", c->name, k);
			free(got);
		}
		got = run((const uint8_t *)c->in, n, SIZE_MAX,
			  c->expect_prompt);
		if (!CHECK_STR(got, c->want))
			printf("# case %s byte by byte\n", c->name);
		free(got);
	}
}

TEST(at_frame_overlong_dropped_and_counted)
{
	size_t n = AT_FRAME_LINE_MAX + 100;
	char *in = malloc(n + 16);
	struct at_frame fr;
	struct events e = { 0 };

	memset(in, 'A', n);
	memcpy(in + n, "\r\nOK\r\n", 6);
	at_frame_init(&fr);
	events_add(&e, "", 0);
	feed(&fr, &e, (uint8_t *)in, n + 6);
	CHECK_STR(e.buf, "O|L:OK|");
	CHECK_INT(at_frame_stats(&fr)->overlong, 1);
	CHECK_INT(at_frame_stats(&fr)->lines, 1);
	free(e.buf);

	/* Exactly the limit is kept; one more byte is not. */
	at_frame_init(&fr);
	e = (struct events){ 0 };
	events_add(&e, "", 0);
	memcpy(in + AT_FRAME_LINE_MAX, "\r\n", 2);
	feed(&fr, &e, (uint8_t *)in, AT_FRAME_LINE_MAX + 2);
	CHECK_INT(e.len, AT_FRAME_LINE_MAX + 3);
	CHECK_INT(at_frame_line_len(&fr), AT_FRAME_LINE_MAX);
	free(e.buf);

	at_frame_init(&fr);
	e = (struct events){ 0 };
	events_add(&e, "", 0);
	memset(in, 'B', AT_FRAME_LINE_MAX + 1);
	memcpy(in + AT_FRAME_LINE_MAX + 1, "\r", 1);
	feed(&fr, &e, (uint8_t *)in, AT_FRAME_LINE_MAX + 2);
	CHECK_STR(e.buf, "O|");
	free(e.buf);
	free(in);
}

TEST(at_frame_counts_garbage)
{
	struct at_frame fr;
	struct events e = { 0 };

	at_frame_init(&fr);
	events_add(&e, "", 0);
	feed(&fr, &e, (const uint8_t *)"\0\x01O\0K\r\n", 7);
	CHECK_STR(e.buf, "L:OK|");
	CHECK_INT(at_frame_stats(&fr)->garbage, 3);
	free(e.buf);
}

TEST(at_frame_reset_forgets_partial_line)
{
	struct at_frame fr;
	struct events e = { 0 };

	at_frame_init(&fr);
	events_add(&e, "", 0);
	feed(&fr, &e, (const uint8_t *)"+CS", 3);
	at_frame_reset(&fr);
	feed(&fr, &e, (const uint8_t *)"OK\r\n", 4);
	CHECK_STR(e.buf, "L:OK|");
	free(e.buf);
}

/* ---- every capture, at every split ---- */

typedef void (*capture_fn)(const char *path, const struct at_capture *cap,
			   void *ud);

struct each_capture {
	capture_fn fn;
	void *ud;
	int n;
};

static void each_capture(const char *path, const char *name, void *ud)
{
	struct each_capture *e = ud;
	struct at_capture cap;
	char err[128];

	(void)name;
	if (!CHECK_INT(at_capture_load(path, &cap, err, sizeof(err)), 0)) {
		printf("# %s: %s\n", path, err);
		return;
	}
	e->fn(path, &cap, e->ud);
	at_capture_free(&cap);
	e->n++;
}

/* Every capture of every driver (drivers/<vendor>/captures/). */
static int for_each_capture(capture_fn fn, void *ud)
{
	struct each_capture e = { fn, ud, 0 };

	harness_captures(each_capture, &e);
	return e.n;
}

static void split_capture(const char *path, const struct at_capture *cap,
			  void *ud)
{
	size_t n;
	uint8_t *modem = at_capture_join(cap, AT_CAPTURE_DIR_MODEM, &n);
	char *whole = run(modem, n, 0, false);
	size_t *total = ud;

	CHECK(strstr(whole, "L:") != NULL);
	for (size_t k = 1; k < n; k++) {
		char *got = run(modem, n, k, false);

		if (!CHECK_STR(got, whole)) {
			printf("# %s split at %zu\n", path, k);
			free(got);
			break;
		}
		free(got);
	}
	{
		char *got = run(modem, n, SIZE_MAX, false);

		if (!CHECK_STR(got, whole))
			printf("# %s byte by byte\n", path);
		free(got);
	}
	/* The chunks as the modem wrote them give the same lines too. */
	{
		struct at_frame fr;
		struct events e = { 0 };

		at_frame_init(&fr);
		events_add(&e, "", 0);
		for (size_t i = 0; i < cap->nchunks; i++)
			if (cap->chunks[i].dir == AT_CAPTURE_DIR_MODEM)
				feed(&fr, &e, cap->chunks[i].data,
				     cap->chunks[i].len);
		if (!CHECK_STR(e.buf, whole))
			printf("# %s as captured\n", path);
		free(e.buf);
	}
	*total += n;
	free(whole);
	free(modem);
}

TEST(at_frame_every_capture_every_split)
{
	size_t bytes = 0;
	int n;

	n = for_each_capture(split_capture, &bytes);
	CHECK(n >= 8);
	printf("# %d captures, %zu modem bytes, each split at every offset\n",
	       n, bytes);
}
