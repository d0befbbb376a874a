#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "domain/password.h"

static const struct method {
	const char	*name;
	const char	*prefix;	/* for crypt_gensalt */
	unsigned int	 bit;
	unsigned long	 cost_default, cost_min, cost_max;
} methods[] = {
	{ "yescrypt", "$y$", LK_HASH_YESCRYPT, 5, 1, 11 },
	{ "bcrypt", "$2b$", LK_HASH_BCRYPT, 12, 4, 31 },
	{ "sha512crypt", "$6$", LK_HASH_SHA512CRYPT, 5000, 1000, 999999999 },
};

#define NMETHODS	(sizeof(methods) / sizeof(methods[0]))

/*
 * Scratch space for libxcrypt (30 KiB), zeroed before first use as the
 * manual asks; per process, since requests are served one at a time.
 */
static struct crypt_data	 cdata;
static int			 cdata_ready;
static char			 dummy_hash[LK_HASH_MAX + 1];
static unsigned long		 hash_count;

static const struct method *
method_by_name(const char *name)
{
	size_t	i;

	for (i = 0; i < NMETHODS; i++)
		if (strcmp(methods[i].name, name) == 0)
			return &methods[i];
	return NULL;
}

unsigned int
lk_password_method_bit(const char *name)
{
	const struct method	*m = method_by_name(name);

	return m != NULL ? m->bit : 0;
}

unsigned long
lk_password_default_cost(const char *name)
{
	const struct method	*m = method_by_name(name);

	return m != NULL ? m->cost_default : 0;
}

int
lk_password_cost_ok(const char *name, unsigned long cost)
{
	const struct method	*m = method_by_name(name);

	return m != NULL && cost >= m->cost_min && cost <= m->cost_max;
}

unsigned long
lk_password_hash_count(void)
{
	return hash_count;
}

static char *
do_crypt(const char *password, const char *setting)
{
	char	*out;

	if (!cdata_ready) {
		memset(&cdata, 0, sizeof(cdata));
		cdata_ready = 1;
	}
	hash_count++;
	out = crypt_r(password, setting, &cdata);
	/* Failure is a string starting with '*', or NULL. */
	if (out == NULL || out[0] == '*')
		return NULL;
	return out;
}

/*
 * Which allowed method a stored hash uses (its LK_HASH_* bit), and its
 * cost parameters as text ("j9T" for yescrypt, "12" for bcrypt, the
 * rounds for sha512crypt).  Returns 0 for anything else.
 */
static unsigned int
hash_params(const char *hash, char *params, size_t psz)
{
	const char	*p, *e;
	unsigned int	 bit;

	if (strncmp(hash, "$y$", 3) == 0)
		bit = LK_HASH_YESCRYPT;
	else if (strncmp(hash, "$2b$", 4) == 0 || strncmp(hash, "$2y$", 4) == 0)
		bit = LK_HASH_BCRYPT;
	else if (strncmp(hash, "$6$", 3) == 0)
		bit = LK_HASH_SHA512CRYPT;
	else
		return 0;
	p = strchr(hash + 1, '$') + 1;
	if (bit == LK_HASH_SHA512CRYPT) {
		if (strncmp(p, "rounds=", 7) != 0)
			return lk_strlcpy(params, "5000", psz) == 0 ? bit : 0;
		p += 7;
	}
	if ((e = strchr(p, '$')) == NULL || (size_t)(e - p) >= psz)
		return 0;
	memcpy(params, p, (size_t)(e - p));
	params[e - p] = '\0';
	return bit;
}

static int
make_setting(const struct lk_hash *hp, char *out, size_t outsz)
{
	const struct method	*m;
	unsigned char		 rnd[32];
	int			 rc = -1;

	if ((m = method_by_name(hp->method)) == NULL)
		return -1;
	if (lk_random_bytes(rnd, sizeof(rnd)) == -1)
		return -1;
	/* Always pass the cost: 0 would mean libxcrypt's low default. */
	if (crypt_gensalt_rn(m->prefix, hp->cost, (const char *)rnd,
	    (int)sizeof(rnd), out, (int)outsz) != NULL && out[0] != '*')
		rc = 0;
	lk_explicit_bzero(rnd, sizeof(rnd));
	return rc;
}

int
lk_password_hash(const struct lk_hash *hp, const char *password,
    char *out, size_t outsz)
{
	char	 setting[CRYPT_GENSALT_OUTPUT_SIZE];
	char	*h;

	if (strlen(password) >= LK_PASSWORD_MAX)
		return -1;
	if (make_setting(hp, setting, sizeof(setting)) == -1)
		return -1;
	if ((h = do_crypt(password, setting)) == NULL)
		return -1;
	return lk_strlcpy(out, h, outsz);
}

enum lk_pw_res
lk_password_verify(const struct lk_hash *hp, const char *password,
    const char *hash)
{
	char		 have[64], want[CRYPT_GENSALT_OUTPUT_SIZE], wantp[64];
	char		*h;
	unsigned int	 bit;
	int		 cs, ok;

	if (strlen(password) >= LK_PASSWORD_MAX || strlen(hash) > LK_HASH_MAX) {
		lk_password_verify_dummy(hp, password);
		return LK_PW_BAD;
	}
	bit = hash_params(hash, have, sizeof(have));
	cs = crypt_checksalt(hash);
	/* Only allowed methods verify; legacy ones (DES, MD5, NT) never do. */
	if (bit == 0 || (bit & hp->allow) == 0 ||
	    (cs != CRYPT_SALT_OK && cs != CRYPT_SALT_TOO_CHEAP)) {
		lk_password_verify_dummy(hp, password);
		return LK_PW_BAD;
	}
	if ((h = do_crypt(password, hash)) == NULL)
		return LK_PW_ERROR;
	ok = lk_ct_equal(h, strlen(h), hash, strlen(hash));
	lk_explicit_bzero(cdata.output, sizeof(cdata.output));
	if (!ok)
		return LK_PW_BAD;

	/* Rehash when the method or cost differs from the configured one. */
	if (bit != lk_password_method_bit(hp->method) ||
	    cs == CRYPT_SALT_TOO_CHEAP)
		return LK_PW_OK_REHASH;
	if (make_setting(hp, want, sizeof(want)) == -1 ||
	    hash_params(want, wantp, sizeof(wantp)) == 0)
		return LK_PW_OK;
	return strcmp(have, wantp) == 0 ? LK_PW_OK : LK_PW_OK_REHASH;
}

int
lk_password_init(const struct lk_hash *hp)
{
	/*
	 * The dummy needs no hash: a setting (method, cost, salt) makes
	 * crypt_r do the full work of a verification, and nothing matches it.
	 * So start-up costs no hashing, even for one CGI request.
	 */
	if (dummy_hash[0] != '\0')
		return 0;
	if (make_setting(hp, dummy_hash, sizeof(dummy_hash)) == -1) {
		dummy_hash[0] = '\0';
		return -1;
	}
	return 0;
}

void
lk_password_verify_dummy(const struct lk_hash *hp, const char *password)
{
	char	*h;

	if (dummy_hash[0] == '\0' && lk_password_init(hp) == -1)
		return;
	h = do_crypt(strlen(password) < LK_PASSWORD_MAX ? password : "",
	    dummy_hash);
	if (h != NULL)
		lk_explicit_bzero(cdata.output, sizeof(cdata.output));
}
