/* check.h — integrity checks behind `jiceng check` (later modules add theirs, e.g. the ledger). */
#ifndef JICENG_DOMAIN_CHECK_H
#define JICENG_DOMAIN_CHECK_H

#include "store/db.h"

typedef struct {
    long checked, problems;
} check_report_t;

/* Database: SQLite integrity_check; schema version is the binary's; problems printed. */
int check_db(db_t *db, check_report_t *r);
/* Keys: every person's ID number and phone decrypt with the key in data/keys and match their
 * keyed hash (a wrong key or an altered row shows here). */
int check_keys(db_t *db, check_report_t *r);

#endif
