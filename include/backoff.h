/*
 * backoff — the one exponential backoff: the n-th wait (from 0) is
 * first_ms doubled n times, never more than max_ms. Used for a message's
 * retry after a temporary error (outbound_send.c, with jitter on top), the
 * rest of a SIM whose sends keep failing (outbound_send.c), and the wait
 * before reopening a modem (modem_logic_backoff_ms() computes the same
 * 1 s .. 60 s series). Pure.
 */
#ifndef SMSGW_BACKOFF_H
#define SMSGW_BACKOFF_H

#include <stdint.h>

int64_t backoff_ms(unsigned n, int64_t first_ms, int64_t max_ms);

#endif
