/* report.c — a new 民生诉求 (居民下单 → 平台派单): validate the report, place it (location,
 * household, scope), choose its holder by the category's level (grid, community, department),
 * insert it with its deadlines, record its first events, and announce it. A retry with the same
 * Idempotency-Key replays the first result. */
#include <stdio.h>
#include <string.h>
#include "domain/cases/cases_int.h"
#include "domain/common/change.h"
#include "domain/common/photos.h"
#include "domain/registry/registry.h"
#include "lib/idgen.h"
#include "lib/utf8.h"

static const char SQL_IDEM_GET[] =
    "SELECT body_hash, result_id FROM idempotency WHERE user_id = ? AND idem_key = ?";
static const char SQL_IDEM_PUT[] =
    "INSERT INTO idempotency (user_id, idem_key, body_hash, result_id, created_at)"
    " VALUES (?,?,?,?,?)";
static const char SQL_ACCOUNT_OF_PERSON[] =
    "SELECT id FROM users WHERE county = ? AND person_id = ? AND disabled = 0"
    " AND role IN ('resident', 'informant') ORDER BY id LIMIT 1";
static const char SQL_FILED_BY[] = "UPDATE cases SET filed_by = ? WHERE county = ? AND id = ?";
static const char SQL_HOUSEHOLD_OF[] =
    "SELECT p.household_id, h.region_code FROM people p JOIN households h"
    " ON h.county = p.county AND h.id = p.household_id WHERE p.county = ? AND p.id = ?";
static const char SQL_CASE_INSERT[] =
    "INSERT INTO cases (county, id, region_code, assignee_code, category_code, source, reporter_id,"
    " household_id, title, description, address, lat, lon, state, slip, respond_due,"
    " complete_due, events, created_at, updated_at)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

/* A report on its way in: what each step finds, for the next. */
typedef struct {
    char county[8];
    case_category_t cat;
    int64_t subject, reporter, filed_by, household;
    char region[32];       /* where the case is placed (a grid when known) */
    const char *placed_by; /* location | household | scope */
    const char *assignee;  /* region, community or dept, or NULL: the dispatcher decides */
    char community[16], dept[24];
    int64_t respond_due, complete_due;
} placing_t;

/* A retry with a known Idempotency-Key: *replayed = 1 and n->id the first result; 409 when the
 * key came with another body. */
static int replay(db_t *db, const actor_t *who, cases_new_t *n, int *replayed, err_t *e)
{
    *replayed = 0;
    if (!n->idem_key)
        return 0;
    db_stmt_t *st = db_query(db, SQL_IDEM_GET, I(who->id), S(n->idem_key));
    int s = st ? db_step(st) : ERR_IO;
    int same = 0;
    if (s == DB_ROW) {
        same = strcmp(db_col_text(st, 0), n->body_hash ? n->body_hash : "") == 0;
        n->id = db_col_i64(st, 1);
    }
    db_reset(st);
    if (s < 0)
        return s;
    if (s == DB_ROW && !same)
        return err_set(e, ERR_CONFLICT, "idempotency_conflict",
                       "该 Idempotency-Key 已用于另一份内容不同的提交", NULL);
    *replayed = s == DB_ROW;
    return 0;
}

/* The report's own fields, its photos and its category (a second-level one, active). */
static int validate(db_t *db, const actor_t *who, const cases_new_t *n, placing_t *p, err_t *e)
{
    if (!n->description || cases_blank(n->description))
        return err_set(e, ERR_INVALID, "invalid", "请描述遇到的问题", "description");
    size_t dl = strlen(n->description);
    if (!utf8_valid(n->description, dl) || utf8_count(n->description, dl) > 1000)
        return err_set(e, ERR_INVALID, "invalid", "问题描述不能超过 1000 字", "description");
    if (n->title &&
        (!utf8_valid(n->title, strlen(n->title)) || utf8_count(n->title, strlen(n->title)) > 60))
        return err_set(e, ERR_INVALID, "invalid", "标题不能超过 60 字", "title");
    if (n->address && utf8_count(n->address, strlen(n->address)) > 200)
        return err_set(e, ERR_INVALID, "invalid", "地址不能超过 200 字", "address");
    if (n->has_location && (n->lat < -90 || n->lat > 90 || n->lon < -180 || n->lon > 180))
        return err_set(e, ERR_INVALID, "invalid", "位置坐标不正确", "location");
    int rc = photos_check(db, who, n->photos, e);
    if (rc)
        return rc;
    rc = n->category ? cases_load_category(db, p->county, n->category, &p->cat) : ERR_NOTFOUND;
    if (rc == ERR_NOTFOUND || (rc == 0 && strlen(p->cat.code) < 4))
        return err_set(e, ERR_INVALID, "invalid", "诉求分类不存在", "category");
    return rc;
}

/* Whose case it is. 代报: a building head (or grid worker) files for a person of their scope;
 * the case is the person's (placed by their household; theirs to follow and rate when they have
 * an account). */
static int resolve_subject(db_t *db, const actor_t *who, const cases_new_t *n, placing_t *p,
                           err_t *e)
{
    p->subject = who->person_id;
    p->reporter = who->id;
    if (!n->for_person)
        return 0;
    if (!(who->role & (ROLE_BUILDING_HEAD | ROLE_GRID_WORKER)))
        return err_set(e, ERR_FORBIDDEN, "forbidden", "只有楼栋长、联户长或网格员可以代群众上报",
                       "for_person");
    db_stmt_t *st = db_query(db, SQL_HOUSEHOLD_OF, S(p->county), I(n->for_person));
    int s = st ? db_step(st) : ERR_IO;
    int ours = s == DB_ROW && region_in_scope(who->scope, db_col_text(st, 1));
    db_reset(st);
    if (s < 0)
        return s;
    if (!ours)
        return err_set(e, ERR_INVALID, "invalid", "该居民不存在或不在您的管辖范围内", "for_person");
    p->subject = n->for_person;
    p->filed_by = who->id;
    int64_t acct = 0;
    int found = 0;
    int rc = db_one_i64(db, SQL_ACCOUNT_OF_PERSON, &acct, &found, S(p->county), I(n->for_person));
    if (rc == 0 && found)
        p->reporter = acct;
    return rc;
}

/* Where: the grid whose boundary holds the reported location (the problem is where it was
 * seen); else the subject's household; else the reporter's scope — never lost. Cases are placed
 * at grid level (14 digits) when known, else at the scope's own level. */
static void place(db_t *db, const actor_t *who, const cases_new_t *n, placing_t *p)
{
    char located[24];
    p->placed_by = "scope";
    snprintf(p->region, sizeof p->region, "%s", who->scope);
    if (n->has_location && region_locate_grid(db, p->county, n->lon, n->lat, located) == 0) {
        snprintf(p->region, sizeof p->region, "%s", located);
        p->placed_by = "location";
    }
    if (p->subject) {
        db_stmt_t *st = db_query(db, SQL_HOUSEHOLD_OF, S(p->county), I(p->subject));
        if (st && db_step(st) == DB_ROW) {
            p->household = db_col_i64(st, 0);
            if (strcmp(p->placed_by, "location") != 0) {
                snprintf(p->region, sizeof p->region, "%s", db_col_text(st, 1));
                p->placed_by = "household";
            }
        }
        db_reset(st);
    }
    if (strlen(p->region) > 14)
        p->region[14] = 0;
}

/* Dispatch (平台派单): grid categories go straight to the grid, community ones to the community,
 * department ones to the department the category names; others wait for the dispatcher. Then
 * the deadlines, from now on the category's clock. */
static int choose_holder(db_t *db, const cases_new_t *n, placing_t *p, err_t *e)
{
    const case_category_t *cat = &p->cat;
    snprintf(p->community, sizeof p->community, "%.12s", p->region);
    snprintf(p->dept, sizeof p->dept, "dept:%s", cat->department);
    p->assignee = NULL;
    if (strcmp(cat->handling, "grid") == 0 && strlen(p->region) == 14)
        p->assignee = p->region;
    else if (strcmp(cat->handling, "community") == 0 && strlen(p->region) >= 12)
        p->assignee = p->community;
    else if (strcmp(cat->handling, "department") == 0 && cat->department[0] &&
             cases_dept_name(db, p->county, cat->department, NULL, 0))
        p->assignee = p->dept;
    int rc = cases_due_after(n->now, cat->respond_hours, "hours", &p->respond_due, e);
    if (rc == 0)
        rc = cases_due_after(n->now, cat->complete_value, cat->unit, &p->complete_due, e);
    return rc;
}

static const char *source_of(role_t r)
{
    switch (r) {
    case ROLE_RESIDENT: return "resident";
    case ROLE_INFORMANT: return "informant";
    case ROLE_BUILDING_HEAD: return "building_head";
    default: return "staff";
    }
}

/* The case row. Its title, when none is given, is the description's first 20 characters; the
 * slip is red for what the grid or community handles (24 h), blue for the rest. */
static int insert_case(db_t *db, const actor_t *who, cases_new_t *n, const placing_t *p)
{
    const char *title = n->title && *n->title ? n->title : NULL;
    char tbuf[200], la[32], lo[32];
    if (!title) {
        size_t cut = utf8_prefix(n->description, strlen(n->description), 20);
        snprintf(tbuf, sizeof tbuf, "%.*s", (int)cut, n->description);
        title = tbuf;
    }
    int red = strcmp(p->cat.handling, "grid") == 0 || strcmp(p->cat.handling, "community") == 0;
    db_stmt_t *st = db_prepare(db, SQL_CASE_INSERT);
    if (!st)
        return ERR_IO;
    db_bind_text(st, 1, p->county, -1);
    db_bind_i64(st, 2, n->id);
    db_bind_text(st, 3, p->region, -1);
    db_bind_text(st, 4, p->assignee, -1);
    db_bind_text(st, 5, p->cat.code, -1);
    db_bind_text(st, 6, n->source ? n->source : source_of(who->role), -1);
    if (p->reporter)
        db_bind_i64(st, 7, p->reporter);
    else
        db_bind_null(st, 7); /* an outside system (Open311): no reporting account */
    if (p->household)
        db_bind_i64(st, 8, p->household);
    else
        db_bind_null(st, 8);
    db_bind_text(st, 9, title, -1);
    db_bind_text(st, 10, n->description, -1);
    db_bind_text(st, 11, n->address, -1);
    if (n->has_location) {
        snprintf(la, sizeof la, "%.7f", n->lat);
        snprintf(lo, sizeof lo, "%.7f", n->lon);
        db_bind_text(st, 12, la, -1);
        db_bind_text(st, 13, lo, -1);
    } else {
        db_bind_null(st, 12);
        db_bind_null(st, 13);
    }
    db_bind_text(st, 14, p->assignee ? "dispatched" : "submitted", -1);
    db_bind_text(st, 15, red ? "red" : "blue", -1);
    db_bind_i64(st, 16, p->respond_due);
    db_bind_i64(st, 17, p->complete_due);
    db_bind_i64(st, 18, p->assignee ? 2 : 1);
    db_bind_i64(st, 19, n->now);
    db_bind_i64(st, 20, n->now);
    int rc = db_step(st);
    db_reset(st);
    if (rc < 0)
        return rc;
    return p->filed_by ? db_run(db, SQL_FILED_BY, I(p->filed_by), S(p->county), I(n->id)) : 0;
}

/* Its first events (created; dispatched when a holder was chosen, to a grid's worker), its
 * photos, the announcement, and the Idempotency-Key. */
static int record(db_t *db, const actor_t *who, cases_new_t *n, const placing_t *p)
{
    char placed[96], detail[64];
    if (p->filed_by)
        snprintf(placed, sizeof placed, "{\"placed_by\":\"%s\",\"for_person\":\"%lld\"}",
                 p->placed_by, (long long)n->for_person);
    else
        snprintf(placed, sizeof placed, "{\"placed_by\":\"%s\"}", p->placed_by);
    int rc = cases_event_add(db, p->county, n->id, 1, n->now, who, "create", NULL, "submitted",
                             NULL, placed);
    if (rc == 0)
        rc = cases_photos_attach(db, p->county, n->id, 1, n->photos);
    if (rc == 0 && p->assignee) {
        snprintf(detail, sizeof detail, "{\"assignee\":\"%s\"}", p->assignee);
        rc = cases_event_add(db, p->county, n->id, 2, n->now, NULL, "dispatch", "submitted",
                             "dispatched", "按诉求分类自动派单", detail);
        if (rc == 0 && p->assignee == p->region && strlen(p->region) == 14)
            rc = cases_give_to_worker(db, p->county, n->id, p->region);
    }
    if (rc == 0) {
        change_t c = {.kind = CHANGE_CASE_ACT,
                      .county = p->county,
                      .id = n->id,
                      .at = n->now,
                      .event = "create",
                      .actor_id = who->id,
                      .label =
                          caseflow_state_label(p->assignee ? CASE_DISPATCHED : CASE_SUBMITTED)};
        rc = change_announce(db, &c);
    }
    if (rc == 0 && n->idem_key) {
        rc = db_run(db, SQL_IDEM_PUT, I(who->id), S(n->idem_key),
                    S(n->body_hash ? n->body_hash : ""), I(n->id), I(n->now));
        /* PostgreSQL: a parallel retry with the same key committed first. Ask the store to run
         * this again from the start (ERR_BUSY is retried): it then finds the key and replays. */
        if (rc == ERR_CONFLICT)
            rc = ERR_BUSY;
    }
    return rc;
}

int cases_create(db_t *db, const actor_t *who, cases_new_t *n, err_t *e)
{
    placing_t p = {0};
    int replayed = 0;
    cases_county_of(who->scope, p.county);
    int rc = replay(db, who, n, &replayed, e);
    if (rc || replayed) {
        n->replayed = replayed;
        return rc;
    }
    if ((rc = validate(db, who, n, &p, e)) == 0 && (rc = resolve_subject(db, who, n, &p, e)) == 0) {
        place(db, who, n, &p);
        rc = choose_holder(db, n, &p, e);
    }
    if (rc == 0) {
        n->id = idgen_next();
        rc = insert_case(db, who, n, &p);
    }
    return rc ? rc : record(db, who, n, &p);
}
