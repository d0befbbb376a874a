#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/json.h"
#include "base/util.h"

/*
 * An RFC 8259 syntax check run before json-c sees the text: json-c 0.16
 * accepts single quotes, NaN and Infinity, and overlong UTF-8 even in its
 * strict mode.  Returns the position after one value, or NULL.
 */
struct scan {
	const unsigned char	*p, *end;
	int			 depth;
};

static void
skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int
scan_hex4(struct scan *s, unsigned int *out)
{
	unsigned int	v = 0;
	int		i, d;

	if (s->end - s->p < 4)
		return -1;
	for (i = 0; i < 4; i++, s->p++) {
		if ((d = lk_hex_value(*s->p)) < 0)
			return -1;
		v = v << 4 | (unsigned int)d;
	}
	*out = v;
	return 0;
}

static int
scan_string(struct scan *s)
{
	unsigned int	 cp, lo;
	unsigned long	 ucp;
	int		 k;

	s->p++;		/* opening quote */
	while (s->p < s->end) {
		unsigned char c = *s->p;

		if (c == '"') {
			s->p++;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c == '\\') {
			if (++s->p >= s->end)
				return -1;
			switch (*s->p++) {
			case '"': case '\\': case '/': case 'b':
			case 'f': case 'n': case 'r': case 't':
				continue;
			case 'u':
				if (scan_hex4(s, &cp) == -1)
					return -1;
				/* Surrogates must pair up. */
				if (cp >= 0xdc00 && cp <= 0xdfff)
					return -1;
				if (cp >= 0xd800 && cp <= 0xdbff) {
					if (s->end - s->p < 6 || s->p[0] != '\\' ||
					    s->p[1] != 'u')
						return -1;
					s->p += 2;
					if (scan_hex4(s, &lo) == -1 ||
					    lo < 0xdc00 || lo > 0xdfff)
						return -1;
				}
				continue;
			default:
				return -1;
			}
		}
		if (c < 0x80) {
			s->p++;
			continue;
		}
		/* UTF-8: shortest form, no surrogates, at most U+10FFFF. */
		if ((k = lk_utf8_decode(s->p, (size_t)(s->end - s->p),
		    &ucp)) < 0)
			return -1;
		s->p += k;
	}
	return -1;
}

static int
digits(struct scan *s)
{
	const unsigned char	*start = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > start ? 0 : -1;
}

static int
scan_number(struct scan *s)
{
	if (s->p < s->end && *s->p == '-')
		s->p++;
	if (s->p < s->end && *s->p == '0')
		s->p++;
	else if (digits(s) == -1)
		return -1;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (digits(s) == -1)
			return -1;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (digits(s) == -1)
			return -1;
	}
	return 0;
}

static int
scan_literal(struct scan *s, const char *lit)
{
	size_t	n = strlen(lit);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
		return -1;
	s->p += n;
	return 0;
}

static int scan_value(struct scan *);

static int
scan_container(struct scan *s, unsigned char close, int object)
{
	if (++s->depth > LK_JSON_DEPTH)
		return -1;
	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		s->depth--;
		return 0;
	}
	for (;;) {
		skip_ws(s);
		if (object) {
			if (s->p >= s->end || *s->p != '"' ||
			    scan_string(s) == -1)
				return -1;
			skip_ws(s);
			if (s->p >= s->end || *s->p++ != ':')
				return -1;
			skip_ws(s);
		}
		if (scan_value(s) == -1)
			return -1;
		skip_ws(s);
		if (s->p >= s->end)
			return -1;
		if (*s->p == ',') {
			s->p++;
			continue;
		}
		if (*s->p++ != close)
			return -1;
		s->depth--;
		return 0;
	}
}

static int
scan_value(struct scan *s)
{
	if (s->p >= s->end)
		return -1;
	switch (*s->p) {
	case '{':
		return scan_container(s, '}', 1);
	case '[':
		return scan_container(s, ']', 0);
	case '"':
		return scan_string(s);
	case 't':
		return scan_literal(s, "true");
	case 'f':
		return scan_literal(s, "false");
	case 'n':
		return scan_literal(s, "null");
	default:
		if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
			return scan_number(s);
		return -1;
	}
}

/* Whether buf[0..len) is exactly one JSON object, with optional white space. */
static int
valid_object(const char *buf, size_t len)
{
	struct scan	s;

	s.p = (const unsigned char *)buf;
	s.end = s.p + len;
	s.depth = 0;
	skip_ws(&s);
	if (s.p >= s.end || *s.p != '{' || scan_value(&s) == -1)
		return 0;
	skip_ws(&s);
	return s.p == s.end;
}

struct json_object *
lk_json_parse_object(const char *buf, size_t len)
{
	struct json_tokener	*tok;
	struct json_object	*obj = NULL;

	if (buf == NULL || len == 0 || len > (size_t)INT32_MAX)
		return NULL;
	/* A NUL inside the text would end json-c's input early. */
	if (memchr(buf, '\0', len) != NULL || !valid_object(buf, len))
		return NULL;
	if ((tok = json_tokener_new_ex(LK_JSON_DEPTH)) == NULL)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	/*
	 * Strict: the whole buffer is one value (trailing white space is
	 * all that may follow), and that value is an object.
	 */
	if (obj == NULL ||
	    json_tokener_get_error(tok) != json_tokener_success)
		goto fail;
	if (json_tokener_get_parse_end(tok) < len) {
		size_t i;

		for (i = json_tokener_get_parse_end(tok); i < len; i++)
			if (strchr(" \t\r\n", buf[i]) == NULL)
				goto fail;
	}
	if (json_object_get_type(obj) != json_type_object)
		goto fail;
	json_tokener_free(tok);
	return obj;
fail:
	json_object_put(obj);
	json_tokener_free(tok);
	return NULL;
}

enum lk_json_field
lk_json_get_string(struct json_object *obj, const char *key,
    const char **out, size_t *len)
{
	struct json_object	*v;
	const char		*s;
	size_t			 n;

	*out = NULL;
	*len = 0;
	if (!json_object_object_get_ex(obj, key, &v))
		return LK_JSON_FIELD_MISSING;
	if (json_object_get_type(v) != json_type_string)
		return LK_JSON_FIELD_NOT_STRING;
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	/* "\u0000" decodes to a NUL json-c keeps: refuse it. */
	if (strlen(s) != n)
		return LK_JSON_FIELD_NOT_STRING;
	*out = s;
	*len = n;
	return LK_JSON_FIELD_OK;
}

void
lk_json_out_init(struct lk_json_out *o)
{
	memset(o, 0, sizeof(*o));
}

static int
add(struct lk_json_out *o, const char *key, enum lk_json_kind kind,
    const char *str, long long num)
{
	if (o->n >= LK_JSON_MEMBERS_MAX)
		return -1;
	o->m[o->n].key = key;
	o->m[o->n].kind = kind;
	o->m[o->n].str = str;
	o->m[o->n].num = num;
	o->n++;
	return 0;
}

int
lk_json_out_str(struct lk_json_out *o, const char *key, const char *val)
{
	return add(o, key, LK_JSON_STR, val, 0);
}

int
lk_json_out_bool(struct lk_json_out *o, const char *key, int val)
{
	return add(o, key, LK_JSON_BOOL, NULL, val != 0);
}

int
lk_json_out_int(struct lk_json_out *o, const char *key, long long val)
{
	return add(o, key, LK_JSON_INT, NULL, val);
}

int
lk_json_out_raw(struct lk_json_out *o, const char *key, const char *json)
{
	return add(o, key, LK_JSON_RAW, json, 0);
}

/*
 * Decode one UTF-8 sequence of a NUL-terminated string; output strings
 * were validated, but a stray byte becomes U+FFFD rather than a misread.
 */
static unsigned long
utf8_next(const unsigned char **pp)
{
	unsigned long	cp;
	int		n;

	n = lk_utf8_decode(*pp, strnlen((const char *)*pp, 4), &cp);
	if (n < 0) {
		(*pp)++;
		return 0xfffd;
	}
	*pp += n;
	return cp;
}

long
lk_json_escape(const char *s, char *out, size_t outsz)
{
	const unsigned char	*p = (const unsigned char *)s;
	unsigned long		 cp, hi, lo;
	size_t			 o = 0;
	char			 tmp[13];
	size_t			 tl, k;

#define PUT(c) do { if (o + 1 >= outsz) return -1; out[o++] = (c); } while (0)
	PUT('"');
	while (*p != '\0') {
		cp = utf8_next(&p);
		tl = 0;
		switch (cp) {
		case '"': tmp[tl++] = '\\'; tmp[tl++] = '"'; break;
		case '\\': tmp[tl++] = '\\'; tmp[tl++] = '\\'; break;
		case '\n': tmp[tl++] = '\\'; tmp[tl++] = 'n'; break;
		case '\r': tmp[tl++] = '\\'; tmp[tl++] = 'r'; break;
		case '\t': tmp[tl++] = '\\'; tmp[tl++] = 't'; break;
		case '\b': tmp[tl++] = '\\'; tmp[tl++] = 'b'; break;
		case '\f': tmp[tl++] = '\\'; tmp[tl++] = 'f'; break;
		default:
			if (cp >= 0x20 && cp < 0x7f) {
				tmp[tl++] = (char)cp;
				break;
			}
			/* Python's ensure_ascii: \uXXXX, surrogate pairs above. */
			if (cp >= 0x10000) {
				hi = 0xd800 + ((cp - 0x10000) >> 10);
				lo = 0xdc00 + ((cp - 0x10000) & 0x3ff);
			} else {
				hi = cp;
				lo = 0;
			}
			if (lo != 0)
				tl = (size_t)snprintf(tmp, sizeof(tmp),
				    "\\u%04lx\\u%04lx", hi, lo);
			else
				tl = (size_t)snprintf(tmp, sizeof(tmp), "\\u%04lx",
				    hi);
			break;
		}
		for (k = 0; k < tl; k++)
			PUT(tmp[k]);
	}
	PUT('"');
#undef PUT
	out[o] = '\0';
	return (long)o;
}

static int
cmp_member(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

long
lk_json_out_write(const struct lk_json_out *o, char *out, size_t outsz)
{
	const char	*keys[LK_JSON_MEMBERS_MAX] = { NULL };
	size_t		 idx[LK_JSON_MEMBERS_MAX] = { 0 }, i, j, len = 0;
	long		 n;

	for (i = 0; i < o->n; i++)
		keys[i] = o->m[i].key;
	qsort(keys, o->n, sizeof(keys[0]), cmp_member);
	for (i = 0; i < o->n; i++)
		for (j = 0; j < o->n; j++)
			if (o->m[j].key == keys[i])
				idx[i] = j;

	if (outsz < 2)
		return -1;
	out[len++] = '{';
	for (i = 0; i < o->n; i++) {
		if (i > 0) {
			if (len + 1 >= outsz)
				return -1;
			out[len++] = ',';
		}
		if ((n = lk_json_escape(o->m[idx[i]].key, out + len,
		    outsz - len)) < 0)
			return -1;
		len += (size_t)n;
		if (len + 1 >= outsz)
			return -1;
		out[len++] = ':';
		switch (o->m[idx[i]].kind) {
		case LK_JSON_STR:
			n = lk_json_escape(o->m[idx[i]].str, out + len,
			    outsz - len);
			break;
		case LK_JSON_BOOL:
			n = snprintf(out + len, outsz - len, "%s",
			    o->m[idx[i]].num ? "true" : "false");
			break;
		case LK_JSON_INT:
			n = snprintf(out + len, outsz - len, "%lld",
			    o->m[idx[i]].num);
			break;
		default:
			n = snprintf(out + len, outsz - len, "%s",
			    o->m[idx[i]].str);
			break;
		}
		if (n < 0 || (size_t)n >= outsz - len)
			return -1;
		len += (size_t)n;
	}
	if (len + 2 >= outsz)
		return -1;
	out[len++] = '}';
	out[len++] = '\n';
	out[len] = '\0';
	return (long)len;
}

struct dump {
	char	*out;
	size_t	 outsz, len;
};

static int
dump_put(struct dump *d, const char *s, size_t n)
{
	if (d->len + n + 1 > d->outsz)
		return -1;
	memcpy(d->out + d->len, s, n);
	d->len += n;
	d->out[d->len] = '\0';
	return 0;
}

static int
cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
dump_value(struct dump *d, struct json_object *v, int depth)
{
	const char	*keys[LK_JSON_DUMP_KEYS];
	char		 num[32];
	size_t		 n, i;
	long		 w;

	if (depth > LK_JSON_DEPTH)
		return -1;
	switch (json_object_get_type(v)) {
	case json_type_null:
		return dump_put(d, "null", 4);
	case json_type_boolean:
		return json_object_get_boolean(v) ? dump_put(d, "true", 4) :
		    dump_put(d, "false", 5);
	case json_type_int:
		(void)snprintf(num, sizeof(num), "%lld",
		    (long long)json_object_get_int64(v));
		return dump_put(d, num, strlen(num));
	case json_type_string:
		if ((w = lk_json_escape(json_object_get_string(v),
		    d->out + d->len, d->outsz - d->len)) < 0)
			return -1;
		d->len += (size_t)w;
		return 0;
	case json_type_array:
		if (dump_put(d, "[", 1) == -1)
			return -1;
		n = json_object_array_length(v);
		for (i = 0; i < n; i++)
			if ((i > 0 && dump_put(d, ",", 1) == -1) ||
			    dump_value(d, json_object_array_get_idx(v, i),
			    depth + 1) == -1)
				return -1;
		return dump_put(d, "]", 1);
	case json_type_object: {
		struct json_object_iterator	it, end;

		n = 0;
		it = json_object_iter_begin(v);
		end = json_object_iter_end(v);
		for (; !json_object_iter_equal(&it, &end);
		    json_object_iter_next(&it)) {
			if (n >= LK_JSON_DUMP_KEYS)
				return -1;
			keys[n++] = json_object_iter_peek_name(&it);
		}
		qsort(keys, n, sizeof(keys[0]), cmp_key);
		if (dump_put(d, "{", 1) == -1)
			return -1;
		for (i = 0; i < n; i++) {
			if (i > 0 && dump_put(d, ",", 1) == -1)
				return -1;
			if ((w = lk_json_escape(keys[i], d->out + d->len,
			    d->outsz - d->len)) < 0)
				return -1;
			d->len += (size_t)w;
			if (dump_put(d, ":", 1) == -1 ||
			    dump_value(d, json_object_object_get(v, keys[i]),
			    depth + 1) == -1)
				return -1;
		}
		return dump_put(d, "}", 1);
	}
	default:
		return -1;
	}
}

long
lk_json_dump(struct json_object *v, char *out, size_t outsz)
{
	struct dump	d;

	if (outsz == 0)
		return -1;
	d.out = out;
	d.outsz = outsz;
	d.len = 0;
	out[0] = '\0';
	if (dump_value(&d, v, 0) == -1) {
		out[0] = '\0';
		return -1;
	}
	return (long)d.len;
}
