/* ports — serial port inventory; see include/ports.h. */
#include "ports.h"

#include "json.h"

#include <dirent.h>
#include <errno.h>
#include <libserialport.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static void ports_copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

int ports_by_id(const char *path, const char *dir, char *out, size_t size)
{
	char want[PATH_MAX], got[PATH_MAX], link[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int rc = -ENOENT;

	if (!realpath(path, want))
		return -errno;
	d = opendir(dir);
	if (!d)
		return -ENOENT;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(link, sizeof(link), "%s/%s", dir, de->d_name) >=
			    (int)sizeof(link) ||
		    !realpath(link, got) || strcmp(got, want) != 0)
			continue;
		if (strlen(link) >= size)
			continue;
		/* Several links can name one port; take the first in
		 * name order so the output is stable. */
		if (rc == 0 && strcmp(link, out) >= 0)
			continue;
		strcpy(out, link);
		rc = 0;
	}
	closedir(d);
	return rc;
}

static void ports_fill(struct ports_entry *e, struct sp_port *p)
{
	int vid, pid;

	memset(e, 0, sizeof(*e));
	ports_copy(e->path, sizeof(e->path), sp_get_port_name(p));
	ports_copy(e->description, sizeof(e->description),
		   sp_get_port_description(p));
	if (sp_get_port_transport(p) == SP_TRANSPORT_USB &&
	    sp_get_port_usb_vid_pid(p, &vid, &pid) == SP_OK) {
		e->usb = true;
		e->vid = vid;
		e->pid = pid;
		ports_copy(e->manufacturer, sizeof(e->manufacturer),
			   sp_get_port_usb_manufacturer(p));
		ports_copy(e->product, sizeof(e->product),
			   sp_get_port_usb_product(p));
		ports_copy(e->serial, sizeof(e->serial),
			   sp_get_port_usb_serial(p));
	}
	if (ports_by_id(e->path, PORTS_BY_ID_DIR, e->by_id,
			sizeof(e->by_id)) < 0)
		e->by_id[0] = '\0';
}

void ports_suggest(struct ports_list *l, ports_usb_fn fn)
{
	for (size_t i = 0; i < l->n; i++) {
		struct ports_entry *e = &l->v[i];

		e->driver = e->vendor = NULL;
		if (e->usb && fn)
			fn(e->vid, e->pid, &e->driver, &e->vendor);
		if (!e->driver)
			e->driver = "generic";
	}
}

static int ports_cmp(const void *a, const void *b)
{
	const struct ports_entry *x = a, *y = b;

	return strcmp(x->path, y->path);
}

int ports_scan(struct ports_list *out)
{
	struct sp_port **list = NULL;
	size_t n = 0;

	out->v = NULL;
	out->n = 0;
	if (sp_list_ports(&list) != SP_OK)
		return -EIO;
	while (list && list[n])
		n++;
	if (n) {
		out->v = calloc(n, sizeof(*out->v));
		if (!out->v) {
			sp_free_port_list(list);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < n; i++)
		ports_fill(&out->v[i], list[i]);
	out->n = n;
	sp_free_port_list(list);
	qsort(out->v, out->n, sizeof(*out->v), ports_cmp);
	return 0;
}

void ports_free(struct ports_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void ports_json_field(FILE *f, bool *first, const char *key,
			     const char *val)
{
	json_key(f, first, key);
	json_str(f, val && *val ? val : NULL);
}

static void ports_print_json(FILE *f, const struct ports_list *l)
{
	fputs("{\"ports\":[", f);
	for (size_t i = 0; i < l->n; i++) {
		const struct ports_entry *e = &l->v[i];
		bool first = true;
		char id[8];

		fputs(i ? ",{" : "{", f);
		ports_json_field(f, &first, "path", e->path);
		ports_json_field(f, &first, "by_id", e->by_id);
		json_key(f, &first, "usb");
		if (e->usb) {
			bool ufirst = true;

			fputc('{', f);
			snprintf(id, sizeof(id), "%04x", e->vid & 0xffff);
			ports_json_field(f, &ufirst, "vid", id);
			snprintf(id, sizeof(id), "%04x", e->pid & 0xffff);
			ports_json_field(f, &ufirst, "pid", id);
			fputc('}', f);
		} else {
			fputs("null", f);
		}
		ports_json_field(f, &first, "manufacturer", e->manufacturer);
		ports_json_field(f, &first, "product", e->product);
		ports_json_field(f, &first, "serial", e->serial);
		ports_json_field(f, &first, "description", e->description);
		ports_json_field(f, &first, "vendor", e->vendor);
		ports_json_field(f, &first, "driver", e->driver);
		fputc('}', f);
	}
	fputs("]}\n", f);
}

/* Column text: "-" for an empty value, the by-id link without its dir. */
static const char *ports_cell(const struct ports_entry *e, int col,
			      char *buf, size_t size)
{
	const char *v = "";

	switch (col) {
	case 0: v = e->path; break;
	case 1:
		if (e->usb)
			snprintf(buf, size, "%04x:%04x", e->vid & 0xffff,
				 e->pid & 0xffff);
		v = e->usb ? buf : "";
		break;
	case 2: v = e->driver; break;
	case 3: v = e->manufacturer; break;
	case 4: v = e->product; break;
	case 5: v = e->serial; break;
	case 6:
		v = strrchr(e->by_id, '/') ? strrchr(e->by_id, '/') + 1
					   : e->by_id;
		break;
	}
	return v && *v ? v : "-";
}

#define PORTS_COLS 7

void ports_print(FILE *f, const struct ports_list *l, bool json)
{
	static const char *const head[PORTS_COLS] = {
		"PATH", "USB", "DRIVER", "MANUFACTURER", "PRODUCT", "SERIAL",
		"BY-ID",
	};
	int width[PORTS_COLS];
	char buf[16];

	if (json) {
		ports_print_json(f, l);
		return;
	}
	if (!l->n) {
		fputs("no serial ports found\n", f);
		return;
	}
	for (int c = 0; c < PORTS_COLS; c++) {
		width[c] = (int)strlen(head[c]);
		for (size_t i = 0; i < l->n; i++) {
			int w = (int)strlen(ports_cell(&l->v[i], c, buf,
						       sizeof(buf)));

			width[c] = w > width[c] ? w : width[c];
		}
	}
	for (size_t i = 0; i <= l->n; i++) {
		for (int c = 0; c < PORTS_COLS; c++) {
			const char *v = i ? ports_cell(&l->v[i - 1], c, buf,
						       sizeof(buf))
					  : head[c];

			if (c == PORTS_COLS - 1)
				fprintf(f, "%s\n", v);
			else
				fprintf(f, "%-*s  ", width[c], v);
		}
	}
}
