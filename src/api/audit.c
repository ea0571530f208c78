/* audit.c — the audit log for county admins and auditors: search by who, what, when, outcome
 * and object (keyset pages), the labels of every event, and a CSV export that is itself audited
 * (等保 GB/T 22239: audit records are reviewed and kept; PIPL Art. 55). Rows are those of the
 * caller's county (accounts/audit.c). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "domain/accounts/accounts.h"
#include "lib/utf8.h"

#define EXPORT_MAX_ROWS 50000
#define EXPORT_MAX_BYTES (48u << 20)

static int bad(http_ctx_t *c, const char *message, const char *field)
{
    http_reply_fail(c, ERR_INVALID, "invalid", message, field);
    return ERR_INVALID;
}

/* An epoch-ms query value: 0 when absent. */
static int epoch_ms(http_ctx_t *c, const char *name, int64_t *out)
{
    const char *s = http_query(c, name);
    *out = 0;
    if (!s || !*s)
        return 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end || v < 0)
        return bad(c, "时间应为毫秒时间戳（非负整数）", name);
    *out = v;
    return 0;
}

/* Text query value: NULL when absent or empty; refused when longer than max bytes, not UTF-8,
 * or holding control characters. */
static int text(http_ctx_t *c, const char *name, size_t max, const char **out)
{
    const char *s = http_query(c, name);
    *out = s && *s ? s : NULL;
    if (!*out)
        return 0;
    size_t n = strlen(s);
    int ok = n <= max && utf8_valid(s, n);
    for (size_t i = 0; ok && i < n; i++)
        ok = (unsigned char)s[i] >= 0x20 && s[i] != 0x7f;
    return ok ? 0 : bad(c, "筛选条件过长或含有非法字符", name);
}

/* The filters of both the list and the export; 0, or the 400 sent. */
static int filters(http_ctx_t *c, audit_filter_t *f)
{
    memset(f, 0, sizeof *f);
    if (text(c, "username", 64, &f->username) || text(c, "action", 40, &f->action) ||
        text(c, "outcome", 10, &f->outcome) || text(c, "object", 100, &f->object) ||
        epoch_ms(c, "from", &f->from) || epoch_ms(c, "to", &f->to))
        return ERR_INVALID;
    for (const char *p = f->action; p && *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || *p == '_' || (*p >= '0' && *p <= '9')))
            return bad(c, "事件代码无效", "action");
    if (f->outcome && strcmp(f->outcome, "ok") && strcmp(f->outcome, "failed") &&
        strcmp(f->outcome, "denied"))
        return bad(c, "结果应为 ok、failed 或 denied", "outcome");
    for (const char *p = f->object; p && *p; p++)
        if ((unsigned char)*p > 0x7d)
            return bad(c, "对象应为“类型:编号”形式，例如 person:123", "object");
    if (f->from && f->to && f->from >= f->to)
        return bad(c, "开始时间应早于结束时间", "from");
    return 0;
}

int api_audit_list(http_ctx_t *c)
{
    int limit, rc;
    const char *cursor;
    audit_filter_t f;
    if (http_limit(c, &limit) || api_cursor(c, &cursor) || filters(c, &f))
        return 0;
    json_t *o = audit_list(http_db(c), http_user(c), &f, cursor, limit, &rc);
    return api_reply(c, o, rc, NULL);
}

int api_audit_actions(http_ctx_t *c) { return api_reply(c, audit_actions(), ERR_IO, NULL); }

/* ---- export: the rows are read, the export is audited, then the file is sent ---- */

typedef struct {
    http_ctx_t *c;
    buf_t csv;
    int rows;
    char detail[512];
} export_arg_t;

static int export_write(db_t *db, void *arg, err_t *e)
{
    (void)e;
    export_arg_t *a = arg;
    audit_entry_t ae = {.who = http_user(a->c),
                        .action = "audit_export",
                        .object = NULL,
                        .outcome = "ok",
                        .ip = http_ip(a->c),
                        .now = http_now(a->c),
                        .detail = a->detail};
    return audit_write(db, &ae);
}

static void export_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    export_arg_t *a = arg;
    if (rc)
        http_reply_error(c, e);
    else {
        char cd[96];
        snprintf(cd, sizeof cd, "attachment; filename=\"audit-%s-%" PRId64 ".csv\"",
                 http_user(c)->county, http_now(c));
        http_set_header(c, "content-disposition", cd);
        http_reply_raw(c, 200, "text/csv; charset=utf-8", a->csv.p, a->csv.len);
    }
    buf_free(&a->csv);
}

/* What the export was asked for, in the audit row: the filters and the number of rows. */
static void export_detail(export_arg_t *a, const audit_filter_t *f)
{
    snprintf(a->detail, sizeof a->detail,
             "rows=%d username=%s action=%s outcome=%s from=%" PRId64 " to=%" PRId64 " object=%s",
             a->rows, f->username ? f->username : "*", f->action ? f->action : "*",
             f->outcome ? f->outcome : "*", f->from, f->to, f->object ? f->object : "*");
}

int api_audit_export(http_ctx_t *c)
{
    audit_filter_t f;
    if (filters(c, &f))
        return 0;
    export_arg_t *a = http_alloc(c, sizeof *a);
    memset(a, 0, sizeof *a);
    a->c = c;
    buf_init(&a->csv, EXPORT_MAX_BYTES);
    int rc = audit_csv(http_db(c), http_user(c), &f, EXPORT_MAX_ROWS, &a->csv, &a->rows);
    if (rc) {
        buf_free(&a->csv);
        if (rc == ERR_TOOLARGE)
            http_reply_fail(c, ERR_TOOLARGE, "too_large", "导出内容过大，请缩小时间范围后再导出",
                            NULL);
        else
            http_reply_fail(c, rc, NULL, NULL, NULL);
        return 0;
    }
    export_detail(a, &f);
    http_write(c, export_write, a, export_done);
    return 0;
}
