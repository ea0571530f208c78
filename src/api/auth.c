/* auth.c — sign in (password, then a second factor where the account has one), sign out, who
 * am I, change password. */
#include <string.h>
#include "api/api.h"
#include "domain/points/points.h"
#include "domain/registry/registry.h"

static json_t *me_json(http_ctx_t *c, const account_session_t *u)
{
    int rc;
    json_t *o = account_get(http_db(c), NULL, u->actor.id, &rc);
    if (o) {
        /* The session's own view wins: a password older than 90 days must be changed. */
        json_object_set_new(o, "must_change_password", json_boolean(u->must_change));
        json_object_set_new(o, "county", json_string(u->actor.county));
        /* Which menus of the points system lead somewhere (多伦县 and 临河区 do not run it). */
        int county = 0, here = 0;
        if (points_scope_runs(http_db(c), u->actor.scope, &county, &here) != 0) {
            json_decref(o);
            return NULL;
        }
        json_object_set_new(o, "points", json_pack("{s:b,s:b}", "county", county, "here", here));
    }
    return o;
}

static int login_write(db_t *db, void *arg, err_t *e) { return account_login_commit(db, arg, e); }

static int second_write(db_t *db, void *arg, err_t *e) { return account_login_second(db, arg, e); }

/* The reply of either sign-in step: a refusal, a challenge for the code, or the session. */
static void login_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    account_login_t *l = arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    if (l->outcome) {
        http_reply_fail(c, l->outcome, l->code, l->message, l->field);
        return;
    }
    if (l->challenge[0]) {
        http_reply_json(c, 200,
                        json_pack("{s:s,s:s,s:I}", "second_factor", "totp", "challenge",
                                  l->challenge, "expires_in",
                                  (json_int_t)(ACCOUNT_CHALLENGE_MS / 1000)));
        return;
    }
    char cookie[128];
    snprintf(cookie, sizeof cookie, "jiceng_session=%s%s", l->token, http_cookie_attrs());
    http_set_header(c, "set-cookie", cookie);
    json_t *user = me_json(c, &l->user);
    http_reply_json(c, 200, json_pack("{s:s,s:o*}", "token", l->token, "user", user));
}

typedef struct {
    account_login_t l;
    const char *password;
} login_arg_t;

/* On a worker thread: argon2id stays off the loop threads and off the writer. */
static int login_check(db_t *db, void *arg, err_t *e)
{
    (void)db;
    (void)e;
    login_arg_t *a = arg;
    account_login_check(&a->l, a->password);
    return 0;
}

static void login_checked(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    login_arg_t *a = arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    http_write(c, login_write, &a->l, login_done);
}

int api_auth_login(http_ctx_t *c)
{
    static const char *const fields[] = {"username", "password", NULL};
    json_t *body;
    const char *username, *password;
    if (http_body(c, &body) || http_only_fields(c, body, fields) ||
        api_str(c, body, "username", 1, &username) || api_str(c, body, "password", 1, &password))
        return 0;
    if (!*username || strlen(username) > 64 || !*password || strlen(password) > 128) {
        http_reply_fail(c, ERR_UNAUTH, "bad_credentials", "用户名或密码错误", NULL);
        return 0;
    }
    login_arg_t *a = http_alloc(c, sizeof *a);
    a->l.username = http_strdup(c, username);
    a->l.ip = http_ip(c);
    a->l.user_agent = http_header(c, "user-agent");
    a->l.now = http_now(c);
    a->password = http_strdup(c, password);
    account_login_lookup(http_db(c), &a->l);
    http_defer(c, login_check, a, login_checked);
    return 0;
}

static int logout_write(db_t *db, void *arg, err_t *e)
{
    (void)e;
    http_ctx_t *c = arg;
    return account_logout(db, http_session(c), http_ip(c), http_now(c));
}

static void logout_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    (void)arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    char cookie[128];
    snprintf(cookie, sizeof cookie, "jiceng_session=%s; Max-Age=0", http_cookie_attrs());
    http_set_header(c, "set-cookie", cookie);
    http_reply_empty(c, 204);
}

int api_auth_login_totp(http_ctx_t *c)
{
    static const char *const fields[] = {"challenge", "code", NULL};
    json_t *body;
    const char *challenge, *code;
    if (http_body(c, &body) || http_only_fields(c, body, fields) ||
        api_str(c, body, "challenge", 1, &challenge) || api_str(c, body, "code", 1, &code))
        return 0;
    if (!*code || strlen(code) > 32) {
        http_reply_fail(c, ERR_UNAUTH, "bad_code", "动态验证码或恢复码不正确", "code");
        return 0;
    }
    account_login_t *l = http_alloc(c, sizeof *l);
    if (strlen(challenge) >= sizeof l->challenge) {
        http_reply_fail(c, ERR_UNAUTH, "challenge_expired",
                        "登录验证已超时，请重新输入用户名和密码", NULL);
        return 0;
    }
    snprintf(l->challenge, sizeof l->challenge, "%s", challenge);
    l->second = http_strdup(c, code);
    l->ip = http_ip(c);
    l->user_agent = http_header(c, "user-agent");
    l->now = http_now(c);
    http_write(c, second_write, l, login_done);
    return 0;
}

int api_auth_logout(http_ctx_t *c)
{
    http_write(c, logout_write, c, logout_done);
    return 0;
}

int api_auth_me(http_ctx_t *c)
{
    json_t *u = me_json(c, http_session(c));
    return api_reply(c, u ? json_pack("{s:o}", "user", u) : NULL, ERR_NOTFOUND, "账号不存在");
}

typedef struct {
    account_pw_change_t p;
    http_ctx_t *c;
} pw_arg_t;

static int pw_check(db_t *db, void *arg, err_t *e)
{
    (void)db;
    pw_arg_t *a = arg;
    return account_password_change_check(&a->p, http_user(a->c)->username, e);
}

static int pw_write(db_t *db, void *arg, err_t *e)
{
    pw_arg_t *a = arg;
    return account_change_password(db, http_session(a->c), &a->p, http_ip(a->c), http_now(a->c), e);
}

static void pw_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    pw_arg_t *a = arg;
    if (rc)
        http_reply_error(c, e);
    else if (a->p.outcome == ERR_LOCKED)
        http_reply_fail(c, ERR_LOCKED, "locked", ACCOUNT_LOCKED_MESSAGE, NULL);
    else if (a->p.outcome)
        http_reply_fail(c, ERR_INVALID, "bad_credentials", "原密码不正确", "old_password");
    else
        http_reply_empty(c, 204);
}

static void pw_checked(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    http_write(c, pw_write, arg, pw_done);
}

int api_auth_password(http_ctx_t *c)
{
    static const char *const fields[] = {"old_password", "new_password", NULL};
    json_t *body;
    pw_arg_t *a = http_alloc(c, sizeof *a);
    if (http_body(c, &body) || http_only_fields(c, body, fields) ||
        api_str(c, body, "old_password", 1, &a->p.old_pw) ||
        api_str(c, body, "new_password", 1, &a->p.new_pw))
        return 0;
    a->c = c;
    if (account_password_change_load(http_db(c), http_user(c)->id, http_now(c), &a->p) != 0) {
        http_reply_fail(c, ERR_UNAUTH, "unauthenticated", "账号不存在", NULL);
        return 0;
    }
    /* Locked: no argon2id is spent on a guess that is refused anyway; the write records it. */
    if (a->p.locked)
        http_write(c, pw_write, a, pw_done);
    else
        http_defer(c, pw_check, a, pw_checked);
    return 0;
}
