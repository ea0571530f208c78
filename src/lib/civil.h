/* civil.h — dates on the proleptic Gregorian calendar as day numbers (days since 1970-01-01),
 * and China time (UTC+8, no daylight saving) for the instants the platform stores in epoch ms.
 * Pure, thread-safe. The one place the calendar arithmetic lives (workday, ledger, points). */
#ifndef JICENG_LIB_CIVIL_H
#define JICENG_LIB_CIVIL_H

#include <stdint.h>

#define CIVIL_DAY_MS (86400LL * 1000)
#define CIVIL_CHINA_OFFSET_MS (8LL * 3600 * 1000)

/* Day number of y-m-d (m 1..12, d 1..31; out-of-range days roll over as arithmetic would). */
int64_t civil_to_days(int y, int m, int d);
/* y-m-d of a day number. */
void civil_from_days(int64_t day, int *y, int *m, int *d);
/* The day number, in China time, that holds the instant ms (floor, also before 1970). */
int64_t civil_china_day(int64_t ms);
/* The instant 00:00 China time of y-m-d, in epoch ms. */
int64_t civil_china_ms(int y, int m, int d);

#endif
