/*
 * modem_recv — receiving: URCs, reading, listing, acknowledgements.
 * Private to gateway/modem/, for the files that call it (modem_priv.h).
 */
#ifndef SMSGW_MODEM_RECV_H
#define SMSGW_MODEM_RECV_H

#include "modem_priv.h"

void modem_recv_urc(struct modem *m, enum driver_urc_kind kind,
		    const char *line, const char *pdu);
extern const struct modem_prog modem_prog_import;
/* Tokens: after the port went away, on modem_free. */
void modem_recv_drop_reads(struct modem *m);
void modem_recv_free_acks(struct modem *m);
/* A +CMS ERROR: 322 or a full +CPMS: import what is stored. */
void modem_recv_storage_full(struct modem *m, const char *why);
/* After a health check: list storage again when the modem gives no
 * indications, or a message handed out long ago was never acked (the
 * receiver could not commit it). */
void modem_recv_recheck(struct modem *m);
/* A health step: now and then, count what is stored (AT+CPMS?) and list
 * it when something is there that nobody read. */
enum modem_step_rc modem_recv_sweep(struct modem *m,
				    const struct at_response *r);
void modem_recv_init(struct modem *m);
void modem_recv_stop(struct modem *m);
/* List storage when the port is idle (or not: the port closed). */
void modem_recv_want_import(struct modem *m, bool want);
/* For modem_kick(): true (and no longer wanted) when a listing is wanted
 * and SMS commands work. */
bool modem_recv_import_due(struct modem *m);
/* Whether +CNMI indications are on; without them storage is listed every
 * few seconds. */
void modem_recv_indications(struct modem *m, bool on);

/* The memory a notice names, apart from <mem1> (modem_recv_mem.c). */
/* Records <mem1> from the +CPMS command the modem accepted. */
void modem_recv_mem_taken(struct modem *m, const char *cpms);
/* Whether mem (from +CMTI/+CDSI) is known and not <mem1>. */
bool modem_recv_mem_foreign(const struct modem *m, const char *mem);
/* Whether two memories are the same ("" and NULL: <mem1>). */
bool modem_recv_mem_same(const char *a, const char *b);
/* The port closed: forgets the guards and <mem1>. */
void modem_recv_mem_drop(struct modem *m);
/*
 * Submits req between AT+CPMS="<mem>" and AT+CPMS="<mem1>"; req is
 * cancelled if the select fails. Returns req's id, 0 when req was
 * cancelled at once (its callback has run), or -errno (it has not).
 */
int modem_recv_mem_submit(struct modem *m, const char *mem,
			  const struct at_request *req);
/* The same for a listing of mem (AT+CMGL): also cancelled when the
 * select's answer counts nothing there smsgw does not know of. */
int modem_recv_mem_list(struct modem *m, const char *mem,
			const struct at_request *req);
/* The index of mem among the other memories (added when add and there
 * is room); -1 for <mem1>, none, or no room. */
int modem_recv_mem_other(struct modem *m, const char *mem, bool add);
/* Refused switches in a row after which a memory waits for the periodic
 * count rather than the next health check. */
#define MODEM_RECV_MEM_TRIES 3
/* A step after modem_setup_cpms (init, the SMS-ready probe): counts
 * each other memory (AT+CPMS="<mem>" answers its <used1>, then
 * AT+CPMS="<mem1>"); those holding messages are listed by the import. */
enum modem_step_rc modem_recv_mem_count(struct modem *m,
					const struct at_response *r);
/* Whether another memory waits to be listed (and may be tried now). */
bool modem_recv_mem_pending(const struct modem *m);
/* Stored messages in mem ("" or NULL: <mem1>) handed out and not deleted
 * yet, or being read (modem_recv.c). */
int modem_recv_outstanding(const struct modem *m, const char *mem);

#endif
