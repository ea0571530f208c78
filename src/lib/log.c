#include "lib/log.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int quiet;

void log_set_quiet(int q) { quiet = q; }

static void emit(const char *level, const char *fmt, va_list ap)
{
    char line[2048];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = (int)strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
    n += snprintf(line + n, sizeof line - (size_t)n, ".%03ldZ %s ", ts.tv_nsec / 1000000, level);
    int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    if (m < 0)
        m = 0;
    n += m;
    if (n > (int)sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    ssize_t w = write(2, line, (size_t)n);
    (void)w;
}

#define LOGFN(name, lvl, skip)                                                                     \
    void name(const char *fmt, ...)                                                                \
    {                                                                                              \
        if (skip)                                                                                  \
            return;                                                                                \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        emit(lvl, fmt, ap);                                                                        \
        va_end(ap);                                                                                \
    }
LOGFN(log_info, "INFO", quiet)
LOGFN(log_warn, "WARN", 0)
LOGFN(log_error, "ERROR", 0)

void log_fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("FATAL", fmt, ap);
    va_end(ap);
    exit(1);
}

void *log_check_alloc(void *p)
{
    if (!p)
        log_fatal("out of memory");
    return p;
}
