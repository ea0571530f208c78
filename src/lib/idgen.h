/* idgen.h — 64-bit, time-ordered row IDs that several server instances can make without
 * talking to each other: (ms since 2020-01-01 UTC) << 20 | node << 12 | sequence.
 * Good for 278 years; sorting by ID sorts by creation time, which keyset pagination relies on. */
#ifndef JICENG_LIB_IDGEN_H
#define JICENG_LIB_IDGEN_H

#include <stdint.h>

/* 2020-01-01T00:00:00Z in Unix milliseconds. */
#define IDGEN_EPOCH_MS INT64_C(1577836800000)

/* Set this process's node number (0..255, taken mod 256); instances sharing a database must
 * use different ones. Call once at start-up; thread-safe. Default 0. */
void idgen_init(unsigned node);

/* The next ID: positive and strictly greater than every ID returned before in this process.
 * Thread-safe (a mutex). Up to 4096 IDs per millisecond; beyond that it waits for the next
 * millisecond. If the wall clock steps back it keeps counting from the last millisecond used
 * (borrowing milliseconds ahead if needed) rather than repeat or reorder IDs. Cannot fail. */
int64_t idgen_next(void);

/* Unix time in milliseconds at which id was made (for *_at fields and debugging). */
int64_t idgen_time_ms(int64_t id);

/* The smallest ID any node could make at Unix millisecond unix_ms (clamped to the epoch): use it
 * as a bound for "created since" queries on the primary key. */
int64_t idgen_floor(int64_t unix_ms);

#endif
