#include "lib/workday.h"
#include "lib/civil.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define MS_PER_DAY INT64_C(86400000)
#define MS_PER_HOUR INT64_C(3600000)
#define CHINA_OFFSET_MS (8 * MS_PER_HOUR)

/* Years a key may name, and the widest span of years a file may describe. */
#define YEAR_MIN 1900
#define YEAR_MAX 2999
/* Uncovered years within this distance of the data get their own message; further ones
 * (dates typed wrong, absurd instants) share GAP_FAR. */
#define GAP_WINDOW 100
#define GAP_SLOT 48
#define NAME_MAX_BYTES 255 /* the longest so far is 77 (抗战胜利70周年纪念日, 2015) */

static const char GAP_CODE[] = "calendar_gap";
static const char GAP_FAR[] = "日历数据未覆盖该年份";

enum { DAY_PLAIN = 0, DAY_HOLIDAY = 1, DAY_MAKEUP = 2 };

struct workday_cal {
    int first_year, last_year; /* covered: min and max year having holidays */
    int span_first, span_last; /* min and max year of any key; the arrays below cover them */
    int64_t day0;              /* day number of span_first-01-01 */
    int ndays;
    unsigned char *kind;    /* per day: DAY_* */
    unsigned char *name;    /* per day: 1-based index into names, 0 for none */
    int32_t *cum;           /* cum[i]: working days among days [0, i) (weekday rule in gaps) */
    unsigned char *covered; /* per span year */
    char *names[255];
    int nnames;
    int gap_first, gap_count; /* years with a message in gap_msgs */
    char *gap_msgs;           /* gap_count slots of GAP_SLOT bytes */
};

static _Noreturn void out_of_memory(size_t n)
{
    fprintf(stderr, "jiceng: 内存不足 (out of memory allocating %zu bytes)\n", n);
    abort();
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory(n * size);
    return p;
}

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* 0 = Sunday .. 6 = Saturday; day 0 (1970-01-01) was a Thursday. */
static int weekday(int64_t day)
{
    int64_t w = (day + 4) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

/* China date, as a day number, of a UTC instant. Written to overflow for no int64. */

/* UTC instant of 00:00 China time on a day. Only for days of covered years. */
static int64_t day_start_ms(int64_t day) { return day * MS_PER_DAY - CHINA_OFFSET_MS; }

static int64_t year_of_day(int64_t day)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    return y;
}

static int covers(const workday_cal_t *c, int64_t y)
{
    return y >= c->first_year && y <= c->last_year && c->covered[y - c->span_first];
}

static int gap(const workday_cal_t *c, int64_t y, err_t *e)
{
    const char *msg = GAP_FAR;
    if (y >= c->gap_first && y < (int64_t)c->gap_first + c->gap_count)
        msg = c->gap_msgs + (size_t)(y - c->gap_first) * GAP_SLOT;
    return err_set(e, ERR_INVALID, GAP_CODE, msg, NULL);
}

/* 1/0 for a day number, or the gap error. */
static int day_is_workday(const workday_cal_t *c, int64_t day, err_t *e)
{
    int64_t y = year_of_day(day);
    if (!covers(c, y))
        return gap(c, y, e);
    int k = c->kind[day - c->day0];
    if (k == DAY_MAKEUP)
        return 1;
    if (k == DAY_HOLIDAY)
        return 0;
    int w = weekday(day);
    return w >= 1 && w <= 5;
}

/* ---- loading ---- */

static const char BAD_SHAPE[] = "日历数据格式错误";

static int bad(err_t *e, const char *msg) { return err_set(e, ERR_INVALID, NULL, msg, NULL); }

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Strict "YYYY-MM-DD" with a real date in YEAR_MIN..YEAR_MAX. */
static int parse_key(const char *k, int *y, int *m, int *d)
{
    if (strlen(k) != 10 || k[4] != '-' || k[7] != '-' || digits(k, 4, y) || digits(k + 5, 2, m) ||
        digits(k + 8, 2, d))
        return -1;
    if (*y < YEAR_MIN || *y > YEAR_MAX || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
        return -1;
    return 0;
}

/* The Chinese name in "EN,中文,N": the field before the last comma (the English name is the
 * part that could ever hold a comma, so count from the right). */
static int parse_name(const char *v, const char **name, size_t *len)
{
    const char *last = strrchr(v, ',');
    if (!last || last == v)
        return -1;
    const char *p = last;
    while (p > v && p[-1] != ',')
        p--;
    if (p == v) /* no comma before the name: only two fields */
        return -1;
    *name = p;
    *len = (size_t)(last - p);
    return *len > 0 && *len <= NAME_MAX_BYTES ? 0 : -1;
}

static int intern(workday_cal_t *c, const char *name, size_t len)
{
    for (int i = 0; i < c->nnames; i++)
        if (strlen(c->names[i]) == len && !memcmp(c->names[i], name, len))
            return i + 1;
    if (c->nnames == (int)(sizeof c->names / sizeof c->names[0]))
        return -1;
    char *s = xcalloc(len + 1, 1);
    memcpy(s, name, len);
    c->names[c->nnames++] = s;
    return c->nnames;
}

/* Pass 1 over one section: check keys and values, widen the year span. */
static int scan(json_t *obj, int *lo, int *hi, err_t *e)
{
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val)
    {
        int y, m, d;
        const char *name;
        size_t nlen;
        if (parse_key(key, &y, &m, &d))
            return bad(e, "日历数据日期无效");
        if (!json_is_string(val) || parse_name(json_string_value(val), &name, &nlen))
            return bad(e, BAD_SHAPE);
        if (y < *lo)
            *lo = y;
        if (y > *hi)
            *hi = y;
    }
    return 0;
}

/* Pass 2: mark the days of one section. */
static int mark(workday_cal_t *c, json_t *obj, int kind, err_t *e)
{
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val)
    {
        int y, m, d;
        const char *name;
        size_t nlen;
        if (parse_key(key, &y, &m, &d) || parse_name(json_string_value(val), &name, &nlen))
            return bad(e, BAD_SHAPE); /* checked by scan(); keeps the analyzer sure */
        int64_t i = civil_to_days(y, m, d) - c->day0;
        if (c->kind[i] != DAY_PLAIN)
            return bad(e, "日历数据中同一天既是假日又是调休上班日");
        int n = intern(c, name, nlen);
        if (n < 0)
            return bad(e, BAD_SHAPE);
        c->kind[i] = (unsigned char)kind;
        c->name[i] = (unsigned char)n;
        if (kind == DAY_HOLIDAY)
            c->covered[y - c->span_first] = 1;
    }
    return 0;
}

static void build_gap_messages(workday_cal_t *c)
{
    int lo = c->first_year - GAP_WINDOW, hi = c->last_year + GAP_WINDOW;
    c->gap_first = lo;
    c->gap_count = hi - lo + 1;
    c->gap_msgs = xcalloc((size_t)c->gap_count, GAP_SLOT);
    for (int y = lo; y <= hi; y++)
        snprintf(c->gap_msgs + (size_t)(y - lo) * GAP_SLOT, GAP_SLOT, "日历数据未覆盖 %d 年", y);
}

int workday_load(const char *json, size_t len, workday_cal_t **out, err_t *e)
{
    int rc = 0;
    workday_cal_t *c = NULL;
    json_error_t jerr;
    json_t *root = NULL, *hol, *work;
    int lo = INT_MAX, hi = INT_MIN;

    *out = NULL;
    if (!json) {
        rc = err_set(e, ERR_INVALID, "bad_json", "日历数据不是有效的 JSON", NULL);
        goto out;
    }
    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        rc = err_set(e, ERR_INVALID, "bad_json", "日历数据不是有效的 JSON", NULL);
        goto out;
    }
    hol = json_object_get(root, "holidays");
    work = json_object_get(root, "workdays");
    if (!json_is_object(hol) || !json_is_object(work)) {
        rc = bad(e, "日历数据缺少 holidays 或 workdays");
        goto out;
    }
    if (json_object_size(hol) == 0) {
        rc = bad(e, "日历数据没有任何假日");
        goto out;
    }
    rc = scan(hol, &lo, &hi, e);
    if (!rc)
        rc = scan(work, &lo, &hi, e);
    if (rc)
        goto out;

    c = xcalloc(1, sizeof *c);
    c->span_first = lo;
    c->span_last = hi;
    c->day0 = civil_to_days(lo, 1, 1);
    c->ndays = (int)(civil_to_days(hi + 1, 1, 1) - c->day0);
    c->kind = xcalloc((size_t)c->ndays, 1);
    c->name = xcalloc((size_t)c->ndays, 1);
    c->cum = xcalloc((size_t)c->ndays + 1, sizeof *c->cum);
    c->covered = xcalloc((size_t)(hi - lo + 1), 1);
    rc = mark(c, hol, DAY_HOLIDAY, e);
    if (!rc)
        rc = mark(c, work, DAY_MAKEUP, e);
    if (rc)
        goto out;

    c->first_year = INT_MAX;
    c->last_year = INT_MIN;
    for (int y = lo; y <= hi; y++) {
        if (!c->covered[y - lo])
            continue;
        if (y < c->first_year)
            c->first_year = y;
        c->last_year = y;
    }
    for (int i = 0; i < c->ndays; i++) {
        int w = weekday(c->day0 + i);
        int is_work = c->kind[i] == DAY_MAKEUP || (c->kind[i] == DAY_PLAIN && w >= 1 && w <= 5);
        c->cum[i + 1] = c->cum[i] + is_work;
    }
    build_gap_messages(c);
    *out = c;
    c = NULL;
out:
    workday_free(c);
    json_decref(root);
    return rc;
}

void workday_free(workday_cal_t *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->nnames; i++)
        free(c->names[i]);
    free(c->kind);
    free(c->name);
    free(c->cum);
    free(c->covered);
    free(c->gap_msgs);
    free(c);
}

/* ---- queries ---- */

int workday_first_year(const workday_cal_t *c) { return c->first_year; }

int workday_last_year(const workday_cal_t *c) { return c->last_year; }

int workday_covers(const workday_cal_t *c, int y) { return covers(c, y); }

void workday_china_date(int64_t ms, int *y, int *m, int *d)
{
    int yy, mm, dd;
    civil_from_days(civil_china_day(ms), &yy, &mm, &dd);
    if (y)
        *y = yy;
    if (m)
        *m = mm;
    if (d)
        *d = dd;
}

static int valid_date(int y, int m, int d)
{
    return m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

int workday_is_workday(const workday_cal_t *c, int y, int m, int d, err_t *e)
{
    if (!valid_date(y, m, d))
        return err_set(e, ERR_INVALID, NULL, "日期无效", NULL);
    if (!covers(c, y))
        return gap(c, y, e);
    return day_is_workday(c, civil_to_days(y, m, d), e);
}

const char *workday_holiday_name(const workday_cal_t *c, int y, int m, int d)
{
    if (!valid_date(y, m, d) || !covers(c, y))
        return NULL;
    int64_t i = civil_to_days(y, m, d) - c->day0;
    if (c->kind[i] != DAY_HOLIDAY)
        return NULL;
    return c->names[c->name[i] - 1];
}

static const char NEGATIVE[] = "时限不能为负数";

int workday_add_hours(const workday_cal_t *c, int64_t start_ms, int hours, int64_t *due_ms,
                      err_t *e)
{
    (void)c;
    if (hours < 0)
        return err_set(e, ERR_INVALID, NULL, NEGATIVE, NULL);
    int64_t delta = hours * MS_PER_HOUR;
    if (start_ms > INT64_MAX - delta)
        return err_set(e, ERR_INVALID, NULL, "时限超出范围", NULL);
    *due_ms = start_ms + delta;
    return 0;
}

/* The start day must be covered too: it bounds the arithmetic below, and a start outside the
 * data means the calendar file is stale. */
static int check_start(const workday_cal_t *c, int64_t day, err_t *e)
{
    int64_t y = year_of_day(day);
    return covers(c, y) ? 0 : gap(c, y, e);
}

int workday_add_workdays(const workday_cal_t *c, int64_t start_ms, int days, int64_t *due_ms,
                         err_t *e)
{
    if (days < 0)
        return err_set(e, ERR_INVALID, NULL, NEGATIVE, NULL);
    int64_t day = civil_china_day(start_ms);
    int rc = check_start(c, day, e);
    for (int n = 0; !rc && n < days;) {
        day++;
        rc = day_is_workday(c, day, e);
        if (rc == 1) {
            n++;
            rc = 0;
        }
    }
    if (rc < 0)
        return rc;
    *due_ms = day_start_ms(day + 1) - 1;
    return 0;
}

int workday_add_workhours(const workday_cal_t *c, int64_t start_ms, int hours, int64_t *due_ms,
                          err_t *e)
{
    if (hours < 0)
        return err_set(e, ERR_INVALID, NULL, NEGATIVE, NULL);
    int64_t day = civil_china_day(start_ms);
    int rc = check_start(c, day, e);
    if (rc)
        return rc;
    int64_t t = start_ms, left = hours * MS_PER_HOUR;
    for (;;) {
        rc = day_is_workday(c, day, e);
        if (rc < 0)
            return rc;
        int64_t end = day_start_ms(day + 1);
        if (rc == 1) {
            if (left <= end - t) {
                *due_ms = t + left;
                return 0;
            }
            left -= end - t;
        }
        t = end;
        day++;
    }
}

int workday_count_between(const workday_cal_t *c, int64_t from_ms, int64_t to_ms, int *days,
                          err_t *e)
{
    int64_t from = civil_china_day(from_ms), to = civil_china_day(to_ms);
    int64_t y0 = year_of_day(from), y1 = year_of_day(to);
    int64_t ylo = y0 < y1 ? y0 : y1, yhi = y0 < y1 ? y1 : y0;
    if (!covers(c, ylo))
        return gap(c, ylo, e);
    if (!covers(c, yhi))
        return gap(c, yhi, e);
    for (int64_t y = ylo + 1; y < yhi; y++)
        if (!covers(c, y))
            return gap(c, y, e);
    *days = to > from ? c->cum[to - c->day0 + 1] - c->cum[from - c->day0 + 1] : 0;
    return 0;
}
