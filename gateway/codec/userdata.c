/* userdata — TP-UDL and TP-UD; see include/userdata.h. */
#include "userdata.h"

#include <string.h>

#include "gsm7.h"
#include "ucs2.h"
#include "udh.h"

/* Septets the header and its fill bits take (§9.2.3.24). */
static size_t userdata_udh_septets(size_t udh_len)
{
	return (udh_len * 8 + 6) / 7;
}

static bool userdata_header(struct pdu_reader *r, const uint8_t *ud,
			    size_t octets, struct sms_user_data *out)
{
	struct udh_info info;
	size_t udhl;

	if (octets == 0)
		return pdu_fail(r, "TP-UDHI", "set but TP-UD is empty");
	udhl = ud[0];
	if (udhl + 1 > octets)
		return pdu_fail(r, "TP-UDH",
				"length %zu does not fit in %zu octets of "
				"TP-UD", udhl, octets);
	if (!udh_parse(r, ud + 1, udhl, &info))
		return false;
	memcpy(out->udh, ud + 1, udhl);
	out->udh_len = udhl;
	out->concat = info.concat;
	out->lang_locking = info.lang_locking;
	out->lang_single = info.lang_single;
	return true;
}

static bool userdata_gsm7(struct pdu_reader *r, const uint8_t *ud,
			  size_t octets, size_t udl, size_t hdr,
			  struct sms_user_data *out)
{
	size_t skip = hdr ? userdata_udh_septets(hdr) : 0;

	if (skip > udl)
		return pdu_fail(r, "TP-UDL",
				"%zu septets leave no room for a %zu-octet "
				"header", udl, hdr);
	out->data_len = udl - skip;
	if (!gsm7_unpack(ud, octets, skip, out->data_len, out->data))
		return pdu_fail(r, "TP-UD", "septets run past the end");
	if (!gsm7_to_utf8(out->data, out->data_len, out->lang_locking,
			  out->lang_single, out->text, sizeof(out->text)))
		return pdu_fail(r, "TP-UD", "text too long");
	return true;
}

bool userdata_read(struct pdu_reader *r, bool udhi, struct sms_user_data *ud)
{
	bool septets = ud->encoding == SMS_ENCODING_GSM7;
	const uint8_t *p = NULL;
	uint8_t udl;
	size_t octets, hdr = 0;

	ud->udh_len = 0;
	ud->data_len = 0;
	ud->text[0] = '\0';
	memset(&ud->concat, 0, sizeof(ud->concat));
	if (!pdu_read_u8(r, "TP-UDL", &udl))
		return false;
	if (septets && udl > SMS_UD_SEPTETS_MAX)
		return pdu_fail(r, "TP-UDL", "%u septets is over 160", udl);
	if (!septets && udl > SMS_UD_MAX)
		return pdu_fail(r, "TP-UDL", "%u octets is over 140", udl);
	octets = septets ? gsm7_packed_len(udl) : udl;
	if (!pdu_read(r, "TP-UD", octets, &p))
		return false;
	if (udhi) {
		if (!userdata_header(r, p, octets, ud))
			return false;
		hdr = ud->udh_len + 1;
	}
	if (septets)
		return userdata_gsm7(r, p, octets, udl, hdr, ud);
	ud->data_len = octets - hdr;
	memcpy(ud->data, p + hdr, ud->data_len);
	if (ud->encoding == SMS_ENCODING_UCS2) {
		if (!ucs2_to_utf8(ud->data, ud->data_len, ud->text,
				  sizeof(ud->text)))
			return pdu_fail(r, "TP-UD", "text too long");
	} else {
		pdu_hex_encode(ud->data, ud->data_len, ud->text);
		for (char *c = ud->text; *c; c++)
			if (*c >= 'A' && *c <= 'F')
				*c += 'a' - 'A';
	}
	return true;
}

size_t userdata_write(const uint32_t *items, size_t n, enum sms_encoding e,
		      int locking, int single, const uint8_t *udh,
		      size_t udh_len, uint8_t *out)
{
	uint8_t *ud = out + 1;
	size_t len = udh_len;

	/* Fill bits and the packing's spare bits are zero (§9.2.3.24). */
	memset(ud, 0, SMS_UD_MAX);
	memcpy(ud, udh, udh_len);
	if (e == SMS_ENCODING_GSM7) {
		uint8_t septets[SMS_UD_SEPTETS_MAX + 1];
		size_t k = 0, start = userdata_udh_septets(udh_len);

		for (size_t i = 0; i < n && k < SMS_UD_SEPTETS_MAX; i++)
			k += gsm7_encode_char(items[i], locking, single,
					      septets + k);
		gsm7_pack(septets, k, start, ud);
		out[0] = start + k;
		return 1 + gsm7_packed_len(start + k);
	}
	for (size_t i = 0; i < n; i++) {
		if (e == SMS_ENCODING_UCS2)
			len += ucs2_put(items[i], ud + len);
		else
			ud[len++] = items[i];
	}
	out[0] = len;
	return 1 + len;
}
