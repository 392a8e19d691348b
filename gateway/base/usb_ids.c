/* usb_ids — USB vendor/product to driver; see include/usb_ids.h. */
#include "usb_ids.h"

#include <stddef.h>

/*
 * Vendor ids as the Linux kernel's USB serial drivers name them:
 * drivers/usb/serial/option.c (HUAWEI_VENDOR_ID 0x12D1, ZTE_VENDOR_ID
 * 0x19d2, TELIT_VENDOR_ID 0x1bc7, QUECTEL_VENDOR_ID 0x2c7c, ALINK_VENDOR_ID
 * 0x1e0e which SIMCom uses ("SIMCOM_PRODUCT_SIM7100E 0x9001 Yes,
 * ALINK_VENDOR_ID"), CINTERION_VENDOR_ID 0x1e2d, UBLOX_VENDOR_ID 0x1546,
 * FIBOCOM_VENDOR_ID 0x2cb7, QUALCOMM_VENDOR_ID 0x05C6, LONGCHEER_VENDOR_ID
 * 0x1c9e, ALCATEL_VENDOR_ID 0x1bbb, NOVATELWIRELESS_VENDOR_ID 0x1410,
 * OPTION_VENDOR_ID 0x0AF0), drivers/usb/serial/sierra.c (0x1199), and the
 * USB-serial converters of ftdi_sio, pl2303, cp210x and ch341. Products:
 * Huawei E3372 12d1:1506 (lsusb in 4IceG/luci-app-3ginfo-lite#25), Quectel
 * EC25 2c7c:0125 (QUECTEL_PRODUCT_EC25 in option.c).
 */
static const struct usb_ids_entry usb_ids_table[] = {
	{ 0x12d1, 0x1506, "Huawei E3372", "huawei" },
	{ 0x12d1, -1, "Huawei", "huawei" },
	{ 0x19d2, -1, "ZTE", "zte" },
	{ 0x1e0e, -1, "SIMCom", "simcom" },
	{ 0x2c7c, 0x0125, "Quectel EC25", "quectel" },
	{ 0x2c7c, -1, "Quectel", "quectel" },
	{ 0x1199, -1, "Sierra Wireless", "sierra" },
	{ 0x1bc7, -1, "Telit", "telit" },
	{ 0x1546, -1, "u-blox", "ublox" },
	{ 0x1e2d, -1, "Cinterion", "cinterion" },
	{ 0x2cb7, -1, "Fibocom", "fibocom" },
	{ 0x05c6, -1, "Qualcomm", "generic" },
	{ 0x1c9e, -1, "Longcheer", "generic" },
	{ 0x1bbb, -1, "Alcatel", "generic" },
	{ 0x1410, -1, "Novatel", "generic" },
	{ 0x0af0, -1, "Option", "generic" },
	/* A modem on RS-232 (Wavecom, SIM800 boards) behind a converter. */
	{ 0x0403, -1, "FTDI USB-serial", "generic" },
	{ 0x067b, -1, "Prolific USB-serial", "generic" },
	{ 0x10c4, -1, "Silicon Labs USB-serial", "generic" },
	{ 0x1a86, -1, "WCH USB-serial", "generic" },
};

const struct usb_ids_entry *usb_ids_lookup(int vid, int pid)
{
	const struct usb_ids_entry *any = NULL;

	for (size_t i = 0; i < sizeof(usb_ids_table) / sizeof(usb_ids_table[0]);
	     i++) {
		const struct usb_ids_entry *e = &usb_ids_table[i];

		if (e->vid != vid)
			continue;
		if (e->pid == pid)
			return e;
		if (e->pid < 0 && !any)
			any = e;
	}
	return any;
}

const char *usb_ids_driver(int vid, int pid)
{
	const struct usb_ids_entry *e = usb_ids_lookup(vid, pid);

	return e ? e->driver : "generic";
}
