/*
 * modem_ussd — USSD codes and their answers.
 * Private to gateway/modem/, for the files that call it (modem_priv.h).
 */
#ifndef SMSGW_MODEM_USSD_H
#define SMSGW_MODEM_USSD_H

#include "modem_priv.h"

void modem_ussd_init(struct modem *m);
void modem_ussd_stop(struct modem *m);
/* Init found no own number: ask the configured USSD code once ready. */
void modem_ussd_want_number(struct modem *m);
/* When the modem is ready and idle: send that code. */
void modem_ussd_kick(struct modem *m);
/* +CUSD: the answer to the pending code, or the network's own. */
void modem_ussd_urc(struct modem *m, const char *line);

#endif
