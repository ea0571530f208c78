/* accounts.h — the public surface of domain/accounts/ (one header per practice; see
 * docs/ARCHITECTURE.md). Its sections follow the files of the folder. */
#ifndef JICENG_DOMAIN_ACCOUNTS_H
#define JICENG_DOMAIN_ACCOUNTS_H

#include <jansson.h>
#include <stdint.h>
#include "domain/common/actor.h"
#include "store/db.h"

/* ==== account.h ====
account.h — accounts, roles, sessions and the 等保 password rules (STANDARDS.md §5).
 * Every account is bound to one region scope (a code prefix); sessions are random tokens of which
 * only a hash is stored, so any instance can validate them. */

/* Roles the caller may create and manage: those ranked below it. */
unsigned account_manageable_roles(role_t caller);

#define ACCOUNT_IDLE_MS (10 * 60 * 1000) /* 等保: idle session timeout 10 minutes */
#define ACCOUNT_LOCK_MS (10 * 60 * 1000) /* lockout for 10 minutes ... */
#define ACCOUNT_MAX_FAILURES 5           /* ... after 5 failures */
#define ACCOUNT_PW_MAX_AGE_MS (90LL * 24 * 3600 * 1000) /* change every 90 days */
#define ACCOUNT_TOUCH_MS (60 * 1000) /* refresh last_seen at most once a minute */

/* A signed-in session: who (the actor every domain call takes) and what only the session layer
 * needs. */
typedef struct {
    actor_t actor;
    int must_change; /* the password must be changed before anything else */
    char token_hash[65];
    int64_t last_seen_at;
} account_session_t;

/* Look up a session by token hash and fill *u. ERR_UNAUTH if unknown, idle too long or the
 * account is disabled. Read-only (the caller refreshes last_seen with account_session_touch). */
int account_session_load(db_t *db, const char *token_hash, int64_t now, account_session_t *u);

/* --- writes (run inside a store transaction) --- */

/* Password hashes are made and checked off the loop threads and off the writer (argon2id takes
 * ~50-100 ms and 64 MiB): the API runs the *_prepare / *_check steps in its worker pool and hands
 * the result to the write. */
#define ACCOUNT_HASH_MAX 128 /* crypto_pwhash_STRBYTES */

typedef struct {
    const char *username, *ip, *user_agent;
    int64_t now;
    /* filled by account_login_lookup */
    int64_t user_id;
    char county[8];
    char pw_hash[ACCOUNT_HASH_MAX];
    /* filled by account_login_check */
    int password_ok;
    /* out of account_login_commit */
    int outcome;         /* 0 signed in, ERR_UNAUTH wrong name/password/disabled, ERR_LOCKED */
    const char *message; /* Chinese, for the reply when outcome != 0 */
    char token[48];
    account_session_t user;
} account_login_t;
/* Step 1, on a read connection (fast): find the account and its stored hash. */
void account_login_lookup(db_t *db, account_login_t *l);
/* Step 2, anywhere (slow: argon2id; an unknown user costs the same as a known one). */
void account_login_check(account_login_t *l, const char *password);
/* Step 3, in a write transaction: apply lockout (5 failures → 10 minutes), create the session,
 * write the audit row. Always returns 0 unless the store fails, so failures are recorded; the
 * result is in l->outcome. */
int account_login_commit(db_t *db, account_login_t *l, err_t *e);

/* The stored hash of an account (for a password change). 0 or ERR_NOTFOUND. */
int account_password_hash_of(db_t *db, int64_t user_id, char out[ACCOUNT_HASH_MAX]);

typedef struct {
    const char *old_pw, *new_pw;    /* in */
    char current[ACCOUNT_HASH_MAX]; /* in: the stored hash read before the check */
    int old_ok;                     /* out of the check */
    char new_hash[ACCOUNT_HASH_MAX];
} account_pw_change_t;
/* Slow step: verify old against current, apply the policy to new, hash it. 0 or ERR_INVALID
 * (policy; message in e). old_ok tells whether the old password matched. */
int account_password_change_check(account_pw_change_t *p, const char *username, err_t *e);
/* Write step: if the old password was wrong, count it as a failed login (lockout applies) and
 * refuse; else swap the hash if it is still `current` (else ERR_CONFLICT), end the account's
 * other sessions, audit. */
int account_change_password(db_t *db, const account_session_t *u, const account_pw_change_t *p,
                            const char *ip, int64_t now, err_t *e);
/* Slow step for new and reset accounts: a random initial password and its hash. */
int account_initial_password(char pw[20], char hash[ACCOUNT_HASH_MAX]);

int account_logout(db_t *db, const account_session_t *u, const char *ip, int64_t now);
int account_session_touch(db_t *db, const char *token_hash, int64_t now);

typedef struct {
    const char *username, *name, *role, *scope_code, *phone;
    const char *department; /* department_staff only: a department code of the county */
    const char *password;   /* NULL: generate an initial password (returned in initial_password) */
    const char *password_hash; /* already hashed (the seeder's shared demo hash); wins if set */
    int must_change;           /* 1 for accounts handed to people; demo accounts 0 */
    int64_t person_id;
    int64_t now;
    /* out */
    int64_t id;
    char initial_password[20];
} account_new_t;
/* Create an account. by may be NULL (CLI, seeder: no scope check); otherwise the role must be
 * manageable by `by` and the scope inside by's scope. */
int account_create(db_t *db, const actor_t *by, account_new_t *n, const char *ip, err_t *e);
/* Disable (kills sessions) / enable / reset password to new_hash (made by
 * account_initial_password; the account must change it at next login). Target looked up by id
 * (if >0) or username. Outside the caller's scope: ERR_NOTFOUND. */
int account_set_disabled(db_t *db, const actor_t *by, int64_t id, const char *username,
                         int disabled, const char *ip, int64_t now, err_t *e);
int account_reset_password(db_t *db, const actor_t *by, int64_t id, const char *username,
                           const char *new_hash, const char *ip, int64_t now, err_t *e);

/* Bind a department_staff account to a department of its county (seeder, CLI). */
int account_set_department(db_t *db, int64_t user_id, const char *dept_code);

/* Accounts whose scope lies inside the caller's, newest first (keyset by id). role/q may be
 * NULL. Returns {items,next_cursor} (new reference) or NULL with *rc. Never a password hash. */
json_t *account_list(db_t *db, const actor_t *by, const char *role, const char *q,
                     const char *cursor, int limit, int *rc);
/* One account as JSON, if inside the caller's scope (by NULL: no check). */
json_t *account_get(db_t *db, const actor_t *by, int64_t id, int *rc);

/* ==== apikey.h ====
apikey.h — keys for outside systems (Open311 clients, a 12345 hotline gateway), each bound to
 * one county. Only a hash is stored; the key itself is shown once, when made. */

typedef struct {
    int64_t id;
    char county[8];
    char name[128]; /* up to 30 characters of UTF-8 */
} apikey_t;

/* Make a key for county (6 digits) named name (who uses it). out_key gets the key (shown once).
 * In a write transaction. ERR_INVALID for a bad county or name. */
int apikey_create(db_t *db, const char *county, const char *name, int64_t now, char out_key[48],
                  int64_t *out_id, err_t *e);
/* Look a key up: 0 and *k filled, or ERR_UNAUTH (unknown or disabled). Read connection. */
int apikey_check(db_t *db, const char *key, apikey_t *k);

/* ==== audit.h ====
audit.h — the audit log (等保 GB/T 22239 §5; PIPL Art. 55–56): who did what, when, from where,
 * with what outcome. Append-only; written in the same transaction as the act it records. */

typedef struct {
    const actor_t *who;   /* may be NULL (anonymous, e.g. a failed login) */
    const char *username; /* when who is NULL: the name that was tried */
    const char *county;   /* when who is NULL; defaults to "000000" */
    const char *action;   /* login, login_failed, logout, password_change, user_create,
                             user_disable, user_enable, password_reset, sensitive_read... */
    const char *object;   /* what it touched, e.g. "user:123", "person:456" */
    const char *outcome;  /* ok | denied | failed */
    const char *ip;
    const char *detail; /* short free text, never a secret or a full ID number */
    int64_t now;
} audit_entry_t;

/* Append one row. Returns 0 or the store error. */
int audit_write(db_t *db, const audit_entry_t *a);

/* Rows of the caller's county scope, newest first, keyset by id (cursor "" = from the newest).
 * Returns {items, next_cursor} (new reference) or NULL on a store error. */
json_t *audit_list(db_t *db, const actor_t *who, const char *cursor, int limit);

#endif
