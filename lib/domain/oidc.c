/*
 * The OpenID provider's rules for its clients: ids, URIs and secrets.
 */
#include <string.h>

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
