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

/* ---- report switches and resets shared by the families below ---- */

/* Indexes of ms_modem.vendor_mode. */
enum { MS_VM_IND, MS_VM_OVERFLOW };

/*
 * A command that turns a family's own reports on: AT<name>=<n> within
 * [min, max] is kept, AT<name>? answers "<name>: <n>" (with suffix, e.g.
 * a status, when not NULL), AT<name>=? the range.
 */
static enum ms_res ms_vendor_mode(struct ms_modem *m, enum ms_form f,
				  const char *a, const char *name, int which,
				  int min, int max, const char *suffix)
{
	int n;

	switch (f) {
	case MS_FORM_SET:
		if (!ms_at_int(a, min, max, &n))
			return MS_RES_ERROR;
		m->vendor_mode[which] = n;
		return MS_RES_OK;
	case MS_FORM_READ:
		ms_modem_info(m, "%s: %d%s", name, m->vendor_mode[which],
			      suffix ? suffix : "");
		return MS_RES_OK;
	case MS_FORM_TEST:
		ms_modem_info(m, "%s: (%d-%d)", name, min, max);
		return MS_RES_OK;
	default:
		return MS_RES_ERROR;
	}
}

/* A vendor's soft reset command (AT!RESET, AT#REBOOT): OK, then the
 * module restarts as after AT+CFUN=1,1. */
static enum ms_res ms_vendor_reset(struct ms_modem *m, enum ms_form f,
				   const char *a)
{
	(void)a;
	if (f != MS_FORM_EXEC)
		return MS_RES_ERROR;
	m->reboot_pending = true;
	return MS_RES_OK;
}

/* ---- ZTE (ModemManager's zte plugin; oFono's zte driver) ---- */

/* AT+ZOPRT=5 puts the radio online (6: offline), ModemManager's enable
 * sequence; AT+ZOPRT? reads the mode. */
static enum ms_res ms_vendor_zte_zoprt(struct ms_modem *m, enum ms_form f,
				       const char *a)
{
	if (f == MS_FORM_READ && !m->vendor_mode[MS_VM_IND])
		m->vendor_mode[MS_VM_IND] = 5;
	return ms_vendor_mode(m, f, a, "+ZOPRT", MS_VM_IND, 5, 6, NULL);
}

static enum ms_res ms_vendor_zte_zgeticcid(struct ms_modem *m,
					   enum ms_form f, const char *a)
{
	(void)a;
	if (f != MS_FORM_EXEC && f != MS_FORM_TEST)
		return MS_RES_ERROR;
	return ms_at_iccid(m, f, "+ZGETICCID: ");
}

const struct ms_cmd ms_vendor_zte[] = {
	{ "+ZOPRT", ms_vendor_zte_zoprt },
	{ "+ZGETICCID", ms_vendor_zte_zgeticcid },
	{ NULL, NULL },
};

/* ---- Sierra Wireless (AirPrime MC/EM AT Command Reference) ---- */

/* AT!ICCID? answers "ICCID: <iccid>" (no '!' and no '+'). */
static enum ms_res ms_vendor_sierra_iccid(struct ms_modem *m,
					  enum ms_form f, const char *a)
{
	(void)a;
	if (f != MS_FORM_READ && f != MS_FORM_TEST)
		return MS_RES_ERROR;
	return ms_at_iccid(m, f, "ICCID: ");
}

const struct ms_cmd ms_vendor_sierra[] = {
	{ "!ICCID", ms_vendor_sierra_iccid },
	{ "!RESET", ms_vendor_reset },
	{ "!GRESET", ms_vendor_reset },
	{ NULL, NULL },
};

/* ---- Telit (AT Commands Reference Guide 80000ST10025a, #QSS, #CCID) ---- */

/*
 * AT#QSS=<mode>: 0 no report, 1 "#QSS: <0|1>" (inserted), 2 "#QSS:
 * <status>" with 2 PIN unlocked and 3 "SIM inserted and READY (SMS and
 * Phonebook access are possible)". AT#QSS? answers "#QSS: <mode>,
 * <status>".
 */
static enum ms_res ms_vendor_telit_qss(struct ms_modem *m, enum ms_form f,
				       const char *a)
{
	const struct ms_slot *sl = ms_modem_slot(m);
	char status[8];

	snprintf(status, sizeof(status), ",%d",
		 !sl->present ? 0 : ms_modem_sim_ready(m) ? 3 : 1);
	return ms_vendor_mode(m, f, a, "#QSS", MS_VM_IND, 0, 2, status);
}

static enum ms_res ms_vendor_telit_ccid(struct ms_modem *m, enum ms_form f,
					const char *a)
{
	(void)a;
	if (f != MS_FORM_EXEC && f != MS_FORM_TEST)
		return MS_RES_ERROR;
	return ms_at_iccid(m, f, "#CCID: ");
}

const struct ms_cmd ms_vendor_telit[] = {
	{ "#QSS", ms_vendor_telit_qss },
	{ "#CCID", ms_vendor_telit_ccid },
	{ "#REBOOT", ms_vendor_reset },
	{ NULL, NULL },
};

/* ---- u-blox (AT Commands Manual UBX-13002752, +USIMSTAT) ---- */

/* AT+USIMSTAT=<mode>: a bit mask of the (U)SIM reports to send
 * ("+USIMSTAT: <state>"; 7 once the phonebook, and SMS, are ready). */
static enum ms_res ms_vendor_ublox_usimstat(struct ms_modem *m,
					    enum ms_form f, const char *a)
{
	return ms_vendor_mode(m, f, a, "+USIMSTAT", MS_VM_IND, 0, 31, NULL);
}

const struct ms_cmd ms_vendor_ublox[] = {
	{ "+USIMSTAT", ms_vendor_ublox_usimstat },
	{ NULL, NULL },
};

/* ---- Cinterion (EHS5 AT Command Set: ^SSET, ^SMGO, ^SCID) ---- */

/* AT^SSET=1: "^SSIM READY" once the SIM's data can be read. */
static enum ms_res ms_vendor_cinterion_sset(struct ms_modem *m,
					    enum ms_form f, const char *a)
{
	return ms_vendor_mode(m, f, a, "^SSET", MS_VM_IND, 0, 1, NULL);
}

/* AT^SMGO=1: "^SMGO: 2" when SMS storage overflows; AT^SMGO? answers
 * "^SMGO: <n>,<overflow status>" (0: space left). */
static enum ms_res ms_vendor_cinterion_smgo(struct ms_modem *m,
					    enum ms_form f, const char *a)
{
	return ms_vendor_mode(m, f, a, "^SMGO", MS_VM_OVERFLOW, 0, 1, ",0");
}

static enum ms_res ms_vendor_cinterion_scid(struct ms_modem *m,
					    enum ms_form f, const char *a)
{
	(void)a;
	if (f != MS_FORM_EXEC && f != MS_FORM_TEST)
		return MS_RES_ERROR;
	return ms_at_iccid(m, f, "^SCID: ");
}

const struct ms_cmd ms_vendor_cinterion[] = {
	{ "^SSET", ms_vendor_cinterion_sset },
	{ "^SMGO", ms_vendor_cinterion_smgo },
	{ "^SCID", ms_vendor_cinterion_scid },
	{ NULL, NULL },
};

/* ---- Wavecom (AT Commands Interface Guide, +WIND) ---- */

/*
 * AT+WIND=<IndLevel>: a bit mask of the "+WIND: <event>" reports. Firmware
 * 7 (WM_DEV_OAT_UGD_049, events up to 16) takes 0-32767, bit 14 (16384)
 * the "SMS service ready" report; older firmware took 0-4095.
 */
static enum ms_res ms_vendor_wavecom_wind(struct ms_modem *m,
					  enum ms_form f, const char *a)
{
	return ms_vendor_mode(m, f, a, "+WIND", MS_VM_IND, 0, 32767, NULL);
}

const struct ms_cmd ms_vendor_wavecom[] = {
	{ "+WIND", ms_vendor_wavecom_wind },
	{ NULL, NULL },
};

/* ---- Fibocom L8xx (AT Commands manual; ModemManager's xmm plugin) ---- */

/* AT+XSIMSTATE=1 turns on "+XSIM: <state>" reports. */
static enum ms_res ms_vendor_fibocom_xsimstate(struct ms_modem *m,
					       enum ms_form f, const char *a)
{
	char state[8];

	snprintf(state, sizeof(state), ",%d",
		 !ms_modem_slot(m)->present ? 0 : ms_modem_sim_ready(m) ? 7
									: 1);
	return ms_vendor_mode(m, f, a, "+XSIMSTATE", MS_VM_IND, 0, 1, state);
}

const struct ms_cmd ms_vendor_fibocom[] = {
	{ "+XSIMSTATE", ms_vendor_fibocom_xsimstate },
	{ NULL, NULL },
};
