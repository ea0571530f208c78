/* workday.h — the official working-day calendar (holidays and 调休 make-up working days, from
 * npm chinese-days, STANDARDS.md 6) and the deadline arithmetic built on it.
 * Dates are China dates (UTC+8, no DST, whatever TZ the server runs with); instants are UTC
 * epoch milliseconds. A year the data does not cover is refused with ERR_INVALID, code
 * "calendar_gap" and message 日历数据未覆盖 YYYY 年: never guessed as weekdays-only. */
#ifndef JICENG_LIB_WORKDAY_H
#define JICENG_LIB_WORKDAY_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

typedef struct workday_cal workday_cal_t;

/* Parse the calendar file json[0..len) (need not be NUL-terminated):
 * {"holidays":{"YYYY-MM-DD":"EN,中文,N",...},"workdays":{...},"inLieuDays":{...}}.
 * "holidays" (non-empty) and "workdays" are required objects; "inLieuDays" is ignored. A year
 * is covered if it has at least one holiday. On success *out is the caller's (workday_free);
 * afterwards every read below is thread-safe. Fails with ERR_INVALID (code "bad_json" if it
 * is not JSON, "invalid" for a wrong shape: bad date key, value not "EN,中文,N", a day both
 * holiday and workday) and *out = NULL. Out of memory aborts. */
int workday_load(const char *json, size_t len, workday_cal_t **out, err_t *e);

/* Free a calendar; NULL is fine. Messages from its errors die with it. */
void workday_free(workday_cal_t *c);

/* First and last covered year (2004 and 2026 for chinese-days 1.5.7). */
int workday_first_year(const workday_cal_t *c);
int workday_last_year(const workday_cal_t *c);

/* 1 if year y is covered, else 0. */
int workday_covers(const workday_cal_t *c, int y);

/* China date (UTC+8) of the instant ms. Pure; no calendar needed. Any of y, m, d may be NULL.
 * Years outside int are clamped to INT_MIN/INT_MAX. */
void workday_china_date(int64_t ms, int *y, int *m, int *d);

/* 1 if y-m-d is a working day, 0 if not: listed in "workdays" (调休 make-up day, even on a
 * weekend), or Monday-Friday and not listed in "holidays". ERR_INVALID "日期无效" for a date
 * that does not exist, or the calendar_gap error for an uncovered year.
 * Error messages point into c and stay valid until workday_free (as for all functions here). */
int workday_is_workday(const workday_cal_t *c, int y, int m, int d, err_t *e);

/* Chinese name of the holiday on y-m-d ("国庆节", "春节"...), or NULL for any other day
 * (make-up working days, ordinary days, impossible dates, uncovered years). The string is
 * owned by c. */
const char *workday_holiday_name(const workday_cal_t *c, int y, int m, int d);

/* Deadlines. Each writes *due_ms only on success; a rule is "overdue when now > *due_ms".
 * A negative hours/days is ERR_INVALID "时限不能为负数". The calendar-based ones fail with
 * calendar_gap if any day they must look at (the start day included) is in an uncovered
 * year: a deadline running past the data is an error, not a guess. */

/* Natural hours: start_ms + hours h. Does not use the calendar (c may be NULL). ERR_INVALID
 * "时限超出范围" on int64 overflow. */
int workday_add_hours(const workday_cal_t *c, int64_t start_ms, int hours, int64_t *due_ms,
                      err_t *e);

/* N working days. The filing day never counts, whatever the hour and whether or not it is a
 * working day (开始的当日不计入，自下一日开始计算, 民法典 201条, as 12345 hotlines count):
 * day 1 is the first working day after the start's China date, and the deadline is the end
 * of the N-th one, 23:59:59.999 China time (民法典 203条: the last day ends at 24:00; it is
 * always a working day here, so no holiday postponement is needed). days == 0: end of the
 * start's China date. Example: filed Wed 2026-09-30 18:00, 2 days -> 10/8, 10/9 -> due
 * 2026-10-09 23:59:59.999 (3 days -> the 10/10 make-up Saturday). */
int workday_add_workdays(const workday_cal_t *c, int64_t start_ms, int days, int64_t *due_ms,
                         err_t *e);

/* N working hours: the clock runs only during working days, all 24 hours of each (China
 * time), and stops for whole non-working days. Started on a non-working day it starts at
 * 00:00 of the next working day. The due instant may be exactly midnight ending a working day.
 * Example: 48 h from Friday 18:00 before an ordinary weekend = Fri 6 h + Mon 24 h + Tue 18 h
 * -> Tuesday 18:00. hours == 0: start_ms itself. */
int workday_add_workhours(const workday_cal_t *c, int64_t start_ms, int hours, int64_t *due_ms,
                          err_t *e);

/* Number of working days whose China date is strictly after from_ms's date and up to and
 * including to_ms's date (0 if to's date is not after from's): "how many working days late"
 * with from = due, to = now. Inverse of workday_add_workdays: counting from a start to the
 * deadline it gave yields N. Both dates' years, and all between, must be covered. */
int workday_count_between(const workday_cal_t *c, int64_t from_ms, int64_t to_ms, int *days,
                          err_t *e);

#endif
