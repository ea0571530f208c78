#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#endif

#include "lib/idgen.h"

#include <pthread.h>
#include <time.h>

#define SEQ_BITS 12
#define NODE_BITS 8
#define SEQ_MAX ((1 << SEQ_BITS) - 1)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned node_id;
static int64_t last_ms = -1; /* ms since IDGEN_EPOCH_MS of the last ID made */
static int seq;

static int64_t real_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Unit tests replace this to play with time. */
static int64_t (*clock_ms)(void) = real_clock_ms;

static int64_t now_since_epoch(void)
{
    int64_t t = clock_ms() - IDGEN_EPOCH_MS;
    return t < 0 ? 0 : t; /* a clock before 2020 is broken; keep IDs positive */
}

void idgen_init(unsigned node)
{
    pthread_mutex_lock(&lock);
    node_id = node & ((1u << NODE_BITS) - 1);
    pthread_mutex_unlock(&lock);
}

int64_t idgen_next(void)
{
    pthread_mutex_lock(&lock);
    int64_t now = now_since_epoch();
    if (now > last_ms) {
        last_ms = now;
        seq = 0;
    } else if (seq < SEQ_MAX) {
        seq++; /* same millisecond, or the clock went back: stay on last_ms */
    } else if (now == last_ms) {
        /* 4096 IDs this millisecond: wait for the next one (at most 1 ms) */
        while ((now = now_since_epoch()) <= last_ms) {
        }
        last_ms = now;
        seq = 0;
    } else {
        /* exhausted while the clock is behind: waiting could take as long as the step back,
         * so borrow the next millisecond; the clock catches up later */
        last_ms++;
        seq = 0;
    }
    int64_t id = last_ms << (SEQ_BITS + NODE_BITS) | (int64_t)node_id << SEQ_BITS | seq;
    pthread_mutex_unlock(&lock);
    return id;
}

int64_t idgen_time_ms(int64_t id) { return (id >> (SEQ_BITS + NODE_BITS)) + IDGEN_EPOCH_MS; }

int64_t idgen_floor(int64_t unix_ms)
{
    int64_t t = unix_ms - IDGEN_EPOCH_MS;
    return t < 0 ? 0 : t << (SEQ_BITS + NODE_BITS);
}
