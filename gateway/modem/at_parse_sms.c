/* at_parse_sms — TS 27.005 PDU-mode answers; see include/at_parse_sms.h. */
#include "at_parse_sms.h"

#include "at_parse.h"
#include "at_result.h"
#include "hex.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

bool at_parse_sms_cpms(const char *line, struct at_cpms *out)
{
	struct at_result_iter it;
	bool named;
	int i;

	memset(out, 0, sizeof(*out));
	if (!at_result_iter_prefix(&it, line, "+CPMS:"))
		return false;
	named = at_result_rest(&it)[0] == '"';
	for (i = 0; i < 3 && !at_result_at_end(&it); i++) {
		if (named && !at_result_next_string(&it, out->mem[i],
						    sizeof(out->mem[i])))
			return false;
		if (!at_result_next_number(&it, &out->used[i]) ||
		    !at_result_next_number(&it, &out->total[i]) ||
		    out->used[i] < 0 || out->total[i] < 0 ||
		    out->used[i] > out->total[i])
			return false;
	}
	out->n = i;
	return i >= 2 && at_result_at_end(&it);
}

bool at_parse_sms_pdu_ok(const char *hex, int length)
{
	size_t n = 0;
	int smsc;

	if (!hex || length < 1 || length > AT_PARSE_SMS_TPDU_MAX)
		return false;
	for (; hex[n]; n++)
		if (hex_digit(hex[n]) < 0)
			return false;
	if (n < 2 || n % 2)
		return false;
	smsc = hex_digit(hex[0]) << 4 | hex_digit(hex[1]);
	if (smsc > AT_PARSE_SMS_SMSC_MAX)
		return false;
	return n / 2 == (size_t)(1 + smsc + length);
}

/* "[<index>,]<stat>,[<alpha>],<length>" after the prefix. */
static bool at_parse_sms_header(struct at_result_iter *it, bool has_index,
				struct at_sms_pdu *out)
{
	char alpha[64];

	if (has_index && !at_result_next_number(it, &out->index))
		return false;
	if (!at_result_next_number(it, &out->stat) ||
	    (!at_result_next_string(it, alpha, sizeof(alpha)) &&
	     !at_result_skip(it)) ||
	    !at_result_next_number(it, &out->length) ||
	    !at_result_at_end(it))
		return false;
	return out->stat >= 0 && out->stat <= 3 &&
	       (!has_index || out->index >= 0);
}

/* The PDU of a header with out->length: the leading hex digits of pdu
 * (any case), at least 1 + smsc + length octets of them, cut there. */
static bool at_parse_sms_take_pdu(struct at_sms_pdu *out, const char *pdu)
{
	size_t n = 0, need;
	int smsc;

	if (!pdu || out->length < 1 || out->length > AT_PARSE_SMS_TPDU_MAX)
		return false;
	while (pdu[n] && hex_digit(pdu[n]) >= 0)
		n++;
	if (n < 2 || (pdu[n] && pdu[n] != ','))
		return false;
	smsc = hex_digit(pdu[0]) << 4 | hex_digit(pdu[1]);
	if (smsc > AT_PARSE_SMS_SMSC_MAX)
		return false;
	need = 2 * (1 + (size_t)smsc + (size_t)out->length);
	if (n < need)
		return false;
	for (size_t i = 0; i < need; i++)
		out->hex[i] = (char)toupper((unsigned char)pdu[i]);
	out->hex[need] = 0;
	out->pdu = out->hex;
	out->pdu_len = need;
	return true;
}

enum at_parse_sms_result at_parse_sms_cmgl(const char *const *lines,
					   size_t n, size_t *pos,
					   struct at_sms_pdu *out)
{
	while (*pos < n) {
		const char *h = lines[(*pos)++];
		const char *pdu = NULL;
		struct at_result_iter it;
		bool ok;

		if (!h || strncmp(h, "+CMGL:", 6) != 0)
			continue;
		*out = (struct at_sms_pdu){ .index = -1, .stat = -1 };
		ok = at_result_iter_prefix(&it, h, "+CMGL:") &&
		     at_parse_sms_header(&it, true, out);
		if (*pos < n && lines[*pos] &&
		    strncmp(lines[*pos], "+CMGL:", 6) != 0)
			pdu = lines[(*pos)++];
		if (!ok || !at_parse_sms_take_pdu(out, pdu))
			return AT_PARSE_SMS_BAD;
		return AT_PARSE_SMS_ENTRY;
	}
	return AT_PARSE_SMS_END;
}

#define AT_PARSE_SMS_FIELDS 6

/* Splits s at commas outside quotes into at most max trimmed fields,
 * written into buf (size bytes); returns how many, or -1. */
static int at_parse_sms_fields(const char *s, char *buf, size_t size,
			       char **f, int max)
{
	size_t len = strlen(s);
	bool quoted = false;
	int n = 0;
	char *p;

	if (len >= size)
		return -1;
	memcpy(buf, s, len + 1);
	f[n++] = buf;
	for (p = buf; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ',' && !quoted) {
			if (n == max)
				return -1;
			*p = 0;
			f[n++] = p + 1;
		}
	}
	for (int i = 0; i < n; i++) {
		char *e;

		f[i] += strspn(f[i], " ");
		e = f[i] + strlen(f[i]);
		while (e > f[i] && e[-1] == ' ')
			*--e = 0;
	}
	return n;
}

static bool at_parse_sms_number(const char *s, int *out)
{
	char *end;
	long v;

	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 6)
		return false;
	v = strtol(s, &end, 10);
	*out = (int)v;
	return true;
}

/* "+CMGR:" and what follows, leniently (at_parse_sms.h); *inline_pdu: a
 * PDU printed after the length, or NULL. */
static bool at_parse_sms_cmgr_header(const char *line, char *buf,
				     size_t size, struct at_sms_pdu *out,
				     const char **inline_pdu)
{
	char *f[AT_PARSE_SMS_FIELDS], *sp;
	int n = at_parse_sms_fields(line + 6, buf, size, f,
				    AT_PARSE_SMS_FIELDS);

	*inline_pdu = NULL;
	if (n < 1)
		return false;
	/* "<length> <pdu>" or "<length>,<pdu>" at the end. */
	sp = strchr(f[n - 1], ' ');
	if (sp) {
		*sp = 0;
		*inline_pdu = sp + 1 + strspn(sp + 1, " ");
	} else if (n >= 2 && strlen(f[n - 1]) > 6 &&
		   at_parse_sms_number(f[n - 2], &out->length)) {
		*inline_pdu = f[--n];
	}
	if (!at_parse_sms_number(f[n - 1], &out->length))
		return false;
	if (n == 1 || !*f[0])
		return true;
	return at_parse_sms_number(f[0], &out->stat) && out->stat <= 3;
}

bool at_parse_sms_cmgr(const char *const *lines, size_t n,
		       struct at_sms_pdu *out)
{
	char buf[AT_PARSE_SMS_HEX_MAX + 256];

	for (size_t i = 0; i < n; i++) {
		const char *pdu;

		if (!lines[i] || strncmp(lines[i], "+CMGR:", 6) != 0)
			continue;
		*out = (struct at_sms_pdu){ .index = -1, .stat = -1 };
		if (!at_parse_sms_cmgr_header(lines[i], buf, sizeof(buf), out,
					      &pdu))
			return false;
		if (!pdu && i + 1 < n)
			pdu = lines[i + 1];
		return at_parse_sms_take_pdu(out, pdu);
	}
	return false;
}

bool at_parse_sms_cmt(const char *line, const char *pdu,
		      struct at_sms_pdu *out)
{
	struct at_result_iter it;
	char alpha[64];

	*out = (struct at_sms_pdu){ .index = -1, .stat = -1 };
	return at_result_iter_prefix(&it, line, "+CMT:") &&
	       (at_result_next_string(&it, alpha, sizeof(alpha)) ||
		at_result_skip(&it)) &&
	       at_result_next_number(&it, &out->length) &&
	       at_result_at_end(&it) && at_parse_sms_take_pdu(out, pdu);
}

bool at_parse_sms_cds(const char *line, const char *pdu,
		      struct at_sms_pdu *out)
{
	struct at_result_iter it;

	*out = (struct at_sms_pdu){ .index = -1, .stat = -1 };
	return at_result_iter_prefix(&it, line, "+CDS:") &&
	       at_result_next_number(&it, &out->length) &&
	       at_result_at_end(&it) && at_parse_sms_take_pdu(out, pdu);
}

static bool at_parse_sms_index(const char *line, const char *prefix,
			       struct at_sms_index *out)
{
	struct at_result_iter it;

	return at_result_iter_prefix(&it, line, prefix) &&
	       at_result_next_string(&it, out->mem, sizeof(out->mem)) &&
	       at_result_next_number(&it, &out->index) &&
	       at_result_at_end(&it) && out->index >= 0;
}

bool at_parse_sms_cmti(const char *line, struct at_sms_index *out)
{
	return at_parse_sms_index(line, "+CMTI:", out);
}

bool at_parse_sms_cdsi(const char *line, struct at_sms_index *out)
{
	return at_parse_sms_index(line, "+CDSI:", out);
}

bool at_parse_sms_cmgs(const char *line, int *mr)
{
	struct at_result_iter it;

	/* An <ackpdu> or <scts> may follow (phase 2+); not needed. */
	return at_result_iter_prefix(&it, line, "+CMGS:") &&
	       at_result_next_number(&it, mr) && *mr >= 0 && *mr <= 255;
}

bool at_parse_sms_cms_error(const char *line, int *code)
{
	struct at_result_iter it;

	return at_result_iter_prefix(&it, line, "+CMS ERROR:") &&
	       at_result_next_number(&it, code) && at_result_at_end(&it) &&
	       *code >= 0;
}

bool at_parse_sms_csca(const char *line, struct at_csca *out)
{
	struct at_result_iter it;

	*out = (struct at_csca){ .type = -1 };
	if (!at_result_iter_prefix(&it, line, "+CSCA:") ||
	    !at_result_next_string(&it, out->number, sizeof(out->number)))
		return false;
	if (!at_result_at_end(&it) &&
	    !at_result_next_number_default(&it, -1, &out->type))
		return false;
	at_parse_ucs2_number(out->number, strlen(out->number));
	return at_result_at_end(&it);
}

/* One group of a test command's answer at *pp: "(a,b-c,...)" or a bare
 * item; each item goes to item(). Advances past the group and its comma. */
static bool at_parse_sms_group(const char **pp,
			       bool (*item)(const char *s, size_t len,
					    void *ud), void *ud)
{
	const char *p = *pp + strspn(*pp, " ");
	bool paren = *p == '(';

	if (paren)
		p++;
	for (;;) {
		const char *start = p + strspn(p, " ");
		size_t len;

		p = start;
		if (*p == '"') {
			const char *q = strchr(p + 1, '"');

			if (!q)
				return false;
			p = q + 1;
		} else {
			p += strcspn(p, paren ? ",)" : ",");
		}
		len = (size_t)(p - start);
		while (len && start[len - 1] == ' ')
			len--;
		if (len && !item(start, len, ud))
			return false;
		p += strspn(p, " ");
		if (paren && *p == ',') {
			p++;
			continue;
		}
		if (paren && *p != ')')
			return false;
		if (paren)
			p++;
		break;
	}
	p += strspn(p, " ");
	if (*p == ',')
		p++;
	else if (*p)
		return false;
	*pp = p;
	return true;
}

static bool at_parse_sms_range_item(const char *s, size_t len, void *ud)
{
	unsigned *mask = ud;
	char buf[16];
	char *dash, *end;
	long a, b;

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = 0;
	a = strtol(buf, &end, 10);
	if (end == buf)
		return false;
	b = a;
	dash = strchr(buf, '-');
	if (dash) {
		b = strtol(dash + 1, &end, 10);
		if (end == dash + 1)
			return false;
	}
	if (*end || a < 0 || b < a || b > 15)
		return false;
	for (long v = a; v <= b; v++)
		*mask |= 1u << v;
	return true;
}

bool at_parse_sms_cnmi_ranges(const char *line, struct at_cnmi_ranges *out)
{
	const char *p;

	memset(out, 0, sizeof(*out));
	if (strncmp(line, "+CNMI:", 6) != 0)
		return false;
	p = line + 6;
	while (*p && out->n < 5)
		if (!at_parse_sms_group(&p, at_parse_sms_range_item,
					&out->mask[out->n++]))
			return false;
	for (int i = out->n; i < 5; i++)
		out->mask[i] = 1;
	return out->n > 0;
}

struct at_parse_sms_mems {
	struct at_cpms_ranges *r;
	int group;
};

static bool at_parse_sms_mem_item(const char *s, size_t len, void *ud)
{
	struct at_parse_sms_mems *m = ud;
	int *n = &m->r->nmem[m->group];

	if (*s == '"') {
		s++;
		len = len >= 2 ? len - 2 : 0;
	}
	if (!len || len > 3 || *n == AT_CPMS_MEMS)
		return len && len <= 3;
	memcpy(m->r->mem[m->group][*n], s, len);
	m->r->mem[m->group][(*n)++][len] = 0;
	return true;
}

bool at_parse_sms_cpms_ranges(const char *line, struct at_cpms_ranges *out)
{
	struct at_parse_sms_mems m = { .r = out };
	const char *p;

	memset(out, 0, sizeof(*out));
	if (strncmp(line, "+CPMS:", 6) != 0 || !strchr(line, '('))
		return false;
	p = line + 6;
	while (*p && m.group < 3) {
		if (!at_parse_sms_group(&p, at_parse_sms_mem_item, &m))
			return false;
		m.group++;
	}
	out->n = m.group;
	return out->n > 0 && out->nmem[0] > 0;
}
