-- What the CLI and retention need on PostgreSQL (doc/postgresql.md, "The
-- CLI", "Retention"): daily_stats (the funnel's memory of pruned and
-- forgotten rows, as SQLite's schema v4), hand-made opt-outs, and one
-- batch of retention. Idempotent like pg_schema.sql, applied after it by
-- every box at connect (embedded in pg_schema.c) and by the CLI when a
-- database lacks it.

BEGIN;
SET LOCAL client_min_messages = warning;
SELECT pg_advisory_xact_lock(1936548711);	-- 'smsg', as pg_schema.sql

-- One row per UTC day of creation and campaign (0: none), counting only
-- rows that are gone: live rows plus daily_stats is the whole history.
CREATE TABLE IF NOT EXISTS daily_stats (
  day           text NOT NULL,
  campaign_id   bigint NOT NULL DEFAULT 0,
  messages      bigint NOT NULL DEFAULT 0,
  sent          bigint NOT NULL DEFAULT 0,
  delivered     bigint NOT NULL DEFAULT 0,
  failed        bigint NOT NULL DEFAULT 0,
  unknown       bigint NOT NULL DEFAULT 0,
  suppressed    bigint NOT NULL DEFAULT 0,
  cancelled     bigint NOT NULL DEFAULT 0,
  replied       bigint NOT NULL DEFAULT 0,
  opted_out     bigint NOT NULL DEFAULT 0,	-- within the campaign
  opted_out_all bigint NOT NULL DEFAULT 0,	-- over all messages
  sms_parts     bigint NOT NULL DEFAULT 0,
  received      bigint NOT NULL DEFAULT 0,	-- inbound rows
  PRIMARY KEY (day, campaign_id)
);

CREATE OR REPLACE FUNCTION smsgw_utc_day(ms bigint) RETURNS text
  LANGUAGE sql IMMUTABLE AS
  $$ SELECT to_char(to_timestamp(ms / 1000) AT TIME ZONE 'UTC',
                    'YYYY-MM-DD') $$;

-- What messages about to go counted, into daily_stats (store_prune.c's
-- store_prune_messages_in_set()): live rows plus daily_stats stay the
-- whole history.
CREATE OR REPLACE FUNCTION smsgw_rollup_messages(p_ids bigint[])
  RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  -- A recipient who opted out after several messages counts once
  -- (the funnel's DISTINCT): a message counts when no later one to
  -- the same recipient also qualifies.
  INSERT INTO daily_stats AS d (day, campaign_id, messages, sent,
    delivered, failed, unknown, suppressed, cancelled, replied,
    opted_out, opted_out_all, sms_parts)
  SELECT smsgw_utc_day(m.created_at), coalesce(m.campaign_id, 0),
    count(*),
    count(*) FILTER (WHERE m.state IN ('sent', 'delivered')),
    count(*) FILTER (WHERE m.state = 'delivered'),
    count(*) FILTER (WHERE m.state IN ('failed', 'expired')),
    count(*) FILTER (WHERE m.state = 'unknown'),
    count(*) FILTER (WHERE m.state = 'suppressed'),
    count(*) FILTER (WHERE m.state = 'cancelled'),
    count(*) FILTER (WHERE EXISTS (SELECT 1 FROM inbound i
      WHERE i.in_reply_to = m.id)),
    count(*) FILTER (WHERE EXISTS (SELECT 1 FROM optout o
        WHERE o.number = m.recipient AND o.active = 1
          AND o.opted_out_at >= m.created_at)
      AND NOT EXISTS (SELECT 1 FROM message n JOIN optout o
        ON o.number = n.recipient AND o.active = 1
        AND o.opted_out_at >= n.created_at
        WHERE n.recipient = m.recipient AND n.id > m.id
          AND n.campaign_id IS NOT DISTINCT FROM m.campaign_id)),
    count(*) FILTER (WHERE EXISTS (SELECT 1 FROM optout o
        WHERE o.number = m.recipient AND o.active = 1
          AND o.opted_out_at >= m.created_at)
      AND NOT EXISTS (SELECT 1 FROM message n JOIN optout o
        ON o.number = n.recipient AND o.active = 1
        AND o.opted_out_at >= n.created_at
        WHERE n.recipient = m.recipient AND n.id > m.id)),
    coalesce(sum(m.parts) FILTER (WHERE m.state IN ('sent',
      'delivered')), 0)
  FROM message m WHERE m.id = ANY (p_ids)
  GROUP BY 1, 2
  ON CONFLICT (day, campaign_id) DO UPDATE SET
    messages = d.messages + EXCLUDED.messages,
    sent = d.sent + EXCLUDED.sent,
    delivered = d.delivered + EXCLUDED.delivered,
    failed = d.failed + EXCLUDED.failed,
    unknown = d.unknown + EXCLUDED.unknown,
    suppressed = d.suppressed + EXCLUDED.suppressed,
    cancelled = d.cancelled + EXCLUDED.cancelled,
    replied = d.replied + EXCLUDED.replied,
    opted_out = d.opted_out + EXCLUDED.opted_out,
    opted_out_all = d.opted_out_all + EXCLUDED.opted_out_all,
    sms_parts = d.sms_parts + EXCLUDED.sms_parts;
END $$;

CREATE OR REPLACE FUNCTION smsgw_rollup_inbound(p_ids bigint[])
  RETURNS void
  LANGUAGE sql AS $$
  INSERT INTO daily_stats AS d (day, campaign_id, received)
  SELECT smsgw_utc_day(received_at), 0, count(*) FROM inbound
    WHERE id = ANY (p_ids) GROUP BY 1
  ON CONFLICT (day, campaign_id) DO UPDATE SET
    received = d.received + EXCLUDED.received $$;

-- smsgw optout add: the number opted out by hand, and what was still
-- queued or deferred to it suppressed, on every box at once (the claim
-- re-checks opt-outs too). was_active: it was opted out already (nothing
-- changes then).
CREATE OR REPLACE FUNCTION smsgw_optout_add(p_number text, p_keyword text,
    p_now bigint, OUT was_active integer, OUT suppressed integer)
  LANGUAGE plpgsql AS $$
BEGIN
  suppressed := 0;
  PERFORM 1 FROM optout o WHERE o.number = p_number FOR UPDATE;
  -- A forgotten number (its hash, pg_ops.sql) is opted out already.
  was_active := CASE WHEN smsgw_opted_out(p_number) THEN 1 ELSE 0 END;
  IF was_active = 1 THEN
    RETURN;
  END IF;
  INSERT INTO optout (number, opted_out_at, keyword, sim_id, active, source,
    how, updated_at)
  VALUES (p_number, p_now, p_keyword, NULL, 1, 'manual', NULL, p_now)
  ON CONFLICT (number) DO UPDATE SET opted_out_at = p_now,
    keyword = p_keyword, sim_id = NULL, active = 1, source = 'manual',
    how = NULL, updated_at = p_now;
  UPDATE message SET state = 'suppressed', hold = NULL,
    error = 'recipient opted out', updated_at = p_now
    WHERE recipient = p_number AND state IN ('queued', 'deferred');
  GET DIAGNOSTICS suppressed = ROW_COUNT;
END $$;

-- smsgw optout remove: 1 when the number was opted out (now it is not).
CREATE OR REPLACE FUNCTION smsgw_optout_remove(p_number text, p_now bigint)
  RETURNS integer
  LANGUAGE plpgsql AS $$
DECLARE was boolean := smsgw_opted_out(p_number);
BEGIN
  IF NOT was THEN
    RETURN 0;
  END IF;
  -- An opt-in after smsgw forget: the hash goes too (forget_unforget()).
  DELETE FROM forgotten WHERE hash = smsgw_forget_hash(p_number);
  UPDATE optout SET active = 0, updated_at = p_now WHERE number = p_number;
  RETURN 1;
END $$;

-- One batch of retention (store_prune.c's rules, SQLite's settings): at
-- most p_n rows of each kind older than its cut (0: keep that kind),
-- finished messages only (sent ones once p_settled passed: a status report
-- may still come), rolled up into daily_stats first. Messages are walked
-- by id from p_after (ids grow with time); the next call passes back
-- "after". One box at a time: a box that finds another one's batch
-- running gets removed = -1 and tries later. removed = 0 and after
-- unchanged: the round is over.
CREATE OR REPLACE FUNCTION smsgw_prune(p_messages bigint, p_settled bigint,
    p_events bigint, p_inbound bigint, p_sticky bigint, p_after bigint,
    p_n integer, OUT removed bigint, OUT after bigint)
  LANGUAGE plpgsql AS $$
DECLARE
  w record;
  ids bigint[];
  k bigint;
BEGIN
  removed := 0;
  after := p_after;
  IF NOT pg_try_advisory_xact_lock(1936548712) THEN
    removed := -1;
    RETURN;
  END IF;
  IF p_messages > 0 THEN
    FOR w IN SELECT id, created_at FROM message WHERE id > p_after
             ORDER BY id LIMIT p_n LOOP
      EXIT WHEN w.created_at >= p_messages;
      after := w.id;
    END LOOP;
    ids := ARRAY(SELECT id FROM message WHERE id > p_after AND id <= after
      AND created_at < p_messages AND updated_at < p_messages
      AND (state IN ('delivered', 'failed', 'expired', 'suppressed',
                     'cancelled', 'unknown')
           OR (state = 'sent' AND updated_at < p_settled)));
    IF cardinality(ids) > 0 THEN
      PERFORM smsgw_rollup_messages(ids);
      -- Replies keep their text; the message they answered is gone (the
      -- funnel counted the reply above).
      UPDATE inbound SET in_reply_to = NULL WHERE in_reply_to = ANY (ids);
      DELETE FROM status_report WHERE message_id = ANY (ids);
      DELETE FROM message WHERE id = ANY (ids);	-- parts, attempts cascade
      removed := removed + cardinality(ids);
    END IF;
    DELETE FROM status_report WHERE id IN (SELECT id FROM status_report
      WHERE received_at < p_messages ORDER BY id LIMIT p_n);
    GET DIAGNOSTICS k = ROW_COUNT;
    removed := removed + k;
    DELETE FROM spool_file f WHERE f.id IN (SELECT id FROM spool_file
      WHERE accepted_at < p_messages ORDER BY id LIMIT p_n)
      AND NOT EXISTS (SELECT 1 FROM message m WHERE m.file_id = f.id);
    GET DIAGNOSTICS k = ROW_COUNT;
    removed := removed + k;
  END IF;
  IF p_events > 0 THEN
    DELETE FROM event WHERE id IN (SELECT id FROM event WHERE at < p_events
      ORDER BY id LIMIT p_n);
    GET DIAGNOSTICS k = ROW_COUNT;
    removed := removed + k;
  END IF;
  IF p_inbound > 0 THEN
    -- Replies stay while the message they answer does.
    ids := ARRAY(SELECT i.id FROM inbound i WHERE i.received_at < p_inbound
      AND (i.in_reply_to IS NULL OR NOT EXISTS (SELECT 1 FROM message m
           WHERE m.id = i.in_reply_to))
      ORDER BY i.received_at LIMIT p_n);
    IF cardinality(ids) > 0 THEN
      PERFORM smsgw_rollup_inbound(ids);
      DELETE FROM inbound_part WHERE inbound_id = ANY (ids);
      DELETE FROM inbound WHERE id = ANY (ids);
      removed := removed + cardinality(ids);
    END IF;
    -- Fragments and raw PDUs that never made (or no longer have) an
    -- inbox row.
    DELETE FROM inbound_part WHERE id IN (SELECT id FROM inbound_part
      WHERE received_at < p_inbound AND state <> 'waiting'
      ORDER BY id LIMIT p_n);
    GET DIAGNOSTICS k = ROW_COUNT;
    removed := removed + k;
    DELETE FROM raw_pdu r WHERE r.id IN (SELECT id FROM raw_pdu
      WHERE received_at < p_inbound ORDER BY id LIMIT p_n)
      AND NOT EXISTS (SELECT 1 FROM inbound_part p WHERE p.raw_id = r.id);
    GET DIAGNOSTICS k = ROW_COUNT;
    removed := removed + k;
  END IF;
  IF p_sticky > 0 THEN
    DELETE FROM sticky WHERE number IN (SELECT number FROM sticky
      WHERE last_at < p_sticky LIMIT p_n);
    GET DIAGNOSTICS k = ROW_COUNT;
    removed := removed + k;
  END IF;
END $$;

-- smsgw forget NUMBER (include/forget.h, store_forget.c's rules): every
-- row that is the person's goes (messages to them, counted in
-- daily_stats first; what was still to go is cancelled; messages from
-- them, their fragments, raw PDUs holding a semi-octet form, status
-- reports, opt-out, sticky SIM); every other text that quotes a form is
-- redacted; the keyed hash (pg_ops.sql's smsgw_key) stays so that a send
-- to the number is still suppressed. Messages a box is sending stay
-- (in_flight): run it again when they are done. p_forms: the text forms,
-- p_semi: the semi-octet forms (forget_forms()).
CREATE OR REPLACE FUNCTION smsgw_redact(t text, p_forms text[]) RETURNS text
  LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE f text;
BEGIN
  FOREACH f IN ARRAY p_forms LOOP
    t := replace(t, f, '[forgotten]');
  END LOOP;
  RETURN t;
END $$;

CREATE OR REPLACE FUNCTION smsgw_forget(p_number text, p_forms text[],
    p_semi text[], p_box text, p_now bigint,
    OUT messages integer, OUT in_flight integer, OUT received integer,
    OUT fragments integer, OUT raw_pdus integer, OUT reports integer,
    OUT texts integer, OUT optouts integer)
  LANGUAGE plpgsql AS $$
DECLARE
  ids bigint[];
  likes text[] := ARRAY(SELECT '%' || f || '%' FROM unnest(p_forms) f);
  semis text[] := ARRAY(SELECT '%' || f || '%' FROM unnest(p_semi) f);
  c record;
  k integer;
BEGIN
  texts := 0;
  SELECT count(*) INTO in_flight FROM message
    WHERE recipient = ANY (p_forms) AND state = 'sending';
  UPDATE message SET state = 'cancelled', hold = NULL, updated_at = p_now
    WHERE recipient = ANY (p_forms) AND state IN ('queued', 'deferred');
  ids := ARRAY(SELECT id FROM message WHERE recipient = ANY (p_forms)
               AND state <> 'sending');
  messages := cardinality(ids);
  DELETE FROM status_report WHERE message_id = ANY (ids)
    OR recipient = ANY (p_forms) OR pdu LIKE ANY (semis);
  GET DIAGNOSTICS reports = ROW_COUNT;
  PERFORM smsgw_rollup_messages(ids);
  UPDATE inbound SET in_reply_to = NULL WHERE in_reply_to = ANY (ids);
  DELETE FROM message WHERE id = ANY (ids);
  ids := ARRAY(SELECT id FROM inbound WHERE sender = ANY (p_forms));
  received := cardinality(ids);
  PERFORM smsgw_rollup_inbound(ids);
  DELETE FROM inbound_part WHERE inbound_id = ANY (ids)
    OR sender = ANY (p_forms);
  GET DIAGNOSTICS fragments = ROW_COUNT;
  DELETE FROM inbound WHERE id = ANY (ids);
  DELETE FROM raw_pdu r WHERE r.pdu LIKE ANY (semis)
    AND NOT EXISTS (SELECT 1 FROM inbound_part p WHERE p.raw_id = r.id);
  GET DIAGNOSTICS raw_pdus = ROW_COUNT;
  DELETE FROM optout WHERE number = ANY (p_forms);
  GET DIAGNOSTICS optouts = ROW_COUNT;
  DELETE FROM sticky WHERE number = ANY (p_forms);
  -- Every other text column of every table of ours.
  FOR c IN SELECT table_name, column_name FROM information_schema.columns
           WHERE table_schema = current_schema() AND data_type = 'text'
             AND table_name IN (SELECT table_name
                                FROM information_schema.tables
                                WHERE table_schema = current_schema()
                                  AND table_type = 'BASE TABLE')
             AND table_name NOT IN ('forgotten', 'smsgw_key', 'smsgw_schema')
  LOOP
    EXECUTE format('UPDATE %I SET %I = smsgw_redact(%I, $1) WHERE %I'
                   ' LIKE ANY ($2)%s', c.table_name, c.column_name,
                   c.column_name, c.column_name,
                   CASE WHEN c.table_name = 'message'
                        THEN ' AND state <> ''sending''' ELSE '' END)
      USING p_forms, likes;
    GET DIAGNOSTICS k = ROW_COUNT;
    texts := texts + k;
  END LOOP;
  INSERT INTO forgotten (hash, forgotten_at)
    VALUES (smsgw_forget_hash(p_number), p_now) ON CONFLICT DO NOTHING;
  INSERT INTO event (at, level, source, message, box)
    VALUES (p_now, 'info', 'forget', format('a number was forgotten (%s'
      ' messages, %s received)', messages, received), p_box);
END $$;

COMMIT;
