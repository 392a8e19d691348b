/*
 * cli_pdu — `smsgw pdu decode HEX` and `smsgw pdu encode ... NUMBER TEXT`
 * (doc/contract.md §6): the codec from the command line, for users whose modem
 * misbehaves and for scripts. Output is one JSON object on stdout.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json.h"
#include "pdu.h"
#include "sms.h"

static void cli_pdu_time(FILE *f, bool *first, const char *key,
			 const struct sms_time *t)
{
	char buf[32];

	sms_time_format(t, buf, sizeof(buf));
	json_key(f, first, key);
	json_str(f, buf);
}

static void cli_pdu_addr(FILE *f, bool *first, const char *key,
			 const char *type_key, const struct sms_addr *a)
{
	json_key(f, first, key);
	json_str(f, a->text);
	json_key(f, first, type_key);
	json_str(f, sms_addr_type_name(a->type));
}

/* The user-data fields every type shares. */
static void cli_pdu_ud(FILE *f, bool *first, uint8_t pid,
		       const struct sms_user_data *ud)
{
	char udh[2 * SMS_UD_MAX + 1];

	json_key(f, first, "pid");
	fprintf(f, "%u", pid);
	json_key(f, first, "dcs");
	fprintf(f, "%u", ud->dcs);
	json_key(f, first, "class");
	if (ud->msg_class >= 0)
		fprintf(f, "%d", ud->msg_class);
	else
		fputs("null", f);
	json_key(f, first, "encoding");
	json_str(f, sms_encoding_name(ud->encoding));
	json_key(f, first, "text");
	json_str(f, ud->text);
	json_key(f, first, "udh");
	pdu_hex_encode(ud->udh, ud->udh_len, udh);
	json_str(f, ud->udh_len ? udh : NULL);
	json_key(f, first, "concat");
	if (ud->concat.total)
		fprintf(f, "{\"ref\":%u,\"total\":%u,\"seq\":%u}",
			ud->concat.ref, ud->concat.total, ud->concat.seq);
	else
		fputs("null", f);
}

static void cli_pdu_print(FILE *f, const struct sms_pdu *p)
{
	static const char *const classes[] = { "delivered", "pending",
					       "failed" };
	bool first = true;

	fputc('{', f);
	json_key(f, &first, "type");
	json_str(f, p->type == SMS_PDU_DELIVER ? "deliver" :
		    p->type == SMS_PDU_SUBMIT ? "submit" : "status-report");
	json_key(f, &first, "smsc");
	json_str(f, p->smsc.text[0] ? p->smsc.text : NULL);
	if (p->type == SMS_PDU_DELIVER) {
		const struct sms_deliver *d = &p->deliver;

		cli_pdu_addr(f, &first, "sender", "sender_type", &d->sender);
		cli_pdu_time(f, &first, "timestamp", &d->scts);
		cli_pdu_ud(f, &first, d->pid, &d->ud);
		json_key(f, &first, "status_report_indication");
		fputs(d->status_report_indication ? "true" : "false", f);
	} else if (p->type == SMS_PDU_SUBMIT) {
		const struct sms_submit *s = &p->submit;

		json_key(f, &first, "mr");
		fprintf(f, "%u", s->mr);
		cli_pdu_addr(f, &first, "recipient", "recipient_type",
			     &s->dest);
		cli_pdu_ud(f, &first, s->pid, &s->ud);
		json_key(f, &first, "status_report_request");
		fputs(s->status_report_request ? "true" : "false", f);
		json_key(f, &first, "validity_minutes");
		if (s->validity_minutes >= 0)
			fprintf(f, "%d", s->validity_minutes);
		else
			fputs("null", f);
	} else {
		const struct sms_status_report *r = &p->report;

		json_key(f, &first, "mr");
		fprintf(f, "%u", r->mr);
		cli_pdu_addr(f, &first, "recipient", "recipient_type",
			     &r->recipient);
		cli_pdu_time(f, &first, "scts", &r->scts);
		cli_pdu_time(f, &first, "discharge", &r->discharge);
		json_key(f, &first, "status");
		fprintf(f, "%u", r->status);
		json_key(f, &first, "status_class");
		json_str(f, classes[sms_status_classify(r->status)]);
	}
	fputs("}\n", f);
}

/* "-" reads the hex from standard input (a pasted +CMGL line, say). */
static int cli_pdu_decode(int argc, char **argv)
{
	char buf[4096], err[200];
	const char *hex;
	struct sms_pdu p;
	size_t len;

	if (argc != 2)
		return cli_usage("pdu decode takes one HEX argument");
	hex = argv[1];
	if (strcmp(hex, "-") == 0) {
		len = fread(buf, 1, sizeof(buf) - 1, stdin);
		if (len == sizeof(buf) - 1 && !feof(stdin))
			return cli_error("pdu decode: input too long");
		buf[len] = '\0';
		hex = buf;
	}
	if (!sms_pdu_decode(hex, strlen(hex), &p, err, sizeof(err)))
		return cli_error("pdu decode: %s", err);
	cli_pdu_print(stdout, &p);
	return CLI_OK;
}

static bool cli_pdu_language(const char *s, enum sms_language *l)
{
	static const struct {
		const char *name, *code;
		enum sms_language l;
	} names[] = {
		{ "none", "none", SMS_LANGUAGE_NONE },
		{ "auto", "auto", SMS_LANGUAGE_AUTO },
		{ "turkish", "tr", SMS_LANGUAGE_TURKISH },
		{ "spanish", "es", SMS_LANGUAGE_SPANISH },
		{ "portuguese", "pt", SMS_LANGUAGE_PORTUGUESE },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(s, names[i].name) == 0 ||
		    strcasecmp(s, names[i].code) == 0) {
			*l = names[i].l;
			return true;
		}
	}
	return false;
}

/* Parses the encode options into o; returns CLI_OK or the usage status. */
static int cli_pdu_encode_opts(struct cli *cli, int argc, char **argv,
			       struct sms_encode_opts *o)
{
	static const struct option opts[] = {
		{ "report", no_argument, NULL, 'r' },
		{ "flash", no_argument, NULL, 'f' },
		{ "validity", required_argument, NULL, 'v' },
		{ "ucs2", no_argument, NULL, 'u' },
		{ "smart", no_argument, NULL, 's' },
		{ "language", required_argument, NULL, 'l' },
		{ "ref", required_argument, NULL, 'R' },
		{ "ref16", no_argument, NULL, '6' },
		{ 0 },
	};
	char *end;
	long v;
	int c;

	sms_encode_opts_init(o);
	optind = 0;	/* glibc: start afresh, argv[0] is "pdu" */
	opterr = 0;	/* our messages, prefixed "smsgw:" */
	while ((c = cli_getopt(cli, argc, argv, ":", opts)) != -1) {
		switch (c) {
		case 'r':
			o->status_report = true;
			break;
		case 'f':
			o->flash = true;
			break;
		case 'v':
			if (!sms_validity_parse(optarg, &o->validity_minutes))
				return cli_usage("--validity %s: want 30m, "
						 "12h, 1d, 1w or minutes, up "
						 "to 63w", optarg);
			break;
		case 'u':
			o->force_ucs2 = true;
			break;
		case 's':
			o->smart = true;
			break;
		case 'l':
			if (!cli_pdu_language(optarg, &o->language))
				return cli_usage("--language %s: want none, "
						 "auto, tr, es or pt", optarg);
			break;
		case 'R':
			v = strtol(optarg, &end, 0);
			if (!*optarg || *end || v < 0 || v > 65535)
				return cli_usage("--ref %s: want 0-65535",
						 optarg);
			o->concat_ref = v;
			break;
		case '6':
			o->concat16 = true;
			break;
		case ':':
			return cli_usage("pdu encode: %s needs a value",
					 argv[optind - 1]);
		default:
			return cli_usage("pdu encode: unknown option %s",
					 argv[optind - 1]);
		}
	}
	return CLI_OK;
}

static void cli_pdu_print_encoded(FILE *f, const struct sms_encoded *e)
{
	bool first = true;

	fputc('{', f);
	json_key(f, &first, "encoding");
	json_str(f, sms_encoding_name(e->info.encoding));
	json_key(f, &first, "units");
	fprintf(f, "%d", e->info.units);
	json_key(f, &first, "chars_left");
	fprintf(f, "%d", e->info.chars_left);
	json_key(f, &first, "smart_applied");
	fputs(e->info.smart_applied ? "true" : "false", f);
	json_key(f, &first, "language");
	json_str(f, e->info.language != SMS_LANGUAGE_NONE ?
		    sms_language_name(e->info.language) : NULL);
	json_key(f, &first, "parts");
	fputc('[', f);
	for (int i = 0; i < e->nparts; i++) {
		fprintf(f, "%s{\"pdu\":", i ? "," : "");
		json_str(f, e->parts[i].pdu);
		fprintf(f, ",\"tpdu_length\":%d}", e->parts[i].tpdu_length);
	}
	fputs("]}\n", f);
}

/* argv: "encode" NUMBER TEXT, options taken already. */
static int cli_pdu_encode(const struct sms_encode_opts *opts, int argc,
			  char **argv)
{
	struct sms_encode_opts o = *opts;
	struct sms_encoded e;
	char err[200];
	int optind = 1;

	if (argc - optind != 2)
		return cli_usage("pdu encode takes NUMBER and TEXT");
	if (!sms_encode_submit(argv[optind], argv[optind + 1],
			       strlen(argv[optind + 1]), &o, &e, err,
			       sizeof(err)))
		return cli_error("pdu encode: %s", err);
	cli_pdu_print_encoded(stdout, &e);
	sms_encoded_free(&e);
	return CLI_OK;
}

int cli_pdu(struct cli *cli, int argc, char **argv)
{
	struct sms_encode_opts o;
	int rc;

	/* Options (and -c, --help) may stand anywhere on the line; decode
	 * has none of its own. */
	rc = cli_pdu_encode_opts(cli, argc, argv, &o);
	if (rc != CLI_OK)
		return rc;
	argc -= optind;
	argv += optind;
	if (argc >= 1 && strcmp(argv[0], "decode") == 0)
		return cli_pdu_decode(argc, argv);
	if (argc >= 1 && strcmp(argv[0], "encode") == 0)
		return cli_pdu_encode(&o, argc, argv);
	fputs(cli->help, stderr);
	return cli_usage("pdu: want decode or encode");
}
