/*
 * Subcommands not written yet. Each one moves to its own cli_<name>.c when
 * it is implemented; this file shrinks to nothing.
 */
#include "cli.h"

#define CLI_TODO(name)                                                   \
	int cli_##name(struct cli *cli, int argc, char **argv)           \
	{                                                                \
		(void)cli;                                               \
		(void)argc;                                              \
		(void)argv;                                              \
		return cli_error("'%s' is not implemented yet", #name);  \
	}

CLI_TODO(optout)
