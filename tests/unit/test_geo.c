/* Unit tests for src/lib/geo.c */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/err.h"
#include "lib/geo.h"

static geo_shape_t *parse(const char *json)
{
    geo_shape_t *s = NULL;
    err_t e = {0};
    int rc = geo_parse(json, strlen(json), &s, &e);
    if (rc)
        fail_msg("geo_parse: %s (%s)", e.message, json);
    return s;
}

#define UNIT_SQUARE "[[0,0],[1,0],[1,1],[0,1],[0,0]]"

static void test_square_and_boundary(void **state)
{
    (void)state;
    geo_shape_t *s = parse("{\"type\":\"Polygon\",\"coordinates\":[" UNIT_SQUARE "]}");
    assert_int_equal(geo_polygon_count(s), 1);
    assert_true(geo_contains(s, 0.5, 0.5));
    assert_false(geo_contains(s, 1.5, 0.5));
    assert_false(geo_contains(s, -0.5, 0.5));
    assert_false(geo_contains(s, 0.5, 1.0000001));
    /* edges and vertices are inside */
    assert_true(geo_contains(s, 0, 0.5));
    assert_true(geo_contains(s, 1, 0.5));
    assert_true(geo_contains(s, 0.5, 0));
    assert_true(geo_contains(s, 0.5, 1));
    assert_true(geo_contains(s, 0, 0));
    assert_true(geo_contains(s, 1, 1));
    assert_true(geo_contains(s, 1, 0));
    assert_true(geo_contains(s, 0, 1));
    /* within the 1e-9 tolerance, and just beyond it */
    assert_true(geo_contains(s, 1 + 5e-10, 0.5));
    assert_false(geo_contains(s, 1 + 2e-9, 0.5));
    /* NaN is nowhere */
    assert_false(geo_contains(s, (double)NAN, 0.5));
    assert_false(geo_contains(s, 0.5, (double)NAN));

    double a, b, c, d;
    geo_bbox(s, &a, &b, &c, &d);
    assert_true(a == 0 && b == 0 && c == 1 && d == 1);
    geo_bbox(s, NULL, NULL, NULL, NULL);
    geo_free(s);
    geo_free(NULL);
}

/* Two grids sharing an edge: a point on it is in both (the caller picks the lower code). */
static void test_adjacent_grids(void **state)
{
    (void)state;
    geo_shape_t *west = parse("{\"type\":\"Polygon\",\"coordinates\":["
                              "[[111.60,40.80],[111.65,40.80],[111.65,40.85],[111.60,40.85],"
                              "[111.60,40.80]]]}");
    geo_shape_t *east = parse("{\"type\":\"Polygon\",\"coordinates\":["
                              "[[111.65,40.80],[111.70,40.80],[111.70,40.85],[111.65,40.85],"
                              "[111.65,40.80]]]}");
    assert_true(geo_contains(west, 111.65, 40.83));
    assert_true(geo_contains(east, 111.65, 40.83));
    assert_true(geo_contains(west, 111.65, 40.85)); /* shared vertex */
    assert_true(geo_contains(east, 111.65, 40.85));
    assert_true(geo_contains(west, 111.62, 40.83));
    assert_false(geo_contains(east, 111.62, 40.83));
    assert_false(geo_contains(west, 111.68, 40.83));
    assert_true(geo_contains(east, 111.68, 40.83));
    geo_free(west);
    geo_free(east);

    /* a slanted shared edge with decimal coordinates: its midpoint is not exactly
     * representable on the line, the tolerance puts it in both triangles */
    geo_shape_t *lower = parse("{\"type\":\"Polygon\",\"coordinates\":["
                               "[[116.3,39.9],[116.4,39.9],[116.4,40.0],[116.3,39.9]]]}");
    geo_shape_t *upper = parse("{\"type\":\"Polygon\",\"coordinates\":["
                               "[[116.3,39.9],[116.4,40.0],[116.3,40.0],[116.3,39.9]]]}");
    for (int i = 1; i < 100; i++) {
        double t = i / 100.0;
        double x = 116.3 + t * 0.1, y = 39.9 + t * 0.1;
        assert_true(geo_contains(lower, x, y));
        assert_true(geo_contains(upper, x, y));
    }
    assert_true(geo_contains(lower, 116.38, 39.91));
    assert_false(geo_contains(upper, 116.38, 39.91));
    assert_false(geo_contains(lower, 116.32, 39.99));
    assert_true(geo_contains(upper, 116.32, 39.99));
    geo_free(lower);
    geo_free(upper);
}

static void test_holes(void **state)
{
    (void)state;
    /* 0..10 square with a 4..6 hole, drawn clockwise (orientation is not checked) */
    geo_shape_t *s = parse("{\"type\":\"Polygon\",\"coordinates\":["
                           "[[0,0],[10,0],[10,10],[0,10],[0,0]],"
                           "[[4,4],[4,6],[6,6],[6,4],[4,4]]]}");
    assert_true(geo_contains(s, 2, 2));
    assert_true(geo_contains(s, 8, 5));
    assert_false(geo_contains(s, 5, 5));   /* in the hole */
    assert_false(geo_contains(s, 4.5, 5)); /* in the hole */
    assert_true(geo_contains(s, 4, 5));    /* on the hole's edge: boundary, inside */
    assert_true(geo_contains(s, 6, 6));    /* hole vertex */
    assert_false(geo_contains(s, 11, 5));
    geo_free(s);

    /* two holes */
    s = parse("{\"type\":\"Polygon\",\"coordinates\":["
              "[[0,0],[10,0],[10,10],[0,10],[0,0]],"
              "[[1,1],[3,1],[3,3],[1,3],[1,1]],"
              "[[6,6],[9,6],[9,9],[6,9],[6,6]]]}");
    assert_false(geo_contains(s, 2, 2));
    assert_false(geo_contains(s, 7, 7));
    assert_true(geo_contains(s, 5, 5));
    assert_true(geo_contains(s, 2, 7));
    geo_free(s);
}

static void test_multipolygon(void **state)
{
    (void)state;
    geo_shape_t *s = parse("{\"type\":\"MultiPolygon\",\"coordinates\":["
                           "[[[0,0],[1,0],[1,1],[0,1],[0,0]]],"
                           "[[[5,5],[8,5],[8,8],[5,8],[5,5]],[[6,6],[7,6],[7,7],[6,7],[6,6]]]]}");
    assert_int_equal(geo_polygon_count(s), 2);
    assert_true(geo_contains(s, 0.5, 0.5));
    assert_true(geo_contains(s, 5.5, 5.5));
    assert_false(geo_contains(s, 6.5, 6.5)); /* hole of the second polygon */
    assert_false(geo_contains(s, 3, 3));     /* between the parts, inside the bbox */
    assert_true(geo_contains(s, 8, 8));
    double a, b, c, d;
    geo_bbox(s, &a, &b, &c, &d);
    assert_true(a == 0 && b == 0 && c == 8 && d == 8);
    geo_free(s);
}

static void test_concave(void **state)
{
    (void)state;
    /* a U: arms x 0..1 and 2..3, base y 0..1, opening above y = 1 between x 1 and 2 */
    geo_shape_t *s = parse("{\"type\":\"Polygon\",\"coordinates\":["
                           "[[0,0],[3,0],[3,3],[2,3],[2,1],[1,1],[1,3],[0,3],[0,0]]]}");
    assert_true(geo_contains(s, 0.5, 2));
    assert_true(geo_contains(s, 2.5, 2));
    assert_true(geo_contains(s, 1.5, 0.5));
    assert_false(geo_contains(s, 1.5, 2)); /* in the notch */
    assert_true(geo_contains(s, 1.5, 1));  /* the notch's floor is boundary */
    /* rays level with vertices (y = 1 and y = 3) must not double count */
    assert_false(geo_contains(s, -1, 1));
    assert_false(geo_contains(s, -1, 3));
    assert_false(geo_contains(s, 1.5, 3));
    assert_true(geo_contains(s, 0.5, 1));
    assert_true(geo_contains(s, 2.5, 1));
    assert_false(geo_contains(s, 3.5, 1));
    geo_free(s);

    /* a zigzag (saw teeth) with vertices on the test rays */
    s = parse("{\"type\":\"Polygon\",\"coordinates\":["
              "[[0,0],[6,0],[6,2],[5,1],[4,2],[3,1],[2,2],[1,1],[0,2],[0,0]]]}");
    assert_true(geo_contains(s, 0.5, 0.5));
    assert_true(geo_contains(s, 2, 1.5));  /* in a tooth */
    assert_false(geo_contains(s, 1, 1.5)); /* in a gap between teeth */
    assert_false(geo_contains(s, 3, 1.5));
    assert_false(geo_contains(s, -1, 1));   /* ray through the valley vertices */
    assert_true(geo_contains(s, 1.5, 1.0)); /* level with valleys, inside */
    assert_false(geo_contains(s, -1, 2));   /* ray through the tooth tips */
    assert_false(geo_contains(s, 1, 2));    /* in the bbox, ray through the tips */
    assert_false(geo_contains(s, 3, 2));
    assert_true(geo_contains(s, 4, 2));   /* a tip */
    assert_true(geo_contains(s, 3, 1));   /* a valley */
    assert_true(geo_contains(s, 0.5, 1)); /* ray grazing the valleys from below */
    geo_free(s);
}

/* Not handled: taken as the planar polygon its numbers describe. Must not crash. */
static void test_antimeridian_planar(void **state)
{
    (void)state;
    geo_shape_t *s = parse("{\"type\":\"Polygon\",\"coordinates\":["
                           "[[170,0],[-170,0],[-170,10],[170,10],[170,0]]]}");
    assert_true(geo_contains(s, 0, 5));
    assert_false(geo_contains(s, 180, 5));
    assert_true(geo_contains(s, 170, 5));
    geo_free(s);
    s = parse("{\"type\":\"Polygon\",\"coordinates\":["
              "[[-180,-90],[180,-90],[180,90],[-180,90],[-180,-90]]]}");
    assert_true(geo_contains(s, 180, 90));
    assert_true(geo_contains(s, 0, 0));
    geo_free(s);
}

static void test_wrappers(void **state)
{
    (void)state;
    geo_shape_t *s =
        parse("{\"type\":\"Feature\",\"properties\":{\"code\":\"15253110100101\"},"
              "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[" UNIT_SQUARE "]}}");
    assert_true(geo_contains(s, 0.5, 0.5));
    geo_free(s);
    s = parse(
        "{\"type\":\"FeatureCollection\",\"features\":["
        "{\"type\":\"Feature\",\"properties\":{},\"geometry\":null},"
        "{\"type\":\"Feature\",\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[["
        "[[2,2],[3,2],[3,3],[2,3],[2,2]]]]}},"
        "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[" UNIT_SQUARE
        "]}}]}");
    assert_true(geo_contains(s, 2.5, 2.5)); /* first non-null geometry only */
    assert_false(geo_contains(s, 0.5, 0.5));
    geo_free(s);
    /* altitude and integer or real numbers accepted; a slice of a longer buffer */
    const char doc[] = "{\"type\":\"Polygon\",\"coordinates\":"
                       "[[[0,0,5],[1.0,0,5],[1,1e0,5],[0,1,5],[0,0,5]]]}trailing";
    err_t e = {0};
    assert_int_equal(geo_parse(doc, sizeof doc - 1 - 8, &s, &e), 0);
    assert_true(geo_contains(s, 0.5, 0.5));
    geo_free(s);
}

static void test_invalid(void **state)
{
    (void)state;
    static int sentinel; /* *out must be reset to NULL on failure */
    static const struct {
        const char *doc, *message;
    } bad[] = {
        {"", "边界数据不是有效的 JSON"},
        {"{\"type\":\"Polygon\",", "边界数据不是有效的 JSON"},
        {"[]", "边界应为 Polygon 或 MultiPolygon"},
        {"{}", "边界应为 Polygon 或 MultiPolygon"},
        {"{\"type\":\"Point\",\"coordinates\":[1,2]}", "边界应为 Polygon 或 MultiPolygon"},
        {"{\"type\":\"LineString\",\"coordinates\":[[0,0],[1,1]]}",
         "边界应为 Polygon 或 MultiPolygon"},
        {"{\"type\":\"GeometryCollection\",\"geometries\":[{\"type\":\"Polygon\",\"coordinates\":"
         "[" UNIT_SQUARE "]}]}",
         "边界应为 Polygon 或 MultiPolygon"},
        {"{\"type\":\"Feature\",\"geometry\":null}", "Feature 中没有几何图形"},
        {"{\"type\":\"Feature\",\"geometry\":{\"type\":\"Feature\",\"geometry\":{\"type\":"
         "\"Polygon\",\"coordinates\":[" UNIT_SQUARE "]}}}",
         "边界应为 Polygon 或 MultiPolygon"},
        {"{\"type\":\"FeatureCollection\"}", "FeatureCollection 缺少 features"},
        {"{\"type\":\"FeatureCollection\",\"features\":[]}", "FeatureCollection 中没有几何图形"},
        {"{\"type\":\"Polygon\"}", "边界坐标格式错误"},
        {"{\"type\":\"Polygon\",\"coordinates\":[]}", "边界多边形不能为空"},
        {"{\"type\":\"MultiPolygon\",\"coordinates\":[]}", "边界多边形不能为空"},
        {"{\"type\":\"MultiPolygon\",\"coordinates\":[[]]}", "边界多边形不能为空"},
        {"{\"type\":\"MultiPolygon\",\"coordinates\":[" UNIT_SQUARE "]}", "边界坐标格式错误"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[0,0]]]}", "边界环至少需要4个点"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1]]]}",
         "边界环首尾坐标应相同"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1],[0,0.5]]]}",
         "边界环首尾坐标应相同"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,\"1\"],[0,1],[0,0]]]}",
         "边界坐标应为数字"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1,null],[0,1],[0,0]]]}",
         "边界坐标应为数字"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1],[1,1],[0,1],[0,0]]]}",
         "边界坐标应为 [经度, 纬度]"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],1,[1,1],[0,1],[0,0]]]}",
         "边界坐标应为 [经度, 纬度]"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[181,0],[1,1],[0,1],[0,0]]]}",
         "经度应在 -180 到 180 之间"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[-180.5,0],[1,1],[0,1],[0,0]]]}",
         "经度应在 -180 到 180 之间"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,-91],[1,1],[0,1],[0,0]]]}",
         "纬度应在 -90 到 90 之间"},
        {"{\"type\":\"Polygon\",\"coordinates\":[" UNIT_SQUARE ",[[0,0],[1,0],[0,0]]]}",
         "边界环至少需要4个点"}, /* a bad hole */
        {"{\"type\":\"Polygon\",\"coordinates\":[\"ring\"]}", "边界坐标格式错误"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        geo_shape_t *s = (geo_shape_t *)(void *)&sentinel;
        err_t e = {0};
        int rc = geo_parse(bad[i].doc, strlen(bad[i].doc), &s, &e);
        if (rc != ERR_INVALID)
            fail_msg("case %zu (%s): rc %d", i, bad[i].doc, rc);
        assert_null(s);
        assert_string_equal(e.message, bad[i].message);
        assert_string_equal(e.field, "boundary");
        assert_string_equal(e.code, i < 2 ? "bad_json" : "invalid");
    }
    geo_shape_t *s = NULL;
    err_t e = {0};
    assert_int_equal(geo_parse(NULL, 0, &s, &e), ERR_INVALID);
    assert_null(s);
}

static void test_too_many_points(void **state)
{
    (void)state;
    /* a closed ring of GEO_MAX_POINTS + 1 positions, built as text */
    size_t n = GEO_MAX_POINTS + 1, cap = n * 8 + 128, len = 0;
    char *doc = malloc(cap);
    assert_non_null(doc);
    len += (size_t)snprintf(doc, cap, "{\"type\":\"Polygon\",\"coordinates\":[[");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(doc + len, cap - len, i + 1 < n ? "[%zu,0]," : "[0,0]", i % 2);
    len += (size_t)snprintf(doc + len, cap - len, "]]}");
    assert_true(len < cap);
    geo_shape_t *s = NULL;
    err_t e = {0};
    assert_int_equal(geo_parse(doc, len, &s, &e), ERR_TOOLARGE);
    assert_string_equal(e.message, "边界点数过多");
    assert_null(s);
    free(doc);
}

/* xorshift64*: deterministic and independent of libc's rand. */
static uint64_t rng = 0x9E3779B97F4A7C15u;

static uint64_t next(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1Du;
}

/* uniform in [lo, hi) */
static double uniform(double lo, double hi)
{
    return lo + (hi - lo) * (double)(next() >> 11) / 9007199254740992.0;
}

/* Random points against an axis-aligned square: the answer is the coordinate comparison.
 * Half the points sit on a 1/64 lattice that hits the edges and corners exactly. */
static void test_fuzz_square(void **state)
{
    (void)state;
    const double x0 = 111.625, y0 = 40.75, x1 = 111.75, y1 = 40.875; /* exact in binary */
    geo_shape_t *s = parse("{\"type\":\"Polygon\",\"coordinates\":[[[111.625,40.75],"
                           "[111.75,40.75],[111.75,40.875],[111.625,40.875],[111.625,40.75]]]}");
    int inside = 0, on_edge = 0;
    for (int i = 0; i < 200000; i++) {
        double x, y;
        if (i % 2) {
            x = x0 - 0.125 + (double)(next() % 25) / 64; /* lattice, 1/64 apart */
            y = y0 - 0.125 + (double)(next() % 25) / 64;
        } else {
            x = uniform(x0 - 0.1, x1 + 0.1);
            y = uniform(y0 - 0.1, y1 + 0.1);
        }
        int expect = x >= x0 && x <= x1 && y >= y0 && y <= y1;
        if (geo_contains(s, x, y) != expect)
            fail_msg("(%.17g, %.17g): expected %d", x, y, expect);
        inside += expect;
        on_edge += expect && (x == x0 || x == x1 || y == y0 || y == y1);
    }
    assert_true(inside > 20000); /* about 28000 expected */
    assert_true(on_edge > 1000);
    geo_free(s);
}

/* The same square turned 45 degrees, away from its edges, checked with |x| + |y| <= 1. */
static void test_fuzz_diamond(void **state)
{
    (void)state;
    geo_shape_t *s = parse("{\"type\":\"Polygon\",\"coordinates\":["
                           "[[1,0],[0,1],[-1,0],[0,-1],[1,0]]]}");
    for (int i = 0; i < 200000; i++) {
        double x = uniform(-1.5, 1.5), y = uniform(-1.5, 1.5);
        double r = (x < 0 ? -x : x) + (y < 0 ? -y : y);
        if (r > 1 - 1e-6 && r < 1 + 1e-6)
            continue; /* too close to call by the comparison */
        if (geo_contains(s, x, y) != (r < 1))
            fail_msg("(%.17g, %.17g): expected %d", x, y, r < 1);
    }
    assert_true(geo_contains(s, 0.5, 0.5)); /* exactly on an edge */
    assert_true(geo_contains(s, -0.25, -0.75));
    geo_free(s);
}

/* Distances that can be checked by hand: one degree of latitude is ~111.2 km anywhere; one
 * degree of longitude at 42°N (多伦县) is cos(42°) of that; the same point is 0. */
static void test_distance(void **state)
{
    (void)state;
    assert_true(fabs(geo_distance_m(116.5, 42.0, 116.5, 43.0) - 111195.0) < 5.0);
    assert_true(fabs(geo_distance_m(116.0, 42.0, 117.0, 42.0) -
                     111195.0 * cos(42.0 * 3.14159265358979323846 / 180)) < 300.0);
    assert_true(geo_distance_m(116.47, 42.2, 116.47, 42.2) == 0.0);
    double d = geo_distance_m(116.470, 42.200, 116.4712, 42.2009); /* ~140 m apart */
    assert_true(d > 130 && d < 150);
    assert_true(fabs(geo_distance_m(1, 2, 3, 4) - geo_distance_m(3, 4, 1, 2)) < 1e-6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_square_and_boundary),
        cmocka_unit_test(test_adjacent_grids),
        cmocka_unit_test(test_holes),
        cmocka_unit_test(test_multipolygon),
        cmocka_unit_test(test_concave),
        cmocka_unit_test(test_antimeridian_planar),
        cmocka_unit_test(test_wrappers),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_too_many_points),
        cmocka_unit_test(test_fuzz_square),
        cmocka_unit_test(test_fuzz_diamond),
        cmocka_unit_test(test_distance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
