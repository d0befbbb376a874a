#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "domain/rules.h"
#include "t.h"
#include "tmpdir.h"

/* Parse text; NULL (the error in err) on failure. */
static struct lk_rules *
parse(const char *text, char *err, size_t errsz)
{
	struct lk_rules	*r;

	err[0] = '\0';
	if (lk_rules_parse("rules", text, strlen(text), &r, err, errsz) == -1)
		return NULL;
	return r;
}

/* The error parsing text gives ("" if it parses). */
static const char *
parse_error(const char *text)
{
	static char	 err[LK_RULES_ERR_MAX];
	struct lk_rules	*r;

	if ((r = parse(text, err, sizeof(err))) != NULL) {
		lk_rules_free(r);
		return "";
	}
	return err;
}

/* A request: method GET from 192.0.2.10 to example.com unless changed. */
static struct lk_access_request
req(const char *uri)
{
	struct lk_access_request	q;

	memset(&q, 0, sizeof(q));
	q.host = "example.com";
	q.uri = uri;
	q.method = "GET";
	q.address = "192.0.2.10";
	return q;
}

static struct lk_access_request
signed_in(const char *uri, const char *user, int second_factor)
{
	struct lk_access_request	q = req(uri);

	q.has_session = 1;
	q.user = user;
	q.second_factor = second_factor;
	return q;
}

static struct lk_access_decision
decide(const struct lk_rules *rules, const struct lk_access_request *q)
{
	struct lk_access_decision	d;

	memset(&d, 0xa5, sizeof(d));
	lk_rules_decide(rules, q, &d);
	return d;
}

/* The normalised form of raw, or "REFUSED". */
static const char *
norm(const char *raw)
{
	static char	out[LK_RULES_URI_MAX + 2];

	if (lk_rules_path(raw, out, sizeof(out)) == -1)
		return "REFUSED";
	return out;
}

static const char *
host(const char *raw)
{
	static char	out[LK_RULES_HOST_MAX + 2];

	if (lk_rules_host(raw, out, sizeof(out)) == -1)
		return "REFUSED";
	return out;
}

TEST(paths_are_decoded_and_normalised)
{
	CHECK_STR(norm("/"), "/");
	CHECK_STR(norm("/a/b"), "/a/b");
	CHECK_STR(norm("/a/b/"), "/a/b/");
	CHECK_STR(norm("/a/b?x=/admin/"), "/a/b");
	CHECK_STR(norm("//admin/"), "/admin/");
	CHECK_STR(norm("/a//b///c"), "/a/b/c");
	CHECK_STR(norm("/a/./b/."), "/a/b/");
	CHECK_STR(norm("/a/b/../c"), "/a/c");
	CHECK_STR(norm("/a/b/.."), "/a/");
	CHECK_STR(norm("/../../admin"), "/admin");
	CHECK_STR(norm("/.."), "/");
	CHECK_STR(norm("/public/%2e%2e/admin/"), "/admin/");
	CHECK_STR(norm("/public/%2E%2e/admin/"), "/admin/");
	CHECK_STR(norm("/public/.%2e/admin/x"), "/admin/x");
	CHECK_STR(norm("/%61dmin/"), "/admin/");
	CHECK_STR(norm("/admin%2Fsecret"), "/admin/secret");
	CHECK_STR(norm("/%2Fadmin/"), "/admin/");
	/* Decoded once: %2541 is "%41", not "A". */
	CHECK_STR(norm("/a%2541"), "/a%41");
	CHECK_STR(norm("/caf%C3%A9/"), "/caf\xc3\xa9/");
	CHECK_STR(norm("/caf\xc3\xa9/"), "/caf\xc3\xa9/");
	CHECK_STR(norm("/a..b/...c/"), "/a..b/...c/");
}

TEST(bad_paths_are_refused)
{
	CHECK_STR(norm(""), "REFUSED");
	CHECK_STR(norm("admin"), "REFUSED");
	CHECK_STR(norm("http://example.com/admin"), "REFUSED");
	CHECK_STR(norm("?a=b"), "REFUSED");
	CHECK_STR(norm("/a%00b"), "REFUSED");
	CHECK_STR(norm("/a%"), "REFUSED");
	CHECK_STR(norm("/a%4"), "REFUSED");
	CHECK_STR(norm("/a%4g"), "REFUSED");
	CHECK_STR(norm("/a%zz"), "REFUSED");
	CHECK_STR(norm("/%ff"), "REFUSED");
	CHECK_STR(norm("/\xff"), "REFUSED");
	CHECK_STR(norm("/%c0%ae%c0%ae/admin"), "REFUSED");	/* overlong "." */
	CHECK_STR(norm("/%ed%a0%80"), "REFUSED");		/* a surrogate */
	/* An encoded slash and a ".." segment: no reading of it is safe. */
	CHECK_STR(norm("/app.cgi/..%2F..%2Fpublic/x"), "REFUSED");
	CHECK_STR(norm("/a%2F../b"), "REFUSED");
	CHECK_STR(norm("/a%2F%2e%2e/b"), "REFUSED");
	/* But either alone is fine. */
	CHECK_STR(norm("/a%2F./b"), "/a/b");
	{
		char	long_path[LK_RULES_URI_MAX + 2];

		memset(long_path, 'a', sizeof(long_path) - 1);
		long_path[0] = '/';
		long_path[sizeof(long_path) - 1] = '\0';
		CHECK_STR(norm(long_path), "REFUSED");
		long_path[LK_RULES_URI_MAX] = '\0';
		CHECK_INT(strlen(norm(long_path)), LK_RULES_URI_MAX);
	}
}

TEST(hosts_are_normalised)
{
	CHECK_STR(host(""), "");
	CHECK_STR(host("Example.COM"), "example.com");
	CHECK_STR(host("example.com:8080"), "example.com");
	CHECK_STR(host("example.com:"), "example.com");
	CHECK_STR(host("example.com."), "example.com");
	CHECK_STR(host("127.0.0.1:80"), "127.0.0.1");
	CHECK_STR(host("[::1]:8080"), "[::1]");
	CHECK_STR(host("[0:0::1]"), "[::1]");
	CHECK_STR(host("[2001:DB8::1]"), "[2001:db8::1]");
	CHECK_STR(host("example.com:80x"), "REFUSED");
	CHECK_STR(host("example.com:123456"), "REFUSED");
	CHECK_STR(host("exa mple.com"), "REFUSED");
	CHECK_STR(host("a..b"), "REFUSED");
	CHECK_STR(host(".example.com"), "REFUSED");
	CHECK_STR(host("user@example.com"), "REFUSED");
	CHECK_STR(host("[::1"), "REFUSED");
	CHECK_STR(host("[nope]"), "REFUSED");
	CHECK_STR(host("[::1]x"), "REFUSED");
	CHECK_STR(host("a:b:c"), "REFUSED");
}

TEST(first_match_wins_and_no_match_denies)
{
	char				 err[LK_RULES_ERR_MAX];
	struct lk_rules			*r;
	struct lk_access_request	 q;
	struct lk_access_decision	 d;

	r = parse("# a comment\n"
	    "\n"
	    "bypass path=/public/\n"
	    "  deny   path=/public/secret   # never reached\n"
	    "one_factor path=/members/\n", err, sizeof(err));
	CHECK(r != NULL);
	CHECK_STR(err, "");
	CHECK_INT(lk_rules_count(r), 3);
	q = req("/public/secret");
	d = decide(r, &q);
	CHECK_INT(d.access, LK_ACCESS_BYPASS);
	CHECK_INT(d.line, 3);
	CHECK_STR(d.text, "bypass path=/public/");
	q = signed_in("/members/x", "ann@example.com", 0);
	d = decide(r, &q);
	CHECK_INT(d.access, LK_ACCESS_ALLOW);
	CHECK_INT(d.line, 5);
	CHECK_STR(d.text, "one_factor path=/members/");
	/* Nothing matches: denied, by no rule. */
	q = signed_in("/other", "ann@example.com", 1);
	d = decide(r, &q);
	CHECK_INT(d.access, LK_ACCESS_DENY);
	CHECK_INT(d.line, 0);
	CHECK_STR(d.text, "");
	lk_rules_free(r);

	/* An empty file denies everything. */
	r = parse("# nothing yet\n", err, sizeof(err));
	CHECK(r != NULL);
	q = signed_in("/", "ann@example.com", 1);
	CHECK_INT(decide(r, &q).access, LK_ACCESS_DENY);
	lk_rules_free(r);
}

TEST(policies)
{
	char				 err[LK_RULES_ERR_MAX];
	struct lk_rules			*r;
	struct lk_access_request	 q;

	r = parse("bypass path=/open/\n"
	    "one_factor path=/one/\n"
	    "two_factor path=/two/\n"
	    "deny path=/none/\n", err, sizeof(err));
	CHECK(r != NULL);
	/* Without a session. */
	q = req("/open/");
	CHECK_INT(decide(r, &q).access, LK_ACCESS_BYPASS);
	q = req("/one/");
	CHECK_INT(decide(r, &q).access, LK_ACCESS_LOGIN);
	q = req("/two/");
	CHECK_INT(decide(r, &q).access, LK_ACCESS_LOGIN);
	q = req("/none/");
	CHECK_INT(decide(r, &q).access, LK_ACCESS_DENY);
	/* One factor. */
	q = signed_in("/open/", "a@example.com", 0);
	CHECK_INT(decide(r, &q).access, LK_ACCESS_BYPASS);
	q = signed_in("/one/", "a@example.com", 0);
	CHECK_INT(decide(r, &q).access, LK_ACCESS_ALLOW);
	q = signed_in("/two/", "a@example.com", 0);
	CHECK_INT(decide(r, &q).access, LK_ACCESS_SECOND_FACTOR);
	q = signed_in("/none/", "a@example.com", 0);
	CHECK_INT(decide(r, &q).access, LK_ACCESS_DENY);
	/* Two factors. */
	q = signed_in("/two/", "a@example.com", 1);
	CHECK_INT(decide(r, &q).access, LK_ACCESS_ALLOW);
	q = signed_in("/none/", "a@example.com", 1);
	CHECK_INT(decide(r, &q).access, LK_ACCESS_DENY);
	lk_rules_free(r);
}

TEST(prefix_and_regex_paths)
{
	char				 err[LK_RULES_ERR_MAX];
	struct lk_rules			*r;
	struct lk_access_request	 q;

	r = parse("deny path=/admin/,~^/api/v[0-9]+/internal(/|$)\n"
	    "one_factor path=~\\.(pdf|zip)$\n"
	    "bypass path=/\n", err, sizeof(err));
	CHECK(r != NULL);
	CHECK_STR(err, "");
	q = signed_in("/admin/", "a@example.com", 1);
	CHECK_INT(decide(r, &q).access, LK_ACCESS_DENY);
	/* A prefix is a prefix: "/admin" alone is not under "/admin/". */
	q = signed_in("/admin", "a@example.com", 1);
	CHECK_INT(decide(r, &q).access, LK_ACCESS_BYPASS);
	q = signed_in("/api/v2/internal/x", "a@example.com", 1);
	CHECK_INT(decide(r, &q).access, LK_ACCESS_DENY);
	q = signed_in("/api/v2/internal", "a@example.com", 1);
	CHECK_INT(decide(r, &q).access, LK_ACCESS_DENY);
	q = signed_in("/api/v2/internals", "a@example.com", 1);
	CHECK_INT(decide(r, &q).access, LK_ACCESS_BYPASS);
	q = signed_in("/api/vx/internal/", "a@example.com", 1);
	CHECK_INT(decide(r, &q).access, LK_ACCESS_BYPASS);
	/* Regular expressions are not anchored unless they say so. */
	q = signed_in("/files/report.pdf", "a@example.com", 0);
	CHECK_INT(decide(r, &q).access, LK_ACCESS_ALLOW);
	q = req("/files/report.pdf");
	CHECK_INT(decide(r, &q).access, LK_ACCESS_LOGIN);
	/* The query is never part of the path. */
	q = req("/files/x?name=report.pdf");
	CHECK_INT(decide(r, &q).access, LK_ACCESS_BYPASS);
	lk_rules_free(r);
}

TEST(encoded_and_dot_segment_paths_cannot_step_around_a_rule)
{
	static const char *const tries[] = {
		"/admin/", "//admin/", "/%2e%2e/admin/", "/public/../admin/x",
		"/public/%2e%2e/admin/x", "/public/%2E%2E/admin/x",
		"/%61dmin/", "/admin%2Fx", "/%2Fadmin/x", "/./admin/",
		"/admin/./", "/public/.%2e/admin/", "/admin//x",
		"/admin/?/public/", "///admin///",
	};
	char				 err[LK_RULES_ERR_MAX];
	struct lk_rules			*r;
	struct lk_access_request	 q;
	struct lk_access_decision	 d;
	size_t				 i;

	r = parse("deny path=/admin/\nbypass\n", err, sizeof(err));
	CHECK(r != NULL);
	for (i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		q = signed_in(tries[i], "a@example.com", 1);
		d = decide(r, &q);
		if (d.access != LK_ACCESS_DENY)
			fprintf(stderr, "%s: %s\n", tries[i],
			    lk_access_name(d.access));
		CHECK_INT(d.access, LK_ACCESS_DENY);
		CHECK_INT(d.line, 1);
	}
	/* Refused outright: bad UTF-8, a NUL, a bad escape, %2F with "..". */
	q = signed_in("/admin%00/", "a@example.com", 1);
	CHECK_INT(decide(r, &q).access, LK_ACCESS_BAD_REQUEST);
	q = signed_in("/%c0%af/admin/", "a@example.com", 1);
	CHECK_INT(decide(r, &q).access, LK_ACCESS_BAD_REQUEST);
	q = signed_in("/x%2/admin/", "a@example.com", 1);
	CHECK_INT(decide(r, &q).access, LK_ACCESS_BAD_REQUEST);
	q = signed_in("/public/x.cgi/..%2F..%2Fadmin/", "a@example.com", 1);
	d = decide(r, &q);
	CHECK_INT(d.access, LK_ACCESS_BAD_REQUEST);
	CHECK_INT(d.line, 0);
	q = req(NULL);
	CHECK_INT(decide(r, &q).access, LK_ACCESS_BAD_REQUEST);
	lk_rules_free(r);
}

TEST(hosts_exact_and_wildcard)
{
	char				 err[LK_RULES_ERR_MAX];
	struct lk_rules			*r;
	struct lk_access_request	 q;

	r = parse("bypass host=Public.Example.com,[::1]\n"
	    "two_factor host=*.admin.example.com\n"
	    "one_factor host=example.com,*.example.com\n", err, sizeof(err));
	CHECK(r != NULL);
	CHECK_STR(err, "");
	q = req("/");
	q.host = "public.example.com";
	CHECK_INT(decide(r, &q).access, LK_ACCESS_BYPASS);
	q.host = "PUBLIC.example.com:443";
	CHECK_INT(decide(r, &q).access, LK_ACCESS_BYPASS);
	q.host = "public.example.com.";
	CHECK_INT(decide(r, &q).access, LK_ACCESS_BYPASS);
	q.host = "[0::1]:8080";
	CHECK_INT(decide(r, &q).access, LK_ACCESS_BYPASS);
	q = signed_in("/", "a@example.com", 0);
	q.host = "x.admin.example.com";
	CHECK_INT(decide(r, &q).access, LK_ACCESS_SECOND_FACTOR);
	q.host = "a.b.admin.example.com";
	CHECK_INT(decide(r, &q).access, LK_ACCESS_SECOND_FACTOR);
	/* "*.admin.example.com" is its subdomains, not itself. */
	q.host = "admin.example.com";
	CHECK_INT(decide(r, &q).access, LK_ACCESS_ALLOW);
	q.host = "badadmin.example.com";
	CHECK_INT(decide(r, &q).access, LK_ACCESS_ALLOW);
	q.host = "example.com";
	CHECK_INT(decide(r, &q).access, LK_ACCESS_ALLOW);
	q.host = "example.com.evil.test";
	CHECK_INT(decide(r, &q).access, LK_ACCESS_DENY);
	q.host = "notexample.com";
	CHECK_INT(decide(r, &q).access, LK_ACCESS_DENY);
	q.host = "";
	CHECK_INT(decide(r, &q).access, LK_ACCESS_DENY);
	q.host = "bad host";
	CHECK_INT(decide(r, &q).access, LK_ACCESS_BAD_REQUEST);
	lk_rules_free(r);
}

/* The hosts a site protects: where a login may send the browser back. */
TEST(hosts_named_by_the_rules)
{
	struct lk_rules	*r;
	char		 err[LK_RULES_ERR_MAX];

	r = parse("deny path=/x\n"
	    "one_factor host=app.example.com,[2001:db8::1]\n"
	    "bypass host=*.pub.example.org path=/\n", err, sizeof(err));
	CHECK(r != NULL);
	CHECK(lk_rules_names_host(r, "app.example.com"));
	CHECK(lk_rules_names_host(r, "[2001:db8::1]"));
	CHECK(lk_rules_names_host(r, "a.pub.example.org"));
	CHECK(lk_rules_names_host(r, "a.b.pub.example.org"));
	/* A wildcard is for subdomains, not the name itself. */
	CHECK(!lk_rules_names_host(r, "pub.example.org"));
	CHECK(!lk_rules_names_host(r, "example.com"));
	CHECK(!lk_rules_names_host(r, "evil-app.example.com"));
	CHECK(!lk_rules_names_host(r, "app.example.com.evil"));
	CHECK(!lk_rules_names_host(r, "xpub.example.org"));
	CHECK(!lk_rules_names_host(r, ""));
	CHECK(!lk_rules_names_host(NULL, "app.example.com"));
	lk_rules_free(r);
}

TEST(methods)
{
	char				 err[LK_RULES_ERR_MAX];
	struct lk_rules			*r;
	struct lk_access_request	 q;

	r = parse("bypass method=GET,HEAD,OPTIONS path=/docs/\n"
	    "one_factor path=/docs/\n", err, sizeof(err));
	CHECK(r != NULL);
	q = req("/docs/a");
	CHECK_INT(decide(r, &q).access, LK_ACCESS_BYPASS);
	q.method = "HEAD";
	CHECK_INT(decide(r, &q).access, LK_ACCESS_BYPASS);
	q.method = "POST";
	CHECK_INT(decide(r, &q).access, LK_ACCESS_LOGIN);
	/* Methods are case-sensitive. */
	q.method = "get";
	CHECK_INT(decide(r, &q).access, LK_ACCESS_LOGIN);
	q.method = NULL;
	CHECK_INT(decide(r, &q).access, LK_ACCESS_LOGIN);
	lk_rules_free(r);
}

TEST(networks_ipv4_and_ipv6)
{
	char				 err[LK_RULES_ERR_MAX];
	struct lk_rules			*r;
	struct lk_access_request	 q;
	struct lk_access_decision	 d;

	r = parse("bypass net=10.0.0.0/8,192.168.1.0/24,127.0.0.1\n"
	    "bypass net=2001:db8:aa::/48,::1\n"
	    "deny net=0.0.0.0/0\n"
	    "one_factor net=::/0\n", err, sizeof(err));
	CHECK(r != NULL);
	CHECK_STR(err, "");
	q = req("/");
	q.address = "10.200.3.4";
	CHECK_INT(decide(r, &q).line, 1);
	q.address = "192.168.1.255";
	CHECK_INT(decide(r, &q).line, 1);
	q.address = "192.168.2.1";
	CHECK_INT(decide(r, &q).line, 3);
	q.address = "127.0.0.1";
	CHECK_INT(decide(r, &q).line, 1);
	q.address = "127.0.0.2";
	CHECK_INT(decide(r, &q).line, 3);
	/* An IPv4-mapped IPv6 client is its IPv4 address. */
	q.address = "::ffff:10.1.2.3";
	CHECK_INT(decide(r, &q).line, 1);
	q.address = "::ffff:8.8.8.8";
	CHECK_INT(decide(r, &q).line, 3);
	q.address = "2001:db8:aa:ffff::1";
	CHECK_INT(decide(r, &q).line, 2);
	q.address = "2001:db8:ab::1";
	d = decide(r, &q);
	CHECK_INT(d.line, 4);
	CHECK_INT(d.access, LK_ACCESS_LOGIN);
	q.address = "::1";
	CHECK_INT(decide(r, &q).line, 2);
	q.address = "fe80::1%eth0";
	CHECK_INT(decide(r, &q).line, 4);
	/* An address that cannot be read fails closed at a net= rule. */
	q.address = "not an address";
	d = decide(r, &q);
	CHECK_INT(d.access, LK_ACCESS_DENY);
	CHECK_INT(d.line, 1);
	CHECK_INT(d.no_address, 1);
	q.address = "10.0.0.1";
	CHECK_INT(decide(r, &q).no_address, 0);
	q.address = NULL;
	CHECK_INT(decide(r, &q).access, LK_ACCESS_DENY);
	lk_rules_free(r);

	/* Odd prefix lengths. */
	r = parse("bypass net=10.128.0.0/9,2001:db8:8000::/33\n", err,
	    sizeof(err));
	CHECK(r != NULL);
	q = req("/");
	q.address = "10.128.0.1";
	CHECK_INT(decide(r, &q).access, LK_ACCESS_BYPASS);
	q.address = "10.127.255.255";
	CHECK_INT(decide(r, &q).access, LK_ACCESS_DENY);
	q.address = "2001:db8:8000::1";
	CHECK_INT(decide(r, &q).access, LK_ACCESS_BYPASS);
	q.address = "2001:db8:7fff::1";
	CHECK_INT(decide(r, &q).access, LK_ACCESS_DENY);
	lk_rules_free(r);
}

TEST(subjects_user_or_group)
{
	static const char *const admins[] = { "staff", "admins" };
	static const char *const others[] = { "staff" };
	char				 err[LK_RULES_ERR_MAX];
	struct lk_rules			*r;
	struct lk_access_request	 q;
	struct lk_access_decision	 d;

	r = parse("deny user=mallory@example.com\n"
	    "two_factor path=/admin/ group=admins user=Root@Example.com\n"
	    "deny path=/admin/\n"
	    "one_factor\n", err, sizeof(err));
	CHECK(r != NULL);
	CHECK_STR(err, "");
	/* No session meets a rule with a subject first: log in. */
	q = req("/anything");
	d = decide(r, &q);
	CHECK_INT(d.access, LK_ACCESS_LOGIN);
	CHECK_INT(d.line, 1);
	q = signed_in("/x", "Mallory@example.COM", 1);
	CHECK_INT(decide(r, &q).access, LK_ACCESS_DENY);
	/* The user matches, without any group (emails fold ASCII case). */
	q = signed_in("/admin/", "root@example.com", 1);
	d = decide(r, &q);
	CHECK_INT(d.access, LK_ACCESS_ALLOW);
	CHECK_INT(d.line, 2);
	q = signed_in("/admin/", "root@example.com", 0);
	CHECK_INT(decide(r, &q).access, LK_ACCESS_SECOND_FACTOR);
	/* A group matches, whoever the user. */
	q = signed_in("/admin/", "ann@example.com", 1);
	q.groups = admins;
	q.ngroups = 2;
	CHECK_INT(decide(r, &q).access, LK_ACCESS_ALLOW);
	/* Neither: on to the next rule. */
	q.groups = others;
	q.ngroups = 1;
	d = decide(r, &q);
	CHECK_INT(d.access, LK_ACCESS_DENY);
	CHECK_INT(d.line, 3);
	q = signed_in("/home", "ann@example.com", 0);
	d = decide(r, &q);
	CHECK_INT(d.access, LK_ACCESS_ALLOW);
	CHECK_INT(d.line, 4);
	lk_rules_free(r);
}

TEST(parse_errors_name_their_line)
{
	char	big[LK_RULES_LINE_MAX + 64];

	CHECK_STR(parse_error("bypass\nallow path=/\n"), "rules:2: unknown "
	    "policy \"allow\" (bypass, one_factor, two_factor or deny)");
	CHECK_STR(parse_error("\n\ndeny paths=/x\n"), "rules:3: unknown "
	    "matcher \"paths\" (host, path, method, net, user or group)");
	CHECK_STR(parse_error("deny /x\n"), "rules:1: \"/x\" is not "
	    "MATCHER=VALUE (host, path, method, net, user or group)");
	CHECK_STR(parse_error("deny path=/a/ path=/b/\n"), "rules:1: path= "
	    "given twice (list its values with commas)");
	CHECK_STR(parse_error("deny path=\n"), "rules:1: path= has no value");
	CHECK_STR(parse_error("deny path=/a/,,/b/\n"), "rules:1: path= has an "
	    "empty value (two commas in a row, or one at an end)");
	CHECK_STR(parse_error("deny host=a.example.com,\n"), "rules:1: host= "
	    "has an empty value (two commas in a row, or one at an end)");
	CHECK_STR(parse_error("deny path=admin/\n"), "rules:1: path \"admin/\" "
	    "must start with / (a prefix) or ~ (a regular expression)");
	CHECK_STR(parse_error("deny path=/a//b/\n"), "rules:1: path \"/a//b/\" "
	    "can never match: requests are matched with \"//\", \".\" and "
	    "\"..\" resolved");
	CHECK_STR(parse_error("deny path=/a/../b/\n"), "rules:1: path "
	    "\"/a/../b/\" can never match: requests are matched with \"//\", "
	    "\".\" and \"..\" resolved");
	CHECK_STR(parse_error("deny path=/caf%C3%A9/\n"), "rules:1: path "
	    "\"/caf%C3%A9/\": requests are matched decoded, so write the "
	    "character itself, not its %XX escape");
	CHECK_STR(parse_error("deny path=/a?b\n"), "rules:1: path \"/a?b\": "
	    "the query is not part of the path");
	CHECK_STR(parse_error("deny path=~\n"), "rules:1: path \"~\" has no "
	    "regular expression after the ~");
	CHECK_STR(parse_error("deny path=~^/(a\n"), "rules:1: path \"~^/(a\": "
	    "Unmatched ( or \\(");
	CHECK_STR(parse_error("deny path=~^/(a)\\1\n"), "rules:1: path "
	    "\"~^/(a)\\1\": back-references (\\1) are not allowed");
	/* Runs of repetitions make glibc's regcomp take exponential time. */
	CHECK_STR(parse_error("deny path=~^/a??b\n"), "rules:1: path \"~^/a??b\": "
	    "a repetition (*, +, ?, {m,n}) must follow something to repeat, and "
	    "only one");
	CHECK_STR(parse_error("deny path=~/a+*\n"), "rules:1: path \"~/a+*\": a "
	    "repetition (*, +, ?, {m,n}) must follow something to repeat, and "
	    "only one");
	CHECK_STR(parse_error("deny path=~*a\n"), "rules:1: path \"~*a\": a "
	    "repetition (*, +, ?, {m,n}) must follow something to repeat, and "
	    "only one");
	CHECK_STR(parse_error("deny path=~(|?)\n"), "rules:1: path \"~(|?)\": a "
	    "repetition (*, +, ?, {m,n}) must follow something to repeat, and "
	    "only one");
	CHECK_STR(parse_error("deny path=~a{2}{3}\n"), "rules:1: path "
	    "\"~a{2}{3}\": a repetition (*, +, ?, {m,n}) must follow something "
	    "to repeat, and only one");
	CHECK_STR(parse_error("deny path=~a{x}\n"), "rules:1: path \"~a{x}\": an "
	    "interval is {m}, {m,} or {m,n}, up to 255");
	CHECK_STR(parse_error("deny path=~a{3,2}\n"), "rules:1: path "
	    "\"~a{3,2}\": an interval is {m}, {m,} or {m,n}, up to 255");
	CHECK_STR(parse_error("deny path=~a{256}\n"), "rules:1: path "
	    "\"~a{256}\": an interval is {m}, {m,} or {m,n}, up to 255");
	CHECK_STR(parse_error("deny path=~((a{16}){16}){5}\n"), "rules:1: path "
	    "\"~((a{16}){16}){5}\": too large once its repetitions are counted "
	    "out");
	CHECK_STR(parse_error("deny path=~(((((((((a)))))))))\n"), "rules:1: "
	    "path \"~(((((((((a)))))))))\": groups nest too deep");
	CHECK_STR(parse_error("deny path=~a)\n"), "rules:1: path \"~a)\": a ) "
	    "without its (");
	/* Within the bounds: repetitions of bracket expressions and groups. */
	CHECK_STR(parse_error("deny path=~^(/[^/]+){2}/a[]x]*/(b|c)?d{0,3}e{2,}"
	    "[[:alpha:]]+$\n"), "");
	CHECK_STR(parse_error("deny path=~((a{16}){16}){4}\n"), "");
	CHECK_STR(parse_error("deny path=~a\\{2\n"), "");
	CHECK_STR(parse_error("deny method=get\n"), "rules:1: method \"get\": "
	    "methods are upper case (GET, POST, ...)");
	CHECK_STR(parse_error("deny method=G/T\n"), "rules:1: method \"G/T\" "
	    "is not an HTTP method");
	CHECK_STR(parse_error("deny net=10.0.0.1/8\n"), "rules:1: net "
	    "\"10.0.0.1/8\" has bits set past its prefix length");
	CHECK_STR(parse_error("deny net=10.0.0.0/33\n"), "rules:1: net "
	    "\"10.0.0.0/33\": the prefix length must be 0 to 32");
	CHECK_STR(parse_error("deny net=::/129\n"), "rules:1: net \"::/129\": "
	    "the prefix length must be 0 to 128");
	CHECK_STR(parse_error("deny net=10.0.0/8\n"), "rules:1: net "
	    "\"10.0.0/8\" is not an IPv4 or IPv6 address or network (e.g. "
	    "10.0.0.0/8, 2001:db8::/32)");
	CHECK_STR(parse_error("deny host=example.com:443\n"), "rules:1: host "
	    "\"example.com:443\": write the host without a port");
	CHECK_STR(parse_error("deny host=a.*.com\n"), "rules:1: host "
	    "\"a.*.com\": a wildcard is \"*.\" at the start of the name "
	    "(*.example.com)");
	CHECK_STR(parse_error("deny host=*\n"), "rules:1: host \"*\": a "
	    "wildcard is \"*.\" at the start of the name (*.example.com)");
	CHECK_STR(parse_error("deny host=example.com.\n"), "rules:1: host "
	    "\"example.com.\": write it without the trailing dot");
	CHECK_STR(parse_error("deny host=exa$mple.com\n"), "rules:1: host "
	    "\"exa$mple.com\" is not a host name");
	CHECK_STR(parse_error("deny user=nobody\n"), "rules:1: user "
	    "\"nobody\" is not an email address");
	CHECK_STR(parse_error("deny group=Admins\n"), "rules:1: group "
	    "\"Admins\": 'A' is upper case (a group's name is 1 to 64 of a-z, "
	    "0-9, '_', '.' and '-', starting with a letter or digit)");
	CHECK_STR(parse_error("deny group=-x\n"), "rules:1: group \"-x\": it "
	    "starts with '-' (a group's name is 1 to 64 of a-z, 0-9, '_', '.' "
	    "and '-', starting with a letter or digit)");
	CHECK_STR(parse_error("one_factor\nbypass path=/x/ user=a@b.c\n"),
	    "rules:2: bypass cannot have a subject (user= or group=): nobody "
	    "signs in to pass a bypass rule");
	CHECK_STR(parse_error("bypass group=staff\n"), "rules:1: bypass "
	    "cannot have a subject (user= or group=): nobody signs in to pass "
	    "a bypass rule");
	CHECK_STR(parse_error("deny\none_factor path=/a\x01/\n"), "rules:2: "
	    "not UTF-8 text (a NUL, a control character or a bad byte)");
	CHECK_STR(parse_error("deny path=/\xff/\n"), "rules:1: not UTF-8 text "
	    "(a NUL, a control character or a bad byte)");
	CHECK(strcmp(parse_error("deny\r\nbypass\r\n"), "") == 0);
	/* Past the bounds. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "deny path=/", 11);
	big[LK_RULES_LINE_MAX + 1] = '\0';
	CHECK_STR(parse_error(big), "rules:1: line longer than 4096 bytes");
}

TEST(parse_bounds)
{
	char	*text, *p;
	size_t	 i, sz = 64 * (LK_RULES_MAX + 2);

	/* Rules. */
	text = malloc(sz);
	CHECK(text != NULL);
	if (text == NULL)
		return;
	p = text;
	for (i = 0; i < LK_RULES_MAX; i++)
		p += snprintf(p, 32, "deny path=/r%zu/\n", i);
	*p = '\0';
	CHECK_STR(parse_error(text), "");
	(void)snprintf(p, 32, "deny\n");
	CHECK_STR(parse_error(text), "rules:1001: more than 1000 rules");
	/* Values in one list. */
	p = text + snprintf(text, 32, "deny method=");
	for (i = 0; i < LK_RULES_LIST_MAX; i++)
		p += snprintf(p, 8, "%sM", i ? "," : "");
	*p = '\0';
	CHECK_STR(parse_error(text), "");
	(void)snprintf(p, 8, ",M");
	CHECK_STR(parse_error(text), "rules:1: method= has more than 256 "
	    "values");
	/* A regular expression. */
	p = text + snprintf(text, 32, "deny path=~");
	memset(p, 'a', LK_RULES_REGEX_MAX);
	p[LK_RULES_REGEX_MAX] = '\0';
	CHECK_STR(parse_error(text), "");
	p[LK_RULES_REGEX_MAX] = 'a';
	p[LK_RULES_REGEX_MAX + 1] = '\0';
	CHECK_STR(parse_error(text), "rules:1: path \"~aaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaa...\": a regular expression is at most 512 "
	    "bytes");
	free(text);
}

TEST(regex_takes_the_rest_of_its_value)
{
	char				 err[LK_RULES_ERR_MAX];
	struct lk_rules			*r;
	struct lk_access_request	 q;

	/* A comma inside a regular expression is the expression's. */
	r = parse("deny path=/x/,~^/a{1,2}b$\n", err, sizeof(err));
	CHECK(r != NULL);
	CHECK_STR(err, "");
	q = req("/aab");
	CHECK_INT(decide(r, &q).access, LK_ACCESS_DENY);
	CHECK_INT(decide(r, &q).line, 1);
	q = req("/x/1");
	CHECK_INT(decide(r, &q).line, 1);
	q = req("/aaab");
	CHECK_INT(decide(r, &q).line, 0);
	lk_rules_free(r);
}

TEST(a_comment_opens_a_word)
{
	char				 err[LK_RULES_ERR_MAX];
	struct lk_rules			*r;
	struct lk_access_request	 q;

	r = parse("deny path=~/a#b # the rest is a comment path=/\n"
	    "\tbypass\t# tabs too\n", err, sizeof(err));
	CHECK(r != NULL);
	CHECK_STR(err, "");
	q = req("/a#b");
	/* '#' ends the path before matching: "/a" is not "/a#b". */
	CHECK_INT(decide(r, &q).line, 2);
	q = req("/a%23b");
	CHECK_INT(decide(r, &q).line, 1);
	CHECK_STR(decide(r, &q).text, "deny path=~/a#b # the rest is a comment "
	    "path=/");
	lk_rules_free(r);
}

TEST(load_checks_the_file)
{
	char		 err[LK_RULES_ERR_MAX], want[600];
	struct lk_rules	*r;
	const char	*p;

	p = tmp_file("ok.rules", "bypass\n", 0644);
	CHECK(lk_rules_load(p, &r, err, sizeof(err)) == 0);
	CHECK_INT(lk_rules_count(r), 1);
	lk_rules_free(r);
	p = tmp_file("bad.rules", "bypass\nnope\n", 0644);
	CHECK(lk_rules_load(p, &r, err, sizeof(err)) == -1);
	CHECK(r == NULL);
	(void)snprintf(want, sizeof(want), "%s:2: unknown policy \"nope\" "
	    "(bypass, one_factor, two_factor or deny)", p);
	CHECK_STR(err, want);
	p = tmp_file("open.rules", "bypass\n", 0666);
	CHECK(lk_rules_load(p, &r, err, sizeof(err)) == -1);
	(void)snprintf(want, sizeof(want), "%s: others may write it: refused "
	    "(chmod o-w)", p);
	CHECK_STR(err, want);
	(void)snprintf(want, sizeof(want), "%s/missing.rules", tmp_dir());
	CHECK(lk_rules_load(want, &r, err, sizeof(err)) == -1);
	CHECK(strstr(err, "missing.rules: No such file or directory") != NULL);
	CHECK(lk_rules_load(tmp_dir(), &r, err, sizeof(err)) == -1);
	CHECK(strstr(err, ": not a regular file") != NULL);
}

TEST(cache_reads_again_only_when_the_file_changes)
{
	struct lk_rules_cache		 c;
	const struct lk_rules		*r, *r2;
	struct lk_access_request	 q;
	const char			*p;
	char				 path[512], want[600];
	long long			 now = (long long)time(NULL);
	int				 changed;
	struct timespec			 ts[2];
	struct timespec			 tick = { 0, 30 * 1000 * 1000 };

	memset(&c, 0, sizeof(c));
	p = tmp_file("cache.rules", "bypass path=/a/\n", 0644);
	(void)snprintf(path, sizeof(path), "%s", p);
	/* An old file: not racy, so only a change reads it again. */
	ts[0].tv_sec = ts[1].tv_sec = now - 100;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	CHECK(utimensat(AT_FDCWD, path, ts, 0) == 0);
	r = lk_rules_cache_get(&c, path, now, &changed);
	CHECK(r != NULL);
	CHECK_INT(changed, 1);
	r2 = lk_rules_cache_get(&c, path, ++now, &changed);
	CHECK(r2 == r);
	CHECK_INT(changed, 0);
	/* Edited (another size): read again at the next second's check... */
	(void)tmp_file("cache.rules", "deny path=/a/\nbypass\n", 0644);
	CHECK(utimensat(AT_FDCWD, path, ts, 0) == 0);
	r = lk_rules_cache_get(&c, path, now, &changed);
	CHECK_INT(changed, 0);
	CHECK_INT(lk_rules_count(r), 1);
	/* ...and not before: no system call within a second. */
	r = lk_rules_cache_get(&c, path, ++now, &changed);
	CHECK_INT(changed, 1);
	CHECK(r != NULL);
	CHECK_INT(lk_rules_count(r), 2);
	/* Broken: NULL, with file and line, until it is fixed. */
	(void)tmp_file("cache.rules", "deny path=/a/\nbypas\n", 0644);
	CHECK(utimensat(AT_FDCWD, path, ts, 0) == 0);
	CHECK(lk_rules_cache_get(&c, path, ++now, &changed) == NULL);
	CHECK_INT(changed, 1);
	(void)snprintf(want, sizeof(want), "%s:2: unknown policy \"bypas\" "
	    "(bypass, one_factor, two_factor or deny)", path);
	CHECK_STR(c.err, want);
	CHECK(lk_rules_cache_get(&c, path, ++now, &changed) == NULL);
	CHECK_INT(changed, 0);
	CHECK_STR(c.err, want);
	/*
	 * Same size, same times, new content: the change time tells (once
	 * the file system's clock has ticked).
	 */
	(void)nanosleep(&tick, NULL);
	(void)tmp_file("cache.rules", "deny path=/a/\nbypass\n", 0644);
	CHECK(utimensat(AT_FDCWD, path, ts, 0) == 0);
	r = lk_rules_cache_get(&c, path, ++now, &changed);
	CHECK(r != NULL);
	CHECK_INT(changed, 1);
	q = req("/a/");
	CHECK_INT(decide(r, &q).access, LK_ACCESS_DENY);
	/* Removed: broken. */
	CHECK(unlink(path) == 0);
	CHECK(lk_rules_cache_get(&c, path, ++now, &changed) == NULL);
	CHECK_INT(changed, 1);
	CHECK(strstr(c.err, "No such file or directory") != NULL);
	CHECK(lk_rules_cache_get(&c, path, ++now, &changed) == NULL);
	CHECK_INT(changed, 0);
	/*
	 * A fresh file is read again at each check while it is young (a
	 * rewrite within its clock tick, same size, would look unchanged).
	 */
	now = (long long)time(NULL);
	(void)tmp_file("cache.rules", "bypass\n", 0644);
	CHECK(lk_rules_cache_get(&c, path, now, &changed) != NULL);
	CHECK_INT(changed, 1);
	CHECK(lk_rules_cache_get(&c, path, now, &changed) != NULL);
	CHECK_INT(changed, 0);
	CHECK(lk_rules_cache_get(&c, path, now + 1, &changed) != NULL);
	CHECK_INT(changed, 1);
	CHECK(lk_rules_cache_get(&c, path, now + 10, &changed) != NULL);
	CHECK_INT(changed, 1);
	CHECK(lk_rules_cache_get(&c, path, now + 11, &changed) != NULL);
	CHECK_INT(changed, 0);
	lk_rules_cache_clear(&c);
	CHECK(c.rules == NULL);
	CHECK_INT(c.tried, 0);
}

TEST(names)
{
	CHECK_STR(lk_rules_policy_name(LK_POLICY_TWO_FACTOR), "two_factor");
	CHECK_STR(lk_access_name(LK_ACCESS_SECOND_FACTOR),
	    "second factor required");
}

int
main(void)
{
	RUN(paths_are_decoded_and_normalised);
	RUN(bad_paths_are_refused);
	RUN(hosts_are_normalised);
	RUN(first_match_wins_and_no_match_denies);
	RUN(policies);
	RUN(prefix_and_regex_paths);
	RUN(encoded_and_dot_segment_paths_cannot_step_around_a_rule);
	RUN(hosts_exact_and_wildcard);
	RUN(hosts_named_by_the_rules);
	RUN(methods);
	RUN(networks_ipv4_and_ipv6);
	RUN(subjects_user_or_group);
	RUN(parse_errors_name_their_line);
	RUN(parse_bounds);
	RUN(regex_takes_the_rest_of_its_value);
	RUN(a_comment_opens_a_word);
	RUN(load_checks_the_file);
	RUN(cache_reads_again_only_when_the_file_changes);
	RUN(names);
	tmp_cleanup();
	return T_END();
}
