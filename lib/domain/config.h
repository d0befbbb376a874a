#ifndef LK_CONFIG_H
#define LK_CONFIG_H

#include <stddef.h>

#include "base/net.h"
#include "domain/key.h"
#include "domain/mail.h"
#include "domain/password.h"
#include "http/method.h"

/*
 * The configuration: one "key = value" file, loaded once per process.
 * Defaults follow flask-jwt-extended's cookie mode as the seed sets it up.
 * Every key is described in docs/configuration.md.
 */

#define LK_CONFIG_PATH_MAX	1024
#define LK_CONFIG_NAME_MAX	64
#define LK_CONFIG_STR_MAX	256
#define LK_CONFIG_ERR_MAX	(LK_CONFIG_PATH_MAX + 256)
#define LK_CONFIG_LIST_MAX	1024
#define LK_CONFIG_METRICS_NETS_MAX 32	/* networks in metrics_networks */
#define LK_CONFIG_NETS_MAX	32	/* networks in trusted_proxies */
#define LK_CONFIG_ADMIN_NETS_MAX 32	/* networks in admin_networks */
#define LK_CONFIG_GROUP_MAX	64	/* bytes of admin_group (a group's name) */

enum lk_samesite {
	LK_SAMESITE_OFF,	/* no SameSite attribute */
	LK_SAMESITE_LAX,
	LK_SAMESITE_STRICT,
	LK_SAMESITE_NONE,
	LK_SAMESITE__MAX
};


struct lk_config {
	char		 path[LK_CONFIG_PATH_MAX];	/* file it came from */
	char		 database[LK_CONFIG_PATH_MAX];	/* path or URI */
	char		 database_password_file[LK_CONFIG_PATH_MAX]; /* "" = none */
	char		 key_file[LK_CONFIG_PATH_MAX];
	enum lk_key_alg	 token_algorithm;	/* of the keys init and rotate make */
	char		 public_keys[LK_CONFIG_PATH_MAX]; /* "" = signs; else verify only */

	long long	 access_token_expires;	/* seconds */
	long long	 fresh_seconds;		/* a login's token counts as fresh */
	long long	 leeway;		/* seconds, for exp and nbf */
	char		 issuer[LK_CONFIG_STR_MAX];	/* "" = none */
	char		 audience[LK_CONFIG_STR_MAX];	/* "" = none */

	char		 access_cookie_name[LK_CONFIG_NAME_MAX];
	char		 access_cookie_path[LK_CONFIG_STR_MAX];
	char		 access_csrf_cookie_name[LK_CONFIG_NAME_MAX];
	char		 access_csrf_cookie_path[LK_CONFIG_STR_MAX];
	char		 cookie_domain[LK_CONFIG_STR_MAX];	/* "" = host only */
	int		 cookie_secure;
	enum lk_samesite cookie_samesite;
	int		 session_cookie;	/* 1: no Max-Age/Expires */

	int		 csrf_protect;
	char		 csrf_header_name[LK_CONFIG_NAME_MAX];
	unsigned int	 csrf_methods;		/* LK_METHOD_* bits */

	struct lk_hash	 hash;			/* hash_method, _cost, _allow */

	size_t		 max_body;		/* bytes */
	size_t		 name_max;		/* code points of a user's name */

	/* Refresh tokens and sessions. */
	long long	 refresh_token_expires;	/* seconds */
	long long	 session_max;		/* seconds since login, absolute */
	long long	 refresh_grace;		/* seconds a rotated token still works */
	long long	 session_refresh_max;	/* refreshes per session */
	long long	 sessions_max_per_user;	/* live sessions of one user */
	char		 refresh_cookie_name[LK_CONFIG_NAME_MAX];
	char		 refresh_cookie_path[LK_CONFIG_STR_MAX];
	char		 refresh_csrf_cookie_name[LK_CONFIG_NAME_MAX];
	char		 refresh_csrf_cookie_path[LK_CONFIG_STR_MAX];
	int		 cookie_host_prefix;	/* __Host- and __Secure- names */

	/* Brute-force defence. */
	long long	 throttle_account_max;	/* failures per window */
	long long	 throttle_address_max;
	long long	 throttle_window;	/* seconds */
	long long	 throttle_ipv6_prefix;	/* bits of an IPv6 client counted */

	/* Password changes. */
	size_t		 password_min;		/* characters */

	/* Origins allowed to make state-changing requests, and CORS. */
	char		 allowed_origins[LK_CONFIG_LIST_MAX];
	char		 cors_origins[LK_CONFIG_LIST_MAX];

	/*
	 * Where the authorizer sends a browser that asks for a protected
	 * page without a valid session ("" for never: always the 401).
	 */
	char		 login_page[LK_CONFIG_STR_MAX];
	/*
	 * The access rules the authorizer decides by (lib/domain/rules.h), read
	 * by the authorizer itself; "" for none: any session passes.
	 */
	char		 access_rules[LK_CONFIG_PATH_MAX];
	/*
	 * The gate (cgi-bin/gate.c, lib/decide/gate.h): the folder whose
	 * files it serves, outside the document root ("" for none: it serves
	 * nothing), and the path of the site they are served under (by
	 * default /members/: gate_path + "a/b.html" is gate_folder's a/b.html).
	 */
	char		 gate_folder[LK_CONFIG_PATH_MAX];
	char		 gate_path[LK_CONFIG_STR_MAX];
	/*
	 * The peers whose X-Forwarded-* and X-Original-* headers the
	 * forward-auth endpoints believe (lib/decide/forward.h); by default
	 * loopback alone.
	 */
	struct lk_net	 trusted_proxies[LK_CONFIG_NETS_MAX];
	size_t		 ntrusted_proxies;
	/*
	 * The node's counter file (lib/base/metrics.h); by default beside
	 * a SQLite database (its name and ".metrics"), none ("off", or a
	 * server database without it set) for no counting.
	 */
	char		 metrics_file[LK_CONFIG_PATH_MAX];
	/* Who may read GET /metrics: these networks (loopback by default)... */
	struct lk_net	 metrics_networks[LK_CONFIG_METRICS_NETS_MAX];
	size_t		 nmetrics_networks;
	/* ...or a client showing the bearer token in this file ("" none). */
	char		 metrics_token_file[LK_CONFIG_PATH_MAX];

	/* The site's name as people read it: mail, TOTP issuer, passkeys. */
	char		 site_name[LK_CONFIG_STR_MAX * 2];

	/*
	 * The OpenID provider: its own RSA key ring (signing ID tokens and
	 * its access tokens RS256, whatever token_algorithm is), and its
	 * issuer ("" = site_url).
	 */
	char		 oidc_key_file[LK_CONFIG_PATH_MAX];
	char		 oidc_issuer[LK_CONFIG_STR_MAX];

	/* Second factors: the key TOTP secrets are sealed with; passkeys. */
	char		 mfa_key_file[LK_CONFIG_PATH_MAX];
	char		 webauthn_rp_id[LK_CONFIG_STR_MAX];	/* "" = the host */
	/*
	 * Mail to users (lib/domain/mail.h): the sendmail-interface command, the
	 * sender ("" = none: nothing is sent), and the site's address that
	 * links in mail start with ("" = none: no link is sent), never the
	 * request's Host.
	 */
	char		 mail_command[LK_MAIL_CMD_MAX];
	char		 mail_from[LK_MAIL_ADDR_MAX + 1];
	char		 site_url[LK_CONFIG_STR_MAX];
	int		 signup_open;		/* signup = open */
	long long	 reset_token_expires;	/* seconds a reset link works */
	long long	 invite_token_expires;	/* an invitation's link */
	long long	 signup_token_expires;	/* a sign-up's verification link */
	/* Security notices by mail, each on or off. */
	int		 notice_password_changed;
	int		 notice_password_reset;
	int		 notice_second_factor;	/* added or removed */
	int		 notice_passkey;	/* added or removed */

	/*
	 * Administration over /api/admin/ (cgi-bin/admin.c): on or off, the
	 * group whose members administer, the clients it answers (none for
	 * any), and how recent the administrator's login must be.
	 */
	int		 admin;
	char		 admin_group[LK_CONFIG_GROUP_MAX + 1];
	struct lk_net	 admin_networks[LK_CONFIG_ADMIN_NETS_MAX];
	size_t		 nadmin_networks;
	long long	 admin_fresh_seconds;
	/* Days the store keeps audit events (lk_store_audit_prune). */
	long long	 audit_retention_days;
};

/*
 * The four cookie names as sent, with the "__Host-" prefix (access and
 * both CSRF cookies) and "__Secure-" prefix (the path-scoped refresh
 * cookie) when cookie_host_prefix is set; and mfa_pending, the cookie of
 * a login waiting for its second factor (path-scoped: "__Secure-").
 */
struct lk_cookie_names {
	char	access[LK_CONFIG_NAME_MAX + 16];
	char	access_csrf[LK_CONFIG_NAME_MAX + 16];
	char	refresh[LK_CONFIG_NAME_MAX + 16];
	char	refresh_csrf[LK_CONFIG_NAME_MAX + 16];
	char	mfa_pending[LK_CONFIG_NAME_MAX + 16];	/* a login's first step */
};

void	lk_config_cookie_names(const struct lk_config *cfg,
	    struct lk_cookie_names *out);

/* Fill cfg with the defaults (no file read). */
void	lk_config_defaults(struct lk_config *cfg);

/*
 * Load the defaults, then the file at path.  Relative paths inside the file
 * (database unless it is a PostgreSQL URI, database_password_file,
 * key_file, mfa_key_file, public_keys, access_rules, gate_folder) are taken relative to
 * the file's own directory.
 * Returns 0, or -1 with a message "FILE:LINE: what is wrong" (or
 * "FILE: why it cannot be read") in err.  Unknown keys, repeated keys,
 * and bad values are errors.
 */
int	lk_config_load(struct lk_config *cfg, const char *path,
	    char *err, size_t errsz);

/*
 * The configuration file's path as the environment names it: the value of
 * LATCHKEY_CONFIG if set and non-empty, else the compiled-in default.
 */
const char *lk_config_default_path(void);

/* The compiled-in default path, whatever the environment says. */
const char *lk_config_builtin_path(void);

/* Whether the CSRF rule applies to a request with this method. */
int	lk_config_csrf_applies(const struct lk_config *cfg, const char *method);

/*
 * Whether origin (e.g. "https://app.example.com") is one of the
 * space-separated origins in list, compared exactly.
 */
int	lk_config_origin_listed(const char *list, const char *origin);

/*
 * Whether addr (a client's address, IPv4 or IPv6) is in metrics_networks.
 * An address that cannot be read is not.
 */
int	lk_config_metrics_client(const struct lk_config *cfg, const char *addr);

/*
 * Whether addr (a peer's address, IPv4 or IPv6) is in trusted_proxies.
 * An address that cannot be read is not.
 */
int	lk_config_trusted_proxy(const struct lk_config *cfg, const char *addr);

/*
 * Whether addr (a client's address, IPv4 or IPv6) may administer: any
 * address when admin_networks is empty, else one in them.  An address
 * that cannot be read is not.
 */
int	lk_config_admin_client(const struct lk_config *cfg, const char *addr);

/* The Set-Cookie spelling of a SameSite value ("Lax", ...), or NULL for off. */
const char *lk_samesite_str(enum lk_samesite);

#endif
