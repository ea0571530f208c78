/* test_points.c — the pure arithmetic of domain/points (issue 4): star levels (双轨), what
 * expires at a year end (oldest points first), and the China-time calendar helpers the limits,
 * board and validity dates rely on; the store's codes and the guard against keepers guessing
 * them (issue 9 part 6), with the clock in the test's hands. Includes points.c and handover.c
 * to reach their static helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "domain/points/handover.c"
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

static void codes(void **state)
{
    (void)state;
    char c[POINTS_CODE_DIGITS + 1];
    assert_int_equal(points_code_normalize("0123456789", c), 0);
    assert_string_equal(c, "0123456789");
    assert_int_equal(points_code_normalize("012 345 6789", c), 0); /* as read aloud, 3-3-4 */
    assert_string_equal(c, "0123456789");
    assert_int_equal(points_code_normalize(" 012-345-6789 ", c), 0);
    assert_string_equal(c, "0123456789");
    assert_int_equal(points_code_normalize("1234 5678", c), 0); /* issued before: 8 digits */
    assert_string_equal(c, "12345678");
    assert_int_equal(points_code_normalize("123456789", c), ERR_INVALID);
    assert_int_equal(points_code_normalize("12345678901", c), ERR_INVALID);
    assert_int_equal(points_code_normalize("123456789a", c), ERR_INVALID);
    assert_int_equal(points_code_normalize("１２３４５６７８９０", c), ERR_INVALID);
    assert_int_equal(points_code_normalize("", c), ERR_INVALID);
    assert_int_equal(points_code_normalize(NULL, c), ERR_INVALID);
    assert_int_equal(points_code_normalize("1 2 3 4 5 6 7 8 9 0 - - - - - - - - - - - -", c),
                     ERR_INVALID); /* over 40 characters as typed */
    /* New codes: 10 digits, each digit about as often as the others. */
    int seen[10] = {0};
    for (int i = 0; i < 1000; i++) {
        pts_code_new(c);
        assert_int_equal(strlen(c), POINTS_CODE_DIGITS);
        for (int j = 0; j < POINTS_CODE_DIGITS; j++) {
            assert_true(c[j] >= '0' && c[j] <= '9');
            seen[c[j] - '0']++;
        }
    }
    for (int d = 0; d < 10; d++)
        assert_true(seen[d] > 800 && seen[d] < 1200); /* 1000 expected; 6+ sigma apart */
}

#define MIN 60000LL

static void guard_counts_and_locks(void **state)
{
    (void)state;
    int64_t t = 1767196800000LL;
    guard_t g = {0};
    /* Four misses within the window: counted, no lock. */
    for (int i = 1; i < POINTS_HANDOVER_MAX_MISSES; i++) {
        assert_int_equal(guard_miss(&g, t + i * MIN), 0);
        assert_int_equal(g.misses, i);
        assert_int_equal(g.window_from, t + MIN); /* the window began with the first */
    }
    /* The fifth, 9 minutes after the first: locked for 15 minutes, the count gone. */
    assert_int_equal(guard_miss(&g, t + 10 * MIN), 1);
    assert_int_equal(g.locked_until, t + 10 * MIN + POINTS_HANDOVER_LOCK_MS);
    assert_int_equal(g.misses, 0);
    /* After the lock, a miss opens a new window of its own. */
    assert_int_equal(guard_miss(&g, t + 30 * MIN), 0);
    assert_int_equal(g.misses, 1);
    assert_int_equal(g.window_from, t + 30 * MIN);

    /* Misses spread out: the window is over exactly 10 minutes after its first miss. */
    guard_t h = {0};
    for (int i = 0; i < 4; i++)
        assert_int_equal(guard_miss(&h, t + i * MIN), 0);
    assert_int_equal(guard_miss(&h, t + 10 * MIN), 0); /* the window [t, t+10min) is over */
    assert_int_equal(h.misses, 1);
    assert_int_equal(h.window_from, t + 10 * MIN);
    guard_t k = {0};
    for (int i = 0; i < 4; i++)
        assert_int_equal(guard_miss(&k, t + i * MIN), 0);
    assert_int_equal(guard_miss(&k, t + 10 * MIN - 1), 1); /* 1 ms before: still inside */

    /* The worst case the docs count: 4 misses every 10 minutes, none locked — 576 a day. */
    guard_t w = {0};
    int misses = 0, locks = 0;
    for (int64_t at = t; at < t + 24 * 60 * MIN; at += 10 * MIN) {
        for (int i = 0; i < POINTS_HANDOVER_MAX_MISSES - 1; i++, misses++)
            locks += guard_miss(&w, at + i);
    }
    assert_int_equal(misses, 576);
    assert_int_equal(locks, 0);
}

static void lock_message(void **state)
{
    (void)state;
    /* 2026-01-01 14:20:30 China time, locked until 14:35:30: come back at 14:36. */
    int64_t now = 1767196800000LL + 14 * 60 * MIN + 20 * MIN + 30000;
    points_handover_t h = {.now = now};
    locked_refusal(&h, now + POINTS_HANDOVER_LOCK_MS);
    assert_int_equal(h.refusal.rc, ERR_LOCKED);
    assert_string_equal(h.refusal.code, "too_many_attempts");
    assert_non_null(strstr(h.refusal.message, "请于 14:36（约 15 分钟后）再试"));
    assert_int_equal(h.locked_until, now + POINTS_HANDOVER_LOCK_MS);
    /* Near midnight the hour wraps; a few seconds left still say one minute. */
    int64_t late = 1767196800000LL + 23 * 60 * MIN + 59 * MIN + 58000;
    h.now = late;
    locked_refusal(&h, late + 1000);
    assert_non_null(strstr(h.refusal.message, "请于 00:00（约 1 分钟后）再试"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(star_levels),
        cmocka_unit_test(expiry_oldest_first),
        cmocka_unit_test(calendar),
        cmocka_unit_test(codes),
        cmocka_unit_test(guard_counts_and_locks),
        cmocka_unit_test(lock_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
