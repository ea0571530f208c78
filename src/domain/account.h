/* account.h — accounts, roles, sessions and the 等保 password rules (STANDARDS.md §5).
 * Every account is bound to one region scope (a code prefix); sessions are random tokens of which
 * only a hash is stored, so any instance can validate them. */
#ifndef JICENG_DOMAIN_ACCOUNT_H
#define JICENG_DOMAIN_ACCOUNT_H

#include <stdint.h>
#include <jansson.h>
#include "store/db.h"

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
    (ROLE_GRID | ROLE_BUILDING_HEAD | ROLE_MANAGERS | ROLE_CENTER_OPERATOR | ROLE_LEADER |          \
     ROLE_DEPARTMENT_STAFF)
/* Roles whose work needs full ID numbers and phones (each full view is audited). */
#define ROLE_SENSITIVE (ROLE_GRID_WORKER | ROLE_MANAGERS)

/* The signed-in user of a request. Plain data; copies are fine. */
typedef struct {
    int64_t id;
    char county[8];
    char username[64];
    char name[64];
    role_t role;
    char scope[24];
    int64_t person_id;
    int must_change;
    char token_hash[65];
    int64_t last_seen_at;
} account_user_t;

/* Role name ("grid_worker") ↔ bit; 0 for an unknown name. Chinese label for people. */
const char *account_role_name(role_t r);
const char *account_role_label(role_t r);
role_t account_role_parse(const char *name);
/* Length of the scope code a role is bound to (6 county, 9 town, 12 village, 14 grid, 17
 * building); 0 for roles that may have any. */
int account_role_scope_len(role_t r);
/* Roles the caller may create and manage: those ranked below it. */
unsigned account_manageable_roles(role_t caller);

#define ACCOUNT_IDLE_MS (10 * 60 * 1000)    /* 等保: idle session timeout 10 minutes */
#define ACCOUNT_LOCK_MS (10 * 60 * 1000)    /* lockout for 10 minutes ... */
#define ACCOUNT_MAX_FAILURES 5              /* ... after 5 failures */
#define ACCOUNT_PW_MAX_AGE_MS (90LL * 24 * 3600 * 1000) /* change every 90 days */
#define ACCOUNT_TOUCH_MS (60 * 1000)        /* refresh last_seen at most once a minute */

/* Look up a session by token hash and fill *u. ERR_UNAUTH if unknown, idle too long or the
 * account is disabled. Read-only (the caller refreshes last_seen with account_session_touch). */
int account_session_load(db_t *db, const char *token_hash, int64_t now, account_user_t *u);

/* --- writes (run inside a store transaction) --- */

typedef struct {
    const char *username, *ip, *user_agent;
    int64_t now;
    /* filled by account_login_verify */
    int64_t user_id;
    int password_ok;
    char county[8];
    /* out of account_login_commit */
    int outcome;          /* 0 signed in, ERR_UNAUTH wrong name/password/disabled, ERR_LOCKED */
    const char *message;  /* Chinese, for the reply when outcome != 0 */
    char token[48];
    account_user_t user;
} account_login_t;
/* Step 1, on a read connection (slow: argon2id): look the user up and check the password. */
void account_login_verify(db_t *db, account_login_t *l, const char *password);
/* Step 2, in a write transaction: apply lockout (5 failures → 10 minutes), create the session,
 * write the audit row. Always returns 0 unless the store fails, so failures are recorded; the
 * result is in l->outcome. */
int account_login_commit(db_t *db, account_login_t *l, err_t *e);
int account_logout(db_t *db, const account_user_t *u, const char *ip, int64_t now);
int account_session_touch(db_t *db, const char *token_hash, int64_t now);
int account_change_password(db_t *db, const account_user_t *u, const char *old_pw,
                            const char *new_pw, const char *ip, int64_t now, err_t *e);

typedef struct {
    const char *username, *name, *role, *scope_code, *phone;
    const char *password; /* NULL: generate an initial password (returned in initial_password) */
    const char *password_hash; /* already hashed (the seeder's shared demo hash); wins if set */
    int must_change;      /* 1 for accounts handed to people; demo accounts 0 */
    int64_t person_id;
    int64_t now;
    /* out */
    int64_t id;
    char initial_password[20];
} account_new_t;
/* Create an account. by may be NULL (CLI, seeder: no scope check); otherwise the role must be
 * manageable by `by` and the scope inside by's scope. */
int account_create(db_t *db, const account_user_t *by, account_new_t *n, const char *ip, err_t *e);
/* Disable (kills sessions) / enable / reset password (returns a new initial password). Target
 * looked up by id (if >0) or username. Outside the caller's scope: ERR_NOTFOUND. */
int account_set_disabled(db_t *db, const account_user_t *by, int64_t id, const char *username,
                         int disabled, const char *ip, int64_t now, err_t *e);
int account_reset_password(db_t *db, const account_user_t *by, int64_t id, const char *username,
                           char out_pw[20], const char *ip, int64_t now, err_t *e);

#endif

/* Accounts whose scope lies inside the caller's, newest first (keyset by id). role/q may be
 * NULL. Returns {items,next_cursor} (new reference) or NULL with *rc. Never a password hash. */
json_t *account_list(db_t *db, const account_user_t *by, const char *role, const char *q,
                     const char *cursor, int limit, int *rc);
/* One account as JSON, if inside the caller's scope (by NULL: no check). */
json_t *account_get(db_t *db, const account_user_t *by, int64_t id, int *rc);
