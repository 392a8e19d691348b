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
 */
#include "cli.h"
#include "cli_query.h"
#include "clock.h"
#include "config.h"
#include "control.h"

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
static long long cli_ussd_sim_id(struct store *st, const char *name)
{
	struct store_bind b = STORE_TEXT(name);
	int64_t id;
	bool found;

	if (store_query_int(st, STORE_Q_USSD_SIM, &b, 1, &id, &found) < 0 ||
	    !found)
		return -1;
	return id;
}

/* The message of the event for token, or "" while there is none. */
static void cli_ussd_answer(struct store *st, const char *token, char *out,
			    size_t size)
{
	char like[64];
	struct store_bind b = { .type = STORE_BIND_TEXT, .text = like };
	struct store_rows *s;

	out[0] = 0;
	snprintf(like, sizeof(like), "USSD %s %%", token);
	s = store_query_open(st, STORE_Q_USSD_ANSWER, &b, 1);
	if (!s)
		return;
	if (store_rows_next(s) == 1 && store_rows_text(s, 0))
		snprintf(out, size, "%s", store_rows_text(s, 0));
	store_rows_close(s);
}

int cli_ussd(struct cli *cli, int argc, char **argv)
{
	struct config *cfg = cli_config(cli);
	struct store *st;
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
	/* First: on PostgreSQL it says that ussd is SQLite's only. */
	st = cli_store(cli);
	if (!st)
		return 1;
	if (!cli_daemon_pid(cfg)) {
		fprintf(stderr, "smsgw ussd: smsgwd is not running: it owns the "
			"modems' ports\n");
		return 1;
	}
	id = cli_ussd_sim_id(st, argv[1]);
	if (id < 0) {
		fprintf(stderr, "smsgw ussd: no SIM %s (smsgw status lists "
			"them)\n", argv[1]);
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
		cli_ussd_answer(st, token, answer, sizeof(answer));
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
