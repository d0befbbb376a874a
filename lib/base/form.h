#ifndef LK_FORM_H
#define LK_FORM_H

#include <stddef.h>

/*
 * application/x-www-form-urlencoded, strictly (the HTML standard's
 * serialisation as RFC 6749 appendix B uses it): name=value pairs
 * separated by '&', '+' for a space, "%XX" for any byte.  Used for query
 * strings and for the bodies of OAuth's token, revocation and
 * introspection requests.  Everything is decoded into a buffer of the
 * parse's own, bounded: at most LK_FORM_FIELDS_MAX pairs, LK_FORM_MAX
 * bytes of input.  A '%' not followed by two hex digits, a decoded NUL
 * byte, a name that is empty, invalid UTF-8 in a name or a value, and a
 * name given twice (RFC 6749 3.1: parameters "MUST NOT be included more
 * than once") make the whole input bad: no half-read form is ever used.
 * An empty pair ("a=1&&b=2", a trailing '&') is skipped, and a pair
 * without '=' has an empty value, as browsers send them.
 */

#define LK_FORM_MAX		8192	/* bytes of input */
#define LK_FORM_FIELDS_MAX	32

enum lk_form_res {
	LK_FORM_OK,
	LK_FORM_TOO_LARGE,	/* input or fields over their bounds */
	LK_FORM_BAD,		/* a bad escape, NUL, UTF-8 or an empty name */
	LK_FORM_REPEATED,	/* a name given twice: form.repeated names it */
	LK_FORM__MAX
};

struct lk_form {
	size_t		 n;
	const char	*name[LK_FORM_FIELDS_MAX];
	const char	*value[LK_FORM_FIELDS_MAX];
	const char	*repeated;	/* the name given twice, LK_FORM_REPEATED */
	char		 buf[LK_FORM_MAX + LK_FORM_FIELDS_MAX + 1];
};

/*
 * Parse s[0..len) into f.  On anything but LK_FORM_OK, f holds no field.
 */
enum lk_form_res lk_form_parse(struct lk_form *f, const char *s, size_t len);

/* The value of name, or NULL if the form has none. */
const char *lk_form_get(const struct lk_form *f, const char *name);

/*
 * Decode one form-urlencoded component s[0..len) ('+' a space, %XX a
 * byte) into out (outsz bytes, NUL-terminated): RFC 6749 2.3.1 writes a
 * client's id and secret so inside HTTP Basic.  Returns the length, or
 * -1 for a bad escape, a NUL byte, invalid UTF-8 or out too small.
 */
long	lk_form_decode(const char *s, size_t len, char *out, size_t outsz);

/* Wipe the form (a request's secrets may be in it). */
void	lk_form_clear(struct lk_form *f);

#endif
