/* Unit tests for src/lib/totp.c: RFC 6238's own test vectors (Appendix B, SHA-1, truncated to 6
 * digits), the ±1 step window, fresh secrets and recovery codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/crypto.h"
#include "lib/totp.h"

/* "12345678901234567890", the RFC's SHA-1 seed, in base32. */
static const char RFC_SECRET[] = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

static void test_rfc6238_vectors(void **state)
{
    (void)state;
    static const struct {
        int64_t t;
        const char *code; /* the RFC's 8 digits, last 6 */
    } v[] = {{59, "287082"},         {1111111109, "081804"}, {1111111111, "050471"},
             {1234567890, "005924"}, {2000000000, "279037"}, {20000000000LL, "353130"}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char out[TOTP_DIGITS + 1];
        assert_int_equal(totp_code(RFC_SECRET, v[i].t / TOTP_STEP_S, out), 0);
        assert_string_equal(out, v[i].code);
        int64_t step = -1;
        assert_int_equal(totp_verify(RFC_SECRET, v[i].t * 1000, v[i].code, &step), 0);
        assert_int_equal(step, v[i].t / TOTP_STEP_S);
    }
}

static void test_window(void **state)
{
    (void)state;
    const int64_t now = 1234567890LL * 1000, s = 1234567890LL / TOTP_STEP_S;
    char c[TOTP_DIGITS + 1];
    int64_t step;
    for (int d = -1; d <= 1; d++) { /* a phone clock off by up to one step */
        assert_int_equal(totp_code(RFC_SECRET, s + d, c), 0);
        assert_int_equal(totp_verify(RFC_SECRET, now, c, &step), 0);
        assert_int_equal(step, s + d);
    }
    for (int d = -3; d <= 3; d += 6) { /* not further */
        assert_int_equal(totp_code(RFC_SECRET, s + d, c), 0);
        assert_int_equal(totp_verify(RFC_SECRET, now, c, &step), ERR_UNAUTH);
    }
    assert_int_equal(totp_verify(RFC_SECRET, now, "00592", &step), ERR_UNAUTH);
    assert_int_equal(totp_verify(RFC_SECRET, now, "0059244", &step), ERR_UNAUTH);
    assert_int_equal(totp_verify(RFC_SECRET, now, "00592a", &step), ERR_UNAUTH);
    assert_int_equal(totp_verify(RFC_SECRET, now, NULL, &step), ERR_UNAUTH);
    assert_int_equal(totp_verify("not base32!", now, "005924", &step), ERR_INVALID);
    assert_true(totp_is_code("000000"));
    assert_false(totp_is_code("12345"));
    assert_false(totp_is_code("１２３４５６")); /* full-width digits are not digits */
}

static void test_secret_new(void **state)
{
    (void)state;
    char a[TOTP_SECRET_LEN + 1], b[TOTP_SECRET_LEN + 1], c[TOTP_DIGITS + 1];
    totp_secret_new(a);
    totp_secret_new(b);
    assert_int_equal(strlen(a), TOTP_SECRET_LEN);
    assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), TOTP_SECRET_LEN);
    assert_string_not_equal(a, b);
    assert_int_equal(totp_code(a, 1, c), 0); /* it decodes */
}

static void test_uri(void **state)
{
    (void)state;
    char *u = totp_uri("基层治理", "duolun.admin", RFC_SECRET);
    assert_string_equal(u, "otpauth://totp/%E5%9F%BA%E5%B1%82%E6%B2%BB%E7%90%86:duolun.admin"
                           "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                           "&issuer=%E5%9F%BA%E5%B1%82%E6%B2%BB%E7%90%86"
                           "&algorithm=SHA1&digits=6&period=30");
    free(u);
}

static void test_recovery(void **state)
{
    (void)state;
    char code[TOTP_RECOVERY_LEN + 1], n1[TOTP_RECOVERY_CHARS + 1], n2[TOTP_RECOVERY_CHARS + 1];
    for (int i = 0; i < 200; i++) {
        totp_recovery_new(code);
        assert_int_equal(strlen(code), TOTP_RECOVERY_LEN);
        assert_true(code[4] == '-' && code[9] == '-');
        assert_int_equal(strcspn(code, "01ILOilo"), TOTP_RECOVERY_LEN); /* no look-alikes */
        assert_int_equal(totp_recovery_normalize(code, n1), 0);
        assert_int_equal(strlen(n1), TOTP_RECOVERY_CHARS);
    }
    assert_int_equal(totp_recovery_normalize("k7pq-m3xd-9htr", n1), 0);
    assert_int_equal(totp_recovery_normalize("K7PQ M3XD 9HTR", n2), 0);
    assert_string_equal(n1, "K7PQM3XD9HTR");
    assert_string_equal(n1, n2);
    assert_int_equal(totp_recovery_normalize("K7PQ-M3XD-9HT", n1), ERR_INVALID);
    assert_int_equal(totp_recovery_normalize("K7PQ-M3XD-9HTRX", n1), ERR_INVALID);
    assert_int_equal(totp_recovery_normalize("K7PQ-M3XD-9HT0", n1), ERR_INVALID);
    assert_int_equal(totp_recovery_normalize("", n1), ERR_INVALID);
    assert_int_equal(totp_recovery_normalize(NULL, n1), ERR_INVALID);
}

int main(void)
{
    if (crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6238_vectors), cmocka_unit_test(test_window),
        cmocka_unit_test(test_secret_new),      cmocka_unit_test(test_uri),
        cmocka_unit_test(test_recovery),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
