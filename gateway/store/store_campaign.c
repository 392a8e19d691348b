/*
 * store_campaign — a campaign by name, and its control with an events row
 * (store_outbox_campaign_set() does the rows); see store_campaign.h.
 */
#include "store_campaign.h"
#include "store.h"
#include "store_outbox.h"

#include <errno.h>
#include <string.h>

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

int store_campaign_apply(struct store *st, int64_t id, const char *name,
			 const char *verb, const char *who, int *changed)
{
	static const struct {
		const char *verb;
		enum outbox_campaign_action action;
	} store_campaign_verbs[] = {
		{ "pause", OUTBOX_CAMPAIGN_PAUSE },
		{ "resume", OUTBOX_CAMPAIGN_RESUME },
		{ "cancel", OUTBOX_CAMPAIGN_CANCEL },
	};
	size_t n = sizeof(store_campaign_verbs) / sizeof(store_campaign_verbs[0]);

	for (size_t i = 0; i < n; i++) {
		if (strcmp(verb, store_campaign_verbs[i].verb) != 0)
			continue;
		if (store_begin(st) < 0)
			return -EIO;
		*changed = store_outbox_campaign_set(st, id,
						     store_campaign_verbs[i].action,
						     store_now_ms());
		if (*changed < 0 ||
		    store_event(st, STORE_EVENT_INFO, who, "campaign %s: %s",
				name, verb) < 0) {
			store_rollback(st);
			return -EIO;
		}
		return store_commit(st) < 0 ? -EIO : 0;
	}
	return -EINVAL;
}
