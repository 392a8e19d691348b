/*
 * store_hook — what a hook is told beyond its event (doc/contract.md,
 * hooks): the SIM's ICCID and number and the campaign a reply answers;
 * an outgoing message's text, campaign, parts, SIM and spool file. Read
 * only when a command is configured for the event.
 */
#ifndef SMSGW_STORE_HOOK_H
#define SMSGW_STORE_HOOK_H

#include <stdint.h>

struct store;

/* An inbox message's row; NULL where the database has nothing. */
struct store_hook_inbound {
	const char *iccid, *sim_number, *campaign;
};

/* An outbox message's row; NULL where the database has nothing. sim is
 * "modem/slot", file and file_id the spool file's name and its Id:. */
struct store_hook_outbound {
	const char *recipient, *body, *campaign, *sim, *iccid, *sim_number;
	const char *file, *file_id, *state, *error;
	int parts;
};

/*
 * Calls cb with the row of message id; its strings are valid during the
 * call. 1 after cb ran, 0 when there is no such message, -EIO.
 */
int store_hook_inbound(struct store *st, int64_t id,
		       void (*cb)(void *ud, const struct store_hook_inbound *r),
		       void *ud);
int store_hook_outbound(struct store *st, int64_t id,
			void (*cb)(void *ud,
				   const struct store_hook_outbound *r),
			void *ud);

#endif
