/* Unit tests for src/lib/password.c */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/err.h"
#include "lib/password.h"

static const char CLASSES[] = "密码至少8位，且包含大写字母、小写字母、数字、符号中的至少三类";

static void assert_refused(const char *pw, const char *user, const char *message)
{
    err_t e = {0};
    assert_int_equal(password_policy_check(pw, user, &e), ERR_INVALID);
    assert_int_equal(e.rc, ERR_INVALID);
    assert_string_equal(e.field, "new_password");
    assert_string_equal(e.message, message);
}

static void assert_accepted(const char *pw, const char *user)
{
    err_t e = {0};
    int rc = password_policy_check(pw, user, &e);
    if (rc)
        fail_msg("\"%s\" refused: %s", pw, e.message);
}

static void test_accepts(void **state)
{
    (void)state;
    assert_accepted("Abcdef12", "zhangsan"); /* exactly 8, upper+lower+digit */
    assert_accepted("abcdef1!", "zhangsan"); /* lower+digit+symbol */
    assert_accepted("ABCDEF1!", "zhangsan"); /* upper+digit+symbol */
    assert_accepted("Abcdefg!", "zhangsan"); /* upper+lower+symbol */
    assert_accepted("Abc 1234", NULL);       /* space is a symbol */
    assert_accepted("网格Abc123", "wangge"); /* non-ASCII counts as a symbol */
    assert_accepted("ab12CD!!", "ab");       /* usernames under 3 bytes not searched */
    char max[65];
    memset(max, 'a', 64);
    max[0] = 'A';
    max[1] = '1';
    max[64] = '\0';
    assert_accepted(max, "user");
}

static void test_length(void **state)
{
    (void)state;
    assert_refused("Ab1!xyz", "u", "密码长度应为8至64位");
    assert_refused("", "u", "密码长度应为8至64位");
    assert_refused(NULL, "u", "密码长度应为8至64位");
    char big[66];
    memset(big, 'a', 65);
    big[0] = 'A';
    big[1] = '1';
    big[65] = '\0';
    assert_refused(big, "u", "密码长度应为8至64位");
}

static void test_classes(void **state)
{
    (void)state;
    assert_refused("abcdefgh", "u", CLASSES);
    assert_refused("abcdefgh1", "u", CLASSES);
    assert_refused("ABCDEFGH1", "u", CLASSES);
    assert_refused("Abcdefgh", "u", CLASSES);
    assert_refused("12345678!", "u", CLASSES);
    assert_refused("!@#$%^&*a", "u", CLASSES);
}

static void test_username(void **state)
{
    (void)state;
    assert_refused("Zhangsan@2024", "zhangsan", "密码不能包含用户名");
    assert_refused("x1ZHANGSANx!", "ZhangSan", "密码不能包含用户名");
    assert_refused("Admin123!", "admin", "密码不能包含用户名");
    assert_accepted("Adm1n123!", "admin");
}

static void test_bad_bytes(void **state)
{
    (void)state;
    assert_refused("Abcdef1\t", "u", "密码不能包含控制字符");
    assert_refused("Abcdef1\x7f", "u", "密码不能包含控制字符");
    assert_refused("Abcdef12\xff\xfe", "u", "密码包含无效字符");
}

/* libpwquality on top: cracklib's dictionary and patterns, likeness to the old password. */
static void quality_refused(const char *pw, const char *old, const char *user, const char *words)
{
    err_t e = {0};
    assert_int_equal(password_quality_check(pw, old, user, &e), ERR_INVALID);
    assert_string_equal(e.field, "new_password");
    if (!strstr(e.message, words))
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", pw, e.message, words);
}

static void test_quality(void **state)
{
    (void)state;
    quality_refused("12345678Aa", NULL, "zhangsan", "简单"); /* the example */
    quality_refused("Password1!", NULL, "zhangsan", "简单");
    quality_refused("Abcdef12", NULL, "zhangsan", "简单"); /* passes the class policy above */
    quality_refused("Qwerty123!", NULL, "zhangsan", "简单");
    quality_refused("Kx7#mPq2vL9y", "Kx7#mPq2vL9z", "zhangsan", "相似");
    quality_refused("KX7#MPQ2VL9Z", "Kx7#mPq2vL9z", "zhangsan", "大小写");
    err_t e = {0};
    assert_int_equal(password_quality_check("Kx7#mPq2vL9z", NULL, "zhangsan", &e), 0);
    assert_int_equal(password_quality_check("Tt9!4k2m8s1qQ", "Kx7#mPq2vL9z", "zhangsan", &e), 0);
    assert_int_equal(password_quality_check("Jiceng@2026", NULL, NULL, &e), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts),   cmocka_unit_test(test_length),
        cmocka_unit_test(test_classes),   cmocka_unit_test(test_username),
        cmocka_unit_test(test_bad_bytes), cmocka_unit_test(test_quality),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
