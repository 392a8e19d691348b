-- The PostgreSQL operations beside the queue (doc/postgresql.md, issue 17):
-- forgotten numbers, quiet hours at the claim, a received PDU with its
-- fragments and keyword actions, big files in steps, the intake's
-- refusals and the quota deferral. Each is one function called with one
-- SELECT by gateway/store/pg/pg_store_*.c: one round trip, one
-- transaction. Applied after pg_queue.sql, idempotently, under the same
-- lock.

BEGIN;
SET LOCAL client_min_messages = warning;
SELECT pg_advisory_xact_lock(1936548711);

-- HMAC-SHA256 is pgcrypto's (a trusted extension: the database's owner
-- may create it without being a superuser).
CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- ---- schema additions ----

-- A UCS-2 fragment may end in half a surrogate pair (a phone split an
-- emoji between parts); such text is not valid UTF-8, which a text column
-- refuses: body then holds it with U+FFFD and wtf8 the exact bytes that
-- reassembly joins again (store_ops_inbound.c keeps WTF-8 in SQLite).
ALTER TABLE inbound_part ADD COLUMN IF NOT EXISTS wtf8 bytea;
-- The rows of a big file still staged (store_staging.c).
CREATE INDEX IF NOT EXISTS message_staging ON message (file_id)
  WHERE hold = 'staging';

-- The key of forgotten numbers (include/forget.h: HMAC-SHA256(key, E.164)
-- in hex, in forgotten), one for every box, made once. Readers
-- (smsgw_read) are granted the five views only, never this table. A dump
-- carries it, as an SQLite backup carries FILE.key.
CREATE TABLE IF NOT EXISTS smsgw_key (
  id  integer PRIMARY KEY CHECK (id = 1),
  key bytea NOT NULL
);
INSERT INTO smsgw_key (id, key) VALUES (1, gen_random_bytes(32))
  ON CONFLICT DO NOTHING;
REVOKE ALL ON smsgw_key FROM PUBLIC;

-- ---- forgotten numbers, opt-outs ----

CREATE OR REPLACE FUNCTION smsgw_forget_hash(p_number text) RETURNS text
  LANGUAGE sql STABLE AS $$
  SELECT encode(hmac(convert_to(p_number, 'UTF8'), k.key, 'sha256'), 'hex')
    FROM smsgw_key k WHERE k.id = 1 $$;

-- store_optout_active(): the number's opt-out row decides; without one, a
-- number erased with smsgw forget (its hash in forgotten) stays opted
-- out. An empty forgotten costs no hashing.
CREATE OR REPLACE FUNCTION smsgw_opted_out(p_number text) RETURNS boolean
  LANGUAGE plpgsql STABLE AS $$
DECLARE a bigint;
BEGIN
  SELECT o.active INTO a FROM optout o WHERE o.number = p_number;
  IF FOUND THEN RETURN a <> 0; END IF;
  IF NOT EXISTS (SELECT 1 FROM forgotten) THEN RETURN false; END IF;
  RETURN EXISTS (SELECT 1 FROM forgotten f
                  WHERE f.hash = smsgw_forget_hash(p_number));
END $$;

-- ---- quiet hours at the claim ----

-- The claiming box found a claimed bulk message in quiet hours at its
-- recipient (outbox_claim.hold, include/quiet.h: the box decides, with
-- its zone table): deferred until p_until as if never claimed — its
-- attempt row goes and is not counted. Fenced: 1 done, 0 stale.
CREATE OR REPLACE FUNCTION smsgw_hold(p_id bigint, p_attempt bigint,
    p_until bigint, p_why text, p_now bigint) RETURNS integer
  LANGUAGE plpgsql AS $$
BEGIN
  UPDATE message SET state = 'deferred', not_before = p_until,
    error = p_why, attempts = greatest(attempts - 1, 0), attempt_id = NULL,
    lease_until = NULL, updated_at = p_now
    WHERE id = p_id AND attempt_id = p_attempt AND state = 'sending';
  IF NOT FOUND THEN RETURN 0; END IF;
  DELETE FROM attempt WHERE id = p_attempt;
  RETURN 1;
END $$;

-- ---- inbound ----

-- What the caller saw of a reassembly key (smsgw_inbound_pdu() checks it
-- did not change): how many parts since p_since, the newest id, how many
-- wait.
CREATE OR REPLACE FUNCTION smsgw_parts_mark(p_sim bigint, p_sender text,
    p_ref bigint, p_total bigint, p_since bigint) RETURNS text
  LANGUAGE sql STABLE AS $$
  SELECT count(*) || '/' || coalesce(max(id), 0) || '/'
         || count(*) FILTER (WHERE state = 'waiting')
    FROM inbound_part WHERE sim_id = p_sim AND sender = p_sender
     AND ref = p_ref AND total = p_total AND received_at >= p_since $$;

-- An automatic message (store_ops_inbound.c: store_ib_queue()): direct,
-- high priority, from the SIM that received (p_pin) when it may send;
-- suppressed when its recipient opted out (confirmations excepted).
CREATE OR REPLACE FUNCTION smsgw_queue_auto(p_box text, p_to text,
    p_text text, p_origin text, p_parts bigint, p_pin bigint,
    p_inbox bigint, p_expires bigint, p_now bigint) RETURNS void
  LANGUAGE plpgsql AS $$
DECLARE out boolean := p_origin NOT IN ('optout-reply', 'help-reply')
                       AND smsgw_opted_out(p_to);
BEGIN
  INSERT INTO message (box, created_at, recipient, body, kind, class,
    priority, state, not_before, expires_at, pool, parts, origin,
    in_reply_to, error, updated_at)
  VALUES (p_box, p_now, p_to, p_text, 'direct', 0, 0,
    CASE WHEN out THEN 'suppressed' ELSE 'queued' END, 0, p_expires,
    CASE WHEN p_pin IS NULL THEN '' ELSE '@' || p_pin END, p_parts,
    p_origin, p_inbox, CASE WHEN out THEN 'recipient opted out' END, p_now);
END $$;

CREATE OR REPLACE FUNCTION smsgw_event(p_box text, p_now bigint,
    p_level text, p_message text) RETURNS void
  LANGUAGE sql AS $$
  INSERT INTO event (at, level, source, message, box)
    VALUES (p_now, p_level, 'inbound', p_message, p_box) $$;

-- The oldest fragment still waiting on one of this box's SIMs, or 0: when
-- its reassembly timeout is due.
CREATE OR REPLACE FUNCTION smsgw_oldest_waiting(p_box text) RETURNS bigint
  LANGUAGE sql STABLE AS $$
  SELECT coalesce(min(p.received_at), 0)
    FROM inbound_part p JOIN sim s ON s.id = p.sim_id
   WHERE p.state = 'waiting' AND s.box = p_box $$;

-- One received PDU with everything it causes (store_op_inbound()), as one
-- transaction: its raw row, once per SIM card and PDU ('duplicate': read
-- before, nothing more is stored); with p_error, only that row and an
-- event. For a fragment (p_ref set) the caller decided with reasm over
-- the key's parts as smsgw_parts_mark() showed them (p_mark); when they
-- changed meanwhile (the next PDU was answered first, or another box) the
-- answer is 'stale' and nothing is stored: decide again. p_fstate NULL
-- stores no part (the reassembly timeout: p_pdu NULL too). p_verdict:
-- 'deliver' the inbox row (its waiting parts assembled into it) and the
-- keyword's actions, 'amend' a late part updates row p_fmsg, 'none'.
-- Returns the status, the inbox row, why no reply was sent, and the
-- oldest fragment of this box still waiting.
CREATE OR REPLACE FUNCTION smsgw_inbound_pdu(p_box text, p_sim bigint,
    p_sim_name text, p_card text, p_pdu text, p_error text, p_now bigint,
    p_ref bigint, p_ftotal bigint, p_seq bigint, p_fbody text,
    p_fwtf8 bytea, p_fstate text, p_fmsg bigint, p_freason text,
    p_mark text, p_since bigint, p_verdict text,
    p_sender text, p_sender_type text, p_recipient text, p_body text,
    p_parts bigint, p_total bigint, p_partial boolean, p_scts text,
    p_sends boolean, p_keyword text, p_act text, p_matched text,
    p_how text, p_reply text, p_reply_origin text, p_reply_parts bigint,
    p_reply_failed boolean, p_no_reply text, p_pin bigint,
    p_forward_to text, p_forward_text text, p_forward_parts bigint,
    p_expire_ms bigint,
    OUT status text, OUT inbox_id bigint, OUT note text,
    OUT oldest_waiting bigint)
  LANGUAGE plpgsql AS $$
DECLARE
  v_raw bigint; v_due boolean := p_act = 'reply'; v_n integer;
  v_reply_to bigint;
BEGIN
  status := 'ok';
  -- As it is before this PDU: what an early return answers.
  oldest_waiting := smsgw_oldest_waiting(p_box);
  IF p_ref IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtext(p_sim || '/' || p_sender || '/'
                                           || p_ref || '/' || p_ftotal));
    IF smsgw_parts_mark(p_sim, p_sender, p_ref, p_ftotal, p_since)
       IS DISTINCT FROM p_mark THEN
      status := 'stale';
      RETURN;
    END IF;
  END IF;
  IF p_pdu IS NOT NULL THEN
    INSERT INTO raw_pdu (received_at, sim_id, iccid, pdu, error)
      VALUES (p_now, p_sim, p_card, p_pdu, p_error)
      ON CONFLICT (iccid, pdu) DO NOTHING RETURNING id INTO v_raw;
    IF v_raw IS NULL THEN
      status := 'duplicate';
      RETURN;
    END IF;
    IF p_error IS NOT NULL THEN
      PERFORM smsgw_event(p_box, p_now, 'warning', format('PDU on %s could'
        ' not be decoded (%s); kept in raw_pdu %s', p_sim_name, p_error,
        v_raw));
      RETURN;
    END IF;
  END IF;
  IF p_fstate IS NOT NULL THEN
    INSERT INTO inbound_part (received_at, sim_id, sender, ref, total, seq,
      body, wtf8, raw_id, inbound_id, state, reason)
    VALUES (p_now, p_sim, p_sender, p_ref, p_ftotal, p_seq, p_fbody,
      p_fwtf8, v_raw, nullif(p_fmsg, 0), p_fstate, p_freason);
  END IF;
  IF p_verdict = 'amend' THEN
    UPDATE inbound SET body = p_body, parts = p_parts,
      partial = p_partial::int, updated_at = p_now WHERE id = p_fmsg;
  ELSIF p_verdict = 'deliver' THEN
    SELECT m.id INTO v_reply_to FROM message m WHERE m.recipient = p_sender
      AND m.sent_at IS NOT NULL ORDER BY m.sent_at DESC LIMIT 1;
    INSERT INTO inbound (received_at, sender, sender_type, recipient, sim_id,
      body, parts, total, partial, keyword, in_reply_to, scts, concat_ref,
      updated_at)
    VALUES (p_now, p_sender, p_sender_type, nullif(p_recipient, ''), p_sim,
      p_body, p_parts, p_total, p_partial::int, p_keyword, v_reply_to,
      p_scts, p_ref, p_now)
    RETURNING id INTO inbox_id;
    IF p_ref IS NOT NULL THEN
      UPDATE inbound_part SET state = 'assembled', inbound_id = inbox_id
        WHERE sim_id = p_sim AND sender = p_sender AND ref = p_ref
          AND total = p_ftotal AND state = 'waiting';
    END IF;
    -- The SIM that just talked with this number answers it next.
    IF p_sends THEN
      INSERT INTO sticky (number, sim_id, last_at) VALUES (p_sender, p_sim,
        p_now) ON CONFLICT (number) DO UPDATE SET sim_id = p_sim,
        last_at = p_now;
    END IF;
    IF p_act = 'optout' AND NOT smsgw_opted_out(p_sender) THEN
      INSERT INTO optout (number, opted_out_at, keyword, sim_id, active,
        source, how, updated_at)
      VALUES (p_sender, p_now, p_matched, p_sim, 1, 'keyword', p_how, p_now)
      ON CONFLICT (number) DO UPDATE SET opted_out_at = p_now,
        keyword = p_matched, sim_id = p_sim, active = 1, source = 'keyword',
        how = p_how, updated_at = p_now;
      -- On every box; the confirmation queued below still goes.
      UPDATE message SET state = 'suppressed', hold = NULL,
        error = 'recipient opted out', updated_at = p_now
        WHERE recipient = p_sender AND state IN ('queued', 'deferred');
      GET DIAGNOSTICS v_n = ROW_COUNT;
      PERFORM smsgw_event(p_box, p_now, 'info', format('%s opted out on %s'
        ' ("%s", %s match); %s queued message%s suppressed', p_sender,
        p_sim_name, coalesce(p_matched, ''), p_how, v_n,
        CASE WHEN v_n = 1 THEN '' ELSE 's' END));
      v_due := true;
    ELSIF p_act = 'optin' AND smsgw_opted_out(p_sender) THEN
      IF EXISTS (SELECT 1 FROM forgotten) THEN
        DELETE FROM forgotten WHERE hash = smsgw_forget_hash(p_sender);
      END IF;
      UPDATE optout SET active = 0, updated_at = p_now
        WHERE number = p_sender;
      PERFORM smsgw_event(p_box, p_now, 'info', format('%s opted in again'
        ' on %s', p_sender, p_sim_name));
      v_due := true;
    ELSIF p_act = 'forward' AND p_forward_to IS NOT NULL THEN
      PERFORM smsgw_queue_auto(p_box, p_forward_to, p_forward_text,
        'forward', p_forward_parts, NULL, inbox_id, p_now + p_expire_ms,
        p_now);
    END IF;
    IF v_due AND p_reply IS NULL AND p_reply_failed THEN
      RAISE EXCEPTION 'the % to % could not be made from its template',
        p_reply_origin, p_sender;
    ELSIF v_due AND p_reply IS NOT NULL THEN
      -- Bounded per sender (store_ops_inbound.c: AUTO_BURST in ten
      -- minutes, AUTO_DAY a day): auto-responders stop each other.
      note := p_no_reply;
      IF note IS NULL THEN
        SELECT CASE
          WHEN count(*) FILTER (WHERE created_at >= p_now - 600000) >= 3
          THEN 'automatic replies to this number repeat (another'
               ' automatic responder?); none for a while'
          WHEN count(*) >= 10
          THEN 'the day''s automatic replies to this number were sent'
          END INTO note
          FROM message WHERE recipient = p_sender
           AND created_at >= p_now - 86400000 AND origin IN
           ('optout-reply', 'optin-reply', 'rule-reply', 'help-reply');
      END IF;
      IF note IS NOT NULL THEN
        PERFORM smsgw_event(p_box, p_now, 'warning', format('no %s to %s:'
          ' %s', p_reply_origin, p_sender, note));
      ELSE
        PERFORM smsgw_queue_auto(p_box, p_sender, p_reply, p_reply_origin,
          p_reply_parts, p_pin, inbox_id, p_now + p_expire_ms, p_now);
      END IF;
    END IF;
  END IF;
  oldest_waiting := smsgw_oldest_waiting(p_box);
END $$;

-- The reassembly timeout: this box's keys whose oldest waiting part came
-- at or before p_before (store_inbox_open_keys()), other boxes' SIMs are
-- theirs to time out.
CREATE OR REPLACE FUNCTION smsgw_open_keys(p_box text, p_before bigint)
  RETURNS TABLE (sim_id bigint, sender text, ref bigint, total bigint)
  LANGUAGE sql STABLE AS $$
  SELECT p.sim_id, p.sender, p.ref, p.total
    FROM inbound_part p JOIN sim s ON s.id = p.sim_id
   WHERE p.state = 'waiting' AND s.box = p_box
   GROUP BY p.sim_id, p.sender, p.ref, p.total
  HAVING min(p.received_at) <= p_before $$;

-- The waiting parts of a key become orphans (kept, never assembled).
CREATE OR REPLACE FUNCTION smsgw_orphan_key(p_sim bigint, p_sender text,
    p_ref bigint, p_total bigint, p_reason text) RETURNS void
  LANGUAGE sql AS $$
  UPDATE inbound_part SET state = 'orphan', reason = p_reason
   WHERE sim_id = p_sim AND sender = p_sender AND ref = p_ref
     AND total = p_total AND state = 'waiting' $$;

-- ---- a file's messages, many per statement ----

-- The messages of the file smsgw_file_begin() or smsgw_stage_open()
-- started, as smsgw_add() stores one, for a JSON array of them
-- (pg_store.c sends up to a few hundred a statement: one round trip a row
-- was 1,100 rows/s). Keys as smsgw_add()'s parameters without p_; absent
-- keys are NULL. Returns how many rows were stored (0: a duplicate file).
CREATE OR REPLACE FUNCTION smsgw_add_rows(p_rows jsonb, p_now bigint)
  RETURNS integer
  LANGUAGE plpgsql AS $$
DECLARE
  f bigint := nullif(current_setting('smsgw.file', true), '')::bigint;
  c bigint := nullif(current_setting('smsgw.campaign', true), '')::bigint;
  staging boolean := coalesce(current_setting('smsgw.staging', true), '') = '1';
  paused boolean; n integer;
BEGIN
  IF f IS NULL THEN RETURN 0; END IF;
  SELECT x.state = 'paused' INTO paused FROM campaign x WHERE x.id = c;
  paused := coalesce(paused, false);
  INSERT INTO message (file_id, box, created_at, recipient, body, kind,
    class, campaign_id, priority, state, not_before, expires_at, pool,
    pin_sim, hold, report, flash, ucs2, language, max_attempts, validity,
    parts, origin, in_reply_to, smsc, from_header, msg_class, autosplit,
    pdu_flags, replace_type, error, updated_at)
  SELECT f, current_setting('smsgw.box', true), p_now, r.recipient, r.body,
    r.kind, CASE r.kind WHEN 'bulk' THEN 1 ELSE 0 END, c, r.priority, s.st,
    greatest(r.not_before, 0), r.expires, r.pool, r.pin_sim,
    CASE WHEN staging THEN 'staging'
         WHEN paused AND s.st = 'deferred' THEN 'paused' END,
    r.report, r.flash, r.ucs2, r.language, r.max_attempts, r.validity,
    r.parts, r.origin, r.in_reply_to, r.smsc, r."from", r.msg_class,
    r.autosplit, r.pdu_flags, r."replace",
    CASE WHEN s.st = 'suppressed' THEN 'recipient opted out' END, p_now
  FROM jsonb_array_elements(p_rows) WITH ORDINALITY AS e(v, i)
  CROSS JOIN LATERAL jsonb_to_record(e.v) AS r(recipient text, body text,
    kind text, priority bigint, not_before bigint, expires bigint,
    pool text, pin_sim text, report bigint, flash bigint, ucs2 bigint,
    language bigint, max_attempts bigint, validity bigint, parts bigint,
    origin text, in_reply_to bigint, smsc text, "from" text,
    msg_class bigint, autosplit bigint, pdu_flags bigint,
    "replace" bigint)
  CROSS JOIN LATERAL (SELECT CASE
    WHEN r.origin NOT IN ('optout-reply', 'help-reply')
      AND smsgw_opted_out(r.recipient) THEN 'suppressed'
    WHEN paused OR r.not_before > p_now OR staging THEN 'deferred'
    ELSE 'queued' END AS st) s
  ORDER BY e.i;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;

-- ---- big files in steps (spool_job.c, store_staging.c) ----

-- The file's row (staging 1: rows being added) and its campaign: (file,
-- campaign, paused); file NULL when its Id: was seen (a duplicate).
CREATE OR REPLACE FUNCTION smsgw_stage_begin(p_box text, p_name text,
    p_claim text, p_hash text, p_idem text, p_campaign text, p_now bigint,
    OUT file_id bigint, OUT campaign_id bigint, OUT paused boolean)
  LANGUAGE plpgsql AS $$
BEGIN
  file_id := smsgw_file_begin(p_box, p_name, p_claim, p_hash, p_idem,
                              p_campaign, p_now);
  campaign_id := nullif(current_setting('smsgw.campaign', true), '')::bigint;
  SELECT c.state = 'paused' INTO paused FROM campaign c
   WHERE c.id = campaign_id;
  paused := coalesce(paused, false);
  UPDATE spool_file SET staging = 1 WHERE id = file_id;
END $$;

-- After a restart, a file this box was adding (staging 1): its campaign
-- (found or made), how many rows it has, the last one's recipient, and
-- whether they are hidden (hold 'staging': here always, the rows wait
-- for the accept — the spool then purges them and takes the file again;
-- store_op_stage_resume() on the branch that adds it).
CREATE OR REPLACE FUNCTION smsgw_stage_resume(p_file bigint,
    p_campaign text, p_now bigint, OUT campaign_id bigint,
    OUT paused boolean, OUT rows bigint, OUT last text, OUT hidden boolean)
  LANGUAGE plpgsql AS $$
BEGIN
  IF p_campaign IS NOT NULL THEN
    SELECT x.id, x.paused INTO campaign_id, paused
      FROM smsgw_campaign(p_campaign, p_now) x;
  END IF;
  paused := coalesce(paused, false);
  SELECT count(*), bool_or(m.hold = 'staging') INTO rows, hidden
    FROM message m WHERE m.file_id = p_file;
  SELECT m.recipient INTO last FROM message m WHERE m.file_id = p_file
   ORDER BY m.id DESC LIMIT 1;
  last := coalesce(last, '');
  hidden := coalesce(hidden, false);
END $$;

-- The settings smsgw_add() reads, for rows added to a staged file in a
-- later transaction: they wait under the hold 'staging'.
CREATE OR REPLACE FUNCTION smsgw_stage_open(p_box text, p_file bigint,
    p_campaign bigint) RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('smsgw.file', p_file::text, true);
  PERFORM set_config('smsgw.campaign', coalesce(p_campaign::text, ''), true);
  PERFORM set_config('smsgw.box', p_box, true);
  PERFORM set_config('smsgw.staging', '1', true);
END $$;

-- The file is accepted: its counts, and its rows to be released.
CREATE OR REPLACE FUNCTION smsgw_stage_accept(p_file bigint,
    p_recipients bigint, p_duplicates bigint) RETURNS void
  LANGUAGE sql AS $$
  UPDATE spool_file SET recipients = p_recipients,
    duplicates = p_duplicates, staging = 2 WHERE id = p_file $$;

-- Up to p_rows staged rows of the file released (queued, deferred until
-- their Send-At, or held for a paused campaign): (how many, 0). None
-- left: the file is done (staging 0) and next is another file of this box
-- still to release (a restart left it half released), or 0.
CREATE OR REPLACE FUNCTION smsgw_stage_release(p_box text, p_file bigint,
    p_now bigint, p_rows bigint, OUT released integer, OUT next bigint)
  LANGUAGE plpgsql AS $$
BEGIN
  WITH r AS (SELECT m.id, m.not_before,
        coalesce((SELECT c.state = 'paused' FROM campaign c
                   WHERE c.id = m.campaign_id), false) AS paused
      FROM message m WHERE m.file_id = p_file AND m.hold = 'staging'
      LIMIT p_rows FOR UPDATE)
  UPDATE message m SET
    hold = CASE WHEN m.state = 'deferred' AND r.paused THEN 'paused' END,
    state = CASE WHEN m.state = 'deferred' AND m.not_before <= p_now
                 AND NOT r.paused THEN 'queued' ELSE m.state END,
    updated_at = p_now
    FROM r WHERE m.id = r.id;
  GET DIAGNOSTICS released = ROW_COUNT;
  next := 0;
  IF released = 0 THEN
    UPDATE spool_file SET staging = 0 WHERE id = p_file;
    SELECT f.id INTO next FROM spool_file f
     WHERE f.box = p_box AND f.staging = 2 LIMIT 1;
    next := coalesce(next, 0);
  END IF;
END $$;

-- Up to p_rows staged rows of a file not accepted deleted: how many; none
-- left: the rest of its rows (an opt-out took them out of staging) and
-- the file's row go, and 0 comes back.
CREATE OR REPLACE FUNCTION smsgw_stage_purge(p_file bigint, p_rows bigint)
  RETURNS integer
  LANGUAGE plpgsql AS $$
DECLARE n integer;
BEGIN
  DELETE FROM message WHERE id IN (SELECT id FROM message
    WHERE file_id = p_file AND hold = 'staging' LIMIT p_rows);
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n > 0 THEN RETURN n; END IF;
  DELETE FROM message WHERE file_id = p_file;
  DELETE FROM spool_file WHERE id = p_file;
  RETURN 0;
END $$;

-- What a restart left (store_op_staging()): the staging state of this
-- box's claim (-1: no row), or with p_claim NULL a file of this box still
-- to release (state 2), if any.
CREATE OR REPLACE FUNCTION smsgw_staging(p_box text, p_claim text,
    OUT state integer, OUT file_id bigint)
  LANGUAGE plpgsql STABLE AS $$
BEGIN
  state := -1;
  file_id := 0;
  IF p_claim IS NOT NULL THEN
    SELECT f.staging, f.id INTO state, file_id FROM spool_file f
     WHERE f.box = p_box AND f.claim = p_claim;
  ELSE
    SELECT 2, f.id INTO state, file_id FROM spool_file f
     WHERE f.box = p_box AND f.staging = 2 LIMIT 1;
  END IF;
  state := coalesce(state, -1);
  file_id := coalesce(file_id, 0);
END $$;

-- ---- the intake's refusals, the quota deferral ----

-- An intake row that cannot be queued (store_op_refuse()): kept as a
-- failed message with why, its intake row removed, a warning event. The
-- row (outbox_in, pg_intake.sql) is removed only while this box holds
-- it: a box whose lease lapsed records nothing over the box that took
-- the row over.
CREATE OR REPLACE FUNCTION smsgw_refuse(p_box text, p_seq bigint,
    p_recipient text, p_body text, p_via text, p_why text, p_now bigint)
  RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  IF p_seq > 0 THEN
    DELETE FROM outbox_in WHERE seq = p_seq AND taken_by = p_box;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'INSERT INTO outbox row % is no longer box %''s (its'
        ' lease lapsed and another box took it)', p_seq, p_box;
    END IF;
  END IF;
  INSERT INTO message (box, created_at, recipient, body, kind, class, state,
    error, origin, updated_at)
  VALUES (p_box, p_now, coalesce(p_recipient, ''), coalesce(p_body, ''),
    'direct', 0, 'failed', p_why, p_via, p_now);
  INSERT INTO event (at, level, source, message, box)
  VALUES (p_now, 'warning', 'sql', format('INSERT INTO %s (row %s, %s) not'
    ' queued: %s', CASE WHEN p_via = 'gammu' THEN 'gammu_outbox'
    ELSE 'outbox' END, p_seq, coalesce(p_recipient, ''), p_why), p_box);
END $$;

-- Every SIM of this box serving pool p_key ('' the unpooled queue)
-- reached its quota (store_outbox_defer_pool()): its queued bulk is
-- deferred until p_until — unless a SIM of another live box serves the
-- pool too (it keeps sending them). Returns how many were deferred.
CREATE OR REPLACE FUNCTION smsgw_defer_pool(p_box text, p_key text,
    p_until bigint, p_why text, p_now bigint) RETURNS integer
  LANGUAGE plpgsql AS $$
DECLARE n integer;
BEGIN
  IF EXISTS (SELECT 1 FROM sim s JOIN daemon d ON d.box = s.box
              WHERE s.box <> p_box AND (p_key = '' OR s.pool = p_key)
                AND s.state IN ('ready', 'busy') AND d.stopped_at IS NULL
                AND d.heartbeat_at >= p_now - 180000) THEN
    RETURN 0;
  END IF;
  UPDATE message SET state = 'deferred', not_before = p_until,
    error = p_why, updated_at = p_now
    WHERE state = 'queued' AND pool = p_key AND class = 1;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;

COMMIT;
