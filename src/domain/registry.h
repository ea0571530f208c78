/* registry.h — people and households below the grids (MISSION practice 3: one database of people
 * and houses). ID numbers and phones are stored encrypted with a keyed hash for exact lookup and
 * a masked copy for lists; the full values leave only through registry_person_sensitive, which
 * the caller audits. Every read takes the caller's scope. */
#ifndef JICENG_DOMAIN_REGISTRY_H
#define JICENG_DOMAIN_REGISTRY_H

#include <jansson.h>
#include <stdint.h>
#include "domain/account.h"
#include "lib/crypto.h"
#include "store/db.h"

/* The field keys, set once at startup before any thread uses the registry. */
void registry_init(const crypto_keys_t *keys);
const crypto_keys_t *registry_keys(void);

/* Reads. Each returns a new JSON reference, or NULL with *rc set (ERR_NOTFOUND also when the
 * object lies outside scope). */
json_t *registry_grid(db_t *db, const char *scope, const char *grid_code, int *rc);
json_t *registry_households(db_t *db, const char *scope, const char *region_code,
                            const char *cursor, int limit, int *rc);
json_t *registry_household(db_t *db, const char *scope, int64_t id, int *rc);
json_t *registry_person(db_t *db, const char *scope, int64_t id, int *rc);
json_t *registry_people(db_t *db, const char *scope, const char *region_code, const char *tag,
                        const char *cursor, int limit, int *rc);
/* The decrypted ID number and phone of one person in scope: {id, name, id_number, phone}. */
json_t *registry_person_sensitive(db_t *db, const char *scope, int64_t id, int *rc);
/* The account's own person and household (residents, informants, heads). */
json_t *registry_my_profile(db_t *db, const account_user_t *u, int *rc);
json_t *registry_my_household(db_t *db, const account_user_t *u, int *rc);

/* Writes (in a store transaction). */
typedef struct {
    int64_t household_id;
    const char *name, *id_number, *phone, *relation;
    json_t *tags; /* array of strings or NULL */
    int64_t now;
    int64_t id; /* out */
} registry_person_new_t;
/* Validates everything (GB 11643, mobile, tags, household in scope) before writing. */
int registry_person_create(db_t *db, const char *scope, registry_person_new_t *p, err_t *e);
/* Change name / phone / tags of a person in scope; NULL fields stay. */
int registry_person_update(db_t *db, const char *scope, int64_t id, const char *name,
                           const char *phone, json_t *tags, int64_t now, err_t *e);

/* Seeder fast path: insert a person with already-valid values (no scope check). */
int registry_insert_person(db_t *db, const char *region_code, int64_t household_id,
                           const char *name, const char *id18, const char *phone,
                           const char *relation, const char *tags, int64_t now, int64_t *out_id);
int registry_insert_household(db_t *db, const char *region_code, int unit, const char *room,
                              const char *address, int64_t now, int64_t *out_id);
int registry_set_head(db_t *db, const char *county, int64_t household_id, int64_t person_id);
int registry_add_member(db_t *db, const char *region_code, const char *role, int64_t person_id,
                        int unit, int64_t now);

/* Known tags for special groups. */
int registry_tag_valid(const char *tag);

#endif
