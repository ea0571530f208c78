/* civil.c — Howard Hinnant's days_from_civil / civil_from_days (public domain algorithms). */
#include "lib/civil.h"

int64_t civil_to_days(int y_, int m, int d)
{
    int64_t y = (int64_t)y_ - (m <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int64_t civil_china_day(int64_t ms)
{
    /* Split first, add the offset to the remainder: no overflow for any int64 (INT64_MAX is a
     * caller's "no end"). */
    int64_t day = ms / CIVIL_DAY_MS, rem = ms % CIVIL_DAY_MS;
    if (rem < 0) {
        rem += CIVIL_DAY_MS;
        day--;
    }
    return rem + CIVIL_CHINA_OFFSET_MS >= CIVIL_DAY_MS ? day + 1 : day;
}

int64_t civil_china_ms(int y, int m, int d)
{
    return civil_to_days(y, m, d) * CIVIL_DAY_MS - CIVIL_CHINA_OFFSET_MS;
}
