/* smsgw ports — the serial ports found and a driver for each
 * (doc/contract.md §6). */
#include "cli.h"
#include "ports.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

int cli_ports(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct ports_list list;
	bool json = false;
	int c, rc;

	(void)cli;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			printf("usage: smsgw ports [--json]\n");
			return CLI_OK;
		default:
			return cli_usage("ports: unknown option '%s'",
					 argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage("ports: unexpected argument '%s'",
				 argv[optind]);
	rc = ports_scan(&list);
	if (rc < 0)
		return cli_error("ports: cannot list serial ports: %s",
				 strerror(-rc));
	ports_print(stdout, &list, json);
	ports_free(&list);
	return CLI_OK;
}
