#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "app/app.h"
#include "app/extern.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/util.h"
#include "decide/account.h"
#include "decide/notify.h"
#include "decide/session.h"
#include "http/method.h"

/*
 * The one table of refusals: each reason's status and message (pre, then
 * the denial's argument and post when post is set), the messages
 * flask-jwt-extended (and PyJWT under it) gives where it has one.
 */
struct refusal {
	int		 status;
	const char	*pre;
	const char	*post;
};

#define TOKEN(e)	[LK_R_TOKEN + (e)]

static const struct refusal refusals[LK_R__MAX] = {
	[LK_R_OK] = { 200, "", NULL },
	[LK_R_NOT_FOUND] = { 404, "Not found", NULL },
	[LK_R_METHOD] = { 405, "Method not allowed", NULL },
	[LK_R_ORIGIN] = { 403, "Origin not allowed", NULL },
	[LK_R_TOO_LARGE] = { 413, "Request body too large", NULL },
	[LK_R_BAD_BODY] = { 400, "Bad request body", NULL },
	[LK_R_NOT_JSON] = { 415, "Content-Type must be application/json", NULL },
	[LK_R_BAD_JSON] = { 400, "Request body must be a JSON object", NULL },
	[LK_R_FIELD_MISSING] = { 400, "Missing field \"", "\"" },
	[LK_R_FIELD_TYPE] = { 400, "Field \"", "\" must be a string" },
	[LK_R_FIELD_TOO_LONG] = { 400, "Field \"", "\" is too long" },
	[LK_R_INVALID] = { 400, "", "" },
	[LK_R_COOKIE_TOO_LARGE] = { 400, "Cookie header too large", NULL },
	[LK_R_COOKIE_MISSING] = { 401, "Missing cookie \"", "\"" },
	[LK_R_CSRF_MISSING] = { 401, "Missing CSRF token", NULL },
	[LK_R_CSRF_MISMATCH] = { 401, "CSRF double submit tokens do not match",
	    NULL },
	[LK_R_REVOKED] = { 401, "Token has been revoked", NULL },
	[LK_R_USER] = { 401, "Error loading the user ", "" },
	[LK_R_THROTTLED] = { 429, "Too many failed login attempts, try again "
	    "later", NULL },
	[LK_R_WRONG_PASSWORD] = { 401, "Current password is incorrect", NULL },
	[LK_R_UNAVAILABLE] = { 503, "Service unavailable", NULL },
	[LK_R_CANNOT_ISSUE] = { 503, "This node cannot issue tokens", NULL },
	[LK_R_CANNOT_REVOKE] = { 503, "This node cannot revoke tokens", NULL },
	[LK_R_INTERNAL] = { 500, "Internal error", NULL },
	[LK_R_CODE] = { 401, "Invalid code", NULL },
	[LK_R_MFA_EXPIRED] = { 401, "Login expired, log in again", NULL },
	[LK_R_PASSKEY] = { 401, "Passkey not accepted", NULL },
	[LK_R_TOO_MANY] = { 429, "Too many requests, try again later", NULL },
	[LK_R_LINK] = { 400, "This link is invalid or has expired", NULL },
	[LK_R_ACCESS_DENIED] = { 403, "Access denied", NULL },
	[LK_R_SECOND_FACTOR] = { 403, "Second factor required", NULL },
	[LK_R_BAD_PATH] = { 400, "Invalid request path", NULL },
	[LK_R_FRESH] = { 401, "Fresh token required", NULL },
	[LK_R_PROXY] = { 403, "Untrusted proxy", NULL },
	[LK_R_NOT_ADMIN] = { 403, "Administrators only", NULL },
	[LK_R_ADMIN_NETWORK] = { 403, "Administration is not allowed from this "
	    "address", NULL },
	[LK_R_CONFLICT] = { 409, "", "" },
	TOKEN(LK_TOKEN_OK) = { 500, "Internal error", NULL },
	TOKEN(LK_TOKEN_TOO_LARGE) = { 422, "Token is too large", NULL },
	TOKEN(LK_TOKEN_SEGMENTS) = { 422, "Not enough segments", NULL },
	TOKEN(LK_TOKEN_HEADER_PADDING) = { 422, "Invalid header padding", NULL },
	TOKEN(LK_TOKEN_HEADER_STRING) = { 422, "Invalid header string: must be "
	    "a json object", NULL },
	TOKEN(LK_TOKEN_PAYLOAD_PADDING) = { 422, "Invalid payload padding",
	    NULL },
	TOKEN(LK_TOKEN_CRYPTO_PADDING) = { 422, "Invalid crypto padding", NULL },
	TOKEN(LK_TOKEN_ALG) = { 422, "The specified alg value is not allowed",
	    NULL },
	TOKEN(LK_TOKEN_SIGNATURE) = { 422, "Signature verification failed",
	    NULL },
	TOKEN(LK_TOKEN_PAYLOAD_STRING) = { 422, "Invalid payload string: must "
	    "be a json object", NULL },
	TOKEN(LK_TOKEN_IAT_TYPE) = { 422, "Issued At claim (iat) must be an "
	    "integer.", NULL },
	TOKEN(LK_TOKEN_NBF_TYPE) = { 422, "Not Before claim (nbf) must be an "
	    "integer.", NULL },
	TOKEN(LK_TOKEN_IMMATURE) = { 422, "The token is not yet valid (nbf)",
	    NULL },
	TOKEN(LK_TOKEN_EXP_MISSING) = { 422, "Token is missing the \"exp\" "
	    "claim", NULL },
	TOKEN(LK_TOKEN_EXP_TYPE) = { 422, "Expiration Time claim (exp) must be "
	    "an integer.", NULL },
	TOKEN(LK_TOKEN_EXPIRED) = { 401, "Token has expired", NULL },
	TOKEN(LK_TOKEN_AUD_MISSING) = { 422, "Token is missing the \"aud\" "
	    "claim", NULL },
	TOKEN(LK_TOKEN_AUD_INVALID) = { 422, "Invalid audience", NULL },
	TOKEN(LK_TOKEN_ISS_MISSING) = { 422, "Token is missing the \"iss\" "
	    "claim", NULL },
	TOKEN(LK_TOKEN_ISS_INVALID) = { 422, "Invalid issuer", NULL },
	TOKEN(LK_TOKEN_SUB_MISSING) = { 422, "Missing claim: sub", NULL },
	TOKEN(LK_TOKEN_SUB_TYPE) = { 422, "Subject must be a string", NULL },
	TOKEN(LK_TOKEN_TYPE_MISSING) = { 422, "Missing claim: type", NULL },
	TOKEN(LK_TOKEN_CRIT) = { 422, "Unsupported critical extension", NULL },
	TOKEN(LK_TOKEN_ONLY_ACCESS) = { 422, "Only non-refresh tokens are "
	    "allowed", NULL },
	TOKEN(LK_TOKEN_ONLY_REFRESH) = { 422, "Only refresh tokens are allowed",
	    NULL },
	TOKEN(LK_TOKEN_TYPE_INVALID) = { 422, "Invalid token type", NULL },
	TOKEN(LK_TOKEN_JTI_MISSING) = { 422, "Missing claim: jti", NULL },
	TOKEN(LK_TOKEN_JTI_TYPE) = { 422, "Invalid claim: jti", NULL },
	TOKEN(LK_TOKEN_CSRF_MISSING) = { 422, "Missing claim: csrf", NULL },
	TOKEN(LK_TOKEN_CSRF_TYPE) = { 422, "Invalid claim: csrf", NULL },
	TOKEN(LK_TOKEN_FRESH_TYPE) = { 422, "Invalid claim: fresh", NULL },
	TOKEN(LK_TOKEN_INTERNAL) = { 500, "Internal error", NULL },
};

/*
 * Each reason's name in latchkey_refusals_total{reason}: a token's
 * refusals are one name but for an expired token (a client's routine).
 */
static const char *const refusal_names[LK_R_TOKEN] = {
	[LK_R_OK] = "ok",
	[LK_R_NOT_FOUND] = "not_found",
	[LK_R_METHOD] = "method",
	[LK_R_ORIGIN] = "origin",
	[LK_R_TOO_LARGE] = "too_large",
	[LK_R_BAD_BODY] = "bad_body",
	[LK_R_NOT_JSON] = "not_json",
	[LK_R_BAD_JSON] = "bad_json",
	[LK_R_FIELD_MISSING] = "field_missing",
	[LK_R_FIELD_TYPE] = "field_type",
	[LK_R_FIELD_TOO_LONG] = "field_too_long",
	[LK_R_INVALID] = "invalid",
	[LK_R_COOKIE_TOO_LARGE] = "cookie_too_large",
	[LK_R_COOKIE_MISSING] = "cookie_missing",
	[LK_R_CSRF_MISSING] = "csrf_missing",
	[LK_R_CSRF_MISMATCH] = "csrf_mismatch",
	[LK_R_REVOKED] = "revoked",
	[LK_R_USER] = "user",
	[LK_R_THROTTLED] = "throttled",
	[LK_R_WRONG_PASSWORD] = "wrong_password",
	[LK_R_UNAVAILABLE] = "unavailable",
	[LK_R_CANNOT_ISSUE] = "cannot_issue",
	[LK_R_CANNOT_REVOKE] = "cannot_revoke",
	[LK_R_INTERNAL] = "internal",
	[LK_R_CODE] = "code",
	[LK_R_MFA_EXPIRED] = "mfa_expired",
	[LK_R_PASSKEY] = "passkey",
	[LK_R_TOO_MANY] = "too_many",
	[LK_R_LINK] = "link",
	[LK_R_ACCESS_DENIED] = "access_denied",
	[LK_R_SECOND_FACTOR] = "second_factor",
	[LK_R_BAD_PATH] = "bad_path",
	[LK_R_FRESH] = "fresh",
	[LK_R_NOT_ADMIN] = "not_admin",
	[LK_R_ADMIN_NETWORK] = "admin_network",
	[LK_R_CONFLICT] = "conflict",
};

static const char *
refusal_name(enum lk_reason reason)
{
	if (reason == LK_R_TOKEN + LK_TOKEN_EXPIRED)
		return "token_expired";
	if (reason >= LK_R_TOKEN)
		return reason == LK_R_TOKEN + LK_TOKEN_INTERNAL ? "internal" :
		    "token_invalid";
	return refusal_names[reason] != NULL ? refusal_names[reason] :
	    "other";
}

/*
 * The web server's own refusals, as JSON: what an error document says
 * for each status the servers produce themselves.
 */
static const struct {
	int		 status;
	const char	*msg;
} errdocs[] = {
	{ 400, "Bad request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not found" },
	{ 405, "Method not allowed" },
	{ 408, "Request timeout" },
	{ 413, "Request body too large" },
	{ 414, "URI too long" },
	{ 415, "Content-Type must be application/json" },
	{ 431, "Request header fields too large" },
	{ 500, "Internal error" },
	{ 501, "Not implemented" },
	{ 502, "Bad gateway" },
	{ 503, "Service unavailable" },
	{ 504, "Gateway timeout" },
};

/* Loaded once per process: the configuration, then keys and store when a request first needs them. */
static struct lk_config	 app_cfg;
static int		 app_ready;	/* the configuration is loaded */
static long long	 app_last_try;
static struct lk_keyring	 app_keys;
static int		 app_keys_ready;
static uint64_t		 app_key_stamp;	/* of the files the keys came from */
static struct lk_watch	 app_key_watch = { .fd = -1 };	/* of those files */
static long long	 app_key_watch_try;	/* second it was last set */
static struct lk_keyring	 app_oidc_keys;	/* the OpenID provider's */
static int		 app_oidc_keys_ready;
static uint64_t		 app_oidc_key_stamp;
static struct lk_store	*app_store;
static long long	 app_last_store_try;
static struct lk_token_cache	 app_tokens;
static struct lk_rules_cache	 app_rules;
static int			 app_rules_ok;	/* loaded, last we looked */
static long long		 app_rules_logged;

/* Per-request state, wiped between requests. */
static struct lk_request	app_req;
static struct lk_response	app_resp;
static struct lk_outbox		app_outbox;	/* sent after the answer */
static int			app_outbox_inline;	/* in-process tests */
static int			app_cgi;	/* plain CGI: one request */

static const char	*running_as(void);

/* Mail jobs running in children of this process, reaped as they end. */
#define MAIL_JOBS_MAX	8
static pid_t			app_mail_jobs[MAIL_JOBS_MAX];

static long long
wall_clock(void)
{
	return (long long)time(NULL);
}

long long	(*lk_app_clock)(void) = wall_clock;

/* Where the keys come from: the public keys of a verify-only node, or the key file. */
static const char *
key_source(int *public)
{
	*public = app_cfg.public_keys[0] != '\0';
	return *public ? app_cfg.public_keys : app_cfg.key_file;
}

struct lk_store *
lk_app_store(void)
{
	return app_store;
}

struct lk_outbox *
lk_app_outbox(void)
{
	return &app_outbox;
}

/* Reap the mail jobs that ended (all of them, waiting, with wait set). */
static void
reap_mail_jobs(int wait)
{
	size_t	i;
	pid_t	r;

	for (i = 0; i < MAIL_JOBS_MAX; i++) {
		if (app_mail_jobs[i] <= 0)
			continue;
		do
			r = waitpid(app_mail_jobs[i], NULL, wait ? 0 : WNOHANG);
		while (r == -1 && errno == EINTR);
		if (r != 0)
			app_mail_jobs[i] = 0;
	}
}

/*
 * Whether a mail job may keep standard error: not under plain CGI when it
 * is a pipe or socket, which the web server reads to its end before it
 * finishes the answer (Apache's mod_cgi does): the answer would wait for
 * the mail.
 */
static int
job_keeps_stderr(void)
{
	struct stat	st;

	if (!app_cgi || fstat(STDERR_FILENO, &st) == -1)
		return !app_cgi;
	return !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode);
}

/* The store as the configuration names it, opened now (NULL: logged). */
static struct lk_store *
open_store(void)
{
	struct lk_store_options	 so;
	struct lk_store		*s;
	char			 err[LK_CONFIG_ERR_MAX];

	memset(&so, 0, sizeof(so));
	so.leeway = app_cfg.leeway;
	so.password_file = app_cfg.database_password_file;
	so.sessions_max = app_cfg.sessions_max_per_user;
	so.audit_retention = app_cfg.audit_retention_days * 86400;
	if ((s = lk_store_open(app_cfg.database, &so, err, sizeof(err))) ==
	    NULL)
		lk_log(LK_LOG_ERR, "not serving: database %s (running as %s)",
		    err, running_as());
	return s;
}

void
lk_app_job(void)
{
	if (app_ready && app_outbox.queued && app_outbox.link)
		lk_account_link_job(&app_cfg, app_store, &app_outbox);
}

/* A job not run: logged, counted, and its outbox wiped. */
static void
drop_job(const char *why)
{
	lk_log(LK_LOG_ERR, "mail: %s to %s dropped: %s",
	    lk_notice_name(app_outbox.kind), app_outbox.to, why);
	lk_notify_count_dropped();
	lk_notify_flush_drop(&app_outbox);
}

/*
 * The request's mail job, after its answer is out: in a child of its
 * own, so that this process is free for the next request at once (a
 * process busy mailing would show in the next answer's time), and for a
 * job that sends nothing as well, so that both cost the same here.  A
 * link job's store work is the child's too, on a connection of its own:
 * an SQLite connection is never carried across a fork (its locks belong
 * to this process), so this process closes its own first and opens it
 * again at its next request, whatever the account.  The child logs what
 * became of the mail to standard error, the web server's log, where it
 * can without holding up the answer.  With MAIL_JOBS_MAX jobs running
 * already (a slow mail command), the job is dropped, logged and counted
 * (lk_notify_dropped): nothing here ever waits for the mailer.
 * In-process tests run it inline.
 */
void
lk_app_after(void)
{
	struct lk_store	*s;
	size_t		 i;
	pid_t		 pid;
	int		 keep, fd;

	if (!app_outbox.queued)
		return;
	if (!app_ready || app_outbox_inline) {
		if (app_ready) {
			lk_app_job();
			lk_notify_flush(&app_cfg, &app_outbox);
		}
		lk_notify_flush_drop(&app_outbox);
		return;
	}
	reap_mail_jobs(0);
	for (i = 0; i < MAIL_JOBS_MAX && app_mail_jobs[i] > 0; i++)
		;
	if (i == MAIL_JOBS_MAX) {
		drop_job("too many mail jobs running (is the mail command "
		    "slow?)");
		return;
	}
	if (app_outbox.link && app_store != NULL &&
	    !lk_store_is_uri(app_cfg.database)) {
		lk_store_close(app_store);
		app_store = NULL;
		app_last_store_try = 0;
	}
	keep = job_keeps_stderr();
	(void)fflush(NULL);
	if ((pid = fork()) == -1) {
		drop_job(strerror(errno));
		return;
	} else if (pid == 0) {
		/* Nothing of the parent's (store, sockets) is touched here. */
		if (!keep && (fd = open("/dev/null", O_WRONLY)) != -1)
			(void)dup2(fd, STDERR_FILENO);
		if (app_outbox.link) {
			if ((s = open_store()) != NULL)
				lk_account_link_job(&app_cfg, s, &app_outbox);
			else
				app_outbox.nobody = 1;
			/* Its own connection: closed before the mailer runs. */
			lk_store_close(s);
		}
		lk_notify_flush(&app_cfg, &app_outbox);
		_exit(0);
	} else {
		app_mail_jobs[i] = pid;
		if (!keep && !app_outbox.nobody)
			lk_log(LK_LOG_INFO, "mail: %s to %s goes out after the "
			    "answer (process %ld); under plain CGI its outcome "
			    "is not logged, the answer would wait for it",
			    lk_notice_name(app_outbox.kind), app_outbox.to,
			    (long)pid);
	}
	lk_notify_flush_drop(&app_outbox);
}

int
lk_app_refusal(enum lk_reason reason, int *status, const char **pre,
    const char **post)
{
	if (reason >= LK_R__MAX)
		return -1;
	*status = refusals[reason].status;
	*pre = refusals[reason].pre;
	*post = refusals[reason].post;
	return 0;
}

void
lk_app_reset(void)
{
	lk_store_close(app_store);
	app_store = NULL;
	app_last_store_try = 0;
	lk_keyring_clear(&app_keys);
	lk_keyring_clear(&app_oidc_keys);
	app_oidc_keys_ready = 0;
	app_oidc_key_stamp = 0;
	lk_token_cache_clear(&app_tokens);
	lk_rules_cache_clear(&app_rules);
	app_rules_ok = 0;
	app_rules_logged = 0;
	app_keys_ready = 0;
	app_key_stamp = 0;
	lk_watch_close(&app_key_watch);
	app_key_watch_try = 0;
	app_ready = 0;
	app_last_try = 0;
	lk_metrics_close();
}

/*
 * The account the program runs as, for the log line of a file it cannot
 * use: on a shared host that is the first thing to know ("uid 1001
 * (alice)").
 */
static const char *
running_as(void)
{
	static char	 who[128];
	struct passwd	*pw;
	uid_t		 uid = geteuid();

	pw = getpwuid(uid);
	(void)snprintf(who, sizeof(who), "uid %lu (%s)", (unsigned long)uid,
	    pw != NULL && pw->pw_name != NULL ? pw->pw_name : "no name");
	return who;
}

/*
 * Map the node's counter file (made if missing, replaced if an older
 * version's).  Counting is off, said once, if it cannot be: a request
 * never fails for it.
 */
static void
metrics_open(void)
{
	char	err[LK_CONFIG_ERR_MAX];

	if (app_cfg.metrics_file[0] == '\0')
		return;
	if (lk_metrics_open(app_cfg.metrics_file, LK_METRICS_CREATE |
	    LK_METRICS_REPLACE, err, sizeof(err)) == -1)
		lk_log(LK_LOG_WARN, "metrics off: %s (running as %s)", err,
		    running_as());
}

static void	store_audit(const char *, long long, const char *,
		    const char *, const char *const *, size_t);

/*
 * Load the configuration.  Its file is named by LATCHKEY_CONFIG in the
 * process environment or, failing that, in the request's parameters
 * (Apache's SetEnv), else the compiled-in default.  Tried at most once a
 * second while it fails (a 503 meanwhile).
 */
static int
app_ensure(struct lk_io *io, long long now)
{
	const char	*path;
	char		 err[LK_CONFIG_ERR_MAX];

	if (app_ready || now == app_last_try)
		return app_ready;
	app_last_try = now;
	path = getenv("LATCHKEY_CONFIG");
	if ((path == NULL || *path == '\0') &&
	    (path = lk_io_param(io, "LATCHKEY_CONFIG")) != NULL &&
	    *path == '\0')
		path = NULL;
	if (path == NULL)
		path = lk_config_default_path();
	if (lk_config_load(&app_cfg, path, err, sizeof(err)) == -1) {
		lk_log(LK_LOG_ERR, "not serving: config: %s (running as %s)",
		    err, running_as());
		return 0;
	}
	metrics_open();
	if (app_cfg.public_keys[0] != '\0')
		lk_log(LK_LOG_INFO, "verify-only node: public keys from %s and "
		    "no signing key, so this node cannot issue tokens (logins and "
		    "refreshes answer 503) and never revokes any (logouts answer "
		    "503)", app_cfg.public_keys);
	app_ready = 1;
	/* A verify-only node never writes to the store: its lines alone. */
	lk_log_audit_sink(app_cfg.public_keys[0] == '\0' ? store_audit : NULL);
	return 1;
}

/*
 * The keys, loaded at the first request that needs them, and again when
 * their files changed (`latchkey key rotate` by another process, new
 * public keys on a verify-only node).
 */
static int
load_keys(long long now)
{
	const char	*src;
	char		 err[LK_CONFIG_ERR_MAX];
	uint64_t	 stamp;
	int		 public, r;

	src = key_source(&public);
	/*
	 * A FastCGI process takes the stamp (a stat of each file) only when
	 * the files' watch says they may have changed: an event, or a second
	 * gone by.  Set before the stamp is taken, so that no change falls
	 * between the two.  Plain CGI takes it once: a watch would only cost.
	 */
	if (!app_cgi && app_key_watch.fd == -1 && now != app_key_watch_try) {
		app_key_watch_try = now;
		(void)lk_keyring_watch(&app_key_watch, src, public);
	}
	if (app_keys_ready && !app_cgi && !lk_watch_changed(&app_key_watch))
		return 0;
	stamp = lk_keyring_stamp(src, public);
	if (app_keys_ready && stamp == app_key_stamp)
		return 0;
	/* What the old keys verified is not taken on their word any more. */
	lk_token_cache_clear(&app_tokens);
	lk_keyring_clear(&app_keys);
	app_key_stamp = stamp;
	r = public ? lk_keyring_load_public(&app_keys, src, err, sizeof(err)) :
	    lk_keyring_load(&app_keys, src, err, sizeof(err));
	if (r == -1) {
		lk_log(LK_LOG_ERR, "not serving: %s (running as %s)", err,
		    running_as());
		app_keys_ready = 0;
		return -1;
	}
	if (public)
		lk_log(LK_LOG_INFO, "%s %zu public key%s from %s",
		    app_keys_ready ? "reloaded" : "verifying with",
		    app_keys.nprevious, app_keys.nprevious == 1 ? "" : "s", src);
	else if (app_keys_ready)
		lk_log(LK_LOG_INFO, "keys reloaded, current kid %s",
		    app_keys.current.kid);
	if (!public && app_keys.current.alg != app_cfg.token_algorithm)
		lk_log(LK_LOG_INFO, "the current key is %s but token_algorithm "
		    "is %s: tokens are signed %s until 'latchkey key rotate'",
		    lk_key_alg_name(app_keys.current.alg),
		    lk_key_alg_name(app_cfg.token_algorithm),
		    lk_key_alg_name(app_keys.current.alg));
	app_keys_ready = 1;
	return 0;
}

/*
 * The OpenID provider's keys, as load_keys loads the site's: none on a
 * verify-only node, which issues nothing.
 */
static int
load_oidc_keys(void)
{
	char		err[LK_CONFIG_ERR_MAX];
	uint64_t	stamp;

	if (app_cfg.public_keys[0] != '\0')
		return -1;
	stamp = lk_keyring_stamp(app_cfg.oidc_key_file, 0);
	if (app_oidc_keys_ready && stamp == app_oidc_key_stamp)
		return 0;
	lk_keyring_clear(&app_oidc_keys);
	app_oidc_key_stamp = stamp;
	app_oidc_keys_ready = 0;
	if (lk_keyring_load(&app_oidc_keys, app_cfg.oidc_key_file, err,
	    sizeof(err)) == -1) {
		lk_log(LK_LOG_ERR, "no OpenID provider keys: %s (running as "
		    "%s; 'latchkey init' makes them)", err, running_as());
		return -1;
	}
	app_oidc_keys_ready = 1;
	return 0;
}

/* The store, opened at the first request that needs it (tried once a second). */
static int
load_store(long long now)
{
	if (app_store != NULL)
		return 0;
	if (now == app_last_store_try)
		return -1;
	app_last_store_try = now;
	return (app_store = open_store()) != NULL ? 0 : -1;
}

/* Copy text into a field of size n, cut at the last whole character. */
static void
audit_text(char *out, size_t n, const char *text)
{
	size_t	len;

	if (text == NULL)
		text = "";
	len = strlen(text);
	if (len >= n) {
		len = n - 1;
		/* Not inside a UTF-8 sequence. */
		while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(out, text, len);
	out[len] = '\0';
}

/*
 * An audit event, kept in the store besides its log line (written
 * first): the user as actor, the value of "target" (else the first
 * field's) as target, every field as detail.  In a transaction of its
 * own, after the action's: an event that cannot be recorded (the store
 * down) is logged as an error, and the action's outcome stands.
 */
static void
store_audit(const char *event, long long now, const char *addr,
    const char *user, const char *const *kv, size_t n)
{
	struct lk_audit	*a;
	size_t		 i;
	const char	*target = n > 0 ? kv[1] : "";

	if ((a = calloc(1, sizeof(*a))) == NULL)
		goto fail;
	for (i = 0; i < n; i++)
		if (strcmp(kv[2 * i], "target") == 0)
			target = kv[2 * i + 1];
	a->time = now;
	audit_text(a->event, sizeof(a->event), event);
	audit_text(a->actor, sizeof(a->actor), user);
	audit_text(a->target, sizeof(a->target), target);
	audit_text(a->address, sizeof(a->address), addr);
	if (n > 0 && lk_log_audit_format(a->detail, sizeof(a->detail), kv,
	    n) < 0)
		a->detail[0] = '\0';
	if (load_store(now) == -1 || lk_store_audit_add(app_store, a) !=
	    LK_STORE_OK)
		goto fail;
	free(a);
	return;
fail:
	free(a);
	lk_log(LK_LOG_ERR, "audit: event %.32s not recorded in the store",
	    event);
}

/*
 * The access rules, read at the first request that needs them and again
 * when their file changes (checked at most once a second).  A file that
 * cannot be read or has an error is logged, with its line, at once and
 * then at most once a second while requests are refused for it.
 */
static int
load_rules(struct lk_ctx *ctx)
{
	const struct lk_rules	*r;
	int			 changed;

	r = lk_rules_cache_get(&app_rules, app_cfg.access_rules, ctx->now,
	    &changed);
	if (r == NULL) {
		if (changed || ctx->now != app_rules_logged) {
			lk_log(LK_LOG_ERR, "refusing every request: access rules "
			    "%s (running as %s)", app_rules.err, running_as());
			app_rules_logged = ctx->now;
		}
		app_rules_ok = 0;
		return -1;
	}
	if (!app_rules_ok)
		lk_log(LK_LOG_INFO, "access rules: %zu rule%s from %s",
		    lk_rules_count(r), lk_rules_count(r) == 1 ? "" : "s",
		    app_cfg.access_rules);
	app_rules_ok = 1;
	ctx->rules = r;
	return 0;
}

/* The context's loader: what a request needs, when it first needs it. */
static int
load(struct lk_ctx *ctx, enum lk_need what)
{
	switch (what) {
	case LK_NEED_KEYS:
		if (load_keys(ctx->now) == -1)
			return -1;
		ctx->keys = &app_keys;
		return 0;
	case LK_NEED_STORE:
		if (load_store(ctx->now) == -1)
			return -1;
		ctx->store = app_store;
		return 0;
	case LK_NEED_RULES:
		return load_rules(ctx);
	case LK_NEED_OIDC_KEYS:
		if (load_oidc_keys() == -1)
			return -1;
		ctx->oidc_keys = &app_oidc_keys;
		return 0;
	}
	return -1;
}

/* Whether reason is one of the access rules' answers (lib/domain/rules.h). */
static int
rules_answer(enum lk_reason reason)
{
	return reason == LK_R_ACCESS_DENIED || reason == LK_R_SECOND_FACTOR ||
	    reason == LK_R_BAD_PATH;
}

/*
 * Whether reason is a session's refusal (no cookie, a token refused,
 * revoked, a user gone, the CSRF rule): what a login would change.
 */
static int
session_refusal(enum lk_reason reason)
{
	return reason >= LK_R_TOKEN || reason == LK_R_COOKIE_TOO_LARGE ||
	    reason == LK_R_COOKIE_MISSING || reason == LK_R_CSRF_MISSING ||
	    reason == LK_R_CSRF_MISMATCH || reason == LK_R_REVOKED ||
	    reason == LK_R_USER;
}

/* Write the refusal of ctx->denial into the response. */
static void
refuse(struct lk_ctx *ctx, enum lk_app_mode mode)
{
	const struct refusal	*r = &refusals[ctx->denial.reason];
	char			 msg[LK_DENIAL_ARG_MAX + 128];
	int			 status = r->status;

	lk_metrics_refusal(ctx->denial.reason, refusal_name(ctx->denial.reason));
	/* Nothing half-done goes out: no cookie of a failed request. */
	lk_response_reset(ctx->resp);
	if (r->post != NULL)
		(void)snprintf(msg, sizeof(msg), "%s%s%s", r->pre,
		    ctx->denial.arg, r->post);
	else
		(void)lk_strlcpy(msg, r->pre, sizeof(msg));
	/*
	 * An authorizer's denial is 401 whatever the reason (lighttpd
	 * forwards it, reason in the body), but for the access rules' own
	 * answers, which a login would not change; a server error stays one.
	 */
	if (mode != LK_APP_RESPONDER && status >= 400 && status < 500 &&
	    !rules_answer(ctx->denial.reason))
		status = 401;
	/* A forward-auth check's too, when a login would change it. */
	if (ctx->forward.active && session_refusal(ctx->denial.reason))
		status = 401;
	lk_response_msg(ctx->resp, status, msg);
	if (ctx->denial.reason == LK_R_THROTTLED ||
	    ctx->denial.reason == LK_R_TOO_MANY)
		lk_response_header(ctx->resp, "Retry-After", "%lld",
		    ctx->denial.retry_after);
	/*
	 * The one kind of cookie a refusal carries, written here and not
	 * kept from the handler: the four cleared, as a logout clears them
	 * (lk_deny_signing_out).
	 */
	if (ctx->denial.signs_out && mode == LK_APP_RESPONDER &&
	    ctx->cfg != NULL)
		lk_session_clear(ctx);
}

/* The status an error document is asked to answer: REDIRECT_STATUS. */
static int
errdoc_status(struct lk_io *io)
{
	const char	*v;
	long long	 status;

	if ((v = lk_io_param(io, "REDIRECT_STATUS")) == NULL ||
	    lk_parse_ll(v, 400, 599, &status) == -1)
		return 404;
	return (int)status;
}

/*
 * An error document: the status the server hands over in REDIRECT_STATUS
 * (Apache's ErrorDocument, lighttpd's server.error-handler), answered as
 * the programs answer it.  Needs no configuration, key or store, so it
 * works whatever state they are in.  Asked directly, it is not found.
 */
static void
errdoc(struct lk_io *io)
{
	int	status = errdoc_status(io);
	size_t	i;

	for (i = 0; i < sizeof(errdocs) / sizeof(errdocs[0]); i++)
		if (errdocs[i].status == status)
			break;
	if (i == sizeof(errdocs) / sizeof(errdocs[0]))
		lk_response_msg(&app_resp, status, status < 500 ?
		    "Bad request" : "Internal error");
	else
		lk_response_msg(&app_resp, status, errdocs[i].msg);
}

/*
 * An access checker's refusal handed to the error document (Apache's
 * ErrorDocument 401 after mod_fcgid's FcgidAccessChecker): the
 * authorizer's decision once more, for its reason, on the request as the
 * client made it (Apache turns the method into GET for the error
 * document and keeps the first in REDIRECT_REQUEST_METHOD).  Should the
 * request pass now (a login in between), it is still refused, for want
 * of a reason: the web server has already refused it.
 */
static void
recheck(struct lk_ctx *ctx, const struct lk_endpoint *ep, struct lk_io *io)
{
	const char	*m;

	if ((m = lk_io_param(io, "REDIRECT_REQUEST_METHOD")) != NULL &&
	    strlen(m) < sizeof(ctx->req->method))
		(void)lk_strlcpy(ctx->req->method, m, sizeof(ctx->req->method));
	ep->handle(ctx);
	if (ctx->denial.reason == LK_R_OK) {
		lk_response_reset(ctx->resp);
		lk_response_msg(ctx->resp, 401, "Unauthorized");
	}
}

/*
 * Whether the request is a browser loading a page (a link followed, an
 * address typed) rather than a script or an API client: GET or HEAD, and
 * Sec-Fetch-Mode: navigate, or, from a client that sends no
 * Sec-Fetch-Mode, an Accept naming text/html.  fetch() and XHR send
 * "cors", "same-origin" or "no-cors" and get the JSON refusal.
 */
static int
is_navigation(const struct lk_request *req, struct lk_io *io)
{
	const char	*v;

	if ((lk_method_bit(req->method) & (LK_METHOD_GET | LK_METHOD_HEAD)) == 0)
		return 0;
	if ((v = lk_io_param(io, "HTTP_SEC_FETCH_MODE")) != NULL)
		return strcmp(v, "navigate") == 0;
	return lk_request_accepts_html(req);
}

/*
 * Turn a refusal into a 302 to the login page, with ?next= the page asked
 * for (REQUEST_URI: its path and query) when it is a path of this site
 * that fits: every byte but unreserved characters and '/' encoded, so
 * nothing in it can end the header or leave the site; and, for a session
 * the access rules refused, denied= why (access or second_factor), for
 * the page to say so and offer another login.  The JSON refusal stays as
 * the body.
 */
static void
login_redirect(struct lk_ctx *ctx, struct lk_io *io, const char *denied)
{
	char		 loc[LK_CONFIG_STR_MAX + 32 + 3 * LK_PATH_MAX];
	const char	*uri = lk_io_param(io, "REQUEST_URI");
	size_t		 n;

	(void)lk_strlcpy(loc, ctx->cfg->login_page, sizeof(loc));
	n = strlen(loc);
	if (uri != NULL && uri[0] == '/' && uri[1] != '/' && uri[1] != '\\' &&
	    strlen(uri) <= LK_PATH_MAX) {
		memcpy(loc + n, "?next=", 7);
		n += 6;
		/* Cannot fail: loc holds 3 bytes for each of the URI's. */
		(void)lk_url_escape(uri, "/", loc, sizeof(loc), &n);
	}
	if (denied != NULL)
		(void)snprintf(loc + n, sizeof(loc) - n, "%cdenied=%s",
		    strchr(loc, '?') != NULL ? '&' : '?', denied);
	ctx->resp->status = 302;
	lk_response_header(ctx->resp, "Location", "%s", loc);
}

/*
 * Asked by the web server about a request it will serve itself: any
 * method, any path, no body.  Any other role is refused, so that a
 * responder mapping cannot pass for a grant.
 */
static void
authorize(struct lk_ctx *ctx, const struct lk_endpoint *ep, struct lk_io *io)
{
	const char	*role = lk_io_param(io, "FCGI_ROLE");

	if (role == NULL || strcmp(role, "AUTHORIZER") != 0) {
		lk_log(LK_LOG_ERR, "not in the FastCGI Authorizer role: "
		    "configure this program as an authorizer");
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		return;
	}
	ep->handle(ctx);
}

/*
 * A FastCGI process looks at most once a second whether its counter file
 * was replaced (removed to start anew, a new version's), and says when
 * counting went off.
 */
static void
metrics_check(long long now)
{
	char	err[LK_CONFIG_ERR_MAX];

	if (lk_metrics_check(now, err, sizeof(err)) == -1)
		lk_log(LK_LOG_WARN, "metrics off: %s (running as %s)", err,
		    running_as());
}

/*
 * The decision of the authorizer or of a forward-auth check, counted: a
 * grant, a login to ask for (no valid session), or a refusal (the access
 * rules', or a forward-auth request from an untrusted peer).  A server
 * error, or a request the check could not read, is none.
 */
static void
count_decision(const struct lk_ctx *ctx)
{
	int	fwd = ctx->forward.active;

	if (ctx->denial.reason == LK_R_OK && ctx->resp->status == 200)
		lk_metrics_count(fwd ? LK_M_FORWARD_AUTH_ALLOW :
		    LK_M_AUTHORIZER_ALLOW);
	else if (rules_answer(ctx->denial.reason) ||
	    (fwd && ctx->denial.reason == LK_R_PROXY))
		lk_metrics_count(fwd ? LK_M_FORWARD_AUTH_DENY :
		    LK_M_AUTHORIZER_DENY);
	else if (ctx->resp->status == 401)
		lk_metrics_count(fwd ? LK_M_FORWARD_AUTH_LOGIN :
		    LK_M_AUTHORIZER_LOGIN);
}

void
lk_app_serve(const struct lk_endpoint *ep, enum lk_app_mode mode,
    struct lk_io *io)
{
	struct lk_ctx	ctx;
	struct timespec	start, end;
	unsigned int	methods = ep != NULL ? ep->methods : 0;

	(void)clock_gettime(CLOCK_MONOTONIC, &start);
	lk_request_reset(&app_req);
	lk_response_reset(&app_resp);
	memset(&ctx, 0, sizeof(ctx));
	ctx.req = &app_req;
	ctx.resp = &app_resp;
	ctx.now = lk_app_clock();
	/* A job the last request left unsent (no flush) is not this one's. */
	if (app_outbox.queued)
		lk_notify_flush_drop(&app_outbox);
	ctx.outbox = &app_outbox;
	app_outbox_inline = io->fake;
	if (mode == LK_APP_ERRORDOC && (ep == NULL || errdoc_status(io) != 401)) {
		errdoc(io);
		goto send;
	}
	if (!app_ensure(io, ctx.now)) {
		(void)lk_deny(&ctx, LK_R_UNAVAILABLE, NULL);
		goto refuse;
	}
	if (!app_cgi)
		metrics_check(ctx.now);
	ctx.cfg = &app_cfg;
	ctx.load = load;
	/* Plain CGI serves one request: a cache would only cost. */
	ctx.tokens = io->fcgi != NULL || io->fake ? &app_tokens : NULL;
	lk_request_load(&app_req, io, app_cfg.csrf_header_name);
	if (mode == LK_APP_AUTHORIZER)
		authorize(&ctx, ep, io);
	else if (mode == LK_APP_GATE)
		ep->handle(&ctx);
	else if (mode == LK_APP_ERRORDOC)
		recheck(&ctx, ep, io);
	else
		lk_route_respond(&ctx, ep, io, &methods);
refuse:
	if (ctx.denial.reason != LK_R_OK)
		refuse(&ctx, mode);
	if (mode == LK_APP_AUTHORIZER || ctx.forward.active)
		count_decision(&ctx);
	/*
	 * A browser kept out of a page goes to log in, then comes back; one
	 * whose session the access rules refuse goes to the same page, which
	 * says why.
	 */
	if (mode != LK_APP_RESPONDER && ctx.cfg != NULL &&
	    ctx.cfg->login_page[0] != '\0' && (ctx.resp->status == 401 ||
	    (ctx.resp->status == 403 && rules_answer(ctx.denial.reason)))) {
		lk_response_header(ctx.resp, "Vary", "Accept, Sec-Fetch-Mode");
		if (is_navigation(ctx.req, io))
			login_redirect(&ctx, io, ctx.resp->status == 401 ? NULL :
			    ctx.denial.reason == LK_R_SECOND_FACTOR ?
			    "second_factor" : "access");
	}
	/*
	 * A forward-auth check refused for want of a session: where to log
	 * in, for the proxy (auth-request's 401) or the browser (302, 303).
	 */
	if (ctx.forward.active && ctx.resp->status == 401 &&
	    ctx.forward.location[0] != '\0') {
		lk_response_header(ctx.resp, "Location", "%s",
		    ctx.forward.location);
		if (ctx.forward.redirect != 0)
			ctx.resp->status = ctx.forward.redirect;
	}
	/*
	 * mod_fcgid keeps only the status of an access checker's refusal
	 * (Apache's ErrorDocument 401, error.fcgi, answers) but leaves its
	 * headers on that answer: send the status alone.
	 */
	if (mode == LK_APP_AUTHORIZER && ctx.resp->status != 200 &&
	    lk_io_param(io, "FCGI_APACHE_ROLE") != NULL)
		ctx.resp->bare = 1;
	if (ctx.denial.reason != LK_R_OK) {
		if (ctx.denial.reason == LK_R_METHOD) {
			char	allow[LK_METHOD_ALLOW_MAX];

			lk_method_allow(methods, allow);
			lk_response_header(&app_resp, "Allow", "%s", allow);
		}
	}
	if (mode == LK_APP_RESPONDER)
		lk_route_cors(&ctx);
send:
	if (lk_response_send(&app_resp, io) == -1)
		lk_log(LK_LOG_INFO, "client went away");
	(void)clock_gettime(CLOCK_MONOTONIC, &end);
	lk_metrics_request(mode == LK_APP_ERRORDOC || ep == NULL ? "error" :
	    ep->name, (end.tv_sec - start.tv_sec) * 1000000000LL +
	    (end.tv_nsec - start.tv_nsec));
	lk_request_reset(&app_req);
	lk_response_reset(&app_resp);
}

/* Log lines of a FastCGI request go to its FCGI_STDERR stream. */
static void
fcgi_log(const char *line, void *arg)
{
	FCGX_Request	*fr = arg;

	(void)FCGX_PutS(line, fr->err);
	(void)FCGX_FFlush(fr->err);
}

/*
 * End a plain-CGI answer before the mail goes: standard output, which the
 * web server reads to its end, is closed (replaced by /dev/null), so the
 * client has the answer while the mailer runs.
 */
static void
end_cgi_answer(void)
{
	int	fd;

	(void)fflush(stdout);
	if ((fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1)
		return;
	(void)dup2(fd, STDOUT_FILENO);
	if (fd != STDOUT_FILENO)
		close(fd);
}

static int
app_run(const struct lk_endpoint *ep, enum lk_app_mode mode, int argc,
    char *argv[])
{
	FCGX_Request	 fr;
	struct lk_io	 io;

	lk_log_init(ep != NULL ? ep->name : "error");
	if (argc > 1) {
		fprintf(stderr, "%s: a FastCGI or CGI program; run it from a "
		    "web server (see docs/API.md)\n", argv[0]);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	memset(&io, 0, sizeof(io));

	if (FCGX_IsCGI()) {
		/* Plain CGI: one request from the environment, then exit. */
		app_cgi = 1;
		lk_app_serve(ep, mode, &io);
		if (app_outbox.queued)
			end_cgi_answer();
		lk_app_after();
		lk_app_reset();
		/* The mail goes on in its child: exit without waiting. */
		return 0;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0) {
		lk_log(LK_LOG_ERR, "cannot initialise FastCGI");
		return 1;
	}
	io.fcgi = &fr;
	while (FCGX_Accept_r(&fr) >= 0) {
		reap_mail_jobs(0);
		lk_log_set_sink(fcgi_log, &fr);
		lk_app_serve(ep, mode, &io);
		lk_log_set_sink(NULL, NULL);
		FCGX_Finish_r(&fr);
		/* The answer is out: now the mail, logged to standard error. */
		lk_app_after();
	}
	reap_mail_jobs(1);
	lk_app_reset();
	return 0;
}

int
lk_app_main(const struct lk_endpoint *ep, int argc, char *argv[])
{
	return app_run(ep, LK_APP_RESPONDER, argc, argv);
}

int
lk_app_authorizer_main(const struct lk_endpoint *ep, int argc, char *argv[])
{
	return app_run(ep, LK_APP_AUTHORIZER, argc, argv);
}

int
lk_app_gate_main(const struct lk_endpoint *ep, int argc, char *argv[])
{
	return app_run(ep, LK_APP_GATE, argc, argv);
}

int
lk_app_errordoc_main(const struct lk_endpoint *ep, int argc, char *argv[])
{
	return app_run(ep, LK_APP_ERRORDOC, argc, argv);
}
