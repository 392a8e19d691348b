/*
 * store_ops_priv — what store_ops.c and store_ops_stage.c (the SQLite
 * backend of include/store_ops.h) share.
 */
#ifndef SMSGW_STORE_OPS_PRIV_H
#define SMSGW_STORE_OPS_PRIV_H

#include "store_ops.h"

/* What add() of a file being accepted needs. */
struct store_ops_file {
	struct store *st;
	int64_t file_id, campaign_id, now;
	bool paused;
	/*
	 * stage_add: rows asked without an id wait here for one INSERT of
	 * many (store_staging_add()); their strings are copied into arena,
	 * one block for the step, and base holds what they share (the rows
	 * of one file differ only in recipient, body and parts).
	 */
	bool batch, no_optouts;
	struct outbox_new base;
	struct store_staging_row rows[STORE_STAGING_BATCH];
	size_t nrows;
	char *arena;
	size_t used, size;
};

/* add() of a file being accepted (store_op_accept, stage_add). */
int store_ops_add(const struct outbox_new *m, int64_t *id,
		  enum outbox_add_result *res, void *ctx);
/* stage_add's add: the row's fate now, its INSERT with the batch
 * (store_ops_stage.c). 0 or -EIO. */
int store_ops_keep_row(struct store_ops_file *f, const struct outbox_new *m,
		       enum outbox_add_result *res);
/* The file's row and its campaign: 0, 1 a duplicate, -EIO. */
int store_ops_file_begin(struct store *st, const struct store_accept *req,
			 struct store_ops_file *f);
/* Ends the transaction a step began: rolled back unless rc is 0 or keep
 * (then committed); rc, or -EIO when the commit fails. */
int store_ops_txn(struct store *st, int rc, int keep);

#endif
