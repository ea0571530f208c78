/* check.h — what every integrity check behind `jiceng check` reports. Each practice owns its
 * own checks (cases_check, registry_check_keys, ledger_check); app/cmd.c runs them in turn.
 * A check fails closed: a query it cannot prepare or step counts as a problem, never as "0
 * problems", so a check that could not read its table does not pass. */
#ifndef JICENG_DOMAIN_COMMON_CHECK_H
#define JICENG_DOMAIN_COMMON_CHECK_H

#include "store/db.h"

typedef struct {
    long checked, problems;
    int schema_ok; /* set by check_db: the database's schema is the one this binary expects */
} check_report_t;

/* Database: SQLite integrity_check; the schema version is the binary's (sets r->schema_ok).
 * Problems are printed, one line each. Returns 0 or 1 (problems, or it could not read). */
int check_db(db_t *db, check_report_t *r);

/* Count a store failure of a check as a problem (printed as "<what>: cannot read: <error>").
 * Returns 1, for `return check_failed(…)`. */
int check_failed(db_t *db, check_report_t *r, const char *what);

#endif
