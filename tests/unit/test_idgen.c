/* Unit tests for src/lib/idgen.c. Includes the .c to swap the clock for a fake one. */
#include "lib/idgen.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define N_IDS 100000

/* ---- fake clock: returns fake_now; after fake_bump_after calls it moves 1 ms on ---- */
static int64_t fake_now;
static long fake_calls, fake_bump_after = -1;

static int64_t fake_clock(void)
{
    if (fake_bump_after >= 0 && ++fake_calls > fake_bump_after)
        return fake_now + 1;
    return fake_now;
}

static void use_fake_clock(int64_t unix_ms)
{
    clock_ms = fake_clock;
    fake_now = unix_ms;
    fake_calls = 0;
    fake_bump_after = -1;
    last_ms = -1;
    seq = 0;
}

static int teardown_clock(void **state)
{
    (void)state;
    clock_ms = real_clock_ms;
    idgen_init(0);
    return 0;
}

static int64_t seq_of(int64_t id) { return id & SEQ_MAX; }

static void test_monotonic(void **state)
{
    (void)state;
    int64_t before = real_clock_ms();
    int64_t prev = 0;
    for (int i = 0; i < N_IDS; i++) {
        int64_t id = idgen_next();
        if (id <= prev)
            fail_msg("id %d not increasing: %lld after %lld", i, (long long)id, (long long)prev);
        prev = id;
    }
    int64_t after = real_clock_ms();
    assert_true(idgen_time_ms(prev) >= before);
    assert_true(idgen_time_ms(prev) <= after);
    assert_true(prev > 0);
}

static void test_layout(void **state)
{
    (void)state;
    int64_t t = INT64_C(1700000000123); /* 2023-11-14T22:13:20.123Z */
    use_fake_clock(t);
    idgen_init(7);
    int64_t id = idgen_next();
    assert_int_equal(idgen_time_ms(id), t);
    assert_int_equal((id >> 12) & 0xFF, 7);
    assert_int_equal(seq_of(id), 0);
    assert_int_equal(id, ((t - IDGEN_EPOCH_MS) << 20) | (7 << 12));
    assert_int_equal(seq_of(idgen_next()), 1);
    idgen_init(256 + 3); /* taken mod 256 */
    fake_now++;
    assert_int_equal((idgen_next() >> 12) & 0xFF, 3);

    assert_true(idgen_floor(t) <= id);
    assert_true(idgen_floor(t + 1) > id);
    assert_int_equal(idgen_floor(0), 0);
}

static void test_clock_backwards(void **state)
{
    (void)state;
    int64_t t = INT64_C(1700000000000);
    use_fake_clock(t);
    int64_t a = idgen_next();
    fake_now = t - 5000; /* NTP steps the clock back 5 s */
    int64_t b = idgen_next();
    int64_t c = idgen_next();
    assert_true(b > a);
    assert_true(c > b);
    assert_int_equal(idgen_time_ms(b), t); /* stays on the last millisecond */
    fake_now = t + 10;
    int64_t d = idgen_next();
    assert_true(d > c);
    assert_int_equal(idgen_time_ms(d), t + 10);
    assert_int_equal(seq_of(d), 0);
}

static void test_sequence_exhausted_waits(void **state)
{
    (void)state;
    int64_t t = INT64_C(1700000000000);
    use_fake_clock(t);
    int64_t prev = 0;
    for (int i = 0; i <= SEQ_MAX; i++) {
        int64_t id = idgen_next();
        assert_true(id > prev);
        assert_int_equal(idgen_time_ms(id), t);
        assert_int_equal(seq_of(id), i);
        prev = id;
    }
    fake_bump_after = fake_calls + 50; /* the clock moves on after some polling */
    int64_t id = idgen_next();
    assert_true(id > prev);
    assert_int_equal(idgen_time_ms(id), t + 1);
    assert_int_equal(seq_of(id), 0);
    assert_true(fake_calls > 50); /* it did wait for the clock */
}

static void test_sequence_exhausted_while_behind(void **state)
{
    (void)state;
    int64_t t = INT64_C(1700000000000);
    use_fake_clock(t);
    idgen_next();
    fake_now = t - 60000; /* a minute behind: must not spin for a minute */
    int64_t prev = 0;
    /* the rest of t, then two borrowed milliseconds in full */
    for (int i = 0; i < 3 * (SEQ_MAX + 1) - 1; i++) {
        int64_t id = idgen_next();
        assert_true(id > prev);
        prev = id;
    }
    assert_int_equal(idgen_time_ms(prev), t + 2);
    assert_int_equal(seq_of(prev), SEQ_MAX);
}

static void test_before_epoch_clock(void **state)
{
    (void)state;
    use_fake_clock(0); /* 1970: broken RTC */
    int64_t a = idgen_next();
    int64_t b = idgen_next();
    assert_true(a >= 0);
    assert_true(b > a);
}

typedef struct {
    int64_t *ids;
    int n;
} job_t;

static void *worker(void *arg)
{
    job_t *j = arg;
    for (int i = 0; i < j->n; i++)
        j->ids[i] = idgen_next();
    return NULL;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void test_two_threads_never_collide(void **state)
{
    (void)state;
    int64_t *all = malloc(2 * N_IDS * sizeof *all);
    assert_non_null(all);
    job_t jobs[2] = {{all, N_IDS}, {all + N_IDS, N_IDS}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, worker, &jobs[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    for (int t = 0; t < 2; t++)
        for (int i = 1; i < N_IDS; i++)
            assert_true(jobs[t].ids[i] > jobs[t].ids[i - 1]);
    qsort(all, 2 * N_IDS, sizeof *all, cmp_id);
    for (int i = 1; i < 2 * N_IDS; i++)
        if (all[i] == all[i - 1])
            fail_msg("duplicate id %lld", (long long)all[i]);
    free(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_monotonic),
        cmocka_unit_test_teardown(test_layout, teardown_clock),
        cmocka_unit_test_teardown(test_clock_backwards, teardown_clock),
        cmocka_unit_test_teardown(test_sequence_exhausted_waits, teardown_clock),
        cmocka_unit_test_teardown(test_sequence_exhausted_while_behind, teardown_clock),
        cmocka_unit_test_teardown(test_before_epoch_clock, teardown_clock),
        cmocka_unit_test(test_two_threads_never_collide),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
