/* users.c — account management inside the caller's scope (the audit log: audit.c). */
#include <string.h>
#include "api/api.h"
#include "domain/accounts/accounts.h"

int api_users_list(http_ctx_t *c)
{
    int limit;
    const char *cursor;
    if (http_limit(c, &limit) || api_cursor(c, &cursor))
        return 0;
    const char *role = http_query(c, "role");
    if (role && *role && !role_parse(role)) {
        http_reply_fail(c, ERR_INVALID, "invalid", "角色不存在", "role");
        return 0;
    }
    const char *q = http_query(c, "q");
    if (q && strlen(q) > 60) {
        http_reply_fail(c, ERR_INVALID, "invalid", "搜索词过长", "q");
        return 0;
    }
    int rc;
    json_t *o = account_list(http_db(c), http_user(c), role, q, cursor, limit, &rc);
    return api_reply(c, o, rc, NULL);
}

typedef struct {
    account_new_t n;
    http_ctx_t *c;
    char hash[ACCOUNT_HASH_MAX];
} create_arg_t;

/* On a worker thread: the initial password and its argon2id hash. */
static int create_prepare(db_t *db, void *arg, err_t *e)
{
    (void)db;
    create_arg_t *a = arg;
    if (account_initial_password(a->n.initial_password, a->hash) != 0)
        return err_set(e, ERR_NOMEM, "internal", "密码处理失败", NULL);
    a->n.password_hash = a->hash;
    return 0;
}

static int create_write(db_t *db, void *arg, err_t *e)
{
    create_arg_t *a = arg;
    return account_create(db, http_user(a->c), &a->n, http_ip(a->c), e);
}

static void create_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    create_arg_t *a = arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    int r;
    json_t *u = account_get(http_db(c), NULL, a->n.id, &r);
    /* The initial password is shown once, here; only its hash is kept. */
    http_reply_json(c, 201,
                    json_pack("{s:o*,s:s}", "user", u, "initial_password", a->n.initial_password));
}

static void create_prepared(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    if (rc)
        http_reply_error(c, e);
    else
        http_write(c, create_write, arg, create_done);
}

int api_users_create(http_ctx_t *c)
{
    static const char *const fields[] = {"username", "name",       "role", "scope_code",
                                         "phone",    "department", NULL};
    json_t *body;
    create_arg_t *a = http_alloc(c, sizeof *a);
    if (http_body(c, &body) || http_only_fields(c, body, fields) ||
        api_str(c, body, "username", 1, &a->n.username) ||
        api_str(c, body, "name", 1, &a->n.name) || api_str(c, body, "role", 1, &a->n.role) ||
        api_str(c, body, "scope_code", 1, &a->n.scope_code) ||
        api_str(c, body, "phone", 0, &a->n.phone) ||
        api_str(c, body, "department", 0, &a->n.department))
        return 0;
    a->n.must_change = 1;
    a->n.now = http_now(c);
    a->c = c;
    http_defer(c, create_prepare, a, create_prepared);
    return 0;
}

typedef struct {
    http_ctx_t *c;
    int64_t id;
    int op; /* 0 enable, 1 disable, 2 reset password, 3 reset the second factor */
    char pw[20];
    char hash[ACCOUNT_HASH_MAX];
} manage_arg_t;

static int reset_prepare(db_t *db, void *arg, err_t *e)
{
    (void)db;
    manage_arg_t *a = arg;
    return account_initial_password(a->pw, a->hash) == 0
               ? 0
               : err_set(e, ERR_NOMEM, "internal", "密码处理失败", NULL);
}

static int manage_write(db_t *db, void *arg, err_t *e)
{
    manage_arg_t *a = arg;
    if (a->op == 2)
        return account_reset_password(db, http_user(a->c), a->id, NULL, a->hash, http_ip(a->c),
                                      http_now(a->c), e);
    if (a->op == 3)
        return account_totp_reset(db, http_user(a->c), a->id, http_ip(a->c), http_now(a->c), e);
    return account_set_disabled(db, http_user(a->c), a->id, NULL, a->op, http_ip(a->c),
                                http_now(a->c), e);
}

static void manage_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    manage_arg_t *a = arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    if (a->op == 2) {
        http_reply_json(c, 200, json_pack("{s:s}", "initial_password", a->pw));
        return;
    }
    int r;
    json_t *u = account_get(http_db(c), NULL, a->id, &r);
    api_reply(c, u ? json_pack("{s:o}", "user", u) : NULL, r, "账号不存在");
}

static void reset_prepared(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    if (rc)
        http_reply_error(c, e);
    else
        http_write(c, manage_write, arg, manage_done);
}

static int manage(http_ctx_t *c, int op)
{
    int64_t id = api_path_id(c, 0);
    if (!id)
        return 0;
    if (id == http_user(c)->id) {
        http_reply_fail(c, ERR_FORBIDDEN, "forbidden", "不能对自己的账号执行此操作", NULL);
        return 0;
    }
    manage_arg_t *a = http_alloc(c, sizeof *a);
    a->c = c;
    a->id = id;
    a->op = op;
    if (op == 2)
        http_defer(c, reset_prepare, a, reset_prepared);
    else
        http_write(c, manage_write, a, manage_done);
    return 0;
}

int api_user_disable(http_ctx_t *c) { return manage(c, 1); }
int api_user_enable(http_ctx_t *c) { return manage(c, 0); }
int api_user_reset(http_ctx_t *c) { return manage(c, 2); }
int api_user_reset_totp(http_ctx_t *c) { return manage(c, 3); }
