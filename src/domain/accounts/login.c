/* login.c — signing in: the password step, the second-factor step, and the lockout that every
 * kind of guess (password, old password, code) counts towards. An unknown username goes through
 * the same steps as an account — argon2id against a dummy hash, a failure counter of its own,
 * the same lock and the same answers — so that nothing tells which names exist. */
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "domain/accounts/accounts_int.h"
#include "domain/registry/registry.h"
#include "lib/crypto.h"

/* ---------- lockout ---------- */

/* The failure counter of an account lives in users, that of a name that is no account in
 * login_failures (keyed by a keyed hash of the name); the statements differ only in table and
 * key. A failure older than ACCOUNT_FAILURE_TTL_MS is forgotten first; the counter goes back to
 * 0 when it locks; a lock set meanwhile by a concurrent attempt stands (locked_until <= now). */
typedef struct {
    const char *stale, *fail, *locked;
} lockout_sql_t;

#define LOCKOUT_SQL(T, K)                                                                          \
    {                                                                                              \
        "UPDATE " T " SET failed_count = 0 WHERE " K " = ? AND failed_at < ?",                     \
            "UPDATE " T " SET failed_count = CASE WHEN failed_count + 1 >= ? THEN 0"               \
            " ELSE failed_count + 1 END,"                                                          \
            " locked_until = CASE WHEN failed_count + 1 >= ? THEN ? ELSE locked_until END,"        \
            " failed_at = ? WHERE " K " = ? AND locked_until <= ?",                                \
            "SELECT locked_until FROM " T " WHERE " K " = ?"                                       \
    }

static const lockout_sql_t BY_ACCOUNT = LOCKOUT_SQL("users", "id");
static const lockout_sql_t BY_NAME = LOCKOUT_SQL("login_failures", "name_hash");

static int lock_state(db_t *db, const lockout_sql_t *q, db_val_t key, int64_t now, int *locked)
{
    int64_t until = 0;
    int found = 0;
    int rc = db_one_i64(db, q->locked, &until, &found, key);
    *locked = rc == 0 && found && until > now;
    return rc;
}

static int count_failure(db_t *db, const lockout_sql_t *q, db_val_t key, int64_t now, int *locked)
{
    const int64_t max = ACCOUNT_MAX_FAILURES;
    int rc = db_run(db, q->stale, key, I(now - ACCOUNT_FAILURE_TTL_MS));
    if (rc == 0)
        rc = db_run(db, q->fail, I(max), I(max), I(now + ACCOUNT_LOCK_MS), I(now), key, I(now));
    return rc ? rc : lock_state(db, q, key, now, locked);
}

int account_lock_state(db_t *db, int64_t user_id, int64_t now, int *locked)
{
    return lock_state(db, &BY_ACCOUNT, I(user_id), now, locked);
}

int account_count_failure(db_t *db, int64_t user_id, int64_t now, int *locked)
{
    return count_failure(db, &BY_ACCOUNT, I(user_id), now, locked);
}

/* ---------- the password step ---------- */

static const char SQL_BY_NAME[] = "SELECT id, pw_hash, county FROM users WHERE username = ?";

void account_login_lookup(db_t *db, account_login_t *l)
{
    l->user_id = 0;
    l->password_ok = 0;
    l->pw_hash[0] = 0;
    db_stmt_t *st = db_query(db, SQL_BY_NAME, S(l->username));
    if (st && db_step(st) == DB_ROW) {
        l->user_id = db_col_i64(st, 0);
        account_copy(l->pw_hash, sizeof l->pw_hash, db_col_text(st, 1));
        account_copy(l->county, sizeof l->county, db_col_text(st, 2));
    }
    db_reset(st);
}

/* A hash of a random password, so an unknown username costs as much as a known one. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static void make_dummy(void)
{
    char pw[17];
    crypto_password_random(pw);
    if (crypto_password_hash(pw, dummy_hash) != 0)
        dummy_hash[0] = 0;
}

void account_login_check(account_login_t *l, const char *password)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    if (!l->user_id || !l->pw_hash[0]) {
        pthread_once(&once, make_dummy);
        if (dummy_hash[0])
            crypto_password_verify(dummy_hash, password);
        l->password_ok = 0;
        return;
    }
    l->password_ok = crypto_password_verify(l->pw_hash, password) == 0;
}

static void refuse(account_login_t *l, int outcome, const char *code, const char *message,
                   const char *field)
{
    l->outcome = outcome;
    l->code = code;
    l->message = message;
    l->field = field;
}

static void refuse_locked(account_login_t *l)
{
    refuse(l, ERR_LOCKED, "locked", ACCOUNT_LOCKED_MESSAGE, NULL);
}

static const char SQL_NAME_GC[] =
    "DELETE FROM login_failures WHERE failed_at < ? AND locked_until <= ?";
static const char SQL_NAME_ROW[] = "INSERT INTO login_failures (name_hash, failed_at) VALUES (?, ?)"
                                   " ON CONFLICT (name_hash) DO NOTHING";

/* A name that is no account: counted and locked like one (its rows are forgotten after a day
 * without failures, as an account's failures are). */
static int unknown_name(db_t *db, account_login_t *l, audit_entry_t *a)
{
    char h[65];
    crypto_field_hash(registry_keys(), l->username, strlen(l->username), h);
    db_val_t key = S(h);
    int locked = 0, was_locked = 0;
    int rc = db_run(db, SQL_NAME_GC, I(l->now - ACCOUNT_FAILURE_TTL_MS), I(l->now));
    if (rc == 0)
        rc = db_run(db, SQL_NAME_ROW, key, I(l->now));
    if (rc == 0)
        rc = lock_state(db, &BY_NAME, key, l->now, &was_locked);
    if (rc == 0 && !was_locked)
        rc = count_failure(db, &BY_NAME, key, l->now, &locked);
    if (was_locked || locked)
        refuse_locked(l);
    a->outcome = was_locked ? "denied" : "failed";
    a->detail = was_locked ? "unknown user, locked" : "unknown user";
    return rc ? rc : audit_write(db, a);
}

static const char SQL_LOGIN_STATE[] =
    "SELECT disabled, county, username, name, role, scope_code, person_id, must_change,"
    " pw_changed_at, department, CASE WHEN totp_secret_enc IS NULL THEN 0 ELSE 1 END,"
    " totp_exempt FROM users WHERE id = ?";

/* Fill l->user from the account's row. *disabled, *has_totp as stored. 0, ERR_NOTFOUND. */
static int load_state(db_t *db, account_login_t *l, int *disabled, int *has_totp)
{
    db_stmt_t *st = db_query(db, SQL_LOGIN_STATE, I(l->user_id));
    int rc = st ? db_step(st) : ERR_IO;
    if (rc != DB_ROW) {
        db_reset(st);
        return rc < 0 ? rc : ERR_NOTFOUND;
    }
    actor_t *u = &l->user.actor;
    memset(&l->user, 0, sizeof l->user);
    u->id = l->user_id;
    *disabled = (int)db_col_i64(st, 0);
    account_copy(u->county, sizeof u->county, db_col_text(st, 1));
    account_copy(u->username, sizeof u->username, db_col_text(st, 2));
    account_copy(u->name, sizeof u->name, db_col_text(st, 3));
    u->role = role_parse(db_col_text(st, 4));
    account_copy(u->scope, sizeof u->scope, db_col_text(st, 5));
    u->person_id = db_col_i64(st, 6);
    l->user.must_change = (int)db_col_i64(st, 7);
    if (l->now - db_col_i64(st, 8) > ACCOUNT_PW_MAX_AGE_MS)
        l->user.must_change = 1;
    account_copy(u->department, sizeof u->department, db_col_text(st, 9));
    *has_totp = (int)db_col_i64(st, 10);
    l->user.must_enrol = (u->role & ACCOUNT_TOTP_ROLES) && !*has_totp && !db_col_i64(st, 11);
    db_reset(st);
    account_copy(l->county, sizeof l->county, u->county);
    return 0;
}

static const char SQL_OK[] =
    "UPDATE users SET failed_count = 0, locked_until = 0, previous_login_at = last_login_at,"
    " last_login_at = ? WHERE id = ?";
static const char SQL_NEW_SESSION[] =
    "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, ip, user_agent)"
    " VALUES (?,?,?,?,?,?)";

/* Both factors (or the only one) are good: the session, and the failure count starts over. */
static int open_session(db_t *db, account_login_t *l, audit_entry_t *a, const char *detail)
{
    char hash[65];
    crypto_token_new(l->token);
    crypto_token_hash(l->token, hash);
    account_copy(l->user.token_hash, sizeof l->user.token_hash, hash);
    l->user.last_seen_at = l->now;
    l->challenge[0] = 0; /* a session, not a (further) challenge */
    int rc = db_run(db, SQL_OK, I(l->now), I(l->user_id));
    if (rc == 0)
        rc = db_run(db, SQL_NEW_SESSION, S(hash), I(l->user_id), I(l->now), I(l->now), S(l->ip),
                    S(l->user_agent));
    a->who = &l->user.actor;
    a->action = "login", a->outcome = "ok", a->detail = detail;
    if (rc == 0)
        rc = audit_write(db, a);
    if (rc == 0)
        refuse(l, 0, NULL, NULL, NULL);
    return rc;
}

static const char SQL_CHALLENGE_GC[] = "DELETE FROM login_challenges WHERE expires_at <= ?";
static const char SQL_NEW_CHALLENGE[] =
    "INSERT INTO login_challenges (token_hash, user_id, expires_at) VALUES (?,?,?)";

/* The password was right and a second factor follows: a challenge, no session. The failure
 * count is not reset here — else a thief of the password could try 4 codes, sign in with the
 * password again, try 4 more... */
static int open_challenge(db_t *db, account_login_t *l, audit_entry_t *a)
{
    char hash[65];
    crypto_token_new(l->challenge);
    crypto_token_hash(l->challenge, hash);
    int rc = db_run(db, SQL_CHALLENGE_GC, I(l->now));
    if (rc == 0)
        rc =
            db_run(db, SQL_NEW_CHALLENGE, S(hash), I(l->user_id), I(l->now + ACCOUNT_CHALLENGE_MS));
    a->action = "login_challenge", a->outcome = "ok", a->detail = "password ok, second factor next";
    if (rc == 0)
        rc = audit_write(db, a);
    if (rc == 0)
        refuse(l, 0, NULL, NULL, NULL);
    return rc;
}

int account_login_commit(db_t *db, account_login_t *l, err_t *e)
{
    (void)e;
    char obj[32];
    audit_entry_t a = {.username = l->username,
                       .county = l->county,
                       .ip = l->ip,
                       .now = l->now,
                       .action = "login_failed",
                       .outcome = "failed"};
    l->token[0] = l->challenge[0] = 0;
    refuse(l, ERR_UNAUTH, "bad_credentials", "用户名或密码错误", NULL);
    int disabled = 0, has_totp = 0, locked = 0;
    int rc = l->user_id ? load_state(db, l, &disabled, &has_totp) : ERR_NOTFOUND;
    if (rc == ERR_NOTFOUND) /* no such name (or removed since the lookup) */
        return unknown_name(db, l, &a);
    if (rc == 0)
        rc = account_lock_state(db, l->user_id, l->now, &locked);
    if (rc)
        return rc;
    snprintf(obj, sizeof obj, "user:%" PRId64, l->user_id);
    a.object = obj;
    if (locked) {
        refuse_locked(l);
        a.outcome = "denied", a.detail = "locked";
        return audit_write(db, &a);
    }
    if (!l->password_ok) {
        rc = account_count_failure(db, l->user_id, l->now, &locked);
        if (locked)
            refuse_locked(l);
        a.detail = "bad password";
        return rc ? rc : audit_write(db, &a);
    }
    if (disabled || !l->user.actor.role) {
        refuse(l, ERR_UNAUTH, "bad_credentials", "账号已停用，请联系管理员", NULL);
        a.outcome = "denied", a.detail = "disabled";
        return audit_write(db, &a);
    }
    return has_totp ? open_challenge(db, l, &a) : open_session(db, l, &a, NULL);
}

/* ---------- the second-factor step ---------- */

/* Taking the row (an update that changes nothing) makes a second use of the same challenge on
 * PostgreSQL wait for the first to commit, and then find it gone. */
static const char SQL_TAKE_CHALLENGE[] =
    "UPDATE login_challenges SET expires_at = expires_at WHERE token_hash = ? AND expires_at > ?";
static const char SQL_CHALLENGE_USER[] =
    "SELECT user_id FROM login_challenges WHERE token_hash = ?";
static const char SQL_END_CHALLENGE[] = "DELETE FROM login_challenges WHERE token_hash = ?";

static int take_challenge(db_t *db, const char *hash, int64_t now, int64_t *user_id)
{
    int found = 0;
    db_stmt_t *st = db_query(db, SQL_TAKE_CHALLENGE, S(hash), I(now));
    int rc = st ? db_step(st) : ERR_IO;
    int64_t changed = rc >= 0 ? db_changes(st) : 0;
    db_reset(st);
    if (rc < 0)
        return rc;
    *user_id = 0;
    if (changed == 1)
        rc = db_one_i64(db, SQL_CHALLENGE_USER, user_id, &found, S(hash));
    return rc;
}

int account_login_second(db_t *db, account_login_t *l, err_t *e)
{
    (void)e;
    char hash[65], obj[32];
    crypto_token_hash(l->challenge, hash);
    l->token[0] = 0;
    refuse(l, ERR_UNAUTH, "challenge_expired", "登录验证已超时，请重新输入用户名和密码", NULL);
    int disabled = 0, has_totp = 0, locked = 0, ok = 0;
    int rc = take_challenge(db, hash, l->now, &l->user_id);
    if (rc || !l->user_id)
        return rc ? rc : db_run(db, SQL_CHALLENGE_GC, I(l->now));
    rc = load_state(db, l, &disabled, &has_totp);
    if (rc == 0)
        rc = account_lock_state(db, l->user_id, l->now, &locked);
    if (rc)
        return rc == ERR_NOTFOUND ? db_run(db, SQL_END_CHALLENGE, S(hash)) : rc;
    l->username = l->user.actor.username;
    snprintf(obj, sizeof obj, "user:%" PRId64, l->user_id);
    audit_entry_t a = {.username = l->username,
                       .county = l->county,
                       .object = obj,
                       .ip = l->ip,
                       .now = l->now,
                       .action = "login_failed",
                       .outcome = "denied"};
    const char *how = "totp";
    if (locked || disabled || !has_totp) {
        if (locked)
            refuse_locked(l);
        else if (disabled)
            refuse(l, ERR_UNAUTH, "bad_credentials", "账号已停用，请联系管理员", NULL);
        a.detail = locked ? "locked" : disabled ? "disabled" : "second factor removed meanwhile";
        rc = db_run(db, SQL_END_CHALLENGE, S(hash));
        return rc ? rc : audit_write(db, &a);
    }
    rc = account_second_factor_check(db, l->user_id, l->second, l->now, &ok, &how);
    if (rc == 0 && !ok) {
        rc = account_count_failure(db, l->user_id, l->now, &locked);
        if (rc == 0 && locked) /* the challenge ends with the lock */
            rc = db_run(db, SQL_END_CHALLENGE, S(hash));
        if (locked)
            refuse_locked(l);
        else
            refuse(l, ERR_UNAUTH, "bad_code", "动态验证码或恢复码不正确", "code");
        a.outcome = "failed", a.detail = "bad second factor";
        return rc ? rc : audit_write(db, &a);
    }
    if (rc == 0)
        rc = db_run(db, SQL_END_CHALLENGE, S(hash));
    return rc ? rc : open_session(db, l, &a, how);
}
