-- The shared queue on PostgreSQL (doc/postgresql.md, issue 17): the
-- operations of include/store_ops.h as functions, each one statement for
-- the caller (gateway/store/pg/pg_store.c), so each is one round trip and
-- one transaction.
--
-- Leases and fencing. smsgw_claim() takes a queued row with
-- SELECT … FOR UPDATE SKIP LOCKED (boxes claiming at once skip each
-- other's rows instead of waiting), writes an attempt row and puts its id
-- in message.attempt_id with lease_until = now + lease. Every outcome
-- names the attempt id it holds and changes the row only while that is
-- still the message's attempt and it is still 'sending': a box that
-- stalled past its lease, or lost the database and came back, records
-- nothing over the box that took the message after it (the function
-- returns 0 and the caller drops its result). Each part sent renews the
-- lease. A lease that lapses (its box was killed or cut off) makes the
-- message 'unknown' — or queued again under the resend policy — at the
-- next claim by any box (smsgw_expire_leases()).
--
-- NOTIFY smsgw_queue (payload: the box that caused it) whenever a row
-- becomes queued, so an idle SIM on another box claims at once.
-- Applied after pg_schema.sql, idempotently, under the same lock.

BEGIN;
SET LOCAL client_min_messages = warning;
SELECT pg_advisory_xact_lock(1936548711);

CREATE OR REPLACE FUNCTION smsgw_notify_queue() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('smsgw_queue', coalesce(current_setting('smsgw.box', true), ''));
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS message_queued_notify ON message;
CREATE TRIGGER message_queued_notify AFTER INSERT OR UPDATE OF state
  ON message FOR EACH ROW WHEN (NEW.state = 'queued')
  EXECUTE FUNCTION smsgw_notify_queue();

-- Lapsed leases: 'unknown', or queued again when the resend policy says
-- so for the message's kind (resend_unknown_direct / _bulk). Rows another
-- transaction holds are left for the next call.
CREATE OR REPLACE FUNCTION smsgw_expire_leases(p_now bigint,
    p_resend_direct boolean, p_resend_bulk boolean) RETURNS integer
  LANGUAGE plpgsql AS $$
DECLARE n integer;
BEGIN
  WITH lapsed AS (
    SELECT id FROM message WHERE state = 'sending' AND lease_until < p_now
    FOR UPDATE SKIP LOCKED),
  upd AS (
    UPDATE message m SET
      state = CASE WHEN (m.class = 0 AND p_resend_direct)
                     OR (m.class = 1 AND p_resend_bulk)
                   THEN 'queued' ELSE 'unknown' END,
      error = 'lease expired: its box stopped answering while sending',
      lease_until = NULL, updated_at = p_now
    FROM lapsed WHERE m.id = lapsed.id
    RETURNING m.attempt_id)
  UPDATE attempt a SET ended_at = p_now, result = 'lease expired'
    FROM upd WHERE a.id = upd.attempt_id;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;

-- The claim policy of store_claim.c (direct before bulk, then priority,
-- then age; the SIM's pool, unpooled if it takes them, pinned to it;
-- bulk only if allowed; fits the quota; a partly sent multipart keeps its
-- SIM; avoid-this-SIM; sticky sender), with the opt-out and expiry
-- re-check, as one transaction. Returns the claimed row, or none.
CREATE OR REPLACE FUNCTION smsgw_claim(p_sim bigint, p_box text,
    p_pool text, p_takes_unpooled boolean, p_allow_bulk boolean,
    p_quota bigint, p_alone boolean, p_now bigint, p_sticky_cutoff bigint,
    p_lease_ms bigint, p_resend_direct boolean, p_resend_bulk boolean)
  RETURNS TABLE (id bigint, attempt_id bigint, recipient text, body text,
    class bigint, report bigint, flash bigint, ucs2 bigint,
    validity bigint, parts bigint, parts_sent bigint, attempts bigint,
    concat_ref bigint, origin text, language bigint,
    max_attempts bigint, pinned boolean, smsc text, msg_class bigint,
    autosplit bigint, pdu_flags bigint, replace_type bigint)
  LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  c_id bigint; c_recipient text; c_origin text; c_expires bigint;
  a_id bigint; v_depth integer := 16; v_cands bigint[];
BEGIN
  IF p_quota <= 0 THEN RETURN; END IF;
  PERFORM smsgw_expire_leases(p_now, p_resend_direct, p_resend_bulk);
  FOR i IN 1..64 LOOP
    -- The best few of each of the SIM's three queues, each one seek in
    -- message_queued (pool, class, priority, id) — an OR over the pools
    -- would scan the table — then the best of those that no other box
    -- holds locked. When every candidate is locked, look deeper once.
    SELECT array_agg(c.id) INTO v_cands FROM (
      (SELECT q.id FROM message q WHERE q.state = 'queued' AND q.pool = p_pool
         AND (p_allow_bulk OR q.class = 0)
         AND q.parts - q.parts_sent <= p_quota
         AND (q.parts_sent = 0 OR q.sim_id = p_sim)
         AND (q.avoid_sim IS NULL OR q.avoid_sim <> p_sim
              OR q.avoid_until <= p_now OR p_alone)
         AND (q.class = 1 OR q.pool LIKE '@%' OR q.updated_at <= p_now - 60000
              OR NOT EXISTS (SELECT 1 FROM sticky k JOIN sim s ON s.id = k.sim_id
                   WHERE k.number = q.recipient AND k.last_at > p_sticky_cutoff
                     AND k.sim_id <> p_sim AND s.state IN ('ready', 'busy')
                     AND (q.pool = '' OR s.pool = q.pool)
                     AND (q.avoid_sim IS NULL OR q.avoid_sim <> k.sim_id
                          OR q.avoid_until <= p_now)))
       ORDER BY q.class, q.priority, q.id LIMIT v_depth)
      UNION ALL
      (SELECT q.id FROM message q WHERE q.state = 'queued' AND q.pool = '' AND p_takes_unpooled
         AND (p_allow_bulk OR q.class = 0)
         AND q.parts - q.parts_sent <= p_quota
         AND (q.parts_sent = 0 OR q.sim_id = p_sim)
         AND (q.avoid_sim IS NULL OR q.avoid_sim <> p_sim
              OR q.avoid_until <= p_now OR p_alone)
         AND (q.class = 1 OR q.pool LIKE '@%' OR q.updated_at <= p_now - 60000
              OR NOT EXISTS (SELECT 1 FROM sticky k JOIN sim s ON s.id = k.sim_id
                   WHERE k.number = q.recipient AND k.last_at > p_sticky_cutoff
                     AND k.sim_id <> p_sim AND s.state IN ('ready', 'busy')
                     AND (q.pool = '' OR s.pool = q.pool)
                     AND (q.avoid_sim IS NULL OR q.avoid_sim <> k.sim_id
                          OR q.avoid_until <= p_now)))
       ORDER BY q.class, q.priority, q.id LIMIT v_depth)
      UNION ALL
      (SELECT q.id FROM message q WHERE q.state = 'queued' AND q.pool = '@' || p_sim
         AND (p_allow_bulk OR q.class = 0)
         AND q.parts - q.parts_sent <= p_quota
         AND (q.parts_sent = 0 OR q.sim_id = p_sim)
         AND (q.avoid_sim IS NULL OR q.avoid_sim <> p_sim
              OR q.avoid_until <= p_now OR p_alone)
         AND (q.class = 1 OR q.pool LIKE '@%' OR q.updated_at <= p_now - 60000
              OR NOT EXISTS (SELECT 1 FROM sticky k JOIN sim s ON s.id = k.sim_id
                   WHERE k.number = q.recipient AND k.last_at > p_sticky_cutoff
                     AND k.sim_id <> p_sim AND s.state IN ('ready', 'busy')
                     AND (q.pool = '' OR s.pool = q.pool)
                     AND (q.avoid_sim IS NULL OR q.avoid_sim <> k.sim_id
                          OR q.avoid_until <= p_now)))
       ORDER BY q.class, q.priority, q.id LIMIT v_depth)) c;
    IF v_cands IS NULL THEN RETURN; END IF;
    -- A separate statement on purpose: joined with the candidates, the
    -- planner may run the three seeks once per queued row.
    SELECT m.id, m.recipient, m.origin, m.expires_at
      INTO c_id, c_recipient, c_origin, c_expires
      FROM message m
     WHERE m.id = ANY (v_cands) AND m.state = 'queued'
     ORDER BY m.class, m.priority, m.id
     LIMIT 1
     FOR UPDATE OF m SKIP LOCKED;
    IF NOT FOUND THEN
      IF v_depth < 1024 AND cardinality(v_cands) >= v_depth THEN
        v_depth := 1024;
        CONTINUE;
      END IF;
      RETURN;
    END IF;
    -- A STOP received on any box counts at the next claim on every box.
    -- A number erased with smsgw forget stays opted out (pg_ops.sql).
    IF c_origin NOT IN ('optout-reply', 'help-reply')
       AND smsgw_opted_out(c_recipient) THEN
      UPDATE message SET state = 'suppressed', error = 'recipient opted out',
        updated_at = p_now WHERE message.id = c_id;
      CONTINUE;
    END IF;
    IF c_expires IS NOT NULL AND c_expires <= p_now THEN
      UPDATE message SET state = 'expired',
        error = 'not sent before its expiry', updated_at = p_now
        WHERE message.id = c_id;
      CONTINUE;
    END IF;
    INSERT INTO attempt (message_id, sim_id, box, started_at)
      VALUES (c_id, p_sim, p_box, p_now) RETURNING attempt.id INTO a_id;
    UPDATE message SET state = 'sending', sim_id = p_sim,
      attempts = message.attempts + 1,
      concat_ref = coalesce(message.concat_ref, message.id % 256),
      attempt_id = a_id, lease_until = p_now + p_lease_ms, updated_at = p_now
      WHERE message.id = c_id;
    RETURN QUERY SELECT m.id, m.attempt_id, m.recipient, m.body, m.class,
      m.report, m.flash, m.ucs2, coalesce(m.validity, -1), m.parts,
      m.parts_sent, m.attempts, m.concat_ref, m.origin, m.language,
      coalesce(m.max_attempts, 0), m.pool LIKE '@%', coalesce(m.smsc, ''),
      coalesce(m.msg_class, -1), coalesce(m.autosplit, -1), m.pdu_flags,
      m.replace_type
      FROM message m WHERE m.id = c_id;
    RETURN;
  END LOOP;
END $$;

-- Part p_seq of the message went out under attempt p_attempt: the part
-- row, the SIM card's usage, the lease renewed; with p_last the message
-- is sent and the sticky sender set. 1 recorded, 0 the attempt is no
-- longer the message's (nothing changed).
CREATE OR REPLACE FUNCTION smsgw_part_sent(p_id bigint, p_attempt bigint,
    p_sim bigint, p_usage_key text, p_seq bigint, p_mr bigint,
    p_last boolean, p_now bigint, p_lease_ms bigint, p_day text,
    p_month text) RETURNS integer
  LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
  UPDATE message SET parts_sent = greatest(parts_sent, p_seq),
    state = CASE WHEN p_last THEN 'sent' ELSE state END,
    sent_at = CASE WHEN p_last THEN p_now ELSE sent_at END,
    lease_until = CASE WHEN p_last THEN NULL ELSE p_now + p_lease_ms END,
    error = CASE WHEN p_last THEN NULL ELSE error END,
    updated_at = p_now
    WHERE id = p_id AND attempt_id = p_attempt AND state = 'sending'
    RETURNING recipient INTO r;
  IF NOT FOUND THEN RETURN 0; END IF;
  INSERT INTO part (message_id, seq, sim_id, mr, sent_at)
    VALUES (p_id, p_seq, p_sim, p_mr, p_now)
    ON CONFLICT (message_id, seq) DO UPDATE
    SET sim_id = EXCLUDED.sim_id, mr = EXCLUDED.mr, sent_at = EXCLUDED.sent_at;
  INSERT INTO sim_usage (iccid, day, sent_day, month, sent_month, last_send_at)
    VALUES (p_usage_key, p_day, 1, p_month, 1, p_now)
    ON CONFLICT (iccid) DO UPDATE SET
      sent_day = CASE WHEN sim_usage.day = p_day THEN sim_usage.sent_day + 1 ELSE 1 END,
      day = p_day,
      sent_month = CASE WHEN sim_usage.month = p_month THEN sim_usage.sent_month + 1 ELSE 1 END,
      month = p_month, last_send_at = p_now;
  IF p_last THEN
    UPDATE attempt SET ended_at = p_now, result = 'sent' WHERE id = p_attempt;
    INSERT INTO sticky (number, sim_id, last_at) VALUES (r, p_sim, p_now)
      ON CONFLICT (number) DO UPDATE SET sim_id = p_sim, last_at = p_now;
  END IF;
  RETURN 1;
END $$;

-- What else happened to a claimed message (store_op_record()):
-- p_kind 'retry' (queued now or deferred to p_not_before, the attempt
-- counted or not, another SIM first until p_avoid_until), 'final'
-- (p_state failed, expired or suppressed), 'unknown' (queued again with
-- p_resend). Fenced like smsgw_part_sent(): 1 recorded, 0 stale.
CREATE OR REPLACE FUNCTION smsgw_record(p_id bigint, p_attempt bigint,
    p_kind text, p_state text, p_error text, p_now bigint,
    p_not_before bigint, p_count_attempt boolean, p_avoid_sim bigint,
    p_avoid_until bigint, p_resend boolean) RETURNS integer
  LANGUAGE plpgsql AS $$
DECLARE new_state text; v_result text;
BEGIN
  IF p_kind = 'retry' THEN
    new_state := CASE WHEN p_not_before <= p_now THEN 'queued' ELSE 'deferred' END;
    v_result := 'retry';
  ELSIF p_kind = 'final' THEN
    IF p_state NOT IN ('failed', 'expired', 'suppressed') THEN
      RAISE EXCEPTION 'smsgw_record: % is not a final state', p_state;
    END IF;
    new_state := p_state;
    v_result := p_state;
  ELSIF p_kind = 'unknown' THEN
    new_state := CASE WHEN p_resend THEN 'queued' ELSE 'unknown' END;
    v_result := 'unknown';
  ELSE
    RAISE EXCEPTION 'smsgw_record: unknown outcome %', p_kind;
  END IF;
  UPDATE message SET state = new_state, error = p_error, updated_at = p_now,
    lease_until = NULL,
    not_before = CASE WHEN p_kind = 'retry' THEN p_not_before ELSE not_before END,
    attempts = attempts - CASE WHEN p_kind = 'retry' AND NOT p_count_attempt
                               THEN 1 ELSE 0 END,
    avoid_sim = CASE WHEN p_kind = 'retry' THEN p_avoid_sim ELSE avoid_sim END,
    avoid_until = CASE WHEN p_kind = 'retry' THEN p_avoid_until ELSE avoid_until END
    WHERE id = p_id AND attempt_id = p_attempt AND state = 'sending';
  IF NOT FOUND THEN RETURN 0; END IF;
  UPDATE attempt SET ended_at = p_now, result = v_result, error = p_error,
    next_at = CASE WHEN p_kind = 'retry' THEN p_not_before END
    WHERE id = p_attempt;
  RETURN 1;
END $$;

-- A spool file's row (store_outbox_file_begin()) and its campaign, as
-- the first statement of the file's transaction: its id, or NULL when its
-- Id: was seen before (a duplicate: smsgw_add() then stores nothing).
-- The file and campaign ids stay in transaction-local settings, so that
-- the caller can send the file's messages right behind this statement
-- without waiting for its answer.
CREATE OR REPLACE FUNCTION smsgw_file_begin(p_box text, p_name text,
    p_claim text, p_hash text, p_idem text, p_campaign text, p_now bigint)
  RETURNS bigint
  LANGUAGE plpgsql AS $$
DECLARE f bigint; c bigint;
BEGIN
  INSERT INTO spool_file (box, name, claim, hash, idem_key, accepted_at)
    VALUES (p_box, p_name, p_claim, p_hash, p_idem, p_now)
    ON CONFLICT (idem_key) DO NOTHING RETURNING id INTO f;
  IF p_campaign IS NOT NULL AND f IS NOT NULL THEN
    SELECT x.id INTO c FROM smsgw_campaign(p_campaign, p_now) x;
  END IF;
  PERFORM set_config('smsgw.file', coalesce(f::text, ''), true);
  PERFORM set_config('smsgw.campaign', coalesce(c::text, ''), true);
  PERFORM set_config('smsgw.box', p_box, true);
  RETURN f;
END $$;

CREATE OR REPLACE FUNCTION smsgw_file_done(p_recipients bigint,
    p_duplicates bigint) RETURNS bigint
  LANGUAGE sql AS $$
  UPDATE spool_file SET recipients = p_recipients, duplicates = p_duplicates
   WHERE id = nullif(current_setting('smsgw.file', true), '')::bigint
  RETURNING id $$;

-- Finds or creates a campaign: (id, paused).
CREATE OR REPLACE FUNCTION smsgw_campaign(p_name text, p_now bigint,
    OUT id bigint, OUT paused boolean)
  LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
  INSERT INTO campaign (name, created_at) VALUES (p_name, p_now)
    ON CONFLICT (name) DO NOTHING;
  SELECT c.id, c.state = 'paused' INTO id, paused
    FROM campaign c WHERE c.name = p_name;
END $$;

-- One message of the file smsgw_file_begin() started (store_outbox_add()):
-- queued, deferred (Send-At, paused campaign) or suppressed (opted out at
-- acceptance); 'duplicate' when the file was one. Returns that state.
CREATE OR REPLACE FUNCTION smsgw_add(
    p_recipient text, p_body text, p_kind text, p_priority bigint,
    p_not_before bigint, p_expires bigint, p_pool text,
    p_pin_sim text, p_report bigint, p_flash bigint, p_ucs2 bigint,
    p_language bigint, p_max_attempts bigint, p_validity bigint,
    p_parts bigint, p_origin text, p_in_reply_to bigint, p_smsc text,
    p_from text, p_msg_class bigint, p_autosplit bigint, p_pdu_flags bigint,
    p_replace bigint, p_now bigint) RETURNS text
  LANGUAGE plpgsql AS $$
DECLARE
  st text; paused boolean;
  f bigint := nullif(current_setting('smsgw.file', true), '')::bigint;
  c bigint := nullif(current_setting('smsgw.campaign', true), '')::bigint;
  -- A big file's rows wait under the hold 'staging' until released
  -- (smsgw_stage_open(), pg_ops.sql).
  staging boolean := coalesce(current_setting('smsgw.staging', true), '') = '1';
BEGIN
  IF f IS NULL THEN RETURN 'duplicate'; END IF;
  SELECT x.state = 'paused' INTO paused FROM campaign x WHERE x.id = c;
  st := CASE
    WHEN p_origin NOT IN ('optout-reply', 'help-reply')
      AND smsgw_opted_out(p_recipient) THEN 'suppressed'
    WHEN coalesce(paused, false) OR p_not_before > p_now OR staging
      THEN 'deferred'
    ELSE 'queued' END;
  INSERT INTO message (file_id, box, created_at, recipient, body, kind,
    class, campaign_id, priority, state, not_before, expires_at, pool,
    pin_sim, hold, report, flash, ucs2, language, max_attempts, validity,
    parts, origin, in_reply_to, smsc, from_header, msg_class, autosplit,
    pdu_flags, replace_type, error, updated_at)
  VALUES (f, current_setting('smsgw.box', true), p_now, p_recipient, p_body,
    p_kind, CASE p_kind WHEN 'bulk' THEN 1 ELSE 0 END, c, p_priority, st,
    greatest(p_not_before, 0), p_expires, p_pool, p_pin_sim,
    CASE WHEN staging THEN 'staging'
         WHEN coalesce(paused, false) AND st = 'deferred' THEN 'paused' END,
    p_report, p_flash, p_ucs2, p_language, p_max_attempts, p_validity,
    p_parts, p_origin, p_in_reply_to, p_smsc, p_from, p_msg_class,
    p_autosplit, p_pdu_flags, p_replace,
    CASE WHEN st = 'suppressed' THEN 'recipient opted out' END, p_now);
  RETURN st;
END $$;

-- An inbound message (store_op_inbound()), and in the same transaction
-- its keyword's effect on the shared opt-out list: 'optout' opts the
-- sender out (its queued and deferred messages on every box become
-- suppressed; a claim re-checks the rest), 'optin' back in.
CREATE OR REPLACE FUNCTION smsgw_inbound(p_sender text, p_sender_type text,
    p_recipient text, p_sim bigint, p_body text, p_parts bigint,
    p_total bigint, p_partial bigint, p_keyword text, p_in_reply_to bigint,
    p_scts text, p_concat_ref bigint, p_now bigint) RETURNS bigint
  LANGUAGE plpgsql AS $$
DECLARE i bigint;
BEGIN
  INSERT INTO inbound (received_at, sender, sender_type, recipient, sim_id,
    body, parts, total, partial, keyword, in_reply_to, scts, concat_ref,
    updated_at)
  VALUES (p_now, p_sender, p_sender_type, p_recipient, p_sim, p_body,
    p_parts, p_total, p_partial, p_keyword, p_in_reply_to, p_scts,
    p_concat_ref, p_now)
  RETURNING id INTO i;
  IF p_keyword = 'optout' THEN
    INSERT INTO optout (number, opted_out_at, keyword, sim_id, active,
      source, how, updated_at)
    VALUES (p_sender, p_now, upper(btrim(p_body)), p_sim, 1, 'keyword',
      'exact', p_now)
    ON CONFLICT (number) DO UPDATE SET active = 1,
      opted_out_at = p_now, keyword = EXCLUDED.keyword,
      sim_id = p_sim, updated_at = p_now;
    UPDATE message SET state = 'suppressed', error = 'recipient opted out',
      updated_at = p_now
      WHERE recipient = p_sender AND state IN ('queued', 'deferred')
        AND origin NOT IN ('optout-reply', 'help-reply');
  ELSIF p_keyword = 'optin' THEN
    UPDATE optout SET active = 0, updated_at = p_now WHERE number = p_sender;
  END IF;
  RETURN i;
END $$;

-- A SIM of this box (its row, created or found): its id.
CREATE OR REPLACE FUNCTION smsgw_sim(p_box text, p_modem text, p_slot text,
    p_pool text, p_state text, p_now bigint) RETURNS bigint
  LANGUAGE plpgsql AS $$
DECLARE i bigint;
BEGIN
  INSERT INTO sim (box, modem, slot, pool, state, updated_at)
    VALUES (p_box, p_modem, p_slot, p_pool, p_state, p_now)
    ON CONFLICT (box, modem, slot) DO UPDATE SET pool = p_pool,
      state = p_state, updated_at = p_now
    RETURNING id INTO i;
  RETURN i;
END $$;

-- Deferred rows whose time came (Send-At, a retry's back-off) become
-- queued (the trigger wakes every box); queued or deferred rows past their
-- expiry become expired. Any box may run it; rows another box is changing
-- are left for the next run. Returns how many rows moved.
CREATE OR REPLACE FUNCTION smsgw_promote(p_now bigint) RETURNS integer
  LANGUAGE plpgsql AS $$
DECLARE n integer; e integer;
BEGIN
  WITH due AS (SELECT id FROM message WHERE state = 'deferred'
      AND hold IS NULL AND not_before <= p_now FOR UPDATE SKIP LOCKED)
  UPDATE message m SET state = 'queued', updated_at = p_now
    FROM due WHERE m.id = due.id;
  GET DIAGNOSTICS n = ROW_COUNT;
  WITH gone AS (SELECT id FROM message WHERE state IN ('queued', 'deferred')
      AND expires_at <= p_now FOR UPDATE SKIP LOCKED)
  UPDATE message m SET state = 'expired', hold = NULL,
    error = 'not sent before its expiry', updated_at = p_now
    FROM gone WHERE m.id = gone.id;
  GET DIAGNOSTICS e = ROW_COUNT;
  RETURN n + e;
END $$;

-- Pause, resume or cancel a campaign (store_outbox_campaign_set()), for
-- every box at once: its waiting rows are held, released or cancelled.
-- Returns how many messages changed.
CREATE OR REPLACE FUNCTION smsgw_campaign_set(p_id bigint, p_action text,
    p_now bigint) RETURNS integer
  LANGUAGE plpgsql AS $$
DECLARE n integer;
BEGIN
  IF p_action = 'pause' THEN
    UPDATE campaign SET state = 'paused' WHERE id = p_id;
    UPDATE message SET hold = 'paused', state = 'deferred', updated_at = p_now
      WHERE campaign_id = p_id AND state IN ('queued', 'deferred');
  ELSIF p_action = 'resume' THEN
    UPDATE campaign SET state = 'active' WHERE id = p_id;
    UPDATE message SET hold = NULL, updated_at = p_now,
      state = CASE WHEN not_before <= p_now THEN 'queued' ELSE 'deferred' END
      WHERE campaign_id = p_id AND hold = 'paused' AND state = 'deferred';
  ELSIF p_action = 'cancel' THEN
    UPDATE campaign SET state = 'cancelled' WHERE id = p_id;
    UPDATE message SET state = 'cancelled', hold = NULL,
      error = 'campaign cancelled', updated_at = p_now
      WHERE campaign_id = p_id AND state IN ('queued', 'deferred');
  ELSE
    RAISE EXCEPTION 'smsgw_campaign_set: unknown action %', p_action;
  END IF;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;

-- Two numbers are the same when they agree on at least their last seven
-- digits, or entirely (store_outcome.c: an SMSC may write a status
-- report's recipient nationally).
CREATE OR REPLACE FUNCTION smsgw_same_number(a text, b text) RETURNS boolean
  LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE la integer := length(a); lb integer := length(b); n integer := 0;
BEGIN
  WHILE la > 0 AND lb > 0 AND substr(a, la, 1) = substr(b, lb, 1)
        AND substr(a, la, 1) <> '+' LOOP
    la := la - 1; lb := lb - 1; n := n + 1;
  END LOOP;
  RETURN n >= 7 OR ((la = 0 OR substr(a, la, 1) = '+')
                    AND (lb = 0 OR substr(b, lb, 1) = '+') AND n > 0);
END $$;

-- A status report (store_outbox_report()) for (SIM, MR, recipient) within
-- the window: SIM ids are global, so it finds the message whichever box
-- accepted it. The report row always; the part's status unless the SC is
-- still trying (TP-ST 0x20–0x3F, TS 23.040 §9.2.3.15); the message
-- delivered once every part is, failed at the first permanent error.
-- Returns (message id or NULL, the state it reached or NULL).
CREATE OR REPLACE FUNCTION smsgw_report(p_sim bigint, p_mr bigint,
    p_recipient text, p_status bigint, p_now bigint, p_window bigint,
    p_pdu text, OUT message_id bigint, OUT new_state text)
  LANGUAGE plpgsql AS $$
#variable_conflict use_variable
DECLARE v_seq bigint;
BEGIN
  SELECT p.message_id, p.seq INTO message_id, v_seq
    FROM part p JOIN message m ON m.id = p.message_id
   WHERE p.sim_id = p_sim AND p.mr = p_mr AND p.sent_at >= p_now - p_window
     AND (coalesce(p_recipient, '') = ''
          OR smsgw_same_number(m.recipient, p_recipient))
   ORDER BY p.sent_at DESC LIMIT 1;
  INSERT INTO status_report (received_at, sim_id, mr, recipient, status,
    message_id, pdu)
    VALUES (p_now, p_sim, p_mr, p_recipient, p_status, message_id, p_pdu);
  IF message_id IS NULL OR (p_status >= 32 AND p_status < 64) THEN
    RETURN;
  END IF;
  UPDATE part SET status = p_status, report_at = p_now
    WHERE part.message_id = smsgw_report.message_id AND seq = v_seq;
  UPDATE message m SET
    state = CASE WHEN x.bad > 0 THEN 'failed' ELSE 'delivered' END,
    delivered_at = CASE WHEN x.bad > 0 THEN NULL ELSE p_now END,
    error = CASE WHEN x.bad > 0 THEN 'delivery failed (status report)'
                 ELSE m.error END,
    updated_at = p_now
    FROM (SELECT count(*) FILTER (WHERE status >= 64) AS bad,
                 count(*) FILTER (WHERE status < 32) AS good
            FROM part WHERE part.message_id = smsgw_report.message_id) x
   WHERE m.id = smsgw_report.message_id AND m.state IN ('sent', 'unknown')
     AND (x.bad > 0 OR x.good >= m.parts)
  RETURNING m.state INTO new_state;
END $$;

-- This box's daemon row (include/store_daemon.h): started, a heartbeat
-- every minute, stopped. The sims view says offline for a box's SIMs when
-- it stopped or its heartbeat is three beats old.
CREATE OR REPLACE FUNCTION smsgw_daemon(p_box text, p_what text,
    p_pid bigint, p_version text, p_now bigint) RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  IF p_what = 'start' THEN
    INSERT INTO daemon (box, pid, started_at, heartbeat_at, version)
      VALUES (p_box, p_pid, p_now, p_now, p_version)
      ON CONFLICT (box) DO UPDATE SET pid = p_pid, started_at = p_now,
        stopped_at = NULL, heartbeat_at = p_now, version = p_version;
  ELSIF p_what = 'beat' THEN
    UPDATE daemon SET heartbeat_at = p_now WHERE box = p_box;
  ELSIF p_what = 'stop' THEN
    UPDATE daemon SET stopped_at = p_now WHERE box = p_box;
  ELSE
    RAISE EXCEPTION 'smsgw_daemon: unknown %', p_what;
  END IF;
END $$;

-- A box still sending (a slow modem, a long multipart) extends its lease;
-- fenced like an outcome: 1 renewed, 0 the attempt is no longer the
-- message's (stop sending if you can; nothing you record will count).
CREATE OR REPLACE FUNCTION smsgw_renew(p_id bigint, p_attempt bigint,
    p_now bigint, p_lease_ms bigint) RETURNS integer
  LANGUAGE plpgsql AS $$
BEGIN
  UPDATE message SET lease_until = p_now + p_lease_ms
    WHERE id = p_id AND attempt_id = p_attempt AND state = 'sending';
  RETURN CASE WHEN FOUND THEN 1 ELSE 0 END;
END $$;

COMMIT;
