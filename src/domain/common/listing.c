/* listing.c — keyset pages. */
#include "domain/common/listing.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

json_t *listing_page(db_stmt_t *st, int limit, listing_row_fn row, int *rc)
{
    if (!st) {
        *rc = ERR_IO;
        return NULL;
    }
    json_t *items = json_array();
    int s, n = 0;
    int64_t last = 0;
    while ((s = db_step(st)) == DB_ROW) {
        if (n++ == limit)
            break; /* the extra row: there is a next page */
        last = db_col_i64(st, 0);
        json_array_append_new(items, row(st));
    }
    db_reset(st);
    if (s < 0) {
        json_decref(items);
        *rc = s;
        return NULL;
    }
    json_t *next = json_null();
    if (n > limit) {
        char b[24];
        snprintf(b, sizeof b, "%" PRId64, last);
        next = json_string(b);
    }
    *rc = 0;
    return json_pack("{s:o,s:o}", "items", items, "next_cursor", next);
}

int64_t listing_cursor(const char *cursor, int64_t dflt)
{
    if (!cursor || !*cursor)
        return dflt;
    return strtoll(cursor, NULL, 10);
}
