/*
 * spool_submit — text in the spool format that arrives in memory (the
 * HTTP API's POST /v1/messages): the same two passes, rules, preparation,
 * rows and events as a file in outgoing/ (spool_accept.c), in one
 * transaction, without a file. See spool.h.
 */
#include "spool_priv.h"
#include "spool_parse.h"
#include "store.h"
#include "store_outbox.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The transaction: 1 committed, 0 its Id: was seen, -1 refused (c->why or
 * the parser's error), -EIO. */
static int spool_submit_commit(struct accept_ctx *c, struct spool_parser *p,
			       const char *name, const void *text, size_t len)
{
	struct store *st = c->sp->store;
	bool dup, ok;

	if (store_begin(st) < 0)
		return -EIO;
	if (store_outbox_file_begin(st, name, NULL, c->msg->hash, c->msg->id,
				    c->now, &c->file_id, &dup) < 0)
		goto db;
	if (dup) {
		store_rollback(st);
		return 0;
	}
	if (c->msg->campaign &&
	    store_outbox_campaign(st, c->msg->campaign, c->now,
				  &c->base.campaign_id, &c->campaign_paused) < 0)
		goto db;
	ok = spool_parse_rewind(p, spool_add_recipient, c) &&
	     spool_parse_feed(p, text, len) && spool_parse_finish(p);
	if (!ok && !c->db_failed) {
		store_rollback(st);
		return -1;
	}
	if (!ok || store_outbox_file_done(st, c->file_id,
					  (long)c->msg->recipients,
					  (long)c->msg->duplicates) < 0)
		goto db;
	return store_commit(st) < 0 ? -EIO : 1;
db:
	store_rollback(st);
	return -EIO;
}

int spool_submit(struct spool *sp, const char *name, const void *text,
		 size_t len, spool_added_fn added, void *ud,
		 struct spool_error *err, int64_t *file_id)
{
	struct accept_ctx c = { .sp = sp, .now = store_now_ms(),
				.added = added, .added_ud = ud };
	struct spool_rules rules;
	struct spool_parser *p;
	int rc;

	memset(err, 0, sizeof(*err));
	spool_rules_init(&rules, sp->cfg);
	p = spool_parse_new(&rules);
	if (!p)
		return -ENOMEM;
	if (!spool_parse_feed(p, text, len) || !spool_parse_finish(p)) {
		*err = *spool_parse_error(p);
		spool_parse_free(p);
		return -1;
	}
	c.msg = spool_parse_message(p);
	rc = spool_prepare(&c) ? spool_submit_commit(&c, p, name, text, len)
			       : -1;
	if (rc == -1) {
		const struct spool_error *pe = spool_parse_error(p);

		if (pe->code != SPOOL_ERROR_NONE &&
		    pe->code != SPOOL_ERROR_ABORTED) {
			*err = *pe;
		} else {
			err->code = SPOOL_ERROR_VALUE;
			snprintf(err->text, sizeof(err->text), "%.199s", c.why);
		}
	} else if (rc == 1) {
		spool_accepted(sp, name, &c);
		if (sp->accepted)
			sp->accepted(sp->accepted_ud);
	}
	*file_id = c.file_id;
	spool_parse_free(p);
	return rc;
}
