/* twofactor.c — one's own second factor (两步验证, 等保 level 3): setup gives the secret as text,
 * as an otpauth:// URI and as a QR code; enable confirms it with a first code and shows the
 * recovery codes once; disable (where the role allows) takes a current code. */
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "lib/qrsvg.h"

/* The name authenticator apps show above the code. */
static const char ISSUER[] = "基层治理";

typedef struct {
    http_ctx_t *c;
    char secret[TOTP_SECRET_LEN + 1];
    const char *code;
    int refused;
    char codes[TOTP_RECOVERY_COUNT][TOTP_RECOVERY_LEN + 1];
} totp_arg_t;

static int setup_write(db_t *db, void *arg, err_t *e)
{
    totp_arg_t *a = arg;
    return account_totp_setup(db, http_session(a->c), a->secret, http_ip(a->c), http_now(a->c), e);
}

static void setup_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    totp_arg_t *a = arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    char *uri = totp_uri(ISSUER, http_user(c)->username, a->secret);
    size_t n = 0;
    char *svg = qrsvg_encode(uri, "两步验证二维码", &n);
    json_t *o = json_pack("{s:s,s:s,s:s?,s:i,s:i}", "secret", a->secret, "otpauth_uri", uri,
                          "qr_svg", svg, "digits", TOTP_DIGITS, "period", TOTP_STEP_S);
    free(uri);
    free(svg);
    http_reply_json(c, 200, o);
}

int api_auth_totp_setup(http_ctx_t *c)
{
    totp_arg_t *a = http_alloc(c, sizeof *a);
    a->c = c;
    totp_secret_new(a->secret);
    http_write(c, setup_write, a, setup_done);
    return 0;
}

/* The body {"code": "..."} of enable and disable. Replies 400 itself on a bad body. */
static totp_arg_t *code_arg(http_ctx_t *c)
{
    static const char *const fields[] = {"code", NULL};
    json_t *body;
    totp_arg_t *a = http_alloc(c, sizeof *a);
    a->c = c;
    if (http_body(c, &body) || http_only_fields(c, body, fields) ||
        api_str(c, body, "code", 1, &a->code))
        return NULL;
    if (!*a->code || strlen(a->code) > 32) {
        http_reply_fail(c, ERR_INVALID, "invalid", "请输入验证器应用显示的 6 位数字", "code");
        return NULL;
    }
    return a;
}

static int enable_write(db_t *db, void *arg, err_t *e)
{
    totp_arg_t *a = arg;
    return account_totp_enable(db, http_session(a->c), a->code, http_ip(a->c), http_now(a->c),
                               a->codes, e);
}

static void enable_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    totp_arg_t *a = arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    json_t *codes = json_array();
    for (int i = 0; i < TOTP_RECOVERY_COUNT; i++)
        json_array_append_new(codes, json_string(a->codes[i]));
    http_reply_json(c, 200, json_pack("{s:o}", "recovery_codes", codes));
}

int api_auth_totp_enable(http_ctx_t *c)
{
    totp_arg_t *a = code_arg(c);
    if (a)
        http_write(c, enable_write, a, enable_done);
    return 0;
}

static int disable_write(db_t *db, void *arg, err_t *e)
{
    totp_arg_t *a = arg;
    return account_totp_disable(db, http_session(a->c), a->code, http_ip(a->c), http_now(a->c),
                                &a->refused, e);
}

static void disable_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    totp_arg_t *a = arg;
    if (rc)
        http_reply_error(c, e);
    else if (a->refused == ERR_LOCKED)
        http_reply_fail(c, ERR_LOCKED, "locked", ACCOUNT_LOCKED_MESSAGE, NULL);
    else if (a->refused)
        http_reply_fail(c, ERR_INVALID, "bad_code", "动态验证码或恢复码不正确", "code");
    else
        http_reply_empty(c, 204);
}

int api_auth_totp_disable(http_ctx_t *c)
{
    totp_arg_t *a = code_arg(c);
    if (a)
        http_write(c, disable_write, a, disable_done);
    return 0;
}
