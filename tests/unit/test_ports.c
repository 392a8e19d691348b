/* `smsgw ports`: driver suggestions, by-id names, table and JSON output. */
#include "harness.h"
#include "driver.h"
#include "ports.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* The suggestion comes from the drivers' own USB ids (drivers/<vendor>/),
 * the only table of them, passed in as the cli passes it. */
static void usb_fn(int vid, int pid, const char **driver, const char **vendor)
{
	const struct driver *d = driver_usb_lookup(vid, pid, vendor);

	*driver = d ? d->name : NULL;
}

static const char *suggest(int vid, int pid, const char **vendor)
{
	static struct ports_entry e;
	struct ports_list l = { .v = &e, .n = 1 };

	memset(&e, 0, sizeof(e));
	e.usb = vid != 0;
	e.vid = vid;
	e.pid = pid;
	ports_suggest(&l, usb_fn);
	if (vendor)
		*vendor = e.vendor;
	return e.driver;
}

TEST(ports_usb_ids_suggest_drivers)
{
	static const struct {
		int vid, pid;
		const char *driver;
	} t[] = {
		{ 0x12d1, 0x1506, "huawei" }, { 0x12d1, 0x1001, "huawei" },
		{ 0x19d2, 0x0031, "zte" },    { 0x1e0e, 0x9001, "simcom" },
		{ 0x2c7c, 0x0125, "quectel" }, { 0x2c7c, 0x6026, "quectel" },
		{ 0x1199, 0x68c0, "sierra" }, { 0x1bc7, 0x1201, "telit" },
		{ 0x1546, 0x1141, "ublox" },  { 0x05c6, 0x9025, "generic" },
		{ 0x1e2d, 0x0058, "cinterion" }, { 0x2cb7, 0x0007, "fibocom" },
		{ 0x0403, 0x6001, "generic" }, { 0xdead, 0xbeef, "generic" },
		{ 0, 0, "generic" },
	};
	const char *vendor;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!CHECK_STR(suggest(t[i].vid, t[i].pid, NULL), t[i].driver))
			printf("# %04x:%04x\n", t[i].vid, t[i].pid);
	suggest(0x12d1, 0x1506, &vendor);
	CHECK_STR(vendor, "Huawei E3372");
	suggest(0x12d1, 0x1436, &vendor);
	CHECK_STR(vendor, "Huawei");
	suggest(0x0403, 0x6001, &vendor);
	CHECK_STR(vendor, "FTDI USB-serial");
	suggest(0xdead, 0xbeef, &vendor);
	CHECK(vendor == NULL);
	CHECK(driver_usb_lookup(0xdead, 0xbeef, NULL) == NULL);
}

/* Every USB id is declared once: two drivers claiming one id would make
 * the choice depend on the table's order. */
TEST(ports_usb_ids_declared_once)
{
	for (size_t i = 0; driver_table[i]; i++)
		for (const struct driver_usb *u = driver_table[i]->usb;
		     u && u->vid; u++) {
			const char *name = NULL;

			CHECK(u->name != NULL);
			if (!CHECK(driver_usb_lookup(u->vid, u->pid, &name) ==
				   driver_table[i]))
				printf("# %04x:%04x of %s\n", u->vid, u->pid,
				       driver_table[i]->name);
		}
}

TEST(ports_by_id_finds_the_link)
{
	const char *dir = harness_tmpdir();
	char dev[512], byid[512], link[700], out[700];

	/* A stand-in for /dev/ttyUSB2 and udev's by-id links to it. */
	snprintf(dev, sizeof(dev), "%s/ttyUSB2", dir);
	close(open(dev, O_CREAT | O_WRONLY, 0644));
	snprintf(byid, sizeof(byid), "%s/by-id", dir);
	CHECK_INT(mkdir(byid, 0755), 0);
	snprintf(link, sizeof(link),
		 "%s/usb-HUAWEI_MOBILE_HUAWEI_MOBILE-if02-port0", byid);
	CHECK_INT(symlink("../ttyUSB2", link), 0);
	snprintf(link, sizeof(link), "%s/usb-Other-if00-port0", byid);
	CHECK_INT(symlink("/nonexistent", link), 0);
	CHECK_INT(ports_by_id(dev, byid, out, sizeof(out)), 0);
	CHECK(strstr(out, "/by-id/usb-HUAWEI_MOBILE_HUAWEI_MOBILE-if02-port0")
	      != NULL);
	CHECK_INT(ports_by_id(dev, byid, out, 8), -ENOENT);
	snprintf(link, sizeof(link), "%s/nothing", dir);
	CHECK_INT(ports_by_id(dev, link, out, sizeof(out)), -ENOENT);
	CHECK_INT(ports_by_id(link, byid, out, sizeof(out)), -ENOENT);
}

static char *print(const struct ports_list *l, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ports_print(f, l, json);
	fclose(f);
	return buf;
}

TEST(ports_print_table_and_json)
{
	struct ports_entry e[2] = {
		{ .path = "/dev/ttyUSB2",
		  .by_id = "/dev/serial/by-id/"
			   "usb-HUAWEI_MOBILE_HUAWEI_MOBILE-if02-port0",
		  .usb = true, .vid = 0x12d1, .pid = 0x1506,
		  .manufacturer = "HUAWEI_MOBILE", .product = "HUAWEI_MOBILE",
		  .description = "HUAWEI_MOBILE", .vendor = "Huawei E3372",
		  .driver = "huawei" },
		{ .path = "/dev/ttyS0", .description = "ttyS0",
		  .driver = "generic" },
	};
	struct ports_list l = { .v = e, .n = 2 }, none = { 0 };
	char *out;

	out = print(&l, false);
	CHECK_STR(out,
		  "PATH          USB        DRIVER   MANUFACTURER   "
		  "PRODUCT        SERIAL  BY-ID\n"
		  "/dev/ttyUSB2  12d1:1506  huawei   HUAWEI_MOBILE  "
		  "HUAWEI_MOBILE  -       "
		  "usb-HUAWEI_MOBILE_HUAWEI_MOBILE-if02-port0\n"
		  "/dev/ttyS0    -          generic  -              "
		  "-              -       -\n");
	free(out);
	out = print(&l, true);
	CHECK_STR(out,
		  "{\"ports\":[{\"path\":\"/dev/ttyUSB2\","
		  "\"by_id\":\"/dev/serial/by-id/"
		  "usb-HUAWEI_MOBILE_HUAWEI_MOBILE-if02-port0\","
		  "\"usb\":{\"vid\":\"12d1\",\"pid\":\"1506\"},"
		  "\"manufacturer\":\"HUAWEI_MOBILE\","
		  "\"product\":\"HUAWEI_MOBILE\",\"serial\":null,"
		  "\"description\":\"HUAWEI_MOBILE\","
		  "\"vendor\":\"Huawei E3372\",\"driver\":\"huawei\"},"
		  "{\"path\":\"/dev/ttyS0\",\"by_id\":null,\"usb\":null,"
		  "\"manufacturer\":null,\"product\":null,\"serial\":null,"
		  "\"description\":\"ttyS0\",\"vendor\":null,"
		  "\"driver\":\"generic\"}]}\n");
	free(out);
	out = print(&none, false);
	CHECK_STR(out, "no serial ports found\n");
	free(out);
	out = print(&none, true);
	CHECK_STR(out, "{\"ports\":[]}\n");
	free(out);
}

TEST(ports_scan_lists_this_machine)
{
	struct ports_list l;

	/* Whatever this machine has, the scan succeeds and names ttys. */
	CHECK_INT(ports_scan(&l), 0);
	ports_suggest(&l, usb_fn);
	for (size_t i = 0; i < l.n; i++) {
		CHECK(strncmp(l.v[i].path, "/dev/", 5) == 0);
		CHECK(l.v[i].driver != NULL);
		if (i)
			CHECK(strcmp(l.v[i - 1].path, l.v[i].path) < 0);
	}
	ports_free(&l);
	CHECK(l.v == NULL && l.n == 0);
}
