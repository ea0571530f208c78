/* check.c — the database check and what all checks share. Problems go to stdout, one line each. */
#include "domain/common/check.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "store/migrate.h"

int check_failed(db_t *db, check_report_t *r, const char *what)
{
    printf("%s: cannot read: %s\n", what, db_errmsg(db));
    r->problems++;
    return 1;
}

int check_db(db_t *db, check_report_t *r)
{
    int bad = 0;
    if (db_engine(db) == DB_SQLITE) {
        static const char SQL[] = "PRAGMA integrity_check";
        db_stmt_t *st = db_prepare(db, SQL);
        if (!st)
            return check_failed(db, r, "integrity");
        int s;
        while ((s = db_step(st)) == DB_ROW) {
            const char *t = db_col_text(st, 0);
            r->checked++;
            if (t && strcmp(t, "ok") != 0) {
                printf("integrity: %s\n", t);
                bad++;
            }
        }
        db_reset(st);
        if (s < 0)
            return check_failed(db, r, "integrity");
    }
    int64_t v = 0;
    int found = 0;
    static const char SQL_V[] = "SELECT MAX(version) FROM schema_migrations";
    if (db_one_i64(db, SQL_V, &v, &found) != 0)
        return check_failed(db, r, "schema");
    if (v != migrate_latest()) {
        printf("schema: version %" PRId64 ", binary expects %d\n", v, migrate_latest());
        bad++;
    } else {
        r->schema_ok = 1;
    }
    r->problems += bad;
    return bad ? 1 : 0;
}
