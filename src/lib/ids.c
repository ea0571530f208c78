#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#endif

#include "lib/ids.h"

#include <string.h>
#include <time.h>

static const char RESIDENT_FIELD[] = "id_number";
static const char USCC_FIELD[] = "uscc";

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* Today's date in China as yyyymmdd, whatever TZ the server runs with: birth dates on ID cards
 * are Beijing dates, and a UTC server would otherwise refuse babies born this morning. */
static int today_china(void)
{
    time_t t = time(NULL) + (time_t)8 * 3600;
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return 99991231;
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

char ids_resident_check_char(const char *first17)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (first17[i] - '0') * w[i];
    return "10X98765432"[sum % 11];
}

int ids_resident_birth(const char *id18, int *y, int *m, int *d)
{
    for (int i = 6; i < 14; i++)
        if (!is_digit(id18[i]))
            return ERR_INVALID;
    int yy = digits(id18 + 6, 4), mm = digits(id18 + 10, 2), dd = digits(id18 + 12, 2);
    if (yy < 1800 || mm < 1 || mm > 12 || dd < 1 || dd > days_in_month(yy, mm))
        return ERR_INVALID;
    if (y)
        *y = yy;
    if (m)
        *m = mm;
    if (d)
        *d = dd;
    return 0;
}

char ids_resident_sex(const char *id18)
{
    if (!is_digit(id18[16]))
        return '\0';
    return (id18[16] - '0') % 2 ? 'M' : 'F';
}

int ids_resident_check_on(const char *s, size_t len, int today_yyyymmdd, err_t *e)
{
    int y, m, d;

    if (!s || len != 18)
        return err_set(e, ERR_INVALID, "invalid", "身份证号码应为18位", RESIDENT_FIELD);
    for (int i = 0; i < 17; i++)
        if (!is_digit(s[i]))
            return err_set(e, ERR_INVALID, "invalid", "身份证号码前17位应为数字", RESIDENT_FIELD);
    if (!is_digit(s[17]) && s[17] != 'X' && s[17] != 'x')
        return err_set(e, ERR_INVALID, "invalid", "身份证号码最后一位应为数字或X", RESIDENT_FIELD);
    if (ids_resident_birth(s, &y, &m, &d))
        return err_set(e, ERR_INVALID, "invalid", "出生日期无效", RESIDENT_FIELD);
    if (y * 10000 + m * 100 + d > today_yyyymmdd)
        return err_set(e, ERR_INVALID, "invalid", "出生日期不能晚于今天", RESIDENT_FIELD);
    char want = ids_resident_check_char(s);
    char got = s[17] == 'x' ? 'X' : s[17];
    if (got != want)
        return err_set(e, ERR_INVALID, "invalid", "身份证号码校验位错误", RESIDENT_FIELD);
    return 0;
}

int ids_resident_check(const char *s, size_t len, err_t *e)
{
    return ids_resident_check_on(s, len, today_china(), e);
}

int ids_resident_normalize(const char *s, size_t len, char out[19], err_t *e)
{
    out[0] = '\0';
    int rc = ids_resident_check(s, len, e);
    if (rc)
        return rc;
    memcpy(out, s, 18);
    if (out[17] == 'x')
        out[17] = 'X';
    out[18] = '\0';
    return 0;
}

static void put_digits(char *out, int v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

void ids_resident_make(const char addr6[6], int y, int m, int d, int seq3, char out[19])
{
    memcpy(out, addr6, 6);
    put_digits(out + 6, ((y % 10000) + 10000) % 10000, 4);
    put_digits(out + 10, ((m % 100) + 100) % 100, 2);
    put_digits(out + 12, ((d % 100) + 100) % 100, 2);
    put_digits(out + 14, ((seq3 % 1000) + 1000) % 1000, 3);
    out[17] = ids_resident_check_char(out);
    out[18] = '\0';
}

/* GB 32100-2015: 31 symbols (no I, O, S, V, Z); value = index in this string. */
static const char USCC_ALPHABET[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int uscc_value(char c)
{
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    const char *p = c ? strchr(USCC_ALPHABET, c) : NULL;
    return p ? (int)(p - USCC_ALPHABET) : -1;
}

int ids_uscc_check(const char *s, size_t len, err_t *e)
{
    static const int w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    int v[18];

    if (!s || len != 18)
        return err_set(e, ERR_INVALID, "invalid", "统一社会信用代码应为18位", USCC_FIELD);
    for (int i = 0; i < 18; i++) {
        v[i] = uscc_value(s[i]);
        if (v[i] < 0)
            return err_set(e, ERR_INVALID, "invalid", "统一社会信用代码含有无效字符", USCC_FIELD);
    }
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += v[i] * w[i];
    int check = 31 - sum % 31;
    if (check == 31)
        check = 0;
    if (v[17] != check)
        return err_set(e, ERR_INVALID, "uscc_check", "统一社会信用代码校验位错误", USCC_FIELD);
    return 0;
}

int ids_uscc_normalize(const char *s, size_t len, char out[19], err_t *e)
{
    out[0] = '\0';
    err_t local = {0};
    int rc = ids_uscc_check(s, len, &local);
    if (rc == 0 || (local.code && strcmp(local.code, "uscc_check") == 0)) {
        for (int i = 0; i < 18; i++)
            out[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 'a' + 'A') : s[i];
        out[18] = '\0';
    }
    if (rc)
        err_set(e, local.rc, local.code, local.message, local.field);
    return rc;
}

int ids_mobile_normalize(const char *s, size_t len, char out[12], err_t *e)
{
    out[0] = '\0';
    if (s && len == 14 && memcmp(s, "+86", 3) == 0) {
        s += 3;
        len -= 3;
    } else if (s && len == 13 && memcmp(s, "86", 2) == 0) {
        s += 2;
        len -= 2;
    }
    if (!s || len != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9')
        goto bad;
    for (int i = 2; i < 11; i++)
        if (!is_digit(s[i]))
            goto bad;
    memcpy(out, s, 11);
    out[11] = '\0';
    return 0;
bad:
    return err_set(e, ERR_INVALID, "invalid", "手机号码格式不正确", "phone");
}
