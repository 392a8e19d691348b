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

#include "store_claim.h"
#include "store_outcome.h"
#include "store_staging.h"

#endif
