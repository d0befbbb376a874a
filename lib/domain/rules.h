#ifndef LK_RULES_H
#define LK_RULES_H

#include <stddef.h>

#include "domain/group.h"

/*
 * Access rules: who may reach what behind the authorizer.  A rules file
 * holds one rule a line, blank lines and '#' comments aside:
 *
 *     POLICY [host=H,...] [path=P,...] [method=M,...] [net=CIDR,...]
 *            [user=EMAIL,...] [group=NAME,...]
 *
 * POLICY is bypass (no login), one_factor (any session), two_factor (a
 * session whose login used a second factor) or deny.  A rule matches a
 * request when every matcher it has matches (one value of each list is
 * enough); user= and group= are the subject, which either satisfies.  The
 * first rule that matches decides; none matching denies.  The language is
 * described in full in docs/access-control.md.
 *
 * Paths are matched against the request's path decoded and normalised
 * here, never as the client spelt it: every %XX decoded once (%2F too),
 * "." and ".." segments resolved (RFC 3986 section 5.2.4), runs of '/'
 * collapsed, the query left out; a path that is not UTF-8 after decoding,
 * holds a NUL or a bad escape, or mixes an encoded slash with a ".."
 * segment (servers disagree on whether %2F separates segments, so no
 * reading of it is safe) is refused.
 */

#define LK_RULES_FILE_MAX	(1024 * 1024)	/* bytes of a rules file */
#define LK_RULES_LINE_MAX	4096	/* bytes of one line */
#define LK_RULES_MAX		1000	/* rules in a file */
#define LK_RULES_LIST_MAX	256	/* values in one matcher */
#define LK_RULES_REGEX_MAX	512	/* bytes of one regular expression */
#define LK_RULES_URI_MAX	4096	/* bytes of a request's path and query */
#define LK_RULES_HOST_MAX	255	/* bytes of a host name */
#define LK_RULES_USER_MAX	320	/* bytes of an email address */
#define LK_RULES_ERR_MAX	1536

enum lk_rule_policy {
	LK_POLICY_BYPASS,
	LK_POLICY_ONE_FACTOR,
	LK_POLICY_TWO_FACTOR,
	LK_POLICY_DENY,
	LK_POLICY__MAX
};

/* A parsed rules file (its rules, their compiled expressions). */
struct lk_rules;

/*
 * Parse the rules in text[0..len) (name is the file's name for errors).
 * Returns 0 and sets *out (release it with lk_rules_free), or -1 with
 * "NAME:LINE: what is wrong" (or "NAME: what is wrong") in err: an
 * unknown policy or matcher, a matcher given twice or empty, a bad value
 * (host, path, regular expression, method, network, email, group name),
 * bypass with a subject, and past the bounds above.
 */
int	lk_rules_parse(const char *name, const char *text, size_t len,
	    struct lk_rules **out, char *err, size_t errsz);

/*
 * Read and parse the rules file at path: a regular file of at most
 * LK_RULES_FILE_MAX bytes that others may not write.  Returns 0 and sets
 * *out, or -1 with the reason (naming the file, and the line where there
 * is one) in err.
 */
int	lk_rules_load(const char *path, struct lk_rules **out, char *err,
	    size_t errsz);

/* Release rules (NULL is fine). */
void	lk_rules_free(struct lk_rules *rules);

/* The number of rules. */
size_t	lk_rules_count(const struct lk_rules *rules);

/* The policy's name as the rules file spells it. */
const char *lk_rules_policy_name(enum lk_rule_policy policy);

/*
 * The request path the rules see: raw (a REQUEST_URI: path, optionally
 * "?query") decoded and normalised as described above into out.  Returns
 * 0, or -1 if the path is refused (or does not fit in outsz).
 */
int	lk_rules_path(const char *raw, char *out, size_t outsz);

/*
 * The host the rules see: raw (a Host header; "" for none) in lower case,
 * without its port or one trailing dot.  Returns 0, or -1 if it is not a
 * host name or a bracketed IPv6 address.
 */
int	lk_rules_host(const char *raw, char *out, size_t outsz);

/*
 * Whether the rules name host (as lk_rules_host gives it: lower case, no
 * port): a rule's host= value equal to it, or a wildcard "*.example.com"
 * that it is a subdomain of.  The hosts a site protects are the ones a
 * login may send the browser back to.
 */
int	lk_rules_names_host(const struct lk_rules *rules, const char *host);

/* One request, as the rules look at it. */
struct lk_access_request {
	const char		*host;		/* the Host header, or "" */
	const char		*uri;		/* path, optionally ?query */
	const char		*method;
	const char		*address;	/* the client's, IPv4 or IPv6 */
	int			 has_session;
	/* With a session: who, and how the login was made. */
	const char		*user;
	const char *const	*groups;
	size_t			 ngroups;
	int			 second_factor;
};

enum lk_access {
	LK_ACCESS_BYPASS,	/* open to anyone, no login looked at */
	LK_ACCESS_ALLOW,	/* this session may */
	LK_ACCESS_LOGIN,	/* no session, and the deciding rule wants one */
	LK_ACCESS_DENY,
	LK_ACCESS_SECOND_FACTOR, /* a session of one factor where two are needed */
	LK_ACCESS_BAD_REQUEST,	/* the path or host is refused */
	LK_ACCESS__MAX
};

struct lk_access_decision {
	enum lk_access		 access;
	size_t			 line;	/* of the deciding rule; 0: none matched */
	const char		*text;	/* that rule as written, or "" */
	int			 no_address; /* it has net= and the address is unread */
};

/*
 * Decide on req by rules: the first rule whose matchers all match
 * decides (bypass: BYPASS; deny: DENY; one_factor: ALLOW with a
 * session; two_factor: ALLOW with a session of two factors, else
 * SECOND_FACTOR).  A request without a session that reaches a rule with
 * a subject, or a one_factor or two_factor rule, gets LOGIN: it may match
 * once signed in.  A rule with net= reached by a request whose address
 * cannot be read decides DENY.  No rule matching denies (line 0).  The
 * decision's text points into rules.
 */
void	lk_rules_decide(const struct lk_rules *rules,
	    const struct lk_access_request *req,
	    struct lk_access_decision *out);

/* A decision's name for people ("allowed", "denied", ...). */
const char *lk_access_name(enum lk_access access);

/*
 * A process's rules, read when first asked for and read again when the
 * file changes: at most once a second (the first ask in a new second of
 * now) one stat(2) compares its device, inode, size, modification and
 * change times with the file's as it was read, and a file modified in the
 * two seconds before it was read is read again at the next check anyway,
 * so that a change within the file system's clock tick cannot hide.  No
 * system call at all between checks, no file read or regular expression
 * compiled while the file stays the same: an edit takes effect within a
 * second.
 */
struct lk_rules_cache {
	struct lk_rules	*rules;		/* NULL: not loaded, or broken */
	int		 tried;
	int		 racy;
	long long	 checked;	/* the second of the last check */
	unsigned long long dev, ino, size;
	long long	 mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
	char		 err[LK_RULES_ERR_MAX];	/* why broken */
};

/*
 * The rules of the file at path at time now (seconds), from cache or read
 * again.  Returns them, or NULL when the file cannot be read or has an
 * error (cache->err says which, with file and line): the caller refuses
 * every request it would decide.  *changed is set to 1 when this call read
 * the file (so that the caller logs a new error once), else 0.
 */
const struct lk_rules *lk_rules_cache_get(struct lk_rules_cache *cache,
	    const char *path, long long now, int *changed);

/* Forget what cache holds. */
void	lk_rules_cache_clear(struct lk_rules_cache *cache);

#endif
