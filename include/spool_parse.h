/*
 * spool_parse — the spool file format (doc/contract.md §4, README "Spool
 * files"):
 * header lines, one blank line, the body, and optionally a CSV recipients
 * section. Pure: no I/O, no logging, no globals; it allocates.
 *
 * The parser is fed bytes, in chunks of any size, and reads the file twice
 * so that a file with 100,000 recipients never has to be in memory:
 *
 *	p = spool_parse_new(&rules);
 *	while ((n = read(fd, buf, sizeof(buf))) > 0)      pass 1: checks
 *		if (!spool_parse_feed(p, buf, n)) break;     everything, keeps
 *	if (!spool_parse_finish(p)) reject(spool_parse_error(p));  the headers
 *	msg = spool_parse_message(p);                      and the body
 *	... check msg->id, open a transaction ...
 *	spool_parse_rewind(p, add_recipient, ctx);         pass 2: the same
 *	lseek(fd, 0, SEEK_SET); feed it all again;         bytes again; one
 *	if (!spool_parse_finish(p)) roll back;             callback a recipient
 *
 * Pass 1 finds every error a file can have, so a file that passes it is
 * accepted whole; pass 2 only fails when the callback says so or the file
 * changed in between. spool_file.h does the reading for a file descriptor.
 *
 * Memory: the body (bounded by max_body), one line (max_line), and eight
 * to sixteen bytes a recipient for removing duplicates.
 */
#ifndef SMSGW_SPOOL_PARSE_H
#define SMSGW_SPOOL_PARSE_H

#include "number.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;

/* Defaults of struct spool_rules. */
#define SPOOL_MAX_LINE 8192		/* bytes in a header or CSV line */
#define SPOOL_MAX_HEADERS 64		/* header lines other than To: */
#define SPOOL_MAX_RECIPIENTS 1000000	/* unique and duplicate */
#define SPOOL_MAX_FIELDS 32		/* personalisation fields */
#define SPOOL_MAX_TEXT 128		/* bytes in Campaign:, Id:, Pool:… */

struct spool_rules {
	struct number_rules numbers;
	/* When set, Pool: and SIM: names are checked against it (SIM: by
	 * ICCID or number is only checked for form: SIMs are found at run
	 * time). Borrowed; must outlive the parser. */
	const struct config *cfg;
	size_t max_line;
	size_t max_headers;
	size_t max_recipients;
	size_t max_body;	/* bytes of body, before and after conversion */
	/* smsgw.conf strict_headers: refuse unknown headers and booleans
	 * that are not yes/no/true/false/on/off/1/0, as before smstools3's
	 * rules were followed. Off: both are read as smsd reads them. */
	bool strict_headers;
};

/* Defaults, and the numbers, pools and body size (max_parts) of cfg when
 * it is not NULL. */
void spool_rules_init(struct spool_rules *r, const struct config *cfg);

enum spool_kind {
	SPOOL_KIND_DIRECT,
	SPOOL_KIND_BULK,
};

enum spool_priority {
	SPOOL_PRIORITY_LOW,
	SPOOL_PRIORITY_NORMAL,
	SPOOL_PRIORITY_HIGH,
};

/* What the body was written in (smstools3's Alphabet:). */
enum spool_alphabet {
	SPOOL_ALPHABET_ISO,	/* default: UTF-8 if valid, else ISO-8859-15 */
	SPOOL_ALPHABET_UTF8,
	SPOOL_ALPHABET_UCS2,	/* raw UCS-2 big-endian */
};

enum spool_sim_kind {
	SPOOL_SIM_NONE,
	SPOOL_SIM_NAME,		/* "m1/1": modem name and slot */
	SPOOL_SIM_ICCID,	/* 18–22 digits */
	SPOOL_SIM_NUMBER,	/* the SIM's own number, E.164 */
};

/* What pass 1 found. Strings are owned by the parser; NULL when absent. */
struct spool_message {
	enum spool_kind kind;	/* Kind:, else direct for one recipient */
	bool kind_given;
	enum spool_priority priority;
	const char *campaign;
	bool has_send_at;
	int64_t send_at_ms;	/* Send-At:, ms since the epoch (UTC) */
	int report;		/* Report: 1 yes, 0 no, -1 absent */
	bool flash;		/* Flash: yes, or smstools3 Class: 0 */
	int validity_minutes;	/* Validity:, -1 absent */
	const char *pool;	/* Pool: (or smstools3 Queue:/Provider:) */
	const char *sim;	/* SIM:, normalised: "m1/1", ICCID, E.164 */
	enum spool_sim_kind sim_kind;
	const char *id;		/* Id: the idempotency key */
	int retries;		/* smstools3 Retries:, -1 absent */
	int language;		/* smstools3 Language: 1–3 (TS 23.038
				   §6.2.1.2.4) we can shift to, else 0 */
	enum spool_alphabet alphabet;
	bool force_ucs2;	/* Alphabet: UCS2: send as UCS-2 */
	bool from_latin9;	/* the body was converted from ISO-8859-15 */
	/* smstools3 headers that go into the PDU (TS 23.040 §9.2.3). */
	int autosplit;		/* Autosplit: 0–3, -1 absent. 0: one part
				   only; 1: parts without concatenation
				   headers; 2, 3: concatenated */
	const char *smsc;	/* SMSC: "+" and digits: the PDU's SCA */
	const char *from;	/* From: as written (recorded, not sent) */
	int msg_class;		/* Class: 0–3 (TP-DCS), -1 absent */
	bool reject_duplicates;	/* Reject_duplicates: TP-RD */
	bool reply_path;	/* Reply_path: TP-RP */
	int replace;		/* Replace: 1–7 (TP-PID 0x41–0x47), 0 none */
	/* For the accept event, "" when nothing: the unknown headers that
	 * were ignored ("Subject, Date"), and what was accepted without
	 * being honoured ("Message_reference (the modem numbers
	 * messages)"). */
	char ignored[256];
	char not_honoured[256];
	/* The body, UTF-8, NUL-terminated, trailing line breaks removed,
	 * smstools3 macros applied; a template when personalised. */
	const char *body;
	size_t body_len;
	bool personalised;	/* the body has {{placeholders}} */
	size_t body_len_max;	/* longest body a recipient can get */
	bool csv;		/* Recipients: csv */
	size_t recipients;	/* unique recipients */
	size_t duplicates;	/* recipients dropped as repeats */
	/* FNV-1a 64 of every byte of the file, in hex: with the name, it
	 * tells a file already accepted from a new one. Not proof against a
	 * writer crafting collisions; the spool directory trusts its
	 * writers that far. */
	char hash[17];
};

/* Why a file was refused; the category is what scripts and tests match. */
enum spool_error_code {
	SPOOL_ERROR_NONE,
	SPOOL_ERROR_SYNTAX,		/* not a header line, no blank line */
	SPOOL_ERROR_UNKNOWN_HEADER,
	SPOOL_ERROR_DUPLICATE_HEADER,
	SPOOL_ERROR_VALUE,		/* a header value we cannot use */
	SPOOL_ERROR_UNSUPPORTED,	/* a smstools3 feature we do not do */
	SPOOL_ERROR_RECIPIENT,		/* an invalid number */
	SPOOL_ERROR_NO_RECIPIENT,
	SPOOL_ERROR_ENCODING,		/* bad UTF-8 or UCS-2, NUL, controls */
	SPOOL_ERROR_LIMIT,		/* too long, too many */
	SPOOL_ERROR_PLACEHOLDER,	/* a {{field}} without a value */
	SPOOL_ERROR_CSV,
	SPOOL_ERROR_FILE,		/* not a regular file, links, size */
	SPOOL_ERROR_NAME,		/* a file name the daemon refuses */
	SPOOL_ERROR_CHANGED,		/* pass 2 read other bytes */
	SPOOL_ERROR_ABORTED,		/* the recipient callback said stop */
	SPOOL_ERROR_NOMEM,
};

struct spool_error {
	enum spool_error_code code;
	unsigned line;		/* 1-based; 0 when no line applies */
	char header[24];	/* "To", "Priority"…, or "" */
	char text[200];		/* the reason, printable, one line */
};

/* "syntax", "unknown-header", "duplicate-header", "value", "unsupported",
 * "recipient", "no-recipient", "encoding", "limit", "placeholder", "csv",
 * "file", "name", "changed", "aborted", "nomem". */
const char *spool_error_code_name(enum spool_error_code c);

/* "line 3: Priority: 'urgent' is not high, normal or low", or the text
 * alone when no line applies. */
void spool_error_format(const struct spool_error *e, char *buf, size_t size);

/* One recipient of pass 2. Everything is borrowed for the callback. */
struct spool_recipient {
	const char *number;	/* "+491721234567", or a short code's digits */
	enum number_kind kind;
	const char *body;	/* this recipient's text: UTF-8, NUL-ended */
	size_t body_len;
	unsigned line;		/* the To: or CSV line it came from */
	size_t index;		/* 0 for the first unique recipient */
};

/* Returns false to stop pass 2 (spool_parse_feed() then fails with
 * SPOOL_ERROR_ABORTED). */
typedef bool (*spool_recipient_fn)(const struct spool_recipient *r, void *ud);

struct spool_parser;

/* A parser for one file; rules are copied. NULL when memory runs out. */
struct spool_parser *spool_parse_new(const struct spool_rules *rules);
void spool_parse_free(struct spool_parser *p);

/* Feeds the next len bytes. Returns false once the file is refused; the
 * parser then ignores further input. */
bool spool_parse_feed(struct spool_parser *p, const void *data, size_t len);

/* End of the file. Returns true when the pass accepted it. */
bool spool_parse_finish(struct spool_parser *p);

/* The result of pass 1; valid after it finished with true. */
const struct spool_message *spool_parse_message(const struct spool_parser *p);

/* Why the file was refused (code SPOOL_ERROR_NONE while it was not). */
const struct spool_error *spool_parse_error(const struct spool_parser *p);

/* For readers: refuses the file for a reason found outside the parser
 * (it grew past the size limit while being read). */
void spool_parse_refuse(struct spool_parser *p, enum spool_error_code code,
			const char *text);

/*
 * Starts pass 2 after a pass 1 that finished with true: feed the same
 * bytes again and fn is called once for every unique recipient, in file
 * order, with its rendered body. Returns false when pass 1 did not accept
 * the file. A pass 2 that finished may be started again.
 */
bool spool_parse_rewind(struct spool_parser *p, spool_recipient_fn fn,
			void *ud);

/*
 * The whole of a file held in memory, both passes: for the CLI and tests.
 * fn may be NULL. Returns true, or false with *err filled in. On true, the
 * parser is returned in *out (for spool_parse_message()) when out is not
 * NULL, else freed.
 */
bool spool_parse_buffer(const struct spool_rules *rules, const void *data,
			size_t len, spool_recipient_fn fn, void *ud,
			struct spool_parser **out, struct spool_error *err);

#endif
