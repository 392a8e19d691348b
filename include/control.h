/*
 * control — a datagram socket in the spool directory (.smsgwd.sock) by which
 * `smsgw` tells a running daemon that it changed something the daemon
 * should act on now (a campaign resumed, an opt-out removed). Messages are
 * single words; the daemon never answers, and a missing daemon is fine:
 * everything the CLI changes is in the database already.
 */
#ifndef SMSGW_CONTROL_H
#define SMSGW_CONTROL_H

#include "loop.h"

#include <stdbool.h>

struct control;

/* The longest request: "u_<sim>_<USSD code of CONFIG_USSD_MAX>_<token>". */
#define CONTROL_WORD_MAX 200

/* Called with a request word (letters, digits, '-', '_', at most
 * CONTROL_WORD_MAX); returns false
 * for a word it does not know, which control logs (escaped, at most once
 * every 10 s). At most 16 requests are read per loop turn. */
typedef bool (*control_fn)(const char *word, void *ud);

/* Binds <spool>/.smsgwd.sock. Returns 0 or -errno. */
int control_open(struct loop *loop, const char *spool, control_fn fn,
		 void *ud, struct control **out);
void control_close(struct control *c);

/* Sends word to the daemon serving spool; 0 if it was delivered. */
int control_send(const char *spool, const char *word);

#endif
