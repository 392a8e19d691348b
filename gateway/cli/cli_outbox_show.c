/* cli_outbox_show — one outgoing message; see include/cli_outbox.h. */
#include "cli.h"
#include "cli_outbox.h"
#include "cli_query.h"
#include "clock.h"
#include "config.h"
#include "control.h"
#include "msg_state.h"
#include "store.h"
#include "store_outbox.h"

#include <errno.h>
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

/* Why the transition table has no move for verb from state (doc/
 * architecture.md "The outgoing message as a state machine"). */
static const char *why_not(const char *verb, enum msg_state state)
{
	if (state == MSG_STATE_SENDING)
		return "it is being sent right now";
	if (strcmp(verb, "cancel") == 0)
		return "only a queued or deferred message can be cancelled";
	if (state == MSG_STATE_SENT || state == MSG_STATE_DELIVERED)
		return "it was sent already (smsgw send sends a new one)";
	if (state == MSG_STATE_SUPPRESSED)
		return "the number opted out";
	return "it is waiting to be sent already";
}

int cli_outbox_change(struct cli *cli, const char *verb, long long id)
{
	char action[32];
	bool resend = strcmp(verb, "resend") == 0;
	enum msg_state was = MSG_STATE_COUNT;
	struct store *st;
	int rc;

	snprintf(action, sizeof(action), "outbox %s", verb);
	st = cli_store_rw(cli, action);
	if (!st)
		return CLI_ERROR;
	/* The state changes in the store, through the transition table. */
	rc = store_outbox_by_hand(st, id, resend ? MSG_EVENT_REQUEUE
						 : MSG_EVENT_CANCEL,
				  clock_now_ms(), &was);
	if (rc == -ENOENT)
		return cli_error("no message #%lld in the outbox", id);
	if (rc < 0)
		return cli_error("database: %s", store_errmsg(st));
	if (rc == 0)
		return cli_error("message #%lld is %s: %s", id,
				 msg_state_name(was), why_not(verb, was));
	control_send(cli->cfg->spool, "kick");
	printf("message #%lld %s (was %s)\n", id,
	       resend ? "queued again" : "cancelled", msg_state_name(was));
	return CLI_OK;
}
