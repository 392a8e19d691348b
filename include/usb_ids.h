/*
 * usb_ids — which driver suits a USB serial device, from its vendor and
 * product ids. `smsgw ports` prints the suggestion; `driver = auto` will
 * use it before asking the modem (+CGMI/+CGMM). Pure table lookup.
 */
#ifndef SMSGW_USB_IDS_H
#define SMSGW_USB_IDS_H

#include <stdbool.h>

struct usb_ids_entry {
	int vid;
	int pid;		/* -1: any product of the vendor */
	const char *vendor;	/* human name */
	const char *driver;	/* a driver name of the configuration */
};

/*
 * The most specific entry for vid:pid, or NULL when the vendor is unknown.
 * The driver is "generic" for vendors whose modems need no quirks we know
 * of, and for USB-serial converters (the modem behind them is unknown).
 */
const struct usb_ids_entry *usb_ids_lookup(int vid, int pid);
/* The suggested driver: the entry's, or "generic". */
const char *usb_ids_driver(int vid, int pid);

#endif
