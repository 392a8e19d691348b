/*
 * modem_hub — power-cycling the modem's USB hub port with uhubctl.
 * Private to gateway/modem/, for the files that call it (modem_priv.h).
 */
#ifndef SMSGW_MODEM_HUB_H
#define SMSGW_MODEM_HUB_H

#include "modem_priv.h"

/* Power-cycles the modem's hub port if hub_port is set; true if begun. */
bool modem_hub_cycle(struct modem *m);
void modem_hub_stop(struct modem *m);

#endif
