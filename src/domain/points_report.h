/* points_report.h — the county's view of its villages' points (issue 4, docs/POINTS.md
 * "County view"): issued, redeemed and outstanding points, the liability in yuan against each
 * budget, households with accounts, the most used indicators and odd patterns, for one year;
 * and the same as an Excel workbook (libxlsxwriter) for the offices that work in Excel.
 *
 * Odd patterns (kept simple on purpose, so a village can see why it is flagged):
 *   awarder  one person's points issued in the year (positive awards and adjustments) exceed
 *            POINTS_ODD_RATIO times the median of what the village's other awarders issued
 *            (needs at least one other awarder);
 *   night    points issued between 22:00 and 06:00 China time (cadres score door to door by
 *            day): reported with their number whenever there are any. */
#ifndef JICENG_DOMAIN_POINTS_REPORT_H
#define JICENG_DOMAIN_POINTS_REPORT_H

#include <jansson.h>
#include "domain/account.h"
#include "lib/err.h"
#include "store/db.h"

#define POINTS_ODD_RATIO 3
#define POINTS_NIGHT_FROM 22 /* hour, China time, inclusive */
#define POINTS_NIGHT_TO 6    /* hour, exclusive */

/* 1 if the instant (epoch ms) falls in the night window, China time. Pure. */
int points_report_is_night(int64_t at);

/* The overview of who's county (county admin, leader, auditor: scope = the county) for a
 * calendar year (China time). New reference, or NULL with *rc (ERR_FORBIDDEN for a scope that
 * is not a county, store errors). See docs/API.md for the shape. */
json_t *points_overview(db_t *db, const account_user_t *who, int year, int *rc);

/* Write an overview (as points_overview made it) to path as an .xlsx workbook: sheet 1 各村对比
 * (one row per village and a total row), 2 常用指标, 3 异常提示; Chinese headers, yuan with two
 * decimals, shares as percentages. Slow-ish CPU and file work: run it off the loop threads.
 * 0 or ERR_IO (message in e). */
int points_overview_xlsx(json_t *overview, const char *path, err_t *e);

#endif
