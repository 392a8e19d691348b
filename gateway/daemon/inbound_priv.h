/*
 * inbound_priv — what inbound.c (receiving, reassembly) and inbound_act.c
 * (keywords and their actions) share. Not for other modules.
 */
#ifndef SMSGW_INBOUND_PRIV_H
#define SMSGW_INBOUND_PRIV_H

#include "inbound.h"
#include "keyword.h"
#include "loop.h"
#include "reasm.h"

#include <stdbool.h>

struct inbound {
	struct loop *loop;
	struct store *store;
	const struct config *cfg;
	struct sim_registry *reg;
	struct outbound *ob;
	inbound_ack_fn ack;
	struct keyword_set *ks;
	struct reasm_opts ro;
	struct loop_timer timer;	/* the next reassembly timeout */
	struct inbound_retry *retry;	/* not stored yet: database error */
	struct loop_timer retry_timer;
	unsigned retry_round;		/* failed retries in a row */
	inbound_event_fn listener;
	void *listener_ud;
};

/* A message complete enough for the inbox. Strings are borrowed. */
struct inbound_msg {
	struct sim *sim;
	const char *sender;
	const char *sender_type;
	const char *body;
	int parts, total;
	bool partial;
	const char *scts;
	int32_t concat_ref;		/* -1: single */
};

/* What to do after the commit. */
struct inbound_after {
	bool kick;			/* replies or suppressions: dispatch */
	int64_t id;			/* the inbox row */
	char *keyword;			/* malloc'd tag, or NULL */
	char *hook;			/* malloc'd rule hook, or NULL */
};

/* inbound_act.c: stores the inbox row for m, classifies it and acts:
 * opt-out, opt-in, help, rules. Inside the caller's transaction. */
int inbound_deliver(struct inbound *ib, const struct inbound_msg *m,
		    int64_t now, struct inbound_after *after);
void inbound_after_free(struct inbound_after *a);

#endif
