/* audit.c — append and list audit rows. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/accounts/accounts.h"
#include "domain/common/listing.h"
#include "lib/idgen.h"

static const char SQL_INSERT[] =
    "INSERT INTO audit (county, id, at, user_id, username, role, scope_code, action, object,"
    " outcome, ip, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";

int audit_write(db_t *db, const audit_entry_t *a)
{
    db_stmt_t *st = db_prepare(db, SQL_INSERT);
    if (!st)
        return ERR_IO;
    const actor_t *u = a->who;
    db_bind_text(st, 1, u ? u->county : (a->county ? a->county : "000000"), -1);
    db_bind_i64(st, 2, idgen_next());
    db_bind_i64(st, 3, a->now);
    if (u)
        db_bind_i64(st, 4, u->id);
    else
        db_bind_null(st, 4);
    db_bind_text(st, 5, u ? u->username : a->username, -1);
    db_bind_text(st, 6, u ? role_name(u->role) : NULL, -1);
    db_bind_text(st, 7, u ? u->scope : NULL, -1);
    db_bind_text(st, 8, a->action, -1);
    db_bind_text(st, 9, a->object, -1);
    db_bind_text(st, 10, a->outcome ? a->outcome : "ok", -1);
    db_bind_text(st, 11, a->ip, -1);
    db_bind_text(st, 12, a->detail, -1);
    int rc = db_step(st);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

static const char SQL_LIST[] =
    "SELECT id, at, user_id, username, role, action, object, outcome, ip, detail FROM audit"
    " WHERE county = ? AND id < ? ORDER BY id DESC LIMIT ?";

static json_t *audit_json(db_stmt_t *st)
{
    char idbuf[24];
    snprintf(idbuf, sizeof idbuf, "%" PRId64, db_col_i64(st, 0));
    json_t *o = json_pack("{s:s,s:I,s:s?,s:s?,s:s,s:s?,s:s,s:s?,s:s?}", "id", idbuf, "at",
                          (json_int_t)db_col_i64(st, 1), "username", db_col_text(st, 3), "role",
                          db_col_text(st, 4), "action", db_col_text(st, 5), "object",
                          db_col_text(st, 6), "outcome", db_col_text(st, 7), "ip",
                          db_col_text(st, 8), "detail", db_col_text(st, 9));
    if (!db_col_isnull(st, 2)) {
        snprintf(idbuf, sizeof idbuf, "%" PRId64, db_col_i64(st, 2));
        json_object_set_new(o, "user_id", json_string(idbuf));
    }
    return o;
}

json_t *audit_list(db_t *db, const actor_t *who, const char *cursor, int limit)
{
    int rc;
    db_stmt_t *st = db_query(db, SQL_LIST, S(who->county), I(listing_cursor(cursor, INT64_MAX)),
                             I((int64_t)limit + 1));
    return listing_page(st, limit, audit_json, &rc);
}
