#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <liboath/oath.h>

#include "base/util.h"
#include "domain/totp.h"

static const char	b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* liboath wants oath_init() before use; once per process is enough. */
static int
totp_init(void)
{
	static int	done;

	if (!done) {
		if (oath_init() != OATH_OK)
			return -1;
		done = 1;
	}
	return 0;
}

int
lk_totp_secret_new(unsigned char secret[LK_TOTP_SECRET_LEN])
{
	if (lk_random_bytes(secret, LK_TOTP_SECRET_LEN) == -1) {
		lk_explicit_bzero(secret, LK_TOTP_SECRET_LEN);
		return -1;
	}
	return 0;
}

long
lk_base32_encode(const void *in, size_t n, char *out, size_t outsz)
{
	const unsigned char	*p = in;
	unsigned long		 acc = 0;
	size_t			 i, o = 0;
	int			 bits = 0;

	if (n > (SIZE_MAX - 4) / 8 || outsz < LK_BASE32_LEN(n) + 1)
		return -1;
	for (i = 0; i < n; i++) {
		acc = (acc << 8) | p[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = b32_alphabet[(acc >> bits) & 31];
		}
		acc &= (1UL << bits) - 1;
	}
	if (bits > 0)
		out[o++] = b32_alphabet[(acc << (5 - bits)) & 31];
	out[o] = '\0';
	lk_explicit_bzero(&acc, sizeof(acc));
	return (long)o;
}

static int
b32_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

long
lk_base32_decode(const char *in, size_t len, void *out, size_t outsz)
{
	unsigned char	*o = out;
	unsigned long	 acc = 0;
	size_t		 i, n = 0;
	int		 bits = 0, v;

	/* 1, 3 or 6 characters past a whole 8 never end on a byte. */
	if (len % 8 == 1 || len % 8 == 3 || len % 8 == 6)
		return -1;
	for (i = 0; i < len; i++) {
		if ((v = b32_value((unsigned char)in[i])) < 0)
			goto bad;
		acc = (acc << 5) | (unsigned long)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (n >= outsz)
				goto bad;
			o[n++] = (unsigned char)(acc >> bits);
			acc &= (1UL << bits) - 1;
		}
	}
	/* Leftover bits must be zero: one spelling per byte string. */
	if (acc != 0)
		goto bad;
	lk_explicit_bzero(&acc, sizeof(acc));
	return (long)n;
bad:
	lk_explicit_bzero(&acc, sizeof(acc));
	lk_explicit_bzero(out, n);
	return -1;
}

static int
uri_append(const char *s, char *out, size_t outsz, size_t *o)
{
	size_t	n = strlen(s);

	if (*o + n >= outsz)
		return -1;
	memcpy(out + *o, s, n + 1);
	*o += n;
	return 0;
}

static int
name_ok(const char *s)
{
	size_t	n = strnlen(s, LK_TOTP_NAME_MAX + 1);

	return n > 0 && n <= LK_TOTP_NAME_MAX && lk_utf8_text_len(s, n) > 0;
}

int
lk_totp_uri(const char *issuer, const char *account,
    const unsigned char *secret, size_t secretlen, char *out, size_t outsz)
{
	char	b32[LK_BASE32_LEN(LK_TOTP_SECRET_LEN) + 1];
	size_t	o = 0;
	int	rc = -1;

	if (outsz > 0)
		out[0] = '\0';
	if (!name_ok(issuer) || !name_ok(account) ||
	    secretlen != LK_TOTP_SECRET_LEN || outsz == 0)
		return -1;
	if (lk_base32_encode(secret, secretlen, b32, sizeof(b32)) == -1)
		goto out;
	/* Key URI format: label "issuer:account", then the parameters. */
	if (uri_append("otpauth://totp/", out, outsz, &o) == -1 ||
	    lk_url_escape(issuer, "", out, outsz, &o) == -1 ||
	    uri_append(":", out, outsz, &o) == -1 ||
	    lk_url_escape(account, "", out, outsz, &o) == -1 ||
	    uri_append("?secret=", out, outsz, &o) == -1 ||
	    uri_append(b32, out, outsz, &o) == -1 ||
	    uri_append("&issuer=", out, outsz, &o) == -1 ||
	    lk_url_escape(issuer, "", out, outsz, &o) == -1 ||
	    uri_append("&algorithm=SHA1&digits=6&period=30", out, outsz,
	    &o) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		lk_explicit_bzero(out, outsz);
	lk_explicit_bzero(b32, sizeof(b32));
	return rc;
}

int
lk_totp_code(const unsigned char *secret, size_t secretlen, long long step,
    char out[LK_TOTP_DIGITS + 1])
{
	char	buf[LK_TOTP_DIGITS + 1];
	int	rc = -1;

	out[0] = '\0';
	/* time_t is 64 bits on our targets; keep step * period inside it. */
	if (secretlen == 0 || step < 0 || step > LLONG_MAX / LK_TOTP_PERIOD ||
	    totp_init() == -1)
		return -1;
	if (oath_totp_generate((const char *)secret, secretlen,
	    (time_t)(step * LK_TOTP_PERIOD), LK_TOTP_PERIOD, 0, LK_TOTP_DIGITS,
	    buf) != OATH_OK || strlen(buf) != LK_TOTP_DIGITS)
		goto out;
	memcpy(out, buf, sizeof(buf));
	rc = 0;
out:
	lk_explicit_bzero(buf, sizeof(buf));
	return rc;
}

static int
code_well_formed(const char *code)
{
	size_t	i;

	for (i = 0; i < LK_TOTP_DIGITS; i++)
		if (code[i] < '0' || code[i] > '9')
			return 0;
	return code[LK_TOTP_DIGITS] == '\0';
}

enum lk_totp_res
lk_totp_verify(const unsigned char *secret, size_t secretlen,
    const char *code, long long now, int window, long long last_step,
    long long *step)
{
	char			 want[LK_TOTP_DIGITS + 1];
	long long		 cur, s, best = LK_TOTP_NO_STEP;
	int			 matched_used = 0;
	enum lk_totp_res	 res = LK_TOTP_ERROR;

	if (code == NULL || !code_well_formed(code))
		return LK_TOTP_MALFORMED;
	if (secretlen == 0 || now < 0 || window < 0 ||
	    window > LK_TOTP_WINDOW_MAX || last_step < LK_TOTP_NO_STEP)
		return LK_TOTP_ERROR;
	cur = now / LK_TOTP_PERIOD;
	/*
	 * Not liboath's oath_totp_validate: it compares with strcmp and stops
	 * at the first match in the order 0, +1, -1, ..., so a code that also
	 * matches an older, used step would hide a newer one.  Every step of
	 * the window is computed and compared in constant time.
	 */
	for (s = cur - window; s <= cur + window; s++) {
		if (s < 0)
			continue;
		if (lk_totp_code(secret, secretlen, s, want) == -1)
			goto out;
		if (lk_ct_equal(want, LK_TOTP_DIGITS, code, LK_TOTP_DIGITS)) {
			if (s > last_step)
				best = s;
			else
				matched_used = 1;
		}
	}
	if (best != LK_TOTP_NO_STEP) {
		*step = best;
		res = LK_TOTP_OK;
	} else
		res = matched_used ? LK_TOTP_REPLAY : LK_TOTP_WRONG;
out:
	lk_explicit_bzero(want, sizeof(want));
	return res;
}
