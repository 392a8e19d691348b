/*
 * ms — smsgw-modemsim, a GSM modem simulator on pseudo-terminals.
 *
 * One process, one thread, one event loop (include/loop.h) serves N
 * simulated modems. Each modem is a pty behind a stable symlink DIR/modemN,
 * speaks the 3GPP TS 27.007 / 27.005 dialect of a personality (a data
 * table: ms_pers.c), and hands what it sends to a simulated network
 * (ms_net.c) that writes the ground truth DIR/network.jsonl. A control
 * socket (ms_ctl.c) injects inbound SMS and turns the knobs.
 *
 * Files and their prefixes:
 *	main.c		options, start-up, the ready file, signals
 *	ms_config.c	knobs table, --modem specs, default identities
 *	ms_pers.c	personalities (generic, huawei, simcom, quectel…)
 *	ms_modem.c	the port: pty, symlink, output, boot, hang, unplug
 *	ms_at.c		command lines: parsing, basic commands, dispatch
 *	ms_at_cmds.c	the 27.007 commands
 *	ms_sms.c	the 27.005 commands
 *	ms_vendor.c	vendor commands (^SYSCFG, +QDSIM, +CICCID…)
 *	ms_net.c	the network: submits, ground truth, inbound, reports
 *	ms_store.c	message storage (pure)
 *	ms_ctl.c	the control socket
 *	ms_json.c	a small JSON reader (pure)
 *	ms_util.c	trace lines, time stamps, random numbers, UCS-2
 */
#ifndef SMSGW_MODEMSIM_MS_H
#define SMSGW_MODEMSIM_MS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "loop.h"
#include "sms.h"
#include "ms_store.h"

#define MS_MODEMS_MAX 256
#define MS_SLOTS_MAX 4
#define MS_LINE_MAX 2048	/* one command line, or a PDU / text body */
#define MS_BACKLOG_MAX 8192	/* input held while a command runs */
#define MS_OUT_MAX (256 * 1024)	/* output nobody reads is dropped past this */
#define MS_URCQ_MAX 64
#define MS_CODES_MAX 8

/* ---- personalities (ms_pers.c) ---- */

enum ms_boot_when {
	MS_BOOT_POWER,		/* always, at power-on */
	MS_BOOT_SIM_PIN,	/* only when the SIM asks for a PIN */
	MS_BOOT_SIM_READY,	/* once the SIM is ready (after PIN entry) */
};

struct ms_boot_urc {
	enum ms_boot_when when;
	const char *line;
	bool sms_ready;		/* SMS commands work from this line on */
};

struct ms_modem;

/* A vendor command: handler gets the text after the command name. */
enum ms_form {
	MS_FORM_EXEC,		/* AT+X */
	MS_FORM_SET,		/* AT+X=args */
	MS_FORM_READ,		/* AT+X? */
	MS_FORM_TEST,		/* AT+X=? */
};

/* A command's result: OK, ERROR, +CME/+CMS ERROR, or later. */
enum ms_res {
	MS_RES_OK,
	MS_RES_ERROR,
	MS_RES_CME,		/* code in m->err */
	MS_RES_CMS,		/* code in m->err */
	MS_RES_ASYNC,		/* the command finishes on its own later */
	MS_RES_NONE,		/* nothing at all (reboot, hang) */
};

struct ms_cmd {
	const char *name;	/* "+CMGS", "^SYSCFG", "+QDSIM" */
	enum ms_res (*fn)(struct ms_modem *m, enum ms_form form,
			  const char *args);
};

struct ms_pers {
	const char *name;
	const char *manufacturer, *model, *revision;
	const char *const *ati;		/* ATI lines, NULL-terminated */
	const struct ms_boot_urc *boot;	/* terminated by line == NULL */
	const char *const *noise;	/* URC noise; "{rssi}" substituted */
	const char *ccid_prefix;	/* before the ICCID in +CCID */
	int cnmi[5];			/* +CNMI after power-on */
	bool echo;			/* ATE after power-on */
	int cmee;			/* +CMEE after power-on */
	const char *cscs;		/* +CSCS after power-on */
	int index_base;			/* first storage index: 0 or 1 */
	bool cmgr_empty_error;		/* +CMGR of a free index: CMS 321 */
	bool eps;			/* answers +CEREG (LTE) */
	int act;			/* +COPS access technology */
	bool reset_replug;		/* +CFUN=1,1 re-enumerates USB */
	const char *memfull_urc;	/* storage full, or NULL */
	int sm_size, me_size;		/* default storage sizes */
	const struct ms_cmd *cmds;	/* vendor commands, name == NULL ends */
	/* Real behaviours of the family (issue "real modems"): */
	int sms_busy_code;		/* +CMS before SMS is ready (314) */
	const char *header_noise;	/* a line between a +CMGR/+CMGL
					 * header and its PDU */
	const char *cnmi_test;		/* AT+CNMI=? answer */
	int cnmi_bfr;			/* > 0: the only <bfr> taken is
					 * cnmi_bfr - 1 (else CMS 303) */
	bool cpin_no_final;		/* AT+CPIN? ends without OK */
	bool cmgr_no_stat;		/* "+CMGR: ,,<length>" */
	bool pdu_lower;			/* PDUs in lower-case hex, "FF"
					 * padding after them */
	bool cmms;			/* supports AT+CMMS */
	int cfun_reset;			/* > 0: AT+CFUN=<this> resets the
					 * module (u-blox 16, Fibocom 15) */
	/* Old phones (Sony Ericsson, Nokia Series 40 on a data cable): */
	bool csms_phase2;		/* +CSMS: (0): AT+CSMS=1 refused */
	const char *cpms_test;		/* AT+CPMS=? answer (NULL: SM[,ME]) */
	bool mem3_me;			/* new messages go to "ME" only:
					 * <mem3> "SM" refused, "ME","ME","ME"
					 * at power-on */
	bool cmgr_len_only;		/* "+CMGR: <length>", no <stat> */
	bool no_ccid;			/* AT+CCID unknown: the ICCID only
					 * through AT+CRSM (TS 27.007 §8.18) */
};

const struct ms_pers *ms_pers_find(const char *name);
/* Comma-separated names, for --help. */
const char *ms_pers_names(void);

/* ---- knobs (ms_config.c) ---- */

struct ms_knobs {
	int latency_ms;		/* +CMGS answer after this … */
	int jitter_ms;		/* … plus up to this much more */
	double cms_rate;	/* probability that a send fails */
	int cms_codes[MS_CODES_MAX];	/* picked at random for cms_rate */
	int ncms_codes;
	int fail_next;		/* the next N sends fail … */
	int fail_code;		/* … with this code */
	int hang_after;		/* hang after N more commands (0: never) */
	double hang_rate;	/* probability per command of hanging */
	int hang_in_ms;		/* hang this long from now (0: never) */
	int noise_ms;		/* mean gap between noise URCs (0: none) */
	double noise_in_response;	/* chance of a URC inside a response */
	int garbage_ms;		/* mean gap between garbage bursts */
	bool echo;		/* echo on at power-on */
	int slow_ms;		/* delay per output byte (0: all at once) */
	int report_delay_ms;	/* status report after the send */
	int report_status;	/* its TP-ST */
	int cnma_timeout_ms;	/* +CMT/+CDS unacknowledged → redelivery */
	int redeliver_ms;	/* the network tries again after this */
	bool cnma_reset_cnmi;	/* TS 27.005 §3.4.4: mt=ds=0 on timeout */
	int boot_ms;		/* power-on to the last boot URC */
	int reg;		/* +CREG stat when attached: 1 home, 5 roaming */
	int rssi;		/* +CSQ */
	bool reset_replug;	/* +CFUN=1,1 unplugs the port for replug_ms */
	int replug_ms;
	int reg_delay_ms;	/* boot to network registration */
	/* The SMS relay link (ms_link.c): set-up cost charged on a send
	 * unless AT+CMMS kept the link since the previous answer. */
	int link_setup_ms;	/* 0: no link model */
	int link_keep_ms;	/* how long +CMMS keeps it: 1000–5000 */
	bool no_cmms;		/* answer ERROR to +CMMS whatever the personality */
	/* TS 27.005 §3.4.1, §3.2.1: what some modules lack. */
	bool no_mode3;		/* +CNMI <mode> 3 refused (CMS 303) */
	bool no_direct;		/* +CNMI <mt> 2, 3 refused: stores only */
	bool no_csms1;		/* +CSMS=1 refused: no +CNMA */
	bool cnmi_test_lies;	/* AT+CNMI=? lists what the two above
				 * refuse */
	bool no_header_noise;	/* no URC inside +CMGR/+CMGL answers
				 * whatever the personality */
	bool store_me;		/* new messages go to "ME" (if it has one)
				 * whatever <mem3>: a firmware that
				 * ignores it; +CMTI names "ME" */
	int cpms_refuse_me;	/* the next N AT+CPMS selecting "ME" as
				 * <mem1> are refused (+CMS ERROR: 302), as
				 * a firmware busy with its own memory */
};

/* Sets knob name from text. Returns false with a reason in err. */
bool ms_knob_set(struct ms_knobs *k, const char *name, const char *value,
		 char *err, size_t errsize);
/* Writes every knob as JSON members ("name":value,…) without braces. */
void ms_knobs_json(const struct ms_knobs *k, FILE *f);

/* ---- a modem ---- */

struct ms_slot {
	bool present;
	char iccid[24];
	char imsi[20];
	char number[24];	/* "" when the SIM does not know it */
	char smsc[24];
	char pin[12];		/* "" for no PIN */
	char puk[12];
	char operator[24];
	int pin_tries;
	bool unlocked;		/* PIN entered since power-on */
	int next_mr;
	struct ms_store store;	/* "SM" */
};

enum ms_power {
	MS_POWER_OFF,		/* unplugged: no pty */
	MS_POWER_BOOTING,
	MS_POWER_ON,
};

enum ms_input {
	MS_INPUT_COMMAND,
	MS_INPUT_PDU,		/* after "> " of +CMGS in PDU mode */
	MS_INPUT_TEXT,		/* after "> " of +CMGS in text mode */
};

/* The TA's settings: power-on and ATZ restore them. */
struct ms_settings {
	bool echo;
	int cmee;
	int cmgf;
	char cscs[8];
	int cnmi[5];
	int csms;
	int creg_n, cgreg_n, cereg_n;
	int csmp[4];
	bool csdh;
	int mem[3];		/* storage: 0 "SM", 1 "ME" */
	int cmms;		/* AT+CMMS mode (TS 27.005 §3.5.6) */
};

struct ms_inbound;

struct ms_modem {
	struct ms *ms;
	int index;
	char name[64];		/* symlink name in the directory */
	char link[PATH_MAX + 80];
	const struct ms_pers *pers;
	char imei[20];
	struct ms_slot slots[MS_SLOTS_MAX];
	int nslots;
	int active;		/* the slot in use */
	int ussd_menu;		/* 0: no USSD session; else the menu level */
	/* +CGMI/+CGMM answers instead of the personality's ("manufacturer=",
	 * "model=" specs): a new vendor's driver = auto match is tried on a
	 * personality like it without editing the simulator. */
	char manufacturer[64], model[64];
	int vendor_mode[4];	/* what a vendor's report switch was set
				 * to (#QSS, +USIMSTAT, ^SSET, +WIND, ...;
				 * indexes in ms_vendor.c), read back by
				 * its read form */
	struct ms_store me;	/* "ME" */
	struct ms_knobs knobs;
	uint64_t rng;

	/* the port */
	int master, slave;
	char pty[64];
	char prev_pty[64];	/* before the last unplug */
	struct loop_watch watch;
	bool want_out;
	char *out;
	size_t outlen, outcap;
	struct loop_timer slow_timer;
	FILE *log;
	char *tr;		/* output not yet in the log: one line per burst */
	size_t trlen, trcap;
	struct loop_deferred trace_defer;

	/* power, boot, faults */
	enum ms_power power;
	int boot_step;
	int cfun;
	bool registered;
	bool sms_ready;
	bool hung;
	struct loop_timer boot_timer;
	struct loop_timer reg_timer;
	struct loop_timer replug_timer;
	struct loop_timer hang_timer;
	struct loop_timer noise_timer;
	struct loop_timer garbage_timer;
	struct loop_deferred backlog_defer;
	int ncommands;
	bool inited;
	bool reboot_pending;	/* +CFUN=1,1: after the OK */
	int boots;		/* power-ons and restarts so far */
	char replug_name[64];	/* symlink name after the next replug */

	/* commands */
	struct ms_settings set;
	enum ms_input input;
	char line[MS_LINE_MAX];
	size_t linelen;
	char backlog[MS_BACKLOG_MAX];
	size_t backlen;
	bool busy;		/* a command runs; input waits */
	bool resp_started;
	int err;		/* the code for MS_RES_CME / MS_RES_CMS */
	int cmgs_len;		/* PDU mode: TPDU octets announced */
	char cmgs_da[32];	/* text mode: destination */
	char *urcq[MS_URCQ_MAX];	/* held back while busy */
	int nurc;

	/* the SMS relay link (ms_link.c) */
	int64_t link_until;	/* kept open until then (monotonic ms); 0: closed */
	unsigned link_setups;	/* sends that set up a link */
	unsigned link_kept;	/* sends on a link +CMMS kept */

	/* a send waiting for the network */
	struct loop_timer send_timer;
	int send_err;		/* 0 or the CMS error it will end with */
	int send_slot;
	char send_pdu[SMS_PDU_HEX_MAX];
	char send_text[MS_LINE_MAX];	/* text mode body, UTF-8 */

	/* inbound: the network's queue for this modem */
	struct ms_inbound *inq;
	struct ms_inbound *unacked;	/* +CMT/+CDS waiting for +CNMA */
	struct loop_timer net_timer;
	struct loop_timer ack_timer;
};

/* ---- the simulator ---- */

struct ms_assembly;
struct ms_client;

struct ms {
	struct loop *loop;
	char dir[PATH_MAX];
	int nmodems;
	struct ms_modem *modems[MS_MODEMS_MAX];
	FILE *network;
	struct ms_assembly *assemblies;
	int ctl_fd;
	struct loop_watch ctl_watch;
	struct ms_client *clients;
	uint16_t next_ref;
	int unplug_gen;
};

/* ---- ms_config.c: modem specs ---- */

/*
 * Creates modem index with its defaults (identity derived from the index,
 * personality pers). Returns NULL on allocation failure.
 */
struct ms_modem *ms_config_modem_new(struct ms *ms, int index,
				     const struct ms_pers *pers,
				     uint64_t seed);
/* Applies "key=value,key=value" (commas or spaces). */
bool ms_config_apply_list(struct ms_modem *m, const char *list, char *err,
			  size_t errsize);
/* Allocates storage once the spec is applied. false on failure. */
bool ms_config_modem_ready(struct ms_modem *m);
void ms_config_modem_free(struct ms_modem *m);

/* ---- ms_modem.c: the port ---- */

/* Opens the pty, makes the symlink and powers on. 0 or -errno. */
int ms_modem_plug(struct ms_modem *m);
/* Closes the pty and removes the symlink; replugs after ms (< 0: never). */
void ms_modem_unplug(struct ms_modem *m, int ms);
/* Power cycle without unplugging (CFUN=1,1 on a UART module). */
void ms_modem_reboot(struct ms_modem *m);
void ms_modem_hang(struct ms_modem *m, bool hang);
/* Restarts timers that depend on knobs after a change. */
void ms_modem_knobs_changed(struct ms_modem *m);
/* Queues raw bytes to the host (through the slow-output knob). */
void ms_modem_write(struct ms_modem *m, const void *buf, size_t len);
/* Writes a URC now: "\r\n<line>\r\n". */
void ms_modem_urc_now(struct ms_modem *m, const char *line);
/* A URC that +CNMI buffering applies to (mode 0 and 2 hold it). */
void ms_modem_urc(struct ms_modem *m, const char *line);
/* An information line of the running command's response. */
void ms_modem_info(struct ms_modem *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Ends the running command with res and serves waiting input. */
void ms_modem_finish(struct ms_modem *m, enum ms_res res);
/* The "\r\n> " prompt; input switches to mode. */
void ms_modem_prompt(struct ms_modem *m, enum ms_input mode);
/* ms_modem_out.c internals: the output side of a modem. */
void ms_modem_flush(struct ms_modem *m);
void ms_modem_trace_flush(struct ms_modem *m);
void ms_modem_noise_line(struct ms_modem *m, char *buf, size_t size);
void ms_modem_urc_flush(struct ms_modem *m);
void ms_modem_urc_clear(struct ms_modem *m);
void ms_modem_final(struct ms_modem *m, enum ms_res res);
void ms_modem_puts(struct ms_modem *m, const char *s);
void ms_modem_trace_cb(struct loop_deferred *d, void *ud);
int64_t ms_modem_slow_cb(struct loop_timer *t, void *ud);
/* Uniform random number in [0, 1). */
double ms_modem_random(struct ms_modem *m);
/* Restores power-on settings (ATZ, &F and boot). */
void ms_modem_settings_reset(struct ms_modem *m);
/* SIM in the active slot is present and unlocked. */
bool ms_modem_sim_ready(const struct ms_modem *m);
/* The PIN was entered, or a slot switched: the SIM part of the boot URCs
 * runs (again) from boot step from (-1: where it waited). */
void ms_modem_sim_restart(struct ms_modem *m, int from);
/* Sets up the network's timers of a modem (from ms_modem_init). */
void ms_net_modem_init(struct ms_modem *m);
/* Sets up timers and the log; once, before anything else. */
void ms_modem_init(struct ms_modem *m);
struct ms_slot *ms_modem_slot(struct ms_modem *m);
void ms_modem_free(struct ms_modem *m);

/* ---- ms_at.c: command lines ---- */

/* Runs one command line (without "AT" already checked). */
void ms_at_line(struct ms_modem *m, const char *line);
/* Splits "1,\"a,b\",3" at top-level commas into at most n fields (in
 * place; quotes removed). Returns the number of fields. */
int ms_at_fields(char *args, char **fields, int n);
/* Parses an integer field; false when empty or not a number. */
bool ms_at_int(const char *s, int min, int max, int *out);

/* ---- ms_at_cmds.c: the 27.007 commands ---- */

extern const struct ms_cmd ms_at_cmds[];
/* MS_RES_OK when the SIM is there and unlocked, else the CME (or, with
 * cms, the CMS) error to return. */
enum ms_res ms_at_need_sim(struct ms_modem *m, bool cms);
/* +CCID and the vendors' ^ICCID, +ICCID, +QCCID: prefix, then the ICCID
 * of the active slot (CME 10 without a SIM). */
enum ms_res ms_at_iccid(struct ms_modem *m, enum ms_form f,
			const char *prefix);
/* A command that is accepted and does nothing. */
enum ms_res ms_at_ok(struct ms_modem *m, enum ms_form f, const char *a);

/* ---- ms_sms.c ---- */

extern const struct ms_cmd ms_sms_cmds[];
/* ms_link.c: AT+CMMS and the link's cost on a send. */
extern const struct ms_cmd ms_link_cmds[];
int64_t ms_link_send_cost(struct ms_modem *m);
void ms_link_answered(struct ms_modem *m);
bool ms_link_open(struct ms_modem *m);
/* The storage of +CPMS <mem1..3> (which 0-2), and its name "SM" / "ME". */
struct ms_store *ms_sms_mem(struct ms_modem *m, int which);
const char *ms_sms_mem_name(const struct ms_modem *m, int which);
/* Input after the "> " prompt ended with Ctrl-Z (send) or ESC. */
void ms_sms_body(struct ms_modem *m, const char *body, bool send);
/* A direct +CMT / +CDS result (both lines in PDU mode) as the current
 * +CMGF shows it. */
void ms_sms_format_direct(struct ms_modem *m, const char *pdu, int tpdu_len,
			  bool report, char *out, size_t n);

/* ---- ms_vendor.c ---- */

extern const struct ms_cmd ms_vendor_huawei[];
extern const struct ms_cmd ms_vendor_simcom[];
extern const struct ms_cmd ms_vendor_quectel[];
extern const struct ms_cmd ms_vendor_zte[];
extern const struct ms_cmd ms_vendor_sierra[];
extern const struct ms_cmd ms_vendor_telit[];
extern const struct ms_cmd ms_vendor_ublox[];
extern const struct ms_cmd ms_vendor_cinterion[];
extern const struct ms_cmd ms_vendor_wavecom[];
extern const struct ms_cmd ms_vendor_fibocom[];

/* ---- ms_net.c: the network ---- */

/*
 * A PDU the modem accepted after Ctrl-Z (pdu: hex with SMSC). Checks it,
 * waits for the send latency and answers +CMGS or +CMS ERROR.
 */
enum ms_res ms_net_submit_pdu(struct ms_modem *m, const char *pdu, int len);
enum ms_res ms_net_submit_text(struct ms_modem *m, const char *da,
			       const char *utf8);
/* Drops a send in flight (unplug, reboot). */
void ms_net_abort(struct ms_modem *m);

struct ms_deliver_opts {
	int slot;		/* -1: the active one */
	bool ucs2;
	bool concat16;
	bool shuffle;
	bool status_report_indication;
	int drop[16], ndrop;	/* part numbers (1-based) never sent */
	int dup[16], ndup;	/* part numbers sent twice */
	int delay_ms;
	char smsc[24];
};

/* Queues an SMS from sender to the modem. 0, or -1 with err. */
int ms_net_deliver(struct ms_modem *m, const char *sender, const char *utf8,
		   const struct ms_deliver_opts *o, int *nparts, char *err,
		   size_t errsize);
/* Something that gates delivery changed: try the queue again. */
void ms_net_kick(struct ms_modem *m);
/* +CNMA received; false when nothing waited for one. */
bool ms_net_ack(struct ms_modem *m, bool positive);
/* Forgets queued inbound items (modem freed). */
void ms_net_modem_free(struct ms_modem *m);
/* Closes the ground truth and frees assemblies. */
void ms_net_close(struct ms *ms);
/* Counts of the inbound queue, for status. */
int ms_net_queued(const struct ms_modem *m);

/* ---- ms_ctl.c ---- */

int ms_ctl_open(struct ms *ms);
void ms_ctl_close(struct ms *ms);

/* ---- ms_util.c ---- */

/* "2026-11-27T06:00:00.123Z" for now; buf needs 32 bytes. */
void ms_util_now_iso(char *buf, size_t size);
/* The current UTC time as an SMSC time stamp. */
void ms_util_now_scts(struct sms_time *t);
/* xorshift64*: next value of state. */
uint64_t ms_util_rand(uint64_t *state);
/* Hex UCS-2 (big-endian) → UTF-8; false on bad hex. */
bool ms_util_ucs2_hex_to_utf8(const char *hex, char *out, size_t outsize);
/* UTF-8 → hex UCS-2 (BMP only; others become U+FFFD). */
void ms_util_utf8_to_ucs2_hex(const char *utf8, char *out, size_t outsize);
/* Luhn check digit of a string of digits. */
int ms_util_luhn(const char *digits);
/* Writes a trace line "<time> <port> <dir> <escaped>" to f. */
void ms_util_trace(FILE *f, const char *port, char dir, const void *buf,
		   size_t len);

#endif
