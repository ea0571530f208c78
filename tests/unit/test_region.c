/* test_region.c — region codes and scope (the prefix rule every query relies on), display names,
 * and the division import: invalid rows reported with line numbers, valid rows loaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "domain/registry/registry.h"
#include "store/migrate.h"

static void levels_and_validity(void **state)
{
    (void)state;
    assert_int_equal(region_level_of("15"), REGION_PROVINCE);
    assert_int_equal(region_level_of("152531"), REGION_COUNTY);
    assert_int_equal(region_level_of("152531202"), REGION_TOWN);
    assert_int_equal(region_level_of("152531202206"), REGION_VILLAGE);
    assert_int_equal(region_level_of("15253120220601"), REGION_GRID);
    assert_int_equal(region_level_of("15253120220601001"), REGION_BUILDING);
    assert_int_equal(region_level_of("1525312"), 0);
    assert_true(region_code_valid("152531202206"));
    assert_false(region_code_valid("15253120220A"));
    assert_false(region_code_valid("1525312"));
    assert_false(region_code_valid(""));
    assert_false(region_code_valid(NULL));
}

static void scope_is_a_prefix(void **state)
{
    (void)state;
    assert_true(region_in_scope("152531", "15253120220601"));
    assert_true(region_in_scope("15253120220601", "15253120220601"));
    assert_true(region_in_scope("15253120220601", "15253120220601003"));
    /* A sibling grid, another county, or a parent is outside. */
    assert_false(region_in_scope("15253120220601", "15253120220602"));
    assert_false(region_in_scope("152531", "150103006009"));
    assert_false(region_in_scope("15253120220601", "152531202206"));
    /* An empty scope grants nothing. */
    assert_false(region_in_scope("", "152531"));
    char hi[32];
    region_scope_hi("152531", hi, sizeof hi);
    assert_true(strcmp("15253199999999999", hi) < 0);
    assert_true(strcmp("152532", hi) > 0);
    assert_true(strcmp("152531", hi) < 0);
}

static void short_names(void **state)
{
    (void)state;
    char out[128];
    region_short_name("牛眼睛村委会", out, sizeof out);
    assert_string_equal(out, "牛眼睛村");
    region_short_name("科教居委会", out, sizeof out);
    assert_string_equal(out, "科教社区");
    region_short_name("长丰社区居民委员会", out, sizeof out);
    assert_string_equal(out, "长丰社区");
    region_short_name("三顺店社区居委会", out, sizeof out);
    assert_string_equal(out, "三顺店社区");
    region_short_name("西干沟乡", out, sizeof out);
    assert_string_equal(out, "西干沟乡");
}

static long warned_lines[16];
static int nwarn;
static void on_warn(void *ud, const char *file, long line, const char *why)
{
    (void)ud;
    (void)why;
    if (strcmp(file, "villages.csv") == 0 && nwarn < 16)
        warned_lines[nwarn++] = line;
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void import_reports_bad_rows_and_loads_good(void **state)
{
    (void)state;
    char dir[] = "/tmp/jiceng-region-XXXXXX";
    assert_non_null(mkdtemp(dir));
    write_file(dir, "provinces.csv", "code,name\n15,\"内蒙古自治区\"\n11,\"北京市\"\n");
    write_file(dir, "cities.csv", "code,name,provinceCode\n1525,\"锡林郭勒盟\",15\n");
    write_file(dir, "areas.csv", "code,name,cityCode,provinceCode\n152531,\"多伦县\",1525,15\n");
    write_file(dir, "streets.csv",
               "code,name,areaCode,provinceCode,cityCode\n152531202,\"西干沟乡\",152531,15,1525\n");
    write_file(dir, "villages.csv",
               "code,name,streetCode,provinceCode,cityCode,areaCode\n"
               "152531202206,\"牛眼睛村委会\",152531202,15,1525,152531\n" /* line 2 ok */
               "15253120220X,\"坏代码\",152531202,15,1525,152531\n"       /* line 3 bad code */
               "152531202207,\"\",152531202,15,1525,152531\n"             /* line 4 no name */
               "152531202208,\"错上级\",152531999,15,1525,152531\n"       /* line 5 bad parent */
               "152531202209,\"未闭合\n"                                  /* line 6 quote */
               "152531101004,\"善因寺社区居委会\",152531101,15,1525,152531\n"); /* line 7 ok */
    db_t *db = NULL;
    err_t e = {0};
    assert_int_equal(db_open(":memory:", 0, &db, &e), 0);
    assert_int_equal(migrate_run(db, NULL, &e), 0);
    long counts[5], rejected = 0;
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(
        region_import_divisions(db, dir, "15", 1, counts, &rejected, on_warn, NULL, NULL, &e), 0);
    assert_int_equal(db_commit(db), 0);
    assert_int_equal(counts[0], 1); /* 北京 is another province: not imported, not an error */
    assert_int_equal(counts[4], 2);
    assert_int_equal(rejected, 4);
    assert_int_equal(nwarn, 4);
    assert_int_equal(warned_lines[0], 3);
    assert_int_equal(warned_lines[1], 4);
    assert_int_equal(warned_lines[2], 5);
    assert_int_equal(warned_lines[3], 6);
    int rc;
    json_t *v = region_get(db, "152531202206", &rc);
    assert_non_null(v);
    assert_string_equal(json_string_value(json_object_get(v, "name")), "牛眼睛村");
    assert_string_equal(json_string_value(json_object_get(v, "kind")), "village");
    assert_int_equal(json_array_size(json_object_get(v, "path")), 5);
    json_decref(v);
    v = region_get(db, "152531101004", &rc);
    assert_string_equal(json_string_value(json_object_get(v, "kind")), "community");
    json_decref(v);
    assert_null(region_get(db, "152531202207", &rc));
    assert_int_equal(rc, ERR_NOTFOUND);
    /* A bad province argument is refused before anything is read. */
    assert_int_equal(
        region_import_divisions(db, dir, "1x", 1, counts, &rejected, NULL, NULL, NULL, &e),
        ERR_INVALID);
    db_close(db);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(levels_and_validity),
        cmocka_unit_test(scope_is_a_prefix),
        cmocka_unit_test(short_names),
        cmocka_unit_test(import_reports_bad_rows_and_loads_good),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
