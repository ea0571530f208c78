/* Unit tests for src/lib/crypto.c */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/crypto.h"
#include "lib/err.h"
#include "lib/password.h"

static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

typedef struct {
    char root[64];    /* mkdtemp directory */
    char keys[128];   /* root/keys, created by crypto_keys_load */
    crypto_keys_t *k; /* loaded from keys */
} fixture_t;

static void path_in(const fixture_t *f, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", f->keys, name);
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    if (!f || crypto_init())
        return -1;
    snprintf(f->root, sizeof f->root, "/tmp/jiceng-crypto-XXXXXX");
    if (!mkdtemp(f->root))
        return -1;
    snprintf(f->keys, sizeof f->keys, "%s/keys", f->root);
    err_t e = {0};
    if (crypto_keys_load(f->keys, 1, &f->k, &e))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    char p[256];
    crypto_keys_free(f->k);
    path_in(f, "field.key", p, sizeof p);
    unlink(p);
    path_in(f, "hash.key", p, sizeof p);
    unlink(p);
    rmdir(f->keys);
    rmdir(f->root);
    free(f);
    return 0;
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

static void test_key_files_created_private(void **state)
{
    fixture_t *f = *state;
    char p[256];
    struct stat st;
    assert_int_equal(mode_of(f->keys), 0700);
    path_in(f, "field.key", p, sizeof p);
    assert_int_equal(mode_of(p), 0600);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_size, 32);
    path_in(f, "hash.key", p, sizeof p);
    assert_int_equal(mode_of(p), 0600);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_size, 32);

    /* loading again (create or not) reads the same keys, never new ones */
    crypto_keys_t *k2 = NULL;
    err_t e = {0};
    assert_int_equal(crypto_keys_load(f->keys, 0, &k2, &e), 0);
    char *c = crypto_field_encrypt(f->k, "13812341234", 11);
    char *pl = crypto_field_decrypt(k2, c);
    assert_non_null(pl);
    assert_string_equal(pl, "13812341234");
    char h1[65], h2[65];
    crypto_field_hash(f->k, "x", 1, h1);
    crypto_field_hash(k2, "x", 1, h2);
    assert_string_equal(h1, h2);
    free(c);
    free(pl);
    crypto_keys_free(k2);
}

static void test_key_refused_when_readable(void **state)
{
    fixture_t *f = *state;
    char p[256];
    crypto_keys_t *k2 = NULL;
    err_t e = {0};

    path_in(f, "field.key", p, sizeof p);
    assert_int_equal(chmod(p, 0644), 0);
    assert_int_equal(crypto_keys_load(f->keys, 1, &k2, &e), ERR_IO);
    assert_null(k2);
    assert_non_null(strstr(e.message, "field.key"));
    assert_non_null(strstr(e.message, "权限"));
    assert_int_equal(chmod(p, 0640), 0);
    assert_int_equal(crypto_keys_load(f->keys, 0, &k2, &e), ERR_IO);
    assert_int_equal(chmod(p, 0600), 0);

    path_in(f, "hash.key", p, sizeof p);
    assert_int_equal(chmod(p, 0604), 0);
    assert_int_equal(crypto_keys_load(f->keys, 0, &k2, &e), ERR_IO);
    assert_non_null(strstr(e.message, "hash.key"));
    assert_int_equal(chmod(p, 0600), 0);

    assert_int_equal(chmod(f->keys, 0777), 0); /* anyone could swap the keys */
    assert_int_equal(crypto_keys_load(f->keys, 0, &k2, &e), ERR_IO);
    assert_int_equal(chmod(f->keys, 0700), 0);

    assert_int_equal(crypto_keys_load(f->keys, 0, &k2, &e), 0);
    crypto_keys_free(k2);
}

static void test_key_wrong_size_or_missing(void **state)
{
    fixture_t *f = *state;
    char p[256], saved[32];
    crypto_keys_t *k2 = NULL;
    err_t e = {0};

    path_in(f, "hash.key", p, sizeof p);
    FILE *fp = fopen(p, "rb");
    assert_non_null(fp);
    assert_int_equal(fread(saved, 1, 32, fp), 32);
    fclose(fp);
    assert_int_equal(truncate(p, 31), 0);
    assert_int_equal(crypto_keys_load(f->keys, 1, &k2, &e), ERR_IO);
    assert_non_null(strstr(e.message, "长度"));
    assert_int_equal(truncate(p, 33), 0);
    assert_int_equal(crypto_keys_load(f->keys, 1, &k2, &e), ERR_IO);

    /* put it back so teardown and later tests see the original key */
    fp = fopen(p, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(saved, 1, 32, fp), 32);
    fclose(fp);

    char missing[256];
    snprintf(missing, sizeof missing, "%s/nope", f->root);
    assert_int_equal(crypto_keys_load(missing, 0, &k2, &e), ERR_IO);
    assert_null(k2);
    assert_non_null(e.message);
}

static void test_field_round_trip(void **state)
{
    fixture_t *f = *state;
    static const char *samples[] = {"11010519491231002X", "", "张三 13812341234", "a\"b\\c"};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        char *c = crypto_field_encrypt(f->k, samples[i], strlen(samples[i]));
        assert_non_null(c);
        assert_int_equal(strspn(c, B64URL), strlen(c));
        assert_null(strstr(c, samples[i][0] ? samples[i] : "\x01"));
        char *p = crypto_field_decrypt(f->k, c);
        assert_non_null(p);
        assert_string_equal(p, samples[i]);
        free(p);
        free(c);
    }
    /* random nonce: the same plaintext never encrypts the same twice */
    char *a = crypto_field_encrypt(f->k, "same", 4);
    char *b = crypto_field_encrypt(f->k, "same", 4);
    assert_string_not_equal(a, b);
    free(a);
    free(b);
}

static void test_field_tamper(void **state)
{
    fixture_t *f = *state;
    char *c = crypto_field_encrypt(f->k, "11010519491231002X", 18);
    size_t n = strlen(c);

    for (size_t i = 0; i < n; i += 3) { /* any changed character breaks it */
        char *t = strdup(c);
        t[i] = t[i] == 'A' ? 'B' : 'A';
        char *p = crypto_field_decrypt(f->k, t);
        if (p)
            fail_msg("tampered ciphertext (pos %zu) decrypted", i);
        free(t);
    }
    char *t = strdup(c);
    t[n - 2] = '\0'; /* truncated */
    assert_null(crypto_field_decrypt(f->k, t));
    free(t);
    assert_null(crypto_field_decrypt(f->k, ""));
    assert_null(crypto_field_decrypt(f->k, "!!!not base64!!!"));
    assert_null(crypto_field_decrypt(f->k, "AAAA"));
    assert_null(crypto_field_decrypt(f->k, NULL));

    /* another key cannot read it */
    fixture_t *g = NULL;
    assert_int_equal(setup((void **)&g), 0);
    assert_null(crypto_field_decrypt(g->k, c));
    teardown((void **)&g);
    free(c);
}

static void test_field_hash(void **state)
{
    fixture_t *f = *state;
    char h1[65], h2[65], h3[65];
    crypto_field_hash(f->k, "11010519491231002X", 18, h1);
    crypto_field_hash(f->k, "11010519491231002X", 18, h2);
    crypto_field_hash(f->k, "11010519491231002x", 18, h3);
    assert_int_equal(strlen(h1), 64);
    assert_int_equal(strspn(h1, "0123456789abcdef"), 64);
    assert_string_equal(h1, h2);
    assert_string_not_equal(h1, h3);

    /* keyed: another key gives another hash, and it is not the plain BLAKE2b */
    fixture_t *g = NULL;
    assert_int_equal(setup((void **)&g), 0);
    crypto_field_hash(g->k, "11010519491231002X", 18, h2);
    assert_string_not_equal(h1, h2);
    teardown((void **)&g);
    unsigned char raw[32];
    char plain_hex[65];
    crypto_generichash(raw, 32, (const unsigned char *)"11010519491231002X", 18, NULL, 0);
    sodium_bin2hex(plain_hex, sizeof plain_hex, raw, 32);
    assert_string_not_equal(h1, plain_hex);
}

/* Two key sets are the same if each reads what the other wrote and hashes alike. */
static void assert_same_keys(const crypto_keys_t *a, const crypto_keys_t *b)
{
    char *c = crypto_field_encrypt(a, "11010519491231002X", 18);
    char *p = crypto_field_decrypt(b, c);
    assert_non_null(p);
    assert_string_equal(p, "11010519491231002X");
    char h1[65], h2[65];
    crypto_field_hash(a, "x", 1, h1);
    crypto_field_hash(b, "x", 1, h2);
    assert_string_equal(h1, h2);
    free(c);
    free(p);
}

static void test_field_matches(void **state)
{
    fixture_t *f = *state;
    char *c = crypto_field_encrypt(f->k, "13812341234", 11);
    char h[65], other[65];
    crypto_field_hash(f->k, "13812341234", 11, h);
    crypto_field_hash(f->k, "13812341235", 11, other);
    assert_int_equal(crypto_field_matches(f->k, c, h), 1);
    assert_int_equal(crypto_field_matches(f->k, c, other), 0); /* hash of another value */
    assert_int_equal(crypto_field_matches(f->k, c, "beef"), 0);
    assert_int_equal(crypto_field_matches(f->k, c, NULL), 0);
    assert_int_equal(crypto_field_matches(f->k, NULL, h), 0);
    assert_int_equal(crypto_field_matches(f->k, "AAAA", h), 0);
    fixture_t *g = NULL;
    assert_int_equal(setup((void **)&g), 0);
    assert_int_equal(crypto_field_matches(g->k, c, h), 0); /* another key */
    teardown((void **)&g);
    free(c);
}

/* Keys sealed for a backup open with the passphrase and only with it; any change is refused. */
static void test_keys_seal_unseal(void **state)
{
    fixture_t *f = *state;
    err_t e = {0};
    static const char PASS[] = "correct horse battery";
    char *text = crypto_keys_seal(f->k, PASS, strlen(PASS), &e);
    assert_non_null(text);
    assert_int_equal(strncmp(text, "jiceng-keys 1\nkdf argon2id13 ", 29), 0);
    assert_non_null(strstr(text, "\nsealed "));

    crypto_keys_t *k2 = NULL;
    assert_int_equal(crypto_keys_unseal(text, strlen(text), PASS, strlen(PASS), &k2, &e), 0);
    assert_same_keys(f->k, k2);
    crypto_keys_free(k2);

    k2 = NULL;
    e = (err_t){0};
    assert_int_equal(crypto_keys_unseal(text, strlen(text), "wrong horse", 11, &k2, &e),
                     ERR_INVALID);
    assert_null(k2);
    assert_non_null(strstr(e.message, "口令错误"));

    /* the salt is additional data: changing it (or the limits) is refused like a wrong pass */
    char *t = strdup(text);
    char *salt = strstr(t, "\nsalt ") + 6;
    salt[0] = salt[0] == '0' ? '1' : '0';
    assert_int_equal(crypto_keys_unseal(t, strlen(t), PASS, strlen(PASS), &k2, &e), ERR_INVALID);
    free(t);
    assert_int_equal(crypto_keys_unseal("junk\n", 5, PASS, strlen(PASS), &k2, &e), ERR_INVALID);
    assert_non_null(strstr(e.message, "不是"));
    t = strdup(text);
    t[strlen(t) - 10] = '\0'; /* truncated */
    assert_int_equal(crypto_keys_unseal(t, strlen(t), PASS, strlen(PASS), &k2, &e), ERR_INVALID);
    free(t);
    /* a fresh salt and nonce each time */
    char *again = crypto_keys_seal(f->k, PASS, strlen(PASS), &e);
    assert_string_not_equal(text, again);
    free(again);
    free(text);
}

/* Installing keys makes the directory 0700 and the files 0600, and never overwrites. */
static void test_keys_install(void **state)
{
    fixture_t *f = *state;
    char dir[192], p[256];
    err_t e = {0};
    snprintf(dir, sizeof dir, "%s/installed", f->root);
    assert_int_equal(crypto_keys_install(f->k, dir, &e), 0);
    assert_int_equal(mode_of(dir), 0700);
    snprintf(p, sizeof p, "%s/field.key", dir);
    assert_int_equal(mode_of(p), 0600);
    snprintf(p, sizeof p, "%s/hash.key", dir);
    assert_int_equal(mode_of(p), 0600);
    crypto_keys_t *k2 = NULL;
    assert_int_equal(crypto_keys_load(dir, 0, &k2, &e), 0);
    assert_same_keys(f->k, k2);

    fixture_t *g = NULL;
    assert_int_equal(setup((void **)&g), 0);
    assert_int_equal(crypto_keys_install(g->k, dir, &e), ERR_CONFLICT);
    assert_non_null(strstr(e.message, "已存在"));
    crypto_keys_t *k3 = NULL;
    assert_int_equal(crypto_keys_load(dir, 0, &k3, &e), 0);
    assert_same_keys(f->k, k3); /* still the first keys */
    teardown((void **)&g);
    crypto_keys_free(k2);
    crypto_keys_free(k3);
    snprintf(p, sizeof p, "%s/field.key", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/hash.key", dir);
    unlink(p);
    rmdir(dir);
}

static void test_tokens(void **state)
{
    (void)state;
    char t1[44], t2[44], h1[65], h2[65];
    crypto_token_new(t1);
    crypto_token_new(t2);
    assert_int_equal(strlen(t1), 43);
    assert_int_equal(strspn(t1, B64URL), 43);
    assert_string_not_equal(t1, t2);
    crypto_token_hash(t1, h1);
    crypto_token_hash(t1, h2);
    assert_string_equal(h1, h2);
    crypto_token_hash(t2, h2);
    assert_string_not_equal(h1, h2);
    /* unkeyed BLAKE2b-256: known answer for the empty string */
    crypto_token_hash("", h1);
    assert_string_equal(h1, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
}

static void test_password_hash(void **state)
{
    (void)state;
    char h[CRYPTO_PASSWORD_HASH_BYTES], h2[CRYPTO_PASSWORD_HASH_BYTES];
    assert_int_equal(crypto_password_hash("Jiceng@2024", h), 0);
    assert_int_equal(strncmp(h, "$argon2id$", 10), 0);
    assert_int_equal(crypto_password_verify(h, "Jiceng@2024"), 0);
    assert_int_equal(crypto_password_verify(h, "jiceng@2024"), ERR_UNAUTH);
    assert_int_equal(crypto_password_verify(h, ""), ERR_UNAUTH);
    assert_int_equal(crypto_password_verify("$argon2id$garbage", "Jiceng@2024"), ERR_UNAUTH);
    assert_int_equal(crypto_password_verify(NULL, "x"), ERR_UNAUTH);
    assert_int_equal(crypto_password_needs_rehash(h), 0);
    assert_int_equal(crypto_password_hash("Jiceng@2024", h2), 0);
    assert_string_not_equal(h, h2); /* salted */
}

static void test_password_random(void **state)
{
    (void)state;
    static const char allowed[] =
        "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789!#$%&*+-=?@";
    char prev[17] = "";
    for (int i = 0; i < 500; i++) {
        char pw[17];
        err_t e = {0};
        crypto_password_random(pw);
        assert_int_equal(strlen(pw), 16);
        assert_int_equal(strspn(pw, allowed), 16);
        assert_null(strpbrk(pw, "IOlo01|'\"`"));
        assert_non_null(strpbrk(pw, "ABCDEFGHJKLMNPQRSTUVWXYZ"));
        assert_non_null(strpbrk(pw, "abcdefghijkmnpqrstuvwxyz"));
        assert_non_null(strpbrk(pw, "23456789"));
        assert_non_null(strpbrk(pw, "!#$%&*+-=?@"));
        if (password_policy_check(pw, "admin", &e))
            fail_msg("random password %s refused: %s", pw, e.message);
        assert_string_not_equal(pw, prev);
        memcpy(prev, pw, sizeof pw);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_key_files_created_private, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_refused_when_readable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_wrong_size_or_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_field_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_field_tamper, setup, teardown),
        cmocka_unit_test_setup_teardown(test_field_hash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_field_matches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys_seal_unseal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys_install, setup, teardown),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_password_hash),
        cmocka_unit_test(test_password_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
