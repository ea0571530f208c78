/* categories.h — a county keeps its own case categories (issue 3, part 2: "counties can edit
 * them"): add a group or a category under a group, change its name, handling level, department,
 * deadlines and calendar, or retire it (active = false: no new reports; old cases keep theirs).
 * Deadlines of cases already reported never change. Every change is audited. */
#ifndef JICENG_DOMAIN_CATEGORIES_H
#define JICENG_DOMAIN_CATEGORIES_H

#include <jansson.h>
#include "domain/account.h"
#include "store/db.h"

/* Create (create = 1: spec has code and all of name, handling, respond_hours, complete_value,
 * complete_unit; parent_code for a 4-digit code) or change (create = 0: code from the path, spec
 * any of name, handling, department, respond_hours, complete_value, complete_unit, active) one
 * category of who's county. spec is already checked for unknown fields and JSON types by the API.
 * ERR_INVALID with the field, ERR_CONFLICT (code taken), ERR_NOTFOUND (no such category). */
int categories_save(db_t *db, const account_user_t *who, const char *code, json_t *spec,
                    int create, const char *ip, int64_t now, err_t *e);

/* One category as JSON (also retired ones), or NULL with *rc. */
json_t *categories_get(db_t *db, const char *county, const char *code, int *rc);

#endif
