/* cli — what the subcommands share; see include/cli.h. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>

int cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("smsgw: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_ERROR;
}

int cli_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("smsgw: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nsee smsgw --help\n", stderr);
	return CLI_USAGE;
}

/* Filled in with the configuration and store modules. */
struct config *cli_config(struct cli *cli)
{
	(void)cli;
	cli_error("configuration loading is not implemented yet");
	return NULL;
}

struct store *cli_store(struct cli *cli)
{
	(void)cli;
	cli_error("the database is not implemented yet");
	return NULL;
}

void cli_close(struct cli *cli)
{
	(void)cli;
}
