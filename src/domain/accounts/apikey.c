/* apikey.c — outside-system keys. */
#include <stdio.h>
#include <string.h>
#include "domain/accounts/accounts.h"
#include "domain/registry/registry.h"
#include "lib/crypto.h"
#include "lib/idgen.h"
#include "lib/utf8.h"

static const char SQL_INSERT[] =
    "INSERT INTO api_keys (id, county, name, key_hash, created_at) VALUES (?,?,?,?,?)";
static const char SQL_GET[] =
    "SELECT id, county, name FROM api_keys WHERE key_hash = ? AND disabled = 0";

int apikey_create(db_t *db, const char *county, const char *name, int64_t now, char out_key[48],
                  int64_t *out_id, err_t *e)
{
    if (!county || region_level_of(county) != REGION_COUNTY || !region_code_valid(county))
        return err_set(e, ERR_INVALID, "invalid", "县级区划代码应为 6 位数字", "county");
    int exists = 0;
    int rc = region_exists(db, county, &exists);
    if (rc)
        return rc;
    if (!exists)
        return err_set(e, ERR_INVALID, "invalid", "该县级区划不存在", "county");
    if (!name || !*name || !utf8_valid(name, strlen(name)) || utf8_count(name, strlen(name)) > 30)
        return err_set(e, ERR_INVALID, "invalid", "名称不能为空且不超过 30 字", "name");
    char hash[65];
    crypto_token_new(out_key);
    crypto_token_hash(out_key, hash);
    *out_id = idgen_next();
    return db_run(db, SQL_INSERT, I(*out_id), S(county), S(name), S(hash), I(now));
}

int apikey_check(db_t *db, const char *key, apikey_t *k)
{
    if (!key || !*key || strlen(key) > 100)
        return ERR_UNAUTH;
    char hash[65];
    crypto_token_hash(key, hash);
    db_stmt_t *st = db_query(db, SQL_GET, S(hash));
    int s = st ? db_step(st) : ERR_IO;
    if (s == DB_ROW) {
        k->id = db_col_i64(st, 0);
        snprintf(k->county, sizeof k->county, "%s", db_col_text(st, 1));
        snprintf(k->name, sizeof k->name, "%s", db_col_text(st, 2));
    }
    db_reset(st);
    return s == DB_ROW ? 0 : s < 0 ? s : ERR_UNAUTH;
}
