/*
 * store_schema — the migrations, in order. Migration N brings a database
 * from user_version N-1 to N. Never edit a migration that has shipped: add
 * the next one.
 *
 * Conventions: times are INTEGER milliseconds since the epoch (UTC); the
 * views turn them into ISO-8601 text with iso(). Internal tables are
 * singular (message, part, sim); the contract views are what doc/contract.md §5
 * names (inbox, outbox, optouts, sims, events).
 *
 * At start the daemon holds the database's views and triggers to the last
 * "CREATE VIEW name " / "CREATE TRIGGER name " text of these migrations
 * (sqlin_check_schema(), spool/sqlin.c): write them in that form, one
 * statement each, and a changed one is caught.
 */
#include "store_schema.h"
#include "store_daemon.h"

#include <stddef.h>

/* ISO-8601 UTC with milliseconds, from a millisecond column. */
#define ISO(col) "strftime('%Y-%m-%dT%H:%M:%fZ', " col " / 1000.0, 'unixepoch')"

static const char store_schema_v1[] =
	/* ---- audit log ---- */
	"CREATE TABLE event ("
	"  id      INTEGER PRIMARY KEY,"
	"  at      INTEGER NOT NULL,"
	"  level   TEXT NOT NULL,"
	"  source  TEXT NOT NULL,"
	"  message TEXT NOT NULL"
	");"

	/* ---- SIMs: one row per configured slot ---- */
	"CREATE TABLE sim ("
	"  id            INTEGER PRIMARY KEY,"
	"  modem         TEXT NOT NULL,"	/* config modem name */
	"  slot          TEXT NOT NULL,"	/* config sim title */
	"  iccid         TEXT,"
	"  imsi          TEXT,"
	"  imei          TEXT,"
	"  number        TEXT,"
	"  operator      TEXT,"
	"  signal        INTEGER,"		/* dBm, NULL unknown */
	"  registered    INTEGER NOT NULL DEFAULT 0,"
	"  pool          TEXT NOT NULL DEFAULT 'default',"
	"  daily_limit   INTEGER,"
	"  monthly_limit INTEGER,"
	"  state         TEXT NOT NULL DEFAULT 'init',"
	"  paused_until  INTEGER,"		/* barring/spam pause */
	"  device        TEXT,"		/* where the modem was last seen */
	"  model         TEXT,"
	"  updated_at    INTEGER NOT NULL,"
	"  UNIQUE (modem, slot)"
	");"
	/* Sends per SIM card, keyed by ICCID so counters follow the card. */
	"CREATE TABLE sim_usage ("
	"  iccid      TEXT PRIMARY KEY,"
	"  day        TEXT NOT NULL,"		/* local YYYY-MM-DD */
	"  sent_day   INTEGER NOT NULL DEFAULT 0,"
	"  month      TEXT NOT NULL,"		/* local YYYY-MM */
	"  sent_month INTEGER NOT NULL DEFAULT 0,"
	"  last_send_at INTEGER"
	");"

	/* ---- outbound ---- */
	/* Accepted spool files. A name may come back later; the claim
	 * name (unique per claim) recognises the same file after a crash
	 * between the commit and the unlink. */
	"CREATE TABLE spool_file ("
	"  id          INTEGER PRIMARY KEY,"
	"  name        TEXT NOT NULL,"
	"  claim       TEXT UNIQUE,"		/* its name in active/ */
	"  hash        TEXT NOT NULL,"
	"  idem_key    TEXT UNIQUE,"
	"  accepted_at INTEGER NOT NULL,"
	"  recipients  INTEGER NOT NULL DEFAULT 0,"
	"  duplicates  INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX spool_file_name ON spool_file (name);"
	"CREATE TABLE campaign ("
	"  id         INTEGER PRIMARY KEY,"
	"  name       TEXT NOT NULL UNIQUE,"
	"  created_at INTEGER NOT NULL,"
	"  state      TEXT NOT NULL DEFAULT 'active'"
	"             CHECK (state IN ('active', 'paused', 'cancelled'))"
	");"
	"CREATE TABLE message ("
	"  id          INTEGER PRIMARY KEY,"
	"  file_id     INTEGER REFERENCES spool_file(id),"
	"  created_at  INTEGER NOT NULL,"
	"  recipient   TEXT NOT NULL,"
	"  body        TEXT NOT NULL,"
	"  kind        TEXT NOT NULL CHECK (kind IN ('direct', 'bulk')),"
	"  class       INTEGER NOT NULL,"	/* 0 direct, 1 bulk: claim order */
	"  campaign_id INTEGER REFERENCES campaign(id),"
	"  priority    INTEGER NOT NULL DEFAULT 1,"	/* 0 high 1 normal 2 low */
	"  state       TEXT NOT NULL CHECK (state IN ('queued', 'deferred',"
	"              'sending', 'sent', 'delivered', 'failed', 'expired',"
	"              'suppressed', 'unknown', 'cancelled')),"
	"  not_before  INTEGER NOT NULL DEFAULT 0,"
	"  expires_at  INTEGER,"
	"  pool        TEXT NOT NULL DEFAULT '',"	/* '' any, '@<sim id>' pinned */
	"  pin_sim     TEXT,"		/* SIM: header as written */
	"  hold        TEXT,"		/* 'paused': a paused campaign holds it */
	"  sim_id      INTEGER REFERENCES sim(id),"
	"  avoid_sim   INTEGER,"		/* failed there: another SIM first… */
	"  avoid_until INTEGER,"		/* …until then */
	"  parts       INTEGER NOT NULL DEFAULT 1,"
	"  parts_sent  INTEGER NOT NULL DEFAULT 0,"
	"  attempts    INTEGER NOT NULL DEFAULT 0,"
	"  sent_at     INTEGER,"
	"  delivered_at INTEGER,"
	"  error       TEXT,"
	"  report      INTEGER NOT NULL DEFAULT 0,"
	"  flash       INTEGER NOT NULL DEFAULT 0,"
	"  validity    INTEGER,"		/* minutes */
	"  ucs2        INTEGER NOT NULL DEFAULT 0,"
	"  language    INTEGER NOT NULL DEFAULT 0,"	/* enum sms_language */
	"  max_attempts INTEGER,"		/* Retries: + 1; NULL: the config's */
	"  concat_ref  INTEGER,"
	"  origin      TEXT NOT NULL DEFAULT 'spool',"	/* spool, optout-reply, … */
	"  in_reply_to INTEGER,"		/* inbox id for automatic replies */
	"  updated_at  INTEGER NOT NULL"
	");"
	"CREATE INDEX message_queued ON message (pool, class, priority, id)"
	"  WHERE state = 'queued';"
	"CREATE INDEX message_deferred ON message (not_before)"
	"  WHERE state = 'deferred' AND hold IS NULL;"
	"CREATE INDEX message_expiry ON message (expires_at)"
	"  WHERE state IN ('queued', 'deferred');"
	/* Few indexes on message, none on every state: each one costs WAL
	 * pages in every send's commit. */
	"CREATE INDEX message_recipient ON message (recipient);"
	"CREATE INDEX message_campaign ON message (campaign_id);"
	"CREATE INDEX message_unsettled ON message (state)"
	"  WHERE state IN ('sending', 'unknown');"
	/* One row per SMS part once it was handed to a modem. */
	"CREATE TABLE part ("
	"  message_id INTEGER NOT NULL REFERENCES message(id) ON DELETE CASCADE,"
	"  seq        INTEGER NOT NULL,"
	"  sim_id     INTEGER REFERENCES sim(id),"
	"  mr         INTEGER,"
	"  sent_at    INTEGER,"
	"  status     INTEGER,"		/* TP-ST of the status report */
	"  report_at  INTEGER,"
	"  PRIMARY KEY (message_id, seq)"
	");"
	"CREATE INDEX part_report ON part (sim_id, mr, sent_at);"
	/* Every try to send a message, for the audit and the error history. */
	"CREATE TABLE attempt ("
	"  id         INTEGER PRIMARY KEY,"
	"  message_id INTEGER NOT NULL REFERENCES message(id) ON DELETE CASCADE,"
	"  sim_id     INTEGER REFERENCES sim(id),"
	"  started_at INTEGER NOT NULL,"
	"  ended_at   INTEGER,"
	"  result     TEXT,"
	"  error      TEXT"
	");"
	"CREATE INDEX attempt_message ON attempt (message_id);"
	/* Which SIM last talked with a number (one-to-one sticky sender). */
	"CREATE TABLE sticky ("
	"  number  TEXT PRIMARY KEY,"
	"  sim_id  INTEGER NOT NULL REFERENCES sim(id),"
	"  last_at INTEGER NOT NULL"
	");"
	"CREATE TABLE status_report ("
	"  id          INTEGER PRIMARY KEY,"
	"  received_at INTEGER NOT NULL,"
	"  sim_id      INTEGER REFERENCES sim(id),"
	"  mr          INTEGER NOT NULL,"
	"  recipient   TEXT,"
	"  status      INTEGER NOT NULL,"
	"  discharge   TEXT,"
	"  message_id  INTEGER REFERENCES message(id),"
	"  pdu         TEXT"
	");"

	/* ---- opt-outs ---- */
	"CREATE TABLE optout ("
	"  number       TEXT PRIMARY KEY,"
	"  opted_out_at INTEGER NOT NULL,"
	"  keyword      TEXT,"
	"  sim_id       INTEGER REFERENCES sim(id),"
	"  active       INTEGER NOT NULL DEFAULT 1,"
	"  source       TEXT NOT NULL DEFAULT 'keyword',"	/* keyword, manual */
	"  how          TEXT,"		/* exact, broad (multi-word) */
	"  updated_at   INTEGER NOT NULL"
	");"

	/* ---- inbound ---- */
	"CREATE TABLE raw_pdu ("
	"  id          INTEGER PRIMARY KEY,"
	"  received_at INTEGER NOT NULL,"
	"  sim_id      INTEGER REFERENCES sim(id),"
	"  iccid       TEXT,"
	"  pdu         TEXT NOT NULL,"
	"  error       TEXT,"		/* why it could not be decoded */
	"  UNIQUE (iccid, pdu)"
	");"
	"CREATE TABLE inbound ("
	"  id          INTEGER PRIMARY KEY,"
	"  received_at INTEGER NOT NULL,"
	"  sender      TEXT NOT NULL,"
	"  sender_type TEXT,"
	"  recipient   TEXT,"
	"  sim_id      INTEGER REFERENCES sim(id),"
	"  body        TEXT NOT NULL,"
	"  parts       INTEGER NOT NULL DEFAULT 1,"
	"  total       INTEGER NOT NULL DEFAULT 1,"
	"  partial     INTEGER NOT NULL DEFAULT 0,"
	"  keyword     TEXT,"
	"  in_reply_to INTEGER REFERENCES message(id),"
	"  scts        TEXT,"
	"  concat_ref  INTEGER,"
	"  updated_at  INTEGER NOT NULL"
	");"
	"CREATE INDEX inbound_received ON inbound (received_at);"
	"CREATE INDEX inbound_sender ON inbound (sender);"
	"CREATE TABLE inbound_part ("
	"  id          INTEGER PRIMARY KEY,"
	"  received_at INTEGER NOT NULL,"
	"  sim_id      INTEGER REFERENCES sim(id),"
	"  sender      TEXT NOT NULL,"
	"  ref         INTEGER NOT NULL,"
	"  total       INTEGER NOT NULL,"
	"  seq         INTEGER NOT NULL,"
	"  body        TEXT NOT NULL,"
	"  raw_id      INTEGER REFERENCES raw_pdu(id),"
	"  inbound_id  INTEGER REFERENCES inbound(id),"
	"  state       TEXT NOT NULL DEFAULT 'waiting'"
	"              CHECK (state IN ('waiting', 'assembled', 'orphan')),"
	"  reason      TEXT"		/* why an orphan is one */
	");"
	"CREATE INDEX inbound_part_key ON inbound_part"
	"  (sim_id, sender, ref, total, seq);"
	"CREATE INDEX inbound_part_waiting ON inbound_part (received_at)"
	"  WHERE state = 'waiting';"

	/* ---- the contract views (doc/contract.md §5) ---- */
	"CREATE VIEW events AS SELECT"
	"  " ISO("at") " AS at, level, source, message, id"
	"  FROM event;"
	"CREATE VIEW sims AS SELECT"
	"  s.id, s.modem, s.slot, s.iccid, s.imsi, s.number, s.operator,"
	"  s.signal, s.registered,"
	"  CASE WHEN u.day = strftime('%Y-%m-%d', 'now', 'localtime')"
	"       THEN u.sent_day ELSE 0 END AS sent_today,"
	"  s.daily_limit, s.state, " ISO("s.updated_at") " AS updated_at,"
	"  CASE WHEN u.month = strftime('%Y-%m', 'now', 'localtime')"
	"       THEN u.sent_month ELSE 0 END AS sent_month,"
	"  s.monthly_limit, s.pool, s.imei, s.device, s.model,"
	"  s.modem || '/' || s.slot AS name"
	"  FROM sim s LEFT JOIN sim_usage u ON u.iccid = s.iccid;"
	"CREATE VIEW outbox AS SELECT"
	"  m.id, " ISO("m.created_at") " AS created_at, m.recipient, m.body,"
	"  m.kind, c.name AS campaign,"
	"  CASE m.priority WHEN 0 THEN 'high' WHEN 1 THEN 'normal'"
	"       ELSE 'low' END AS priority,"
	"  m.state, m.sim_id AS sim, m.parts, m.attempts,"
	"  " ISO("m.sent_at") " AS sent_at,"
	"  " ISO("m.delivered_at") " AS delivered_at, m.error,"
	"  s.modem || '/' || s.slot AS sim_name, s.iccid AS sim_iccid,"
	"  s.number AS sim_number, m.origin, m.in_reply_to,"
	"  " ISO("m.not_before") " AS not_before, m.file_id,"
	"  " ISO("m.updated_at") " AS updated_at"
	"  FROM message m LEFT JOIN campaign c ON c.id = m.campaign_id"
	"  LEFT JOIN sim s ON s.id = m.sim_id;"
	"CREATE VIEW optouts AS SELECT"
	"  o.number, " ISO("o.opted_out_at") " AS opted_out_at, o.keyword,"
	"  o.sim_id AS sim, o.active, o.source, o.how,"
	"  " ISO("o.updated_at") " AS updated_at"
	"  FROM optout o;"
	"CREATE VIEW inbox AS SELECT"
	"  i.id, " ISO("i.received_at") " AS received_at, i.sender,"
	"  i.recipient, i.sim_id AS sim, i.body, i.parts, i.keyword,"
	"  i.total, i.partial, i.sender_type, i.in_reply_to, i.scts,"
	"  s.modem || '/' || s.slot AS sim_name,"
	"  " ISO("i.updated_at") " AS updated_at"
	"  FROM inbound i LEFT JOIN sim s ON s.id = i.sim_id;";

/*
 * v2: smstools3 and Gammu SMSD compatibility (README "Coming from …").
 *  - message: the smstools3 headers that reach the PDU or are recorded
 *    (SMSC:, From:, Class:, Autosplit:, Reject_duplicates:, Reply_path:,
 *    Replace:).
 *  - inbound.processed: Gammu's Processed flag, set by readers through
 *    the inbox and gammu_inbox views.
 *  - INSERT INTO outbox / gammu_outbox: INSTEAD OF triggers put the row
 *    in outbox_in, nothing more; the daemon takes it from there, checks
 *    it like a spool file and queues it or records it failed with the
 *    reason (spool/sqlin.c). The triggers call no function, so they run
 *    with trusted_schema=OFF.
 */
static const char store_schema_v2[] =
	"ALTER TABLE message ADD COLUMN smsc TEXT;"
	"ALTER TABLE message ADD COLUMN from_header TEXT;"
	"ALTER TABLE message ADD COLUMN msg_class INTEGER;"	/* -1/NULL none */
	"ALTER TABLE message ADD COLUMN autosplit INTEGER;"
	"ALTER TABLE message ADD COLUMN pdu_flags INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE message ADD COLUMN replace_type INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE inbound ADD COLUMN processed INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE outbox_in ("
	"  seq       INTEGER PRIMARY KEY,"
	"  via       TEXT NOT NULL DEFAULT 'sql',"	/* sql, gammu */
	"  recipient TEXT, body TEXT, campaign TEXT, kind TEXT,"
	"  priority  TEXT, send_at TEXT, pool TEXT, idem TEXT, report TEXT,"
	"  validity  TEXT, class TEXT"
	");"
	"DROP VIEW outbox;"
	"CREATE VIEW outbox AS SELECT"
	"  m.id, " ISO("m.created_at") " AS created_at, m.recipient, m.body,"
	"  m.kind, c.name AS campaign,"
	"  CASE m.priority WHEN 0 THEN 'high' WHEN 1 THEN 'normal'"
	"       ELSE 'low' END AS priority,"
	"  m.state, m.sim_id AS sim, m.parts, m.attempts,"
	"  " ISO("m.sent_at") " AS sent_at,"
	"  " ISO("m.delivered_at") " AS delivered_at, m.error,"
	"  s.modem || '/' || s.slot AS sim_name, s.iccid AS sim_iccid,"
	"  s.number AS sim_number, m.origin, m.in_reply_to,"
	"  " ISO("m.not_before") " AS not_before, m.file_id,"
	"  " ISO("m.updated_at") " AS updated_at,"
	"  CASE WHEN m.pool LIKE '@%' THEN NULL ELSE nullif(m.pool, '') END"
	"       AS pool,"
	"  " ISO("m.not_before") " AS send_at,"
	"  m.from_header AS sender, m.smsc, m.msg_class AS sms_class"
	"  FROM message m LEFT JOIN campaign c ON c.id = m.campaign_id"
	"  LEFT JOIN sim s ON s.id = m.sim_id;"
	"CREATE TRIGGER outbox_insert INSTEAD OF INSERT ON outbox BEGIN"
	"  INSERT INTO outbox_in (via, recipient, body, campaign, kind,"
	"   priority, send_at, pool, idem)"
	"  VALUES ('sql', NEW.recipient, NEW.body, NEW.campaign, NEW.kind,"
	"   NEW.priority, NEW.send_at, NEW.pool, NEW.id);"
	"END;"
	"DROP VIEW inbox;"
	"CREATE VIEW inbox AS SELECT"
	"  i.id, " ISO("i.received_at") " AS received_at, i.sender,"
	"  i.recipient, i.sim_id AS sim, i.body, i.parts, i.keyword,"
	"  i.total, i.partial, i.sender_type, i.in_reply_to, i.scts,"
	"  s.modem || '/' || s.slot AS sim_name,"
	"  " ISO("i.updated_at") " AS updated_at, i.processed"
	"  FROM inbound i LEFT JOIN sim s ON s.id = i.sim_id;"
	"CREATE TRIGGER inbox_processed INSTEAD OF UPDATE OF processed ON inbox"
	" BEGIN"
	"  UPDATE inbound SET processed = CASE WHEN NEW.processed IN"
	"   (1, '1', 'true', 'yes') THEN 1 ELSE 0 END WHERE id = OLD.id;"
	"END;"
	/* Gammu SMSD's tables (gammu-smsd-tables(7)), as views. */
	"CREATE VIEW gammu_inbox AS SELECT"
	"  i.id AS ID,"
	"  strftime('%Y-%m-%d %H:%M:%S', i.received_at / 1000, 'unixepoch')"
	"   AS ReceivingDateTime,"
	"  i.sender AS SenderNumber, i.body AS TextDecoded,"
	"  s.modem || '/' || s.slot AS RecipientID, '' AS Text,"
	"  'Default_No_Compression' AS Coding, '' AS UDH, '' AS SMSCNumber,"
	"  -1 AS Class,"
	"  CASE WHEN i.processed THEN 'true' ELSE 'false' END AS Processed,"
	"  0 AS Status"
	"  FROM inbound i LEFT JOIN sim s ON s.id = i.sim_id;"
	"CREATE TRIGGER gammu_inbox_processed INSTEAD OF UPDATE OF Processed"
	" ON gammu_inbox BEGIN"
	"  UPDATE inbound SET processed = CASE WHEN NEW.Processed IN"
	"   (1, '1', 'true', 'yes') THEN 1 ELSE 0 END WHERE id = OLD.ID;"
	"END;"
	"CREATE VIEW gammu_outbox AS SELECT"
	"  m.id AS ID,"
	"  strftime('%Y-%m-%d %H:%M:%S', m.created_at / 1000, 'unixepoch')"
	"   AS InsertIntoDB,"
	"  strftime('%Y-%m-%d %H:%M:%S', m.not_before / 1000, 'unixepoch')"
	"   AS SendingDateTime,"
	"  m.recipient AS DestinationNumber, m.body AS TextDecoded,"
	"  'Default_No_Compression' AS Coding, '' AS UDH, -1 AS Class,"
	"  '' AS Text, CASE WHEN m.parts > 1 THEN 'true' ELSE 'false' END"
	"   AS MultiPart,"
	"  -1 AS RelativeValidity,"
	"  CASE WHEN m.pool LIKE '@%' THEN NULL ELSE nullif(m.pool, '') END"
	"   AS SenderID,"
	"  CASE WHEN m.report THEN 'yes' ELSE 'default' END AS DeliveryReport,"
	"  c.name AS CreatorID, m.attempts AS Retries,"
	"  CASE m.priority WHEN 0 THEN 1 WHEN 2 THEN -1 ELSE 0 END"
	"   AS Priority,"
	"  m.state AS Status"
	"  FROM message m LEFT JOIN campaign c ON c.id = m.campaign_id"
	"  WHERE m.state IN ('queued', 'deferred', 'sending');"
	/* Gammu's columns that smsgw cannot honour refuse the insert at once,
	 * with a message the client shows; the ones it can become headers. */
	"CREATE TRIGGER gammu_outbox_insert INSTEAD OF INSERT ON gammu_outbox"
	" BEGIN"
	"  SELECT RAISE(ABORT, 'gammu_outbox: UDH is not supported by smsgw;"
	"   put the text in TextDecoded')"
	"   WHERE coalesce(NEW.UDH, '') != '';"
	"  SELECT RAISE(ABORT, 'gammu_outbox: Coding 8bit is not supported by"
	"   smsgw; put the text in TextDecoded')"
	"   WHERE NEW.Coding = '8bit';"
	"  INSERT INTO outbox_in (via, recipient, body, campaign, priority,"
	"   pool, send_at, report, validity, class)"
	"  VALUES ('gammu', NEW.DestinationNumber, NEW.TextDecoded,"
	"   NEW.CreatorID,"
	"   CASE WHEN NEW.Priority > 0 THEN 'high' WHEN NEW.Priority < 0"
	"    THEN 'low' END,"
	"   NEW.SenderID,"
	/* Gammu's times are the writer's local time; an invalid one is
	 * passed on as written, so it is refused with a reason. */
	"   coalesce(strftime('%Y-%m-%dT%H:%M:%SZ', NEW.SendingDateTime,"
	"    'utc'), NEW.SendingDateTime),"
	"   CASE lower(NEW.DeliveryReport) WHEN 'yes' THEN 'yes'"
	"    WHEN 'no' THEN 'no' END,"
	/* RelativeValidity is the TP-VP code, -1 the default: as a bare
	 * Validity: number. Class -1 is none. */
	"   CASE WHEN NEW.RelativeValidity >= 0 THEN NEW.RelativeValidity END,"
	"   CASE WHEN NEW.Class >= 0 THEN NEW.Class END);"
	"END;";

/*
 * v3: a big spool file is taken in over many short transactions (the loop
 * never waits long): its rows wait with hold = 'staging' until the file
 * is whole. spool_file.staging: 1 rows being added, 2 the file was
 * accepted and its rows are being released, 0 done.
 */
static const char store_schema_v3[] =
	"ALTER TABLE spool_file ADD COLUMN staging INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX message_staging ON message (file_id)"
	"  WHERE hold = 'staging';";

/*
 * v4: months of operation (issue 19). daily_stats keeps what pruning and
 * forgetting take away from the funnel (smsgw stats, report): one row per
 * UTC day of creation and campaign (0: none), counting only rows that are
 * gone, so live rows plus daily_stats is the whole history. forgotten holds
 * the keyed hashes (HMAC-SHA256) of numbers erased with smsgw forget: the
 * number is gone, a send to it is still suppressed.
 */
static const char store_schema_v4[] =
	"CREATE TABLE daily_stats ("
	"  day         TEXT NOT NULL,"		/* UTC YYYY-MM-DD */
	"  campaign_id INTEGER NOT NULL DEFAULT 0,"	/* 0: no campaign */
	"  messages    INTEGER NOT NULL DEFAULT 0,"
	"  sent        INTEGER NOT NULL DEFAULT 0,"
	"  delivered   INTEGER NOT NULL DEFAULT 0,"
	"  failed      INTEGER NOT NULL DEFAULT 0,"
	"  unknown     INTEGER NOT NULL DEFAULT 0,"
	"  suppressed  INTEGER NOT NULL DEFAULT 0,"
	"  cancelled   INTEGER NOT NULL DEFAULT 0,"
	"  replied     INTEGER NOT NULL DEFAULT 0,"
	"  opted_out   INTEGER NOT NULL DEFAULT 0,"	/* within the campaign */
	"  opted_out_all INTEGER NOT NULL DEFAULT 0,"	/* over all messages */
	"  sms_parts   INTEGER NOT NULL DEFAULT 0,"
	"  received    INTEGER NOT NULL DEFAULT 0,"	/* inbound rows */
	"  PRIMARY KEY (day, campaign_id)"
	");"
	"CREATE TABLE forgotten ("
	"  hash         TEXT PRIMARY KEY,"	/* hex HMAC-SHA256 of the E.164 */
	"  forgotten_at INTEGER NOT NULL"
	");"
	/* The rollup and the funnel ask "was this message answered?" for
	 * every message; inbound rows are few next to message rows. */
	"CREATE INDEX inbound_reply ON inbound (in_reply_to)"
	"  WHERE in_reply_to IS NOT NULL;"
	/* Which spool files still have messages. Written once per row at
	 * accept (file_id never changes), so sends do not pay for it. */
	"CREATE INDEX message_file ON message (file_id)"
	"  WHERE file_id IS NOT NULL;";

/*
 * v5: the daemon row (include/store_daemon.h), so that a reader who cannot
 * see the spool knows whether smsgwd runs, and "offline" in the sims view
 * once it recorded its stop or its heartbeat is older than
 * STORE_DAEMON_STALE_S (it was killed); when an attempt's retry is due.
 */
static const char store_schema_v5[] =
	"CREATE TABLE daemon ("
	"  id          INTEGER PRIMARY KEY CHECK (id = 1),"
	"  pid         INTEGER NOT NULL,"
	"  boot_id     TEXT,"
	"  start_ticks INTEGER,"		/* /proc/PID/stat field 22 */
	"  started_at  INTEGER NOT NULL,"
	"  stopped_at  INTEGER,"
	"  heartbeat_at INTEGER,"		/* every STORE_DAEMON_BEAT_MS */
	"  version     TEXT"
	");"
	"ALTER TABLE attempt ADD COLUMN next_at INTEGER;"
	"DROP VIEW sims;"
	"CREATE VIEW sims AS SELECT"
	"  s.id, s.modem, s.slot, s.iccid, s.imsi, s.number, s.operator,"
	"  s.signal, s.registered,"
	"  CASE WHEN u.day = strftime('%Y-%m-%d', 'now', 'localtime')"
	"       THEN u.sent_day ELSE 0 END AS sent_today,"
	"  s.daily_limit,"
	"  CASE WHEN (SELECT stopped_at IS NOT NULL OR heartbeat_at <"
	"   (strftime('%s', 'now') - " STORE_DAEMON_STALE_S ") * 1000"
	"   FROM daemon WHERE id = 1) THEN 'offline' ELSE s.state END AS state,"
	"  " ISO("s.updated_at") " AS updated_at,"
	"  CASE WHEN u.month = strftime('%Y-%m', 'now', 'localtime')"
	"       THEN u.sent_month ELSE 0 END AS sent_month,"
	"  s.monthly_limit, s.pool, s.imei, s.device, s.model,"
	"  s.modem || '/' || s.slot AS name"
	"  FROM sim s LEFT JOIN sim_usage u ON u.iccid = s.iccid;";

/*
 * v6: the HTTP API's bearer tokens and the webhook queue. Only the SHA-256
 * of a token is kept. Triggers record the events webhooks want in the same
 * transaction as the change itself (an inbox row, a state change, an
 * opt-out), so a crash between the commit and the webhook loses nothing;
 * webhook_sub lists the events some configured webhook wants (the daemon
 * rewrites it at start and reload), so without webhooks nothing is written.
 */
static const char store_schema_v6[] =
	"CREATE TABLE api_token ("
	"  id         INTEGER PRIMARY KEY,"
	"  name       TEXT NOT NULL UNIQUE,"
	"  hash       TEXT NOT NULL UNIQUE,"	/* hex SHA-256 of the token */
	"  rights     TEXT NOT NULL,"		/* "send,read,admin" */
	"  created_at INTEGER NOT NULL,"
	"  used_at    INTEGER"
	");"
	"CREATE TABLE webhook_sub ("
	"  event TEXT PRIMARY KEY"
	");"
	"CREATE TABLE webhook_event ("
	"  id    INTEGER PRIMARY KEY,"
	"  at    INTEGER NOT NULL,"
	"  event TEXT NOT NULL,"
	"  ref   INTEGER NOT NULL"		/* message, inbound id; optout rowid */
	");"
	"CREATE TRIGGER webhook_received AFTER INSERT ON inbound"
	"  WHEN 'received' IN (SELECT event FROM webhook_sub) BEGIN"
	"  INSERT INTO webhook_event (at, event, ref)"
	"  VALUES (NEW.received_at, 'received', NEW.id); END;"
	/* A partial reply completed by late parts is told again. */
	"CREATE TRIGGER webhook_amended AFTER UPDATE OF body ON inbound"
	"  WHEN NEW.body IS NOT OLD.body"
	"  AND 'received' IN (SELECT event FROM webhook_sub) BEGIN"
	"  INSERT INTO webhook_event (at, event, ref)"
	"  VALUES (NEW.updated_at, 'received', NEW.id); END;"
	"CREATE TRIGGER webhook_state AFTER UPDATE OF state ON message"
	"  WHEN NEW.state IS NOT OLD.state"
	"  AND NEW.state IN (SELECT event FROM webhook_sub) BEGIN"
	"  INSERT INTO webhook_event (at, event, ref)"
	"  VALUES (NEW.updated_at, NEW.state, NEW.id); END;"
	"CREATE TRIGGER webhook_optout AFTER INSERT ON optout"
	"  WHEN NEW.active AND 'optout' IN (SELECT event FROM webhook_sub) BEGIN"
	"  INSERT INTO webhook_event (at, event, ref)"
	"  VALUES (NEW.updated_at, 'optout', NEW.rowid); END;"
	"CREATE TRIGGER webhook_optout_again AFTER UPDATE OF active ON optout"
	"  WHEN NEW.active AND NOT OLD.active"
	"  AND 'optout' IN (SELECT event FROM webhook_sub) BEGIN"
	"  INSERT INTO webhook_event (at, event, ref)"
	"  VALUES (NEW.updated_at, 'optout', NEW.rowid); END;"
	/* One row per (event, webhook): the body is fixed when queued, so
	 * every retry sends the same bytes under the same event id. */
	"CREATE TABLE webhook_delivery ("
	"  id         INTEGER PRIMARY KEY,"
	"  uid        TEXT NOT NULL,"		/* Smsgw-Event-Id */
	"  webhook    TEXT NOT NULL,"
	"  event      TEXT NOT NULL,"
	"  body       TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  next_at    INTEGER NOT NULL,"
	"  attempts   INTEGER NOT NULL DEFAULT 0,"
	"  state      TEXT NOT NULL DEFAULT 'pending'"
	"             CHECK (state IN ('pending', 'delivered', 'dead')),"
	"  last_error TEXT,"
	"  done_at    INTEGER,"
	"  UNIQUE (uid, webhook)"
	");"
	"CREATE INDEX webhook_delivery_due ON webhook_delivery (next_at)"
	"  WHERE state = 'pending';";

static const char *const store_schema_migrations[] = {
	store_schema_v1,
	store_schema_v2,
	store_schema_v3,
	store_schema_v4,
	store_schema_v5,
	store_schema_v6,
};

int store_schema_latest(void)
{
	return (int)(sizeof(store_schema_migrations) /
		     sizeof(store_schema_migrations[0]));
}

const char *store_schema_migration(int version)
{
	if (version < 1 || version > store_schema_latest())
		return NULL;
	return store_schema_migrations[version - 1];
}
