/*
 * libFuzzer harness: the token verifier (lk_token_verify and
 * lk_token_check_type) with a fixed key and clock.
 *
 * Input: one mode byte, then
 *   mode even: the token text itself (any bytes, NULs included), which
 *     almost never carries a good signature and so exercises the size,
 *     segment, base64url, header and signature checks;
 *   mode odd: "HEADER\nPAYLOAD", two JSON texts that the harness encodes
 *     and signs with the right key (HMAC-SHA256), so that every claim
 *     check behind the signature is reached.
 * Bits of the mode byte also set an issuer, an audience, leeway and CSRF
 * protection.  Each token also goes through the keyring verifiers (a
 * current key, the harness's, and a previous one; "kid" picks among them),
 * which must keep the same promises.  A token that verifies must have passed every rule the API
 * promises: HS256, an exp in the future, an access or refresh type, a
 * non-empty sub.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base/json.h"
#include "domain/config.h"
#include "domain/keyring.h"
#include "domain/token.h"
#include "../unit/forge.h"	/* b64url() */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW		1700000000LL
#define SECRET		"fuzzing-key-0123456789abcdef0123456789abcdef0123"

/* Encode and sign header and payload; returns the token length or 0. */
static size_t
sign(const uint8_t *h, size_t hlen, const uint8_t *p, size_t plen,
    const struct lk_key *key, char *out, size_t outsz)
{
	unsigned char	mac[EVP_MAX_MD_SIZE];
	unsigned int	maclen = 0;
	size_t		n;

	/* base64url grows 3 bytes to 4; leave room for the MAC. */
	if ((hlen + plen) / 3 * 4 + 16 + 64 >= outsz)
		return 0;
	n = b64url(h, hlen, out);
	out[n++] = '.';
	n += b64url(p, plen, out + n);
	if (HMAC(EVP_sha256(), key->bytes, (int)key->len,
	    (const unsigned char *)out, n, mac, &maclen) == NULL)
		return 0;
	out[n++] = '.';
	n += b64url(mac, maclen, out + n);
	return n;
}

/* A keyring whose current key is SECRET, loaded the way programs do. */
static void
load_ring(struct lk_keyring *ring)
{
	char	dir[] = "/tmp/lk-fuzz-ring.XXXXXX", path[64], prev[80];
	char	err[1024];
	FILE	*f;

	if (mkdtemp(dir) == NULL)
		abort();
	(void)snprintf(path, sizeof(path), "%s/secret.key", dir);
	(void)snprintf(prev, sizeof(prev), "%s.previous", path);
	if ((f = fopen(path, "w")) == NULL || fprintf(f, "%s\n", SECRET) < 0 ||
	    fclose(f) != 0 || chmod(path, 0600) != 0)
		abort();
	if (lk_keyring_load(ring, path, err, sizeof(err)) == -1) {
		fprintf(stderr, "fuzz_token: %s\n", err);
		abort();
	}
	(void)unlink(path);
	(void)unlink(prev);
	(void)rmdir(dir);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lk_keyring ring;
	static struct lk_key	 key;
	static struct lk_keyring single;	/* the harness's key alone */
	struct lk_claims	 c2;
	enum lk_token_err	 e2;
	struct lk_config	 cfg;
	struct lk_claims	 c;
	enum lk_token_err	 e;
	const uint8_t		*nl;
	char			*tok;
	size_t			 len, toksz;
	uint8_t			 mode;

	if (size < 1 || size > 3 * LK_TOKEN_MAX)
		return 0;
	if (key.len == 0) {
		(void)lk_key_set(&key, SECRET, strlen(SECRET));
		load_ring(&ring);
		single.current = key;
	}
	mode = data[0];
	data++;
	size--;
	lk_config_defaults(&cfg);
	if (mode & 0x02)
		memcpy(cfg.issuer, "https://issuer.example", 23);
	if (mode & 0x04)
		memcpy(cfg.audience, "latchkey", 9);
	if (mode & 0x08)
		cfg.leeway = 30;
	if (mode & 0x10)
		cfg.csrf_protect = 0;

	toksz = 2 * size + 128;
	if ((tok = malloc(toksz)) == NULL)
		return 0;
	if ((mode & 0x01) == 0) {
		memcpy(tok, data, size);
		tok[size] = '\0';
		len = size;
	} else {
		if ((nl = memchr(data, '\n', size)) == NULL)
			nl = data + size;
		len = sign(data, (size_t)(nl - data), nl + (nl < data + size),
		    size - (size_t)(nl - data) - (nl < data + size), &key,
		    tok, toksz);
		if (len == 0)
			goto out;
	}

	e = lk_token_verify(&cfg, &single, tok, len, NOW, &c);
	if (e >= LK_TOKEN__MAX)
		abort();
	if (e == LK_TOKEN_OK) {
		/* What the API promises of every accepted token. */
		if (len > LK_TOKEN_MAX || c.sub[0] == '\0' ||
		    c.exp <= NOW - cfg.leeway || c.nbf > NOW + cfg.leeway ||
		    c.jti[0] == '\0' || (cfg.csrf_protect && c.csrf[0] == '\0'))
			abort();
		(void)lk_token_check_type(&c, LK_TOKEN_ACCESS);
		(void)lk_token_check_type(&c, LK_TOKEN_REFRESH);
	} else if (c.sub[0] != '\0' || c.exp != 0)
		abort();	/* a refused token leaves no claims behind */

	/* The keyring verifier promises the same of what it accepts. */
	e2 = lk_token_verify(&cfg, &ring, tok, len, NOW, &c2);
	if (e2 == LK_TOKEN_OK && (c2.sub[0] == '\0' ||
	    c2.exp <= NOW - cfg.leeway || c2.nbf > NOW + cfg.leeway))
		abort();
	(void)lk_token_verify_any_time(&cfg, &ring, tok, len, NOW, &c2);
out:
	free(tok);
	return 0;
}
