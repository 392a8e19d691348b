/* cli_outbox_show — one outgoing message; see include/cli_outbox.h. */
#include "cli.h"
#include "cli_outbox.h"
#include "cli_query.h"
#include "clock.h"
#include "config.h"
#include "control.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

#define MS_ISO(col) \
	"strftime('%Y-%m-%dT%H:%M:%fZ', " col " / 1000.0, 'unixepoch')"

static const char message_sql[] =
	"SELECT o.id, o.created_at, o.recipient, o.body, o.kind, o.campaign,"
	" o.priority, o.state, o.sim, o.sim_name, o.parts, o.attempts,"
	" CASE WHEN o.not_before > '1970-01-02' THEN o.not_before END"
	" AS not_before, o.sent_at, o.delivered_at, o.error, o.origin,"
	" f.name AS file, f.idem_key AS file_id"
	" FROM outbox o LEFT JOIN spool_file f ON f.id = o.file_id"
	" WHERE o.id = ?1";

static const char attempts_sql[] =
	"SELECT row_number() OVER (ORDER BY a.id) AS attempt,"
	" s.modem || '/' || s.slot AS sim, " MS_ISO("a.started_at") " AS started,"
	" " MS_ISO("a.ended_at") " AS ended,"
	" coalesce(a.result, 'running') AS result, a.error,"
	" " MS_ISO("a.next_at") " AS next_try"
	" FROM attempt a LEFT JOIN sim s ON s.id = a.sim_id"
	" WHERE a.message_id = ?1 ORDER BY a.id";

/* Events that name the message as "#ID" (not "#IDx" with more digits),
 * or its spool file as the spool names it ("accepted NAME: …"). */
static const char events_sql[] =
	"SELECT at, level, source, message FROM events"
	" WHERE message GLOB '*#' || ?1 || '[^0-9]*'"
	" OR message GLOB '*#' || ?1"
	" OR instr(message, ' ' || (SELECT f.name FROM message m"
	"  JOIN spool_file f ON f.id = m.file_id WHERE m.id = ?1) || ':') > 0"
	" ORDER BY id";

static int show_json(struct store *st, long long id)
{
	const struct cli_bind b[] = { CLI_INT(id) };

	printf("{\"message\":");
	if (cli_print_row_json(st, message_sql, b, 1, stdout) < 0)
		return CLI_ERROR;
	printf(",\"attempts\":");
	if (cli_print_query(st, attempts_sql, b, 1, CLI_FORMAT_JSON, 0,
			    stdout) < 0)
		return CLI_ERROR;
	printf(",\"events\":");
	if (cli_print_query(st, events_sql, b, 1, CLI_FORMAT_JSON, 0,
			    stdout) < 0)
		return CLI_ERROR;
	printf("}\n");
	return CLI_OK;
}

/* The message as "name: value" lines. */
static int show_fields(struct store *st, long long id)
{
	const struct cli_bind b[] = { CLI_INT(id) };
	sqlite3_stmt *s = cli_prepare(st, message_sql, b, 1);
	char when[32];
	int rc;

	if (!s)
		return cli_error("database: %s", store_errmsg(st));
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		if (rc == SQLITE_DONE)
			return cli_error("no message #%lld in the outbox", id);
		return cli_error("database: %s", store_errmsg(st));
	}
	printf("message #%lld\n", id);
	for (int c = 1; c < sqlite3_column_count(s); c++) {
		const char *v = (const char *)sqlite3_column_text(s, c);

		/* The SIM by name only, as every table names it. */
		if (!v || strcmp(sqlite3_column_name(s, c), "sim") == 0)
			continue;
		printf("  %-13s %s\n", sqlite3_column_name(s, c),
		       cli_query_time(v, when, sizeof(when)));
	}
	sqlite3_finalize(s);
	return CLI_OK;
}

int cli_outbox_show(struct cli *cli, long long id, enum cli_format fmt)
{
	const struct cli_bind b[] = { CLI_INT(id) };
	struct store *st = cli_store(cli);

	if (!st)
		return CLI_ERROR;
	/* CSV is one table: the attempts (the message is a row of
	 * `smsgw outbox --csv`). */
	if (fmt == CLI_FORMAT_CSV)
		return cli_print_query(st, attempts_sql, b, 1, fmt, 0, stdout) < 0
			       ? CLI_ERROR : CLI_OK;
	if (fmt == CLI_FORMAT_JSON) {
		sqlite3_stmt *s = cli_prepare(st, "SELECT 1 FROM message"
					      " WHERE id = ?1", b, 1);
		bool found = s && sqlite3_step(s) == SQLITE_ROW;

		sqlite3_finalize(s);
		/* The same "no such message" as the table. */
		if (!found)
			return cli_error("no message #%lld in the outbox", id);
		return show_json(st, id);
	}
	if (show_fields(st, id) != CLI_OK)
		return CLI_ERROR;
	printf("\nattempts\n");
	if (cli_print_query(st, attempts_sql, b, 1, CLI_FORMAT_TABLE, 40,
			    stdout) < 0)
		return CLI_ERROR;
	printf("\nevents\n");
	if (cli_print_query(st, events_sql, b, 1, CLI_FORMAT_TABLE, 80,
			    stdout) < 0)
		return CLI_ERROR;
	return CLI_OK;
}

static const char resend_sql[] =
	"UPDATE message SET state = 'queued', not_before = 0, attempts = 0,"
	" parts_sent = 0, error = NULL, hold = NULL, avoid_sim = NULL,"
	" avoid_until = NULL, expires_at = NULL, sent_at = NULL,"
	" updated_at = ?2 WHERE id = ?1"
	" AND state IN ('failed', 'expired', 'unknown', 'cancelled')";

static const char cancel_sql[] =
	"UPDATE message SET state = 'cancelled', hold = NULL,"
	" error = 'cancelled by hand', updated_at = ?2 WHERE id = ?1"
	" AND state IN ('queued', 'deferred')";

/* Why verb does not apply to a message in state. */
static const char *why_not(const char *verb, const char *state)
{
	if (strcmp(state, "sending") == 0)
		return "it is being sent right now";
	if (strcmp(verb, "cancel") == 0)
		return "only a queued or deferred message can be cancelled";
	if (strcmp(state, "sent") == 0 || strcmp(state, "delivered") == 0)
		return "it was sent already (smsgw send sends a new one)";
	if (strcmp(state, "suppressed") == 0)
		return "the number opted out";
	return "it is waiting to be sent already";
}

static int change_tx(struct store *st, const char *verb, long long id,
		     char *state, size_t size)
{
	const struct cli_bind b[] = { CLI_INT(id), CLI_INT(clock_now_ms()) };
	sqlite3_stmt *s;
	int n = -1;

	s = cli_prepare(st, "SELECT state FROM message WHERE id = ?1", b, 1);
	if (!s)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(state, size, "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	s = cli_prepare(st, strcmp(verb, "resend") == 0 ? resend_sql
							  : cancel_sql, b, 2);
	if (!s)
		return -1;
	if (sqlite3_step(s) == SQLITE_DONE)
		n = sqlite3_changes(store_db(st));
	sqlite3_finalize(s);
	if (n == 1 && store_event(st, STORE_EVENT_INFO, "cli",
				  "message #%lld %s by hand (was %s)", id,
				  strcmp(verb, "resend") == 0 ? "queued again"
							      : "cancelled",
				  state) < 0)
		return -1;
	return n;
}

int cli_outbox_change(struct cli *cli, const char *verb, long long id)
{
	char action[32], state[32] = "";
	struct store *st;
	int n;

	snprintf(action, sizeof(action), "outbox %s", verb);
	st = cli_store_rw(cli, action);
	if (!st)
		return CLI_ERROR;
	if (store_begin(st) < 0)
		return cli_error("database: %s", store_errmsg(st));
	n = change_tx(st, verb, id, state, sizeof(state));
	if (n < 0) {
		store_rollback(st);
		return cli_error("database: %s", store_errmsg(st));
	}
	if (store_commit(st) < 0)
		return cli_error("database: %s", store_errmsg(st));
	if (!state[0])
		return cli_error("no message #%lld in the outbox", id);
	if (n == 0)
		return cli_error("message #%lld is %s: %s", id, state,
				 why_not(verb, state));
	control_send(cli->cfg->spool, "kick");
	printf("message #%lld %s (was %s)\n", id,
	       strcmp(verb, "resend") == 0 ? "queued again" : "cancelled",
	       state);
	return CLI_OK;
}
