/* Unit tests for src/lib/vec.c. Includes vec.c itself to make an allocation fail on demand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/vec.c"

typedef struct {
    int64_t id;
    char name[12];
} row_t;

static row_t row(int64_t id)
{
    row_t r = {.id = id};
    for (size_t i = 0; i + 1 < sizeof r.name; i++)
        r.name[i] = (char)('a' + (id + (int64_t)i) % 26);
    return r;
}

/* Fails once the count of allocations left reaches zero; counts the allocations tried. */
static int allocs_left = -1, allocs_tried;
static void *failing_realloc(void *p, size_t n)
{
    allocs_tried++;
    if (allocs_left == 0)
        return NULL;
    if (allocs_left > 0)
        allocs_left--;
    return realloc(p, n);
}

static void test_push_and_grow(void **state)
{
    (void)state;
    vec_t v;
    vec_init(&v, sizeof(row_t), 100000);
    assert_null(v.p);
    assert_int_equal(v.len, 0);
    for (int64_t i = 0; i < 5000; i++) {
        row_t r = row(i);
        assert_int_equal(vec_push(&v, &r), 0);
    }
    assert_int_equal(v.len, 5000);
    assert_true(v.cap >= v.len && v.cap <= 2 * v.len);
    const row_t *rows = v.p;
    for (int64_t i = 0; i < 5000; i++) {
        row_t r = row(i);
        assert_memory_equal(&rows[i], &r, sizeof r);
    }
    vec_free(&v);
    assert_null(v.p);
    assert_int_equal(v.len, 0);
    assert_int_equal(v.cap, 0);
    /* Reusable after free, with the same element size and cap. */
    row_t r = row(7);
    assert_int_equal(vec_push(&v, &r), 0);
    assert_int_equal(((row_t *)v.p)[0].id, 7);
    vec_free(&v);
}

static void test_cap_enforced(void **state)
{
    (void)state;
    vec_t v;
    vec_init(&v, sizeof(int64_t), 20); /* past the first allocation (16), not a power of two */
    for (int64_t i = 0; i < 20; i++)
        assert_int_equal(vec_push(&v, &i), 0);
    int64_t x = 99;
    assert_int_equal(vec_push(&v, &x), ERR_TOOLARGE);
    assert_int_equal(vec_push(&v, &x), ERR_TOOLARGE);
    assert_int_equal(v.len, 20);
    assert_true(v.cap <= 20); /* never allocates past max */
    for (int64_t i = 0; i < 20; i++)
        assert_int_equal(((int64_t *)v.p)[i], i); /* a refused add changed nothing */
    vec_free(&v);

    vec_init(&v, sizeof(int64_t), 3); /* a cap below the first allocation */
    for (int64_t i = 0; i < 3; i++)
        assert_int_equal(vec_push(&v, &i), 0);
    assert_int_equal(vec_push(&v, &x), ERR_TOOLARGE);
    assert_int_equal(v.cap, 3);
    vec_free(&v);

    vec_init(&v, sizeof(int64_t), 0); /* nothing at all */
    assert_int_equal(vec_push(&v, &x), ERR_TOOLARGE);
    assert_null(v.p);
    vec_free(&v);

    /* A cap too large for size_t bytes is lowered, so cap * size never overflows. */
    vec_init(&v, 1024, SIZE_MAX);
    assert_int_equal(v.max, SIZE_MAX / 1024);
}

static void test_allocation_failure(void **state)
{
    (void)state;
    vec_t v;
    vec_init(&v, sizeof(row_t), 1000);
    vec_realloc = failing_realloc;
    /* The very first allocation fails: still empty, nothing allocated. */
    allocs_left = 0;
    allocs_tried = 0;
    row_t r = row(1);
    assert_int_equal(vec_push(&v, &r), ERR_NOMEM);
    assert_int_equal(allocs_tried, 1);
    assert_null(v.p);
    assert_int_equal(v.len, 0);
    /* One allocation allowed: 16 elements fit, the 17th needs a second one, which fails and
     * leaves the 16 as they were. */
    allocs_left = 1;
    for (int64_t i = 0; i < 16; i++) {
        r = row(i);
        assert_int_equal(vec_push(&v, &r), 0);
    }
    r = row(16);
    assert_int_equal(vec_push(&v, &r), ERR_NOMEM);
    assert_int_equal(v.len, 16);
    assert_int_equal(v.cap, 16);
    for (int64_t i = 0; i < 16; i++) {
        row_t want = row(i);
        assert_memory_equal(&((row_t *)v.p)[i], &want, sizeof want);
    }
    /* Memory back: the same push succeeds. */
    allocs_left = -1;
    assert_int_equal(vec_push(&v, &r), 0);
    assert_int_equal(v.len, 17);
    assert_int_equal(((row_t *)v.p)[16].id, 16);
    vec_realloc = realloc;
    vec_free(&v);
}

static void test_remove_and_clear(void **state)
{
    (void)state;
    vec_t v;
    vec_init(&v, sizeof(int), 10);
    for (int i = 0; i < 5; i++)
        assert_int_equal(vec_push(&v, &i), 0);
    vec_remove(&v, 0); /* the front: a queue's pop */
    vec_remove(&v, 2); /* the middle: 1 2 3 4 -> 1 2 4 */
    assert_int_equal(v.len, 3);
    const int *a = v.p;
    assert_int_equal(a[0], 1);
    assert_int_equal(a[1], 2);
    assert_int_equal(a[2], 4);
    vec_remove(&v, 2); /* the last */
    assert_int_equal(v.len, 2);
    void *mem = v.p;
    size_t cap = v.cap;
    vec_clear(&v);
    assert_int_equal(v.len, 0);
    assert_ptr_equal(v.p, mem); /* memory kept */
    assert_int_equal(v.cap, cap);
    for (int i = 0; i < 10; i++)
        assert_int_equal(vec_push(&v, &i), 0);
    int x = 10;
    assert_int_equal(vec_push(&v, &x), ERR_TOOLARGE); /* the cap counts elements in use */
    vec_free(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_push_and_grow),
        cmocka_unit_test(test_cap_enforced),
        cmocka_unit_test(test_allocation_failure),
        cmocka_unit_test(test_remove_and_clear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
