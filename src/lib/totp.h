/* totp.h — the second factor of GB/T 22239 level 3 (两步验证, STANDARDS.md §5): time-based
 * one-time passwords (RFC 6238 — HMAC-SHA1, 30-second steps, 6 digits) on Debian's liboath, and
 * the one-time recovery codes that stand in for a lost phone. Secrets travel as base32 text, the
 * form authenticator apps take. Everything here is thread-safe; nothing touches the store. */
#ifndef JICENG_LIB_TOTP_H
#define JICENG_LIB_TOTP_H

#include <stdint.h>

#include "lib/err.h"

#define TOTP_SECRET_BYTES 20 /* 160 bits, as RFC 4226 recommends */
#define TOTP_SECRET_LEN 32   /* its base32 form, without padding */
#define TOTP_STEP_S 30
#define TOTP_DIGITS 6
#define TOTP_WINDOW 1 /* also the step before and after: a phone clock off by up to 30 s */
#define TOTP_RECOVERY_COUNT 10
#define TOTP_RECOVERY_CHARS 12 /* 59 bits from a 31-letter alphabet without look-alikes */
#define TOTP_RECOVERY_LEN 14   /* shown as XXXX-XXXX-XXXX */

/* A fresh random secret (libsodium's generator), base32, NUL-terminated. */
void totp_secret_new(char out[TOTP_SECRET_LEN + 1]);

/* 1 if s is exactly TOTP_DIGITS ASCII digits (a code from the app), else 0. */
int totp_is_code(const char *s);

/* Check code against secret at now_ms, one step either side. 0 and *step = the time step the
 * code belongs to (the caller refuses a step already used); ERR_UNAUTH when it matches none of
 * them or is not 6 digits; ERR_INVALID when secret is not base32. */
int totp_verify(const char *secret, int64_t now_ms, const char *code, int64_t *step);

/* The code of secret for a time step (floor(unix seconds / 30)). 0 or ERR_INVALID. */
int totp_code(const char *secret, int64_t step, char out[TOTP_DIGITS + 1]);

/* The otpauth:// URI that authenticator apps read from the QR code (Google's Key URI Format),
 * labelled "issuer:account"; both are percent-encoded. Caller frees. */
char *totp_uri(const char *issuer, const char *account, const char *secret);

/* A fresh recovery code, shown as XXXX-XXXX-XXXX. */
void totp_recovery_new(char out[TOTP_RECOVERY_LEN + 1]);

/* What a person typed as a recovery code, in the one form that is hashed: upper case, without
 * dashes and spaces (TOTP_RECOVERY_CHARS characters). 0, or ERR_INVALID if it cannot be one. */
int totp_recovery_normalize(const char *in, char out[TOTP_RECOVERY_CHARS + 1]);

#endif
