#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* openat, fstat, linkat, fsync */
#endif

#include "lib/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define KEY_BYTES 32
#define HASH_BYTES 32

_Static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == KEY_BYTES, "field key size");
_Static_assert(crypto_generichash_KEYBYTES == KEY_BYTES, "hash key size");

struct crypto_keys {
    unsigned char field[KEY_BYTES];
    unsigned char hash[KEY_BYTES];
};
_Static_assert(sizeof(struct crypto_keys) == 2 * KEY_BYTES, "sealed as one 64-byte block");

/* Messages are static strings (err_t does not own them), so each key file carries its own. */
typedef struct {
    const char *name;
    const char *missing, *perm, *size, *read, *create, *exists;
} keyfile_t;

#define KEYFILE(n)                                                                                 \
    {                                                                                              \
        n, "密钥文件 " n " 不存在", "密钥文件 " n " 权限过宽，应为 0600（仅属主可读写）",          \
            "密钥文件 " n " 长度错误，应为 32 字节", "密钥文件 " n " 无法读取",                    \
            "密钥文件 " n " 无法创建", "密钥文件 " n " 已存在，不会覆盖"                   \
    }

static const keyfile_t FIELD_KEY = KEYFILE("field.key");
static const keyfile_t HASH_KEY = KEYFILE("hash.key");

static _Noreturn void out_of_memory(size_t n)
{
    fprintf(stderr, "jiceng: 内存不足 (out of memory allocating %zu bytes)\n", n);
    abort();
}

int crypto_init(void) { return sodium_init() < 0 ? ERR_IO : 0; }

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Write key to a temporary name, then link() it into place: link never replaces an existing
 * file, so nobody ever reads a half-written key and an existing key is never overwritten. If
 * the name is taken: an error when exclusive, else fine (another process created the key
 * meanwhile, and its key wins). */
static int put_key(int dirfd, const keyfile_t *kf, const unsigned char key[KEY_BYTES],
                   int exclusive, err_t *e)
{
    char tmp[64];
    int rc = 0, fd = -1;

    snprintf(tmp, sizeof tmp, ".%s.%ld.tmp", kf->name, (long)getpid());
    fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = err_set(e, ERR_IO, NULL, kf->create, NULL);
        goto out;
    }
    if (write_all(fd, key, KEY_BYTES) || fsync(fd)) {
        rc = err_set(e, ERR_IO, NULL, kf->create, NULL);
        goto out;
    }
    if (linkat(dirfd, tmp, dirfd, kf->name, 0)) {
        if (errno != EEXIST)
            rc = err_set(e, ERR_IO, NULL, kf->create, NULL);
        else if (exclusive)
            rc = err_set(e, ERR_CONFLICT, NULL, kf->exists, NULL);
        goto out;
    }
    fsync(dirfd);
out:
    if (fd >= 0) {
        close(fd);
        unlinkat(dirfd, tmp, 0);
    }
    return rc;
}

static int create_key(int dirfd, const keyfile_t *kf, err_t *e)
{
    unsigned char key[KEY_BYTES];
    randombytes_buf(key, sizeof key);
    int rc = put_key(dirfd, kf, key, 0, e);
    sodium_memzero(key, sizeof key);
    return rc;
}

static int load_key(int dirfd, const keyfile_t *kf, int create, unsigned char key[KEY_BYTES],
                    err_t *e)
{
    struct stat st;
    size_t got = 0;
    int rc = 0;
    int fd = openat(dirfd, kf->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0 && errno == ENOENT && create) {
        rc = create_key(dirfd, kf, e);
        if (rc)
            goto out;
        fd = openat(dirfd, kf->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) {
        rc = err_set(e, ERR_IO, NULL, errno == ENOENT ? kf->missing : kf->read, NULL);
        goto out;
    }
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        rc = err_set(e, ERR_IO, NULL, kf->read, NULL);
        goto out;
    }
    if (st.st_mode & 077) {
        rc = err_set(e, ERR_IO, NULL, kf->perm, NULL);
        goto out;
    }
    if (st.st_size != KEY_BYTES) {
        rc = err_set(e, ERR_IO, NULL, kf->size, NULL);
        goto out;
    }
    while (got < KEY_BYTES) {
        ssize_t r = read(fd, key + got, KEY_BYTES - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rc = err_set(e, ERR_IO, NULL, r == 0 ? kf->size : kf->read, NULL);
            goto out;
        }
        got += (size_t)r;
    }
out:
    if (fd >= 0)
        close(fd);
    return rc;
}

/* Open keys_dir (made 0700 first when create), refusing one that group or other may write. */
static int open_keys_dir(const char *keys_dir, int create, int *dirfd, err_t *e)
{
    struct stat st;
    *dirfd = -1;
    if (crypto_init())
        return err_set(e, ERR_IO, NULL, "加密库初始化失败", NULL);
    if (!keys_dir || !*keys_dir || strlen(keys_dir) >= PATH_MAX)
        return err_set(e, ERR_INVALID, NULL, "密钥目录路径无效", NULL);
    if (create && mkdir(keys_dir, 0700) && errno != EEXIST)
        return err_set(e, ERR_IO, NULL, "密钥目录无法创建", NULL);
    int fd = open(keys_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return err_set(e, ERR_IO, NULL, "密钥目录不存在或无法打开", NULL);
    /* whoever can write the directory can swap the keys */
    if (fstat(fd, &st) || (st.st_mode & 022)) {
        close(fd);
        return err_set(e, ERR_IO, NULL, "密钥目录权限过宽，应为 0700", NULL);
    }
    *dirfd = fd;
    return 0;
}

static crypto_keys_t *keys_alloc(void)
{
    crypto_keys_t *k = malloc(sizeof *k);
    if (!k)
        out_of_memory(sizeof *k);
    sodium_mlock(k, sizeof *k); /* best effort: keep keys out of swap */
    return k;
}

int crypto_keys_load(const char *keys_dir, int create, crypto_keys_t **out, err_t *e)
{
    crypto_keys_t *k = NULL;
    int dirfd = -1;

    *out = NULL;
    int rc = open_keys_dir(keys_dir, create, &dirfd, e);
    if (rc)
        return rc;
    k = keys_alloc();
    rc = load_key(dirfd, &FIELD_KEY, create, k->field, e);
    if (!rc)
        rc = load_key(dirfd, &HASH_KEY, create, k->hash, e);
    if (!rc) {
        *out = k;
        k = NULL;
    }
    crypto_keys_free(k);
    close(dirfd);
    return rc;
}

int crypto_keys_install(const crypto_keys_t *k, const char *keys_dir, err_t *e)
{
    int dirfd = -1;
    int rc = open_keys_dir(keys_dir, 1, &dirfd, e);
    if (rc)
        return rc;
    /* Both names free first, so that a refusal leaves nothing behind. */
    if (faccessat(dirfd, FIELD_KEY.name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        rc = err_set(e, ERR_CONFLICT, NULL, FIELD_KEY.exists, NULL);
    else if (faccessat(dirfd, HASH_KEY.name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        rc = err_set(e, ERR_CONFLICT, NULL, HASH_KEY.exists, NULL);
    if (!rc)
        rc = put_key(dirfd, &FIELD_KEY, k->field, 1, e);
    if (!rc && (rc = put_key(dirfd, &HASH_KEY, k->hash, 1, e)) != 0)
        unlinkat(dirfd, FIELD_KEY.name, 0);
    close(dirfd);
    return rc;
}

void crypto_keys_free(crypto_keys_t *k)
{
    if (!k)
        return;
    sodium_memzero(k, sizeof *k);
    sodium_munlock(k, sizeof *k);
    free(k);
}

#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define B64_VARIANT sodium_base64_VARIANT_URLSAFE_NO_PADDING

char *crypto_field_encrypt(const crypto_keys_t *k, const char *plain, size_t len)
{
    if (len > SIZE_MAX / 2 - NONCE_BYTES - TAG_BYTES)
        return NULL;
    size_t n = NONCE_BYTES + len + TAG_BYTES;
    unsigned char *bin = malloc(n);
    if (!bin)
        out_of_memory(n);
    unsigned long long clen = 0;

    randombytes_buf(bin, NONCE_BYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        bin + NONCE_BYTES, &clen, (const unsigned char *)plain, len, NULL, 0, NULL, bin, k->field);
    size_t b64len = sodium_base64_ENCODED_LEN(n, B64_VARIANT);
    char *b64 = malloc(b64len);
    if (!b64)
        out_of_memory(b64len);
    sodium_bin2base64(b64, b64len, bin, n, B64_VARIANT);
    free(bin);
    return b64;
}

char *crypto_field_decrypt(const crypto_keys_t *k, const char *b64)
{
    if (!b64)
        return NULL;
    size_t b64len = strlen(b64);
    size_t cap = b64len / 4 * 3 + 3; /* decoded size never exceeds this */
    unsigned char *bin = malloc(cap);
    char *plain = NULL;
    size_t n = 0;
    unsigned long long plen = 0;

    if (!bin)
        out_of_memory(cap);
    if (sodium_base642bin(bin, cap, b64, b64len, NULL, &n, NULL, B64_VARIANT) != 0 ||
        n < NONCE_BYTES + TAG_BYTES)
        goto out;
    plain = malloc(n - NONCE_BYTES - TAG_BYTES + 1);
    if (!plain)
        out_of_memory(n);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)plain, &plen, NULL,
                                                   bin + NONCE_BYTES, n - NONCE_BYTES, NULL, 0, bin,
                                                   k->field) != 0) {
        free(plain);
        plain = NULL;
        goto out;
    }
    plain[plen] = '\0';
out:
    free(bin);
    return plain;
}

static void to_hex(const unsigned char h[HASH_BYTES], char out_hex[65])
{
    sodium_bin2hex(out_hex, 65, h, HASH_BYTES);
}

void crypto_field_hash(const crypto_keys_t *k, const char *plain, size_t len, char out_hex[65])
{
    unsigned char h[HASH_BYTES];
    crypto_generichash(h, sizeof h, (const unsigned char *)plain, len, k->hash, KEY_BYTES);
    to_hex(h, out_hex);
}

int crypto_field_matches(const crypto_keys_t *k, const char *enc, const char *hash_hex)
{
    if (!enc || !hash_hex || strlen(hash_hex) != 64)
        return 0;
    char *plain = crypto_field_decrypt(k, enc);
    if (!plain)
        return 0;
    char h[65];
    crypto_field_hash(k, plain, strlen(plain), h);
    sodium_memzero(plain, strlen(plain));
    free(plain);
    return sodium_memcmp(h, hash_hex, 64) == 0;
}

/* ---------- keys sealed under a passphrase (backups) ---------- */

#define SEAL_MAGIC "jiceng-keys 1\n"
#define SEAL_ALG "argon2id13"
#define SEALED_BYTES (2 * KEY_BYTES + TAG_BYTES)

/* The key for sealing, from the passphrase. 0 or ERR_NOMEM. */
static int seal_key(unsigned char key[KEY_BYTES], const char *pass, size_t passlen,
                    const unsigned char *salt, unsigned long long ops, size_t mem)
{
    return crypto_pwhash(key, KEY_BYTES, pass, passlen, salt, ops, mem,
                         crypto_pwhash_ALG_ARGON2ID13) == 0
               ? 0
               : ERR_NOMEM;
}

char *crypto_keys_seal(const crypto_keys_t *k, const char *pass, size_t passlen, err_t *e)
{
    unsigned char salt[crypto_pwhash_SALTBYTES], nonce[NONCE_BYTES], key[KEY_BYTES];
    unsigned char box[SEALED_BYTES];
    char salt_hex[2 * sizeof salt + 1], nonce_hex[2 * sizeof nonce + 1];
    char b64[sodium_base64_ENCODED_LEN(SEALED_BYTES, B64_VARIANT)];
    char head[256];
    unsigned long long ops = crypto_pwhash_argon2id_OPSLIMIT_MODERATE;
    size_t mem = crypto_pwhash_argon2id_MEMLIMIT_MODERATE;

    randombytes_buf(salt, sizeof salt);
    randombytes_buf(nonce, sizeof nonce);
    if (seal_key(key, pass, passlen, salt, ops, mem)) {
        err_set(e, ERR_NOMEM, NULL, "口令派生密钥失败（内存不足）", NULL);
        return NULL;
    }
    sodium_bin2hex(salt_hex, sizeof salt_hex, salt, sizeof salt);
    sodium_bin2hex(nonce_hex, sizeof nonce_hex, nonce, sizeof nonce);
    int hn =
        snprintf(head, sizeof head, SEAL_MAGIC "kdf " SEAL_ALG " %llu %zu\nsalt %s\nnonce %s\n",
                 ops, mem, salt_hex, nonce_hex);
    crypto_aead_xchacha20poly1305_ietf_encrypt(box, NULL, (const unsigned char *)k, 2 * KEY_BYTES,
                                               (const unsigned char *)head, (size_t)hn, NULL, nonce,
                                               key);
    sodium_memzero(key, sizeof key);
    sodium_bin2base64(b64, sizeof b64, box, sizeof box, B64_VARIANT);
    size_t bn = strlen(b64), n = (size_t)hn + strlen("sealed ") + bn + 2;
    char *out = malloc(n);
    if (!out)
        out_of_memory(n);
    memcpy(out, head, (size_t)hn);
    memcpy(out + hn, "sealed ", 7);
    memcpy(out + hn + 7, b64, bn);
    out[n - 2] = '\n';
    out[n - 1] = 0;
    return out;
}

int crypto_keys_unseal(const char *text, size_t len, const char *pass, size_t passlen,
                       crypto_keys_t **out, err_t *e)
{
    static const char *const NOT_KEYS = "不是 jiceng 备份密钥文件";
    char buf[1024], salt_hex[65], nonce_hex[97], b64[256];
    unsigned char salt[crypto_pwhash_SALTBYTES], nonce[NONCE_BYTES], key[KEY_BYTES];
    unsigned char box[SEALED_BYTES];
    unsigned long long ops = 0;
    size_t mem = 0, n = 0;

    *out = NULL;
    if (len >= sizeof buf || strncmp(text, SEAL_MAGIC, strlen(SEAL_MAGIC)) != 0)
        return err_set(e, ERR_INVALID, NULL, NOT_KEYS, NULL);
    memcpy(buf, text, len);
    buf[len] = 0;
    char *sealed = strstr(buf, "\nsealed ");
    if (!sealed ||
        sscanf(buf, SEAL_MAGIC "kdf " SEAL_ALG " %llu %zu salt %64s nonce %96s", &ops, &mem,
               salt_hex, nonce_hex) != 4 ||
        sscanf(sealed + 1, "sealed %255s", b64) != 1 ||
        sodium_hex2bin(salt, sizeof salt, salt_hex, strlen(salt_hex), NULL, &n, NULL) ||
        n != sizeof salt ||
        sodium_hex2bin(nonce, sizeof nonce, nonce_hex, strlen(nonce_hex), NULL, &n, NULL) ||
        n != sizeof nonce ||
        sodium_base642bin(box, sizeof box, b64, strlen(b64), NULL, &n, NULL, B64_VARIANT) ||
        n != sizeof box)
        return err_set(e, ERR_INVALID, NULL, NOT_KEYS, NULL);
    /* Limits a file could name without making this take minutes or all memory. */
    if (ops < crypto_pwhash_argon2id_OPSLIMIT_MIN || ops > 16 || mem < 8u << 20 || mem > 1u << 30)
        return err_set(e, ERR_INVALID, NULL, NOT_KEYS, NULL);
    if (seal_key(key, pass, passlen, salt, ops, mem))
        return err_set(e, ERR_NOMEM, NULL, "口令派生密钥失败（内存不足）", NULL);
    crypto_keys_t *k = keys_alloc();
    size_t head = (size_t)(sealed + 1 - buf);
    int bad =
        crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)k, NULL, NULL, box, sizeof box,
                                                   (const unsigned char *)buf, head, nonce, key);
    sodium_memzero(key, sizeof key);
    if (bad) {
        crypto_keys_free(k);
        return err_set(e, ERR_INVALID, NULL, "口令错误，或密钥文件已损坏", NULL);
    }
    *out = k;
    return 0;
}

void crypto_token_new(char out[44])
{
    unsigned char r[32];
    randombytes_buf(r, sizeof r);
    sodium_bin2base64(out, 44, r, sizeof r, B64_VARIANT);
    sodium_memzero(r, sizeof r);
}

void crypto_token_hash(const char *token, char out_hex[65])
{
    unsigned char h[HASH_BYTES];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    to_hex(h, out_hex);
}

int crypto_password_hash(const char *pw, char out[CRYPTO_PASSWORD_HASH_BYTES])
{
    if (crypto_pwhash_str_alg(out, pw, strlen(pw), crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return ERR_NOMEM;
    return 0;
}

int crypto_password_verify(const char *hash, const char *pw)
{
    if (!hash || !pw)
        return ERR_UNAUTH;
    return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0 ? 0 : ERR_UNAUTH;
}

int crypto_password_needs_rehash(const char *hash)
{
    return crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
                                          crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE) != 0;
}

void crypto_password_random(char out[17])
{
    static const char upper[] = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    static const char lower[] = "abcdefghijkmnpqrstuvwxyz";
    static const char digit[] = "23456789";
    static const char symbol[] = "!#$%&*+-=?@";
    static const char *const sets[4] = {upper, lower, digit, symbol};
    static const char all[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789!#$%&*+-=?@";

    /* one of each class first, the rest from the union, then shuffle (Fisher-Yates) */
    for (int i = 0; i < 16; i++) {
        const char *set = i < 4 ? sets[i] : all;
        out[i] = set[randombytes_uniform((uint32_t)strlen(set))];
    }
    for (int i = 15; i > 0; i--) {
        int j = (int)randombytes_uniform((uint32_t)i + 1);
        char t = out[i];
        out[i] = out[j];
        out[j] = t;
    }
    out[16] = '\0';
}
