/*
 * A chat over a socketpair for tests: the test plays the modem on the other
 * end, reads what the chat wrote and writes answers. Every wait polls a
 * condition with a deadline while running the loop; nothing sleeps.
 */
#ifndef SMSGW_TEST_CHAT_FIXTURE_H
#define SMSGW_TEST_CHAT_FIXTURE_H

#include "harness.h"
#include "at_chat.h"
#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FX_UNUSED __attribute__((unused))
#define FX_DEADLINE_MS 3000
#define FX_MAX_LINES 16

struct fx {
	struct loop *loop;
	struct at_chat *chat;
	int host;	/* the chat's end */
	int modem;	/* the test's end */
	char got[8192];	/* bytes the chat wrote, not yet expected */
	size_t ngot;
};

/* What a command callback saw. */
struct rec {
	int calls;
	int id;
	enum at_chat_status status;
	enum at_chat_stage stage;
	char final[128];
	char lines[FX_MAX_LINES][512];
	size_t nlines;		/* kept here, at most FX_MAX_LINES */
	size_t total_lines;	/* what the response had */
	bool truncated;
	int order;		/* value of *seq when called */
	int *seq;		/* shared call counter, optional */
	struct fx *free_chat;	/* at_chat_free() from the callback */
	struct at_chat **freed;	/* set to NULL after freeing */
};

static FX_UNUSED void rec_cb(const struct at_response *r, void *ud)
{
	struct rec *rc = ud;

	rc->calls++;
	rc->id = r->id;
	rc->status = r->status;
	rc->stage = r->stage;
	snprintf(rc->final, sizeof(rc->final), "%s", r->final ? r->final : "");
	rc->total_lines = r->nlines;
	rc->nlines = r->nlines < FX_MAX_LINES ? r->nlines : FX_MAX_LINES;
	for (size_t i = 0; i < rc->nlines; i++)
		snprintf(rc->lines[i], sizeof(rc->lines[i]), "%s", r->lines[i]);
	rc->truncated = r->truncated;
	if (rc->seq)
		rc->order = ++*rc->seq;
	if (rc->free_chat) {
		at_chat_free(rc->free_chat->chat);
		rc->free_chat->chat = NULL;
	}
}

static FX_UNUSED void fx_init(struct fx *fx)
{
	int sv[2];

	memset(fx, 0, sizeof(*fx));
	CHECK_INT(loop_new(&fx->loop), 0);
	CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
			     SOCK_CLOEXEC, 0, sv), 0);
	fx->host = sv[0];
	fx->modem = sv[1];
	CHECK_INT(at_chat_new(fx->loop, fx->host, &fx->chat), 0);
}

static FX_UNUSED void fx_done(struct fx *fx)
{
	at_chat_free(fx->chat);
	fx->chat = NULL;
	if (fx->host >= 0)
		close(fx->host);
	if (fx->modem >= 0)
		close(fx->modem);
	loop_free(fx->loop);
}

/* Moves what the chat wrote into fx->got. */
static FX_UNUSED void fx_drain(struct fx *fx)
{
	ssize_t n;

	while (fx->ngot < sizeof(fx->got) &&
	       (n = read(fx->modem, fx->got + fx->ngot,
			 sizeof(fx->got) - fx->ngot)) > 0)
		fx->ngot += (size_t)n;
}

static FX_UNUSED void fx_step(struct fx *fx)
{
	loop_run_once(fx->loop, 5);
	if (fx->modem >= 0)
		fx_drain(fx);
}

/* Runs the loop until *counter >= want or the deadline passes. */
static FX_UNUSED bool fx_until(struct fx *fx, const int *counter, int want)
{
	int64_t end = loop_clock_ms() + FX_DEADLINE_MS;

	while (*counter < want && loop_clock_ms() < end)
		fx_step(fx);
	return *counter >= want;
}

/* Waits until the chat wrote exactly these bytes next; consumes them. */
static FX_UNUSED bool fx_expect(struct fx *fx, const void *want, size_t n)
{
	int64_t end = loop_clock_ms() + FX_DEADLINE_MS;

	while (fx->ngot < n && loop_clock_ms() < end)
		fx_step(fx);
	if (fx->ngot < n || memcmp(fx->got, want, n) != 0) {
		char esc[64];

		snprintf(esc, sizeof(esc), "%.*s", (int)(fx->ngot < 60 ?
							 fx->ngot : 60),
			 fx->got);
		harness_fail(__FILE__, __LINE__,
			     "chat wrote \"%s\" (%zu bytes), wanted %zu bytes",
			     esc, fx->ngot, n);
		return false;
	}
	memmove(fx->got, fx->got + n, fx->ngot - n);
	fx->ngot -= n;
	return true;
}

static FX_UNUSED bool fx_expect_str(struct fx *fx, const char *want)
{
	return fx_expect(fx, want, strlen(want));
}

/* Waits for r's callback; the command must have ended OK with one kept
 * line, want. Every check is reported. */
static FX_UNUSED bool fx_ok_one_line(struct fx *fx, struct rec *r,
				     const char *want)
{
	bool ok = CHECK(fx_until(fx, &r->calls, 1));

	ok &= CHECK_INT(r->status, AT_CHAT_STATUS_OK);
	ok &= CHECK_INT(r->nlines, 1);
	ok &= CHECK_STR(r->lines[0], want);
	return ok;
}

/* Nothing more was written within a few loop turns. */
static FX_UNUSED bool fx_quiet(struct fx *fx)
{
	for (int i = 0; i < 5; i++)
		fx_step(fx);
	return fx->ngot == 0;
}

static FX_UNUSED void fx_modem(struct fx *fx, const void *data, size_t n)
{
	CHECK_INT(write(fx->modem, data, n), (long long)n);
}

static FX_UNUSED void fx_say(struct fx *fx, const char *s)
{
	fx_modem(fx, s, strlen(s));
}

#endif
