/*
 * inbound — received SMS from the modems to the inbox (doc/contract.md §2, §9):
 * raw PDU kept → decoded → multipart reassembly (fragments in SQLite) →
 * keywords (opt-out, opt-in, help, custom rules) → one commit → only then
 * the modem may delete or acknowledge the message.
 *
 * An opt-out is committed in the same transaction that stores the STOP, so
 * the next claim already sees it; queued messages to the number become
 * suppressed, and exactly one confirmation goes back from the SIM that
 * received it. A PDU the same SIM card delivered before (a re-read after a
 * restart, a retransmission) is stored once.
 */
#ifndef SMSGW_INBOUND_H
#define SMSGW_INBOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct loop;
struct modem_ack;
struct outbound;
struct sim;
struct sim_registry;
struct store;

struct inbound;

/* A message reached the inbox, or a rule asks for its hook. Borrowed. */
struct inbound_event {
	const char *event;	/* "received", or "rule" for action = hook */
	const char *hook;	/* "rule": the rule's command */
	int64_t id;		/* inbox id */
	const char *sender;
	const char *recipient;	/* the SIM's own number, NULL if unknown */
	const char *body;
	const char *sim;	/* "m1/1" */
	const char *keyword;	/* NULL: none */
	int parts;
	bool partial;
};

typedef void (*inbound_event_fn)(const struct inbound_event *e, void *ud);

/* How a stored message is released by its modem: the daemon passes
 * modem_ack; tests pass their own. */
typedef void (*inbound_ack_fn)(struct modem_ack *ack);

/* Returns 0, or -errno with the reason in err (e.g. a rule's template). */
int inbound_new(struct loop *loop, struct store *store,
		const struct config *cfg, struct sim_registry *reg,
		struct outbound *ob, inbound_ack_fn ack, struct inbound **out,
		char *err, size_t errsize);
void inbound_free(struct inbound *ib);

void inbound_set_listener(struct inbound *ib, inbound_event_fn fn, void *ud);
/* SIGHUP: new keyword lists, replies and rules. On error the old ones stay. */
int inbound_set_config(struct inbound *ib, const struct config *cfg,
		       char *err, size_t errsize);

/*
 * An SMS-DELIVER the modem received on sim. Acknowledges it through
 * the ack function once it is committed (or known: a duplicate, or a PDU that
 * cannot be decoded, which is kept raw with the reason).
 */
void inbound_sms(struct inbound *ib, struct sim *sim, const char *pdu_hex,
		 struct modem_ack *ack);
/* A status report: matched to the outbox, then acknowledged. */
void inbound_status_report(struct inbound *ib, struct sim *sim,
			   const char *pdu_hex, struct modem_ack *ack);

#endif
