/* Unit tests for src/lib/workday.c, against the real chinese-days calendar in node_modules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/err.h"
#include "lib/workday.h"

#ifndef JICENG_ROOT
#error "JICENG_ROOT must name the repository root (set by CMakeLists.txt)"
#endif
#define CALENDAR_FILE JICENG_ROOT "/node_modules/chinese-days/dist/chinese-days.json"

static workday_cal_t *cal;

/* ---- an independent clock: plain year/month loops, nothing shared with workday.c ---- */

static int leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int mdays(int y, int m)
{
    static const int n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : n[m - 1];
}

static int64_t days_since_1970(int y, int m, int d) /* y >= 1970 */
{
    int64_t n = 0;
    for (int yy = 1970; yy < y; yy++)
        n += leap(yy) ? 366 : 365;
    for (int mm = 1; mm < m; mm++)
        n += mdays(y, mm);
    return n + d - 1;
}

/* UTC epoch ms of y-m-d h:mi China time. */
static int64_t cn(int y, int m, int d, int h, int mi)
{
    return ((days_since_1970(y, m, d) * 86400 + h * 3600 + mi * 60) - 8 * 3600) * INT64_C(1000);
}

/* 23:59:59.999 China time on y-m-d. */
static int64_t end_of(int y, int m, int d) { return cn(y, m, d, 0, 0) + INT64_C(86400000) - 1; }

/* UTC epoch ms of y-m-d h:mi UTC. */
static int64_t utc(int y, int m, int d, int h, int mi)
{
    return (days_since_1970(y, m, d) * 86400 + h * 3600 + mi * 60) * INT64_C(1000);
}

static int dow(int y, int m, int d) /* 0 = Sunday */
{
    return (int)((days_since_1970(y, m, d) + 4) % 7);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *p = malloc(cap);
    while (p && (got = fread(p + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            p = realloc(p, cap *= 2);
    }
    fclose(f);
    *len = n;
    return p;
}

static int setup(void **state)
{
    (void)state;
    size_t len = 0;
    char *json = read_file(CALENDAR_FILE, &len);
    if (!json) {
        fprintf(stderr, "cannot read %s\n", CALENDAR_FILE);
        return -1;
    }
    err_t e = {0};
    int rc = workday_load(json, len, &cal, &e);
    free(json);
    if (rc)
        fprintf(stderr, "workday_load: %s\n", e.message);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    workday_free(cal);
    return 0;
}

static void assert_gap(int rc, const err_t *e, const char *message)
{
    assert_int_equal(rc, ERR_INVALID);
    assert_int_equal(e->rc, ERR_INVALID);
    assert_string_equal(e->code, "calendar_gap");
    assert_string_equal(e->message, message);
}

static int64_t add_workdays(int64_t start, int days)
{
    int64_t due = -1;
    err_t e = {0};
    assert_int_equal(workday_add_workdays(cal, start, days, &due, &e), 0);
    return due;
}

static int64_t add_workhours(int64_t start, int hours)
{
    int64_t due = -1;
    err_t e = {0};
    assert_int_equal(workday_add_workhours(cal, start, hours, &due, &e), 0);
    return due;
}

static int count_between(int64_t from, int64_t to)
{
    int n = -1;
    err_t e = {0};
    assert_int_equal(workday_count_between(cal, from, to, &n, &e), 0);
    return n;
}

static int is_workday(int y, int m, int d)
{
    err_t e = {0};
    int rc = workday_is_workday(cal, y, m, d, &e);
    assert_true(rc == 0 || rc == 1);
    return rc;
}

static void test_range(void **state)
{
    (void)state;
    assert_int_equal(workday_first_year(cal), 2004);
    assert_int_equal(workday_last_year(cal), 2026);
    assert_false(workday_covers(cal, 2003));
    assert_true(workday_covers(cal, 2004));
    assert_true(workday_covers(cal, 2026));
    assert_false(workday_covers(cal, 2027));
}

/* STANDARDS.md 6, 2026: every holiday range with its name, every make-up day, every day of the
 * year checked against "make-up day, or Mon-Fri and not a holiday". */
static void test_2026_every_day(void **state)
{
    (void)state;
    static const struct {
        int m1, d1, m2, d2;
        const char *name;
    } holidays[] = {
        {1, 1, 1, 3, "元旦"},     {2, 15, 2, 23, "春节"}, {4, 4, 4, 6, "清明"},
        {5, 1, 5, 5, "劳动节"},   {6, 19, 6, 21, "端午"}, {9, 25, 9, 27, "中秋"},
        {10, 1, 10, 7, "国庆节"},
    };
    static const int makeup[][2] = {{1, 4}, {2, 14}, {2, 28}, {5, 9}, {9, 20}, {10, 10}};
    int holiday_days = 0, workdays = 0;

    for (int m = 1; m <= 12; m++) {
        for (int d = 1; d <= mdays(2026, m); d++) {
            const char *name = NULL;
            int is_makeup = 0;
            for (size_t i = 0; i < sizeof holidays / sizeof holidays[0]; i++) {
                int k = m * 100 + d;
                if (k >= holidays[i].m1 * 100 + holidays[i].d1 &&
                    k <= holidays[i].m2 * 100 + holidays[i].d2)
                    name = holidays[i].name;
            }
            for (size_t i = 0; i < sizeof makeup / sizeof makeup[0]; i++)
                if (makeup[i][0] == m && makeup[i][1] == d)
                    is_makeup = 1;
            int w = dow(2026, m, d);
            int expect = is_makeup || (!name && w >= 1 && w <= 5);
            if (is_workday(2026, m, d) != expect)
                fail_msg("2026-%02d-%02d: expected %s", m, d, expect ? "workday" : "rest day");
            const char *got = workday_holiday_name(cal, 2026, m, d);
            if (name) {
                assert_non_null(got);
                assert_string_equal(got, name);
                holiday_days++;
            } else {
                assert_null(got);
            }
            if (is_makeup)
                assert_true(w == 0 || w == 6); /* every 2026 make-up day is a weekend day */
            workdays += expect;
        }
    }
    assert_int_equal(holiday_days, 3 + 9 + 3 + 5 + 3 + 3 + 7);
    assert_int_equal(workdays, 261 - 19 + 6); /* weekdays - weekday holidays + make-up days */
}

static void test_history(void **state)
{
    (void)state;
    /* 2019: 国庆 10/1-10/7, make-up Sunday 9/29 and Saturday 10/12 */
    assert_int_equal(is_workday(2019, 9, 29), 1);
    assert_int_equal(is_workday(2019, 10, 7), 0);
    assert_int_equal(is_workday(2019, 10, 12), 1);
    assert_string_equal(workday_holiday_name(cal, 2019, 10, 1), "国庆节");
    assert_null(workday_holiday_name(cal, 2019, 9, 29));
    /* 2020: 春节 extended to 2/2 */
    assert_string_equal(workday_holiday_name(cal, 2020, 1, 31), "春节");
    assert_int_equal(is_workday(2020, 1, 31), 0);
    assert_int_equal(is_workday(2004, 1, 2), 1);
    /* 2015: the one-off 抗战胜利70周年 holiday 9/3-9/4 (Thu, Fri), make-up Sunday 9/6; its
     * 77-byte name is the longest in the data */
    assert_string_equal(workday_holiday_name(cal, 2015, 9, 3),
                        "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日");
    assert_int_equal(is_workday(2015, 9, 4), 0);
    assert_int_equal(is_workday(2015, 9, 6), 1);
}

static void test_plain_week(void **state)
{
    (void)state;
    /* 2026-03-09 Monday .. 03-15 Sunday: no holiday near */
    static const int expect[7] = {1, 1, 1, 1, 1, 0, 0};
    for (int i = 0; i < 7; i++)
        assert_int_equal(is_workday(2026, 3, 9 + i), expect[i]);

    assert_int_equal(add_workdays(cn(2026, 3, 9, 10, 0), 1), end_of(2026, 3, 10));
    assert_int_equal(add_workdays(cn(2026, 3, 9, 0, 0), 5), end_of(2026, 3, 16));
    assert_int_equal(add_workdays(cn(2026, 3, 13, 18, 0), 1), end_of(2026, 3, 16));
    assert_int_equal(add_workdays(cn(2026, 3, 14, 10, 0), 1), end_of(2026, 3, 16)); /* Sat */
    assert_int_equal(add_workdays(cn(2026, 3, 15, 23, 59), 1), end_of(2026, 3, 16));
    assert_int_equal(add_workdays(cn(2026, 3, 11, 9, 0), 0), end_of(2026, 3, 11));

    /* 48 working hours from Friday 18:00: Fri 6 h, Mon 24 h, Tue 18 h */
    assert_int_equal(add_workhours(cn(2026, 3, 13, 18, 0), 48), cn(2026, 3, 17, 18, 0));
    assert_int_equal(add_workhours(cn(2026, 3, 13, 18, 0), 6), cn(2026, 3, 14, 0, 0));
    assert_int_equal(add_workhours(cn(2026, 3, 13, 18, 0), 7), cn(2026, 3, 16, 1, 0));
    assert_int_equal(add_workhours(cn(2026, 3, 14, 9, 30), 1), cn(2026, 3, 16, 1, 0)); /* Sat */
    assert_int_equal(add_workhours(cn(2026, 3, 10, 9, 30), 24), cn(2026, 3, 11, 9, 30));
    assert_int_equal(add_workhours(cn(2026, 3, 10, 9, 30), 0), cn(2026, 3, 10, 9, 30));

    /* natural hours ignore the calendar */
    int64_t due = 0;
    err_t e = {0};
    assert_int_equal(workday_add_hours(cal, cn(2026, 3, 13, 18, 0), 48, &due, &e), 0);
    assert_int_equal(due, cn(2026, 3, 15, 18, 0));
    assert_int_equal(workday_add_hours(NULL, cn(2026, 3, 13, 18, 0), 24, &due, &e), 0);
    assert_int_equal(due, cn(2026, 3, 14, 18, 0));

    assert_int_equal(count_between(cn(2026, 3, 9, 10, 0), cn(2026, 3, 9, 23, 0)), 0);
    assert_int_equal(count_between(cn(2026, 3, 9, 10, 0), cn(2026, 3, 10, 0, 0)), 1);
    assert_int_equal(count_between(cn(2026, 3, 9, 10, 0), cn(2026, 3, 15, 10, 0)), 4);
    assert_int_equal(count_between(cn(2026, 3, 9, 10, 0), cn(2026, 3, 16, 10, 0)), 5);
    assert_int_equal(count_between(cn(2026, 3, 16, 10, 0), cn(2026, 3, 9, 10, 0)), 0);
}

/* The case from the brief: 2 working days filed Wednesday 2026-09-30 18:00. */
static void test_national_day(void **state)
{
    (void)state;
    int64_t filed = cn(2026, 9, 30, 18, 0);
    assert_int_equal(filed, utc(2026, 9, 30, 10, 0));
    assert_int_equal(add_workdays(filed, 1), end_of(2026, 10, 8));
    int64_t due = add_workdays(filed, 2);
    assert_int_equal(due, end_of(2026, 10, 9));
    assert_int_equal(due, utc(2026, 10, 9, 15, 59) + 59999);
    assert_int_equal(add_workdays(filed, 3), end_of(2026, 10, 10)); /* make-up Saturday */
    assert_int_equal(add_workdays(filed, 4), end_of(2026, 10, 12));
    assert_int_equal(add_workdays(filed, 0), end_of(2026, 9, 30));
    /* filed during the holiday: day 1 is still 10/8 */
    assert_int_equal(add_workdays(cn(2026, 10, 3, 11, 0), 1), end_of(2026, 10, 8));

    assert_int_equal(count_between(filed, due), 2);
    assert_int_equal(count_between(filed, due + 1), 3); /* 10/10 00:00 starts day 3 */
    /* how many working days late, seen on Monday 10/12: 10/10 and 10/12 */
    assert_int_equal(count_between(due, cn(2026, 10, 12, 10, 0)), 2);

    /* 24 working hours from 9/30 18:00: 6 h on 9/30, 18 h on 10/8 */
    assert_int_equal(add_workhours(filed, 24), cn(2026, 10, 8, 18, 0));
    /* 中秋 9/25-9/27 then make-up Sunday 9/20 before it */
    assert_int_equal(add_workdays(cn(2026, 9, 19, 12, 0), 1), end_of(2026, 9, 20));
    assert_int_equal(add_workdays(cn(2026, 9, 24, 12, 0), 1), end_of(2026, 9, 28));
}

static void test_spring_festival(void **state)
{
    (void)state;
    int64_t filed = cn(2026, 2, 13, 10, 0);                        /* Friday before 春节 */
    assert_int_equal(add_workdays(filed, 1), end_of(2026, 2, 14)); /* make-up Saturday */
    assert_int_equal(add_workdays(filed, 2), end_of(2026, 2, 24));
    assert_int_equal(add_workdays(filed, 5), end_of(2026, 2, 27));
    assert_int_equal(add_workdays(filed, 6), end_of(2026, 2, 28)); /* make-up Saturday */
    assert_int_equal(add_workdays(filed, 7), end_of(2026, 3, 2));
    assert_int_equal(add_workdays(cn(2026, 2, 18, 10, 0), 1), end_of(2026, 2, 24));
    assert_int_equal(count_between(filed, cn(2026, 3, 2, 8, 0)), 7);
    /* 48 working hours from Friday 18:00: 6 h + Saturday 2/14 24 h + 18 h on 2/24 */
    assert_int_equal(add_workhours(cn(2026, 2, 13, 18, 0), 48), cn(2026, 2, 24, 18, 0));
    /* 元旦: 12/31/2025 Wednesday, holiday 1/1-1/3, make-up Sunday 1/4 */
    assert_int_equal(add_workdays(cn(2025, 12, 31, 9, 0), 1), end_of(2026, 1, 4));
    assert_int_equal(add_workdays(cn(2025, 12, 31, 9, 0), 2), end_of(2026, 1, 5));
}

/* The China date decides, not the UTC one. */
static void test_china_day_boundary(void **state)
{
    (void)state;
    int y, m, d;
    workday_china_date(utc(2026, 9, 30, 17, 0), &y, &m, &d); /* 10/1 01:00 in China */
    assert_int_equal(y * 10000 + m * 100 + d, 20261001);
    workday_china_date(utc(2026, 9, 30, 16, 0), &y, &m, &d);
    assert_int_equal(y * 10000 + m * 100 + d, 20261001);
    workday_china_date(utc(2026, 9, 30, 16, 0) - 1, &y, &m, &d);
    assert_int_equal(y * 10000 + m * 100 + d, 20260930);
    workday_china_date(-1, &y, &m, &d); /* 1970-01-01 07:59:59.999 China */
    assert_int_equal(y * 10000 + m * 100 + d, 19700101);
    workday_china_date(-8 * 3600 * INT64_C(1000) - 1, &y, &m, &d);
    assert_int_equal(y * 10000 + m * 100 + d, 19691231);
    workday_china_date(0, NULL, NULL, NULL);

    /* Thursday 3/12 23:59:59.999 China vs Friday 00:00 China, one UTC millisecond apart */
    assert_int_equal(add_workdays(utc(2026, 3, 12, 16, 0) - 1, 1), end_of(2026, 3, 13));
    assert_int_equal(add_workdays(utc(2026, 3, 12, 16, 0), 1), end_of(2026, 3, 16));
    /* 2026-09-30 17:00 UTC is already the holiday: 1 working hour starts on 10/8 */
    assert_int_equal(add_workhours(utc(2026, 9, 30, 17, 0), 1), cn(2026, 10, 8, 1, 0));
    /* 15:30 UTC is 23:30 on working 9/30: half an hour then, half on 10/8 */
    assert_int_equal(add_workhours(utc(2026, 9, 30, 15, 30), 1), cn(2026, 10, 8, 0, 30));
    assert_int_equal(cn(2026, 10, 8, 0, 30), utc(2026, 10, 7, 16, 30));
    /* a UTC day of 9/30 spans two China dates */
    assert_int_equal(count_between(utc(2026, 9, 30, 1, 0), utc(2026, 9, 30, 20, 0)), 0);
    assert_int_equal(count_between(utc(2026, 3, 12, 1, 0), utc(2026, 3, 12, 20, 0)), 1);
}

static void test_uncovered_year(void **state)
{
    (void)state;
    err_t e = {0};
    int64_t due = 42;
    int n = 42;

    assert_gap(workday_is_workday(cal, 2031, 1, 6, &e), &e, "日历数据未覆盖 2031 年");
    assert_gap(workday_is_workday(cal, 2027, 1, 1, &e), &e, "日历数据未覆盖 2027 年");
    assert_gap(workday_is_workday(cal, 2003, 6, 2, &e), &e, "日历数据未覆盖 2003 年");
    assert_gap(workday_is_workday(cal, 1000, 6, 2, &e), &e, "日历数据未覆盖该年份");
    assert_gap(workday_is_workday(cal, 9999, 6, 2, &e), &e, "日历数据未覆盖该年份");
    assert_int_equal(workday_is_workday(cal, 2031, 1, 6, NULL), ERR_INVALID);
    assert_null(workday_holiday_name(cal, 2031, 10, 1));
    assert_null(workday_holiday_name(cal, 2026, 2, 30));

    assert_gap(workday_add_workdays(cal, cn(2031, 3, 3, 9, 0), 1, &due, &e), &e,
               "日历数据未覆盖 2031 年");
    assert_gap(workday_add_workdays(cal, cn(2031, 3, 3, 9, 0), 0, &due, &e), &e,
               "日历数据未覆盖 2031 年");
    assert_gap(workday_add_workhours(cal, cn(2031, 3, 3, 9, 0), 0, &due, &e), &e,
               "日历数据未覆盖 2031 年");
    /* a deadline that would run into 2027 is refused, not guessed */
    assert_int_equal(add_workdays(cn(2026, 12, 28, 10, 0), 3), end_of(2026, 12, 31));
    assert_gap(workday_add_workdays(cal, cn(2026, 12, 28, 10, 0), 4, &due, &e), &e,
               "日历数据未覆盖 2027 年");
    assert_int_equal(add_workhours(cn(2026, 12, 31, 12, 0), 12), cn(2027, 1, 1, 0, 0));
    assert_gap(workday_add_workhours(cal, cn(2026, 12, 31, 12, 0), 13, &due, &e), &e,
               "日历数据未覆盖 2027 年");
    assert_gap(workday_add_workdays(cal, cn(2026, 12, 28, 10, 0), 2000000000, &due, &e), &e,
               "日历数据未覆盖 2027 年");
    assert_int_equal(due, 42); /* untouched on failure */
    assert_gap(workday_count_between(cal, cn(2026, 12, 28, 10, 0), cn(2027, 1, 4, 10, 0), &n, &e),
               &e, "日历数据未覆盖 2027 年");
    assert_gap(workday_count_between(cal, cn(2003, 12, 28, 10, 0), cn(2004, 1, 4, 10, 0), &n, &e),
               &e, "日历数据未覆盖 2003 年");
    assert_int_equal(n, 42);
    /* absurd instants: no overflow, just a gap */
    assert_gap(workday_add_workdays(cal, INT64_MAX, 1, &due, &e), &e, "日历数据未覆盖该年份");
    assert_gap(workday_add_workhours(cal, INT64_MIN, 1, &due, &e), &e, "日历数据未覆盖该年份");
    assert_gap(workday_count_between(cal, INT64_MIN, INT64_MAX, &n, &e), &e,
               "日历数据未覆盖该年份");

    /* natural hours need no calendar */
    assert_int_equal(workday_add_hours(cal, cn(2031, 3, 3, 9, 0), 24, &due, &e), 0);
    assert_int_equal(due, cn(2031, 3, 4, 9, 0));
}

static void test_bad_arguments(void **state)
{
    (void)state;
    err_t e = {0};
    int64_t due = 42;
    int64_t t = cn(2026, 3, 9, 9, 0);

    assert_int_equal(workday_is_workday(cal, 2026, 2, 29, &e), ERR_INVALID);
    assert_string_equal(e.message, "日期无效");
    assert_string_equal(e.code, "invalid");
    assert_int_equal(workday_is_workday(cal, 2026, 13, 1, &e), ERR_INVALID);
    assert_int_equal(workday_is_workday(cal, 2026, 4, 0, &e), ERR_INVALID);
    assert_int_equal(workday_is_workday(cal, 2024, 2, 29, &e), 1); /* leap day, Thursday */

    assert_int_equal(workday_add_workdays(cal, t, -1, &due, &e), ERR_INVALID);
    assert_string_equal(e.message, "时限不能为负数");
    assert_int_equal(workday_add_workhours(cal, t, -1, &due, &e), ERR_INVALID);
    assert_int_equal(workday_add_hours(cal, t, -1, &due, &e), ERR_INVALID);
    assert_int_equal(workday_add_hours(cal, INT64_MAX - 1000, 1, &due, &e), ERR_INVALID);
    assert_string_equal(e.message, "时限超出范围");
    assert_int_equal(due, 42);
}

/* add_workdays and count_between agree for every start in 2026 and N up to 20. */
static void test_add_count_agree(void **state)
{
    (void)state;
    for (int m = 1; m <= 12; m++) {
        for (int d = 1; d <= mdays(2026, m); d++) {
            int64_t start = cn(2026, m, d, 15, 0);
            for (int n = 0; n <= 20; n++) {
                int64_t due = 0;
                err_t e = {0};
                int rc = workday_add_workdays(cal, start, n, &due, &e);
                if (rc) {
                    assert_string_equal(e.code, "calendar_gap");
                    assert_true(m == 12);
                    continue;
                }
                assert_int_equal((due + 1 + 8 * 3600000) % 86400000, 0); /* 24:00 China */
                assert_int_equal(count_between(start, due), n);
                if (n > 0) {
                    int y2, m2, d2;
                    workday_china_date(due, &y2, &m2, &d2);
                    assert_int_equal(is_workday(y2, m2, d2), 1);
                    assert_int_equal(count_between(start, due - 86400000), n - 1);
                    /* 24*n working hours from the start of the first counted day lands at
                     * midnight ending day n */
                    int64_t first = add_workdays(start, 1) + 1 - 86400000;
                    assert_int_equal(add_workhours(first, 24 * n), due + 1);
                }
            }
        }
    }
}

static void test_small_calendars(void **state)
{
    (void)state;
    workday_cal_t *c = NULL;
    err_t e = {0};
    /* a slice of a larger buffer: len is honoured, no NUL needed */
    const char doc[] = "{\"holidays\":{\"2030-01-01\":\"New Year's Day, Observed,元旦,1\"},"
                       "\"workdays\":{}}garbage";
    assert_int_equal(workday_load(doc, sizeof doc - 1 - 7, &c, &e), 0);
    assert_int_equal(workday_first_year(c), 2030);
    assert_int_equal(workday_last_year(c), 2030);
    assert_string_equal(workday_holiday_name(c, 2030, 1, 1), "元旦"); /* English had a comma */
    assert_int_equal(workday_is_workday(c, 2030, 1, 1, &e), 0);
    assert_int_equal(workday_is_workday(c, 2030, 1, 2, &e), 1);
    workday_free(c);

    /* a hole: 2029 has no holidays listed, so it is not covered */
    const char holes[] = "{\"holidays\":{\"2028-01-01\":\"A,甲,1\",\"2030-01-01\":\"A,甲,1\"},"
                         "\"workdays\":{\"2029-02-03\":\"B,乙,1\"}}";
    assert_int_equal(workday_load(holes, strlen(holes), &c, &e), 0);
    assert_int_equal(workday_first_year(c), 2028);
    assert_int_equal(workday_last_year(c), 2030);
    assert_false(workday_covers(c, 2029));
    assert_gap(workday_is_workday(c, 2029, 2, 3, &e), &e, "日历数据未覆盖 2029 年");
    int n = 0;
    assert_gap(workday_count_between(c, cn(2028, 6, 1, 0, 0), cn(2030, 6, 1, 0, 0), &n, &e), &e,
               "日历数据未覆盖 2029 年");
    assert_int_equal(workday_count_between(c, cn(2030, 6, 3, 0, 0), cn(2030, 6, 10, 0, 0), &n, &e),
                     0);
    assert_int_equal(n, 5);
    workday_free(c);
    workday_free(NULL);
}

static void test_bad_files(void **state)
{
    (void)state;
    static int sentinel; /* *out must be reset to NULL on failure */
    static const struct {
        const char *doc, *code, *message;
    } bad[] = {
        {"", "bad_json", "日历数据不是有效的 JSON"},
        {"not json", "bad_json", "日历数据不是有效的 JSON"},
        {"{\"holidays\":{", "bad_json", "日历数据不是有效的 JSON"},
        {"{\"holidays\":{\"2026-01-01\":\"A,甲,1\",\"2026-01-01\":\"A,甲,1\"},\"workdays\":{}}",
         "bad_json", "日历数据不是有效的 JSON"}, /* duplicate key */
        {"[]", "invalid", "日历数据缺少 holidays 或 workdays"},
        {"{}", "invalid", "日历数据缺少 holidays 或 workdays"},
        {"{\"holidays\":{\"2026-01-01\":\"A,甲,1\"}}", "invalid",
         "日历数据缺少 holidays 或 workdays"},
        {"{\"holidays\":[],\"workdays\":{}}", "invalid", "日历数据缺少 holidays 或 workdays"},
        {"{\"holidays\":{},\"workdays\":{}}", "invalid", "日历数据没有任何假日"},
        {"{\"holidays\":{\"2026-13-01\":\"A,甲,1\"},\"workdays\":{}}", "invalid",
         "日历数据日期无效"},
        {"{\"holidays\":{\"2026-02-29\":\"A,甲,1\"},\"workdays\":{}}", "invalid",
         "日历数据日期无效"},
        {"{\"holidays\":{\"2026-1-1\":\"A,甲,1\"},\"workdays\":{}}", "invalid", "日历数据日期无效"},
        {"{\"holidays\":{\"2026-01-01x\":\"A,甲,1\"},\"workdays\":{}}", "invalid",
         "日历数据日期无效"},
        {"{\"holidays\":{\"1066-10-14\":\"A,甲,1\"},\"workdays\":{}}", "invalid",
         "日历数据日期无效"},
        {"{\"holidays\":{\"2026-01-01\":\"A,甲,1\"},\"workdays\":{\"x\":\"A,甲,1\"}}", "invalid",
         "日历数据日期无效"},
        {"{\"holidays\":{\"2026-01-01\":1},\"workdays\":{}}", "invalid", "日历数据格式错误"},
        {"{\"holidays\":{\"2026-01-01\":\"元旦\"},\"workdays\":{}}", "invalid", "日历数据格式错误"},
        {"{\"holidays\":{\"2026-01-01\":\"A,元旦\"},\"workdays\":{}}", "invalid",
         "日历数据格式错误"},
        {"{\"holidays\":{\"2026-01-01\":\"A,,1\"},\"workdays\":{}}", "invalid", "日历数据格式错误"},
        {"{\"holidays\":{\"2026-01-03\":\"A,甲,1\"},\"workdays\":{\"2026-01-03\":\"A,甲,1\"}}",
         "invalid", "日历数据中同一天既是假日又是调休上班日"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        workday_cal_t *c = (workday_cal_t *)(void *)&sentinel;
        err_t e = {0};
        int rc = workday_load(bad[i].doc, strlen(bad[i].doc), &c, &e);
        if (rc != ERR_INVALID)
            fail_msg("case %zu (%s): rc %d", i, bad[i].doc, rc);
        assert_null(c);
        assert_string_equal(e.code, bad[i].code);
        assert_string_equal(e.message, bad[i].message);
    }
    workday_cal_t *c = NULL;
    err_t e = {0};
    assert_int_equal(workday_load(NULL, 0, &c, &e), ERR_INVALID);
    /* the real file cut short */
    size_t len = 0;
    char *json = read_file(CALENDAR_FILE, &len);
    assert_non_null(json);
    assert_int_equal(workday_load(json, len / 2, &c, &e), ERR_INVALID);
    assert_string_equal(e.code, "bad_json");
    assert_null(c);
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_2026_every_day),
        cmocka_unit_test(test_history),
        cmocka_unit_test(test_plain_week),
        cmocka_unit_test(test_national_day),
        cmocka_unit_test(test_spring_festival),
        cmocka_unit_test(test_china_day_boundary),
        cmocka_unit_test(test_uncovered_year),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_add_count_agree),
        cmocka_unit_test(test_small_calendars),
        cmocka_unit_test(test_bad_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
