/*
 * ms_store — a modem's SMS storage ("SM" on a SIM, "ME" in the modem) as
 * TS 27.005 §3.1 sees it: numbered slots holding a PDU and a status.
 *
 * Pure: no I/O, no globals. The caller owns struct ms_store; ms_store_init
 * allocates its slots and ms_store_free releases them.
 */
#ifndef SMSGW_MODEMSIM_MS_STORE_H
#define SMSGW_MODEMSIM_MS_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "sms.h"

/* <stat> of TS 27.005 §3.1, PDU-mode numbers. */
enum ms_store_stat {
	MS_STORE_STAT_REC_UNREAD = 0,
	MS_STORE_STAT_REC_READ = 1,
	MS_STORE_STAT_STO_UNSENT = 2,
	MS_STORE_STAT_STO_SENT = 3,
	MS_STORE_STAT_ALL = 4,		/* only as a +CMGL filter */
};

struct ms_store_msg {
	bool used;
	enum ms_store_stat stat;
	bool report;			/* an SMS-STATUS-REPORT */
	int tpdu_len;
	char pdu[SMS_PDU_HEX_MAX];	/* hex with the SMSC prefix */
};

struct ms_store {
	int size;
	struct ms_store_msg *msgs;
};

/* Returns false on allocation failure. size may be 0. */
bool ms_store_init(struct ms_store *s, int size);
void ms_store_free(struct ms_store *s);
int ms_store_used(const struct ms_store *s);
/* Stores a message in the lowest free slot; returns it, or -1 when full. */
int ms_store_add(struct ms_store *s, const char *pdu, int tpdu_len,
		 bool report);
/* The message at slot i, or NULL when i is out of range or free. */
struct ms_store_msg *ms_store_get(struct ms_store *s, int i);
/* Frees slot i. Returns false when i is out of range. */
bool ms_store_delete(struct ms_store *s, int i);
/*
 * +CMGD <delflag> (TS 27.005 §3.5.4): 1 read, 2 read and sent, 3 read,
 * sent and unsent, 4 all. Returns the number of messages deleted.
 */
int ms_store_delete_flag(struct ms_store *s, int delflag);
/* Whether a message of status stat matches a +CMGL filter. */
bool ms_store_match(enum ms_store_stat stat, enum ms_store_stat filter);

#endif
