/*
 * cli_outbox — one outgoing message: `smsgw outbox show|resend|cancel ID`
 * (gateway/cli/cli_outbox_show.c), used by the outbox command.
 */
#ifndef SMSGW_CLI_OUTBOX_H
#define SMSGW_CLI_OUTBOX_H

#include "cli_query.h"

struct cli;

/* The message, every attempt (SIM, times, result, error, next try), the
 * events that name it ("#ID"), its spool file and Id:. */
int cli_outbox_show(struct cli *cli, long long id, enum cli_format fmt);

/*
 * verb "resend": a failed, expired, unknown or cancelled message is queued
 * again (attempts counted afresh); "cancel": a queued or deferred one is
 * cancelled. One transaction that re-checks the state, so it is safe while
 * the daemon runs: its claim re-checks the state too. The daemon is woken
 * through its control socket when we may reach it.
 */
int cli_outbox_change(struct cli *cli, const char *verb, long long id);

#endif
