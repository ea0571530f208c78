/* audit.c — append and list audit rows. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/* Every action this build writes (grep `.action =` and the audit helpers' calls), with the
 * Chinese an auditor reads. A code missing here shows as itself; tests/api/audit.test.js finds
 * the codes in src/ and fails on one without a label. */
static const struct {
    const char *code, *label;
} ACTIONS[] = {
    {"login", "登录"},
    {"login_challenge", "登录（待两步验证）"},
    {"login_failed", "登录失败"},
    {"logout", "退出登录"},
    {"password_change", "修改密码"},
    {"password_reset", "重置密码"},
    {"user_create", "新建账号"},
    {"user_disable", "停用账号"},
    {"user_enable", "启用账号"},
    {"totp_setup", "开始设置两步验证"},
    {"totp_enable", "启用两步验证"},
    {"totp_disable", "关闭两步验证"},
    {"totp_reset", "重置两步验证"},
    {"sensitive_read", "查看完整证件号和电话"},
    {"audit_export", "导出审计日志"},
    {"county_settings_update", "修改县级设置"},
    {"category_create", "新增诉求分类"},
    {"category_update", "修改诉求分类"},
    {"open311_create", "外部系统上报诉求（Open311）"},
    {"points_enable", "启用积分制"},
    {"points_settings_update", "修改积分设置"},
    {"indicator_create", "新增积分指标"},
    {"indicator_update", "修改积分指标"},
    {"indicator_copy_template", "复制县级指标模板"},
    {"points_rule_create", "新增自动积分规则"},
    {"points_rule_enable", "启用自动积分规则"},
    {"points_rule_disable", "停用自动积分规则"},
    {"points_reverse", "冲正积分"},
    {"points_adjust", "调整积分"},
    {"goods_create", "新增兑换商品"},
    {"goods_update", "修改兑换商品"},
    {"order_cancel", "取消兑换订单"},
    {"order_handover", "核销兑换码"},
    {"handover_locked", "暂停核销（兑换码输错过多）"},
};

const char *audit_action_label(const char *action)
{
    for (size_t i = 0; action && i < sizeof ACTIONS / sizeof ACTIONS[0]; i++)
        if (strcmp(ACTIONS[i].code, action) == 0)
            return ACTIONS[i].label;
    return action;
}

json_t *audit_actions(void)
{
    json_t *items = json_array();
    for (size_t i = 0; i < sizeof ACTIONS / sizeof ACTIONS[0]; i++)
        json_array_append_new(
            items, json_pack("{s:s,s:s}", "code", ACTIONS[i].code, "label", ACTIONS[i].label));
    return json_pack("{s:o}", "items", items);
}

/* One query for the list and the export: the county, then each filter either off (its flag
 * value) or on. The object filter is a prefix range, like region scopes. The account is found
 * by its username (unique, never changed), so that a failed sign-in of a known account — written
 * before anyone is signed in — still names the person and the role. */
static const char SQL_LIST[] =
    "SELECT a.id, a.at, a.user_id, a.username, COALESCE(a.role, u.role), a.action, a.object,"
    " a.outcome, a.ip, a.detail, u.name FROM audit a LEFT JOIN users u ON u.username = a.username"
    " WHERE a.county = ? AND a.id < ?"
    " AND (? = '' OR a.username = ?) AND (? = '' OR a.action = ?) AND (? = '' OR a.outcome = ?)"
    " AND a.at >= ? AND a.at < ? AND (? = '' OR (a.object >= ? AND a.object < ?))"
    " ORDER BY a.id DESC LIMIT ?";

enum {
    COL_ID,
    COL_AT,
    COL_USER,
    COL_USERNAME,
    COL_ROLE,
    COL_ACTION,
    COL_OBJECT,
    COL_OUTCOME,
    COL_IP,
    COL_DETAIL,
    COL_NAME
};

static db_stmt_t *list_query(db_t *db, const actor_t *who, const audit_filter_t *f, int64_t before,
                             int64_t limit)
{
    const char *user = f->username ? f->username : "", *action = f->action ? f->action : "";
    const char *outcome = f->outcome ? f->outcome : "", *object = f->object ? f->object : "";
    char hi[160];
    snprintf(hi, sizeof hi, "%s~", object); /* object texts are ASCII below '~' */
    return db_query(db, SQL_LIST, S(who->county), I(before), S(user), S(user), S(action), S(action),
                    S(outcome), S(outcome), I(f->from), I(f->to ? f->to : INT64_MAX), S(object),
                    S(object), S(hi), I(limit));
}

static const char *role_text(const char *role)
{
    role_t r = role ? role_parse(role) : 0;
    return r ? role_label(r) : role;
}

static json_t *audit_json(db_stmt_t *st)
{
    char idbuf[24];
    snprintf(idbuf, sizeof idbuf, "%" PRId64, db_col_i64(st, COL_ID));
    const char *action = db_col_text(st, COL_ACTION), *role = db_col_text(st, COL_ROLE);
    json_t *o =
        json_pack("{s:s,s:I,s:s?,s:s?,s:s?,s:s?,s:s,s:s,s:s?,s:s,s:s?,s:s?}", "id", idbuf, "at",
                  (json_int_t)db_col_i64(st, COL_AT), "username", db_col_text(st, COL_USERNAME),
                  "name", db_col_text(st, COL_NAME), "role", role, "role_label", role_text(role),
                  "action", action, "action_label", audit_action_label(action), "object",
                  db_col_text(st, COL_OBJECT), "outcome", db_col_text(st, COL_OUTCOME), "ip",
                  db_col_text(st, COL_IP), "detail", db_col_text(st, COL_DETAIL));
    if (!db_col_isnull(st, COL_USER)) {
        snprintf(idbuf, sizeof idbuf, "%" PRId64, db_col_i64(st, COL_USER));
        json_object_set_new(o, "user_id", json_string(idbuf));
    }
    return o;
}

json_t *audit_list(db_t *db, const actor_t *who, const audit_filter_t *f, const char *cursor,
                   int limit, int *rc)
{
    db_stmt_t *st = list_query(db, who, f, listing_cursor(cursor, INT64_MAX), (int64_t)limit + 1);
    return listing_page(st, limit, audit_json, rc);
}

/* One CSV field: quoted when it holds a comma, quote or line break; quotes doubled. A leading
 * = + - @ is prefixed with ' so that a spreadsheet never runs it as a formula. */
static int csv_field(buf_t *b, const char *s, int last)
{
    s = s ? s : "";
    int rc = 0;
    if (*s == '=' || *s == '+' || *s == '-' || *s == '@')
        rc = buf_addstr(b, "'");
    if (rc == 0 && strpbrk(s, ",\"\r\n")) {
        rc = buf_addstr(b, "\"");
        for (const char *p = s; rc == 0 && *p; p++)
            rc = *p == '"' ? buf_addstr(b, "\"\"") : buf_add(b, p, 1);
        if (rc == 0)
            rc = buf_addstr(b, "\"");
    } else if (rc == 0) {
        rc = buf_addstr(b, s);
    }
    return rc ? rc : buf_addstr(b, last ? "\r\n" : ",");
}

static const char *outcome_text(const char *o)
{
    return !o                     ? ""
           : !strcmp(o, "ok")     ? "成功"
           : !strcmp(o, "failed") ? "失败"
           : !strcmp(o, "denied") ? "拒绝"
                                  : o;
}

static int csv_row(buf_t *b, db_stmt_t *st)
{
    char when[32];
    int64_t at = db_col_i64(st, COL_AT) + 8 * 3600000LL; /* China time */
    time_t t = (time_t)(at / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    const char *action = db_col_text(st, COL_ACTION), *role = db_col_text(st, COL_ROLE);
    const char *f[] = {when,
                       db_col_text(st, COL_USERNAME),
                       db_col_text(st, COL_NAME),
                       role_text(role),
                       audit_action_label(action),
                       action,
                       db_col_text(st, COL_OBJECT),
                       outcome_text(db_col_text(st, COL_OUTCOME)),
                       db_col_text(st, COL_IP),
                       db_col_text(st, COL_DETAIL)};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof f / sizeof f[0]; i++)
        rc = csv_field(b, f[i], i + 1 == sizeof f / sizeof f[0]);
    return rc;
}

int audit_csv(db_t *db, const actor_t *who, const audit_filter_t *f, int max, buf_t *out, int *rows)
{
    *rows = 0;
    int rc = buf_addstr(
        out, "\xEF\xBB\xBF时间（北京时间）,用户名,姓名,角色,事件,事件代码,对象,结果,IP,详情\r\n");
    db_stmt_t *st = rc ? NULL : list_query(db, who, f, INT64_MAX, max);
    if (!st)
        return rc ? rc : ERR_IO;
    int s;
    while (rc == 0 && (s = db_step(st)) == DB_ROW && (rc = csv_row(out, st)) == 0)
        (*rows)++;
    db_reset(st);
    return rc ? rc : s < 0 ? s : 0;
}
