/* at_capture — capture and trace text format; see include/at_capture.h. */
#include "at_capture.h"
#include "hex.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A capture bigger than this is not a capture. */
#define AT_CAPTURE_MAX_FILE (64u << 20)

struct at_capture_parser {
	struct at_capture *cap;
	size_t chunk_cap, byte_cap;
	char *err;
	size_t errlen;
	unsigned lineno;
};

static int at_capture_fail(struct at_capture_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int at_capture_fail(struct at_capture_parser *p, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (p->err && p->errlen) {
		n = snprintf(p->err, p->errlen, "line %u: ", p->lineno);
		if (n < 0 || (size_t)n >= p->errlen)
			n = 0;
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Decodes the escaped bytes s[0..n) onto the end of cap->bytes. */
static int at_capture_unescape(struct at_capture_parser *p, const char *s,
			       size_t n, size_t *out_len)
{
	struct at_capture *cap = p->cap;
	size_t start = cap->nbytes;

	/* Escapes only shrink, so n more bytes are enough. */
	if (cap->nbytes + n > p->byte_cap) {
		size_t want = (cap->nbytes + n) * 2 + 64;
		uint8_t *b = realloc(cap->bytes, want);

		if (!b)
			return -ENOMEM;
		cap->bytes = b;
		p->byte_cap = want;
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)s[i];
		int hi, lo;

		if (c != '\\') {
			cap->bytes[cap->nbytes++] = c;
			continue;
		}
		if (++i == n)
			return at_capture_fail(p, "backslash at end of line");
		switch (s[i]) {
		case 'r': c = '\r'; break;
		case 'n': c = '\n'; break;
		case 't': c = '\t'; break;
		case '\\': c = '\\'; break;
		case '"': c = '"'; break;
		case 'x':
			if (i + 2 >= n)
				return at_capture_fail(p, "short \\x escape");
			hi = hex_digit(s[i + 1]);
			lo = hex_digit(s[i + 2]);
			if (hi < 0 || lo < 0)
				return at_capture_fail(p, "bad \\x escape");
			c = (uint8_t)(hi << 4 | lo);
			i += 2;
			break;
		default:
			return at_capture_fail(p, "unknown escape \\%c", s[i]);
		}
		cap->bytes[cap->nbytes++] = c;
	}
	*out_len = cap->nbytes - start;
	return 0;
}

/* Copies the next space-separated word of a trace prefix into buf. */
static bool at_capture_word(const char **s, const char *end, char *buf,
			    size_t size)
{
	const char *w = *s;
	size_t n;

	while (*s < end && **s != ' ')
		(*s)++;
	n = (size_t)(*s - w);
	if (!n || n >= size || *s == end)
		return false;
	memcpy(buf, w, n);
	buf[n] = '\0';
	(*s)++;
	return true;
}

static int at_capture_line(struct at_capture_parser *p, const char *s,
			   const char *end)
{
	struct at_capture *cap = p->cap;
	struct at_capture_chunk c = { .line = p->lineno };
	size_t len = 0;
	int rc;

	if (s == end || *s == '#')
		return 0;
	/* A trace line starts with its time stamp: a digit. */
	if (*s >= '0' && *s <= '9' &&
	    (!at_capture_word(&s, end, c.time, sizeof(c.time)) ||
	     !at_capture_word(&s, end, c.port, sizeof(c.port))))
		return at_capture_fail(p, "bad trace prefix");
	if (s == end || (*s != '>' && *s != '<'))
		return at_capture_fail(p, "expected '> ' or '< '");
	c.dir = (enum at_capture_dir)*s++;
	if (s < end && *s != ' ')
		return at_capture_fail(p, "expected a space after '%c'", c.dir);
	if (s < end)
		s++;
	if (cap->nchunks == p->chunk_cap) {
		size_t want = p->chunk_cap ? p->chunk_cap * 2 : 64;
		struct at_capture_chunk *n =
			realloc(cap->chunks, want * sizeof(*n));

		if (!n)
			return -ENOMEM;
		cap->chunks = n;
		p->chunk_cap = want;
	}
	rc = at_capture_unescape(p, s, (size_t)(end - s), &len);
	if (rc < 0)
		return rc;
	c.len = len;
	/* data is set once bytes stops moving. */
	c.off = cap->nbytes - len;
	cap->chunks[cap->nchunks++] = c;
	return 0;
}

int at_capture_parse(const char *text, size_t len, struct at_capture *out,
		     char *err, size_t errlen)
{
	struct at_capture_parser p = { .cap = out, .err = err,
				       .errlen = errlen };
	const char *s = text, *end = text + len;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end;
		int rc;

		p.lineno++;
		/* Tolerate CRLF files: a literal CR is never chunk data. */
		rc = at_capture_line(&p, s, eol > s && eol[-1] == '\r' ?
						    eol - 1 : eol);
		if (rc < 0) {
			at_capture_free(out);
			return rc;
		}
		s = nl ? nl + 1 : end;
	}
	if (!out->bytes) {
		out->bytes = malloc(1);
		if (!out->bytes) {
			at_capture_free(out);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < out->nchunks; i++)
		out->chunks[i].data = out->bytes + out->chunks[i].off;
	return 0;
}

int at_capture_load(const char *path, struct at_capture *out, char *err,
		    size_t errlen)
{
	struct stat st;
	char *text;
	ssize_t n;
	size_t got = 0;
	int fd, rc;

	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > AT_CAPTURE_MAX_FILE) {
		close(fd);
		return -EINVAL;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size &&
	       (n = read(fd, text + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	rc = at_capture_parse(text, got, out, err, errlen);
	free(text);
	return rc;
}

void at_capture_free(struct at_capture *cap)
{
	free(cap->chunks);
	free(cap->bytes);
	memset(cap, 0, sizeof(*cap));
}

uint8_t *at_capture_join(const struct at_capture *cap,
			 enum at_capture_dir dir, size_t *len)
{
	size_t total = 0, off = 0;
	uint8_t *buf;

	for (size_t i = 0; i < cap->nchunks; i++)
		if (cap->chunks[i].dir == dir)
			total += cap->chunks[i].len;
	buf = malloc(total ? total : 1);
	if (!buf)
		return NULL;
	for (size_t i = 0; i < cap->nchunks; i++) {
		if (cap->chunks[i].dir != dir)
			continue;
		memcpy(buf + off, cap->chunks[i].data, cap->chunks[i].len);
		off += cap->chunks[i].len;
	}
	*len = total;
	return buf;
}

size_t at_capture_escape(const void *data, size_t len, char *out,
			 size_t size)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *p = data;
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		char esc[5];
		size_t k = 0;

		switch (p[i]) {
		case '\r': esc[k++] = '\\'; esc[k++] = 'r'; break;
		case '\n': esc[k++] = '\\'; esc[k++] = 'n'; break;
		case '\t': esc[k++] = '\\'; esc[k++] = 't'; break;
		case '\\': esc[k++] = '\\'; esc[k++] = '\\'; break;
		case '"': esc[k++] = '\\'; esc[k++] = '"'; break;
		default:
			if (p[i] >= 0x20 && p[i] < 0x7f) {
				esc[k++] = (char)p[i];
				break;
			}
			esc[k++] = '\\';
			esc[k++] = 'x';
			esc[k++] = hex[p[i] >> 4];
			esc[k++] = hex[p[i] & 15];
			break;
		}
		for (size_t j = 0; j < k; j++, n++)
			if (n + 1 < size)
				out[n] = esc[j];
	}
	if (size)
		out[n < size ? n : size - 1] = '\0';
	return n;
}
