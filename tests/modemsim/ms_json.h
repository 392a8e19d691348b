/*
 * ms_json — a small JSON reader for the control socket: one document in,
 * a tree out. Pure: no I/O, no globals. Strings are UTF-8 with \u escapes
 * (surrogate pairs included) decoded; NUL inside a string is refused.
 * Nesting is limited to MS_JSON_DEPTH.
 */
#ifndef SMSGW_MODEMSIM_MS_JSON_H
#define SMSGW_MODEMSIM_MS_JSON_H

#include <stdbool.h>
#include <stddef.h>

#define MS_JSON_DEPTH 32

enum ms_json_type {
	MS_JSON_NULL,
	MS_JSON_BOOL,
	MS_JSON_NUMBER,
	MS_JSON_STRING,
	MS_JSON_ARRAY,
	MS_JSON_OBJECT,
};

struct ms_json {
	enum ms_json_type type;
	bool b;
	double num;
	char *str;		/* MS_JSON_STRING */
	struct ms_json *items;	/* array elements or object values */
	char **keys;		/* object keys, parallel to items */
	size_t n;
};

/* Parses s (len bytes). On success the caller frees out with
 * ms_json_free(); on failure err says where and out needs no freeing. */
bool ms_json_parse(const char *s, size_t len, struct ms_json *out, char *err,
		   size_t errsize);
void ms_json_free(struct ms_json *j);
/* The member key of object obj, or NULL (also when obj is no object). */
const struct ms_json *ms_json_get(const struct ms_json *obj, const char *key);

#endif
