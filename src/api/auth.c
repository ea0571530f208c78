/* auth.c — login, logout, who am I, change password. */
#include <string.h>
#include "api/api.h"
#include "domain/region.h"

static json_t *me_json(http_ctx_t *c, const account_user_t *u)
{
    int rc;
    json_t *o = account_get(http_db(c), NULL, u->id, &rc);
    if (o) {
        /* The session's own view wins: a password older than 90 days must be changed. */
        json_object_set_new(o, "must_change_password", json_boolean(u->must_change));
        json_object_set_new(o, "county", json_string(u->county));
    }
    return o;
}

static int login_write(db_t *db, void *arg, err_t *e) { return account_login_commit(db, arg, e); }

static void login_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    account_login_t *l = arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    if (l->outcome) {
        http_reply_fail(c, l->outcome, l->outcome == ERR_LOCKED ? "locked" : "bad_credentials",
                        l->message, NULL);
        return;
    }
    char cookie[128];
    snprintf(cookie, sizeof cookie, "jiceng_session=%s; Path=/; HttpOnly; SameSite=Strict",
             l->token);
    http_set_header(c, "set-cookie", cookie);
    json_t *user = me_json(c, &l->user);
    http_reply_json(c, 200, json_pack("{s:s,s:o*}", "token", l->token, "user", user));
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
    account_login_t *l = http_alloc(c, sizeof *l);
    l->username = http_strdup(c, username);
    l->ip = http_ip(c);
    l->user_agent = http_header(c, "user-agent");
    l->now = http_now(c);
    /* argon2id is slow on purpose; it runs here, before the write, so the writer stays free. */
    account_login_verify(http_db(c), l, password);
    http_write(c, login_write, l, login_done);
    return 0;
}

static int logout_write(db_t *db, void *arg, err_t *e)
{
    (void)e;
    http_ctx_t *c = arg;
    return account_logout(db, http_user(c), http_ip(c), http_now(c));
}

static void logout_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    (void)arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    http_set_header(c, "set-cookie", "jiceng_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    http_reply_empty(c, 204);
}

int api_auth_logout(http_ctx_t *c)
{
    http_write(c, logout_write, c, logout_done);
    return 0;
}

int api_auth_me(http_ctx_t *c)
{
    json_t *u = me_json(c, http_user(c));
    return api_reply(c, u ? json_pack("{s:o}", "user", u) : NULL, ERR_NOTFOUND, "账号不存在");
}

typedef struct {
    const char *old_pw, *new_pw;
    http_ctx_t *c;
} pw_arg_t;

static int pw_write(db_t *db, void *arg, err_t *e)
{
    pw_arg_t *a = arg;
    return account_change_password(db, http_user(a->c), a->old_pw, a->new_pw, http_ip(a->c),
                                   http_now(a->c), e);
}

static void pw_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    (void)arg;
    if (rc)
        http_reply_error(c, e);
    else
        http_reply_empty(c, 204);
}

int api_auth_password(http_ctx_t *c)
{
    static const char *const fields[] = {"old_password", "new_password", NULL};
    json_t *body;
    pw_arg_t *a = http_alloc(c, sizeof *a);
    if (http_body(c, &body) || http_only_fields(c, body, fields) ||
        api_str(c, body, "old_password", 1, &a->old_pw) ||
        api_str(c, body, "new_password", 1, &a->new_pw))
        return 0;
    a->c = c;
    http_write(c, pw_write, a, pw_done);
    return 0;
}
