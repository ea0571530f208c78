/* listing.h — keyset pages: {"items":[…],"next_cursor":"…"|null} from a query that selects the
 * row's 64-bit id as its first column, ordered by it, with LIMIT limit + 1 (the extra row only
 * tells that there is a next page). Used by every list endpoint. */
#ifndef JICENG_DOMAIN_LISTING_H
#define JICENG_DOMAIN_LISTING_H

#include <jansson.h>
#include <stdint.h>
#include "store/db.h"

typedef json_t *(*listing_row_fn)(db_stmt_t *st);

/* Step st to the end (and reset it), turning up to limit rows into items with row(). Returns a
 * new reference, or NULL with *rc set on a store error (or st NULL). */
json_t *listing_page(db_stmt_t *st, int limit, listing_row_fn row, int *rc);

/* The id a cursor stands for; dflt for NULL or "". The API checks cursors are digits first. */
int64_t listing_cursor(const char *cursor, int64_t dflt);

#endif
