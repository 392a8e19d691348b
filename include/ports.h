/*
 * ports — the serial ports of this machine, for `smsgw ports`: what
 * libserialport enumerates, with the /dev/serial/by-id name udev gives a
 * USB port (stable across replugs, unlike ttyUSBn), the USB identity and a
 * suggested driver (usb_ids.h).
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
	const char *vendor;	/* from usb_ids, or NULL */
	const char *driver;	/* suggested driver name */
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
 * Finds the link in dir (normally PORTS_BY_ID_DIR) that resolves to the
 * same device as path, and writes its full name to out (size bytes).
 * Returns 0, or -ENOENT when none does (or dir does not exist).
 */
int ports_by_id(const char *path, const char *dir, char *out, size_t size);

/* Prints the list: a table for people, or with json one JSON object
 * {"ports":[...]}. An empty list prints "no serial ports found". */
void ports_print(FILE *f, const struct ports_list *l, bool json);

#endif
