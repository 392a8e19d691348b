/*
 * modem_setup — steps of init and of the slot switch.
 * Private to gateway/modem/, for the files that call it (modem_priv.h).
 */
#ifndef SMSGW_MODEM_SETUP_H
#define SMSGW_MODEM_SETUP_H

#include "modem_priv.h"

enum modem_step_rc modem_setup_cnmi(struct modem *m,
				    const struct at_response *r);
enum modem_step_rc modem_setup_cpms(struct modem *m,
				    const struct at_response *r);
enum modem_step_rc modem_setup_csca(struct modem *m,
				    const struct at_response *r);
enum modem_step_rc modem_setup_user(struct modem *m,
				    const struct at_response *r);
enum modem_step_rc modem_setup_slot(struct modem *m,
				    const struct at_response *r);
enum modem_step_rc modem_setup_imsi(struct modem *m,
				    const struct at_response *r);
enum modem_step_rc modem_setup_iccid(struct modem *m,
				     const struct at_response *r);
enum modem_step_rc modem_setup_cnum(struct modem *m,
				    const struct at_response *r);
enum modem_step_rc modem_setup_reporting(struct modem *m,
					 const struct at_response *r);
enum modem_step_rc modem_setup_sim_ready(struct modem *m,
					 const struct at_response *r);
enum modem_step_rc modem_setup_wait_network(struct modem *m,
					    const struct at_response *r);

#endif
