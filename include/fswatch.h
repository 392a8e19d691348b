/*
 * fswatch — one inotify instance for the whole process (per loop): the
 * spool's outgoing/ and every modem's device directory share it.
 *
 * Linux allows 128 inotify instances per user by default
 * (fs.inotify.max_user_instances); one per modem stopped a pool of 128
 * modems at start. Watches (fs.inotify.max_user_watches, 8192+) are the
 * cheap resource, and subscribers on the same directory share even those:
 * the kernel gives one watch descriptor per inode, so every subscriber's
 * mask is added to it (IN_MASK_ADD) and each sees only the events of its
 * own mask.
 *
 * Subscriptions are intrusive (the caller owns the struct). A callback may
 * remove or move any subscription, its own included.
 */
#ifndef SMSGW_FSWATCH_H
#define SMSGW_FSWATCH_H

#include <stdbool.h>
#include <stdint.h>

struct loop;
struct fswatch;
struct fswatch_sub;

/*
 * mask: the event (IN_CREATE, ...; IN_Q_OVERFLOW with name NULL when the
 * kernel's queue overflowed: rescan); name: the entry in the watched
 * directory, or NULL.
 */
typedef void (*fswatch_cb)(struct fswatch_sub *s, uint32_t mask,
			   const char *name, void *ud);

struct fswatch_sub {
	struct fswatch *fw;	/* NULL while not watching */
	int wd;
	uint32_t mask;
	fswatch_cb cb;
	void *ud;
	struct fswatch_sub *next;
};

void fswatch_sub_init(struct fswatch_sub *s, fswatch_cb cb, void *ud);
/* Watches path (a directory when mask has IN_ONLYDIR), leaving whatever s
 * watched before. Returns 0 or -errno (s then watches nothing). */
int fswatch_add(struct loop *loop, struct fswatch_sub *s, const char *path,
		uint32_t mask);
/* Stops s; the shared instance closes with its last subscriber. */
void fswatch_rm(struct fswatch_sub *s);
bool fswatch_active(const struct fswatch_sub *s);
/* inotify instances open in this process through fswatch (tests). */
int fswatch_instances(void);

#endif
