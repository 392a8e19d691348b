/* store_hook — a message's row for its hook; see store_hook.h. */
#include "store_hook.h"
#include "store.h"

#include <errno.h>

/* Not cached: a hook's command runs (and may take a while to be forked)
 * inside cb, and these are once an event with a command configured. */
static sqlite3_stmt *store_hook_row(struct store *st, const char *sql,
				    int64_t id, int *rc)
{
	sqlite3_stmt *s;

	*rc = -EIO;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(s, 1, id);
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		*rc = 1;
		return s;
	case SQLITE_DONE:
		*rc = 0;
		break;
	}
	sqlite3_finalize(s);
	return NULL;
}

static const char *store_hook_text(sqlite3_stmt *s, int c)
{
	return (const char *)sqlite3_column_text(s, c);
}

int store_hook_inbound(struct store *st, int64_t id,
		       void (*cb)(void *ud, const struct store_hook_inbound *r),
		       void *ud)
{
	sqlite3_stmt *s;
	int rc;

	s = store_hook_row(st, "SELECT s.iccid, s.number, c.name FROM inbound i"
			       " LEFT JOIN sim s ON s.id = i.sim_id"
			       " LEFT JOIN message m ON m.id = i.in_reply_to"
			       " LEFT JOIN campaign c ON c.id = m.campaign_id"
			       " WHERE i.id = ?1", id, &rc);
	if (s) {
		struct store_hook_inbound r = {
			.iccid = store_hook_text(s, 0),
			.sim_number = store_hook_text(s, 1),
			.campaign = store_hook_text(s, 2),
		};

		cb(ud, &r);
		sqlite3_finalize(s);
	}
	return rc;
}

int store_hook_outbound(struct store *st, int64_t id,
			void (*cb)(void *ud,
				   const struct store_hook_outbound *r),
			void *ud)
{
	sqlite3_stmt *s;
	int rc;

	s = store_hook_row(st, "SELECT m.recipient, m.body, c.name, m.parts,"
			       " s.modem || '/' || s.slot, s.iccid, s.number,"
			       " f.name, f.idem_key, m.state, m.error"
			       " FROM message m"
			       " LEFT JOIN campaign c ON c.id = m.campaign_id"
			       " LEFT JOIN sim s ON s.id = m.sim_id"
			       " LEFT JOIN spool_file f ON f.id = m.file_id"
			       " WHERE m.id = ?1", id, &rc);
	if (s) {
		struct store_hook_outbound r = {
			.recipient = store_hook_text(s, 0),
			.body = store_hook_text(s, 1),
			.campaign = store_hook_text(s, 2),
			.parts = sqlite3_column_int(s, 3),
			.sim = store_hook_text(s, 4),
			.iccid = store_hook_text(s, 5),
			.sim_number = store_hook_text(s, 6),
			.file = store_hook_text(s, 7),
			.file_id = store_hook_text(s, 8),
			.state = store_hook_text(s, 9),
			.error = store_hook_text(s, 10),
		};

		cb(ud, &r);
		sqlite3_finalize(s);
	}
	return rc;
}
