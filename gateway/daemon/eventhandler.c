/*
 * eventhandler — smstools3's eventhandler and Gammu's RunOnReceive; see
 * include/eventhandler.h. The file format follows smstools3's
 * "SMS file format" page (Debian: /usr/share/doc/smstools/html/doc/
 * fileformat.html) and the files smsd 3.1.21 writes.
 */
#include "eventhandler.h"

#include "config.h"
#include "fsutil.h"
#include "hook.h"
#include "log.h"
#include "store.h"
#include "store_inbox.h"
#include "store_outbox.h"
#include "store_pg_http.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct eventhandler {
	struct store *store;
	struct hook_runner *runner;
	const struct config *cfg;
	unsigned seq;
	/* PostgreSQL: rows still to come; freed by the last when dying. */
	unsigned pending;
	bool dying;
};

/* A file to remove when its handler ends. */
struct eh_job {
	char path[PATH_MAX];
	bool remove;
};

int eventhandler_new(struct store *store, struct hook_runner *runner,
		     const struct config *cfg, struct eventhandler **out)
{
	struct eventhandler *eh = calloc(1, sizeof(*eh));

	if (!eh)
		return -ENOMEM;
	eh->store = store;
	eh->runner = runner;
	eh->cfg = cfg;
	*out = eh;
	return 0;
}

void eventhandler_free(struct eventhandler *eh)
{
	if (eh && eh->pending)
		eh->dying = true;	/* the last row to come frees it */
	else
		free(eh);
}

void eventhandler_set_config(struct eventhandler *eh, const struct config *cfg)
{
	eh->cfg = cfg;
}

void eventhandler_time(int64_t ms, char *buf, size_t size)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	/* smsd's default date format: two-digit years. */
	snprintf(buf, size, "%02d-%02d-%02d %02d:%02d:%02d", tm.tm_year % 100,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* smsd writes numbers international without the "+". */
static const char *eventhandler_number(const char *n)
{
	return n && n[0] == '+' ? n + 1 : n ? n : "";
}

/* 'text' for sh: single quotes, each ' as '\''. */
static bool eventhandler_quote(char *out, size_t size, size_t *len,
			       const char *s)
{
	if (*len + 3 > size)
		return false;
	out[(*len)++] = ' ';
	out[(*len)++] = '\'';
	for (; *s; s++) {
		if (*len + 6 > size)
			return false;
		if (*s == '\'') {
			memcpy(out + *len, "'\\''", 4);
			*len += 4;
		} else {
			out[(*len)++] = *s;
		}
	}
	out[(*len)++] = '\'';
	out[*len] = '\0';
	return true;
}

static void eventhandler_done(const struct hook_result *r, void *ud)
{
	struct eh_job *j = ud;

	(void)r;
	if (j->remove)
		unlink(j->path);
	free(j);
}

/* Writes text to a new file in dir (never through a symbolic link); its
 * path goes to path. */
static int eventhandler_write(struct eventhandler *eh, const char *dir,
		    const char *prefix, const char *text, char *path,
		    size_t size)
{
	size_t len = strlen(text);
	char name[96];
	int dfd, fd, rc;

	rc = fs_mkdirs(dir, 0750);
	if (rc < 0)
		return rc;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	rc = -EEXIST;
	for (int tries = 0; tries < 100; tries++) {
		snprintf(name, sizeof(name), "%.60s.%ld%u", prefix,
			 (long)getpid(), eh->seq++);
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL |
				       O_NOFOLLOW | O_CLOEXEC, 0640);
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0) {
			rc = -errno;
			break;
		}
		rc = fs_write_all(fd, text, len);
		if (close(fd) < 0 && rc >= 0)
			rc = -errno;
		if (rc < 0)
			unlinkat(dfd, name, 0);
		else if ((size_t)snprintf(path, size, "%s/%s", dir, name) >= size)
			rc = -ENAMETOOLONG;
		break;
	}
	close(dfd);
	return rc < 0 ? rc : 0;
}

/* Writes the file and queues `PATH EVENT FILE [ID]`. */
static void eventhandler_run(struct eventhandler *eh, const char *event,
		   const char *keep_dir, const char *prefix, const char *text,
		   int64_t hook_id, const char *number, int mr)
{
	struct hook_msg m = { .id = hook_id, .number = number };
	char cmd[PATH_MAX * 2 + 64], id[16], dir[PATH_MAX];
	struct eh_job *j = calloc(1, sizeof(*j));
	size_t len = 0;
	int rc;

	if (!j)
		return;
	if (keep_dir && keep_dir[0]) {
		snprintf(dir, sizeof(dir), "%s", keep_dir);
	} else {
		/* Beside the database: private to the daemon, unlike the
		 * spool, which senders may write. */
		fs_dirname(eh->cfg->database, dir, sizeof(dir));
		if (strlen(dir) + sizeof("/eventhandler") > sizeof(dir)) {
			free(j);
			return;
		}
		strcat(dir, "/eventhandler");
		j->remove = true;
	}
	rc = eventhandler_write(eh, dir, prefix, text, j->path,
				sizeof(j->path));
	if (rc < 0) {
		log_error("eventhandler: %s file in %s: %s", event, dir,
			  strerror(-rc));
		free(j);
		return;
	}
	if (!eh->cfg->eventhandler || !eh->cfg->eventhandler[0]) {
		/* Only the directories are wanted. */
		j->remove = false;
		free(j);
		return;
	}
	snprintf(id, sizeof(id), "%d", mr);
	memcpy(cmd, "exec", 5);
	len = 4;
	if (!eventhandler_quote(cmd, sizeof(cmd), &len,
				eh->cfg->eventhandler) ||
	    !eventhandler_quote(cmd, sizeof(cmd), &len, event) ||
	    !eventhandler_quote(cmd, sizeof(cmd), &len, j->path) ||
	    (mr >= 0 && !eventhandler_quote(cmd, sizeof(cmd), &len, id))) {
		log_error("eventhandler: command too long");
		eventhandler_done(NULL, j);
		return;
	}
	hook_event_parse(strcmp(event, "RECEIVED") == 0 ? "received"
			 : strcmp(event, "SENT") == 0	? "sent"
			 : strcmp(event, "FAILED") == 0 ? "failed"
							: "delivered",
			 &m.event);
	if (hook_run(eh->runner, cmd, &m, eventhandler_done, j) < 0)
		eventhandler_done(NULL, j);
}

static bool eventhandler_wanted(const struct eventhandler *eh,
				const char *keep_dir)
{
	return (eh->cfg->eventhandler && eh->cfg->eventhandler[0]) ||
	       (keep_dir && keep_dir[0]);
}

/* ---- outbound ---- */

/* smsd's status text for TP-ST (TS 23.040 §9.2.3.15), as its pdu.c words
 * the common ones. */
static const char *eventhandler_status_text(int st)
{
	if (st == 0)
		return "Ok,short message received by the SME";
	if (st == 1)
		return "Ok,short message forwarded by the SC to the SME but "
		       "the SC is unable to confirm delivery";
	if (st == 2)
		return "Ok,short message replaced by the SC";
	if (st < 0x20)
		return "Ok,unknown";
	if (st < 0x40)
		return "Temporary error,SC still trying to transfer SM";
	return "Permanent error,SC is not making any more transfer attempts";
}

/*
 * PostgreSQL: the message's row comes later, from the loop, when the
 * event and its strings are gone; the event is copied until then.
 */
struct eh_later {
	struct eventhandler *eh;
	struct outbound_event out;
	struct inbound_event in;
	char *s[4];
};

static const char *eventhandler_dup(struct eh_later *l, int i, const char *v)
{
	l->s[i] = v ? strdup(v) : NULL;
	return l->s[i];
}

static struct eh_later *eventhandler_later(struct eventhandler *eh)
{
	struct eh_later *l = store_pg(eh->store) ? calloc(1, sizeof(*l))
						 : NULL;

	if (l) {
		l->eh = eh;
		eh->pending++;
	}
	return l;
}

/* Frees l; false when the eventhandler stopped meanwhile. */
static bool eventhandler_later_end(struct eh_later *l)
{
	struct eventhandler *eh = l->eh;

	for (int i = 0; i < 4; i++)
		free(l->s[i]);
	free(l);
	eh->pending--;
	if (!eh->dying)
		return true;
	if (!eh->pending)
		free(eh);
	return false;
}

static void eventhandler_on_outbound(struct eventhandler *eh,
				     const struct outbound_event *e,
				     const struct outbox_info *row,
				     const char *row_body);

static void eventhandler_outbound_row(int rc, const struct outbox_info *o,
				      const char *body, void *ud)
{
	struct eh_later *l = ud;

	if (!l->eh->dying && rc == 0)
		eventhandler_on_outbound(l->eh, &l->out, o, body);
	eventhandler_later_end(l);
}

/* True when the row is read later (PostgreSQL). */
static bool eventhandler_outbound_later(struct eventhandler *eh,
					const struct outbound_event *e)
{
	struct eh_later *l = eventhandler_later(eh);

	if (!l)
		return false;
	l->out = *e;
	l->out.event = eventhandler_dup(l, 0, e->event);
	l->out.recipient = eventhandler_dup(l, 1, e->recipient);
	/* Only whether there is a body counts (a status report has none). */
	l->out.body = e->body ? "" : NULL;
	l->out.sim = NULL;
	l->out.state = NULL;
	l->out.error = eventhandler_dup(l, 2, e->error);
	pg_store_outbox_info(store_pg(eh->store), e->id,
			     eventhandler_outbound_row, l);
	return true;
}

static void eventhandler_on_outbound(struct eventhandler *eh,
				     const struct outbound_event *e,
				     const struct outbox_info *row,
				     const char *row_body)
{
	const char *event, *dir;
	struct outbox_info o = { 0 };
	char *body = NULL, *text = NULL, now[24], sent[24];
	bool is_report = !e->body;
	size_t size;
	FILE *f;

	if (strcmp(e->event, "sent") == 0 && !is_report)
		event = "SENT", dir = eh->cfg->eh_sent;
	else if (strcmp(e->event, "failed") == 0 && !is_report)
		event = "FAILED", dir = eh->cfg->eh_failed;
	else if (is_report && (strcmp(e->event, "delivered") == 0 ||
			       strcmp(e->event, "failed") == 0))
		event = "REPORT", dir = eh->cfg->eh_incoming;
	else
		return;
	if (!eventhandler_wanted(eh, dir))
		return;
	if (row) {
		o = *row;
		body = strdup(row_body);
		if (!body)
			return;
	} else if (eventhandler_outbound_later(eh, e) ||
		   store_is_pg(eh->store)) {
		return;		/* later; or PostgreSQL stopping */
	} else if (store_outbox_info(eh->store, e->id, &o, &body) < 0) {
		free(body);
		return;
	}
	eventhandler_time(store_now_ms(), now, sizeof(now));
	eventhandler_time(o.sent_at, sent, sizeof(sent));
	f = open_memstream(&text, &size);
	if (!f) {
		free(body);
		return;
	}
	if (is_report) {
		char disch[24];

		eventhandler_time(o.report_at ? o.report_at : store_now_ms(),
				  disch, sizeof(disch));
		fprintf(f, "From: %s\nSent: %s\nReceived: %s\nSubject: %s\n"
			   "Modem: %s\n", eventhandler_number(o.recipient), sent, now,
			o.modem, o.modem);
		if (o.imsi[0])
			fprintf(f, "IMSI: %s\n", o.imsi);
		fprintf(f, "Alphabet: ISO\nLength: 0\n\nSMS STATUS REPORT\n"
			   "Message_id: %d\nDischarge_timestamp: %s\n"
			   "Status: %d,%s\n", o.mr, disch,
			o.status < 0 ? 0 : o.status,
			eventhandler_status_text(o.status < 0 ? 0 : o.status));
	} else {
		fprintf(f, "To: %s\n", eventhandler_number(o.recipient));
		if (o.from[0])
			fprintf(f, "From: %s\n", o.from);
		if (o.campaign[0])
			fprintf(f, "Campaign: %s\n", o.campaign);
		fprintf(f, "Alphabet: UTF-8\n");
		if (o.report)
			fprintf(f, "Report: yes\n");
		if (o.modem[0])
			fprintf(f, "Modem: %s\n", o.modem);
		if (event[0] == 'S') {
			fprintf(f, "Sent: %s\n", sent);
			if (o.report && o.mr >= 0)
				fprintf(f, "Message_id: %d\n", o.mr);
		} else {
			fprintf(f, "Failed: %s\n", now);
			fprintf(f, "Error: %s\n", o.error[0] ? o.error
					: e->error ? e->error : "failed");
		}
		if (o.imsi[0])
			fprintf(f, "IMSI: %s\n", o.imsi);
		if (o.imei[0])
			fprintf(f, "IMEI: %s\n", o.imei);
		fprintf(f, "\n%s", body);
	}
	fclose(f);
	eventhandler_run(eh, event, dir, is_report ? "report"
			       : event[0] == 'S' ? "sent" : "failed",
	       text, e->id, e->recipient,
	       is_report || (event[0] == 'S' && o.report) ? o.mr : -1);
	free(text);
	free(body);
}

void eventhandler_outbound(const struct outbound_event *e, void *ud)
{
	struct eventhandler *eh = ud;

	if (eh)
		eventhandler_on_outbound(eh, e, NULL, NULL);
}

/* ---- inbound ---- */

/* smsd's "Sent:" of a received message: the SMSC time stamp. */
static void eventhandler_scts(const char *iso, char *buf, size_t size)
{
	/* "2026-12-03T09:30:00+01:00" → "26-12-03 09:30:00" */
	if (strlen(iso) >= 19 && iso[4] == '-' && iso[10] == 'T')
		snprintf(buf, size, "%.8s %.8s", iso + 2, iso + 11);
	else
		buf[0] = '\0';
}

static void eventhandler_received(struct eventhandler *eh,
				  const struct inbound_event *e,
				  const struct inbox_info *row);

static void eventhandler_received_row(int rc, const struct inbox_info *in,
				      void *ud)
{
	struct eh_later *l = ud;

	(void)rc;	/* without the row: what the event said */
	if (!l->eh->dying)
		eventhandler_received(l->eh, &l->in, in);
	eventhandler_later_end(l);
}

static bool eventhandler_received_later(struct eventhandler *eh,
					const struct inbound_event *e)
{
	struct eh_later *l = eventhandler_later(eh);

	if (!l)
		return false;
	l->in = *e;
	l->in.event = eventhandler_dup(l, 0, e->event);
	l->in.sender = eventhandler_dup(l, 1, e->sender);
	l->in.body = eventhandler_dup(l, 2, e->body);
	l->in.sim = eventhandler_dup(l, 3, e->sim);
	l->in.hook = l->in.recipient = l->in.keyword = NULL;
	pg_store_inbox_info(store_pg(eh->store), e->id,
			    eventhandler_received_row, l);
	return true;
}

static void eventhandler_received(struct eventhandler *eh,
				  const struct inbound_event *e,
				  const struct inbox_info *row)
{
	struct inbox_info in = { 0 };
	char *text = NULL, recv[24], sent[24], prefix[80];
	size_t size;
	FILE *f;

	if (!eventhandler_wanted(eh, eh->cfg->eh_incoming))
		return;
	if (row)
		in = *row;
	else if (eventhandler_received_later(eh, e) ||
		 store_is_pg(eh->store))
		return;		/* later; or PostgreSQL stopping */
	else
		store_inbox_info(eh->store, e->id, &in);
	eventhandler_time(in.received_at ? in.received_at : store_now_ms(),
			  recv, sizeof(recv));
	eventhandler_scts(in.scts, sent, sizeof(sent));
	f = open_memstream(&text, &size);
	if (!f)
		return;
	fprintf(f, "From: %s\n", eventhandler_number(e->sender));
	if (sent[0])
		fprintf(f, "Sent: %s\n", sent);
	fprintf(f, "Received: %s\nSubject: %s\nModem: %s\n", recv,
		e->sim ? e->sim : "", e->sim ? e->sim : "");
	if (in.imsi[0])
		fprintf(f, "IMSI: %s\n", in.imsi);
	if (in.imei[0])
		fprintf(f, "IMEI: %s\n", in.imei);
	fprintf(f, "Report: no\nAlphabet: UTF-8\n");
	if (e->partial)
		fprintf(f, "Incomplete: yes\n");
	fprintf(f, "Length: %zu\n\n%s", strlen(e->body ? e->body : ""),
		e->body ? e->body : "");
	fclose(f);
	/* smsd names received files after the modem: "GSM1.xyzxyz". */
	snprintf(prefix, sizeof(prefix), "%s", e->sim ? e->sim : "modem");
	for (char *p = prefix; *p; p++)
		if (*p == '/')
			*p = '-';
	eventhandler_run(eh, "RECEIVED", eh->cfg->eh_incoming, prefix, text, e->id,
	       e->sender, -1);
	free(text);
}

/* Gammu's RunOnReceive: its variables from the hook's own SMSGW_*, so the
 * text stays out of the command line (gammu-smsd-run(7)). */
static void eventhandler_runonreceive(struct eventhandler *eh,
			    const struct inbound_event *e)
{
	static const char head[] =
		"SMS_MESSAGES=1 SMS_1_NUMBER=\"$SMSGW_NUMBER\""
		" SMS_1_TEXT=\"$SMSGW_TEXT\" SMS_1_CLASS=-1 SMS_1_REFERENCE=0"
		" PHONE_ID=\"$SMSGW_SIM\"";
	struct hook_msg m = {
		.event = HOOK_EVENT_RECEIVED, .id = e->id, .number = e->sender,
		.text = e->body, .sim = e->sim, .sim_number = e->recipient,
		.keyword = e->keyword, .parts = e->parts,
		.partial = e->partial,
	};
	char *cmd;
	bool multi = e->parts > 1;

	if (asprintf(&cmd, "%s DECODED_PARTS=%d%s; export SMS_MESSAGES "
		     "SMS_1_NUMBER SMS_1_TEXT SMS_1_CLASS SMS_1_REFERENCE "
		     "PHONE_ID DECODED_PARTS%s; %s \"$SMSGW_ID\"", head, multi,
		     multi ? " DECODED_1_TEXT=\"$SMSGW_TEXT\"" : "",
		     multi ? " DECODED_1_TEXT" : "",
		     eh->cfg->runonreceive) < 0)
		return;
	hook_run(eh->runner, cmd, &m, NULL, NULL);
	free(cmd);
}

void eventhandler_inbound(const struct inbound_event *e, void *ud)
{
	struct eventhandler *eh = ud;

	if (!eh || strcmp(e->event, "received") != 0)
		return;
	eventhandler_received(eh, e, NULL);
	if (eh->cfg->runonreceive && eh->cfg->runonreceive[0])
		eventhandler_runonreceive(eh, e);
}
