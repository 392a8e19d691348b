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
#include "store_ops.h"

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
	bool retry_out;			/* the head's retry is with the store */
	bool timeout_out;		/* a reassembly timeout pass is */
	struct store_inbound_timeout timeout_req;
	struct store_inbound_out timeout_res;
	inbound_event_fn listener;
	void *listener_ud;
};

/* inbound_act.c: what m's keyword asks for, as the store's data (a
 * store_classify_fn; ud: the inbound). -1: it cannot be decided (a rule's
 * forward text), and the message is not stored. */
struct store_inbound_msg;
struct store_inbound_actions;
int inbound_classify(const struct store_inbound_msg *m,
		     struct store_inbound_actions *a, void *ud);

#endif
