/*
 * outbound_pg — what the outbound does differently on a PostgreSQL store
 * (doc/postgresql.md "The daemon on PostgreSQL"): a SIM card's counters
 * are read from the database (any box may have sent from it), the lease
 * of a message being sent is renewed while a slow modem takes its time,
 * and a sent record that failed is recorded again, fenced by its attempt:
 * -ESTALE means another box owns the message now, so it is dropped, not
 * retried.
 */
#include "outbound_priv.h"
#include "config.h"
#include "log.h"
#include "sim.h"
#include "store.h"
#include "store_ops.h"
#include "store_pg.h"
#include "store_pgd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a card's counters ---- */

struct outbound_pg_usage {
	struct ob_sim *os;
	char key[40];
	struct outbox_usage u;
};

static void outbound_pg_usage_read(int rc, void *ud)
{
	struct outbound_pg_usage *r = ud;
	struct ob_sim *os = r->os;

	os->usage_loading = false;
	if (rc < 0) {
		/* Read again at the next dispatch (a connect kicks one). */
		os->usage_key[0] = '\0';
	} else if (strcmp(r->key, os->usage_key) == 0) {
		os->usage = r->u;
		loop_defer(&os->ob->kick);
	}
	free(r);
}

void ob_usage_load(struct ob_sim *os)
{
	struct pg_store *ps = store_pg(os->ob->store);
	struct outbound_pg_usage *r;

	if (!store_is_pg(os->ob->store)) {
		store_outbox_usage(os->ob->store, os->usage_key, &os->usage);
		return;
	}
	memset(&os->usage, 0, sizeof(os->usage));
	r = ps && store_ready(os->ob->store) ? calloc(1, sizeof(*r)) : NULL;
	if (!r) {
		os->usage_key[0] = '\0';	/* asked again later */
		return;
	}
	r->os = os;
	snprintf(r->key, sizeof(r->key), "%s", os->usage_key);
	os->usage_loading = true;
	pg_store_op_usage(ps, r->key, &r->u, outbound_pg_usage_read, r);
}

/* ---- the lease while sending ---- */

static int64_t outbound_pg_renew_every(const struct outbound *ob)
{
	return ob->cfg->lease_ms / 3 > 0 ? ob->cfg->lease_ms / 3 : 1000;
}

struct outbound_pg_renewal {
	struct ob_sim *os;
	int64_t id, attempt_id;
};

static void outbound_pg_renewed(int rc, void *ud)
{
	struct outbound_pg_renewal *r = ud;
	const struct outbox_msg *m = &r->os->msg;

	/* The send goes on (the modem has the PDU); what it records will be
	 * -ESTALE and dropped. A renewal that crossed the message's own
	 * sent record is stale too, and says nothing. */
	if (rc == -ESTALE && r->os->sim->sending && !r->os->recording &&
	    m->id == r->id && m->attempt_id == r->attempt_id)
		log_warn("outbound: message %lld: the lease of attempt %lld "
			 "lapsed; another box may send it",
			 (long long)r->id, (long long)r->attempt_id);
	free(r);
}

static int64_t outbound_pg_on_renew(struct loop_timer *t, void *ud)
{
	struct ob_sim *os = ud;
	struct pg_store *ps = store_pg(os->ob->store);
	struct outbound_pg_renewal *r;

	(void)t;
	if (!os->sim->sending || !os->msg.id || !ps)
		return LOOP_TIMER_DONE;
	/* Its "sent" is with the store, ahead of any renewal now (one
	 * connection, in order): a renewal would find it sent, not ours. */
	if (os->recording)
		return outbound_pg_renew_every(os->ob);
	r = calloc(1, sizeof(*r));
	if (r) {
		*r = (struct outbound_pg_renewal){
			.os = os, .id = os->msg.id,
			.attempt_id = os->msg.attempt_id };
		pg_store_op_renew(ps, &os->msg, ob_now(os->ob),
				  outbound_pg_renewed, r);
	}
	return outbound_pg_renew_every(os->ob);
}

void ob_lease_start(struct ob_sim *os)
{
	if (!store_is_pg(os->ob->store))
		return;
	if (os->renew.cb != outbound_pg_on_renew) {
		loop_timer_disarm(&os->renew);
		loop_timer_init(os->ob->loop, &os->renew,
				outbound_pg_on_renew, os);
	}
	loop_timer_arm(&os->renew, outbound_pg_renew_every(os->ob));
}

void ob_lease_stop(struct ob_sim *os)
{
	loop_timer_disarm(&os->renew);
}

/* ---- a sent record that failed ---- */

static void outbound_pg_unsaved_done(int rc, void *ud)
{
	struct outbound *ob = ud;
	const struct ob_unsaved *u = &ob->unsaved[0];

	ob->unsaved_out = false;
	if (rc < 0 && rc != -ESTALE)
		return;		/* the timer tries again */
	if (rc == -ESTALE)
		log_warn("outbound: message %lld was sent, but another box "
			 "owns it now: not recorded", (long long)u->id);
	else
		log_notice("outbound: message %lld recorded as sent on a "
			   "retry", (long long)u->id);
	memmove(&ob->unsaved[0], &ob->unsaved[1],
		--ob->nunsaved * sizeof(ob->unsaved[0]));
	if (ob->nunsaved)
		loop_timer_arm(&ob->unsaved_timer, 0);
	else
		ob->unsaved_round = 0;
}

bool ob_pg_save_unsaved(struct outbound *ob)
{
	const struct ob_unsaved *u = &ob->unsaved[0];
	struct outbox_msg *m = &ob->unsaved_msg;

	if (!ob->nunsaved)
		return true;
	if (ob->unsaved_out || !store_ready(ob->store))
		return false;
	*m = (struct outbox_msg){ .id = u->id, .attempt_id = u->attempt_id };
	snprintf(m->recipient, sizeof(m->recipient), "%s", u->recipient);
	ob->unsaved_out = true;
	store_op_part_sent(ob->store, &(struct store_sent){
		.msg = m, .sim_id = u->sim_id, .usage_key = u->usage_key,
		.seq = u->seq, .mr = u->mr, .last = true, .now = u->at },
		outbound_pg_unsaved_done, ob);
	return false;
}
