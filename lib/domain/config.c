#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "domain/config.h"
#include "domain/group.h"
#include "domain/mail.h"
#include "domain/password.h"
#include "http/method.h"

#ifndef LK_DEFAULT_CONFIG
#define LK_DEFAULT_CONFIG "/usr/local/etc/latchkey/latchkey.conf"
#endif

#define LINE_MAX_LEN	2048

enum kind {
	K_PATH,
	K_STR,		/* printable ASCII, may be empty */
	K_TEXT,		/* UTF-8 text for people, 1 to 100 characters */
	K_COOKIE_NAME,
	K_COOKIE_PATH,
	K_PAGE,		/* a path on this site, or empty */
	K_FOLDER_PATH,	/* a path of this site's folder: '/' first and last */
	K_DOMAIN,
	K_RP_ID,	/* a host name in lower case, or empty */
	K_HEADER,
	K_DURATION,
	K_BOOL,
	K_SAMESITE,
	K_METHODS,
	K_HASH_METHOD,
	K_HASH_COST,
	K_HASH_ALLOW,
	K_ALGORITHM,
	K_SIZE,
	K_COUNT,
	K_ORIGINS,
	K_MAIL_COMMAND,	/* lk_mail_command_parse's rules */
	K_MAIL_ADDR,	/* lk_mail_addr_valid's, or empty */
	K_URL,		/* http(s)://host[:port][/path], or empty */
	K_SIGNUP,	/* off or open */
	K_METRICS_NETS,	/* IPv4 and IPv6 networks (metrics_networks) */
	K_NETS,		/* IPv4 and IPv6 networks (trusted_proxies) */
	K_ADMIN_NETS,	/* IPv4 and IPv6 networks (admin_networks) */
	K_GROUP		/* a group's name (lib/domain/group.h) */
};

struct key {
	const char	*name;
	enum kind	 kind;
	size_t		 off;
	size_t		 size;		/* of the target, for strings */
	long long	 min, max;	/* for numbers */
};

#define S(f)	offsetof(struct lk_config, f), sizeof(((struct lk_config *)0)->f)

static const struct key keys[] = {
	{ "database", K_PATH, S(database), 0, 0 },
	{ "database_password_file", K_PATH, S(database_password_file), 0, 0 },
	{ "key_file", K_PATH, S(key_file), 0, 0 },
	{ "token_algorithm", K_ALGORITHM, S(token_algorithm), 0, 0 },
	{ "public_keys", K_PATH, S(public_keys), 0, 0 },
	{ "access_token_expires", K_DURATION, S(access_token_expires),
	    1, 366LL * 86400 },
	{ "fresh_seconds", K_DURATION, S(fresh_seconds), 1, 86400 },
	{ "leeway", K_DURATION, S(leeway), 0, 3600 },
	{ "issuer", K_STR, S(issuer), 0, 0 },
	{ "audience", K_STR, S(audience), 0, 0 },
	{ "access_cookie_name", K_COOKIE_NAME, S(access_cookie_name), 0, 0 },
	{ "access_cookie_path", K_COOKIE_PATH, S(access_cookie_path), 0, 0 },
	{ "access_csrf_cookie_name", K_COOKIE_NAME,
	    S(access_csrf_cookie_name), 0, 0 },
	{ "access_csrf_cookie_path", K_COOKIE_PATH,
	    S(access_csrf_cookie_path), 0, 0 },
	{ "cookie_domain", K_DOMAIN, S(cookie_domain), 0, 0 },
	{ "cookie_secure", K_BOOL, S(cookie_secure), 0, 0 },
	{ "cookie_samesite", K_SAMESITE, S(cookie_samesite), 0, 0 },
	{ "session_cookie", K_BOOL, S(session_cookie), 0, 0 },
	{ "csrf_protect", K_BOOL, S(csrf_protect), 0, 0 },
	{ "csrf_header_name", K_HEADER, S(csrf_header_name), 0, 0 },
	{ "csrf_methods", K_METHODS, S(csrf_methods), 0, 0 },
	{ "hash_method", K_HASH_METHOD, S(hash.method), 0, 0 },
	{ "hash_cost", K_HASH_COST, S(hash.cost), 1, 1000000000 },
	{ "hash_allow", K_HASH_ALLOW, S(hash.allow), 0, 0 },
	{ "max_body", K_SIZE, S(max_body), 64, 1024 * 1024 },
	{ "name_max", K_SIZE, S(name_max), 1, 100 },
	{ "refresh_token_expires", K_DURATION, S(refresh_token_expires),
	    60, 366LL * 86400 },
	{ "session_max", K_DURATION, S(session_max), 60, 3660LL * 86400 },
	{ "refresh_grace", K_DURATION, S(refresh_grace), 0, 300 },
	{ "session_refresh_max", K_COUNT, S(session_refresh_max), 1,
	    1000000000 },
	{ "sessions_max_per_user", K_COUNT, S(sessions_max_per_user), 1,
	    100000 },
	{ "refresh_cookie_name", K_COOKIE_NAME, S(refresh_cookie_name), 0, 0 },
	{ "refresh_cookie_path", K_COOKIE_PATH, S(refresh_cookie_path), 0, 0 },
	{ "refresh_csrf_cookie_name", K_COOKIE_NAME,
	    S(refresh_csrf_cookie_name), 0, 0 },
	{ "refresh_csrf_cookie_path", K_COOKIE_PATH,
	    S(refresh_csrf_cookie_path), 0, 0 },
	{ "cookie_host_prefix", K_BOOL, S(cookie_host_prefix), 0, 0 },
	{ "throttle_account_max", K_COUNT, S(throttle_account_max), 1, 1000000 },
	{ "throttle_address_max", K_COUNT, S(throttle_address_max), 1, 1000000 },
	{ "throttle_window", K_DURATION, S(throttle_window), 1, 86400 },
	{ "throttle_ipv6_prefix", K_COUNT, S(throttle_ipv6_prefix), 16, 128 },
	{ "password_min", K_SIZE, S(password_min), 1, 128 },
	{ "allowed_origins", K_ORIGINS, S(allowed_origins), 0, 0 },
	{ "cors_origins", K_ORIGINS, S(cors_origins), 0, 0 },
	{ "login_page", K_PAGE, S(login_page), 0, 0 },
	{ "access_rules", K_PATH, S(access_rules), 0, 0 },
	{ "gate_folder", K_PATH, S(gate_folder), 0, 0 },
	{ "gate_path", K_FOLDER_PATH, S(gate_path), 0, 0 },
	{ "trusted_proxies", K_NETS, S(trusted_proxies), 0, 0 },
	{ "metrics_file", K_PATH, S(metrics_file), 0, 0 },
	{ "metrics_networks", K_METRICS_NETS, S(metrics_networks), 0, 0 },
	{ "metrics_token_file", K_PATH, S(metrics_token_file), 0, 0 },
	{ "site_name", K_TEXT, S(site_name), 0, 0 },
	{ "mfa_key_file", K_PATH, S(mfa_key_file), 0, 0 },
	{ "webauthn_rp_id", K_RP_ID, S(webauthn_rp_id), 0, 0 },
	{ "mail_command", K_MAIL_COMMAND, S(mail_command), 0, 0 },
	{ "mail_from", K_MAIL_ADDR, S(mail_from), 0, 0 },
	{ "site_url", K_URL, S(site_url), 0, 0 },
	{ "oidc_issuer", K_URL, S(oidc_issuer), 0, 0 },
	{ "oidc_key_file", K_PATH, S(oidc_key_file), 0, 0 },
	{ "signup", K_SIGNUP, S(signup_open), 0, 0 },
	{ "reset_token_expires", K_DURATION, S(reset_token_expires),
	    60, 86400 },
	{ "invite_token_expires", K_DURATION, S(invite_token_expires),
	    60, 90LL * 86400 },
	{ "signup_token_expires", K_DURATION, S(signup_token_expires),
	    60, 30LL * 86400 },
	{ "notice_password_changed", K_BOOL, S(notice_password_changed), 0, 0 },
	{ "notice_password_reset", K_BOOL, S(notice_password_reset), 0, 0 },
	{ "notice_second_factor", K_BOOL, S(notice_second_factor), 0, 0 },
	{ "notice_passkey", K_BOOL, S(notice_passkey), 0, 0 },
	{ "admin", K_BOOL, S(admin), 0, 0 },
	{ "admin_group", K_GROUP, S(admin_group), 0, 0 },
	{ "admin_networks", K_ADMIN_NETS, S(admin_networks), 0, 0 },
	{ "admin_fresh_seconds", K_DURATION, S(admin_fresh_seconds), 1,
	    LLONG_MAX },
	{ "audit_retention_days", K_COUNT, S(audit_retention_days), 1, 36500 },
};

#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

static const char *const samesites[LK_SAMESITE__MAX] = {
	NULL,		/* LK_SAMESITE_OFF */
	"Lax",		/* LK_SAMESITE_LAX */
	"Strict",	/* LK_SAMESITE_STRICT */
	"None",		/* LK_SAMESITE_NONE */
};

const char *
lk_samesite_str(enum lk_samesite s)
{
	return s < LK_SAMESITE__MAX ? samesites[s] : NULL;
}

const char *
lk_config_builtin_path(void)
{
	return LK_DEFAULT_CONFIG;
}

const char *
lk_config_default_path(void)
{
	const char	*p;

	p = getenv("LATCHKEY_CONFIG");
	return (p != NULL && *p != '\0') ? p : LK_DEFAULT_CONFIG;
}

void
lk_config_defaults(struct lk_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	(void)lk_strlcpy(cfg->database, "latchkey.db", sizeof(cfg->database));
	(void)lk_strlcpy(cfg->key_file, "secret.key", sizeof(cfg->key_file));
	cfg->token_algorithm = LK_KEY_HS256;
	cfg->access_token_expires = 3600;
	cfg->fresh_seconds = 900;
	cfg->leeway = 0;
	(void)lk_strlcpy(cfg->access_cookie_name, "access_token_cookie",
	    sizeof(cfg->access_cookie_name));
	(void)lk_strlcpy(cfg->access_cookie_path, "/",
	    sizeof(cfg->access_cookie_path));
	(void)lk_strlcpy(cfg->access_csrf_cookie_name, "csrf_access_token",
	    sizeof(cfg->access_csrf_cookie_name));
	(void)lk_strlcpy(cfg->access_csrf_cookie_path, "/",
	    sizeof(cfg->access_csrf_cookie_path));
	cfg->cookie_secure = 1;
	cfg->cookie_samesite = LK_SAMESITE_LAX;
	cfg->session_cookie = 1;
	cfg->csrf_protect = 1;
	(void)lk_strlcpy(cfg->csrf_header_name, "X-CSRF-TOKEN",
	    sizeof(cfg->csrf_header_name));
	cfg->csrf_methods = LK_METHOD_POST | LK_METHOD_PUT | LK_METHOD_PATCH |
	    LK_METHOD_DELETE;
	(void)lk_strlcpy(cfg->hash.method, "yescrypt", sizeof(cfg->hash.method));
	cfg->hash.cost = lk_password_default_cost("yescrypt");
	cfg->hash.allow = LK_HASH_YESCRYPT | LK_HASH_BCRYPT |
	    LK_HASH_SHA512CRYPT;
	cfg->max_body = 8192;
	cfg->name_max = 100;
	cfg->refresh_token_expires = 30LL * 86400;
	cfg->session_max = 30LL * 86400;
	cfg->refresh_grace = 10;
	cfg->sessions_max_per_user = 50;
	(void)lk_strlcpy(cfg->refresh_cookie_name, "refresh_token_cookie",
	    sizeof(cfg->refresh_cookie_name));
	(void)lk_strlcpy(cfg->refresh_cookie_path, "/api/refresh",
	    sizeof(cfg->refresh_cookie_path));
	(void)lk_strlcpy(cfg->refresh_csrf_cookie_name, "csrf_refresh_token",
	    sizeof(cfg->refresh_csrf_cookie_name));
	(void)lk_strlcpy(cfg->refresh_csrf_cookie_path, "/",
	    sizeof(cfg->refresh_csrf_cookie_path));
	cfg->throttle_account_max = 5;
	cfg->throttle_address_max = 20;
	cfg->throttle_window = 15 * 60;
	cfg->throttle_ipv6_prefix = 64;
	cfg->password_min = 8;
	(void)lk_strlcpy(cfg->login_page, "/login", sizeof(cfg->login_page));
	(void)lk_strlcpy(cfg->gate_path, "/members/", sizeof(cfg->gate_path));
	/* Loopback: a proxy on the same machine. */
	(void)lk_net_parse("127.0.0.0/8", &cfg->trusted_proxies[0]);
	(void)lk_net_parse("::1", &cfg->trusted_proxies[1]);
	cfg->ntrusted_proxies = 2;
	/* Loopback: a Prometheus on the same machine. */
	(void)lk_net_parse("127.0.0.0/8", &cfg->metrics_networks[0]);
	(void)lk_net_parse("::1", &cfg->metrics_networks[1]);
	cfg->nmetrics_networks = 2;
	(void)lk_strlcpy(cfg->site_name, "latchkey", sizeof(cfg->site_name));
	(void)lk_strlcpy(cfg->mfa_key_file, "mfa.key", sizeof(cfg->mfa_key_file));
	(void)lk_strlcpy(cfg->oidc_key_file, "oidc.key",
	    sizeof(cfg->oidc_key_file));
	(void)lk_strlcpy(cfg->mail_command, "/usr/sbin/sendmail -t -i",
	    sizeof(cfg->mail_command));
	cfg->reset_token_expires = 30 * 60;
	cfg->invite_token_expires = 7 * 86400;
	cfg->signup_token_expires = 86400;
	cfg->notice_password_changed = 1;
	cfg->notice_password_reset = 1;
	cfg->notice_second_factor = 1;
	cfg->notice_passkey = 1;
	cfg->admin = 1;
	(void)lk_strlcpy(cfg->admin_group, "admins", sizeof(cfg->admin_group));
	cfg->admin_fresh_seconds = 900;
	cfg->audit_retention_days = 90;
}

/*
 * An origin as browsers send it: scheme "://" host [":" port], lower-case
 * letters, digits, '-', '.', nothing after.
 */
static int
origin_valid(const char *o, size_t len)
{
	size_t	i = 0;

	if (len > 8 && strncmp(o, "https://", 8) == 0)
		i = 8;
	else if (len > 7 && strncmp(o, "http://", 7) == 0)
		i = 7;
	else
		return 0;
	for (; i < len; i++)
		if (!((o[i] >= 'a' && o[i] <= 'z') || (o[i] >= '0' && o[i] <= '9') ||
		    o[i] == '-' || o[i] == '.' || o[i] == ':' || o[i] == '[' ||
		    o[i] == ']'))
			return 0;
	return 1;
}

/*
 * The site's address for links in mail: an origin as above (port
 * allowed), then nothing or a path of unreserved characters and '/', no
 * query, fragment, percent sign or empty segment, so that "/reset#TOKEN"
 * appended to it is a link every mail reader shows whole.  A final '/'
 * has been taken off.
 */
static int
site_url_valid(const char *u)
{
	size_t	i = 0, len = strlen(u);

	if (strncmp(u, "https://", 8) == 0)
		i = 8;
	else if (strncmp(u, "http://", 7) == 0)
		i = 7;
	else
		return 0;
	if (u[i] == '\0' || u[i] == '/' || u[i] == ':')
		return 0;
	for (; i < len && u[i] != '/'; i++)
		if (!((u[i] >= 'a' && u[i] <= 'z') || (u[i] >= '0' && u[i] <= '9') ||
		    u[i] == '-' || u[i] == '.' || u[i] == ':' || u[i] == '[' ||
		    u[i] == ']'))
			return 0;
	for (; i < len; i++)
		if (!((u[i] >= 'a' && u[i] <= 'z') || (u[i] >= 'A' && u[i] <= 'Z') ||
		    (u[i] >= '0' && u[i] <= '9') || u[i] == '-' || u[i] == '.' ||
		    u[i] == '_' || u[i] == '~' ||
		    (u[i] == '/' && u[i + 1] != '/')))
			return 0;
	return 1;
}

int
lk_config_origin_listed(const char *list, const char *origin)
{
	size_t	n, olen = strlen(origin);

	while (*list != '\0') {
		while (*list == ' ')
			list++;
		n = strcspn(list, " ");
		if (n > 0 && n == olen && memcmp(list, origin, n) == 0)
			return 1;
		list += n;
	}
	return 0;
}

/* The attribute lets clang's -Wformat=2 (and both compilers) check callers. */
static void	seterr(char *, size_t, const char *, size_t, const char *, ...)
		    __attribute__((format(printf, 5, 6)));

static void
seterr(char *err, size_t errsz, const char *path, size_t line,
    const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
	if (line > 0)
		(void)snprintf(err, errsz, "%s:%zu: %s", path, line, msg);
	else
		(void)snprintf(err, errsz, "%s: %s", path, msg);
}

static int
is_tchar(int c)
{
	/* RFC 9110 token characters. */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
all_chars(const char *s, int (*ok)(int))
{
	for (; *s != '\0'; s++)
		if (!ok((unsigned char)*s))
			return 0;
	return 1;
}

static int
is_printable(int c)
{
	return c > 0x20 && c < 0x7f;
}

static int
is_path_char(int c)
{
	/* A cookie attribute value: no controls, no ';', no spaces. */
	return c > 0x20 && c < 0x7f && c != ';';
}

static int
is_page_char(int c)
{
	/* A path of this site without query or fragment. */
	return is_path_char(c) && c != '?' && c != '#' && c != '\\';
}

static int
is_domain_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static int
is_rp_id_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	    c == '.';
}

static int
parse_bool(const char *v, int *out)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 ||
	    strcmp(v, "on") == 0 || strcmp(v, "1") == 0)
		*out = 1;
	else if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0 ||
	    strcmp(v, "off") == 0 || strcmp(v, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

/* A number of seconds, optionally with one suffix s, m, h or d. */
static int
parse_duration(const char *v, long long min, long long max, long long *out)
{
	char		 num[32];
	size_t		 len;
	long long	 mult = 1, n;

	len = strlen(v);
	if (len == 0 || len >= sizeof(num))
		return -1;
	memcpy(num, v, len + 1);
	switch (num[len - 1]) {
	case 's':
		mult = 1;
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	default:
		mult = 0;
		break;
	}
	if (mult != 0)
		num[len - 1] = '\0';
	else
		mult = 1;
	if (lk_parse_ll(num, 0, max, &n) == -1 || n > max / mult)
		return -1;
	n *= mult;
	if (n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/* A list of words separated by commas and/or spaces. */
static int
parse_list(const char *v, unsigned int (*bit)(const char *), unsigned int *out)
{
	char		 word[32];
	size_t		 n;
	unsigned int	 b, acc = 0;

	while (*v != '\0') {
		while (*v == ' ' || *v == '	' || *v == ',')
			v++;
		if (*v == '\0')
			break;
		n = strcspn(v, " 	,");
		if (n >= sizeof(word))
			return -1;
		memcpy(word, v, n);
		word[n] = '\0';
		if ((b = bit(word)) == 0)
			return -1;
		acc |= b;
		v += n;
	}
	*out = acc;
	return 0;
}

/*
 * Whether v is a database server's URI: PostgreSQL (libpq's two
 * spellings) or MariaDB/MySQL.
 */
static int
is_uri(const char *v)
{
	return strncmp(v, "postgresql://", 13) == 0 ||
	    strncmp(v, "postgres://", 11) == 0 ||
	    strncmp(v, "mysql://", 8) == 0;
}

/*
 * Resolve a relative path against the directory of the config file; an
 * empty value (no file) and a database URI stay as they are.
 */
static int
resolve_path(const char *cfgpath, const char *v, char *out, size_t outsz)
{
	const char	*slash;
	int		 n;

	if (v[0] == '\0' || v[0] == '/' || is_uri(v) ||
	    (slash = strrchr(cfgpath, '/')) == NULL)
		return lk_strlcpy(out, v, outsz);
	n = snprintf(out, outsz, "%.*s/%s", (int)(slash - cfgpath), cfgpath, v);
	return (n < 0 || (size_t)n >= outsz) ? -1 : 0;
}

/*
 * The counter file: "off" is none; a path set is taken relative to the
 * configuration's folder; unset, it is the SQLite database's path with
 * ".metrics" (a folder the programs write in already), none for a server
 * database.
 */
static int
metrics_file(struct lk_config *cfg, const char *cfgpath, int set)
{
	char	tmp[LK_CONFIG_PATH_MAX];
	int	n;

	if (set && strcmp(cfg->metrics_file, "off") == 0) {
		cfg->metrics_file[0] = '\0';
		return 0;
	}
	if (set) {
		if (resolve_path(cfgpath, cfg->metrics_file, tmp,
		    sizeof(tmp)) == -1)
			return -1;
		return lk_strlcpy(cfg->metrics_file, tmp,
		    sizeof(cfg->metrics_file));
	}
	cfg->metrics_file[0] = '\0';
	if (is_uri(cfg->database))
		return 0;
	n = snprintf(cfg->metrics_file, sizeof(cfg->metrics_file),
	    "%s.metrics", cfg->database);
	return n < 0 || (size_t)n >= sizeof(cfg->metrics_file) ? -1 : 0;
}

/*
 * Store a value of the given size into the key's field, which must be
 * exactly that size: the table and the struct cannot drift apart unseen.
 */
static int
store(struct lk_config *cfg, const struct key *k, const void *v, size_t n,
    char *why, size_t whysz)
{
	if (k->size != n) {
		(void)snprintf(why, whysz, "%s: internal error (field size)",
		    k->name);
		return -1;
	}
	memcpy((char *)cfg + k->off, v, n);
	return 0;
}

/* A string value: fits, and every character passes ok (if given). */
static int
set_string(struct lk_config *cfg, const struct key *k, const char *v,
    int (*ok)(int), int nonempty, const char *what, char *why, size_t whysz)
{
	if ((nonempty && *v == '\0') || strlen(v) >= k->size ||
	    (ok != NULL && !all_chars(v, ok))) {
		(void)snprintf(why, whysz, "%s: %s", k->name, what);
		return -1;
	}
	return lk_strlcpy((char *)cfg + k->off, v, k->size);
}

/* A number of one of the integer kinds, within the key's range. */
static int
set_number(struct lk_config *cfg, const struct key *k, const char *v,
    char *why, size_t whysz)
{
	long long	n;
	size_t		z;
	unsigned long	ul;

	if (k->kind == K_DURATION) {
		if (parse_duration(v, k->min, k->max, &n) == -1) {
			(void)snprintf(why, whysz, "%s: expected seconds between "
			    "%lld and %lld (suffix s, m, h or d allowed)",
			    k->name, k->min, k->max);
			return -1;
		}
	} else if (lk_parse_ll(v, k->min, k->max, &n) == -1) {
		(void)snprintf(why, whysz, "%s: expected an integer between "
		    "%lld and %lld", k->name, k->min, k->max);
		return -1;
	}
	switch (k->kind) {
	case K_SIZE:
		z = (size_t)n;
		return store(cfg, k, &z, sizeof(z), why, whysz);
	case K_HASH_COST:
		ul = (unsigned long)n;
		return store(cfg, k, &ul, sizeof(ul), why, whysz);
	default:
		return store(cfg, k, &n, sizeof(n), why, whysz);
	}
}

/* Normalise a list of origins to single spaces; each a bare origin. */
static int
set_origins(struct lk_config *cfg, const struct key *k, const char *v,
    char *why, size_t whysz)
{
	char	norm[LK_CONFIG_LIST_MAX];
	size_t	o = 0, w;

	norm[0] = '\0';
	while (*v != '\0') {
		while (*v == ' ' || *v == '	' || *v == ',')
			v++;
		if (*v == '\0')
			break;
		w = strcspn(v, " 	,");
		if (!origin_valid(v, w) || o + w + 2 >= sizeof(norm) ||
		    v[w - 1] == '/') {
			(void)snprintf(why, whysz, "%s: expected origins like "
			    "https://app.example.com (lower case, no path), "
			    "separated by spaces", k->name);
			return -1;
		}
		if (o > 0)
			norm[o++] = ' ';
		memcpy(norm + o, v, w);
		o += w;
		norm[o] = '\0';
		v += w;
	}
	return lk_strlcpy((char *)cfg + k->off, norm, k->size);
}

static int
set_samesite(struct lk_config *cfg, const struct key *k, const char *v,
    char *why, size_t whysz)
{
	static const struct {
		const char	*name;
		enum lk_samesite value;
	} names[] = {
		{ "Lax", LK_SAMESITE_LAX }, { "lax", LK_SAMESITE_LAX },
		{ "Strict", LK_SAMESITE_STRICT }, { "strict", LK_SAMESITE_STRICT },
		{ "None", LK_SAMESITE_NONE }, { "none", LK_SAMESITE_NONE },
		{ "off", LK_SAMESITE_OFF },
	};
	size_t	i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(v, names[i].name) == 0)
			return store(cfg, k, &names[i].value,
			    sizeof(names[i].value), why, whysz);
	(void)snprintf(why, whysz, "%s: expected Lax, Strict, None or off",
	    k->name);
	return -1;
}

/* A mail command as lk_mail_send will run it (no shell). */
static int
set_mail_command(struct lk_config *cfg, const struct key *k, const char *v,
    char *why, size_t whysz)
{
	struct lk_mail_argv	a;
	char			msg[192];

	if (lk_mail_command_parse(v, &a, msg, sizeof(msg)) == -1) {
		(void)snprintf(why, whysz, "%s: %s", k->name, msg);
		return -1;
	}
	return set_string(cfg, k, v, NULL, 1, "too long", why, whysz);
}

/* site_url, its final '/' dropped ("https://example.com/" is the same). */
static int
set_site_url(struct lk_config *cfg, const struct key *k, const char *v,
    char *why, size_t whysz)
{
	char	u[LK_CONFIG_STR_MAX];
	size_t	n = strlen(v);

	if (n >= sizeof(u))
		n = sizeof(u);
	else {
		memcpy(u, v, n + 1);
		if (n > 0 && u[n - 1] == '/')
			u[--n] = '\0';
	}
	if (n < sizeof(u) && (n == 0 || site_url_valid(u)))
		return lk_strlcpy((char *)cfg + k->off, u, k->size);
	(void)snprintf(why, whysz, "%s: expected the site's address, like "
	    "https://example.com or https://example.com/app (lower-case host, "
	    "no query or fragment), or nothing", k->name);
	return -1;
}

/*
 * metrics_networks, trusted_proxies: networks separated by spaces and/or
 * commas, each an address or address/bits; nothing for none (for
 * metrics_networks, the token alone then).
 */
static int
set_nets(const struct key *k, const char *v, struct lk_net *nets, size_t max,
    size_t *count_out, char *why, size_t whysz)
{
	char		 net[LK_NET_TEXT_MAX];
	size_t		 n, count = 0;
	enum lk_net_err	 e;

	while (*v != '\0') {
		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		if (*v == '\0')
			break;
		n = strcspn(v, " \t,");
		if (count == max) {
			(void)snprintf(why, whysz, "%s: at most %zu networks",
			    k->name, max);
			return -1;
		}
		e = LK_NET_BAD;
		if (n < sizeof(net)) {
			memcpy(net, v, n);
			net[n] = '\0';
			e = lk_net_parse(net, &nets[count]);
		}
		if (e != LK_NET_OK) {
			(void)snprintf(why, whysz, "%s: \"%.*s\" %s", k->name,
			    (int)(n < 80 ? n : 80), v, e == LK_NET_HOST_BITS ?
			    "has bits set past its prefix length" :
			    e == LK_NET_PREFIX ? "has a prefix length out of "
			    "range (0 to 32 for IPv4, 0 to 128 for IPv6)" :
			    "is not an IPv4 or IPv6 address or network (e.g. "
			    "127.0.0.1, 10.0.0.0/8, ::1, fd00::/8)");
			return -1;
		}
		count++;
		v += n;
	}
	*count_out = count;
	return 0;
}

int
lk_config_trusted_proxy(const struct lk_config *cfg, const char *addr)
{
	unsigned char	a[16];
	size_t		i;

	if (addr == NULL || lk_addr_parse(addr, a) == -1)
		return 0;
	for (i = 0; i < cfg->ntrusted_proxies; i++)
		if (lk_net_contains(&cfg->trusted_proxies[i], a))
			return 1;
	return 0;
}

int
lk_config_metrics_client(const struct lk_config *cfg, const char *addr)
{
	unsigned char	a[16];
	size_t		i;

	if (addr == NULL || lk_addr_parse(addr, a) == -1)
		return 0;
	for (i = 0; i < cfg->nmetrics_networks; i++)
		if (lk_net_contains(&cfg->metrics_networks[i], a))
			return 1;
	return 0;
}

int
lk_config_admin_client(const struct lk_config *cfg, const char *addr)
{
	unsigned char	a[16];
	size_t		i;

	if (addr == NULL || lk_addr_parse(addr, a) == -1)
		return 0;
	if (cfg->nadmin_networks == 0)
		return 1;
	for (i = 0; i < cfg->nadmin_networks; i++)
		if (lk_net_contains(&cfg->admin_networks[i], a))
			return 1;
	return 0;
}

static int
set_value(struct lk_config *cfg, const struct key *k, const char *v,
    char *why, size_t whysz)
{
	enum lk_key_alg	alg;
	unsigned int	bits;
	long		n;
	int		b;
	const char	*bad;

	switch (k->kind) {
	case K_PATH:
		/* Resolved against the file's directory afterwards. */
		return set_string(cfg, k, v, NULL, 1, "empty or too long path",
		    why, whysz);
	case K_STR:
		return set_string(cfg, k, v, is_printable, 0, "invalid value",
		    why, whysz);
	case K_TEXT:
		n = lk_utf8_text_len(v, strlen(v));
		if (n < 1 || n > 100 || v[0] == ' ' || v[strlen(v) - 1] == ' ') {
			(void)snprintf(why, whysz, "%s: expected 1 to 100 "
			    "characters of text, no control characters, no "
			    "leading or trailing space", k->name);
			return -1;
		}
		return set_string(cfg, k, v, NULL, 1, "too long", why, whysz);
	case K_DOMAIN:
		return set_string(cfg, k, v, is_domain_char, 0, "invalid value",
		    why, whysz);
	case K_RP_ID:
		/*
		 * WebAuthn compares the RP ID as the browser has it: lower
		 * case.  Browsers refuse an IP address (a name of digits and
		 * dots alone), and so does this.
		 */
		if (*v != '\0' && strspn(v, "0123456789.") == strlen(v)) {
			(void)snprintf(why, whysz, "%s: an IP address is no RP "
			    "ID (browsers refuse it): a host name", k->name);
			return -1;
		}
		return set_string(cfg, k, v, is_rp_id_char, 0, "expected a host "
		    "name in lower case (letters, digits, '-', '.'), or nothing "
		    "for the host of each request", why, whysz);
	case K_COOKIE_NAME:
	case K_HEADER:
		return set_string(cfg, k, v, is_tchar, 1, "must be a non-empty "
		    "token (letters, digits, -_.!#$%&'*+^`|~)", why, whysz);
	case K_COOKIE_PATH:
		if (v[0] != '/')
			v = "";
		return set_string(cfg, k, v, is_path_char, 1, "must start with "
		    "'/' and hold no spaces, controls or ';'", why, whysz);
	case K_PAGE:
		/* "//host/..." would leave the site. */
		if (*v != '\0' && (v[0] != '/' || v[1] == '/'))
			v = "?";
		return set_string(cfg, k, v, is_page_char, 0, "must be empty or "
		    "a path of this site: one '/' first, no query, fragment, "
		    "spaces, controls, ';' or '\\'", why, whysz);
	case K_FOLDER_PATH:
		/*
		 * Written as the gate matches requests (decoded, normalised):
		 * one '/' first, one last, no "." or ".." segment, no '%'.
		 */
		if (v[0] != '/' || v[strlen(v) - 1] != '/' ||
		    strstr(v, "//") != NULL || strstr(v, "/./") != NULL ||
		    strstr(v, "/../") != NULL || strchr(v, '%') != NULL)
			v = "";
		return set_string(cfg, k, v, is_page_char, 1, "must be a "
		    "folder's path on this site, '/' first and last (/members/), "
		    "with no '%', '.' or '..' segment, query, spaces, controls, "
		    "';' or '\\'", why, whysz);
	case K_DURATION:
	case K_SIZE:
	case K_COUNT:
	case K_HASH_COST:
		return set_number(cfg, k, v, why, whysz);
	case K_ORIGINS:
		return set_origins(cfg, k, v, why, whysz);
	case K_BOOL:
		if (parse_bool(v, &b) == -1) {
			(void)snprintf(why, whysz, "%s: expected true or false",
			    k->name);
			return -1;
		}
		return store(cfg, k, &b, sizeof(b), why, whysz);
	case K_SAMESITE:
		return set_samesite(cfg, k, v, why, whysz);
	case K_METHODS:
		if (lk_method_list(v, &bits) == -1) {
			(void)snprintf(why, whysz, "%s: expected HTTP methods "
			    "among GET HEAD POST PUT PATCH DELETE OPTIONS",
			    k->name);
			return -1;
		}
		return store(cfg, k, &bits, sizeof(bits), why, whysz);
	case K_HASH_METHOD:
		if (lk_password_method_bit(v) == 0) {
			(void)snprintf(why, whysz, "%s: expected yescrypt, "
			    "bcrypt or sha512crypt", k->name);
			return -1;
		}
		return set_string(cfg, k, v, NULL, 1, "too long", why, whysz);
	case K_ALGORITHM:
		if (lk_key_alg_parse(v, &alg) == -1) {
			(void)snprintf(why, whysz, "%s: expected HS256, ES256 or "
			    "RS256", k->name);
			return -1;
		}
		return store(cfg, k, &alg, sizeof(alg), why, whysz);
	case K_HASH_ALLOW:
		if (parse_list(v, lk_password_method_bit, &bits) == -1 ||
		    bits == 0) {
			(void)snprintf(why, whysz, "%s: expected methods among "
			    "yescrypt bcrypt sha512crypt", k->name);
			return -1;
		}
		return store(cfg, k, &bits, sizeof(bits), why, whysz);
	case K_MAIL_COMMAND:
		return set_mail_command(cfg, k, v, why, whysz);
	case K_MAIL_ADDR:
		if (*v != '\0' && !lk_mail_addr_valid(v)) {
			(void)snprintf(why, whysz, "%s: expected a plain ASCII "
			    "address like noreply@example.com (no name, no "
			    "angle brackets), or nothing", k->name);
			return -1;
		}
		return set_string(cfg, k, v, NULL, 0, "too long", why, whysz);
	case K_URL:
		return set_site_url(cfg, k, v, why, whysz);
	case K_SIGNUP:
		if (strcmp(v, "off") != 0 && strcmp(v, "open") != 0) {
			(void)snprintf(why, whysz, "%s: expected off or open",
			    k->name);
			return -1;
		}
		b = strcmp(v, "open") == 0;
		return store(cfg, k, &b, sizeof(b), why, whysz);
	case K_METRICS_NETS:
		return set_nets(k, v, cfg->metrics_networks,
		    LK_CONFIG_METRICS_NETS_MAX, &cfg->nmetrics_networks, why,
		    whysz);
	case K_NETS:
		return set_nets(k, v, cfg->trusted_proxies, LK_CONFIG_NETS_MAX,
		    &cfg->ntrusted_proxies, why, whysz);
	case K_ADMIN_NETS:
		return set_nets(k, v, cfg->admin_networks,
		    LK_CONFIG_ADMIN_NETS_MAX, &cfg->nadmin_networks, why, whysz);
	case K_GROUP:
		if ((bad = lk_group_name_check(v)) != NULL) {
			(void)snprintf(why, whysz, "%s: %s", k->name, bad);
			return -1;
		}
		return set_string(cfg, k, v, NULL, 1, "too long", why, whysz);
	}
	return -1;
}

static size_t
key_line(const size_t *seen, const char *name)
{
	size_t	i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return seen[i];
	return 0;
}

/*
 * Every pair of the four cookie names must differ, as configured and as
 * sent (with the __Host-/__Secure- prefixes): two equal names would let
 * the HttpOnly token cookie and a script-readable CSRF cookie overwrite
 * each other.  The error names the later of the two lines.
 */
static int
check_cookie_names(const struct lk_config *cfg, const size_t *seen,
    const char *path, char *err, size_t errsz)
{
	static const char *const keynames[4] = { "access_cookie_name",
	    "access_csrf_cookie_name", "refresh_cookie_name",
	    "refresh_csrf_cookie_name" };
	struct lk_cookie_names	 sent;
	const char		*base[4], *as_sent[4];
	size_t			 i, j, li, lj;

	lk_config_cookie_names(cfg, &sent);
	base[0] = cfg->access_cookie_name;
	base[1] = cfg->access_csrf_cookie_name;
	base[2] = cfg->refresh_cookie_name;
	base[3] = cfg->refresh_csrf_cookie_name;
	as_sent[0] = sent.access;
	as_sent[1] = sent.access_csrf;
	as_sent[2] = sent.refresh;
	as_sent[3] = sent.refresh_csrf;
	for (i = 0; i < 4; i++)
		for (j = i + 1; j < 4; j++) {
			if (strcmp(base[i], base[j]) != 0 &&
			    strcmp(as_sent[i], as_sent[j]) != 0)
				continue;
			li = key_line(seen, keynames[i]);
			lj = key_line(seen, keynames[j]);
			seterr(err, errsz, path, li > lj ? li : lj, "%s and %s "
			    "are both \"%s\": the four cookie names must differ",
			    keynames[i], keynames[j], as_sent[i]);
			return -1;
		}
	return 0;
}

void
lk_config_cookie_names(const struct lk_config *cfg, struct lk_cookie_names *out)
{
	const char	*host = cfg->cookie_host_prefix ? "__Host-" : "";
	const char	*sec = cfg->cookie_host_prefix ? "__Secure-" : "";

	memset(out, 0, sizeof(*out));
	(void)snprintf(out->access, sizeof(out->access), "%s%s", host,
	    cfg->access_cookie_name);
	(void)snprintf(out->access_csrf, sizeof(out->access_csrf), "%s%s",
	    host, cfg->access_csrf_cookie_name);
	(void)snprintf(out->refresh, sizeof(out->refresh), "%s%s", sec,
	    cfg->refresh_cookie_name);
	(void)snprintf(out->refresh_csrf, sizeof(out->refresh_csrf), "%s%s",
	    host, cfg->refresh_csrf_cookie_name);
	(void)snprintf(out->mfa_pending, sizeof(out->mfa_pending), "%smfa_pending",
	    sec);
}

static char *
trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '	')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '	' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/*
 * Apply one line of the file (already free of its newline).  Returns 0,
 * or -1 with the error in err.
 */
static int
apply_line(struct lk_config *cfg, char *buf, size_t lineno, size_t *seen,
    const char *path, char *err, size_t errsz)
{
	char	why[256], *line, *eq, *k, *v;
	size_t	i;

	line = trim(buf);
	if (*line == '\0' || *line == '#')
		return 0;
	if ((eq = strchr(line, '=')) == NULL) {
		seterr(err, errsz, path, lineno, "expected \"key = value\"");
		return -1;
	}
	*eq = '\0';
	k = trim(line);
	v = trim(eq + 1);
	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, k) == 0)
			break;
	if (i == NKEYS) {
		seterr(err, errsz, path, lineno, "unknown key \"%.64s\"", k);
		return -1;
	}
	if (seen[i]) {
		seterr(err, errsz, path, lineno, "%s: set twice", k);
		return -1;
	}
	seen[i] = lineno;
	if (set_value(cfg, &keys[i], v, why, sizeof(why)) == -1) {
		seterr(err, errsz, path, lineno, "%s", why);
		return -1;
	}
	return 0;
}

/* Read the file line by line into cfg.  Returns 0 or -1 (err set). */
static int
read_file(struct lk_config *cfg, FILE *f, size_t *seen, const char *path,
    char *err, size_t errsz)
{
	char	buf[LINE_MAX_LEN + 2];
	size_t	lineno = 0, len;

	while (fgets(buf, sizeof(buf), f) != NULL) {
		lineno++;
		len = strlen(buf);
		if (len > 0 && buf[len - 1] == '\n')
			buf[--len] = '\0';
		else if (!feof(f)) {
			seterr(err, errsz, path, lineno, "line too long");
			return -1;
		}
		if (memchr(buf, '\0', len) != NULL || strlen(buf) != len) {
			seterr(err, errsz, path, lineno, "NUL byte in line");
			return -1;
		}
		if (apply_line(cfg, buf, lineno, seen, path, err, errsz) == -1)
			return -1;
	}
	if (ferror(f)) {
		seterr(err, errsz, path, 0, "read error");
		return -1;
	}
	return 0;
}

/* Defaults that follow other keys, then the checks across keys. */
static int
check_across(struct lk_config *cfg, const size_t *seen, const char *path,
    char *err, size_t errsz)
{
	if (key_line(seen, "hash_cost") == 0)
		cfg->hash.cost = lk_password_default_cost(cfg->hash.method);
	/* Enough for a session used without a pause to reach session_max. */
	if (key_line(seen, "session_refresh_max") == 0)
		cfg->session_refresh_max = 2 * (cfg->session_max /
		    cfg->access_token_expires + 1);
	if (!lk_password_cost_ok(cfg->hash.method, cfg->hash.cost)) {
		seterr(err, errsz, path, 0, "hash_cost %lu is out of range for "
		    "%s", cfg->hash.cost, cfg->hash.method);
		return -1;
	}
	if ((cfg->hash.allow & lk_password_method_bit(cfg->hash.method)) == 0) {
		seterr(err, errsz, path, 0, "hash_allow must include "
		    "hash_method (%s)", cfg->hash.method);
		return -1;
	}
	if (cfg->cookie_samesite == LK_SAMESITE_NONE && !cfg->cookie_secure) {
		seterr(err, errsz, path, 0, "cookie_samesite = None requires "
		    "cookie_secure = true");
		return -1;
	}
	if (cfg->cookie_host_prefix && !cfg->cookie_secure) {
		seterr(err, errsz, path, 0, "cookie_host_prefix requires "
		    "cookie_secure = true");
		return -1;
	}
	if (cfg->cookie_host_prefix &&
	    (strcmp(cfg->access_cookie_path, "/") != 0 ||
	    strcmp(cfg->access_csrf_cookie_path, "/") != 0 ||
	    strcmp(cfg->refresh_csrf_cookie_path, "/") != 0)) {
		seterr(err, errsz, path, 0, "cookie_host_prefix needs the "
		    "access and CSRF cookie paths to be /");
		return -1;
	}
	if (cfg->cookie_host_prefix && cfg->cookie_domain[0] != '\0') {
		seterr(err, errsz, path, key_line(seen, "cookie_domain"),
		    "cookie_domain cannot be combined with cookie_host_prefix: "
		    "a __Host- cookie is never sent to another host, so a login "
		    "could not reach the other hosts of the domain");
		return -1;
	}
	if (cfg->signup_open && (cfg->mail_from[0] == '\0' ||
	    cfg->site_url[0] == '\0')) {
		seterr(err, errsz, path, key_line(seen, "signup"), "signup = "
		    "open mails a link: it needs mail_from and site_url");
		return -1;
	}
	if (key_line(seen, "public_keys") != 0 && key_line(seen, "key_file") != 0) {
		seterr(err, errsz, path, key_line(seen, "public_keys"),
		    "public_keys makes a node that only verifies: it takes no "
		    "key_file");
		return -1;
	}
	if (cfg->access_token_expires > cfg->refresh_token_expires) {
		seterr(err, errsz, path, 0, "access_token_expires must not be "
		    "longer than refresh_token_expires");
		return -1;
	}
	return check_cookie_names(cfg, seen, path, err, errsz);
}

int
lk_config_load(struct lk_config *cfg, const char *path, char *err,
    size_t errsz)
{
	FILE	*f;
	char	 tmp[LK_CONFIG_PATH_MAX];
	size_t	 seen[NKEYS];	/* line that set each key, 0 if none */
	int	 rc = -1;

	lk_config_defaults(cfg);
	memset(seen, 0, sizeof(seen));
	if (lk_strlcpy(cfg->path, path, sizeof(cfg->path)) == -1) {
		seterr(err, errsz, path, 0, "path too long");
		return -1;
	}
	if ((f = fopen(path, "re")) == NULL) {
		seterr(err, errsz, path, 0, "%s", strerror(errno));
		return -1;
	}
	if (read_file(cfg, f, seen, path, err, errsz) == -1 ||
	    check_across(cfg, seen, path, err, errsz) == -1)
		goto out;
	if (resolve_path(path, cfg->database, tmp, sizeof(tmp)) == -1 ||
	    lk_strlcpy(cfg->database, tmp, sizeof(cfg->database)) == -1 ||
	    resolve_path(path, cfg->database_password_file, tmp,
	    sizeof(tmp)) == -1 ||
	    lk_strlcpy(cfg->database_password_file, tmp,
	    sizeof(cfg->database_password_file)) == -1 ||
	    resolve_path(path, cfg->key_file, tmp, sizeof(tmp)) == -1 ||
	    lk_strlcpy(cfg->key_file, tmp, sizeof(cfg->key_file)) == -1 ||
	    resolve_path(path, cfg->mfa_key_file, tmp, sizeof(tmp)) == -1 ||
	    lk_strlcpy(cfg->mfa_key_file, tmp, sizeof(cfg->mfa_key_file)) == -1 ||
	    resolve_path(path, cfg->oidc_key_file, tmp, sizeof(tmp)) == -1 ||
	    lk_strlcpy(cfg->oidc_key_file, tmp, sizeof(cfg->oidc_key_file)) ==
	    -1 ||
	    resolve_path(path, cfg->public_keys, tmp, sizeof(tmp)) == -1 ||
	    lk_strlcpy(cfg->public_keys, tmp, sizeof(cfg->public_keys)) == -1 ||
	    resolve_path(path, cfg->access_rules, tmp, sizeof(tmp)) == -1 ||
	    lk_strlcpy(cfg->access_rules, tmp, sizeof(cfg->access_rules)) == -1 ||
	    resolve_path(path, cfg->gate_folder, tmp, sizeof(tmp)) == -1 ||
	    lk_strlcpy(cfg->gate_folder, tmp, sizeof(cfg->gate_folder)) == -1 ||
	    resolve_path(path, cfg->metrics_token_file, tmp, sizeof(tmp)) == -1 ||
	    lk_strlcpy(cfg->metrics_token_file, tmp,
	    sizeof(cfg->metrics_token_file)) == -1 ||
	    metrics_file(cfg, path, key_line(seen, "metrics_file") != 0) == -1) {
		seterr(err, errsz, path, 0, "database, database_password_file, "
		    "key_file, mfa_key_file, oidc_key_file, public_keys, "
		    "access_rules, gate_folder, "
		    "metrics_file or metrics_token_file path too long");
		goto out;
	}
	rc = 0;
out:
	fclose(f);
	return rc;
}

int
lk_config_csrf_applies(const struct lk_config *cfg, const char *method)
{
	return cfg->csrf_protect &&
	    (lk_method_bit(method) & cfg->csrf_methods) != 0;
}
