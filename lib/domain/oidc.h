#ifndef LK_OIDC_H
#define LK_OIDC_H

#include <stddef.h>

#include "domain/config.h"

/*
 * The OpenID provider's rules for its clients, the same for the tool and
 * the endpoints: what a client's id and redirect URIs may be, its
 * secret (made, hashed, compared) and the exact match of a redirect URI
 * against the registered ones.
 */

#define LK_OIDC_CLIENT_ID_MAX	128	/* bytes of a client's id */
#define LK_OIDC_URI_MAX		1024	/* bytes of one registered URI */
#define LK_OIDC_URIS_MAX	4096	/* a client's URIs joined with '\n' */
#define LK_OIDC_SECRET_LEN	43	/* a secret: 32 random bytes, base64url */
#define LK_OIDC_HASH_LEN	64	/* a secret's or token's hash, hex */

/*
 * Whether id is a client's id: 1 to LK_OIDC_CLIENT_ID_MAX of the URI's
 * unreserved characters (A-Z, a-z, 0-9, '-', '.', '_', '~'), which
 * travel unchanged in a form, a query and HTTP Basic.  NULL if it is,
 * else what is wrong, in words (static text).
 */
const char *lk_oidc_client_id_check(const char *id);

/*
 * Whether uri may be registered as a redirect or post-logout URI: an
 * absolute http:// or https:// URI with a host, at most LK_OIDC_URI_MAX
 * bytes of printable ASCII without spaces and without a fragment
 * (RFC 6749 3.1.2).  NULL if it may, else what is wrong (static text).
 */
const char *lk_oidc_uri_check(const char *uri);

/*
 * Whether uri is one of list (URIs joined with '\n'), compared whole,
 * byte for byte: no prefix, no normalisation, no wildcard.  1 or 0.
 */
int	lk_oidc_uri_listed(const char *list, const char *uri, size_t len);

/*
 * A new client secret (LK_OIDC_SECRET_LEN characters and a NUL) and its
 * hash (LK_OIDC_HASH_LEN hex digits and a NUL), as the store keeps it.
 * 0, or -1 if no randomness could be had.
 */
int	lk_oidc_secret_new(char secret[LK_OIDC_SECRET_LEN + 1],
	    char hash[LK_OIDC_HASH_LEN + 1]);

/*
 * The hash of a secret, code or token of len bytes: SHA-256, hex.  They
 * are random values of 256 bits, so one fast hash is enough to keep the
 * store's copy useless to whoever reads it.
 */
void	lk_oidc_hash(const char *value, size_t len,
	    char hash[LK_OIDC_HASH_LEN + 1]);

/*
 * Whether the secret of len bytes a client presented has the stored hash
 * (a confidential client's): compared in constant time.  1 or 0; an
 * empty stored hash (a public client) never matches.
 */
int	lk_oidc_secret_matches(const char *stored, const char *secret,
	    size_t len);

#define LK_OIDC_SUB_LEN		32	/* a new subject: 16 random bytes, hex */

/*
 * A candidate subject for an account that has none yet
 * (lk_store_oidc_subject keeps the first one recorded): 16 random bytes
 * as hex, so that it says nothing of the account.  0, or -1 if no
 * randomness could be had.
 */
int	lk_oidc_subject_new(char out[LK_OIDC_SUB_LEN + 1]);

/* The scopes the provider knows; others a client asks for are ignored. */
#define LK_SCOPE_OPENID		0x01u
#define LK_SCOPE_PROFILE	0x02u
#define LK_SCOPE_EMAIL		0x04u
#define LK_SCOPE_GROUPS		0x08u
#define LK_SCOPE_OFFLINE	0x10u
#define LK_SCOPE_TEXT_MAX	64	/* all of them, as lk_oidc_scope_text */

/*
 * Read a scope parameter (RFC 6749 3.3: scope-tokens of %x21, %x23-5B
 * and %x5D-7E separated by single spaces, at most 1024 bytes) into the
 * bits of the scopes the provider knows, in *bits; a known one given
 * twice counts once, an unknown one is ignored.  0, or -1 for a
 * malformed parameter (*bits 0).
 */
int	lk_oidc_scope_parse(const char *scope, unsigned int *bits);

/*
 * The scopes of bits as the provider writes them ("openid profile email
 * groups offline_access", in that order, those set) into out.  Returns
 * the length, or -1 if out is too small.
 */
long	lk_oidc_scope_text(unsigned int bits, char *out, size_t outsz);

/*
 * The userinfo answer (OpenID Connect Core 5.3.2) of an account for the
 * granted scopes bits: sub always; with profile, name and
 * preferred_username (the email); with email, email and email_verified;
 * with groups, groups (joined with ',' in groups, "" for none, as an
 * array).  Members sorted by name, and a final newline.  Returns the
 * length, or -1 if it does not fit.
 */
long	lk_oidc_userinfo(unsigned int bits, const char *sub, const char *name,
	    const char *email, int email_verified, const char *groups,
	    char *out, size_t outsz);

/*
 * The provider's issuer: oidc_issuer, else site_url (NULL when neither
 * is set: the provider is off).  Relying parties compare it byte for
 * byte with the "iss" of every token and with the discovery document's.
 */
const char *lk_oidc_issuer(const struct lk_config *cfg);

/*
 * The discovery document (OpenID Connect Discovery 1.0, section 3) into
 * out: the issuer, every endpoint (under site_url: /api/oidc/...), the
 * JWK Set's address (/.well-known/jwks.json), and exactly what the
 * provider supports: the code flow with PKCE S256, the three client
 * authentication methods, RS256, public subjects, the scopes openid,
 * profile, email, groups and offline_access and their claims, prompt
 * none, login and consent, and RFC 9207's iss parameter.  Returns the
 * length (with a final newline), or -1 if the provider is off (no
 * site_url) or out is too small.
 */
long	lk_oidc_discovery(const struct lk_config *cfg, char *out, size_t outsz);

#endif
