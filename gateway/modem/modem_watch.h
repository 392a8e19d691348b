/*
 * modem_watch — inotify on the directory that holds the device.
 * Private to gateway/modem/, for the files that call it (modem_priv.h).
 */
#ifndef SMSGW_MODEM_WATCH_H
#define SMSGW_MODEM_WATCH_H

#include "modem_priv.h"

void modem_watch_init(struct modem *m);
int modem_watch_start(struct modem *m);
void modem_watch_stop(struct modem *m);

#endif
