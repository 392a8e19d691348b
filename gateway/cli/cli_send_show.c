/*
 * cli_send_show — what `smsgw send --dry-run` and `--check` print: the
 * message as the daemon will read it, and the codec's encoding and parts.
 * See include/cli_send.h.
 */
#include "cli_send.h"

#include "config.h"
#include "json.h"
#include "spool_text.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void cli_send_show_preview(struct cli_send_show *s, const char *body,
				  size_t len, unsigned line)
{
	struct sms_preview pv;
	char err[sizeof(s->preview_err)];

	if (s->preview_err[0])
		return;
	if (!sms_preview(body, len, &s->opts, &pv, err, sizeof(err))) {
		snprintf(s->preview_err, sizeof(s->preview_err), "%s", err);
		s->err_line = line;
		return;
	}
	if (!s->have_preview || pv.parts > s->preview.parts) {
		s->preview = pv;
		s->worst_line = line;
	}
	s->have_preview = true;
}

void cli_send_show_begin(struct cli_send_show *s, const struct config *cfg,
			 bool json, const struct spool_message *m)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->json = json;
	s->personalised = m->personalised;
	sms_encode_opts_init(&s->opts);
	s->opts.force_ucs2 = m->force_ucs2;
	s->opts.language = (enum sms_language)m->language;
	s->opts.flash = m->flash;
	s->opts.validity_minutes = m->validity_minutes;
	s->opts.status_report = m->report > 0 ||
				(m->report < 0 && cfg && cfg->report_default);
	if (!m->personalised)
		cli_send_show_preview(s, m->body, m->body_len, 0);
}

bool cli_send_show_rcpt(const struct spool_recipient *r, void *ud)
{
	struct cli_send_show *s = ud;

	if (s->nnumbers < CLI_SEND_SHOW_MAX)
		snprintf(s->numbers[s->nnumbers++], NUMBER_MAX, "%s",
			 r->number);
	if (s->personalised)
		cli_send_show_preview(s, r->body, r->body_len, r->line);
	return true;
}

bool cli_send_show_fits(const struct cli_send_show *s, struct spool_error *e)
{
	int max = s->cfg ? s->cfg->max_parts : 0;

	memset(e, 0, sizeof(*e));
	if (s->preview_err[0]) {
		e->code = SPOOL_ERROR_ENCODING;
		e->line = s->err_line;
		snprintf(e->text, sizeof(e->text),
			 "the text cannot be encoded: %s", s->preview_err);
		return false;
	}
	if (s->have_preview && max > 0 && s->preview.parts > max) {
		e->code = SPOOL_ERROR_LIMIT;
		e->line = s->worst_line;
		snprintf(e->text, sizeof(e->text),
			 "the text needs %d parts; max_parts is %d",
			 s->preview.parts, max);
		return false;
	}
	return true;
}

static const char *cli_send_show_kind_name(enum spool_kind k)
{
	return k == SPOOL_KIND_BULK ? "bulk" : "direct";
}

static const char *cli_send_show_priority_name(enum spool_priority p)
{
	return p == SPOOL_PRIORITY_HIGH  ? "high"
	       : p == SPOOL_PRIORITY_LOW ? "low"
					 : "normal";
}

static void cli_send_show_utc(int64_t ms, char *buf, size_t size)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The body and the codec's view of it. */
static void cli_send_show_print_json_text(const struct cli_send_show *s,
			    const struct spool_message *m, bool *first)
{
	const struct sms_preview *pv = s->have_preview ? &s->preview : NULL;

	json_key(stdout, first, "personalised");
	fputs(m->personalised ? "true" : "false", stdout);
	json_key(stdout, first, "body");
	json_strn(stdout, m->body, m->body_len);
	json_key(stdout, first, "encoding");
	json_str(stdout, pv ? sms_encoding_name(pv->encoding) : NULL);
	json_key(stdout, first, "parts");
	printf("%d", pv ? pv->parts : 0);
	json_key(stdout, first, "units");
	printf("%d", pv ? pv->units : 0);
	json_key(stdout, first, "chars_left");
	printf("%d", pv ? pv->chars_left : 0);
}

static void cli_send_show_print_json(const struct cli_send_show *s,
		       const struct spool_message *m, const char *file,
		       bool dry_run, bool report)
{
	char when[32];
	bool first = true;

	putchar('{');
	json_key(stdout, &first, "ok");
	fputs("true", stdout);
	json_key(stdout, &first, "dry_run");
	fputs(dry_run ? "true" : "false", stdout);
	json_key(stdout, &first, "file");
	json_str(stdout, file);
	json_key(stdout, &first, "recipients");
	putchar('[');
	for (size_t i = 0; i < s->nnumbers; i++) {
		if (i)
			putchar(',');
		json_str(stdout, s->numbers[i]);
	}
	putchar(']');
	json_key(stdout, &first, "recipients_total");
	printf("%zu", m->recipients);
	json_key(stdout, &first, "duplicates");
	printf("%zu", m->duplicates);
	json_key(stdout, &first, "kind");
	json_str(stdout, cli_send_show_kind_name(m->kind));
	json_key(stdout, &first, "priority");
	json_str(stdout, cli_send_show_priority_name(m->priority));
	json_key(stdout, &first, "campaign");
	json_str(stdout, m->campaign);
	json_key(stdout, &first, "send_at");
	if (m->has_send_at)
		cli_send_show_utc(m->send_at_ms, when, sizeof(when));
	json_str(stdout, m->has_send_at ? when : NULL);
	json_key(stdout, &first, "pool");
	json_str(stdout, m->pool);
	json_key(stdout, &first, "sim");
	json_str(stdout, m->sim);
	json_key(stdout, &first, "id");
	json_str(stdout, m->id);
	json_key(stdout, &first, "report");
	fputs(report ? "true" : "false", stdout);
	json_key(stdout, &first, "flash");
	fputs(m->flash ? "true" : "false", stdout);
	json_key(stdout, &first, "validity_minutes");
	if (m->validity_minutes >= 0)
		printf("%d", m->validity_minutes);
	else
		fputs("null", stdout);
	cli_send_show_print_json_text(s, m, &first);
	json_key(stdout, &first, "hash");
	json_str(stdout, m->hash);
	fputs("}\n", stdout);
}

static void cli_send_show_print_text(const struct cli_send_show *s,
		       const struct spool_message *m, const char *file,
		       bool dry_run, bool report)
{
	char when[32];

	if (file)
		printf("file:       %s\n", file);
	else if (dry_run)
		printf("dry run:    nothing written\n");
	printf("recipients: %zu", m->recipients);
	if (m->duplicates)
		printf(" (%zu duplicate%s removed)", m->duplicates,
		       m->duplicates == 1 ? "" : "s");
	putchar('\n');
	for (size_t i = 0; i < s->nnumbers; i++)
		printf("  %s\n", s->numbers[i]);
	if (m->recipients > s->nnumbers)
		printf("  ... and %zu more\n", m->recipients - s->nnumbers);
	printf("kind:       %s\n", cli_send_show_kind_name(m->kind));
	printf("priority:   %s\n", cli_send_show_priority_name(m->priority));
	if (m->campaign)
		printf("campaign:   %s\n", m->campaign);
	if (m->has_send_at)
		cli_send_show_utc(m->send_at_ms, when, sizeof(when));
	printf("send at:    %s\n", m->has_send_at ? when : "now");
	if (m->sim)
		printf("sim:        %s\n", m->sim);
	else
		printf("pool:       %s\n", m->pool ? m->pool : "any");
	if (m->id)
		printf("id:         %s\n", m->id);
	printf("report:     %s%s\n", report ? "yes" : "no",
	       m->report < 0 ? " (configuration default)" : "");
	printf("flash:      %s\n", m->flash ? "yes" : "no");
	if (m->validity_minutes >= 0)
		printf("validity:   %d minutes\n", m->validity_minutes);
	if (s->have_preview)
		printf("encoding:   %s%s, %d part%s, %d characters left in the "
		       "last\n",
		       m->personalised ? "at most: " : "",
		       sms_encoding_name(s->preview.encoding),
		       s->preview.parts, s->preview.parts == 1 ? "" : "s",
		       s->preview.chars_left);
	printf("text:       %s\n", m->body);
}

void cli_send_show_print(const struct cli_send_show *s,
			 const struct spool_message *m, const char *file,
			 bool dry_run)
{
	bool report = s->opts.status_report;

	if (s->json)
		cli_send_show_print_json(s, m, file, dry_run, report);
	else
		cli_send_show_print_text(s, m, file, dry_run, report);
}

void cli_send_show_refused(const char *file, const struct spool_error *e,
			   bool json)
{
	char reason[320], quoted[64];
	const char *shown = NULL;
	bool first = true;

	spool_error_format(e, reason, sizeof(reason));
	if (!json) {
		/* One line, whatever bytes the file's name holds. */
		for (const char *c = file; c && *c && !shown; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				shown = spool_text_q(file, quoted);
		fprintf(stderr, "smsgw: %s%s%s (%s)\n",
			shown ? shown : file ? file : "", file ? ": " : "",
			reason, spool_error_code_name(e->code));
		return;
	}
	putchar('{');
	json_key(stdout, &first, "file");
	json_str(stdout, file);
	json_key(stdout, &first, "ok");
	fputs("false", stdout);
	json_key(stdout, &first, "category");
	json_str(stdout, spool_error_code_name(e->code));
	json_key(stdout, &first, "line");
	if (e->line)
		printf("%u", e->line);
	else
		fputs("null", stdout);
	json_key(stdout, &first, "header");
	json_str(stdout, e->header[0] ? e->header : NULL);
	json_key(stdout, &first, "reason");
	json_str(stdout, reason);
	fputs("}\n", stdout);
}
