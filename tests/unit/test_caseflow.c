/* test_caseflow.c — every state × event × actor against the table as docs/CASES.md states it,
 * written here independently as text: a change to the code that the documentation does not
 * share fails here. Actors: the system, every role plainly in scope, as the case's assignee and
 * as its reporter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "domain/cases/cases.h"

/* event | from states | to ("same" = unchanged) | who: system, role names, "assignee:" roles,
 * "reporter". */
static const char *spec[] = {
    "dispatch|submitted returned escalated|dispatched|system community_admin street_admin "
    "center_operator county_admin",
    "accept|dispatched reopened escalated|accepted|assignee:grid_worker "
    "assignee:department_staff "
    "assignee:community_admin assignee:street_admin",
    "return|dispatched|returned|assignee:grid_worker assignee:department_staff "
    "assignee:community_admin assignee:street_admin",
    "note|dispatched accepted escalated whistle reopened|same|community_admin street_admin "
    "center_operator assignee:grid_worker assignee:department_staff",
    "wait|accepted reopened|same|assignee:grid_worker assignee:department_staff "
    "assignee:community_admin assignee:street_admin",
    "resume|accepted reopened|same|system assignee:grid_worker assignee:department_staff "
    "assignee:community_admin assignee:street_admin",
    "resolve|accepted reopened|resolved|assignee:grid_worker assignee:department_staff "
    "assignee:community_admin assignee:street_admin",
    "escalate|submitted dispatched accepted reopened escalated|escalated|system community_admin "
    "street_admin assignee:grid_worker",
    "whistle|escalated accepted|whistle|center_operator street_admin",
    "parts_done|whistle|resolved|system",
    "rate|resolved|rated|reporter",
    "reopen|rated resolved|reopened|system community_admin street_admin center_operator",
    "close|resolved rated|closed|system community_admin street_admin center_operator "
    "county_admin",
    "merge|submitted dispatched|merged|community_admin street_admin center_operator",
    "cancel|submitted dispatched|cancelled|reporter community_admin",
};

static const role_t all_roles[] = {
    ROLE_RESIDENT,        ROLE_INFORMANT,       ROLE_BUILDING_HEAD, ROLE_PARTY_LEADER,
    ROLE_GRID_WORKER,     ROLE_COMMUNITY_ADMIN, ROLE_STREET_ADMIN,  ROLE_DEPARTMENT_STAFF,
    ROLE_CENTER_OPERATOR, ROLE_LEADER,          ROLE_AUDITOR,       ROLE_COUNTY_ADMIN,
};

/* Does the word list contain w (space-separated)? */
static int has_word(const char *list, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = list; (p = strstr(p, w)) != NULL; p += n) {
        int start = p == list || p[-1] == ' ';
        int end = p[n] == ' ' || p[n] == 0 || p[n] == '|';
        if (start && end)
            return 1;
    }
    return 0;
}

typedef struct {
    char ev[32], from[256], to[32], who[512];
} row_t;

static int find_row(const char *ev, row_t *r)
{
    for (size_t i = 0; i < sizeof spec / sizeof spec[0]; i++) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", spec[i]);
        char *parts[4] = {buf, NULL, NULL, NULL};
        for (int k = 1; k < 4; k++) {
            parts[k] = strchr(parts[k - 1], '|');
            *parts[k]++ = 0;
        }
        if (strcmp(parts[0], ev) == 0) {
            snprintf(r->ev, sizeof r->ev, "%s", parts[0]);
            snprintf(r->from, sizeof r->from, "%s", parts[1]);
            snprintf(r->to, sizeof r->to, "%s", parts[2]);
            snprintf(r->who, sizeof r->who, "%s", parts[3]);
            return 1;
        }
    }
    return 0;
}

/* Expected: 0 allowed, ERR_CONFLICT state refuses, ERR_FORBIDDEN actor refuses. */
static int expect(const row_t *r, const char *state, const caseflow_actor_t *a)
{
    if (!has_word(r->from, state))
        return ERR_CONFLICT;
    if (a->role == 0)
        return has_word(r->who, "system") ? 0 : ERR_FORBIDDEN;
    const char *rn = role_name(a->role);
    char as[64];
    snprintf(as, sizeof as, "assignee:%s", rn);
    if (has_word(r->who, rn) || (a->is_assignee && has_word(r->who, as)) ||
        (a->is_reporter && has_word(r->who, "reporter")))
        return 0;
    return ERR_FORBIDDEN;
}

static void every_state_event_actor(void **state)
{
    (void)state;
    int checked = 0, allowed = 0;
    for (int ev = 0; ev < CEV_NEVENTS; ev++) {
        row_t r;
        assert_true(find_row(caseflow_event_name(ev), &r));
        for (int s = 0; s < CASE_NSTATES; s++) {
            caseflow_actor_t actors[1 + 3 * 12];
            int na = 0;
            actors[na++] = (caseflow_actor_t){0};
            for (size_t k = 0; k < sizeof all_roles / sizeof all_roles[0]; k++) {
                actors[na++] = (caseflow_actor_t){.role = all_roles[k]};
                actors[na++] = (caseflow_actor_t){.role = all_roles[k], .is_assignee = 1};
                actors[na++] = (caseflow_actor_t){.role = all_roles[k], .is_reporter = 1};
            }
            for (int k = 0; k < na; k++) {
                case_state_t to = CASE_NSTATES;
                err_t e = {0};
                int rc = caseflow_apply(s, ev, &actors[k], &to, &e);
                int want = expect(&r, caseflow_state_name(s), &actors[k]);
                if (rc != want)
                    fail_msg("%s in %s by %s (assignee %d, reporter %d): got %d, want %d", r.ev,
                             caseflow_state_name(s),
                             actors[k].role ? role_name(actors[k].role) : "system",
                             actors[k].is_assignee, actors[k].is_reporter, rc, want);
                if (rc == 0) {
                    int want_to = strcmp(r.to, "same") == 0 ? s : caseflow_state_parse(r.to);
                    assert_int_equal(to, want_to);
                    allowed++;
                } else {
                    assert_non_null(e.message);
                }
                checked++;
            }
        }
    }
    assert_int_equal(checked, CEV_NEVENTS * CASE_NSTATES * 37);
    assert_true(allowed > 100);
}

static void final_states_accept_nothing(void **state)
{
    (void)state;
    caseflow_actor_t sys = {0};
    case_state_t finals[] = {CASE_CLOSED, CASE_MERGED, CASE_CANCELLED};
    for (size_t i = 0; i < 3; i++) {
        assert_true(caseflow_is_final(finals[i]));
        for (int ev = 0; ev < CEV_NEVENTS; ev++) {
            case_state_t to;
            err_t e = {0};
            assert_int_equal(caseflow_apply(finals[i], ev, &sys, &to, &e), ERR_CONFLICT);
            assert_string_equal(e.message, "该诉求已结束，不能再操作");
        }
    }
}

static void the_whole_loop(void **state)
{
    (void)state;
    /* 居民下单 → 平台派单 → 网格员接单 → 办结 → 群众评价 → 关闭 */
    caseflow_actor_t sys = {0}, worker = {.role = ROLE_GRID_WORKER, .is_assignee = 1},
                     resident = {.role = ROLE_RESIDENT, .is_reporter = 1};
    case_state_t s = CASE_SUBMITTED;
    err_t e = {0};
    assert_int_equal(caseflow_apply(s, CEV_DISPATCH, &sys, &s, &e), 0);
    assert_int_equal(caseflow_apply(s, CEV_ACCEPT, &worker, &s, &e), 0);
    assert_int_equal(caseflow_apply(s, CEV_RESOLVE, &worker, &s, &e), 0);
    assert_int_equal(caseflow_apply(s, CEV_RATE, &resident, &s, &e), 0);
    assert_int_equal(caseflow_apply(s, CEV_CLOSE, &sys, &s, &e), 0);
    assert_int_equal(s, CASE_CLOSED);
    /* Another resident may not rate someone else's case. */
    caseflow_actor_t stranger = {.role = ROLE_RESIDENT};
    assert_int_equal(caseflow_apply(CASE_RESOLVED, CEV_RATE, &stranger, &s, &e), ERR_FORBIDDEN);
    /* Names round-trip. */
    for (int i = 0; i < CASE_NSTATES; i++)
        assert_int_equal(caseflow_state_parse(caseflow_state_name(i)), i);
    for (int i = 0; i < CEV_NEVENTS; i++)
        assert_int_equal(caseflow_event_parse(caseflow_event_name(i)), i);
    assert_int_equal(caseflow_state_parse("nonsense"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_state_event_actor),
        cmocka_unit_test(final_states_accept_nothing),
        cmocka_unit_test(the_whole_loop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
