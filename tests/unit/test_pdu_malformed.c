/*
 * SMS decoding of hostile input: every malformed PDU fails with a reason
 * naming the field, every truncation of a valid PDU fails cleanly, and
 * garbage never crashes (the sanitizer build of this test is the check
 * for out-of-bounds reads).
 */
#include "harness.h"
#include "sms.h"

#include <stdio.h>
#include <stdlib.h>

struct bad_vec {
	const char *name;
	const char *hex;
	const char *reason;	/* substring the error must contain */
};

/* Each one breaks one field of a valid SMS-DELIVER. */
static const struct bad_vec bads[] = {
	{ "empty", "", "empty" },
	{ "spaces only", " \r\n", "empty" },
	{ "odd digits", "0", "odd" },
	{ "not hex", "00G4", "not a hex digit" },
	{ "inner space", "00 04", "not a hex digit" },
	{ "smsc too long", "0C91", "SMSC address" },
	{ "smsc truncated", "07911326", "SMSC address" },
	{ "no first octet", "00", "TP-MTI" },
	{ "mti 3", "0003", "TP-MTI" },
	{ "oa missing", "0004", "TP-OA" },
	{ "oa 21 digits", "000415", "TP-OA" },
	{ "oa truncated", "00040B91515555", "TP-OA" },
	{ "oa filler inside", "00040491F151", "TP-OA" },
	{ "no pid", "00040B915155552143F5", "TP-PID" },
	{ "no dcs", "00040B915155552143F500", "TP-DCS" },
	{ "scts truncated", "00040B915155552143F500002130", "TP-SCTS" },
	{ "scts month 13", "00040B915155552143F500002131724150000005E8329BFD06",
	  "TP-SCTS" },
	{ "scts feb 30", "00040B915155552143F500002120034150000005E8329BFD06",
	  "TP-SCTS" },
	{ "scts not bcd", "00040B915155552143F500002A30724150000005E8329BFD06",
	  "TP-SCTS" },
	{ "no udl", "00040B915155552143F5000021307241500000", "TP-UDL" },
	{ "udl 161 septets", "00040B915155552143F5000021307241500000A1",
	  "TP-UDL" },
	{ "udl 141 octets", "00040B915155552143F5000821307241500000 8D",
	  "TP-UDL" },
	{ "ud short", "00040B915155552143F500002130724150000006E8329BFD06",
	  "TP-UD" },
	{ "udhl past ud", "00440B915155552143F500042130724150000003050000",
	  "TP-UDH" },
	{ "ie past udh", "00440B915155552143F500042130724150000004030003FF",
	  "TP-UDH" },
	{ "concat8 len 4",
	  "00440B915155552143F50004213072415000000706000401020301",
	  "IE 00" },
	{ "concat16 len 3",
	  "00440B915155552143F500042130724150000006050803010203",
	  "IE 08" },
	{ "shift len 2", "00440B915155552143F5000421307241500000050424020102",
	  "IE 24" },
	{ "udh septets over udl", "00440B915155552143F500002130724150000006"
	  "050003010201", "TP-UDL" },
	{ "udhi empty ud", "00440B915155552143F500002130724150000000",
	  "TP-UDHI" },
	{ "vp truncated", "0011000B915155551532F40000", "TP-VP" },
	{ "abs vp bad", "0019000B915155551532F400009999999999999900", "TP-VP" },
	{ "report no st", "00062A0B915155552143F52130724150008A2130724160008A",
	  "TP-ST" },
	/* ModemManager test_pdu_stored_by_us as published: TP-UDL 34, 30
	 * octets of UCS-2. */
	{ "mm-stored-short", "002100098136397339F70008224F60597D4F60597D4F60"
	  "597D4F60597D4F60597D4F60597D4F60597D4F60", "TP-UD" },
	{ "report no dt", "00062A0B915155552143F52130724150008A", "TP-DT" },
};

TEST(sms_decode_malformed_vectors)
{
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad_vec *v = &bads[i];
		char hex[300], err[160] = "";
		struct sms_pdu p;
		size_t k = 0;

		for (const char *c = v->hex; *c && k + 1 < sizeof(hex); c++)
			if (*c != ' ' || strcmp(v->name, "inner space") == 0)
				hex[k++] = *c;
		hex[k] = '\0';
		if (!CHECK(!sms_pdu_decode(hex, k, &p, err, sizeof(err)))) {
			harness_fail(__FILE__, __LINE__, "%s decoded", v->name);
			continue;
		}
		if (!CHECK(strstr(err, v->reason) != NULL))
			harness_fail(__FILE__, __LINE__, "%s: \"%s\"", v->name,
				     err);
	}
}

/* Valid PDUs of every type; every strict prefix of each must fail. */
static const char *const valid[] = {
	"07911326040000F0040B911346610089F60000208062917314480CC8F71D1496"
	"9741F977FD07",
	"0791447758100650040DD0F334FC1CA6970100008080312170224008D4F29CDE"
	"0EA7D9",
	"0011000B916407281553F80000AA0AE8329BFD4697D9EC37",
	"07914356060013F1065A098136397339F7219011700463802190117004638030",
	"07912160130320F6440B916171056429F5000021405291651569320500034C02"
	"02E9E8301D44479741F0B09C3E0785E56590BCCC0ED3CB6410FD0D7ABBCBA0B0"
	"FB4D4797E52E10",
	"00062A0B915155552143F52130724150008A2130724160008A000700"
	"0005E8329BFD06",
};

TEST(sms_decode_every_truncation_fails)
{
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		size_t len = strlen(valid[i]);
		struct sms_pdu p;
		char err[160];

		CHECK(sms_pdu_decode(valid[i], len, &p, err, sizeof(err)));
		/* Status reports end legitimately before the TP-PI. */
		for (size_t n = 2; n < len; n += 2) {
			bool ok = sms_pdu_decode(valid[i], n, &p, err,
						 sizeof(err));

			if (i == 5 && n == 2 * 26)
				CHECK(ok);
			else if (!CHECK(!ok))
				harness_fail(__FILE__, __LINE__,
					     "vector %zu cut at %zu decoded",
					     i, n);
			else
				CHECK(err[0] != '\0');
		}
	}
}

/* Trailing octets after the user data are ignored; white space and a
 * modem's \r\n around the hex too. */
TEST(sms_decode_lenient_edges)
{
	static const char padded[] =
		"\r\n0011000B916407281553F80000AA0AE8329BFD4697D9EC37FFFF\r\n";
	struct sms_pdu p;
	char err[160];

	CHECK(sms_pdu_decode(padded, strlen(padded), &p, err, sizeof(err)));
	CHECK_STR(p.submit.ud.text, "hellohello");
	/* Lower-case hex. */
	CHECK(sms_pdu_decode("0011000b916407281553f80000aa0ae8329bfd4697d9ec37",
			     48, &p, err, sizeof(err)));
	CHECK_STR(p.submit.dest.text, "+46708251358");
}

/* Every byte flipped to every value in a valid PDU, and random garbage:
 * the decoder must return, and when it succeeds its text must be a
 * terminated string within bounds. */
TEST(sms_decode_mutations_survive)
{
	unsigned seed = 12345;

	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		uint8_t bin[200];
		size_t n = strlen(valid[i]) / 2;

		for (size_t k = 0; k < n; k++)
			sscanf(valid[i] + 2 * k, "%2hhx", &bin[k]);
		for (size_t pos = 0; pos < n; pos++) {
			uint8_t keep = bin[pos];

			for (int v = 0; v < 256; v++) {
				struct sms_pdu p;
				char err[160];

				bin[pos] = v;
				if (sms_pdu_decode_bin(bin, n, &p, err,
						       sizeof(err)))
					CHECK(strlen(p.deliver.ud.text) <
					      sizeof(p.deliver.ud.text));
			}
			bin[pos] = keep;
		}
	}
	for (int round = 0; round < 20000; round++) {
		uint8_t bin[200];
		size_t n = rand_r(&seed) % sizeof(bin);
		struct sms_pdu p;
		char err[160];

		for (size_t k = 0; k < n; k++)
			bin[k] = rand_r(&seed);
		if (!sms_pdu_decode_bin(bin, n, &p, err, sizeof(err)))
			CHECK(err[0] != '\0');
	}
}
