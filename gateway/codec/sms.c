/*
 * sms — names, time stamps and options of the codec's public face; the
 * decoder is in sms_decode.c and the encoders in sms_encode.c.
 */
#include "sms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdu.h"

const char *sms_encoding_name(enum sms_encoding e)
{
	switch (e) {
	case SMS_ENCODING_GSM7:
		return "gsm7";
	case SMS_ENCODING_8BIT:
		return "8bit";
	case SMS_ENCODING_UCS2:
		return "ucs2";
	}
	return "unknown";
}

const char *sms_addr_type_name(enum sms_addr_type t)
{
	switch (t) {
	case SMS_ADDR_INTERNATIONAL:
		return "international";
	case SMS_ADDR_NATIONAL:
		return "national";
	case SMS_ADDR_ALPHANUMERIC:
		return "alphanumeric";
	case SMS_ADDR_OTHER:
		break;
	}
	return "other";
}

const char *sms_language_name(enum sms_language l)
{
	switch (l) {
	case SMS_LANGUAGE_AUTO:
		return "auto";
	case SMS_LANGUAGE_NONE:
		return "none";
	case SMS_LANGUAGE_TURKISH:
		return "turkish";
	case SMS_LANGUAGE_SPANISH:
		return "spanish";
	case SMS_LANGUAGE_PORTUGUESE:
		return "portuguese";
	}
	return "other";
}

void sms_time_format(const struct sms_time *t, char *buf, size_t size)
{
	int tz = t->tz_minutes < 0 ? -t->tz_minutes : t->tz_minutes;

	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
		 t->year, t->month, t->day, t->hour, t->minute, t->second,
		 t->tz_minutes < 0 ? '-' : '+', tz / 60 % 100, tz % 60);
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t sms_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t sms_time_to_unix(const struct sms_time *t)
{
	int64_t days = sms_days_from_civil(t->year, t->month, t->day);

	return days * 86400 + t->hour * 3600 + t->minute * 60 + t->second -
	       (int64_t)t->tz_minutes * 60;
}

enum sms_status_class sms_status_classify(uint8_t status)
{
	/* TS 23.040 §9.2.3.15; 0x80-0xFF are reserved: treat as failure,
	 * since the SC says it is no longer trying. */
	if (status <= 0x1f)
		return SMS_STATUS_DELIVERED;
	if (status <= 0x3f)
		return SMS_STATUS_PENDING;
	return SMS_STATUS_FAILED;
}

void sms_encode_opts_init(struct sms_encode_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->language = SMS_LANGUAGE_NONE;
	o->validity_minutes = -1;
	o->msg_class = -1;
}

bool sms_validity_parse(const char *s, int *minutes)
{
	char *end;
	long v, unit = 1;

	if (!s || s[0] < '0' || s[0] > '9')
		return false;
	v = strtol(s, &end, 10);
	if (end == s || v < 1 || v > PDU_VP_MAX_MINUTES)
		return false;
	switch (*end) {
	case '\0':
	case 'm':
		break;
	case 'h':
		unit = 60;
		break;
	case 'd':
		unit = 24 * 60;
		break;
	case 'w':
		unit = 7 * 24 * 60;
		break;
	default:
		return false;
	}
	if (*end && end[1])
		return false;
	if (v > PDU_VP_MAX_MINUTES / unit)
		return false;
	*minutes = v * unit;
	return true;
}
