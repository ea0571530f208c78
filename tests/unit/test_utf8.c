/* Unit tests for src/lib/utf8.c */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/utf8.h"

#define S(lit) lit, sizeof(lit) - 1

static void test_count(void **state)
{
    (void)state;
    assert_int_equal(utf8_count(S("")), 0);
    assert_int_equal(utf8_count(S("abc")), 3);
    assert_int_equal(utf8_count(S("张三")), 2);
    assert_int_equal(utf8_count(S("欧阳娜娜")), 4);
    assert_int_equal(utf8_count(S("a张\xF0\x9F\x98\x80z")), 4); /* emoji is one character */
    assert_int_equal(utf8_count(NULL, 0), 0);
}

static void test_valid(void **state)
{
    (void)state;
    assert_true(utf8_valid(S("")));
    assert_true(utf8_valid(S("张三 abc \xF0\x9F\x98\x80")));
    assert_true(utf8_valid(S("\xEF\xBF\xBD")));
    assert_false(utf8_valid(S("\xFF")));
    assert_false(utf8_valid(S("\xC0\xAF")));         /* overlong '/' */
    assert_false(utf8_valid(S("\xE0\x80\xAF")));     /* overlong 3-byte */
    assert_false(utf8_valid(S("\xED\xA0\x80")));     /* surrogate D800 */
    assert_false(utf8_valid(S("\xF4\x90\x80\x80"))); /* above U+10FFFF */
    assert_false(utf8_valid(S("\xE5\xBC")));         /* truncated 张 */
    assert_false(utf8_valid(S("\x80")));             /* lone continuation */
    assert_false(utf8_valid(S("\xE5"
                              "a"
                              "\xBC"))); /* continuation replaced */
}

static void test_char_len_and_prefix(void **state)
{
    (void)state;
    assert_int_equal(utf8_char_len(S("a")), 1);
    assert_int_equal(utf8_char_len(S("张")), 3);
    assert_int_equal(utf8_char_len(S("\xF0\x9F\x98\x80")), 4);
    assert_int_equal(utf8_char_len(S("\xE5\xBC")), 0);
    assert_int_equal(utf8_char_len(NULL, 0), 0);
    assert_int_equal(utf8_prefix(S("张三李四"), 2), 6);
    assert_int_equal(utf8_prefix(S("张三"), 5), 6);
    assert_int_equal(utf8_prefix(S("a张b"), 0), 0);
    assert_int_equal(utf8_prefix(S("a张b"), 2), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_char_len_and_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
