/* check.c — integrity checks. Problems go to stdout, one line each. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/casestats.h"
#include "domain/check.h"
#include "domain/registry.h"
#include "lib/crypto.h"
#include "store/migrate.h"

int check_db(db_t *db, check_report_t *r)
{
    int bad = 0;
    if (db_engine(db) == DB_SQLITE) {
        static const char SQL[] = "PRAGMA integrity_check";
        db_stmt_t *st = db_prepare(db, SQL);
        while (st && db_step(st) == DB_ROW) {
            const char *t = db_col_text(st, 0);
            r->checked++;
            if (t && strcmp(t, "ok") != 0) {
                printf("integrity: %s\n", t);
                bad++;
            }
        }
        db_reset(st);
    }
    int64_t v = 0;
    int found = 0;
    static const char SQL_V[] = "SELECT MAX(version) FROM schema_migrations";
    if (db_one_i64(db, SQL_V, &v, &found, "") != 0 || v != migrate_latest()) {
        printf("schema: version %" PRId64 ", binary expects %d\n", v, migrate_latest());
        bad++;
    }
    /* KPI counters (migration 011) against a recount from the cases. */
    long diff = 0;
    if (v == migrate_latest() && casestats_check(db, &r->checked, &diff) != 0) {
        printf("case counters: the recount failed: %s\n", db_errmsg(db));
        bad++;
    }
    bad += (int)diff;
    r->problems += bad;
    return bad ? 1 : 0;
}

int check_keys(db_t *db, check_report_t *r)
{
    static const char SQL[] = "SELECT county, id, id_enc, id_hash, phone_enc, phone_hash FROM people";
    const crypto_keys_t *k = registry_keys();
    db_stmt_t *st = db_prepare(db, SQL);
    int bad = 0;
    while (st && db_step(st) == DB_ROW) {
        r->checked++;
        int64_t id = db_col_i64(st, 1);
        for (int f = 0; f < 2; f++) {
            const char *enc = db_col_text(st, 2 + 2 * f), *hash = db_col_text(st, 3 + 2 * f);
            if (!enc)
                continue;
            char *plain = crypto_field_decrypt(k, enc);
            char h[65];
            if (plain)
                crypto_field_hash(k, plain, strlen(plain), h);
            if (!plain || !hash || strcmp(h, hash) != 0) {
                if (bad < 20)
                    printf("person %s/%" PRId64 ": %s does not decrypt or match its hash\n",
                           db_col_text(st, 0), id, f ? "phone" : "id_number");
                bad++;
            }
            free(plain);
        }
    }
    db_reset(st);
    r->problems += bad;
    return bad ? 1 : 0;
}
