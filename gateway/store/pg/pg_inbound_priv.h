/* pg_inbound_priv — what pg_store_inbound.c (a PDU: decide, write) and
 * pg_store_reasm.c (fragments, the reassembly timeout) share. */
#ifndef SMSGW_PG_INBOUND_PRIV_H
#define SMSGW_PG_INBOUND_PRIV_H

#include "pg_store_priv.h"

/*
 * Reads again after this many 'stale' answers, then gives up (the modem
 * keeps the PDU and it comes back). All the parts of one message in
 * flight at once (a modem's stored messages listed at start) each win
 * one round: the k-th part is written at its k-th try.
 */
#define PG_IB_TRIES 64
#define PG_IB_SHORT_CODE_DIGITS 7

struct pg_ib {
	struct pg_op op;
	struct store_inbound_out *out;
	const struct sim *sim;
	char *pdu_hex, *error, *sender, *scts, *text;
	const char *sender_type;
	int64_t now, reply_expire_ms;
	struct reasm_opts ro;
	store_classify_fn classify;
	void *classify_ud;
	/* a fragment (or the key a timeout releases) */
	bool fragment;
	int32_t ref;
	int ftotal, seq;
	int64_t since;
	char mark[64];
	int tries;
	/* the decision being written */
	const char *fstate, *verdict;
	char freason[96];
	int64_t fmsg;
	struct store_inbound_msg m;
	char *body;			/* assembled text, m.body */
	struct store_inbound_actions a;
	/* the fragment as stored: text (lone surrogates as U+FFFD) and its
	 * exact WTF-8 bytes as a bytea literal, NULL when they are the same */
	char *fbody, *fwtf8;
	/* the timeout */
	struct sim_registry *reg;
	struct inbox_key *keys;
	size_t nkeys, ki;
};

/* A UCS-2 fragment as WTF-8 (store_ops_inbound.c does the same in
 * SQLite); after assembly, surrogate pairs joined, lone ones U+FFFD. */
void pg_ib_ucs2_fragment(const uint8_t *in, size_t n, char *out, size_t size);
void pg_ib_join_surrogates(char *s);
char *pg_ib_fragment_text(const char *wtf8, char **hex);

struct pg_ib *pg_ib_new(struct pg_store *ps, struct store_inbound_out *out,
			store_done_fn done, void *ud);
/* Forgets the decision; ends the operation (rc < 0: out emptied). */
void pg_ib_reset(struct pg_ib *x);
void pg_ib_finish(struct pg_ib *x, int rc);
/* m classified into x->a, to deliver; writes the decision. */
int pg_ib_classify(struct pg_ib *x);
void pg_ib_write(struct pg_ib *x);
/* Reads the key's parts and decides (pg_store_reasm.c); the timeout's
 * next key; a step that failed; the current key's parts as orphans. */
void pg_ib_read(struct pg_ib *x);
void pg_ib_next_key(struct pg_ib *x);
void pg_ib_fail(struct pg_ib *x, int rc);
void pg_ib_orphan_key(struct pg_ib *x, const char *why);

#endif
