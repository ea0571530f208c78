/* accounts.h — the public surface of domain/accounts/ (one header per practice; see
 * docs/ARCHITECTURE.md). Its sections follow the files of the folder. */
#ifndef JICENG_DOMAIN_ACCOUNTS_H
#define JICENG_DOMAIN_ACCOUNTS_H

#include <jansson.h>
#include <stdint.h>
#include "domain/common/actor.h"
#include "lib/buf.h"
#include "lib/totp.h"
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
#define ACCOUNT_TOUCH_MS (60 * 1000)                /* refresh last_seen at most once a minute */
#define ACCOUNT_FAILURE_TTL_MS (24LL * 3600 * 1000) /* failures older than a day are forgotten */
#define ACCOUNT_PW_HISTORY 5 /* a new password differs from the last 5 (the current one too) */
/* 等保 level 3: two factors for administrators — county admins, 综治中心 operators and leaders
 * must have a second factor (TOTP); for everyone else it is optional. */
#define ACCOUNT_TOTP_ROLES (ROLE_COUNTY_ADMIN | ROLE_CENTER_OPERATOR | ROLE_LEADER)
#define ACCOUNT_CHALLENGE_MS (5 * 60 * 1000) /* the password step of a sign-in lasts 5 minutes */
#define ACCOUNT_LOCKED_MESSAGE "连续登录失败次数过多，账号已锁定 10 分钟"

/* A signed-in session: who (the actor every domain call takes) and what only the session layer
 * needs. */
typedef struct {
    actor_t actor;
    int must_change; /* the password must be changed before anything else */
    int must_enrol;  /* a role of ACCOUNT_TOTP_ROLES without a second factor: set it up first */
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
    /* out of account_login_commit and account_login_second */
    int outcome;         /* 0 signed in, ERR_UNAUTH wrong name/password/code/disabled, ERR_LOCKED */
    const char *code;    /* the reply's error code: bad_credentials, locked, bad_code... */
    const char *message; /* Chinese, for the reply when outcome != 0 */
    const char *field;   /* the offending input, or NULL */
    char token[48];
    account_session_t user;
    /* An account with a second factor: the password step gives no session but this challenge
     * (outcome 0, token empty), which account_login_second takes with the code. */
    char challenge[48];
    const char *second; /* in for account_login_second: a 6-digit code or a recovery code */
} account_login_t;
/* Step 1, on a read connection (fast): find the account and its stored hash. */
void account_login_lookup(db_t *db, account_login_t *l);
/* Step 2, anywhere (slow: argon2id; an unknown user costs the same as a known one). */
void account_login_check(account_login_t *l, const char *password);
/* Step 3, in a write transaction: apply lockout (5 failures → 10 minutes, for unknown usernames
 * exactly as for accounts, so the answers do not tell which names exist), create the session —
 * or, for an account with a second factor, a challenge — and write the audit row. Always returns
 * 0 unless the store fails, so failures are recorded; the result is in l->outcome. */
int account_login_commit(db_t *db, account_login_t *l, err_t *e);
/* The second step, in a write transaction: l->challenge (from the first step, not expired) and
 * l->second, a code of the authenticator app (a time step is accepted once) or an unused
 * recovery code (then used up). A wrong code counts as a failed sign-in towards the lockout.
 * The challenge ends when it is used, expired or the account locks. Result as for the commit:
 * a session in l->token, or l->outcome. */
int account_login_second(db_t *db, account_login_t *l, err_t *e);

/* The stored hash of an account (for a password change). 0 or ERR_NOTFOUND. */
int account_password_hash_of(db_t *db, int64_t user_id, char out[ACCOUNT_HASH_MAX]);

typedef struct {
    const char *old_pw, *new_pw;    /* in */
    char current[ACCOUNT_HASH_MAX]; /* in: the stored hash read before the check */
    char previous[ACCOUNT_PW_HISTORY - 1][ACCOUNT_HASH_MAX]; /* in: the hashes before it */
    int nprevious;
    int locked;  /* in: the account was locked when read (the check is skipped) */
    int old_ok;  /* out of the check */
    int outcome; /* out of the write: 0, ERR_UNAUTH (wrong old password) or ERR_LOCKED */
    char new_hash[ACCOUNT_HASH_MAX];
} account_pw_change_t;
/* Read step (read connection): the current hash, the ones before it and the lock. 0 or
 * ERR_NOTFOUND. */
int account_password_change_load(db_t *db, int64_t user_id, int64_t now, account_pw_change_t *p);
/* Slow step: verify old against current, apply the policy and libpwquality to new, make sure it
 * is none of the last ACCOUNT_PW_HISTORY passwords, hash it. 0 or ERR_INVALID (message in e;
 * ERR_IO if the dictionary is missing). old_ok tells whether the old password matched; nothing
 * is checked while the account is locked. */
int account_password_change_check(account_pw_change_t *p, const char *username, err_t *e);
/* Write step: while the account is locked, refuse (outcome ERR_LOCKED) whatever the old
 * password; if the old password was wrong, count it as a failed login (outcome ERR_UNAUTH, or
 * ERR_LOCKED when this failure locks); else swap the hash if it is still `current` (else
 * ERR_CONFLICT), keep the old one in the history, end the account's other sessions, audit. */
int account_change_password(db_t *db, const account_session_t *u, account_pw_change_t *p,
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
    int totp_exempt; /* 1 for the seeder's demo accounts only: never made to enrol a second factor
                      */
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
 * (if >0) or username. Outside the caller's scope: ERR_NOTFOUND. A reset from the command line
 * (by == NULL) also removes the second factor: the way back for the last county admin who lost
 * the phone and the recovery codes. */
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

/* ==== twofactor.h ====
twofactor.h — the second factor (TOTP, lib/totp.h) of an account: enrolment, recovery codes,
 * turning it off, and an administrator's reset. Every step is audited. Writes. */

/* Start (or restart) enrolment with a fresh secret (lib/totp: totp_secret_new), kept encrypted
 * until account_totp_enable confirms it. ERR_CONFLICT if a second factor is already on. */
int account_totp_setup(db_t *db, const account_session_t *u, const char *secret, const char *ip,
                       int64_t now, err_t *e);
/* Confirm enrolment with a first code of the pending secret: the second factor is on, and
 * `codes` gets TOTP_RECOVERY_COUNT new recovery codes (shown once; only keyed hashes are
 * kept). ERR_INVALID (field "code") for a wrong code, ERR_CONFLICT without a pending setup. */
int account_totp_enable(db_t *db, const account_session_t *u, const char *code, const char *ip,
                        int64_t now, char codes[TOTP_RECOVERY_COUNT][TOTP_RECOVERY_LEN + 1],
                        err_t *e);
/* Turn the second factor off with a current code or a recovery code. Only where it is optional
 * (ERR_FORBIDDEN for ACCOUNT_TOTP_ROLES). A wrong code counts as a failed sign-in and while
 * the account is locked nothing is checked: then 0 with *refused = ERR_UNAUTH / ERR_LOCKED,
 * so the failure is committed. */
int account_totp_disable(db_t *db, const account_session_t *u, const char *code, const char *ip,
                         int64_t now, int *refused, err_t *e);
/* An administrator removes another account's second factor (lost phone): its sessions end, and
 * a role that needs one enrols again at the next sign-in. Same scope rules as a password reset. */
int account_totp_reset(db_t *db, const actor_t *by, int64_t id, const char *ip, int64_t now,
                       err_t *e);

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

/* What the audit log is searched by (all optional): who (the username, also for failed
 * sign-ins of unknown names), what (an action code), the outcome, when [from, to) in epoch ms
 * (0: open), and the object touched (a prefix: "person:" or "person:123"). */
typedef struct {
    const char *username;
    const char *action;
    const char *outcome;
    int64_t from, to;
    const char *object;
} audit_filter_t;

/* Rows of the caller's county scope matching f, newest first, keyset by id (cursor NULL = from
 * the newest): {items, next_cursor} with each row's account name (its current name, NULL when
 * none), role label and action label. New reference, or NULL with *rc on a store error. */
json_t *audit_list(db_t *db, const actor_t *who, const audit_filter_t *f, const char *cursor,
                   int limit, int *rc);

/* The same rows as CSV (UTF-8 with a BOM, so that Excel reads the Chinese), at most max of
 * them, appended to out; *rows says how many. 0, ERR_TOOLARGE when out's cap was reached, or a
 * store error. */
int audit_csv(db_t *db, const actor_t *who, const audit_filter_t *f, int max, buf_t *out,
              int *rows);

/* The Chinese name of an action code; the code itself for one this build does not know. */
const char *audit_action_label(const char *action);
/* Every action code this build writes, with its label: {items:[{code,label}]}. */
json_t *audit_actions(void);

#endif
