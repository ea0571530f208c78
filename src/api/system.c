/* system.c — health, readiness, metrics and the API description. */
#include <string.h>
#include "api/api.h"
#include "http/metrics.h"
#include "lib/buf.h"

/* docs/openapi.yaml is built into the binary so the served description always matches it. */
#ifndef JICENG_ROOT
#define JICENG_ROOT "."
#endif
__asm__(".section .rodata\n.global jiceng_openapi_yaml\njiceng_openapi_yaml:\n"
        ".incbin \"" JICENG_ROOT "/docs/openapi.yaml\"\n.byte 0\n.previous\n");
extern const char jiceng_openapi_yaml[];

static long long started;

void api_system_init(long long started_ms, const char *unused)
{
    (void)unused;
    started = started_ms;
}

int api_healthz(http_ctx_t *c)
{
    http_reply_json(c, 200, json_pack("{s:s}", "status", "ok"));
    return 0;
}

int api_readyz(http_ctx_t *c)
{
    /* Ping on this loop thread's own connection: the one its requests would use. Not ready
     * either while storage is full, so that a load balancer stops sending writes that would
     * fail (store_ready retries a write now and then, and turns ready once one succeeds). */
    int rc = store_ready(http_store(c), http_thread(c));
    if (rc == ERR_FULL) {
        http_reply_fail(c, ERR_BUSY, "storage_full", "服务器存储空间已满，请联系管理员", NULL);
        return 0;
    }
    if (rc != 0) {
        http_reply_fail(c, ERR_BUSY, "not_ready", "数据库不可用", NULL);
        return 0;
    }
    http_reply_json(c, 200,
                    json_pack("{s:s,s:s}", "status", "ready", "store",
                              store_engine(http_store(c)) == DB_PG ? "postgresql" : "sqlite"));
    return 0;
}

int api_metrics(http_ctx_t *c)
{
    buf_t b;
    buf_init(&b, 1 << 20);
    metrics_render(&b, http_store(c), started);
    http_reply_raw(c, 200, "text/plain; version=0.0.4; charset=utf-8", b.p ? b.p : "", b.len);
    buf_free(&b);
    return 0;
}

int api_openapi(http_ctx_t *c)
{
    http_reply_raw(c, 200, "application/yaml; charset=utf-8", jiceng_openapi_yaml,
                   strlen(jiceng_openapi_yaml));
    return 0;
}
