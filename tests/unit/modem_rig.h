/*
 * A modem under test (the real one: serial, chat, driver, SQLite store,
 * SIM registry) against a scripted modem on the other end of a
 * pseudo-terminal, on a clock the test advances. Shared by
 * test_modem_fsm.c (the life cycle) and test_modem_recv_real.c (reading
 * what real modems leave in storage).
 */
#ifndef SMSGW_TEST_MODEM_RIG_H
#define SMSGW_TEST_MODEM_RIG_H

#include "harness.h"
#include "config.h"
#include "loop.h"
#include "modem.h"
#include "modem_fsm.h"
#include "sim.h"
#include "store.h"
#include "glue_rig.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* ---- the injected clock ---- */

static int64_t fake_ms = 1000000;

static inline int64_t fake_clock(void)
{
	return fake_ms;
}

static inline int64_t real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the scripted modem on the pty's master ---- */

struct tmodem {
	int fd;			/* master; -1: unplugged */
	char slave[64];
	char in[4096];
	size_t nin;
	bool in_pdu;		/* after the "> " prompt */
	bool hung;		/* answers nothing... */
	const char *only;	/* ...but commands starting with this */
	const char *mute;	/* never answers commands starting with this */
	bool echo;		/* echoes commands until ATE0 */
	bool want_pin;		/* +CPIN: SIM PIN until a PIN comes */
	int cmgs_cms;		/* +CMS ERROR to AT+CMGS, 0: accepted */
	int commands;		/* lines read */
	bool cmgf;		/* AT+CMGF=0 came since the restart */
	bool sms_refused;	/* +CMS ERROR: 500 to SMS commands */
	int cmgs_seen, cmgl_seen;
	int cms_sent;		/* sends refused with cmgs_cms */
	int early_lists;	/* AT+CMGL before it */
	/* Storage (test_modem_recv_real.c): */
	const char *cmgr_answer;	/* to the next AT+CMGR (once) */
	const char *cmgl_answer;	/* to AT+CMGL, before its OK */
	bool cnmi_refused;	/* +CMS ERROR: 303 to every AT+CNMI= */
	int cpms_used;		/* <used1> in the +CPMS? answer */
	int cmgr_seen, cpms_query_seen, cmgd_seen;
	bool chup_refused;	/* ERROR to AT+CHUP (V.250 ATH only) */
	int chup_seen, ath_seen;
	/* <mem1> (test_modem_recv_mem.c): as AT+CPMS set it, and where
	 * the last AT+CMGR and AT+CMGD ran; "": none set. */
	char mem1[8], cmgr_mem[8], cmgd_mem[8];
	const char *cpms_only;	/* +CMS ERROR: 302 to AT+CPMS="X" but it */
	int cpms_back_refused;	/* ... to this many AT+CPMS="SM" alone */
	int cpms_full_seen;	/* AT+CPMS="SM","SM","SM" (init) */
	/* Other memories (test_modem_recv_real.c): the AT+CPMS=? answer
	 * (NULL: a bare OK, and no count in the set answer); what "ME"
	 * holds; AT+CPMS? naming "ME" as <mem2>; the next AT+CPMS="ME"
	 * refused this often. */
	const char *cpms_test;
	int me_used;
	const char *me_cmgl;
	bool cpms_query_me;
	int cpms_refuse_me;
	int cpms_me_seen, cpms_odd_seen, cmgl_me_seen;
	int cmgs_off_mem1;	/* AT+CMGS while <mem1> was not "SM" */
};

static struct tmodem tmod;

static inline void tm_say(const char *s)
{
	if (tmod.fd >= 0 && write(tmod.fd, s, strlen(s)) < 0)
		harness_fail(__FILE__, __LINE__, "write to the pty: %m");
}

static inline void tm_plug(const char *link)
{
	int slave;

	CHECK_INT(openpty(&tmod.fd, &slave, tmod.slave, NULL, NULL), 0);
	close(slave);
	fcntl(tmod.fd, F_SETFL, O_NONBLOCK);
	tmod.nin = 0;
	tmod.in_pdu = false;
	unlink(link);
	CHECK_INT(symlink(tmod.slave, link), 0);
}

static inline void tm_unplug(void)
{
	close(tmod.fd);
	tmod.fd = -1;
}

static inline void tm_command(const char *cmd)
{
	char buf[160];

	tmod.commands++;
	if (tmod.hung && !(tmod.only && !strncmp(cmd, tmod.only,
						  strlen(tmod.only))))
		return;
	if (tmod.mute && !strncmp(cmd, tmod.mute, strlen(tmod.mute)))
		return;
	if (tmod.echo) {
		snprintf(buf, sizeof(buf), "%.150s\r", cmd);
		tm_say(buf);
	}
	if (!strcasecmp(cmd, "ATE0"))
		tmod.echo = false;
	if (!strcmp(cmd, "AT+CMGF=0"))
		tmod.cmgf = true;
	if (!strncmp(cmd, "AT+CMGL", 7) && !tmod.cmgf)
		tmod.early_lists++;
	if (!strncmp(cmd, "AT+CMGL", 7))
		tmod.cmgl_seen++;
	if (tmod.sms_refused && (!strncmp(cmd, "AT+CPMS", 7) ||
				 !strncmp(cmd, "AT+CMG", 6))) {
		tm_say("\r\n+CMS ERROR: 500\r\n");
		return;
	}
	if (!strcmp(cmd, "AT+CHUP")) {
		tmod.chup_seen++;
		if (tmod.chup_refused) {
			tm_say("\r\nERROR\r\n");
			return;
		}
	}
	if (!strcmp(cmd, "ATH"))
		tmod.ath_seen++;
	if (!strcmp(cmd, "AT+CPMS=?") && tmod.cpms_test) {
		snprintf(buf, sizeof(buf), "\r\n%s\r\n", tmod.cpms_test);
		tm_say(buf);
	}
	if (!strncmp(cmd, "AT+CPMS=\"ME\"", 12)) {
		tmod.cpms_me_seen++;
		if (tmod.cpms_refuse_me > 0 && tmod.cpms_refuse_me--) {
			tm_say("\r\n+CMS ERROR: 302\r\n");
			return;
		}
	}
	/* A single memory other than "SM" and "ME" ("BM", "MT"). */
	if (!strncmp(cmd, "AT+CPMS=\"", 9) && !strchr(cmd, ',') &&
	    strcmp(cmd, "AT+CPMS=\"SM\"") != 0 &&
	    strcmp(cmd, "AT+CPMS=\"ME\"") != 0)
		tmod.cpms_odd_seen++;
	if (!strncmp(cmd, "AT+CPMS=\"", 9)) {
		const char *q = strchr(cmd + 9, '"');
		int len = q ? (int)(q - cmd - 9) : 0;

		if ((tmod.cpms_only && (len != (int)strlen(tmod.cpms_only) ||
					strncmp(cmd + 9, tmod.cpms_only,
						(size_t)len))) ||
		    (!strcmp(cmd, "AT+CPMS=\"SM\"") &&
		     tmod.cpms_back_refused > 0 &&
		     tmod.cpms_back_refused--)) {
			tm_say("\r\n+CMS ERROR: 302\r\n");
			return;
		}
		if (!strcmp(cmd, "AT+CPMS=\"SM\",\"SM\",\"SM\""))
			tmod.cpms_full_seen++;
		snprintf(tmod.mem1, sizeof(tmod.mem1), "%.*s", len, cmd + 9);
		if (tmod.cpms_test) {
			/* §3.2.2: the set answer counts the new <mem1>. */
			int u = !strcmp(tmod.mem1, "ME") ? tmod.me_used
							 : tmod.cpms_used;

			snprintf(buf, sizeof(buf), "\r\n+CPMS: %d,30,%d,30,%d,"
				 "30\r\n", u, u, u);
			tm_say(buf);
		}
	}
	if (!strncmp(cmd, "AT+CMGR=", 8)) {
		tmod.cmgr_seen++;
		memcpy(tmod.cmgr_mem, tmod.mem1, sizeof(tmod.mem1));
		if (tmod.cmgr_answer) {
			tm_say(tmod.cmgr_answer);
			tmod.cmgr_answer = NULL;
			return;
		}
	}
	if (!strncmp(cmd, "AT+CMGD=", 8)) {
		tmod.cmgd_seen++;
		memcpy(tmod.cmgd_mem, tmod.mem1, sizeof(tmod.mem1));
		if (!strcmp(tmod.mem1, "ME")) {
			tmod.me_used = 0;
			tmod.me_cmgl = NULL;
		} else {
			tmod.cpms_used = 0;
			tmod.cmgl_answer = NULL;
		}
	}
	if (tmod.cnmi_refused && !strncmp(cmd, "AT+CNMI=", 8) &&
	    strcmp(cmd, "AT+CNMI=?") != 0) {
		tm_say("\r\n+CMS ERROR: 303\r\n");
		return;
	}
	if (!strcmp(cmd, "AT+CPMS?")) {
		tmod.cpms_query_seen++;
		if (tmod.cpms_query_me)
			snprintf(buf, sizeof(buf), "\r\n+CPMS: \"SM\",%d,30,"
				 "\"ME\",%d,30,\"SM\",%d,30\r\n",
				 tmod.cpms_used, tmod.me_used, tmod.cpms_used);
		else
			snprintf(buf, sizeof(buf), "\r\n+CPMS: \"SM\",%d,30,"
				 "\"SM\",%d,30,\"SM\",%d,30\r\n",
				 tmod.cpms_used, tmod.cpms_used,
				 tmod.cpms_used);
		tm_say(buf);
	}
	if (!strncmp(cmd, "AT+CMGL", 7) && !strcmp(tmod.mem1, "ME")) {
		tmod.cmgl_me_seen++;
		if (tmod.me_cmgl)
			tm_say(tmod.me_cmgl);
	} else if (!strncmp(cmd, "AT+CMGL", 7) && tmod.cmgl_answer) {
		tm_say(tmod.cmgl_answer);
	}
	if (!strncmp(cmd, "AT+CMGS=", 8)) {
		tmod.cmgs_seen++;
		if (tmod.mem1[0] && strcmp(tmod.mem1, "SM") != 0)
			tmod.cmgs_off_mem1++;
		tmod.in_pdu = true;
		tm_say("\r\n> ");
		return;
	}
	if (!strcmp(cmd, "AT+CPIN?")) {
		tm_say(tmod.want_pin ? "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n"
				     : "\r\n+CPIN: READY\r\n\r\nOK\r\n");
		return;
	}
	if (!strncmp(cmd, "AT+CPIN=", 8))
		tmod.want_pin = false;
	if (!strcmp(cmd, "AT+CSCA?"))
		tm_say("\r\n+CSCA: \"+4917000000\",145\r\n");
	else if (!strcmp(cmd, "AT+CREG?"))
		tm_say("\r\n+CREG: 1,1\r\n");
	else if (!strcmp(cmd, "AT+CSQ"))
		tm_say("\r\n+CSQ: 20,99\r\n");
	else if (!strcmp(cmd, "AT+CGSN"))
		tm_say("\r\n356938035643809\r\n");
	tm_say("\r\nOK\r\n");
}

/* Reads what the modem under test wrote and answers it. */
static inline void tm_poll(void)
{
	ssize_t n;

	if (tmod.fd < 0)
		return;
	n = read(tmod.fd, tmod.in + tmod.nin, sizeof(tmod.in) - tmod.nin - 1);
	if (n <= 0)
		return;
	tmod.nin += (size_t)n;
	for (;;) {
		char *end;
		size_t len;

		if (tmod.in_pdu) {
			end = memchr(tmod.in, 0x1a, tmod.nin);
			if (!end)
				return;
			tmod.in_pdu = false;
			if (!tmod.hung && tmod.cmgs_cms) {
				char buf[64];

				snprintf(buf, sizeof(buf),
					 "\r\n+CMS ERROR: %d\r\n",
					 tmod.cmgs_cms);
				tm_say(buf);
				tmod.cms_sent++;
			} else if (!tmod.hung) {
				tm_say("\r\n+CMGS: 7\r\n\r\nOK\r\n");
			}
		} else {
			end = memchr(tmod.in, '\r', tmod.nin);
			if (!end)
				return;
			*end = 0;
			{
				char *c = tmod.in;

				while (*c == 0x1b || *c == '\n')
					c++;
				if (*c)
					tm_command(c);
			}
		}
		len = (size_t)(end + 1 - tmod.in);
		memmove(tmod.in, end + 1, tmod.nin - len);
		tmod.nin -= len;
	}
}

/* ---- the modem under test ---- */

static struct {
	struct config *cfg, *cfg2;
	struct loop *loop;
	struct store *st;
	struct sim_registry reg;
	struct modem *m;
	char link[512];
	int sent_calls;
	int events;		/* the listener's event calls */
	int sim_changes;	/* ... and sim_changed calls */
	int sms_calls;		/* messages handed up */
	const char *watch;	/* events with this text ... */
	int watched;		/* ... counted, */
	char event[512];	/* ... the last one kept */
} env;

static inline void on_sms(struct sim *s, const char *pdu,
			  struct modem_ack *ack, void *ud)
{
	(void)s;
	(void)pdu;
	(void)ud;
	env.sms_calls++;
	modem_ack(ack);
}

/* What the daemon does with them: rows (daemon.c:on_modem_event). */
static inline void on_event(enum modem_event_level level,
			    const char *source, const char *text, void *ud)
{
	(void)ud;
	env.events++;
	if (env.watch && strstr(text, env.watch)) {
		env.watched++;
		snprintf(env.event, sizeof(env.event), "%s", text);
	}
	store_event(env.st, (enum store_event_level)level, source, "%s", text);
}

static inline void on_sim_changed(struct sim *s, void *ud)
{
	(void)ud;
	env.sim_changes++;
	sim_update(&env.reg, s);
}

#define LISTENER { .sms = on_sms, .status_report = on_sms, \
		   .event = on_event, .sim_changed = on_sim_changed }

static inline void step_wait(int ms)
{
	loop_run_once(env.loop, ms);
	tm_poll();
}

static inline void step(void)
{
	step_wait(2);
}

/* Runs the loop until cond holds (real time bounds the wait). */
#define UNTIL(cond)                                                       \
	({                                                                \
		int64_t end_ = real_ms() + 5000;                          \
		while (!(cond) && real_ms() < end_)                       \
			step();                                           \
		(cond) ? true : harness_fail(__FILE__, __LINE__,          \
					     "never: %s", #cond);         \
	})

/* Advances the clock by ms in steps of at most 500 ms, running the loop
 * at each, so timers fire in their order. */
static inline void advance(int64_t ms)
{
	while (ms > 0) {
		int64_t d = ms > 500 ? 500 : ms;

		fake_ms += d;
		ms -= d;
		for (int i = 0; i < 4; i++)
			step_wait(1);
	}
}

/* Advances until cond holds, at most max_ms of the fake clock. */
#define ADVANCE_UNTIL(cond, max_ms)                                       \
	({                                                                \
		int64_t left_ = (max_ms);                                 \
		for (int i_ = 0; i_ < 20 && !(cond); i_++)                \
			step();                                           \
		while (!(cond) && left_ > 0) {                            \
			advance(100);                                     \
			left_ -= 100;                                     \
		}                                                         \
		(cond) ? true : harness_fail(__FILE__, __LINE__,          \
					     "never: %s", #cond);         \
	})

static inline enum sim_state link_state(void)
{
	return env.reg.sims[0].link;
}

static inline unsigned taken(enum modem_state s, enum modem_fsm_event ev)
{
	return modem_fsm_taken(s, ev);
}

#define READY (link_state() == SIM_STATE_READY)

static inline const char *conf_text(const char *extra)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf),
		 "modem \"m1\" { device = \"%s\"\n driver = \"generic\"\n"
		 " health_interval = \"10s\"\n%s sim \"1\" { } }\n",
		 env.link, extra);
	return buf;
}

static inline struct config *load_conf(const char *name, const char *extra)
{
	char file[64], text[2048], err[512];
	struct config *c = NULL;

	snprintf(file, sizeof(file), "%s.conf", name);
	snprintf(text, sizeof(text),
		 "spool = \"%s/spool\"\ndatabase = \"%s/fsm.db\"\n%s",
		 harness_tmpdir(), harness_tmpdir(), conf_text(extra));
	if (config_load(harness_write_file(file, text), &c, err,
			sizeof(err)) < 0)
		harness_fail(__FILE__, __LINE__, "config: %s", err);
	return c;
}

static inline void send_cb(const struct modem_send_result *r, void *ud)
{
	(void)ud;
	if (getenv("FSM_DEBUG"))
		printf("# send: status %d detail %s\n", r->status,
		       r->detail ? r->detail : "-");
	env.sent_calls++;
}

/* A short SMS-SUBMIT: "00" SMSC, then 15 octets. */
#define PDU "0011000B914151550000F00000AA03C8F40F"

#endif
