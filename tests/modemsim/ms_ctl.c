/*
 * ms_ctl — the control socket DIR/control: a unix stream socket, one JSON
 * object per line in, one per line out ({"ok":true,…} or {"ok":false,
 * "error":…}). The commands are documented in README.md (section
 * simulator) and man/smsgw-modemsim.1.
 */
#include "ms.h"
#include "ms_json.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MS_CTL_LINE_MAX (256 * 1024)

struct ms_client {
	struct ms_client *next;
	struct ms *ms;
	int fd;
	struct loop_watch watch;
	char *buf;
	size_t len;
};

struct ms_ctl_req {
	struct ms *ms;
	const struct ms_json *j;
	FILE *out;		/* members of the reply after "ok":true */
	char err[256];
};

static const char *ms_ctl_str(const struct ms_json *j, const char *key)
{
	const struct ms_json *v = ms_json_get(j, key);

	return v && v->type == MS_JSON_STRING ? v->str : NULL;
}

static bool ms_ctl_num(const struct ms_json *j, const char *key, double *out)
{
	const struct ms_json *v = ms_json_get(j, key);

	if (!v || v->type != MS_JSON_NUMBER)
		return false;
	*out = v->num;
	return true;
}

static bool ms_ctl_bool(const struct ms_json *j, const char *key)
{
	const struct ms_json *v = ms_json_get(j, key);

	return v && ((v->type == MS_JSON_BOOL && v->b) ||
		     (v->type == MS_JSON_NUMBER && v->num != 0));
}

/* The modem named by "modem" (index or symlink name); NULL with err. */
static struct ms_modem *ms_ctl_modem(struct ms_ctl_req *r)
{
	const struct ms_json *v = ms_json_get(r->j, "modem");

	if (!v) {
		snprintf(r->err, sizeof(r->err), "\"modem\" is missing");
		return NULL;
	}
	for (int i = 0; i < r->ms->nmodems; i++) {
		struct ms_modem *m = r->ms->modems[i];

		if ((v->type == MS_JSON_NUMBER && v->num == i) ||
		    (v->type == MS_JSON_STRING && !strcmp(v->str, m->name)))
			return m;
	}
	snprintf(r->err, sizeof(r->err), "no such modem");
	return NULL;
}

static bool ms_ctl_int_list(const struct ms_json *j, const char *key,
			    int *out, int *n, int max)
{
	const struct ms_json *v = ms_json_get(j, key);

	*n = 0;
	if (!v)
		return true;
	if (v->type != MS_JSON_ARRAY)
		return false;
	for (size_t i = 0; i < v->n && *n < max; i++) {
		if (v->items[i].type != MS_JSON_NUMBER)
			return false;
		out[(*n)++] = (int)v->items[i].num;
	}
	return true;
}

static bool ms_ctl_deliver(struct ms_ctl_req *r)
{
	struct ms_modem *m = ms_ctl_modem(r);
	struct ms_deliver_opts o = { .slot = -1 };
	const char *from = ms_ctl_str(r->j, "from");
	const char *text = ms_ctl_str(r->j, "text");
	const char *smsc = ms_ctl_str(r->j, "smsc");
	double d;
	int parts;

	if (!m)
		return false;
	if (!from || !text) {
		snprintf(r->err, sizeof(r->err), "want \"from\" and \"text\"");
		return false;
	}
	if (ms_ctl_num(r->j, "slot", &d))
		o.slot = (int)d;
	if (ms_ctl_num(r->j, "delay_ms", &d))
		o.delay_ms = (int)d;
	o.ucs2 = ms_ctl_bool(r->j, "ucs2");
	o.concat16 = ms_ctl_bool(r->j, "concat16");
	o.shuffle = ms_ctl_bool(r->j, "shuffle");
	if (smsc)
		snprintf(o.smsc, sizeof(o.smsc), "%s", smsc);
	if (!ms_ctl_int_list(r->j, "drop", o.drop, &o.ndrop, 16) ||
	    !ms_ctl_int_list(r->j, "duplicate", o.dup, &o.ndup, 16)) {
		snprintf(r->err, sizeof(r->err),
			 "\"drop\" and \"duplicate\" are lists of part numbers");
		return false;
	}
	if (ms_net_deliver(m, from, text, &o, &parts, r->err,
			   sizeof(r->err)) < 0)
		return false;
	fprintf(r->out, ",\"parts\":%d", parts);
	return true;
}

/* A JSON value as knob text: numbers, booleans, strings, code lists. */
static bool ms_ctl_knob_text(const struct ms_json *v, char *buf, size_t n)
{
	size_t o = 0;

	switch (v->type) {
	case MS_JSON_NUMBER:
		snprintf(buf, n, "%.17g", v->num);
		return true;
	case MS_JSON_BOOL:
		snprintf(buf, n, "%s", v->b ? "true" : "false");
		return true;
	case MS_JSON_STRING:
		snprintf(buf, n, "%s", v->str);
		return true;
	case MS_JSON_ARRAY:
		buf[0] = 0;
		for (size_t i = 0; i < v->n; i++) {
			if (v->items[i].type != MS_JSON_NUMBER)
				return false;
			o += (size_t)snprintf(buf + o, n - o, "%s%d",
					      i ? "," : "",
					      (int)v->items[i].num);
			if (o >= n)
				return false;
		}
		return true;
	default:
		return false;
	}
}

static bool ms_ctl_set_one(struct ms_ctl_req *r, struct ms_modem *m,
			   const struct ms_json *knobs)
{
	struct ms_knobs k = m->knobs;
	char text[256];

	for (size_t i = 0; i < knobs->n; i++) {
		if (!ms_ctl_knob_text(&knobs->items[i], text, sizeof(text))) {
			snprintf(r->err, sizeof(r->err), "%s: bad value",
				 knobs->keys[i]);
			return false;
		}
		if (!ms_knob_set(&k, knobs->keys[i], text, r->err,
				 sizeof(r->err)))
			return false;
	}
	m->knobs = k;
	ms_modem_knobs_changed(m);
	return true;
}

static bool ms_ctl_set(struct ms_ctl_req *r)
{
	const struct ms_json *knobs = ms_json_get(r->j, "knobs");
	struct ms_modem *m;

	if (!knobs || knobs->type != MS_JSON_OBJECT) {
		snprintf(r->err, sizeof(r->err), "want \"knobs\": {…}");
		return false;
	}
	if (!ms_json_get(r->j, "modem")) {
		for (int i = 0; i < r->ms->nmodems; i++)
			if (!ms_ctl_set_one(r, r->ms->modems[i], knobs))
				return false;
		return true;
	}
	m = ms_ctl_modem(r);
	return m && ms_ctl_set_one(r, m, knobs);
}

static bool ms_ctl_fault(struct ms_ctl_req *r, const char *cmd)
{
	struct ms_modem *m = ms_ctl_modem(r);
	const char *name = ms_ctl_str(r->j, "rename");
	double d = -1;

	if (!m)
		return false;
	if (name && (!*name || strchr(name, '/') || name[0] == '.' ||
		     strlen(name) >= sizeof(m->replug_name))) {
		snprintf(r->err, sizeof(r->err), "rename: a plain file name");
		return false;
	}
	if (name)
		snprintf(m->replug_name, sizeof(m->replug_name), "%s", name);
	if (!strcmp(cmd, "hang")) {
		if (ms_ctl_num(r->j, "after_commands", &d))
			m->knobs.hang_after = (int)d, m->ncommands = 0;
		else if (ms_ctl_num(r->j, "in_ms", &d))
			loop_timer_arm(&m->hang_timer, (int64_t)d);
		else
			ms_modem_hang(m, true);
	} else if (!strcmp(cmd, "unhang")) {
		m->knobs.hang_after = 0;
		loop_timer_disarm(&m->hang_timer);
		ms_modem_hang(m, false);
	} else if (!strcmp(cmd, "unplug")) {
		ms_ctl_num(r->j, "seconds", &d);
		ms_modem_unplug(m, d < 0 ? -1 : (int)(d * 1000));
	} else if (!strcmp(cmd, "replug")) {
		if (m->power == MS_POWER_OFF)
			loop_timer_arm(&m->replug_timer, 0);
	} else if (!strcmp(cmd, "reboot")) {
		ms_modem_reboot(m);
	}
	return true;
}

static bool ms_ctl_emit(struct ms_ctl_req *r, const char *cmd)
{
	struct ms_modem *m = ms_ctl_modem(r);
	const char *s;
	double d;

	if (!m)
		return false;
	if (!strcmp(cmd, "urc")) {
		s = ms_ctl_str(r->j, "line");
		if (!s) {
			snprintf(r->err, sizeof(r->err), "want \"line\"");
			return false;
		}
		ms_modem_urc_now(m, s);
		return true;
	}
	s = ms_ctl_str(r->j, "bytes");
	if (s) {
		ms_modem_write(m, s, strlen(s));
	} else {
		unsigned char junk[256];
		int n = ms_ctl_num(r->j, "count", &d) ? (int)d : 8;

		n = n < 1 ? 1 : n > 256 ? 256 : n;
		for (int i = 0; i < n; i++)
			junk[i] = (unsigned char)(0x80 |
						  (ms_util_rand(&m->rng) & 0x7f));
		ms_modem_write(m, junk, (size_t)n);
	}
	return true;
}

static void ms_ctl_modem_json(FILE *f, struct ms_modem *m)
{
	static const char *const power[] = { "off", "booting", "on" };

	fprintf(f, "{\"index\":%d,\"name\":", m->index);
	json_str(f, m->name);
	fputs(",\"path\":", f);
	json_str(f, m->link);
	fputs(",\"pty\":", f);
	json_str(f, m->master >= 0 ? m->pty : NULL);
	/* The family's line between a +CMGR header and its PDU. */
	fputs(",\"header_noise\":", f);
	json_str(f, m->pers->header_noise);
	fprintf(f, ",\"personality\":\"%s\",\"imei\":\"%s\",\"power\":\"%s\","
		"\"hung\":%s,\"registered\":%s,\"active_slot\":%d,"
		"\"queued\":%d,\"cnmi\":[%d,%d,%d,%d,%d],\"boots\":%d,"
		"\"slots\":[",
		m->pers->name, m->imei, power[m->power],
		m->hung ? "true" : "false", m->registered ? "true" : "false",
		m->active, ms_net_queued(m), m->set.cnmi[0], m->set.cnmi[1],
		m->set.cnmi[2], m->set.cnmi[3], m->set.cnmi[4], m->boots);
	for (int s = 0; s < m->nslots; s++) {
		const struct ms_slot *sl = &m->slots[s];

		fprintf(f, "%s{\"iccid\":", s ? "," : "");
		json_str(f, sl->iccid);
		fputs(",\"imsi\":", f);
		json_str(f, sl->imsi);
		fputs(",\"number\":", f);
		json_str(f, sl->number);
		fputs(",\"smsc\":", f);
		json_str(f, sl->smsc);
		fprintf(f, ",\"present\":%s,\"stored\":%d,\"size\":%d,"
			"\"next_mr\":%d}", sl->present ? "true" : "false",
			ms_store_used(&sl->store), sl->store.size,
			sl->next_mr);
	}
	fprintf(f, "],\"cmms\":%d,\"link_open\":%s,\"link_setups\":%u,"
		"\"link_kept\":%u,\"sending\":%s", m->set.cmms,
		ms_link_open(m) ? "true" : "false", m->link_setups,
		m->link_kept,
		loop_timer_armed(&m->send_timer) ? "true" : "false");
	fputs(",\"knobs\":{", f);
	ms_knobs_json(&m->knobs, f);
	fputs("}}", f);
}

static bool ms_ctl_status(struct ms_ctl_req *r)
{
	fputs(",\"modems\":[", r->out);
	for (int i = 0; i < r->ms->nmodems; i++) {
		if (i)
			fputc(',', r->out);
		ms_ctl_modem_json(r->out, r->ms->modems[i]);
	}
	fputc(']', r->out);
	return true;
}

static bool ms_ctl_storage(struct ms_ctl_req *r)
{
	struct ms_modem *m = ms_ctl_modem(r);
	struct ms_store *s;
	double d = -1;
	bool first = true;

	if (!m)
		return false;
	ms_ctl_num(r->j, "slot", &d);
	if (d >= m->nslots) {
		snprintf(r->err, sizeof(r->err), "no such slot");
		return false;
	}
	s = ms_json_get(r->j, "me") ? &m->me
	    : &m->slots[d < 0 ? m->active : (int)d].store;
	fprintf(r->out, ",\"size\":%d,\"messages\":[", s->size);
	for (int i = 0; i < s->size; i++) {
		struct ms_store_msg *msg = ms_store_get(s, i);

		if (!msg)
			continue;
		fprintf(r->out, "%s{\"index\":%d,\"stat\":%d,\"report\":%s,"
			"\"pdu\":\"%s\"}", first ? "" : ",",
			i + m->pers->index_base, msg->stat,
			msg->report ? "true" : "false", msg->pdu);
		first = false;
	}
	fputc(']', r->out);
	return true;
}

static bool ms_ctl_dispatch(struct ms_ctl_req *r)
{
	const char *cmd = ms_ctl_str(r->j, "cmd");

	if (!cmd) {
		snprintf(r->err, sizeof(r->err), "want \"cmd\"");
		return false;
	}
	if (!strcmp(cmd, "ping"))
		return true;
	if (!strcmp(cmd, "status"))
		return ms_ctl_status(r);
	if (!strcmp(cmd, "deliver"))
		return ms_ctl_deliver(r);
	if (!strcmp(cmd, "set"))
		return ms_ctl_set(r);
	if (!strcmp(cmd, "storage"))
		return ms_ctl_storage(r);
	if (!strcmp(cmd, "hang") || !strcmp(cmd, "unhang") ||
	    !strcmp(cmd, "unplug") || !strcmp(cmd, "replug") ||
	    !strcmp(cmd, "reboot"))
		return ms_ctl_fault(r, cmd);
	if (!strcmp(cmd, "urc") || !strcmp(cmd, "garbage"))
		return ms_ctl_emit(r, cmd);
	if (!strcmp(cmd, "quit")) {
		loop_stop(r->ms->loop);
		return true;
	}
	snprintf(r->err, sizeof(r->err), "unknown cmd \"%s\"", cmd);
	return false;
}

static void ms_ctl_request(struct ms_client *c, const char *line, size_t len)
{
	struct ms_json j;
	struct ms_ctl_req r = { .ms = c->ms, .j = &j };
	char *members = NULL, *reply = NULL;
	size_t mlen = 0, rlen = 0;
	FILE *f;
	bool ok;

	if (!ms_json_parse(line, len, &j, r.err, sizeof(r.err))) {
		ok = false;
		memset(&j, 0, sizeof(j));
	} else {
		r.out = open_memstream(&members, &mlen);
		ok = r.out && ms_ctl_dispatch(&r);
		if (r.out)
			fclose(r.out);
	}
	f = open_memstream(&reply, &rlen);
	if (f) {
		if (ok) {
			fprintf(f, "{\"ok\":true%s}\n", members ? members : "");
		} else {
			fputs("{\"ok\":false,\"error\":", f);
			json_str(f, r.err);
			fputs("}\n", f);
		}
		fclose(f);
		(void)fs_write_all(c->fd, reply, rlen);
	}
	free(reply);
	free(members);
	ms_json_free(&j);
}

static void ms_ctl_client_close(struct ms_client *c)
{
	struct ms_client **pp = &c->ms->clients;

	while (*pp && *pp != c)
		pp = &(*pp)->next;
	if (*pp)
		*pp = c->next;
	loop_watch_del(&c->watch);
	close(c->fd);
	free(c->buf);
	free(c);
}

static void ms_ctl_client_cb(struct loop_watch *w, uint32_t events, void *ud)
{
	struct ms_client *c = ud;
	char buf[16384], *nl, *nbuf;
	ssize_t n = read(c->fd, buf, sizeof(buf));

	(void)w;
	(void)events;
	if (n <= 0 || c->len + (size_t)n > MS_CTL_LINE_MAX) {
		ms_ctl_client_close(c);
		return;
	}
	nbuf = realloc(c->buf, c->len + (size_t)n);
	if (!nbuf) {
		ms_ctl_client_close(c);
		return;
	}
	c->buf = nbuf;
	memcpy(c->buf + c->len, buf, (size_t)n);
	c->len += (size_t)n;
	while ((nl = memchr(c->buf, '\n', c->len))) {
		size_t l = (size_t)(nl - c->buf);

		if (l)
			ms_ctl_request(c, c->buf, l);
		memmove(c->buf, nl + 1, c->len - l - 1);
		c->len -= l + 1;
	}
}

static void ms_ctl_accept_cb(struct loop_watch *w, uint32_t events, void *ud)
{
	struct ms *ms = ud;
	struct ms_client *c;
	int fd = accept4(ms->ctl_fd, NULL, NULL, SOCK_CLOEXEC);

	(void)w;
	(void)events;
	if (fd < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (!c || loop_watch_add(ms->loop, &c->watch, fd, EPOLLIN,
				 ms_ctl_client_cb, c) < 0) {
		free(c);
		close(fd);
		return;
	}
	c->ms = ms;
	c->fd = fd;
	c->next = ms->clients;
	ms->clients = c;
}

int ms_ctl_open(struct ms *ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int err;

	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/control",
			     ms->dir) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	unlink(sa.sun_path);
	ms->ctl_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			    0);
	if (ms->ctl_fd < 0)
		return -errno;
	if (bind(ms->ctl_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(ms->ctl_fd, 16) < 0) {
		err = -errno;
		close(ms->ctl_fd);
		ms->ctl_fd = -1;
		return err;
	}
	return loop_watch_add(ms->loop, &ms->ctl_watch, ms->ctl_fd, EPOLLIN,
			      ms_ctl_accept_cb, ms);
}

void ms_ctl_close(struct ms *ms)
{
	char path[PATH_MAX + 16];

	while (ms->clients)
		ms_ctl_client_close(ms->clients);
	if (ms->ctl_fd < 0)
		return;
	loop_watch_del(&ms->ctl_watch);
	close(ms->ctl_fd);
	ms->ctl_fd = -1;
	snprintf(path, sizeof(path), "%s/control", ms->dir);
	unlink(path);
}
