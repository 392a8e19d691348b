/*
 * store_query — the read queries of the CLI, the HTTP API and webhook
 * bodies, by name, and a cursor over their rows.
 *
 * Callers name a query (enum store_query) and bind its parameters; the
 * text of each query is the store's (store/store_query_text.c), so a
 * second backend brings its own text for the same names. What a query
 * returns — its columns, their order and names — is its interface:
 * printers show the column names as headings and JSON keys, and callers
 * that read a column by index rely on the order documented here.
 *
 * Most of them read the contract views (inbox, outbox, optouts, sims,
 * events; doc/contract.md), the interface users query with sqlite3 too;
 * the funnel and the report's tables read internal tables. What is read
 * to be computed on rather than shown as rows has functions with structs
 * instead (store_report.h, store_hook.h, store_webhook.h).
 */
#ifndef SMSGW_STORE_QUERY_H
#define SMSGW_STORE_QUERY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

enum store_bind_type {
	STORE_BIND_NULL,
	STORE_BIND_TEXT,
	STORE_BIND_INT,
};

/* A parameter ?N; text is borrowed until the cursor is closed. */
struct store_bind {
	enum store_bind_type type;
	const char *text;
	int64_t i;
};

#define STORE_TEXT(s) \
	((struct store_bind){ .type = (s) ? STORE_BIND_TEXT : STORE_BIND_NULL, \
			      .text = (s) })
#define STORE_INT(v) ((struct store_bind){ .type = STORE_BIND_INT, .i = (v) })

enum store_query {
	/* smsgw outbox: ?1 state, ?2 campaign, ?3 recipient (each NULL:
	 * any), ?4 limit; the count takes ?1-?3. */
	STORE_Q_OUTBOX_JSON,
	STORE_Q_OUTBOX_TABLE,
	STORE_Q_OUTBOX_COUNT,
	/* smsgw inbox: ?1 received since (ms) or NULL, ?2 sender
	 * normalised or NULL, ?3 limit, ?4 the sender as written. */
	STORE_Q_INBOX_JSON,
	STORE_Q_INBOX_TABLE,
	STORE_Q_INBOX_COUNT,
	/* smsgw events: ?1 since (ms) or NULL, ?2 lowest level (0 info,
	 * 1 warning, 2 error), ?3 limit; the count takes ?1-?2. */
	STORE_Q_EVENTS,
	STORE_Q_EVENTS_COUNT,
	/* smsgw optout list: active ones or all, for tables or JSON. */
	STORE_Q_OPTOUTS,
	STORE_Q_OPTOUTS_ALL,
	STORE_Q_OPTOUTS_JSON,
	STORE_Q_OPTOUTS_ALL_JSON,
	/* smsgw status: ?1 1 when the daemon is not running (its SIMs are
	 * shown offline). The queue: queued, deferred, sending, unknown,
	 * received. */
	STORE_Q_STATUS_SIMS,
	STORE_Q_STATUS_SIMS_TABLE,
	STORE_Q_STATUS_QUEUE,
	/* smsgw campaign: every campaign's counts; one (?1 its name); the
	 * states of its messages (?1 its name). */
	STORE_Q_CAMPAIGNS,
	STORE_Q_CAMPAIGN,
	STORE_Q_CAMPAIGN_STATES,
	/* smsgw token list: name, rights, created_at, used_at. */
	STORE_Q_TOKENS,
	/* The funnel of all messages (?1 NULL) or of the campaign named ?1
	 * (smsgw stats, smsgw report); _JSON adds "opted-out" beside
	 * opted_out. */
	STORE_Q_FUNNEL,
	STORE_Q_FUNNEL_JSON,
	/* smsgw report's tables, ?1 the campaign's id: by SIM, errors,
	 * sent per hour (its charts: store_report.h). */
	STORE_Q_REPORT_BY_SIM,
	STORE_Q_REPORT_ERRORS,
	STORE_Q_REPORT_PER_HOUR,
	/* smsgw ussd: the id of the SIM named ?1; the newest event message
	 * LIKE ?1. */
	STORE_Q_USSD_SIM,
	STORE_Q_USSD_ANSWER,
	/* HTTP API: one message (?1 id); messages (?1 state, ?2 campaign,
	 * ?3 created since, ISO, each NULL: any; ?4 limit); inbox (?1 after
	 * id, ?2 limit); SIMs. */
	STORE_Q_API_MESSAGE,
	STORE_Q_API_MESSAGES,
	STORE_Q_API_INBOX,
	STORE_Q_API_SIMS,
	/* A webhook body's row: an inbox message (?1 id), an opt-out
	 * (?1 its rowid), an outbox message (?1 id). */
	STORE_Q_WEBHOOK_RECEIVED,
	STORE_Q_WEBHOOK_OPTOUT,
	STORE_Q_WEBHOOK_MESSAGE,
	/* The messages of spool file ?1 (id, recipient, state): an HTTP
	 * send repeated with the same id. */
	STORE_Q_FILE_MESSAGES,
	/* smsgw outbox show, ?1 the message's id: the message (id, then
	 * "name: value" fields; sim is the id, sim_name its name), its
	 * attempts (attempt, sim, started, ended, result, error, next_try),
	 * the events that name it (at, level, source, message); _EXISTS
	 * is one row (1) when the message exists. */
	STORE_Q_OUTBOX_SHOW,
	STORE_Q_OUTBOX_SHOW_ATTEMPTS,
	STORE_Q_OUTBOX_SHOW_EVENTS,
	STORE_Q_OUTBOX_SHOW_EXISTS,
	STORE_Q_COUNT
};

enum store_type {
	STORE_TYPE_NULL,
	STORE_TYPE_INT,
	STORE_TYPE_REAL,
	STORE_TYPE_TEXT,
};

struct store_rows;

/*
 * A cursor over the rows of q with binds bound to ?1…; NULL on an error
 * (store_errmsg() says why). Close it with store_rows_close().
 */
struct store_rows *store_query_open(struct store *st, enum store_query q,
				    const struct store_bind *binds,
				    size_t nbinds);
/*
 * The same for a statement's text, for the callers not yet moved to a
 * named query (cli_outbox_show.c). New code names its query.
 */
struct store_rows *store_query_open_text(struct store *st, const char *sql,
					 const struct store_bind *binds,
					 size_t nbinds);
/*
 * A statement a person typed (smsgw query): one statement that only reads
 * (sqlite3_stmt_readonly), or NULL with the reason in err.
 */
struct store_rows *store_query_user(struct store *st, const char *sql,
				    char *err, size_t errsize);
/* 1 with the next row current, 0 at the end, -EIO on an error. */
int store_rows_next(struct store_rows *r);
void store_rows_close(struct store_rows *r);

int store_rows_ncols(const struct store_rows *r);
const char *store_rows_name(const struct store_rows *r, int c);
/* The current row's column c. Text is valid until the next row, and is
 * the value as text for numbers too (NULL for NULL); bytes its length. */
enum store_type store_rows_type(const struct store_rows *r, int c);
const char *store_rows_text(const struct store_rows *r, int c);
size_t store_rows_bytes(const struct store_rows *r, int c);
int64_t store_rows_int(const struct store_rows *r, int c);
double store_rows_real(const struct store_rows *r, int c);
/* The current row as a new JSON object, column names as keys. */
json_t *store_rows_json(const struct store_rows *r);

/* Every row of q as a JSON array of objects; NULL on an error. */
json_t *store_query_json(struct store *st, enum store_query q,
			 const struct store_bind *binds, size_t nbinds);
/* The first row of q as an object: NULL with *failed false when there is
 * none, NULL with *failed true on an error. */
json_t *store_query_json_row(struct store *st, enum store_query q,
			     const struct store_bind *binds, size_t nbinds,
			     bool *failed);
/* The first column of q's first row as an integer: 0 with *found false
 * when there is no row; -EIO on an error. */
int store_query_int(struct store *st, enum store_query q,
		    const struct store_bind *binds, size_t nbinds,
		    int64_t *value, bool *found);

#endif
