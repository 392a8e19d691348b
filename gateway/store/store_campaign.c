/* store_campaign — campaign counts and control; see store_campaign.h. */
#include "store_campaign.h"
#include "store.h"

#include <errno.h>
#include <string.h>

static const char *const store_campaign_actions[][3] = {
	/* verb, campaign state, messages */
	{ "pause", "UPDATE campaign SET state = 'paused' WHERE id = ?1"
		   " AND ?2 IS NOT NULL",
	  "UPDATE message SET hold = 'paused', state = 'deferred',"
	  " updated_at = ?2 WHERE campaign_id = ?1"
	  " AND state IN ('queued', 'deferred')" },
	{ "resume", "UPDATE campaign SET state = 'active' WHERE id = ?1"
		    " AND ?2 IS NOT NULL",
	  "UPDATE message SET hold = NULL, updated_at = ?2,"
	  " state = CASE WHEN not_before <= ?2 THEN 'queued' ELSE 'deferred' END"
	  " WHERE campaign_id = ?1 AND hold = 'paused'" },
	{ "cancel", "UPDATE campaign SET state = 'cancelled' WHERE id = ?1"
		    " AND ?2 IS NOT NULL",
	  "UPDATE message SET state = 'cancelled', hold = NULL,"
	  " error = 'campaign cancelled', updated_at = ?2"
	  " WHERE campaign_id = ?1 AND state IN ('queued', 'deferred')" },
};

int64_t store_campaign_id(struct store *st, const char *name)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id FROM campaign"
					    " WHERE name = ?");
	int64_t id = 0;
	int rc;

	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? id : -EIO;
}

/* sql with ?1 the campaign's id and ?2 now; the rows it changed or -1. */
static int store_campaign_exec(struct store *st, const char *sql, int64_t id)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, store_now_ms());
	if (sqlite3_step(s) == SQLITE_DONE)
		rc = sqlite3_changes(store_db(st));
	sqlite3_finalize(s);
	return rc;
}

int store_campaign_apply(struct store *st, int64_t id, const char *name,
			 const char *verb, const char *who, int *changed)
{
	size_t n = sizeof(store_campaign_actions) /
		   sizeof(store_campaign_actions[0]);

	for (size_t i = 0; i < n; i++) {
		const char *const *a = store_campaign_actions[i];

		if (strcmp(verb, a[0]) != 0)
			continue;
		if (store_begin(st) < 0)
			return -EIO;
		if (store_campaign_exec(st, a[1], id) < 0 ||
		    (*changed = store_campaign_exec(st, a[2], id)) < 0 ||
		    store_event(st, STORE_EVENT_INFO, who, "campaign %s: %s",
				name, verb) < 0) {
			store_rollback(st);
			return -EIO;
		}
		return store_commit(st) < 0 ? -EIO : 0;
	}
	return -EINVAL;
}
