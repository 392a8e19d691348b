/*
 * The phone driver against its captures (drivers/phone/captures/),
 * replayed by tests/unit/driver_replay.h with the driver's tables
 * installed.
 */
#include "driver_replay.h"
#include "modem_logic.h"

TEST(driver_replay_phone_k750i)
{
	struct dr_replay *r = dr_family("phone",
					"sonyericsson-k750i/session.at");
	struct at_cpms_ranges cr;
	struct at_cnmi_ranges nr;
	struct driver d;
	struct driver_cnmi cnmi[8];
	char cpms[4][48], id[32], cmd[64];

	if (!r)
		return;
	CHECK_INT(r->kinds[DRIVER_URC_BOOT], 1);	/* *EMRDY: 1 */
	CHECK_INT(r->kinds[DRIVER_URC_IGNORE], 2);	/* *EMRDY:, +CIEV: 2,3 */
	/* AT+CSMS=1 refused, AT+CCID unknown: not the driver's. */
	CHECK_STR(r->recs[1].final, "+CMS ERROR: 303");
	CHECK_STR(r->recs[4].final, "ERROR");
	CHECK_INT(driver_resolve(driver_find("phone"), &d), 0);
	for (size_t i = 0; d.sms[i].candidates; i++)
		CHECK(strncmp(d.sms[i].candidates[0], "AT+CSMS", 7) != 0);
	CHECK_STR(d.iccid[0], "AT+CRSM=176,12258,0,0,10");
	/* Its ICCID from the EF_ICCID bytes. */
	CHECK(driver_iccid_read(driver_find("phone"), r->recs[5].lines[0], id,
				sizeof(id)));
	CHECK_STR(id, "89960100000012345678");
	/* Storage where it keeps what it receives: "ME" for all three. */
	CHECK(at_parse_sms_cpms_ranges(r->recs[2].lines[0], &cr));
	CHECK_INT(modem_logic_cpms_fit(&cr, d.cpms, cpms, 4), 1);
	CHECK_STR(cpms[0], "AT+CPMS=\"ME\",\"ME\",\"ME\"");
	/* +CNMI <mode> 2, reports stored. */
	CHECK(at_parse_sms_cnmi_ranges(r->recs[3].lines[0], &nr));
	CHECK(modem_logic_cnmi_fit(&nr, d.cnmi, cnmi, 8) >= 1);
	CHECK(modem_logic_cnmi(&cnmi[0], true, cmd, sizeof(cmd)));
	CHECK_STR(cmd, "AT+CNMI=2,1,0,2,0");
}
