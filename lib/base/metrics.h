#ifndef LK_METRICS_H
#define LK_METRICS_H

#include <stddef.h>

/*
 * A node's counters, shared by every process of it and kept across their
 * restarts: one small file (metrics_file), mapped into each process that
 * counts (MAP_SHARED) and updated with atomic adds, so that plain CGI,
 * where a process lives for one request, counts as FastCGI does.  The
 * file has a fixed layout behind a header (magic, format version, size,
 * and a hash of what its slots stand for) checked when it is mapped.
 *
 * Counting never fails a request: with no file mapped (none configured,
 * or one that cannot be made, opened or read as ours) every call below
 * does nothing.  Label values are the program's own constants, never a
 * request's data: no email, address or token is ever counted by name.
 */

/* The fixed counters: each one series of a family (metrics.c's table). */
enum lk_metric {
	/* latchkey_logins_total{result}: the password step of a login. */
	LK_M_LOGIN_SUCCESS,
	LK_M_LOGIN_SECOND_FACTOR,	/* password right, second step asked */
	LK_M_LOGIN_BAD_CREDENTIALS,
	LK_M_LOGIN_DISABLED,		/* an account that is disabled */
	LK_M_LOGIN_THROTTLED,
	/* latchkey_second_steps_total{type,result} */
	LK_M_SECOND_TOTP_SUCCESS,
	LK_M_SECOND_TOTP_FAILURE,
	LK_M_SECOND_TOTP_EXPIRED,
	LK_M_SECOND_TOTP_THROTTLED,
	LK_M_SECOND_RECOVERY_SUCCESS,
	LK_M_SECOND_RECOVERY_FAILURE,
	LK_M_SECOND_RECOVERY_EXPIRED,
	LK_M_SECOND_RECOVERY_THROTTLED,
	/* latchkey_passkey_logins_total{result} */
	LK_M_PASSKEY_SUCCESS,
	LK_M_PASSKEY_FAILURE,
	/* latchkey_refreshes_total{result} */
	LK_M_REFRESH_ROTATED,
	LK_M_REFRESH_REPLAYED,		/* inside the grace: same pair again */
	LK_M_REFRESH_REUSE_DETECTED,	/* past the grace: session revoked */
	LK_M_REFRESH_EXPIRED,		/* session_max or its refreshes reached */
	LK_M_REFRESH_REVOKED,		/* logged out, replaced, unknown */
	/* latchkey_logouts_total */
	LK_M_LOGOUT,
	/* latchkey_authorizer_decisions_total{decision} */
	LK_M_AUTHORIZER_ALLOW,
	LK_M_AUTHORIZER_LOGIN,		/* no valid session: log in */
	LK_M_AUTHORIZER_DENY,		/* a session the rules refuse */
	/* latchkey_forward_auth_decisions_total{decision} */
	LK_M_FORWARD_AUTH_ALLOW,
	LK_M_FORWARD_AUTH_LOGIN,
	LK_M_FORWARD_AUTH_DENY,
	/* latchkey_links_sent_total{purpose}, latchkey_links_used_total */
	LK_M_LINK_RESET_SENT,
	LK_M_LINK_INVITE_SENT,
	LK_M_LINK_SIGNUP_SENT,
	LK_M_LINK_RESET_USED,
	LK_M_LINK_INVITE_USED,
	LK_M_LINK_SIGNUP_USED,
	/* latchkey_store_errors_total */
	LK_M_STORE_ERROR,
	LK_M__MAX
};

/* How lk_metrics_open may treat the file. */
#define LK_METRICS_CREATE	0x1	/* make it (mode 0600) if missing */
#define LK_METRICS_REPLACE	0x2	/* replace one of ours of another layout */

/* The longest label value and program name counted by name. */
#define LK_METRICS_NAME_MAX	31

/*
 * Map the counter file at path for this process, closing any mapped
 * before.  A file that is missing is made with LK_METRICS_CREATE (its
 * folder must be writable: made aside and linked into place, so that
 * processes starting together all map the same one); a file of ours
 * whose layout is another version's (an upgrade) is replaced by a fresh
 * one with LK_METRICS_REPLACE.  A file that is not ours is never written.
 * Returns 0, or -1 with the reason in err: counting is then off in this
 * process (the caller logs it, once).
 */
int	lk_metrics_open(const char *path, int how, char *err, size_t errsz);

/* Unmap the file: counting is off until the next lk_metrics_open. */
void	lk_metrics_close(void);

/* Whether a file is mapped. */
int	lk_metrics_on(void);

/*
 * At most once a second (now: the caller's clock, in seconds): if the
 * path now names another file than the one mapped (removed to start the
 * counts anew, replaced by a newer version's), map that one instead,
 * made if missing but never replaced.  Costs one stat(2) a second.
 * Returns 0, or -1 with the reason in err when counting went off.
 */
int	lk_metrics_check(long long now, char *err, size_t errsz);

/* Count one of a fixed counter. */
void	lk_metrics_count(enum lk_metric m);

/*
 * Count a refusal of reason number reason, named name
 * (latchkey_refusals_total{reason}): [a-z0-9_], at most
 * LK_METRICS_NAME_MAX characters, the same name for a number always.
 */
void	lk_metrics_refusal(unsigned int reason, const char *name);

/*
 * Count a request of the OpenID provider at endpoint with result
 * (latchkey_oidc_requests_total{endpoint,result}): constants of
 * [a-z0-9_], at most LK_METRICS_NAME_MAX characters each, e.g.
 * ("token", "ok") or ("token", "invalid_grant").  At most
 * LK_METRICS_SLOTS pairs of these and of refusal reasons are counted.
 */
void	lk_metrics_oidc(const char *endpoint, const char *result);

#define LK_METRICS_SLOTS	256

/*
 * Observe one request of program (its name, [a-z0-9_], a constant) that
 * took ns nanoseconds, in latchkey_request_duration_seconds{program}.
 * At most LK_METRICS_PROGRAMS programs are told apart.
 */
void	lk_metrics_request(const char *program, long long ns);

#define LK_METRICS_PROGRAMS	32

/*
 * Append the counters in the Prometheus text exposition format (version
 * 0.0.4) to buf at *len (of bufsz), NUL-terminated: every fixed counter,
 * zeros included, then the refusals, OpenID requests and request
 * durations counted so far.  Returns 0, -1 if no file is mapped (nothing
 * written), or -2 if it did not fit (buf then holds a part).
 */
int	lk_metrics_write(char *buf, size_t bufsz, size_t *len);

/* The file's size for this build (for tests). */
size_t	lk_metrics_file_size(void);

#endif
