/* totp.c — RFC 6238 codes through liboath; secrets and recovery codes from libsodium. */
#include "lib/totp.h"

#include <liboath/oath.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"

static int oath_ready = OATH_CRYPTO_ERROR;
static void oath_start(void) { oath_ready = oath_init(); }

/* liboath wants oath_init() once before anything else. */
static int ready(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, oath_start);
    return oath_ready == OATH_OK;
}

void totp_secret_new(char out[TOTP_SECRET_LEN + 1])
{
    /* RFC 4648 base32: 20 bytes are exactly 32 letters, no padding. */
    static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    unsigned char raw[TOTP_SECRET_BYTES];
    randombytes_buf(raw, sizeof raw);
    for (int i = 0; i < TOTP_SECRET_LEN; i++) {
        int bit = i * 5, byte = bit / 8, shift = bit % 8;
        unsigned v = (unsigned)raw[byte] << 8 | (byte + 1 < TOTP_SECRET_BYTES ? raw[byte + 1] : 0);
        out[i] = b32[(v >> (11 - shift)) & 31];
    }
    out[TOTP_SECRET_LEN] = '\0';
    sodium_memzero(raw, sizeof raw);
}

int totp_is_code(const char *s)
{
    if (!s || strlen(s) != TOTP_DIGITS)
        return 0;
    for (int i = 0; i < TOTP_DIGITS; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* The raw secret of its base32 form; caller frees (sodium_memzero first). NULL if malformed. */
static char *decode(const char *secret, size_t *len)
{
    char *raw = NULL;
    if (!ready() || !secret || oath_base32_decode(secret, strlen(secret), &raw, len) != OATH_OK ||
        !raw || *len == 0) {
        free(raw);
        return NULL;
    }
    return raw;
}

int totp_verify(const char *secret, int64_t now_ms, const char *code, int64_t *step)
{
    size_t len;
    char *raw = decode(secret, &len);
    if (!raw)
        return ERR_INVALID;
    int pos = 0;
    uint64_t counter = 0;
    int rc = totp_is_code(code) ? oath_totp_validate3(raw, len, (time_t)(now_ms / 1000),
                                                      TOTP_STEP_S, OATH_TOTP_DEFAULT_START_TIME,
                                                      TOTP_WINDOW, &pos, &counter, code)
                                : OATH_INVALID_OTP;
    sodium_memzero(raw, len);
    free(raw);
    if (rc < 0)
        return ERR_UNAUTH;
    *step = (int64_t)counter;
    return 0;
}

int totp_code(const char *secret, int64_t step, char out[TOTP_DIGITS + 1])
{
    size_t len;
    char *raw = decode(secret, &len);
    if (!raw)
        return ERR_INVALID;
    int rc = oath_totp_generate(raw, len, (time_t)(step * TOTP_STEP_S), TOTP_STEP_S,
                                OATH_TOTP_DEFAULT_START_TIME, TOTP_DIGITS, out);
    sodium_memzero(raw, len);
    free(raw);
    return rc == OATH_OK ? 0 : ERR_INVALID;
}

/* RFC 3986 unreserved characters pass; every other byte (UTF-8 included) becomes %XX. */
static void add_pct(buf_t *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~')
            buf_add(b, s, 1);
        else
            buf_printf(b, "%%%02X", c);
    }
}

char *totp_uri(const char *issuer, const char *account, const char *secret)
{
    buf_t b;
    buf_init(&b, 4096);
    buf_addstr(&b, "otpauth://totp/");
    add_pct(&b, issuer);
    buf_addstr(&b, ":");
    add_pct(&b, account);
    buf_printf(&b, "?secret=%s&issuer=", secret);
    add_pct(&b, issuer);
    buf_printf(&b, "&algorithm=SHA1&digits=%d&period=%d", TOTP_DIGITS, TOTP_STEP_S);
    return buf_detach(&b);
}

/* Digits and letters that cannot be misread for one another (no 0 O 1 I L): 31 of them, so 12
 * characters carry 59 bits. */
static const char RECOVERY_ALPHABET[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
#define RECOVERY_N ((uint32_t)sizeof RECOVERY_ALPHABET - 1)

void totp_recovery_new(char out[TOTP_RECOVERY_LEN + 1])
{
    int o = 0;
    for (int i = 0; i < TOTP_RECOVERY_CHARS; i++) {
        if (i && i % 4 == 0)
            out[o++] = '-';
        out[o++] = RECOVERY_ALPHABET[randombytes_uniform(RECOVERY_N)];
    }
    out[o] = '\0';
}

int totp_recovery_normalize(const char *in, char out[TOTP_RECOVERY_CHARS + 1])
{
    int n = 0;
    for (const char *p = in ? in : ""; *p; p++) {
        char c = *p;
        if (c == '-' || c == ' ')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (n == TOTP_RECOVERY_CHARS || !memchr(RECOVERY_ALPHABET, c, RECOVERY_N))
            return ERR_INVALID;
        out[n++] = c;
    }
    out[n] = '\0';
    return n == TOTP_RECOVERY_CHARS ? 0 : ERR_INVALID;
}
