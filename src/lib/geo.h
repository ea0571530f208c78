/* geo.h — grid boundaries stored as GeoJSON (RFC 7946) and the point-in-polygon test that
 * places a report or a household in its grid. Coordinates are lon/lat degrees (WGS84 or
 * GCJ-02, whichever the boundary was drawn in) treated as planar x/y: fine at grid scale.
 * Polygons crossing the antimeridian are not handled (taken literally, never a crash). */
#ifndef JICENG_LIB_GEO_H
#define JICENG_LIB_GEO_H

#include <stddef.h>

#include "lib/err.h"

typedef struct geo_shape geo_shape_t;

/* Most positions one shape may hold; more is ERR_TOOLARGE "边界点数过多". */
#define GEO_MAX_POINTS 1000000

/* Parse geojson[0..len) (need not be NUL-terminated): a Polygon, a MultiPolygon, a Feature
 * whose geometry is one, or a FeatureCollection (its first feature with a non-null geometry,
 * which must be one). In each polygon the first ring is the outer boundary and the others are
 * holes; ring orientation is not checked. A ring needs >= 4 positions, the last equal to the
 * first; a position is [lon, lat] or [lon, lat, alt] (extra numbers ignored), lon in
 * -180..180, lat in -90..90. On success *out is the caller's (geo_free) and is read-only:
 * thread-safe to share. Fails with ERR_INVALID (code "bad_json" if not JSON, else "invalid"),
 * field "boundary", a Chinese message, and *out = NULL. Out of memory aborts. */
int geo_parse(const char *geojson, size_t len, geo_shape_t **out, err_t *e);

/* Free a shape; NULL is fine. */
void geo_free(geo_shape_t *s);

/* 1 if (lon, lat) is in the shape, else 0. The shape is a closed set: a point on an edge or
 * vertex, of an outer ring or of a hole, is inside (within 1e-9 degrees, about 0.1 mm), so a
 * point on the shared edge of two adjacent grids is in both and the caller picks one (the
 * lower grid code). Strictly inside a hole is outside; a MultiPolygon contains the union.
 * NaN coordinates are outside. Thread-safe, no allocation. */
int geo_contains(const geo_shape_t *s, double lon, double lat);

/* Bounding box of every position of the shape, for a cheap prefilter (e.g. an SQL range on
 * stored columns before geo_contains). Any pointer may be NULL. */
void geo_bbox(const geo_shape_t *s, double *min_lon, double *min_lat, double *max_lon,
              double *max_lat);

/* Number of polygons (1 for a Polygon) — for tests and diagnostics. */
size_t geo_polygon_count(const geo_shape_t *s);

/* Great-circle distance in metres between two points (haversine on a 6,371,008.8 m sphere: good
 * to a fraction of a percent, plenty for "is this the same place"). */
double geo_distance_m(double lon1, double lat1, double lon2, double lat2);

#endif
