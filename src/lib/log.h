/* log.h — process log on stderr: one line per event, time in UTC ISO 8601, level, message.
 * Thread-safe (one write(2) per line). log_fatal prints and exits(1). */
#ifndef JICENG_LIB_LOG_H
#define JICENG_LIB_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void log_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Silence info lines (tests, quiet CLI). */
void log_set_quiet(int quiet);
/* Abort with a message when a small internal allocation fails; returns p otherwise. */
void *log_check_alloc(void *p);

#endif
