/*
 * Replays every capture through the chat: each host command of the capture
 * is submitted, the chat must write exactly the captured bytes, the
 * captured modem bytes are fed back, and every command must end with its
 * final response (never a timeout) while the URCs reach their handlers.
 */
#include "chat_fixture.h"
#include "at_capture.h"

#include <ctype.h>
#include <strings.h>
#include <sys/stat.h>

#define REPLAY_MAX 64

struct replay {
	struct fx fx;
	struct rec recs[REPLAY_MAX];
	int nsent;
	int urcs, urc_pdus;
	char prefix[REPLAY_MAX][32];
	const char *prefixes[REPLAY_MAX][2];
};

static void count_urc(const char *line, const char *pdu, void *ud)
{
	struct replay *r = ud;

	(void)line;
	r->urcs++;
	if (pdu)
		r->urc_pdus++;
}

/* "+NAME:" for AT+NAME..., "^NAME:" for AT^NAME...; "" otherwise. */
static void command_prefix(const char *cmd, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	if (strlen(cmd) < 4 || (cmd[2] != '+' && cmd[2] != '^'))
		return;
	out[n++] = cmd[2];
	for (const char *p = cmd + 3; *p && isalnum((unsigned char)*p) &&
				      n + 2 < size;
	     p++)
		out[n++] = *p;
	out[n++] = ':';
	out[n] = '\0';
}

static bool is_pdu_chunk(const struct at_capture_chunk *c, size_t *hexlen)
{
	size_t n = c->len;

	if (n && c->data[n - 1] == 0x1a)
		n--;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit(c->data[i]))
			return false;
	*hexlen = n;
	return n > 0 && n % 2 == 0;
}

static bool is_command_chunk(const struct at_capture_chunk *c)
{
	return c->len > 2 && strncasecmp((const char *)c->data, "AT", 2) == 0 &&
	       c->data[c->len - 1] == '\r';
}

/* Submits the command of chunk i (with the PDU of a later host chunk for
 * +CMGS/+CMGW); returns the index of that PDU chunk, or 0. */
static size_t replay_submit(struct replay *r, const struct at_capture *cap,
			    size_t i)
{
	const struct at_capture_chunk *c = &cap->chunks[i];
	char cmd[256], pdu[1024] = "";
	struct at_request req = { 0 };
	size_t pdu_at = 0, hexlen;
	int k = r->nsent;

	snprintf(cmd, sizeof(cmd), "%.*s", (int)c->len - 1,
		 (const char *)c->data);
	if (!strncasecmp(cmd, "AT+CMGS=", 8) ||
	    !strncasecmp(cmd, "AT+CMGW=", 8)) {
		for (size_t j = i + 1; j < cap->nchunks; j++) {
			if (cap->chunks[j].dir != AT_CAPTURE_DIR_HOST)
				continue;
			if (is_pdu_chunk(&cap->chunks[j], &hexlen)) {
				snprintf(pdu, sizeof(pdu), "%.*s", (int)hexlen,
					 (const char *)cap->chunks[j].data);
				pdu_at = j;
			}
			break;
		}
	}
	command_prefix(cmd, r->prefix[k], sizeof(r->prefix[k]));
	r->prefixes[k][0] = r->prefix[k][0] ? r->prefix[k] : NULL;
	req.command = cmd;
	req.prefixes = r->prefixes[k];
	req.raw_lines = true;
	req.pdu_lines = !strncasecmp(cmd, "AT+CMGL", 7) ||
			!strncasecmp(cmd, "AT+CMGR", 7);
	req.pdu = pdu_at ? pdu : NULL;
	req.timeout_ms = 2000;
	req.cb = rec_cb;
	req.ud = &r->recs[k];
	CHECK(at_chat_submit(r->fx.chat, &req) > 0);
	r->nsent++;
	fx_expect(&r->fx, c->data, c->len);
	return pdu_at;
}

static void replay_one(const char *path, struct replay *r)
{
	struct at_capture cap;
	size_t pdu_at = 0;

	CHECK_INT(at_capture_load(path, &cap, NULL, 0), 0);
	fx_init(&r->fx);
	/* Quirk rows and URCs a driver would add for these devices. */
	at_chat_add_final(r->fx.chat, "COMMAND NOT SUPPORT", false, false);
	static const char *const urcs[] = { "+CMTI:", "+CDSI:", "^RSSI:",
					    "+CREG:", "RDY", "+CFUN:",
					    "Call Ready", "SMS Ready",
					    "SMS DONE", "PB DONE" };
	for (size_t i = 0; i < sizeof(urcs) / sizeof(urcs[0]); i++)
		at_chat_register(r->fx.chat, urcs[i], false, count_urc, r);
	at_chat_register(r->fx.chat, "+CMT:", true, count_urc, r);
	at_chat_register(r->fx.chat, "+CDS:", true, count_urc, r);
	for (size_t i = 0; i < cap.nchunks && r->nsent < REPLAY_MAX; i++) {
		const struct at_capture_chunk *c = &cap.chunks[i];

		if (c->dir == AT_CAPTURE_DIR_MODEM) {
			fx_modem(&r->fx, c->data, c->len);
			continue;
		}
		if (pdu_at && i == pdu_at) {
			/* The chat writes the PDU and Ctrl-Z at once. */
			size_t hexlen;

			is_pdu_chunk(c, &hexlen);
			fx_expect(&r->fx, c->data, hexlen);
			fx_expect_str(&r->fx, "\x1a");
			if (c->data[c->len - 1] != 0x1a &&
			    i + 1 < cap.nchunks && cap.chunks[i + 1].len == 1 &&
			    cap.chunks[i + 1].data[0] == 0x1a)
				i++;
			continue;
		}
		if (!is_command_chunk(c))
			continue; /* a client's wake-up ESC or Ctrl-Z */
		/* The previous command must be answered first. */
		if (r->nsent)
			fx_until(&r->fx, &r->recs[r->nsent - 1].calls, 1);
		pdu_at = replay_submit(r, &cap, i);
	}
	if (r->nsent)
		fx_until(&r->fx, &r->recs[r->nsent - 1].calls, 1);
	for (int k = 0; k < 10; k++)
		fx_step(&r->fx);
	for (int k = 0; k < r->nsent; k++) {
		if (!CHECK_INT(r->recs[k].calls, 1) ||
		    !CHECK(r->recs[k].status == AT_CHAT_STATUS_OK ||
			   r->recs[k].status == AT_CHAT_STATUS_ERROR))
			printf("# %s: command %d\n", path, k);
	}
	CHECK(fx_quiet(&r->fx));
	fx_done(&r->fx);
	at_capture_free(&cap);
}

static struct replay *replay(const char *name)
{
	static struct replay r;
	char path[2048];

	memset(&r, 0, sizeof(r));
	CHECK(harness_capture(name, path, sizeof(path)));
	replay_one(path, &r);
	return &r;
}

TEST(at_chat_replay_generic_session)
{
	struct replay *r = replay("generic-27005/session.at");

	CHECK_INT(r->nsent, 28);
	/* +CMTI x2, +CREG during +CMGS, +CDS and +CMT with their PDUs. */
	CHECK_INT(r->urcs, 5);
	CHECK_INT(r->urc_pdus, 2);
	CHECK_INT(r->recs[3].nlines, 1);
	CHECK_STR(r->recs[3].lines[0], "+CPIN: SIM PIN");
	CHECK_STR(r->recs[6].lines[0], "490154203237518");
	/* AT+CMGL=4: two entries with their PDUs, the +CMTI between went
	 * to its handler. */
	CHECK_INT(r->recs[19].nlines, 4);
	CHECK_STR(r->recs[19].lines[2], "+CMGL: 2,0,\"Ann\",23");
	CHECK_INT(r->recs[22].stage, AT_CHAT_STAGE_SUBMITTED);
	CHECK_STR(r->recs[22].lines[0], "+CMGS: 12");
	CHECK_STR(r->recs[25].final, "+CMS ERROR: 42");
	CHECK_INT(r->recs[26].stage, AT_CHAT_STAGE_WRITTEN);
	CHECK_STR(r->recs[26].final, "+CMS ERROR: 304");
}

TEST(at_chat_replay_huawei_e1752_echo)
{
	struct replay *r = replay("huawei-e1752/init.at");

	CHECK_INT(r->nsent, 10);
	CHECK_INT(r->recs[2].status, AT_CHAT_STATUS_ERROR);
	CHECK_STR(r->recs[2].final, "COMMAND NOT SUPPORT");
	CHECK_STR(r->recs[5].lines[0], "huawei");
	CHECK_INT(r->recs[5].nlines, 1); /* the echo is not a line */
	CHECK_INT(r->urcs, 2);
	r = replay("huawei-e1752/cmgl.at");
	CHECK_INT(r->recs[0].nlines, 2);
	r = replay("huawei-e1752/cmgs.at");
	CHECK_INT(r->recs[0].nlines, 1);
	CHECK_STR(r->recs[0].lines[0], "+CMGS: 235");
}

struct replay_all {
	int files, commands;
};

static void replay_each(const char *path, const char *name, void *ud)
{
	struct replay_all *all = ud;
	struct replay *r = replay(name);

	(void)path;
	all->commands += r->nsent;
	all->files++;
}

/* Every capture of every driver (drivers/<vendor>/captures/): a new
 * vendor's folder is replayed here without an edit. */
TEST(at_chat_replay_every_capture)
{
	struct replay_all all = { 0, 0 };

	CHECK_INT(harness_captures(replay_each, &all), all.files);
	CHECK(all.files >= 8);
	printf("# replayed %d captures, %d commands\n", all.files,
	       all.commands);
}
