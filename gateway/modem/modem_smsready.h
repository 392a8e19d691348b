/*
 * modem_smsready — whether SMS commands work yet.
 * Private to gateway/modem/, for the files that call it (modem_priv.h).
 */
#ifndef SMSGW_MODEM_SMSREADY_H
#define SMSGW_MODEM_SMSREADY_H

#include "modem_priv.h"

extern const struct modem_prog modem_prog_sms_probe;
void modem_sms_init(struct modem *m);
void modem_sms_stop(struct modem *m);
/* Storage selection worked (ready) or was refused (not yet). */
void modem_sms_set_ready(struct modem *m, bool ready);
/* +QIND: SMS DONE, SMS Ready: probe now. */
void modem_sms_notice(struct modem *m, const char *line);
/* Whether the driver has an SMS-ready URC (modem_install_driver()). */
void modem_sms_announces(struct modem *m, bool announces);
/* The modem section's receive. */
void modem_sms_set_receive(struct modem *m, bool receive);
/* For modem_kick(): true (and no longer wanted) when a probe is due. */
bool modem_sms_probe_due(struct modem *m);
/* +CNMI again (a +CNMA refused); cnmi_due: for modem_kick(), as
 * probe_due. */
extern const struct modem_prog modem_prog_cnmi;
void modem_sms_want_cnmi(struct modem *m);
/* The modem section's delivery changed (SIGHUP): +CNMI again, and a
 * fall-back to stored is told again. */
void modem_sms_delivery_changed(struct modem *m);
bool modem_sms_cnmi_due(struct modem *m);
/* A send refused as "not ready": true while fewer than max in a row were;
 * went_out: one was accepted. */
bool modem_sms_count_refusal(struct modem *m, unsigned max);
void modem_sms_went_out(struct modem *m);

#endif
