/*
 * spool_header — the header names a spool file may use and the parsers of
 * their values, shared by the spool parser and `smsgw send`. Pure.
 *
 * Names are case-insensitive and '_' equals '-' (smstools3 writes
 * "Reply_path", "UDH-DATA"). Every value parser returns false with a
 * reason in err that does not repeat the header name.
 */
#ifndef SMSGW_SPOOL_HEADER_H
#define SMSGW_SPOOL_HEADER_H

#include "spool_parse.h"

#include <stdbool.h>
#include <stddef.h>

struct config;

enum spool_header_id {
	SPOOL_HEADER_TO,
	SPOOL_HEADER_KIND,
	SPOOL_HEADER_CAMPAIGN,
	SPOOL_HEADER_PRIORITY,
	SPOOL_HEADER_SEND_AT,
	SPOOL_HEADER_REPORT,
	SPOOL_HEADER_FLASH,
	SPOOL_HEADER_VALIDITY,
	SPOOL_HEADER_POOL,
	SPOOL_HEADER_SIM,
	SPOOL_HEADER_ID,
	SPOOL_HEADER_ALPHABET,
	SPOOL_HEADER_RECIPIENTS,
	SPOOL_HEADER_MACRO,
	SPOOL_HEADER_RETRIES,
	SPOOL_HEADER_LANGUAGE,
	SPOOL_HEADER_CLASS,
	SPOOL_HEADER_TO_TOA,
	SPOOL_HEADER_AUTOSPLIT,
	SPOOL_HEADER_SMSC,
	SPOOL_HEADER_FROM,
	SPOOL_HEADER_REJECT_DUPLICATES,
	SPOOL_HEADER_REPLY_PATH,
	SPOOL_HEADER_REPLACE,
	/* smstools3 headers we accept and cannot honour: the accept event
	 * names them with their why. */
	SPOOL_HEADER_NOT_HONOURED,
	/* smstools3 switches we accept only when off ("Hex: no"). */
	SPOOL_HEADER_OFF_ONLY,
	/* smstools3 features we refuse whatever their value. */
	SPOOL_HEADER_UNSUPPORTED,
	/* smstools3 headers that change nothing here; see README. */
	SPOOL_HEADER_IGNORED,
};

struct spool_header_def {
	const char *name;		/* as the README spells it */
	enum spool_header_id id;
	unsigned char slot;		/* aliases share one: duplicates */
	bool repeatable;
	const char *why;		/* for OFF_ONLY and UNSUPPORTED */
};

/* Number of slots: bounds an array indexed by spool_header_def.slot. */
#define SPOOL_HEADER_SLOTS 64

/* The definition of the header called name (len bytes), or NULL. */
const struct spool_header_def *spool_header_find(const char *name, size_t len);

/* yes/no, true/false, on/off, 1/0 (smstools3's booleans), any case. */
bool spool_header_bool(const char *v, bool *out);

/*
 * A boolean as smsd 3.1.21 reads it (yesno() in its extras.c): yes when
 * the value starts with 1, y, t, or "on" (any case); anything else,
 * an empty value included, is no. Returns whether the value was one of
 * the words spool_header_bool() knows, so a caller can say "'maybe'
 * read as no".
 */
bool spool_header_bool_smstools(const char *v, bool *out);

/* smstools3 SMSC: spaces dropped, "00" or "+" then 3–20 digits; the
 * international form goes to out ("+" and digits). */
bool spool_header_smsc(const char *v, char *out, size_t outsize, char *err,
		       size_t errsize);
bool spool_header_kind(const char *v, enum spool_kind *out, char *err,
		       size_t errsize);
bool spool_header_priority(const char *v, enum spool_priority *out,
			   char *err, size_t errsize);

/*
 * "30m", "12h", "1d", "2w", "3 days", "1 month", "1y" (smstools3's min,
 * hour, day, week, month, year), or a bare 0–255: smstools3's relative
 * TP-VP code (TS 23.040 §9.2.3.12.1). Minutes from 1 up to 63 weeks, the
 * longest relative validity.
 */
bool spool_header_validity(const char *v, int *minutes, char *err,
			   size_t errsize);

/*
 * smstools3 reads only the first three letters: ISO, Lat(in), Ans(i) and
 * an empty value are ISO; UTF is UTF-8; UCS, Chi(nese), Uni(code) are
 * UCS-2. GSM and binary are refused (SPOOL_ERROR_UNSUPPORTED: *unsupported
 * is set) and anything else is a bad value.
 */
bool spool_header_alphabet(const char *v, enum spool_alphabet *out,
			   bool *unsupported, char *err, size_t errsize);

/* 0–13 or a name (smstools3 Language:); returns the identifier. */
bool spool_header_language(const char *v, int *out, char *err,
			   size_t errsize);

/* Campaign:, Id:, pool names: 1 to SPOOL_MAX_TEXT bytes. */
bool spool_header_text(const char *v, char *err, size_t errsize);

/* A pool name, checked against cfg's pools when cfg is not NULL. */
bool spool_header_pool(const char *v, const struct config *cfg, char *err,
		       size_t errsize);

/*
 * SIM: a modem/slot name ("m1/1", or "m1" when that modem has one SIM),
 * an ICCID (18–22 digits, maybe ending in F) or the SIM's own number.
 * Names are checked against cfg when it is not NULL. The normalised form
 * goes to out (SPOOL_MAX_TEXT + 1 bytes).
 */
bool spool_header_sim(const char *v, const struct config *cfg,
		      const struct number_rules *numbers, char *out,
		      size_t outsize, enum spool_sim_kind *kind, char *err,
		      size_t errsize);

#endif
