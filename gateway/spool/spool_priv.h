/*
 * spool_priv — what spool.c (watching) and spool_accept.c (one file) share.
 */
#ifndef SMSGW_SPOOL_PRIV_H
#define SMSGW_SPOOL_PRIV_H

#include "fswatch.h"
#include "loop.h"
#include "sms.h"
#include "spool.h"
#include "spool_parse.h"
#include "store_ops.h"
#include "store_outbox.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The state of pass 2. */
struct accept_ctx {
	struct store *store;
	const struct config *cfg;
	struct sim_registry *reg;
	const char *origin;		/* the rows' origin: "spool", "sql" */
	bool no_lines;			/* reasons without "line N" (text
					   we wrote ourselves: sqlin) */
	const struct spool_message *msg;
	struct outbox_new base;		/* what every recipient shares */
	struct sms_encode_opts opts;
	int64_t file_id;
	int64_t now;
	/* The store's add, during the operation (store_ops.h produce). */
	store_add_fn add;
	void *add_ctx;
	int fixed_parts;		/* a plain body's parts, else 0 */
	long queued, deferred, suppressed;
	bool db_failed;			/* the store refused a row: not the
					   file's fault, it is tried again */
	char why[256];			/* set when the file must be rejected */
	/* spool_accept_text(): told of each row inside the transaction. */
	spool_added_fn added;
	void *added_ud;
};

/* A big file taken in over several loop turns (spool_job.c). */
enum spool_job_phase {
	SPOOL_JOB_SCAN,		/* pass 1: parse and check */
	SPOOL_JOB_CHECK,	/* pass 2 without rows: every rendered text
				   checked (personalised files) */
	SPOOL_JOB_BEGIN,	/* the file's row (staging 1) */
	SPOOL_JOB_RESUME,	/* after a restart: what the file has */
	SPOOL_JOB_ADD,		/* pass 2: rows added in steps */
	SPOOL_JOB_ACCEPT,	/* the file whole (staging 0), durably */
	SPOOL_JOB_RELEASE,	/* an older version's hidden rows released */
	SPOOL_JOB_PURGE,	/* an older version's hidden rows, or the
				   file's row, deleted */
};

struct spool_job {
	enum spool_job_phase phase;
	char claim[256], shown[256];
	int fd;				/* the claimed file, or -1 */
	struct spool_rules rules;
	struct spool_parser *p;
	int64_t off;			/* read so far in this pass */
	bool scanned;			/* pass 1 was done before the job */
	struct accept_ctx c;
	int64_t file_id;
	int ckpt_at;			/* WAL pages: checkpoint at */
	bool resume;			/* file_id is at staging 1: resume it */
	bool redo;			/* after the purge: take it again */
	bool db_error;			/* after the purge: leave it */
	bool cut;			/* accept, then reject: stopped short */
	char category[32];		/* after the purge: reject it */
	char why[300];
	/* After a restart: the rows in are the first of the file, less any
	 * deleted since (smsgw forget); skip the first skip recipients and
	 * then up to the last row's, last. */
	int64_t skip;
	bool seen_last;
	int64_t rows_in;		/* the file's rows committed */
	int64_t step_rows;		/* added by the step out */
	unsigned char *parts;		/* the check pass's, per recipient */
	/* The store operation of the current step (store_ops.h): out while
	 * it runs; its answer is taken by the next step. */
	bool op_out, op_answered;
	int op_rc;
	int fed;			/* what pass 2's feed said: 1 more */
	int64_t start;			/* the step's start (its budget) */
	int64_t next;			/* release: another file to release */
	struct store_staged staged;	/* the file's row and campaign */
	struct store_accept req;
	/* Loop turns taken and the longest, wall and CPU (the goal is
	 * 100 ms; CPU does not count the time a loaded machine takes the
	 * core away): the intake event says them. */
	int64_t t0, steps, max_ms, max_cpu_us;
	int64_t phase_cpu_us[SPOOL_JOB_PURGE + 1];
};

/* A small file whose acceptance is out with the store (spool_accept.c). */
struct spool_accepting {
	struct spool_accepting *next;
	struct spool *sp;
	struct accept_ctx c;
	struct spool_rules rules;
	struct spool_parser *p;
	int fd;
	char claim[256], shown[256];
	struct store_accept req;
	/* recovering: what the store knows of the claim (store_op_staging) */
	int staging;
	int64_t staged_id;
};

struct spool_name {
	struct spool_name *next;
	char name[];
};

/* Entries of outgoing/ we could not move and already reported. */
#define SPOOL_UNMOVABLE 32

struct spool {
	struct loop *loop;
	struct store *store;
	const struct config *cfg;
	struct sim_registry *reg;
	spool_accepted_fn accepted;
	void *accepted_ud;
	spool_rejected_fn rejected;
	void *rejected_ud;

	int outgoing_fd, active_fd, rejected_fd;
	struct fswatch_sub ino;	/* outgoing/, on the shared instance */
	struct loop_deferred work;
	struct loop_timer rescan;	/* files too fresh for the last scan */
	struct spool_name *head, *tail;	/* names to look at */
	struct spool_name *recover;	/* claims found in active/ */
	struct spool_job *job;		/* the big file being taken in */
	struct spool_accepting *accepting; /* small files out with the store */
	bool working;			/* inside work(): answers need no
					   deferred call to be seen */
	int newly_accepted;		/* files committed since work() looked */
	bool release_asked;		/* store_op_staging(NULL) is out */
	int release_state;
	int64_t release_id;
	unsigned claims;		/* makes every claim name new */
	bool db_failed;			/* a file was left in active/ */
	struct loop_timer retry;	/* takes active/ again after that */
	unsigned retry_round;		/* retries since an accept */
	struct {
		dev_t dev;
		ino_t ino;
	} unmovable[SPOOL_UNMOVABLE];
	unsigned nunmovable;
};

/* spool_accept.c, shared with spool_job.c */
void spool_reject(struct spool *sp, int from_fd, const char *name,
		  const char *shown, const char *category, const char *why);
void spool_reject_error(struct spool *sp, int from_fd, const char *name,
			const char *shown, const struct spool_error *e);
/* What every row of c->msg shares; false with c->why when it cannot go. */
bool spool_prepare(struct accept_ctx *c);
/* c for the spool sp (its store, config, SIMs; origin "spool"). */
void spool_ctx_init(struct accept_ctx *c, struct spool *sp);
/* An answer came after the call that asked (a networked backend):
 * work() takes it. */
void spool_answered(struct spool *sp);
/* True when claim is out with the store (not to be taken again). */
bool spool_claim_out(const struct spool *sp, const char *claim);
/* Parts of one recipient's text; false (with c->why) if it cannot go. */
bool spool_count_parts(struct accept_ctx *c, const struct spool_recipient *r,
		       int *parts);
/* Pass 2's callback: one row (ud: the accept_ctx). */
bool spool_add_recipient(const struct spool_recipient *r, void *ud);
void spool_accepted(struct store *st, const char *name,
		    const struct accept_ctx *c);

/* spool_job.c: a file larger than this is taken in steps. */
#define SPOOL_STEP_BYTES (256 * 1024)
/*
 * So is one of more recipients than this, however small: a file's rows in
 * one transaction hold the loop for all of them (some 12 us a row; the
 * 5,120-row file of the 128-modem burst held it 60-70 ms on a quiet
 * machine, and 200-400 ms at load 5-9, with every modem's +CMTI and
 * answers waiting: doc/pool.md, "Inbound during a burst"). 512 rows are
 * a few ms.
 */
#define SPOOL_STEP_ROWS 512
/* Starts taking in the claimed file fd (the job owns it from now); while
 * another big file is being taken in, it waits in active/ for it. */
void spool_job_scan(struct spool *sp, const char *claim, const char *shown,
		    int fd);
/* The same for a file whose pass 1 is done already (p, read from fd; the
 * job owns both from now): it goes on from the end of the scan. */
void spool_job_scanned(struct spool *sp, const char *claim,
		       const char *shown, int fd, struct spool_parser *p);
/* Goes on with a file a restart cut short (staging 1): its rows so far
 * stay, the rest are added; an older version's hidden rows are purged and
 * the file taken again. */
void spool_job_resume(struct spool *sp, int64_t file_id, const char *claim,
		      const char *shown);
/* Releases the staged rows of an accepted file (after a restart). */
void spool_job_release(struct spool *sp, int64_t file_id);
/* Deletes the staged rows of a file not accepted; then takes the claim
 * again (a restart cut it short). */
void spool_job_purge(struct spool *sp, int64_t file_id, const char *claim,
		     const char *shown);
/* Inside spool_job*.c: a job in phase ph, now sp->job; the store's stop
 * question and answer for a step's operation; whether that answer is in
 * (*rc) or still out; a database error that leaves the claim for the
 * retry; the steps over an older version's hidden rows (spool_job_old.c). */
struct spool_job *spool_job_new(struct spool *sp, enum spool_job_phase ph,
				const char *claim, const char *shown);
bool spool_job_stop(void *ud);
void spool_job_answer(int rc, void *ud);
bool spool_job_asked(struct spool_job *j, int *rc);
bool spool_job_db_error(struct spool *sp, struct spool_job *j);
bool spool_job_step_release(struct spool *sp, struct spool_job *j);
bool spool_job_step_purge(struct spool *sp, struct spool_job *j);
/* Works on sp->job for a few tens of ms; true when it is done (freed). */
/* spool_job.c: feeds the current pass until the step's budget is spent
 * (1 more, 0 complete, <0 as spool_file_feed); starts pass 2 again with
 * fn in phase ph. spool_job_check.c: the scan and check phases' steps
 * (true: the job is done). */
int spool_job_feed(struct spool *sp, struct spool_job *j, int64_t start);
bool spool_job_rewind(struct spool_job *j, enum spool_job_phase ph,
		      spool_recipient_fn fn);
bool spool_job_step_scan(struct spool *sp, struct spool_job *j, int64_t start);
bool spool_job_step_check(struct spool *sp, struct spool_job *j,
			  int64_t start);
bool spool_job_step(struct spool *sp);
void spool_job_free(struct spool *sp);

/* Claims outgoing/name and accepts or rejects it; a file committed counts
 * in sp->newly_accepted (when the store answers). */
void spool_take(struct spool *sp, const char *name);
/* A file found in active/ at start, by its claim name (name@time.n). */
void spool_recover(struct spool *sp, const char *claim);
/* Queues claim to be recovered again (a big file's job was busy). */
void spool_recover_later(struct spool *sp, const char *claim);

#endif
