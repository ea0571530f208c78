/* casestats.h — live KPIs of the 民生诉求 loop for a scope (MISSION practice 3: 100% response,
 * completion within 48 h; practice 4: the red slip's 24 h). Every figure is computed from the
 * cases themselves, so a leader can trace it to the records behind it. "Closed" is kept apart
 * from "fixed": the outcome counts say how cases ended. */
#ifndef JICENG_DOMAIN_CASESTATS_H
#define JICENG_DOMAIN_CASESTATS_H

#include <jansson.h>
#include <stdint.h>
#include "store/db.h"

/* KPIs of cases created in [from_ms, to_ms) under scope, as of now_ms, grouped by
 * "region" (the next level down), "category" (category groups) or NULL (totals only).
 * Returns {scope, from, to, totals:{…}, groups:[{key,name,…}], overdue:[up to 20 cases]}. */
json_t *casestats_kpi(db_t *db, const char *scope, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                      const char *by, int *rc);

#endif
