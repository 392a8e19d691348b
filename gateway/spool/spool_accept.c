/*
 * spool_accept — one spool file: claimed by rename, read in two passes,
 * its recipients committed to the outbox in one transaction, then removed;
 * or moved to rejected/ with a .reason that says why (line and header).
 */
#include "spool_priv.h"
#include "config.h"
#include "fsutil.h"
#include "log.h"
#include "sim.h"
#include "sms.h"
#include "spool_file.h"
#include "spool_parse.h"
#include "store.h"
#include "store_outbox.h"
#include "store_ops.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One file from pass 2 until the store answered (store_op_accept()). */
struct accept_ctx {
	struct spool *sp;
	int fd;
	struct spool_parser *p;
	const char *claim, *shown;	/* copies below */
	const struct spool_message *msg;
	struct outbox_new base;		/* what every recipient shares */
	struct sms_encode_opts opts;
	int64_t now;
	int fixed_parts;		/* a plain body's parts, else 0 */
	long queued, deferred, suppressed;
	bool db_failed;			/* the store refused a row */
	bool answered;			/* spool_accept_finish() ran */
	bool returned;			/* spool_accept_file() returned
					   before the store answered */
	int taken;			/* spool_accept_file()'s result */
	/* The store's add() for this file, during produce. */
	int (*add)(const struct outbox_new *m, enum outbox_add_result *res,
		   void *ctx);
	void *add_ctx;
	char why[256];			/* set when the file must be rejected */
	char claim_buf[256], shown_buf[256];
};

/* What the transaction of one file came to. */
enum spool_accept_outcome {
	SPOOL_ACCEPT_COMMITTED,		/* its rows are durable: unlink it */
	SPOOL_ACCEPT_DUPLICATE,		/* its Id: was accepted before */
	SPOOL_ACCEPT_REJECTED,		/* the file's fault: ctx->why */
	SPOOL_ACCEPT_DB_FAILED,		/* the store's: the file stays */
};

/* Writes "<why> [<category>]" next to the rejected file; 0 or -errno. */
static int spool_accept_write_reason(struct spool *sp, const char *target,
				     const char *category, const char *why)
{
	char name[320], line[512];
	int fd, rc = 0;
	size_t len;

	len = (size_t)snprintf(line, sizeof(line), "%s [%s]\n", why, category);
	if (len >= sizeof(line))
		len = sizeof(line) - 1;
	snprintf(name, sizeof(name), "%s.reason", target);
	fd = openat(sp->rejected_fd, name, O_WRONLY | O_CREAT | O_TRUNC |
					       O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	if (write(fd, line, len) != (ssize_t)len || fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* Moves from_fd/name into rejected/, under another name when taken. */
static int spool_accept_move_rejected(struct spool *sp, int from_fd,
				      const char *name, const char *target_base,
				      char *target, size_t size)
{
	for (int i = 0; i < 1000; i++) {
		if (i == 0)
			snprintf(target, size, "%s", target_base);
		else
			snprintf(target, size, "%s.%d", target_base, i);
		if (renameat2(from_fd, name, sp->rejected_fd, target,
			      RENAME_NOREPLACE) == 0)
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/* Moves from_fd/name to rejected/ under the name the user gave (shown). */
static void spool_accept_reject(struct spool *sp, int from_fd, const char *name,
				const char *shown, const char *category,
				const char *why)
{
	char target[300], base[160];
	int rc;

	/* A name we refuse is not one to reuse in rejected/ either. */
	if (strcmp(category, "name") == 0)
		snprintf(base, sizeof(base), "badname-%lld",
			 (long long)store_now_ms());
	else
		snprintf(base, sizeof(base), "%s", shown);
	rc = spool_accept_move_rejected(sp, from_fd, name, base, target,
					sizeof(target));
	if (rc == 0)
		rc = spool_accept_write_reason(sp, target, category, why);
	if (rc == 0)
		rc = fs_sync_dirfd(sp->rejected_fd);
	if (rc < 0)
		log_error("spool: cannot move %s to rejected/: %s", name,
			  strerror(-rc));
	log_notice("spool: rejected %s: %s", target, why);
	store_event(sp->store, STORE_EVENT_WARNING, "spool",
		    "rejected %s (%s): %s", target, category, why);
}

static void spool_accept_reject_error(struct spool *sp, int from_fd,
				      const char *name, const char *shown,
				      const struct spool_error *e)
{
	char why[300];

	spool_error_format(e, why, sizeof(why));
	spool_accept_reject(sp, from_fd, name, shown,
			    spool_error_code_name(e->code), why);
}

/* Parts of one recipient's text; false (with ctx->why) if it cannot go. */
static bool spool_accept_count_parts(struct accept_ctx *c,
				     const struct spool_recipient *r,
				     int *parts)
{
	struct sms_preview pv;
	char err[160];

	if (c->fixed_parts) {
		*parts = c->fixed_parts;
		return true;
	}
	if (!sms_preview(r->body, r->body_len, &c->opts, &pv, err, sizeof(err))) {
		snprintf(c->why, sizeof(c->why), "line %u: the text cannot be "
			 "sent: %s", r->line, err);
		return false;
	}
	if (pv.parts > 1 && c->msg->autosplit == 0) {
		/* smstools3: Autosplit: 0 sends one part or nothing. */
		snprintf(c->why, sizeof(c->why), "line %u: the text needs %d SMS "
			 "parts and Autosplit: 0 allows one", r->line, pv.parts);
		return false;
	}
	if (pv.parts > c->sp->cfg->max_parts) {
		snprintf(c->why, sizeof(c->why), "line %u: the text needs %d SMS "
			 "parts; max_parts is %d", r->line, pv.parts,
			 c->sp->cfg->max_parts);
		return false;
	}
	*parts = pv.parts;
	if (!c->msg->personalised)
		c->fixed_parts = pv.parts;
	return true;
}

static bool spool_accept_add_recipient(const struct spool_recipient *r,
				       void *ud)
{
	struct accept_ctx *c = ud;
	struct outbox_new m = c->base;
	enum outbox_add_result res;

	if (!spool_accept_count_parts(c, r, &m.parts))
		return false;
	m.recipient = r->number;
	m.body = r->body;
	if (c->add(&m, &res, c->add_ctx) < 0) {
		c->db_failed = true;
		return false;
	}
	if (res == OUTBOX_ADDED_QUEUED)
		c->queued++;
	else if (res == OUTBOX_ADDED_DEFERRED)
		c->deferred++;
	else
		c->suppressed++;
	return true;
}

static enum msg_priority spool_accept_priority(enum spool_priority p)
{
	return p == SPOOL_PRIORITY_HIGH	 ? MSG_PRIORITY_HIGH
	       : p == SPOOL_PRIORITY_LOW ? MSG_PRIORITY_LOW
					 : MSG_PRIORITY_NORMAL;
}

/* What every message of the file shares; false with ctx->why if the file
 * names a SIM we do not have. */
static bool spool_accept_prepare(struct accept_ctx *c)
{
	const struct spool_message *msg = c->msg;
	const struct config *cfg = c->sp->cfg;
	struct outbox_new *b = &c->base;

	*b = (struct outbox_new){
		.kind = msg->kind == SPOOL_KIND_BULK ? MSG_KIND_BULK
						     : MSG_KIND_DIRECT,
		.priority = spool_accept_priority(msg->priority),
		.not_before = msg->has_send_at ? msg->send_at_ms : 0,
		.pool = msg->pool,
		.report = msg->report < 0 ? cfg->report_default : msg->report,
		.flash = msg->flash,
		.ucs2 = msg->force_ucs2,
		.language = msg->language,
		/* smstools3's Retries: counts tries after the first. */
		.max_attempts = msg->retries >= 0 ? msg->retries + 1 : 0,
		.validity_minutes = msg->validity_minutes,
		.origin = "spool",
		.smsc = msg->smsc,
		.from = msg->from,
		.has_class = msg->msg_class >= 0,
		.msg_class = msg->msg_class,
		.has_autosplit = msg->autosplit >= 0,
		.autosplit = msg->autosplit,
		.pdu_flags = (msg->reject_duplicates ?
			      OUTBOX_PDU_REJECT_DUPLICATES : 0) |
			     (msg->reply_path ? OUTBOX_PDU_REPLY_PATH : 0),
		.replace = msg->replace,
	};
	b->expires_at = (b->not_before > c->now ? b->not_before : c->now) +
			cfg->expire_after_ms;
	if (msg->sim) {
		struct sim *s = sim_find(c->sp->reg, msg->sim);

		if (!s) {
			snprintf(c->why, sizeof(c->why), "SIM: no configured "
				 "SIM is '%s' (by name, ICCID or number)",
				 msg->sim);
			return false;
		}
		b->pin_sim_id = s->id;
		b->pin_sim = msg->sim;
	}
	sms_encode_opts_init(&c->opts);
	c->opts.force_ucs2 = msg->force_ucs2;
	c->opts.language = (enum sms_language)msg->language;
	return true;
}

/* Pass 2, run by the store inside the file's transaction: every
 * recipient to add(). */
static int spool_accept_produce(int (*add)(const struct outbox_new *m,
					   enum outbox_add_result *res,
					   void *ctx),
				void *add_ctx, void *ud)
{
	struct accept_ctx *c = ud;
	int rc;

	c->add = add;
	c->add_ctx = add_ctx;
	rc = spool_file_recipients(c->fd, c->p, c->sp->cfg->max_file_bytes,
				   spool_accept_add_recipient, c);
	if (rc == -EBADMSG && !c->why[0] && !c->db_failed)
		spool_error_format(spool_parse_error(c->p), c->why,
				   sizeof(c->why));
	if (rc < 0 && !c->db_failed && c->why[0])
		return -EBADMSG;
	return rc < 0 ? -EIO : 0;
}

static void spool_accept_log_accepted(struct spool *sp, const char *name,
				      const struct accept_ctx *c)
{
	const struct spool_message *msg = c->msg;

	log_info("spool: accepted %s: %zu recipient%s", name, msg->recipients,
		 msg->recipients == 1 ? "" : "s");
	store_event(sp->store, STORE_EVENT_INFO, "spool",
		    "accepted %s: %zu recipient%s (%ld queued, %ld deferred, "
		    "%ld suppressed, %zu duplicate%s removed)%s%s%s%s", name,
		    msg->recipients, msg->recipients == 1 ? "" : "s", c->queued,
		    c->deferred, c->suppressed, msg->duplicates,
		    msg->duplicates == 1 ? "" : "s",
		    msg->campaign ? ", campaign " : "",
		    msg->campaign ? msg->campaign : "",
		    msg->not_honoured[0] ? "; note: " : "",
		    msg->not_honoured);
	/* smstools3 ignores unknown headers; we do too, but say so once. */
	if (msg->ignored[0])
		store_event(sp->store, STORE_EVENT_WARNING, "spool",
			    "%s: unknown headers ignored: %s (strict_headers "
			    "= yes refuses them)", name, msg->ignored);
}

static void spool_accept_free(struct accept_ctx *c)
{
	spool_parse_free(c->p);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

/* What the file's transaction came to: move, unlink or keep the file. */
static void spool_accept_finish(struct accept_ctx *c,
				enum spool_accept_outcome outcome)
{
	struct spool *sp = c->sp;

	switch (outcome) {
	case SPOOL_ACCEPT_REJECTED:
		spool_accept_reject(sp, sp->active_fd, c->claim, c->shown,
				    "value", c->why);
		break;
	case SPOOL_ACCEPT_DUPLICATE:
		log_notice("spool: %s repeats the Id: of an accepted file; not "
			   "queued again", c->shown);
		store_event(sp->store, STORE_EVENT_INFO, "spool",
			    "%s not queued again: Id '%s' was accepted before",
			    c->shown, c->msg->id);
		unlinkat(sp->active_fd, c->claim, 0);
		break;
	case SPOOL_ACCEPT_COMMITTED:
		spool_accept_log_accepted(sp, c->shown, c);
		unlinkat(sp->active_fd, c->claim, 0);
		fs_sync_dirfd(sp->active_fd);
		c->taken = 1;
		/* Answered after spool_accept_file() returned: spool.c
		 * did not count it, so say it here. */
		if (c->returned && sp->accepted)
			sp->accepted(sp->accepted_ud);
		break;
	case SPOOL_ACCEPT_DB_FAILED:
		log_error("spool: %s not accepted (database error); left in "
			  "active/ for the next start", c->shown);
		break;
	}
	c->answered = true;
	if (c->returned)
		spool_accept_free(c);
}

static void spool_accept_stored(int rc, void *ud)
{
	spool_accept_finish(ud, rc == 0 ? SPOOL_ACCEPT_COMMITTED
				: rc == 1 ? SPOOL_ACCEPT_DUPLICATE
				: rc == -EBADMSG ? SPOOL_ACCEPT_REJECTED
				: SPOOL_ACCEPT_DB_FAILED);
}

/*
 * Accepts active/claim, dropped as shown; recovering: it was claimed before
 * a restart, and may have been committed already.
 */
static int spool_accept_file(struct spool *sp, const char *claim,
			     const char *shown, bool recovering)
{
	struct accept_ctx *c;
	struct spool_rules rules;
	struct spool_error e = { 0 };
	struct spool_parser *p = NULL;
	int fd, rc;

	if (recovering && store_outbox_file_claimed(sp->store, claim)) {
		/* Committed just before a crash; only the unlink was missing. */
		unlinkat(sp->active_fd, claim, 0);
		return 0;
	}
	fd = spool_file_open(sp->active_fd, claim, sp->cfg->max_file_bytes, &e);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0) {
		if (!e.text[0])
			snprintf(e.text, sizeof(e.text), "%s", strerror(-fd));
		spool_accept_reject_error(sp, sp->active_fd, claim, shown, &e);
		return 0;
	}
	spool_rules_init(&rules, sp->cfg);
	p = spool_parse_new(&rules);
	rc = p ? spool_file_scan(fd, p, sp->cfg->max_file_bytes) : -ENOMEM;
	if (rc == -EBADMSG) {
		spool_accept_reject_error(sp, sp->active_fd, claim, shown,
					  spool_parse_error(p));
		rc = 0;
		goto out;
	}
	if (rc < 0) {
		log_error("spool: reading %s: %s; left in active/ for the next "
			  "start", shown, strerror(-rc));
		goto out;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		log_error("spool: %s: out of memory; left in active/ for the "
			  "next start", shown);
		goto out;
	}
	*c = (struct accept_ctx){ .sp = sp, .fd = fd, .p = p,
				  .now = store_now_ms() };
	snprintf(c->claim_buf, sizeof(c->claim_buf), "%s", claim);
	snprintf(c->shown_buf, sizeof(c->shown_buf), "%s", shown);
	c->claim = c->claim_buf;
	c->shown = c->shown_buf;
	c->msg = spool_parse_message(p);
	if (!spool_accept_prepare(c)) {
		spool_accept_finish(c, SPOOL_ACCEPT_REJECTED);
	} else {
		const struct store_accept req = {
			.name = shown, .claim = claim, .hash = c->msg->hash,
			.idem_key = c->msg->id, .campaign = c->msg->campaign,
			.now = c->now, .produce = spool_accept_produce,
			.produce_ud = c,
			.recipients = (long)c->msg->recipients,
			.duplicates = (long)c->msg->duplicates,
		};

		store_op_accept(sp->store, &req, spool_accept_stored, c);
	}
	/* The store may answer later (store_ops.h): then the context is
	 * its until spool_accept_finish(). */
	rc = c->taken;
	if (c->answered)
		spool_accept_free(c);
	else
		c->returned = true;
	return rc;
out:
	spool_parse_free(p);
	close(fd);
	return rc > 0;
}

int spool_take(struct spool *sp, const char *name)
{
	char why[200], claim[256];

	switch (spool_file_name_check(name, why, sizeof(why))) {
	case SPOOL_FILE_NAME_IGNORE:
		return 0;
	case SPOOL_FILE_NAME_BAD:
		spool_accept_reject(sp, sp->outgoing_fd, name, name, "name",
				    why);
		return 0;
	case SPOOL_FILE_NAME_OK:
		break;
	}
	/* The claim: after this rename no other reader sees the file. Its
	 * name in active/ is new for every claim ('@' never appears in the
	 * names we take), so a crash leftover is told from a later file of
	 * the same name and content. */
	snprintf(claim, sizeof(claim), "%s@%lld.%u", name,
		 (long long)store_now_ms(), sp->claims++);
	if (renameat2(sp->outgoing_fd, name, sp->active_fd, claim,
		      RENAME_NOREPLACE) < 0) {
		if (errno != ENOENT)
			log_error("spool: cannot claim %s: %m", name);
		return 0;
	}
	return spool_accept_file(sp, claim, name, false);
}

void spool_recover(struct spool *sp, const char *claim)
{
	char shown[256];

	snprintf(shown, sizeof(shown), "%.*s", (int)strcspn(claim, "@"), claim);
	spool_accept_file(sp, claim, shown, true);
}
