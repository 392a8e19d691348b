/*
 * test_pg_cli_moves — the writers of a message's state the CLI has on
 * PostgreSQL (include/pg_cli.h: `smsgw outbox cancel|resend`, campaign
 * pause/resume/cancel, `smsgw optout add`, `smsgw forget`) make only the
 * transition table's moves (include/msg_state.h): the state-move check of
 * msg_state_check.h runs after every test (pg_test.h). Needs SMSGW_PG_URL
 * (tests/e2e/test_pg_store.py).
 */
#include "pg_test.h"
#include "forget.h"
#include "pg_cli.h"

__attribute__((constructor)) static void need_server(void)
{
	url = getenv("SMSGW_PG_URL");
	if (!url) {
		printf("ok - pg_cli_moves # SKIP needs SMSGW_PG_URL (run by "
		       "tests/e2e/test_pg_store.py with PostgreSQL 15)\n");
		exit(0);
	}
}

static long count(struct pg_store *ps, const char *state)
{
	char q[128];

	snprintf(q, sizeof(q), "SELECT count(*) FROM message WHERE state ="
		 " '%s'", state);
	return sql_int(ps, q);
}

static struct pg_cli *cli_open(void)
{
	struct pg_cli *pc = NULL;
	char err[256];

	if (!CHECK_INT(pg_cli_open(url, "cli", &pc, err, sizeof(err)), 0))
		printf("# %s\n", err);
	return pc;
}

TEST(by_hand_cancel_and_resend_follow_the_table)
{
	struct pg_store *a = box("a", 60000, false);
	struct pg_cli *pc;
	enum msg_state was;

	reset(a);
	CHECK_INT(accept_file(a, "f", NULL, &(struct file){ .n = 2 }), 0);
	pc = cli_open();
	if (!pc) {
		pg_store_free(a);
		return;
	}
	CHECK_INT(pg_cli_by_hand(pc, 1, MSG_EVENT_CANCEL, T0, &was), 1);
	CHECK_INT(was, MSG_STATE_QUEUED);
	CHECK_INT(pg_cli_by_hand(pc, 1, MSG_EVENT_REQUEUE, T0, &was), 1);
	CHECK_INT(was, MSG_STATE_CANCELLED);
	/* Queued already: not a move of the table, refused. */
	CHECK_INT(pg_cli_by_hand(pc, 1, MSG_EVENT_REQUEUE, T0, &was), 0);
	CHECK_STR(sql(a, "SELECT state FROM message WHERE id = 1"), "queued");
	CHECK_INT(msg_state_check_pg(url), 3);	/* new → queued, and two */
	pg_cli_close(pc);
	pg_store_free(a);
}

TEST(campaigns_opt_out_and_forget_follow_the_table)
{
	struct pg_store *a = box("a", 60000, false);
	struct forget_forms f;
	struct forget_counts n;
	struct pg_cli *pc;
	bool was;
	int suppressed = 0;
	int64_t id;

	reset(a);
	CHECK_INT(accept_file(a, "c", NULL, &(struct file){
				  .n = 3, .campaign = "spring" }), 0);
	pc = cli_open();
	if (!pc) {
		pg_store_free(a);
		return;
	}
	id = pg_cli_campaign_id(pc, "spring");
	CHECK(id > 0);
	CHECK_INT(pg_cli_campaign_set(pc, id, "spring", "pause", T0), 3);
	CHECK_INT(pg_cli_campaign_set(pc, id, "spring", "resume", T0), 3);
	CHECK_INT(pg_cli_optout_add(pc, "+15550000000", "STOP", T0, &was,
				    &suppressed), 0);
	CHECK_INT(suppressed, 1);
	forget_forms("+15550000001", "1", "1", &f);
	CHECK_INT(pg_cli_forget(pc, "+15550000001", &f, T0, &n), 0);
	CHECK_INT(pg_cli_campaign_set(pc, id, "spring", "cancel", T0), 1);
	CHECK_INT(count(a, "cancelled"), 1);
	/* queued, deferred (pause), queued (resume), suppressed, cancelled
	 * (forget, then the campaign's): every one is the table's. */
	CHECK(msg_state_check_pg(url) >= 4);
	pg_cli_close(pc);
	pg_store_free(a);
}
