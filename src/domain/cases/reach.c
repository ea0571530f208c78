/* reach.c — what department staff read of the registry (issue 9 part 6). A department works on
 * cases, not on places: by default (PIPL Art. 6, minimum necessary) its staff read only the
 * people its cases link it to, and the county admin may widen that to the county's registry,
 * masked as for every county role (county_settings.department_registry).
 *
 * Linked, for a department D at time now:
 *   a case   held by D (assignee 'dept:D') or with a whistle part for D (case_parts), not ended
 *            (closed, merged, cancelled) or ended less than CASES_LINK_DAYS ago, and a
 *            resident's case: reported by a resident, informant or building head, or filed for a
 *            resident (代报). A staff member's own report (a round, a hotline call) links nobody:
 *            their household is not what the case is about.
 *   people   every member of the case's household (cases.household_id) and the reporter's own
 *            person (users.person_id), unless the reporter is the one who filed it for someone
 *            else (代报 without the resident's account: the filer is staff, not linked).
 * A case that leaves D (escalated, dispatched elsewhere) unlinks its people at once, as the case
 * itself leaves D's sight (cases_visible_to). */
#include <string.h>
#include "domain/cases/cases_int.h"
#include "domain/common/listing.h"
#include "domain/registry/registry.h"

#define LINK_MS ((int64_t)CASES_LINK_DAYS * 24 * 3600 * 1000)

/* The linking cases of one department (parameters: 'dept:D', county, since, county, D, since).
 * `county || ''` keeps SQLite on the (assignee_code, state, id) index, a department's few cases,
 * rather than walking every case of the county through another index that starts with county
 * (as in read.c's queues). */
#define LIVE                                                                                       \
    " (c.state NOT IN ('closed', 'merged', 'cancelled')"                                           \
    " OR COALESCE(c.closed_at, c.updated_at) >= ?)"
#define RESIDENTS                                                                                  \
    " (c.source IN ('resident', 'informant', 'building_head') OR c.filed_by IS NOT NULL)"
#define LINKED_CASES                                                                               \
    "WITH lc AS ("                                                                                 \
    " SELECT c.household_id, c.reporter_id, c.filed_by FROM cases c"                               \
    " WHERE c.assignee_code = ? AND (c.county || '') = ? AND" LIVE " AND" RESIDENTS " UNION ALL"   \
    " SELECT c.household_id, c.reporter_id, c.filed_by FROM case_parts cp"                         \
    " JOIN cases c ON c.county = cp.county AND c.id = cp.case_id"                                  \
    " WHERE cp.county = ? AND cp.dept_code = ? AND" LIVE " AND" RESIDENTS ")"
/* ... and their people (one more parameter: county). */
#define LINKED_PEOPLE                                                                              \
    LINKED_CASES                                                                                   \
    ", linked AS (SELECT p.id FROM lc"                                                             \
    " JOIN people p ON p.county = ? AND p.household_id = lc.household_id UNION"                    \
    " SELECT u.person_id FROM lc JOIN users u ON u.id = lc.reporter_id"                            \
    " WHERE u.person_id IS NOT NULL AND lc.reporter_id <> COALESCE(lc.filed_by, 0))"

static const char SQL_HOUSEHOLD_LINKED[] =
    LINKED_CASES " SELECT COUNT(*) FROM lc WHERE lc.household_id = ?";
static const char SQL_PERSON_LINKED[] = LINKED_PEOPLE " SELECT COUNT(*) FROM linked WHERE id = ?";
/* From the few linked people to their rows: CROSS JOIN keeps SQLite from walking the county's
 * people in id order instead (PostgreSQL plans it like any join). */
static const char SQL_LINKED_PEOPLE[] =
    LINKED_PEOPLE " SELECT " REGISTRY_PERSON_COLS " FROM linked l CROSS JOIN people p"
                  " WHERE p.county = ? AND p.id = l.id"
                  " AND p.region_code >= ? AND p.region_code < ? AND p.id > ?"
                  " ORDER BY p.id LIMIT ?";
static const char SQL_LINKED_PEOPLE_TAG[] =
    LINKED_PEOPLE " SELECT " REGISTRY_PERSON_COLS " FROM linked l CROSS JOIN people p"
                  " WHERE p.county = ? AND p.id = l.id"
                  " AND p.region_code >= ? AND p.region_code < ? AND p.id > ?"
                  " AND (',' || p.tags || ',') LIKE ? ORDER BY p.id LIMIT ?";

/* The department's assignee code ("dept:d06"); "" for an account without a department, which
 * then links nobody. */
static void dept_assignee(const actor_t *who, char out[32])
{
    if (who->department[0])
        snprintf(out, 32, "dept:%s", who->department);
    else
        out[0] = 0;
}

int cases_links_household(db_t *db, const actor_t *who, int64_t id, int64_t now, int *linked)
{
    char county[8], assignee[32];
    int64_t n = 0;
    int found = 0;
    cases_county_of(who->scope, county);
    dept_assignee(who, assignee);
    int rc = db_one_i64(db, SQL_HOUSEHOLD_LINKED, &n, &found, S(assignee), S(county),
                        I(now - LINK_MS), S(county), S(who->department), I(now - LINK_MS), I(id));
    *linked = rc == 0 && assignee[0] && n > 0;
    return rc;
}

int cases_links_person(db_t *db, const actor_t *who, int64_t id, int64_t now, int *linked)
{
    char county[8], assignee[32];
    int64_t n = 0;
    int found = 0;
    cases_county_of(who->scope, county);
    dept_assignee(who, assignee);
    int rc = db_one_i64(db, SQL_PERSON_LINKED, &n, &found, S(assignee), S(county), I(now - LINK_MS),
                        S(county), S(who->department), I(now - LINK_MS), S(county), I(id));
    *linked = rc == 0 && assignee[0] && n > 0;
    return rc;
}

json_t *cases_linked_people(db_t *db, const actor_t *who, const char *region, const char *tag,
                            const char *cursor, int limit, int64_t now, int *rc)
{
    const char *code = region && *region ? region : who->scope;
    if (!region_in_scope(who->scope, code)) {
        *rc = ERR_NOTFOUND;
        return NULL;
    }
    char county[8], assignee[32], hi[32], like[96];
    cases_county_of(who->scope, county);
    dept_assignee(who, assignee);
    region_scope_hi(code, hi, sizeof hi);
    int64_t after = listing_cursor(cursor, 0), since = now - LINK_MS;
    db_stmt_t *st;
    if (tag && *tag) {
        snprintf(like, sizeof like, "%%,%s,%%", tag);
        st = db_query(db, SQL_LINKED_PEOPLE_TAG, S(assignee), S(county), I(since), S(county),
                      S(who->department), I(since), S(county), S(county), S(code), S(hi), I(after),
                      S(like), I((int64_t)limit + 1));
    } else {
        st = db_query(db, SQL_LINKED_PEOPLE, S(assignee), S(county), I(since), S(county),
                      S(who->department), I(since), S(county), S(county), S(code), S(hi), I(after),
                      I((int64_t)limit + 1));
    }
    return listing_page(st, limit, registry_person_row, rc);
}

/* ---------- the county's setting ---------- */

static const char SQL_SETTING[] =
    "SELECT s.department_registry, s.updated_at, s.updated_by, u.name FROM county_settings s"
    " LEFT JOIN users u ON u.id = s.updated_by WHERE s.county = ?";
static const char SQL_SETTING_PUT[] =
    "INSERT INTO county_settings (county, department_registry, updated_at, updated_by)"
    " VALUES (?,?,?,?) ON CONFLICT (county) DO UPDATE SET"
    " department_registry = excluded.department_registry, updated_at = excluded.updated_at,"
    " updated_by = excluded.updated_by";

/* The county's department_registry into out ("linked" when the county never chose). */
static int reach_of(db_t *db, const char *county, char out[16])
{
    db_stmt_t *st = db_query(db, SQL_SETTING, S(county));
    int s = st ? db_step(st) : ERR_IO;
    snprintf(out, 16, "%s", s == DB_ROW ? db_col_text(st, 0) : "linked");
    db_reset(st);
    return s < 0 ? s : 0;
}

int cases_registry_narrowed(db_t *db, const actor_t *who, int *narrow)
{
    *narrow = 0;
    if (who->role != ROLE_DEPARTMENT_STAFF)
        return 0;
    char county[8], reach[16];
    cases_county_of(who->scope, county);
    int rc = reach_of(db, county, reach);
    /* Anything but an explicit 'county' (and a store error) keeps the narrow view. */
    *narrow = rc != 0 || strcmp(reach, "county") != 0;
    return rc;
}

json_t *cases_county_settings(db_t *db, const char *county, int *rc)
{
    db_stmt_t *st = db_query(db, SQL_SETTING, S(county));
    int s = st ? db_step(st) : ERR_IO;
    json_t *o = NULL;
    if (s == DB_ROW) {
        json_t *by = db_col_isnull(st, 2)
                         ? json_null()
                         : json_pack("{s:o,s:s?}", "id", cases_id_json(db_col_i64(st, 2)), "name",
                                     db_col_text(st, 3));
        o = json_pack("{s:s,s:s,s:I,s:o}", "county", county, "department_registry",
                      db_col_text(st, 0), "updated_at", (json_int_t)db_col_i64(st, 1), "updated_by",
                      by);
    } else if (s == DB_DONE) {
        o = json_pack("{s:s,s:s,s:n,s:n}", "county", county, "department_registry", "linked",
                      "updated_at", "updated_by");
    }
    db_reset(st);
    *rc = o ? 0 : s < 0 ? s : ERR_NOMEM;
    return o;
}

int cases_county_settings_put(db_t *db, const actor_t *who, const char *county,
                              const char *department_registry, const char *ip, int64_t now,
                              err_t *e)
{
    char own[8], was[16];
    cases_county_of(who->scope, own);
    if (strcmp(own, county) != 0)
        return err_set(e, ERR_NOTFOUND, "not_found", "县（区）不存在或不在您的管辖范围内", NULL);
    if (who->role != ROLE_COUNTY_ADMIN)
        return err_set(e, ERR_FORBIDDEN, "forbidden", "只有县级管理员可以修改县级设置", NULL);
    const char *v = department_registry;
    if (!v)
        return err_set(e, ERR_INVALID, "invalid", "请选择职能部门可查看的人员范围",
                       "department_registry");
    if (strcmp(v, "linked") != 0 && strcmp(v, "county") != 0)
        return err_set(e, ERR_INVALID, "invalid",
                       "职能部门查看范围应为 linked（仅本部门诉求相关人员）或 county（全县人员）",
                       "department_registry");
    int rc = reach_of(db, county, was);
    if (rc == 0)
        rc = db_run(db, SQL_SETTING_PUT, S(county), S(v), I(now), I(who->id));
    if (rc)
        return rc;
    char object[24], detail[96];
    snprintf(object, sizeof object, "county:%s", county);
    snprintf(detail, sizeof detail, "department_registry: %s -> %s", was, v);
    audit_entry_t a = {.who = who,
                       .action = "county_settings_update",
                       .object = object,
                       .outcome = "ok",
                       .ip = ip,
                       .detail = detail,
                       .now = now};
    return audit_write(db, &a);
}
