/* reasm — multipart reassembly decisions; see include/reasm.h. */
#include "reasm.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const reasm_state_names[] = {
	[REASM_STATE_WAITING] = "waiting",
	[REASM_STATE_ASSEMBLED] = "assembled",
	[REASM_STATE_ORPHAN] = "orphan",
};

const char *reasm_state_name(enum reasm_state s)
{
	if ((size_t)s >= NELEM(reasm_state_names))
		return "?";
	return reasm_state_names[s];
}

bool reasm_state_parse(const char *s, enum reasm_state *out)
{
	for (size_t i = 0; i < NELEM(reasm_state_names); i++) {
		if (strcmp(s, reasm_state_names[i]) == 0) {
			*out = (enum reasm_state)i;
			return true;
		}
	}
	return false;
}

const char *reasm_verdict_name(enum reasm_verdict v)
{
	static const char *const names[] = {
		[REASM_VERDICT_WAIT] = "wait",
		[REASM_VERDICT_COMPLETE] = "complete",
		[REASM_VERDICT_AMEND] = "amend",
		[REASM_VERDICT_DUPLICATE] = "duplicate",
		[REASM_VERDICT_ORPHAN] = "orphan",
		[REASM_VERDICT_PARTIAL] = "partial",
	};

	if ((size_t)v >= NELEM(names))
		return "?";
	return names[v];
}

void reasm_opts_init(struct reasm_opts *o)
{
	o->timeout_ms = REASM_TIMEOUT_DEFAULT_MS;
	o->amend_ms = REASM_AMEND_DEFAULT_MS;
}

int32_t reasm_key_ref(uint16_t ref, bool ref16)
{
	return ref16 ? 0x10000 | (int32_t)ref : (int32_t)(ref & 0xff);
}

void reasm_result_free(struct reasm_result *r)
{
	free(r->text);
	r->text = NULL;
}

static size_t reasm_missing_len(int seq, int total)
{
	return (size_t)snprintf(NULL, 0, REASM_MISSING_FMT, seq, total);
}

char *reasm_text(const struct reasm_part *const *parts, size_t n, int total)
{
	const struct reasm_part *slot[REASM_MAX_PARTS + 1] = { 0 };
	size_t len = 0, off = 0;
	char *s;

	if (total < 1 || total > REASM_MAX_PARTS)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int q = parts[i]->seq;

		if (q >= 1 && q <= total && !slot[q])
			slot[q] = parts[i];
	}
	for (int q = 1; q <= total; q++)
		len += slot[q] ? strlen(slot[q]->text)
			       : reasm_missing_len(q, total);
	s = malloc(len + 1);
	if (!s)
		return NULL;
	for (int q = 1; q <= total; q++) {
		if (slot[q]) {
			size_t l = strlen(slot[q]->text);

			memcpy(s + off, slot[q]->text, l);
			off += l;
		} else {
			off += (size_t)snprintf(s + off, len + 1 - off,
						REASM_MISSING_FMT, q, total);
		}
	}
	s[off] = '\0';
	return s;
}

/* Fills text, counts and the missing list for the message made of parts. */
static bool reasm_fill(struct reasm_result *out,
		       const struct reasm_part *const *parts, size_t n,
		       int total)
{
	bool have[REASM_MAX_PARTS + 1] = { false };

	out->total = total;
	out->present = 0;
	out->nmissing = 0;
	for (size_t i = 0; i < n; i++) {
		int q = parts[i]->seq;

		if (q >= 1 && q <= total && !have[q]) {
			have[q] = true;
			out->present++;
		}
	}
	for (int q = 1; q <= total; q++)
		if (!have[q])
			out->missing[out->nmissing++] = (uint8_t)q;
	out->partial = out->nmissing > 0;
	out->text = reasm_text(parts, n, total);
	return out->text != NULL;
}

static bool reasm_is_waiting(const struct reasm_part *p, int total)
{
	return p->state == REASM_STATE_WAITING && p->total == total;
}

/* Earliest arrival in the open group, or INT64_MAX when there is none. */
static int64_t reasm_open_since(const struct reasm_part *existing, size_t n,
				int total)
{
	int64_t first = INT64_MAX;

	for (size_t i = 0; i < n; i++)
		if (reasm_is_waiting(&existing[i], total) &&
		    existing[i].received_at < first)
			first = existing[i].received_at;
	return first;
}

static bool reasm_is_duplicate(const struct reasm_part *existing, size_t n,
			       const struct reasm_part *np, int64_t window)
{
	for (size_t i = 0; i < n; i++) {
		const struct reasm_part *p = &existing[i];

		if (p->seq == np->seq && p->total == np->total &&
		    np->received_at - p->received_at <= window &&
		    strcmp(p->text, np->text) == 0)
			return true;
	}
	return false;
}

static bool reasm_orphan(struct reasm_result *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static bool reasm_orphan(struct reasm_result *out, const char *fmt, ...)
{
	va_list ap;

	out->verdict = REASM_VERDICT_ORPHAN;
	out->new_state = REASM_STATE_ORPHAN;
	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
	return true;
}

/* Step 3 of the header: np joins the open group of the key. */
static bool reasm_join_open(const struct reasm_part *existing, size_t n,
			    const struct reasm_part *np,
			    const struct reasm_opts *opts,
			    struct reasm_result *out)
{
	const struct reasm_part *group[REASM_MAX_PARTS + 1];
	size_t k = 0;

	for (size_t i = 0; i < n && k < REASM_MAX_PARTS; i++) {
		const struct reasm_part *p = &existing[i];

		if (!reasm_is_waiting(p, np->total))
			continue;
		if (p->seq == np->seq)
			return reasm_orphan(out,
				"part %d/%d conflicts with the stored part",
				np->seq, np->total);
		group[k++] = p;
	}
	group[k++] = np;
	if ((int)k < np->total) {
		out->verdict = REASM_VERDICT_WAIT;
		out->new_state = REASM_STATE_WAITING;
		out->total = np->total;
		out->present = (int)k;
		out->due = reasm_open_since(existing, n, np->total);
		if (np->received_at < out->due)
			out->due = np->received_at;
		out->due += opts->timeout_ms;
		return true;
	}
	/* Stored waiting, so that the glue's one "waiting → assembled with
	 * the new inbox id" update covers this part too. */
	out->verdict = REASM_VERDICT_COMPLETE;
	out->new_state = REASM_STATE_WAITING;
	return reasm_fill(out, group, k, np->total);
}

/*
 * Step 4: the newest released message of the key that lacks np's number and
 * is young enough to amend. Returns its id, or 0.
 */
static int64_t reasm_find_amendable(const struct reasm_part *existing,
				    size_t n, const struct reasm_part *np,
				    int64_t window)
{
	int64_t best = 0, best_first = INT64_MIN;

	for (size_t i = 0; i < n; i++) {
		int64_t id = existing[i].message_id, first = INT64_MAX;
		bool has_seq = false;

		if (existing[i].state != REASM_STATE_ASSEMBLED || !id ||
		    existing[i].total != np->total || id == best)
			continue;
		for (size_t j = 0; j < n; j++) {
			const struct reasm_part *p = &existing[j];

			if (p->state != REASM_STATE_ASSEMBLED ||
			    p->message_id != id)
				continue;
			if (p->received_at < first)
				first = p->received_at;
			if (p->seq == np->seq)
				has_seq = true;
		}
		if (has_seq || np->received_at - first > window ||
		    first <= best_first)
			continue;
		best = id;
		best_first = first;
	}
	return best;
}

static bool reasm_amend(const struct reasm_part *existing, size_t n,
			const struct reasm_part *np, int64_t id,
			struct reasm_result *out)
{
	const struct reasm_part *group[REASM_MAX_PARTS + 1];
	size_t k = 0;

	for (size_t i = 0; i < n && k < REASM_MAX_PARTS; i++)
		if (existing[i].state == REASM_STATE_ASSEMBLED &&
		    existing[i].message_id == id)
			group[k++] = &existing[i];
	group[k++] = np;
	out->verdict = REASM_VERDICT_AMEND;
	out->new_state = REASM_STATE_ASSEMBLED;
	out->message_id = id;
	return reasm_fill(out, group, k, np->total);
}

bool reasm_add(const struct reasm_part *existing, size_t n,
	       const struct reasm_part *np, const struct reasm_opts *opts,
	       struct reasm_result *out)
{
	int64_t id;
	bool ok;

	memset(out, 0, sizeof(*out));
	if (reasm_is_duplicate(existing, n, np, opts->amend_ms)) {
		out->verdict = REASM_VERDICT_DUPLICATE;
		return true;
	}
	if (np->total < 1 || np->total > REASM_MAX_PARTS)
		return reasm_orphan(out, "total %d is not 1 to 255 (seq %d)",
				    np->total, np->seq);
	if (np->seq < 1 || np->seq > np->total)
		return reasm_orphan(out, "sequence number %d is not 1 to %d",
				    np->seq, np->total);
	if (reasm_open_since(existing, n, np->total) != INT64_MAX)
		ok = reasm_join_open(existing, n, np, opts, out);
	else if ((id = reasm_find_amendable(existing, n, np, opts->amend_ms)))
		ok = reasm_amend(existing, n, np, id, out);
	else
		ok = reasm_join_open(NULL, 0, np, opts, out);
	if (!ok)
		memset(out, 0, sizeof(*out));
	return ok;
}

bool reasm_expired(const struct reasm_part *existing, size_t n, int64_t now,
		   const struct reasm_opts *opts, struct reasm_result *out)
{
	const struct reasm_part *group[REASM_MAX_PARTS];
	int64_t first = INT64_MAX;
	int total = 0;
	size_t k = 0;

	memset(out, 0, sizeof(*out));
	out->verdict = REASM_VERDICT_WAIT;
	out->new_state = REASM_STATE_WAITING;
	/* Every waiting part of a key shares its total; take the first's. */
	for (size_t i = 0; i < n; i++) {
		if (existing[i].state != REASM_STATE_WAITING)
			continue;
		if (!total)
			total = existing[i].total;
		if (existing[i].total != total || k == REASM_MAX_PARTS)
			continue;
		group[k++] = &existing[i];
		if (existing[i].received_at < first)
			first = existing[i].received_at;
	}
	if (!k || total < 1 || total > REASM_MAX_PARTS)
		return true;
	if (now - first < opts->timeout_ms) {
		out->due = first + opts->timeout_ms;
		out->total = total;
		out->present = (int)k;
		return true;
	}
	out->verdict = REASM_VERDICT_PARTIAL;
	out->new_state = REASM_STATE_ASSEMBLED;
	if (!reasm_fill(out, group, k, total)) {
		memset(out, 0, sizeof(*out));
		return false;
	}
	return true;
}
