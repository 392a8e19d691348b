/*
 * store_inbox — the incoming side of the database: raw PDUs (kept for
 * triage and to recognise a message read twice), multipart fragments, the
 * inbox rows, and opt-outs. Like store_outbox, each function joins the
 * caller's transaction or runs in its own.
 */
#ifndef SMSGW_STORE_INBOX_H
#define SMSGW_STORE_INBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reasm.h"

struct store;

/*
 * Records a received PDU. Returns 1 when it is new (*raw_id set), 0 when
 * this SIM card already delivered exactly this PDU (a re-read after a
 * restart, or a network retransmission), or -EIO.
 */
int store_inbox_raw(struct store *st, int64_t sim_id, const char *iccid,
		    const char *pdu, int64_t now, int64_t *raw_id);
int store_inbox_raw_error(struct store *st, int64_t raw_id, const char *error);

/* The stored parts of one reassembly key received since `since`. */
struct inbox_parts {
	struct reasm_part *parts;
	size_t n;
	char **texts;		/* owned copies behind parts[i].text */
};
int store_inbox_parts(struct store *st, int64_t sim_id, const char *sender,
		      int32_t ref, int total, int64_t since,
		      struct inbox_parts *out);
void store_inbox_parts_free(struct inbox_parts *p);

/* reason: why an orphan is one, NULL otherwise. */
int store_inbox_add_part(struct store *st, int64_t sim_id, const char *sender,
			 int32_t ref, int total, int seq, const char *body,
			 int64_t raw_id, enum reasm_state state,
			 int64_t message_id, const char *reason, int64_t now);
/* Every waiting part of the key now belongs to message_id. */
int store_inbox_assign_parts(struct store *st, int64_t sim_id,
			     const char *sender, int32_t ref, int total,
			     int64_t message_id);

/* The waiting parts of a key become orphans (kept, never assembled). */
int store_inbox_orphan_key(struct store *st, int64_t sim_id,
			   const char *sender, int32_t ref, int total,
			   const char *reason);

/* A key with an open group, for the reassembly timeout. */
struct inbox_key {
	int64_t sim_id;
	char sender[48];
	int32_t ref;
	int total;
};
/* Keys whose oldest waiting part arrived at or before `before`. */
int store_inbox_open_keys(struct store *st, int64_t before,
			  struct inbox_key **keys, size_t *n);
/* The arrival time of the oldest waiting part, or 0. */
int64_t store_inbox_oldest_waiting(struct store *st);

struct inbox_new {
	const char *sender;
	const char *sender_type;
	const char *recipient;	/* the SIM's own number, NULL if unknown */
	int64_t sim_id;
	const char *body;
	int parts, total;
	bool partial;
	const char *keyword;	/* NULL: none */
	int64_t in_reply_to;	/* 0: none */
	const char *scts;
	int32_t concat_ref;	/* -1: not concatenated */
};
int store_inbox_add(struct store *st, const struct inbox_new *m, int64_t now,
		    int64_t *id);
int store_inbox_amend(struct store *st, int64_t id, const char *body,
		      int parts, bool partial, int64_t now);

/* What an event about a received message tells (smstools3's eventhandler
 * files); fields stay as they were when id is not found. */
struct inbox_info {
	char imsi[24], imei[24], scts[40];
	int64_t received_at;
};
void store_inbox_info(struct store *st, int64_t id, struct inbox_info *in);

/* The last message sent to number (the one a reply answers), or 0. */
int64_t store_inbox_last_sent(struct store *st, const char *number);
/* Automatic replies (opt-out/opt-in confirmations, HELP, rule replies)
 * queued to number since the given time; -EIO on a database error. */
int store_inbox_auto_replies(struct store *st, const char *number,
			     int64_t since);

/* ---- opt-outs ---- */

/*
 * Opts number out (source "keyword" or "manual"; how "exact" or "broad" for
 * keywords, NULL otherwise). *was_active tells whether it already was.
 * Queued and deferred messages to the number become suppressed;
 * *suppressed counts them.
 */
int store_optout_add(struct store *st, const char *number,
		     const char *keyword, int64_t sim_id, const char *source,
		     const char *how, int64_t now, bool *was_active,
		     int *suppressed);
/* Opts number back in; *was_active tells whether it was opted out. */
int store_optout_remove(struct store *st, const char *number, int64_t now,
			bool *was_active);
/* 1 opted out, 0 not, -EIO. */
int store_optout_active(struct store *st, const char *number);

#endif
