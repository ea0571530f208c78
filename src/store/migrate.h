/* migrate.h — the schema migrations embedded in the binary, applied in order, once each.
 * The same SQL files serve both engines; a C-collation marker in them becomes COLLATE "C" on
 * PostgreSQL only. */
#ifndef JICENG_STORE_MIGRATE_H
#define JICENG_STORE_MIGRATE_H

#include "store/db.h"

/* Apply every migration the database has not recorded (by its number, so one that arrives after
 * a higher number still runs), in order, each in its own transaction.
 * Returns 0, or ERR_IO with a message in e. *applied (if non-NULL) gets how many ran. */
int migrate_run(db_t *db, int *applied, err_t *e);
/* Highest migration number built into this binary. */
int migrate_latest(void);
/* How many migrations are built in (numbers may have gaps while changes are in flight). */
int migrate_count(void);

#endif
