/* actor.h — roles and the actor: who does something, as every practice sees them. The lowest
 * header of the domain: it includes nothing of it, so accounts, registry, cases and points can
 * all take an actor_t without including one another. */
#ifndef JICENG_DOMAIN_COMMON_ACTOR_H
#define JICENG_DOMAIN_COMMON_ACTOR_H

#include <stdint.h>

/* Roles as bits, so a route can name the set it admits. Order = rank (higher manages lower). */
typedef enum {
    ROLE_RESIDENT = 1u << 0,
    ROLE_INFORMANT = 1u << 1,
    ROLE_BUILDING_HEAD = 1u << 2,
    ROLE_PARTY_LEADER = 1u << 3,
    ROLE_GRID_WORKER = 1u << 4,
    ROLE_COMMUNITY_ADMIN = 1u << 5,
    ROLE_STREET_ADMIN = 1u << 6,
    ROLE_DEPARTMENT_STAFF = 1u << 7,
    ROLE_CENTER_OPERATOR = 1u << 8,
    ROLE_LEADER = 1u << 9,
    ROLE_AUDITOR = 1u << 10,
    ROLE_COUNTY_ADMIN = 1u << 11,
} role_t;

#define ROLE_ANY 0xffffu
#define ROLE_PERSONS (ROLE_RESIDENT | ROLE_INFORMANT | ROLE_BUILDING_HEAD)
#define ROLE_GRID (ROLE_GRID_WORKER | ROLE_PARTY_LEADER)
#define ROLE_MANAGERS (ROLE_COMMUNITY_ADMIN | ROLE_STREET_ADMIN | ROLE_COUNTY_ADMIN)
/* Staff who may browse the registry of their region. */
#define ROLE_STAFF                                                                                 \
    (ROLE_GRID | ROLE_BUILDING_HEAD | ROLE_MANAGERS | ROLE_CENTER_OPERATOR | ROLE_LEADER |         \
     ROLE_DEPARTMENT_STAFF)
/* Roles whose work needs full ID numbers and phones (each full view is audited). */
#define ROLE_SENSITIVE (ROLE_GRID_WORKER | ROLE_MANAGERS)

/* Who acts: the account behind a request, a CLI command or the seeder. Every domain call that
 * depends on who asks takes one. Plain data; copies are fine. No session fields (those are the
 * session layer's: account_session_t in accounts.h). */
typedef struct {
    int64_t id;
    char county[8];
    char username[64];
    char name[64];
    role_t role;
    char scope[24];
    int64_t person_id;
    char department[16]; /* department_staff: the department's code; "" otherwise */
} actor_t;

/* Role name ("grid_worker") ↔ bit; 0 for an unknown name. Chinese label for people. */
const char *role_name(role_t r);
const char *role_label(role_t r);
role_t role_parse(const char *name);
/* Length of the scope code a role is bound to (6 county, 9 town, 12 village, 14 grid, 17
 * building); 0 for roles that may have any. */
int role_scope_len(role_t r);

#endif
