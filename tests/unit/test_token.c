#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "domain/config.h"
#include "domain/key.h"
#include "domain/token.h"
#include "t.h"
#include "forge.h"

#define SECRET	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define NOW	1795715788LL

static struct lk_config	cfg;
static struct lk_key	key;

static void
setup(void)
{
	lk_config_defaults(&cfg);
	memset(&key, 0, sizeof(key));
	(void)lk_key_set(&key, SECRET, strlen(SECRET));
}

static enum lk_token_err
verify(const char *tok, struct lk_claims *c)
{
	return t_verify_key(&cfg, &key, tok, strlen(tok), (time_t)NOW, c);
}

/* A valid payload with one claim's JSON replaced (or dropped if val NULL). */
static const char *
payload_with(const char *claim, const char *val)
{
	static char	buf[1024];
	const char	*names[] = { "fresh", "iat", "jti", "type", "sub",
			    "nbf", "csrf", "exp" };
	const char	*vals[] = { "false", "1795715788",
			    "\"c4bf1428-03ad-4d8a-8d5b-e769912231d8\"",
			    "\"access\"", "\"test@example.com\"", "1795715788",
			    "\"1c8c2c14-edc4-410c-8b72-6e24c78b18b3\"",
			    "1795719388" };
	size_t		i, n = 0;
	int		first = 1;

	buf[n++] = '{';
	for (i = 0; i < 8; i++) {
		const char *v = vals[i];

		if (claim != NULL && strcmp(names[i], claim) == 0) {
			if (val == NULL)
				continue;
			v = val;
		}
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s\"%s\":%s",
		    first ? "" : ",", names[i], v);
		first = 0;
	}
	(void)snprintf(buf + n, sizeof(buf) - n, "}");
	return buf;
}

static enum lk_token_err
verify_claim(const char *claim, const char *val)
{
	struct lk_claims	c;

	return verify(forge(HS256_HEADER, payload_with(claim, val), SECRET,
	    "sha256"), &c);
}

TEST(issue_then_verify_roundtrip)
{
	struct lk_claims	 issued, got;
	char			*tok;

	setup();
	tok = t_issue(&cfg, &key, LK_TOKEN_ACCESS, "test@example.com",
	    (time_t)NOW, 3600, &issued);
	CHECK(tok != NULL);
	if (tok == NULL)
		return;
	CHECK_INT(verify(tok, &got), LK_TOKEN_OK);
	CHECK_STR(got.sub, "test@example.com");
	CHECK_STR(got.jti, issued.jti);
	CHECK_STR(got.csrf, issued.csrf);
	CHECK_INT(got.exp, NOW + 3600);
	CHECK_INT(got.iat, NOW);
	CHECK_INT(got.nbf, NOW);
	CHECK_INT(got.type, LK_TOKEN_ACCESS);
	CHECK_INT(got.fresh, 0);
	CHECK_INT(lk_token_check_type(&got, LK_TOKEN_ACCESS), LK_TOKEN_OK);
	CHECK_INT(strlen(issued.jti), 36);
	CHECK(strcmp(issued.jti, issued.csrf) != 0);
	/* The header is flask-jwt-extended's, plus the key's kid. */
	{
		char	want[128], enc[256];

		(void)snprintf(want, sizeof(want),
		    "{\"alg\":\"HS256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", key.kid);
		(void)lk_b64url_encode(want, strlen(want), enc, sizeof(enc));
		CHECK(strncmp(tok, enc, strlen(enc)) == 0 &&
		    tok[strlen(enc)] == '.');
	}
	free(tok);
}

TEST(issued_tokens_differ)
{
	struct lk_claims	 c1, c2;
	char			*a, *b;

	setup();
	a = t_issue(&cfg, &key, LK_TOKEN_ACCESS, "x@y.z", NOW, 60, &c1);
	b = t_issue(&cfg, &key, LK_TOKEN_ACCESS, "x@y.z", NOW, 60, &c2);
	CHECK(a != NULL && b != NULL && strcmp(a, b) != 0);
	CHECK(strcmp(c1.csrf, c2.csrf) != 0);
	free(a);
	free(b);
}

TEST(flask_fixture_tokens_verify)
{
	struct lk_claims	 c;
	const char		*secret = fixture_str("secret", NULL, NULL);
	const char		*tok;

	setup();
	CHECK(secret != NULL);
	if (secret == NULL)
		return;
	(void)lk_key_set(&key, secret, strlen(secret));

	tok = fixture_str("tokens", "access_valid", "token");
	CHECK_INT(t_verify_key(&cfg, &key, tok, strlen(tok), time(NULL), &c),
	    LK_TOKEN_OK);
	CHECK_STR(c.sub, "test@example.com");
	CHECK_STR(c.csrf, "1c8c2c14-edc4-410c-8b72-6e24c78b18b3");
	CHECK_STR(c.jti, "c4bf1428-03ad-4d8a-8d5b-e769912231d8");
	CHECK_INT(c.exp, 3687875788LL);

	tok = fixture_str("tokens", "access_fresh_valid", "token");
	CHECK_INT(t_verify_key(&cfg, &key, tok, strlen(tok), time(NULL), &c),
	    LK_TOKEN_OK);
	CHECK_INT(c.fresh, 1);

	tok = fixture_str("tokens", "access_expired", "token");
	CHECK_INT(t_verify_key(&cfg, &key, tok, strlen(tok), time(NULL), &c),
	    LK_TOKEN_EXPIRED);

	tok = fixture_str("tokens", "refresh_valid", "token");
	CHECK_INT(t_verify_key(&cfg, &key, tok, strlen(tok), time(NULL), &c),
	    LK_TOKEN_OK);
	CHECK_INT(lk_token_check_type(&c, LK_TOKEN_ACCESS), LK_TOKEN_ONLY_ACCESS);
	CHECK_INT(lk_token_check_type(&c, LK_TOKEN_REFRESH), LK_TOKEN_OK);

	/* Our own key does not verify theirs. */
	setup();
	tok = fixture_str("tokens", "access_valid", "token");
	CHECK_INT(t_verify_key(&cfg, &key, tok, strlen(tok), time(NULL), &c),
	    LK_TOKEN_SIGNATURE);
}

TEST(structure_errors)
{
	struct lk_claims	c;
	char			big[LK_TOKEN_MAX + 2];

	setup();
	CHECK_INT(verify("xxx", &c), LK_TOKEN_SEGMENTS);
	CHECK_INT(verify("a.b", &c), LK_TOKEN_SEGMENTS);
	CHECK_INT(verify("", &c), LK_TOKEN_SEGMENTS);
	CHECK_INT(verify("!!.e30.", &c), LK_TOKEN_HEADER_PADDING);
	CHECK_INT(verify("e30=.e30.", &c), LK_TOKEN_HEADER_PADDING);
	CHECK_INT(verify("bm90IGpzb24.e30.", &c), LK_TOKEN_HEADER_STRING);
	CHECK_INT(verify("WzFd.e30.", &c), LK_TOKEN_HEADER_STRING);	/* [1] */
	CHECK_INT(verify("eyJhbGciOiJIUzI1NiJ9.!.", &c),
	    LK_TOKEN_PAYLOAD_PADDING);
	CHECK_INT(verify("eyJhbGciOiJIUzI1NiJ9.e30.e30.e30", &c),
	    LK_TOKEN_PAYLOAD_PADDING);				/* 4 segments */
	CHECK_INT(verify("eyJhbGciOiJIUzI1NiJ9.e30.*", &c),
	    LK_TOKEN_CRYPTO_PADDING);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(verify(big, &c), LK_TOKEN_TOO_LARGE);
}

TEST(signature_errors)
{
	struct lk_claims	 c;
	char			 tok[2048];
	size_t			 n;

	setup();
	(void)snprintf(tok, sizeof(tok), "%s", forge(HS256_HEADER,
	    payload_with(NULL, NULL), SECRET, "sha256"));
	CHECK_INT(verify(tok, &c), LK_TOKEN_OK);
	/* Change one signature character. */
	n = strlen(tok);
	tok[n - 2] = tok[n - 2] == 'A' ? 'B' : 'A';
	CHECK_INT(verify(tok, &c), LK_TOKEN_SIGNATURE);
	/* Empty signature. */
	CHECK_INT(verify(forge(HS256_HEADER, payload_with(NULL, NULL), SECRET,
	    NULL), &c), LK_TOKEN_SIGNATURE);
	/* Wrong key, empty key, key guessed as "secret". */
	CHECK_INT(verify(forge(HS256_HEADER, payload_with(NULL, NULL), "x" SECRET,
	    "sha256"), &c), LK_TOKEN_SIGNATURE);
	CHECK_INT(verify(forge(HS256_HEADER, payload_with(NULL, NULL), "",
	    "sha256"), &c), LK_TOKEN_SIGNATURE);
	CHECK_INT(verify(forge(HS256_HEADER, payload_with(NULL, NULL), "secret",
	    "sha256"), &c), LK_TOKEN_SIGNATURE);
	/* Payload changed under the original signature. */
	(void)snprintf(tok, sizeof(tok), "%s", forge(HS256_HEADER,
	    payload_with("sub", "\"victim@example.com\""), SECRET, "sha256"));
	{
		char	 orig[2048], *dot1, *dot2, *odot2;

		(void)snprintf(orig, sizeof(orig), "%s", forge(HS256_HEADER,
		    payload_with(NULL, NULL), SECRET, "sha256"));
		odot2 = strrchr(orig, '.');
		dot1 = strchr(tok, '.');
		dot2 = strrchr(tok, '.');
		(void)dot1;
		(void)snprintf(dot2, sizeof(tok) - (size_t)(dot2 - tok), "%s",
		    odot2);
	}
	CHECK_INT(verify(tok, &c), LK_TOKEN_SIGNATURE);
}

TEST(empty_key_is_refused)
{
	struct lk_claims	c;
	struct lk_key		empty;

	setup();
	memset(&empty, 0, sizeof(empty));
	/* libjwt would accept anything with an empty key. */
	CHECK_INT(t_verify_key(&cfg, &empty, forge(HS256_HEADER,
	    payload_with(NULL, NULL), "", NULL), 200, NOW, &c),
	    LK_TOKEN_INTERNAL);
	CHECK(t_issue(&cfg, &empty, LK_TOKEN_ACCESS, "a@b.c", NOW, 60,
	    &c) == NULL);
}

TEST(alg_other_than_hs256_refused)
{
	struct lk_claims	 c;
	const char		*pl;

	setup();
	pl = payload_with(NULL, NULL);
	CHECK_INT(verify(forge("{\"alg\":\"none\",\"typ\":\"JWT\"}", pl, SECRET,
	    NULL), &c), LK_TOKEN_ALG);
	CHECK_INT(verify(forge("{\"alg\":\"None\"}", pl, SECRET, NULL), &c),
	    LK_TOKEN_ALG);
	CHECK_INT(verify(forge("{\"alg\":\"NONE\"}", pl, SECRET, "sha256"), &c),
	    LK_TOKEN_ALG);
	CHECK_INT(verify(forge("{\"alg\":\"nOnE\"}", pl, SECRET, NULL), &c),
	    LK_TOKEN_ALG);
	CHECK_INT(verify(forge("{\"alg\":\"HS384\"}", pl, SECRET, "sha384"), &c),
	    LK_TOKEN_ALG);
	CHECK_INT(verify(forge("{\"alg\":\"HS512\"}", pl, SECRET, "sha512"), &c),
	    LK_TOKEN_ALG);
	CHECK_INT(verify(forge("{\"alg\":\"hs256\"}", pl, SECRET, "sha256"), &c),
	    LK_TOKEN_ALG);
	CHECK_INT(verify(forge("{\"alg\":\"RS256\"}", pl, SECRET, "sha256"), &c),
	    LK_TOKEN_ALG);
	CHECK_INT(verify(forge("{\"alg\":\"ES256\"}", pl, SECRET, NULL), &c),
	    LK_TOKEN_ALG);
	CHECK_INT(verify(forge("{\"typ\":\"JWT\"}", pl, SECRET, "sha256"), &c),
	    LK_TOKEN_ALG);
	CHECK_INT(verify(forge("{\"alg\":null}", pl, SECRET, "sha256"), &c),
	    LK_TOKEN_ALG);
	/*
	 * Unknown critical extensions are refused; a kid names one of our
	 * keys or fails, and jku never picks a key.
	 */
	CHECK_INT(verify(forge("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", pl,
	    SECRET, "sha256"), &c), LK_TOKEN_CRIT);
	CHECK_INT(verify(forge("{\"alg\":\"HS256\",\"kid\":\"../../etc/passwd\","
	    "\"jku\":\"http://evil/\"}", pl, SECRET, "sha256"), &c),
	    LK_TOKEN_SIGNATURE);
	CHECK_INT(verify(forge("{\"alg\":\"HS256\",\"jku\":\"http://evil/\"}",
	    pl, SECRET, "sha256"), &c), LK_TOKEN_OK);
	CHECK_INT(verify(forge("{\"alg\":\"HS256\",\"kid\":\"x\"}", pl,
	    "attacker-key", "sha256"), &c), LK_TOKEN_SIGNATURE);
}

TEST(payload_must_be_object)
{
	struct lk_claims	c;

	setup();
	CHECK(verify(forge(HS256_HEADER, "[1,2]", SECRET, "sha256"), &c) !=
	    LK_TOKEN_OK);
	CHECK(verify(forge(HS256_HEADER, "\"str\"", SECRET, "sha256"), &c) !=
	    LK_TOKEN_OK);
	CHECK(verify(forge(HS256_HEADER, "{", SECRET, "sha256"), &c) !=
	    LK_TOKEN_OK);
}

TEST(time_claims)
{
	setup();
	/* exp */
	CHECK_INT(verify_claim("exp", NULL), LK_TOKEN_EXP_MISSING);
	CHECK_INT(verify_claim("exp", "\"9999999999\""), LK_TOKEN_EXP_TYPE);
	CHECK_INT(verify_claim("exp", "9999999999.5"), LK_TOKEN_EXP_TYPE);
	CHECK_INT(verify_claim("exp", "1e10"), LK_TOKEN_EXP_TYPE);
	CHECK_INT(verify_claim("exp", "null"), LK_TOKEN_EXP_TYPE);
	CHECK_INT(verify_claim("exp", "true"), LK_TOKEN_EXP_TYPE);
	CHECK_INT(verify_claim("exp", "-1"), LK_TOKEN_EXP_TYPE);
	/* Beyond int64: libjwt refuses to decode it; never "no expiry". */
	CHECK(verify_claim("exp", "99999999999999999999999999") != LK_TOKEN_OK);
	CHECK_INT(verify_claim("exp", "253402300800"), LK_TOKEN_EXP_TYPE);
	CHECK_INT(verify_claim("exp", "9223372036854775807"), LK_TOKEN_EXP_TYPE);
	CHECK_INT(verify_claim("exp", "1795715788"), LK_TOKEN_EXPIRED);
	CHECK_INT(verify_claim("exp", "1795715789"), LK_TOKEN_OK);
	CHECK_INT(verify_claim("exp", "0"), LK_TOKEN_EXPIRED);
	/* nbf */
	CHECK_INT(verify_claim("nbf", NULL), LK_TOKEN_OK);
	CHECK_INT(verify_claim("nbf", "1795715789"), LK_TOKEN_IMMATURE);
	CHECK_INT(verify_claim("nbf", "\"1\""), LK_TOKEN_NBF_TYPE);
	CHECK_INT(verify_claim("nbf", "1.5"), LK_TOKEN_NBF_TYPE);
	/* iat */
	CHECK_INT(verify_claim("iat", "false"), LK_TOKEN_IAT_TYPE);
	CHECK_INT(verify_claim("iat", NULL), LK_TOKEN_OK);
	/* Leeway moves both edges. */
	cfg.leeway = 10;
	CHECK_INT(verify_claim("exp", "1795715780"), LK_TOKEN_OK);
	CHECK_INT(verify_claim("nbf", "1795715798"), LK_TOKEN_OK);
	CHECK_INT(verify_claim("nbf", "1795715799"), LK_TOKEN_IMMATURE);
	CHECK_INT(verify_claim("exp", "1795715778"), LK_TOKEN_EXPIRED);
}

TEST(identity_and_flask_claims)
{
	setup();
	CHECK_INT(verify_claim("sub", NULL), LK_TOKEN_SUB_MISSING);
	CHECK_INT(verify_claim("sub", "42"), LK_TOKEN_SUB_TYPE);
	CHECK_INT(verify_claim("sub", "null"), LK_TOKEN_SUB_TYPE);
	CHECK_INT(verify_claim("sub", "[\"a\"]"), LK_TOKEN_SUB_TYPE);
	CHECK_INT(verify_claim("sub", "\"\""), LK_TOKEN_SUB_TYPE);
	/* A NUL inside: libjwt refuses to decode it, json-c would keep it. */
	CHECK(verify_claim("sub", "\"a\\u0000b\"") != LK_TOKEN_OK);
	CHECK_INT(verify_claim("type", NULL), LK_TOKEN_TYPE_MISSING);
	CHECK_INT(verify_claim("jti", NULL), LK_TOKEN_JTI_MISSING);
	CHECK_INT(verify_claim("jti", "0"), LK_TOKEN_JTI_TYPE);
	CHECK_INT(verify_claim("csrf", NULL), LK_TOKEN_CSRF_MISSING);
	CHECK_INT(verify_claim("csrf", "true"), LK_TOKEN_CSRF_TYPE);
	CHECK_INT(verify_claim("fresh", "\"x\""), LK_TOKEN_FRESH_TYPE);
	CHECK_INT(verify_claim("fresh", "null"), LK_TOKEN_FRESH_TYPE);
	CHECK_INT(verify_claim("fresh", "true"), LK_TOKEN_OK);
	CHECK_INT(verify_claim("fresh", NULL), LK_TOKEN_OK);
	/* Without CSRF protection the csrf claim is not needed. */
	cfg.csrf_protect = 0;
	CHECK_INT(verify_claim("csrf", NULL), LK_TOKEN_OK);
}

TEST(token_types)
{
	struct lk_claims	c;

	setup();
	CHECK_INT(verify(forge(HS256_HEADER, payload_with("type", "\"refresh\""),
	    SECRET, "sha256"), &c), LK_TOKEN_OK);
	CHECK_INT(lk_token_check_type(&c, LK_TOKEN_ACCESS), LK_TOKEN_ONLY_ACCESS);
	CHECK_INT(verify(forge(HS256_HEADER, payload_with("type", "\"other\""),
	    SECRET, "sha256"), &c), LK_TOKEN_OK);
	CHECK_INT(lk_token_check_type(&c, LK_TOKEN_ACCESS), LK_TOKEN_TYPE_INVALID);
	CHECK_INT(verify(forge(HS256_HEADER, payload_with("type", "1"),
	    SECRET, "sha256"), &c), LK_TOKEN_OK);
	CHECK_INT(lk_token_check_type(&c, LK_TOKEN_ACCESS), LK_TOKEN_TYPE_INVALID);
	CHECK_INT(verify(forge(HS256_HEADER, payload_with(NULL, NULL),
	    SECRET, "sha256"), &c), LK_TOKEN_OK);
	CHECK_INT(lk_token_check_type(&c, LK_TOKEN_REFRESH), LK_TOKEN_ONLY_REFRESH);
}

TEST(issuer_and_audience)
{
	struct lk_claims	 c;
	char			 pl[1024];
	const char		*base;
	char			*tok;

	setup();
	base = payload_with(NULL, NULL);
	/* A token naming an audience is refused when none is configured. */
	(void)snprintf(pl, sizeof(pl), "{\"aud\":\"app\",%s", base + 1);
	CHECK_INT(verify(forge(HS256_HEADER, pl, SECRET, "sha256"), &c),
	    LK_TOKEN_AUD_INVALID);
	(void)snprintf(cfg.audience, sizeof(cfg.audience), "app");
	CHECK_INT(verify(forge(HS256_HEADER, pl, SECRET, "sha256"), &c),
	    LK_TOKEN_OK);
	CHECK_INT(verify(forge(HS256_HEADER, base, SECRET, "sha256"), &c),
	    LK_TOKEN_AUD_MISSING);
	(void)snprintf(pl, sizeof(pl), "{\"aud\":[\"x\",\"app\"],%s", base + 1);
	CHECK_INT(verify(forge(HS256_HEADER, pl, SECRET, "sha256"), &c),
	    LK_TOKEN_OK);
	(void)snprintf(pl, sizeof(pl), "{\"aud\":\"other\",%s", base + 1);
	CHECK_INT(verify(forge(HS256_HEADER, pl, SECRET, "sha256"), &c),
	    LK_TOKEN_AUD_INVALID);

	setup();
	(void)snprintf(cfg.issuer, sizeof(cfg.issuer), "https://example.com");
	CHECK_INT(verify(forge(HS256_HEADER, base, SECRET, "sha256"), &c),
	    LK_TOKEN_ISS_MISSING);
	(void)snprintf(pl, sizeof(pl), "{\"iss\":\"https://evil\",%s", base + 1);
	CHECK_INT(verify(forge(HS256_HEADER, pl, SECRET, "sha256"), &c),
	    LK_TOKEN_ISS_INVALID);
	/* Issued tokens carry the configured iss and aud, and verify. */
	(void)snprintf(cfg.audience, sizeof(cfg.audience), "app");
	tok = t_issue(&cfg, &key, LK_TOKEN_ACCESS, "a@b.c", NOW, 60, &c);
	CHECK(tok != NULL);
	if (tok != NULL) {
		CHECK_INT(verify(tok, &c), LK_TOKEN_OK);
		free(tok);
	}
}

TEST(cache_gives_claims_again_without_trusting_a_hash)
{
	static struct lk_token_cache	 cache;
	static struct lk_keyring	 ring;
	struct lk_claims		 issued, got;
	struct lk_token_cache_entry	*e;
	char				*tok, bad[LK_TOKEN_MAX + 1];
	uint64_t			 h;
	size_t				 n;

	setup();
	memset(&cache, 0, sizeof(cache));
	memset(&ring, 0, sizeof(ring));
	ring.current = key;
	tok = t_issue(&cfg, &key, LK_TOKEN_ACCESS, "a@b.c", NOW, 60, &issued);
	CHECK(tok != NULL);
	if (tok == NULL)
		return;
	n = strlen(tok);
	CHECK_INT(lk_token_verify_cached(&cache, &cfg, &ring, tok, n, NOW, &got),
	    LK_TOKEN_OK);
	CHECK_INT(cache.misses, 1);
	CHECK_INT(lk_token_verify_cached(&cache, &cfg, &ring, tok, n, NOW + 5,
	    &got), LK_TOKEN_OK);
	CHECK_INT(cache.hits, 1);
	CHECK_STR(got.jti, issued.jti);
	CHECK_STR(got.csrf, issued.csrf);
	CHECK_INT(got.exp, NOW + 60);
	/* One byte off: verified in full, and refused. */
	memcpy(bad, tok, n + 1);
	bad[n - 2] = bad[n - 2] == 'A' ? 'B' : 'A';
	CHECK_INT(lk_token_verify_cached(&cache, &cfg, &ring, bad, n, NOW, &got),
	    LK_TOKEN_SIGNATURE);
	/*
	 * Even where the slot and the hash say "this one", the bytes decide:
	 * plant the good token under the bad one's hash.
	 */
	h = lk_siphash24(cache.key, bad, n);
	e = &cache.slot[h % LK_TOKEN_CACHE_SLOTS];
	if (e->token != NULL)
		free(e->token);
	e->token = strdup(tok);
	e->len = n;
	e->hash = h;
	e->claims = issued;
	CHECK_INT(lk_token_verify_cached(&cache, &cfg, &ring, bad, n, NOW, &got),
	    LK_TOKEN_SIGNATURE);
	CHECK_STR(got.jti, "");
	/* Past exp the entry is dead: the full check says "expired". */
	CHECK_INT(lk_token_verify_cached(&cache, &cfg, &ring, tok, n, NOW + 60,
	    &got), LK_TOKEN_EXPIRED);
	CHECK_INT(lk_token_verify_cached(&cache, &cfg, &ring, tok, n, NOW, &got),
	    LK_TOKEN_OK);
	/* Cleared (the keys changed): nothing is taken on its word. */
	h = cache.misses;
	lk_token_cache_clear(&cache);
	CHECK_INT(lk_token_verify_cached(&cache, &cfg, &ring, tok, n, NOW, &got),
	    LK_TOKEN_OK);
	CHECK_INT(cache.misses, h + 1);
	lk_token_cache_clear(&cache);
	free(tok);
}

/* The claims of a payload with "mfa": val added (its JSON text). */
static enum lk_token_err
verify_mfa(const char *val, struct lk_claims *c)
{
	char	buf[1200];
	size_t	n;

	(void)snprintf(buf, sizeof(buf), "%s", payload_with(NULL, NULL));
	n = strlen(buf) - 1;
	(void)snprintf(buf + n, sizeof(buf) - n, ",\"mfa\":%s}", val);
	return verify(forge(HS256_HEADER, buf, SECRET, "sha256"), c);
}

TEST(second_factor_claim)
{
	struct lk_claims	 issued, got;
	char			*tok, *plain, payload[1024];
	const char		*dot;
	long			 n;

	setup();
	/* A login with a second factor: "mfa": true, read back. */
	CHECK(lk_token_claims_new(LK_TOKEN_ACCESS, "a@example.com", NOW, 60,
	    &issued) == 0);
	CHECK_INT(issued.mfa, 0);
	issued.mfa = 1;
	tok = lk_token_sign(&cfg, &key, &issued);
	CHECK(tok != NULL);
	if (tok == NULL)
		return;
	CHECK_INT(verify(tok, &got), LK_TOKEN_OK);
	CHECK_INT(got.mfa, 1);
	dot = strchr(tok, '.') + 1;
	n = lk_b64url_decode(dot, (size_t)(strchr(dot, '.') - dot), payload,
	    sizeof(payload) - 1);
	CHECK(n > 0);
	payload[n > 0 ? n : 0] = '\0';
	CHECK(strstr(payload, "\"mfa\":true") != NULL);
	/* Without one the token is as flask-jwt-extended writes it. */
	issued.mfa = 0;
	plain = lk_token_sign(&cfg, &key, &issued);
	CHECK(plain != NULL && strcmp(plain, tok) != 0);
	if (plain != NULL) {
		CHECK_INT(verify(plain, &got), LK_TOKEN_OK);
		CHECK_INT(got.mfa, 0);
		dot = strchr(plain, '.') + 1;
		n = lk_b64url_decode(dot, (size_t)(strchr(dot, '.') - dot),
		    payload, sizeof(payload) - 1);
		payload[n > 0 ? n : 0] = '\0';
		CHECK(strstr(payload, "mfa") == NULL);
	}
	free(plain);
	free(tok);
	/* Only a JSON true is a second factor. */
	CHECK_INT(verify_mfa("true", &got), LK_TOKEN_OK);
	CHECK_INT(got.mfa, 1);
	CHECK_INT(verify_mfa("false", &got), LK_TOKEN_OK);
	CHECK_INT(got.mfa, 0);
	CHECK_INT(verify_mfa("1", &got), LK_TOKEN_OK);
	CHECK_INT(got.mfa, 0);
	CHECK_INT(verify_mfa("\"true\"", &got), LK_TOKEN_OK);
	CHECK_INT(got.mfa, 0);
	CHECK_INT(verify_mfa("[true]", &got), LK_TOKEN_OK);
	CHECK_INT(got.mfa, 0);
}

int
main(void)
{
	RUN(issue_then_verify_roundtrip);
	RUN(issued_tokens_differ);
	RUN(flask_fixture_tokens_verify);
	RUN(structure_errors);
	RUN(signature_errors);
	RUN(empty_key_is_refused);
	RUN(alg_other_than_hs256_refused);
	RUN(payload_must_be_object);
	RUN(time_claims);
	RUN(identity_and_flask_claims);
	RUN(token_types);
	RUN(second_factor_claim);
	RUN(issuer_and_audience);
	RUN(cache_gives_claims_again_without_trusting_a_hash);
	return T_END();
}
