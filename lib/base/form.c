#include <string.h>

#include "base/form.h"
#include "base/util.h"

/* Whether s[0..len) is UTF-8 without a NUL byte. */
static int
utf8_ok(const char *s, size_t len)
{
	unsigned long	cp;
	size_t		i = 0;
	int		n;

	while (i < len) {
		if (s[i] == '\0')
			return 0;
		if ((n = lk_utf8_decode((const unsigned char *)s + i, len - i,
		    &cp)) < 0)
			return 0;
		i += (size_t)n;
	}
	return 1;
}

long
lk_form_decode(const char *s, size_t len, char *out, size_t outsz)
{
	size_t	i, o = 0;
	int	hi, lo;

	for (i = 0; i < len; i++) {
		if (o + 1 >= outsz)
			return -1;
		if (s[i] == '+')
			out[o++] = ' ';
		else if (s[i] == '%') {
			if (i + 2 >= len)
				return -1;
			if ((hi = lk_hex_value((unsigned char)s[i + 1])) < 0 ||
			    (lo = lk_hex_value((unsigned char)s[i + 2])) < 0)
				return -1;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			out[o++] = s[i];
	}
	if (o >= outsz)
		return -1;
	out[o] = '\0';
	if (!utf8_ok(out, o))
		return -1;
	return (long)o;
}

enum lk_form_res
lk_form_parse(struct lk_form *f, const char *s, size_t len)
{
	const char	*p = s, *end = s + len, *amp, *eq;
	char		*w;
	size_t		 room, i;
	long		 n;
	enum lk_form_res r = LK_FORM_OK;

	lk_form_clear(f);
	if (len > LK_FORM_MAX)
		return LK_FORM_TOO_LARGE;
	w = f->buf;
	room = sizeof(f->buf);
	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp == p) {
			p++;
			continue;
		}
		if (f->n == LK_FORM_FIELDS_MAX) {
			r = LK_FORM_TOO_LARGE;
			goto bad;
		}
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL)
			eq = amp;
		if (eq == p) {
			r = LK_FORM_BAD;
			goto bad;
		}
		/* Decoding never lengthens: the buffer holds every byte. */
		if ((n = lk_form_decode(p, (size_t)(eq - p), w, room)) <= 0) {
			r = LK_FORM_BAD;
			goto bad;
		}
		f->name[f->n] = w;
		w += n + 1;
		room -= (size_t)n + 1;
		if ((n = lk_form_decode(eq == amp ? eq : eq + 1,
		    eq == amp ? 0 : (size_t)(amp - eq - 1), w, room)) < 0) {
			r = LK_FORM_BAD;
			goto bad;
		}
		f->value[f->n] = w;
		w += n + 1;
		room -= (size_t)n + 1;
		for (i = 0; i < f->n; i++)
			if (strcmp(f->name[i], f->name[f->n]) == 0) {
				f->repeated = f->name[i];
				f->n = 0;
				return LK_FORM_REPEATED;
			}
		f->n++;
		p = amp;
	}
	return LK_FORM_OK;
bad:
	lk_form_clear(f);
	return r;
}

const char *
lk_form_get(const struct lk_form *f, const char *name)
{
	size_t	i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->name[i], name) == 0)
			return f->value[i];
	return NULL;
}

void
lk_form_clear(struct lk_form *f)
{
	lk_explicit_bzero(f->buf, sizeof(f->buf));
	f->n = 0;
	f->repeated = NULL;
	memset(f->name, 0, sizeof(f->name));
	memset(f->value, 0, sizeof(f->value));
}
