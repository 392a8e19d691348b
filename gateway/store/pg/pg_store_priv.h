/* pg_store_priv — what pg_store.c (the queue) and pg_store_box.c (what a
 * box records beside it) share. */
#ifndef SMSGW_PG_STORE_PRIV_H
#define SMSGW_PG_STORE_PRIV_H

#include "store_pg.h"
#include "pg_conn.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

struct pg_store {
	struct pg_conn *conn;
	char box[64];
	int64_t lease_ms;
	bool resend_direct, resend_bulk;
};

/* Text parameters for one statement; numbers are printed into slots. */
#define PG_PARAMS_MAX 48
struct pg_params {
	const char *v[PG_PARAMS_MAX];
	char num[PG_PARAMS_MAX][24];
	int n;
};

/* What an operation waits for: its caller's callback and out pointers. */
struct pg_op {
	struct pg_store *ps;
	store_done_fn done;
	void *ud;
	int64_t *id;
	struct outbox_msg *out;
	const struct store_sent *sent;	/* part_sent with a next claim */
	struct store_sent sent_copy;
	struct outbox_claim next;
	/* claim: the request, kept for claiming again after a message held
	 * for quiet hours (outbox_claim.hold) */
	struct outbox_claim claim;
	char pool[64];
	int holds;
	/* accept */
	int pending;			/* statements not answered yet */
	int first_rc;
	bool duplicate;
};

void pg_param_text(struct pg_params *p, const char *s);
void pg_param_int(struct pg_params *p, int64_t x);
void pg_param_int_or_null(struct pg_params *p, int64_t x, int64_t none);
struct pg_op *pg_op_new(struct pg_store *ps, store_done_fn done, void *ud);
void pg_op_finish(struct pg_op *op, int rc);
int pg_rc(int rc, const char *what, const char *err);
void pg_store_send(struct pg_store *ps, const char *sql,
		   const struct pg_params *p, pg_result_fn fn, struct pg_op *op);
int64_t pg_first_int(PGresult *res);
/* Answers with the first column as the id; with the fenced result of a
 * recorded outcome. */
void pg_store_id_done(int rc, PGresult *res, const char *err, void *ud);
void pg_record_done(int rc, PGresult *res, const char *err, void *ud);
/*
 * One transaction for a file's rows, sent back to back without waiting:
 * BEGIN, head, one smsgw_add() per message req->produce gives, tail (NULL:
 * none), COMMIT — or ROLLBACK when produce fails. op answers 0, 1 (head
 * was smsgw_file_begin() and found a duplicate), -EBADMSG or -EIO.
 */
void pg_store_file_txn(struct pg_op *op, const char *head,
		       const struct pg_params *hp,
		       const struct store_accept *req, const char *tail,
		       const struct pg_params *tp);
/* done's rc is the function's integer result. */
void pg_count_done(int rc, PGresult *res, const char *err, void *ud);
void pg_param_bool(struct pg_params *p, bool b);

#endif
