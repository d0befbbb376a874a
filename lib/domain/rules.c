#include <sys/stat.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/net.h"
#include "base/util.h"
#include "domain/rules.h"

/* The matchers a rule may have, as bits of struct rule's has. */
enum matcher {
	M_HOST,
	M_PATH,
	M_METHOD,
	M_NET,
	M_USER,
	M_GROUP,
	M__MAX
};

static const char *const matcher_names[M__MAX] = {
	"host", "path", "method", "net", "user", "group"
};

static const char *const policy_names[LK_POLICY__MAX] = {
	"bypass", "one_factor", "two_factor", "deny"
};

static const char *const access_names[LK_ACCESS__MAX] = {
	"allowed without login (bypass)",
	"allowed",
	"login required",
	"denied",
	"second factor required",
	"bad request: the path or host is refused",
};

#define METHOD_MAX	32

/* A path matcher's value: a prefix, or (prefix NULL) a regular expression. */
struct path {
	const char	*prefix;
	size_t		 len;
	int		 compiled;
	regex_t		 re;
};

/* The values of a host, method, user or group matcher. */
struct list {
	char		**v;
	size_t		  n;
};

struct rule {
	enum lk_rule_policy policy;
	size_t		 line;
	char		*text;		/* the line as written, trimmed */
	char		*buf;		/* the line cut into its values */
	unsigned int	 has;		/* 1 << enum matcher */
	struct list	 hosts, methods, users, groups;
	struct path	*paths;
	size_t		 npaths;
	struct lk_net	*nets;
	size_t		 nnets;
};

struct lk_rules {
	struct rule	*rule;
	size_t		 n;
};

static void	seterr(char *, size_t, const char *, size_t, const char *, ...)
		    __attribute__((format(printf, 5, 6)));

static void
seterr(char *err, size_t errsz, const char *name, size_t line,
    const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (err == NULL || errsz == 0)
		return;
	n = line > 0 ? snprintf(err, errsz, "%s:%zu: ", name, line) :
	    snprintf(err, errsz, "%s: ", name);
	if (n < 0 || (size_t)n >= errsz)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err + n, errsz - (size_t)n, fmt, ap);
	va_end(ap);
}

const char *
lk_rules_policy_name(enum lk_rule_policy policy)
{
	return policy < LK_POLICY__MAX ? policy_names[policy] : "?";
}

const char *
lk_access_name(enum lk_access access)
{
	return access < LK_ACCESS__MAX ? access_names[access] : "?";
}

size_t
lk_rules_count(const struct lk_rules *rules)
{
	return rules != NULL ? rules->n : 0;
}

static void
rule_free(struct rule *r)
{
	size_t	i;

	for (i = 0; i < r->npaths; i++)
		if (r->paths[i].compiled)
			regfree(&r->paths[i].re);
	free(r->paths);
	free(r->nets);
	free(r->hosts.v);
	free(r->methods.v);
	free(r->users.v);
	free(r->groups.v);
	free(r->text);
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

void
lk_rules_free(struct lk_rules *rules)
{
	size_t	i;

	if (rules == NULL)
		return;
	for (i = 0; i < rules->n; i++)
		rule_free(&rules->rule[i]);
	free(rules->rule);
	free(rules);
}

/* --- Values ------------------------------------------------------------- */

static int
is_label_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	    c == '_';
}

/*
 * Whether s[0..n) is a host name in lower case: labels of [a-z0-9_-]
 * separated by single dots, none empty.
 */
static int
host_name_valid(const char *s, size_t n)
{
	size_t	i, label = 0;

	if (n == 0 || n > LK_RULES_HOST_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (is_label_char((unsigned char)s[i]))
			label++;
		else
			return 0;
	}
	return label > 0;
}

/*
 * A bracketed IPv6 address "[...]" (n bytes at s) in its canonical text
 * (inet_ntop's), brackets kept, into out.  Returns 0, or -1.
 */
static int
ipv6_literal(const char *s, size_t n, char *out, size_t outsz)
{
	char		 tmp[INET6_ADDRSTRLEN + 2];
	unsigned char	 a[16];

	if (n < 3 || s[0] != '[' || s[n - 1] != ']' || n - 2 >= sizeof(tmp))
		return -1;
	memcpy(tmp, s + 1, n - 2);
	tmp[n - 2] = '\0';
	if (inet_pton(AF_INET6, tmp, a) != 1 || outsz < 3 ||
	    inet_ntop(AF_INET6, a, out + 1, (socklen_t)(outsz - 2)) == NULL)
		return -1;
	out[0] = '[';
	n = strlen(out);
	if (n + 2 > outsz)
		return -1;
	out[n] = ']';
	out[n + 1] = '\0';
	return 0;
}

int
lk_rules_host(const char *raw, char *out, size_t outsz)
{
	const char	*end, *port;
	size_t		 n, i;

	if (outsz == 0)
		return -1;
	out[0] = '\0';
	if (raw[0] == '\0')
		return 0;
	if (raw[0] == '[') {
		if ((end = strchr(raw, ']')) == NULL)
			return -1;
		port = end + 1;
		n = (size_t)(port - raw);
	} else {
		n = strcspn(raw, ":");
		port = raw + n;
	}
	/* An optional port: ":" and digits (an empty one is allowed). */
	if (*port == ':') {
		port++;
		if (strspn(port, "0123456789") != strlen(port) ||
		    strlen(port) > 5)
			return -1;
	} else if (*port != '\0')
		return -1;
	if (raw[0] == '[')
		return ipv6_literal(raw, n, out, outsz);
	if (n >= outsz || n > LK_RULES_HOST_MAX + 1)
		return -1;
	for (i = 0; i < n; i++)
		out[i] = raw[i] >= 'A' && raw[i] <= 'Z' ?
		    (char)(raw[i] - 'A' + 'a') : raw[i];
	/* "example.com." names the same host as "example.com". */
	if (n > 1 && out[n - 1] == '.')
		n--;
	out[n] = '\0';
	if (!host_name_valid(out, n)) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

int
lk_rules_path(const char *raw, char *out, size_t outsz)
{
	char		 dec[LK_RULES_URI_MAX + 1];
	size_t		 n, i, d = 0, o, seg;
	unsigned long	 cp;
	int		 hi, lo, k, slash = 0, dots = 0, trailing = 0, last;
	unsigned char	 c;

	n = strcspn(raw, "?#");
	if (n == 0 || raw[0] != '/' || n > LK_RULES_URI_MAX || outsz < n + 2)
		return -1;
	/* Every %XX decoded once, %2F included. */
	for (i = 0; i < n; i++) {
		c = (unsigned char)raw[i];
		if (c == '%') {
			if (i + 2 >= n)
				return -1;
			if ((hi = lk_hex_value((unsigned char)raw[i + 1])) < 0 ||
			    (lo = lk_hex_value((unsigned char)raw[i + 2])) < 0)
				return -1;
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
			if (c == '/')
				slash = 1;
		}
		if (c == '\0')
			return -1;
		dec[d++] = (char)c;
	}
	dec[d] = '\0';
	for (i = 0; i < d; i += (size_t)k)
		if ((k = lk_utf8_decode((const unsigned char *)dec + i, d - i,
		    &cp)) < 0)
			return -1;
	/*
	 * Segments after the leading '/': empty ones and "." dropped, ".."
	 * taking the last one kept away.  out holds "/" and each kept
	 * segment followed by '/'.
	 */
	out[0] = '/';
	o = 1;
	for (i = 1; i <= d; i = seg + 1) {
		seg = i + strcspn(dec + i, "/");
		last = dec[seg] == '\0';
		n = seg - i;
		if (n == 0 || (n == 1 && dec[i] == '.')) {
			trailing = last;
			continue;
		}
		if (n == 2 && dec[i] == '.' && dec[i + 1] == '.') {
			dots = 1;
			if (o > 1) {
				o--;
				while (o > 0 && out[o - 1] != '/')
					o--;
			}
			trailing = last;
			continue;
		}
		memcpy(out + o, dec + i, n);
		o += n;
		out[o++] = '/';
		trailing = 0;
	}
	if (!trailing && o > 1)
		o--;
	out[o] = '\0';
	/* Does %2F separate segments?  Servers differ: refuse to guess. */
	if (slash && dots)
		return -1;
	return 0;
}

/* A net= value: an address, or address/bits, with no bit set past the prefix. */
static const char *
net_value(const char *s, struct lk_net *net, char *why, size_t whysz)
{
	switch (lk_net_parse(s, net)) {
	case LK_NET_OK:
		return NULL;
	case LK_NET_PREFIX:
		(void)snprintf(why, whysz, "net \"%.80s\": the prefix length "
		    "must be 0 to %d", s, strchr(s, ':') != NULL ? 128 : 32);
		return why;
	case LK_NET_HOST_BITS:
		(void)snprintf(why, whysz, "net \"%.80s\" has bits set past its "
		    "prefix length", s);
		return why;
	default:
		(void)snprintf(why, whysz, "net \"%.80s\" is not an IPv4 or IPv6 "
		    "address or network (e.g. 10.0.0.0/8, 2001:db8::/32)", s);
		return why;
	}
}

/* A host= value (lower-cased in place): exact, or "*." and a name. */
static const char *
host_value(char *s, char *why, size_t whysz)
{
	char	canon[INET6_ADDRSTRLEN + 3];
	size_t	i, n = strlen(s);

	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
	if (s[0] == '[') {
		if (ipv6_literal(s, n, canon, sizeof(canon)) == -1 ||
		    strlen(canon) > n)
			goto bad;
		memcpy(s, canon, strlen(canon) + 1);
		return NULL;
	}
	if (strchr(s, ':') != NULL) {
		(void)snprintf(why, whysz, "host \"%.80s\": write the host "
		    "without a port", s);
		return why;
	}
	if (n > 1 && s[n - 1] == '.') {
		(void)snprintf(why, whysz, "host \"%.80s\": write it without "
		    "the trailing dot", s);
		return why;
	}
	if (s[0] == '*' && s[1] == '.' && host_name_valid(s + 2, n - 2))
		return NULL;
	if (strchr(s, '*') != NULL) {
		(void)snprintf(why, whysz, "host \"%.80s\": a wildcard is \"*.\" "
		    "at the start of the name (*.example.com)", s);
		return why;
	}
	if (host_name_valid(s, n))
		return NULL;
bad:
	(void)snprintf(why, whysz, "host \"%.80s\" is not a host name", s);
	return why;
}

/* Whether s, a path prefix, reads as a path the normaliser could give. */
static const char *
prefix_value(const char *s, char *why, size_t whysz)
{
	size_t	i, n = strlen(s);

	if (s[0] != '/') {
		(void)snprintf(why, whysz, "path \"%.80s\" must start with / "
		    "(a prefix) or ~ (a regular expression)", s);
		return why;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    lk_hex_value((unsigned char)s[i + 1]) >= 0 &&
		    lk_hex_value((unsigned char)s[i + 2]) >= 0) {
			(void)snprintf(why, whysz, "path \"%.80s\": requests are "
			    "matched decoded, so write the character itself, "
			    "not its %%XX escape", s);
			return why;
		}
		if (s[i] == '?') {
			(void)snprintf(why, whysz, "path \"%.80s\": the query is "
			    "not part of the path", s);
			return why;
		}
		if (s[i] == '/' && (s[i + 1] == '/' ||
		    (s[i + 1] == '.' && (s[i + 2] == '/' || s[i + 2] == '\0' ||
		    (s[i + 2] == '.' && (s[i + 3] == '/' || s[i + 3] == '\0')))))) {
			(void)snprintf(why, whysz, "path \"%.80s\" can never "
			    "match: requests are matched with \"//\", \".\" and "
			    "\"..\" resolved", s);
			return why;
		}
	}
	return NULL;
}

#define REGEX_DEPTH	8	/* groups inside groups */
#define REGEX_WEIGHT	1024	/* atoms, with repetitions counted out */

/*
 * Whether regular expression s stays cheap to compile and to run: no
 * duplication symbol right after another (POSIX leaves "a??" or "a+*"
 * undefined, and glibc's regcomp takes exponential time on runs of
 * them), groups at most REGEX_DEPTH deep, and at most REGEX_WEIGHT atoms
 * once each interval's atom is counted as many times as it may repeat
 * (regcomp copies it out).  Returns NULL, or why not.
 */
static const char *
regex_cost(const char *s)
{
	size_t		 stack[REGEX_DEPTH + 1], cur = 0, last = 0, i, n;
	size_t		 depth = 0;
	long long	 lo, hi;
	char		 num[16], *end;
	int		 quantified = 0;

	for (i = 0; s[i] != '\0'; i++) {
		switch (s[i]) {
		case '*':
		case '+':
		case '?':
		case '{':
			if (quantified || last == 0)
				return "a repetition (*, +, ?, {m,n}) must follow "
				    "something to repeat, and only one";
			if (s[i] != '{') {
				cur += last;	/* one copy more at most */
				quantified = 1;
				continue;
			}
			n = strcspn(s + i + 1, "}");
			if (s[i + 1 + n] != '}' || n == 0 || n >= sizeof(num))
				return "an interval is {m}, {m,} or {m,n}";
			memcpy(num, s + i + 1, n);
			num[n] = '\0';
			lo = strtoll(num, &end, 10);
			if (end == num || lo < 0 || lo > 255)
				return "an interval is {m}, {m,} or {m,n}, up to 255";
			/* {m} repeats m times; {m,} is counted as m + 1. */
			hi = *end == ',' ? lo + 1 : lo;
			if (*end == ',' && end[1] != '\0') {
				hi = strtoll(end + 1, &end, 10);
				if (hi < lo || hi > 255)
					return "an interval is {m}, {m,} or {m,n}, "
					    "up to 255";
			}
			if (*end != '\0' && !(*end == ',' && end[1] == '\0'))
				return "an interval is {m}, {m,} or {m,n}";
			cur += last * (size_t)(hi > 1 ? hi - 1 : 0);
			quantified = 1;
			i += n + 1;
			continue;
		case '(':
			if (depth == REGEX_DEPTH)
				return "groups nest too deep";
			stack[depth++] = cur;
			cur = 0;
			last = 0;
			quantified = 0;
			continue;
		case ')':
			if (depth == 0)
				return "a ) without its (";
			last = cur > 0 ? cur : 1;
			cur = stack[--depth] + last;
			quantified = 0;
			break;
		case '|':
			last = 0;
			quantified = 0;
			continue;
		case '[':
			/* A bracket expression is one atom: "[]a]", "[^]a]". */
			n = i + 1;
			if (s[n] == '^')
				n++;
			if (s[n] == ']')
				n++;
			while (s[n] != '\0' && s[n] != ']') {
				if (s[n] == '[' && (s[n + 1] == ':' ||
				    s[n + 1] == '.' || s[n + 1] == '=')) {
					end = strchr(s + n + 2, s[n + 1]);
					if (end == NULL || end[1] != ']')
						break;
					n = (size_t)(end - s) + 2;
				} else
					n++;
			}
			if (s[n] == '\0')
				break;	/* regcomp says what is wrong */
			i = n;
			last = 1;
			cur++;
			quantified = 0;
			break;
		case '\\':
			if (s[i + 1] != '\0')
				i++;
			/* FALLTHROUGH */
		default:
			last = 1;
			cur++;
			quantified = 0;
			break;
		}
		if (cur > REGEX_WEIGHT)
			return "too large once its repetitions are counted out";
	}
	return cur > REGEX_WEIGHT ?
	    "too large once its repetitions are counted out" : NULL;
}

/* A path= regular expression (after its '~'), compiled into p. */
static const char *
regex_value(const char *s, struct path *p, char *why, size_t whysz)
{
	char		 msg[128];
	const char	*cost;
	size_t		 i, n = strlen(s);
	int		 r;

	if (n == 0) {
		(void)snprintf(why, whysz, "path \"~\" has no regular "
		    "expression after the ~");
		return why;
	}
	if (n > LK_RULES_REGEX_MAX) {
		(void)snprintf(why, whysz, "path \"~%.40s...\": a regular "
		    "expression is at most %d bytes", s, LK_RULES_REGEX_MAX);
		return why;
	}
	/* Back-references (a GNU extension) can take exponential time. */
	for (i = 0; i + 1 < n; i++) {
		if (s[i] != '\\')
			continue;
		if (s[i + 1] >= '0' && s[i + 1] <= '9') {
			(void)snprintf(why, whysz, "path \"~%.80s\": "
			    "back-references (\\%c) are not allowed", s,
			    s[i + 1]);
			return why;
		}
		i++;
	}
	if ((cost = regex_cost(s)) != NULL) {
		(void)snprintf(why, whysz, "path \"~%.80s\": %s", s, cost);
		return why;
	}
	if ((r = regcomp(&p->re, s, REG_EXTENDED | REG_NOSUB)) != 0) {
		(void)regerror(r, &p->re, msg, sizeof(msg));
		(void)snprintf(why, whysz, "path \"~%.80s\": %s", s, msg);
		return why;
	}
	p->compiled = 1;
	p->prefix = NULL;
	return NULL;
}

static const char *
method_value(const char *s, char *why, size_t whysz)
{
	size_t	n = strlen(s);

	if (n <= METHOD_MAX && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ-_") == n)
		return NULL;
	if (n <= METHOD_MAX && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz-_") == n)
		(void)snprintf(why, whysz, "method \"%.40s\": methods are upper "
		    "case (GET, POST, ...)", s);
	else
		(void)snprintf(why, whysz, "method \"%.40s\" is not an HTTP "
		    "method", s);
	return why;
}

static const char *
user_value(const char *s, char *why, size_t whysz)
{
	size_t		 n = strlen(s);
	const char	*at = strrchr(s, '@');

	if (n <= LK_RULES_USER_MAX && at != NULL && at != s && at[1] != '\0' &&
	    lk_utf8_text_len(s, n) > 0 && strpbrk(s, " \t") == NULL)
		return NULL;
	(void)snprintf(why, whysz, "user \"%.80s\" is not an email address", s);
	return why;
}

static const char *
group_value(const char *s, char *why, size_t whysz)
{
	const char	*wrong;

	if ((wrong = lk_group_name_check(s)) == NULL)
		return NULL;
	(void)snprintf(why, whysz, "group \"%.80s\": %s", s, wrong);
	return why;
}

/* --- Parsing ------------------------------------------------------------ */

/*
 * Cut value into its comma-separated items, in place, into *items (an
 * array it allocates).  For path= (regex_tail), an item starting with '~'
 * is a regular expression and runs to the end of the value, commas and
 * all.  Returns 0, or -1 with why set.
 */
static int
split(char *value, int regex_tail, char ***items, size_t *n,
    const char *key, char *why, size_t whysz)
{
	size_t	 count = 1, i;
	char	*p, *q;

	for (p = value; *p != '\0'; p++) {
		if (regex_tail && (p == value || p[-1] == ',') && *p == '~')
			break;
		if (*p == ',')
			count++;
	}
	if (count > LK_RULES_LIST_MAX) {
		(void)snprintf(why, whysz, "%s= has more than %d values", key,
		    LK_RULES_LIST_MAX);
		return -1;
	}
	if ((*items = calloc(count, sizeof(**items))) == NULL) {
		(void)snprintf(why, whysz, "out of memory");
		return -1;
	}
	*n = 0;
	for (p = value, i = 0; i < count; i++) {
		if (regex_tail && *p == '~')
			q = p + strlen(p);
		else
			q = p + strcspn(p, ",");
		if (q == p) {
			(void)snprintf(why, whysz, "%s= has an empty value (two "
			    "commas in a row, or one at an end)", key);
			return -1;
		}
		(*items)[(*n)++] = p;
		if (*q == '\0') {
			if (i + 1 < count) {
				(void)snprintf(why, whysz, "%s= has an empty "
				    "value (two commas in a row, or one at an "
				    "end)", key);
				return -1;
			}
			break;
		}
		*q = '\0';
		p = q + 1;
	}
	return 0;
}

/* One matcher's value, checked and stored in r.  Returns 0, or -1 with why. */
static int
matcher(struct rule *r, enum matcher m, char *value, char *why, size_t whysz)
{
	char		**items = NULL;
	const char	 *bad = NULL;
	size_t		  n = 0, i;

	if (split(value, m == M_PATH, &items, &n, matcher_names[m], why,
	    whysz) == -1) {
		free(items);
		return -1;
	}
	switch (m) {
	case M_HOST:
		for (i = 0; i < n && bad == NULL; i++)
			bad = host_value(items[i], why, whysz);
		r->hosts.v = items;
		r->hosts.n = n;
		break;
	case M_METHOD:
		for (i = 0; i < n && bad == NULL; i++)
			bad = method_value(items[i], why, whysz);
		r->methods.v = items;
		r->methods.n = n;
		break;
	case M_USER:
		for (i = 0; i < n && bad == NULL; i++)
			bad = user_value(items[i], why, whysz);
		r->users.v = items;
		r->users.n = n;
		break;
	case M_GROUP:
		for (i = 0; i < n && bad == NULL; i++)
			bad = group_value(items[i], why, whysz);
		r->groups.v = items;
		r->groups.n = n;
		break;
	case M_PATH:
		if ((r->paths = calloc(n, sizeof(*r->paths))) == NULL) {
			free(items);
			(void)snprintf(why, whysz, "out of memory");
			return -1;
		}
		for (i = 0; i < n && bad == NULL; i++) {
			r->npaths++;
			if (items[i][0] == '~')
				bad = regex_value(items[i] + 1, &r->paths[i],
				    why, whysz);
			else if ((bad = prefix_value(items[i], why,
			    whysz)) == NULL) {
				r->paths[i].prefix = items[i];
				r->paths[i].len = strlen(items[i]);
			}
		}
		free(items);
		break;
	case M_NET:
		if ((r->nets = calloc(n, sizeof(*r->nets))) == NULL) {
			free(items);
			(void)snprintf(why, whysz, "out of memory");
			return -1;
		}
		for (i = 0; i < n && bad == NULL; i++)
			bad = net_value(items[i], &r->nets[i], why, whysz);
		r->nnets = n;
		free(items);
		break;
	default:
		free(items);
		return -1;
	}
	return bad == NULL ? 0 : -1;
}

/*
 * Whether line[0..len) is text a rule may hold: UTF-8 without control
 * characters but tabs.
 */
static int
line_text_valid(const char *line, size_t len)
{
	unsigned long	cp;
	size_t		i;
	int		k;

	for (i = 0; i < len; i += (size_t)k) {
		if ((k = lk_utf8_decode((const unsigned char *)line + i,
		    len - i, &cp)) < 0)
			return 0;
		if ((cp < 0x20 && cp != '\t') || (cp >= 0x7f && cp < 0xa0))
			return 0;
	}
	return 1;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Parse the rule in line[0..len) (no newline; not blank, not a comment)
 * into r.  Returns 0, or -1 with why set.
 */
static int
parse_rule(struct rule *r, const char *line, size_t len, char *why,
    size_t whysz)
{
	char		*p, *tok, *eq;
	size_t		 i;
	int		 m, found;

	if ((r->text = malloc(len + 1)) == NULL ||
	    (r->buf = malloc(len + 1)) == NULL) {
		(void)snprintf(why, whysz, "out of memory");
		return -1;
	}
	memcpy(r->text, line, len);
	r->text[len] = '\0';
	memcpy(r->buf, line, len);
	r->buf[len] = '\0';
	p = r->buf;
	for (i = 0; ; i++) {
		while (is_blank(*p))
			p++;
		/* A '#' opening a word starts a comment to the line's end. */
		if (*p == '\0' || *p == '#')
			break;
		tok = p;
		while (*p != '\0' && !is_blank(*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
		if (i == 0) {
			for (found = 0; found < LK_POLICY__MAX; found++)
				if (strcmp(tok, policy_names[found]) == 0)
					break;
			if (found == LK_POLICY__MAX) {
				(void)snprintf(why, whysz, "unknown policy "
				    "\"%.40s\" (bypass, one_factor, two_factor "
				    "or deny)", tok);
				return -1;
			}
			r->policy = (enum lk_rule_policy)found;
			continue;
		}
		if ((eq = strchr(tok, '=')) == NULL) {
			(void)snprintf(why, whysz, "\"%.40s\" is not "
			    "MATCHER=VALUE (host, path, method, net, user or "
			    "group)", tok);
			return -1;
		}
		*eq = '\0';
		for (m = 0; m < M__MAX; m++)
			if (strcmp(tok, matcher_names[m]) == 0)
				break;
		if (m == M__MAX) {
			(void)snprintf(why, whysz, "unknown matcher \"%.40s\" "
			    "(host, path, method, net, user or group)", tok);
			return -1;
		}
		if (r->has & (1u << m)) {
			(void)snprintf(why, whysz, "%s= given twice (list its "
			    "values with commas)", tok);
			return -1;
		}
		r->has |= 1u << m;
		if (eq[1] == '\0') {
			(void)snprintf(why, whysz, "%s= has no value", tok);
			return -1;
		}
		if (matcher(r, (enum matcher)m, eq + 1, why, whysz) == -1)
			return -1;
	}
	if (r->policy == LK_POLICY_BYPASS &&
	    (r->has & ((1u << M_USER) | (1u << M_GROUP)))) {
		(void)snprintf(why, whysz, "bypass cannot have a subject (user= "
		    "or group=): nobody signs in to pass a bypass rule");
		return -1;
	}
	return 0;
}

int
lk_rules_parse(const char *name, const char *text, size_t len,
    struct lk_rules **out, char *err, size_t errsz)
{
	struct lk_rules	*rules;
	struct rule	*grown;
	char		 why[LK_RULES_ERR_MAX / 2];
	const char	*line, *nl, *next, *end = text + len;
	size_t		 lineno = 0, n, cap = 0, i;

	*out = NULL;
	if (len > LK_RULES_FILE_MAX) {
		seterr(err, errsz, name, 0, "larger than %d bytes",
		    LK_RULES_FILE_MAX);
		return -1;
	}
	if ((rules = calloc(1, sizeof(*rules))) == NULL) {
		seterr(err, errsz, name, 0, "out of memory");
		return -1;
	}
	for (line = text; line < end; line = next) {
		lineno++;
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		next = nl < end ? nl + 1 : end;
		n = (size_t)(nl - line);
		if (n > LK_RULES_LINE_MAX) {
			seterr(err, errsz, name, lineno, "line longer than %d "
			    "bytes", LK_RULES_LINE_MAX);
			goto fail;
		}
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (memchr(line, '\0', n) != NULL || !line_text_valid(line, n)) {
			seterr(err, errsz, name, lineno, "not UTF-8 text (a NUL, "
			    "a control character or a bad byte)");
			goto fail;
		}
		/* Trimmed: blank lines and comments hold no rule. */
		while (n > 0 && is_blank(*line)) {
			line++;
			n--;
		}
		while (n > 0 && is_blank(line[n - 1]))
			n--;
		if (n == 0 || line[0] == '#')
			continue;
		if (rules->n == LK_RULES_MAX) {
			seterr(err, errsz, name, lineno, "more than %d rules",
			    LK_RULES_MAX);
			goto fail;
		}
		if (rules->n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			if ((grown = realloc(rules->rule, cap *
			    sizeof(*grown))) == NULL) {
				seterr(err, errsz, name, lineno, "out of memory");
				goto fail;
			}
			rules->rule = grown;
		}
		memset(&rules->rule[rules->n], 0, sizeof(*rules->rule));
		rules->rule[rules->n].line = lineno;
		i = rules->n++;
		if (parse_rule(&rules->rule[i], line, n, why,
		    sizeof(why)) == -1) {
			seterr(err, errsz, name, lineno, "%s", why);
			goto fail;
		}
	}
	*out = rules;
	return 0;
fail:
	lk_rules_free(rules);
	return -1;
}

/* Read the file open on fd (st its fstat) and parse it. */
static int
load_fd(int fd, const struct stat *st, const char *path,
    struct lk_rules **out, char *err, size_t errsz)
{
	char	*buf;
	size_t	 len;
	int	 r, rc = -1;

	if (!S_ISREG(st->st_mode)) {
		seterr(err, errsz, path, 0, "not a regular file");
		return -1;
	}
	if (st->st_mode & S_IWOTH) {
		seterr(err, errsz, path, 0, "others may write it: refused "
		    "(chmod o-w)");
		return -1;
	}
	if (st->st_size > LK_RULES_FILE_MAX) {
		seterr(err, errsz, path, 0, "larger than %d bytes",
		    LK_RULES_FILE_MAX);
		return -1;
	}
	if ((buf = malloc(LK_RULES_FILE_MAX + 2)) == NULL) {
		seterr(err, errsz, path, 0, "out of memory");
		return -1;
	}
	if ((r = lk_read_all(fd, buf, LK_RULES_FILE_MAX + 2, &len)) == -1)
		seterr(err, errsz, path, 0, "%s", strerror(errno));
	else if (r == 1)
		seterr(err, errsz, path, 0, "larger than %d bytes",
		    LK_RULES_FILE_MAX);
	else
		rc = lk_rules_parse(path, buf, len, out, err, errsz);
	free(buf);
	return rc;
}

int
lk_rules_load(const char *path, struct lk_rules **out, char *err,
    size_t errsz)
{
	struct stat	st;
	int		fd, rc;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		seterr(err, errsz, path, 0, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		seterr(err, errsz, path, 0, "%s", strerror(errno));
		rc = -1;
	} else
		rc = load_fd(fd, &st, path, out, err, errsz);
	close(fd);
	return rc;
}

/* --- Deciding ------------------------------------------------------------ */

static int
list_has(const struct list *l, const char *s)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

static int
host_matches(const struct rule *r, const char *host)
{
	size_t		 i, hn = strlen(host), sn;
	const char	*v;

	for (i = 0; i < r->hosts.n; i++) {
		v = r->hosts.v[i];
		if (v[0] == '*') {
			/* "*.example.com": any name ending in ".example.com". */
			sn = strlen(v + 1);
			if (hn > sn && strcmp(host + hn - sn, v + 1) == 0)
				return 1;
		} else if (strcmp(v, host) == 0)
			return 1;
	}
	return 0;
}

static int
path_matches(const struct rule *r, const char *path)
{
	size_t	i;

	for (i = 0; i < r->npaths; i++) {
		if (r->paths[i].prefix != NULL) {
			if (strncmp(path, r->paths[i].prefix,
			    r->paths[i].len) == 0)
				return 1;
		} else if (regexec(&r->paths[i].re, path, 0, NULL, 0) == 0)
			return 1;
	}
	return 0;
}

static int
net_matches(const struct rule *r, const unsigned char a[16])
{
	size_t	i;

	for (i = 0; i < r->nnets; i++)
		if (lk_net_contains(&r->nets[i], a))
			return 1;
	return 0;
}

int
lk_rules_names_host(const struct lk_rules *rules, const char *host)
{
	size_t	i;

	for (i = 0; rules != NULL && host[0] != '\0' && i < rules->n; i++)
		if (host_matches(&rules->rule[i], host))
			return 1;
	return 0;
}

/* Whether the session's user or one of its groups is the rule's subject. */
static int
subject_matches(const struct rule *r, const struct lk_access_request *req)
{
	size_t	i;

	if (req->user != NULL)
		for (i = 0; i < r->users.n; i++)
			if (lk_ascii_caseeq(r->users.v[i], req->user))
				return 1;
	for (i = 0; i < req->ngroups; i++)
		if (req->groups[i] != NULL && list_has(&r->groups,
		    req->groups[i]))
			return 1;
	return 0;
}

static void
decided(struct lk_access_decision *out, enum lk_access access,
    const struct rule *r)
{
	out->access = access;
	out->line = r != NULL ? r->line : 0;
	out->text = r != NULL ? r->text : "";
	out->no_address = 0;
}

void
lk_rules_decide(const struct lk_rules *rules,
    const struct lk_access_request *req, struct lk_access_decision *out)
{
	char			 host[LK_RULES_HOST_MAX + 2];
	char			 path[LK_RULES_URI_MAX + 2];
	unsigned char		 addr[16];
	const struct rule	*r;
	size_t			 i;
	int			 have_addr;

	if (lk_rules_host(req->host != NULL ? req->host : "", host,
	    sizeof(host)) == -1 || req->uri == NULL ||
	    lk_rules_path(req->uri, path, sizeof(path)) == -1) {
		decided(out, LK_ACCESS_BAD_REQUEST, NULL);
		return;
	}
	have_addr = req->address != NULL &&
	    lk_addr_parse(req->address, addr) == 0;
	for (i = 0; rules != NULL && i < rules->n; i++) {
		r = &rules->rule[i];
		if ((r->has & (1u << M_HOST)) && !host_matches(r, host))
			continue;
		if ((r->has & (1u << M_PATH)) && !path_matches(r, path))
			continue;
		if ((r->has & (1u << M_METHOD)) &&
		    (req->method == NULL || !list_has(&r->methods, req->method)))
			continue;
		if (r->has & (1u << M_NET)) {
			/* Unknown is not "elsewhere": fail closed. */
			if (!have_addr) {
				decided(out, LK_ACCESS_DENY, r);
				out->no_address = 1;
				return;
			}
			if (!net_matches(r, addr))
				continue;
		}
		if (r->has & ((1u << M_USER) | (1u << M_GROUP))) {
			if (!req->has_session) {
				decided(out, LK_ACCESS_LOGIN, r);
				return;
			}
			if (!subject_matches(r, req))
				continue;
		}
		switch (r->policy) {
		case LK_POLICY_BYPASS:
			decided(out, LK_ACCESS_BYPASS, r);
			return;
		case LK_POLICY_ONE_FACTOR:
			decided(out, req->has_session ? LK_ACCESS_ALLOW :
			    LK_ACCESS_LOGIN, r);
			return;
		case LK_POLICY_TWO_FACTOR:
			decided(out, !req->has_session ? LK_ACCESS_LOGIN :
			    req->second_factor ? LK_ACCESS_ALLOW :
			    LK_ACCESS_SECOND_FACTOR, r);
			return;
		default:
			decided(out, LK_ACCESS_DENY, r);
			return;
		}
	}
	decided(out, LK_ACCESS_DENY, NULL);
}

/* --- The per-process cache ------------------------------------------------ */

static int
same_file(const struct lk_rules_cache *c, const struct stat *st)
{
	return c->dev == (unsigned long long)st->st_dev &&
	    c->ino == (unsigned long long)st->st_ino &&
	    c->size == (unsigned long long)st->st_size &&
	    c->mtime_sec == (long long)st->st_mtim.tv_sec &&
	    c->mtime_nsec == (long long)st->st_mtim.tv_nsec &&
	    c->ctime_sec == (long long)st->st_ctim.tv_sec &&
	    c->ctime_nsec == (long long)st->st_ctim.tv_nsec;
}

static void
remember(struct lk_rules_cache *c, const struct stat *st)
{
	c->dev = (unsigned long long)st->st_dev;
	c->ino = (unsigned long long)st->st_ino;
	c->size = (unsigned long long)st->st_size;
	c->mtime_sec = (long long)st->st_mtim.tv_sec;
	c->mtime_nsec = (long long)st->st_mtim.tv_nsec;
	c->ctime_sec = (long long)st->st_ctim.tv_sec;
	c->ctime_nsec = (long long)st->st_ctim.tv_nsec;
}

void
lk_rules_cache_clear(struct lk_rules_cache *cache)
{
	lk_rules_free(cache->rules);
	memset(cache, 0, sizeof(*cache));
}

const struct lk_rules *
lk_rules_cache_get(struct lk_rules_cache *c, const char *path, long long now,
    int *changed)
{
	struct stat	st;
	int		fd;

	*changed = 0;
	if (c->tried && now == c->checked)
		return c->rules;
	if (c->tried && !c->racy) {
		c->checked = now;
		if (stat(path, &st) == -1)
			memset(&st, 0, sizeof(st));
		if (same_file(c, &st))
			return c->rules;
	}
	*changed = 1;
	c->tried = 1;
	c->checked = now;
	c->racy = 0;
	lk_rules_free(c->rules);
	c->rules = NULL;
	c->err[0] = '\0';
	memset(&st, 0, sizeof(st));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		seterr(c->err, sizeof(c->err), path, 0, "%s", strerror(errno));
		/* Unchanged, it is not tried (nor logged) again. */
		if (stat(path, &st) == -1)
			memset(&st, 0, sizeof(st));
		remember(c, &st);
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		seterr(c->err, sizeof(c->err), path, 0, "%s", strerror(errno));
		memset(&st, 0, sizeof(st));
	} else if (load_fd(fd, &st, path, &c->rules, c->err,
	    sizeof(c->err)) == -1)
		c->rules = NULL;
	close(fd);
	remember(c, &st);
	/*
	 * A file written in the last two seconds may be written again
	 * within the same clock tick of its file system, size unchanged:
	 * read it again at each check until it is older than that.
	 */
	c->racy = (long long)st.st_mtim.tv_sec + 2 > now;
	return c->rules;
}
