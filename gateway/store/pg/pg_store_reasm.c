/*
 * pg_store_reasm — fragments on PostgreSQL: a key's stored parts read
 * with the mark of what was read, reassembly decided by codec/reasm.h,
 * and the reassembly timeout (store_op_inbound_timeout()'s twin) over
 * this box's keys, each key written in a transaction of its own; see
 * pg_store_inbound.c.
 */
#include "pg_inbound_priv.h"
#include "log.h"
#include "sim.h"
#include "utf8.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- text (as store_ops_inbound.c) ---- */

/*
 * A UCS-2 fragment as UTF-8, keeping an unpaired surrogate in its 3-byte
 * form (WTF-8) instead of U+FFFD: some phones split an emoji's surrogate
 * pair across two parts, and only the assembled text can join it again.
 */
void pg_ib_ucs2_fragment(const uint8_t *in, size_t n, char *out,
				size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i + 1 < n && o + 5 < size; i += 2) {
		uint32_t u = (uint32_t)in[i] << 8 | in[i + 1];

		if (u >= 0xd800 && u <= 0xdbff && i + 3 < n) {
			uint32_t lo = (uint32_t)in[i + 2] << 8 | in[i + 3];

			if (lo >= 0xdc00 && lo <= 0xdfff) {
				u = 0x10000 + ((u - 0xd800) << 10) +
				    (lo - 0xdc00);
				i += 2;
			}
		}
		if (u == 0)
			u = 0xfffd;
		o += utf8_encode(u, out + o);
	}
	out[o] = '\0';
}

/* After assembly: a WTF-8 surrogate pair becomes the character it
 * encodes, a lone surrogate U+FFFD. In place: the text never grows. */
void pg_ib_join_surrogates(char *s)
{
	unsigned char *r = (unsigned char *)s, *w = r;

	while (*r) {
		bool hi = r[0] == 0xed && r[1] >= 0xa0 && r[1] <= 0xaf && r[2];
		bool pair = hi && r[3] == 0xed && r[4] >= 0xb0 &&
			    r[4] <= 0xbf && r[5];

		if (pair) {
			uint32_t h = 0xd000 | (r[1] & 0x3f) << 6 | (r[2] & 0x3f);
			uint32_t l = 0xd000 | (r[4] & 0x3f) << 6 | (r[5] & 0x3f);

			w += utf8_encode(0x10000 + ((h - 0xd800) << 10) +
					 (l - 0xdc00), (char *)w);
			r += 6;
		} else if (r[0] == 0xed && r[1] >= 0xa0 && r[1] <= 0xbf &&
			   r[2]) {
			*w++ = 0xef, *w++ = 0xbf, *w++ = 0xbd;
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

/* A fragment's text for the text column (lone surrogates as U+FFFD, same
 * length) and, when that changed it, its exact bytes as a bytea literal
 * for wtf8. */
char *pg_ib_fragment_text(const char *wtf8, char **hex)
{
	char *t = strdup(wtf8);
	size_t n = strlen(wtf8), bad;

	*hex = NULL;
	if (!t)
		return NULL;
	if (utf8_valid(t, n, &bad))
		return t;
	for (unsigned char *r = (unsigned char *)t; *r; r++)
		if (r[0] == 0xed && r[1] >= 0xa0 && r[1] <= 0xbf && r[2]) {
			r[0] = 0xef, r[1] = 0xbf, r[2] = 0xbd;
			r += 2;
		}
	*hex = malloc(2 * n + 3);
	if (*hex) {
		memcpy(*hex, "\\x", 2);
		for (size_t i = 0; i < n; i++)
			snprintf(*hex + 2 + 2 * i, 3, "%02x",
				 (unsigned char)wtf8[i]);
	}
	return t;
}

/* ---- a fragment: read the key, decide with reasm ---- */

struct pg_ib_parts {
	struct reasm_part *parts;
	char **texts;
	size_t n;
};

static void pg_ib_parts_free(struct pg_ib_parts *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->texts[i]);
	free(p->texts);
	free(p->parts);
}

/* The rows of the read into parts (their wtf8 bytes when stored). */
static int pg_ib_load(PGresult *res, int total, struct pg_ib_parts *p,
		      char *mark, size_t marksize)
{
	int rows = PQntuples(res);

	memset(p, 0, sizeof(*p));
	if (rows < 1 || PQnfields(res) != 8)
		return -EIO;
	snprintf(mark, marksize, "%s", PQgetvalue(res, 0, 0));
	p->parts = calloc((size_t)rows, sizeof(*p->parts));
	p->texts = calloc((size_t)rows, sizeof(*p->texts));
	if (!p->parts || !p->texts)
		return -ENOMEM;
	for (int i = 0; i < rows; i++) {
		struct reasm_part *r = &p->parts[p->n];
		enum reasm_state st = REASM_STATE_ORPHAN;
		char *t;

		if (PQgetisnull(res, i, 1))
			continue;	/* the key has no part yet */
		if (!PQgetisnull(res, i, 5)) {
			size_t len;
			unsigned char *b = PQunescapeBytea(
				(const unsigned char *)PQgetvalue(res, i, 5),
				&len);

			t = b ? malloc(len + 1) : NULL;
			if (t) {
				memcpy(t, b, len);
				t[len] = '\0';
			}
			PQfreemem(b);
		} else {
			t = strdup(PQgetvalue(res, i, 4));
		}
		if (!t)
			return -ENOMEM;
		p->texts[p->n] = t;
		reasm_state_parse(PQgetvalue(res, i, 6), &st);
		*r = (struct reasm_part){
			.id = strtoll(PQgetvalue(res, i, 1), NULL, 10),
			.received_at = strtoll(PQgetvalue(res, i, 2), NULL, 10),
			.total = total,
			.seq = atoi(PQgetvalue(res, i, 3)),
			.text = t, .state = st,
			.message_id = strtoll(PQgetvalue(res, i, 7), NULL, 10),
		};
		p->n++;
	}
	return 0;
}

/* The reasm result for the new fragment into the decision. */
static int pg_ib_decide(struct pg_ib *x, struct reasm_result *r)
{
	x->fstate = r->verdict == REASM_VERDICT_DUPLICATE
			    ? NULL : reasm_state_name(r->new_state);
	x->fmsg = r->message_id;
	snprintf(x->freason, sizeof(x->freason), "%s", r->reason);
	switch (r->verdict) {
	case REASM_VERDICT_COMPLETE:
	case REASM_VERDICT_PARTIAL:
	case REASM_VERDICT_AMEND:
		pg_ib_join_surrogates(r->text);
		x->body = r->text;
		r->text = NULL;
		x->m.body = x->body;
		x->m.parts = r->present;
		x->m.total = r->total;
		x->m.partial = r->partial;
		if (r->verdict == REASM_VERDICT_AMEND) {
			/* A late part completes or fills a partial message:
			 * the same row, never a second message. */
			x->verdict = "amend";
			return 0;
		}
		return pg_ib_classify(x);
	case REASM_VERDICT_ORPHAN:
		log_warn("inbound: fragment from %s on %s kept as orphan: %s",
			 x->sender, x->sim->name, r->reason);
		return 0;
	case REASM_VERDICT_WAIT:
	case REASM_VERDICT_DUPLICATE:
		return 0;
	}
	return 0;
}

/* A step of the timeout that failed: that key waits for the next run. */
void pg_ib_fail(struct pg_ib *x, int rc)
{
	if (x->reg) {
		pg_ib_reset(x);
		pg_ib_next_key(x);
	} else {
		pg_ib_finish(x, rc);
	}
}

static void pg_ib_parts_read(int rc, PGresult *res, const char *err,
			     void *ud)
{
	struct pg_ib *x = ud;
	struct reasm_part np = {
		.received_at = x->now, .total = x->ftotal, .seq = x->seq,
		.text = x->text,
	};
	struct pg_ib_parts have = { 0 };
	struct reasm_result r;
	bool ok;

	rc = pg_rc(rc, "reading a message's fragments", err);
	if (rc == 0)
		rc = pg_ib_load(res, x->ftotal, &have, x->mark,
				sizeof(x->mark));
	if (rc < 0) {
		pg_ib_parts_free(&have);
		pg_ib_fail(x, rc);
		return;
	}
	if (x->reg)
		ok = reasm_expired(have.parts, have.n, x->now, &x->ro, &r);
	else
		ok = reasm_add(have.parts, have.n, &np, &x->ro, &r);
	pg_ib_parts_free(&have);
	if (!ok) {
		pg_ib_fail(x, -ENOMEM);
		return;
	}
	if (x->reg && r.verdict != REASM_VERDICT_PARTIAL) {
		reasm_result_free(&r);
		pg_ib_orphan_key(x, "timed out without a release");
		return;
	}
	rc = pg_ib_decide(x, &r);
	reasm_result_free(&r);
	if (x->reg)
		x->fstate = NULL;	/* no new part: the key's are there */
	if (rc < 0)
		pg_ib_fail(x, rc);
	else
		pg_ib_write(x);
}

/* Every part of the key since x->since, with the mark of what was read
 * (one statement: one snapshot). */
void pg_ib_read(struct pg_ib *x)
{
	struct pg_params p = { .n = 0 };

	pg_param_int(&p, x->m.sim->id);
	pg_param_text(&p, x->sender);
	pg_param_int(&p, x->ref);
	pg_param_int(&p, x->ftotal);
	pg_param_int(&p, x->since);
	pg_store_send(x->op.ps, "SELECT smsgw_parts_mark($1, $2, $3, $4, $5),"
		      " p.id, p.received_at, p.seq, p.body, p.wtf8, p.state,"
		      " coalesce(p.inbound_id, 0) FROM (SELECT 1) one"
		      " LEFT JOIN inbound_part p ON p.sim_id = $1"
		      " AND p.sender = $2 AND p.ref = $3 AND p.total = $4"
		      " AND p.received_at >= $5 ORDER BY p.id", &p,
		      pg_ib_parts_read, &x->op);
}

/* ---- the reassembly timeout ---- */

static void pg_ib_oldest_done(int rc, PGresult *res, const char *err,
			      void *ud)
{
	struct pg_ib *x = ud;

	/* Each key committed on its own; this read only arms the timer. */
	if (pg_rc(rc, "reading the oldest fragment", err) == 0)
		x->out->oldest_waiting = pg_first_int(res);
	pg_ib_finish(x, 0);
}

static void pg_ib_orphaned(int rc, PGresult *res, const char *err, void *ud)
{
	(void)res;
	pg_rc(rc, "keeping fragments as orphans", err);
	pg_ib_next_key(ud);
}

void pg_ib_orphan_key(struct pg_ib *x, const char *why)
{
	const struct inbox_key *k = &x->keys[x->ki - 1];
	struct pg_params p = { .n = 0 };

	pg_param_int(&p, k->sim_id);
	pg_param_text(&p, k->sender);
	pg_param_int(&p, k->ref);
	pg_param_int(&p, k->total);
	pg_param_text(&p, why);
	pg_store_send(x->op.ps, "SELECT smsgw_orphan_key($1, $2, $3, $4, $5)",
		      &p, pg_ib_orphaned, &x->op);
}

void pg_ib_next_key(struct pg_ib *x)
{
	const struct inbox_key *k;
	struct pg_params p = { .n = 0 };
	const struct sim *sim = NULL;

	if (x->ki == x->nkeys) {
		pg_param_text(&p, x->op.ps->box);
		pg_store_send(x->op.ps, "SELECT smsgw_oldest_waiting($1)", &p,
			      pg_ib_oldest_done, &x->op);
		return;
	}
	k = &x->keys[x->ki++];
	for (size_t i = 0; i < x->reg->nsims; i++)
		if (x->reg->sims[i].id == k->sim_id)
			sim = &x->reg->sims[i];
	if (!sim) {
		/* Its SIM left this box's configuration: keep the text, stop
		 * waiting. */
		pg_ib_orphan_key(x, "its SIM is no longer configured");
		return;
	}
	free(x->sender);
	x->sender = strdup(k->sender);
	if (!x->sender) {
		pg_ib_finish(x, -ENOMEM);
		return;
	}
	x->sim = sim;
	x->ref = k->ref;
	x->ftotal = k->total;
	x->m = (struct store_inbound_msg){ .sim = sim, .sender = x->sender,
					   .concat_ref = k->ref };
	/* Every part of the key, however old: an open group outlived a
	 * restart longer than the amendment window too. */
	x->since = 0;
	pg_ib_read(x);
}

static void pg_ib_keys_done(int rc, PGresult *res, const char *err, void *ud)
{
	struct pg_ib *x = ud;
	int rows;

	rc = pg_rc(rc, "finding fragments that waited too long", err);
	rows = rc == 0 ? PQntuples(res) : 0;
	if (rows > 0 && !(x->keys = calloc((size_t)rows, sizeof(*x->keys))))
		rows = 0;
	for (int i = 0; i < rows; i++) {
		struct inbox_key *k = &x->keys[x->nkeys++];

		k->sim_id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		snprintf(k->sender, sizeof(k->sender), "%s",
			 PQgetvalue(res, i, 1));
		k->ref = (int32_t)strtol(PQgetvalue(res, i, 2), NULL, 10);
		k->total = atoi(PQgetvalue(res, i, 3));
	}
	pg_ib_next_key(x);
}

void pg_store_op_inbound_timeout(struct pg_store *ps,
				 const struct store_inbound_timeout *req,
				 struct store_inbound_out *out,
				 store_done_fn done, void *ud)
{
	struct pg_ib *x = pg_ib_new(ps, out, done, ud);
	struct pg_params p = { .n = 0 };

	if (!x)
		return;
	x->reg = req->reg;
	x->now = req->now;
	x->ro = *req->ro;
	x->reply_expire_ms = req->reply_expire_ms;
	x->classify = req->classify;
	x->classify_ud = req->classify_ud;
	x->fragment = true;
	pg_param_text(&p, ps->box);
	pg_param_int(&p, req->now - req->ro->timeout_ms);
	pg_store_send(ps, "SELECT * FROM smsgw_open_keys($1, $2)", &p,
		      pg_ib_keys_done, &x->op);
}
