/* test_cases_read.c — reading one case is all or nothing (issue 8 part 4): a case whose timeline
 * cannot be read (a step that fails, a statement that cannot be prepared) is an error for the
 * caller, never a reply that looks complete without it. SQLite in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "domain/cases/cases.h"
#include "store/store.h"

static char dir[] = "/tmp/jiceng-cases-read-XXXXXX";
static store_t *store;

static int sql_job(db_t *db, void *arg, err_t *e)
{
    (void)e;
    return db_exec(db, arg);
}

static int exec_sql(const char *sql)
{
    err_t e = {0};
    return store_write(store, 0, sql_job, (void *)sql, &e);
}

static const actor_t county_admin = {
    .id = 7, .county = "152531", .name = "县管理员", .role = ROLE_COUNTY_ADMIN, .scope = "152531"};

static int setup(void **state)
{
    (void)state;
    err_t e = {0};
    if (!mkdtemp(dir) || store_open(dir, NULL, 1, &store, &e) != 0)
        return -1;
    return exec_sql("INSERT INTO cases (county, id, region_code, category_code, source, title,"
                    " description, state, events, created_at, updated_at) VALUES ('152531', 1,"
                    " '15253110020101', '0101', 'resident', '路灯不亮', '路灯不亮', 'submitted', 1,"
                    " 1000, 1000);"
                    "INSERT INTO case_events (county, case_id, seq, at, event, to_state)"
                    " VALUES ('152531', 1, 1, 1000, 'create', 'submitted')");
}

static int teardown(void **state)
{
    (void)state;
    store_close(store);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

static void whole_case_reads(void **state)
{
    (void)state;
    int rc = -1;
    json_t *o = cases_get(store_reader(store, 0), &county_admin, 1, &rc);
    assert_non_null(o);
    assert_int_equal(rc, 0);
    assert_string_equal(json_string_value(json_object_get(o, "title")), "路灯不亮");
    assert_int_equal(json_array_size(json_object_get(o, "timeline")), 1);
    assert_int_equal(json_array_size(json_object_get(o, "parts")), 0);
    json_decref(o);
}

static void failing_step_is_an_error(void **state)
{
    (void)state;
    /* The timeline's rows now fail while being read (integer overflow in abs()). */
    assert_int_equal(exec_sql("ALTER TABLE case_events RENAME TO case_events_kept;"
                              "CREATE VIEW case_events AS SELECT county, case_id, seq, at,"
                              " actor_name, actor_role, event, from_state, to_state, note,"
                              " abs(-9223372036854775807 - 1) AS detail FROM case_events_kept"),
                     0);
    int rc = 0;
    json_t *o = cases_get(store_reader(store, 0), &county_admin, 1, &rc);
    assert_null(o);
    assert_true(rc < 0);
}

static void unpreparable_query_is_an_error(void **state)
{
    (void)state;
    assert_int_equal(exec_sql("DROP VIEW case_events"), 0);
    int rc = 0;
    json_t *o = cases_get(store_reader(store, 0), &county_admin, 1, &rc);
    assert_null(o);
    assert_true(rc < 0);
    /* A case that does not exist is still "not found", not an error of the store. */
    assert_int_equal(exec_sql("ALTER TABLE case_events_kept RENAME TO case_events"), 0);
    assert_null(cases_get(store_reader(store, 0), &county_admin, 2, &rc));
    assert_int_equal(rc, ERR_NOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_case_reads),
        cmocka_unit_test(failing_step_is_an_error),
        cmocka_unit_test(unpreparable_query_is_an_error),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
