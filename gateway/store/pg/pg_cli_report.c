/*
 * pg_cli_report — the charts' figures of smsgw report on PostgreSQL, the
 * same as store_report.c's on SQLite; see include/pg_cli.h.
 */
#include "pg_cli.h"
#include "pg_cli_priv.h"
#include "store_report.h"

#include <errno.h>
#include <stdlib.h>

static int pg_cli_report_int(PGresult *res, int row, int col)
{
	return (int)strtol(PQgetvalue(res, row, col), NULL, 10);
}

int pg_cli_report_funnel(struct pg_cli *pc, int64_t id,
			 struct store_report_funnel *f)
{
	const struct store_bind b[] = { STORE_INT(id) };
	PGresult *res = pg_cli_exec(pc,
		"SELECT count(*),"
		" count(*) FILTER (WHERE state IN ('sent', 'delivered')),"
		" count(*) FILTER (WHERE state = 'delivered'),"
		" (SELECT count(*) FROM inbound i WHERE i.in_reply_to IN"
		"  (SELECT id FROM message WHERE campaign_id = $1)),"
		" count(*) FILTER (WHERE state IN ('failed', 'expired',"
		"  'unknown'))"
		" FROM message WHERE campaign_id = $1", b, 1);

	if (!res)
		return -EIO;
	*f = (struct store_report_funnel){
		.messages = pg_cli_report_int(res, 0, 0),
		.sent = pg_cli_report_int(res, 0, 1),
		.delivered = pg_cli_report_int(res, 0, 2),
		.replied = pg_cli_report_int(res, 0, 3),
		.failed = pg_cli_report_int(res, 0, 4),
	};
	PQclear(res);
	return 1;
}

int pg_cli_report_per_hour(struct pg_cli *pc, int64_t id,
			   int (*cb)(void *ud, const char *hour, int count),
			   void *ud)
{
	const struct store_bind b[] = { STORE_INT(id) };
	PGresult *res = pg_cli_exec(pc,
		"SELECT to_char(to_timestamp(sent_at / 1000) AT TIME ZONE 'UTC',"
		" 'MM-DD HH24:00') AS h, count(*) FROM message"
		" WHERE campaign_id = $1 AND sent_at IS NOT NULL"
		" GROUP BY 1 ORDER BY 1", b, 1);

	if (!res)
		return -EIO;
	for (int i = 0; i < PQntuples(res); i++)
		if (cb(ud, PQgetvalue(res, i, 0), pg_cli_report_int(res, i, 1)))
			break;
	PQclear(res);
	return 0;
}

int pg_cli_report_delivery(struct pg_cli *pc, int64_t id,
			   void (*cb)(void *ud, int64_t ms), void *ud)
{
	const struct store_bind b[] = { STORE_INT(id) };
	PGresult *res = pg_cli_exec(pc,
		"SELECT delivered_at - sent_at FROM message WHERE campaign_id = $1"
		" AND delivered_at IS NOT NULL AND sent_at IS NOT NULL", b, 1);

	if (!res)
		return -EIO;
	for (int i = 0; i < PQntuples(res); i++)
		cb(ud, strtoll(PQgetvalue(res, i, 0), NULL, 10));
	PQclear(res);
	return 0;
}
