/*
 * smsgw ussd SIM CODE
 *
 * Sends a USSD code (*100# for the balance on most prepaid SIMs) from a
 * SIM through the running daemon, which owns the modem's port, and prints
 * the network's answer. The request is one plain control word
 * (control.h); the daemon writes the answer (or why there is none) as an
 * event row named by a token, which this command waits for.
 * An answer that ends "(a reply is expected)" is a menu: answer it with
 * another `smsgw ussd SIM CHOICE`.
 *
 * On PostgreSQL the SIM is this box's (`modem/slot`, or `box/modem/slot`
 * naming this box): only the box's own smsgwd holds the modem, reached
 * through this box's spool. Its answer comes back as an event row in the
 * shared database, read the same way.
 */
#include "cli.h"
#include "cli_query.h"
#include "clock.h"
#include "config.h"
#include "config_pg.h"
#include "control.h"
#include "pg_cli.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The modem gives up after 30 s; a little more for the round trip. */
#define CLI_USSD_WAIT_MS 35000

static bool cli_ussd_code_ok(const char *code)
{
	size_t n = strlen(code);

	return n > 0 && strspn(code, "0123456789*#+") == n;
}

/* The SIM's row id, or -1 when there is no such SIM. */
static long long cli_ussd_sim_id(struct cli *cli, const char *name)
{
	struct store_bind b = STORE_TEXT(name);
	int64_t id;
	bool found;

	if (cli_query_int(cli, STORE_Q_USSD_SIM, &b, 1, &id, &found) < 0 ||
	    !found)
		return -1;
	return id;
}

/* The message of the event for token, or "" while there is none. */
static void cli_ussd_answer(struct cli *cli, const char *token, char *out,
			    size_t size)
{
	char like[64];
	struct store_bind b = { .type = STORE_BIND_TEXT, .text = like };
	struct store_rows *s;

	out[0] = 0;
	snprintf(like, sizeof(like), "USSD %s %%", token);
	/* Quietly: asked again until the answer comes. */
	s = cli->pg ? pg_cli_query(cli->pg, STORE_Q_USSD_ANSWER, &b, 1)
		    : store_query_open(cli->store, STORE_Q_USSD_ANSWER, &b, 1);
	if (!s)
		return;
	if (store_rows_next(s) == 1 && store_rows_text(s, 0))
		snprintf(out, size, "%s", store_rows_text(s, 0));
	store_rows_close(s);
}

/*
 * PostgreSQL: the SIM's name in the views (box/modem/slot) into full, and
 * whether this box's smsgwd runs. false after saying why.
 */
static bool cli_ussd_pg(struct cli *cli, const char *sim, char *full,
			size_t size)
{
	const char *slash = strchr(sim, '/');
	char box[64];
	long pid;
	int rc;

	config_box_name(cli->cfg, box, sizeof(box));
	if (slash && strchr(slash + 1, '/') &&
	    (strncmp(sim, box, strlen(box)) != 0 || sim[strlen(box)] != '/')) {
		fprintf(stderr, "smsgw ussd: %s is another box's SIM; run smsgw "
			"ussd on box %.*s (its smsgwd holds the modem)\n", sim,
			(int)(slash - sim), sim);
		return false;
	}
	if (slash && strchr(slash + 1, '/'))
		snprintf(full, size, "%s", sim);
	else
		snprintf(full, size, "%s/%s", box, sim);
	/* A reader's role may not read the daemon table: the control
	 * socket then says whether smsgwd listens. */
	rc = pg_cli_box_running(cli->pg, box, &pid);
	if (rc == 0) {
		fprintf(stderr, "smsgw ussd: smsgwd of box %s is not running: "
			"it owns the modems' ports\n", box);
		return false;
	}
	return true;
}

int cli_ussd(struct cli *cli, int argc, char **argv)
{
	struct config *cfg = cli_config(cli);
	char name[160];
	char req[CONTROL_WORD_MAX + 1], token[12];
	char mapped[CONFIG_USSD_MAX + 1], answer[1024];
	const char *text;
	long long id;
	size_t i;
	int64_t end;

	if (!cfg)
		return 1;
	if (argc != 3) {
		fprintf(stderr, "usage: smsgw ussd SIM CODE\n");
		return 2;
	}
	if (strlen(argv[2]) > CONFIG_USSD_MAX) {
		fprintf(stderr, "smsgw ussd: the code is %zu characters long; "
			"a USSD code is at most %d (TS 27.007 +CUSD)\n",
			strlen(argv[2]), CONFIG_USSD_MAX);
		return 2;
	}
	if (!cli_ussd_code_ok(argv[2])) {
		fprintf(stderr, "smsgw ussd: %s is not a USSD code (digits, "
			"* and #, e.g. *100#)\n", argv[2]);
		return 2;
	}
	if (strlen(argv[1]) > 39 || strchr(argv[1], ' ')) {
		fprintf(stderr, "smsgw ussd: %s is not a SIM name\n", argv[1]);
		return 2;
	}
	if (!cli_db(cli))
		return 1;
	snprintf(name, sizeof(name), "%s", argv[1]);
	if (cli->pg) {
		if (!cli_ussd_pg(cli, argv[1], name, sizeof(name)))
			return 1;
	} else if (!cli_daemon_pid(cfg)) {
		fprintf(stderr, "smsgw ussd: smsgwd is not running: it owns the "
			"modems' ports\n");
		return 1;
	}
	id = cli_ussd_sim_id(cli, name);
	if (id < 0) {
		fprintf(stderr, "smsgw ussd: no SIM %s (smsgw status lists "
			"them)\n", name);
		return 1;
	}
	/* A plain word: u_<sim id>_<code, * # + as s h p>_<token>. */
	snprintf(token, sizeof(token), "%06llx",
		 (unsigned long long)((getpid() * 7919ull +
				       (unsigned long long)clock_real_ms()) &
				      0xffffff));
	for (i = 0; argv[2][i]; i++)
		mapped[i] = argv[2][i] == '*' ? 's' : argv[2][i] == '#' ? 'h'
			    : argv[2][i] == '+' ? 'p' : argv[2][i];
	mapped[i] = 0;
	snprintf(req, sizeof(req), "u_%lld_%s_%s", id, mapped, token);
	if (control_send(cfg->spool, req) < 0) {
		fprintf(stderr, "smsgw ussd: cannot reach smsgwd\n");
		return 1;
	}
	end = clock_real_ms() + CLI_USSD_WAIT_MS;
	for (;;) {
		cli_ussd_answer(cli, token, answer, sizeof(answer));
		if (answer[0] || clock_real_ms() > end)
			break;
		poll(NULL, 0, 200);
	}
	if (!answer[0]) {
		fprintf(stderr, "smsgw ussd: no answer from smsgwd\n");
		return 1;
	}
	/* "USSD <token> <code>: <text>" */
	text = strstr(answer, ": ");
	text = text ? text + 2 : answer;
	if (strstr(answer, ": not sent: ") || strstr(answer, ": refused: ") ||
	    strstr(answer, ": no answer") ||
	    strstr(answer, ": ended by the network")) {
		fprintf(stderr, "smsgw ussd: %s\n", text);
		return 1;
	}
	printf("%s\n", text);
	return 0;
}
