/*
 * store_query_text — inside the store layer only: the text of a named
 * query (store_query_text.c) for the backend this build speaks.
 */
#ifndef SMSGW_STORE_QUERY_TEXT_H
#define SMSGW_STORE_QUERY_TEXT_H

#include "store_query.h"

/* NULL for a name out of range. */
const char *store_query_text(enum store_query q);

#endif
