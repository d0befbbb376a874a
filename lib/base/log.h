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

/*
 * One audit line, for people and for tools such as fail2ban:
 *   latchkey[PID] PROG info: audit event="E" time="T" addr="A" user="U" K="V"...
 * followed by the key/value pairs given (const char * each, ended by a
 * NULL key).  Every value is quoted and escaped by lk_log_audit_format, so
 * no value can forge a field or a line.  addr and user may be NULL ("-"
 * and "").  Keys must be lower-case letters and '_'.
 */
void	lk_log_audit(const char *event, long long now, const char *addr,
	    const char *user, ...);

/*
 * Where audit events go besides their line: fn, called by lk_log_audit
 * after the line is written, with its event, time, address and user (as
 * given, may be NULL) and its n further key/value pairs kv[2i], kv[2i+1].
 * Set once per process (the runtime keeps the events in the store); NULL
 * for none.
 */
typedef void (*lk_log_audit_sink_fn)(const char *event, long long now,
	    const char *addr, const char *user, const char *const *kv,
	    size_t n);
void	lk_log_audit_sink(lk_log_audit_sink_fn fn);

/*
 * Write the fields of an audit line to out: key="value" pairs separated
 * by one space, each value with '"' and '\\' escaped by a backslash and
 * every byte outside printable ASCII written as \xHH.  A value longer
 * than LK_LOG_VALUE_MAX bytes is cut there and ends in "...".  Returns the
 * length, or -1 if out is too small (it then holds "").
 */
#define LK_LOG_VALUE_MAX	320

long	lk_log_audit_format(char *out, size_t outsz, const char *const *kv,
	    size_t n);

#endif
