/*
 * keyword_norm — the normal form in which inbound texts and configured
 * keywords are compared (doc/contract.md §9). Pure.
 *
 * keyword_norm() turns UTF-8 text into its normal form:
 *  1. invalid UTF-8 becomes U+FFFD; C0/C1 controls, NBSP and the other
 *     Unicode spaces (U+1680, U+2000–U+200A, U+2028, U+2029, U+202F,
 *     U+205F, U+3000) become a space; zero-width characters (U+200B–U+200D,
 *     U+2060, U+FEFF, soft hyphen, variation selectors) are dropped;
 *  2. full-width forms U+FF01–U+FF5E become ASCII; typographic quotes
 *     (‘ ’ ‚ ‛ ′ ʼ → ', “ ” „ ‟ ″ → ") and dashes (U+2010–U+2015, U+2212 → -)
 *     become ASCII, so patterns need not list them;
 *  3. simple case folding (Unicode CaseFolding.txt, statuses C and S) for
 *     ASCII, Latin-1, Latin Extended-A and -B, Latin Extended Additional,
 *     Greek, Cyrillic and Armenian, plus U+0130
 *     (İ → i, the Turkic mapping, so "İPTAL" matches "iptal") and U+1E9E
 *     (ẞ → ß). ß is not expanded to "ss" (that is full folding);
 *  4. surrounding spaces, punctuation and symbols are stripped: ASCII
 *     punctuation, Latin-1 punctuation (¡ ¿ « » …), general punctuation
 *     (… “ ” ‹ › • ‰ …), CJK punctuation (。、「」), Arabic and Devanagari
 *     sentence marks, arrows, dingbats and emoji (so "STOP!!! 😡" is
 *     "stop"); letters and digits of any script stay;
 *  5. runs of spaces inside become one space;
 *  6. "opt out", "opt-out" and "opt_out" become "optout", and likewise
 *     "opt in" becomes "optin", as whole words.
 *
 * Accents are kept (é is not e) and decomposed sequences are not composed:
 * phones send precomposed letters.
 */
#ifndef SMSGW_KEYWORD_NORM_H
#define SMSGW_KEYWORD_NORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Returns the normal form of text (len bytes) as a malloc'd string, or
 * NULL when memory runs out. */
char *keyword_norm(const char *text, size_t len);

/* The simple case folding of one code point (step 3 above). */
uint32_t keyword_norm_fold(uint32_t c);

/* True for the punctuation and symbols that step 4 strips. */
bool keyword_norm_is_decoration(uint32_t c);

#define KEYWORD_NORM_MAX_WORDS 16

/*
 * The words of a normalised text: split at spaces and at , ; : ! ? . / ( )
 * [ ] { } " * & + |, each word stripped of surrounding punctuation and
 * symbols like the whole text. Apostrophes, hyphens and underscores inside
 * a word stay ("don't", "non-stop"). At most KEYWORD_NORM_MAX_WORDS are
 * kept; total counts them all.
 */
struct keyword_words {
	size_t n;		/* words in w */
	size_t total;		/* words in the text */
	const char *w[KEYWORD_NORM_MAX_WORDS];	/* point into buf */
	char *buf;		/* malloc'd */
};

/* Returns false when memory runs out. Free with keyword_norm_words_free(). */
bool keyword_norm_words(const char *norm, struct keyword_words *out);
void keyword_norm_words_free(struct keyword_words *w);

#endif
