/*
 * ms_sms — the TS 27.005 commands: message service and storage (+CSMS,
 * +CPMS, +CMGF, +CSCA, +CSMP, +CSDH, +CNMI), sending (+CMGS in PDU and
 * text mode), reading and deleting (+CMGL, +CMGR, +CMGD) and +CNMA.
 */
#include "ms.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const ms_sms_stat_names[] = {
	"REC UNREAD", "REC READ", "STO UNSENT", "STO SENT", "ALL"
};

struct ms_store *ms_sms_mem(struct ms_modem *m, int which)
{
	return m->set.mem[which] ? &m->me : &ms_modem_slot(m)->store;
}

const char *ms_sms_mem_name(const struct ms_modem *m, int which)
{
	return m->set.mem[which] ? "ME" : "SM";
}

static enum ms_res ms_sms_csms(struct ms_modem *m, enum ms_form f,
			       const char *a)
{
	bool phase2;

	switch (f) {
	case MS_FORM_READ:
		ms_modem_info(m, "+CSMS: %d,1,1,1", m->set.csms);
		return MS_RES_OK;
	case MS_FORM_TEST:
		ms_modem_info(m, "+CSMS: %s",
			      m->pers->csms_phase2 || m->knobs.no_csms1
				      ? "(0)" : "(0,1)");
		return MS_RES_OK;
	case MS_FORM_SET:
		/* Phase 2 only, no +CNMA: old phones, and knob no_csms1. */
		phase2 = m->pers->csms_phase2 || m->knobs.no_csms1;
		if (!ms_at_int(a, 0, phase2 ? 0 : 1, &m->set.csms)) {
			m->err = 303;
			return MS_RES_CMS;
		}
		ms_modem_info(m, "+CSMS: 1,1,1");
		return MS_RES_OK;
	default:
		return MS_RES_ERROR;
	}
}

static enum ms_res ms_sms_cpms(struct ms_modem *m, enum ms_form f,
			       const char *a)
{
	char buf[64], *v[3];
	int n, mem[3];
	enum ms_res r = ms_at_need_sim(m, true);

	if (r != MS_RES_OK)
		return r;
	if (f == MS_FORM_TEST) {
		if (m->pers->cpms_test)
			ms_modem_info(m, "%s", m->pers->cpms_test);
		else if (m->me.size)
			ms_modem_info(m, "+CPMS: (\"SM\",\"ME\"),(\"SM\",\"ME\"),"
				      "(\"SM\",\"ME\")");
		else
			ms_modem_info(m, "+CPMS: (\"SM\"),(\"SM\"),(\"SM\")");
		return MS_RES_OK;
	}
	if (f == MS_FORM_READ) {
		struct ms_store *s[3];

		for (int i = 0; i < 3; i++)
			s[i] = ms_sms_mem(m, i);
		ms_modem_info(m, "+CPMS: \"%s\",%d,%d,\"%s\",%d,%d,\"%s\",%d,%d",
			      ms_sms_mem_name(m, 0), ms_store_used(s[0]),
			      s[0]->size, ms_sms_mem_name(m, 1),
			      ms_store_used(s[1]), s[1]->size,
			      ms_sms_mem_name(m, 2), ms_store_used(s[2]),
			      s[2]->size);
		return MS_RES_OK;
	}
	if (f != MS_FORM_SET)
		return MS_RES_ERROR;
	snprintf(buf, sizeof(buf), "%s", a);
	n = ms_at_fields(buf, v, 3);
	memcpy(mem, m->set.mem, sizeof(mem));
	for (int i = 0; i < n; i++) {
		if (m->pers->mem3_me && i == 2 &&
		    strcasecmp(v[i], "ME") != 0) {
			/* The phone stores what it receives in itself. */
			m->err = 302;
			return MS_RES_CMS;
		}
		if (!strcasecmp(v[i], "SM") || !strcasecmp(v[i], "MT")) {
			mem[i] = 0;
		} else if (!strcasecmp(v[i], "ME") && m->me.size) {
			mem[i] = 1;
		} else {
			m->err = 302;
			return MS_RES_CMS;
		}
	}
	if (!n) {
		m->err = 302;
		return MS_RES_CMS;
	}
	if (mem[0] == 1 && m->knobs.cpms_refuse_me > 0) {
		m->knobs.cpms_refuse_me--;
		m->err = 302;
		return MS_RES_CMS;
	}
	memcpy(m->set.mem, mem, sizeof(mem));
	ms_modem_info(m, "+CPMS: %d,%d,%d,%d,%d,%d",
		      ms_store_used(ms_sms_mem(m, 0)), ms_sms_mem(m, 0)->size,
		      ms_store_used(ms_sms_mem(m, 1)), ms_sms_mem(m, 1)->size,
		      ms_store_used(ms_sms_mem(m, 2)), ms_sms_mem(m, 2)->size);
	return MS_RES_OK;
}

static enum ms_res ms_sms_cmgf(struct ms_modem *m, enum ms_form f,
			       const char *a)
{
	switch (f) {
	case MS_FORM_READ:
		ms_modem_info(m, "+CMGF: %d", m->set.cmgf);
		return MS_RES_OK;
	case MS_FORM_TEST:
		ms_modem_info(m, "+CMGF: (0,1)");
		return MS_RES_OK;
	case MS_FORM_SET:
		return ms_at_int(a, 0, 1, &m->set.cmgf) ? MS_RES_OK
							 : MS_RES_ERROR;
	default:
		m->set.cmgf = 0;
		return MS_RES_OK;
	}
}

static enum ms_res ms_sms_csca(struct ms_modem *m, enum ms_form f,
			       const char *a)
{
	struct ms_slot *sl = ms_modem_slot(m);
	char buf[64], *v[2];
	enum ms_res r = ms_at_need_sim(m, true);

	if (f == MS_FORM_TEST)
		return MS_RES_OK;
	if (r != MS_RES_OK)
		return r;
	if (f == MS_FORM_READ) {
		ms_modem_info(m, "+CSCA: \"%s\",%d", sl->smsc,
			      sl->smsc[0] == '+' ? 145 : 129);
		return MS_RES_OK;
	}
	if (f != MS_FORM_SET)
		return MS_RES_ERROR;
	snprintf(buf, sizeof(buf), "%s", a);
	if (ms_at_fields(buf, v, 2) < 1 || strlen(v[0]) >= sizeof(sl->smsc) ||
	    strspn(v[0] + (v[0][0] == '+'), "0123456789") !=
		    strlen(v[0] + (v[0][0] == '+'))) {
		m->err = 304;
		return MS_RES_CMS;
	}
	snprintf(sl->smsc, sizeof(sl->smsc), "%s", v[0]);
	return MS_RES_OK;
}

static enum ms_res ms_sms_csmp(struct ms_modem *m, enum ms_form f,
			       const char *a)
{
	char buf[64], *v[4];
	int n;

	if (f == MS_FORM_READ) {
		ms_modem_info(m, "+CSMP: %d,%d,%d,%d", m->set.csmp[0],
			      m->set.csmp[1], m->set.csmp[2], m->set.csmp[3]);
		return MS_RES_OK;
	}
	if (f != MS_FORM_SET)
		return MS_RES_OK;
	snprintf(buf, sizeof(buf), "%s", a);
	n = ms_at_fields(buf, v, 4);
	for (int i = 0; i < n; i++)
		if (*v[i] && !ms_at_int(v[i], 0, 255, &m->set.csmp[i]))
			return MS_RES_ERROR;
	return MS_RES_OK;
}

static enum ms_res ms_sms_csdh(struct ms_modem *m, enum ms_form f,
			       const char *a)
{
	int v;

	if (f == MS_FORM_READ) {
		ms_modem_info(m, "+CSDH: %d", m->set.csdh);
	} else if (f == MS_FORM_SET) {
		if (!ms_at_int(a, 0, 1, &v))
			return MS_RES_ERROR;
		m->set.csdh = v;
	} else if (f == MS_FORM_EXEC) {
		m->set.csdh = false;
	}
	return MS_RES_OK;
}

/*
 * The AT+CNMI=? answer: the personality's, with <mode> 3 (knob no_mode3)
 * or <mt> 2 and 3 (knob no_direct: a modem that only stores) taken out.
 */
static void ms_sms_cnmi_test(const struct ms_modem *m, char *out, size_t n)
{
	const char *t = m->pers->cnmi_test
				? m->pers->cnmi_test
				: "+CNMI: (0-3),(0-3),(0,2),(0-2),(0,1)";
	const char *p = strchr(t, '(');
	size_t len = 0;

	if (!p || !(m->knobs.no_mode3 || m->knobs.no_direct)) {
		snprintf(out, n, "%s", t);
		return;
	}
	len = (size_t)snprintf(out, n, "%.*s", (int)(p - t), t);
	for (int i = 0; *p && len < n; i++) {
		const char *q = strchr(p, ')');
		const char *field = NULL;

		if (!q)
			break;
		if (i == 0 && m->knobs.no_mode3)
			field = "(0-2)";
		else if (i == 1 && m->knobs.no_direct)
			field = "(0,1)";
		len += (size_t)snprintf(out + len, n - len, "%s%.*s",
					i ? "," : "", field ? (int)strlen(field)
							    : (int)(q - p + 1),
					field ? field : p);
		p = strchr(q, '(');
		if (!p)
			break;
	}
}

/*
 * Whether the AT+CNMI=? answer test ("+CNMI: (0-3),(1),(0,2),...")
 * allows cnmi: a modem refuses what it does not list (+CMS ERROR: 303).
 */
static bool ms_sms_cnmi_allowed(const char *test, const int *cnmi, int n)
{
	const char *p = strchr(test, ':');

	for (int i = 0; p && i < n; i++) {
		bool ok = false, paren;

		p += strspn(p, ": ,");
		if (!*p)
			break;
		paren = *p == '(';
		if (paren)
			p++;
		for (;;) {
			char *e;
			long lo, hi;

			lo = hi = strtol(p, &e, 10);
			if (e == p)
				return true;	/* not understood: allowed */
			if (*e == '-')
				hi = strtol(e + 1, &e, 10);
			ok = ok || (cnmi[i] >= lo && cnmi[i] <= hi);
			p = e;
			if (!paren || *p != ',')
				break;
			p++;
		}
		if (paren && *p == ')')
			p++;
		if (!ok)
			return false;
	}
	return true;
}

static enum ms_res ms_sms_cnmi(struct ms_modem *m, enum ms_form f,
			       const char *a)
{
	char test[96];
	static const int max[5] = { 3, 3, 3, 2, 1 };
	char buf[64], *v[5];
	int n, cnmi[5] = { 0 };

	switch (f) {
	case MS_FORM_READ:
		ms_modem_info(m, "+CNMI: %d,%d,%d,%d,%d", m->set.cnmi[0],
			      m->set.cnmi[1], m->set.cnmi[2], m->set.cnmi[3],
			      m->set.cnmi[4]);
		return MS_RES_OK;
	case MS_FORM_TEST:
		/* Knob cnmi_test_lies: firmware that lists what it then
		 * refuses. */
		if (m->knobs.cnmi_test_lies && m->pers->cnmi_test)
			snprintf(test, sizeof(test), "%s", m->pers->cnmi_test);
		else if (m->knobs.cnmi_test_lies)
			snprintf(test, sizeof(test),
				 "+CNMI: (0-3),(0-3),(0,2),(0-2),(0,1)");
		else
			ms_sms_cnmi_test(m, test, sizeof(test));
		ms_modem_info(m, "%s", test);
		return MS_RES_OK;
	case MS_FORM_SET:
		break;
	default:
		return MS_RES_OK;
	}
	snprintf(buf, sizeof(buf), "%s", a);
	n = ms_at_fields(buf, v, 5);
	for (int i = 0; i < n; i++)
		if (*v[i] && !ms_at_int(v[i], 0, max[i], &cnmi[i])) {
			m->err = 303;
			return MS_RES_CMS;
		}
	/* Cinterion: <bfr> 1 only. */
	if (m->pers->cnmi_bfr && cnmi[4] != m->pers->cnmi_bfr - 1) {
		m->err = 303;
		return MS_RES_CMS;
	}
	/* What AT+CNMI=? does not list (an old phone's <mode> 2 only; the
	 * knobs no_mode3, no_direct). */
	ms_sms_cnmi_test(m, test, sizeof(test));
	if (!ms_sms_cnmi_allowed(test, cnmi, 5)) {
		m->err = 303;
		return MS_RES_CMS;
	}
	memcpy(m->set.cnmi, cnmi, sizeof(cnmi));
	ms_net_kick(m);
	return MS_RES_OK;
}

static enum ms_res ms_sms_cmgs(struct ms_modem *m, enum ms_form f,
			       const char *a)
{
	char buf[64], *v[2];
	enum ms_res r;

	if (f == MS_FORM_TEST)
		return MS_RES_OK;
	if (f != MS_FORM_SET)
		return MS_RES_ERROR;
	r = ms_at_need_sim(m, true);
	if (r != MS_RES_OK)
		return r;
	snprintf(buf, sizeof(buf), "%s", a);
	if (ms_at_fields(buf, v, 2) < 1)
		goto bad;
	if (m->set.cmgf == 0) {
		/* TS 27.005 §3.5.1 (PDU): <length> is the TPDU in octets. */
		if (!ms_at_int(v[0], 7, 164, &m->cmgs_len))
			goto bad;
		ms_modem_prompt(m, MS_INPUT_PDU);
		return MS_RES_ASYNC;
	}
	if (!strcmp(m->set.cscs, "UCS2")) {
		if (!ms_util_ucs2_hex_to_utf8(v[0], m->cmgs_da,
					      sizeof(m->cmgs_da)))
			goto bad;
	} else {
		snprintf(m->cmgs_da, sizeof(m->cmgs_da), "%s", v[0]);
	}
	if (!m->cmgs_da[0])
		goto bad;
	ms_modem_prompt(m, MS_INPUT_TEXT);
	return MS_RES_ASYNC;
bad:
	m->err = m->set.cmgf ? 305 : 304;
	return MS_RES_CMS;
}

void ms_sms_body(struct ms_modem *m, const char *body, bool send)
{
	char text[MS_LINE_MAX];
	enum ms_res r;

	if (!send) {
		/* TS 27.005 §3.5.1: ESC quits without sending. */
		ms_modem_finish(m, MS_RES_OK);
		return;
	}
	if (m->set.cmgf == 0) {
		r = ms_net_submit_pdu(m, body, m->cmgs_len);
	} else if (!strcmp(m->set.cscs, "UCS2")) {
		if (!ms_util_ucs2_hex_to_utf8(body, text, sizeof(text))) {
			m->err = 305;
			ms_modem_finish(m, MS_RES_CMS);
			return;
		}
		r = ms_net_submit_text(m, m->cmgs_da, text);
	} else {
		r = ms_net_submit_text(m, m->cmgs_da, body);
	}
	ms_modem_finish(m, r);
}

/* "yy/MM/dd,hh:mm:ss±zz" of TS 27.005 §3.3 text mode (<scts>, <dt>). */
static void ms_sms_text_time(const struct sms_time *t, char *buf, size_t n)
{
	int q = t->tz_minutes / 15;

	snprintf(buf, n, "%02d/%02d/%02d,%02d:%02d:%02d%c%02d",
		 t->year % 100, t->month, t->day, t->hour, t->minute,
		 t->second, q < 0 ? '-' : '+', q < 0 ? -q : q);
}

/* The body line of a text-mode message: text, or hex when not GSM. */
static void ms_sms_text_body(const struct ms_modem *m,
			     const struct sms_user_data *ud, char *buf,
			     size_t n)
{
	if (ud->encoding == SMS_ENCODING_GSM7 && strcmp(m->set.cscs, "UCS2"))
		snprintf(buf, n, "%s", ud->text);
	else if (ud->encoding == SMS_ENCODING_8BIT)
		snprintf(buf, n, "%s", ud->text);
	else
		ms_util_utf8_to_ucs2_hex(ud->text, buf, n);
}

/*
 * Formats a stored or direct message for text mode: head is what follows
 * "+CMGL: <index>," / "+CMGR: " / "+CMT: ", body the line after it (empty
 * for a status report, which is one line).
 */
static bool ms_sms_text_fields(const struct ms_modem *m, const char *pdu,
			       const char *stat, char *head, size_t hn,
			       char *body, size_t bn)
{
	struct sms_pdu p;
	char err[128], t1[32], t2[32];

	if (!sms_pdu_decode(pdu, strlen(pdu), &p, err, sizeof(err)))
		return false;
	body[0] = 0;
	if (p.type == SMS_PDU_STATUS_REPORT) {
		ms_sms_text_time(&p.report.scts, t1, sizeof(t1));
		ms_sms_text_time(&p.report.discharge, t2, sizeof(t2));
		snprintf(head, hn, "%s%s6,%d,\"%s\",%d,\"%s\",\"%s\",%d",
			 stat ? stat : "", stat ? "," : "", p.report.mr,
			 p.report.recipient.text, p.report.recipient.toa, t1,
			 t2, p.report.status);
		return true;
	}
	if (p.type != SMS_PDU_DELIVER)
		return false;
	ms_sms_text_time(&p.deliver.scts, t1, sizeof(t1));
	snprintf(head, hn, "%s%s\"%s\",,\"%s\"", stat ? stat : "",
		 stat ? "," : "", p.deliver.sender.text, t1);
	ms_sms_text_body(m, &p.deliver.ud, body, bn);
	return true;
}

void ms_sms_format_direct(struct ms_modem *m, const char *pdu, int tpdu_len,
			  bool report, char *out, size_t n)
{
	char head[256], body[MS_LINE_MAX];

	if (m->set.cmgf == 0) {
		/* TS 27.005 §3.4.1: +CMT: [<alpha>],<length><CR><LF><pdu>,
		 * +CDS: <length><CR><LF><pdu>. */
		if (report)
			snprintf(out, n, "+CDS: %d\r\n%s", tpdu_len, pdu);
		else
			snprintf(out, n, "+CMT: ,%d\r\n%s", tpdu_len, pdu);
		return;
	}
	if (!ms_sms_text_fields(m, pdu, NULL, head, sizeof(head), body,
				sizeof(body))) {
		snprintf(out, n, "+CMT: ,%d\r\n%s", tpdu_len, pdu);
		return;
	}
	if (report)
		snprintf(out, n, "+CDS: %s", head);
	else
		snprintf(out, n, "+CMT: %s\r\n%s", head, body);
}

static void ms_sms_list_one(struct ms_modem *m, const char *cmd, int index,
			    struct ms_store_msg *msg)
{
	char head[256], body[MS_LINE_MAX], idx[16] = "";

	if (index >= 0)
		snprintf(idx, sizeof(idx), "%d,", index);
	if (m->set.cmgf == 0) {
		if (m->pers->cmgr_no_stat && index < 0)
			ms_modem_info(m, "%s: ,,%d", cmd, msg->tpdu_len);
		else if (m->pers->cmgr_len_only && index < 0)
			ms_modem_info(m, "%s: %d", cmd, msg->tpdu_len);
		else
			ms_modem_info(m, "%s: %s%d,,%d", cmd, idx, msg->stat,
				      msg->tpdu_len);
		if (m->pers->header_noise && !m->knobs.no_header_noise)
			ms_modem_info(m, "%s", m->pers->header_noise);
		if (m->pers->pdu_lower) {
			char low[MS_LINE_MAX];
			size_t k;

			for (k = 0; msg->pdu[k] && k + 5 < sizeof(low); k++)
				low[k] = (char)tolower((unsigned char)
						       msg->pdu[k]);
			/* Padding after the PDU (Qualcomm firmware). */
			memcpy(low + k, "FFFF", 5);
			ms_modem_info(m, "%s", low);
		} else {
			ms_modem_info(m, "%s", msg->pdu);
		}
		return;
	}
	if (!ms_sms_text_fields(m, msg->pdu, "", head, sizeof(head), body,
				sizeof(body)))
		return;
	ms_modem_info(m, "%s: %s\"%s\"%s", cmd, idx,
		      ms_sms_stat_names[msg->stat], head);
	if (!msg->report)
		ms_modem_info(m, "%s", body);
}

/* Parses a +CMGL <stat> (number in PDU mode, name in text mode). */
static bool ms_sms_store_stat_parse(const char *s, int cmgf, int *stat)
{
	if (cmgf == 0)
		return ms_at_int(s, 0, 4, stat);
	for (int i = 0; i <= 4; i++)
		if (!strcasecmp(s, ms_sms_stat_names[i])) {
			*stat = i;
			return true;
		}
	return false;
}

static enum ms_res ms_sms_cmgl(struct ms_modem *m, enum ms_form f,
			       const char *a)
{
	struct ms_store *s = ms_sms_mem(m, 0);
	char buf[32], *v[1];
	int stat = 0, base = m->pers->index_base;
	enum ms_res r;

	if (f == MS_FORM_TEST) {
		if (m->set.cmgf == 0)
			ms_modem_info(m, "+CMGL: (0-4)");
		else
			ms_modem_info(m, "+CMGL: (\"REC UNREAD\",\"REC READ\","
				      "\"STO UNSENT\",\"STO SENT\",\"ALL\")");
		return MS_RES_OK;
	}
	r = ms_at_need_sim(m, true);
	if (r != MS_RES_OK)
		return r;
	snprintf(buf, sizeof(buf), "%s", a);
	if (f == MS_FORM_SET &&
	    (ms_at_fields(buf, v, 1) != 1 ||
	     !ms_sms_store_stat_parse(v[0], m->set.cmgf, &stat))) {
		m->err = m->set.cmgf ? 305 : 304;
		return MS_RES_CMS;
	}
	for (int i = 0; i < s->size; i++) {
		struct ms_store_msg *msg = ms_store_get(s, i);

		if (!msg || !ms_store_match(msg->stat, stat))
			continue;
		ms_sms_list_one(m, "+CMGL", i + base, msg);
		if (msg->stat == MS_STORE_STAT_REC_UNREAD)
			msg->stat = MS_STORE_STAT_REC_READ;
	}
	return MS_RES_OK;
}

static enum ms_res ms_sms_index(struct ms_modem *m, const char *a,
				struct ms_store *s, int *index, int *flag)
{
	char buf[32], *v[2];
	int n;

	snprintf(buf, sizeof(buf), "%s", a);
	n = ms_at_fields(buf, v, 2);
	*flag = 0;
	if (n < 1 || !ms_at_int(v[0], m->pers->index_base,
				s->size - 1 + m->pers->index_base, index) ||
	    (n == 2 && !ms_at_int(v[1], 0, 4, flag))) {
		m->err = 321;
		return MS_RES_CMS;
	}
	*index -= m->pers->index_base;
	return MS_RES_OK;
}

static enum ms_res ms_sms_cmgr(struct ms_modem *m, enum ms_form f,
			       const char *a)
{
	struct ms_store *s = ms_sms_mem(m, 0);
	struct ms_store_msg *msg;
	int index, flag;
	enum ms_res r;

	if (f == MS_FORM_TEST)
		return MS_RES_OK;
	if (f != MS_FORM_SET)
		return MS_RES_ERROR;
	r = ms_at_need_sim(m, true);
	if (r == MS_RES_OK)
		r = ms_sms_index(m, a, s, &index, &flag);
	if (r != MS_RES_OK)
		return r;
	msg = ms_store_get(s, index);
	if (!msg) {
		/* Free index: Huawei says 321, most others an empty OK. */
		if (!m->pers->cmgr_empty_error)
			return MS_RES_OK;
		m->err = 321;
		return MS_RES_CMS;
	}
	ms_sms_list_one(m, "+CMGR", -1, msg);
	if (msg->stat == MS_STORE_STAT_REC_UNREAD)
		msg->stat = MS_STORE_STAT_REC_READ;
	return MS_RES_OK;
}

static enum ms_res ms_sms_cmgd(struct ms_modem *m, enum ms_form f,
			       const char *a)
{
	struct ms_store *s = ms_sms_mem(m, 0);
	int index, flag;
	enum ms_res r;

	if (f == MS_FORM_TEST) {
		ms_modem_info(m, "+CMGD: (%d-%d),(0-4)", m->pers->index_base,
			      s->size - 1 + m->pers->index_base);
		return MS_RES_OK;
	}
	if (f != MS_FORM_SET)
		return MS_RES_ERROR;
	r = ms_at_need_sim(m, true);
	if (r == MS_RES_OK)
		r = ms_sms_index(m, a, s, &index, &flag);
	if (r != MS_RES_OK)
		return r;
	/* TS 27.005 §3.5.4: with a <delflag> above 0 the index is ignored. */
	if (flag)
		ms_store_delete_flag(s, flag);
	else
		ms_store_delete(s, index);
	/* Room again: the network learns it (TS 23.040 §10.3, SMMA). */
	ms_net_kick(m);
	return MS_RES_OK;
}

static enum ms_res ms_sms_cnma(struct ms_modem *m, enum ms_form f,
			       const char *a)
{
	int n = 0;

	if (f == MS_FORM_TEST) {
		ms_modem_info(m, m->set.cmgf ? "+CNMA: " : "+CNMA: (0-2)");
		return MS_RES_OK;
	}
	if (f == MS_FORM_SET && !ms_at_int(a, 0, 2, &n)) {
		m->err = 304;
		return MS_RES_CMS;
	}
	/* TS 27.005 §3.4.4: only with +CSMS=1 and a +CMT/+CDS pending. */
	if (m->set.csms != 1 || !ms_net_ack(m, n != 2)) {
		m->err = 340;
		return MS_RES_CMS;
	}
	return MS_RES_OK;
}

const struct ms_cmd ms_sms_cmds[] = {
	{ "+CSMS", ms_sms_csms }, { "+CPMS", ms_sms_cpms },
	{ "+CMGF", ms_sms_cmgf }, { "+CSCA", ms_sms_csca },
	{ "+CSMP", ms_sms_csmp }, { "+CSDH", ms_sms_csdh },
	{ "+CNMI", ms_sms_cnmi }, { "+CMGS", ms_sms_cmgs },
	{ "+CMGL", ms_sms_cmgl }, { "+CMGR", ms_sms_cmgr },
	{ "+CMGD", ms_sms_cmgd }, { "+CNMA", ms_sms_cnma },
	{ NULL, NULL },
};
