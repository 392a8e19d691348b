/*
 * ms_config — the knobs table and --modem specs. A knob is a field of
 * struct ms_knobs described by one row; the same rows parse start-up
 * options and control-socket "set" commands.
 */
#include "ms.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum ms_knob_type {
	MS_KNOB_INT,
	MS_KNOB_BOOL,
	MS_KNOB_RATE,		/* double in [0, 1] */
	MS_KNOB_CODES,		/* comma-separated CMS codes */
};

struct ms_knob {
	const char *name;
	enum ms_knob_type type;
	size_t offset;
	int min, max;
};

#define K(n, t, lo, hi) { #n, t, offsetof(struct ms_knobs, n), lo, hi }
static const struct ms_knob ms_knob_table[] = {
	K(latency_ms, MS_KNOB_INT, 0, 600000),
	K(jitter_ms, MS_KNOB_INT, 0, 600000),
	K(cms_rate, MS_KNOB_RATE, 0, 0),
	K(cms_codes, MS_KNOB_CODES, 0, 0),
	K(fail_next, MS_KNOB_INT, 0, 1000000),
	K(fail_code, MS_KNOB_INT, 0, 999),
	K(hang_after, MS_KNOB_INT, 0, 1000000),
	K(hang_rate, MS_KNOB_RATE, 0, 0),
	K(hang_in_ms, MS_KNOB_INT, 0, 86400000),
	K(noise_ms, MS_KNOB_INT, 0, 86400000),
	K(noise_in_response, MS_KNOB_RATE, 0, 0),
	K(garbage_ms, MS_KNOB_INT, 0, 86400000),
	K(echo, MS_KNOB_BOOL, 0, 1),
	K(slow_ms, MS_KNOB_INT, 0, 1000),
	K(report_delay_ms, MS_KNOB_INT, 0, 86400000),
	K(report_status, MS_KNOB_INT, 0, 255),
	K(cnma_timeout_ms, MS_KNOB_INT, 1, 600000),
	K(redeliver_ms, MS_KNOB_INT, 0, 86400000),
	K(cnma_reset_cnmi, MS_KNOB_BOOL, 0, 1),
	K(boot_ms, MS_KNOB_INT, 0, 600000),
	K(reg, MS_KNOB_INT, 0, 5),
	K(rssi, MS_KNOB_INT, 0, 99),
	K(reset_replug, MS_KNOB_BOOL, 0, 1),
	K(replug_ms, MS_KNOB_INT, 0, 600000),
	K(reg_delay_ms, MS_KNOB_INT, 0, 600000),
	K(link_setup_ms, MS_KNOB_INT, 0, 600000),
	K(link_keep_ms, MS_KNOB_INT, 1000, 5000),
	K(no_cmms, MS_KNOB_BOOL, 0, 1),
	K(no_mode3, MS_KNOB_BOOL, 0, 1),
	K(no_direct, MS_KNOB_BOOL, 0, 1),
	K(no_csms1, MS_KNOB_BOOL, 0, 1),
	K(cnmi_test_lies, MS_KNOB_BOOL, 0, 1),
	K(no_header_noise, MS_KNOB_BOOL, 0, 1),
	K(store_me, MS_KNOB_BOOL, 0, 1),
	K(cpms_refuse_me, MS_KNOB_INT, 0, 1000000),
};
#undef K

#define MS_KNOB_COUNT (sizeof(ms_knob_table) / sizeof(ms_knob_table[0]))

static void ms_knobs_default(struct ms_knobs *k)
{
	memset(k, 0, sizeof(*k));
	k->latency_ms = 100;
	k->link_keep_ms = 2000;
	k->fail_code = 500;
	k->cms_codes[0] = 500;
	k->ncms_codes = 1;
	k->echo = true;
	k->report_delay_ms = 500;
	k->report_status = 0;
	/* TS 24.011 TR2M is 12–20 s; a test sets less. */
	k->cnma_timeout_ms = 15000;
	k->redeliver_ms = 5000;
	k->cnma_reset_cnmi = true;
	k->boot_ms = 200;
	k->reg = 1;
	k->rssi = 20;
	k->replug_ms = 1000;
	k->reg_delay_ms = 50;
}

static const struct ms_knob *ms_knob_find(const char *name)
{
	for (size_t i = 0; i < MS_KNOB_COUNT; i++)
		if (strcmp(ms_knob_table[i].name, name) == 0)
			return &ms_knob_table[i];
	return NULL;
}

static bool ms_knob_codes(struct ms_knobs *k, const char *value, char *err,
			  size_t errsize)
{
	int codes[MS_CODES_MAX], n = 0;
	const char *p = value;

	while (*p) {
		char *end;
		long v;

		while (*p && strchr(", /[]", *p))
			p++;
		if (!*p)
			break;
		errno = 0;
		v = strtol(p, &end, 10);
		if (end == p || errno || v < 0 || v > 999 ||
		    n == MS_CODES_MAX) {
			snprintf(err, errsize, "cms_codes: up to %d codes 0-999",
				 MS_CODES_MAX);
			return false;
		}
		codes[n++] = (int)v;
		p = end;
	}
	if (!n) {
		snprintf(err, errsize, "cms_codes: no code");
		return false;
	}
	memcpy(k->cms_codes, codes, sizeof(codes[0]) * (size_t)n);
	k->ncms_codes = n;
	return true;
}

bool ms_knob_set(struct ms_knobs *k, const char *name, const char *value,
		 char *err, size_t errsize)
{
	const struct ms_knob *kn = ms_knob_find(name);
	char *base = (char *)k, *end;
	double d;
	long v;

	if (!kn) {
		snprintf(err, errsize, "unknown knob \"%s\"", name);
		return false;
	}
	switch (kn->type) {
	case MS_KNOB_BOOL:
		if (!strcmp(value, "1") || !strcmp(value, "true") ||
		    !strcmp(value, "on") || !strcmp(value, "yes"))
			*(bool *)(base + kn->offset) = true;
		else if (!strcmp(value, "0") || !strcmp(value, "false") ||
			 !strcmp(value, "off") || !strcmp(value, "no"))
			*(bool *)(base + kn->offset) = false;
		else
			goto bad;
		return true;
	case MS_KNOB_INT:
		errno = 0;
		v = strtol(value, &end, 10);
		if (end == value || *end || errno || v < kn->min ||
		    v > kn->max)
			goto bad;
		*(int *)(base + kn->offset) = (int)v;
		return true;
	case MS_KNOB_RATE:
		errno = 0;
		d = strtod(value, &end);
		if (end == value || *end || errno || d < 0 || d > 1)
			goto bad;
		memcpy(base + kn->offset, &d, sizeof(d));
		return true;
	case MS_KNOB_CODES:
		return ms_knob_codes(k, value, err, errsize);
	}
bad:
	if (kn->type == MS_KNOB_INT)
		snprintf(err, errsize, "%s: want an integer %d-%d, got \"%s\"",
			 name, kn->min, kn->max, value);
	else if (kn->type == MS_KNOB_RATE)
		snprintf(err, errsize, "%s: want a number 0-1, got \"%s\"",
			 name, value);
	else
		snprintf(err, errsize, "%s: want true or false, got \"%s\"",
			 name, value);
	return false;
}

void ms_knobs_json(const struct ms_knobs *k, FILE *f)
{
	const char *base = (const char *)k;

	for (size_t i = 0; i < MS_KNOB_COUNT; i++) {
		const struct ms_knob *kn = &ms_knob_table[i];

		fprintf(f, "%s\"%s\":", i ? "," : "", kn->name);
		switch (kn->type) {
		case MS_KNOB_INT:
			fprintf(f, "%d", *(const int *)(base + kn->offset));
			break;
		case MS_KNOB_BOOL:
			fputs(*(const bool *)(base + kn->offset) ? "true"
								 : "false", f);
			break;
		case MS_KNOB_RATE: {
			double d;

			memcpy(&d, base + kn->offset, sizeof(d));
			fprintf(f, "%g", d);
			break;
		}
		case MS_KNOB_CODES:
			fputc('[', f);
			for (int c = 0; c < k->ncms_codes; c++)
				fprintf(f, "%s%d", c ? "," : "",
					k->cms_codes[c]);
			fputc(']', f);
			break;
		}
	}
}

/* Deterministic identities: modem i, slot s. */
static void ms_config_slot_default(struct ms_slot *sl, int i, int s)
{
	char base[32];

	i %= 1000;
	s %= 10;
	memset(sl, 0, sizeof(*sl));
	sl->present = true;
	/* ICCID: 89 (telecom) 01 (country) 260 (issuer), then 11 digits and
	 * the Luhn digit of ITU-T E.118. */
	snprintf(base, sizeof(base), "8901260%03d%d0000000", i, s);
	snprintf(sl->iccid, sizeof(sl->iccid), "%.18s%c", base,
		 '0' + ms_util_luhn(base));
	snprintf(sl->imsi, sizeof(sl->imsi), "310260%05d%04d", i, s);
	snprintf(sl->number, sizeof(sl->number), "+1555%03d%04d", i, s + 1);
	snprintf(sl->smsc, sizeof(sl->smsc), "+15559990000");
	snprintf(sl->puk, sizeof(sl->puk), "12345678");
	snprintf(sl->operator, sizeof(sl->operator), "SIMNET");
	sl->pin_tries = 3;
	sl->store.size = -1;
}

struct ms_modem *ms_config_modem_new(struct ms *ms, int index,
				     const struct ms_pers *pers,
				     uint64_t seed)
{
	struct ms_modem *m = calloc(1, sizeof(*m));
	char base[32];

	if (!m)
		return NULL;
	m->ms = ms;
	m->index = index;
	m->pers = pers;
	m->master = m->slave = -1;
	snprintf(m->name, sizeof(m->name), "modem%d", index);
	/* IMEI: a TAC, a six-digit serial from the index, a Luhn digit. */
	snprintf(base, sizeof(base), "35693803%06d", index % 1000000);
	snprintf(m->imei, sizeof(m->imei), "%.14s%c", base,
		 '0' + ms_util_luhn(base));
	m->nslots = 1;
	for (int s = 0; s < MS_SLOTS_MAX; s++)
		ms_config_slot_default(&m->slots[s], index, s);
	ms_knobs_default(&m->knobs);
	m->knobs.reset_replug = pers->reset_replug;
	m->me.size = -1;
	m->rng = seed * 0x100000001b3ull + (uint64_t)index + 1;
	return m;
}

static bool ms_config_slot_field(struct ms_slot *sl, const char *f,
				 const char *v, char *err, size_t errsize)
{
	static const struct {
		const char *name;
		size_t off, size;
	} fields[] = {
#define F(n) { #n, offsetof(struct ms_slot, n), sizeof(((struct ms_slot *)0)->n) }
		F(iccid), F(imsi), F(number), F(smsc), F(pin), F(puk),
		F(operator),
#undef F
	};

	if (!strcmp(f, "size")) {
		int n = atoi(v);

		if (n < 0 || n > 1000) {
			snprintf(err, errsize, "size: 0-1000");
			return false;
		}
		sl->store.size = n;
		return true;
	}
	if (!strcmp(f, "present")) {
		sl->present = strcmp(v, "0") && strcmp(v, "false");
		return true;
	}
	if (!strcmp(f, "mr")) {
		sl->next_mr = atoi(v) & 255;
		return true;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strcmp(f, fields[i].name))
			continue;
		if (strlen(v) >= fields[i].size) {
			snprintf(err, errsize, "%s: too long", f);
			return false;
		}
		strcpy((char *)sl + fields[i].off, v);
		return true;
	}
	snprintf(err, errsize, "unknown SIM field \"%s\"", f);
	return false;
}

/* Applies "key=value" to a modem before start. false with err. */
static bool ms_config_apply(struct ms_modem *m, const char *key,
			    const char *value, char *err, size_t errsize)
{
	if (!strcmp(key, "personality")) {
		const struct ms_pers *p = ms_pers_find(value);

		if (!p) {
			snprintf(err, errsize, "unknown personality \"%s\" "
				 "(known: %s)", value, ms_pers_names());
			return false;
		}
		m->pers = p;
		m->knobs.reset_replug = p->reset_replug;
		return true;
	}
	if (!strcmp(key, "manufacturer") || !strcmp(key, "model")) {
		char *dst = key[1] == 'a' ? m->manufacturer : m->model;

		/* A spec's value ends at ','; the modem's answer may not hold
		 * a CR or LF. */
		if (strlen(value) >= sizeof(m->model) || strpbrk(value, "\r\n")) {
			snprintf(err, errsize, "%s: at most %zu characters",
				 key, sizeof(m->model) - 1);
			return false;
		}
		snprintf(dst, sizeof(m->model), "%s", value);
		return true;
	}
	if (!strcmp(key, "imei")) {
		snprintf(m->imei, sizeof(m->imei), "%s", value);
		return true;
	}
	if (!strcmp(key, "name")) {
		if (!*value || strchr(value, '/') || value[0] == '.') {
			snprintf(err, errsize, "name: a plain file name");
			return false;
		}
		snprintf(m->name, sizeof(m->name), "%s", value);
		return true;
	}
	if (!strcmp(key, "slots")) {
		int n = atoi(value);

		if (n < 1 || n > MS_SLOTS_MAX) {
			snprintf(err, errsize, "slots: 1-%d", MS_SLOTS_MAX);
			return false;
		}
		m->nslots = n;
		return true;
	}
	if (!strcmp(key, "active_slot")) {
		m->active = atoi(value);
		return true;
	}
	if (!strcmp(key, "me_size")) {
		m->me.size = atoi(value);
		return true;
	}
	/* slotN.field, or a bare field for slot 0 */
	if (!strncmp(key, "slot", 4) && key[4] >= '0' && key[4] <= '9' &&
	    key[5] == '.') {
		if (key[4] - '0' >= MS_SLOTS_MAX) {
			snprintf(err, errsize, "%s: slots are 0 to %d", key,
				 MS_SLOTS_MAX - 1);
			return false;
		}
		return ms_config_slot_field(&m->slots[key[4] - '0'], key + 6,
					    value, err, errsize);
	}
	if (ms_knob_find(key))
		return ms_knob_set(&m->knobs, key, value, err, errsize);
	return ms_config_slot_field(&m->slots[0], key, value, err, errsize);
}

bool ms_config_apply_list(struct ms_modem *m, const char *list, char *err,
			  size_t errsize)
{
	char buf[1024], *save = NULL, *tok;

	if (strlen(list) >= sizeof(buf)) {
		snprintf(err, errsize, "spec too long");
		return false;
	}
	strcpy(buf, list);
	for (tok = strtok_r(buf, ", \t\n", &save); tok;
	     tok = strtok_r(NULL, ", \t\n", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq) {
			snprintf(err, errsize, "\"%s\": want key=value", tok);
			return false;
		}
		*eq = 0;
		if (!ms_config_apply(m, tok, eq + 1, err, errsize))
			return false;
	}
	return true;
}

bool ms_config_modem_ready(struct ms_modem *m)
{
	int sm = m->pers->sm_size ? m->pers->sm_size : 30;

	if (m->active < 0 || m->active >= m->nslots)
		m->active = 0;
	for (int s = 0; s < MS_SLOTS_MAX; s++) {
		struct ms_store *st = &m->slots[s].store;

		if (s >= m->nslots)
			m->slots[s].present = false;
		if (!ms_store_init(st, st->size < 0 ? sm : st->size))
			return false;
	}
	return ms_store_init(&m->me, m->me.size < 0 ? m->pers->me_size
						    : m->me.size);
}

void ms_config_modem_free(struct ms_modem *m)
{
	if (!m)
		return;
	for (int s = 0; s < MS_SLOTS_MAX; s++)
		ms_store_free(&m->slots[s].store);
	ms_store_free(&m->me);
	free(m);
}
