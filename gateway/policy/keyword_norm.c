/* keyword_norm — the normal form of replies; see keyword_norm.h. */
#include "keyword_norm.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

#define KN_DROP 0xffffffffu
#define KN_BAD 0xfffdu

/* Latin Extended-A, U+0100–U+017F: upper and lower case alternate. */
static uint32_t keyword_norm_fold_latin_a(uint32_t c)
{
	if (c == 0x130)
		return 'i';
	if (c == 0x178)
		return 0xff;
	if (c == 0x17f)
		return 's';
	if ((c <= 0x12f || (c >= 0x132 && c <= 0x137) ||
	     (c >= 0x14a && c <= 0x177)) && !(c & 1))
		return c + 1;
	if (((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e)) &&
	    (c & 1))
		return c + 1;
	return c;
}

/* Latin Extended-B, U+0180–U+024F: pairs where they are regular, a table of
 * the African and phonetic letters whose lower case lives elsewhere. */
static uint32_t keyword_norm_fold_latin_b(uint32_t c)
{
	static const uint16_t map[][2] = {
		{ 0x181, 0x253 }, { 0x186, 0x254 }, { 0x189, 0x256 },
		{ 0x18a, 0x257 }, { 0x18e, 0x1dd }, { 0x18f, 0x259 },
		{ 0x190, 0x25b }, { 0x193, 0x260 }, { 0x194, 0x263 },
		{ 0x196, 0x269 }, { 0x197, 0x268 }, { 0x19c, 0x26f },
		{ 0x19d, 0x272 }, { 0x19f, 0x275 }, { 0x1a6, 0x280 },
		{ 0x1a9, 0x283 }, { 0x1ae, 0x288 }, { 0x1b1, 0x28a },
		{ 0x1b2, 0x28b }, { 0x1b7, 0x292 }, { 0x1c4, 0x1c6 },
		{ 0x1c5, 0x1c6 }, { 0x1c7, 0x1c9 }, { 0x1c8, 0x1c9 },
		{ 0x1ca, 0x1cc }, { 0x1cb, 0x1cc }, { 0x1f1, 0x1f3 },
		{ 0x1f2, 0x1f3 }, { 0x1f4, 0x1f5 }, { 0x1f6, 0x195 },
		{ 0x1f7, 0x1bf }, { 0x220, 0x19e }, { 0x23a, 0x2c65 },
		{ 0x23b, 0x23c }, { 0x23d, 0x19a }, { 0x23e, 0x2c66 },
		{ 0x241, 0x242 }, { 0x243, 0x180 }, { 0x244, 0x289 },
		{ 0x245, 0x28c },
		/* single pairs among the irregular letters */
		{ 0x182, 0x183 }, { 0x184, 0x185 }, { 0x187, 0x188 },
		{ 0x18b, 0x18c }, { 0x191, 0x192 }, { 0x198, 0x199 },
		{ 0x1a7, 0x1a8 }, { 0x1ac, 0x1ad }, { 0x1af, 0x1b0 },
		{ 0x1b3, 0x1b4 }, { 0x1b5, 0x1b6 }, { 0x1b8, 0x1b9 },
		{ 0x1bc, 0x1bd },
	};

	if (((c >= 0x1a0 && c <= 0x1a5) || (c >= 0x1de && c <= 0x1ef) ||
	     (c >= 0x1f8 && c <= 0x21f) || (c >= 0x222 && c <= 0x233) ||
	     (c >= 0x246 && c <= 0x24f)) && !(c & 1))
		return c + 1;
	if (c >= 0x1cd && c <= 0x1dc && (c & 1))
		return c + 1;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i][0] == c)
			return map[i][1];
	return c;
}

/* Greek and Coptic, U+0370–U+03FF, CaseFolding.txt C and S lines. */
static uint32_t keyword_norm_fold_greek(uint32_t c)
{
	static const uint16_t map[][2] = {
		{ 0x370, 0x371 }, { 0x372, 0x373 }, { 0x376, 0x377 },
		{ 0x37f, 0x3f3 }, { 0x386, 0x3ac }, { 0x388, 0x3ad },
		{ 0x389, 0x3ae }, { 0x38a, 0x3af }, { 0x38c, 0x3cc },
		{ 0x38e, 0x3cd }, { 0x38f, 0x3ce }, { 0x3c2, 0x3c3 },
		{ 0x3cf, 0x3d7 }, { 0x3d0, 0x3b2 }, { 0x3d1, 0x3b8 },
		{ 0x3d5, 0x3c6 }, { 0x3d6, 0x3c0 }, { 0x3f0, 0x3ba },
		{ 0x3f1, 0x3c1 }, { 0x3f4, 0x3b8 }, { 0x3f5, 0x3b5 },
		{ 0x3f7, 0x3f8 }, { 0x3f9, 0x3f2 }, { 0x3fa, 0x3fb },
		{ 0x3fd, 0x37b }, { 0x3fe, 0x37c }, { 0x3ff, 0x37d },
	};

	if ((c >= 0x391 && c <= 0x3a1) || (c >= 0x3a3 && c <= 0x3ab))
		return c + 32;
	if (c >= 0x3d8 && c <= 0x3ef && !(c & 1))
		return c + 1;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i][0] == c)
			return map[i][1];
	return c;
}

/* Cyrillic and Cyrillic Supplement, U+0400–U+052F. */
static uint32_t keyword_norm_fold_cyrillic(uint32_t c)
{
	if (c <= 0x40f)
		return c + 80;
	if (c <= 0x42f)
		return c + 32;
	if (c == 0x4c0)
		return 0x4cf;
	if (((c >= 0x460 && c <= 0x481) || (c >= 0x48a && c <= 0x4bf) ||
	     (c >= 0x4d0 && c <= 0x52f)) && !(c & 1))
		return c + 1;
	if (c >= 0x4c1 && c <= 0x4ce && (c & 1))
		return c + 1;
	return c;
}

uint32_t keyword_norm_fold(uint32_t c)
{
	if (c < 0x80)
		return c >= 'A' && c <= 'Z' ? c + 32 : c;
	if (c < 0x100) {
		if (c == 0xb5)
			return 0x3bc;	/* micro sign → Greek mu */
		return c >= 0xc0 && c <= 0xde && c != 0xd7 ? c + 32 : c;
	}
	if (c < 0x180)
		return keyword_norm_fold_latin_a(c);
	if (c < 0x250)
		return keyword_norm_fold_latin_b(c);
	if (c == 0x345)
		return 0x3b9;
	if (c >= 0x370 && c <= 0x3ff)
		return keyword_norm_fold_greek(c);
	if (c >= 0x400 && c <= 0x52f)
		return keyword_norm_fold_cyrillic(c);
	if (c >= 0x531 && c <= 0x556)	/* Armenian */
		return c + 0x30;
	/* Latin Extended Additional (Vietnamese, Welsh …): pairs. */
	if (((c >= 0x1e00 && c <= 0x1e95) || (c >= 0x1ea0 && c <= 0x1eff)) &&
	    !(c & 1))
		return c + 1;
	if (c == 0x1e9b)
		return 0x1e61;
	if (c == 0x1e9e)
		return 0xdf;
	return c;
}

struct kn_range {
	uint32_t lo, hi;
};

static bool keyword_norm_in(const struct kn_range *r, size_t n, uint32_t c)
{
	for (size_t i = 0; i < n; i++)
		if (c >= r[i].lo && c <= r[i].hi)
			return true;
	return false;
}

bool keyword_norm_is_decoration(uint32_t c)
{
	static const struct kn_range r[] = {
		{ 0x21, 0x2f }, { 0x3a, 0x40 }, { 0x5b, 0x60 }, { 0x7b, 0x7e },
		/* Latin-1 punctuation and signs, not ª ² ³ µ ¹ º ¼ ½ ¾ */
		{ 0xa1, 0xa9 }, { 0xab, 0xb1 }, { 0xb4, 0xb4 }, { 0xb6, 0xb8 },
		{ 0xbb, 0xbb }, { 0xbf, 0xbf }, { 0xd7, 0xd7 }, { 0xf7, 0xf7 },
		{ 0x37e, 0x37e }, { 0x387, 0x387 },	/* Greek ; and · */
		{ 0x55a, 0x55f }, { 0x589, 0x58a },	/* Armenian */
		{ 0x60c, 0x60d }, { 0x61b, 0x61b }, { 0x61e, 0x61f },
		{ 0x6d4, 0x6d4 }, { 0x964, 0x965 },	/* Arabic, danda */
		{ 0x2010, 0x2027 }, { 0x2030, 0x205e },	/* general punct. */
		{ 0x20a0, 0x20ff },	/* currency, enclosing keycap */
		{ 0x2122, 0x2122 }, { 0x2190, 0x2bff },	/* ™, arrows … */
		{ 0x2e00, 0x2e7f }, { 0x3001, 0x3003 }, { 0x3008, 0x3011 },
		{ 0x3014, 0x301f }, { 0x3030, 0x3030 }, { 0xfe10, 0xfe19 },
		{ 0xfe30, 0xfe6f }, { 0xff61, 0xff65 }, { 0xfffd, 0xfffd },
		{ 0x1f000, 0x1faff },	/* emoji and pictographs */
		{ 0xe0000, 0xe007f },	/* emoji tag characters */
	};

	return keyword_norm_in(r, sizeof(r) / sizeof(r[0]), c);
}

/* Steps 1–3 of the header for one code point: KN_DROP, ' ' or the folded
 * character. */
static uint32_t keyword_norm_map(uint32_t c)
{
	static const struct kn_range spaces[] = {
		{ 0x00, 0x20 }, { 0x7f, 0xa0 }, { 0x1680, 0x1680 },
		{ 0x2000, 0x200a }, { 0x2028, 0x2029 }, { 0x202f, 0x202f },
		{ 0x205f, 0x205f }, { 0x3000, 0x3000 },
	};
	static const struct kn_range dropped[] = {
		{ 0xad, 0xad }, { 0x200b, 0x200d }, { 0x2060, 0x2060 },
		{ 0xfe00, 0xfe0f }, { 0xfeff, 0xfeff },
	};

	if (keyword_norm_in(spaces, sizeof(spaces) / sizeof(spaces[0]), c))
		return ' ';
	if (keyword_norm_in(dropped, sizeof(dropped) / sizeof(dropped[0]), c))
		return KN_DROP;
	if (c >= 0xff01 && c <= 0xff5e)
		c -= 0xfee0;
	else if ((c >= 0x2018 && c <= 0x201b) || c == 0x2032 || c == 0x2bc)
		c = '\'';
	else if ((c >= 0x201c && c <= 0x201f) || c == 0x2033)
		c = '"';
	else if ((c >= 0x2010 && c <= 0x2015) || c == 0x2212)
		c = '-';
	return keyword_norm_fold(c);
}

/* Decodes and maps text into a code point array; returns its length. */
static size_t keyword_norm_decode(const char *text, size_t len, uint32_t *cp)
{
	size_t n = 0, i = 0;

	while (i < len) {
		uint32_t c;

		/* A byte that starts no valid sequence is U+FFFD on its own. */
		if (!utf8_next(text, len, &i, &c)) {
			c = KN_BAD;
			i++;
		}
		c = keyword_norm_map(c);
		if (c != KN_DROP)
			cp[n++] = c;
	}
	return n;
}

static bool keyword_norm_trim_char(uint32_t c)
{
	return c == ' ' || keyword_norm_is_decoration(c);
}

static bool keyword_norm_wordch(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (unsigned char)c >= 0x80;
}

/* Step 6: "opt out" → "optout", "opt-in" → "optin", in place. */
static void keyword_norm_join_opt(char *s)
{
	char *p = s;

	while ((p = strstr(p, "opt")) != NULL) {
		char sep = p[3];
		size_t tail = 0;

		if (p > s && keyword_norm_wordch(p[-1])) {
			p += 3;
			continue;
		}
		if ((sep == ' ' || sep == '-' || sep == '_') &&
		    strncmp(p + 4, "out", 3) == 0)
			tail = 3;
		else if ((sep == ' ' || sep == '-' || sep == '_') &&
			 strncmp(p + 4, "in", 2) == 0)
			tail = 2;
		if (!tail || keyword_norm_wordch(p[4 + tail])) {
			p += 3;
			continue;
		}
		memmove(p + 3, p + 4, strlen(p + 4) + 1);
		p += 3 + tail;
	}
}

char *keyword_norm(const char *text, size_t len)
{
	uint32_t *cp = malloc((len + 1) * sizeof(*cp));
	size_t n, a = 0, b, off = 0;
	char *out;

	if (!cp)
		return NULL;
	n = keyword_norm_decode(text, len, cp);
	b = n;
	while (a < b && keyword_norm_trim_char(cp[a]))
		a++;
	while (b > a && keyword_norm_trim_char(cp[b - 1]))
		b--;
	out = malloc((b - a) * 4 + 1);
	if (!out) {
		free(cp);
		return NULL;
	}
	for (size_t i = a; i < b; i++) {
		if (cp[i] == ' ' && cp[i - 1] == ' ')
			continue;
		off += utf8_encode(cp[i], out + off);
	}
	out[off] = '\0';
	free(cp);
	keyword_norm_join_opt(out);
	return out;
}

static bool keyword_norm_separator(uint32_t c)
{
	return c == ' ' || (c < 0x80 && strchr(",;:!?./()[]{}\"*&+|", (int)c));
}

bool keyword_norm_words(const char *norm, struct keyword_words *out)
{
	size_t len = strlen(norm), n, off = 0;
	uint32_t *cp = malloc((len + 1) * sizeof(*cp));

	memset(out, 0, sizeof(*out));
	out->buf = malloc(len * 4 + KEYWORD_NORM_MAX_WORDS + 1);
	if (!cp || !out->buf) {
		free(cp);
		free(out->buf);
		out->buf = NULL;
		return false;
	}
	n = keyword_norm_decode(norm, len, cp);
	for (size_t i = 0; i < n;) {
		size_t a = i, b;

		while (i < n && !keyword_norm_separator(cp[i]))
			i++;
		b = i++;
		while (a < b && keyword_norm_is_decoration(cp[a]))
			a++;
		while (b > a && keyword_norm_is_decoration(cp[b - 1]))
			b--;
		if (a == b)
			continue;
		if (out->n < KEYWORD_NORM_MAX_WORDS) {
			out->w[out->n++] = out->buf + off;
			for (size_t k = a; k < b; k++)
				off += utf8_encode(cp[k], out->buf + off);
			out->buf[off++] = '\0';
		}
		out->total++;
	}
	free(cp);
	return true;
}

void keyword_norm_words_free(struct keyword_words *w)
{
	free(w->buf);
	w->buf = NULL;
	w->n = w->total = 0;
}
