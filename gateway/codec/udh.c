/* udh — user data header IEs; see include/udh.h. */
#include "udh.h"

#include <string.h>

static bool udh_ie(struct pdu_reader *r, uint8_t iei, const uint8_t *d,
		   uint8_t len, struct udh_info *info)
{
	static const char field[] = "TP-UDH";

	switch (iei) {
	case UDH_IEI_CONCAT8:
		if (len != 3)
			return pdu_fail(r, field, "IE 00 has length %u, not 3",
					len);
		/* §9.2.3.24.1: zero or out-of-range numbers void the IE. */
		if (d[1] == 0 || d[2] == 0 || d[2] > d[1])
			return true;
		info->concat = (struct sms_concat){ .ref = d[0],
			.total = d[1], .seq = d[2], .ref16 = false };
		return true;
	case UDH_IEI_CONCAT16:
		if (len != 4)
			return pdu_fail(r, field, "IE 08 has length %u, not 4",
					len);
		if (d[2] == 0 || d[3] == 0 || d[3] > d[2])
			return true;
		info->concat = (struct sms_concat){ .ref = d[0] << 8 | d[1],
			.total = d[2], .seq = d[3], .ref16 = true };
		return true;
	case UDH_IEI_SINGLE_SHIFT:
	case UDH_IEI_LOCKING_SHIFT:
		if (len != 1)
			return pdu_fail(r, field,
					"IE %02X has length %u, not 1", iei,
					len);
		if (iei == UDH_IEI_SINGLE_SHIFT)
			info->lang_single = d[0];
		else
			info->lang_locking = d[0];
		return true;
	default:
		return true;
	}
}

bool udh_parse(struct pdu_reader *r, const uint8_t *udh, size_t len,
	       struct udh_info *info)
{
	size_t i = 0;

	memset(info, 0, sizeof(*info));
	while (i < len) {
		uint8_t iei, ielen;

		if (len - i < 2)
			return pdu_fail(r, "TP-UDH",
					"IE header cut short at header "
					"octet %zu", i);
		iei = udh[i];
		ielen = udh[i + 1];
		if (ielen > len - i - 2)
			return pdu_fail(r, "TP-UDH",
					"IE %02X of %u octets runs past the "
					"%zu-octet header", iei, ielen, len);
		if (!udh_ie(r, iei, udh + i + 2, ielen, info))
			return false;
		i += 2 + ielen;
	}
	return true;
}

size_t udh_len(const struct sms_concat *concat, int locking, int single)
{
	size_t n = 0;

	if (concat)
		n += concat->ref16 ? 6 : 5;
	if (locking)
		n += 3;
	if (single)
		n += 3;
	return n ? n + 1 : 0;
}

size_t udh_build(uint8_t *out, const struct sms_concat *concat, int locking,
		 int single)
{
	size_t n = 1;

	if (!udh_len(concat, locking, single))
		return 0;
	if (concat && concat->ref16) {
		out[n++] = UDH_IEI_CONCAT16;
		out[n++] = 4;
		out[n++] = concat->ref >> 8;
		out[n++] = concat->ref & 0xff;
		out[n++] = concat->total;
		out[n++] = concat->seq;
	} else if (concat) {
		out[n++] = UDH_IEI_CONCAT8;
		out[n++] = 3;
		out[n++] = concat->ref & 0xff;
		out[n++] = concat->total;
		out[n++] = concat->seq;
	}
	if (single) {
		out[n++] = UDH_IEI_SINGLE_SHIFT;
		out[n++] = 1;
		out[n++] = single;
	}
	if (locking) {
		out[n++] = UDH_IEI_LOCKING_SHIFT;
		out[n++] = 1;
		out[n++] = locking;
	}
	out[0] = n - 1;
	return n;
}
