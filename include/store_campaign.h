/*
 * store_campaign — campaigns as `smsgw campaign` and the HTTP API see
 * them: a campaign's id, and pause, resume and cancel (their counts are
 * the named queries STORE_Q_CAMPAIGN* of store_query.h).
 */
#ifndef SMSGW_STORE_CAMPAIGN_H
#define SMSGW_STORE_CAMPAIGN_H

#include <stdint.h>

struct store;

/* The id of the campaign called name: 0 when there is none, -EIO. */
int64_t store_campaign_id(struct store *st, const char *name);

/*
 * Pause (hold its queued and deferred messages), resume (release them) or
 * cancel (end those not yet handed to a modem) campaign id, in one
 * transaction, with an events row naming who. 0 with *changed messages,
 * -EINVAL for another verb, -EIO.
 */
int store_campaign_apply(struct store *st, int64_t id, const char *name,
			 const char *verb, const char *who, int *changed);

#endif
