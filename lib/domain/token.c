#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/json.h"
#include "base/util.h"
#include "domain/token.h"

/*
 * Latest time a numeric date may name (9999-12-31T23:59:59Z).  json-c
 * clamps integers beyond int64 to its limits, so a huge "exp" would
 * otherwise become a token that never expires.
 */
#define TIME_MAX	253402300799LL

/* A JSON integer within [0, TIME_MAX]. */
static int
get_time(struct json_object *v, long long *out)
{
	int64_t	n;

	if (v == NULL || json_object_get_type(v) != json_type_int)
		return -1;
	errno = 0;
	n = json_object_get_int64(v);
	if (errno != 0 || n < 0 || n > TIME_MAX)
		return -1;
	*out = n;
	return 0;
}

/* Copy a non-empty JSON string without NULs of at most max bytes. */
static int
get_str(struct json_object *v, char *out, size_t max)
{
	const char	*s;
	size_t		 len;

	if (v == NULL || json_object_get_type(v) != json_type_string)
		return -1;
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (len == 0 || len > max || strlen(s) != len)
		return -1;
	memcpy(out, s, len + 1);
	return 0;
}

static int
str_equals(struct json_object *v, const char *want)
{
	size_t	len;

	if (v == NULL || json_object_get_type(v) != json_type_string)
		return 0;
	len = (size_t)json_object_get_string_len(v);
	return len == strlen(want) &&
	    memcmp(json_object_get_string(v), want, len) == 0;
}

static enum lk_token_err
check_aud(const struct lk_config *cfg, struct json_object *pl)
{
	struct json_object	*aud, *e;
	size_t			 i, n;

	if (!json_object_object_get_ex(pl, "aud", &aud))
		return cfg->audience[0] == '\0' ?
		    LK_TOKEN_OK : LK_TOKEN_AUD_MISSING;
	/* A token meant for some audience is not meant for us if we have none. */
	if (cfg->audience[0] == '\0')
		return LK_TOKEN_AUD_INVALID;
	if (str_equals(aud, cfg->audience))
		return LK_TOKEN_OK;
	if (json_object_get_type(aud) != json_type_array)
		return LK_TOKEN_AUD_INVALID;
	n = json_object_array_length(aud);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(aud, i);
		if (json_object_get_type(e) != json_type_string)
			return LK_TOKEN_AUD_INVALID;
		if (str_equals(e, cfg->audience))
			return LK_TOKEN_OK;
	}
	return LK_TOKEN_AUD_INVALID;
}

/*
 * With any_time set, the nbf and exp windows are not checked (their types
 * still are).
 */
static enum lk_token_err
check_claims(const struct lk_config *cfg, struct json_object *pl,
    long long now, int any_time, struct lk_claims *c)
{
	struct json_object	*v;
	enum lk_token_err	 e;

	/* In PyJWT's order: required, iat, nbf, exp, iss, aud. */
	if (!json_object_object_get_ex(pl, "exp", &v))
		return LK_TOKEN_EXP_MISSING;
	if (json_object_object_get_ex(pl, "iat", &v) &&
	    get_time(v, &c->iat) == -1)
		return LK_TOKEN_IAT_TYPE;
	if (json_object_object_get_ex(pl, "nbf", &v)) {
		if (get_time(v, &c->nbf) == -1)
			return LK_TOKEN_NBF_TYPE;
		if (!any_time && c->nbf > now + cfg->leeway)
			return LK_TOKEN_IMMATURE;
	}
	json_object_object_get_ex(pl, "exp", &v);
	if (get_time(v, &c->exp) == -1)
		return LK_TOKEN_EXP_TYPE;
	if (!any_time && c->exp <= now - cfg->leeway)
		return LK_TOKEN_EXPIRED;
	if (cfg->issuer[0] != '\0') {
		if (!json_object_object_get_ex(pl, "iss", &v))
			return LK_TOKEN_ISS_MISSING;
		if (!str_equals(v, cfg->issuer))
			return LK_TOKEN_ISS_INVALID;
	}
	if ((e = check_aud(cfg, pl)) != LK_TOKEN_OK)
		return e;

	/* Then flask-jwt-extended's own claims. */
	if (!json_object_object_get_ex(pl, "sub", &v))
		return LK_TOKEN_SUB_MISSING;
	if (get_str(v, c->sub, LK_SUB_MAX) == -1)
		return LK_TOKEN_SUB_TYPE;
	if (!json_object_object_get_ex(pl, "type", &v))
		return LK_TOKEN_TYPE_MISSING;
	if (str_equals(v, "access"))
		c->type = LK_TOKEN_ACCESS;
	else if (str_equals(v, "refresh"))
		c->type = LK_TOKEN_REFRESH;
	else
		c->type = LK_TOKEN_OTHER;
	if (!json_object_object_get_ex(pl, "jti", &v))
		return LK_TOKEN_JTI_MISSING;
	if (get_str(v, c->jti, LK_JTI_MAX) == -1)
		return LK_TOKEN_JTI_TYPE;
	if (cfg->csrf_protect) {
		if (!json_object_object_get_ex(pl, "csrf", &v))
			return LK_TOKEN_CSRF_MISSING;
		if (get_str(v, c->csrf, LK_CSRF_MAX) == -1)
			return LK_TOKEN_CSRF_TYPE;
	}
	c->fresh = 0;
	c->fresh_until = 0;
	if (json_object_object_get_ex(pl, "fresh", &v)) {
		/* flask-jwt-extended writes a boolean or a timestamp. */
		if (json_object_get_type(v) == json_type_boolean) {
			c->fresh = json_object_get_boolean(v);
			c->fresh_until = c->fresh ? LLONG_MAX : 0;
		} else if (json_object_get_type(v) == json_type_int) {
			long long t;

			if (get_time(v, &t) == -1)
				return LK_TOKEN_FRESH_TYPE;
			c->fresh = t > now;
			c->fresh_until = t;
		} else
			return LK_TOKEN_FRESH_TYPE;
	}
	/* Only a JSON true is a second factor; anything else is one factor. */
	c->mfa = json_object_object_get_ex(pl, "mfa", &v) &&
	    json_object_get_type(v) == json_type_boolean &&
	    json_object_get_boolean(v);
	return LK_TOKEN_OK;
}

/* A token past the structural checks: its header parsed, its parts decoded once. */
struct parsed {
	const char		*dot2;		/* the second separator */
	struct json_object	*hdr;
	unsigned char		 payload[LK_TOKEN_MAX];
	size_t			 payload_len;
	unsigned char		 sig[LK_TOKEN_MAX];
	size_t			 sig_len;
	enum lk_key_alg		 alg;		/* the header's */
};

/*
 * Size, segments, base64url of all three parts, a JSON object header with
 * alg exactly HS256, ES256 or RS256 and no crit.  On success p->hdr must
 * be released.
 */
static enum lk_token_err
parse(const char *token, size_t len, struct parsed *p)
{
	struct json_object	*v;
	const char		*dot1;
	enum lk_token_err	 rc = LK_TOKEN_OK;
	long			 n;

	p->hdr = NULL;
	p->payload_len = p->sig_len = 0;
	/* Bounded first: nothing reads more than a few KiB of cookie. */
	if (len > LK_TOKEN_MAX)
		return LK_TOKEN_TOO_LARGE;
	if (token == NULL || strlen(token) != len ||
	    (dot1 = memchr(token, '.', len)) == NULL ||
	    (p->dot2 = strrchr(token, '.')) == dot1)
		return LK_TOKEN_SEGMENTS;
	/* The header goes into payload[] for now: it is parsed at once. */
	n = lk_b64url_decode(token, (size_t)(dot1 - token), p->payload,
	    sizeof(p->payload));
	if (n < 0)
		return LK_TOKEN_HEADER_PADDING;
	if ((p->hdr = lk_json_parse_object((const char *)p->payload,
	    (size_t)n)) == NULL)
		return LK_TOKEN_HEADER_STRING;
	if ((n = lk_b64url_decode(dot1 + 1, (size_t)(p->dot2 - dot1 - 1),
	    p->payload, sizeof(p->payload))) < 0)
		rc = LK_TOKEN_PAYLOAD_PADDING;
	else {
		p->payload_len = (size_t)n;
		if ((n = lk_b64url_decode(p->dot2 + 1,
		    len - (size_t)(p->dot2 - token) - 1, p->sig,
		    sizeof(p->sig))) < 0)
			rc = LK_TOKEN_CRYPTO_PADDING;
		else
			p->sig_len = (size_t)n;
	}
	/* Spelled exactly so: "none" in any case never passes. */
	if (rc == LK_TOKEN_OK && (!json_object_object_get_ex(p->hdr, "alg",
	    &v) || json_object_get_type(v) != json_type_string ||
	    strlen(json_object_get_string(v)) !=
	    (size_t)json_object_get_string_len(v) ||
	    lk_key_alg_parse(json_object_get_string(v), &p->alg) == -1))
		rc = LK_TOKEN_ALG;
	else if (rc == LK_TOKEN_OK &&
	    json_object_object_get_ex(p->hdr, "crit", NULL))
		rc = LK_TOKEN_CRIT;
	if (rc != LK_TOKEN_OK) {
		json_object_put(p->hdr);
		p->hdr = NULL;
	}
	return rc;
}

/*
 * Whether the signature is key's of "header.payload", by the key's own
 * algorithm (lk_key_verify: HS256 from the key's prepared HMAC state,
 * compared in constant time; ES256 and RS256 through OpenSSL).  A key of
 * another algorithm than the header's never verifies it: an HS256 token
 * "signed" with a public key's PEM, or an ES256 token under an HS256
 * kid, is refused before any signature is computed.
 */
static int
signed_by(const struct lk_key *key, const char *token, const struct parsed *p)
{
	if (key->alg != p->alg)
		return 0;
	return lk_key_verify(key, token, (size_t)(p->dot2 - token), p->sig,
	    p->sig_len);
}

/* Whether the ring holds a key of alg. */
static int
ring_has_alg(const struct lk_keyring *ring, enum lk_key_alg alg)
{
	size_t	i;

	if (!ring->verify_only && ring->current.alg == alg)
		return 1;
	for (i = 0; i < ring->nprevious; i++)
		if (ring->previous[i].alg == alg)
			return 1;
	return 0;
}

/* Payload and claims of a token whose signature verified. */
static enum lk_token_err
verify_claims(const struct lk_config *cfg, const struct parsed *p,
    long long now, int any_time, struct lk_claims *claims)
{
	struct json_object	*pl;
	enum lk_token_err	 rc;

	memset(claims, 0, sizeof(*claims));
	if ((pl = lk_json_parse_object((const char *)p->payload,
	    p->payload_len)) == NULL)
		return LK_TOKEN_PAYLOAD_STRING;
	rc = check_claims(cfg, pl, now, any_time, claims);
	if (rc != LK_TOKEN_OK)
		memset(claims, 0, sizeof(*claims));
	json_object_put(pl);
	return rc;
}

/*
 * The keyring verification: the header is parsed once; an alg none of
 * our keys has is refused as flask-jwt-extended refuses an alg other
 * than its JWT_ALGORITHM; a "kid" picks one of our keys, which must be
 * of the header's alg (else the alg is refused), or fails as a bad
 * signature; without one, each key of that alg is tried, the current
 * key first.
 */
static enum lk_token_err
verify_ring(const struct lk_config *cfg, const struct lk_keyring *ring,
    const char *token, size_t len, long long now, int any_time,
    struct lk_claims *claims)
{
	struct parsed		*p;
	struct json_object	*v;
	const struct lk_key	*key = NULL;
	enum lk_token_err	 rc;
	char			 kid[LK_KID_LEN + 2];
	size_t			 i;

	memset(claims, 0, sizeof(*claims));
	if (ring == NULL || (ring->verify_only ? ring->nprevious == 0 :
	    ring->current.len == 0 && ring->current.pkey == NULL))
		return LK_TOKEN_INTERNAL;
	if ((p = malloc(sizeof(*p))) == NULL)
		return LK_TOKEN_INTERNAL;
	if ((rc = parse(token, len, p)) != LK_TOKEN_OK)
		goto out;
	if (!ring_has_alg(ring, p->alg)) {
		rc = LK_TOKEN_ALG;
		goto done;
	}
	if (json_object_object_get_ex(p->hdr, "kid", &v)) {
		if (get_str(v, kid, sizeof(kid) - 1) == 0 &&
		    (key = lk_keyring_find(ring, kid)) != NULL &&
		    key->alg != p->alg) {
			/* The key pins the algorithm: the header cannot. */
			rc = LK_TOKEN_ALG;
			goto done;
		}
		if (key != NULL && !signed_by(key, token, p))
			key = NULL;
	} else if (!ring->verify_only && signed_by(&ring->current, token, p))
		key = &ring->current;
	else
		/* No kid (flask-jwt-extended's tokens): each key in turn. */
		for (i = 0; key == NULL && i < ring->nprevious; i++)
			if (signed_by(&ring->previous[i], token, p))
				key = &ring->previous[i];
	rc = key == NULL ? LK_TOKEN_SIGNATURE :
	    verify_claims(cfg, p, now, any_time, claims);
done:
	json_object_put(p->hdr);
out:
	lk_explicit_bzero(p, sizeof(*p));
	free(p);
	return rc;
}

enum lk_token_err
lk_token_verify(const struct lk_config *cfg, const struct lk_keyring *ring,
    const char *token, size_t len, long long now, struct lk_claims *claims)
{
	return verify_ring(cfg, ring, token, len, now, 0, claims);
}

enum lk_token_err
lk_token_verify_any_time(const struct lk_config *cfg,
    const struct lk_keyring *ring, const char *token, size_t len,
    long long now, struct lk_claims *claims)
{
	return verify_ring(cfg, ring, token, len, now, 1, claims);
}

enum lk_token_err
lk_token_check_type(const struct lk_claims *claims, enum lk_token_type want)
{
	if (claims->type == want)
		return LK_TOKEN_OK;
	if (want == LK_TOKEN_ACCESS && claims->type == LK_TOKEN_REFRESH)
		return LK_TOKEN_ONLY_ACCESS;
	if (want == LK_TOKEN_REFRESH && claims->type == LK_TOKEN_ACCESS)
		return LK_TOKEN_ONLY_REFRESH;
	return LK_TOKEN_TYPE_INVALID;
}

int
lk_token_claims_new(enum lk_token_type type, const char *sub, long long now,
    long long lifetime, struct lk_claims *claims)
{
	memset(claims, 0, sizeof(*claims));
	if (type >= LK_TOKEN_OTHER ||
	    lk_strlcpy(claims->sub, sub, sizeof(claims->sub)) == -1 ||
	    lk_uuid4(claims->jti) == -1 || lk_uuid4(claims->csrf) == -1) {
		memset(claims, 0, sizeof(*claims));
		return -1;
	}
	claims->type = type;
	claims->fresh = 0;
	claims->fresh_until = 0;
	claims->iat = claims->nbf = now;
	claims->exp = now + lifetime;
	return 0;
}


/* Whether cached claims still hold at now (as check_claims would judge). */
static int
still_valid(const struct lk_config *cfg, const struct lk_claims *c,
    long long now)
{
	return c->exp > now - cfg->leeway && c->nbf <= now + cfg->leeway;
}

static void
evict(struct lk_token_cache_entry *e)
{
	if (e->token != NULL) {
		lk_explicit_bzero(e->token, e->len);
		free(e->token);
	}
	lk_explicit_bzero(e, sizeof(*e));
}

enum lk_token_err
lk_token_verify_cached(struct lk_token_cache *cache,
    const struct lk_config *cfg, const struct lk_keyring *ring,
    const char *token, size_t len, long long now, struct lk_claims *claims)
{
	struct lk_token_cache_entry	*e;
	enum lk_token_err		 rc;
	uint64_t			 h;

	if (cache == NULL || len > LK_TOKEN_MAX || token == NULL)
		return lk_token_verify(cfg, ring, token, len, now, claims);
	if (!cache->keyed) {
		if (lk_random_bytes(cache->key, sizeof(cache->key)) == -1)
			return lk_token_verify(cfg, ring, token, len, now,
			    claims);
		cache->keyed = 1;
	}
	h = lk_siphash24(cache->key, token, len);
	e = &cache->slot[h % LK_TOKEN_CACHE_SLOTS];
	if (e->token != NULL && e->hash == h && e->len == len &&
	    lk_ct_equal(e->token, e->len, token, len)) {
		if (still_valid(cfg, &e->claims, now)) {
			cache->hits++;
			*claims = e->claims;
			return LK_TOKEN_OK;
		}
		/* Expired: the full check says how, and it stays out. */
		evict(e);
	}
	cache->misses++;
	rc = lk_token_verify(cfg, ring, token, len, now, claims);
	if (rc != LK_TOKEN_OK)
		return rc;
	evict(e);
	if ((e->token = malloc(len + 1)) == NULL)
		return rc;
	memcpy(e->token, token, len + 1);
	e->len = len;
	e->hash = h;
	e->claims = *claims;
	return rc;
}

void
lk_token_cache_clear(struct lk_token_cache *cache)
{
	size_t	i;

	if (cache == NULL)
		return;
	for (i = 0; i < LK_TOKEN_CACHE_SLOTS; i++)
		evict(&cache->slot[i]);
}
