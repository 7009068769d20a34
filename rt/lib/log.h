/* asis's own messages, to its private copy of stderr (a reserved fd the app cannot
 * close), one write per message so lines from threads do not interleave. */
#ifndef ASIS_LIB_LOG_H
#define ASIS_LIB_LOG_H

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

extern int g_log_fd;
extern int g_log_level;

__attribute__((format(printf, 2, 3))) void log_msg(enum log_level level, const char *fmt, ...);
__attribute__((noreturn, format(printf, 1, 2))) void fatal(const char *fmt, ...);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
