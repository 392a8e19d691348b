/*
 * spool_parse_rcpt — recipients: To: lines, the CSV section, and what pass
 * 2 hands out; see spool_parse_priv.h.
 *
 * Pass 1 cannot check placeholders line by line: To: lines come before the
 * body that names them. So it notes, for every field any recipient has,
 * the first recipient line without it (or with it empty); the end of pass
 * 1 looks those up for the body's placeholders.
 */
#include "spool_parse_priv.h"

#include "spool_text.h"
#include "template.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static struct spool_field_track *
spool_parse_rcpt_tracked(struct spool_parser *p, const char *name, size_t len)
{
	for (size_t i = 0; i < p->nfields; i++)
		if (strlen(p->fields[i].name) == len &&
		    memcmp(p->fields[i].name, name, len) == 0)
			return &p->fields[i];
	return NULL;
}

static bool spool_parse_rcpt_track(struct spool_parser *p,
				   const struct spool_field *f,
		  size_t nf)
{
	struct spool_field_track *t;
	size_t j;

	for (size_t i = 0; i < p->nfields; i++) {
		t = &p->fields[i];
		for (j = 0; j < nf; j++)
			if (f[j].name_len == strlen(t->name) &&
			    memcmp(f[j].name, t->name, f[j].name_len) == 0)
				break;
		if (j < nf && f[j].value_len) {
			if (f[j].value_len > t->max_len)
				t->max_len = f[j].value_len;
		} else if (!t->first_missing) {
			t->first_missing = p->line;
		}
	}
	for (j = 0; j < nf; j++) {
		if (spool_parse_rcpt_tracked(p, f[j].name, f[j].name_len))
			continue;
		if (p->nfields == SPOOL_MAX_FIELDS)
			return spool_parse_fail(p, SPOOL_ERROR_LIMIT, NULL,
						"more than %d different fields",
						SPOOL_MAX_FIELDS);
		t = &p->fields[p->nfields++];
		memcpy(t->name, f[j].name, f[j].name_len);
		t->name[f[j].name_len] = '\0';
		t->max_len = f[j].value_len;
		/* Every earlier recipient lacked it. */
		t->first_missing = p->msg.recipients ? p->first_rcpt_line : 0;
		if (!f[j].value_len && !t->first_missing)
			t->first_missing = p->line;
	}
	return true;
}

struct lookup {
	const char *number;
	const struct spool_field *f;
	size_t nf;
};

static const char *spool_parse_rcpt_lookup(const char *name, size_t len,
					   void *ud)
{
	const struct lookup *l = ud;

	if (len == 6 && memcmp(name, "number", 6) == 0)
		return l->number;
	for (size_t i = 0; i < l->nf; i++)
		if (l->f[i].name_len == len &&
		    memcmp(l->f[i].name, name, len) == 0)
			return l->f[i].value_len ? l->f[i].value : NULL;
	return NULL;
}

static bool spool_parse_rcpt_emit(struct spool_parser *p, const char *num,
		 enum number_kind kind, struct spool_field *f, size_t nf)
{
	struct spool_recipient r = {
		.number = num,
		.kind = kind,
		.body = p->msg.body,
		.body_len = p->msg.body_len,
		.line = p->line,
		.index = p->emitted,
	};
	struct lookup l = { num, f, nf };
	char *rendered = NULL, why[128];
	bool ok;
	int rc;

	if (p->msg.personalised) {
		/* Each value ends before its separator or closing quote,
		 * which the fields no longer need. */
		for (size_t i = 0; i < nf; i++)
			((char *)f[i].value)[f[i].value_len] = '\0';
		rc = template_expand(p->msg.body, spool_parse_rcpt_lookup, &l,
				     &rendered, why, sizeof(why));
		if (rc == -ENOMEM)
			return spool_parse_fail(p, SPOOL_ERROR_NOMEM, NULL,
						"out of memory");
		if (rc < 0)
			return spool_parse_fail(p, SPOOL_ERROR_CHANGED, NULL,
						"the file changed while it was "
						"read: %s", why);
		r.body = rendered;
		r.body_len = strlen(rendered);
	}
	p->emitted++;
	ok = !p->fn || p->fn(&r, p->ud);
	free(rendered);
	if (!ok)
		return spool_parse_fail(p, SPOOL_ERROR_ABORTED, NULL,
					"stopped at recipient %zu",
					r.index + 1);
	return true;
}

/* Pass 1: whether raw recipient nraw was a duplicate, for pass 2. */
static void spool_parse_rcpt_note(struct spool_parser *p, bool dup)
{
	size_t byte = (p->nraw - 1) / 8;

	if (!p->dups_ok)
		return;
	if (byte >= p->dups_size) {
		size_t size = p->dups_size ? p->dups_size * 2 : 64;
		unsigned char *d = realloc(p->dups, size);

		if (!d) {
			p->dups_ok = false;	/* pass 2 uses the set */
			return;
		}
		memset(d + p->dups_size, 0, size - p->dups_size);
		p->dups = d;
		p->dups_size = size;
	}
	if (dup)
		p->dups[byte] |= (unsigned char)(1u << (p->nraw - 1) % 8);
}

/* One recipient, from a To: line (header "To") or a CSV row (NULL). */
static bool spool_parse_rcpt_add(struct spool_parser *p, const char *s,
				 size_t len,
		struct spool_field *f, size_t nf, const char *header)
{
	char num[NUMBER_MAX], why[160], quoted[64];
	enum number_kind kind;
	int rc;

	if (++p->nraw > p->rules.max_recipients)
		return spool_parse_fail(p, SPOOL_ERROR_LIMIT, header,
					"more than %zu recipients",
					p->rules.max_recipients);
	if (!number_normalise(s, len, &p->rules.numbers, num, &kind, why,
			      sizeof(why))) {
		spool_text_quote(s, len, quoted, sizeof(quoted));
		return spool_parse_fail(p, SPOOL_ERROR_RECIPIENT, header,
					"'%s': %s", quoted, why);
	}
	for (size_t i = 0; i < nf; i++)
		if (f[i].name_len == 6 && memcmp(f[i].name, "number", 6) == 0)
			return spool_parse_fail(p, SPOOL_ERROR_RECIPIENT,
						header, "'number' is the "
						"recipient's own number: name "
						"the field otherwise");
	if (p->pass == 2 && p->dups_ok) {
		if ((p->nraw - 1) / 8 >= p->dups_size)
			return spool_parse_fail(p, SPOOL_ERROR_CHANGED, NULL,
						"the file changed while it "
						"was read");
		rc = !(p->dups[(p->nraw - 1) / 8] & 1u << (p->nraw - 1) % 8);
	} else
		rc = number_set_add(&p->set, num, kind);
	if (rc < 0)
		return spool_parse_fail(p, SPOOL_ERROR_NOMEM, NULL,
					"out of memory");
	if (p->pass == 1)
		spool_parse_rcpt_note(p, rc == 0);
	if (rc == 0) {
		/* The first of the same number wins, fields and all. */
		if (p->pass == 1)
			p->msg.duplicates++;
		return true;
	}
	if (p->pass == 2)
		return spool_parse_rcpt_emit(p, num, kind, f, nf);
	if (!p->first_rcpt_line)
		p->first_rcpt_line = p->line;
	if (!spool_parse_rcpt_track(p, f, nf))
		return false;
	p->msg.recipients++;
	return true;
}

bool spool_parse_rcpt_to(struct spool_parser *p, char *v, size_t n)
{
	struct spool_field f[SPOOL_MAX_FIELDS];
	char *semi, *item, *end = v + n, why[160];
	int nf;

	if (!n)
		return spool_parse_fail(p, SPOOL_ERROR_RECIPIENT, "To",
					"no number");
	/* "number; name=value; …": one recipient with fields. */
	semi = memchr(v, ';', n);
	if (semi) {
		nf = spool_fields_parse(semi + 1, (size_t)(end - semi - 1), f,
					SPOOL_MAX_FIELDS, why, sizeof(why));
		if (nf < 0)
			return spool_parse_fail(p, SPOOL_ERROR_RECIPIENT, "To",
						"%s", why);
		return spool_parse_rcpt_add(p, v, (size_t)(semi - v), f,
					    (size_t)nf, "To");
	}
	/* "number, number, …" */
	for (item = v; item <= end;) {
		char *comma = memchr(item, ',', (size_t)(end - item));
		char *stop = comma ? comma : end;
		char *a = item, *b = stop;

		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (a == b)
			return spool_parse_fail(p, SPOOL_ERROR_RECIPIENT, "To",
						"an empty number in the list");
		if (!spool_parse_rcpt_add(p, a, (size_t)(b - a), NULL, 0, "To"))
			return false;
		item = stop + 1;
	}
	return true;
}

static bool spool_parse_rcpt_is_number_column(const struct spool_field *c)
{
	return (c->value_len == 6 && strncasecmp(c->value, "number", 6) == 0) ||
	       (c->value_len == 2 && strncasecmp(c->value, "to", 2) == 0);
}

static bool spool_parse_rcpt_csv_head(struct spool_parser *p, char *s, size_t n)
{
	struct spool_field c[SPOOL_MAX_FIELDS + 1];
	char why[160], q[64];
	bool have_number = false;
	int nc;

	p->csv_sep = spool_fields_csv_separator(s, n);
	nc = spool_fields_csv(s, n, p->csv_sep, c, SPOOL_MAX_FIELDS + 1, why,
			      sizeof(why));
	if (nc < 0)
		return spool_parse_fail(p, SPOOL_ERROR_CSV, NULL,
					"header row: %s", why);
	for (int i = 0; i < nc; i++) {
		if (spool_parse_rcpt_is_number_column(&c[i])) {
			if (have_number)
				return spool_parse_fail(p, SPOOL_ERROR_CSV,
							NULL, "two number "
							"columns");
			have_number = true;
			p->csv_number_col = (size_t)i;
			p->csv_names[i][0] = '\0';
			continue;
		}
		if (!spool_fields_name_ok(c[i].value, c[i].value_len)) {
			spool_text_quote(c[i].value, c[i].value_len, q,
					 sizeof(q));
			return spool_parse_fail(p, SPOOL_ERROR_CSV, NULL,
						"column %d: '%s' is not a "
						"field name (letters, digits, "
						"_ - .)", i + 1, q);
		}
		for (int k = 0; k < i; k++)
			if (strlen(p->csv_names[k]) == c[i].value_len &&
			    memcmp(p->csv_names[k], c[i].value,
				   c[i].value_len) == 0)
				return spool_parse_fail(p, SPOOL_ERROR_CSV,
							NULL,
							"column '%s' twice",
							p->csv_names[k]);
		memcpy(p->csv_names[i], c[i].value, c[i].value_len);
		p->csv_names[i][c[i].value_len] = '\0';
	}
	if (!have_number)
		return spool_parse_fail(p, SPOOL_ERROR_CSV, NULL,
					"the header row has no 'number' "
					"column");
	p->csv_cols = (size_t)nc;
	p->state = SPOOL_STATE_CSV_ROWS;
	return true;
}

bool spool_parse_rcpt_csv(struct spool_parser *p, char *s, size_t n)
{
	struct spool_field c[SPOOL_MAX_FIELDS + 1], f[SPOOL_MAX_FIELDS];
	char why[160];
	size_t k = 0, i;
	int nc;

	for (i = 0; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	if (i == n)
		return true;	/* blank lines between rows */
	if (!spool_parse_check_line(p, s, n))
		return false;
	if (p->state == SPOOL_STATE_CSV_HEAD)
		return spool_parse_rcpt_csv_head(p, s, n);
	nc = spool_fields_csv(s, n, p->csv_sep, c, SPOOL_MAX_FIELDS + 1, why,
			      sizeof(why));
	if (nc < 0)
		return spool_parse_fail(p, SPOOL_ERROR_CSV, NULL, "%s", why);
	if ((size_t)nc != p->csv_cols)
		return spool_parse_fail(p, SPOOL_ERROR_CSV, NULL,
					"%d cells where the header row has "
					"%zu", nc, p->csv_cols);
	for (i = 0; i < (size_t)nc; i++) {
		if (i == p->csv_number_col)
			continue;
		f[k].name = p->csv_names[i];
		f[k].name_len = strlen(p->csv_names[i]);
		f[k].value = c[i].value;
		f[k].value_len = c[i].value_len;
		k++;
	}
	return spool_parse_rcpt_add(p, c[p->csv_number_col].value,
				    c[p->csv_number_col].value_len, f, k, NULL);
}
