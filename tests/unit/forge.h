/*
 * Test helper: build JWTs by hand (any header, any payload, any HMAC) to
 * attack the verifier with, and read the flask-jwt-extended fixture.
 */
#ifndef FORGE_H
#define FORGE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "domain/config.h"
#include "domain/key.h"
#include "domain/token.h"

__attribute__((unused)) static size_t
b64url(const unsigned char *in, size_t len, char *out)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t	i, o = 0;
	unsigned long v;

	for (i = 0; i + 2 < len; i += 3) {
		v = ((unsigned long)in[i] << 16) | ((unsigned long)in[i + 1] << 8) | in[i + 2];
		out[o++] = a[(v >> 18) & 63];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = a[(v >> 6) & 63];
		out[o++] = a[v & 63];
	}
	if (len - i == 1) {
		v = (unsigned long)in[i] << 16;
		out[o++] = a[(v >> 18) & 63];
		out[o++] = a[(v >> 12) & 63];
	} else if (len - i == 2) {
		v = ((unsigned long)in[i] << 16) | ((unsigned long)in[i + 1] << 8);
		out[o++] = a[(v >> 18) & 63];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = a[(v >> 6) & 63];
	}
	out[o] = '\0';
	return o;
}

/*
 * Make "b64(header).b64(payload).b64(HMAC)" with digest md ("sha256",
 * "sha384", "sha512") or, for md NULL, an empty signature.  The result is
 * static: copy it before the next call.
 */
__attribute__((unused)) static const char *
forge(const char *header, const char *payload, const char *key,
    const char *md)
{
	static char	tok[16384];
	unsigned char	mac[EVP_MAX_MD_SIZE];
	unsigned int	maclen = 0;
	size_t		n;

	n = b64url((const unsigned char *)header, strlen(header), tok);
	tok[n++] = '.';
	n += b64url((const unsigned char *)payload, strlen(payload), tok + n);
	if (md != NULL)
		HMAC(EVP_get_digestbyname(md), key, (int)strlen(key),
		    (const unsigned char *)tok, n, mac, &maclen);
	tok[n++] = '.';
	b64url(mac, maclen, tok + n);
	return tok;
}

#define HS256_HEADER	"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

__attribute__((unused)) static struct json_object *
fixture(void)
{
	static struct json_object	*fx;
	const char			*path;

	if (fx != NULL)
		return fx;
	path = getenv("LK_FIXTURE");
	if (path == NULL)
		path = "tests/fixtures/flask-jwt-extended.json";
	fx = json_object_from_file(path);
	if (fx == NULL) {
		fprintf(stderr, "cannot read fixture %s\n", path);
		exit(1);
	}
	return fx;
}

__attribute__((unused)) static const char *
fixture_str(const char *a, const char *b, const char *c)
{
	struct json_object	*o = fixture();

	if (a != NULL && !json_object_object_get_ex(o, a, &o))
		return NULL;
	if (b != NULL && !json_object_object_get_ex(o, b, &o))
		return NULL;
	if (c != NULL && !json_object_object_get_ex(o, c, &o))
		return NULL;
	return json_object_get_string(o);
}

/* Mint a token: fresh claims, signed with key. */
__attribute__((unused)) static char *
t_issue(const struct lk_config *cfg, const struct lk_key *key,
    enum lk_token_type type, const char *sub, long long now, long long life,
    struct lk_claims *c)
{
	if (lk_token_claims_new(type, sub, now, life, c) == -1)
		return NULL;
	return lk_token_sign(cfg, key, c);
}

/* Verify with a keyring holding key alone. */
__attribute__((unused)) static enum lk_token_err
t_verify_key(const struct lk_config *cfg, const struct lk_key *key,
    const char *tok, size_t len, long long now, struct lk_claims *c)
{
	static struct lk_keyring	ring;

	memset(&ring, 0, sizeof(ring));
	ring.current = *key;
	return lk_token_verify(cfg, &ring, tok, len, now, c);
}

#endif
