#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/net.h"
#include "base/util.h"
#include "decide/auth.h"
#include "decide/forward.h"
#include "http/method.h"
#include "http/request.h"
#include "http/response.h"

/* A byte no URL of ours holds as it is: controls, space, DEL. */
static int
bad_byte(unsigned char c)
{
	return c <= 0x20 || c == 0x7f;
}

int
lk_forward_url_parse(const char *url, struct lk_forward_url *out)
{
	const char	*p;
	size_t		 n, len = strnlen(url, LK_FORWARD_URL_MAX);

	memset(out, 0, sizeof(*out));
	if (len >= LK_FORWARD_URL_MAX)
		return -1;
	for (p = url; *p != '\0'; p++)
		if (bad_byte((unsigned char)*p) || *p == '\\')
			return -1;
	if (strncmp(url, "https://", 8) == 0) {
		out->https = 1;
		p = url + 8;
	} else if (strncmp(url, "http://", 7) == 0)
		p = url + 7;
	else
		return -1;
	/* The authority: a host and port, nothing else (no userinfo). */
	n = strcspn(p, "/?#");
	if (n == 0 || n >= sizeof(out->host) || memchr(p, '@', n) != NULL)
		return -1;
	memcpy(out->host, p, n);
	out->host[n] = '\0';
	if (lk_rules_host(out->host, out->name, sizeof(out->name)) == -1 ||
	    out->name[0] == '\0')
		return -1;
	p += n;
	if (*p == '#')
		p += strlen(p);
	/* "https://h?x" is "https://h/?x". */
	n = (size_t)snprintf(out->rest, sizeof(out->rest), "%s%s",
	    *p == '/' ? "" : "/", p);
	if (n >= sizeof(out->rest))
		return -1;
	return 0;
}

/* The host of site_url into out (lower case, no port), or "". */
static void
site_host(const struct lk_config *cfg, char *out, size_t outsz)
{
	struct lk_forward_url	u;

	out[0] = '\0';
	if (cfg->site_url[0] != '\0' &&
	    lk_forward_url_parse(cfg->site_url, &u) == 0)
		(void)lk_strlcpy(out, u.name, outsz);
}

/* Whether host is domain or one of its subdomains. */
static int
in_domain(const char *host, const char *domain)
{
	size_t	hn = strlen(host), dn;

	/* cookie_domain may be written ".example.com". */
	if (*domain == '.')
		domain++;
	dn = strlen(domain);
	if (dn == 0 || hn < dn || !lk_ascii_caseeq(host + hn - dn, domain))
		return 0;
	return hn == dn || host[hn - dn - 1] == '.';
}

int
lk_forward_return_ok(const struct lk_config *cfg, const struct lk_rules *rules,
    const char *url)
{
	struct lk_forward_url	u;
	char			site[LK_RULES_HOST_MAX + 1];

	if (lk_forward_url_parse(url, &u) == -1)
		return 0;
	if (cfg->cookie_domain[0] != '\0' && in_domain(u.name, cfg->cookie_domain))
		return 1;
	if (lk_rules_names_host(rules, u.name))
		return 1;
	site_host(cfg, site, sizeof(site));
	return site[0] != '\0' && strcmp(site, u.name) == 0;
}

/*
 * A header of the check into out: 0, or -1 refused (missing, too long,
 * empty) with LK_R_INVALID naming it.
 */
static int
header(struct lk_ctx *ctx, const char *param, const char *name, char *out,
    size_t outsz)
{
	char	msg[96];
	int	r = lk_request_param(ctx->req, param, out, outsz);

	if (r == 1 && out[0] != '\0')
		return 0;
	(void)snprintf(msg, sizeof(msg), "%s header %s", r == 0 ? "Missing" :
	    "Invalid", name);
	return lk_deny(ctx, LK_R_INVALID, msg);
}

static int
invalid(struct lk_ctx *ctx, const char *name)
{
	char	msg[96];

	(void)snprintf(msg, sizeof(msg), "Invalid header %s", name);
	return lk_deny(ctx, LK_R_INVALID, msg);
}

/* A method's name: 1 to 15 upper-case letters. */
static int
method_valid(const char *m)
{
	size_t	n = strspn(m, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");

	return n > 0 && m[n] == '\0';
}

/* The original request, as the proxy describes it. */
struct original {
	char			 method[LK_METHOD_NAME_MAX];
	char			 url[LK_FORWARD_URL_MAX];
	struct lk_forward_url	 u;
	char			 addr[LK_ADDR_MAX];	/* "" unknown */
};

/* X-Forwarded-Method, -Proto, -Host and -Uri; 0 or -1 (denied). */
static int
read_forwarded(struct lk_ctx *ctx, struct original *o)
{
	char	proto[8], host[LK_RULES_HOST_MAX + 8], uri[LK_FORWARD_URL_MAX];
	int	n;

	if (header(ctx, "HTTP_X_FORWARDED_METHOD", "X-Forwarded-Method",
	    o->method, sizeof(o->method)) == -1 ||
	    header(ctx, "HTTP_X_FORWARDED_PROTO", "X-Forwarded-Proto", proto,
	    sizeof(proto)) == -1 ||
	    header(ctx, "HTTP_X_FORWARDED_HOST", "X-Forwarded-Host", host,
	    sizeof(host)) == -1 ||
	    header(ctx, "HTTP_X_FORWARDED_URI", "X-Forwarded-Uri", uri,
	    sizeof(uri)) == -1)
		return -1;
	if (!method_valid(o->method))
		return invalid(ctx, "X-Forwarded-Method");
	if (strcmp(proto, "http") != 0 && strcmp(proto, "https") != 0)
		return invalid(ctx, "X-Forwarded-Proto");
	/* A host name and port, nothing that would end the authority. */
	if (host[strcspn(host, "/?#@\\")] != '\0' ||
	    lk_rules_host(host, o->u.name, sizeof(o->u.name)) == -1)
		return invalid(ctx, "X-Forwarded-Host");
	/* The path of this host: "/...", never "//host" or a whole URL. */
	if (uri[0] != '/' || uri[1] == '/')
		return invalid(ctx, "X-Forwarded-Uri");
	n = snprintf(o->url, sizeof(o->url), "%s://%s%s", proto, host, uri);
	if (n < 0 || (size_t)n >= sizeof(o->url) ||
	    lk_forward_url_parse(o->url, &o->u) == -1)
		return invalid(ctx, "X-Forwarded-Uri");
	return 0;
}

/* X-Original-URL and X-Original-Method; 0 or -1 (denied). */
static int
read_original(struct lk_ctx *ctx, struct original *o)
{
	if (header(ctx, "HTTP_X_ORIGINAL_URL", "X-Original-URL", o->url,
	    sizeof(o->url)) == -1 ||
	    header(ctx, "HTTP_X_ORIGINAL_METHOD", "X-Original-Method",
	    o->method, sizeof(o->method)) == -1)
		return -1;
	if (lk_forward_url_parse(o->url, &o->u) == -1)
		return invalid(ctx, "X-Original-URL");
	if (!method_valid(o->method))
		return invalid(ctx, "X-Original-Method");
	return 0;
}

/*
 * The client's address: the last entry of X-Forwarded-For, the one the
 * trusted proxy wrote ("" if none can be read: the rules' net= then
 * denies).
 */
static void
client_address(struct lk_ctx *ctx, char *out, size_t outsz)
{
	char		 xff[LK_HEADER_MAX];
	unsigned char	 a[16];
	char		*p, *e;

	out[0] = '\0';
	if (lk_request_param(ctx->req, "HTTP_X_FORWARDED_FOR", xff,
	    sizeof(xff)) != 1)
		return;
	p = strrchr(xff, ',');
	p = p != NULL ? p + 1 : xff;
	while (*p == ' ' || *p == '\t')
		p++;
	e = p + strlen(p);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	if (lk_addr_parse(p, a) == 0)
		(void)lk_strlcpy(out, p, outsz);
}

/*
 * A script's request or a browser's page: a browser loading a page (or
 * posting a form) says so in Sec-Fetch-Mode, or without it, in an Accept
 * naming text/html; an XMLHttpRequest says so too.
 */
static int
from_browser(struct lk_ctx *ctx)
{
	char	v[64];

	if (lk_request_param(ctx->req, "HTTP_X_REQUESTED_WITH", v,
	    sizeof(v)) == 1 && lk_ascii_caseeq(v, "XMLHttpRequest"))
		return 0;
	if (lk_request_param(ctx->req, "HTTP_SEC_FETCH_MODE", v,
	    sizeof(v)) == 1)
		return strcmp(v, "navigate") == 0;
	return lk_request_accepts_html(ctx->req);
}

/* Where to log in, and come back to o's URL when it may be. */
static void
login_location(struct lk_ctx *ctx, const struct original *o)
{
	char	*loc = ctx->forward.location;
	size_t	 n, sz = sizeof(ctx->forward.location);

	loc[0] = '\0';
	if (ctx->cfg->login_page[0] == '\0')
		return;
	n = (size_t)snprintf(loc, sz, "%s%s", ctx->cfg->site_url,
	    ctx->cfg->login_page);
	if (n >= sz) {
		loc[0] = '\0';
		return;
	}
	if (!lk_forward_return_ok(ctx->cfg, ctx->rules, o->url) ||
	    n + 7 >= sz)
		return;
	memcpy(loc + n, "?next=", 7);
	n += 6;
	/* Fits: the location holds 3 bytes for each of the URL's. */
	if (lk_url_escape(o->url, "/:", loc, sz, &n) == -1)
		loc[n - 6] = '\0';
}

/* The 200 of an allowed check, with who it is (NULL: a bypass). */
static void
grant(struct lk_ctx *ctx, const struct lk_user *user,
    const struct lk_groups *groups)
{
	char	list[LK_AUTH_GROUPS_MAX * (LK_GROUP_NAME_MAX + 1) + 1];
	size_t	i, n = 0;

	ctx->resp->status = 200;
	if (user == NULL)
		return;
	list[0] = '\0';
	for (i = 0; i < groups->n; i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
		    i > 0 ? "," : "", groups->name[i]);
	lk_response_header(ctx->resp, "Remote-User", "%s", user->email);
	lk_response_header(ctx->resp, "Remote-Groups", "%s", list);
	lk_response_header(ctx->resp, "Remote-Name", "%s", user->name);
	lk_response_header(ctx->resp, "Remote-Email", "%s", user->email);
}

void
lk_forward_check(struct lk_ctx *ctx, enum lk_forward_form form)
{
	struct original			 o;
	struct lk_access_request	 q;
	struct lk_user			 user;
	struct lk_token_state		 state;
	struct lk_groups		 groups;
	int				 rc;

	ctx->forward.active = 1;
	if (!lk_config_trusted_proxy(ctx->cfg, ctx->req->remote_addr)) {
		lk_log_audit("untrusted_proxy", ctx->now, ctx->req->remote_addr,
		    NULL, (char *)NULL);
		(void)lk_deny(ctx, LK_R_PROXY, NULL);
		return;
	}
	memset(&o, 0, sizeof(o));
	if ((form == LK_FORWARD_AUTH ? read_forwarded(ctx, &o) :
	    read_original(ctx, &o)) == -1)
		return;
	client_address(ctx, o.addr, sizeof(o.addr));
	/* The CSRF rule applies to the original request's method. */
	(void)lk_strlcpy(ctx->req->method, o.method, sizeof(ctx->req->method));
	memset(&q, 0, sizeof(q));
	q.host = o.u.host;
	q.uri = o.u.rest;
	q.method = o.method;
	q.address = o.addr[0] != '\0' ? o.addr : NULL;
	rc = lk_auth_access(ctx, &q, &user, &state, &groups);
	if (rc == -1) {
		login_location(ctx, &o);
		if (form == LK_FORWARD_AUTH && from_browser(ctx))
			ctx->forward.redirect = (lk_method_bit(o.method) &
			    (LK_METHOD_GET | LK_METHOD_HEAD)) != 0 ? 302 : 303;
		return;
	}
	grant(ctx, rc == 1 ? &user : NULL, &groups);
	lk_explicit_bzero(&user, sizeof(user));
}
