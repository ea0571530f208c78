/* Unit tests for src/lib/mask.c */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/mask.h"

static void test_id(void **state)
{
    (void)state;
    char out[32];
    mask_id("15220119900101123X", out, sizeof out);
    assert_string_equal(out, "1522**********123X");
    mask_id("110105491231002", out, sizeof out); /* old 15-digit form */
    assert_string_equal(out, "1101*******1002");
    mask_id("123456789", out, sizeof out);
    assert_string_equal(out, "1234*6789");
    mask_id("12345678", out, sizeof out); /* would reveal everything: all stars */
    assert_string_equal(out, "********");
    mask_id("", out, sizeof out);
    assert_string_equal(out, "");
    mask_id(NULL, out, sizeof out);
    assert_string_equal(out, "");
}

static void test_id_small_cap(void **state)
{
    (void)state;
    char out[19];
    mask_id("15220119900101123X", out, sizeof out); /* exact fit */
    assert_string_equal(out, "1522**********123X");
    char small[10];
    memset(small, 'Q', sizeof small);
    mask_id("15220119900101123X", small, sizeof small);
    assert_int_equal(strlen(small), 9);
    assert_null(strstr(small, "123X")); /* truncation never reveals the tail */
    char one[1] = {'Q'};
    mask_id("15220119900101123X", one, 1);
    assert_int_equal(one[0], '\0');
    mask_id("15220119900101123X", NULL, 0); /* cap 0: must not touch out */
}

static void test_phone(void **state)
{
    (void)state;
    char out[16];
    mask_phone("13812341234", out, sizeof out);
    assert_string_equal(out, "138****1234");
    mask_phone("1381234", out, sizeof out);
    assert_string_equal(out, "*******");
    mask_phone("", out, sizeof out);
    assert_string_equal(out, "");
    mask_phone(NULL, out, sizeof out);
    assert_string_equal(out, "");
    char exact[12];
    mask_phone("13812341234", exact, sizeof exact);
    assert_string_equal(exact, "138****1234");
}

static void test_name(void **state)
{
    (void)state;
    char out[32];
    mask_name("张三", out, sizeof out);
    assert_string_equal(out, "张*");
    mask_name("欧阳娜娜", out, sizeof out);
    assert_string_equal(out, "欧***");
    mask_name("李", out, sizeof out);
    assert_string_equal(out, "李");
    mask_name("Tom", out, sizeof out);
    assert_string_equal(out, "T**");
    mask_name("", out, sizeof out);
    assert_string_equal(out, "");
    mask_name(NULL, out, sizeof out);
    assert_string_equal(out, "");
}

static void test_name_small_cap(void **state)
{
    (void)state;
    char out4[4];
    mask_name("张三", out4, sizeof out4); /* 张 is 3 bytes + NUL: no room for the star */
    assert_string_equal(out4, "张");
    char out3[3];
    mask_name("张三", out3, sizeof out3); /* would cut 张 in half: empty instead */
    assert_string_equal(out3, "");
    char out5[5];
    mask_name("欧阳娜娜", out5, sizeof out5);
    assert_string_equal(out5, "欧*");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id),
        cmocka_unit_test(test_id_small_cap),
        cmocka_unit_test(test_phone),
        cmocka_unit_test(test_name),
        cmocka_unit_test(test_name_small_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
