/*
 * TEMPORARY: stands in for the modem layer until gateway/modem*.c lands;
 * delete this file then. A daemon with modems configured refuses to start.
 */
#include "modem.h"
#include "config.h"
#include "log.h"

#include <errno.h>

int modem_send_pdu(struct sim *sim, const char *pdu_hex, int tpdu_len,
		   modem_send_cb cb, void *ud)
{
	(void)sim, (void)pdu_hex, (void)tpdu_len, (void)cb, (void)ud;
	return -ENODEV;
}

void modem_ack(struct modem_ack *ack)
{
	(void)ack;
}

int modem_new(struct loop *loop, struct store *store,
	      struct sim_registry *reg, const struct config *cfg,
	      const struct config_modem *mcfg,
	      const struct modem_listener *listener, struct modem **out)
{
	(void)loop, (void)store, (void)reg, (void)cfg, (void)listener, (void)out;
	log_error("modem %s: modem support is not built yet", mcfg->name);
	return -ENOSYS;
}

void modem_free(struct modem *m)
{
	(void)m;
}

void modem_set_config(struct modem *m, const struct config *cfg,
		      const struct config_modem *mcfg)
{
	(void)m, (void)cfg, (void)mcfg;
}

const char *modem_name(const struct modem *m)
{
	(void)m;
	return "";
}
