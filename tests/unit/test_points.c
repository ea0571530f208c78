/* test_points.c — the pure arithmetic of domain/points (issue 4): star levels (双轨), what
 * expires at a year end (oldest points first), and the China-time calendar helpers the limits,
 * board and validity dates rely on. Includes points.c to reach its static date check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "domain/points/points.c"

#define DAY 86400000LL

static void star_levels(void **state)
{
    (void)state;
    const int64_t t[3] = {5, 10, 20};
    assert_int_equal(points_star_level(t, 3, 0), 0);
    assert_int_equal(points_star_level(t, 3, 4), 0);
    assert_int_equal(points_star_level(t, 3, 5), 1); /* the threshold itself counts */
    assert_int_equal(points_star_level(t, 3, 19), 2);
    assert_int_equal(points_star_level(t, 3, 20), 3);
    assert_int_equal(points_star_level(t, 3, 100000), 3);
    assert_int_equal(points_star_level(t, 3, -7), 0);  /* deductions below zero */
    assert_int_equal(points_star_level(t, 0, 100), 0); /* no stars set */
    const int64_t five[5] = {10, 30, 60, 100, 150};
    assert_int_equal(points_star_level(five, 5, 150), 5);
    assert_int_equal(points_star_level(five, 5, 149), 4);
}

static void expiry_oldest_first(void **state)
{
    (void)state;
    /* Earned 10 in 2025, nothing spent: all 10 go at the end of 2026. */
    assert_int_equal(points_expiring(10, 0, 10), 10);
    /* Spent 3 since: the oldest points went first, 7 of 2025's remain to expire. */
    assert_int_equal(points_expiring(10, 3, 12), 7);
    /* Spent more than 2025's: nothing of 2025 is left. */
    assert_int_equal(points_expiring(10, 12, 3), 0);
    /* Never more than the balance (e.g. a refund-less reversal after a spend). */
    assert_int_equal(points_expiring(10, 0, 4), 4);
    assert_int_equal(points_expiring(0, 0, 0), 0);
    /* Two year ends in a row: 10 in 2025, 5 in 2026, 12 spent in 2026. End of 2026: 2025's
     * 10 were all spent. End of 2027: of the 15 earned up to 2026, 12 left: 3 expire. */
    int64_t left = 12, balance = 3;
    int64_t x1 = points_expiring(10, left, balance);
    assert_int_equal(x1, 0);
    int64_t x2 = points_expiring(15, left + x1, balance - x1);
    assert_int_equal(x2, 3);
    /* An expiry counts as points that have left for the next year end. */
    assert_int_equal(points_expiring(15, left + x2, balance - x2), 0);
}

static void calendar(void **state)
{
    (void)state;
    int64_t y26 = ledger_year_start(2026), from, to;
    char d[11];
    points_day_of(y26, d);
    assert_string_equal(d, "2026-01-01");
    points_day_of(y26 - 1, d);
    assert_string_equal(d, "2025-12-31");            /* 23:59:59.999 China time */
    points_month_bounds(y26 + 45 * DAY, &from, &to); /* 15 February */
    assert_int_equal(from, y26 + 31 * DAY);
    assert_int_equal(to, y26 + 59 * DAY);
    points_month_bounds(y26 + 340 * DAY, &from, &to); /* December: to the next year */
    assert_int_equal(from, y26 + 334 * DAY);
    assert_int_equal(to, ledger_year_start(2027));
    assert_int_equal(points_month_parse("2026-02", &from, &to), 0);
    assert_int_equal(from, y26 + 31 * DAY);
    assert_int_equal(points_month_parse("2028-02", &from, &to), 0);
    assert_int_equal(to - from, 29 * DAY); /* leap year */
    assert_int_equal(points_month_parse("2026-13", &from, &to), ERR_INVALID);
    assert_int_equal(points_month_parse("2026-1", &from, &to), ERR_INVALID);
    assert_int_equal(points_month_parse(NULL, &from, &to), ERR_INVALID);
    assert_true(date_valid("2028-02-29"));
    assert_false(date_valid("2026-02-29"));
    assert_false(date_valid("2026-04-31"));
    assert_false(date_valid("2026/01/01"));
    assert_false(date_valid("1999-01-01"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(star_levels),
        cmocka_unit_test(expiry_oldest_first),
        cmocka_unit_test(calendar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
