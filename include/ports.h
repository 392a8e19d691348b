/*
 * ports — the serial ports of this machine, for `smsgw ports`: what
 * libserialport enumerates, with the /dev/serial/by-id name udev gives a
 * USB port (stable across replugs, unlike ttyUSBn), the USB identity and a
 * suggested driver. The suggestion comes from the drivers' own USB ids
 * (driver_usb_lookup()), which this layer may not call: ports_suggest()
 * takes it as a function from the layer above.
 */
#ifndef SMSGW_PORTS_H
#define SMSGW_PORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define PORTS_BY_ID_DIR "/dev/serial/by-id"

struct ports_entry {
	char path[64];		/* /dev/ttyUSB2 */
	char by_id[320];	/* /dev/serial/by-id/usb-...-port0, or "" */
	bool usb;
	int vid, pid;		/* when usb */
	char manufacturer[128];	/* "" when unknown */
	char product[128];
	char serial[128];
	char description[128];
	const char *vendor;	/* the driver table's name of the id, or NULL */
	const char *driver;	/* suggested driver name, NULL until
				 * ports_suggest() */
};

/* Owns its entries; release with ports_free(). */
struct ports_list {
	struct ports_entry *v;
	size_t n;
};

/* Enumerates the ports, sorted by path. Returns 0 (also with no port) or
 * -errno. */
int ports_scan(struct ports_list *out);
void ports_free(struct ports_list *l);

/*
 * What the caller knows of a USB id: the driver's name and the device's
 * (NULL, NULL when nothing). The drivers layer answers (driver_usb_lookup)
 * but sits above this one, so the caller passes it in.
 */
typedef void (*ports_usb_fn)(int vid, int pid, const char **driver,
			     const char **vendor);

/* Sets each entry's driver and vendor by fn; an entry fn knows nothing
 * of (or not USB) gets driver "generic". */
void ports_suggest(struct ports_list *l, ports_usb_fn fn);

/*
 * Finds the link in dir (normally PORTS_BY_ID_DIR) that resolves to the
 * same device as path, and writes its full name to out (size bytes).
 * Returns 0, or -ENOENT when none does (or dir does not exist).
 */
int ports_by_id(const char *path, const char *dir, char *out, size_t size);

/* Prints the list: a table for people, or with json one JSON object
 * {"ports":[...]}. An empty list prints "no serial ports found". */
void ports_print(FILE *f, const struct ports_list *l, bool json);

#endif
