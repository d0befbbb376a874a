/*
 * libFuzzer harness: the access rules (lib/domain/rules.h) — the parser, the
 * request path's normalisation and the decision.
 *
 * Input: a rules file, then optionally a NUL and a request, one field a
 * line: path (with query), Host, method, client address, and a flags byte
 * (bit 0 a session, bit 1 a second factor, bit 2 the group "admins"); the
 * user is ann@example.com.  A file that parses decides any request
 * alike twice, on a rule of the file or on none; one that fails says
 * "rules:LINE: ..." or "rules: ...".  A normalised path is absolute, holds
 * no empty, "." or ".." segment, no NUL, is UTF-8, and reads the same
 * normalised again (when no decoded '%', '?' or '#' would be read anew).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "domain/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Field i (0-based) of the request part, one a line, into out. */
static void
field(const char *req, size_t len, int i, char *out, size_t outsz)
{
	const char	*p = req, *end = req + len, *nl;
	size_t		 n;

	out[0] = '\0';
	for (; i > 0 && p < end; i--) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return;
		p = nl + 1;
	}
	if (i > 0)
		return;
	nl = memchr(p, '\n', (size_t)(end - p));
	n = (size_t)((nl != NULL ? nl : end) - p);
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	/* A NUL inside would end the field early: that is fine. */
}

static void
check_path(const char *uri)
{
	static char	out[LK_RULES_URI_MAX + 2], again[LK_RULES_URI_MAX + 2];
	unsigned long	cp;
	size_t		i, n;
	int		k;

	if (lk_rules_path(uri, out, sizeof(out)) == -1)
		return;
	n = strlen(out);
	if (out[0] != '/' || strstr(out, "//") != NULL ||
	    strstr(out, "/./") != NULL || strstr(out, "/../") != NULL ||
	    (n >= 2 && strcmp(out + n - 2, "/.") == 0) ||
	    (n >= 3 && strcmp(out + n - 3, "/..") == 0) ||
	    strcmp(out, "/.") == 0)
		abort();
	for (i = 0; i < n; i += (size_t)k)
		if ((k = lk_utf8_decode((const unsigned char *)out + i, n - i,
		    &cp)) < 0)
			abort();
	if (strpbrk(out, "%?#") == NULL) {
		if (lk_rules_path(out, again, sizeof(again)) == -1 ||
		    strcmp(out, again) != 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const admins[] = { "admins" };
	struct lk_rules			*rules;
	struct lk_access_request	 q;
	struct lk_access_decision	 d1, d2;
	char				 err[LK_RULES_ERR_MAX];
	char				 uri[LK_RULES_URI_MAX + 64], host[300];
	char				 method[64], addr[80], flags[8];
	const char			*text = (const char *)data, *req;
	size_t				 tlen, rlen, lines, i;

	req = memchr(text, '\0', size);
	tlen = req != NULL ? (size_t)(req - text) : size;
	rlen = req != NULL ? size - tlen - 1 : 0;
	if (req != NULL)
		req++;
	else
		req = "";

	err[0] = '\0';
	if (lk_rules_parse("rules", text, tlen, &rules, err, sizeof(err)) == -1) {
		if (rules != NULL || strncmp(err, "rules:", 6) != 0)
			abort();
		return 0;
	}
	if (rules == NULL || lk_rules_count(rules) > LK_RULES_MAX)
		abort();
	for (lines = 1, i = 0; i < tlen; i++)
		if (text[i] == '\n')
			lines++;

	field(req, rlen, 0, uri, sizeof(uri));
	field(req, rlen, 1, host, sizeof(host));
	field(req, rlen, 2, method, sizeof(method));
	field(req, rlen, 3, addr, sizeof(addr));
	field(req, rlen, 4, flags, sizeof(flags));
	if (uri[0] == '\0')
		(void)snprintf(uri, sizeof(uri), "/admin/x?y=1");
	check_path(uri);

	memset(&q, 0, sizeof(q));
	q.uri = uri;
	q.host = host;
	q.method = method[0] != '\0' ? method : "GET";
	q.address = addr[0] != '\0' ? addr : NULL;
	q.has_session = (flags[0] & 1) != 0;
	q.user = q.has_session ? "ann@example.com" : NULL;
	q.second_factor = (flags[0] & 2) != 0;
	if (q.has_session && (flags[0] & 4)) {
		q.groups = admins;
		q.ngroups = 1;
	}
	lk_rules_decide(rules, &q, &d1);
	lk_rules_decide(rules, &q, &d2);
	if (d1.access != d2.access || d1.line != d2.line ||
	    d1.access >= LK_ACCESS__MAX || d1.line > lines ||
	    d1.text == NULL || (d1.line == 0) != (d1.text[0] == '\0'))
		abort();
	if (!q.has_session && (d1.access == LK_ACCESS_ALLOW ||
	    d1.access == LK_ACCESS_SECOND_FACTOR))
		abort();
	if (q.has_session && d1.access == LK_ACCESS_LOGIN)
		abort();
	if (d1.line == 0 && d1.access != LK_ACCESS_DENY &&
	    d1.access != LK_ACCESS_BAD_REQUEST)
		abort();
	lk_rules_free(rules);
	return 0;
}
