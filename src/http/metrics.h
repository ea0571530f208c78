/* metrics.h — process counters for /metrics in the Prometheus text format. Thread-safe. */
#ifndef JICENG_HTTP_METRICS_H
#define JICENG_HTTP_METRICS_H

#include "lib/buf.h"
#include "store/store.h"

void metrics_count_request(void);
void metrics_count_status(int status);
/* Append the exposition text to out. */
int metrics_render(buf_t *out, store_t *store, long long started_ms);

#endif
