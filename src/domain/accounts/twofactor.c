/* twofactor.c — the second factor of an account (两步验证, 等保 level 3): TOTP secrets kept
 * encrypted with the field key like ID numbers, a time step accepted once, recovery codes kept
 * as keyed hashes and used once. Every step writes the audit log.
 *
 *   state              users.totp_pending_enc  users.totp_secret_enc  how it is left
 *   off                NULL                    NULL                   setup
 *   enrolling          secret                  NULL                   enable (first code), setup
 *   on                 NULL                    secret                 disable, admin reset
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/accounts/accounts_int.h"
#include "domain/registry/registry.h"
#include "lib/crypto.h"

static int64_t run_counted(db_stmt_t *st, int *rc)
{
    *rc = st ? db_step(st) : ERR_IO;
    int64_t changed = *rc >= 0 ? db_changes(st) : 0;
    db_reset(st);
    if (*rc > 0)
        *rc = 0;
    return changed;
}

static void audit(db_t *db, int *rc, const actor_t *who, int64_t target, const char *action,
                  const char *outcome, const char *detail, const char *ip, int64_t now)
{
    if (*rc)
        return;
    char obj[32];
    snprintf(obj, sizeof obj, "user:%" PRId64, target);
    audit_entry_t a = {.who = who,
                       .username = "cli",
                       .action = action,
                       .object = obj,
                       .outcome = outcome,
                       .ip = ip,
                       .detail = detail,
                       .now = now};
    *rc = audit_write(db, &a);
}

/* The keyed hash a recovery code is kept as: bound to the account, so equal codes of two
 * accounts do not show. */
static void recovery_hash(int64_t user_id, const char *normalized, char out[65])
{
    char in[64];
    int n = snprintf(in, sizeof in, "%" PRId64 ":%s", user_id, normalized);
    crypto_field_hash(registry_keys(), in, (size_t)n, out);
}

static const char SQL_STATE[] =
    "SELECT totp_secret_enc, totp_pending_enc, totp_last_step, role, totp_exempt FROM users"
    " WHERE id = ?";

typedef struct {
    char *secret, *pending; /* decrypted; freed by state_free */
    int enabled, has_pending, required;
    int64_t last_step;
} totp_state_t;

static void state_free(totp_state_t *t)
{
    if (t->secret)
        sodium_memzero(t->secret, strlen(t->secret));
    if (t->pending)
        sodium_memzero(t->pending, strlen(t->pending));
    free(t->secret);
    free(t->pending);
}

/* Read (and decrypt) an account's second-factor state. 0, ERR_NOTFOUND or a store error; a
 * secret that does not decrypt (another field key) counts as none. */
static int state_load(db_t *db, int64_t user_id, totp_state_t *t)
{
    memset(t, 0, sizeof *t);
    db_stmt_t *st = db_query(db, SQL_STATE, I(user_id));
    int rc = st ? db_step(st) : ERR_IO;
    if (rc == DB_ROW) {
        const char *enc = db_col_text(st, 0), *pend = db_col_text(st, 1);
        t->enabled = enc != NULL;
        t->has_pending = pend != NULL;
        t->secret = enc ? crypto_field_decrypt(registry_keys(), enc) : NULL;
        t->pending = pend ? crypto_field_decrypt(registry_keys(), pend) : NULL;
        t->last_step = db_col_i64(st, 2);
        t->required = (role_parse(db_col_text(st, 3)) & ACCOUNT_TOTP_ROLES) && !db_col_i64(st, 4);
    }
    db_reset(st);
    return rc == DB_ROW ? 0 : rc < 0 ? rc : ERR_NOTFOUND;
}

static const char SQL_STEP[] =
    "UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?";
static const char SQL_USE_CODE[] = "UPDATE totp_recovery SET used_at = ?"
                                   " WHERE user_id = ? AND code_hash = ? AND used_at IS NULL";

int account_second_factor_check(db_t *db, int64_t user_id, const char *code, int64_t now, int *ok,
                                const char **how)
{
    *ok = 0;
    int rc = 0;
    char norm[TOTP_RECOVERY_CHARS + 1], h[65];
    if (totp_is_code(code)) {
        *how = "totp";
        totp_state_t t;
        int64_t step = 0;
        rc = state_load(db, user_id, &t);
        /* A step at or before the last one accepted is a replay (or an older code). */
        if (rc == 0 && t.secret && totp_verify(t.secret, now, code, &step) == 0 &&
            step > t.last_step)
            *ok = run_counted(db_query(db, SQL_STEP, I(step), I(user_id), I(step)), &rc) == 1;
        state_free(&t);
    } else if (totp_recovery_normalize(code, norm) == 0) {
        *how = "recovery code";
        recovery_hash(user_id, norm, h);
        *ok = run_counted(db_query(db, SQL_USE_CODE, I(now), I(user_id), S(h)), &rc) == 1;
    }
    return rc;
}

static const char SQL_CLEAR[] = "UPDATE users SET totp_secret_enc = NULL, totp_pending_enc = NULL,"
                                " totp_last_step = 0 WHERE id = ?";
static const char SQL_CLEAR_CODES[] = "DELETE FROM totp_recovery WHERE user_id = ?";

int account_totp_clear(db_t *db, int64_t user_id)
{
    int rc = db_run(db, SQL_CLEAR, I(user_id));
    return rc ? rc : db_run(db, SQL_CLEAR_CODES, I(user_id));
}

static const char SQL_PENDING[] = "UPDATE users SET totp_pending_enc = ? WHERE id = ?";

int account_totp_setup(db_t *db, const account_session_t *u, const char *secret, const char *ip,
                       int64_t now, err_t *e)
{
    totp_state_t t;
    int rc = state_load(db, u->actor.id, &t);
    state_free(&t);
    if (rc)
        return rc;
    if (t.enabled)
        return err_set(e, ERR_CONFLICT, "conflict",
                       "两步验证已启用；更换手机请先停用，或请管理员重置", NULL);
    char *enc = crypto_field_encrypt(registry_keys(), secret, strlen(secret));
    rc = db_run(db, SQL_PENDING, S(enc), I(u->actor.id));
    free(enc);
    audit(db, &rc, &u->actor, u->actor.id, "totp_setup", "ok", NULL, ip, now);
    return rc;
}

static const char SQL_ENABLE[] =
    "UPDATE users SET totp_secret_enc = totp_pending_enc, totp_pending_enc = NULL,"
    " totp_last_step = ? WHERE id = ? AND totp_pending_enc IS NOT NULL AND totp_secret_enc IS NULL";
static const char SQL_NEW_CODE[] = "INSERT INTO totp_recovery (user_id, code_hash) VALUES (?, ?)";

int account_totp_enable(db_t *db, const account_session_t *u, const char *code, const char *ip,
                        int64_t now, char codes[TOTP_RECOVERY_COUNT][TOTP_RECOVERY_LEN + 1],
                        err_t *e)
{
    int64_t uid = u->actor.id, step = 0;
    totp_state_t t;
    int rc = state_load(db, uid, &t);
    int match = rc == 0 && t.pending && totp_verify(t.pending, now, code, &step) == 0;
    int enabled = t.enabled, pending = t.has_pending;
    state_free(&t);
    if (rc)
        return rc;
    if (enabled)
        return err_set(e, ERR_CONFLICT, "conflict", "两步验证已启用", NULL);
    if (!pending)
        return err_set(e, ERR_CONFLICT, "conflict", "请先扫描二维码开始设置", NULL);
    if (!match)
        return err_set(e, ERR_INVALID, "invalid",
                       "验证码不正确，请输入验证器应用当前显示的 6 位数字，并确认手机时间准确",
                       "code");
    if (run_counted(db_query(db, SQL_ENABLE, I(step), I(uid)), &rc) != 1 && rc == 0)
        return err_set(e, ERR_CONFLICT, "conflict", "两步验证已在别处设置，请刷新", NULL);
    if (rc == 0)
        rc = db_run(db, SQL_CLEAR_CODES, I(uid));
    for (int i = 0; i < TOTP_RECOVERY_COUNT && rc == 0; i++) {
        char norm[TOTP_RECOVERY_CHARS + 1], h[65];
        totp_recovery_new(codes[i]);
        totp_recovery_normalize(codes[i], norm);
        recovery_hash(uid, norm, h);
        rc = db_run(db, SQL_NEW_CODE, I(uid), S(h));
    }
    audit(db, &rc, &u->actor, uid, "totp_enable", "ok", NULL, ip, now);
    return rc;
}

int account_totp_disable(db_t *db, const account_session_t *u, const char *code, const char *ip,
                         int64_t now, int *refused, err_t *e)
{
    int64_t uid = u->actor.id;
    totp_state_t t;
    int rc = state_load(db, uid, &t);
    int enabled = t.enabled, required = t.required, was_locked = 0, locked = 0, ok = 0;
    state_free(&t);
    *refused = 0;
    if (rc)
        return rc;
    if (required)
        return err_set(e, ERR_FORBIDDEN, "forbidden",
                       "您的角色必须使用两步验证，不能停用；更换手机请联系县级管理员重置", NULL);
    if (!enabled)
        return err_set(e, ERR_CONFLICT, "conflict", "两步验证未启用", NULL);
    const char *how = "totp";
    /* Like a password change: while locked nothing is checked, and a wrong code is a failure. */
    rc = account_lock_state(db, uid, now, &was_locked);
    if (rc == 0 && !was_locked)
        rc = account_second_factor_check(db, uid, code, now, &ok, &how);
    if (rc == 0 && !was_locked && !ok)
        rc = account_count_failure(db, uid, now, &locked);
    if (rc == 0 && !ok) {
        *refused = was_locked || locked ? ERR_LOCKED : ERR_UNAUTH;
        audit(db, &rc, &u->actor, uid, "totp_disable", was_locked ? "denied" : "failed",
              was_locked ? "locked" : "bad code", ip, now);
        return rc;
    }
    if (rc == 0)
        rc = account_totp_clear(db, uid);
    audit(db, &rc, &u->actor, uid, "totp_disable", "ok", how, ip, now);
    return rc;
}

static const char SQL_END_SESSIONS[] = "DELETE FROM sessions WHERE user_id = ?";

int account_totp_reset(db_t *db, const actor_t *by, int64_t id, const char *ip, int64_t now,
                       err_t *e)
{
    int64_t uid = 0;
    char county[8];
    int rc = account_find_target(db, by, id, NULL, &uid, county, e);
    if (rc == 0)
        rc = account_totp_clear(db, uid);
    if (rc == 0)
        rc = db_run(db, SQL_END_SESSIONS, I(uid));
    audit(db, &rc, by, uid, "totp_reset", "ok", NULL, ip, now);
    return rc;
}
