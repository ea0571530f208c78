#include "lib/geo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* Distance in degrees within which a point counts as on the boundary: decimal coordinates of
 * a point "on" a slanted edge are rarely exactly collinear in binary floating point. */
#define ON_EDGE_EPS 1e-9

static const char FIELD[] = "boundary";

/* One flat layout: polygon p owns rings [poly_ring[p], poly_ring[p+1]), ring r owns positions
 * [ring_pt[r], ring_pt[r+1]) of pt (lon, lat pairs). */
struct geo_shape {
    size_t npoly, nring, npts;
    size_t *poly_ring;
    size_t *ring_pt;
    double *pt;
    double *pbox; /* per polygon: min lon, min lat, max lon, max lat */
    double box[4];
};

static _Noreturn void out_of_memory(size_t n)
{
    fprintf(stderr, "jiceng: 内存不足 (out of memory allocating %zu bytes)\n", n);
    abort();
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        out_of_memory(n * size);
    return p;
}

static int bad(err_t *e, const char *msg) { return err_set(e, ERR_INVALID, NULL, msg, FIELD); }

/* ---- parsing: walk() runs twice, first to check and count (s == NULL), then to fill ---- */

typedef struct {
    size_t npoly, nring, npts;
} counts_t;

static int walk_position(json_t *pos, geo_shape_t *s, counts_t *n, err_t *e)
{
    if (!json_is_array(pos) || json_array_size(pos) < 2)
        return bad(e, "边界坐标应为 [经度, 纬度]");
    size_t i;
    json_t *v;
    json_array_foreach(pos, i, v)
    {
        if (!json_is_number(v))
            return bad(e, "边界坐标应为数字");
    }
    double lon = json_number_value(json_array_get(pos, 0));
    double lat = json_number_value(json_array_get(pos, 1));
    if (lon < -180.0 || lon > 180.0)
        return bad(e, "经度应在 -180 到 180 之间");
    if (lat < -90.0 || lat > 90.0)
        return bad(e, "纬度应在 -90 到 90 之间");
    if (n->npts >= GEO_MAX_POINTS)
        return err_set(e, ERR_TOOLARGE, NULL, "边界点数过多", FIELD);
    if (s) {
        s->pt[2 * n->npts] = lon;
        s->pt[2 * n->npts + 1] = lat;
    }
    n->npts++;
    return 0;
}

static int walk_ring(json_t *ring, geo_shape_t *s, counts_t *n, err_t *e)
{
    if (!json_is_array(ring))
        return bad(e, "边界坐标格式错误");
    if (json_array_size(ring) > 0 && !json_is_array(json_array_get(ring, 0)))
        return bad(e, "边界坐标格式错误"); /* a position where a ring belongs: nesting is off */
    if (json_array_size(ring) < 4)
        return bad(e, "边界环至少需要4个点");
    size_t i;
    json_t *pos;
    json_array_foreach(ring, i, pos)
    {
        int rc = walk_position(pos, s, n, e);
        if (rc)
            return rc;
    }
    json_t *a = json_array_get(ring, 0), *b = json_array_get(ring, json_array_size(ring) - 1);
    if (json_number_value(json_array_get(a, 0)) != json_number_value(json_array_get(b, 0)) ||
        json_number_value(json_array_get(a, 1)) != json_number_value(json_array_get(b, 1)))
        return bad(e, "边界环首尾坐标应相同");
    if (s)
        s->ring_pt[n->nring + 1] = n->npts;
    n->nring++;
    return 0;
}

static int walk_polygon(json_t *rings, geo_shape_t *s, counts_t *n, err_t *e)
{
    if (!json_is_array(rings))
        return bad(e, "边界坐标格式错误");
    if (json_array_size(rings) == 0)
        return bad(e, "边界多边形不能为空");
    size_t i;
    json_t *ring;
    json_array_foreach(rings, i, ring)
    {
        int rc = walk_ring(ring, s, n, e);
        if (rc)
            return rc;
    }
    if (s)
        s->poly_ring[n->npoly + 1] = n->nring;
    n->npoly++;
    return 0;
}

/* geom is a Polygon or MultiPolygon (checked by the caller). */
static int walk(json_t *geom, geo_shape_t *s, counts_t *n, err_t *e)
{
    json_t *coords = json_object_get(geom, "coordinates");
    if (!strcmp(json_string_value(json_object_get(geom, "type")), "Polygon"))
        return walk_polygon(coords, s, n, e);
    if (!json_is_array(coords))
        return bad(e, "边界坐标格式错误");
    if (json_array_size(coords) == 0)
        return bad(e, "边界多边形不能为空");
    size_t i;
    json_t *poly;
    json_array_foreach(coords, i, poly)
    {
        int rc = walk_polygon(poly, s, n, e);
        if (rc)
            return rc;
    }
    return 0;
}

static const char *type_of(json_t *obj)
{
    const char *t = json_string_value(json_object_get(obj, "type"));
    return t ? t : "";
}

static int is_polygonal(json_t *geom)
{
    const char *t = type_of(geom);
    return !strcmp(t, "Polygon") || !strcmp(t, "MultiPolygon");
}

/* The Polygon or MultiPolygon the document holds, or an error. */
static int find_geometry(json_t *root, json_t **geom, err_t *e)
{
    const char *t = type_of(root);
    if (!strcmp(t, "Feature")) {
        root = json_object_get(root, "geometry");
        if (!json_is_object(root))
            return bad(e, "Feature 中没有几何图形");
    } else if (!strcmp(t, "FeatureCollection")) {
        json_t *features = json_object_get(root, "features"), *f;
        size_t i;
        if (!json_is_array(features))
            return bad(e, "FeatureCollection 缺少 features");
        root = NULL;
        json_array_foreach(features, i, f)
        {
            json_t *g = json_object_get(f, "geometry");
            if (json_is_object(g)) {
                root = g;
                break;
            }
        }
        if (!root)
            return bad(e, "FeatureCollection 中没有几何图形");
    }
    if (!is_polygonal(root))
        return bad(e, "边界应为 Polygon 或 MultiPolygon");
    *geom = root;
    return 0;
}

static void compute_boxes(geo_shape_t *s)
{
    for (size_t p = 0; p < s->npoly; p++) {
        double *b = s->pbox + 4 * p;
        size_t from = s->ring_pt[s->poly_ring[p]], to = s->ring_pt[s->poly_ring[p + 1]];
        b[0] = b[2] = s->pt[2 * from];
        b[1] = b[3] = s->pt[2 * from + 1];
        for (size_t i = from; i < to; i++) {
            double x = s->pt[2 * i], y = s->pt[2 * i + 1];
            b[0] = x < b[0] ? x : b[0];
            b[1] = y < b[1] ? y : b[1];
            b[2] = x > b[2] ? x : b[2];
            b[3] = y > b[3] ? y : b[3];
        }
        for (int k = 0; k < 4; k++)
            if (p == 0 || (k < 2 ? b[k] < s->box[k] : b[k] > s->box[k]))
                s->box[k] = b[k];
    }
}

int geo_parse(const char *geojson, size_t len, geo_shape_t **out, err_t *e)
{
    int rc = 0;
    json_error_t jerr;
    json_t *root = NULL, *geom = NULL;
    geo_shape_t *s = NULL;
    counts_t n = {0, 0, 0};

    *out = NULL;
    if (geojson)
        root = json_loadb(geojson, len, 0, &jerr);
    if (!root) {
        rc = err_set(e, ERR_INVALID, "bad_json", "边界数据不是有效的 JSON", FIELD);
        goto out;
    }
    if (!json_is_object(root)) {
        rc = bad(e, "边界应为 Polygon 或 MultiPolygon");
        goto out;
    }
    rc = find_geometry(root, &geom, e);
    if (!rc)
        rc = walk(geom, NULL, &n, e);
    if (rc)
        goto out;

    s = xcalloc(1, sizeof *s);
    s->npoly = n.npoly;
    s->nring = n.nring;
    s->npts = n.npts;
    s->poly_ring = xcalloc(n.npoly + 1, sizeof *s->poly_ring);
    s->ring_pt = xcalloc(n.nring + 1, sizeof *s->ring_pt);
    s->pt = xcalloc(2 * n.npts, sizeof *s->pt);
    s->pbox = xcalloc(4 * n.npoly, sizeof *s->pbox);
    n = (counts_t){0, 0, 0};
    rc = walk(geom, s, &n, e); /* cannot fail: the same document passed the first walk */
    if (rc)
        goto out;
    compute_boxes(s);
    *out = s;
    s = NULL;
out:
    geo_free(s);
    json_decref(root);
    return rc;
}

void geo_free(geo_shape_t *s)
{
    if (!s)
        return;
    free(s->poly_ring);
    free(s->ring_pt);
    free(s->pt);
    free(s->pbox);
    free(s);
}

/* ---- queries ---- */

/* Within ON_EDGE_EPS of segment a-b. */
static int near_segment(double px, double py, const double *a, const double *b)
{
    double dx = b[0] - a[0], dy = b[1] - a[1];
    double len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? ((px - a[0]) * dx + (py - a[1]) * dy) / len2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double qx = a[0] + t * dx - px, qy = a[1] + t * dy - py;
    return qx * qx + qy * qy <= ON_EDGE_EPS * ON_EDGE_EPS;
}

static int on_ring(const double *pt, size_t n, double x, double y)
{
    for (size_t i = 1; i < n; i++)
        if (near_segment(x, y, pt + 2 * (i - 1), pt + 2 * i))
            return 1;
    return 0;
}

/* Even-odd crossing test (W. R. Franklin's pnpoly) for a point known not to be on the ring:
 * a horizontal ray to +x, each edge half-open in y so a vertex at the ray's height counts
 * once. The ring is closed (last == first), so edges are consecutive pairs. */
static int in_ring(const double *pt, size_t n, double x, double y)
{
    int in = 0;
    for (size_t i = 1; i < n; i++) {
        const double *a = pt + 2 * (i - 1), *b = pt + 2 * i;
        if ((a[1] > y) != (b[1] > y) && x < (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]) + a[0])
            in = !in;
    }
    return in;
}

static int polygon_contains(const geo_shape_t *s, size_t p, double x, double y)
{
    const double *b = s->pbox + 4 * p;
    if (x < b[0] - ON_EDGE_EPS || y < b[1] - ON_EDGE_EPS || x > b[2] + ON_EDGE_EPS ||
        y > b[3] + ON_EDGE_EPS)
        return 0;
    size_t r0 = s->poly_ring[p], r1 = s->poly_ring[p + 1];
    for (size_t r = r0; r < r1; r++)
        if (on_ring(s->pt + 2 * s->ring_pt[r], s->ring_pt[r + 1] - s->ring_pt[r], x, y))
            return 1; /* closed set: the boundary of a hole belongs to the polygon too */
    if (!in_ring(s->pt + 2 * s->ring_pt[r0], s->ring_pt[r0 + 1] - s->ring_pt[r0], x, y))
        return 0;
    for (size_t r = r0 + 1; r < r1; r++)
        if (in_ring(s->pt + 2 * s->ring_pt[r], s->ring_pt[r + 1] - s->ring_pt[r], x, y))
            return 0;
    return 1;
}

int geo_contains(const geo_shape_t *s, double lon, double lat)
{
    if (lon != lon || lat != lat) /* NaN */
        return 0;
    for (size_t p = 0; p < s->npoly; p++)
        if (polygon_contains(s, p, lon, lat))
            return 1;
    return 0;
}

void geo_bbox(const geo_shape_t *s, double *min_lon, double *min_lat, double *max_lon,
              double *max_lat)
{
    if (min_lon)
        *min_lon = s->box[0];
    if (min_lat)
        *min_lat = s->box[1];
    if (max_lon)
        *max_lon = s->box[2];
    if (max_lat)
        *max_lat = s->box[3];
}

size_t geo_polygon_count(const geo_shape_t *s) { return s->npoly; }

double geo_distance_m(double lon1, double lat1, double lon2, double lat2)
{
    const double r = 6371008.8, rad = 3.14159265358979323846 / 180.0;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * r * asin(sqrt(a < 1 ? a : 1));
}
