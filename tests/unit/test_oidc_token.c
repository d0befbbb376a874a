#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/util.h"
#include "domain/config.h"
#include "domain/keyring.h"
#include "domain/oidc_token.h"
#include "domain/token.h"
#include "t.h"
#include "tmpdir.h"

static struct lk_keyring	ring;

/* The provider's key: a new RS256 pair in its own ring. */
static int
provider_key(void)
{
	char	err[512], path[512];

	(void)snprintf(path, sizeof(path), "%s/oidc.key", tmp_dir());
	(void)unlink(path);
	lk_keyring_clear(&ring);
	memset(&ring, 0, sizeof(ring));
	if (lk_key_generate_pair(path, LK_KEY_RS256, err, sizeof(err)) == -1 ||
	    lk_keyring_load(&ring, path, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

/* Part n (0 header, 1 payload) of token, decoded and parsed. */
static struct json_object *
part(const char *token, int n)
{
	char		 buf[8192];
	const char	*p = token, *end;
	long		 len;

	for (; n > 0 && p != NULL; n--)
		if ((p = strchr(p, '.')) != NULL)
			p++;
	if (p == NULL || (end = strchr(p, '.')) == NULL)
		return NULL;
	if ((len = lk_b64url_decode(p, (size_t)(end - p), buf,
	    sizeof(buf) - 1)) < 0)
		return NULL;
	buf[len] = '\0';
	return json_tokener_parse(buf);
}

/* Whether the signature of token verifies with the ring's current key. */
static int
signed_by_ring(const char *token)
{
	unsigned char	 sig[1024];
	const char	*dot = strrchr(token, '.');
	long		 n;

	if (dot == NULL || (n = lk_b64url_decode(dot + 1, strlen(dot + 1), sig,
	    sizeof(sig))) < 0)
		return 0;
	return lk_key_verify(&ring.current, token, (size_t)(dot - token), sig,
	    (size_t)n);
}

static const char *
str(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

static struct lk_oidc_claims
claims(void)
{
	struct lk_oidc_claims	c;

	memset(&c, 0, sizeof(c));
	c.iss = "https://id.example";
	c.sub = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
	c.aud = "grafana";
	c.iat = 1000;
	c.exp = 1300;
	c.auth_time = 990;
	c.email_verified = -1;
	return c;
}

TEST(an_id_token_is_rs256_with_the_claims_of_its_scopes)
{
	struct lk_oidc_claims	 c = claims();
	struct json_object	*h, *p, *v;
	char			*t;

	CHECK_INT(provider_key(), 0);
	c.nonce = "n-0S6_WzA2Mj";
	c.amr = "pwd otp";
	c.at_hash = "9YRniApagK_3UNrMED7VIA";
	c.name = "Ann \xc3\x89";
	c.preferred_username = "ann@example.com";
	c.email = "ann@example.com";
	c.email_verified = 1;
	c.groups = "admins,staff";
	CHECK((t = lk_oidc_id_token(&ring.current, &c)) != NULL);
	if (t == NULL)
		return;
	CHECK_INT(signed_by_ring(t), 1);
	h = part(t, 0);
	p = part(t, 1);
	CHECK_STR(str(h, "alg"), "RS256");
	CHECK_STR(str(h, "typ"), "JWT");
	CHECK_STR(str(h, "kid"), ring.current.kid);
	CHECK_STR(str(p, "iss"), "https://id.example");
	CHECK_STR(str(p, "sub"), "0f1e2d3c4b5a69788796a5b4c3d2e1f0");
	CHECK_STR(str(p, "aud"), "grafana");
	CHECK_STR(str(p, "exp"), "1300");
	CHECK_STR(str(p, "iat"), "1000");
	CHECK_STR(str(p, "auth_time"), "990");
	CHECK_STR(str(p, "nonce"), "n-0S6_WzA2Mj");
	CHECK_STR(str(p, "at_hash"), "9YRniApagK_3UNrMED7VIA");
	CHECK_STR(str(p, "name"), "Ann \xc3\x89");
	CHECK_STR(str(p, "email_verified"), "true");
	CHECK(json_object_object_get_ex(p, "amr", &v) &&
	    json_object_is_type(v, json_type_array));
	CHECK_STR(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
	    "[\"pwd\",\"otp\"]");
	CHECK(json_object_object_get_ex(p, "groups", &v));
	CHECK_STR(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
	    "[\"admins\",\"staff\"]");
	/* Never a cookie's "type". */
	CHECK(str(p, "type") == NULL);
	json_object_put(h);
	json_object_put(p);
	free(t);
}

TEST(claims_not_granted_are_left_out)
{
	struct lk_oidc_claims	 c = claims();
	struct json_object	*p;
	char			*t;

	CHECK_INT(provider_key(), 0);
	c.groups = "";		/* granted: no groups */
	CHECK((t = lk_oidc_id_token(&ring.current, &c)) != NULL);
	if (t == NULL)
		return;
	p = part(t, 1);
	CHECK_INT(json_object_object_length(p), 7);
	CHECK(str(p, "nonce") == NULL && str(p, "email") == NULL &&
	    str(p, "name") == NULL && str(p, "amr") == NULL);
	CHECK_STR(str(p, "groups"), "[ ]");
	json_object_put(p);
	free(t);
	c.sub = "";
	CHECK(lk_oidc_id_token(&ring.current, &c) == NULL);
}

TEST(an_access_token_is_rfc_9068_and_never_a_cookie)
{
	struct lk_oidc_claims	 c = claims();
	struct lk_config	 cfg;
	struct lk_claims	 cl;
	struct json_object	*h, *p;
	char			*t;

	CHECK_INT(provider_key(), 0);
	c.jti = "2b0c5f0a-6f5e-4f7e-9d1a-3c2b1a0f9e8d";
	c.scope = "openid email";
	c.grant = "G1";
	CHECK((t = lk_oidc_access_token(&ring.current, &c)) != NULL);
	if (t == NULL)
		return;
	CHECK_INT(signed_by_ring(t), 1);
	h = part(t, 0);
	p = part(t, 1);
	CHECK_STR(str(h, "typ"), "at+jwt");
	CHECK_STR(str(h, "alg"), "RS256");
	CHECK_STR(str(p, "client_id"), "grafana");
	CHECK_STR(str(p, "aud"), "grafana");
	CHECK_STR(str(p, "scope"), "openid email");
	CHECK_STR(str(p, "jti"), "2b0c5f0a-6f5e-4f7e-9d1a-3c2b1a0f9e8d");
	CHECK_STR(str(p, "grant"), "G1");
	CHECK(str(p, "type") == NULL);
	/* The site's own verifier, trusting this very key, refuses it. */
	lk_config_defaults(&cfg);
	CHECK(lk_token_verify(&cfg, &ring, t, strlen(t), 1100, &cl) !=
	    LK_TOKEN_OK);
	json_object_put(h);
	json_object_put(p);
	free(t);
	/* No grant or jti, no token; no key of another kind either. */
	c.grant = NULL;
	CHECK(lk_oidc_access_token(&ring.current, &c) == NULL);
}

TEST(at_hash_is_the_left_half_of_sha256)
{
	char	h[LK_OIDC_AT_HASH_LEN + 1];

	/* openssl dgst -sha256 -binary | head -c 16 | base64url */
	lk_oidc_at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNgs9XF6F", 32, h);
	CHECK_STR(h, "9YRniApagK_3UNrMED7VIA");
}

TEST(pkce_s256_as_rfc_7636_appendix_b)
{
	const char	*v = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
	const char	*ch = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
	char		 longv[130];

	CHECK_INT(lk_oidc_pkce_challenge_ok(ch), 1);
	CHECK_INT(lk_oidc_pkce_s256(v, strlen(v), ch), 1);
	/* plain (the verifier itself as challenge) never passes. */
	CHECK_INT(lk_oidc_pkce_s256(v, strlen(v), v), 0);
	CHECK_INT(lk_oidc_pkce_s256(v, strlen(v) - 1, ch), 0);
	CHECK_INT(lk_oidc_pkce_s256("short", 5, ch), 0);
	memset(longv, 'a', 129);
	longv[129] = '\0';
	CHECK_INT(lk_oidc_pkce_s256(longv, 129, ch), 0);
	CHECK_INT(lk_oidc_pkce_challenge_ok("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJ"
	    "Sstw-c"), 0);
	CHECK_INT(lk_oidc_pkce_challenge_ok("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJ"
	    "Sstw+cM"), 0);
}

TEST(an_access_token_verifies_only_as_ours_and_live)
{
	struct lk_oidc_claims	 c = claims();
	struct lk_oidc_access	 a;
	char			*t, *bad;
	char			 id_like[8192];

	CHECK_INT(provider_key(), 0);
	c.jti = "j-1";
	c.scope = "openid profile";
	c.grant = "G1";
	CHECK((t = lk_oidc_access_token(&ring.current, &c)) != NULL);
	if (t == NULL)
		return;
	CHECK_INT(lk_oidc_access_verify(&ring, "https://id.example", t,
	    strlen(t), 1100, 0, &a), 0);
	CHECK_STR(a.sub, "0f1e2d3c4b5a69788796a5b4c3d2e1f0");
	CHECK_STR(a.client_id, "grafana");
	CHECK_STR(a.scope, "openid profile");
	CHECK_STR(a.grant, "G1");
	CHECK_STR(a.jti, "j-1");
	CHECK_INT(a.exp, 1300);
	CHECK_INT(a.auth_time, 990);
	/* Another issuer, past exp (the leeway counts), a changed byte. */
	CHECK_INT(lk_oidc_access_verify(&ring, "https://id.example/", t,
	    strlen(t), 1100, 0, &a), -1);
	CHECK_STR(a.sub, "");
	CHECK_INT(lk_oidc_access_verify(&ring, "https://id.example", t,
	    strlen(t), 1300, 0, &a), -1);
	CHECK_INT(lk_oidc_access_verify(&ring, "https://id.example", t,
	    strlen(t), 1300, 5, &a), 0);
	bad = strdup(t);
	CHECK(bad != NULL);
	if (bad != NULL) {
		bad[strlen(bad) - 5] = bad[strlen(bad) - 5] == 'A' ? 'B' : 'A';
		CHECK_INT(lk_oidc_access_verify(&ring, "https://id.example",
		    bad, strlen(bad), 1100, 0, &a), -1);
		free(bad);
	}
	free(t);
	/* An ID token (typ JWT) is no access token. */
	CHECK((t = lk_oidc_id_token(&ring.current, &c)) != NULL);
	if (t != NULL) {
		(void)snprintf(id_like, sizeof(id_like), "%s", t);
		CHECK_INT(lk_oidc_access_verify(&ring, "https://id.example",
		    id_like, strlen(id_like), 1100, 0, &a), -1);
		free(t);
	}
	/* alg none, whatever the rest says. */
	CHECK_INT(lk_oidc_access_verify(&ring, "https://id.example",
	    "eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.e30.", 42, 1100, 0, &a),
	    -1);
}

int
main(void)
{
	RUN(an_id_token_is_rs256_with_the_claims_of_its_scopes);
	RUN(claims_not_granted_are_left_out);
	RUN(an_access_token_is_rfc_9068_and_never_a_cookie);
	RUN(at_hash_is_the_left_half_of_sha256);
	RUN(pkce_s256_as_rfc_7636_appendix_b);
	RUN(an_access_token_verifies_only_as_ours_and_live);
	lk_keyring_clear(&ring);
	tmp_cleanup();
	return T_END();
}
