/* registry.c — people, households and grid memberships. */
#include "domain/registry/registry.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/common/listing.h"
#include "lib/idgen.h"
#include "lib/ids.h"
#include "lib/log.h"
#include "lib/mask.h"
#include "lib/utf8.h"

static const crypto_keys_t *keys;

void registry_init(const crypto_keys_t *k) { keys = k; }
const crypto_keys_t *registry_keys(void) { return keys; }

static const char *const known_tags[] = {"独居老人", "空巢老人", "残疾人",   "留守儿童",
                                         "低保户",   "重点关注", "退役军人", "党员",
                                         "孕产妇",   "失业人员", NULL};

int registry_tag_valid(const char *tag)
{
    for (int i = 0; known_tags[i]; i++)
        if (strcmp(known_tags[i], tag) == 0)
            return 1;
    return 0;
}

static json_t *id_string(int64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "%" PRId64, v);
    return json_string(b);
}

static void county_of(const char *scope, char county[8]) { snprintf(county, 8, "%.6s", scope); }

static json_t *tags_json(const char *csv)
{
    json_t *a = json_array();
    if (!csv)
        return a;
    const char *p = csv;
    while (*p) {
        const char *q = strchr(p, ',');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        if (n)
            json_array_append_new(a, json_stringn(p, n));
        p += n + (q ? 1 : 0);
    }
    return a;
}

/* ---------- people ---------- */

#define PERSON_COLS REGISTRY_PERSON_COLS

static json_t *person_json(db_stmt_t *st, int c)
{
    json_t *o =
        json_pack("{s:o,s:s,s:s,s:s,s:s?,s:s,s:s?,s:o,s:s}", "id", id_string(db_col_i64(st, c)),
                  "name", db_col_text(st, c + 1), "sex", db_col_text(st, c + 2), "birth_date",
                  db_col_text(st, c + 3), "relation", db_col_text(st, c + 4), "id_number_masked",
                  db_col_text(st, c + 5), "phone_masked", db_col_text(st, c + 6), "tags",
                  tags_json(db_col_text(st, c + 7)), "region_code", db_col_text(st, c + 9));
    if (!db_col_isnull(st, c + 8))
        json_object_set_new(o, "household_id", id_string(db_col_i64(st, c + 8)));
    return o;
}

static const char SQL_PERSON[] = "SELECT " PERSON_COLS " FROM people p"
                                 " WHERE p.county = ? AND p.id = ? AND p.region_code >= ?"
                                 " AND p.region_code < ?";

json_t *registry_person(db_t *db, const char *scope, int64_t id, int *rc)
{
    char county[8], hi[32];
    county_of(scope, county);
    region_scope_hi(scope, hi, sizeof hi);
    db_stmt_t *st = db_query(db, SQL_PERSON, S(county), I(id), S(scope), S(hi));
    if (!st) {
        *rc = ERR_IO;
        return NULL;
    }
    int s = db_step(st);
    json_t *o = s == DB_ROW ? person_json(st, 0) : NULL;
    db_reset(st);
    *rc = o ? 0 : (s < 0 ? s : ERR_NOTFOUND);
    return o;
}

static const char SQL_PEOPLE[] =
    "SELECT " PERSON_COLS " FROM people p WHERE p.region_code >= ? AND p.region_code < ?"
    " AND p.id > ? ORDER BY p.id LIMIT ?";
static const char SQL_PEOPLE_TAG[] =
    "SELECT " PERSON_COLS " FROM people p WHERE p.region_code >= ? AND p.region_code < ?"
    " AND p.id > ? AND (',' || p.tags || ',') LIKE ? ORDER BY p.id LIMIT ?";

json_t *registry_person_row(db_stmt_t *st) { return person_json(st, 0); }

json_t *registry_people(db_t *db, const char *scope, const char *region_code, const char *tag,
                        const char *cursor, int limit, int *rc)
{
    const char *code = region_code && *region_code ? region_code : scope;
    if (!region_in_scope(scope, code)) {
        *rc = ERR_NOTFOUND;
        return NULL;
    }
    char hi[32], like[96];
    region_scope_hi(code, hi, sizeof hi);
    int64_t after = listing_cursor(cursor, 0);
    db_stmt_t *st;
    if (tag && *tag) {
        snprintf(like, sizeof like, "%%,%s,%%", tag);
        st = db_query(db, SQL_PEOPLE_TAG, S(code), S(hi), I(after), S(like), I((int64_t)limit + 1));
    } else {
        st = db_query(db, SQL_PEOPLE, S(code), S(hi), I(after), I((int64_t)limit + 1));
    }
    return listing_page(st, limit, registry_person_row, rc);
}

static const char SQL_SENSITIVE[] =
    "SELECT p.id, p.name, p.id_enc, p.phone_enc FROM people p WHERE p.county = ? AND p.id = ?"
    " AND p.region_code >= ? AND p.region_code < ?";

json_t *registry_person_sensitive(db_t *db, const char *scope, int64_t id, int *rc)
{
    char county[8], hi[32];
    county_of(scope, county);
    region_scope_hi(scope, hi, sizeof hi);
    db_stmt_t *st = db_query(db, SQL_SENSITIVE, S(county), I(id), S(scope), S(hi));
    if (!st) {
        *rc = ERR_IO;
        return NULL;
    }
    int s = db_step(st);
    json_t *o = NULL;
    if (s == DB_ROW) {
        char *idn = crypto_field_decrypt(keys, db_col_text(st, 2));
        char *ph = db_col_text(st, 3) ? crypto_field_decrypt(keys, db_col_text(st, 3)) : NULL;
        if (!idn) {
            log_error("person %" PRId64 ": ID number does not decrypt (wrong key or altered row)",
                      id);
            s = ERR_IO;
        } else {
            o = json_pack("{s:o,s:s,s:s,s:s?}", "id", id_string(id), "name", db_col_text(st, 1),
                          "id_number", idn, "phone", ph);
        }
        free(idn);
        free(ph);
    }
    db_reset(st);
    *rc = o ? 0 : (s < 0 ? s : ERR_NOTFOUND);
    return o;
}

/* ---------- households ---------- */

#define HOUSEHOLD_COLS                                                                             \
    "h.id, h.region_code, h.unit, h.room, h.address, h.head_person_id,"                            \
    " (SELECT name FROM people x WHERE x.county = h.county AND x.id = h.head_person_id),"          \
    " (SELECT COUNT(*) FROM people y WHERE y.county = h.county AND y.household_id = h.id)"

static json_t *household_json(db_stmt_t *st)
{
    json_t *o =
        json_pack("{s:o,s:s,s:s?,s:s,s:s?,s:I}", "id", id_string(db_col_i64(st, 0)), "region_code",
                  db_col_text(st, 1), "room", db_col_text(st, 3), "address", db_col_text(st, 4),
                  "head_name", db_col_text(st, 6), "member_count", (json_int_t)db_col_i64(st, 7));
    if (!db_col_isnull(st, 2))
        json_object_set_new(o, "unit", json_integer(db_col_i64(st, 2)));
    if (!db_col_isnull(st, 5))
        json_object_set_new(o, "head_person_id", id_string(db_col_i64(st, 5)));
    return o;
}

static const char SQL_HOUSEHOLDS[] =
    "SELECT " HOUSEHOLD_COLS " FROM households h WHERE h.region_code >= ? AND h.region_code < ?"
    " AND h.id > ? ORDER BY h.id LIMIT ?";

json_t *registry_households(db_t *db, const char *scope, const char *region_code,
                            const char *cursor, int limit, int *rc)
{
    if (!region_in_scope(scope, region_code)) {
        *rc = ERR_NOTFOUND;
        return NULL;
    }
    int exists = 0;
    if ((*rc = region_exists(db, region_code, &exists)) != 0)
        return NULL;
    if (!exists) {
        *rc = ERR_NOTFOUND;
        return NULL;
    }
    char hi[32];
    region_scope_hi(region_code, hi, sizeof hi);
    db_stmt_t *st = db_query(db, SQL_HOUSEHOLDS, S(region_code), S(hi),
                             I(listing_cursor(cursor, 0)), I((int64_t)limit + 1));
    return listing_page(st, limit, household_json, rc);
}

static const char SQL_HOUSEHOLD[] = "SELECT " HOUSEHOLD_COLS " FROM households h"
                                    " WHERE h.county = ? AND h.id = ? AND h.region_code >= ?"
                                    " AND h.region_code < ?";
static const char SQL_MEMBERS[] = "SELECT " PERSON_COLS " FROM people p"
                                  " WHERE p.county = ? AND p.household_id = ? ORDER BY p.id";

json_t *registry_household(db_t *db, const char *scope, int64_t id, int *rc)
{
    char county[8], hi[32];
    county_of(scope, county);
    region_scope_hi(scope, hi, sizeof hi);
    db_stmt_t *st = db_query(db, SQL_HOUSEHOLD, S(county), I(id), S(scope), S(hi));
    if (!st) {
        *rc = ERR_IO;
        return NULL;
    }
    int s = db_step(st);
    json_t *o = s == DB_ROW ? household_json(st) : NULL;
    db_reset(st);
    if (!o) {
        *rc = s < 0 ? s : ERR_NOTFOUND;
        return NULL;
    }
    /* Where it is, in words: its grid and its building or household group. */
    const char *rc17 = json_string_value(json_object_get(o, "region_code"));
    char grid[16];
    snprintf(grid, sizeof grid, "%.14s", rc17 ? rc17 : "");
    static const char SQL_NAME[] = "SELECT name FROM regions WHERE code = ?";
    const char *codes[2] = {grid, rc17};
    const char *keys[2] = {"grid_name", "node_name"};
    for (int k = 0; k < 2; k++) {
        st = db_query(db, SQL_NAME, S(codes[k] ? codes[k] : ""));
        json_object_set_new(o, keys[k],
                            st && db_step(st) == DB_ROW ? json_string(db_col_text(st, 0))
                                                        : json_null());
        db_reset(st);
    }
    st = db_query(db, SQL_MEMBERS, S(county), I(id));
    json_t *members = json_array();
    while (st && (s = db_step(st)) == DB_ROW)
        json_array_append_new(members, person_json(st, 0));
    db_reset(st);
    json_object_set_new(o, "members", members);
    *rc = st && s >= 0 ? 0 : ERR_IO;
    if (*rc) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ---------- grid ---------- */

static const char SQL_TRIANGLE[] =
    "SELECT m.role, m.region_code, m.unit, p.id, p.name, p.phone_masked FROM memberships m"
    " JOIN people p ON p.county = m.county AND p.id = m.person_id"
    " WHERE m.region_code >= ? AND m.region_code < ? ORDER BY m.region_code, m.role, m.unit";

json_t *registry_grid(db_t *db, const char *scope, const char *grid_code, int *rc)
{
    /* Staff of the grid or above see it; a building head (scope inside the grid) sees its own
     * grid's triangle too, since the head is one corner of it. */
    if (region_level_of(grid_code) != REGION_GRID ||
        !(region_in_scope(scope, grid_code) || region_in_scope(grid_code, scope))) {
        *rc = ERR_NOTFOUND;
        return NULL;
    }
    json_t *g = region_get(db, grid_code, rc);
    if (!g)
        return NULL;
    char hi[32];
    region_scope_hi(grid_code, hi, sizeof hi);
    db_stmt_t *st = db_query(db, SQL_TRIANGLE, S(grid_code), S(hi));
    json_t *leaders = json_array(), *workers = json_array(), *heads = json_array();
    int s = ERR_IO;
    while (st && (s = db_step(st)) == DB_ROW) {
        const char *role = db_col_text(st, 0);
        json_t *m = json_pack("{s:s,s:s,s:o,s:s,s:s?}", "role", role, "region_code",
                              db_col_text(st, 1), "person_id", id_string(db_col_i64(st, 3)), "name",
                              db_col_text(st, 4), "phone_masked", db_col_text(st, 5));
        if (!db_col_isnull(st, 2))
            json_object_set_new(m, "unit", json_integer(db_col_i64(st, 2)));
        json_array_append_new(strcmp(role, "party_leader") == 0  ? leaders
                              : strcmp(role, "grid_worker") == 0 ? workers
                                                                 : heads,
                              m);
    }
    db_reset(st);
    json_object_set_new(g, "triangle",
                        json_pack("{s:o,s:o,s:o}", "party_leader", leaders, "grid_worker", workers,
                                  "heads", heads));
    *rc = s < 0 ? s : 0;
    if (*rc) {
        json_decref(g);
        return NULL;
    }
    return g;
}

/* ---------- my own ---------- */

static const char SQL_MY_PERSON[] =
    "SELECT " PERSON_COLS ", p.phone_enc FROM people p WHERE p.county = ? AND p.id = ?";

json_t *registry_my_profile(db_t *db, const actor_t *u, int *rc)
{
    if (!u->person_id) {
        *rc = ERR_NOTFOUND;
        return NULL;
    }
    db_stmt_t *st = db_query(db, SQL_MY_PERSON, S(u->county), I(u->person_id));
    int s = st ? db_step(st) : ERR_IO;
    json_t *o = NULL;
    if (s == DB_ROW) {
        o = person_json(st, 0);
        /* One's own phone is shown in full; one's own ID number stays masked on screen. */
        char *ph = db_col_text(st, 10) ? crypto_field_decrypt(keys, db_col_text(st, 10)) : NULL;
        if (ph)
            json_object_set_new(o, "phone", json_string(ph));
        free(ph);
    }
    db_reset(st);
    *rc = o ? 0 : (s < 0 ? s : ERR_NOTFOUND);
    return o;
}

static const char SQL_MY_HOUSEHOLD[] =
    "SELECT household_id FROM people WHERE county = ? AND id = ?";

json_t *registry_my_household(db_t *db, const actor_t *u, int *rc)
{
    int64_t hid = 0;
    int found = 0;
    if (!u->person_id) {
        *rc = ERR_NOTFOUND;
        return NULL;
    }
    *rc = db_one_i64(db, SQL_MY_HOUSEHOLD, &hid, &found, S(u->county), I(u->person_id));
    if (*rc)
        return NULL;
    if (!found || !hid) {
        *rc = ERR_NOTFOUND;
        return NULL;
    }
    return registry_household(db, u->county, hid, rc);
}

/* ---------- writes ---------- */

static const char SQL_INSERT_PERSON[] =
    "INSERT INTO people (county, id, region_code, household_id, name, sex, birth_date, relation,"
    " id_enc, id_hash, id_masked, phone_enc, phone_hash, phone_masked, tags, created_at,"
    " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

int registry_insert_person(db_t *db, const char *region_code, int64_t household_id,
                           const char *name, const char *id18, const char *phone,
                           const char *relation, const char *tags, int64_t now, int64_t *out_id)
{
    char county[8], birth[16], idmask[24], idhash[65], phash[65], pmask[16];
    int y, m, d;
    county_of(region_code, county);
    ids_resident_birth(id18, &y, &m, &d);
    snprintf(birth, sizeof birth, "%04d-%02d-%02d", y, m, d);
    mask_id(id18, idmask, sizeof idmask);
    crypto_field_hash(keys, id18, 18, idhash);
    char *idenc = crypto_field_encrypt(keys, id18, 18);
    char *penc = NULL;
    if (phone) {
        penc = crypto_field_encrypt(keys, phone, strlen(phone));
        crypto_field_hash(keys, phone, strlen(phone), phash);
        mask_phone(phone, pmask, sizeof pmask);
    }
    int64_t id = idgen_next();
    db_stmt_t *st = db_prepare(db, SQL_INSERT_PERSON);
    int rc = ERR_IO;
    if (st && idenc) {
        db_bind_text(st, 1, county, -1);
        db_bind_i64(st, 2, id);
        db_bind_text(st, 3, region_code, -1);
        if (household_id)
            db_bind_i64(st, 4, household_id);
        else
            db_bind_null(st, 4);
        db_bind_text(st, 5, name, -1);
        db_bind_text(st, 6, ids_resident_sex(id18) == 'M' ? "M" : "F", -1);
        db_bind_text(st, 7, birth, -1);
        db_bind_text(st, 8, relation, -1);
        db_bind_text(st, 9, idenc, -1);
        db_bind_text(st, 10, idhash, -1);
        db_bind_text(st, 11, idmask, -1);
        db_bind_text(st, 12, penc, -1);
        db_bind_text(st, 13, phone ? phash : NULL, -1);
        db_bind_text(st, 14, phone ? pmask : NULL, -1);
        db_bind_text(st, 15, tags ? tags : "", -1);
        db_bind_i64(st, 16, now);
        db_bind_i64(st, 17, now);
        rc = db_step(st);
        db_reset(st);
    }
    free(idenc);
    free(penc);
    if (rc >= 0 && out_id)
        *out_id = id;
    return rc < 0 ? rc : 0;
}

static const char SQL_INSERT_HOUSEHOLD[] =
    "INSERT INTO households (county, id, region_code, unit, room, address, created_at)"
    " VALUES (?,?,?,?,?,?,?)";

int registry_insert_household(db_t *db, const char *region_code, int unit, const char *room,
                              const char *address, int64_t now, int64_t *out_id)
{
    char county[8];
    county_of(region_code, county);
    int64_t id = idgen_next();
    db_stmt_t *st = db_prepare(db, SQL_INSERT_HOUSEHOLD);
    if (!st)
        return ERR_IO;
    db_bind_text(st, 1, county, -1);
    db_bind_i64(st, 2, id);
    db_bind_text(st, 3, region_code, -1);
    if (unit > 0)
        db_bind_i64(st, 4, unit);
    else
        db_bind_null(st, 4);
    db_bind_text(st, 5, room, -1);
    db_bind_text(st, 6, address, -1);
    db_bind_i64(st, 7, now);
    int rc = db_step(st);
    db_reset(st);
    if (rc >= 0)
        *out_id = id;
    return rc < 0 ? rc : 0;
}

static const char SQL_SET_HEAD[] =
    "UPDATE households SET head_person_id = ? WHERE county = ? AND id = ?";

int registry_set_head(db_t *db, const char *county, int64_t household_id, int64_t person_id)
{
    return db_run(db, SQL_SET_HEAD, I(person_id), S(county), I(household_id));
}

static const char SQL_INSERT_MEMBER[] =
    "INSERT INTO memberships (county, id, region_code, role, person_id, unit, created_at)"
    " VALUES (?,?,?,?,?,?,?)";

int registry_add_member(db_t *db, const char *region_code, const char *role, int64_t person_id,
                        int unit, int64_t now)
{
    char county[8];
    county_of(region_code, county);
    db_stmt_t *st = db_prepare(db, SQL_INSERT_MEMBER);
    if (!st)
        return ERR_IO;
    db_bind_text(st, 1, county, -1);
    db_bind_i64(st, 2, idgen_next());
    db_bind_text(st, 3, region_code, -1);
    db_bind_text(st, 4, role, -1);
    db_bind_i64(st, 5, person_id);
    if (unit > 0)
        db_bind_i64(st, 6, unit);
    else
        db_bind_null(st, 6);
    db_bind_i64(st, 7, now);
    int rc = db_step(st);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

/* Tags as a validated comma list; ERR_INVALID on an unknown tag. */
static int tags_csv(json_t *tags, char *out, size_t cap, err_t *e)
{
    out[0] = 0;
    if (!tags)
        return 0;
    if (!json_is_array(tags))
        return err_set(e, ERR_INVALID, "invalid", "tags 应为字符串数组", "tags");
    size_t i, o = 0;
    json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *s = json_string_value(t);
        if (!s || !registry_tag_valid(s))
            return err_set(e, ERR_INVALID, "invalid", "未知的人群标签", "tags");
        int n = snprintf(out + o, cap - o, "%s%s", o ? "," : "", s);
        if (n < 0 || (size_t)n >= cap - o)
            return err_set(e, ERR_INVALID, "invalid", "标签过多", "tags");
        o += (size_t)n;
    }
    return 0;
}

static int check_name(const char *name, err_t *e)
{
    size_t n = name ? strlen(name) : 0;
    if (!n || !utf8_valid(name, n) || utf8_count(name, n) > 20)
        return err_set(e, ERR_INVALID, "invalid", "姓名不能为空且不超过 20 个字", "name");
    return 0;
}

static const char SQL_HH_REGION[] =
    "SELECT region_code FROM households WHERE county = ? AND id = ? AND region_code >= ?"
    " AND region_code < ?";

int registry_person_create(db_t *db, const char *scope, registry_person_new_t *p, err_t *e)
{
    char id18[19], phone[12], tags[512], county[8], hi[32], region[32] = "";
    int rc = check_name(p->name, e);
    if (rc)
        return rc;
    if (!p->id_number)
        return err_set(e, ERR_INVALID, "invalid", "请填写身份证号码", "id_number");
    if ((rc = ids_resident_normalize(p->id_number, strlen(p->id_number), id18, e)) != 0)
        return rc;
    if (p->phone && *p->phone &&
        (rc = ids_mobile_normalize(p->phone, strlen(p->phone), phone, e)) != 0)
        return rc;
    if ((rc = tags_csv(p->tags, tags, sizeof tags, e)) != 0)
        return rc;
    county_of(scope, county);
    region_scope_hi(scope, hi, sizeof hi);
    db_stmt_t *st = db_query(db, SQL_HH_REGION, S(county), I(p->household_id), S(scope), S(hi));
    int s = st ? db_step(st) : ERR_IO;
    if (s == DB_ROW)
        snprintf(region, sizeof region, "%s", db_col_text(st, 0));
    db_reset(st);
    if (s < 0)
        return s;
    if (!region[0])
        return err_set(e, ERR_NOTFOUND, "not_found", "户不存在或不在您的管辖范围内",
                       "household_id");
    rc = registry_insert_person(db, region, p->household_id, p->name, id18,
                                p->phone && *p->phone ? phone : NULL, p->relation, tags, p->now,
                                &p->id);
    if (rc == ERR_CONFLICT)
        return err_set(e, ERR_CONFLICT, "conflict", "该身份证号码已登记", "id_number");
    return rc;
}

static const char SQL_UPDATE_NAME[] =
    "UPDATE people SET name = ?, updated_at = ? WHERE county = ? AND id = ?";
static const char SQL_UPDATE_PHONE[] =
    "UPDATE people SET phone_enc = ?, phone_hash = ?, phone_masked = ?, updated_at = ?"
    " WHERE county = ? AND id = ?";
static const char SQL_UPDATE_TAGS[] =
    "UPDATE people SET tags = ?, updated_at = ? WHERE county = ? AND id = ?";

int registry_person_update(db_t *db, const char *scope, int64_t id, const char *name,
                           const char *phone, json_t *tags, int64_t now, err_t *e)
{
    char county[8], ph[12], tagcsv[512];
    int rc = 0;
    /* Validate everything first: a request either happens whole or not at all. */
    if (name && (rc = check_name(name, e)) != 0)
        return rc;
    if (phone && *phone && (rc = ids_mobile_normalize(phone, strlen(phone), ph, e)) != 0)
        return rc;
    if (tags && (rc = tags_csv(tags, tagcsv, sizeof tagcsv, e)) != 0)
        return rc;
    json_t *cur = registry_person(db, scope, id, &rc);
    if (!cur)
        return rc == ERR_NOTFOUND ? err_set(e, rc, "not_found", "人员不存在", NULL) : rc;
    json_decref(cur);
    county_of(scope, county);
    if (name)
        rc = db_run(db, SQL_UPDATE_NAME, S(name), I(now), S(county), I(id));
    if (rc == 0 && phone) {
        if (*phone) {
            char h[65], mk[16];
            char *enc = crypto_field_encrypt(keys, ph, strlen(ph));
            crypto_field_hash(keys, ph, strlen(ph), h);
            mask_phone(ph, mk, sizeof mk);
            rc = db_run(db, SQL_UPDATE_PHONE, S(enc), S(h), S(mk), I(now), S(county), I(id));
            free(enc);
        } else {
            rc = db_run(db, SQL_UPDATE_PHONE, NUL, NUL, NUL, I(now), S(county), I(id));
        }
    }
    if (rc == 0 && tags)
        rc = db_run(db, SQL_UPDATE_TAGS, S(tagcsv), I(now), S(county), I(id));
    return rc;
}

int registry_keys_row(const crypto_keys_t *k, const char *const vals[REGISTRY_KEY_NCOLUMNS],
                      int *present)
{
    int bad = 0;
    *present = 0;
    for (int f = 0; f < 2; f++) {
        if (!vals[2 * f])
            continue;
        (*present)++;
        bad += !crypto_field_matches(k, vals[2 * f], vals[2 * f + 1]);
    }
    return bad;
}

int registry_check_keys(db_t *db, check_report_t *r)
{
    static const char SQL[] =
        "SELECT county, id, id_enc, id_hash, phone_enc, phone_hash FROM people";
    const crypto_keys_t *k = registry_keys();
    db_stmt_t *st = db_prepare(db, SQL);
    if (!st)
        return check_failed(db, r, "keys");
    int bad = 0, s;
    while ((s = db_step(st)) == DB_ROW) {
        r->checked++;
        int64_t id = db_col_i64(st, 1);
        for (int f = 0; f < 2; f++) {
            const char *v[REGISTRY_KEY_NCOLUMNS] = {db_col_text(st, 2 + 2 * f),
                                                    db_col_text(st, 3 + 2 * f), NULL, NULL};
            int present;
            if (registry_keys_row(k, v, &present) == 0)
                continue;
            if (bad < 20)
                printf("person %s/%" PRId64 ": %s does not decrypt or match its hash\n",
                       db_col_text(st, 0), id, f ? "phone" : "id_number");
            bad++;
        }
    }
    db_reset(st);
    if (s < 0)
        return check_failed(db, r, "keys");
    r->problems += bad;
    return bad ? 1 : 0;
}
