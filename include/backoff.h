/*
 * backoff — the one exponential backoff: the n-th wait (from 0) is
 * first_ms doubled n times, never more than max_ms. Pure. The only one:
 * a message's retry after a temporary error (outbound_send.c, with jitter
 * on top), the rest of a SIM whose sends keep failing (outbound_send.c), a
 * sent part whose row could not be saved (outbound.c), an inbound message
 * (inbound.c) or a spool file (spool.c) the database refused, a webhook's
 * next attempt (webhook.c), the wait before reopening a modem
 * (modem_fsm.c) and before reconnecting to PostgreSQL (pg_conn.c).
 * Callers count failures in a row (n) and reset to 0.
 */
#ifndef SMSGW_BACKOFF_H
#define SMSGW_BACKOFF_H

#include <stdint.h>

int64_t backoff_ms(unsigned n, int64_t first_ms, int64_t max_ms);

#endif
