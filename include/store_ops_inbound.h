/*
 * store_ops_inbound — the storage interface's inbound operations: one
 * received PDU with everything it causes, and the reassembly timeouts
 * (gateway/store/store_ops_inbound.c; daemon/inbound.c asks them). Each
 * completes through a callback, as every operation of store_ops.h, which
 * includes this header.
 */
#ifndef SMSGW_STORE_OPS_INBOUND_H
#define SMSGW_STORE_OPS_INBOUND_H

#include <stdbool.h>
#include <stdint.h>

#include "store_ops.h"

/* ---- store an inbound message ---- */

/* A complete inbound message (one part, or assembled), as classify and
 * the caller's after-commit work see it. Strings are borrowed. */
struct store_inbound_msg {
	const struct sim *sim;
	const char *sender, *sender_type, *body, *scts;
	int parts, total;
	bool partial;
	int32_t concat_ref;		/* -1: single */
};

/* What the message's keyword asks for (policy/keyword.h decides, the
 * daemon says it as data): the store acts on it in the same commit. */
enum store_inbound_act {
	STORE_INBOUND_KEEP,		/* the row only */
	STORE_INBOUND_OPT_OUT,		/* reply: the confirmation, once */
	STORE_INBOUND_OPT_IN,		/* reply: when it was opted out */
	STORE_INBOUND_REPLY,		/* help or a rule's reply */
	STORE_INBOUND_FORWARD,		/* forward_text to forward_to */
};

/* Filled by classify; every char * is malloc'd and the store's from then
 * (it frees them). */
struct store_inbound_actions {
	char *keyword;			/* the row's tag; NULL: none */
	enum store_inbound_act act;
	char *matched;			/* opt-out: the word that matched */
	const char *how;		/* opt-out: how it matched (static) */
	char *reply;			/* the automatic reply; NULL: none */
	const char *reply_origin;	/* "optout-reply", … (static) */
	bool reply_failed;		/* its template failed: the commit
					   fails if it would be sent */
	char *forward_to, *forward_text;
	char *hook;			/* a rule's hook, after the commit */
	bool kick;			/* replies or suppressions may be
					   queued: dispatch after the commit */
};

/* One message delivered to the inbox by an operation, for the caller's
 * work after the commit (events, hooks). Owned by the out struct. */
struct store_inbound_delivered {
	int64_t id;
	const struct sim *sim;
	char *sender, *body, *keyword, *hook;
	int parts;
	bool partial, kick;
};

struct store_inbound_out {
	struct store_inbound_delivered *msgs;
	size_t n;
	int64_t oldest_waiting;		/* of fragments still waiting; 0 */
};

void store_inbound_out_free(struct store_inbound_out *o);
/* Frees what classify put in *a and zeroes it. */
void store_inbound_actions_free(struct store_inbound_actions *a);

typedef int (*store_classify_fn)(const struct store_inbound_msg *m,
				 struct store_inbound_actions *a, void *ud);

/*
 * One received PDU, in one commit: its raw row (once per SIM card and
 * PDU: a PDU read twice is stored once), then, for an SMS-DELIVER, the
 * message — at once, or as a fragment handed to reassembly
 * (codec/reasm.h) with the message it completes — classified by
 * classify (called inside the operation, maybe after the call returned:
 * classify_ud lives until done) and acted on: inbox row, sticky sender,
 * opt-out or opt-in, automatic replies (bounded per sender), forwards.
 * *out (kept until done) lists what was delivered. done's rc: 0
 * committed (durable: now the modem may delete or acknowledge it), <0
 * nothing stored (the modem keeps it).
 */
struct store_inbound {
	const struct sim *sim;
	const char *pdu_hex;
	const struct sms_pdu *pdu;	/* an SMS-DELIVER; NULL: not one */
	const char *error;		/* then: why not */
	const char *sender, *scts;	/* as stored (E.164 where it can) */
	int64_t now;
	const struct reasm_opts *ro;
	int64_t reply_expire_ms;	/* expiry of the replies queued */
	store_classify_fn classify;
	void *classify_ud;
};

void store_op_inbound(struct store *st, const struct store_inbound *req,
		      struct store_inbound_out *out, store_done_fn done,
		      void *ud);

/*
 * Reassembly timeouts: every fragment group waiting longer than
 * ro->timeout_ms is delivered as a partial message (classified and acted
 * on as above) or kept as orphans; each group commits on its own. done's
 * rc 0; *out as store_op_inbound's.
 */
struct store_inbound_timeout {
	struct sim_registry *reg;	/* the SIMs, by id */
	int64_t now;
	const struct reasm_opts *ro;
	int64_t reply_expire_ms;
	store_classify_fn classify;
	void *classify_ud;
};

void store_op_inbound_timeout(struct store *st,
			      const struct store_inbound_timeout *req,
			      struct store_inbound_out *out,
			      store_done_fn done, void *ud);

#endif
