/*
 * The modem lifecycle's private state, shared by its files:
 *	modem.c		public API, open/close, the port and trace,
 *			events and SIM changes to the listener, URCs,
 *			modem_kick()
 *	modem_fsm.c	the states, the transition table, the ladder: the
 *			only place that changes state or starts init
 *	modem_seq.c	programs: command steps run one after the other
 *	modem_init.c	the init program, what the modem told us (ident)
 *	modem_setup.c	steps of init and of the slot switch
 *	modem_health.c	health checks, registration and signal URCs
 *	modem_send.c	sending, the SIM slots and switching them
 *	modem_recv.c	URCs, reading, import, acknowledgements
 *	modem_smsready.c  whether SMS commands work yet
 *	modem_link.c	AT+CMMS during a burst
 *	modem_ussd.c	USSD codes and answers
 *	modem_call.c	rejecting voice calls
 *	modem_hub.c	power-cycling the USB hub port
 *	modem_watch.c	inotify on the device's directory
 * Each sub-struct of struct modem is written only by the files named at
 * its definition (scripts/modemowners.py, doc/modem-lifecycle.md). This
 * header has the types and what every file uses (modem.c, modem_fsm.c,
 * modem_seq.c); a capability's functions are in its own header
 * (modem_send.h, ...), included by the files that call them.
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

#include <limits.h>
#include <stdio.h>

#define MODEM_SLOTS_MAX 4
#define MODEM_URCS_MAX 64
#define MODEM_REG_MAX 4		/* registration queries kept apart */
#define MODEM_READS_MAX 64	/* +CMGR in flight, for duplicates */
#define MODEM_CNMI_MAX 24	/* +CNMI candidates, with the end row: a
				 * driver's, and as many direct ones */
#define MODEM_CPMS_MAX 6	/* +CPMS commands */
#define MODEM_MEMS_MAX 8	/* memories a message may be received in */
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

/* The running program (modem_seq.c; its steps move sub, cand, tries). */
struct modem_seq {
	const struct modem_prog *prog;	/* NULL: none running */
	size_t step;
	size_t sub;			/* position inside a step's list */
	size_t cand;			/* candidate of that entry */
	unsigned tries;			/* LATER rounds of this step */
	int cmd_id;
	bool own_timeout;
	bool own_cancel;		/* a cancelled command comes back to
					 * the step (modem_seq_wait) */
	struct loop_timer timer;
	struct loop_deferred run;
};

/* The send in progress (modem_send.c); zeroed between sends. */
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
	MODEM_ACK_NACK,			/* AT+CNMA=2: RP-ERROR, sent again */
};

struct modem_ack {
	struct modem_ack *next;		/* in modem->acks */
	struct modem *m;
	enum modem_ack_kind kind;
	int index;
	uint32_t session;		/* the port it came from */
	int64_t born;			/* loop time it was handed out */
	bool acked;			/* modem_ack() called: pending */
	char mem[8];			/* "": <mem1>; else the memory its
					 * +CMTI/+CDSI named (recv_mem.c) */
	bool report;			/* a status report's (+CDS, +CDSI) */
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

/* The SIM slots (modem_send.c, and modem_setup.c's steps of the switch):
 * the n-th sim section is slot n - 1. */
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

/* SMS setup and readiness (modem_init.c, modem_setup.c,
 * modem_smsready.c). */
struct modem_sms {
	bool csms1;			/* +CNMA needed and possible */
	/* delivery = direct (modem_setup.c): +CNMI <mt> 2 taken; want:
	 * set it up again (a +CNMA refused: the modem gave up waiting and
	 * may have turned routing off, TS 27.005 §3.4.4); warned: the
	 * fall-back to stored was told (once until direct works again);
	 * why: the last refusal of a direct setting. */
	bool direct, want_cnmi, direct_warned;
	char direct_why[160];
	bool receive;			/* the modem section's receive */
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
	/* The <mem1> list of AT+CPMS=?: where messages may be read. */
	char mems[MODEM_MEMS_MAX][4];
	size_t nmems;
	int64_t waiting_since;
	struct loop_timer probe_timer;
};

/* Receiving (modem_recv.c): tokens handed out, reads in flight, listing. */
struct modem_recv {
	bool no_indications;		/* no +CNMI taken: list storage */
	bool want_import;		/* list storage when idle */
	struct modem_ack *acks;
	struct {
		int index;
		int id;
		char mem[8];		/* as in struct modem_ack */
	} reads[MODEM_READS_MAX];	/* +CMGR in flight */
	size_t nreads;
	/* Commands run in another memory (modem_recv_mem.c): the id of the
	 * AT+CPMS that selects it and of the command it guards. */
	struct {
		int select_id;
		int cmd_id;
		char mem[8];
		bool count;		/* cmd is a listing: cancelled when
					 * the select's answer counts
					 * nothing unknown there */
	} guards[MODEM_READS_MAX];
	size_t nguards;
	char mem1[8];			/* <mem1> of the +CPMS taken: where
					 * AT+CMGR/CMGL/CMGD work; "": none */
	/* The other memories messages may be received in (from AT+CPMS=?,
	 * and any a notice named), listed at start, when counted with
	 * more than smsgw knows of, and after a refused switch. */
	struct {
		char name[8];
		bool pending;		/* list it at the next listing */
		unsigned refused;	/* switches to it refused in a row */
	} others[MODEM_MEMS_MAX];
	size_t nothers;
	bool want_others;		/* list the pending ones when idle */
	bool list_mem1;			/* the running import lists <mem1> */
	size_t list_at;			/* ... and the other memory it is at */
	int64_t swept_at;		/* the last +CPMS? count */
	struct loop_timer poll;		/* no indications: list often */
};

/* The port (modem.c). session counts opens: a token from an older one is
 * dropped instead of deleting whatever sits at its index now. */
struct modem_port {
	struct serial *serial;
	struct at_chat *chat;
	uint32_t session;
	struct modem_urc_reg urcs[MODEM_URCS_MAX];
	size_t nurcs;
	int64_t last_warning_ms;	/* the last "the modem says" event */
};

/* The AT trace file (modem.c), opened again on SIGHUP. */
struct modem_trace {
	FILE *f;
	char *path;
	struct at_trace at;
};

/* Which driver table (modem.c, modem_init.c); drv is the resolved one. */
struct modem_choice {
	const struct driver *table;	/* before resolving */
	bool automatic;			/* driver = auto */
	int usb_vid, usb_pid;		/* 0: not USB, or unknown */
};

/* What the modem told us (modem_init.c, the init program's). */
struct modem_ident {
	char manufacturer[64];
	char model[64];
	char revision[64];
	char imei[24];
	char known_imei[24];		/* of the first session */
	bool pin_refused;		/* never again (PUK) */
};

/* Health checks (modem_health.c). */
struct modem_health {
	bool wanted;			/* a check when the port is idle */
	int64_t wanted_at;
	struct loop_timer timer;
	uint64_t echoes;		/* the chat's echo count when ready */
	bool sent_since_note;		/* a PDU (may be echoed) since */
};

/* inotify on the directory that holds the device (modem_watch.c),
 * through the daemon's one shared instance (fswatch.h). */
struct modem_watch {
	struct fswatch_sub sub;
	char dir[PATH_MAX];
	char name[NAME_MAX + 1];	/* the component awaited there */
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

/*
 * One modem. The members above the line are shared: every capability
 * reads them. Below it, each sub-struct belongs to the file named at its
 * definition, the only one that writes it (`make lint` holds them to it;
 * doc/modem-lifecycle.md has the table); the others call that file's
 * functions.
 */
struct modem {
	struct loop *loop;
	const struct config *cfg;
	const struct config_modem *mcfg;
	struct modem_listener listener;
	char source[96];		/* "modem m1" for events */
	struct driver drv;		/* the resolved driver */
	struct modem_fsm fsm;		/* modem_fsm.c; read by all */
	struct modem_seq seq;		/* modem_seq.c, and its steps */
	/* ---- */
	struct modem_port port;
	struct modem_trace trace;
	struct modem_choice choice;
	struct modem_ident ident;
	struct modem_slots slot;
	struct modem_net net;
	struct modem_health health;
	struct modem_sms sms;
	struct modem_send send;
	struct modem_recv recv;
	struct modem_call call;
	struct modem_ussd ussd;
	struct modem_link link;
	struct modem_hub hub;
	struct modem_watch watch;
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

/* ---- modem.c ---- */

/* A log line, and the listener's event (the daemon writes the row). */
void modem_event(struct modem *m, enum modem_event_level level,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* s's fields changed: tells the listener (the daemon writes its row). */
void modem_sim_changed(struct modem *m, struct sim *s);
/* Recomputes every SIM's link from the state and tells the listener. */
void modem_links(struct modem *m);
/* The SIM of the active slot. */
struct sim *modem_active_sim(struct modem *m);
/* The resolved driver, for what reads it outside the modem (errclass). */
const struct driver *modem_driver(const struct modem *m);
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
/* A URC that may end a step's pause ("SIM busy"): run the step now. */
void modem_seq_nudge(struct modem *m);
/* For a step that submits its command itself (modem_recv_mem_submit):
 * bind sets req's callback to the program's; wait takes the id it got.
 * The response comes back to the step, a cancellation too (while the
 * port is open). */
void modem_seq_bind(struct modem *m, struct at_request *req);
enum modem_step_rc modem_seq_wait(struct modem *m, int id);
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

#endif
