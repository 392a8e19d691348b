/*
 * modem_send — sending a PDU, the SIM slots and switching them.
 * Private to gateway/modem/, for the files that call it (modem_priv.h).
 */
#ifndef SMSGW_MODEM_SEND_H
#define SMSGW_MODEM_SEND_H

#include "modem_priv.h"

/* Fails a pending send (port gone before it was written, switch failed). */
void modem_send_fail(struct modem *m, const char *detail);
/* Writes AT+CMGS for the pending send. Returns 0 or -errno. */
int modem_send_submit(struct modem *m);
void modem_switch_start(struct modem *m);
/* The port closed: no switch is under way. */
void modem_switch_cancel(struct modem *m);
/* SMS became ready: writes a send held back meanwhile. */
void modem_send_release_held(struct modem *m);
/* The modem's slots: the registry's SIMs of its section (0, -EINVAL);
 * bind points them at to (the modem, or NULL when it goes). */
int modem_slots_find(struct modem *m, struct sim_registry *reg);
void modem_slots_bind(struct modem *m, struct modem *to);

#endif
