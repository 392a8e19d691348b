/* at_parse_sms — TS 27.005 PDU-mode answers; see include/at_parse_sms.h. */
#include "at_parse_sms.h"

#include "at_parse.h"
#include "at_result.h"
#include "hex.h"

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

static bool at_parse_sms_take_pdu(struct at_sms_pdu *out, const char *pdu)
{
	if (!at_parse_sms_pdu_ok(pdu, out->length))
		return false;
	out->pdu = pdu;
	out->pdu_len = strlen(pdu);
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

bool at_parse_sms_cmgr(const char *const *lines, size_t n,
		       struct at_sms_pdu *out)
{
	for (size_t i = 0; i + 1 < n; i++) {
		struct at_result_iter it;

		if (!lines[i] || strncmp(lines[i], "+CMGR:", 6) != 0)
			continue;
		*out = (struct at_sms_pdu){ .index = -1, .stat = -1 };
		return at_result_iter_prefix(&it, lines[i], "+CMGR:") &&
		       at_parse_sms_header(&it, false, out) &&
		       at_parse_sms_take_pdu(out, lines[i + 1]);
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
