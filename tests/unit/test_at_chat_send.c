/*
 * The chat's PDU commands, timeouts, echo, garbage, cancel, abort, device
 * loss and a callback freeing the chat.
 */
#include "chat_fixture.h"

#define PDU "0031000B915155214365F70000AA02C834"

static const char *const cmgs_prefix[] = { "+CMGS:", NULL };

static struct at_request cmgs(struct rec *r)
{
	return (struct at_request){ .command = "AT+CMGS=16",
				    .prefixes = cmgs_prefix, .pdu = PDU,
				    .cb = rec_cb, .ud = r };
}

/* A new chat that has written the command line of req, cmgs() or one
 * derived from it. */
static void cmgs_start(struct fx *fx, const struct at_request *req)
{
	fx_init(fx);
	CHECK(at_chat_submit(fx->chat, req) > 0);
	fx_expect_str(fx, "AT+CMGS=16\r");
}

TEST(at_chat_prompt_then_pdu_then_final)
{
	struct fx fx;
	struct rec a = { 0 };
	struct at_request req = cmgs(&a);

	cmgs_start(&fx, &req);
	CHECK(fx_quiet(&fx)); /* no PDU before the prompt */
	fx_say(&fx, "\r\n> ");
	fx_expect_str(&fx, PDU "\x1a");
	fx_say(&fx, "\r\n+CMGS: 12\r\n\r\nOK\r\n");
	fx_ok_one_line(&fx, &a, "+CMGS: 12");
	CHECK_INT(a.stage, AT_CHAT_STAGE_SUBMITTED);
	fx_done(&fx);
}

TEST(at_chat_prompt_without_space_and_with_echo)
{
	struct fx fx;
	struct rec a = { 0 };
	struct at_request req = cmgs(&a);

	cmgs_start(&fx, &req);
	/* Echo on, and a bare ">" (the lone-'>' hint). */
	fx_say(&fx, "AT+CMGS=16\r\r\n>");
	fx_expect_str(&fx, PDU "\x1a");
	/* The modem repeats the PDU and Ctrl-Z (gammu#264's stick). */
	fx_say(&fx, PDU "\x1a\r\n+CMGS: 13\r\n\r\nOK\r\n");
	fx_ok_one_line(&fx, &a, "+CMGS: 13");
	fx_done(&fx);
}

TEST(at_chat_error_instead_of_prompt)
{
	struct fx fx;
	struct rec a = { 0 }, b = { 0 };
	struct at_request req = cmgs(&a);

	cmgs_start(&fx, &req);
	CHECK(at_chat_send(fx.chat, "AT", NULL, rec_cb, &b) > 0);
	fx_say(&fx, "\r\n+CMS ERROR: 304\r\n");
	fx_expect_str(&fx, "AT\r"); /* no PDU, the next command */
	CHECK_INT(a.status, AT_CHAT_STATUS_ERROR);
	CHECK_INT(a.stage, AT_CHAT_STAGE_WRITTEN);
	CHECK_STR(a.final, "+CMS ERROR: 304");
	fx_say(&fx, "\r\nOK\r\n");
	CHECK(fx_until(&fx, &b.calls, 1));
	fx_done(&fx);
}

TEST(at_chat_timeout_before_the_pdu_escapes_the_prompt)
{
	struct fx fx;
	struct rec a = { 0 }, b = { 0 };
	struct at_request req = cmgs(&a);
	struct at_chat_stats st;

	req.prompt_timeout_ms = 80;
	cmgs_start(&fx, &req);
	CHECK(at_chat_send(fx.chat, "AT", NULL, rec_cb, &b) > 0);
	CHECK(fx_until(&fx, &a.calls, 1));
	CHECK_INT(a.status, AT_CHAT_STATUS_TIMEOUT);
	CHECK_INT(a.stage, AT_CHAT_STAGE_WRITTEN); /* surely not sent */
	fx_expect_str(&fx, "\x1b");
	fx_expect_str(&fx, "AT\r");
	/* A prompt that comes too late is ignored. */
	fx_say(&fx, "\r\n> \r\nOK\r\n");
	CHECK(fx_until(&fx, &b.calls, 1));
	CHECK(fx_quiet(&fx));
	at_chat_stats(fx.chat, &st);
	CHECK_INT(st.timeouts, 1);
	fx_done(&fx);
}

TEST(at_chat_timeout_after_the_pdu_is_ambiguous)
{
	struct fx fx;
	struct rec a = { 0 };
	struct at_request req = cmgs(&a);
	int64_t t0;

	req.timeout_ms = 80;
	req.prompt_timeout_ms = 5000;
	cmgs_start(&fx, &req);
	fx_say(&fx, "\r\n> ");
	fx_expect_str(&fx, PDU "\x1a");
	t0 = loop_clock_ms();
	CHECK(fx_until(&fx, &a.calls, 1));
	CHECK_INT(a.status, AT_CHAT_STATUS_TIMEOUT);
	CHECK_INT(a.stage, AT_CHAT_STAGE_SUBMITTED);
	/* The final timeout runs from Ctrl-Z, not from the prompt's. */
	CHECK(loop_clock_ms() - t0 < 2000);
	CHECK(fx_quiet(&fx)); /* no ESC after Ctrl-Z */
	fx_done(&fx);
}

TEST(at_chat_garbage_and_nul_around_answers)
{
	struct fx fx;
	struct rec a = { 0 };
	static const char noise[] =
		"\0\xff\x01\r\n+CSQ: 5,99\0\r\n\x02\r\nOK\r\n";

	fx_init(&fx);
	CHECK(at_chat_send(fx.chat, "AT+CSQ", "+CSQ:", rec_cb, &a) > 0);
	fx_expect_str(&fx, "AT+CSQ\r");
	fx_modem(&fx, noise, sizeof(noise) - 1);
	fx_ok_one_line(&fx, &a, "+CSQ: 5,99");
	fx_done(&fx);
}

TEST(at_chat_rejects_bad_requests)
{
	struct fx fx;
	struct rec a = { 0 };
	struct at_request req = cmgs(&a);
	static const char *const empty_prefix[] = { "", NULL };

	fx_init(&fx);
	CHECK_INT(at_chat_send(fx.chat, "AT+CMGS=\"+1555\"\r", NULL, rec_cb,
			       &a), -EINVAL);
	CHECK_INT(at_chat_send(fx.chat, "", NULL, rec_cb, &a), -EINVAL);
	CHECK_INT(at_chat_send(fx.chat, "AT\x1a", NULL, rec_cb, &a), -EINVAL);
	req.pdu = "00GG";
	CHECK_INT(at_chat_submit(fx.chat, &req), -EINVAL);
	req.pdu = "001";
	CHECK_INT(at_chat_submit(fx.chat, &req), -EINVAL);
	req.pdu = PDU;
	req.prefixes = empty_prefix;
	CHECK_INT(at_chat_submit(fx.chat, &req), -EINVAL);
	CHECK(fx_quiet(&fx));
	CHECK_INT(a.calls, 0);
	fx_done(&fx);
}

TEST(at_chat_cancel_queued_and_in_flight)
{
	struct fx fx;
	struct rec a = { 0 }, b = { 0 }, c = { 0 };
	int ida, idb;

	fx_init(&fx);
	ida = at_chat_send(fx.chat, "AT+CSQ", "+CSQ:", rec_cb, &a);
	idb = at_chat_send(fx.chat, "AT+CREG?", "+CREG:", rec_cb, &b);
	CHECK(at_chat_send(fx.chat, "AT", NULL, rec_cb, &c) > 0);
	CHECK(at_chat_cancel(fx.chat, idb));
	CHECK_INT(b.calls, 1);
	CHECK_INT(b.status, AT_CHAT_STATUS_CANCELLED);
	CHECK_INT(b.stage, AT_CHAT_STAGE_QUEUED);
	CHECK(!at_chat_cancel(fx.chat, idb));
	fx_expect_str(&fx, "AT+CSQ\r");
	CHECK(at_chat_cancel(fx.chat, ida));
	CHECK_INT(a.calls, 1);
	CHECK(!at_chat_cancel(fx.chat, ida));
	/* Its answer is still its own, not the next command's. */
	CHECK(fx_quiet(&fx));
	fx_say(&fx, "\r\n+CSQ: 5,99\r\n\r\nOK\r\n");
	fx_expect_str(&fx, "AT\r");
	CHECK_INT(a.calls, 1);
	fx_say(&fx, "\r\nOK\r\n");
	CHECK(fx_until(&fx, &c.calls, 1));
	CHECK_INT(c.nlines, 0);
	fx_done(&fx);
}

TEST(at_chat_abort_calls_every_callback_once)
{
	struct fx fx;
	struct rec r[5] = { 0 };
	struct rec after = { 0 };

	fx_init(&fx);
	for (int i = 0; i < 5; i++)
		CHECK(at_chat_send(fx.chat, "AT", NULL, rec_cb, &r[i]) > 0);
	fx_expect_str(&fx, "AT\r");
	at_chat_abort(fx.chat);
	for (int i = 0; i < 5; i++) {
		CHECK_INT(r[i].calls, 1);
		CHECK_INT(r[i].status, AT_CHAT_STATUS_CANCELLED);
	}
	CHECK_INT(r[0].stage, AT_CHAT_STAGE_WRITTEN);
	CHECK_INT(r[1].stage, AT_CHAT_STAGE_QUEUED);
	CHECK_INT(at_chat_pending(fx.chat), 0);
	/* The chat is usable again. */
	fx_say(&fx, "\r\nOK\r\n");
	CHECK(at_chat_send(fx.chat, "AT", NULL, rec_cb, &after) > 0);
	fx_expect_str(&fx, "AT\r");
	fx_say(&fx, "\r\nOK\r\n");
	CHECK(fx_until(&fx, &after.calls, 1));
	for (int i = 0; i < 5; i++)
		CHECK_INT(r[i].calls, 1);
	fx_done(&fx);
}

static void gone_cb(int err, void *ud)
{
	int *e = ud;

	*e = err;
}

TEST(at_chat_device_gone_fails_everything_once)
{
	struct fx fx;
	struct rec r[3] = { 0 };
	struct rec late = { 0 };
	int err = 0;

	fx_init(&fx);
	at_chat_set_gone(fx.chat, gone_cb, &err);
	for (int i = 0; i < 3; i++)
		CHECK(at_chat_send(fx.chat, "AT", NULL, rec_cb, &r[i]) > 0);
	fx_expect_str(&fx, "AT\r");
	/* The modem says half a line and vanishes (EOF). */
	fx_say(&fx, "\r\nO");
	close(fx.modem);
	fx.modem = -1;
	CHECK(fx_until(&fx, &r[2].calls, 1));
	for (int i = 0; i < 3; i++) {
		CHECK_INT(r[i].calls, 1);
		CHECK_INT(r[i].status, AT_CHAT_STATUS_GONE);
	}
	CHECK_INT(err, -ENODEV);
	CHECK(at_chat_is_gone(fx.chat));
	CHECK_INT(at_chat_send(fx.chat, "AT", NULL, rec_cb, &late), -ENODEV);
	for (int i = 0; i < 3; i++)
		loop_run_once(fx.loop, 0);
	CHECK_INT(late.calls, 0);
	fx_done(&fx);
}

TEST(at_chat_callback_frees_the_chat)
{
	struct fx fx;
	struct rec a = { 0 }, b = { 0 }, c = { 0 };

	fx_init(&fx);
	a.free_chat = &fx;
	CHECK(at_chat_send(fx.chat, "AT", NULL, rec_cb, &a) > 0);
	CHECK(at_chat_send(fx.chat, "AT+CSQ", "+CSQ:", rec_cb, &b) > 0);
	CHECK(at_chat_send(fx.chat, "ATE0", NULL, rec_cb, &c) > 0);
	fx_expect_str(&fx, "AT\r");
	/* OK frees the chat; the bytes after it must not be touched. */
	fx_say(&fx, "\r\nOK\r\n\r\n+CSQ: 1,99\r\n\r\nOK\r\n");
	CHECK(fx_until(&fx, &a.calls, 1));
	CHECK(fx.chat == NULL);
	CHECK_INT(b.calls, 1);
	CHECK_INT(b.status, AT_CHAT_STATUS_CANCELLED);
	CHECK_INT(c.calls, 1);
	for (int i = 0; i < 3; i++)
		loop_run_once(fx.loop, 0);
	CHECK(fx_quiet(&fx));
	fx_done(&fx);
}

static void free_on_urc(const char *line, const char *pdu, void *ud)
{
	struct fx *fx = ud;

	(void)line;
	(void)pdu;
	at_chat_free(fx->chat);
	fx->chat = NULL;
}

TEST(at_chat_urc_handler_frees_the_chat)
{
	struct fx fx;
	struct rec a = { 0 };

	fx_init(&fx);
	CHECK(at_chat_register(fx.chat, "+CMT:", true, free_on_urc, &fx) > 0);
	CHECK(at_chat_send(fx.chat, "AT+CSQ", "+CSQ:", rec_cb, &a) > 0);
	fx_expect_str(&fx, "AT+CSQ\r");
	fx_say(&fx, "\r\n+CMT: ,1\r\n00AA\r\n\r\n+CSQ: 1,99\r\n\r\nOK\r\n");
	CHECK(fx_until(&fx, &a.calls, 1));
	CHECK(fx.chat == NULL);
	CHECK_INT(a.status, AT_CHAT_STATUS_CANCELLED);
	fx_done(&fx);
}

TEST(at_chat_free_with_pending_calls_every_callback)
{
	struct fx fx;
	struct rec r[3] = { 0 };

	fx_init(&fx);
	for (int i = 0; i < 3; i++)
		CHECK(at_chat_send(fx.chat, "AT", NULL, rec_cb, &r[i]) > 0);
	at_chat_free(fx.chat);
	fx.chat = NULL;
	for (int i = 0; i < 3; i++) {
		CHECK_INT(r[i].calls, 1);
		CHECK_INT(r[i].status, AT_CHAT_STATUS_CANCELLED);
	}
	loop_run_once(fx.loop, 0);
	CHECK(fx_quiet(&fx));
	fx_done(&fx);
}

struct trace_rec {
	char dir[64];
	size_t n;
	size_t bytes[2];
};

static void trace_cb(char dir, const void *data, size_t len, void *ud)
{
	struct trace_rec *t = ud;

	(void)data;
	if (t->n < sizeof(t->dir))
		t->dir[t->n++] = dir;
	t->bytes[dir == '>' ? 0 : 1] += len;
}

TEST(at_chat_trace_hook_sees_every_byte)
{
	struct fx fx;
	struct rec a = { 0 };
	struct trace_rec t = { 0 };

	fx_init(&fx);
	at_chat_set_trace(fx.chat, trace_cb, &t);
	CHECK(at_chat_send(fx.chat, "AT+CSQ", "+CSQ:", rec_cb, &a) > 0);
	fx_expect_str(&fx, "AT+CSQ\r");
	fx_say(&fx, "\r\n+CSQ: 5,99\r\n\r\nOK\r\n");
	CHECK(fx_until(&fx, &a.calls, 1));
	CHECK_INT(t.bytes[0], 7);
	CHECK_INT(t.bytes[1], 20);
	CHECK_INT(t.dir[0], '>');
	fx_done(&fx);
}

TEST(at_chat_too_many_lines_truncated)
{
	struct fx fx;
	struct rec a = { 0 };
	struct at_request req = { .command = "AT+COPS=?", .raw_lines = true,
				  .cb = rec_cb, .ud = &a };
	char line[32];

	fx_init(&fx);
	CHECK(at_chat_submit(fx.chat, &req) > 0);
	fx_expect_str(&fx, "AT+COPS=?\r");
	for (int i = 0; i < AT_CHAT_MAX_LINES + 10; i++) {
		snprintf(line, sizeof(line), "L%d\r\n", i);
		fx_say(&fx, line);
		if (i % 256 == 0)
			fx_step(&fx);
	}
	fx_say(&fx, "OK\r\n");
	CHECK(fx_until(&fx, &a.calls, 1));
	CHECK_INT(a.status, AT_CHAT_STATUS_OK);
	CHECK(a.truncated);
	CHECK_INT(a.total_lines, AT_CHAT_MAX_LINES);
	CHECK_STR(a.lines[FX_MAX_LINES - 1], "L15");
	fx_done(&fx);
}

TEST(at_chat_blocked_write_dropped_on_timeout)
{
	struct fx fx;
	struct rec a = { 0 }, b = { 0 };
	struct at_request req = { .command = "AT+CSQ", .timeout_ms = 80,
				  .cb = rec_cb, .ud = &a };
	static char fill[4096];
	size_t filled = 0;
	ssize_t n;
	int spins = 0;

	fx_init(&fx);
	/* Fill the socket so the chat's write would block. */
	memset(fill, 'x', sizeof(fill));
	while ((n = write(fx.host, fill, sizeof(fill))) > 0)
		filled += (size_t)n;
	CHECK(filled > 0);
	CHECK(at_chat_submit(fx.chat, &req) > 0);
	for (int64_t end = loop_clock_ms() + 3000;
	     !a.calls && loop_clock_ms() < end;)
		loop_run_once(fx.loop, 10);
	CHECK_INT(a.status, AT_CHAT_STATUS_TIMEOUT);
	/* The socket is writable again once drained... */
	while (filled) {
		n = read(fx.modem, fill, sizeof(fill));
		if (n <= 0)
			break;
		filled -= (size_t)n < filled ? (size_t)n : filled;
	}
	/* ...and nothing is owed, so the loop sleeps instead of spinning
	 * on EPOLLOUT: a handful of turns in 200 ms, not thousands. */
	for (int64_t end = loop_clock_ms() + 200; loop_clock_ms() < end;
	     spins++)
		loop_run_once(fx.loop, 50);
	CHECK(spins < 50);
	fx.ngot = 0;
	fx_drain(&fx);
	CHECK(strstr(fx.got, "AT+CSQ") == NULL);
	fx.ngot = 0;
	CHECK(at_chat_send(fx.chat, "AT", NULL, rec_cb, &b) > 0);
	fx_expect_str(&fx, "AT\r");
	fx_done(&fx);
}

/* A read submitted with before_sends goes ahead of a send that has not
 * started, never ahead of one in flight, and after other commands. */
TEST(at_chat_before_sends_passes_queued_sends_only)
{
	struct fx fx;
	struct rec s1 = { 0 }, s2 = { 0 }, r1 = { 0 }, r2 = { 0 };
	struct at_request a = cmgs(&s1), b = cmgs(&s2);
	struct at_request rd = { .command = "AT+CMGR=1", .before_sends = true,
				 .cb = rec_cb, .ud = &r1 };
	int seq = 0;

	s1.seq = s2.seq = r1.seq = r2.seq = &seq;
	cmgs_start(&fx, &a);	/* in flight: AT+CMGS=16 written */
	CHECK(at_chat_submit(fx.chat, &b) > 0);
	CHECK(at_chat_send(fx.chat, "AT+CSQ", NULL, rec_cb, &r2) > 0);
	CHECK(at_chat_submit(fx.chat, &rd) > 0);
	fx_say(&fx, "\r\n> ");
	fx_expect_str(&fx, PDU "\x1a");
	fx_say(&fx, "\r\n+CMGS: 1\r\n\r\nOK\r\n");
	fx_expect_str(&fx, "AT+CMGR=1\r");	/* before the queued send */
	fx_say(&fx, "\r\nOK\r\n");
	fx_expect_str(&fx, "AT+CMGS=16\r");
	fx_say(&fx, "\r\n> ");
	fx_expect_str(&fx, PDU "\x1a");
	fx_say(&fx, "\r\n+CMGS: 2\r\n\r\nOK\r\n");
	fx_expect_str(&fx, "AT+CSQ\r");		/* FIFO for the rest */
	fx_say(&fx, "\r\nOK\r\n");
	CHECK(fx_until(&fx, &r2.calls, 1));
	CHECK_INT(s1.order, 1);
	CHECK_INT(r1.order, 2);
	CHECK_INT(s2.order, 3);
	CHECK_INT(r2.order, 4);
	/* Nothing queued: it goes at the tail. */
	rd.ud = &r1;
	CHECK(at_chat_send(fx.chat, "AT", NULL, rec_cb, &r2) > 0);
	CHECK(at_chat_submit(fx.chat, &rd) > 0);
	fx_expect_str(&fx, "AT\r");
	fx_say(&fx, "\r\nOK\r\n");
	fx_expect_str(&fx, "AT+CMGR=1\r");
	fx_say(&fx, "\r\nOK\r\n");
	CHECK(fx_until(&fx, &r1.calls, 2));
	fx_done(&fx);
}

/* A +CMTI that reached the tty buffer after the loop looked and before a
 * queued send starts is read first: its read goes ahead of the send. */
struct cmti_read {
	struct fx *fx;
	struct rec rd;
	int calls;
};

static void cmti_cb(const char *line, const char *pdu, void *ud)
{
	struct cmti_read *c = ud;
	struct at_request req = { .command = "AT+CMGR=1", .before_sends = true,
				  .cb = rec_cb, .ud = &c->rd };

	(void)line;
	(void)pdu;
	c->calls++;
	CHECK(at_chat_submit(c->fx->chat, &req) > 0);
}

static void say_cmti(struct loop_deferred *d, void *ud)
{
	(void)d;
	fx_say(ud, "\r\n+CMTI: \"SM\",1\r\n");
}

TEST(at_chat_send_reads_the_port_before_it_starts)
{
	struct fx fx;
	struct rec s = { 0 };
	struct at_request req = cmgs(&s);
	struct cmti_read c = { .fx = &fx };
	struct loop_deferred d;

	fx_init(&fx);
	CHECK(at_chat_register(fx.chat, "+CMTI:", false, cmti_cb, &c) > 0);
	/* Queued before the chat's kick: the URC arrives after the poll. */
	loop_deferred_init(fx.loop, &d, say_cmti, &fx);
	loop_defer(&d);
	CHECK(at_chat_submit(fx.chat, &req) > 0);
	loop_run_once(fx.loop, 0);
	CHECK_INT(c.calls, 1);
	fx_expect_str(&fx, "AT+CMGR=1\r");
	fx_say(&fx, "\r\nOK\r\n");
	fx_expect_str(&fx, "AT+CMGS=16\r");
	fx_done(&fx);
}

/*
 * delivery = direct with +CNMI mode 3 (TS 27.005 §3.4.1): a +CMT and its
 * PDU line may come at any point of a send but inside the "> " entry:
 * before the prompt, after the Ctrl-Z (with the PDU echoed), split over
 * reads. Each is a URC with its PDU; the send ends as it would without.
 */
#define CMT_PDU "07915155000000F0040B915155214365F7000062117260000000" \
		"02C834"

struct cmt_rec {
	int calls, nulls;
	char pdu[4][128];
};

static void cmt_cb(const char *line, const char *pdu, void *ud)
{
	struct cmt_rec *c = ud;

	(void)line;
	if (!pdu) {
		c->nulls++;
		return;
	}
	if (c->calls < 4)
		snprintf(c->pdu[c->calls], sizeof(c->pdu[0]), "%s", pdu);
	c->calls++;
}

static void count_noise(const char *line, void *ud)
{
	(void)line;
	++*(int *)ud;
}

TEST(at_chat_cmt_inside_a_send_is_a_urc_with_its_pdu)
{
	struct fx fx;
	struct rec a = { 0 }, b = { 0 }, c = { 0 };
	struct at_request req = cmgs(&a), s2 = cmgs(&c), ack = {
		.command = "AT+CNMA", .before_sends = true,
		.cb = rec_cb, .ud = &b,
	};
	struct cmt_rec cmt = { 0 };
	int noise = 0;

	cmgs_start(&fx, &req);
	CHECK(at_chat_register(fx.chat, "+CMT:", true, cmt_cb, &cmt) > 0);
	at_chat_set_noise(fx.chat, count_noise, &noise);
	/* Before the prompt: the modem printed it as the command came. */
	fx_say(&fx, "\r\n+CMT: ,21\r\n" CMT_PDU "\r\n\r\n> ");
	fx_expect_str(&fx, PDU "\x1a");
	/* After the Ctrl-Z, with echo of the PDU, split mid-line. */
	fx_say(&fx, PDU "\x1a\r\n+CMT: ,2");
	CHECK(fx_quiet(&fx));
	fx_say(&fx, "1\r\n07915155000000F004");
	CHECK(fx_quiet(&fx));
	fx_say(&fx, "0B915155214365F7000062117260000000" "02C834\r\n");
	CHECK(fx_until(&fx, &cmt.calls, 2));
	CHECK_INT(a.calls, 0);		/* the send still runs */
	/* Between the answer and its OK, with a trailing field as some
	 * firmware prints after a listing's PDU. */
	fx_say(&fx, "\r\n+CMGS: 12\r\n\r\n+CMT: ,21\r\n" CMT_PDU
		    ",0\r\n\r\nOK\r\n");
	fx_ok_one_line(&fx, &a, "+CMGS: 12");
	CHECK_INT(a.stage, AT_CHAT_STAGE_SUBMITTED);
	CHECK_INT(cmt.calls, 3);
	CHECK_INT(cmt.nulls, 0);
	for (int i = 0; i < 2; i++)
		CHECK_STR(cmt.pdu[i], CMT_PDU);
	CHECK_STR(cmt.pdu[2], CMT_PDU ",0");
	CHECK_INT(noise, 0);
	/* The +CNMA after the commit goes ahead of a queued send. */
	CHECK(at_chat_submit(fx.chat, &s2) > 0);
	CHECK(at_chat_submit(fx.chat, &ack) > 0);
	fx_expect_str(&fx, "AT+CNMA\r");
	fx_say(&fx, "\r\nOK\r\n");
	CHECK(fx_until(&fx, &b.calls, 1));
	CHECK_INT(b.status, AT_CHAT_STATUS_OK);
	fx_expect_str(&fx, "AT+CMGS=16\r");
	fx_done(&fx);
}
