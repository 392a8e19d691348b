/*
 * store_outbox — the outgoing side of the database: accepting spool files
 * and messages, claiming the next message for a SIM, recording results,
 * matching status reports, and the SIM usage counters.
 *
 * Every function that changes rows runs inside store_begin()/store_commit()
 * of its own unless the caller already holds a transaction (nesting is
 * counted), so callers can group "mark sent + claim next" in one commit.
 */
#ifndef SMSGW_STORE_OUTBOX_H
#define SMSGW_STORE_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg_state.h"

struct store;

enum msg_kind {
	MSG_KIND_DIRECT,
	MSG_KIND_BULK,
};

enum msg_priority {
	MSG_PRIORITY_HIGH,
	MSG_PRIORITY_NORMAL,
	MSG_PRIORITY_LOW,
};

const char *msg_kind_name(enum msg_kind k);

/* A message to accept. Strings are borrowed. */
struct outbox_new {
	const char *recipient;		/* E.164 or short code */
	const char *body;		/* UTF-8 */
	enum msg_kind kind;
	enum msg_priority priority;
	int64_t campaign_id;		/* 0: none */
	int64_t not_before;		/* ms since the epoch; 0: now */
	int64_t expires_at;		/* ms since the epoch; 0: never */
	const char *pool;		/* NULL/"": any; see outbound.c */
	int64_t pin_sim_id;		/* 0: not pinned */
	const char *pin_sim;		/* the SIM: header as written */
	bool report, flash, ucs2;
	int language;			/* enum sms_language */
	int max_attempts;		/* 0: the config's max_attempts */
	int validity_minutes;		/* -1: none */
	int parts;
	const char *origin;		/* "spool", "optout-reply", … */
	int64_t in_reply_to;		/* inbox id, 0: none */
	/* smstools3 headers (spool_parse.h); zero means absent. */
	const char *smsc;		/* "+…": the PDU's SCA */
	const char *from;		/* From:, recorded only */
	bool has_class, has_autosplit;
	int msg_class;			/* Class: 0–3 */
	int autosplit;			/* Autosplit: 0–3 */
	unsigned pdu_flags;		/* OUTBOX_PDU_* */
	int replace;			/* 1–7: TP-PID 0x41–0x47 */
	bool staging;			/* held until the file is whole */
};

#define OUTBOX_PDU_REJECT_DUPLICATES 1u	/* TP-RD */
#define OUTBOX_PDU_REPLY_PATH 2u		/* TP-RP */

enum outbox_add_result {
	OUTBOX_ADDED_QUEUED,
	OUTBOX_ADDED_DEFERRED,
	OUTBOX_ADDED_SUPPRESSED,	/* opted out at acceptance */
};

/* Starts accepting a spool file (name as dropped, claim as renamed into
 * active/). *duplicate when its Id: was seen. */
int store_outbox_file_begin(struct store *st, const char *name,
			    const char *claim, const char *hash,
			    const char *idem_key, int64_t now,
			    int64_t *file_id, bool *duplicate);
int store_outbox_file_done(struct store *st, int64_t file_id,
			   long recipients, long duplicates);
/* True when the file claimed under this name was accepted. */
bool store_outbox_file_claimed(struct store *st, const char *claim);

/*
 * Big files, taken in over several transactions (store_staging.c). The
 * file is checked whole before its first row, so its rows go in as a
 * small file's would (queued, deferred, held, suppressed), many to a
 * statement, and spool_file.staging says how far the file got. Older
 * versions staged rows under hold 'staging' (outbox_new.staging) and
 * released them once the file was whole: a database such a daemon left
 * mid-intake is still finished (release, purge).
 */
enum store_staging {
	STORE_STAGING_NONE = -1,	/* no such file */
	STORE_STAGING_DONE = 0,
	STORE_STAGING_ADDING = 1,	/* checked; rows being added, the
					   claim kept until the last one */
	STORE_STAGING_RELEASING = 2,	/* older versions: accepted, hidden
					   rows being released */
};
/* Rows the file has so far (a restart resumes after them), or -EIO. */
int64_t store_staging_count(struct store *st, int64_t file_id);
/* The recipient of the file's last row (its highest id): 1 with it in
 * buf, 0 when the file has no row, -EIO. */
int store_staging_last(struct store *st, int64_t file_id, char *buf,
		       size_t size);
/* 1 when some row of the file waits under the old hold 'staging', 0 not,
 * -EIO. */
int store_staging_hidden(struct store *st, int64_t file_id);
/* 1 when no opt-out is active and no number was forgotten: the rows of
 * this transaction need no lookup each. 0 otherwise, -EIO. */
int store_staging_no_optouts(struct store *st);
/* 1 when the campaign is paused now, 0 not, -EIO. */
int store_staging_campaign_paused(struct store *st, int64_t campaign_id);
/* Rows of a big file, many to a statement: what differs per row (the
 * strings must live until the call returns); out: 1 opted out (the row
 * is suppressed; store_outbox_opted_out() decided). */
struct store_staging_row {
	const char *recipient, *body;
	int parts;
	bool out;
};
#define STORE_STAGING_BATCH 64
/* Adds n rows (any n) of the file as store_outbox_add() would add each
 * with base (its recipient, body and parts ignored) in the caller's
 * transaction. 0 or -EIO. */
int store_staging_add(struct store *st, int64_t file_id,
		      const struct outbox_new *base, bool campaign_paused,
		      int64_t now, const struct store_staging_row *rows,
		      size_t n);
/* The staging state of the file claimed as claim (and its id). */
int store_staging_of_claim(struct store *st, const char *claim,
			   int64_t *file_id);
int store_staging_set(struct store *st, int64_t file_id, int staging);
/* Releases up to limit staged rows of the file (queued, deferred or held
 * for a paused campaign, as a small file's rows would be). Returns how
 * many, or -EIO. */
int store_staging_release(struct store *st, int64_t file_id, int64_t now,
			  int limit);
/* Deletes up to limit staged rows; with none left, the file's row.
 * Returns how many rows, or -EIO. */
int store_staging_purge(struct store *st, int64_t file_id, int limit);
/* A file being released (after a restart); 0 when none, or -EIO. */
int64_t store_staging_next_release(struct store *st);

/* Finds or creates a campaign; *paused tells if it is on hold. */
int store_outbox_campaign(struct store *st, const char *name, int64_t now,
			  int64_t *id, bool *paused);

enum outbox_campaign_action {
	OUTBOX_CAMPAIGN_PAUSE,		/* waiting messages deferred, held */
	OUTBOX_CAMPAIGN_RESUME,		/* held messages released */
	OUTBOX_CAMPAIGN_CANCEL,		/* waiting messages cancelled */
};
/* Pauses, resumes or cancels campaign id and its messages, in the
 * caller's transaction or its own. Returns the number of messages it
 * changed, or -EIO. */
int store_outbox_campaign_set(struct store *st, int64_t id,
			      enum outbox_campaign_action a, int64_t now);

/*
 * A person's move of message id (smsgw outbox cancel|resend): ev is
 * MSG_EVENT_CANCEL or MSG_EVENT_REQUEUE, checked against the transition
 * table (msg_may) for the state the message is in, which *was is set to.
 * Writes the event row in the same transaction (its own, or the
 * caller's). 1 moved, 0 the table has no such move from *was (nothing
 * changed), -ENOENT no such message, -EINVAL another event, -EIO.
 */
int store_outbox_by_hand(struct store *st, int64_t id, enum msg_event ev,
			 int64_t now, enum msg_state *was);

int store_outbox_add(struct store *st, int64_t file_id,
		     const struct outbox_new *m, bool campaign_paused,
		     int64_t now, int64_t *id, enum outbox_add_result *res);

/* A row that arrived (INSERT INTO outbox, origin "sql" or "gammu") but
 * cannot be queued: kept as failed with why, so the writer sees it. */
int store_outbox_add_refused(struct store *st, const char *recipient,
			     const char *body, const char *origin,
			     const char *why, int64_t now);

/* Removes intake row seq (INSERT INTO outbox, taken by sqlin). */
int store_outbox_intake_done(struct store *st, int64_t seq);

/* What an event about an outgoing message tells (smstools3's
 * eventhandler files): -1 for an unknown mr or status. */
struct outbox_info {
	char recipient[40], modem[80], imsi[24], imei[24], campaign[140];
	char from[140], error[300];
	int report, mr, status;
	int64_t sent_at, report_at;
};
/* Fills *o and *body (malloc'd) for message id; -ENOENT, -ENOMEM, -EIO. */
int store_outbox_info(struct store *st, int64_t id, struct outbox_info *o,
		      char **body);

/* A claimed message, ready to encode and send. */
struct outbox_msg {
	int64_t id;
	char recipient[32];
	char *body;			/* malloc'd; outbox_msg_clear() */
	enum msg_kind kind;
	bool report, flash, ucs2;
	int language;
	int max_attempts;		/* 0: the config's */
	int validity_minutes;
	int parts;
	int parts_sent;			/* parts that already went out */
	bool pinned;			/* SIM: pinned it to one SIM */
	int attempts;			/* including this one */
	int concat_ref;
	int64_t attempt_id;
	char origin[32];
	char smsc[24];			/* "" : the SIM's */
	int msg_class;			/* -1: none */
	int autosplit;			/* -1: concatenated */
	unsigned pdu_flags;
	int replace;
};

void outbox_msg_clear(struct outbox_msg *m);

/* 1 when number is opted out for a message of this origin, 0, or -EIO.
 * Automatic replies that must reach an opted-out number pass: the one
 * confirmation of the opt-out and the answer to HELP. */
int store_outbox_opted_out(struct store *st, const char *origin,
			   const char *number);

/* Part seq (1-based) went out with message reference mr; the part counts
 * against the SIM card's usage (usage_key: ICCID or "sim:<id>"). */
int store_outbox_part_sent(struct store *st, const struct outbox_msg *m,
			   int64_t sim_id, const char *usage_key, int seq,
			   int mr, int64_t now);
/* Every part went out: sent, and the sticky sender updated. */
int store_outbox_sent(struct store *st, const struct outbox_msg *m,
		      int64_t sim_id, int64_t now);
/* The SIM that last talked with number (either way), for sticky sending. */
int store_outbox_touch_sticky(struct store *st, const char *number,
			      int64_t sim_id, int64_t now);
/* Try again at not_before (deferred), with the reason in error; until
 * avoid_until, SIMs other than avoid_sim (0: none) get it first. */
int store_outbox_retry(struct store *st, const struct outbox_msg *m,
		       int64_t not_before, bool count_attempt,
		       int64_t avoid_sim, int64_t avoid_until,
		       const char *error, int64_t now);
/* A final state: ev is MSG_EVENT_FAIL, MSG_EVENT_EXPIRE or
 * MSG_EVENT_OPT_OUT. */
int store_outbox_fail(struct store *st, const struct outbox_msg *m,
		      enum msg_event ev, const char *error, int64_t now);
/* No answer after the PDU: "unknown", or queued again when resend. */
int store_outbox_unknown(struct store *st, const struct outbox_msg *m,
			 bool resend, const char *error, int64_t now);

/* At start: every sending row becomes unknown and the policy applies.
 * Returns the number of rows, or -EIO. */
int store_outbox_recover(struct store *st, bool resend_direct,
			 bool resend_bulk, int64_t now);

/* Deferred rows whose time has come become queued; returns how many. */
int store_outbox_promote(struct store *st, int64_t now);
/* Queued or deferred rows past their expiry become expired. */
int store_outbox_expire(struct store *st, int64_t now);
/* The earliest time something deferred or expiring needs us; 0 if none. */
int64_t store_outbox_next_due(struct store *st);
/* Defers queued bulk messages whose pool key is exactly pool_key ('' for
 * unpooled, a pool name, or '@<sim id>') until not_before. Returns how
 * many, or -EIO. */
int store_outbox_defer_pool(struct store *st, const char *pool_key,
			    int64_t not_before, const char *why, int64_t now);

/*
 * A status report for (sim, mr, recipient) within window_ms of sending.
 * Sets *msg_id (0 if unmatched) and *final when the message reached
 * delivered or failed.
 */
int store_outbox_report(struct store *st, int64_t sim_id, int mr,
			const char *recipient, int status, int64_t now,
			int64_t window_ms, const char *pdu, int64_t *msg_id,
			const char **new_state);

/* Sends counted for a SIM card (by usage key: ICCID or "sim:<id>"). */
struct outbox_usage {
	char day[11];			/* YYYY-MM-DD, local */
	int sent_day;
	char month[8];			/* YYYY-MM, local */
	int sent_month;
	int64_t last_send_at;
};
int store_outbox_usage(struct store *st, const char *usage_key,
		       struct outbox_usage *u);
/* Local day and month of ms. */
void store_outbox_local_day(int64_t ms, char day[11], char month[8]);

#include "store_claim.h"

#endif
