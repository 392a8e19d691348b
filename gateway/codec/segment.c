/* segment — alphabet choice and splitting; see include/segment.h. */
#include "segment.h"

#include "gsm7.h"
#include "smart.h"
#include "ucs2.h"
#include "udh.h"

int segment_cost(uint32_t item, enum sms_encoding e, int locking, int single)
{
	uint8_t tmp[2];

	switch (e) {
	case SMS_ENCODING_GSM7:
		return gsm7_encode_char(item, locking, single, tmp);
	case SMS_ENCODING_UCS2:
		return ucs2_units(item);
	default:
		return 1;
	}
}

int segment_capacity(enum sms_encoding e, size_t udh_len)
{
	switch (e) {
	case SMS_ENCODING_GSM7:
		/* Septets after the header and its fill bits. */
		return (SMS_UD_MAX * 8 - udh_len * 8) / 7;
	case SMS_ENCODING_UCS2:
		return (SMS_UD_MAX - udh_len) / 2;
	default:
		return SMS_UD_MAX - udh_len;
	}
}

enum segment_result segment_split(const uint32_t *items, size_t n,
				  struct segment_plan *p)
{
	struct sms_concat concat = { .ref16 = p->concat16 };
	int cap1, capn, used = 0, parts = 0;
	long total = 0;

	for (size_t i = 0; i < n; i++) {
		int c = segment_cost(items[i], p->encoding, p->locking,
				     p->single);

		if (!c)
			return SEGMENT_UNENCODABLE;
		total += c;
	}
	cap1 = segment_capacity(p->encoding,
				udh_len(NULL, p->locking, p->single));
	capn = segment_capacity(p->encoding,
				udh_len(&concat, p->locking, p->single));
	if (total > (long)capn * SEGMENT_MAX_PARTS)
		return SEGMENT_TOO_LONG;
	p->units = total;
	p->bounds[0] = 0;
	if (total <= cap1) {
		p->nparts = 1;
		p->bounds[1] = n;
		p->capacity = cap1;
		p->last_units = total;
		return SEGMENT_OK;
	}
	for (size_t i = 0; i < n; i++) {
		int c = segment_cost(items[i], p->encoding, p->locking,
				     p->single);

		if (used + c > capn) {
			if (++parts >= SEGMENT_MAX_PARTS)
				return SEGMENT_TOO_LONG;
			p->bounds[parts] = i;
			used = 0;
		}
		used += c;
	}
	p->nparts = parts + 1;
	p->bounds[p->nparts] = n;
	p->capacity = capn;
	p->last_units = used;
	return SEGMENT_OK;
}

/* Tries one pair of GSM 7-bit tables; keeps it when it beats *best. */
static void segment_try(const uint32_t *items, size_t n, int locking,
			int single, bool concat16, struct segment_plan *best,
			enum segment_result *res)
{
	struct segment_plan p = { .encoding = SMS_ENCODING_GSM7,
		.locking = locking, .single = single, .concat16 = concat16 };
	enum segment_result r = segment_split(items, n, &p);

	if (r == SEGMENT_TOO_LONG && *res == SEGMENT_UNENCODABLE)
		*res = r;
	if (r != SEGMENT_OK)
		return;
	/*
	 * Fewest parts; then no locking shift, because a phone without the
	 * table misreads every character of a locking-shift text but only
	 * the escaped ones of a single-shift text (TS 23.038 §6.2.1.2.3);
	 * then fewest septets, i.e. the most room left.
	 */
	if (*res != SEGMENT_OK || p.nparts < best->nparts ||
	    (p.nparts == best->nparts && !p.locking && best->locking) ||
	    (p.nparts == best->nparts && !p.locking == !best->locking &&
	     p.units < best->units)) {
		*best = p;
		*res = SEGMENT_OK;
	}
}

static enum segment_result segment_gsm7(const uint32_t *items, size_t n,
					enum sms_language language,
					bool concat16,
					struct segment_plan *best)
{
	static const int langs[] = { GSM7_LANG_TURKISH, GSM7_LANG_SPANISH,
				     GSM7_LANG_PORTUGUESE };
	enum segment_result res = SEGMENT_UNENCODABLE;

	/* The default alphabet every phone reads wins whenever it fits. */
	segment_try(items, n, 0, 0, concat16, best, &res);
	if (res == SEGMENT_OK || language == SMS_LANGUAGE_NONE)
		return res;
	for (size_t i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
		int l = langs[i];

		if (language != SMS_LANGUAGE_AUTO && (int)language != l)
			continue;
		if (gsm7_has_single(l))
			segment_try(items, n, 0, l, concat16, best, &res);
		if (gsm7_has_locking(l))
			segment_try(items, n, l, 0, concat16, best, &res);
		if (gsm7_has_locking(l) && gsm7_has_single(l))
			segment_try(items, n, l, l, concat16, best, &res);
	}
	return res;
}

enum segment_result segment_choose(const uint32_t *cps, size_t n,
				   uint32_t *scratch, bool force_ucs2,
				   bool smart, enum sms_language language,
				   bool concat16, struct segment_choice *out)
{
	enum segment_result r;
	size_t m;

	out->items = cps;
	out->n = n;
	out->smart_applied = false;
	if (!force_ucs2) {
		r = segment_gsm7(cps, n, language, concat16, &out->plan);
		if (r != SEGMENT_UNENCODABLE)
			return r;
		if (smart && smart_map(cps, n, scratch, &m)) {
			r = segment_gsm7(scratch, m, language, concat16,
					 &out->plan);
			if (r != SEGMENT_UNENCODABLE) {
				out->items = scratch;
				out->n = m;
				out->smart_applied = true;
				return r;
			}
		}
	}
	out->plan = (struct segment_plan){ .encoding = SMS_ENCODING_UCS2,
					   .concat16 = concat16 };
	return segment_split(cps, n, &out->plan);
}
