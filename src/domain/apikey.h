/* apikey.h — keys for outside systems (Open311 clients, a 12345 hotline gateway), each bound to
 * one county. Only a hash is stored; the key itself is shown once, when made. */
#ifndef JICENG_DOMAIN_APIKEY_H
#define JICENG_DOMAIN_APIKEY_H

#include <stdint.h>
#include "store/db.h"

typedef struct {
    int64_t id;
    char county[8];
    char name[128]; /* up to 30 characters of UTF-8 */
} apikey_t;

/* Make a key for county (6 digits) named name (who uses it). out_key gets the key (shown once).
 * In a write transaction. ERR_INVALID for a bad county or name. */
int apikey_create(db_t *db, const char *county, const char *name, int64_t now, char out_key[48],
                  int64_t *out_id, err_t *e);
/* Look a key up: 0 and *k filled, or ERR_UNAUTH (unknown or disabled). Read connection. */
int apikey_check(db_t *db, const char *key, apikey_t *k);

#endif
