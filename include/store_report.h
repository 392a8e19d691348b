/*
 * store_report — the figures of the status page (GET /) and of `smsgw
 * report`'s charts, as structs: the SIMs with their quota, the queue,
 * parts sent per minute, recent errors, and a campaign's funnel.
 * (The report's tables and `smsgw stats` print whole rows: they are
 * named queries of store_query.h.)
 */
#ifndef SMSGW_STORE_REPORT_H
#define SMSGW_STORE_REPORT_H

#include <stdbool.h>
#include <stdint.h>

struct store;

/* A SIM as the status page shows it; strings NULL when unknown. */
struct store_report_sim {
	const char *name, *state, *number, *operator;
	bool has_signal;
	int signal;		/* dBm */
	int sent_today, daily_limit;	/* 0: no limit */
};

/* Calls cb for every SIM by id; strings are valid during the call.
 * 0 or -EIO. */
int store_report_sims(struct store *st,
		      void (*cb)(void *ud, const struct store_report_sim *s),
		      void *ud);

/* The messages waiting, one count a state. */
struct store_report_queue {
	int queued, deferred, sending;
};
/* 0 with *q filled, or -EIO. */
int store_report_queue(struct store *st, struct store_report_queue *q);

/* Parts sent in each of the 60 minutes from start (ms): per_minute[i]
 * for the minute starting at start + i minutes. 0 or -EIO. */
int store_report_rate(struct store *st, int64_t start, int per_minute[60]);

/* An error or a warning of the events view, newest first. */
struct store_report_error {
	const char *at, *level, *source, *message;
};
/* Calls cb for the last ten. 0 or -EIO. */
int store_report_errors(struct store *st,
			void (*cb)(void *ud,
				   const struct store_report_error *e),
			void *ud);

/* A campaign's funnel: messages, sent (or delivered), delivered, failed
 * (failed, expired, unknown) and the messages that got a reply. */
struct store_report_funnel {
	const char *name, *state;	/* store_report_campaigns() only */
	int messages, sent, delivered, failed, replied;
};
/* Calls cb for the newest n campaigns, newest first. 0 or -EIO. */
int store_report_campaigns(struct store *st, int n,
			   void (*cb)(void *ud,
				      const struct store_report_funnel *f),
			   void *ud);
/* The funnel of campaign id into *f (name and state NULL). 1, 0 when
 * it has no row, -EIO. */
int store_report_funnel(struct store *st, int64_t id,
			struct store_report_funnel *f);

/* Messages of campaign id sent per hour (UTC), oldest first: cb with
 * the hour as "MM-DD HH:00" and the count; cb returns non-zero to stop.
 * 0 or -EIO. */
int store_report_per_hour(struct store *st, int64_t id,
			  int (*cb)(void *ud, const char *hour, int count),
			  void *ud);

/* For every delivered message of campaign id, cb with the ms from sent
 * to delivered. 0 or -EIO. */
int store_report_delivery(struct store *st, int64_t id,
			  void (*cb)(void *ud, int64_t ms), void *ud);

#endif
