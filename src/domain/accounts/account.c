/* account.c — roles, sessions, password changes, account management inside a scope. (Signing
 * in is login.c, the second factor twofactor.c.) */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/accounts/accounts_int.h"
#include "domain/common/listing.h"
#include "domain/registry/registry.h"
#include "lib/crypto.h"
#include "lib/idgen.h"
#include "lib/ids.h"
#include "lib/mask.h"
#include "lib/password.h"

/* Who manages whom: a county admin everyone in the county; a street admin the community and
 * grid roles of its town; a community admin its grid workers, party leaders and heads. Auditors
 * are separate from administrators (等保: separation of admin and audit roles). */
unsigned account_manageable_roles(role_t caller)
{
    switch (caller) {
    case ROLE_COUNTY_ADMIN: return ROLE_ANY & ~(unsigned)ROLE_COUNTY_ADMIN;
    case ROLE_STREET_ADMIN:
        return ROLE_COMMUNITY_ADMIN | ROLE_GRID_WORKER | ROLE_PARTY_LEADER | ROLE_BUILDING_HEAD |
               ROLE_INFORMANT | ROLE_RESIDENT;
    case ROLE_COMMUNITY_ADMIN:
        return ROLE_GRID_WORKER | ROLE_PARTY_LEADER | ROLE_BUILDING_HEAD | ROLE_INFORMANT |
               ROLE_RESIDENT;
    default: return 0;
    }
}

void account_copy(char *dst, size_t cap, const char *s) { snprintf(dst, cap, "%s", s ? s : ""); }

static const char SQL_SESSION[] =
    "SELECT u.id, u.county, u.username, u.name, u.role, u.scope_code, u.person_id, u.must_change,"
    " u.disabled, s.last_seen_at, u.pw_changed_at, u.department, u.totp_exempt,"
    " CASE WHEN u.totp_secret_enc IS NULL THEN 0 ELSE 1 END"
    " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?";

int account_session_load(db_t *db, const char *token_hash, int64_t now, account_session_t *s)
{
    actor_t *u = &s->actor;
    db_stmt_t *st = db_query(db, SQL_SESSION, S(token_hash));
    if (!st)
        return ERR_IO;
    int rc = db_step(st);
    if (rc == DB_ROW) {
        memset(u, 0, sizeof *u);
        u->id = db_col_i64(st, 0);
        account_copy(u->county, sizeof u->county, db_col_text(st, 1));
        account_copy(u->username, sizeof u->username, db_col_text(st, 2));
        account_copy(u->name, sizeof u->name, db_col_text(st, 3));
        u->role = role_parse(db_col_text(st, 4));
        account_copy(u->scope, sizeof u->scope, db_col_text(st, 5));
        u->person_id = db_col_i64(st, 6);
        s->must_change = (int)db_col_i64(st, 7);
        int disabled = (int)db_col_i64(st, 8);
        s->last_seen_at = db_col_i64(st, 9);
        int64_t changed = db_col_i64(st, 10);
        account_copy(u->department, sizeof u->department, db_col_text(st, 11));
        account_copy(s->token_hash, sizeof s->token_hash, token_hash);
        if (now - changed > ACCOUNT_PW_MAX_AGE_MS)
            s->must_change = 1; /* 等保: passwords are changed every 90 days */
        /* 等保: two factors for administrators — until enrolled, only enrolment. */
        s->must_enrol =
            (u->role & ACCOUNT_TOTP_ROLES) && !db_col_i64(st, 12) && !db_col_i64(st, 13);
        rc = (disabled || !u->role || now - s->last_seen_at > ACCOUNT_IDLE_MS) ? ERR_UNAUTH : 0;
    } else {
        rc = rc < 0 ? rc : ERR_UNAUTH;
    }
    db_reset(st);
    return rc;
}

static const char SQL_TOUCH[] = "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?";

int account_session_touch(db_t *db, const char *token_hash, int64_t now)
{
    return db_run(db, SQL_TOUCH, I(now), S(token_hash));
}

/* ---------- sign-out and passwords ---------- */

static const char SQL_DEL_SESSION[] = "DELETE FROM sessions WHERE token_hash = ?";
static const char SQL_DEL_SESSIONS[] = "DELETE FROM sessions WHERE user_id = ?";

int account_logout(db_t *db, const account_session_t *u, const char *ip, int64_t now)
{
    int rc = db_run(db, SQL_DEL_SESSION, S(u->token_hash));
    audit_entry_t a = {.who = &u->actor, .action = "logout", .outcome = "ok", .ip = ip, .now = now};
    return rc ? rc : audit_write(db, &a);
}

static const char SQL_PW[] = "SELECT pw_hash, locked_until FROM users WHERE id = ?";
static const char SQL_HISTORY[] =
    "SELECT pw_hash FROM password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?";
static const char SQL_SET_PW[] = "UPDATE users SET pw_hash = ?, pw_changed_at = ?, must_change = 0"
                                 " WHERE id = ? AND pw_hash = ?";
static const char SQL_OTHER_SESSIONS[] =
    "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?";

int account_password_hash_of(db_t *db, int64_t user_id, char out[ACCOUNT_HASH_MAX])
{
    out[0] = 0;
    db_stmt_t *st = db_query(db, SQL_PW, I(user_id));
    int rc = st ? db_step(st) : ERR_IO;
    if (rc == DB_ROW)
        account_copy(out, ACCOUNT_HASH_MAX, db_col_text(st, 0));
    db_reset(st);
    return rc == DB_ROW ? 0 : rc < 0 ? rc : ERR_NOTFOUND;
}

int account_password_change_load(db_t *db, int64_t user_id, int64_t now, account_pw_change_t *p)
{
    p->current[0] = 0;
    p->nprevious = 0;
    db_stmt_t *st = db_query(db, SQL_PW, I(user_id));
    int rc = st ? db_step(st) : ERR_IO;
    if (rc == DB_ROW) {
        account_copy(p->current, ACCOUNT_HASH_MAX, db_col_text(st, 0));
        p->locked = db_col_i64(st, 1) > now;
    }
    db_reset(st);
    if (rc != DB_ROW)
        return rc < 0 ? rc : ERR_NOTFOUND;
    st = db_query(db, SQL_HISTORY, I(user_id), I((int64_t)ACCOUNT_PW_HISTORY - 1));
    while (st && p->nprevious < ACCOUNT_PW_HISTORY - 1 && (rc = db_step(st)) == DB_ROW)
        account_copy(p->previous[p->nprevious++], ACCOUNT_HASH_MAX, db_col_text(st, 0));
    db_reset(st);
    return !st ? ERR_IO : rc < 0 ? rc : 0;
}

int account_password_change_check(account_pw_change_t *p, const char *username, err_t *e)
{
    if (p->locked)
        return 0; /* refused by the write, whatever was typed: no oracle during the lock */
    p->old_ok = p->current[0] && crypto_password_verify(p->current, p->old_pw) == 0;
    if (!p->old_ok)
        return 0; /* recorded as a failure by the write */
    int rc = password_policy_check(p->new_pw, username, e);
    if (rc)
        return rc;
    if (strcmp(p->old_pw, p->new_pw) == 0)
        return err_set(e, ERR_INVALID, "invalid", "新密码不能与原密码相同", "new_password");
    if ((rc = password_quality_check(p->new_pw, p->old_pw, username, e)) != 0)
        return rc;
    /* The current password was compared above; the ones before it cost an argon2id each. */
    for (int i = 0; i < p->nprevious; i++)
        if (crypto_password_verify(p->previous[i], p->new_pw) == 0)
            return err_set(e, ERR_INVALID, "invalid", "新密码不能与最近 5 次使用过的密码相同",
                           "new_password");
    if (crypto_password_hash(p->new_pw, p->new_hash) != 0)
        return err_set(e, ERR_NOMEM, "internal", "密码处理失败", NULL);
    return 0;
}

int account_initial_password(char pw[20], char hash[ACCOUNT_HASH_MAX])
{
    crypto_password_random(pw);
    return crypto_password_hash(pw, hash) == 0 ? 0 : ERR_NOMEM;
}

static const char SQL_KEEP[] =
    "INSERT INTO password_history (user_id, id, pw_hash, retired_at) VALUES (?,?,?,?)";
static const char SQL_TRIM[] =
    "DELETE FROM password_history WHERE user_id = ? AND id NOT IN"
    " (SELECT id FROM password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?)";

/* The hash an account is leaving goes to its history, which keeps the newest few. */
static int history_keep(db_t *db, int64_t user_id, const char *old_hash, int64_t now)
{
    int rc = db_run(db, SQL_KEEP, I(user_id), I(idgen_next()), S(old_hash), I(now));
    return rc ? rc
              : db_run(db, SQL_TRIM, I(user_id), I(user_id), I((int64_t)ACCOUNT_PW_HISTORY - 1));
}

int account_change_password(db_t *db, const account_session_t *u, account_pw_change_t *p,
                            const char *ip, int64_t now, err_t *e)
{
    audit_entry_t a = {
        .who = &u->actor, .action = "password_change", .outcome = "ok", .ip = ip, .now = now};
    int64_t uid = u->actor.id;
    int locked = 0;
    /* The lock as it is now, not as it was read before the check. */
    int rc = account_lock_state(db, uid, now, &locked);
    if (rc == 0 && (locked || p->locked || !p->old_ok)) {
        /* A wrong old password is a wrong password: it counts towards the lockout; during the
         * lock even the right one is refused. The failure is recorded (commit), the caller told. */
        p->outcome = ERR_LOCKED;
        a.outcome = "denied", a.detail = "locked";
        if (!locked && !p->locked) {
            rc = account_count_failure(db, uid, now, &locked);
            p->outcome = locked ? ERR_LOCKED : ERR_UNAUTH;
            a.outcome = "failed", a.detail = "bad old password";
        }
        return rc ? rc : audit_write(db, &a);
    }
    db_stmt_t *st =
        rc ? NULL : db_query(db, SQL_SET_PW, S(p->new_hash), I(now), I(uid), S(p->current));
    if (!st)
        return rc ? rc : ERR_IO;
    rc = db_step(st);
    int64_t changed = rc >= 0 ? db_changes(st) : 0;
    db_reset(st);
    if (rc < 0)
        return rc;
    if (changed != 1)
        return err_set(e, ERR_CONFLICT, "conflict", "密码已在别处被修改，请重新操作", NULL);
    p->outcome = 0;
    rc = history_keep(db, uid, p->current, now);
    /* Other sessions of this account end: whoever knew the old password is out. */
    if (rc == 0)
        rc = db_run(db, SQL_OTHER_SESSIONS, I(uid), S(u->token_hash));
    return rc ? rc : audit_write(db, &a);
}

/* ---------- management ---------- */

static const char SQL_INSERT_USER[] =
    "INSERT INTO users (id, county, username, name, role, scope_code, person_id, phone_enc,"
    " phone_masked, pw_hash, pw_changed_at, must_change, created_at, created_by, totp_exempt)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

static int valid_username(const char *s)
{
    size_t n = strlen(s);
    if (n < 3 || n > 32)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
              ch == '-'))
            return 0;
    }
    return 1;
}

int account_create(db_t *db, const actor_t *by, account_new_t *n, const char *ip, err_t *e)
{
    role_t role = role_parse(n->role);
    if (!n->username || !valid_username(n->username))
        return err_set(e, ERR_INVALID, "invalid", "用户名应为 3–32 位小写字母、数字或 . _ -",
                       "username");
    if (!n->name || !*n->name || strlen(n->name) > 60)
        return err_set(e, ERR_INVALID, "invalid", "姓名不能为空且不超过 20 个字", "name");
    if (!role)
        return err_set(e, ERR_INVALID, "invalid", "角色不存在", "role");
    if (!n->scope_code || !region_code_valid(n->scope_code))
        return err_set(e, ERR_INVALID, "invalid", "所属区域代码格式不正确", "scope_code");
    int want = role_scope_len(role);
    if (want && (int)strlen(n->scope_code) != want && role != ROLE_RESIDENT)
        return err_set(e, ERR_INVALID, "invalid", "所属区域的层级与角色不符", "scope_code");
    if (by) {
        if (!(account_manageable_roles(by->role) & role))
            return err_set(e, ERR_FORBIDDEN, "forbidden", "无权创建该角色的账号", "role");
        if (!region_in_scope(by->scope, n->scope_code))
            return err_set(e, ERR_FORBIDDEN, "out_of_scope", "所属区域超出您的管辖范围",
                           "scope_code");
    }
    int exists = 0;
    int rc = region_exists(db, n->scope_code, &exists);
    if (rc)
        return rc;
    if (!exists)
        return err_set(e, ERR_INVALID, "invalid", "所属区域不存在", "scope_code");
    if (n->department && role != ROLE_DEPARTMENT_STAFF)
        return err_set(e, ERR_INVALID, "invalid", "只有职能部门账号可以指定部门", "department");
    if (n->department) {
        static const char SQL_DEPT[] = "SELECT 1 FROM departments WHERE county = ? AND code = ?";
        char cty[8];
        int64_t one;
        snprintf(cty, sizeof cty, "%.6s", n->scope_code);
        if ((rc = db_one_i64(db, SQL_DEPT, &one, &exists, S(cty), S(n->department))) != 0)
            return rc;
        if (!exists)
            return err_set(e, ERR_INVALID, "invalid", "部门不存在", "department");
    }
    char phone[12] = "", pmask[16] = "";
    char *penc = NULL;
    if (n->phone && *n->phone) {
        if ((rc = ids_mobile_normalize(n->phone, strlen(n->phone), phone, e)) != 0)
            return rc;
        mask_phone(phone, pmask, sizeof pmask);
        penc = crypto_field_encrypt(registry_keys(), phone, strlen(phone));
    }
    const char *pw = n->password;
    if (n->password_hash) {
        pw = NULL;
    } else if (!pw) {
        crypto_password_random(n->initial_password);
        pw = n->initial_password;
    } else if ((rc = password_policy_check(pw, n->username, e)) != 0 ||
               (rc = password_quality_check(pw, NULL, n->username, e)) != 0) {
        free(penc);
        return rc;
    }
    char hash[crypto_pwhash_STRBYTES];
    if (n->password_hash)
        snprintf(hash, sizeof hash, "%s", n->password_hash);
    else if (crypto_password_hash(pw, hash) != 0) {
        free(penc);
        return err_set(e, ERR_NOMEM, "internal", "密码处理失败", NULL);
    }
    char county[8];
    snprintf(county, sizeof county, "%.6s", n->scope_code);
    n->id = idgen_next();
    db_stmt_t *st = db_prepare(db, SQL_INSERT_USER);
    if (!st) {
        free(penc);
        return ERR_IO;
    }
    db_bind_i64(st, 1, n->id);
    db_bind_text(st, 2, county, -1);
    db_bind_text(st, 3, n->username, -1);
    db_bind_text(st, 4, n->name, -1);
    db_bind_text(st, 5, role_name(role), -1);
    db_bind_text(st, 6, n->scope_code, -1);
    if (n->person_id)
        db_bind_i64(st, 7, n->person_id);
    else
        db_bind_null(st, 7);
    db_bind_text(st, 8, penc, -1);
    db_bind_text(st, 9, penc ? pmask : NULL, -1);
    db_bind_text(st, 10, hash, -1);
    db_bind_i64(st, 11, n->now);
    db_bind_i64(st, 12, n->must_change);
    db_bind_i64(st, 13, n->now);
    if (by)
        db_bind_i64(st, 14, by->id);
    else
        db_bind_null(st, 14);
    db_bind_i64(st, 15, n->totp_exempt ? 1 : 0);
    rc = db_step(st);
    db_reset(st);
    free(penc);
    if (rc == ERR_CONFLICT)
        return err_set(e, ERR_CONFLICT, "conflict", "用户名已被使用", "username");
    if (rc < 0)
        return rc;
    if (n->department && (rc = account_set_department(db, n->id, n->department)) != 0)
        return rc;
    char obj[32];
    snprintf(obj, sizeof obj, "user:%" PRId64, n->id);
    audit_entry_t a = {.who = by,
                       .username = "cli",
                       .county = county,
                       .action = "user_create",
                       .object = obj,
                       .outcome = "ok",
                       .ip = ip,
                       .now = n->now,
                       .detail = n->username};
    return audit_write(db, &a);
}

static const char SQL_FIND_ID[] = "SELECT id, scope_code, role, username FROM users WHERE id = ?";
static const char SQL_FIND_NAME[] =
    "SELECT id, scope_code, role, username FROM users WHERE username = ?";

int account_find_target(db_t *db, const actor_t *by, int64_t id, const char *username,
                        int64_t *out_id, char county[8], err_t *e)
{
    db_stmt_t *st = id > 0 ? db_query(db, SQL_FIND_ID, I(id))
                           : db_query(db, SQL_FIND_NAME, S(username ? username : ""));
    if (!st)
        return ERR_IO;
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_reset(st);
        return rc < 0 ? rc : err_set(e, ERR_NOTFOUND, "not_found", "账号不存在", NULL);
    }
    *out_id = db_col_i64(st, 0);
    char scope[24];
    account_copy(scope, sizeof scope, db_col_text(st, 1));
    role_t role = role_parse(db_col_text(st, 2));
    db_reset(st);
    snprintf(county, 8, "%.6s", scope);
    if (by) {
        /* Outside the scope: answer as if it did not exist (no existence leak). */
        if (!region_in_scope(by->scope, scope))
            return err_set(e, ERR_NOTFOUND, "not_found", "账号不存在", NULL);
        if (!(account_manageable_roles(by->role) & role))
            return err_set(e, ERR_FORBIDDEN, "forbidden", "无权管理该账号", NULL);
    }
    return 0;
}

static const char SQL_DISABLE[] = "UPDATE users SET disabled = ? WHERE id = ?";

int account_set_disabled(db_t *db, const actor_t *by, int64_t id, const char *username,
                         int disabled, const char *ip, int64_t now, err_t *e)
{
    int64_t uid = 0;
    char county[8];
    int rc = account_find_target(db, by, id, username, &uid, county, e);
    if (rc == 0)
        rc = db_run(db, SQL_DISABLE, I((int64_t)(disabled ? 1 : 0)), I(uid));
    /* Disabling ends every session of the account at once. */
    if (rc == 0 && disabled)
        rc = db_run(db, SQL_DEL_SESSIONS, I(uid));
    if (rc == 0) {
        char obj[32];
        snprintf(obj, sizeof obj, "user:%" PRId64, uid);
        audit_entry_t a = {.who = by,
                           .username = "cli",
                           .county = county,
                           .action = disabled ? "user_disable" : "user_enable",
                           .object = obj,
                           .outcome = "ok",
                           .ip = ip,
                           .now = now};
        rc = audit_write(db, &a);
    }
    return rc;
}

static const char SQL_RESET[] =
    "UPDATE users SET pw_hash = ?, pw_changed_at = ?, must_change = 1, failed_count = 0,"
    " locked_until = 0 WHERE id = ?";

int account_reset_password(db_t *db, const actor_t *by, int64_t id, const char *username,
                           const char *new_hash, const char *ip, int64_t now, err_t *e)
{
    int64_t uid = 0;
    char county[8];
    int rc = account_find_target(db, by, id, username, &uid, county, e);
    if (rc)
        return rc;
    char old[ACCOUNT_HASH_MAX];
    rc = account_password_hash_of(db, uid, old);
    if (rc == 0)
        rc = history_keep(db, uid, old, now);
    if (rc == 0)
        rc = db_run(db, SQL_RESET, S(new_hash), I(now), I(uid));
    if (rc == 0)
        rc = db_run(db, SQL_DEL_SESSIONS, I(uid));
    /* From the command line (the operator of the server): the second factor goes too. */
    if (rc == 0 && !by)
        rc = account_totp_clear(db, uid);
    if (rc == 0) {
        char obj[32];
        snprintf(obj, sizeof obj, "user:%" PRId64, uid);
        audit_entry_t a = {.who = by,
                           .username = "cli",
                           .county = county,
                           .action = "password_reset",
                           .object = obj,
                           .outcome = "ok",
                           .ip = ip,
                           .now = now};
        rc = audit_write(db, &a);
    }
    return rc;
}

/* ---------- views ---------- */

#define USER_COLS                                                                                  \
    "u.id, u.username, u.name, u.role, u.scope_code, u.disabled, u.must_change,"                   \
    " u.last_login_at, u.phone_masked, u.created_at, r.name, u.person_id, u.previous_login_at,"    \
    " u.department, CASE WHEN u.totp_secret_enc IS NULL THEN 0 ELSE 1 END, u.totp_exempt"

static json_t *user_json(db_stmt_t *st)
{
    char id[24];
    snprintf(id, sizeof id, "%" PRId64, db_col_i64(st, 0));
    role_t role = role_parse(db_col_text(st, 3));
    json_t *o = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s?,s:b,s:b,s:s?,s:I}", "id", id, "username", db_col_text(st, 1),
        "name", db_col_text(st, 2), "role", db_col_text(st, 3), "role_label", role_label(role),
        "scope_code", db_col_text(st, 4), "scope_name", db_col_text(st, 10), "disabled",
        (int)db_col_i64(st, 5), "must_change_password", (int)db_col_i64(st, 6), "phone_masked",
        db_col_text(st, 8), "created_at", (json_int_t)db_col_i64(st, 9));
    json_object_set_new(o, "last_login_at",
                        db_col_isnull(st, 7) ? json_null() : json_integer(db_col_i64(st, 7)));
    json_object_set_new(o, "previous_login_at",
                        db_col_isnull(st, 12) ? json_null() : json_integer(db_col_i64(st, 12)));
    if (db_col_text(st, 13))
        json_object_set_new(o, "department", json_string(db_col_text(st, 13)));
    json_object_set_new(o, "totp_enabled", json_boolean(db_col_i64(st, 14)));
    json_object_set_new(o, "totp_required",
                        json_boolean((role & ACCOUNT_TOTP_ROLES) && !db_col_i64(st, 15)));
    if (!db_col_isnull(st, 11)) {
        snprintf(id, sizeof id, "%" PRId64, db_col_i64(st, 11));
        json_object_set_new(o, "person_id", json_string(id));
    }
    return o;
}

static const char SQL_LIST_USERS[] =
    "SELECT " USER_COLS " FROM users u LEFT JOIN regions r ON r.code = u.scope_code"
    " WHERE u.scope_code >= ? AND u.scope_code < ? AND u.id < ?"
    " AND (? = '' OR u.role = ?) AND (? = '' OR u.username LIKE ? OR u.name LIKE ?)"
    " ORDER BY u.id DESC LIMIT ?";

json_t *account_list(db_t *db, const actor_t *by, const char *role, const char *q,
                     const char *cursor, int limit, int *rc)
{
    char hi[32], like[128];
    snprintf(hi, sizeof hi, "%s~", by->scope);
    snprintf(like, sizeof like, "%%%s%%", q ? q : "");
    int64_t before = listing_cursor(cursor, INT64_MAX);
    const char *r = role ? role : "", *qq = q ? q : "";
    db_stmt_t *st = db_query(db, SQL_LIST_USERS, S(by->scope), S(hi), I(before), S(r), S(r), S(qq),
                             S(like), S(like), I((int64_t)limit + 1));
    return listing_page(st, limit, user_json, rc);
}

static const char SQL_GET_USER[] =
    "SELECT " USER_COLS " FROM users u LEFT JOIN regions r ON r.code = u.scope_code"
    " WHERE u.id = ?";

json_t *account_get(db_t *db, const actor_t *by, int64_t id, int *rc)
{
    db_stmt_t *st = db_query(db, SQL_GET_USER, I(id));
    if (!st) {
        *rc = ERR_IO;
        return NULL;
    }
    int s = db_step(st);
    json_t *o = NULL;
    if (s == DB_ROW && (!by || region_in_scope(by->scope, db_col_text(st, 4))))
        o = user_json(st);
    db_reset(st);
    *rc = o ? 0 : (s < 0 ? s : ERR_NOTFOUND);
    return o;
}

static const char SQL_SET_DEPT[] = "UPDATE users SET department = ? WHERE id = ?";

int account_set_department(db_t *db, int64_t user_id, const char *dept_code)
{
    return db_run(db, SQL_SET_DEPT, S(dept_code), I(user_id));
}
