/*
 * The modem lifecycle's private state, shared by its files:
 *	modem.c		public API, open/close, links, events, URC dispatch
 *	modem_fsm.c	the states, the transition table, the ladder: the
 *			only place that changes state or starts init
 *	modem_seq.c	programs: command steps run one after the other
 *	modem_init.c	the init program
 *	modem_health.c	health checks, registration and signal URCs
 *	modem_send.c	sending, slot switching
 *	modem_recv.c	URCs, reading, import, acknowledgements
 *	modem_watch.c	inotify on the device's directory
 *	modem_call.c	rejecting voice calls
 */
#ifndef SMSGW_MODEM_PRIV_H
#define SMSGW_MODEM_PRIV_H

#include "at_chat.h"
#include "at_trace.h"
#include "config.h"
#include "driver.h"
#include "fswatch.h"
#include "loop.h"
#include "modem.h"
#include "modem_fsm.h"
#include "modem_logic.h"
#include "sim.h"
#include "store.h"

#include <limits.h>
#include <stdio.h>

#define MODEM_SLOTS_MAX 4
#define MODEM_URCS_MAX 64
#define MODEM_REG_MAX 4		/* registration queries kept apart */
#define MODEM_READS_MAX 64	/* +CMGR in flight, for duplicates */
#define MODEM_CNMI_MAX 12	/* +CNMI candidates, with the end row */
#define MODEM_CPMS_MAX 6	/* +CPMS commands */
/* ESC + AT at the start of init and on ladder step 1. */
#define MODEM_WAKE_TIMEOUT_MS 1000
#define MODEM_WAKE_TRIES 10
/* A SIM or modem that says "busy" is asked again this often... */
#define MODEM_BUSY_RETRY_MS 1000
/* ... this many times (the SIM of a SIM800 takes ~10 s after PIN). */
#define MODEM_BUSY_TRIES 45
/* A modem that is not registered is asked again this often. */
#define MODEM_NO_NETWORK_POLL_MS 5000
#define MODEM_OUT_OF_SERVICE_RETRY_MS (5 * 60 * 1000)
#define MODEM_BLOCKED_RETRY_MS (5 * 60 * 1000)
/* Health checks wait for an idle port, but not forever. */
#define MODEM_HEALTH_MAX_DELAY_MS (5 * 60 * 1000)
/* A +CPIN: READY this soon after init is the start init saw. */
#define MODEM_BOOT_SETTLE_MS 30000

struct modem;
struct modem_prog;

/* ud of a registered URC handler. */
struct modem_urc_reg {
	struct modem *m;
	enum driver_urc_kind kind;
	int id;				/* at_chat_register()'s */
};

enum modem_step_rc {
	MODEM_STEP_WAIT,	/* a command was submitted (modem_seq_cmd) */
	MODEM_STEP_NEXT,	/* the step is done */
	MODEM_STEP_LATER,	/* run the step again after a pause */
	MODEM_STEP_FAIL,	/* the program failed (-EIO) */
	MODEM_STEP_TIMEOUT,	/* the program failed on a timeout */
	MODEM_STEP_STOP,	/* the program ends early, successfully */
};

/* Called with r == NULL to start, then with each command's response
 * (never a timeout, unless the step set seq.own_timeout). */
typedef enum modem_step_rc (*modem_step_fn)(struct modem *m,
					    const struct at_response *r);

struct modem_prog {
	const char *name;
	const modem_step_fn *steps;	/* NULL ends */
	/* err: 0, -ETIMEDOUT, -EIO, -ENODEV (gone), -ECANCELED. */
	void (*done)(struct modem *m, int err);
};

struct modem_seq {
	const struct modem_prog *prog;	/* NULL: none running */
	size_t step;
	size_t sub;			/* position inside a step's list */
	size_t cand;			/* candidate of that entry */
	unsigned tries;			/* LATER rounds of this step */
	int cmd_id;
	bool own_timeout;
	struct loop_timer timer;
	struct loop_deferred run;
};

struct modem_send {
	bool active;			/* taken until cb */
	bool switching;			/* a slot switch runs first */
	bool held;			/* SMS not ready: not written yet */
	char pdu[AT_CHAT_MAX_PDU + 1];
	int tpdu_len;
	modem_send_cb cb;
	void *ud;
	int cmd_id;
};

enum modem_ack_kind {
	MODEM_ACK_NONE,			/* nothing to do (superseded) */
	MODEM_ACK_DELETE,		/* AT+CMGD=<index> */
	MODEM_ACK_CNMA,			/* AT+CNMA */
};

struct modem_ack {
	struct modem_ack *next;		/* in modem->acks */
	struct modem *m;
	enum modem_ack_kind kind;
	int index;
	uint32_t session;		/* the port it came from */
	int64_t born;			/* loop time it was handed out */
	bool acked;			/* modem_ack() called: pending */
};

/* The life cycle's own state: only modem_fsm.c writes it. */
struct modem_fsm {
	enum modem_state state;
	enum modem_ladder ladder;
	bool inited;			/* init completed since it started */
	int64_t ready_at;		/* when it last completed */
	enum sim_state blocked_link;	/* the links while BLOCKED */
	struct loop_timer retry;	/* open, reset, out of service */
	unsigned open_failures;
	int last_open_error;
};

/* What modem_fsm_event() is told with an event. */
struct modem_fsm_arg {
	const char *what;		/* TIMEOUT, SIM_LOST, BOOTED: why */
	int err;			/* GONE, FAILED */
	enum sim_state link;		/* BLOCKED */
	bool retry;			/* BLOCKED: try again in a while */
	bool sim_ready;			/* BOOTED: it was +CPIN: READY */
};

/* The SIM slots (modem_send.c switches them): the n-th sim section is
 * slot n - 1. */
struct modem_slots {
	struct sim *sims[MODEM_SLOTS_MAX];
	size_t n;
	size_t active;			/* the slot in use */
	size_t target;			/* the slot a switch goes to */
	bool switching;
	enum sim_state fault[MODEM_SLOTS_MAX]; /* READY: none */
};

/* Registration (modem_health.c). */
struct modem_net {
	int stat[MODEM_REG_MAX];	/* -1 unknown */
	bool unsupported[MODEM_REG_MAX];
	bool registered;
};

/* SMS (modem_send.c, modem_recv.c). */
struct modem_sms {
	bool csms1;			/* +CNMA needed and possible */
	bool no_indications;		/* no +CNMI taken: list storage */
	bool receive;
	bool ready;			/* SMS commands work (smsready.c) */
	bool want_probe;
	bool deferred;			/* +CMGF refused: setup waits */
	bool announces;			/* the driver has an SMS-ready URC */
	bool noticed;			/* ... and it came since init */
	unsigned refusals;		/* sends refused as "not ready" since
					 * the last one that went out */
	/* From AT+CNMI=? and AT+CPMS=? (modem_setup.c). */
	struct driver_cnmi cnmi[MODEM_CNMI_MAX];
	char cpms[MODEM_CPMS_MAX][48];
	size_t ncpms;
	int64_t waiting_since;
	struct loop_timer probe_timer;
	struct modem_send send;
	struct modem_ack *acks;
	struct {
		int index;
		int id;
	} reads[MODEM_READS_MAX];	/* +CMGR in flight */
	size_t nreads;
	int64_t swept_at;		/* the last +CPMS? count */
	struct loop_timer poll;		/* no indications: list often */
};

/* USSD (modem_ussd.c). */
struct modem_ussd {
	bool pending;
	bool want_number;		/* ask number_ussd once ready */
	int cmd_id;
	char token[20];
	char code[CONFIG_USSD_MAX + 1];
	struct loop_timer timer;
};

/* uhubctl power-cycling the hub port (modem_hub.c); pidfd 0: none
 * (calloc), as fd 0 is never ours. */
struct modem_hub {
	int pidfd;
	struct loop_watch watch;
};

/* AT+CMMS: the relay link kept during a burst (modem_link.c). */
struct modem_link {
	uint32_t session;		/* the port session these are for */
	int support;			/* -1 not asked yet, 0 no, 1 yes */
	bool probing, on, timer_init;
	int64_t answered;		/* the last send's answer (monotonic) */
	struct loop_timer idle;
};

/* Voice calls (modem_call.c). */
struct modem_call {
	int64_t hung_up_at;
	int64_t noted_at;
	char caller[40];
};

struct modem {
	struct loop *loop;
	struct store *store;
	struct sim_registry *reg;
	const struct config *cfg;
	const struct config_modem *mcfg;
	struct modem_listener listener;
	char source[96];		/* "modem m1" for events */

	struct modem_fsm fsm;
	const struct driver *chosen;	/* the table, before resolving */
	struct driver drv;		/* resolved */
	bool drv_auto;
	int usb_vid, usb_pid;		/* 0: not USB, or unknown */

	/* The port. session counts opens: a token from an older one is
	 * dropped instead of deleting whatever sits at its index now. */
	struct serial *serial;
	struct at_chat *chat;
	uint32_t session;
	struct modem_urc_reg urcs[MODEM_URCS_MAX];
	size_t nurcs;
	FILE *trace_f;
	char *trace_path;
	struct at_trace trace;

	struct modem_slots slot;
	struct modem_net net;
	struct modem_sms sms;
	struct modem_call call;
	struct modem_ussd ussd;
	struct modem_link link;
	struct modem_hub hub;

	/* What the modem told us (the init program's). */
	char manufacturer[64];
	char model[64];
	char revision[64];
	char imei[24];
	char known_imei[24];		/* of the first session */
	bool pin_refused;		/* never again (PUK) */

	struct modem_seq seq;
	bool want_import;
	bool want_health;
	int64_t health_wanted_at;

	struct loop_timer health_timer;
	int64_t last_warning_ms;
	uint64_t echoes;		/* the chat's echo count when ready */
	bool sent_since_note;		/* a PDU (may be echoed) since */

	/* inotify on the directory that holds the device (modem_watch.c),
	 * through the daemon's one shared instance (fswatch.h) */
	struct fswatch_sub ino_sub;
	char watch_dir[PATH_MAX];
	char watch_name[NAME_MAX + 1];	/* the component awaited there */
};

/* ---- modem_fsm.c ---- */

/* Arms the retry timer for the first open. */
void modem_fsm_init(struct modem *m);
void modem_fsm_stop(struct modem *m);
/* What a capability saw; a is NULL or what the event needs. */
void modem_fsm_event(struct modem *m, enum modem_fsm_event ev,
		     const struct modem_fsm_arg *a);
/* The same with only what set. */
void modem_fsm_report(struct modem *m, enum modem_fsm_event ev,
		      const char *what);

/* ---- modem_hub.c ---- */
/* Power-cycles the modem's hub port if hub_port is set; true if begun. */
bool modem_hub_cycle(struct modem *m);
void modem_hub_stop(struct modem *m);

/* ---- modem_link.c ---- */
/* Before AT+CMGS: AT+CMMS=1 when a burst starts (keep_link). */
void modem_link_before_send(struct modem *m);
/* After the answer to AT+CMGS: the link's keep time starts. */
void modem_link_answered(struct modem *m);
void modem_link_stop(struct modem *m);

/* ---- modem.c ---- */

/* An event row (source "modem <name>") and a log line. */
void modem_event(struct modem *m, enum store_event_level level,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Recomputes every SIM's link from the state and writes changed rows. */
void modem_links(struct modem *m);
/* The SIM of the active slot. */
struct sim *modem_active_sim(struct modem *m);
/* Opens the port and its chat; 0, or -errno with the port closed. */
int modem_port_open(struct modem *m);
/* Closes the port (callbacks of pending commands run). */
void modem_close(struct modem *m);
/* Installs the driver's finals and URCs on the chat (again after a
 * driver = auto choice). */
int modem_install_driver(struct modem *m);
/* When nothing runs: a pending switch, import or health check. */
void modem_kick(struct modem *m);
/* The event row of a modem that became ready. */
void modem_ready_event(struct modem *m, bool recovered);

/* ---- modem_seq.c ---- */

void modem_seq_init(struct modem *m);
/* Starts prog at the next loop turn; cancels a running one. */
void modem_seq_start(struct modem *m, const struct modem_prog *prog);
/* Forgets the running program without calling its done. */
void modem_seq_cancel(struct modem *m);
bool modem_seq_running(const struct modem *m);
/* For steps: submits a command whose response comes back to the step. */
enum modem_step_rc modem_seq_cmd(struct modem *m,
				 const struct at_request *req);
enum modem_step_rc modem_seq_send(struct modem *m, const char *command,
				  const char *prefix);
/* For a step that is one command, req: submits it when r is NULL, then
 * NEXT on OK and FAIL on anything else. */
enum modem_step_rc modem_seq_one(struct modem *m, const struct at_response *r,
				 const struct at_request *req);
/* For steps that try candidates (seq.cand) after an answer r that did not
 * do: false while the SIM or the modem is busy (the step returns LATER),
 * else true with seq.cand on the next candidate. */
bool modem_seq_advance(struct modem *m, const struct at_response *r);
/* For steps: the next candidate of a driver_step list entry, or NEXT /
 * FAIL when they are used up. */
enum modem_step_rc modem_seq_steps(struct modem *m,
				   const struct driver_step *list,
				   const struct at_response *r);
/* For steps: LATER while a "busy" answer allows more tries, else rc. */
enum modem_step_rc modem_seq_busy(struct modem *m,
				  const struct at_response *r,
				  enum modem_step_rc rc);

/* ---- modem_init.c ---- */

extern const struct modem_prog modem_prog_init;
/* Forgets what the last init learned (modem_fsm.c starts it). */
void modem_init_reset(struct modem *m);
/* Gives up on the device: for a while (retry) or until a person acts
 * (an event row, then MODEM_EV_BLOCKED). */
enum modem_step_rc modem_init_block(struct modem *m, enum sim_state link,
				    bool retry, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Tries the candidate commands cands (raw lines) until parse reads one
 * line of an answer into out. */
enum modem_step_rc modem_init_ident(struct modem *m,
				    const struct at_response *r,
				    const char *const *cands,
				    bool (*parse)(const char *, char *,
						  size_t),
				    char *out, size_t size);
enum modem_step_rc modem_init_sms(struct modem *m,
				  const struct at_response *r);

/* ---- modem_setup.c: steps of init and of the slot switch ---- */

enum modem_step_rc modem_setup_cnmi(struct modem *m,
				    const struct at_response *r);
enum modem_step_rc modem_setup_cpms(struct modem *m,
				    const struct at_response *r);
enum modem_step_rc modem_setup_csca(struct modem *m,
				    const struct at_response *r);
enum modem_step_rc modem_setup_user(struct modem *m,
				    const struct at_response *r);
enum modem_step_rc modem_setup_slot(struct modem *m,
				    const struct at_response *r);
enum modem_step_rc modem_setup_imsi(struct modem *m,
				    const struct at_response *r);
enum modem_step_rc modem_setup_iccid(struct modem *m,
				     const struct at_response *r);
enum modem_step_rc modem_setup_cnum(struct modem *m,
				    const struct at_response *r);
enum modem_step_rc modem_setup_reporting(struct modem *m,
					 const struct at_response *r);
enum modem_step_rc modem_setup_sim_ready(struct modem *m,
					 const struct at_response *r);
enum modem_step_rc modem_setup_wait_network(struct modem *m,
					    const struct at_response *r);

/* ---- modem_health.c ---- */

extern const struct modem_prog modem_prog_health;
void modem_health_init(struct modem *m);
/* No check wanted or armed (the ladder climbs). */
void modem_health_stop(struct modem *m);
/* Whether the registration known now allows SMS, into net and the SIM. */
void modem_health_set_registered(struct modem *m);
/* Arms the health timer for the next check. */
void modem_health_arm(struct modem *m);
/* A check as soon as the port is idle (or MODEM_HEALTH_MAX_DELAY_MS after
 * the first wish, whatever runs). */
void modem_health_want(struct modem *m);
void modem_health_urc(struct modem *m, enum driver_urc_kind kind,
		      const char *line);
/* Reads a registration answer (query or URC form); true if it parsed. */
bool modem_health_reg_line(struct modem *m, size_t which, const char *line);
void modem_health_apply(struct modem *m);
/* Remembers the chat's echo count (ATE0 is in force). */
void modem_health_note_echoes(struct modem *m);
/* Step functions the init and the slot switch reuse. */
enum modem_step_rc modem_health_signal(struct modem *m,
				       const struct at_response *r);
enum modem_step_rc modem_health_registration(struct modem *m,
					     const struct at_response *r);
enum modem_step_rc modem_health_operator(struct modem *m,
					 const struct at_response *r);

/* ---- modem_send.c ---- */

/* The send's callback with r (status from the chat). */
void modem_send_finish(struct modem *m, const struct modem_send_result *r);
/* Fails a pending send (port gone before it was written, switch failed). */
void modem_send_fail(struct modem *m, const char *detail);
/* Writes AT+CMGS for the pending send. Returns 0 or -errno. */
int modem_send_submit(struct modem *m);
void modem_switch_start(struct modem *m);

/* ---- modem_recv.c ---- */

void modem_recv_urc(struct modem *m, enum driver_urc_kind kind,
		    const char *line, const char *pdu);
extern const struct modem_prog modem_prog_import;
/* Tokens: after the port went away, on modem_free. */
void modem_recv_drop_reads(struct modem *m);
void modem_recv_free_acks(struct modem *m);
/* A +CMS ERROR: 322 or a full +CPMS: import what is stored. */
void modem_recv_storage_full(struct modem *m, const char *why);
/* After a health check: list storage again when the modem gives no
 * indications, or a message handed out long ago was never acked (the
 * receiver could not commit it). */
void modem_recv_recheck(struct modem *m);
/* A health step: now and then, count what is stored (AT+CPMS?) and list
 * it when something is there that nobody read. */
enum modem_step_rc modem_recv_sweep(struct modem *m,
				    const struct at_response *r);
void modem_recv_init(struct modem *m);
/* Whether +CNMI indications are on; without them storage is listed every
 * few seconds. */
void modem_recv_indications(struct modem *m, bool on);

/* ---- modem_smsready.c ---- */

extern const struct modem_prog modem_prog_sms_probe;
void modem_sms_init(struct modem *m);
void modem_sms_stop(struct modem *m);
/* Storage selection worked (ready) or was refused (not yet). */
void modem_sms_set_ready(struct modem *m, bool ready);
/* +QIND: SMS DONE, SMS Ready: probe now. */
void modem_sms_notice(struct modem *m, const char *line);

/* ---- modem_call.c ---- */

/* RING, +CRING:, +CLIP: reject the call, note the caller. */
void modem_call_urc(struct modem *m, const char *line);

/* ---- modem_ussd.c ---- */

void modem_ussd_init(struct modem *m);
void modem_ussd_stop(struct modem *m);
/* Init found no own number: ask the configured USSD code once ready. */
void modem_ussd_want_number(struct modem *m);
/* When the modem is ready and idle: send that code. */
void modem_ussd_kick(struct modem *m);
/* +CUSD: the answer to the pending code, or the network's own. */
void modem_ussd_urc(struct modem *m, const char *line);
/* <str> by its <dcs> (TS 23.038 §5) into out. */
void modem_ussd_decode(const char *str, int dcs, char *out, size_t size);

/* ---- modem_watch.c ---- */

int modem_watch_start(struct modem *m);
void modem_watch_stop(struct modem *m);

#endif
