/*
 * ms_at — command lines (ITU-T V.250 §5: "AT", basic commands run
 * together, extended commands chained with ';'): parsing, the basic
 * commands (V.250 §6), and dispatch to the command tables of ms_at_cmds.c,
 * ms_sms.c and the personality's vendor table.
 */
#include "ms.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int ms_at_fields(char *args, char **fields, int n)
{
	int count = 0;
	char *p = args, *w = args;
	bool quoted = false;

	if (!*args)
		return 0;
	fields[count++] = w;
	for (; *p; p++) {
		if (*p == '"') {
			quoted = !quoted;
			continue;
		}
		if (*p == ',' && !quoted) {
			*w++ = 0;
			if (count == n)
				return count;
			fields[count++] = w;
			continue;
		}
		*w++ = *p;
	}
	*w = 0;
	return count;
}

bool ms_at_int(const char *s, int min, int max, int *out)
{
	char *end;
	long v;

	while (*s == ' ')
		s++;
	if (!*s)
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	while (*end == ' ')
		end++;
	if (*end || errno || v < min || v > max)
		return false;
	*out = (int)v;
	return true;
}

/* Standard command table, then the personality's. NULL if unknown. */
static const struct ms_cmd *ms_at_find(const struct ms_modem *m,
				       const char *name)
{
	const struct ms_cmd *tables[] = { ms_at_cmds, ms_sms_cmds,
					  ms_link_cmds, m->pers->cmds };

	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct ms_cmd *c = tables[t]; c && c->name; c++)
			if (!strcasecmp(c->name, name))
				return c;
	/* A dual-SIM modem of any personality switches slots the Quectel
	 * way (AT+QDSIM, see ms_vendor.c). */
	if (m->nslots > 1)
		for (const struct ms_cmd *c = ms_vendor_quectel; c->name; c++)
			if (!strcasecmp(c->name, name))
				return c;
	return NULL;
}

/* ---- basic commands (V.250 §6) ---- */

static enum ms_res ms_at_basic(struct ms_modem *m, char cmd, int val,
			       bool amp)
{
	if (amp)
		switch (cmd) {
		case 'F':
			ms_modem_settings_reset(m);
			return MS_RES_OK;
		case 'C': case 'D': case 'K': case 'S': case 'W': case 'V':
			return MS_RES_OK;
		default:
			return MS_RES_ERROR;
		}
	switch (cmd) {
	case 'E':
		if (val > 1)
			return MS_RES_ERROR;
		m->set.echo = val == 1;
		return MS_RES_OK;
	case 'Z':
		ms_modem_settings_reset(m);
		return MS_RES_OK;
	case 'I':
		for (const char *const *l = m->pers->ati; *l; l++) {
			const char *p = strstr(*l, "{imei}");

			if (p)
				ms_modem_info(m, "%.*s%s%s", (int)(p - *l), *l,
					      m->imei, p + 6);
			else
				ms_modem_info(m, "%s", *l);
		}
		return MS_RES_OK;
	case 'V': case 'Q': case 'X': case 'L': case 'M': case 'H':
		return val <= 4 ? MS_RES_OK : MS_RES_ERROR;
	default:
		return MS_RES_ERROR;
	}
}

/* Parses one basic command at *pp (E0, &F, S0=0, Z); advances *pp. */
static enum ms_res ms_at_basic_next(struct ms_modem *m, const char **pp)
{
	const char *p = *pp;
	bool amp = false;
	char cmd;
	int val = 0;

	if (*p == '&') {
		amp = true;
		p++;
	}
	cmd = (char)toupper((unsigned char)*p++);
	if (!isalpha((unsigned char)cmd))
		return MS_RES_ERROR;
	if (cmd == 'S' && !amp) {
		/* S-registers: Sn=v or Sn? — accepted and ignored. */
		while (isdigit((unsigned char)*p))
			p++;
		if (*p == '?') {
			p++;
			ms_modem_info(m, "000");
		} else if (*p == '=') {
			p++;
			while (isdigit((unsigned char)*p))
				p++;
		}
		*pp = p;
		return MS_RES_OK;
	}
	while (isdigit((unsigned char)*p))
		val = val * 10 + (*p++ - '0');
	*pp = p;
	return ms_at_basic(m, cmd, val, amp);
}

static enum ms_res ms_at_dispatch(struct ms_modem *m, const char *cmd)
{
	char name[32], args[MS_LINE_MAX];
	const char *p = cmd, *eq;
	enum ms_form form = MS_FORM_EXEC;
	const struct ms_cmd *c;
	size_t n = 0;

	while (*p && *p != '=' && *p != '?' && n + 1 < sizeof(name))
		name[n++] = (char)toupper((unsigned char)*p++);
	name[n] = 0;
	eq = p;
	args[0] = 0;
	if (eq[0] == '=' && eq[1] == '?') {
		form = MS_FORM_TEST;
	} else if (eq[0] == '=') {
		form = MS_FORM_SET;
		snprintf(args, sizeof(args), "%s", eq + 1);
	} else if (eq[0] == '?') {
		form = MS_FORM_READ;
	}
	c = ms_at_find(m, name);
	if (!c) {
		/* TS 27.007 §9.1: unknown commands say ERROR or, with +CMEE,
		 * "operation not supported". */
		m->err = 4;
		return MS_RES_CME;
	}
	return c->fn(m, form, args);
}

/* The end of one extended command: ';' or the line's end, not in quotes. */
static const char *ms_at_cmd_end(const char *p)
{
	bool quoted = false;

	for (; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ';' && !quoted)
			break;
	}
	return p;
}

void ms_at_line(struct ms_modem *m, const char *line)
{
	const char *p = line;
	enum ms_res res = MS_RES_OK;

	while (*p && res == MS_RES_OK) {
		if (*p == ' ' || *p == ';') {
			p++;
			continue;
		}
		if (isalpha((unsigned char)*p) || *p == '&') {
			res = ms_at_basic_next(m, &p);
			continue;
		}
		if (strchr("+^*$%#!", *p)) {
			const char *end = ms_at_cmd_end(p);
			char cmd[MS_LINE_MAX];

			snprintf(cmd, sizeof(cmd), "%.*s", (int)(end - p), p);
			p = end;
			m->resp_started = false;
			res = ms_at_dispatch(m, cmd);
			continue;
		}
		res = MS_RES_ERROR;
	}
	ms_modem_finish(m, res);
	if (m->reboot_pending) {
		m->reboot_pending = false;
		ms_modem_reboot(m);
	}
}
