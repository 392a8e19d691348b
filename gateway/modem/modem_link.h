/*
 * modem_link — AT+CMMS: the relay link kept during a burst.
 * Private to gateway/modem/, for the files that call it (modem_priv.h).
 */
#ifndef SMSGW_MODEM_LINK_H
#define SMSGW_MODEM_LINK_H

#include "modem_priv.h"

/* Before AT+CMGS: AT+CMMS=1 when a burst starts (keep_link). */
void modem_link_before_send(struct modem *m);
/* After the answer to AT+CMGS: the link's keep time starts. */
void modem_link_answered(struct modem *m);
void modem_link_stop(struct modem *m);

#endif
