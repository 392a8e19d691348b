/*
 * smart — look-alike replacement; see include/smart.h.
 *
 * The list follows what commercial gateways call "smart encoding" (Twilio,
 * Telnyx): typographic punctuation and spacing only. Letters are never
 * changed, because a changed letter can change a word.
 */
#include "smart.h"

struct smart_entry {
	uint32_t cp;
	const char *to;		/* ASCII replacement, "" to drop */
};

/* Sorted by cp for the binary search. */
static const struct smart_entry smart_table[] = {
	{ 0x0009, " " },	/* tab */
	{ 0x0060, "'" },	/* grave accent, not in GSM 7-bit */
	{ 0x00a0, " " },	/* no-break space */
	{ 0x00ab, "\"" },	/* « */
	{ 0x00ad, "" },		/* soft hyphen: invisible */
	{ 0x00b4, "'" },	/* acute accent */
	{ 0x00bb, "\"" },	/* » */
	{ 0x02c6, "^" },
	{ 0x02dc, "~" },
	{ 0x0391, "A" },	/* Greek capitals that look Latin */
	{ 0x0392, "B" },
	{ 0x0395, "E" },
	{ 0x0396, "Z" },
	{ 0x0397, "H" },
	{ 0x0399, "I" },
	{ 0x039a, "K" },
	{ 0x039c, "M" },
	{ 0x039d, "N" },
	{ 0x039f, "O" },
	{ 0x03a1, "P" },
	{ 0x03a4, "T" },
	{ 0x03a5, "Y" },
	{ 0x03a7, "X" },
	{ 0x2000, " " },	/* en quad .. hair space */
	{ 0x2001, " " },
	{ 0x2002, " " },
	{ 0x2003, " " },
	{ 0x2004, " " },
	{ 0x2005, " " },
	{ 0x2006, " " },
	{ 0x2007, " " },
	{ 0x2008, " " },
	{ 0x2009, " " },
	{ 0x200a, " " },
	{ 0x200b, "" },		/* zero-width space */
	{ 0x2010, "-" },	/* hyphen .. horizontal bar */
	{ 0x2011, "-" },
	{ 0x2012, "-" },
	{ 0x2013, "-" },
	{ 0x2014, "-" },
	{ 0x2015, "-" },
	{ 0x2018, "'" },	/* ‘ ’ ‚ ‛ */
	{ 0x2019, "'" },
	{ 0x201a, "'" },
	{ 0x201b, "'" },
	{ 0x201c, "\"" },	/* “ ” „ ‟ */
	{ 0x201d, "\"" },
	{ 0x201e, "\"" },
	{ 0x201f, "\"" },
	{ 0x2022, "-" },	/* bullet */
	{ 0x2026, "..." },	/* ellipsis */
	{ 0x202f, " " },	/* narrow no-break space */
	{ 0x2032, "'" },	/* prime */
	{ 0x2033, "\"" },	/* double prime */
	{ 0x2039, "<" },
	{ 0x203a, ">" },
	{ 0x2044, "/" },	/* fraction slash */
	{ 0x205f, " " },	/* medium mathematical space */
	{ 0x2060, "" },		/* word joiner */
	{ 0x2212, "-" },	/* minus sign */
	{ 0x2215, "/" },	/* division slash */
	{ 0x3000, " " },	/* ideographic space */
	{ 0xfeff, "" },		/* byte order mark */
};

#define SMART_TABLE_LEN (sizeof(smart_table) / sizeof(smart_table[0]))

int smart_map_char(uint32_t cp, uint32_t out[SMART_MAX_EXPANSION])
{
	size_t lo = 0, hi = SMART_TABLE_LEN;

	/* Fullwidth ASCII (U+FF01–U+FF5E) as East Asian keyboards type it. */
	if (cp >= 0xff01 && cp <= 0xff5e) {
		out[0] = cp - 0xff01 + 0x21;
		return 1;
	}
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (smart_table[mid].cp == cp) {
			const char *s = smart_table[mid].to;
			int n = 0;

			while (n < SMART_MAX_EXPANSION && s[n]) {
				out[n] = (unsigned char)s[n];
				n++;
			}
			return n;
		}
		if (smart_table[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

bool smart_map(const uint32_t *in, size_t n, uint32_t *out, size_t *outn)
{
	bool changed = false;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t rep[SMART_MAX_EXPANSION];
		int m = smart_map_char(in[i], rep);

		if (m < 0) {
			out[k++] = in[i];
			continue;
		}
		changed = true;
		for (int j = 0; j < m; j++)
			out[k++] = rep[j];
	}
	*outn = k;
	return changed;
}
