/* cli_query — rows as tables or JSON; see include/cli_query.h. */
#include "cli_query.h"
#include "cli.h"
#include "json.h"
#include "store.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TABLE_SAMPLE 500	/* rows that set the column widths */

static void cli_query_csv_field(const char *v, size_t len, FILE *out);

static bool cli_query_in_utc;

void cli_query_utc(bool utc)
{
	cli_query_in_utc = utc;
}

/* "YYYY-MM-DDTHH:MM:SS[.fff]Z" exactly: what the views' iso() makes. */
static bool cli_query_is_iso(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:dd";
	size_t i;

	for (i = 0; pat[i]; i++) {
		if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i])
			return false;
	}
	if (s[i] == '.')
		for (i++; s[i] >= '0' && s[i] <= '9'; i++)
			;
	return s[i] == 'Z' && s[i + 1] == '\0';
}

const char *cli_query_time(const char *iso, char *buf, size_t size)
{
	int64_t ms;
	time_t t;
	struct tm tm;

	if (!cli_query_is_iso(iso) || !store_parse_time(iso, &ms))
		return iso;
	t = (time_t)(ms / 1000);
	if (cli_query_in_utc) {
		gmtime_r(&t, &tm);
		strftime(buf, size, "%Y-%m-%d %H:%M:%SZ", &tm);
	} else {
		localtime_r(&t, &tm);
		strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
	}
	return buf;
}

/* 2431 as "2,431". */
static void cli_query_thousands(long n, char *buf, size_t size)
{
	char digits[32];
	size_t len, k = 0;

	len = (size_t)snprintf(digits, sizeof(digits), "%ld", n);
	for (size_t i = 0; i < len && k + 2 < size; i++) {
		if (i && (len - i) % 3 == 0 && digits[i - 1] != '-')
			buf[k++] = ',';
		buf[k++] = digits[i];
	}
	buf[k] = '\0';
}

static void cli_query_json_value(const struct store_rows *r, int c, FILE *out)
{
	switch (store_rows_type(r, c)) {
	case STORE_TYPE_NULL:
		fputs("null", out);
		break;
	case STORE_TYPE_INT:
		fprintf(out, "%lld", (long long)store_rows_int(r, c));
		break;
	case STORE_TYPE_REAL:
		fprintf(out, "%g", store_rows_real(r, c));
		break;
	default:
		json_strn(out, store_rows_text(r, c), store_rows_bytes(r, c));
	}
}

static void cli_query_json_row(const struct store_rows *r, FILE *out)
{
	bool first = true;

	fputc('{', out);
	for (int c = 0; c < store_rows_ncols(r); c++) {
		json_key(out, &first, store_rows_name(r, c));
		cli_query_json_value(r, c, out);
	}
	fputc('}', out);
}

static long cli_query_row_json(struct cli *cli, struct store_rows *r,
			       FILE *out)
{
	long n = 0;
	int rc;

	if (!r)
		return -1;
	rc = store_rows_next(r);
	if (rc == 1) {
		cli_query_json_row(r, out);
		n = 1;
	} else if (rc < 0) {
		cli_error("database: %s", cli_db_errmsg(cli));
		n = -1;
	}
	store_rows_close(r);
	return n;
}

long cli_print_row(struct cli *cli, enum store_query q,
		   const struct store_bind *binds, size_t nbinds, FILE *out)
{
	return cli_query_row_json(cli, cli_rows(cli, q, binds, nbinds), out);
}

/* Display width in characters of UTF-8 text (one column a code point). */
static size_t cli_query_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* The cell as one printable line, cut at max characters. */
static char *cli_query_cell(const struct store_rows *r, int c, size_t max)
{
	const char *t = store_rows_text(r, c);
	size_t n = 0, chars = 0, len;
	char *out, when[32];

	if (!t)
		return strdup("-");
	t = cli_query_time(t, when, sizeof(when));
	len = strlen(t);
	out = malloc(len + 4);
	if (!out)
		return NULL;
	for (const char *p = t; *p; p++) {
		unsigned char ch = (unsigned char)*p;

		if ((ch & 0xc0) != 0x80 && max && chars++ == max - 1 &&
		    cli_query_width(p) > 1) {
			memcpy(out + n, "\xe2\x80\xa6", 3); /* … */
			n += 3;
			break;
		}
		out[n++] = ch < 0x20 ? ' ' : (char)ch;
	}
	out[n] = '\0';
	return out;
}

struct table {
	int ncols;
	size_t *widths;
	char **sample;		/* TABLE_SAMPLE rows × ncols */
	size_t nsample;
};

static void cli_query_print_cells(char **cells, const struct table *t,
				  FILE *out)
{
	for (int c = 0; c < t->ncols; c++) {
		const char *v = cells[c] ? cells[c] : "";
		size_t w = cli_query_width(v);
		size_t pad = w < t->widths[c] ? t->widths[c] - w : 0;

		fputs(v, out);
		if (c + 1 < t->ncols)
			fprintf(out, "%*s  ", (int)pad, "");
	}
	fputc('\n', out);
}

static long cli_query_print_table(struct store_rows *s, size_t max, FILE *out)
{
	struct table t = { .ncols = store_rows_ncols(s) };
	char *head[t.ncols ? t.ncols : 1], *row[t.ncols ? t.ncols : 1];
	long n = 0;
	int rc;

	t.widths = calloc((size_t)t.ncols, sizeof(*t.widths));
	t.sample = calloc((size_t)t.ncols * TABLE_SAMPLE, sizeof(char *));
	if (!t.widths || !t.sample)
		goto done;
	for (int c = 0; c < t.ncols; c++) {
		head[c] = (char *)store_rows_name(s, c);
		t.widths[c] = cli_query_width(head[c]);
	}
	while ((rc = store_rows_next(s)) == 1 && t.nsample < TABLE_SAMPLE) {
		char **r = t.sample + t.nsample++ * (size_t)t.ncols;

		for (int c = 0; c < t.ncols; c++) {
			r[c] = cli_query_cell(s, c, max);
			if (r[c] && cli_query_width(r[c]) > t.widths[c])
				t.widths[c] = cli_query_width(r[c]);
		}
	}
	cli_query_print_cells(head, &t, out);
	for (size_t i = 0; i < t.nsample; i++, n++)
		cli_query_print_cells(t.sample + i * (size_t)t.ncols, &t, out);
	/* Rows past the sample keep the sample's widths. */
	for (; rc == 1; rc = store_rows_next(s), n++) {
		for (int c = 0; c < t.ncols; c++)
			row[c] = cli_query_cell(s, c, max);
		cli_query_print_cells(row, &t, out);
		for (int c = 0; c < t.ncols; c++)
			free(row[c]);
	}
	if (rc < 0)
		n = -1;
done:
	for (size_t i = 0; t.sample && i < t.nsample * (size_t)t.ncols; i++)
		free(t.sample[i]);
	free(t.sample);
	free(t.widths);
	return n;
}

void cli_csv_field(const char *v, FILE *out)
{
	if (v)
		cli_query_csv_field(v, strlen(v), out);
}

static void cli_query_csv_field(const char *v, size_t len, FILE *out)
{
	if (!v)
		return;
	if (!memchr(v, ',', len) && !memchr(v, '"', len) &&
	    !memchr(v, '\n', len) && !memchr(v, '\r', len)) {
		fwrite(v, 1, len, out);
		return;
	}
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		if (v[i] == '"')
			fputc('"', out);
		fputc(v[i], out);
	}
	fputc('"', out);
}

static long cli_query_print_csv(struct store_rows *s, FILE *out)
{
	int ncols = store_rows_ncols(s), rc;
	long n = 0;

	for (int c = 0; c < ncols; c++) {
		const char *h = store_rows_name(s, c);

		if (c)
			fputc(',', out);
		cli_query_csv_field(h, strlen(h), out);
	}
	fputs("\r\n", out);
	while ((rc = store_rows_next(s)) == 1) {
		for (int c = 0; c < ncols; c++) {
			if (c)
				fputc(',', out);
			cli_query_csv_field(store_rows_text(s, c),
					    store_rows_bytes(s, c), out);
		}
		fputs("\r\n", out);
		n++;
	}
	return rc == 0 ? n : -1;
}

void cli_query_note_limit(struct cli *cli, enum store_query count,
			  const struct store_bind *binds, size_t nbinds,
			  long shown, long limit, FILE *out)
{
	char a[32], b[32];
	int64_t total;
	bool found;

	if (limit <= 0 || shown < limit)
		return;
	if (cli_query_int(cli, count, binds, nbinds, &total, &found) < 0)
		return;
	if (total <= shown)
		return;
	cli_query_thousands(shown, a, sizeof(a));
	cli_query_thousands((long)total, b, sizeof(b));
	fprintf(out, "\n%s of %s rows; --limit N or --all\n", a, b);
}

static long cli_query_print(struct cli *cli, struct store_rows *s,
			    enum cli_format fmt, size_t max_cell, FILE *out)
{
	long n = 0;
	int rc;

	if (!s)
		return -1;
	if (fmt == CLI_FORMAT_TABLE) {
		n = cli_query_print_table(s, max_cell, out);
	} else if (fmt == CLI_FORMAT_CSV) {
		n = cli_query_print_csv(s, out);
	} else {
		fputc('[', out);
		while ((rc = store_rows_next(s)) == 1) {
			if (n++)
				fputc(',', out);
			fputs("\n  ", out);
			cli_query_json_row(s, out);
		}
		fputs(n ? "\n]\n" : "]\n", out);
		if (rc < 0)
			n = -1;
	}
	if (n < 0)
		cli_error("database: %s", cli_db_errmsg(cli));
	store_rows_close(s);
	return n;
}

long cli_print_rows(struct cli *cli, struct store_rows *r,
		    enum cli_format fmt, size_t max_cell, FILE *out)
{
	return cli_query_print(cli, r, fmt, max_cell, out);
}

long cli_print(struct cli *cli, enum store_query q,
	       const struct store_bind *binds, size_t nbinds,
	       enum cli_format fmt, size_t max_cell, FILE *out)
{
	return cli_query_print(cli, cli_rows(cli, q, binds, nbinds), fmt,
			       max_cell, out);
}
