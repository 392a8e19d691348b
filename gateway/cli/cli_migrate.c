/*
 * smsgw migrate smstools3|gammu FILE — prints a smsgw.conf equivalent to
 * an smsd.conf (smstools3) or a gammu-smsdrc (Gammu SMSD), with a comment
 * for every setting that has no equivalent. README "Coming from smstools3"
 * and "Coming from Gammu SMSD" hold the same mapping as tables.
 *
 * Both files are INI-like: "key = value" lines under [sections], comments
 * starting with '#' or ';'. Nothing is written: the output goes to stdout.
 */
#include "cli.h"

#include <ctype.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct mig_kv {
	char *section;	/* "" before the first [section] */
	char *key;
	char *value;
	unsigned line;
	bool used;
};

struct mig {
	struct mig_kv *kv;
	size_t n;
	const char *path;
};

static char *cli_migrate_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int cli_migrate_read(struct mig *m, const char *path)
{
	char line[4096], section[128] = "";
	unsigned no = 0;
	FILE *f = fopen(path, "r");

	m->path = path;
	if (!f)
		return cli_error("migrate: %s: %m", path);
	while (fgets(line, sizeof(line), f)) {
		char *s = cli_migrate_trim(line), *eq;
		struct mig_kv *grown;

		no++;
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');

			if (end)
				*end = '\0';
			snprintf(section, sizeof(section), "%s", cli_migrate_trim(s + 1));
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			fprintf(stderr, "smsgw: migrate: %s:%u: not key = value, "
				"skipped\n", path, no);
			continue;
		}
		*eq = '\0';
		grown = realloc(m->kv, (m->n + 1) * sizeof(*grown));
		if (!grown) {
			fclose(f);
			return cli_error("migrate: out of memory");
		}
		m->kv = grown;
		m->kv[m->n] = (struct mig_kv){ strdup(section),
					       strdup(cli_migrate_trim(s)),
					       strdup(cli_migrate_trim(eq + 1)),
					       no, false };
		m->n++;
	}
	fclose(f);
	return CLI_OK;
}

static void cli_migrate_free(struct mig *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->kv[i].section);
		free(m->kv[i].key);
		free(m->kv[i].value);
	}
	free(m->kv);
}

/* The value of key in section (case-insensitive), marked used; or NULL. */
static const char *cli_migrate_get(struct mig *m, const char *section,
				   const char *key)
{
	const char *v = NULL;

	for (size_t i = 0; i < m->n; i++) {
		if (strcasecmp(m->kv[i].section, section) == 0 &&
		    strcasecmp(m->kv[i].key, key) == 0) {
			m->kv[i].used = true;
			v = m->kv[i].value;	/* the last one wins */
		}
	}
	return v;
}

/* A libconfuse string: quotes and backslashes escaped. */
static void cli_migrate_str(const char *v)
{
	putchar('"');
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			putchar('\\');
		putchar(*v);
	}
	putchar('"');
}

static void cli_migrate_opt(const char *indent, const char *name, const char *v)
{
	printf("%s%s = ", indent, name);
	cli_migrate_str(v);
	putchar('\n');
}

/* Comments for every setting of section that nothing used. */
static void cli_migrate_unmapped(struct mig *m, const char *section,
				 const char *indent, const char *why)
{
	for (size_t i = 0; i < m->n; i++) {
		struct mig_kv *kv = &m->kv[i];

		if (kv->used || strcasecmp(kv->section, section) != 0)
			continue;
		kv->used = true;
		printf("%s# %s:%u: %s = %s: %s\n", indent, m->path, kv->line,
		       kv->key, kv->value, why);
	}
}

static bool cli_migrate_yes(const char *v)
{
	return v && (v[0] == '1' || tolower((unsigned char)v[0]) == 'y' ||
		     tolower((unsigned char)v[0]) == 't' ||
		     strncasecmp(v, "on", 2) == 0);
}

/* A smstools3 "/var/spool/sms/outgoing": its parent is the spool. */
static void cli_migrate_spool(const char *outgoing, const char *from)
{
	const char *slash = outgoing ? strrchr(outgoing, '/') : NULL;

	if (slash && strcmp(slash, "/outgoing") == 0 && slash > outgoing) {
		printf("# outgoing/ stays where %s had it: files dropped "
		       "there are read as before\nspool = \"%.*s\"\n", from,
		       (int)(slash - outgoing), outgoing);
	} else if (outgoing) {
		printf("# outgoing = %s: smsgw reads <spool>/outgoing; point "
		       "writers there or link it\n", outgoing);
	}
}

/* ---- smstools3 ---- */

static bool cli_migrate_smstools_special(const char *s)
{
	return !s[0] || strcasecmp(s, "queues") == 0 ||
	       strcasecmp(s, "provider") == 0 ||
	       strcasecmp(s, "providers") == 0 ||
	       strcasecmp(s, "default") == 0;
}

static void cli_migrate_smstools_modem(struct mig *m, const char *name,
			       const char *dflt_pool)
{
	const char *v, *queues;
	char pool[128] = "";

	printf("\nmodem ");
	cli_migrate_str(name);
	printf(" {\n");
	v = cli_migrate_get(m, name, "device");
	cli_migrate_opt("\t", "device", v ? v : "/dev/ttyUSB0");
	if (!v)
		printf("\t# no device in [%s]: set it\n", name);
	if ((v = cli_migrate_get(m, name, "baudrate")))
		printf("\tbaudrate = %s\n", v);
	if ((v = cli_migrate_get(m, name, "pin")) && strcasecmp(v, "ignore") != 0)
		cli_migrate_opt("\t", "pin", v);
	if ((v = cli_migrate_get(m, name, "smsc"))) {
		/* smsd numbers are international without the '+'. */
		char num[64];

		snprintf(num, sizeof(num), "%s%s",
			 isdigit((unsigned char)v[0]) ? "+" : "", v);
		cli_migrate_opt("\t", "smsc", num);
	}
	if ((v = cli_migrate_get(m, name, "incoming")))
		printf("\treceive = %s\n", cli_migrate_yes(v) ? "true" : "false");
	queues = cli_migrate_get(m, name, "queues");
	if (queues) {
		size_t len = strcspn(queues, ", \t");

		snprintf(pool, sizeof(pool), "%.*s", (int)len, queues);
	} else if (dflt_pool) {
		snprintf(pool, sizeof(pool), "%s", dflt_pool);
	}
	printf("\tsim \"1\" {\n");
	if (pool[0]) {
		printf("\t\t# queues = %s: this SIM serves pool %s (a file's "
		       "Queue: or Provider: header picks the pool)\n",
		       queues ? queues : pool, pool);
		cli_migrate_opt("\t\t", "pool", pool);
	}
	printf("\t}\n");
	cli_migrate_unmapped(m, name, "\t", "no equivalent (smsgw sets the modem up "
		     "from its driver; add AT commands to init only if needed)");
	printf("}\n");
}

static int cli_migrate_smstools(struct mig *m)
{
	const char *v, *devices;
	char *list, *tok, *save;

	printf("# smsgw.conf from smstools3's %s (smsgw migrate smstools3)\n",
	       m->path);
	cli_migrate_spool(cli_migrate_get(m, "", "outgoing"), "smsd");
	if ((v = cli_migrate_get(m, "", "eventhandler")))
		cli_migrate_opt("", "eventhandler", v);
	if ((v = cli_migrate_get(m, "", "incoming")))
		cli_migrate_opt("", "incoming", v);
	if ((v = cli_migrate_get(m, "", "sent")))
		cli_migrate_opt("", "sent", v);
	if ((v = cli_migrate_get(m, "", "failed")))
		cli_migrate_opt("", "failed", v);
	if ((v = cli_migrate_get(m, "", "report")))
		printf("# report = %s: status reports go to the database and the "
		       "REPORT event; no directory\n", v);
	if ((v = cli_migrate_get(m, "", "autosplit")))
		printf("# autosplit = %s: long texts are always split and "
		       "concatenated; a file's Autosplit: header is honoured\n",
		       v);
	for (size_t i = 0; i < m->n; i++) {
		struct mig_kv *kv = &m->kv[i];

		if (strcasecmp(kv->section, "queues") != 0)
			continue;
		kv->used = true;
		printf("# [queues] %s = %s: pool \"%s\"; smsgw reads only "
		       "outgoing/, so write Queue: %s in the file instead of "
		       "dropping it into that directory\n", kv->key, kv->value,
		       kv->key, kv->key);
	}
	cli_migrate_unmapped(m, "provider", "", "no prefix routing; choose the pool "
		     "with Queue: in the file");
	cli_migrate_unmapped(m, "providers", "", "no prefix routing; choose the pool "
		     "with Queue: in the file");
	devices = cli_migrate_get(m, "", "devices");
	if (devices)
		printf("# devices = %s: one modem section each, below\n",
		       devices);
	cli_migrate_unmapped(m, "", "", "no equivalent in smsgw.conf");
	list = strdup(devices ? devices : "");
	for (tok = strtok_r(list, ", \t", &save); tok;
	     tok = strtok_r(NULL, ", \t", &save))
		cli_migrate_smstools_modem(m, tok, NULL);
	free(list);
	/* Sections that devices did not name: smsd does not run them. */
	for (size_t i = 0; i < m->n; i++)
		if (!cli_migrate_smstools_special(m->kv[i].section))
			cli_migrate_unmapped(m, m->kv[i].section, "",
				     "this modem is not in devices, so smsd "
				     "does not use it");
	if (!devices)
		printf("\n# no devices = … in %s: add a modem section\n",
		       m->path);
	return CLI_OK;
}

/* ---- Gammu SMSD ---- */

static int cli_migrate_gammu(struct mig *m)
{
	const char *v, *conn, *service, *pin, *smsc, *phone;
	char sect[] = "smsd";

	printf("# smsgw.conf from Gammu SMSD's %s (smsgw migrate gammu)\n",
	       m->path);
	/* Read before the unmapped settings are listed. */
	pin = cli_migrate_get(m, sect, "pin");
	smsc = cli_migrate_get(m, sect, "smsc");
	phone = cli_migrate_get(m, sect, "phoneid");
	service = cli_migrate_get(m, sect, "service");
	if (service && strcasecmp(service, "files") == 0) {
		v = cli_migrate_get(m, sect, "outboxpath");
		printf("# service = files%s%s: Gammu's outbox files are not "
		       "smsgw spool files; write spool files or INSERT INTO "
		       "gammu_outbox\n", v ? ", outboxpath = " : "",
		       v ? v : "");
	} else if (service && strcasecmp(service, "sql") == 0) {
		v = cli_migrate_get(m, sect, "driver");
		if (v && strstr(v, "sqlite")) {
			const char *dir = cli_migrate_get(m, sect, "dbdir"),
				   *db = cli_migrate_get(m, sect, "database");

			printf("# service = sql, driver = %s: smsgw keeps its "
			       "own SQLite database; Gammu's tables are the "
			       "gammu_outbox and gammu_inbox views there\n", v);
			if (db)
				printf("# database = %s%s%s: not reused\n",
				       dir ? dir : "", dir ? "/" : "", db);
		} else {
			printf("# service = sql, driver = %s: smsgw's database "
			       "is SQLite (or PostgreSQL); its views "
			       "gammu_outbox and gammu_inbox keep Gammu's "
			       "column names\n", v ? v : "?");
		}
	}
	if ((v = cli_migrate_get(m, sect, "runonreceive")))
		cli_migrate_opt("", "runonreceive", v);
	if ((v = cli_migrate_get(m, sect, "deliveryreport")))
		printf("report = %s\n", strcasecmp(v, "no") == 0 ? "false"
								  : "true");
	if ((v = cli_migrate_get(m, sect, "maxretries")))
		printf("max_attempts = %d\n", atoi(v) + 1);
	cli_migrate_unmapped(m, sect, "", "no equivalent in smsgw.conf");
	printf("\nmodem ");
	cli_migrate_str(phone ? phone : "gammu");
	printf(" {\n");
	v = cli_migrate_get(m, "gammu", "device");
	if (!v)
		v = cli_migrate_get(m, "gammu", "port");
	cli_migrate_opt("\t", "device", v ? v : "/dev/ttyUSB0");
	conn = cli_migrate_get(m, "gammu", "connection");
	/* gammurc(5): "at" then an optional speed, "at115200". */
	if (conn && strncasecmp(conn, "at", 2) == 0 &&
	    isdigit((unsigned char)conn[2]))
		printf("\tbaudrate = %s\n", conn + 2);
	else if (conn && strncasecmp(conn, "at", 2) != 0)
		printf("\t# connection = %s: smsgw speaks AT commands only\n",
		       conn);
	if (pin)
		cli_migrate_opt("\t", "pin", pin);
	if (smsc)
		cli_migrate_opt("\t", "smsc", smsc);
	cli_migrate_unmapped(m, "gammu", "\t", "no equivalent (Gammu library setting)");
	printf("\tsim \"1\" { }\n}\n");
	for (size_t i = 0; i < m->n; i++)
		cli_migrate_unmapped(m, m->kv[i].section, "", "section not used by "
			     "gammu-smsd's default configuration");
	return CLI_OK;
}

int cli_migrate(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { 0 } };
	struct mig m = { 0 };
	int rc;

	/* -c and --help anywhere (cli_help.c has the text). */
	if (cli_getopt(cli, argc, argv, "", opts) != -1)
		return cli_usage("migrate: unknown option");
	argc -= optind - 1;
	argv += optind - 1;
	if (argc != 3)
		return cli_usage("migrate: expected smstools3|gammu FILE");
	if (strcmp(argv[1], "smstools3") != 0 && strcmp(argv[1], "gammu") != 0)
		return cli_usage("migrate: '%s' is not smstools3 or gammu",
				 argv[1]);
	rc = cli_migrate_read(&m, argv[2]);
	if (rc == CLI_OK)
		rc = argv[1][0] == 's' ? cli_migrate_smstools(&m)
				       : cli_migrate_gammu(&m);
	cli_migrate_free(&m);
	return rc;
}
