/*
 * store_forget — smsgw forget on the SQLite database
 * (gateway/store/store_forget.c): the number's forms (forget.h) erased
 * everywhere, its hash kept. Included by forget.h.
 */
#ifndef SMSGW_STORE_FORGET_H
#define SMSGW_STORE_FORGET_H

#include <stddef.h>
#include <stdint.h>

#include "forget.h"

struct store;

/*
 * Erases every form of the number from the database in one transaction
 * (with secure_delete, so freed pages are zeroed) and records its hash.
 * Counts go into *n. The caller vacuums and checkpoints afterwards
 * (forget_scrub_files() is the file side). 0 or -errno with err.
 */
int forget_store(struct store *st, const char *e164,
		 const struct forget_forms *f, int64_t now,
		 struct forget_counts *n, char *err, size_t errsize);

#endif
