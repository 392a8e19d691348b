/*
 * store_query_text — the SQLite text of each named query of
 * include/store_query.h. A second backend gives the same names its own
 * text with the same columns; what is SQLite's own here is strftime()
 * for ISO-8601 times, printf-free string concatenation with ||, and
 * booleans summed as integers.
 */
#include "store_query_text.h"

#include <stddef.h>

/* Outbox rows: ?1 state, ?2 campaign, ?3 recipient (each NULL: any). */
#define OUTBOX_WHERE                                                     \
	" FROM outbox WHERE (?1 IS NULL OR state = ?1)"                  \
	" AND (?2 IS NULL OR campaign = ?2)"                             \
	" AND (?3 IS NULL OR recipient = ?3)"

/* A cell cut at n characters, for a table that fits a terminal. */
#define CUT(col, n)                                                      \
	"CASE WHEN length(" col ") > " #n " THEN substr(" col ", 1, " #n \
	" - 1) || '…' ELSE " col " END"

/* not_before is the epoch for a message that may go at once. */
#define NOT_BEFORE                                                       \
	"CASE WHEN not_before > '1970-01-02' THEN not_before END"

/* ?1 received since (ms) or NULL, ?2 sender normalised or NULL, ?3
 * limit, ?4 the sender as written (an alphanumeric one is not a number). */
#define INBOX_WHERE                                                      \
	" FROM inbox i LEFT JOIN outbox o ON o.id = i.in_reply_to"       \
	" JOIN inbound r ON r.id = i.id"                                 \
	" WHERE (?1 IS NULL OR r.received_at >= ?1)"                     \
	" AND (?2 IS NULL OR i.sender = ?2 OR i.sender = ?4)"
#define INBOX_FROM INBOX_WHERE " ORDER BY i.id DESC LIMIT ?3"

/* ?1 since (ms) or NULL, ?2 lowest level (0 info, 1 warning, 2 error). */
#define EVENTS_WHERE                                                     \
	" FROM event WHERE (?1 IS NULL OR at >= ?1)"                     \
	" AND CASE level WHEN 'error' THEN 2 WHEN 'warning' THEN 1"      \
	" ELSE 0 END >= ?2"

/* A time in ms as ISO-8601 UTC. */
#define MS_ISO(col) \
	"strftime('%Y-%m-%dT%H:%M:%fZ', " col " / 1000.0, 'unixepoch')"

#define ISO_AT "strftime('%Y-%m-%dT%H:%M:%fZ', at / 1000.0, 'unixepoch')"

/* The SIM by name (modem/slot), as every other table names it; JSON and
 * CSV keep the view's sim id beside it. */
#define OPTOUTS(cols, where)                                             \
	"SELECT o.number, o.opted_out_at, o.keyword, " cols " o.active,"  \
	" o.source, o.updated_at FROM optouts o"                         \
	" LEFT JOIN sims s ON s.id = o.sim" where                        \
	" ORDER BY o.opted_out_at DESC"

/* ?1: 1 when the daemon is not running; its SIMs are offline then (the
 * view says so after a clean stop; after a crash only we can tell). */
#define SIM_STATE "CASE WHEN ?1 THEN 'offline' ELSE state END"

/* A campaign's counts in one pass over its messages: name, state,
 * created_at, total, pending, sent, delivered, failed, not_sent. */
#define CAMPAIGN_ROWS                                                    \
	"SELECT c.name, c.state,"                                        \
	" strftime('%Y-%m-%dT%H:%M:%fZ', c.created_at / 1000.0,"         \
	" 'unixepoch') AS created_at, count(m.id) AS total,"             \
	" coalesce(sum(m.state IN ('queued', 'deferred', 'sending')), 0)" \
	" AS pending,"                                                   \
	" coalesce(sum(m.state IN ('sent', 'delivered')), 0) AS sent,"   \
	" coalesce(sum(m.state = 'delivered'), 0) AS delivered,"         \
	" coalesce(sum(m.state IN ('failed', 'expired', 'unknown')), 0)" \
	" AS failed,"                                                    \
	" coalesce(sum(m.state IN ('suppressed', 'cancelled')), 0)"      \
	" AS not_sent"                                                   \
	" FROM campaign c LEFT JOIN message m ON m.campaign_id = c.id"

/*
 * The funnel of all messages (?1 NULL) or of the campaign named ?1: the
 * rows still there plus what pruning and smsgw forget rolled up into
 * daily_stats (r), so the figures survive them (issue 19).
 */
#define FUNNEL                                                           \
	"WITH m AS (SELECT * FROM message WHERE ?1 IS NULL OR campaign_id =" \
	"  (SELECT id FROM campaign WHERE name = ?1)),"                  \
	" r AS (SELECT coalesce(sum(messages), 0) AS messages,"          \
	"  coalesce(sum(sent), 0) AS sent,"                              \
	"  coalesce(sum(delivered), 0) AS delivered,"                    \
	"  coalesce(sum(failed), 0) AS failed,"                          \
	"  coalesce(sum(unknown), 0) AS unknown,"                        \
	"  coalesce(sum(suppressed), 0) AS suppressed,"                  \
	"  coalesce(sum(cancelled), 0) AS cancelled,"                    \
	"  coalesce(sum(replied), 0) AS replied,"                        \
	"  coalesce(sum(CASE WHEN ?1 IS NULL THEN opted_out_all"         \
	"   ELSE opted_out END), 0) AS opted_out,"                       \
	"  coalesce(sum(sms_parts), 0) AS sms_parts"                     \
	"  FROM daily_stats WHERE ?1 IS NULL OR campaign_id ="           \
	"  (SELECT id FROM campaign WHERE name = ?1)),"                  \
	" o AS (SELECT count(DISTINCT m.recipient) AS n FROM m JOIN optout o" \
	"  ON o.number = m.recipient AND o.active = 1"                   \
	"  AND o.opted_out_at >= m.created_at)"                          \
	" SELECT count(*) + (SELECT messages FROM r) AS messages,"        \
	" coalesce(sum(state IN ('queued', 'deferred', 'sending')), 0) AS queued," \
	" coalesce(sum(state IN ('sent', 'delivered')), 0)"              \
	"  + (SELECT sent FROM r) AS sent,"                              \
	" coalesce(sum(state = 'delivered'), 0)"                         \
	"  + (SELECT delivered FROM r) AS delivered,"                    \
	" coalesce(sum(state IN ('failed', 'expired')), 0)"              \
	"  + (SELECT failed FROM r) AS failed,"                          \
	" coalesce(sum(state = 'unknown'), 0)"                           \
	"  + (SELECT unknown FROM r) AS unknown,"                        \
	" coalesce(sum(state = 'suppressed'), 0)"                        \
	"  + (SELECT suppressed FROM r) AS suppressed,"                  \
	" coalesce(sum(state = 'cancelled'), 0)"                         \
	"  + (SELECT cancelled FROM r) AS cancelled,"                    \
	" (SELECT count(DISTINCT i.in_reply_to) FROM inbound i"          \
	"  WHERE i.in_reply_to IN (SELECT id FROM m))"                   \
	"  + (SELECT replied FROM r) AS replied,"                        \
	" (SELECT n FROM o) + (SELECT opted_out FROM r) AS opted_out,"   \
	" coalesce(sum(parts * (state IN ('sent', 'delivered'))), 0)"    \
	"  + (SELECT sms_parts FROM r) AS sms_parts"                     \
	" FROM m"

#define API_MESSAGE_COLS                                                 \
	"SELECT id, created_at, recipient, body, kind, campaign, priority," \
	" state, sim_name AS sim, parts, attempts, sent_at, delivered_at," \
	" error, not_before, updated_at FROM outbox"

static const char *const store_query_texts[STORE_Q_COUNT] = {
	[STORE_Q_OUTBOX_JSON] =
		"SELECT id, created_at, recipient, body, kind, campaign, priority,"
		" state, sim, sim_name, parts, attempts, " NOT_BEFORE " AS not_before,"
		" sent_at, delivered_at, error" OUTBOX_WHERE " ORDER BY id DESC LIMIT ?4",
	[STORE_Q_OUTBOX_TABLE] =
		"SELECT id, created_at AS created, recipient, state, sim_name AS sim,"
		" " NOT_BEFORE " AS not_before, " CUT("campaign", 10) " AS campaign,"
		" " CUT("error", 20) " AS error, " CUT("replace(body, char(10), ' ')", 20)
		" AS text" OUTBOX_WHERE " ORDER BY id DESC LIMIT ?4",
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
	[STORE_Q_INBOX_COUNT] = "SELECT count(*)" INBOX_WHERE,

	[STORE_Q_EVENTS] =
		"SELECT id, " ISO_AT " AS at, level, source, message" EVENTS_WHERE
		" ORDER BY id DESC LIMIT ?3",
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
		" ORDER BY modem, slot",
	[STORE_Q_STATUS_SIMS_TABLE] =
		"SELECT name AS sim, " SIM_STATE " AS state,"
		" CASE WHEN signal IS NULL OR ?1 THEN '-'"
		" ELSE signal || ' dBm' END AS signal,"
		" coalesce(operator, '-') AS network, coalesce(number, '-') AS number,"
		" sent_today || CASE WHEN daily_limit IS NULL THEN ''"
		"  ELSE '/' || daily_limit END AS today,"
		" pool, coalesce(model, '-') AS model FROM sims ORDER BY modem, slot",
	/* One count a state: each uses its partial index instead of a scan
	 * of every message ever sent. */
	[STORE_Q_STATUS_QUEUE] =
		"SELECT (SELECT count(*) FROM message WHERE state = 'queued') AS queued,"
		" (SELECT count(*) FROM message WHERE state = 'deferred') AS deferred,"
		" (SELECT count(*) FROM message WHERE state = 'sending') AS sending,"
		" (SELECT count(*) FROM message WHERE state = 'unknown') AS unknown,"
		" (SELECT count(*) FROM inbound) AS received",

	[STORE_Q_CAMPAIGNS] =
		CAMPAIGN_ROWS " GROUP BY c.id ORDER BY c.created_at DESC",
	[STORE_Q_CAMPAIGN] = CAMPAIGN_ROWS " WHERE c.name = ?1 GROUP BY c.id",
	[STORE_Q_CAMPAIGN_STATES] =
		"SELECT state, count(*) AS messages FROM outbox WHERE campaign = ?1"
		" GROUP BY state ORDER BY messages DESC",

	/* used_at: to the minute (http.c notes a use once a minute). */
	[STORE_Q_TOKENS] =
		"SELECT name, rights,"
		" strftime('%Y-%m-%dT%H:%M:%fZ', created_at / 1000.0, 'unixepoch')"
		" AS created_at,"
		" strftime('%Y-%m-%dT%H:%M:%fZ', used_at / 1000.0, 'unixepoch')"
		" AS used_at FROM api_token ORDER BY name",

	[STORE_Q_FUNNEL] = FUNNEL,
	/* JSON keeps "opted-out", doc/contract.md's funnel word, beside
	 * opted_out for the scripts that read it; tables, CSV and the
	 * report show one. */
	[STORE_Q_FUNNEL_JSON] =
		"SELECT *, opted_out AS \"opted-out\" FROM (" FUNNEL ")",

	[STORE_Q_REPORT_BY_SIM] =
		"SELECT coalesce(s.modem || '/' || s.slot, '-') AS sim,"
		" count(*) AS messages, sum(m.parts) AS parts,"
		" coalesce(sum(m.state = 'delivered'), 0) AS delivered,"
		" coalesce(sum(m.state IN ('failed', 'expired')), 0) AS failed"
		" FROM message m LEFT JOIN sim s ON s.id = m.sim_id"
		" WHERE m.campaign_id = ?1 AND m.sim_id IS NOT NULL"
		" GROUP BY m.sim_id ORDER BY messages DESC",
	[STORE_Q_REPORT_ERRORS] =
		"SELECT error, count(*) AS messages FROM message"
		" WHERE campaign_id = ?1 AND error IS NOT NULL"
		" GROUP BY error ORDER BY messages DESC LIMIT 20",
	[STORE_Q_REPORT_PER_HOUR] =
		"SELECT strftime('%Y-%m-%d %H:00', sent_at / 1000, 'unixepoch')"
		" AS hour, count(*) AS messages FROM message"
		" WHERE campaign_id = ?1 AND sent_at IS NOT NULL"
		" GROUP BY hour ORDER BY hour",
	[STORE_Q_USSD_SIM] = "SELECT id FROM sims WHERE name = ?1",
	[STORE_Q_USSD_ANSWER] =
		"SELECT message FROM events WHERE message LIKE ?1"
		" ORDER BY id DESC LIMIT 1",

	[STORE_Q_API_MESSAGE] = API_MESSAGE_COLS " WHERE id = ?1",
	[STORE_Q_API_MESSAGES] =
		API_MESSAGE_COLS " WHERE (?1 IS NULL OR state = ?1)"
		" AND (?2 IS NULL OR campaign = ?2)"
		" AND (?3 IS NULL OR created_at >= ?3)"
		" ORDER BY id DESC LIMIT ?4",
	[STORE_Q_API_INBOX] =
		"SELECT id, received_at, sender, recipient,"
		" sim_name AS sim, body, parts, keyword, partial,"
		" in_reply_to FROM inbox WHERE id > ?1"
		" ORDER BY id LIMIT ?2",
	[STORE_Q_API_SIMS] =
		"SELECT name, modem, slot, iccid, imsi, number, operator,"
		" signal, registered, state, pool, sent_today, daily_limit,"
		" CASE WHEN daily_limit > 0 THEN max(daily_limit - sent_today,"
		" 0) END AS quota_left, sent_month, monthly_limit, updated_at"
		" FROM sims ORDER BY id",

	[STORE_Q_WEBHOOK_RECEIVED] =
		"SELECT id, received_at, sender, recipient,"
		" sim_name AS sim, body, parts, keyword, partial,"
		" in_reply_to FROM inbox WHERE id = ?",
	[STORE_Q_WEBHOOK_OPTOUT] =
		"SELECT number, strftime('%Y-%m-%dT%H:%M:%fZ',"
		" opted_out_at / 1000.0, 'unixepoch') AS opted_out_at,"
		" keyword, source FROM optout WHERE rowid = ?",
	[STORE_Q_WEBHOOK_MESSAGE] =
		"SELECT id, created_at, recipient, body, kind, campaign,"
		" priority, state, sim_name AS sim, parts, attempts, sent_at,"
		" delivered_at, error FROM outbox WHERE id = ?",

	[STORE_Q_FILE_MESSAGES] =
		"SELECT id, recipient, state FROM message WHERE file_id = ?"
		" ORDER BY id",
	[STORE_Q_OUTBOX_SHOW] =
		"SELECT o.id, o.created_at, o.recipient, o.body, o.kind,"
		" o.campaign, o.priority, o.state, o.sim, o.sim_name, o.parts,"
		" o.attempts,"
		" CASE WHEN o.not_before > '1970-01-02' THEN o.not_before END"
		" AS not_before, o.sent_at, o.delivered_at, o.error, o.origin,"
		" f.name AS file, f.idem_key AS file_id"
		" FROM outbox o LEFT JOIN spool_file f ON f.id = o.file_id"
		" WHERE o.id = ?1",
	[STORE_Q_OUTBOX_SHOW_ATTEMPTS] =
		"SELECT row_number() OVER (ORDER BY a.id) AS attempt,"
		" s.modem || '/' || s.slot AS sim, " MS_ISO("a.started_at")
		" AS started, " MS_ISO("a.ended_at") " AS ended,"
		" coalesce(a.result, 'running') AS result, a.error,"
		" " MS_ISO("a.next_at") " AS next_try"
		" FROM attempt a LEFT JOIN sim s ON s.id = a.sim_id"
		" WHERE a.message_id = ?1 ORDER BY a.id",
	/* Events that name the message as "#ID" (not "#IDx" with more
	 * digits), or its spool file as the spool names it ("accepted
	 * NAME: …"). */
	[STORE_Q_OUTBOX_SHOW_EVENTS] =
		"SELECT at, level, source, message FROM events"
		" WHERE message GLOB '*#' || ?1 || '[^0-9]*'"
		" OR message GLOB '*#' || ?1"
		" OR instr(message, ' ' || (SELECT f.name FROM message m"
		"  JOIN spool_file f ON f.id = m.file_id WHERE m.id = ?1)"
		" || ':') > 0"
		" ORDER BY id",
	[STORE_Q_OUTBOX_SHOW_EXISTS] = "SELECT 1 FROM message WHERE id = ?1",
};

const char *store_query_text(enum store_query q)
{
	return (unsigned)q < STORE_Q_COUNT ? store_query_texts[q] : NULL;
}
