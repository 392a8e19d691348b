/*
 * smsgw send — writes a spool file atomically (doc/contract.md §6): the options
 * become headers, the numbers To: lines, the text the body. It never talks
 * to the daemon, so it works whether or not one runs; the daemon picks the
 * file up from outgoing/.
 *
 * The file is parsed here exactly as the daemon will parse it before it is
 * written, and the codec counts its parts, so what `send` accepts the
 * daemon accepts. `--check FILE` does the same for files written by other
 * programs (smstools3 scripts, exports).
 */
#include "cli.h"
#include "cli_send.h"

#include "config.h"
#include "spool_file.h"
#include "spool_header.h"
#include "spool_text.h"
#include "utf8.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct cli_send_opts {
	const char *campaign, *at, *kind, *priority, *pool, *sim, *id;
	const char *validity, *text;
	int report;		/* -1: the configuration's default */
	bool flash, dry_run, json, check;
};

static int cli_send_opts_parse(struct cli *cli, int argc, char **argv,
			       struct cli_send_opts *o)
{
	static const struct option opts[] = {
		{ "campaign", required_argument, NULL, 'C' },
		{ "report", no_argument, NULL, 'r' },
		{ "no-report", no_argument, NULL, 'R' },
		{ "at", required_argument, NULL, 'a' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "kind", required_argument, NULL, 'k' },
		{ "priority", required_argument, NULL, 'p' },
		{ "pool", required_argument, NULL, 'P' },
		{ "sim", required_argument, NULL, 'S' },
		{ "id", required_argument, NULL, 'i' },
		{ "flash", no_argument, NULL, 'f' },
		{ "validity", required_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "check", no_argument, NULL, 'K' },
		{ "message", required_argument, NULL, 'm' },
		{ 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->report = -1;
	while ((c = cli_getopt(cli, argc, argv, "m:", opts)) != -1) {
		switch (c) {
		case 'C': o->campaign = optarg; break;
		case 'r': o->report = 1; break;
		case 'R': o->report = 0; break;
		case 'a': o->at = optarg; break;
		case 'n': o->dry_run = true; break;
		case 'k': o->kind = optarg; break;
		case 'p': o->priority = optarg; break;
		case 'P': o->pool = optarg; break;
		case 'S': o->sim = optarg; break;
		case 'i': o->id = optarg; break;
		case 'f': o->flash = true; break;
		case 'v': o->validity = optarg; break;
		case 'j': o->json = true; break;
		case 'K': o->check = true; break;
		case 'm': o->text = optarg; break;
		default:
			fputs(cli->help, stderr);
			return CLI_USAGE;
		}
	}
	if (optind >= argc)
		return cli_usage(o->check ? "send --check: no FILE"
					  : "send: no NUMBER");
	if (o->pool && o->sim)
		return cli_usage("send: --pool and --sim cannot both be given");
	return 0;
}

/* An option's text goes into a header line: no line breaks smuggled in. */
static int cli_send_clean(const char *what, const char *v)
{
	size_t bad;

	if (!v)
		return 0;
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return cli_usage("%s: control byte 0x%02x is not "
					 "allowed", what, *p);
	if (!utf8_valid(v, strlen(v), &bad))
		return cli_usage("%s: not valid UTF-8", what);
	return 0;
}

/* ISO-8601 with an offset, or without one in local time. */
static bool cli_send_time(const char *s, int64_t *ms)
{
	struct tm tm = { 0 };
	int n = 0, sec = 0;
	const char *p;
	time_t t;

	if (store_parse_time(s, ms))
		return true;
	if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &n) != 3 || n != 10 || (s[10] != 'T' && s[10] != ' '))
		return false;
	p = s + 11;
	if (sscanf(p, "%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &n) != 2 || n != 5)
		return false;
	p += 5;
	if (*p == ':' && (sscanf(p, ":%2d%n", &sec, &n) != 1 || n != 3))
		return false;
	if (*p == ':')
		p += 3;
	if (*p || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || sec > 59)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1)
		return false;
	*ms = (int64_t)t * 1000;
	return true;
}

/* Checks the option values with the parser's own rules. */
static int cli_send_check_opts(const struct cli_send_opts *o,
			       const struct config *cfg,
			       const struct spool_rules *r, int64_t *at)
{
	char why[256], sim[SPOOL_MAX_TEXT + 1];
	enum spool_kind kind;
	enum spool_priority prio;
	enum spool_sim_kind sk;
	int minutes, rc;

	if ((rc = cli_send_clean("--campaign", o->campaign)) ||
	    (rc = cli_send_clean("--id", o->id)) ||
	    (rc = cli_send_clean("--pool", o->pool)) ||
	    (rc = cli_send_clean("--sim", o->sim)) ||
	    (rc = cli_send_clean("--at", o->at)) ||
	    (rc = cli_send_clean("--kind", o->kind)) ||
	    (rc = cli_send_clean("--priority", o->priority)) ||
	    (rc = cli_send_clean("--validity", o->validity)))
		return rc;
	if (o->kind && !spool_header_kind(o->kind, &kind, why, sizeof(why)))
		return cli_usage("--kind: %s", why);
	if (o->priority &&
	    !spool_header_priority(o->priority, &prio, why, sizeof(why)))
		return cli_usage("--priority: %s", why);
	if (o->validity &&
	    !spool_header_validity(o->validity, &minutes, why, sizeof(why)))
		return cli_usage("--validity: %s", why);
	if (o->campaign && !spool_header_text(o->campaign, why, sizeof(why)))
		return cli_usage("--campaign: %s", why);
	if (o->id && !spool_header_text(o->id, why, sizeof(why)))
		return cli_usage("--id: %s", why);
	if (o->at && !cli_send_time(o->at, at))
		return cli_usage("--at: '%s' is not a time like "
				 "2026-11-27T08:00 or 2026-11-27T08:00+02:00",
				 o->at);
	if (o->pool && !spool_header_pool(o->pool, cfg, why, sizeof(why)))
		return cli_error("--pool: %s", why);
	if (o->sim && !spool_header_sim(o->sim, cfg, &r->numbers, sim,
					sizeof(sim), &sk, why, sizeof(why)))
		return cli_error("--sim: %s", why);
	return 0;
}

/* The text from -m or standard input, checked like a body. */
static int cli_send_text(const struct cli_send_opts *o, size_t max,
			 char **out, size_t *len)
{
	size_t n = 0, bad;
	unsigned cp;
	ssize_t got;
	char *buf;

	if (o->text) {
		n = strlen(o->text);
		buf = strdup(o->text);
	} else {
		if (isatty(STDIN_FILENO))
			return cli_usage("send: no text: give -m TEXT or the "
					 "text on standard input");
		buf = malloc(max + 2);
		while (buf && n <= max) {
			got = read(STDIN_FILENO, buf + n, max + 1 - n);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0)
				break;
			n += (size_t)got;
		}
	}
	if (!buf)
		return cli_error("out of memory");
	buf[n] = '\0';
	*out = buf;
	*len = n;
	/* Most likely a pipe that failed; -m '' sends an empty message. */
	if (!n && !o->text)
		return cli_error("standard input is empty (give -m '' for an "
				 "empty message)");
	if (n > max)
		return cli_error("the text is longer than %zu bytes", max);
	if (!utf8_valid(buf, n, &bad))
		return cli_error("the text is not valid UTF-8 (byte 0x%02x at "
				 "offset %zu)", (unsigned char)buf[bad], bad);
	if (!spool_text_controls_ok(buf, n, &bad, &cp))
		return cli_error("the text holds control character U+%04X at "
				 "offset %zu", cp, bad);
	return 0;
}

/* The spool file, from options already checked. */
static char *cli_send_build(const struct cli_send_opts *o,
			    char (*numbers)[NUMBER_MAX + 1], int n, int64_t at,
			    const char *text, size_t *len)
{
	char *buf = NULL, when[32];
	FILE *f = open_memstream(&buf, len);
	time_t t = (time_t)(at / 1000);
	struct tm tm;

	if (!f)
		return NULL;
	for (int i = 0; i < n; i++)
		fprintf(f, "To: %s\n", numbers[i]);
	if (o->kind)
		fprintf(f, "Kind: %s\n", o->kind);
	if (o->campaign)
		fprintf(f, "Campaign: %s\n", o->campaign);
	if (o->priority)
		fprintf(f, "Priority: %s\n", o->priority);
	if (o->at) {
		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(f, "Send-At: %s\n", when);
	}
	if (o->report >= 0)
		fprintf(f, "Report: %s\n", o->report ? "yes" : "no");
	if (o->flash)
		fprintf(f, "Flash: yes\n");
	if (o->validity)
		fprintf(f, "Validity: %s\n", o->validity);
	if (o->pool)
		fprintf(f, "Pool: %s\n", o->pool);
	if (o->sim)
		fprintf(f, "SIM: %s\n", o->sim);
	if (o->id)
		fprintf(f, "Id: %s\n", o->id);
	fprintf(f, "Alphabet: UTF-8\n\n%s\n", text);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Both passes over a file in memory, feeding show. NULL with *e on refusal. */
static struct spool_parser *cli_send_parse(const struct spool_rules *r,
					   const char *buf, size_t len,
					   struct cli_send_show *show,
					   const struct config *cfg, bool json,
					   struct spool_error *e)
{
	struct spool_parser *p = spool_parse_new(r);

	if (!p) {
		memset(e, 0, sizeof(*e));
		e->code = SPOOL_ERROR_NOMEM;
		snprintf(e->text, sizeof(e->text), "out of memory");
		return NULL;
	}
	if (spool_parse_feed(p, buf, len) && spool_parse_finish(p)) {
		cli_send_show_begin(show, cfg, json, spool_parse_message(p));
		if (spool_parse_rewind(p, cli_send_show_rcpt, show) &&
		    spool_parse_feed(p, buf, len) && spool_parse_finish(p))
			return p;
	}
	*e = *spool_parse_error(p);
	spool_parse_free(p);
	return NULL;
}

/* The numbers as the file will carry them. */
static int cli_send_numbers(int n, char **argv, const struct spool_rules *r,
			    char (*out)[NUMBER_MAX + 1])
{
	char num[NUMBER_MAX], why[160], quoted[64];
	enum number_kind kind;

	for (int i = 0; i < n; i++) {
		if (!number_normalise(argv[i], strlen(argv[i]), &r->numbers,
				      num, &kind, why, sizeof(why))) {
			spool_text_quote(argv[i], strlen(argv[i]), quoted,
					 sizeof(quoted));
			return cli_error("invalid number '%s': %s", quoted,
					 why);
		}
		number_spool_form(num, kind, out[i], NUMBER_MAX + 1);
	}
	return 0;
}

/* Parses the file as the daemon will, then shows it or writes it. */
static int cli_send_commit(const struct config *cfg,
			   const struct spool_rules *r,
			   const struct cli_send_opts *o, const char *file,
			   size_t flen, struct cli_send_show *show)
{
	struct spool_parser *p;
	struct spool_error e;
	char path[4096], err[512];
	int rc = CLI_OK;

	p = cli_send_parse(r, file, flen, show, cfg, o->json, &e);
	if (!p && e.code == SPOOL_ERROR_PLACEHOLDER)
		return cli_error("the text has a {{placeholder}}, but send has "
				 "no values for it: write a spool file with "
				 "fields instead");
	if (!p)
		return cli_error("the spool file would be refused: %s%s%s",
				 e.header, e.header[0] ? ": " : "", e.text);
	if (!cli_send_show_fits(show, &e))
		rc = cli_error("%s", e.text);
	else if (o->dry_run)
		cli_send_show_print(show, spool_parse_message(p), NULL, true);
	else if (spool_file_submit(cfg->spool, "send", file, flen, path,
				   sizeof(path), err, sizeof(err)) < 0)
		rc = cli_error("%s", err);
	else if (o->json)
		cli_send_show_print(show, spool_parse_message(p), path, false);
	else
		printf("%s\n", path);
	spool_parse_free(p);
	return rc;
}

static int cli_send_write(struct cli *cli, const struct cli_send_opts *o,
			  int argc, char **argv)
{
	const struct config *cfg = cli_config(cli);
	char (*nums)[NUMBER_MAX + 1] = NULL, *text = NULL, *file = NULL;
	struct cli_send_show *show = NULL;
	struct spool_rules r;
	size_t tlen, flen;
	int64_t at = 0;
	int rc;

	if (!cfg)
		return CLI_ERROR;
	spool_rules_init(&r, cfg);
	nums = calloc((size_t)argc, sizeof(*nums));
	show = calloc(1, sizeof(*show));
	rc = !nums || !show ? cli_error("out of memory") : 0;
	if (rc || (rc = cli_send_check_opts(o, cfg, &r, &at)) ||
	    (rc = cli_send_numbers(argc, argv, &r, nums)) ||
	    (rc = cli_send_text(o, r.max_body, &text, &tlen)))
		goto out;
	file = cli_send_build(o, nums, argc, at, text, &flen);
	rc = file ? cli_send_commit(cfg, &r, o, file, flen, show)
		  : cli_error("out of memory");
out:
	free(file);
	free(text);
	free(show);
	free(nums);
	return rc;
}

/* One file, as the daemon would take it in. */
static bool cli_send_check_file(const struct config *cfg,
				const struct spool_rules *r, const char *path,
				bool json, struct cli_send_show *show)
{
	struct spool_parser *p = NULL;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct spool_error e = { SPOOL_ERROR_NAME };
	bool ok = false;
	int fd, rc;

	switch (spool_file_name_check(base, e.text, sizeof(e.text))) {
	case SPOOL_FILE_NAME_IGNORE:
		snprintf(e.text, sizeof(e.text),
			 "the daemon ignores names starting with '.'");
		/* fall through */
	case SPOOL_FILE_NAME_BAD:
		cli_send_show_refused(path, &e, json);
		return false;
	case SPOOL_FILE_NAME_OK:
		break;
	}
	fd = spool_file_open(AT_FDCWD, path, cfg->max_file_bytes, &e);
	if (fd < 0) {
		cli_send_show_refused(path, &e, json);
		return false;
	}
	p = spool_parse_new(r);
	if (!p) {
		cli_error("out of memory");
		goto out;
	}
	rc = spool_file_scan(fd, p, cfg->max_file_bytes);
	if (!rc) {
		cli_send_show_begin(show, cfg, json, spool_parse_message(p));
		rc = spool_file_recipients(fd, p, cfg->max_file_bytes,
					   cli_send_show_rcpt, show);
	}
	if (rc == -EBADMSG) {
		cli_send_show_refused(path, spool_parse_error(p), json);
	} else if (rc < 0) {
		cli_error("%s: %s", path, strerror(-rc));
	} else if (!cli_send_show_fits(show, &e)) {
		cli_send_show_refused(path, &e, json);
	} else {
		cli_send_show_print(show, spool_parse_message(p), path, false);
		ok = true;
	}
out:
	spool_parse_free(p);
	close(fd);
	return ok;
}

static int cli_send_check(struct cli *cli, const struct cli_send_opts *o,
			  int argc, char **argv)
{
	const struct config *cfg = cli_config(cli);
	struct cli_send_show *show;
	struct spool_rules r;
	bool all = true;

	if (!cfg)
		return CLI_ERROR;
	show = malloc(sizeof(*show));
	if (!show)
		return cli_error("out of memory");
	spool_rules_init(&r, cfg);
	for (int i = 0; i < argc; i++)
		if (!cli_send_check_file(cfg, &r, argv[i], o->json, show))
			all = false;
	free(show);
	return all ? CLI_OK : CLI_ERROR;
}

int cli_send(struct cli *cli, int argc, char **argv)
{
	struct cli_send_opts o;
	int rc = cli_send_opts_parse(cli, argc, argv, &o);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	if (o.check)
		return cli_send_check(cli, &o, argc - optind, argv + optind);
	return cli_send_write(cli, &o, argc - optind, argv + optind);
}
