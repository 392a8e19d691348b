/* driver — the registry, inheritance and auto-selection of modem drivers;
 * see include/driver.h. The tables themselves are in drivers/<family>.c. */
#include "driver.h"

#include "at_parse.h"
#include "at_result.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define DRIVER_CHAIN_MAX 8
#define DRIVER_NAMES_MAX 32

/* drivers/<vendor>/ folders, listed by the generated table
 * (scripts/gen_driver_table.sh), NULL-terminated, generic first. */

const char *const *driver_names(void)
{
	static const char *names[DRIVER_NAMES_MAX + 1];

	if (!names[0])
		for (size_t i = 0; i < DRIVER_NAMES_MAX && driver_table[i];
		     i++)
			names[i] = driver_table[i]->name;
	return names;
}

const struct driver *driver_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; driver_table[i]; i++)
		if (strcmp(driver_table[i]->name, name) == 0)
			return driver_table[i];
	return NULL;
}

size_t driver_chain(const struct driver *d, const struct driver **chain,
		    size_t max)
{
	const struct driver *rev[DRIVER_CHAIN_MAX];
	size_t n = 0, k = 0;

	for (; d && n < DRIVER_CHAIN_MAX; d = d->parent)
		rev[n++] = d;
	while (n && k < max)
		chain[k++] = rev[--n];
	return k;
}

/* Fields are inherited one by one: a vendor that sets .cnmi keeps the
 * parent's .cpms. */
#define DRIVER_INHERIT(field)                    \
	do {                                     \
		if (!out->field)                 \
			out->field = p->field;   \
	} while (0)

static void driver_inherit(struct driver *out, const struct driver *p)
{
	DRIVER_INHERIT(match_cgmi);
	DRIVER_INHERIT(match_cgmm);
	DRIVER_INHERIT(not_finals);
	DRIVER_INHERIT(setup);
	DRIVER_INHERIT(vendor);
	DRIVER_INHERIT(sms);
	DRIVER_INHERIT(reporting);
	DRIVER_INHERIT(cnmi);
	DRIVER_INHERIT(cpms);
	DRIVER_INHERIT(imei);
	DRIVER_INHERIT(imsi);
	DRIVER_INHERIT(iccid);
	DRIVER_INHERIT(own_number);
	DRIVER_INHERIT(signal);
	DRIVER_INHERIT(registration);
	DRIVER_INHERIT(operator_query);
	DRIVER_INHERIT(list_stored);
	DRIVER_INHERIT(read_stored);
	DRIVER_INHERIT(delete_stored);
	DRIVER_INHERIT(ack_direct);
	DRIVER_INHERIT(list_timeout_ms);
	DRIVER_INHERIT(slot_select);
	DRIVER_INHERIT(slot_query);
	DRIVER_INHERIT(slot_prefix);
	DRIVER_INHERIT(slot_base);
	DRIVER_INHERIT(slot_timeout_ms);
	DRIVER_INHERIT(reset);
	DRIVER_INHERIT(reset_wait_ms);
}

int driver_resolve(const struct driver *vendor, struct driver *out)
{
	const struct driver *p;
	int depth = 0;

	if (!vendor)
		return -EINVAL;
	*out = *vendor;
	for (p = vendor->parent; p; p = p->parent) {
		if (++depth >= DRIVER_CHAIN_MAX)
			return -EINVAL;
		driver_inherit(out, p);
		if (p == &driver_generic)
			break;
	}
	if (vendor != &driver_generic && p != &driver_generic)
		return -EINVAL;
	/* finals, urcs, signals, ident_prefixes and errors add up along
	 * the chain; driver_chain(), driver_signal_read(),
	 * driver_ident_value() and driver_error_find() walk it. */
	out->finals = vendor->finals;
	out->urcs = vendor->urcs;
	out->signals = vendor->signals;
	out->ident_prefixes = vendor->ident_prefixes;
	out->errors = vendor->errors;
	return 0;
}

static bool driver_matches(const char *const *needles, const char *hay)
{
	if (!needles || !hay)
		return false;
	for (size_t i = 0; needles[i]; i++)
		if (strcasestr(hay, needles[i]))
			return true;
	return false;
}

/* The driver that declares vid:pid, or (any) a vendor-wide vid. */
static const struct driver *driver_by_usb(int vid, int pid, bool any,
					  const char **name)
{
	for (size_t i = 0; driver_table[i]; i++)
		for (const struct driver_usb *u = driver_table[i]->usb;
		     u && u->vid; u++)
			if (u->vid == vid && (any ? u->pid < 0 : u->pid == pid)) {
				if (name)
					*name = u->name;
				return driver_table[i];
			}
	return NULL;
}

const struct driver *driver_usb_lookup(int vid, int pid, const char **name)
{
	const struct driver *d = driver_by_usb(vid, pid, false, name);

	return d ? d : driver_by_usb(vid, pid, true, name);
}

const struct driver *driver_match(int vid, int pid, const char *cgmi,
				  const char *cgmm)
{
	const struct driver *d;

	if (vid > 0) {
		d = driver_usb_lookup(vid, pid, NULL);
		if (d && d != &driver_generic)
			return d;
	}
	/* cgmm first: a model string names the family more surely than a
	 * manufacturer that makes several (Sierra's AirPrime, Telit's
	 * ex-Motorola). */
	for (size_t i = 1; driver_table[i]; i++)
		if (driver_matches(driver_table[i]->match_cgmm, cgmm))
			return driver_table[i];
	for (size_t i = 1; driver_table[i]; i++)
		if (driver_matches(driver_table[i]->match_cgmi, cgmi))
			return driver_table[i];
	return &driver_generic;
}

bool driver_command(char *buf, size_t size, const char *fmt, int n)
{
	const char *d = fmt ? strstr(fmt, "%d") : NULL;
	int len;

	if (!fmt)
		return false;
	if (!d)
		len = snprintf(buf, size, "%s", fmt);
	else
		len = snprintf(buf, size, "%.*s%d%s", (int)(d - fmt), fmt, n,
			       d + 2);
	return len >= 0 && (size_t)len < size;
}

const struct driver_error *driver_error_find(const struct driver *d,
					     enum driver_err_kind kind,
					     int code)
{
	for (int depth = 0; d && depth < DRIVER_CHAIN_MAX;
	     d = d->parent, depth++)
		for (const struct driver_error *e = d->errors;
		     e && e->kind != DRIVER_ERR_END; e++)
			if (e->kind == kind && code >= e->lo && code <= e->hi)
				return e;
	return NULL;
}

/* One row's fields after its prefix, on its scale. */
static bool driver_signal_fields(const struct driver_signal *s,
				 const char *line, struct at_csq *out)
{
	struct at_result_iter it;

	at_result_iter_line(&it, line);
	if (!at_result_skip_prefix(&it, s->prefix) ||
	    !at_result_next_number(&it, &out->rssi))
		return false;
	out->ber = 99;
	if (s->form == DRIVER_SIGNAL_RSSI_BER &&
	    !at_result_next_number(&it, &out->ber))
		return false;
	return at_result_at_end(&it) && out->rssi >= 0 &&
	       out->rssi <= s->rssi_max;
}

bool driver_signal_read(const struct driver *d, const char *line,
			struct at_csq *out)
{
	for (int depth = 0; d && depth < DRIVER_CHAIN_MAX;
	     d = d->parent, depth++)
		for (const struct driver_signal *s = d->signals;
		     s && s->prefix; s++)
			if (strncmp(line, s->prefix, strlen(s->prefix)) == 0)
				return driver_signal_fields(s, line, out);
	return false;
}

const char *driver_ident_value(const struct driver *d, const char *line)
{
	for (int depth = 0; d && depth < DRIVER_CHAIN_MAX;
	     d = d->parent, depth++)
		for (const char *const *p = d->ident_prefixes; p && *p; p++)
			if (!strncasecmp(line, *p, strlen(*p)))
				return line + strlen(*p) +
				       strspn(line + strlen(*p), " ");
	return line;
}

bool driver_iccid_read(const struct driver *d, const char *line, char *out,
		       size_t size)
{
	return at_parse_iccid(driver_ident_value(d, line), out, size);
}
