/*
 * ms_vendor — commands that only some vendors have, in tables the
 * personalities point at (ms_pers.c). Each says where it comes from.
 */
#include "ms.h"

#include <string.h>

/* Switches the active SIM slot like a dual-SIM modem. */
static enum ms_res ms_vendor_switch_slot(struct ms_modem *m, int slot)
{
	if (slot < 0 || slot >= MS_SLOTS_MAX)
		return MS_RES_ERROR;
	if (slot == m->active)
		return MS_RES_OK;
	m->active = slot;
	/* The new SIM initialises: the SIM part of the boot URCs again, then
	 * registration; SMS commands wait for the SMS-ready URC. */
	ms_modem_sim_restart(m, 0);
	return MS_RES_OK;
}

/* ---- Huawei (HUAWEI UMTS Datacard / E3372 AT Command Interface
 * Specifications) ---- */

static enum ms_res ms_vendor_huawei_iccid(struct ms_modem *m,
					  enum ms_form f, const char *a)
{
	(void)a;
	return ms_at_iccid(m, f, "^ICCID: ");
}

static enum ms_res ms_vendor_huawei_syscfg(struct ms_modem *m,
					   enum ms_form f, const char *a)
{
	(void)a;
	if (f == MS_FORM_READ)
		ms_modem_info(m, "^SYSCFG: 2,0,3FFFFFFF,1,2");
	else if (f == MS_FORM_TEST)
		ms_modem_info(m, "^SYSCFG: (2,13,14,16),(0-3),"
			      "((2000004e80380,\"GSM900/GSM1800/WCDMA2100\"),"
			      "(3fffffff,\"All Bands\")),(0-2),(0-4)");
	return MS_RES_OK;
}

static enum ms_res ms_vendor_huawei_sysinfo(struct ms_modem *m,
					    enum ms_form f, const char *a)
{
	(void)a;
	if (f != MS_FORM_EXEC)
		return MS_RES_OK;
	/* srv_status, srv_domain, roam, sys_mode, sim_state */
	ms_modem_info(m, "^SYSINFO: %d,%d,%d,%d,%d", m->registered ? 2 : 0,
		      m->registered ? 3 : 0, m->knobs.reg == 5,
		      m->registered ? 5 : 0,
		      ms_modem_slot(m)->present ? 1 : 255);
	return MS_RES_OK;
}

const struct ms_cmd ms_vendor_huawei[] = {
	{ "^ICCID", ms_vendor_huawei_iccid },
	{ "^SYSCFG", ms_vendor_huawei_syscfg },
	{ "^SYSINFO", ms_vendor_huawei_sysinfo },
	{ "^CURC", ms_at_ok },
	{ "^U2DIAG", ms_at_ok },
	{ NULL, NULL },
};

/* ---- SIMCom (SIM800 and SIM7500/SIM7600 AT Command Manuals) ---- */

static enum ms_res ms_vendor_simcom_ciccid(struct ms_modem *m,
					   enum ms_form f, const char *a)
{
	(void)a;
	return ms_at_iccid(m, f, "+ICCID: ");
}

/* AT+CMGDA (SIM800 §4.2.x): delete by type, "DEL ALL" or 6 in PDU mode. */
static enum ms_res ms_vendor_simcom_cmgda(struct ms_modem *m,
					  enum ms_form f, const char *a)
{
	struct ms_store *s = ms_sms_mem(m, 0);

	if (f == MS_FORM_TEST)
		return MS_RES_OK;
	if (f != MS_FORM_SET)
		return MS_RES_ERROR;
	if (!strcmp(a, "6") || !strcasecmp(a, "\"DEL ALL\""))
		ms_store_delete_flag(s, 4);
	else if (!strcmp(a, "1") || !strcasecmp(a, "\"DEL READ\""))
		ms_store_delete_flag(s, 1);
	else
		return MS_RES_ERROR;
	ms_net_kick(m);
	return MS_RES_OK;
}

const struct ms_cmd ms_vendor_simcom[] = {
	{ "+CICCID", ms_vendor_simcom_ciccid },
	{ "+CMGDA", ms_vendor_simcom_cmgda },
	{ "+CSCLK", ms_at_ok },
	{ NULL, NULL },
};

/* ---- Quectel (EC25&EC21 AT Commands Manual V1.3) ---- */

static enum ms_res ms_vendor_quectel_qccid(struct ms_modem *m,
					   enum ms_form f, const char *a)
{
	(void)a;
	return ms_at_iccid(m, f, "+QCCID: ");
}

/*
 * AT+QDSIM=<n> selects the (U)SIM card, 0 for SIM1 and 1 for SIM2, and
 * AT+QDSIM? reads it; the card then initialises again (+CPIN: READY,
 * +QUSIM: 1, +QIND: SMS DONE).
 */
static enum ms_res ms_vendor_quectel_qdsim(struct ms_modem *m,
					   enum ms_form f, const char *a)
{
	int slot;

	switch (f) {
	case MS_FORM_READ:
		ms_modem_info(m, "+QDSIM: %d", m->active);
		return MS_RES_OK;
	case MS_FORM_TEST:
		ms_modem_info(m, "+QDSIM: (0-%d)",
			      m->nslots > 1 ? m->nslots - 1 : 1);
		return MS_RES_OK;
	case MS_FORM_SET:
		if (!ms_at_int(a, 0, MS_SLOTS_MAX - 1, &slot))
			return MS_RES_ERROR;
		return ms_vendor_switch_slot(m, slot);
	default:
		return MS_RES_ERROR;
	}
}

static enum ms_res ms_vendor_quectel_qsimstat(struct ms_modem *m,
					      enum ms_form f, const char *a)
{
	(void)a;
	if (f == MS_FORM_READ)
		ms_modem_info(m, "+QSIMSTAT: 0,%d",
			      ms_modem_slot(m)->present ? 1 : 0);
	return MS_RES_OK;
}

const struct ms_cmd ms_vendor_quectel[] = {
	{ "+QCCID", ms_vendor_quectel_qccid },
	{ "+QDSIM", ms_vendor_quectel_qdsim },
	{ "+QSIMSTAT", ms_vendor_quectel_qsimstat },
	{ "+QINDCFG", ms_at_ok },
	{ "+QCFG", ms_at_ok },
	{ "+QURCCFG", ms_at_ok },
	{ NULL, NULL },
};
