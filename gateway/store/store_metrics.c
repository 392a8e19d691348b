/*
 * store_metrics — the database as Prometheus text; see store_metrics.h.
 */
#include "store_metrics.h"
#include "store.h"
#include "store_prune.h"

#include <errno.h>
#include <stdio.h>

struct store_metric {
	const char *name;
	const char *type;
	const char *help;
	/* Rows of (label value or NULL, number); label names the label. */
	const char *label;
	const char *sql;
};

static const struct store_metric store_metrics[] = {
	{ "smsgw_messages", "gauge", "Outgoing messages by state.", "state",
	  "SELECT state, count(*) FROM message GROUP BY state" },
	{ "smsgw_sms_parts_sent_total", "counter",
	  "SMS parts handed to the network.", NULL,
	  "SELECT NULL, count(*) FROM part WHERE mr IS NOT NULL" },
	{ "smsgw_attempts_total", "counter", "Send attempts by result.",
	  "result",
	  "SELECT coalesce(result, 'running'), count(*) FROM attempt"
	  " GROUP BY result" },
	{ "smsgw_received_total", "counter", "Inbound messages stored.", NULL,
	  "SELECT NULL, count(*) FROM inbound" },
	{ "smsgw_status_reports_total", "counter", "Status reports received.",
	  NULL, "SELECT NULL, count(*) FROM status_report" },
	{ "smsgw_optouts", "gauge", "Numbers currently opted out.", NULL,
	  "SELECT NULL, count(*) FROM optout WHERE active = 1" },
	{ "smsgw_sim_signal_dbm", "gauge", "Signal strength per SIM.", "sim",
	  "SELECT name, signal FROM sims WHERE signal IS NOT NULL" },
	{ "smsgw_sim_registered", "gauge", "1 when the SIM is registered.",
	  "sim", "SELECT name, registered FROM sims" },
	{ "smsgw_sim_ready", "gauge", "1 when the SIM can send now.", "sim",
	  "SELECT name, state IN ('ready', 'busy') AND ?1 FROM sims" },
	{ "smsgw_sim_sent_today", "gauge", "SMS parts sent today per SIM.",
	  "sim", "SELECT name, sent_today FROM sims" },
	{ "smsgw_sim_daily_limit", "gauge", "Daily quota per SIM.", "sim",
	  "SELECT name, daily_limit FROM sims WHERE daily_limit IS NOT NULL" },
	{ "smsgw_sim_sent_month", "gauge", "SMS parts sent this month per SIM.",
	  "sim", "SELECT name, sent_month FROM sims" },
	{ "smsgw_webhook_deliveries", "gauge",
	  "Webhook deliveries by state (pending, delivered, dead).", "state",
	  "SELECT state, count(*) FROM webhook_delivery GROUP BY state" },
};

static void store_metrics_label(FILE *f, const char *s)
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

/* up: whether the daemon runs (?1 of the queries that ask). */
static int store_metrics_one(FILE *f, struct store *st,
			     const struct store_metric *m, bool up)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(st), m->sql, -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int(s, 1, up);
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help, m->name,
		m->type);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *l = (const char *)sqlite3_column_text(s, 0);

		fprintf(f, "%s", m->name);
		if (m->label && l) {
			fprintf(f, "{%s=\"", m->label);
			store_metrics_label(f, l);
			fprintf(f, "\"}");
		}
		fprintf(f, " %lld\n", (long long)sqlite3_column_int64(s, 1));
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

/* The files on disk: what retention and the vacuum keep in bounds. */
static void store_metrics_sizes(FILE *f, struct store *st)
{
	struct store_sizes sz;

	store_prune_sizes(st, &sz);
	fprintf(f, "# HELP smsgw_db_bytes Size of the database file.\n"
		   "# TYPE smsgw_db_bytes gauge\nsmsgw_db_bytes %lld\n"
		   "# HELP smsgw_db_wal_bytes Size of its write-ahead log.\n"
		   "# TYPE smsgw_db_wal_bytes gauge\nsmsgw_db_wal_bytes %lld\n"
		   "# HELP smsgw_db_free_bytes Free pages inside the database.\n"
		   "# TYPE smsgw_db_free_bytes gauge\nsmsgw_db_free_bytes %lld\n",
		(long long)sz.db, (long long)sz.wal, (long long)sz.free);
}

int store_metrics_write(struct store *st, bool up, FILE *f)
{
	fprintf(f, "# HELP smsgw_up 1 when smsgwd is running.\n"
		   "# TYPE smsgw_up gauge\nsmsgw_up %d\n", up ? 1 : 0);
	for (size_t i = 0; i < sizeof(store_metrics) / sizeof(store_metrics[0]);
	     i++)
		if (store_metrics_one(f, st, &store_metrics[i], up) < 0)
			return -EIO;
	store_metrics_sizes(f, st);
	return 0;
}
