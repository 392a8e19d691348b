/*
 * cli_send — what the two files of `smsgw send` share: cli_send.c reads the
 * options and writes the spool file, cli_send_show.c parses a file as the
 * daemon will and shows what it found (--dry-run, --check).
 */
#ifndef SMSGW_CLI_SEND_H
#define SMSGW_CLI_SEND_H

#include "sms.h"
#include "spool_parse.h"

#include <stdbool.h>
#include <stddef.h>

struct config;

/* Numbers shown by --dry-run and --check; the count is always given. */
#define CLI_SEND_SHOW_MAX 100

/* What a parse of a spool file gave, for showing. */
struct cli_send_show {
	const struct config *cfg;
	bool json;
	bool personalised;
	struct sms_encode_opts opts;	/* as the daemon will encode */
	char numbers[CLI_SEND_SHOW_MAX][NUMBER_MAX];
	size_t nnumbers;
	/* The codec's view of the body; for a personalised one, of the
	 * recipient needing the most parts. */
	struct sms_preview preview;
	bool have_preview;
	unsigned worst_line;	/* the recipient line that needs the most */
	char preview_err[160];	/* the codec refused a body */
	unsigned err_line;
};

/*
 * The recipient callback for spool_parse_*: keeps the first numbers and
 * previews bodies; ud is a struct cli_send_show, with cfg and json set and
 * the rest zeroed. m is the result of pass 1.
 */
bool cli_send_show_rcpt(const struct spool_recipient *r, void *ud);
void cli_send_show_begin(struct cli_send_show *s, const struct config *cfg,
			 bool json, const struct spool_message *m);

/*
 * Whether the bodies fit: the codec took them and none needs more than
 * max_parts. Otherwise fills e with why (category "limit" or "encoding").
 */
bool cli_send_show_fits(const struct cli_send_show *s, struct spool_error *e);

/* Prints the message: text for people, or one JSON object. file is the
 * spool file written or checked, NULL for a dry run. */
void cli_send_show_print(const struct cli_send_show *s,
			 const struct spool_message *m, const char *file,
			 bool dry_run);

/* Prints a refused file: one line on stderr, or a JSON object on stdout. */
void cli_send_show_refused(const char *file, const struct spool_error *e,
			   bool json);

#endif
