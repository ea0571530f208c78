/* metrics.c — counters kept as atomics; rendered on demand. */
#include "http/metrics.h"
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static atomic_llong requests;
static atomic_llong by_class[6]; /* 1xx..5xx */

void metrics_count_request(void) { atomic_fetch_add(&requests, 1); }

void metrics_count_status(int status)
{
    int k = status / 100;
    if (k >= 1 && k <= 5)
        atomic_fetch_add(&by_class[k], 1);
}

static long long rss_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return (long long)resident * sysconf(_SC_PAGESIZE);
}

int metrics_render(buf_t *out, store_t *store, long long started_ms)
{
    long long writes = 0, commits = 0;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long long now = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    store_stats(store, &writes, &commits);
    int rc = buf_printf(out,
                        "# HELP jiceng_http_requests_total API requests routed.\n"
                        "# TYPE jiceng_http_requests_total counter\n"
                        "jiceng_http_requests_total %lld\n"
                        "# HELP jiceng_http_responses_total API responses by status class.\n"
                        "# TYPE jiceng_http_responses_total counter\n",
                        (long long)atomic_load(&requests));
    for (int k = 1; k <= 5 && rc == 0; k++)
        rc = buf_printf(out, "jiceng_http_responses_total{class=\"%dxx\"} %lld\n", k,
                        (long long)atomic_load(&by_class[k]));
    if (rc == 0)
        rc =
            buf_printf(out,
                       "# HELP jiceng_store_writes_total Writes committed.\n"
                       "# TYPE jiceng_store_writes_total counter\n"
                       "jiceng_store_writes_total %lld\n"
                       "# HELP jiceng_store_commits_total Transactions committed (group commits).\n"
                       "# TYPE jiceng_store_commits_total counter\n"
                       "jiceng_store_commits_total %lld\n"
                       "# HELP process_resident_memory_bytes Resident set size.\n"
                       "# TYPE process_resident_memory_bytes gauge\n"
                       "process_resident_memory_bytes %lld\n"
                       "# HELP jiceng_uptime_seconds Seconds since start.\n"
                       "# TYPE jiceng_uptime_seconds gauge\n"
                       "jiceng_uptime_seconds %lld\n",
                       writes, commits, rss_bytes(), (now - started_ms) / 1000);
    return rc;
}
