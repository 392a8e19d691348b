/*
 * pg_cli_metrics — smsgw metrics on PostgreSQL: store_metrics.c's
 * Prometheus text over the shared database (every box's rows; SIMs named
 * box/modem/slot); see include/pg_cli.h.
 */
#include "pg_cli.h"
#include "pg_cli_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

struct pg_cli_metric {
	const char *name;
	const char *type;
	const char *help;
	const char *label;	/* rows of (label value or NULL, number) */
	const char *sql;
};

/* Grouped rows in SQLite's order (it sorts what it groups). */
static const struct pg_cli_metric pg_cli_metrics[] = {
	{ "smsgw_messages", "gauge", "Outgoing messages by state.", "state",
	  "SELECT state, count(*) FROM message GROUP BY state"
	  " ORDER BY state COLLATE \"C\"" },
	{ "smsgw_sms_parts_sent_total", "counter",
	  "SMS parts handed to the network.", NULL,
	  "SELECT NULL, count(*) FROM part WHERE mr IS NOT NULL" },
	{ "smsgw_attempts_total", "counter", "Send attempts by result.",
	  "result",
	  "SELECT coalesce(result, 'running') AS r, count(*) FROM attempt"
	  " GROUP BY result ORDER BY result COLLATE \"C\" NULLS FIRST" },
	{ "smsgw_received_total", "counter", "Inbound messages stored.", NULL,
	  "SELECT NULL, count(*) FROM inbound" },
	{ "smsgw_status_reports_total", "counter", "Status reports received.",
	  NULL, "SELECT NULL, count(*) FROM status_report" },
	{ "smsgw_optouts", "gauge", "Numbers currently opted out.", NULL,
	  "SELECT NULL, count(*) FROM optout WHERE active = 1" },
	{ "smsgw_sim_signal_dbm", "gauge", "Signal strength per SIM.", "sim",
	  "SELECT name, signal FROM sims WHERE signal IS NOT NULL ORDER BY id" },
	{ "smsgw_sim_registered", "gauge", "1 when the SIM is registered.",
	  "sim", "SELECT name, registered FROM sims ORDER BY id" },
	/* The view says offline for a stopped or silent box's SIMs. */
	{ "smsgw_sim_ready", "gauge", "1 when the SIM can send now.", "sim",
	  "SELECT name, (state IN ('ready', 'busy'))::int FROM sims"
	  " ORDER BY id" },
	{ "smsgw_sim_sent_today", "gauge", "SMS parts sent today per SIM.",
	  "sim", "SELECT name, sent_today FROM sims ORDER BY id" },
	{ "smsgw_sim_daily_limit", "gauge", "Daily quota per SIM.", "sim",
	  "SELECT name, daily_limit FROM sims WHERE daily_limit IS NOT NULL"
	  " ORDER BY id" },
	{ "smsgw_sim_sent_month", "gauge", "SMS parts sent this month per SIM.",
	  "sim", "SELECT name, sent_month FROM sims ORDER BY id" },
};

static void pg_cli_metrics_label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fprintf(f, "\\n");
		else
			putc(*s, f);
	}
}

static int pg_cli_metrics_one(FILE *f, struct pg_cli *pc,
			      const struct pg_cli_metric *m)
{
	PGresult *res = pg_cli_exec(pc, m->sql, NULL, 0);

	if (!res)
		return -EIO;
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help, m->name,
		m->type);
	for (int i = 0; i < PQntuples(res); i++) {
		fprintf(f, "%s", m->name);
		if (m->label && !PQgetisnull(res, i, 0)) {
			fprintf(f, "{%s=\"", m->label);
			pg_cli_metrics_label(f, PQgetvalue(res, i, 0));
			fprintf(f, "\"}");
		}
		fprintf(f, " %lld\n", strtoll(PQgetvalue(res, i, 1), NULL, 10));
	}
	PQclear(res);
	return 0;
}

int pg_cli_metrics_write(struct pg_cli *pc, bool up, FILE *f)
{
	fprintf(f, "# HELP smsgw_up 1 when smsgwd is running.\n"
		   "# TYPE smsgw_up gauge\nsmsgw_up %d\n", up ? 1 : 0);
	for (size_t i = 0; i < sizeof(pg_cli_metrics) /
				sizeof(pg_cli_metrics[0]); i++)
		if (pg_cli_metrics_one(f, pc, &pg_cli_metrics[i]) < 0)
			return -EIO;
	/* The database's size; WAL and free space are the server's. */
	fprintf(f, "# HELP smsgw_db_bytes Size of the database.\n"
		   "# TYPE smsgw_db_bytes gauge\nsmsgw_db_bytes %lld\n",
		(long long)pg_cli_size(pc));
	return 0;
}
