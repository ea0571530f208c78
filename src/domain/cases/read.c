/* read.c — cases as their readers see them: one case with its timeline, lists and queues with
 * filters (static SQL, one plan each), the map, similar cases. Every query takes the caller's
 * scope: a case outside it is simply not found. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/cases/cases_int.h"
#include "domain/common/listing.h"
#include "domain/registry/registry.h"
#include "lib/geo.h"
#include "lib/jsonw.h"

#define CASE_COLS                                                                                  \
    "c.id, c.title, c.description, c.category_code, k.name, c.state, c.region_code,"               \
    " c.assignee_code, c.source, c.slip, c.respond_due, c.complete_due, c.responded_at,"           \
    " c.resolved_at, c.closed_at, c.rating, c.rating_comment, c.outcome, c.address, c.lat, c.lon," \
    " c.reporter_id, c.created_at, c.updated_at, c.paused_at, c.events, r.name, c.filed_by"
#define CASE_FROM                                                                                  \
    " FROM cases c LEFT JOIN categories k ON k.county = c.county AND k.code = c.category_code"     \
    " LEFT JOIN regions r ON r.code = c.region_code"

/* Positions of CASE_COLS: case_write reads them by name, so the list and the single case cannot
 * drift (case_json is case_write's output). Keep in the order of CASE_COLS. */
enum {
    COL_ID,
    COL_TITLE,
    COL_DESCRIPTION,
    COL_CATEGORY_CODE,
    COL_CATEGORY_NAME,
    COL_STATE,
    COL_REGION_CODE,
    COL_ASSIGNEE,
    COL_SOURCE,
    COL_SLIP,
    COL_RESPOND_DUE,
    COL_COMPLETE_DUE,
    COL_RESPONDED_AT,
    COL_RESOLVED_AT,
    COL_CLOSED_AT,
    COL_RATING,
    COL_RATING_COMMENT,
    COL_OUTCOME,
    COL_ADDRESS,
    COL_LAT,
    COL_LON,
    COL_REPORTER,
    COL_CREATED_AT,
    COL_UPDATED_AT,
    COL_PAUSED_AT,
    COL_EVENTS,
    COL_REGION_NAME,
    COL_FILED_BY,
};

static void set_ms(json_t *o, const char *key, db_stmt_t *st, int col)
{
    json_object_set_new(o, key,
                        db_col_isnull(st, col) ? json_null() : json_integer(db_col_i64(st, col)));
}

static void case_write(jsonw_t *w, db_stmt_t *st);

/* A case as JSON: the very object a list writes with case_write. NULL when out of memory. */
static json_t *case_json(db_stmt_t *st)
{
    buf_t b;
    jsonw_t w;
    buf_init(&b, 64 * 1024);
    jsonw_init(&w, &b);
    case_write(&w, st);
    json_t *o = jsonw_finish(&w) == 0 ? json_loadb(b.p, b.len, 0, NULL) : NULL;
    buf_free(&b);
    return o;
}

/* May `who` see a case located at region, assigned to assignee, reported by reporter? */
static const char SQL_HAS_PART[] =
    "SELECT 1 FROM case_parts WHERE county = ? AND case_id = ? AND dept_code = ?";

/* Is who's department summoned onto this case? */
int cases_has_part(db_t *db, const actor_t *who, const char *county, int64_t id)
{
    if (who->role != ROLE_DEPARTMENT_STAFF || !who->department[0])
        return 0;
    int64_t v;
    int found = 0;
    return db_one_i64(db, SQL_HAS_PART, &v, &found, S(county), I(id), S(who->department)) == 0 &&
           found;
}

/* Is the case assigned to who's department ("dept:<code>")? */
int cases_dept_holds(const actor_t *who, const char *assignee)
{
    return who->role == ROLE_DEPARTMENT_STAFF && who->department[0] && assignee &&
           strncmp(assignee, "dept:", 5) == 0 && strcmp(assignee + 5, who->department) == 0;
}

int cases_visible_to(const actor_t *who, const char *region, const char *assignee, int64_t reporter,
                     int64_t filed_by)
{
    if (reporter == who->id || filed_by == who->id)
        return 1;
    if (who->role == ROLE_DEPARTMENT_STAFF)
        return cases_dept_holds(who,
                                assignee); /* and, by has_part, the whistles they are summoned to */
    if (who->role & (ROLE_RESIDENT | ROLE_INFORMANT))
        return 0;
    return region_in_scope(who->scope, region) ||
           (assignee && region_in_scope(who->scope, assignee));
}

/* Labels of timeline events that are not state-machine events. */
static const char *extra_label(const char *ev)
{
    if (strcmp(ev, "part_report") == 0)
        return "部门报到";
    if (strcmp(ev, "part_done") == 0)
        return "部门办结";
    if (strcmp(ev, "merged_in") == 0)
        return "并入重复诉求";
    if (strcmp(ev, "part_overdue") == 0)
        return "部门报到超时";
    return "提交";
}

static const char SQL_CASE[] = "SELECT " CASE_COLS CASE_FROM " WHERE c.county = ? AND c.id = ?";
static const char SQL_PARTS[] =
    "SELECT p.dept_code, d.name, p.summoned_at, p.report_due, p.reported_at, p.done_at, p.note,"
    " p.overdue_at, p.task"
    " FROM case_parts p LEFT JOIN departments d ON d.county = p.county AND d.code = p.dept_code"
    " WHERE p.county = ? AND p.case_id = ? ORDER BY p.dept_code";
static const char SQL_EVENTS[] =
    "SELECT seq, at, actor_name, actor_role, event, from_state, to_state, note, detail"
    " FROM case_events WHERE county = ? AND case_id = ? ORDER BY seq";

static const char SQL_SEES[] = "SELECT region_code, assignee_code, reporter_id, filed_by FROM cases"
                               " WHERE county = ? AND id = ?";

static const char SQL_HANDLER[] =
    "SELECT u.id, u.name FROM cases c JOIN users u ON u.id = c.handler_id"
    " WHERE c.county = ? AND c.id = ?";
static const char SQL_MERGED_INTO[] =
    "SELECT merged_into FROM cases WHERE county = ? AND id = ? AND merged_into IS NOT NULL";

int cases_visible(db_t *db, const actor_t *who, const char *county, int64_t id)
{
    char own[8];
    cases_county_of(who->scope, own);
    if (strcmp(own, county) != 0)
        return 0;
    db_stmt_t *st = db_query(db, SQL_SEES, S(county), I(id));
    int see = st && db_step(st) == DB_ROW &&
              cases_visible_to(who, db_col_text(st, 0), db_col_text(st, 1),
                               db_col_isnull(st, 2) ? 0 : db_col_i64(st, 2),
                               db_col_isnull(st, 3) ? 0 : db_col_i64(st, 3));
    db_reset(st);
    return see || cases_has_part(db, who, county, id);
}

/* The case row as JSON (with "mine"), if who may see it; NULL with *rc otherwise. */
static json_t *case_row(db_t *db, const actor_t *who, const char *county, int64_t id, int *rc)
{
    db_stmt_t *st = db_query(db, SQL_CASE, S(county), I(id));
    int s = st ? db_step(st) : ERR_IO;
    json_t *o = NULL;
    int see = s == DB_ROW &&
              cases_visible_to(who, db_col_text(st, COL_REGION_CODE), db_col_text(st, COL_ASSIGNEE),
                               db_col_i64(st, COL_REPORTER),
                               db_col_isnull(st, COL_FILED_BY) ? 0 : db_col_i64(st, COL_FILED_BY));
    if (s == DB_ROW && !see) {
        db_reset(st);
        see = cases_has_part(db, who, county, id);
        st = db_query(db, SQL_CASE, S(county), I(id));
        s = st ? db_step(st) : ERR_IO;
        see = see && s == DB_ROW;
    }
    if (see && (o = case_json(st)) != NULL)
        json_object_set_new(o, "mine", json_boolean(db_col_i64(st, COL_REPORTER) == who->id));
    db_reset(st);
    if (!o)
        *rc = s < 0 ? s : see ? ERR_NOMEM : ERR_NOTFOUND;
    return o;
}

/* "merged_into": the case this one was merged into, or null. */
static int add_merged_into(db_t *db, const char *county, int64_t id, json_t *o)
{
    int64_t into = 0;
    int merged = 0;
    int rc = db_one_i64(db, SQL_MERGED_INTO, &into, &merged, S(county), I(id));
    json_object_set_new(o, "merged_into", merged && into ? cases_id_json(into) : json_null());
    return rc;
}

/* "handler": the worker the case was given to (负载均衡), or null. */
static int add_handler(db_t *db, const char *county, int64_t id, json_t *o)
{
    db_stmt_t *st = db_query(db, SQL_HANDLER, S(county), I(id));
    int s = st ? db_step(st) : ERR_IO;
    json_object_set_new(o, "handler",
                        s == DB_ROW ? json_pack("{s:o,s:s}", "id", cases_id_json(db_col_i64(st, 0)),
                                                "name", db_col_text(st, 1))
                                    : json_null());
    db_reset(st);
    return s < 0 ? s : 0;
}

/* The name of a holder: a region's from the tree, a department's ("dept:<code>" or a bare code
 * when dept) from the county's list; the code itself when neither knows it. */
static json_t *holder_name(db_t *db, const char *county, const char *code, int dept)
{
    char name[128] = "";
    if (dept || strncmp(code, "dept:", 5) == 0)
        cases_dept_name(db, county, dept ? code : code + 5, name, sizeof name);
    else
        region_name_of(db, code, name, sizeof name);
    return json_string(name[0] ? name : code);
}

/* Names beside the codes of an event's detail, so no screen shows a code where a name belongs:
 * assignee → assignee_name, department → department_name, departments → department_names. */
static void name_detail(db_t *db, const char *county, json_t *d)
{
    const char *v;
    if ((v = json_string_value(json_object_get(d, "assignee"))))
        json_object_set_new(d, "assignee_name", holder_name(db, county, v, 0));
    if ((v = json_string_value(json_object_get(d, "department"))))
        json_object_set_new(d, "department_name", holder_name(db, county, v, 1));
    json_t *ds = json_object_get(d, "departments"), *x;
    size_t i;
    if (json_is_array(ds)) {
        json_t *names = json_array();
        json_array_foreach(ds, i, x)
        {
            if (json_is_string(x))
                json_array_append_new(names, holder_name(db, county, json_string_value(x), 1));
        }
        json_object_set_new(d, "department_names", names);
    }
}

/* "timeline": every event with its photos. */
static int add_timeline(db_t *db, const char *county, int64_t id, json_t *o)
{
    int s = 0;
    json_t *pics = cases_photos_of(db, county, id, &s);
    if (!pics)
        return s;
    db_stmt_t *st = db_query(db, SQL_EVENTS, S(county), I(id));
    json_t *tl = json_array();
    while (st && (s = db_step(st)) == DB_ROW) {
        int ev = caseflow_event_parse(db_col_text(st, 4));
        json_t *d = db_col_text(st, 8) ? json_loads(db_col_text(st, 8), 0, NULL) : NULL;
        if (json_is_object(d))
            name_detail(db, county, d);
        char seq[24];
        snprintf(seq, sizeof seq, "%lld", (long long)db_col_i64(st, 0));
        json_t *p = json_object_get(pics, seq);
        json_t *item = json_pack(
            "{s:I,s:I,s:s?,s:s?,s:s,s:s,s:s?,s:s,s:s?,s:o?}", "seq", (json_int_t)db_col_i64(st, 0),
            "at", (json_int_t)db_col_i64(st, 1), "actor_name", db_col_text(st, 2), "actor_role",
            db_col_text(st, 3), "event", db_col_text(st, 4), "event_label",
            ev >= 0 ? caseflow_event_label(ev) : extra_label(db_col_text(st, 4)), "from_state",
            db_col_text(st, 5), "to_state", db_col_text(st, 6), "note", db_col_text(st, 7),
            "detail", d);
        json_object_set_new(item, "photos", p ? json_incref(p) : json_array());
        json_array_append_new(tl, item);
    }
    db_reset(st);
    json_decref(pics);
    json_object_set_new(o, "timeline", tl);
    return !st ? ERR_IO : s < 0 ? s : 0;
}

/* "parts": the departments summoned by a whistle, with their 报到 and 办结 times. */
static int add_parts(db_t *db, const char *county, int64_t id, json_t *o)
{
    int s = 0;
    json_t *parts = json_array();
    db_stmt_t *st = db_query(db, SQL_PARTS, S(county), I(id));
    while (st && (s = db_step(st)) == DB_ROW) {
        json_t *pt = json_pack(
            "{s:s,s:s?,s:I,s:I,s:s?,s:s?}", "department", db_col_text(st, 0), "name",
            db_col_text(st, 1), "summoned_at", (json_int_t)db_col_i64(st, 2), "report_due",
            (json_int_t)db_col_i64(st, 3), "note", db_col_text(st, 6), "task", db_col_text(st, 8));
        set_ms(pt, "reported_at", st, 4);
        set_ms(pt, "done_at", st, 5);
        set_ms(pt, "overdue_at", st, 7);
        json_array_append_new(parts, pt);
    }
    db_reset(st);
    json_object_set_new(o, "parts", parts);
    return !st ? ERR_IO : s < 0 ? s : 0;
}

/* All or nothing: a part that cannot be read fails the whole reply (never a case without its
 * timeline that looks complete). */
json_t *cases_get(db_t *db, const actor_t *who, int64_t id, int *rc)
{
    char county[8];
    cases_county_of(who->scope, county);
    json_t *o = case_row(db, who, county, id, rc);
    if (!o)
        return NULL;
    int r = add_merged_into(db, county, id, o);
    if (r == 0)
        r = add_handler(db, county, id, o);
    if (r == 0)
        r = add_timeline(db, county, id, o);
    if (r == 0)
        r = add_parts(db, county, id, o);
    const char *holder = json_string_value(json_object_get(o, "assignee_code"));
    json_object_set_new(o, "assignee_name",
                        holder ? holder_name(db, county, holder, 0) : json_null());
    json_t *actions = r == 0 ? cases_actions(db, who, county, id, &r) : NULL;
    if (actions)
        json_object_set_new(o, "actions", actions);
    if (r) {
        json_decref(o);
        *rc = r;
        return NULL;
    }
    *rc = 0;
    return o;
}

/* Filters of a case list, the same for every kind of caller: state, category (group or code as
 * a prefix range), region (a prefix range inside the caller's scope), source, overdue, and the
 * creation period. Unused ones are bound so they match everything (static SQL, one plan each). */
#define LIST_FILTERS                                                                               \
    " AND (? = '' OR c.state = ?)"                                                                 \
    " AND c.category_code >= ? AND c.category_code < ?"                                            \
    " AND c.region_code >= ? AND c.region_code < ?"                                                \
    " AND (? = '' OR c.source = ?)"                                                                \
    " AND (? = 0 OR (c.state IN ('submitted', 'dispatched', 'accepted', 'returned', 'escalated',"  \
    "  'whistle', 'reopened') AND c.paused_at IS NULL AND c.complete_due < ?))"                    \
    " AND c.created_at >= ? AND c.created_at < ?"
static const char SQL_FIND_MINE[] =
    "SELECT " CASE_COLS CASE_FROM
    " WHERE c.county = ? AND c.reporter_id = ? AND c.id < ?" LIST_FILTERS
    " ORDER BY c.id DESC LIMIT ?";
static const char SQL_FIND_FILED[] =
    "SELECT " CASE_COLS CASE_FROM " WHERE c.county = ? AND (c.reporter_id = ? OR c.filed_by = ?)"
    " AND c.id < ?" LIST_FILTERS " ORDER BY c.id DESC LIMIT ?";
static const char SQL_FIND_SCOPE[] =
    "SELECT " CASE_COLS CASE_FROM
    " WHERE c.region_code >= ? AND c.region_code < ? AND c.id < ?" LIST_FILTERS
    " ORDER BY c.id DESC LIMIT ?";
/* A department's cases: what it holds ("dept:<code>") and the whistles it was summoned to,
 * each an ordered walk of its own index (cases_holder, case_parts_dept_case, migration 023), the
 * filters checked on the way, merged newest first. */
static const char SQL_FIND_DEPT[] =
    "SELECT " CASE_COLS CASE_FROM " WHERE c.county = ? AND c.id IN ("
    "SELECT id FROM (SELECT c.id FROM cases c WHERE c.assignee_code = ? AND c.id < ?" LIST_FILTERS
    " ORDER BY c.id DESC LIMIT ?) h"
    " UNION SELECT id FROM (SELECT p.case_id AS id FROM case_parts p JOIN cases c"
    " ON c.county = p.county AND c.id = p.case_id WHERE p.county = ? AND p.dept_code = ?"
    " AND p.case_id < ?" LIST_FILTERS " ORDER BY p.case_id DESC LIMIT ?) s)"
    " ORDER BY c.id DESC LIMIT ?";
static const char SQL_LIST_MINE[] =
    "SELECT " CASE_COLS CASE_FROM " WHERE c.county = ? AND c.reporter_id = ? AND c.id < ?"
    " AND (? = '' OR c.state = ?) ORDER BY c.id DESC LIMIT ?";
static const char SQL_LIST_FILED[] =
    "SELECT " CASE_COLS CASE_FROM " WHERE c.county = ? AND (c.reporter_id = ? OR c.filed_by = ?)"
    " AND c.id < ? AND (? = '' OR c.state = ?) ORDER BY c.id DESC LIMIT ?";
static const char SQL_LIST_SCOPE[] =
    "SELECT " CASE_COLS CASE_FROM " WHERE c.region_code >= ? AND c.region_code < ? AND c.id < ?"
    " AND (? = '' OR c.state = ?) ORDER BY c.id DESC LIMIT ?";
static const char SQL_LIST_GRID[] =
    "SELECT " CASE_COLS CASE_FROM " WHERE c.region_code = ? AND c.id < ?"
    " AND (? = '' OR c.state = ?) ORDER BY c.id DESC LIMIT ?";
/* A queue: the open cases its scope holds, soonest deadline first. The page's IDs come from the
 * (assignee_code, state, complete_due, id) index alone (migration 011); only those 20 cases are
 * read and joined to names (a grid can hold hundreds of open cases). A grid's worker: assignee =
 * the grid. A wider scope: `state || ''` keeps SQLite from walking every open case of every
 * county through the (state, complete_due) index instead (measured: 12 queues/s with 200,000
 * open cases in the county). */
#define QUEUE_OF(where)                                                                            \
    "SELECT " CASE_COLS " FROM (SELECT id FROM cases WHERE " where                                 \
    " ORDER BY complete_due, id LIMIT ?) q JOIN cases c ON c.county = ? AND c.id = q.id"           \
    " LEFT JOIN categories k ON k.county = c.county AND k.code = c.category_code"                  \
    " LEFT JOIN regions r ON r.code = c.region_code ORDER BY c.complete_due, c.id"
static const char SQL_QUEUE_GRID[] =
    QUEUE_OF("assignee_code = ? AND state IN ('dispatched', 'accepted', 'reopened')");
/* Above the grid (community, street, center, county): what this level itself holds, what the
 * level below sent back (退回), a department's return (county level), and reports no level
 * holds yet (triage) — the cases waiting for this desk. */
static const char SQL_QUEUE[] =
    "SELECT " CASE_COLS " FROM ("
    "SELECT id, complete_due FROM cases WHERE assignee_code = ? AND state IN ('submitted',"
    " 'dispatched', 'accepted', 'returned', 'escalated', 'whistle', 'reopened')"
    " UNION ALL SELECT id, complete_due FROM cases WHERE assignee_code >= ? AND assignee_code < ?"
    " AND length(assignee_code) = ? AND state = 'returned'"
    " UNION ALL SELECT id, complete_due FROM cases WHERE assignee_code >= ? AND assignee_code < ?"
    " AND county = ? AND state = 'returned'"
    " UNION ALL SELECT id, complete_due FROM cases WHERE county = ? AND state = 'submitted'"
    " AND assignee_code IS NULL AND region_code >= ? AND region_code < ?"
    " ORDER BY complete_due, id LIMIT ?) q JOIN cases c ON c.county = ? AND c.id = q.id"
    " LEFT JOIN categories k ON k.county = c.county AND k.code = c.category_code"
    " LEFT JOIN regions r ON r.code = c.region_code ORDER BY c.complete_due, c.id";

/* The desk queue of a scope above the grid (SQL_QUEUE). */
static db_stmt_t *desk_queue(db_t *db, const actor_t *who, const char *county, const char *hi,
                             int limit)
{
    size_t n = strlen(who->scope);
    int64_t below = n == 6 ? 9 : n == 9 ? 12 : 14;
    int county_level = n == 6;
    return db_query(db, SQL_QUEUE, S(who->scope), S(who->scope), S(hi), I(below),
                    S(county_level ? "dept:" : ""), S(county_level ? "dept:~" : ""), S(county),
                    S(county), S(who->scope), S(hi), I((int64_t)limit), S(county));
}

/* A department's queue: the cases dispatched to it that are still open, and the whistles it has
 * not finished its part of; soonest deadline first. */
static const char SQL_DEPT_QUEUE[] =
    "SELECT " CASE_COLS " FROM ("
    "SELECT id, complete_due FROM cases WHERE assignee_code = ?"
    " AND state IN ('dispatched', 'accepted', 'reopened')"
    " UNION ALL SELECT c.id, c.complete_due FROM case_parts p JOIN cases c ON c.county = p.county"
    " AND c.id = p.case_id WHERE p.county = ? AND p.dept_code = ? AND p.done_at IS NULL"
    " AND c.state = 'whistle'"
    " ORDER BY complete_due, id LIMIT ?) q JOIN cases c ON c.county = ? AND c.id = q.id"
    " LEFT JOIN categories k ON k.county = c.county AND k.code = c.category_code"
    " LEFT JOIN regions r ON r.code = c.region_code ORDER BY c.complete_due, c.id";

/* A case of a list (and, through case_json, a single case), written straight into the reply. */
static void case_write(jsonw_t *w, db_stmt_t *st)
{
    static const struct {
        const char *key;
        int col;
    } texts[] = {{"title", COL_TITLE},
                 {"description", COL_DESCRIPTION},
                 {"category_code", COL_CATEGORY_CODE},
                 {"category_name", COL_CATEGORY_NAME},
                 {"state", COL_STATE},
                 {"state_label", -1},
                 {"region_code", COL_REGION_CODE},
                 {"region_name", COL_REGION_NAME},
                 {"source", COL_SOURCE},
                 {"assignee_code", COL_ASSIGNEE},
                 {"slip", COL_SLIP},
                 {"outcome", COL_OUTCOME},
                 {"rating_comment", COL_RATING_COMMENT},
                 {"address", COL_ADDRESS}},
      numbers[] = {{"respond_due", COL_RESPOND_DUE},
                   {"complete_due", COL_COMPLETE_DUE},
                   {"responded_at", COL_RESPONDED_AT},
                   {"resolved_at", COL_RESOLVED_AT},
                   {"closed_at", COL_CLOSED_AT},
                   {"created_at", COL_CREATED_AT},
                   {"updated_at", COL_UPDATED_AT},
                   {"paused_at", COL_PAUSED_AT},
                   {"rating", COL_RATING}};
    jsonw_object(w);
    jsonw_kid(w, "id", db_col_i64(st, COL_ID));
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        jsonw_kstring(w, texts[i].key,
                      texts[i].col < 0
                          ? caseflow_state_label(caseflow_state_parse(db_col_text(st, COL_STATE)))
                          : db_col_text(st, texts[i].col));
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        jsonw_key(w, numbers[i].key);
        if (db_col_isnull(st, numbers[i].col))
            jsonw_null(w);
        else
            jsonw_int(w, db_col_i64(st, numbers[i].col));
    }
    jsonw_key(w, "location");
    if (!db_col_isnull(st, COL_LAT) && !db_col_isnull(st, COL_LON)) {
        jsonw_object(w);
        jsonw_kreal(w, "lat", strtod(db_col_text(st, COL_LAT), NULL));
        jsonw_kreal(w, "lon", strtod(db_col_text(st, COL_LON), NULL));
        jsonw_object_end(w);
    } else {
        jsonw_null(w);
    }
    jsonw_object_end(w);
}

/* {"items":[…],"next_cursor":…} from st (limit + 1 rows asked when paged). */
static int list_write(db_stmt_t *st, int limit, int paged, buf_t *out)
{
    if (!st)
        return ERR_IO;
    jsonw_t w;
    jsonw_init(&w, out);
    jsonw_object(&w);
    jsonw_key(&w, "items");
    jsonw_array(&w);
    int s, n = 0;
    int64_t last = 0;
    while ((s = db_step(st)) == DB_ROW) {
        if (n++ == limit)
            break; /* the extra row: there is a next page */
        last = db_col_i64(st, 0);
        case_write(&w, st);
    }
    db_reset(st);
    if (s < 0)
        return s;
    jsonw_array_end(&w);
    jsonw_key(&w, "next_cursor");
    if (paged && n > limit)
        jsonw_id(&w, last);
    else
        jsonw_null(&w);
    jsonw_object_end(&w);
    return jsonw_finish(&w);
}

/* Bind LIST_FILTERS from index i on; returns the next index. */
static int bind_filters(db_stmt_t *st, int i, const cases_filter_t *f, const char *cat_lo,
                        const char *cat_hi, const char *reg_lo, const char *reg_hi)
{
    db_bind_text(st, i++, f->state ? f->state : "", -1);
    db_bind_text(st, i++, f->state ? f->state : "", -1);
    db_bind_text(st, i++, cat_lo, -1);
    db_bind_text(st, i++, cat_hi, -1);
    db_bind_text(st, i++, reg_lo, -1);
    db_bind_text(st, i++, reg_hi, -1);
    db_bind_text(st, i++, f->source ? f->source : "", -1);
    db_bind_text(st, i++, f->source ? f->source : "", -1);
    db_bind_i64(st, i++, f->overdue ? 1 : 0);
    db_bind_i64(st, i++, f->now);
    db_bind_i64(st, i++, f->from);
    db_bind_i64(st, i++, f->to ? f->to : INT64_MAX);
    return i;
}

/* Anything beyond a state: the filtered queries (the plain ones keep their tight plans). */
static int filtered(const cases_filter_t *f)
{
    return f && (f->category || f->region || f->source || f->overdue || f->from || f->to);
}

static const char SQL_MAP[] =
    "SELECT c.id, c.title, c.state, k.name, c.lat, c.lon, c.complete_due, c.paused_at,"
    " c.created_at, c.region_code" CASE_FROM
    " WHERE c.region_code >= ? AND c.region_code < ? AND c.lat IS NOT NULL" LIST_FILTERS
    " ORDER BY c.id DESC LIMIT ?";

json_t *cases_map(db_t *db, const actor_t *who, const cases_filter_t *f, int max, int *rc)
{
    char hi[32], cat_lo[16] = "", cat_hi[24] = "~", reg_lo[32] = "", reg_hi[40] = "~";
    region_scope_hi(who->scope, hi, sizeof hi);
    if (f->category) {
        snprintf(cat_lo, sizeof cat_lo, "%s", f->category);
        region_scope_hi(cat_lo, cat_hi, sizeof cat_hi);
    }
    if (f->region) {
        if (!region_in_scope(who->scope, f->region)) {
            *rc = ERR_NOTFOUND;
            return NULL;
        }
        snprintf(reg_lo, sizeof reg_lo, "%s", f->region);
        region_scope_hi(reg_lo, reg_hi, sizeof reg_hi);
    }
    db_stmt_t *st = db_prepare(db, SQL_MAP);
    if (!st) {
        *rc = ERR_IO;
        return NULL;
    }
    db_bind_text(st, 1, who->scope, -1);
    db_bind_text(st, 2, hi, -1);
    int i = bind_filters(st, 3, f, cat_lo, cat_hi, reg_lo, reg_hi);
    db_bind_i64(st, i, (int64_t)max + 1);
    json_t *items = json_array();
    int s, n = 0;
    static const char *const open_states[] = {"submitted", "dispatched", "accepted", "returned",
                                              "escalated", "whistle",    "reopened"};
    while ((s = db_step(st)) == DB_ROW && n < max) {
        const char *state = db_col_text(st, 2);
        int open = 0;
        for (size_t k = 0; k < sizeof open_states / sizeof *open_states; k++)
            open |= strcmp(state, open_states[k]) == 0;
        int overdue = open && db_col_isnull(st, 7) && db_col_i64(st, 6) < f->now;
        json_array_append_new(
            items,
            json_pack("{s:o,s:s,s:s,s:s,s:s?,s:f,s:f,s:b,s:I,s:s}", "id",
                      cases_id_json(db_col_i64(st, 0)), "title", db_col_text(st, 1), "state", state,
                      "state_label", caseflow_state_label(caseflow_state_parse(state)),
                      "category_name", db_col_text(st, 3), "lat", strtod(db_col_text(st, 4), NULL),
                      "lon", strtod(db_col_text(st, 5), NULL), "overdue", overdue, "created_at",
                      (json_int_t)db_col_i64(st, 8), "region_code", db_col_text(st, 9)));
        n++;
    }
    int more = s == DB_ROW;
    db_reset(st);
    if (s < 0) {
        json_decref(items);
        *rc = s;
        return NULL;
    }
    *rc = 0;
    return json_pack("{s:o,s:b}", "items", items, "truncated", more);
}

int cases_list(db_t *db, const actor_t *who, const cases_filter_t *f, int queue, const char *cursor,
               int limit, buf_t *out)
{
    char county[8], hi[32];
    cases_county_of(who->scope, county);
    region_scope_hi(who->scope, hi, sizeof hi);
    const char *state = f ? f->state : NULL;
    const char *stv = state ? state : "";
    int64_t before = listing_cursor(cursor, INT64_MAX);
    db_stmt_t *st;
    char dept_code[24];
    snprintf(dept_code, sizeof dept_code, "dept:%s", who->department);
    if (queue) {
        /* The whole queue, soonest deadline first: no keyset paging, a hard cap instead. A
         * department's queue is the whistles it has not finished. */
        st = who->role == ROLE_DEPARTMENT_STAFF
                 ? db_query(db, SQL_DEPT_QUEUE, S(dept_code), S(county), S(who->department),
                            I((int64_t)limit), S(county))
             : strlen(who->scope) == 14
                 ? db_query(db, SQL_QUEUE_GRID, S(who->scope), I((int64_t)limit), S(county))
                 : desk_queue(db, who, county, hi, limit);
        return list_write(st, limit, 0, out);
    }
    if (who->role == ROLE_DEPARTMENT_STAFF || filtered(f)) {
        static const cases_filter_t none = {0};
        const cases_filter_t *ff = f ? f : &none;
        char cat_lo[16] = "", cat_hi[24] = "~", reg_lo[32] = "", reg_hi[40] = "~";
        if (ff->category) {
            snprintf(cat_lo, sizeof cat_lo, "%s", ff->category);
            region_scope_hi(cat_lo, cat_hi, sizeof cat_hi);
        }
        if (ff->region) {
            /* Staff narrow their own scope; nobody reaches outside it. */
            if (!region_in_scope(who->scope, ff->region))
                return ERR_NOTFOUND;
            snprintf(reg_lo, sizeof reg_lo, "%s", ff->region);
            region_scope_hi(reg_lo, reg_hi, sizeof reg_hi);
        }
        int i = 1;
        if (who->role == ROLE_DEPARTMENT_STAFF) {
            /* Two walks (held, summoned), each filtered and cut at the page, then merged. */
            if (!(st = db_prepare(db, SQL_FIND_DEPT)))
                return ERR_IO;
            db_bind_text(st, i++, county, -1);
            db_bind_text(st, i++, dept_code, -1);
            db_bind_i64(st, i++, before);
            i = bind_filters(st, i, ff, cat_lo, cat_hi, reg_lo, reg_hi);
            db_bind_i64(st, i++, (int64_t)limit + 1);
            db_bind_text(st, i++, county, -1);
            db_bind_text(st, i++, who->department, -1);
            db_bind_i64(st, i++, before);
            i = bind_filters(st, i, ff, cat_lo, cat_hi, reg_lo, reg_hi);
            db_bind_i64(st, i++, (int64_t)limit + 1);
            db_bind_i64(st, i, (int64_t)limit + 1);
            return list_write(st, limit, 1, out);
        }
        if (who->role & (ROLE_RESIDENT | ROLE_INFORMANT)) {
            st = db_prepare(db, SQL_FIND_MINE);
            if (st) {
                db_bind_text(st, i++, county, -1);
                db_bind_i64(st, i++, who->id);
            }
        } else if (who->role == ROLE_BUILDING_HEAD) {
            st = db_prepare(db, SQL_FIND_FILED);
            if (st) {
                db_bind_text(st, i++, county, -1);
                db_bind_i64(st, i++, who->id);
                db_bind_i64(st, i++, who->id);
            }
        } else {
            st = db_prepare(db, SQL_FIND_SCOPE);
            if (st) {
                db_bind_text(st, i++, who->scope, -1);
                db_bind_text(st, i++, hi, -1);
            }
        }
        if (!st)
            return ERR_IO;
        db_bind_i64(st, i++, before);
        i = bind_filters(st, i, ff, cat_lo, cat_hi, reg_lo, reg_hi);
        db_bind_i64(st, i, (int64_t)limit + 1);
        return list_write(st, limit, 1, out);
    }
    if (who->role & (ROLE_RESIDENT | ROLE_INFORMANT))
        st = db_query(db, SQL_LIST_MINE, S(county), I(who->id), I(before), S(stv), S(stv),
                      I((int64_t)limit + 1));
    else if (who->role == ROLE_BUILDING_HEAD)
        /* A building head follows what they reported and what they filed for residents. */
        st = db_query(db, SQL_LIST_FILED, S(county), I(who->id), I(who->id), I(before), S(stv),
                      S(stv), I((int64_t)limit + 1));
    else if (strlen(who->scope) == 14)
        /* A grid: one region code, so the (region_code, id) index yields the newest first
         * without sorting the grid's whole history. */
        st = db_query(db, SQL_LIST_GRID, S(who->scope), I(before), S(stv), S(stv),
                      I((int64_t)limit + 1));
    else
        st = db_query(db, SQL_LIST_SCOPE, S(who->scope), S(hi), I(before), S(stv), S(stv),
                      I((int64_t)limit + 1));
    return list_write(st, limit, 1, out);
}

/* 疑似重复: candidates come from the same community's region range and the 72 h window around
 * the case (index cases_region), then distance decides. */
#define SIMILAR_WINDOW_MS (72LL * 3600 * 1000)
#define SIMILAR_RADIUS_M 500.0
static const char SQL_SIMILAR[] =
    "SELECT " CASE_COLS CASE_FROM
    " WHERE c.region_code >= ? AND c.region_code < ? AND c.county = ? AND c.category_code = ?"
    " AND c.id <> ? AND c.created_at >= ? AND c.created_at <= ?"
    " AND c.state IN ('submitted', 'dispatched', 'accepted', 'returned', 'escalated', 'whistle',"
    " 'reopened') ORDER BY c.id DESC LIMIT 200";

json_t *cases_similar(db_t *db, const actor_t *who, int64_t id, int *rc)
{
    char county[8];
    cases_county_of(who->scope, county);
    if (!cases_visible(db, who, county, id)) {
        *rc = ERR_NOTFOUND;
        return NULL;
    }
    db_stmt_t *st = db_query(db, SQL_CASE, S(county), I(id));
    int s = st ? db_step(st) : ERR_IO;
    if (s != DB_ROW) {
        db_reset(st);
        *rc = s < 0 ? s : ERR_NOTFOUND;
        return NULL;
    }
    char region[32], category[16], lo[16], hi[24];
    snprintf(region, sizeof region, "%s", db_col_text(st, COL_REGION_CODE));
    snprintf(category, sizeof category, "%s", db_col_text(st, COL_CATEGORY_CODE));
    int located = !db_col_isnull(st, COL_LAT) && !db_col_isnull(st, COL_LON);
    double lat = located ? strtod(db_col_text(st, COL_LAT), NULL) : 0;
    double lon = located ? strtod(db_col_text(st, COL_LON), NULL) : 0;
    int64_t created = db_col_i64(st, COL_CREATED_AT);
    db_reset(st);
    /* The community (12 digits) around the case; a case placed higher up looks at its own node. */
    snprintf(lo, sizeof lo, "%.12s", region);
    region_scope_hi(lo, hi, sizeof hi);
    st = db_query(db, SQL_SIMILAR, S(lo), S(hi), S(county), S(category), I(id),
                  I(created - SIMILAR_WINDOW_MS), I(created + SIMILAR_WINDOW_MS));
    json_t *items = json_array();
    while (st && (s = db_step(st)) == DB_ROW) {
        const char *r = db_col_text(st, COL_REGION_CODE);
        if (!cases_visible_to(who, r, db_col_text(st, COL_ASSIGNEE),
                              db_col_isnull(st, COL_REPORTER) ? 0 : db_col_i64(st, COL_REPORTER),
                              db_col_isnull(st, COL_FILED_BY) ? 0 : db_col_i64(st, COL_FILED_BY)))
            continue;
        int here = !db_col_isnull(st, COL_LAT) && !db_col_isnull(st, COL_LON);
        double d = -1;
        if (located && here) {
            d = geo_distance_m(lon, lat, strtod(db_col_text(st, COL_LON), NULL),
                               strtod(db_col_text(st, COL_LAT), NULL));
            if (d > SIMILAR_RADIUS_M)
                continue;
        } else if (strcmp(r, region) != 0) {
            continue; /* without two locations, only the same grid counts as the same place */
        }
        json_t *o = case_json(st);
        json_object_set_new(o, "distance_m",
                            d < 0 ? json_null() : json_integer((json_int_t)(d + 0.5)));
        json_array_append_new(items, o);
    }
    db_reset(st);
    /* Nearest first (unknown distances last), then newest; at most 10. */
    size_t n = json_array_size(items);
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0; k--) {
            json_t *a = json_object_get(json_array_get(items, k - 1), "distance_m");
            json_t *b = json_object_get(json_array_get(items, k), "distance_m");
            int swap = json_is_null(a)
                           ? !json_is_null(b)
                           : (!json_is_null(b) && json_integer_value(b) < json_integer_value(a));
            if (!swap)
                break;
            json_t *t = json_incref(json_array_get(items, k - 1));
            json_array_set(items, k - 1, json_array_get(items, k));
            json_array_set_new(items, k, t);
        }
    while (json_array_size(items) > 10)
        json_array_remove(items, json_array_size(items) - 1);
    *rc = s < 0 ? s : 0;
    if (s < 0) {
        json_decref(items);
        return NULL;
    }
    return json_pack("{s:o}", "items", items);
}
