/*
 * ms_at — command lines (ITU-T V.250 §5: "AT", basic commands run
 * together, extended commands chained with ';') and the TS 27.007
 * commands every modem answers.
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

enum ms_res ms_at_need_sim(struct ms_modem *m, bool cms)
{
	const struct ms_slot *sl = ms_modem_slot(m);

	if (!sl->present) {
		m->err = cms ? 310 : 10;
	} else if (sl->pin[0] && !sl->unlocked) {
		m->err = cms ? 311 : sl->pin_tries ? 11 : 12;
	} else if (cms && !m->sms_ready) {
		m->err = 314;	/* SIM busy: SMS not initialised yet */
	} else {
		return MS_RES_OK;
	}
	return cms ? MS_RES_CMS : MS_RES_CME;
}

/* ---- identification ---- */

static enum ms_res ms_at_cgmi(struct ms_modem *m, enum ms_form f,
			      const char *a)
{
	(void)a;
	if (f == MS_FORM_EXEC)
		ms_modem_info(m, "%s", m->pers->manufacturer);
	return f == MS_FORM_EXEC || f == MS_FORM_TEST ? MS_RES_OK
						      : MS_RES_ERROR;
}

static enum ms_res ms_at_cgmm(struct ms_modem *m, enum ms_form f,
			      const char *a)
{
	(void)a;
	if (f == MS_FORM_EXEC)
		ms_modem_info(m, "%s", m->pers->model);
	return f == MS_FORM_EXEC || f == MS_FORM_TEST ? MS_RES_OK
						      : MS_RES_ERROR;
}

static enum ms_res ms_at_cgmr(struct ms_modem *m, enum ms_form f,
			      const char *a)
{
	(void)a;
	if (f == MS_FORM_EXEC)
		ms_modem_info(m, "%s", m->pers->revision);
	return f == MS_FORM_EXEC || f == MS_FORM_TEST ? MS_RES_OK
						      : MS_RES_ERROR;
}

static enum ms_res ms_at_cgsn(struct ms_modem *m, enum ms_form f,
			      const char *a)
{
	(void)a;
	if (f == MS_FORM_EXEC)
		ms_modem_info(m, "%s", m->imei);
	return f == MS_FORM_EXEC || f == MS_FORM_TEST ? MS_RES_OK
						      : MS_RES_ERROR;
}

static enum ms_res ms_at_cimi(struct ms_modem *m, enum ms_form f,
			      const char *a)
{
	enum ms_res r = ms_at_need_sim(m, false);

	(void)a;
	if (f == MS_FORM_TEST)
		return MS_RES_OK;
	if (f != MS_FORM_EXEC)
		return MS_RES_ERROR;
	if (r == MS_RES_OK)
		ms_modem_info(m, "%s", ms_modem_slot(m)->imsi);
	return r;
}

static enum ms_res ms_at_ccid(struct ms_modem *m, enum ms_form f,
			      const char *a)
{
	const struct ms_slot *sl = ms_modem_slot(m);

	(void)a;
	if (f == MS_FORM_TEST)
		return MS_RES_OK;
	if (f == MS_FORM_SET)
		return MS_RES_ERROR;
	if (!sl->present) {
		m->err = 10;
		return MS_RES_CME;
	}
	/* The ICCID is readable before the PIN on every modem we know. */
	ms_modem_info(m, "%s%s", m->pers->ccid_prefix, sl->iccid);
	return MS_RES_OK;
}

static enum ms_res ms_at_gcap(struct ms_modem *m, enum ms_form f,
			      const char *a)
{
	(void)a;
	if (f == MS_FORM_EXEC)
		ms_modem_info(m, "+GCAP: +CGSM");
	return MS_RES_OK;
}

/* ---- settings ---- */

static enum ms_res ms_at_cmee(struct ms_modem *m, enum ms_form f,
			      const char *a)
{
	switch (f) {
	case MS_FORM_READ:
		ms_modem_info(m, "+CMEE: %d", m->set.cmee);
		return MS_RES_OK;
	case MS_FORM_TEST:
		ms_modem_info(m, "+CMEE: (0-2)");
		return MS_RES_OK;
	case MS_FORM_SET:
		return ms_at_int(a, 0, 2, &m->set.cmee) ? MS_RES_OK
							 : MS_RES_ERROR;
	default:
		m->set.cmee = 0;
		return MS_RES_OK;
	}
}

static enum ms_res ms_at_cscs(struct ms_modem *m, enum ms_form f,
			      const char *a)
{
	char buf[16], *v[1];

	switch (f) {
	case MS_FORM_READ:
		ms_modem_info(m, "+CSCS: \"%s\"", m->set.cscs);
		return MS_RES_OK;
	case MS_FORM_TEST:
		ms_modem_info(m, "+CSCS: (\"IRA\",\"GSM\",\"UCS2\")");
		return MS_RES_OK;
	case MS_FORM_SET:
		snprintf(buf, sizeof(buf), "%s", a);
		if (ms_at_fields(buf, v, 1) != 1 ||
		    (strcmp(v[0], "IRA") && strcmp(v[0], "GSM") &&
		     strcmp(v[0], "UCS2"))) {
			m->err = 4;
			return MS_RES_CME;
		}
		snprintf(m->set.cscs, sizeof(m->set.cscs), "%s", v[0]);
		return MS_RES_OK;
	default:
		return MS_RES_ERROR;
	}
}

static enum ms_res ms_at_cpin(struct ms_modem *m, enum ms_form f,
			      const char *a)
{
	struct ms_slot *sl = ms_modem_slot(m);
	char buf[64], *v[2];
	int n;

	if (!sl->present) {
		m->err = 10;
		return MS_RES_CME;
	}
	if (f == MS_FORM_TEST)
		return MS_RES_OK;
	if (f == MS_FORM_READ) {
		ms_modem_info(m, "+CPIN: %s",
			      !sl->pin[0] || sl->unlocked ? "READY"
			      : sl->pin_tries ? "SIM PIN" : "SIM PUK");
		return MS_RES_OK;
	}
	if (f != MS_FORM_SET)
		return MS_RES_ERROR;
	snprintf(buf, sizeof(buf), "%s", a);
	n = ms_at_fields(buf, v, 2);
	if (!sl->pin[0] || sl->unlocked) {
		m->err = 3;	/* nothing to unlock */
		return MS_RES_CME;
	}
	if (!sl->pin_tries) {
		/* TS 27.007 §8.3: +CPIN=<puk>,<newpin> when PUK is asked. */
		if (n != 2 || strcmp(v[0], sl->puk)) {
			m->err = 16;
			return MS_RES_CME;
		}
		snprintf(sl->pin, sizeof(sl->pin), "%s", v[1]);
	} else if (n < 1 || strcmp(v[0], sl->pin)) {
		sl->pin_tries--;
		m->err = sl->pin_tries ? 16 : 12;
		return MS_RES_CME;
	}
	sl->pin_tries = 3;
	sl->unlocked = true;
	ms_modem_sim_restart(m, -1);
	return MS_RES_OK;
}

static enum ms_res ms_at_csq(struct ms_modem *m, enum ms_form f,
			     const char *a)
{
	(void)a;
	if (f == MS_FORM_TEST) {
		ms_modem_info(m, "+CSQ: (0-31,99),(0-7,99)");
		return MS_RES_OK;
	}
	if (f != MS_FORM_EXEC)
		return MS_RES_ERROR;
	ms_modem_info(m, "+CSQ: %d,99", m->registered ? m->knobs.rssi : 99);
	return MS_RES_OK;
}

/* +CREG, +CGREG, +CEREG: the same shape (TS 27.007 §7.2, §10.1.20/22). */
static enum ms_res ms_at_reg(struct ms_modem *m, enum ms_form f,
			     const char *a, const char *name, int *n)
{
	int stat = m->registered ? m->knobs.reg
		   : m->cfun == 1 && ms_modem_sim_ready(m) && m->knobs.reg ? 2
		   : 0;

	switch (f) {
	case MS_FORM_READ:
		if (*n == 2 && m->registered)
			ms_modem_info(m, "%s: %d,%d,\"1A2B\",\"00C3D4E%d\"",
				      name, *n, stat, m->index % 10);
		else
			ms_modem_info(m, "%s: %d,%d", name, *n, stat);
		return MS_RES_OK;
	case MS_FORM_TEST:
		ms_modem_info(m, "%s: (0-2)", name);
		return MS_RES_OK;
	case MS_FORM_SET:
		return ms_at_int(a, 0, 2, n) ? MS_RES_OK : MS_RES_ERROR;
	default:
		*n = 0;
		return MS_RES_OK;
	}
}

static enum ms_res ms_at_creg(struct ms_modem *m, enum ms_form f,
			      const char *a)
{
	return ms_at_reg(m, f, a, "+CREG", &m->set.creg_n);
}

static enum ms_res ms_at_cgreg(struct ms_modem *m, enum ms_form f,
			       const char *a)
{
	return ms_at_reg(m, f, a, "+CGREG", &m->set.cgreg_n);
}

static enum ms_res ms_at_cereg(struct ms_modem *m, enum ms_form f,
			       const char *a)
{
	if (!m->pers->eps)
		return MS_RES_ERROR;
	return ms_at_reg(m, f, a, "+CEREG", &m->set.cereg_n);
}

static enum ms_res ms_at_cops(struct ms_modem *m, enum ms_form f,
			      const char *a)
{
	(void)a;
	switch (f) {
	case MS_FORM_READ:
		if (!m->registered)
			ms_modem_info(m, "+COPS: 0");
		else
			ms_modem_info(m, "+COPS: 0,0,\"%s\",%d",
				      ms_modem_slot(m)->operator,
				      m->pers->act);
		return MS_RES_OK;
	case MS_FORM_TEST:
		ms_modem_info(m, "+COPS: (2,\"%s\",\"%s\",\"310260\",%d),,"
			      "(0-4),(0-2)", ms_modem_slot(m)->operator,
			      ms_modem_slot(m)->operator, m->pers->act);
		return MS_RES_OK;
	default:
		return MS_RES_OK;
	}
}

static enum ms_res ms_at_cfun(struct ms_modem *m, enum ms_form f,
			      const char *a)
{
	char buf[32], *v[2];
	int fun, rst = 0;

	switch (f) {
	case MS_FORM_READ:
		ms_modem_info(m, "+CFUN: %d", m->cfun);
		return MS_RES_OK;
	case MS_FORM_TEST:
		ms_modem_info(m, "+CFUN: (0,1,4),(0-1)");
		return MS_RES_OK;
	case MS_FORM_SET:
		break;
	default:
		return MS_RES_ERROR;
	}
	snprintf(buf, sizeof(buf), "%s", a);
	switch (ms_at_fields(buf, v, 2)) {
	case 2:
		if (!ms_at_int(v[1], 0, 1, &rst))
			return MS_RES_ERROR;
		/* fall through */
	case 1:
		if (!ms_at_int(v[0], 0, 4, &fun) || fun == 2 || fun == 3)
			return MS_RES_ERROR;
		break;
	default:
		return MS_RES_ERROR;
	}
	if (rst) {
		/* TS 27.007 §8.2: reset before setting the level. */
		m->reboot_pending = true;
		return MS_RES_OK;
	}
	m->cfun = fun;
	if (fun != 1) {
		m->registered = false;
	} else if (!m->registered && ms_modem_sim_ready(m)) {
		ms_modem_sim_restart(m, -1);
	}
	return MS_RES_OK;
}

static enum ms_res ms_at_cnum(struct ms_modem *m, enum ms_form f,
			      const char *a)
{
	const struct ms_slot *sl = ms_modem_slot(m);
	enum ms_res r = ms_at_need_sim(m, false);

	(void)a;
	if (f == MS_FORM_TEST || r != MS_RES_OK)
		return r;
	/* TS 27.007 §7.1: the MSISDN as the SIM stores it; many SIMs don't. */
	if (sl->number[0])
		ms_modem_info(m, "+CNUM: ,\"%s\",%d", sl->number,
			      sl->number[0] == '+' ? 145 : 129);
	return MS_RES_OK;
}

static enum ms_res ms_at_cpas(struct ms_modem *m, enum ms_form f,
			      const char *a)
{
	(void)a;
	if (f == MS_FORM_EXEC)
		ms_modem_info(m, "+CPAS: 0");
	else if (f == MS_FORM_TEST)
		ms_modem_info(m, "+CPAS: (0-5)");
	return MS_RES_OK;
}

static enum ms_res ms_at_ok(struct ms_modem *m, enum ms_form f,
			    const char *a)
{
	(void)m;
	(void)f;
	(void)a;
	return MS_RES_OK;
}

const struct ms_cmd ms_at_cmds[] = {
	{ "+CGMI", ms_at_cgmi }, { "+GMI", ms_at_cgmi },
	{ "+CGMM", ms_at_cgmm }, { "+GMM", ms_at_cgmm },
	{ "+CGMR", ms_at_cgmr }, { "+GMR", ms_at_cgmr },
	{ "+CGSN", ms_at_cgsn }, { "+GSN", ms_at_cgsn },
	{ "+CIMI", ms_at_cimi }, { "+CCID", ms_at_ccid },
	{ "+GCAP", ms_at_gcap }, { "+CMEE", ms_at_cmee },
	{ "+CSCS", ms_at_cscs }, { "+CPIN", ms_at_cpin },
	{ "+CSQ", ms_at_csq }, { "+CREG", ms_at_creg },
	{ "+CGREG", ms_at_cgreg }, { "+CEREG", ms_at_cereg },
	{ "+COPS", ms_at_cops }, { "+CFUN", ms_at_cfun },
	{ "+CNUM", ms_at_cnum }, { "+CPAS", ms_at_cpas },
	{ "+IPR", ms_at_ok }, { "+IFC", ms_at_ok }, { "+CLIP", ms_at_ok },
	{ "+CRC", ms_at_ok },
	{ NULL, NULL },
};

const struct ms_cmd *ms_at_find(const struct ms_modem *m, const char *name)
{
	const struct ms_cmd *tables[] = { ms_at_cmds, ms_sms_cmds,
					  m->pers->cmds };

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

enum ms_res ms_at_dispatch(struct ms_modem *m, const char *cmd)
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
		if (strchr("+^*$%#", *p)) {
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
