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
#include "store_ops.h"
#include "store_outbox.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Writes "<why> [<category>]" (and the original name when the file was
 * stored under another) as <target>.reason. Senders may write in
 * rejected/, so the text goes to a new file of our own first (O_EXCL,
 * O_NOFOLLOW, O_NONBLOCK: nothing there can be followed, truncated or
 * waited on) that is then renamed over whatever has the name: a FIFO
 * planted as <target>.reason is replaced, never opened. 0 or -errno.
 */
static int spool_write_reason(struct spool *sp, const char *target,
			const char *category, const char *why,
			const char *original)
{
	char name[320], tmp[64], line[1024], esc[SPOOL_NAME_ESCAPED];
	int fd, rc;
	size_t len;

	if (original && strcmp(original, target)) {
		spool_name_escape(original, esc, sizeof(esc));
		len = (size_t)snprintf(line, sizeof(line), "%s [%s]\n"
				       "original name: \"%s\"\n", why,
				       category, esc);
	} else {
		len = (size_t)snprintf(line, sizeof(line), "%s [%s]\n", why,
				       category);
	}
	if (len >= sizeof(line))
		len = sizeof(line) - 1;
	snprintf(name, sizeof(name), "%s.reason", target);
	snprintf(tmp, sizeof(tmp), ".reason-%ld-%u", (long)getpid(),
		 sp->claims++);
	fd = openat(sp->rejected_fd, tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	rc = fs_write_all(fd, line, len);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	close(fd);
	if (rc == 0 && renameat(sp->rejected_fd, tmp, sp->rejected_fd,
				name) < 0)
		rc = -errno;
	if (rc < 0)
		unlinkat(sp->rejected_fd, tmp, 0);
	return rc;
}

/* Moves from_fd/name into rejected/, under another name when taken (by
 * the file or by its .reason). Renaming moves a symbolic link itself,
 * never what it points to. */
static int spool_move_rejected(struct spool *sp, int from_fd, const char *name,
			 const char *target_base, char *target, size_t size)
{
	char reason[320];

	for (int i = 0; i < 1000; i++) {
		if (i == 0)
			snprintf(target, size, "%s", target_base);
		else
			snprintf(target, size, "%s.%d", target_base, i);
		snprintf(reason, sizeof(reason), "%s.reason", target);
		if (faccessat(sp->rejected_fd, reason, F_OK,
			      AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		if (renameat2(from_fd, name, sp->rejected_fd, target,
			      RENAME_NOREPLACE) == 0)
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/* Moves from_fd/name to rejected/ under the name the user gave (shown). */
void spool_reject(struct spool *sp, int from_fd, const char *name,
		   const char *shown, const char *category, const char *why)
{
	char target[300], base[160], esc[SPOOL_NAME_ESCAPED];
	int rc;

	/* A name we refuse is not one to reuse in rejected/ either. */
	if (strcmp(category, "name") == 0)
		snprintf(base, sizeof(base), "badname-%lld",
			 (long long)store_now_ms());
	else
		snprintf(base, sizeof(base), "%s", shown);
	rc = spool_move_rejected(sp, from_fd, name, base, target,
				 sizeof(target));
	if (rc == 0)
		rc = spool_write_reason(sp, target, category, why, shown);
	if (rc == 0)
		rc = fs_sync_dirfd(sp->rejected_fd);
	if (rc == 0)
		rc = fs_sync_dirfd(from_fd);
	spool_name_escape(shown, esc, sizeof(esc));
	if (rc < 0)
		log_error("spool: cannot move \"%s\" to rejected/: %s", esc,
			  strerror(-rc));
	log_notice("spool: rejected \"%s\" as %s: %s", esc, target, why);
	store_event(sp->store, STORE_EVENT_WARNING, "spool",
		    "rejected %s (%s): %s%s%s%s", target, category, why,
		    strcmp(target, shown) ? " (was \"" : "",
		    strcmp(target, shown) ? esc : "",
		    strcmp(target, shown) ? "\")" : "");
	if (sp->rejected)
		sp->rejected(shown, why, sp->rejected_ud);
}

void spool_reject_error(struct spool *sp, int from_fd, const char *name,
			 const char *shown, const struct spool_error *e)
{
	char why[300];

	spool_error_format(e, why, sizeof(why));
	spool_reject(sp, from_fd, name, shown, spool_error_code_name(e->code),
		     why);
}

/* Parts of one recipient's text; false (with ctx->why) if it cannot go. */
bool spool_count_parts(struct accept_ctx *c, const struct spool_recipient *r,
		       int *parts)
{
	struct sms_preview pv;
	char err[160], at[24] = "";

	if (c->fixed_parts) {
		*parts = c->fixed_parts;
		return true;
	}
	if (!c->no_lines)
		snprintf(at, sizeof(at), "line %u: ", r->line);
	if (!sms_preview(r->body, r->body_len, &c->opts, &pv, err, sizeof(err))) {
		snprintf(c->why, sizeof(c->why), "%sthe text cannot be sent: "
			 "%s", at, err);
		return false;
	}
	if (pv.parts > 1 && c->msg->autosplit == 0) {
		/* smstools3: Autosplit: 0 sends one part or nothing. */
		snprintf(c->why, sizeof(c->why), "%sthe text needs %d SMS "
			 "parts and Autosplit: 0 allows one", at, pv.parts);
		return false;
	}
	if (pv.parts > c->cfg->max_parts) {
		snprintf(c->why, sizeof(c->why), "%sthe text needs %d SMS "
			 "parts; max_parts is %d", at, pv.parts,
			 c->cfg->max_parts);
		return false;
	}
	*parts = pv.parts;
	if (!c->msg->personalised)
		c->fixed_parts = pv.parts;
	return true;
}

bool spool_add_recipient(const struct spool_recipient *r, void *ud)
{
	struct accept_ctx *c = ud;
	struct outbox_new m = c->base;
	enum outbox_add_result res;
	int64_t id = 0;

	if (!spool_count_parts(c, r, &m.parts))
		return false;
	m.recipient = r->number;
	m.body = r->body;
	if (c->add(&m, &id, &res, c->add_ctx) < 0) {
		c->db_failed = true;
		return false;
	}
	if (c->added)
		c->added(c->added_ud, id, r->number, res);
	if (res == OUTBOX_ADDED_QUEUED)
		c->queued++;
	else if (res == OUTBOX_ADDED_DEFERRED)
		c->deferred++;
	else
		c->suppressed++;
	return true;
}

static enum msg_priority spool_priority(enum spool_priority p)
{
	return p == SPOOL_PRIORITY_HIGH	 ? MSG_PRIORITY_HIGH
	       : p == SPOOL_PRIORITY_LOW ? MSG_PRIORITY_LOW
					 : MSG_PRIORITY_NORMAL;
}

/* What every message of the file shares; false with ctx->why if the file
 * names a SIM we do not have. */
bool spool_prepare(struct accept_ctx *c)
{
	const struct spool_message *msg = c->msg;
	const struct config *cfg = c->cfg;
	struct outbox_new *b = &c->base;

	*b = (struct outbox_new){
		.kind = msg->kind == SPOOL_KIND_BULK ? MSG_KIND_BULK
						     : MSG_KIND_DIRECT,
		.priority = spool_priority(msg->priority),
		.not_before = msg->has_send_at ? msg->send_at_ms : 0,
		.pool = msg->pool,
		.report = msg->report < 0 ? cfg->report_default : msg->report,
		.flash = msg->flash,
		.ucs2 = msg->force_ucs2,
		.language = msg->language,
		/* smstools3's Retries: counts tries after the first. */
		.max_attempts = msg->retries >= 0 ? msg->retries + 1 : 0,
		.validity_minutes = msg->validity_minutes,
		.origin = c->origin,
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
		struct sim *s = sim_find(c->reg, msg->sim);

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

void spool_ctx_init(struct accept_ctx *c, struct spool *sp)
{
	*c = (struct accept_ctx){ .store = sp->store, .cfg = sp->cfg,
				  .reg = sp->reg, .origin = "spool",
				  .now = store_now_ms() };
}

void spool_answered(struct spool *sp)
{
	if (!sp->working)
		loop_defer(&sp->work);
}

bool spool_claim_out(const struct spool *sp, const char *claim)
{
	for (const struct spool_accepting *a = sp->accepting; a; a = a->next)
		if (strcmp(a->claim, claim) == 0)
			return true;
	return sp->job && strcmp(sp->job->claim, claim) == 0;
}

/* Pass 2 for the store (store_ops.h produce): the file's recipients. */
static int spool_accept_produce(store_add_fn add, void *ctx, void *ud)
{
	struct spool_accepting *a = ud;
	struct accept_ctx *c = &a->c;
	int rc;

	c->add = add;
	c->add_ctx = ctx;
	rc = spool_file_recipients(a->fd, a->p, c->cfg->max_file_bytes,
				   spool_add_recipient, c);
	c->add = NULL;
	if (rc == -EBADMSG && !c->why[0] && !c->db_failed)
		spool_error_format(spool_parse_error(a->p), c->why,
				   sizeof(c->why));
	if (rc < 0 && c->why[0] && !c->db_failed)
		return -EBADMSG;
	return rc < 0 ? -EIO : 0;
}

static void spool_accepting_free(struct spool_accepting *a)
{
	struct spool_accepting **pp = &a->sp->accepting;

	while (*pp && *pp != a)
		pp = &(*pp)->next;
	if (*pp)
		*pp = a->next;
	spool_parse_free(a->p);
	if (a->fd >= 0)
		close(a->fd);
	free(a);
}

/*
 * The store's answer for one file. The claim stays in active/ until here:
 * only a commit removes it, so nothing accepted is lost and nothing is
 * taken twice whenever the answer comes.
 */
static void spool_accept_done(int rc, void *ud)
{
	struct spool_accepting *a = ud;
	struct spool *sp = a->sp;

	if (rc == -EBADMSG) {
		spool_reject(sp, sp->active_fd, a->claim, a->shown, "value",
			     a->c.why);
	} else if (rc == 1) {
		log_notice("spool: %s repeats the Id: of an accepted file; not "
			   "queued again", a->shown);
		store_event(sp->store, STORE_EVENT_INFO, "spool",
			    "%s not queued again: Id '%s' was accepted before",
			    a->shown, a->c.msg->id);
		unlinkat(sp->active_fd, a->claim, 0);
	} else if (rc == 0) {
		spool_accepted(sp->store, a->shown, &a->c);
		unlinkat(sp->active_fd, a->claim, 0);
		fs_sync_dirfd(sp->active_fd);
		sp->newly_accepted++;
	} else {
		log_error("spool: %s not accepted (database error); left in "
			  "active/ and tried again", a->shown);
		sp->db_failed = true;
	}
	spool_accepting_free(a);
	spool_answered(sp);
}

/* Asks the store to accept a's file; the answer is spool_accept_done. */
static void spool_accept_commit(struct spool_accepting *a)
{
	const struct spool_message *msg = a->c.msg;

	a->req = (struct store_accept){
		.name = a->shown, .claim = a->claim, .hash = msg->hash,
		.idem_key = msg->id, .campaign = msg->campaign,
		.now = a->c.now, .produce = spool_accept_produce,
		.produce_ud = a, .recipients = (long)msg->recipients,
		.duplicates = (long)msg->duplicates,
	};
	a->next = a->sp->accepting;
	a->sp->accepting = a;
	store_op_accept(a->sp->store, &a->req, &a->c.file_id,
			spool_accept_done, a);
}

void spool_accepted(struct store *st, const char *name,
		    const struct accept_ctx *c)
{
	const struct spool_message *msg = c->msg;

	log_info("spool: accepted %s: %zu recipient%s", name, msg->recipients,
		 msg->recipients == 1 ? "" : "s");
	store_event(st, STORE_EVENT_INFO, "spool",
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
		store_event(st, STORE_EVENT_WARNING, "spool",
			    "%s: unknown headers ignored: %s (strict_headers "
			    "= yes refuses them)", name, msg->ignored);
}

static void spool_accept_file(struct spool *sp, const char *claim,
			      const char *shown, bool recovering);

/*
 * A claim found in active/ at start or on a retry: the database may have
 * it already (committed just before a crash, only the unlink was missing;
 * or a big file cut short, which a job now finishes or purges). The
 * store's answer decides; until then the claim counts as out.
 */
static void spool_recovered(int rc, void *ud)
{
	struct spool_accepting *a = ud;
	struct spool *sp = a->sp;

	if (rc < 0) {
		sp->db_failed = true;	/* cannot tell: not now */
	} else if (a->staging != STORE_STAGING_NONE &&
		   a->staging != STORE_STAGING_DONE && sp->job) {
		/* One big file at a time: this one after the current. */
		spool_recover_later(sp, a->claim);
	} else {
		switch (a->staging) {
		case STORE_STAGING_NONE:
			break;
		case STORE_STAGING_DONE:
			unlinkat(sp->active_fd, a->claim, 0);
			break;
		case STORE_STAGING_RELEASING:
			unlinkat(sp->active_fd, a->claim, 0);
			spool_job_release(sp, a->staged_id);
			break;
		case STORE_STAGING_ADDING:
			/* Cut short: its rows so far stay, the rest go in. */
			spool_job_resume(sp, a->staged_id, a->claim, a->shown);
			break;
		}
	}
	if (rc == 0 && a->staging == STORE_STAGING_NONE) {
		char claim[256], shown[256];

		snprintf(claim, sizeof(claim), "%s", a->claim);
		snprintf(shown, sizeof(shown), "%s", a->shown);
		spool_accepting_free(a);
		spool_accept_file(sp, claim, shown, false);
	} else {
		spool_accepting_free(a);
	}
	spool_answered(sp);
}

static void spool_recover_ask(struct spool *sp, const char *claim,
			      const char *shown)
{
	struct spool_accepting *a = calloc(1, sizeof(*a));

	if (!a) {
		sp->db_failed = true;
		return;
	}
	a->sp = sp;
	a->fd = -1;
	snprintf(a->claim, sizeof(a->claim), "%s", claim);
	snprintf(a->shown, sizeof(a->shown), "%s", shown);
	a->next = sp->accepting;
	sp->accepting = a;
	store_op_staging(sp->store, a->claim, &a->staging, &a->staged_id,
			 spool_recovered, a);
}

/*
 * Accepts active/claim, dropped as shown; recovering: it was claimed before
 * a restart, and may have been committed already.
 */
static void spool_accept_file(struct spool *sp, const char *claim,
			      const char *shown, bool recovering)
{
	struct spool_accepting *a;
	struct spool_error e = { 0 };
	struct stat st;
	int fd, rc;

	if (recovering) {
		spool_recover_ask(sp, claim, shown);
		return;
	}
	fd = spool_file_open(sp->active_fd, claim, sp->cfg->max_file_bytes, &e);
	if (fd == -ENOENT)
		return;
	if (fd < 0) {
		if (!e.text[0])
			snprintf(e.text, sizeof(e.text), "%s", strerror(-fd));
		spool_reject_error(sp, sp->active_fd, claim, shown, &e);
		return;
	}
	/* A big file is taken in steps: the loop must not wait for it (nor
	 * for a small one of many recipients: below, after pass 1). */
	if (fstat(fd, &st) == 0 && st.st_size > SPOOL_STEP_BYTES) {
		spool_job_scan(sp, claim, shown, fd);
		return;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		close(fd);
		sp->db_failed = true;	/* out of memory: try again later */
		return;
	}
	a->sp = sp;
	a->fd = fd;
	snprintf(a->claim, sizeof(a->claim), "%s", claim);
	snprintf(a->shown, sizeof(a->shown), "%s", shown);
	spool_ctx_init(&a->c, sp);
	spool_rules_init(&a->rules, sp->cfg);
	a->p = spool_parse_new(&a->rules);
	rc = a->p ? spool_file_scan(fd, a->p, sp->cfg->max_file_bytes)
		  : -ENOMEM;
	if (rc == -EBADMSG) {
		spool_reject_error(sp, sp->active_fd, claim, shown,
				   spool_parse_error(a->p));
	} else if (rc < 0) {
		log_error("spool: reading %s: %s; left in active/ and tried "
			  "again", shown, strerror(-rc));
		sp->db_failed = true;
	} else if (spool_parse_message(a->p)->recipients > SPOOL_STEP_ROWS) {
		/* Many rows in few bytes: in steps too, from the scan on. */
		spool_job_scanned(sp, claim, shown, fd, a->p);
		a->p = NULL;
		a->fd = -1;
	} else {
		a->c.msg = spool_parse_message(a->p);
		if (spool_prepare(&a->c)) {
			spool_accept_commit(a);	/* a is the store's now */
			return;
		}
		spool_reject(sp, sp->active_fd, claim, shown, "value",
			     a->c.why);
	}
	spool_accepting_free(a);
}

/*
 * An entry we may not rename: a sender's directory (moving a directory
 * needs write access to it, for its ".."). It stays where it is; its
 * .reason in rejected/ and one event say so, once per inode.
 */
static void spool_unmovable(struct spool *sp, const char *name, int err)
{
	char why[300], esc[SPOOL_NAME_ESCAPED], bad[160];
	struct stat st;
	size_t i;

	if (fstatat(sp->outgoing_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	for (i = 0; i < SPOOL_UNMOVABLE; i++)
		if (sp->unmovable[i].ino == st.st_ino &&
		    sp->unmovable[i].dev == st.st_dev)
			return;
	sp->unmovable[sp->nunmovable % SPOOL_UNMOVABLE].dev = st.st_dev;
	sp->unmovable[sp->nunmovable % SPOOL_UNMOVABLE].ino = st.st_ino;
	sp->nunmovable++;
	snprintf(why, sizeof(why), "%s of uid %ld that the daemon may not "
		 "move (%s); it stays in outgoing/ until its owner removes it",
		 S_ISDIR(st.st_mode) ? "a directory" : "an entry",
		 (long)st.st_uid, strerror(err));
	spool_name_escape(name, esc, sizeof(esc));
	if (spool_file_name_check(name, bad, sizeof(bad)) == SPOOL_FILE_NAME_OK)
		spool_write_reason(sp, name, "file", why, NULL);
	log_warn("spool: \"%s\" in outgoing/: %s", esc, why);
	store_event(sp->store, STORE_EVENT_WARNING, "spool",
		    "\"%s\" in outgoing/ is %s", esc, why);
}

void spool_take(struct spool *sp, const char *name)
{
	char why[200], claim[256];

	switch (spool_file_name_check(name, why, sizeof(why))) {
	case SPOOL_FILE_NAME_IGNORE:
		return;
	case SPOOL_FILE_NAME_BAD:
		spool_reject(sp, sp->outgoing_fd, name, name, "name", why);
		return;
	case SPOOL_FILE_NAME_OK:
		break;
	}
	/* The claim: after this rename no other reader sees the file. Its
	 * name in active/ is new for every claim (the name, '@', a time and
	 * a counter: spool_recover cuts at the last '@'), so a crash leftover is told from a later file of
	 * the same name and content. */
	snprintf(claim, sizeof(claim), "%s@%lld.%u", name,
		 (long long)store_now_ms(), sp->claims++);
	if (renameat2(sp->outgoing_fd, name, sp->active_fd, claim,
		      RENAME_NOREPLACE) < 0) {
		if (errno == EACCES || errno == EPERM)
			spool_unmovable(sp, name, errno);
		else if (errno != ENOENT)
			log_error("spool: cannot claim %s: %m", name);
		return;
	}
	/* The rename is durable before the commit: a power cut must not
	 * bring the file back into outgoing/ after its rows were committed
	 * (it would be a new claim, sent twice). */
	if (fs_sync_dirfd(sp->active_fd) < 0 ||
	    fs_sync_dirfd(sp->outgoing_fd) < 0)
		log_warn("spool: fsync after claiming %s: %m", name);
	spool_accept_file(sp, claim, name, false);
}

void spool_recover(struct spool *sp, const char *claim)
{
	char shown[256];

	/* name@time.n: a name may hold '@' itself; the claim's is the last. */
	const char *at = strrchr(claim, '@');

	snprintf(shown, sizeof(shown), "%.*s",
		 (int)(at ? at - claim : (ptrdiff_t)strlen(claim)), claim);
	spool_accept_file(sp, claim, shown, true);
}
