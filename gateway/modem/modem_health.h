/*
 * modem_health — health checks, registration and signal.
 * Private to gateway/modem/, for the files that call it (modem_priv.h).
 */
#ifndef SMSGW_MODEM_HEALTH_H
#define SMSGW_MODEM_HEALTH_H

#include "modem_priv.h"

extern const struct modem_prog modem_prog_health;
void modem_health_init(struct modem *m);
/* For modem_kick(): true (and no longer wanted) when a wanted check may
 * run now, i.e. no send is pending or it waited too long. */
bool modem_health_due(struct modem *m, int64_t now);
/* A PDU went to the modem: it may be echoed back. */
void modem_health_note_sent(struct modem *m);
/* Registration unknown (a slot switch); reset also forgets registered
 * (a new init). */
void modem_health_forget_stat(struct modem *m);
void modem_health_reset(struct modem *m);
/* No check wanted or armed (the ladder climbs). */
void modem_health_stop(struct modem *m);
/* Whether the registration known now allows SMS, into net and the SIM. */
void modem_health_set_registered(struct modem *m);
/* Arms the health timer for the next check. */
void modem_health_arm(struct modem *m);
/* A check as soon as the port is idle (or MODEM_HEALTH_MAX_DELAY_MS after
 * the first wish, whatever runs). */
void modem_health_want(struct modem *m);
void modem_health_urc(struct modem *m, enum driver_urc_kind kind,
		      const char *line);
/* Remembers the chat's echo count (ATE0 is in force). */
void modem_health_note_echoes(struct modem *m);
/* Step functions the init and the slot switch reuse. */
enum modem_step_rc modem_health_signal(struct modem *m,
				       const struct at_response *r);
enum modem_step_rc modem_health_registration(struct modem *m,
					     const struct at_response *r);
enum modem_step_rc modem_health_operator(struct modem *m,
					 const struct at_response *r);

#endif
