/*
 * modem_call — rejecting voice calls.
 * Private to gateway/modem/, for the files that call it (modem_priv.h).
 */
#ifndef SMSGW_MODEM_CALL_H
#define SMSGW_MODEM_CALL_H

#include "modem_priv.h"

/* RING, +CRING:, +CLIP: reject the call, note the caller. */
void modem_call_urc(struct modem *m, const char *line);

#endif
