/*
 * quiet — quiet hours by the recipient's time zone; see include/quiet.h.
 *
 * The tables map ITU-T E.164 country calling codes (ITU-T Operational
 * Bulletin list) to IANA zones, and North American area codes (NANPA) to
 * the zone of their area. They cover where our users send; a number they
 * do not cover falls back to the gateway's own zone.
 */
#include "quiet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct zone_row {
	const char *prefix;	/* digits after "+" */
	const char *zones[QUIET_MAX_ZONES];
};

/* Country calling codes; the longest matching prefix wins. */
static const struct zone_row quiet_countries[] = {
	/* North America without a known area code: the span of the
	 * continental zones. */
	{ "1", { "America/New_York", "America/Chicago", "America/Denver",
		 "America/Los_Angeles" } },
	{ "7", { "Europe/Moscow" } },
	{ "76", { "Asia/Almaty" } },	{ "77", { "Asia/Almaty" } },
	{ "20", { "Africa/Cairo" } },	{ "27", { "Africa/Johannesburg" } },
	{ "30", { "Europe/Athens" } },	{ "31", { "Europe/Amsterdam" } },
	{ "32", { "Europe/Brussels" } }, { "33", { "Europe/Paris" } },
	{ "34", { "Europe/Madrid" } },	{ "36", { "Europe/Budapest" } },
	{ "39", { "Europe/Rome" } },	{ "40", { "Europe/Bucharest" } },
	{ "41", { "Europe/Zurich" } },	{ "43", { "Europe/Vienna" } },
	{ "44", { "Europe/London" } },	{ "45", { "Europe/Copenhagen" } },
	{ "46", { "Europe/Stockholm" } }, { "47", { "Europe/Oslo" } },
	{ "48", { "Europe/Warsaw" } },	{ "49", { "Europe/Berlin" } },
	{ "51", { "America/Lima" } },
	{ "52", { "America/Mexico_City", "America/Tijuana", "America/Cancun" } },
	{ "53", { "America/Havana" } },
	{ "54", { "America/Argentina/Buenos_Aires" } },
	{ "55", { "America/Sao_Paulo", "America/Manaus", "America/Rio_Branco" } },
	{ "56", { "America/Santiago" } }, { "57", { "America/Bogota" } },
	{ "58", { "America/Caracas" } }, { "60", { "Asia/Kuala_Lumpur" } },
	{ "61", { "Australia/Sydney", "Australia/Adelaide",
		  "Australia/Brisbane", "Australia/Perth" } },
	{ "62", { "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura" } },
	{ "63", { "Asia/Manila" } },	{ "64", { "Pacific/Auckland" } },
	{ "65", { "Asia/Singapore" } },	{ "66", { "Asia/Bangkok" } },
	{ "81", { "Asia/Tokyo" } },	{ "82", { "Asia/Seoul" } },
	{ "84", { "Asia/Ho_Chi_Minh" } }, { "86", { "Asia/Shanghai" } },
	{ "90", { "Europe/Istanbul" } }, { "91", { "Asia/Kolkata" } },
	{ "92", { "Asia/Karachi" } },	{ "93", { "Asia/Kabul" } },
	{ "94", { "Asia/Colombo" } },	{ "95", { "Asia/Yangon" } },
	{ "98", { "Asia/Tehran" } },	{ "212", { "Africa/Casablanca" } },
	{ "213", { "Africa/Algiers" } }, { "216", { "Africa/Tunis" } },
	{ "218", { "Africa/Tripoli" } }, { "221", { "Africa/Dakar" } },
	{ "223", { "Africa/Bamako" } },	{ "225", { "Africa/Abidjan" } },
	{ "226", { "Africa/Ouagadougou" } }, { "227", { "Africa/Niamey" } },
	{ "228", { "Africa/Lome" } },	{ "229", { "Africa/Porto-Novo" } },
	{ "231", { "Africa/Monrovia" } }, { "232", { "Africa/Freetown" } },
	{ "233", { "Africa/Accra" } },	{ "234", { "Africa/Lagos" } },
	{ "235", { "Africa/Ndjamena" } }, { "237", { "Africa/Douala" } },
	{ "243", { "Africa/Kinshasa", "Africa/Lubumbashi" } },
	{ "244", { "Africa/Luanda" } },	{ "249", { "Africa/Khartoum" } },
	{ "250", { "Africa/Kigali" } },	{ "251", { "Africa/Addis_Ababa" } },
	{ "252", { "Africa/Mogadishu" } }, { "254", { "Africa/Nairobi" } },
	{ "255", { "Africa/Dar_es_Salaam" } }, { "256", { "Africa/Kampala" } },
	{ "257", { "Africa/Bujumbura" } }, { "258", { "Africa/Maputo" } },
	{ "260", { "Africa/Lusaka" } },	{ "261", { "Indian/Antananarivo" } },
	{ "263", { "Africa/Harare" } },	{ "264", { "Africa/Windhoek" } },
	{ "265", { "Africa/Blantyre" } }, { "266", { "Africa/Maseru" } },
	{ "267", { "Africa/Gaborone" } }, { "351", { "Europe/Lisbon" } },
	{ "352", { "Europe/Luxembourg" } }, { "353", { "Europe/Dublin" } },
	{ "354", { "Atlantic/Reykjavik" } }, { "355", { "Europe/Tirane" } },
	{ "356", { "Europe/Malta" } },	{ "357", { "Asia/Nicosia" } },
	{ "358", { "Europe/Helsinki" } }, { "359", { "Europe/Sofia" } },
	{ "370", { "Europe/Vilnius" } }, { "371", { "Europe/Riga" } },
	{ "372", { "Europe/Tallinn" } }, { "373", { "Europe/Chisinau" } },
	{ "374", { "Asia/Yerevan" } },	{ "375", { "Europe/Minsk" } },
	{ "380", { "Europe/Kiev" } },	{ "381", { "Europe/Belgrade" } },
	{ "385", { "Europe/Zagreb" } },	{ "386", { "Europe/Ljubljana" } },
	{ "387", { "Europe/Sarajevo" } }, { "389", { "Europe/Skopje" } },
	{ "420", { "Europe/Prague" } },	{ "421", { "Europe/Bratislava" } },
	{ "502", { "America/Guatemala" } }, { "503", { "America/El_Salvador" } },
	{ "504", { "America/Tegucigalpa" } }, { "505", { "America/Managua" } },
	{ "506", { "America/Costa_Rica" } }, { "507", { "America/Panama" } },
	{ "509", { "America/Port-au-Prince" } }, { "591", { "America/La_Paz" } },
	{ "593", { "America/Guayaquil" } }, { "595", { "America/Asuncion" } },
	{ "598", { "America/Montevideo" } }, { "852", { "Asia/Hong_Kong" } },
	{ "855", { "Asia/Phnom_Penh" } }, { "856", { "Asia/Vientiane" } },
	{ "880", { "Asia/Dhaka" } },	{ "886", { "Asia/Taipei" } },
	{ "961", { "Asia/Beirut" } },	{ "962", { "Asia/Amman" } },
	{ "964", { "Asia/Baghdad" } },	{ "965", { "Asia/Kuwait" } },
	{ "966", { "Asia/Riyadh" } },	{ "968", { "Asia/Muscat" } },
	{ "970", { "Asia/Gaza" } },	{ "971", { "Asia/Dubai" } },
	{ "972", { "Asia/Jerusalem" } }, { "973", { "Asia/Bahrain" } },
	{ "974", { "Asia/Qatar" } },	{ "976", { "Asia/Ulaanbaatar" } },
	{ "977", { "Asia/Kathmandu" } }, { "994", { "Asia/Baku" } },
	{ "995", { "Asia/Tbilisi" } },	{ "996", { "Asia/Bishkek" } },
	{ "998", { "Asia/Tashkent" } },
};

struct nanp_zone {
	const char *zone;
	const char *codes;	/* area codes, space-separated */
};

/* North American area codes whose zone is clear (NANPA assignments). */
static const struct nanp_zone quiet_nanp[] = {
	{ "America/New_York",
	  "201 202 203 212 215 216 267 301 302 305 321 347 404 407 410 412 "
	  "434 443 470 484 508 513 516 518 540 561 585 603 607 609 610 614 "
	  "617 631 646 678 703 704 716 718 727 732 754 757 770 772 781 786 "
	  "802 804 813 828 845 856 857 860 862 904 908 910 914 917 919 929 "
	  "941 954 973 978 980 984" },
	{ "America/Toronto",
	  "289 343 416 418 437 438 450 514 581 613 647 819 873 905" },
	{ "America/Chicago",
	  "205 210 214 217 224 225 251 254 281 312 314 316 318 319 320 331 "
	  "334 337 346 361 402 405 409 414 417 430 469 479 501 504 507 512 "
	  "515 563 573 601 608 612 615 618 630 636 641 651 662 682 708 712 "
	  "713 715 731 737 763 773 779 785 815 816 817 830 832 847 870 872 "
	  "901 903 913 918 920 936 940 952 956 972 979" },
	{ "America/Winnipeg", "204 431" },
	{ "America/Regina", "306 639" },
	{ "America/Denver", "303 307 385 406 435 505 575 719 720 801 970" },
	{ "America/Phoenix", "480 520 602 623 928" },
	{ "America/Edmonton", "403 587 780 825" },
	{ "America/Los_Angeles",
	  "206 209 213 253 310 323 360 408 415 424 425 442 503 509 510 530 "
	  "541 559 562 619 626 628 650 657 661 669 702 707 714 725 747 760 "
	  "775 805 818 831 858 909 916 925 949 951 971" },
	{ "America/Vancouver", "236 250 604 672 778" },
	{ "America/Anchorage", "907" },
	{ "Pacific/Honolulu", "808" },
	{ "America/Halifax", "506 782 902" },
	{ "America/St_Johns", "709" },
	{ "America/Puerto_Rico", "787 939" },
	{ "America/Santo_Domingo", "809 829 849" },
	{ "America/Jamaica", "658 876" },
	{ "America/Port_of_Spain", "868" },
	{ "America/Nassau", "242" },
	{ "America/Barbados", "246" },
};

bool quiet_parse(const char *s, struct quiet_hours *out)
{
	int h1, m1, h2, m2, n = 0;

	if (!s || sscanf(s, "%2d:%2d-%2d:%2d%n", &h1, &m1, &h2, &m2, &n) != 4 ||
	    s[n] || h1 < 0 || h1 > 23 || h2 < 0 || h2 > 23 || m1 < 0 ||
	    m1 > 59 || m2 < 0 || m2 > 59)
		return false;
	out->start = h1 * 60 + m1;
	out->end = h2 * 60 + m2;
	return out->start != out->end;
}

static const char *quiet_nanp_zone(const char *area)
{
	for (size_t i = 0; i < sizeof(quiet_nanp) / sizeof(quiet_nanp[0]);
	     i++) {
		for (const char *p = quiet_nanp[i].codes; *p; p++) {
			if (strncmp(p, area, 3) == 0)
				return quiet_nanp[i].zone;
			p += strcspn(p, " ");	/* the next code, if any */
			if (!*p)
				break;
		}
	}
	return NULL;
}

size_t quiet_zones(const char *number, const char **zones, size_t max)
{
	const struct zone_row *best = NULL;
	size_t best_len = 0, n = 0;

	if (!number || number[0] != '+' || max == 0)
		return 0;
	number++;
	if (number[0] == '1' && strlen(number) >= 4) {
		char area[4] = { number[1], number[2], number[3], 0 };
		const char *z = quiet_nanp_zone(area);

		if (z) {
			zones[0] = z;
			return 1;
		}
	}
	for (size_t i = 0;
	     i < sizeof(quiet_countries) / sizeof(quiet_countries[0]); i++) {
		size_t len = strlen(quiet_countries[i].prefix);

		if (len > best_len &&
		    strncmp(number, quiet_countries[i].prefix, len) == 0) {
			best = &quiet_countries[i];
			best_len = len;
		}
	}
	for (size_t i = 0; best && i < QUIET_MAX_ZONES && best->zones[i] && n < max;
	     i++)
		zones[n++] = best->zones[i];
	return n;
}

/* Minutes from local minute-of-day m to the end of the quiet period, or -1
 * when m is not quiet. */
static int quiet_left(const struct quiet_hours *q, int m)
{
	bool quiet = q->start < q->end ? m >= q->start && m < q->end
				       : m >= q->start || m < q->end;

	if (!quiet)
		return -1;
	return (q->end - m + 1440) % 1440;
}

bool quiet_now(const struct quiet_hours *q, const char *number, int64_t now,
	       quiet_offset_fn offset, int64_t *until)
{
	const char *zones[QUIET_MAX_ZONES];
	size_t n = quiet_zones(number, zones, QUIET_MAX_ZONES);
	int64_t latest = 0;

	if (!offset)
		offset = quiet_tz_offset;
	if (n == 0) {
		zones[0] = NULL;	/* the gateway's own zone */
		n = 1;
	}
	for (size_t i = 0; i < n; i++) {
		int off = offset(zones[i], now);
		int64_t local = now / 60000 + off;
		int minute = (int)(((local % 1440) + 1440) % 1440);
		int left = quiet_left(q, minute);
		int64_t end, shifted;

		if (left < 0)
			continue;
		/* To the start of the minute quiet ends, in UTC. */
		end = (now / 60000 + left) * 60000;
		/* A DST change inside the quiet period moves its local end by
		 * the change: spring forward ends it an hour sooner in UTC,
		 * fall back an hour later (08:00 local is 08:00 local). */
		shifted = end - (int64_t)(offset(zones[i], end) - off) * 60000;
		if (shifted > now)
			end = shifted;
		if (end > latest)
			latest = end;
	}
	if (!latest)
		return false;
	*until = latest;
	return true;
}

/* ---- zone offsets through the system's zoneinfo ---- */

struct offset_cache {
	const char *zone;	/* NULL: the process's own */
	int64_t hour;		/* now / 900000 (quarter hour) when computed */
	int offset;
	bool used;
};

static int quiet_zone_offset(const char *zone, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	char *saved = NULL;
	struct tm tm;

	if (!zone) {
		localtime_r(&t, &tm);
		return (int)(tm.tm_gmtoff / 60);
	}
	/* Single-threaded daemon: borrow TZ for a moment. */
	if (getenv("TZ"))
		saved = strdup(getenv("TZ"));
	setenv("TZ", zone, 1);
	tzset();
	localtime_r(&t, &tm);
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else {
		unsetenv("TZ");
	}
	tzset();
	return (int)(tm.tm_gmtoff / 60);
}

int quiet_tz_offset(const char *zone, int64_t ms)
{
	/* Offsets change on a quarter hour of UTC at most: DST changes at
	 * 02:00 local are 05:30Z in St. John's (UTC-3:30) and 15:30Z on Lord
	 * Howe (UTC+10:30). A zone is asked once a quarter hour. The zone
	 * names are the tables' literals, so pointers do. */
	static struct offset_cache cache[64];
	int64_t hour = ms / 900000;
	struct offset_cache *slot = NULL;

	for (size_t i = 0; i < sizeof(cache) / sizeof(cache[0]); i++) {
		if (cache[i].used && cache[i].zone == zone) {
			if (cache[i].hour == hour)
				return cache[i].offset;
			slot = &cache[i];
			break;
		}
		if (!cache[i].used && !slot)
			slot = &cache[i];
	}
	if (!slot)
		slot = &cache[(size_t)hour % (sizeof(cache) / sizeof(cache[0]))];
	*slot = (struct offset_cache){ .zone = zone, .hour = hour,
				       .offset = quiet_zone_offset(zone, ms),
				       .used = true };
	return slot->offset;
}
