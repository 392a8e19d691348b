/*
 * store_campaign — campaigns as `smsgw campaign` and the HTTP API see
 * them: the counts of one campaign, and pause, resume and cancel.
 */
#ifndef SMSGW_STORE_CAMPAIGN_H
#define SMSGW_STORE_CAMPAIGN_H

#include <stdint.h>

struct store;

/* A campaign's counts in one pass over its messages: name, state,
 * created_at, total, pending, sent, delivered, failed, not_sent. */
#define STORE_CAMPAIGN_ROWS                                              \
	"SELECT c.name, c.state,"                                        \
	" strftime('%Y-%m-%dT%H:%M:%fZ', c.created_at / 1000.0,"         \
	" 'unixepoch') AS created_at, count(m.id) AS total,"             \
	" coalesce(sum(m.state IN ('queued', 'deferred', 'sending')), 0)" \
	" AS pending,"                                                   \
	" coalesce(sum(m.state IN ('sent', 'delivered')), 0) AS sent,"   \
	" coalesce(sum(m.state = 'delivered'), 0) AS delivered,"         \
	" coalesce(sum(m.state IN ('failed', 'expired', 'unknown')), 0)" \
	" AS failed,"                                                    \
	" coalesce(sum(m.state IN ('suppressed', 'cancelled')), 0)"      \
	" AS not_sent"                                                   \
	" FROM campaign c LEFT JOIN message m ON m.campaign_id = c.id"

/* One campaign's row of STORE_CAMPAIGN_ROWS; ?1 is its name. */
#define STORE_CAMPAIGN_SHOW STORE_CAMPAIGN_ROWS " WHERE c.name = ?1 GROUP BY c.id"

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
