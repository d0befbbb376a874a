/*
 * The OpenID provider's rules for its clients (ids, URIs and secrets),
 * its issuer and its discovery document.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "base/json.h"
#include "base/sha256.h"
#include "base/util.h"
#include "domain/oidc.h"

const char *
lk_oidc_client_id_check(const char *id)
{
	size_t	i, n = strlen(id);

	if (n == 0)
		return "a client's id is empty";
	if (n > LK_OIDC_CLIENT_ID_MAX)
		return "a client's id is longer than 128 bytes";
	for (i = 0; i < n; i++)
		if (!((id[i] >= 'A' && id[i] <= 'Z') ||
		    (id[i] >= 'a' && id[i] <= 'z') ||
		    (id[i] >= '0' && id[i] <= '9') || id[i] == '-' ||
		    id[i] == '.' || id[i] == '_' || id[i] == '~'))
			return "a client's id holds a character other than "
			    "A-Z, a-z, 0-9, '-', '.', '_' and '~'";
	return NULL;
}

const char *
lk_oidc_uri_check(const char *uri)
{
	const char	*host;
	size_t		 i, n = strlen(uri);

	if (n > LK_OIDC_URI_MAX)
		return "a URI is longer than 1024 bytes";
	if (strncmp(uri, "https://", 8) == 0)
		host = uri + 8;
	else if (strncmp(uri, "http://", 7) == 0)
		host = uri + 7;
	else
		return "a URI must start with https:// or http://";
	if (*host == '\0' || *host == '/' || *host == '?' || *host == ':')
		return "a URI must name a host";
	for (i = 0; i < n; i++)
		if ((unsigned char)uri[i] <= 0x20 ||
		    (unsigned char)uri[i] >= 0x7f)
			return "a URI holds a space, a control character or a "
			    "character outside ASCII";
	if (strchr(uri, '#') != NULL)
		return "a URI must not hold a fragment ('#')";
	return NULL;
}

int
lk_oidc_uri_listed(const char *list, const char *uri, size_t len)
{
	const char	*p, *end;
	size_t		 n;

	if (len == 0 || memchr(uri, '\n', len) != NULL)
		return 0;
	for (p = list; *p != '\0'; p = *end == '\0' ? end : end + 1) {
		end = strchr(p, '\n');
		if (end == NULL)
			end = p + strlen(p);
		n = (size_t)(end - p);
		if (n == len && memcmp(p, uri, len) == 0)
			return 1;
	}
	return 0;
}

void
lk_oidc_hash(const char *value, size_t len, char hash[LK_OIDC_HASH_LEN + 1])
{
	unsigned char	d[LK_SHA256_LEN];

	lk_sha256(value, len, d);
	(void)lk_hex_encode(d, sizeof(d), hash, LK_OIDC_HASH_LEN + 1);
	lk_explicit_bzero(d, sizeof(d));
}

int
lk_oidc_subject_new(char out[LK_OIDC_SUB_LEN + 1])
{
	unsigned char	raw[LK_OIDC_SUB_LEN / 2];

	out[0] = '\0';
	if (lk_random_bytes(raw, sizeof(raw)) == -1)
		return -1;
	return lk_hex_encode(raw, sizeof(raw), out, LK_OIDC_SUB_LEN + 1);
}

int
lk_oidc_secret_new(char secret[LK_OIDC_SECRET_LEN + 1],
    char hash[LK_OIDC_HASH_LEN + 1])
{
	unsigned char	raw[32];
	int		rc = -1;

	if (lk_random_bytes(raw, sizeof(raw)) == -1)
		goto out;
	if (lk_b64url_encode(raw, sizeof(raw), secret,
	    LK_OIDC_SECRET_LEN + 1) != LK_OIDC_SECRET_LEN)
		goto out;
	lk_oidc_hash(secret, LK_OIDC_SECRET_LEN, hash);
	rc = 0;
out:
	lk_explicit_bzero(raw, sizeof(raw));
	if (rc == -1) {
		lk_explicit_bzero(secret, LK_OIDC_SECRET_LEN + 1);
		hash[0] = '\0';
	}
	return rc;
}

int
lk_oidc_secret_matches(const char *stored, const char *secret, size_t len)
{
	char	h[LK_OIDC_HASH_LEN + 1];
	int	ok;

	if (strlen(stored) != LK_OIDC_HASH_LEN)
		return 0;
	lk_oidc_hash(secret, len, h);
	ok = lk_ct_equal(h, LK_OIDC_HASH_LEN, stored, LK_OIDC_HASH_LEN);
	lk_explicit_bzero(h, sizeof(h));
	return ok;
}

const char *
lk_oidc_issuer(const struct lk_config *cfg)
{
	if (cfg->oidc_issuer[0] != '\0')
		return cfg->oidc_issuer;
	return cfg->site_url[0] != '\0' ? cfg->site_url : NULL;
}

/* Add the strings of a NULL-ended list to o as the array key. */
static int
add_list(struct json_object *o, const char *key, const char *const *v)
{
	struct json_object	*a;

	if ((a = json_object_new_array()) == NULL)
		return -1;
	for (; *v != NULL; v++)
		if (json_object_array_add(a, json_object_new_string(*v)) != 0) {
			json_object_put(a);
			return -1;
		}
	return json_object_object_add(o, key, a) == 0 ? 0 : -1;
}

long
lk_oidc_discovery(const struct lk_config *cfg, char *out, size_t outsz)
{
	static const char *const endpoints[][2] = {
		{ "authorization_endpoint", "/api/oidc/authorize" },
		{ "end_session_endpoint", "/api/oidc/logout" },
		{ "introspection_endpoint", "/api/oidc/introspect" },
		{ "jwks_uri", "/.well-known/jwks.json" },
		{ "revocation_endpoint", "/api/oidc/revoke" },
		{ "token_endpoint", "/api/oidc/token" },
		{ "userinfo_endpoint", "/api/oidc/userinfo" },
	};
	static const char *const auth[] = { "client_secret_basic",
	    "client_secret_post", "none", NULL };
	static const char *const confidential[] = { "client_secret_basic",
	    "client_secret_post", NULL };
	static const char *const claims[] = { "amr", "at_hash", "aud",
	    "auth_time", "email", "email_verified", "exp", "groups", "iat",
	    "iss", "name", "nonce", "preferred_username", "sub", NULL };
	static const char *const scope_names[] = { "openid", "profile", "email",
	    "groups", "offline_access", NULL };
	static const char *const s256[] = { "S256", NULL };
	static const char *const grants[] = { "authorization_code",
	    "refresh_token", NULL };
	static const char *const rs256[] = { "RS256", NULL };
	static const char *const prompts[] = { "consent", "login", "none",
	    NULL };
	static const char *const query[] = { "query", NULL };
	static const char *const code[] = { "code", NULL };
	static const char *const subjects[] = { "public", NULL };
	struct json_object	*o;
	const char		*iss = lk_oidc_issuer(cfg);
	char			 url[LK_CONFIG_STR_MAX + 64];
	size_t			 i;
	long			 n = -1;
	int			 bad = 0;

	if (iss == NULL || cfg->site_url[0] == '\0' ||
	    (o = json_object_new_object()) == NULL)
		return -1;
	for (i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++) {
		if (snprintf(url, sizeof(url), "%s%s", cfg->site_url,
		    endpoints[i][1]) >= (int)sizeof(url))
			bad = 1;
		bad |= json_object_object_add(o, endpoints[i][0],
		    json_object_new_string(url)) != 0;
	}
	bad |= json_object_object_add(o, "issuer",
	    json_object_new_string(iss)) != 0;
	bad |= add_list(o, "token_endpoint_auth_methods_supported", auth);
	bad |= add_list(o, "revocation_endpoint_auth_methods_supported", auth);
	bad |= add_list(o, "introspection_endpoint_auth_methods_supported",
	    confidential);
	bad |= add_list(o, "claims_supported", claims);
	bad |= add_list(o, "scopes_supported", scope_names);
	bad |= add_list(o, "code_challenge_methods_supported", s256);
	bad |= add_list(o, "grant_types_supported", grants);
	bad |= add_list(o, "id_token_signing_alg_values_supported", rs256);
	bad |= add_list(o, "prompt_values_supported", prompts);
	bad |= add_list(o, "response_modes_supported", query);
	bad |= add_list(o, "response_types_supported", code);
	bad |= add_list(o, "subject_types_supported", subjects);
	bad |= json_object_object_add(o, "authorization_response_iss_"
	    "parameter_supported", json_object_new_boolean(1)) != 0;
	bad |= json_object_object_add(o, "claims_parameter_supported",
	    json_object_new_boolean(0)) != 0;
	bad |= json_object_object_add(o, "request_parameter_supported",
	    json_object_new_boolean(0)) != 0;
	bad |= json_object_object_add(o, "request_uri_parameter_supported",
	    json_object_new_boolean(0)) != 0;
	if (!bad && (n = lk_json_dump(o, out, outsz)) >= 0) {
		if ((size_t)n + 2 > outsz)
			n = -1;
		else {
			out[n++] = '\n';
			out[n] = '\0';
		}
	}
	json_object_put(o);
	return n;
}

static const struct {
	const char	*name;
	unsigned int	 bit;
} scopes[] = {
	{ "openid", LK_SCOPE_OPENID },
	{ "profile", LK_SCOPE_PROFILE },
	{ "email", LK_SCOPE_EMAIL },
	{ "groups", LK_SCOPE_GROUPS },
	{ "offline_access", LK_SCOPE_OFFLINE },
};

int
lk_oidc_scope_parse(const char *scope, unsigned int *bits)
{
	const char	*p, *end;
	size_t		 i, n, len = strlen(scope);

	*bits = 0;
	if (len > 1024)
		return -1;
	for (i = 0; i < len; i++)
		if (scope[i] != ' ' && (scope[i] < 0x21 || scope[i] > 0x7e ||
		    scope[i] == '"' || scope[i] == '\\'))
			return -1;
	for (p = scope; *p != '\0'; p = *end == '\0' ? end : end + 1) {
		if ((end = strchr(p, ' ')) == NULL)
			end = p + strlen(p);
		/* No empty token: no leading, trailing or double space. */
		if ((n = (size_t)(end - p)) == 0) {
			*bits = 0;
			return -1;
		}
		for (i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++)
			if (strlen(scopes[i].name) == n &&
			    memcmp(scopes[i].name, p, n) == 0)
				*bits |= scopes[i].bit;
		if (*end == ' ' && end[1] == '\0') {
			*bits = 0;
			return -1;
		}
	}
	return 0;
}

long
lk_oidc_scope_text(unsigned int bits, char *out, size_t outsz)
{
	size_t	i, at = 0, n;

	if (outsz == 0)
		return -1;
	out[0] = '\0';
	for (i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		if ((bits & scopes[i].bit) == 0)
			continue;
		n = strlen(scopes[i].name);
		if (at + (at > 0) + n >= outsz)
			return -1;
		if (at > 0)
			out[at++] = ' ';
		memcpy(out + at, scopes[i].name, n + 1);
		at += n;
	}
	return (long)at;
}

long
lk_oidc_userinfo(unsigned int bits, const char *sub, const char *name,
    const char *email, int email_verified, const char *groups, char *out,
    size_t outsz)
{
	struct json_object	*o, *a;
	const char		*p, *end;
	long			 n = -1;
	int			 bad = 0;

	if ((o = json_object_new_object()) == NULL)
		return -1;
	bad |= json_object_object_add(o, "sub",
	    json_object_new_string(sub)) != 0;
	if (bits & LK_SCOPE_PROFILE) {
		bad |= json_object_object_add(o, "name",
		    json_object_new_string(name)) != 0;
		bad |= json_object_object_add(o, "preferred_username",
		    json_object_new_string(email)) != 0;
	}
	if (bits & LK_SCOPE_EMAIL) {
		bad |= json_object_object_add(o, "email",
		    json_object_new_string(email)) != 0;
		bad |= json_object_object_add(o, "email_verified",
		    json_object_new_boolean(email_verified != 0)) != 0;
	}
	if (bits & LK_SCOPE_GROUPS) {
		if ((a = json_object_new_array()) == NULL)
			bad = 1;
		for (p = groups; a != NULL && *p != '\0';
		    p = *end == '\0' ? end : end + 1) {
			if ((end = strchr(p, ',')) == NULL)
				end = p + strlen(p);
			if (end > p)
				bad |= json_object_array_add(a,
				    json_object_new_string_len(p,
				    (int)(end - p))) != 0;
		}
		if (a != NULL)
			bad |= json_object_object_add(o, "groups", a) != 0;
	}
	if (!bad && (n = lk_json_dump(o, out, outsz)) >= 0) {
		if ((size_t)n + 2 > outsz)
			n = -1;
		else {
			out[n++] = '\n';
			out[n] = '\0';
		}
	}
	json_object_put(o);
	return n;
}
