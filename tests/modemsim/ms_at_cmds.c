/*
 * ms_at_cmds — the TS 27.007 commands every modem answers: identification,
 * SIM and PIN, registration, functionality, error reporting and character
 * set. Command lines are parsed and dispatched by ms_at.c.
 */
#include "ms.h"

#include <string.h>

enum ms_res ms_at_need_sim(struct ms_modem *m, bool cms)
{
	const struct ms_slot *sl = ms_modem_slot(m);

	if (!sl->present) {
		m->err = cms ? 310 : 10;
	} else if (sl->pin[0] && !sl->unlocked) {
		m->err = cms ? 311 : sl->pin_tries ? 11 : 12;
	} else if (cms && !m->sms_ready) {
		/* SIM busy: SMS not initialised yet (Quectel: 500). */
		m->err = m->pers->sms_busy_code ? m->pers->sms_busy_code : 314;
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
		ms_modem_info(m, "%s", m->manufacturer[0] ? m->manufacturer
						       : m->pers->manufacturer);
	return f == MS_FORM_EXEC || f == MS_FORM_TEST ? MS_RES_OK
						      : MS_RES_ERROR;
}

static enum ms_res ms_at_cgmm(struct ms_modem *m, enum ms_form f,
			      const char *a)
{
	(void)a;
	if (f == MS_FORM_EXEC)
		ms_modem_info(m, "%s", m->model[0] ? m->model
						: m->pers->model);
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

enum ms_res ms_at_iccid(struct ms_modem *m, enum ms_form f,
			const char *prefix)
{
	const struct ms_slot *sl = ms_modem_slot(m);

	if (f == MS_FORM_TEST)
		return MS_RES_OK;
	if (!sl->present) {
		m->err = 10;
		return MS_RES_CME;
	}
	/* The ICCID is readable before the PIN on every modem we know. */
	ms_modem_info(m, "%s%s", prefix, sl->iccid);
	return MS_RES_OK;
}

static enum ms_res ms_at_ccid(struct ms_modem *m, enum ms_form f,
			      const char *a)
{
	(void)a;
	if (f == MS_FORM_SET || m->pers->no_ccid)
		return MS_RES_ERROR;
	return ms_at_iccid(m, f, m->pers->ccid_prefix);
}

/*
 * TS 27.007 §8.18 restricted SIM access; only READ BINARY (176) of
 * EF_ICCID (2FE2 = 12258, TS 31.102 §4.1.1.1 / TS 51.011 §10.1.1): 10
 * bytes of BCD with the digits of each byte swapped, "F" filling.
 */
static enum ms_res ms_at_crsm(struct ms_modem *m, enum ms_form f,
			      const char *a)
{
	const struct ms_slot *sl = ms_modem_slot(m);
	char buf[64], *v[5], hex[21];
	int cmd, fid;
	size_t k, n;

	if (f == MS_FORM_TEST)
		return MS_RES_OK;
	if (f != MS_FORM_SET)
		return MS_RES_ERROR;
	snprintf(buf, sizeof(buf), "%s", a);
	if (ms_at_fields(buf, v, 5) < 2 || !ms_at_int(v[0], 0, 255, &cmd) ||
	    !ms_at_int(v[1], 0, 65535, &fid))
		return MS_RES_ERROR;
	if (!sl->present) {
		m->err = 10;
		return MS_RES_CME;
	}
	if (cmd != 176 || fid != 12258) {
		/* SW1 SW2 6A 82: file not found. */
		ms_modem_info(m, "+CRSM: 106,130");
		return MS_RES_OK;
	}
	n = strlen(sl->iccid);
	for (k = 0; k < 20; k += 2) {
		hex[k] = k + 1 < n ? sl->iccid[k + 1] : 'F';
		hex[k + 1] = k < n ? sl->iccid[k] : 'F';
	}
	hex[20] = 0;
	ms_modem_info(m, "+CRSM: 144,0,\"%s\"", hex);
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
		/* Older Wavecom firmware: the line, and no final. */
		return m->pers->cpin_no_final ? MS_RES_NONE : MS_RES_OK;
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
		if (m->pers->cfun_reset && ms_at_int(v[0], m->pers->cfun_reset,
						     m->pers->cfun_reset, &fun)) {
			/* The family's own reset level (u-blox +CFUN=16,
			 * Fibocom +CFUN=15): a restart, the level stays. */
			m->reboot_pending = true;
			return MS_RES_OK;
		}
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

/*
 * TS 27.007 §7.15: AT+CUSD=1,"<code>",15 is answered OK, then the
 * network's answer comes as a URC. *100# a balance (GSM alphabet), *102#
 * the same in UCS2 (<dcs> 72, as many operators send it), *135# the
 * SIM's own number, *111# a menu that waits for a reply (<m> 1): "1"
 * answers it with the balance, "2" with a second menu, whose "1" ends
 * the session; AT+CUSD=2 cancels it. *100*...# (a code with arguments,
 * up to the 160 characters of a USSD string) is echoed back as
 * "Accepted: <code>". Any other code: "+CUSD: 4" (not supported).
 */
static enum ms_res ms_at_cusd(struct ms_modem *m, enum ms_form f,
			      const char *a)
{
	const struct ms_slot *sl = ms_modem_slot(m);
	enum ms_res r = ms_at_need_sim(m, false);
	char buf[MS_LINE_MAX], line[MS_LINE_MAX], *v[3];

	if (f == MS_FORM_TEST) {
		ms_modem_info(m, "+CUSD: (0-2)");
		return MS_RES_OK;
	}
	if (r != MS_RES_OK || f != MS_FORM_SET)
		return r != MS_RES_OK ? r : MS_RES_ERROR;
	snprintf(buf, sizeof(buf), "%s", a);
	if (ms_at_fields(buf, v, 3) < 2) {
		if (!strcmp(buf, "2"))
			m->ussd_menu = 0;	/* <n> 2: cancel the session */
		return MS_RES_OK;
	}
	if (m->ussd_menu && v[1][0] != '*') {
		/* The answer to a menu. */
		if (m->ussd_menu == 1 && !strcmp(v[1], "2")) {
			m->ussd_menu = 2;
			snprintf(line, sizeof(line), "+CUSD: 1,\"1 Data 1 GB "
				 "2 Back\",15");
		} else if (m->ussd_menu == 1 && !strcmp(v[1], "1")) {
			m->ussd_menu = 0;
			snprintf(line, sizeof(line), "+CUSD: 0,\"Balance: 5.00 "
				 "EUR\",15");
		} else if (m->ussd_menu == 2 && !strcmp(v[1], "1")) {
			m->ussd_menu = 0;
			snprintf(line, sizeof(line), "+CUSD: 0,\"Data 1 GB "
				 "booked\",15");
		} else {
			m->ussd_menu = 0;
			snprintf(line, sizeof(line), "+CUSD: 2");
		}
		ms_modem_urc(m, line);
		return MS_RES_OK;
	}
	m->ussd_menu = 0;
	if (!strcmp(v[1], "*100#"))
		snprintf(line, sizeof(line), "+CUSD: 0,\"Balance: 5.00 EUR, "
			 "valid until 31.12.\",15");
	else if (!strcmp(v[1], "*102#"))
		/* "Guthaben: 5,00 €" in UCS2. */
		snprintf(line, sizeof(line), "+CUSD: 0,\"004700750074006800610062"
			 "0065006E003A00200035002C0030003020AC\",72");
	else if (!strcmp(v[1], "*135#") && sl->number[0])
		snprintf(line, sizeof(line), "+CUSD: 0,\"Your number is %s\",15",
			 sl->number);
	else if (!strcmp(v[1], "*135#"))
		/* A SIM without its MSISDN stored: the network knows it. */
		snprintf(line, sizeof(line), "+CUSD: 0,\"Your number is "
			 "+1555%.7s\",15", sl->imsi + (strlen(sl->imsi) > 7
							 ? strlen(sl->imsi) - 7
							 : 0));
	else if (!strcmp(v[1], "*111#")) {
		m->ussd_menu = 1;
		snprintf(line, sizeof(line),
			 "+CUSD: 1,\"1 Balance 2 Offers\",15");
	} else if (!strncmp(v[1], "*100*", 5) && strlen(v[1]) <= 160)
		snprintf(line, sizeof(line), "+CUSD: 0,\"Accepted: %s\",15",
			 v[1]);
	else
		snprintf(line, sizeof(line), "+CUSD: 4");
	ms_modem_urc(m, line);
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

enum ms_res ms_at_ok(struct ms_modem *m, enum ms_form f, const char *a)
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
	{ "+CRSM", ms_at_crsm },
	{ "+GCAP", ms_at_gcap }, { "+CMEE", ms_at_cmee },
	{ "+CSCS", ms_at_cscs }, { "+CPIN", ms_at_cpin },
	{ "+CSQ", ms_at_csq }, { "+CREG", ms_at_creg },
	{ "+CGREG", ms_at_cgreg }, { "+CEREG", ms_at_cereg },
	{ "+COPS", ms_at_cops }, { "+CFUN", ms_at_cfun },
	{ "+CNUM", ms_at_cnum }, { "+CPAS", ms_at_cpas },
	{ "+IPR", ms_at_ok }, { "+IFC", ms_at_ok }, { "+CLIP", ms_at_ok },
	{ "+CRC", ms_at_ok }, { "+CHUP", ms_at_ok },
	{ "+CUSD", ms_at_cusd },
	{ NULL, NULL },
};
