/*
 * reasm — reassembly of concatenated inbound SMS (TS 23.040 §9.2.3.24.1,
 * 8-bit reference, and §9.2.3.24.8, 16-bit reference) as pure decisions
 * over the stored parts of one key. Pure: no I/O, no clock (now is passed
 * in), no globals, no logging.
 *
 * The parts live in SQLite (table inbound_part) so that they survive a
 * restart. The glue loads every part of a key, asks reasm what a new part
 * means (reasm_add) or whether the open group has waited long enough
 * (reasm_expired), and stores the answer:
 *
 *	verdict		the new part is stored	and the glue then
 *	WAIT		waiting			arms its timer for out->due
 *	COMPLETE	waiting			inserts the inbox row with
 *						out->text; every waiting part
 *						of the key, the new one too,
 *						becomes assembled with that
 *						row's id
 *	AMEND		assembled, message_id	updates that inbox row (body,
 *						parts, partial): never a
 *						second message
 *	DUPLICATE	not stored		nothing (the raw PDU is kept)
 *	ORPHAN		orphan			nothing; out->reason says why
 *	PARTIAL		(reasm_expired only)	inserts the inbox row with
 *						out->text flagged partial;
 *						every waiting part of the key
 *						becomes assembled with it
 *
 * Key: (SIM, sender, reference, total). 8-bit and 16-bit references are
 * different spaces (a phone may use both); reasm_key_ref() folds the IEI
 * into the stored reference so that ref 7 of IEI 0x00 never meets ref 7 of
 * IEI 0x08. The total is part of the key: a part whose total differs from
 * another's is another message.
 *
 * Groups inside one key:
 *  - the open group: the parts in state WAITING (message_id 0). reasm keeps
 *    at most one per sequence number, so they are always one message;
 *  - released messages: the parts that share a message_id. A released
 *    message missing parts (released by timeout) takes late parts as
 *    amendments for opts->amend_ms after its first part arrived;
 *  - orphans: parts that fit nowhere; kept for triage, never assembled.
 *
 * A new part is, in order:
 *  1. a DUPLICATE if a stored part (of any state) has the same sequence
 *     number and the same text and arrived within amend_ms: the network
 *     retransmits, and a modem re-read after a restart repeats itself;
 *  2. an ORPHAN if its sequence number is 0 or above the total, or the total
 *     is 0 (TS 23.040 §9.2.3.24.1 says to ignore such an IE; we keep the
 *     text where an operator can see it rather than guess);
 *  3. with an open group: an ORPHAN if the group holds another text for
 *     that sequence number, else it joins (COMPLETE when every number is
 *     there, else WAIT);
 *  4. without one: an AMEND of the newest released message that lacks this
 *     sequence number and is still within amend_ms;
 *  5. else the first part of a new open group (a reference the phone has
 *     reused): WAIT, or COMPLETE when total is 1.
 *
 * Assembled text: the parts' texts in sequence order. A missing part
 * is shown as the marker "[missing part K/N]" (REASM_MISSING_FMT), so a
 * partial message reads "Hello wor[missing part 2/3]see you".
 */
#ifndef SMSGW_REASM_H
#define SMSGW_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REASM_MAX_PARTS 255
#define REASM_MISSING_FMT "[missing part %d/%d]"

/* Defaults: 10 minutes as gammu's 600 s; late parts accepted for a day. */
#define REASM_TIMEOUT_DEFAULT_MS (10 * 60 * 1000LL)
#define REASM_AMEND_DEFAULT_MS (24 * 3600 * 1000LL)

enum reasm_state {
	REASM_STATE_WAITING,	/* in the open group */
	REASM_STATE_ASSEMBLED,	/* part of the message message_id */
	REASM_STATE_ORPHAN,	/* fits no group */
};

/* "waiting", "assembled", "orphan": the values of inbound_part.state. */
const char *reasm_state_name(enum reasm_state s);
bool reasm_state_parse(const char *s, enum reasm_state *out);

struct reasm_part {
	int64_t id;		/* the glue's row id; reasm never reads it */
	int64_t received_at;	/* ms since the epoch */
	int total;		/* as in the IE: 1–255 (0 only in orphans) */
	int seq;		/* as in the IE */
	const char *text;	/* borrowed UTF-8 text of this part */
	enum reasm_state state;
	int64_t message_id;	/* the inbox row once assembled, else 0 */
};

struct reasm_opts {
	int64_t timeout_ms;	/* open group released partial after this */
	int64_t amend_ms;	/* late parts amend a partial message for
				   this long after its first part */
};

/* Fills the defaults above. */
void reasm_opts_init(struct reasm_opts *o);

enum reasm_verdict {
	REASM_VERDICT_WAIT,
	REASM_VERDICT_COMPLETE,
	REASM_VERDICT_AMEND,
	REASM_VERDICT_DUPLICATE,
	REASM_VERDICT_ORPHAN,
	REASM_VERDICT_PARTIAL,
};

/* "wait", "complete", "amend", "duplicate", "orphan", "partial" */
const char *reasm_verdict_name(enum reasm_verdict v);

struct reasm_result {
	enum reasm_verdict verdict;
	enum reasm_state new_state;	/* how to store the new part (not
					   at all for DUPLICATE) */
	int64_t message_id;	/* AMEND: the inbox row to update */
	char *text;		/* COMPLETE, AMEND, PARTIAL: malloc'd */
	int total;		/* of the message */
	int present;		/* distinct parts in it */
	bool partial;		/* parts still missing */
	int nmissing;
	uint8_t missing[REASM_MAX_PARTS]; /* their numbers, ascending */
	int64_t due;		/* WAIT: when to call reasm_expired(); else 0 */
	char reason[96];	/* ORPHAN: why; else "" */
};

/* The value stored in inbound_part.ref: 8-bit refs as they are, 16-bit refs
 * above 0xffff so the two spaces never meet. */
int32_t reasm_key_ref(uint16_t ref, bool ref16);

/*
 * Decides what the new part np means, given every stored part of its key
 * (existing, n; any state, any order; the glue may leave out parts older
 * than amend_ms). np->received_at is taken as now. Returns false only when
 * memory runs out; then out is cleared. The caller frees out with
 * reasm_result_free().
 */
bool reasm_add(const struct reasm_part *existing, size_t n,
	       const struct reasm_part *np, const struct reasm_opts *opts,
	       struct reasm_result *out);

/*
 * Releases the open group of a key when its first part arrived
 * opts->timeout_ms or more before now: PARTIAL with the text and the
 * missing numbers. Otherwise WAIT with out->due set, or WAIT with due 0
 * when the key has no open group. false only when memory runs out.
 */
bool reasm_expired(const struct reasm_part *existing, size_t n, int64_t now,
		   const struct reasm_opts *opts, struct reasm_result *out);

/*
 * Builds the text of parts (any order, one per sequence number) for a
 * message of total parts, with the marker for each missing number. Returns
 * a malloc'd string or NULL when memory runs out.
 */
char *reasm_text(const struct reasm_part *const *parts, size_t n, int total);

void reasm_result_free(struct reasm_result *r);

#endif
