/*
 * pg_cli_text — the PostgreSQL text of the named queries the CLI runs
 * (include/store_query.h), column for column store_query_text.c's, so
 * that the same rows print the same (tests/e2e/test_pg_cli.py compares
 * them). What differs from SQLite's dialect: parameters are $N with a
 * type where only IS NULL would tell it; booleans are counted with
 * FILTER, not summed; sums of integers are cast back to bigint; a limit
 * of -1 is NULL (no limit); strftime() is smsgw_iso() or to_char();
 * GLOB is a regular expression; text is ordered byte-wise (COLLATE "C")
 * as SQLite orders it. SIM names are box/modem/slot, as in the views.
 */
#include "pg_cli.h"

#include <stddef.h>

#define LIMIT(n) " LIMIT nullif(" n "::bigint, -1)"

#define OUTBOX_WHERE                                                     \
	" FROM outbox WHERE ($1::text IS NULL OR state = $1)"            \
	" AND ($2::text IS NULL OR campaign = $2)"                       \
	" AND ($3::text IS NULL OR recipient = $3)"

#define CUT(col, n)                                                      \
	"CASE WHEN length(" col ") > " #n " THEN substr(" col ", 1, " #n \
	" - 1) || '…' ELSE " col " END"

#define NOT_BEFORE                                                       \
	"CASE WHEN not_before > '1970-01-02' THEN not_before END"

/* Views only (a reader's role may read nothing else): times compare as
 * smsgw_iso() text, which orders as the times do. */
#define INBOX_WHERE                                                      \
	" FROM inbox i LEFT JOIN outbox o ON o.id = i.in_reply_to"       \
	" WHERE ($1::bigint IS NULL OR i.received_at >= smsgw_iso($1))"  \
	" AND ($2::text IS NULL OR i.sender = $2 OR i.sender = $4::text)"
#define INBOX_FROM INBOX_WHERE " ORDER BY i.id DESC" LIMIT("$3")
/* The count binds the same four: each must appear for its type. */
#define INBOX_COUNT_WHERE INBOX_WHERE " AND $3::bigint IS NOT NULL"

#define EVENTS_WHERE                                                     \
	" FROM events WHERE ($1::bigint IS NULL OR at >= smsgw_iso($1))" \
	" AND CASE level WHEN 'error' THEN 2 WHEN 'warning' THEN 1"      \
	" ELSE 0 END >= $2::bigint"

#define OPTOUTS(cols, where)                                             \
	"SELECT o.number, o.opted_out_at, o.keyword, " cols " o.active,"  \
	" o.source, o.updated_at FROM optouts o"                         \
	" LEFT JOIN sims s ON s.id = o.sim" where                        \
	" ORDER BY o.opted_out_at COLLATE \"C\" DESC"

#define SIM_STATE "CASE WHEN $1::bigint <> 0 THEN 'offline' ELSE state END"
/* Box by box, then as SQLite orders one box's SIMs. */
#define SIM_ORDER " ORDER BY split_part(name, '/', 1) COLLATE \"C\","   \
	" modem COLLATE \"C\", slot COLLATE \"C\""

#define N(expr) "count(*) FILTER (WHERE " expr ")"
#define NM(expr) "count(m.id) FILTER (WHERE " expr ")"

#define CAMPAIGN_ROWS                                                    \
	"SELECT c.name, c.state, smsgw_iso(c.created_at) AS created_at,"  \
	" count(m.id) AS total,"                                         \
	" " NM("m.state IN ('queued', 'deferred', 'sending')") " AS pending," \
	" " NM("m.state IN ('sent', 'delivered')") " AS sent,"          \
	" " NM("m.state = 'delivered'") " AS delivered,"                 \
	" " NM("m.state IN ('failed', 'expired', 'unknown')") " AS failed," \
	" " NM("m.state IN ('suppressed', 'cancelled')") " AS not_sent"  \
	" FROM campaign c LEFT JOIN message m ON m.campaign_id = c.id"

#define SUM(col) "coalesce(sum(" col "), 0)::bigint AS " col
#define FUNNEL                                                           \
	"WITH m AS (SELECT * FROM message WHERE $1::text IS NULL"        \
	"  OR campaign_id = (SELECT id FROM campaign WHERE name = $1)),"  \
	" r AS (SELECT " SUM("messages") ", " SUM("sent") ","            \
	"  " SUM("delivered") ", " SUM("failed") ", " SUM("unknown") "," \
	"  " SUM("suppressed") ", " SUM("cancelled") ", " SUM("replied") "," \
	"  coalesce(sum(CASE WHEN $1::text IS NULL THEN opted_out_all"   \
	"   ELSE opted_out END), 0)::bigint AS opted_out,"               \
	"  " SUM("sms_parts")                                            \
	"  FROM daily_stats WHERE $1::text IS NULL OR campaign_id ="     \
	"  (SELECT id FROM campaign WHERE name = $1)),"                  \
	" o AS (SELECT count(DISTINCT m.recipient) AS n FROM m JOIN optout o" \
	"  ON o.number = m.recipient AND o.active = 1"                   \
	"  AND o.opted_out_at >= m.created_at)"                          \
	" SELECT count(*) + (SELECT messages FROM r) AS messages,"       \
	" " N("state IN ('queued', 'deferred', 'sending')") " AS queued," \
	" " N("state IN ('sent', 'delivered')")                          \
	"  + (SELECT sent FROM r) AS sent,"                              \
	" " N("state = 'delivered'") " + (SELECT delivered FROM r) AS delivered," \
	" " N("state IN ('failed', 'expired')")                          \
	"  + (SELECT failed FROM r) AS failed,"                          \
	" " N("state = 'unknown'") " + (SELECT unknown FROM r) AS unknown," \
	" " N("state = 'suppressed'")                                    \
	"  + (SELECT suppressed FROM r) AS suppressed,"                  \
	" " N("state = 'cancelled'")                                     \
	"  + (SELECT cancelled FROM r) AS cancelled,"                    \
	" (SELECT count(DISTINCT i.in_reply_to) FROM inbound i"          \
	"  WHERE i.in_reply_to IN (SELECT id FROM m))"                   \
	"  + (SELECT replied FROM r) AS replied,"                        \
	" (SELECT n FROM o) + (SELECT opted_out FROM r) AS opted_out,"   \
	" (coalesce(sum(parts) FILTER (WHERE state IN ('sent',"          \
	"  'delivered')), 0) + (SELECT sms_parts FROM r))::bigint"       \
	"  AS sms_parts"                                                 \
	" FROM m"

#define SIM_NAME(s) "(" s ".box || '/' || " s ".modem || '/' || " s ".slot)"

static const char *const pg_cli_texts[STORE_Q_COUNT] = {
	[STORE_Q_OUTBOX_JSON] =
		"SELECT id, created_at, recipient, body, kind, campaign, priority,"
		" state, sim, sim_name, parts, attempts, " NOT_BEFORE " AS not_before,"
		" sent_at, delivered_at, error" OUTBOX_WHERE " ORDER BY id DESC"
		LIMIT("$4"),
	[STORE_Q_OUTBOX_TABLE] =
		"SELECT id, created_at AS created, recipient, state, sim_name AS sim,"
		" " NOT_BEFORE " AS not_before, " CUT("campaign", 10) " AS campaign,"
		" " CUT("error", 20) " AS error, " CUT("replace(body, chr(10), ' ')", 20)
		" AS text" OUTBOX_WHERE " ORDER BY id DESC" LIMIT("$4"),
	[STORE_Q_OUTBOX_COUNT] = "SELECT count(*)" OUTBOX_WHERE,

	[STORE_Q_INBOX_JSON] =
		"SELECT i.id, i.received_at, i.sender, i.recipient, i.sim, i.sim_name,"
		" i.body, i.parts, i.keyword, i.partial, i.in_reply_to,"
		" o.body AS in_reply_to_body, o.campaign AS in_reply_to_campaign"
		INBOX_FROM,
	[STORE_Q_INBOX_TABLE] =
		"SELECT i.id, i.received_at, i.sender, i.sim_name AS sim,"
		" coalesce(i.keyword, '') AS keyword, i.body,"
		" coalesce(o.body, '') AS answers"
		INBOX_FROM,
	[STORE_Q_INBOX_COUNT] = "SELECT count(*)" INBOX_COUNT_WHERE,

	[STORE_Q_EVENTS] =
		"SELECT id, at, level, source, message" EVENTS_WHERE
		" ORDER BY id DESC" LIMIT("$3"),
	[STORE_Q_EVENTS_COUNT] = "SELECT count(*)" EVENTS_WHERE,

	[STORE_Q_OPTOUTS] = OPTOUTS("s.name AS sim,", " WHERE o.active = 1"),
	[STORE_Q_OPTOUTS_ALL] = OPTOUTS("s.name AS sim,", ""),
	[STORE_Q_OPTOUTS_JSON] =
		OPTOUTS("o.sim, s.name AS sim_name,", " WHERE o.active = 1"),
	[STORE_Q_OPTOUTS_ALL_JSON] = OPTOUTS("o.sim, s.name AS sim_name,", ""),

	[STORE_Q_STATUS_SIMS] =
		"SELECT name, modem, slot, " SIM_STATE " AS state, signal, registered,"
		" operator, number, iccid, imsi, sent_today, daily_limit, sent_month,"
		" monthly_limit, pool, model, device, updated_at FROM sims"
		SIM_ORDER,
	[STORE_Q_STATUS_SIMS_TABLE] =
		"SELECT name AS sim, " SIM_STATE " AS state,"
		" CASE WHEN signal IS NULL OR $1::bigint <> 0 THEN '-'"
		" ELSE signal || ' dBm' END AS signal,"
		" coalesce(operator, '-') AS network, coalesce(number, '-') AS number,"
		" sent_today || CASE WHEN daily_limit IS NULL THEN ''"
		"  ELSE '/' || daily_limit END AS today,"
		" pool, coalesce(model, '-') AS model FROM sims" SIM_ORDER,
	/* The views' counts, for readers too. */
	[STORE_Q_STATUS_QUEUE] =
		"SELECT (SELECT count(*) FROM outbox WHERE state = 'queued') AS queued,"
		" (SELECT count(*) FROM outbox WHERE state = 'deferred') AS deferred,"
		" (SELECT count(*) FROM outbox WHERE state = 'sending') AS sending,"
		" (SELECT count(*) FROM outbox WHERE state = 'unknown') AS unknown,"
		" (SELECT count(*) FROM inbox) AS received",

	[STORE_Q_CAMPAIGNS] =
		CAMPAIGN_ROWS " GROUP BY c.id ORDER BY c.created_at DESC, c.id DESC",
	[STORE_Q_CAMPAIGN] = CAMPAIGN_ROWS " WHERE c.name = $1 GROUP BY c.id",
	[STORE_Q_CAMPAIGN_STATES] =
		"SELECT state, count(*) AS messages FROM outbox WHERE campaign = $1"
		" GROUP BY state ORDER BY messages DESC, state COLLATE \"C\"",

	[STORE_Q_FUNNEL] = FUNNEL,
	[STORE_Q_FUNNEL_JSON] =
		"SELECT *, opted_out AS \"opted-out\" FROM (" FUNNEL ") f",

	[STORE_Q_REPORT_BY_SIM] =
		"SELECT coalesce(" SIM_NAME("s") ", '-') AS sim,"
		" count(*) AS messages, sum(m.parts)::bigint AS parts,"
		" " N("m.state = 'delivered'") " AS delivered,"
		" " N("m.state IN ('failed', 'expired')") " AS failed"
		" FROM message m LEFT JOIN sim s ON s.id = m.sim_id"
		" WHERE m.campaign_id = $1 AND m.sim_id IS NOT NULL"
		" GROUP BY m.sim_id, s.box, s.modem, s.slot"
		" ORDER BY messages DESC, m.sim_id",
	[STORE_Q_REPORT_ERRORS] =
		"SELECT error, count(*) AS messages FROM message"
		" WHERE campaign_id = $1 AND error IS NOT NULL"
		" GROUP BY error ORDER BY messages DESC, error COLLATE \"C\""
		" LIMIT 20",
	[STORE_Q_REPORT_PER_HOUR] =
		"SELECT to_char(to_timestamp(sent_at / 1000) AT TIME ZONE 'UTC',"
		" 'YYYY-MM-DD HH24:00') AS hour, count(*) AS messages FROM message"
		" WHERE campaign_id = $1 AND sent_at IS NOT NULL"
		" GROUP BY hour ORDER BY hour",

	[STORE_Q_OUTBOX_SHOW] =
		"SELECT o.id, o.created_at, o.recipient, o.body, o.kind,"
		" o.campaign, o.priority, o.state, o.sim, o.sim_name, o.parts,"
		" o.attempts,"
		" CASE WHEN o.not_before > '1970-01-02' THEN o.not_before END"
		" AS not_before, o.sent_at, o.delivered_at, o.error, o.origin,"
		" f.name AS file, f.idem_key AS file_id"
		" FROM outbox o LEFT JOIN spool_file f ON f.id = o.file_id"
		" WHERE o.id = $1",
	[STORE_Q_OUTBOX_SHOW_ATTEMPTS] =
		"SELECT row_number() OVER (ORDER BY a.id) AS attempt,"
		" " SIM_NAME("s") " AS sim, smsgw_iso(a.started_at)"
		" AS started, smsgw_iso(a.ended_at) AS ended,"
		" coalesce(a.result, 'running') AS result, a.error,"
		" smsgw_iso(a.next_at) AS next_try"
		" FROM attempt a LEFT JOIN sim s ON s.id = a.sim_id"
		" WHERE a.message_id = $1 ORDER BY a.id",
	/* "#ID" not followed by a digit, or the spool file's name as the
	 * spool names it ("accepted NAME: …"). */
	[STORE_Q_OUTBOX_SHOW_EVENTS] =
		"SELECT at, level, source, message FROM events"
		" WHERE message ~ ('#' || $1::bigint || '([^0-9]|$)')"
		" OR strpos(message, ' ' || (SELECT f.name FROM message m"
		"  JOIN spool_file f ON f.id = m.file_id WHERE m.id = $1)"
		" || ':') > 0"
		" ORDER BY id",
	[STORE_Q_OUTBOX_SHOW_EXISTS] = "SELECT 1 FROM message WHERE id = $1",
	/* smsgw ussd: the SIM (box/modem/slot), then its answer, an event
	 * row the box's smsgwd writes. */
	[STORE_Q_USSD_SIM] = "SELECT id FROM sims WHERE name = $1",
	[STORE_Q_USSD_ANSWER] =
		"SELECT message FROM events WHERE message LIKE $1"
		" ORDER BY id DESC LIMIT 1",
	/* smsgw token list: the API's tokens (pg_http.sql), every box's. */
	[STORE_Q_TOKENS] =
		"SELECT name, rights, smsgw_iso(created_at) AS created_at,"
		" smsgw_iso(used_at) AS used_at FROM api_token"
		" ORDER BY name COLLATE \"C\"",
};

const char *pg_cli_query_text(enum store_query q)
{
	return (unsigned)q < STORE_Q_COUNT ? pg_cli_texts[q] : NULL;
}
