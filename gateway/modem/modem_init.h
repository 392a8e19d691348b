/*
 * modem_init — the init program and what the modem told us.
 * Private to gateway/modem/, for the files that call it (modem_priv.h).
 */
#ifndef SMSGW_MODEM_INIT_H
#define SMSGW_MODEM_INIT_H

#include "modem_priv.h"

extern const struct modem_prog modem_prog_init;
/* Forgets what the last init learned (modem_fsm.c starts it). */
void modem_init_reset(struct modem *m);
/* NEW_PIN: a refused PIN may be tried once more. */
void modem_init_new_pin(struct modem *m);
/* Tries the candidate commands cands (raw lines) until parse reads one
 * line of an answer into out. */
enum modem_step_rc modem_init_ident(struct modem *m,
				    const struct at_response *r,
				    const char *const *cands,
				    bool (*parse)(const char *, char *,
						  size_t),
				    char *out, size_t size);
enum modem_step_rc modem_init_sms(struct modem *m,
				  const struct at_response *r);

#endif
