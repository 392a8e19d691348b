/*
 * template — {{name}} placeholders in message bodies: personalised bulk
 * (spool) and automatic replies (keyword rules). Pure.
 *
 * A placeholder is "{{", optional spaces, a name of letters, digits, '_',
 * '-' or '.', optional spaces, "}}". Anything else is literal text, so a
 * stray "{{" in a message is harmless.
 */
#ifndef SMSGW_TEMPLATE_H
#define SMSGW_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

/* Returns the value of the placeholder name (len bytes, not NUL-terminated),
 * or NULL when there is none. The result is borrowed. */
typedef const char *(*template_lookup_fn)(const char *name, size_t len,
					  void *ud);

/*
 * Renders tpl. Returns a malloc'd string the caller frees, or NULL when a
 * placeholder has no value (err then names it: "no value for {{code}}") or
 * memory runs out.
 */
char *template_render(const char *tpl, template_lookup_fn lookup, void *ud,
		      char *err, size_t errsize);
/* The same, telling the two failures apart: 0 with *out (malloc'd),
 * -ENOENT a placeholder has no value, -ENOMEM (err says which; *out NULL). */
int template_expand(const char *tpl, template_lookup_fn lookup, void *ud,
		    char **out, char *err, size_t errsize);

/* Calls fn for every placeholder name in tpl, in order. Returns the count. */
size_t template_names(const char *tpl,
		      void (*fn)(const char *name, size_t len, void *ud),
		      void *ud);

#endif
