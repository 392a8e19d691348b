/*
 * Multipart reassembly at fixed times. A small in-memory model of the
 * inbound_part and inbound tables plays the glue: it loads the parts of a
 * key, asks reasm, and applies the verdict as the header says.
 */
#include "harness.h"
#include "reasm.h"

#include <stdio.h>
#include <stdlib.h>

#define T0 1800000000000LL	/* 2027-01-15, ms */
#define MIN (60 * 1000LL)

struct row {
	int sim;
	char sender[16];
	int32_t ref;
	char text[64];
	struct reasm_part p;
};

struct msg {
	int64_t id;
	char text[2048];
	int present, total;
	bool partial;
	int amended;
};

struct model {
	struct row rows[512];
	size_t nrows;
	struct msg msgs[64];
	size_t nmsgs;
	struct reasm_opts opts;
	int verdicts[REASM_VERDICT_PARTIAL + 1];
	char last_reason[96];
};

static void model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
	reasm_opts_init(&m->opts);
}

static bool same_key(const struct row *r, int sim, const char *sender,
		     int32_t ref, int total)
{
	return r->sim == sim && strcmp(r->sender, sender) == 0 &&
	       r->ref == ref && r->p.total == total;
}

/* What the glue's SELECT … WHERE (sim, sender, ref, total) = … returns. */
static size_t model_load(struct model *m, int sim, const char *sender,
			 int32_t ref, int total, struct reasm_part *out)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nrows; i++) {
		if (!same_key(&m->rows[i], sim, sender, ref, total))
			continue;
		out[n] = m->rows[i].p;
		out[n].text = m->rows[i].text;
		n++;
	}
	return n;
}

static struct msg *model_msg(struct model *m, int64_t id)
{
	for (size_t i = 0; i < m->nmsgs; i++)
		if (m->msgs[i].id == id)
			return &m->msgs[i];
	return NULL;
}

static void model_set_msg(struct msg *g, const struct reasm_result *r)
{
	snprintf(g->text, sizeof(g->text), "%s", r->text);
	g->present = r->present;
	g->total = r->total;
	g->partial = r->partial;
}

/* Marks every waiting part of the key assembled into a new message. */
static int64_t model_release(struct model *m, int sim, const char *sender,
			     int32_t ref, int total,
			     const struct reasm_result *r)
{
	struct msg *g = &m->msgs[m->nmsgs++];

	g->id = 100 + (int64_t)m->nmsgs;
	model_set_msg(g, r);
	for (size_t i = 0; i < m->nrows; i++) {
		struct row *w = &m->rows[i];

		if (same_key(w, sim, sender, ref, total) &&
		    w->p.state == REASM_STATE_WAITING) {
			w->p.state = REASM_STATE_ASSEMBLED;
			w->p.message_id = g->id;
		}
	}
	return g->id;
}

/*
 * What the table must look like after every step: each assembled part
 * belongs to a message, and each message has as many parts as it says.
 */
static void model_check(const struct model *m)
{
	for (size_t i = 0; i < m->nrows; i++)
		if (m->rows[i].p.state == REASM_STATE_ASSEMBLED)
			CHECK(m->rows[i].p.message_id != 0);
	for (size_t g = 0; g < m->nmsgs; g++) {
		int n = 0;

		for (size_t i = 0; i < m->nrows; i++)
			n += m->rows[i].p.message_id == m->msgs[g].id;
		CHECK_INT(n, m->msgs[g].present);
	}
}

static enum reasm_verdict feed(struct model *m, int sim, const char *sender,
			       int ref, bool ref16, int total, int seq,
			       const char *text, int64_t now)
{
	struct reasm_part loaded[512];
	int32_t kref = reasm_key_ref((uint16_t)ref, ref16);
	size_t n = model_load(m, sim, sender, kref, total, loaded);
	struct row *nr = &m->rows[m->nrows];
	struct reasm_result r;

	memset(nr, 0, sizeof(*nr));
	nr->sim = sim;
	snprintf(nr->sender, sizeof(nr->sender), "%s", sender);
	nr->ref = kref;
	snprintf(nr->text, sizeof(nr->text), "%s", text);
	nr->p = (struct reasm_part){ .id = (int64_t)m->nrows + 1,
				     .received_at = now, .total = total,
				     .seq = seq, .text = nr->text };
	if (!CHECK(reasm_add(loaded, n, &nr->p, &m->opts, &r)))
		return REASM_VERDICT_WAIT;
	m->verdicts[r.verdict]++;
	snprintf(m->last_reason, sizeof(m->last_reason), "%s", r.reason);
	if (r.verdict == REASM_VERDICT_DUPLICATE) {
		reasm_result_free(&r);
		return r.verdict;
	}
	m->nrows++;
	nr->p.state = r.new_state;
	if (r.verdict == REASM_VERDICT_COMPLETE) {
		CHECK_INT(r.new_state, REASM_STATE_WAITING);
		model_release(m, sim, sender, kref, total, &r);
	} else if (r.verdict == REASM_VERDICT_AMEND) {
		struct msg *g = model_msg(m, r.message_id);

		if (CHECK(g)) {
			model_set_msg(g, &r);
			g->amended++;
		}
		nr->p.message_id = r.message_id;
	}
	reasm_result_free(&r);
	model_check(m);
	return r.verdict;
}

/* The glue's timer: every key with waiting parts is offered to reasm. */
static int expire_all(struct model *m, int64_t now, int64_t *next_due)
{
	int released = 0;

	*next_due = 0;
	for (size_t i = 0; i < m->nrows; i++) {
		struct row *w = &m->rows[i];
		struct reasm_part loaded[512];
		struct reasm_result r;
		size_t n;

		if (w->p.state != REASM_STATE_WAITING)
			continue;
		n = model_load(m, w->sim, w->sender, w->ref, w->p.total,
			       loaded);
		if (!CHECK(reasm_expired(loaded, n, now, &m->opts, &r)))
			return released;
		if (r.verdict == REASM_VERDICT_PARTIAL) {
			model_release(m, w->sim, w->sender, w->ref, w->p.total,
				      &r);
			released++;
		} else if (r.due && (!*next_due || r.due < *next_due)) {
			*next_due = r.due;
		}
		reasm_result_free(&r);
	}
	model_check(m);
	return released;
}

/* A part's text: "<tag>p<seq>." so the assembled order is visible. */
static const char *part_text(char *buf, size_t size, const char *tag, int seq)
{
	snprintf(buf, size, "%sp%d.", tag, seq);
	return buf;
}

static void want_text(char *buf, size_t size, const char *tag, int total,
		      const bool *missing)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int q = 1; q <= total && off < size; q++) {
		if (missing && missing[q])
			off += (size_t)snprintf(buf + off, size - off,
						REASM_MISSING_FMT, q, total);
		else
			off += (size_t)snprintf(buf + off, size - off, "%sp%d.",
						tag, q);
	}
}

static unsigned rnd(unsigned *state)
{
	*state = *state * 1103515245u + 12345u;
	return (*state >> 16) & 0x7fff;
}

TEST(reasm_shuffled_duplicated_2_to_8_parts)
{
	for (int total = 2; total <= 8; total++) {
		for (unsigned seed = 1; seed <= 40; seed++) {
			struct model m;
			int order[32], n = 0;
			unsigned st = seed * 7919u + (unsigned)total;
			char buf[64], want[512];

			model_init(&m);
			for (int q = 1; q <= total; q++)
				order[n++] = q;
			/* Some parts arrive twice, anywhere in the stream. */
			for (int d = 0; d < (int)(seed % 4); d++)
				order[n++] = 1 + (int)(rnd(&st) %
						       (unsigned)total);
			for (int i = n - 1; i > 0; i--) {
				int j = (int)(rnd(&st) % (unsigned)(i + 1));
				int t = order[i];

				order[i] = order[j];
				order[j] = t;
			}
			for (int i = 0; i < n; i++)
				feed(&m, 1, "+15550001111", 42, false, total,
				     order[i],
				     part_text(buf, sizeof(buf), "a", order[i]),
				     T0 + i * 1000);
			want_text(want, sizeof(want), "a", total, NULL);
			CHECK_INT(m.nmsgs, 1);
			CHECK_INT(m.verdicts[REASM_VERDICT_COMPLETE], 1);
			CHECK_INT(m.verdicts[REASM_VERDICT_DUPLICATE],
				  (int)(seed % 4));
			CHECK_INT(m.verdicts[REASM_VERDICT_WAIT], total - 1);
			CHECK_INT(m.verdicts[REASM_VERDICT_ORPHAN], 0);
			if (m.nmsgs == 1) {
				CHECK_STR(m.msgs[0].text, want);
				CHECK(!m.msgs[0].partial);
				CHECK_INT(m.msgs[0].present, total);
			}
		}
	}
}

TEST(reasm_missing_part_times_out_partial_then_late_part_amends)
{
	struct model m;
	char buf[64], want[512];
	bool missing[9] = { false };
	int64_t due;

	model_init(&m);
	/* Parts 1, 3 and 5 of 5 arrive; 2 and 4 are late. */
	CHECK_INT(feed(&m, 1, "+15550001111", 9, false, 5, 3,
		       part_text(buf, sizeof(buf), "b", 3), T0),
		  REASM_VERDICT_WAIT);
	CHECK_INT(feed(&m, 1, "+15550001111", 9, false, 5, 1,
		       part_text(buf, sizeof(buf), "b", 1), T0 + 2000),
		  REASM_VERDICT_WAIT);
	CHECK_INT(feed(&m, 1, "+15550001111", 9, false, 5, 5,
		       part_text(buf, sizeof(buf), "b", 5), T0 + 4000),
		  REASM_VERDICT_WAIT);

	/* Not yet: the timeout counts from the first part. */
	CHECK_INT(expire_all(&m, T0 + 10 * MIN - 1, &due), 0);
	CHECK_INT(due, T0 + 10 * MIN);
	CHECK_INT(m.nmsgs, 0);
	CHECK_INT(expire_all(&m, T0 + 10 * MIN, &due), 1);
	CHECK_INT(due, 0);
	if (!CHECK_INT(m.nmsgs, 1))
		return;
	missing[2] = missing[4] = true;
	want_text(want, sizeof(want), "b", 5, missing);
	CHECK_STR(m.msgs[0].text, want);
	CHECK_STR(m.msgs[0].text,
		  "bp1.[missing part 2/5]bp3.[missing part 4/5]bp5.");
	CHECK(m.msgs[0].partial);
	CHECK_INT(m.msgs[0].present, 3);

	/* Nothing more to expire. */
	CHECK_INT(expire_all(&m, T0 + 20 * MIN, &due), 0);

	/* A late part amends the same message, never a second one. */
	CHECK_INT(feed(&m, 1, "+15550001111", 9, false, 5, 4,
		       part_text(buf, sizeof(buf), "b", 4), T0 + 30 * MIN),
		  REASM_VERDICT_AMEND);
	CHECK_INT(m.nmsgs, 1);
	missing[4] = false;
	want_text(want, sizeof(want), "b", 5, missing);
	CHECK_STR(m.msgs[0].text, want);
	CHECK(m.msgs[0].partial);
	/* A copy of a part already in the released message is a duplicate. */
	CHECK_INT(feed(&m, 1, "+15550001111", 9, false, 5, 4,
		       part_text(buf, sizeof(buf), "b", 4), T0 + 31 * MIN),
		  REASM_VERDICT_DUPLICATE);
	CHECK_INT(feed(&m, 1, "+15550001111", 9, false, 5, 2,
		       part_text(buf, sizeof(buf), "b", 2), T0 + 40 * MIN),
		  REASM_VERDICT_AMEND);
	CHECK_INT(m.nmsgs, 1);
	want_text(want, sizeof(want), "b", 5, NULL);
	CHECK_STR(m.msgs[0].text, want);
	CHECK(!m.msgs[0].partial);
	CHECK_INT(m.msgs[0].present, 5);
	CHECK_INT(m.msgs[0].amended, 2);
}

TEST(reasm_partial_result_lists_missing_numbers)
{
	struct reasm_part p[2] = {
		{ .received_at = T0, .total = 4, .seq = 4, .text = "d" },
		{ .received_at = T0 + 5, .total = 4, .seq = 2, .text = "b" },
	};
	struct reasm_opts o;
	struct reasm_result r;

	reasm_opts_init(&o);
	CHECK(reasm_expired(p, 2, T0 + o.timeout_ms, &o, &r));
	CHECK_INT(r.verdict, REASM_VERDICT_PARTIAL);
	CHECK_INT(r.new_state, REASM_STATE_ASSEMBLED);
	CHECK_INT(r.nmissing, 2);
	CHECK_INT(r.missing[0], 1);
	CHECK_INT(r.missing[1], 3);
	CHECK_INT(r.present, 2);
	CHECK_INT(r.total, 4);
	CHECK_STR(r.text, "[missing part 1/4]b[missing part 3/4]d");
	reasm_result_free(&r);
	/* No open group: nothing to do and nothing due. */
	CHECK(reasm_expired(NULL, 0, T0, &o, &r));
	CHECK_INT(r.verdict, REASM_VERDICT_WAIT);
	CHECK_INT(r.due, 0);
}

TEST(reasm_late_part_after_amend_window_starts_a_new_group)
{
	struct model m;
	char buf[64];
	int64_t due;

	model_init(&m);
	feed(&m, 1, "+15550001111", 3, false, 2, 1,
	     part_text(buf, sizeof(buf), "c", 1), T0);
	CHECK_INT(expire_all(&m, T0 + 11 * MIN, &due), 1);
	CHECK_INT(feed(&m, 1, "+15550001111", 3, false, 2, 2,
		       part_text(buf, sizeof(buf), "c", 2),
		       T0 + m.opts.amend_ms + 1),
		  REASM_VERDICT_WAIT);
	CHECK_INT(m.nmsgs, 1);
	CHECK(m.msgs[0].partial);
}

TEST(reasm_conflicting_totals_are_different_messages)
{
	struct model m;
	char buf[64], want[256];

	model_init(&m);
	/* Same sender, same reference 5: a 3-part and a 2-part message. */
	feed(&m, 1, "+15550001111", 5, false, 3, 1,
	     part_text(buf, sizeof(buf), "x", 1), T0);
	feed(&m, 1, "+15550001111", 5, false, 2, 1,
	     part_text(buf, sizeof(buf), "y", 1), T0 + 1);
	feed(&m, 1, "+15550001111", 5, false, 3, 2,
	     part_text(buf, sizeof(buf), "x", 2), T0 + 2);
	CHECK_INT(feed(&m, 1, "+15550001111", 5, false, 2, 2,
		       part_text(buf, sizeof(buf), "y", 2), T0 + 3),
		  REASM_VERDICT_COMPLETE);
	if (!CHECK_INT(m.nmsgs, 1))
		return;
	want_text(want, sizeof(want), "y", 2, NULL);
	CHECK_STR(m.msgs[0].text, want);
	CHECK_INT(feed(&m, 1, "+15550001111", 5, false, 3, 3,
		       part_text(buf, sizeof(buf), "x", 3), T0 + 4),
		  REASM_VERDICT_COMPLETE);
	if (!CHECK_INT(m.nmsgs, 2))
		return;
	want_text(want, sizeof(want), "x", 3, NULL);
	CHECK_STR(m.msgs[1].text, want);
	CHECK_INT(m.verdicts[REASM_VERDICT_ORPHAN], 0);
}

TEST(reasm_8_and_16_bit_references_do_not_mix)
{
	struct model m;
	char buf[64], want[256];

	CHECK(reasm_key_ref(7, false) != reasm_key_ref(7, true));
	CHECK_INT(reasm_key_ref(7, false), 7);
	CHECK_INT(reasm_key_ref(0x0107, true), 0x10107);
	CHECK_INT(reasm_key_ref(0xffff, true), 0x1ffff);
	model_init(&m);
	/* Interleaved: ref 7 with IEI 0x00 and ref 7 with IEI 0x08. */
	for (int q = 1; q <= 3; q++) {
		feed(&m, 1, "+15550001111", 7, false, 3, q,
		     part_text(buf, sizeof(buf), "eight", q), T0 + q * 10);
		feed(&m, 1, "+15550001111", 7, true, 3, 4 - q,
		     part_text(buf, sizeof(buf), "sixteen", 4 - q),
		     T0 + q * 10 + 1);
	}
	if (!CHECK_INT(m.nmsgs, 2))
		return;
	CHECK_INT(m.verdicts[REASM_VERDICT_ORPHAN], 0);
	/* The 8-bit message gets its last part first. */
	want_text(want, sizeof(want), "eight", 3, NULL);
	CHECK_STR(m.msgs[0].text, want);
	want_text(want, sizeof(want), "sixteen", 3, NULL);
	CHECK_STR(m.msgs[1].text, want);
}

TEST(reasm_senders_and_sims_do_not_mix)
{
	struct model m;

	model_init(&m);
	feed(&m, 1, "+15550001111", 1, false, 2, 1, "A1", T0);
	feed(&m, 2, "+15550001111", 1, false, 2, 1, "B1", T0);
	feed(&m, 1, "+15550002222", 1, false, 2, 1, "C1", T0);
	feed(&m, 2, "+15550001111", 1, false, 2, 2, "B2", T0 + 1);
	feed(&m, 1, "+15550002222", 1, false, 2, 2, "C2", T0 + 1);
	feed(&m, 1, "+15550001111", 1, false, 2, 2, "A2", T0 + 1);
	if (!CHECK_INT(m.nmsgs, 3))
		return;
	CHECK_STR(m.msgs[0].text, "B1B2");
	CHECK_STR(m.msgs[1].text, "C1C2");
	CHECK_STR(m.msgs[2].text, "A1A2");
}

TEST(reasm_conflicting_text_is_orphan_and_group_survives)
{
	struct model m;

	model_init(&m);
	feed(&m, 1, "+15550001111", 4, false, 3, 2, "two", T0);
	CHECK_INT(feed(&m, 1, "+15550001111", 4, false, 3, 2, "TWO?", T0 + 1),
		  REASM_VERDICT_ORPHAN);
	CHECK_STR(m.last_reason, "part 2/3 conflicts with the stored part");
	/* The same orphan again is a duplicate, not a second orphan. */
	CHECK_INT(feed(&m, 1, "+15550001111", 4, false, 3, 2, "TWO?", T0 + 2),
		  REASM_VERDICT_DUPLICATE);
	feed(&m, 1, "+15550001111", 4, false, 3, 1, "one ", T0 + 3);
	CHECK_INT(feed(&m, 1, "+15550001111", 4, false, 3, 3, " three", T0 + 4),
		  REASM_VERDICT_COMPLETE);
	if (CHECK_INT(m.nmsgs, 1))
		CHECK_STR(m.msgs[0].text, "one two three");
	CHECK_INT(m.verdicts[REASM_VERDICT_ORPHAN], 1);
}

TEST(reasm_bad_sequence_numbers_are_orphans)
{
	static const struct {
		int total, seq;
		const char *reason;
	} v[] = {
		{ 3, 0, "sequence number 0 is not 1 to 3" },
		{ 3, 4, "sequence number 4 is not 1 to 3" },
		{ 2, 255, "sequence number 255 is not 1 to 2" },
		{ 0, 1, "total 0 is not 1 to 255 (seq 1)" },
		{ 0, 0, "total 0 is not 1 to 255 (seq 0)" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct model m;

		model_init(&m);
		CHECK_INT(feed(&m, 1, "+15550001111", 1, false, v[i].total,
			       v[i].seq, "x", T0),
			  REASM_VERDICT_ORPHAN);
		CHECK_STR(m.last_reason, v[i].reason);
		CHECK_INT(m.rows[0].p.state, REASM_STATE_ORPHAN);
		CHECK_INT(m.nmsgs, 0);
	}
}

TEST(reasm_reused_reference_after_complete_is_new_message)
{
	struct model m;

	model_init(&m);
	feed(&m, 1, "+15550001111", 200, false, 2, 1, "first ", T0);
	feed(&m, 1, "+15550001111", 200, false, 2, 2, "message", T0 + 1);
	/* Hours later the phone's 8-bit reference has wrapped round. */
	CHECK_INT(feed(&m, 1, "+15550001111", 200, false, 2, 2, "again",
		       T0 + 3 * 60 * MIN),
		  REASM_VERDICT_WAIT);
	CHECK_INT(feed(&m, 1, "+15550001111", 200, false, 2, 1, "second ",
		       T0 + 3 * 60 * MIN + 5),
		  REASM_VERDICT_COMPLETE);
	if (!CHECK_INT(m.nmsgs, 2))
		return;
	CHECK_STR(m.msgs[0].text, "first message");
	CHECK_STR(m.msgs[1].text, "second again");
}

TEST(reasm_single_part_concat_is_complete_at_once)
{
	struct model m;

	model_init(&m);
	CHECK_INT(feed(&m, 1, "+15550001111", 1, false, 1, 1, "solo", T0),
		  REASM_VERDICT_COMPLETE);
	if (CHECK_INT(m.nmsgs, 1))
		CHECK_STR(m.msgs[0].text, "solo");
}

TEST(reasm_text_orders_and_marks)
{
	struct reasm_part a = { .seq = 3, .text = "see you" };
	struct reasm_part b = { .seq = 1, .text = "Hello wor" };
	const struct reasm_part *v[] = { &a, &b };
	char *s = reasm_text(v, 2, 3);
	enum reasm_state st;

	CHECK_STR(s, "Hello wor[missing part 2/3]see you");
	free(s);
	s = reasm_text(v, 2, 0);
	CHECK(s == NULL);
	CHECK_STR(reasm_state_name(REASM_STATE_ORPHAN), "orphan");
	CHECK(reasm_state_parse("assembled", &st) &&
	      st == REASM_STATE_ASSEMBLED);
	CHECK(!reasm_state_parse("done", &st));
	CHECK_STR(reasm_verdict_name(REASM_VERDICT_AMEND), "amend");
}
