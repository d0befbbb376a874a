#ifndef LK_LOG_H
#define LK_LOG_H

/*
 * Logging to the web server's error log (standard error of the program).
 * Never pass a password, token, cookie or key to these functions.
 */

enum lk_log_level {
	LK_LOG_ERR,
	LK_LOG_WARN,
	LK_LOG_INFO,
	LK_LOG_DEBUG,
	LK_LOG__MAX
};

/*
 * Set the program name printed before every line (e.g. "login").
 * The string must outlive the process's use of the log.
 */
void	lk_log_init(const char *progname);

/*
 * Send log lines to fn (with arg) instead of standard error, or back to
 * standard error with fn NULL.  Under FastCGI the runtime points this at
 * the request's error stream, which the web server writes to its log.
 */
void	lk_log_set_sink(void (*fn)(const char *line, void *arg), void *arg);

/*
 * Write one line "latchkey[pid] PROG LEVEL: message" to standard error.
 * Newlines and control characters in the message are replaced so that one
 * call always produces exactly one line.
 */
void	lk_log(enum lk_log_level level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
