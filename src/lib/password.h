/* password.h — the password policy of GB/T 22239-2019 level 3 (等保 2.0) as assessors apply it:
 * 8-64 bytes, at least three of upper case, lower case, digits and symbols, not containing the
 * username (password_policy_check: pure, thread-safe, no allocation); and on top of it the
 * quality checks of Debian's libpwquality — cracklib's dictionary, systematic patterns such as
 * 12345678Aa, likeness to the old password (password_quality_check). */
#ifndef JICENG_LIB_PASSWORD_H
#define JICENG_LIB_PASSWORD_H

#include "lib/err.h"

/* Limits in bytes: 64 keeps argon2 input and request bodies small. */
#define PASSWORD_MIN_LEN 8
#define PASSWORD_MAX_LEN 64

/* 0 if pw may be used by username, else ERR_INVALID with a Chinese message and field
 * "new_password". Symbols are any printable character other than ASCII letters and digits
 * (including non-ASCII text); control characters and invalid UTF-8 are refused. The username
 * test is ASCII case-insensitive and applies to usernames of 3 or more bytes (a one-letter name
 * would forbid that letter everywhere). username may be NULL. */
int password_policy_check(const char *pw, const char *username, err_t *e);

/* libpwquality on top of the policy: refuses passwords found in or built from cracklib's
 * dictionary (also "too simplistic/systematic": 12345678Aa, Abcdef12), palindromes, and a new
 * password too like old_pw (at least 3 characters must change; case changes or rotations are not
 * enough). old_pw and username may be NULL. 0, ERR_INVALID with a Chinese message and field
 * "new_password", or ERR_IO when cracklib's dictionary cannot be read (package
 * cracklib-runtime): then every password is refused rather than let through unchecked.
 * Thread-safe (cracklib is not: calls are serialised); takes a few milliseconds. */
int password_quality_check(const char *pw, const char *old_pw, const char *username, err_t *e);

#endif
