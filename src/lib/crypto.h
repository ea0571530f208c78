/* crypto.h — everything secret, on libsodium: field encryption at rest (XChaCha20-Poly1305)
 * with a keyed hash for exact lookup (BLAKE2b), session tokens, argon2id password hashes.
 * Keys live in files outside the database (data/keys/, mode 0600). Call crypto_init() once at
 * start-up; afterwards every function here is thread-safe. */
#ifndef JICENG_LIB_CRYPTO_H
#define JICENG_LIB_CRYPTO_H

#include <stddef.h>

#include <sodium.h>

#include "lib/err.h"

/* Size of a stored password hash string, NUL included (= crypto_pwhash_STRBYTES). */
#define CRYPTO_PASSWORD_HASH_BYTES crypto_pwhash_STRBYTES

/* Initialise libsodium. 0, or ERR_IO if it cannot (no entropy source). Safe to call again. */
int crypto_init(void);

/* The two 32-byte keys: field.key (XChaCha20-Poly1305) and hash.key (BLAKE2b). Opaque. */
typedef struct crypto_keys crypto_keys_t;

/* Load field.key and hash.key from keys_dir. With create != 0, a missing directory is made
 * (0700, the last path component only) and missing key files are filled with fresh random keys
 * (0600; safe if two processes race). On success *out is owned by the caller: free with
 * crypto_keys_free. Fails with ERR_IO and a Chinese message in *e when a key file is missing
 * (create == 0), cannot be read or written, is not a regular file, has any group/other
 * permission bit, or is not exactly 32 bytes; also when keys_dir is writable by group/other.
 * ERR_INVALID if the path is too long. Never overwrites an existing key. */
int crypto_keys_load(const char *keys_dir, int create, crypto_keys_t **out, err_t *e);

/* Wipe and free. NULL is fine. */
void crypto_keys_free(crypto_keys_t *k);

/* Encrypt plain[0..len) under field.key with a random nonce. Returns base64url (no padding)
 * of nonce||ciphertext||tag, NUL-terminated; caller frees with free(). NULL only if len is
 * absurdly large; out of memory aborts. */
char *crypto_field_encrypt(const crypto_keys_t *k, const char *plain, size_t len);

/* Reverse crypto_field_encrypt. Returns the plaintext, NUL-terminated, caller frees with
 * free(); NULL if b64 is not well-formed, was made with another key, or was altered. */
char *crypto_field_decrypt(const crypto_keys_t *k, const char *b64);

/* Keyed BLAKE2b-256 of plain[0..len) under hash.key, as 64 lower-case hex digits and a NUL:
 * the same input always gives the same value, so it serves exact-match lookups (ID number,
 * phone) without storing the plaintext. Cannot fail. */
void crypto_field_hash(const crypto_keys_t *k, const char *plain, size_t len, char out_hex[65]);

/* 1 if enc decrypts under k and the keyed hash of its plaintext is hash_hex, else 0 (also when
 * either is NULL): the check that a stored encrypted field and its lookup hash are readable with
 * these keys (`jiceng check keys`, restore). */
int crypto_field_matches(const crypto_keys_t *k, const char *enc, const char *hash_hex);

/* The keys sealed for a backup, so that it can be restored on a machine that never had them.
 * Text of five lines: "jiceng-keys 1", the KDF and its limits (argon2id, OPSLIMIT/MEMLIMIT
 * _MODERATE: 256 MiB, about a second), salt, nonce, and field.key||hash.key encrypted with
 * XChaCha20-Poly1305 under the key derived from the passphrase (the first four lines are its
 * additional data, so they cannot be changed either). Returns a NUL-terminated text the caller
 * frees with free(), or NULL with ERR_NOMEM in e (argon2id could not have its memory). */
char *crypto_keys_seal(const crypto_keys_t *k, const char *pass, size_t passlen, err_t *e);

/* Open text[0..len) made by crypto_keys_seal. 0 and *out (free with crypto_keys_free), or
 * ERR_INVALID with a Chinese message: not such a text, or the passphrase is wrong (or the text
 * was altered: the two cannot be told apart), or ERR_NOMEM. */
int crypto_keys_unseal(const char *text, size_t len, const char *pass, size_t passlen,
                       crypto_keys_t **out, err_t *e);

/* Write k as field.key and hash.key (0600) into keys_dir, made 0700 if missing (its parent must
 * exist). Never overwrites: ERR_CONFLICT if either file exists. Each file appears whole or not
 * at all (temporary name, fsync, link). 0, or ERR_IO / ERR_CONFLICT with a message. */
int crypto_keys_install(const crypto_keys_t *k, const char *keys_dir, err_t *e);

/* A new session token: 32 random bytes as base64url without padding (43 chars + NUL). */
void crypto_token_new(char out[44]);

/* Unkeyed BLAKE2b-256 of the NUL-terminated token, as 64 hex digits + NUL. Tokens are stored
 * only in this form; it needs no key, so any instance can validate a token. Cannot fail. */
void crypto_token_hash(const char *token, char out_hex[65]);

/* argon2id hash of the NUL-terminated pw (OPSLIMIT/MEMLIMIT_INTERACTIVE: about 64 MiB and
 * 0.1-0.5 s of one core; run it off the event loop). Writes the self-describing "$argon2id$..."
 * string to out. 0, or ERR_NOMEM if the memory could not be had. */
int crypto_password_hash(const char *pw, char out[CRYPTO_PASSWORD_HASH_BYTES]);

/* 0 if pw matches hash, else ERR_UNAUTH (also for a malformed hash). Costs as much as
 * crypto_password_hash; verify against a dummy hash for unknown users so timing does not show
 * which usernames exist. */
int crypto_password_verify(const char *hash, const char *pw);

/* 1 if hash was made with other parameters than crypto_password_hash uses now (re-hash it at
 * the next successful login), else 0. */
int crypto_password_needs_rehash(const char *hash);

/* A random 16-character initial password with upper, lower, digit and symbol, drawn from sets
 * without look-alikes (no I O l o 0 1, no quotes or |), so it passes password_policy_check
 * and survives being read aloud or copied from paper. out gets 16 chars + NUL. */
void crypto_password_random(char out[17]);

#endif
