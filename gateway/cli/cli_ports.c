/* smsgw ports — the serial ports found and a driver for each
 * (doc/contract.md §6). */
#include "cli.h"
#include "cli_query.h"
#include "driver.h"
#include "ports.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

/* The JSON's fields, one row a port. */
static void cli_ports_csv(const struct ports_list *l)
{
	fputs("path,by_id,vid,pid,manufacturer,product,serial,description,"
	      "vendor,driver\r\n", stdout);
	for (size_t i = 0; i < l->n; i++) {
		const struct ports_entry *e = &l->v[i];
		char vid[8] = "", pid[8] = "";

		if (e->usb) {
			snprintf(vid, sizeof(vid), "%04x", e->vid & 0xffff);
			snprintf(pid, sizeof(pid), "%04x", e->pid & 0xffff);
		}
		cli_csv_field(e->path, stdout);
		putchar(',');
		cli_csv_field(e->by_id, stdout);
		printf(",%s,%s,", vid, pid);
		cli_csv_field(e->manufacturer, stdout);
		putchar(',');
		cli_csv_field(e->product, stdout);
		putchar(',');
		cli_csv_field(e->serial, stdout);
		putchar(',');
		cli_csv_field(e->description, stdout);
		putchar(',');
		cli_csv_field(e->vendor, stdout);
		putchar(',');
		cli_csv_field(e->driver, stdout);
		fputs("\r\n", stdout);
	}
}

/* The suggestion from the drivers' own USB ids (drivers/<vendor>/). */
static void cli_ports_usb(int vid, int pid, const char **driver,
			  const char **vendor)
{
	const struct driver *d = driver_usb_lookup(vid, pid, vendor);

	*driver = d ? d->name : NULL;
}

int cli_ports(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'v' },
		{ 0 },
	};
	struct ports_list list;
	bool json = false, csv = false;
	int c, rc;

	opterr = 0;
	while ((c = cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'v':
			csv = true;
			break;
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
	ports_suggest(&list, cli_ports_usb);
	if (csv)
		cli_ports_csv(&list);
	else
		ports_print(stdout, &list, json);
	ports_free(&list);
	return CLI_OK;
}
