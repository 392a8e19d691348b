/*
 * spool — watching outgoing/ and moving files through active/ to the
 * outbox or to rejected/; see include/spool.h. Reading and checking one
 * file is spool_accept.c.
 *
 * inotify tells us about files written in place (IN_CLOSE_WRITE) and
 * renamed in (IN_MOVED_TO). Names queue up and are taken a bounded number
 * per loop iteration, so a burst of thousands of files never starves the
 * modems.
 */
#include "spool_priv.h"
#include "backoff.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "store.h"
#include "store_outbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Files taken per loop iteration before yielding to the other events,
 * and the time they may take: each small file is its own commit with its
 * fsyncs (the claim's directories, the rows, the unlink), and a turn that
 * took 64 in a row held every modem's answer and +CMTI behind them. */
#define SPOOL_BATCH 64
#define SPOOL_TURN_MS 10

static int spool_queue_name(struct spool *sp, const char *name)
{
	struct spool_name *n;
	size_t len = strlen(name);

	n = malloc(sizeof(*n) + len + 1);
	if (!n)
		return -ENOMEM;
	memcpy(n->name, name, len + 1);
	n->next = NULL;
	if (sp->tail)
		sp->tail->next = n;
	else
		sp->head = n;
	sp->tail = n;
	loop_defer(&sp->work);
	return 0;
}

static void spool_free_queue(struct spool *sp)
{
	while (sp->head) {
		struct spool_name *n = sp->head;

		sp->head = n->next;
		free(n);
	}
	sp->tail = NULL;
}

/*
 * A file a scan finds without an inotify event may still be being written
 * in place (its close-write event will come); one changed this recently is
 * left to that event, or to the next scan.
 */
#define SPOOL_SETTLE_MS 2000

static bool spool_settled(struct spool *sp, const char *name)
{
	struct stat st;
	int64_t age;

	if (fstatat(sp->outgoing_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISREG(st.st_mode))
		return true;	/* gone, or not a file: spool_take says */
	/* An mtime is stamped by the kernel's clock, not the injectable one:
	 * compare it with the real clock (include/clock.h). */
	age = clock_real_ms() - ((int64_t)st.st_mtim.tv_sec * 1000 +
				 st.st_mtim.tv_nsec / 1000000);
	return age >= SPOOL_SETTLE_MS;
}

/* Queues every name in outgoing/ (at start, and after an inotify overflow). */
static void spool_scan_outgoing(struct spool *sp)
{
	int fd = openat(sp->outgoing_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	bool later = false;

	if (!d) {
		log_error("spool: cannot read %s/outgoing: %m", sp->cfg->spool);
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (spool_settled(sp, de->d_name))
			spool_queue_name(sp, de->d_name);
		else
			later = true;
	}
	closedir(d);
	if (later)
		loop_timer_arm(&sp->rescan, SPOOL_SETTLE_MS);
}

static int64_t spool_on_rescan(struct loop_timer *t, void *ud)
{
	(void)t;
	spool_scan_outgoing(ud);
	return LOOP_TIMER_DONE;
}

/*
 * Regular files are taken when closed after writing or renamed in. What
 * is created in place and is not a regular file of one link (a symbolic
 * link, FIFO, socket, device, directory, hard link) never closes after a
 * write, so it is queued at once: spool_take moves it to rejected/.
 */
static bool spool_odd_entry(struct spool *sp, const char *name)
{
	struct stat st;

	if (fstatat(sp->outgoing_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	return !S_ISREG(st.st_mode) || st.st_nlink != 1;
}

static void spool_on_inotify(struct fswatch_sub *sub, uint32_t mask,
			     const char *name, void *ud)
{
	struct spool *sp = ud;

	(void)sub;
	if (mask & IN_Q_OVERFLOW) {
		log_warn("spool: inotify overflow; rescanning");
		spool_free_queue(sp);
		spool_scan_outgoing(sp);
	} else if (name && (mask & (IN_CLOSE_WRITE | IN_MOVED_TO) ||
			    spool_odd_entry(sp, name))) {
		spool_queue_name(sp, name);
	}
}

/*
 * A file the database would not take (disk full, a lock) stays claimed
 * in active/; it is taken again on a backoff, 1 s doubling to a minute,
 * not only at the next start.
 */
#define SPOOL_RETRY_FIRST_MS 1000
#define SPOOL_RETRY_MAX_MS 60000

static void spool_retry_later(struct spool *sp)
{
	int64_t ms;

	if (!sp->db_failed)
		return;
	sp->db_failed = false;
	ms = backoff_ms(sp->retry_round++, SPOOL_RETRY_FIRST_MS,
			SPOOL_RETRY_MAX_MS);
	if (!loop_timer_armed(&sp->retry))
		loop_timer_arm(&sp->retry, ms);
}

static void spool_finish_active(struct spool *sp);

/* The store's answer: an accepted big file still to release, or none. */
static void spool_release_found(int rc, void *ud)
{
	struct spool *sp = ud;

	sp->release_asked = false;
	if (rc < 0)
		sp->db_failed = true;
	else if (sp->release_state == STORE_STAGING_RELEASING && !sp->job)
		spool_job_release(sp, sp->release_id);
	spool_answered(sp);
}

static int64_t spool_on_retry(struct loop_timer *t, void *ud)
{
	struct spool *sp = ud;

	(void)t;
	spool_finish_active(sp);
	/* A big file's rows left half released by a database error. */
	if (!sp->job && !sp->release_asked) {
		sp->release_asked = true;
		store_op_staging(sp->store, NULL, &sp->release_state,
				 &sp->release_id, spool_release_found, sp);
	}
	return LOOP_TIMER_DONE;
}

void spool_recover_later(struct spool *sp, const char *claim)
{
	size_t len = strlen(claim);
	struct spool_name *q = malloc(sizeof(*q) + len + 1);

	if (!q) {
		sp->db_failed = true;	/* the retry scan finds it */
		return;
	}
	memcpy(q->name, claim, len + 1);
	q->next = sp->recover;
	sp->recover = q;
	loop_defer(&sp->work);
}

static struct spool_name *spool_pop(struct spool_name **head)
{
	struct spool_name *n = *head;

	*head = n->next;
	return n;
}

static void spool_work(struct loop_deferred *d, void *ud)
{
	struct spool *sp = ud;
	int accepted = 0;
	int64_t start = loop_clock_ms();

	(void)d;
	sp->working = true;
	for (int i = 0; i < SPOOL_BATCH; i++) {
		struct spool_name *n;

		if (i > 0 && loop_clock_ms() - start >= SPOOL_TURN_MS)
			break;	/* the rest next turn (deferred again) */

		if (sp->job) {
			/* A big file: its step used the turn's time, or
			 * waits for the store's answer; one small file a
			 * turn does not wait for it (a big one waits in
			 * active/, spool_job_scan()). */
			if (!spool_job_step(sp)) {
				if (sp->head) {
					n = spool_pop(&sp->head);
					if (!sp->head)
						sp->tail = NULL;
					spool_take(sp, n->name);
					free(n);
				}
				break;
			}
		} else if (sp->recover) {
			n = spool_pop(&sp->recover);
			spool_recover(sp, n->name);
			free(n);
		} else if (sp->head) {
			n = spool_pop(&sp->head);
			if (!sp->head)
				sp->tail = NULL;
			spool_take(sp, n->name);
			free(n);
		} else {
			break;
		}
	}
	sp->working = false;
	/* A job waiting for the store's answer is woken by it. */
	if ((sp->job && !sp->job->op_out) || sp->recover || sp->head)
		loop_defer(&sp->work);
	accepted = sp->newly_accepted;
	sp->newly_accepted = 0;
	if (accepted) {
		sp->retry_round = 0;
		if (sp->accepted)
			sp->accepted(sp->accepted_ud);
	}
	spool_retry_later(sp);
}

/* Claims left in active/ (a crash, a database error) are queued to be
 * finished: committed ones are removed, others taken again. */
static void spool_finish_active(struct spool *sp)
{
	int fd = openat(sp->active_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int n = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		struct spool_name *q;
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || spool_claim_out(sp, de->d_name))
			continue;
		q = malloc(sizeof(*q) + len + 1);
		if (!q)
			break;
		memcpy(q->name, de->d_name, len + 1);
		q->next = sp->recover;
		sp->recover = q;
		n++;
	}
	closedir(d);
	if (n) {
		log_notice("spool: %d file%s in active/ to finish", n,
			   n == 1 ? "" : "s");
		loop_defer(&sp->work);
	}
}

static int spool_dup_dir(int fd, int *out)
{
	*out = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	return *out < 0 ? -errno : 0;
}

int spool_new(struct loop *loop, struct store *store, const struct config *cfg,
	      struct sim_registry *reg, const struct spool_dirs *dirs,
	      spool_accepted_fn accepted, void *ud, struct spool **out)
{
	struct spool *sp = calloc(1, sizeof(*sp));
	char path[4096];
	bool proc;
	int rc;

	if (!sp)
		return -ENOMEM;
	sp->loop = loop;
	sp->store = store;
	sp->cfg = cfg;
	sp->reg = reg;
	sp->accepted = accepted;
	sp->accepted_ud = ud;
	sp->outgoing_fd = sp->active_fd = sp->rejected_fd = -1;
	fswatch_sub_init(&sp->ino, spool_on_inotify, sp);
	loop_deferred_init(loop, &sp->work, spool_work, sp);
	loop_timer_init(loop, &sp->rescan, spool_on_rescan, sp);
	loop_timer_init(loop, &sp->retry, spool_on_retry, sp);
	if ((rc = spool_dup_dir(dirs->outgoing, &sp->outgoing_fd)) < 0 ||
	    (rc = spool_dup_dir(dirs->active, &sp->active_fd)) < 0 ||
	    (rc = spool_dup_dir(dirs->rejected, &sp->rejected_fd)) < 0)
		goto fail;
	/* The daemon's one inotify instance, shared with the modems. Watch
	 * the directory we hold, not whatever the path names now; without
	 * /proc, the path (never through a link: IN_DONT_FOLLOW, and nobody
	 * but us may rename outgoing/ in the sticky spool). */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", sp->outgoing_fd);
	proc = access(path, F_OK) == 0;
	if (!proc)
		snprintf(path, sizeof(path), "%s/outgoing", cfg->spool);
	rc = fswatch_add(loop, &sp->ino, path,
			 IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ONLYDIR |
				 (proc ? 0 : IN_DONT_FOLLOW));
	if (rc < 0) {
		log_error("spool: cannot watch %s/outgoing: %s", cfg->spool,
			  strerror(-rc));
		goto fail;
	}
	/* Watch first, then scan: a file arriving in between is seen twice,
	 * and the second look finds it gone. */
	spool_on_retry(&sp->retry, sp);	/* active/ first, then outgoing/ */
	spool_scan_outgoing(sp);
	*out = sp;
	return 0;
fail:
	spool_free(sp);
	return rc;
}

void spool_free(struct spool *sp)
{
	if (!sp)
		return;
	fswatch_rm(&sp->ino);
	loop_deferred_cancel(&sp->work);
	loop_timer_disarm(&sp->rescan);
	loop_timer_disarm(&sp->retry);
	spool_free_queue(sp);
	spool_job_free(sp);
	while (sp->recover)
		free(spool_pop(&sp->recover));
	if (sp->outgoing_fd >= 0)
		close(sp->outgoing_fd);
	if (sp->active_fd >= 0)
		close(sp->active_fd);
	if (sp->rejected_fd >= 0)
		close(sp->rejected_fd);
	free(sp);
}

void spool_set_config(struct spool *sp, const struct config *cfg)
{
	sp->cfg = cfg;
}

void spool_set_rejected_listener(struct spool *sp, spool_rejected_fn fn,
				 void *ud)
{
	sp->rejected = fn;
	sp->rejected_ud = ud;
}
