/*
 * modem — one configured modem: its serial port, AT engine, driver, life
 * cycle (closed → opening → init → ready ⇄ busy → error/backoff → out of
 * service) and recovery ladder, and the SIM slots in it. The rest of the
 * daemon (outbound, inbound) sees modems only through this header.
 *
 * The modem layer knows nothing of the database: it fills in the fields of
 * its SIMs (identity, signal, registration, link state) and reports upward
 * through the callback table below, which the daemon installs at
 * modem_new(): inbound messages and status reports, events worth a row,
 * and "this SIM changed" (the daemon writes the rows).
 */
#ifndef SMSGW_MODEM_H
#define SMSGW_MODEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct driver;
struct config_modem;
struct loop;
struct sim;
struct sim_registry;

struct modem;

/* ---- sending ---- */

enum modem_send_status {
	MODEM_SEND_OK,		/* +CMGS: <mr> */
	MODEM_SEND_CMS_ERROR,	/* +CMS ERROR: <code> */
	MODEM_SEND_CME_ERROR,	/* +CME ERROR: <code> */
	/* Certainly not submitted: no prompt, a timeout before the PDU was
	 * written, plain ERROR to AT+CMGS, the port gone before the PDU, the
	 * SIM not usable. Safe to send again, anywhere. */
	MODEM_SEND_NOT_SENT,
	/* The PDU was written, then no final answer (timeout, port gone,
	 * garbage): the network may have it. */
	MODEM_SEND_AMBIGUOUS,
};

struct modem_send_result {
	enum modem_send_status status;
	int mr;			/* MODEM_SEND_OK */
	int code;		/* the CMS/CME code */
	const char *detail;	/* for the error column and the log; borrowed */
	/* The modem's driver, whose manual says what code means
	 * (errclass_driver()); NULL: the generic table. */
	const struct driver *driver;
};

typedef void (*modem_send_cb)(const struct modem_send_result *r, void *ud);

/*
 * Sends one SMS-SUBMIT PDU (hex with the "00" SMSC prefix, tpdu_len for
 * AT+CMGS=<len>) from sim, switching the modem to that slot first if
 * needed. One send per modem at a time: the caller sends the next part or
 * message after cb. cb is called exactly once, never from inside this call,
 * also when the modem goes away. Returns 0; or, and cb will not be called:
 * -ENODEV the SIM's modem or slot cannot send now, -EBUSY a send or slot
 * switch is in progress, -EINVAL no PDU, longer than AT_CHAT_MAX_PDU, or
 * tpdu_len <= 0 (the message's fault, not the modem's).
 */
int modem_send_pdu(struct sim *sim, const char *pdu_hex, int tpdu_len,
		   modem_send_cb cb, void *ud);

/*
 * Sends the USSD code (digits, * # +; at most CONFIG_USSD_MAX) from sim, which must be its modem's
 * active SIM; token (letters, digits, -) names the answer: an event row
 * "USSD <token> <code>: <text>" (or ": no answer", ": refused: ...").
 * Returns 0, -EINVAL, -ENODEV (not ready) or -EBUSY (another slot, or a
 * code still waiting).
 */
int modem_ussd(struct sim *sim, const char *code, const char *token);

/* ---- receiving ---- */

/*
 * A received SMS or status report, kept by the modem until the receiver
 * has committed it: modem_ack() then deletes it from storage (AT+CMGD) or
 * acknowledges it (AT+CNMA). The token is valid until modem_ack(), also if
 * the modem goes away meanwhile (the ack is then dropped: the network or
 * the SIM storage will hand the message again, and the receiver's
 * duplicate check keeps it once).
 */
struct modem_ack;
void modem_ack(struct modem_ack *ack);

/* How much an event matters (the events view's level). */
enum modem_event_level {
	MODEM_EVENT_INFO,
	MODEM_EVENT_WARNING,
	MODEM_EVENT_ERROR,
};

/* What the modem reports upward; the daemon installs it at modem_new().
 * Every member but sms and status_report may be NULL (nothing is told);
 * sim_changed may be called from inside any modem_* call. */
struct modem_listener {
	/* An SMS-DELIVER PDU as the modem printed it (SMSC prefix first). */
	void (*sms)(struct sim *sim, const char *pdu_hex, struct modem_ack *ack,
		    void *ud);
	/* An SMS-STATUS-REPORT PDU. */
	void (*status_report)(struct sim *sim, const char *pdu_hex,
			      struct modem_ack *ack, void *ud);
	/* Something worth an event row; source is "modem <name>", text one
	 * line. The modem layer has already logged it. */
	void (*event)(enum modem_event_level level, const char *source,
		      const char *text, void *ud);
	/* sim's fields changed (identity, signal, registration, link,
	 * standby): the daemon writes its row and tells outbound. */
	void (*sim_changed)(struct sim *sim, void *ud);
	void *ud;
};

/* ---- life cycle ---- */

/*
 * Creates the modem for cfg with its SIMs (already in reg: the modem
 * takes those of its section) and starts opening it; all further work
 * happens in the loop. Returns 0 or -errno.
 */
int modem_new(struct loop *loop, struct sim_registry *reg,
	      const struct config *cfg, const struct config_modem *mcfg,
	      const struct modem_listener *listener, struct modem **out);
/* Closes the port at once; pending sends get MODEM_SEND_NOT_SENT or
 * MODEM_SEND_AMBIGUOUS callbacks. Tokens not acked yet are released: a
 * receiver acks (or drops) a token before the modem is freed. */
void modem_free(struct modem *m);

/* SIGHUP: the same modem section in a new configuration (the daemon only
 * reloads when modems and slots are unchanged). */
/* Closes and opens the AT trace file again (SIGHUP, after a rotation). */
void modem_reopen_trace(struct modem *m);
void modem_set_config(struct modem *m, const struct config *cfg,
		      const struct config_modem *mcfg);

#endif
