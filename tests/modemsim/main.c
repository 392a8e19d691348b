/*
 * smsgw-modemsim — simulated GSM modems on pseudo-terminals.
 *
 *	smsgw-modemsim --modems 4 --dir /tmp/sim
 *
 * Options, the spec syntax and the control protocol are in
 * man/smsgw-modemsim.1 and README.md (section simulator).
 */
#include "ms.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: smsgw-modemsim --dir DIR [--modems N] [--personality P]\n"
		"                      [--modem SPEC]... [--config FILE] [--seed N]\n"
		"\n"
		"  --dir DIR          where the modem symlinks, control socket, logs\n"
		"                     and network.jsonl go (created if missing)\n"
		"  --modems N         number of modems (1-%d, default 1)\n"
		"  --personality P    for every modem: %s\n"
		"  --modem SPEC       \"N:key=value,...\" or \"all:key=value,...\"\n"
		"                     (personality, imei, name, manufacturer, model,\n"
		"                     slots, me_size, slotN.field, knobs)\n"
		"  --config FILE      one SPEC per line, # comments\n"
		"  --seed N           random seed (default 1)\n"
		"\n"
		"Ready when DIR/ready exists and \"ready\" is printed on stdout.\n",
		MS_MODEMS_MAX, ms_pers_names());
}

/* Applies "N:list" or "all:list" to the modems. */
static bool main_spec(struct ms *ms, const char *spec, const char *where)
{
	const char *colon = strchr(spec, ':');
	char err[256];
	char *end;
	long n;

	if (!colon) {
		fprintf(stderr, "smsgw-modemsim: %s: \"%s\": want N:key=value\n",
			where, spec);
		return false;
	}
	if (!strncmp(spec, "all:", 4)) {
		for (int i = 0; i < ms->nmodems; i++)
			if (!ms_config_apply_list(ms->modems[i], colon + 1, err,
						  sizeof(err)))
				goto bad;
		return true;
	}
	n = strtol(spec, &end, 10);
	if (end != colon || n < 0 || n >= ms->nmodems) {
		fprintf(stderr, "smsgw-modemsim: %s: no modem \"%.*s\"\n",
			where, (int)(colon - spec), spec);
		return false;
	}
	if (ms_config_apply_list(ms->modems[n], colon + 1, err, sizeof(err)))
		return true;
bad:
	fprintf(stderr, "smsgw-modemsim: %s: %s\n", where, err);
	return false;
}

static bool main_config_file(struct ms *ms, const char *path)
{
	char line[1024], where[PATH_MAX + 32];
	FILE *f = fopen(path, "r");
	int no = 0;
	bool ok = true;

	if (!f) {
		fprintf(stderr, "smsgw-modemsim: %s: %s\n", path,
			strerror(errno));
		return false;
	}
	while (ok && fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t");

		no++;
		p[strcspn(p, "\r\n")] = 0;
		if (!*p || *p == '#')
			continue;
		snprintf(where, sizeof(where), "%s:%d", path, no);
		ok = main_spec(ms, p, where);
	}
	fclose(f);
	return ok;
}

static void main_signal(struct loop *loop, int signo, void *ud)
{
	(void)signo;
	(void)ud;
	loop_stop(loop);
}

static int main_ready(struct ms *ms)
{
	char path[PATH_MAX + 16], tmp[PATH_MAX + 16];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s/.ready.tmp", ms->dir);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "{\"pid\":%d,\"control\":", (int)getpid());
	snprintf(path, sizeof(path), "%s/control", ms->dir);
	json_str(f, path);
	fputs(",\"network\":", f);
	snprintf(path, sizeof(path), "%s/network.jsonl", ms->dir);
	json_str(f, path);
	fputs(",\"modems\":[", f);
	for (int i = 0; i < ms->nmodems; i++) {
		fprintf(f, "%s{\"index\":%d,\"path\":", i ? "," : "", i);
		json_str(f, ms->modems[i]->link);
		fprintf(f, ",\"imei\":\"%s\",\"iccid\":\"%s\"}",
			ms->modems[i]->imei, ms->modems[i]->slots[0].iccid);
	}
	fputs("]}\n", f);
	if (fclose(f) != 0)
		return -errno;
	snprintf(path, sizeof(path), "%s/ready", ms->dir);
	if (rename(tmp, path) < 0)
		return -errno;
	printf("smsgw-modemsim: ready: %d modems in %s\n", ms->nmodems,
	       ms->dir);
	fflush(stdout);
	return 0;
}

static int main_start(struct ms *ms)
{
	char path[PATH_MAX + 16];
	int err;

	snprintf(path, sizeof(path), "%s/ready", ms->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/network.jsonl", ms->dir);
	ms->network = fopen(path, "w");
	if (!ms->network) {
		fprintf(stderr, "smsgw-modemsim: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	for (int i = 0; i < ms->nmodems; i++) {
		struct ms_modem *m = ms->modems[i];

		if (!ms_config_modem_ready(m))
			return -1;
		ms_modem_init(m);
		err = ms_modem_plug(m);
		if (err) {
			fprintf(stderr, "smsgw-modemsim: modem %d: %s\n", i,
				strerror(-err));
			return -1;
		}
	}
	err = ms_ctl_open(ms);
	if (!err)
		err = main_ready(ms);
	if (err) {
		fprintf(stderr, "smsgw-modemsim: %s: %s\n", ms->dir,
			strerror(-err));
		return -1;
	}
	return 0;
}

static void main_stop(struct ms *ms)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/ready", ms->dir);
	unlink(path);
	ms_ctl_close(ms);
	for (int i = 0; i < ms->nmodems; i++)
		ms_modem_free(ms->modems[i]);
	ms_net_close(ms);
}

static const struct option main_options[] = {
	{ "dir", required_argument, NULL, 'd' },
	{ "modems", required_argument, NULL, 'n' },
	{ "personality", required_argument, NULL, 'p' },
	{ "modem", required_argument, NULL, 'm' },
	{ "config", required_argument, NULL, 'c' },
	{ "seed", required_argument, NULL, 's' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
	static struct ms ms = { .ctl_fd = -1, .next_ref = 1 };
	const struct ms_pers *pers = ms_pers_find("generic");
	const char *config = NULL, *dir = NULL;
	char **specs = calloc((size_t)argc + 1, sizeof(*specs));
	int nspecs = 0, nmodems = 1, c, rc = 1;
	unsigned long long seed = 1;

	while ((c = getopt_long(argc, argv, "d:n:p:m:c:s:h", main_options,
				NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'n': nmodems = atoi(optarg); break;
		case 'm': specs[nspecs++] = optarg; break;
		case 'c': config = optarg; break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		case 'p':
			pers = ms_pers_find(optarg);
			if (!pers) {
				fprintf(stderr, "smsgw-modemsim: unknown "
					"personality \"%s\" (known: %s)\n",
					optarg, ms_pers_names());
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("smsgw-modemsim %s\n", SMSGW_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!dir || optind != argc || nmodems < 1 ||
	    nmodems > MS_MODEMS_MAX) {
		usage(stderr);
		return 2;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "smsgw-modemsim: %s: %s\n", dir,
			strerror(errno));
		return 1;
	}
	if (!realpath(dir, ms.dir)) {
		fprintf(stderr, "smsgw-modemsim: %s: %s\n", dir,
			strerror(errno));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (loop_new(&ms.loop) < 0)
		return 1;
	for (int i = 0; i < nmodems; i++) {
		ms.modems[i] = ms_config_modem_new(&ms, i, pers, seed);
		if (!ms.modems[i])
			goto out;
		ms.nmodems++;
	}
	if (config && !main_config_file(&ms, config))
		goto out;
	for (int i = 0; i < nspecs; i++)
		if (!main_spec(&ms, specs[i], "--modem"))
			goto out;
	if (loop_signal(ms.loop, SIGTERM, main_signal, NULL) < 0 ||
	    loop_signal(ms.loop, SIGINT, main_signal, NULL) < 0 ||
	    main_start(&ms) < 0)
		goto out;
	rc = loop_run(ms.loop) < 0;
out:
	main_stop(&ms);
	loop_free(ms.loop);
	free(specs);
	return rc;
}
