/* cli_outbox_show — one outgoing message; see include/cli_outbox.h. */
#include "cli.h"
#include "cli_outbox.h"
#include "cli_query.h"
#include "clock.h"
#include "config.h"
#include "control.h"
#include "msg_state.h"
#include "pg_cli.h"
#include "store.h"
#include "store_outbox.h"
#include "store_query.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The whole show as one JSON object. */
static int cli_outbox_show_json(struct cli *cli, long long id)
{
	const struct store_bind b[] = { STORE_INT(id) };

	printf("{\"message\":");
	if (cli_print_row(cli, STORE_Q_OUTBOX_SHOW, b, 1, stdout) < 0)
		return CLI_ERROR;
	printf(",\"attempts\":");
	if (cli_print(cli, STORE_Q_OUTBOX_SHOW_ATTEMPTS, b, 1, CLI_FORMAT_JSON,
		      0, stdout) < 0)
		return CLI_ERROR;
	printf(",\"events\":");
	if (cli_print(cli, STORE_Q_OUTBOX_SHOW_EVENTS, b, 1, CLI_FORMAT_JSON,
		      0, stdout) < 0)
		return CLI_ERROR;
	printf("}\n");
	return CLI_OK;
}

/* The message as "name: value" lines. */
static int cli_outbox_show_fields(struct cli *cli, long long id)
{
	const struct store_bind b[] = { STORE_INT(id) };
	struct store_rows *r = cli_rows(cli, STORE_Q_OUTBOX_SHOW, b, 1);
	char when[32];
	int rc;

	if (!r)
		return CLI_ERROR;
	rc = store_rows_next(r);
	if (rc != 1) {
		store_rows_close(r);
		if (rc == 0)
			return cli_error("no message #%lld in the outbox", id);
		return cli_error("database: %s", cli_db_errmsg(cli));
	}
	printf("message #%lld\n", id);
	for (int c = 1; c < store_rows_ncols(r); c++) {
		const char *v = store_rows_text(r, c);

		/* The SIM by name only, as every table names it. */
		if (!v || strcmp(store_rows_name(r, c), "sim") == 0)
			continue;
		printf("  %-13s %s\n", store_rows_name(r, c),
		       cli_query_time(v, when, sizeof(when)));
	}
	store_rows_close(r);
	return CLI_OK;
}

int cli_outbox_show(struct cli *cli, long long id, enum cli_format fmt)
{
	const struct store_bind b[] = { STORE_INT(id) };

	if (!cli_db(cli))
		return CLI_ERROR;
	/* CSV is one table: the attempts (the message is a row of
	 * `smsgw outbox --csv`). */
	if (fmt == CLI_FORMAT_CSV)
		return cli_print(cli, STORE_Q_OUTBOX_SHOW_ATTEMPTS, b, 1, fmt, 0,
				 stdout) < 0 ? CLI_ERROR : CLI_OK;
	if (fmt == CLI_FORMAT_JSON) {
		int64_t one;
		bool found;

		/* The same "no such message" as the table. */
		if (cli_query_int(cli, STORE_Q_OUTBOX_SHOW_EXISTS, b, 1, &one,
				  &found) < 0 || !found)
			return cli_error("no message #%lld in the outbox", id);
		return cli_outbox_show_json(cli, id);
	}
	if (cli_outbox_show_fields(cli, id) != CLI_OK)
		return CLI_ERROR;
	printf("\nattempts\n");
	if (cli_print(cli, STORE_Q_OUTBOX_SHOW_ATTEMPTS, b, 1, CLI_FORMAT_TABLE,
		      40, stdout) < 0)
		return CLI_ERROR;
	printf("\nevents\n");
	if (cli_print(cli, STORE_Q_OUTBOX_SHOW_EVENTS, b, 1, CLI_FORMAT_TABLE,
		      80, stdout) < 0)
		return CLI_ERROR;
	return CLI_OK;
}

/* Why the transition table has no move for verb from state (doc/
 * architecture.md "The outgoing message as a state machine"). */
static const char *cli_outbox_show_why_not(const char *verb, enum msg_state state)
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
	enum msg_event ev = resend ? MSG_EVENT_REQUEUE : MSG_EVENT_CANCEL;
	enum msg_state was = MSG_STATE_COUNT;
	int rc;

	snprintf(action, sizeof(action), "outbox %s", verb);
	if (!cli_db_rw(cli, action))
		return CLI_ERROR;
	/* The state changes in the store, through the transition table. On
	 * PostgreSQL the row is locked first: a box claiming it finishes
	 * its claim, and a message being sent ("sending") is refused. */
	if (cli->pg)
		rc = pg_cli_by_hand(cli->pg, id, ev, clock_now_ms(), &was);
	else
		rc = store_outbox_by_hand(cli->store, id, ev, clock_now_ms(),
					  &was);
	if (rc == -ENOENT)
		return cli_error("no message #%lld in the outbox", id);
	if (rc < 0)
		return cli_error("database: %s", cli_db_errmsg(cli));
	if (rc == 0)
		return cli_error("message #%lld is %s: %s", id,
				 msg_state_name(was),
				 cli_outbox_show_why_not(verb, was));
	control_send(cli->cfg->spool, "kick");
	printf("message #%lld %s (was %s)\n", id,
	       resend ? "queued again" : "cancelled", msg_state_name(was));
	return CLI_OK;
}
