/*
 * ms_net_priv — what ms_net.c (submits, ground truth) and ms_net_in.c
 * (inbound delivery) share.
 */
#ifndef SMSGW_MODEMSIM_MS_NET_PRIV_H
#define SMSGW_MODEMSIM_MS_NET_PRIV_H

#include "ms.h"

/* One SMS-DELIVER part or status report on its way to a modem. */
struct ms_inbound {
	struct ms_inbound *next;
	int slot;
	bool report;
	int64_t due;		/* monotonic ms */
	int tpdu_len;
	int seq;		/* part number, for the log */
	char pdu[SMS_PDU_HEX_MAX];
};

/* Opens a member buffer for a ground-truth line with the modem's identity
 * (modem, port, slot, iccid, number) already in it. */
FILE *ms_net_members(struct ms_modem *m, int slot, char **buf, size_t *len);
/* Closes f and logs what it holds as event; frees *buf. */
void ms_net_emit(struct ms_modem *m, const char *event, FILE *f, char **buf);
/* Appends to the modem's inbound queue. */
void ms_net_enqueue(struct ms_modem *m, struct ms_inbound *in);

/* The send latency is over: +CMGS or +CMS ERROR. */
int64_t ms_net_send_cb(struct loop_timer *t, void *ud);

#endif
