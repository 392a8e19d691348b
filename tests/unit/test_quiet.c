/* Quiet hours: parsing, zones from numbers, decisions at fixed times. */
#include "harness.h"
#include "quiet.h"

#include <stdio.h>

/* 2026-11-27T10:00:00Z */
#define T0 1795773600000LL
#define MIN 60000LL

/* Fixed offsets, so the decisions do not depend on the machine's tzdata. */
static int fake_offset(const char *zone, int64_t ms)
{
	static const struct {
		const char *zone;
		int offset;
	} z[] = {
		{ "America/New_York", -300 }, { "America/Chicago", -360 },
		{ "America/Denver", -420 },   { "America/Los_Angeles", -480 },
		{ "Europe/Berlin", 60 },      { "Asia/Kolkata", 330 },
		{ "Pacific/Honolulu", -600 },
	};

	(void)ms;
	for (size_t i = 0; zone && i < sizeof(z) / sizeof(z[0]); i++)
		if (strcmp(zone, z[i].zone) == 0)
			return z[i].offset;
	return 0; /* the gateway: UTC */
}

TEST(quiet_parse_forms)
{
	struct quiet_hours q;

	CHECK(quiet_parse("21:00-08:00", &q));
	CHECK_INT(q.start, 21 * 60);
	CHECK_INT(q.end, 8 * 60);
	CHECK(quiet_parse("00:30-06:15", &q));
	CHECK(!quiet_parse("21:00-21:00", &q));
	CHECK(!quiet_parse("9pm-8am", &q));
	CHECK(!quiet_parse("24:00-08:00", &q));
	CHECK(!quiet_parse("21:00-08:00x", &q));
	CHECK(!quiet_parse(NULL, &q));
}

TEST(quiet_zones_from_numbers)
{
	const char *z[QUIET_MAX_ZONES];

	CHECK_INT(quiet_zones("+12125550100", z, 4), 1);
	CHECK_STR(z[0], "America/New_York");
	CHECK_INT(quiet_zones("+14155550100", z, 4), 1);
	CHECK_STR(z[0], "America/Los_Angeles");
	CHECK_INT(quiet_zones("+18085550100", z, 4), 1);
	CHECK_STR(z[0], "Pacific/Honolulu");
	/* An unknown area code: the continental span. */
	CHECK_INT(quiet_zones("+15555550100", z, 4), 4);
	CHECK_INT(quiet_zones("+4917012345678", z, 4), 1);
	CHECK_STR(z[0], "Europe/Berlin");
	CHECK_INT(quiet_zones("+77012345678", z, 4), 1);
	CHECK_STR(z[0], "Asia/Almaty");
	CHECK_INT(quiet_zones("+79161234567", z, 4), 1);
	CHECK_STR(z[0], "Europe/Moscow");
	CHECK_INT(quiet_zones("+6881234", z, 4), 0);	/* Tuvalu: not listed */
	CHECK_INT(quiet_zones("12345", z, 4), 0);	/* a short code */
}

TEST(quiet_decisions_at_fixed_times)
{
	struct quiet_hours q;
	int64_t until = 0;

	quiet_parse("21:00-08:00", &q);
	/* 10:00Z: 11:00 in Berlin, 05:00 in New York, 15:30 in Kolkata. */
	CHECK(!quiet_now(&q, "+4917012345678", T0, fake_offset, &until));
	CHECK(quiet_now(&q, "+12125550100", T0, fake_offset, &until));
	CHECK_INT(until, T0 + 3 * 60 * MIN);		/* 08:00 New York */
	CHECK(!quiet_now(&q, "+919812345678", T0, fake_offset, &until));
	/* 04:00Z: 20:00 in Los Angeles but 23:00 in New York and 21:00 in
	 * Denver: an unknown area code is quiet until the last of those
	 * mornings, Denver's 08:00 (15:00Z). */
	CHECK(quiet_now(&q, "+15555550100", T0 - 6 * 60 * MIN, fake_offset,
			&until));
	CHECK_INT(until, T0 + 5 * 60 * MIN);
	CHECK(!quiet_now(&q, "+14155550100", T0 - 6 * 60 * MIN, fake_offset,
			 &until));
	/* 21:00 sharp is quiet, 08:00 sharp is not. */
	CHECK(quiet_now(&q, "+4917012345678", T0 + 10 * 60 * MIN, fake_offset,
			&until));
	CHECK(!quiet_now(&q, "+4917012345678", T0 - 3 * 60 * MIN, fake_offset,
			 &until));
	/* An unknown country follows the gateway's zone (UTC here). */
	CHECK(!quiet_now(&q, "+6881234", T0, fake_offset, &until));
	CHECK(quiet_now(&q, "+6881234", T0 + 12 * 60 * MIN, fake_offset, &until));
}

TEST(quiet_real_zoneinfo_knows_dst)
{
	/* 2026-07-01T12:00Z: New York is on EDT (-4h); 2026-01-15: EST. */
	CHECK_INT(quiet_tz_offset("America/New_York", 1782907200000LL), -240);
	CHECK_INT(quiet_tz_offset("America/New_York", 1768478400000LL), -300);
	CHECK_INT(quiet_tz_offset("Asia/Kolkata", 1768478400000LL), 330);
}

TEST(quiet_end_follows_a_dst_change_in_the_night)
{
	struct quiet_hours q;
	int64_t until = 0;

	CHECK(quiet_parse("21:00-08:00", &q));
	/* 2027-03-27T21:00Z is 22:00 CET; Berlin springs forward at 01:00Z,
	 * so 08:00 local next morning is 06:00Z, not 07:00Z. */
	CHECK(quiet_now(&q, "+4930123456", 1806181200000LL, NULL, &until));
	CHECK_INT(until, 1806213600000LL);
	/* 2027-10-30T20:00Z is 22:00 CEST; after falling back 08:00 local is
	 * 07:00Z: releasing at 06:00Z would send at 07:00 in quiet hours. */
	CHECK(quiet_now(&q, "+4930123456", 1824926400000LL, NULL, &until));
	CHECK_INT(until, 1824966000000LL);
	/* A minute before the spring change, in quiet hours, same end. */
	CHECK(quiet_now(&q, "+4930123456", 1806195540000LL, NULL, &until));
	CHECK_INT(until, 1806213600000LL);
}

TEST(quiet_offsets_change_on_a_half_hour)
{
	/* St. John's (UTC-3:30) springs forward at 02:00 local, 05:30Z:
	 * 2027-03-14T05:20Z is still NST, 05:40Z is NDT. An hourly cache
	 * (the same zone pointer, asked in the same hour) answers -210 twice. */
	static const char *zone = "America/St_Johns";

	CHECK_INT(quiet_tz_offset(zone, 1805001600000LL), -210);
	CHECK_INT(quiet_tz_offset(zone, 1805002800000LL), -150);
}
