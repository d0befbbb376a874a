#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"

struct json_object *
lk_json_parse_object(const char *buf, size_t len)
{
	struct json_tokener	*tok;
	struct json_object	*obj = NULL;

	if (buf == NULL || len == 0 || len > (size_t)INT32_MAX)
		return NULL;
	/* A NUL inside the text would end json-c's input early. */
	if (memchr(buf, '\0', len) != NULL)
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
add(struct lk_json_out *o, const char *key, const char *str, int b)
{
	if (o->n >= LK_JSON_MEMBERS_MAX)
		return -1;
	o->m[o->n].key = key;
	o->m[o->n].str = str;
	o->m[o->n].boolean = b;
	o->n++;
	return 0;
}

int
lk_json_out_str(struct lk_json_out *o, const char *key, const char *val)
{
	return add(o, key, val, 0);
}

int
lk_json_out_bool(struct lk_json_out *o, const char *key, int val)
{
	return add(o, key, NULL, val != 0);
}

/* Decode one UTF-8 sequence; input was validated, but stay safe. */
static unsigned long
utf8_next(const unsigned char **pp)
{
	const unsigned char	*p = *pp;
	unsigned long		 cp;
	int			 n, i;

	if (p[0] < 0x80) {
		*pp = p + 1;
		return p[0];
	} else if ((p[0] & 0xe0) == 0xc0) {
		cp = p[0] & 0x1f;
		n = 1;
	} else if ((p[0] & 0xf0) == 0xe0) {
		cp = p[0] & 0x0f;
		n = 2;
	} else if ((p[0] & 0xf8) == 0xf0) {
		cp = p[0] & 0x07;
		n = 3;
	} else {
		*pp = p + 1;
		return 0xfffd;
	}
	for (i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*pp = p + i;
			return 0xfffd;
		}
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	*pp = p + n + 1;
	return cp;
}

long
lk_json_escape(const char *s, char *out, size_t outsz)
{
	static const char	 hex[] = "0123456789abcdef";
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
			tmp[tl++] = '\\';
			tmp[tl++] = 'u';
			tmp[tl++] = hex[(hi >> 12) & 0xf];
			tmp[tl++] = hex[(hi >> 8) & 0xf];
			tmp[tl++] = hex[(hi >> 4) & 0xf];
			tmp[tl++] = hex[hi & 0xf];
			if (lo != 0) {
				tmp[tl++] = '\\';
				tmp[tl++] = 'u';
				tmp[tl++] = hex[(lo >> 12) & 0xf];
				tmp[tl++] = hex[(lo >> 8) & 0xf];
				tmp[tl++] = hex[(lo >> 4) & 0xf];
				tmp[tl++] = hex[lo & 0xf];
			}
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
	const char	*keys[LK_JSON_MEMBERS_MAX];
	size_t		 idx[LK_JSON_MEMBERS_MAX], i, j, len = 0;
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
		if (o->m[idx[i]].str != NULL)
			n = lk_json_escape(o->m[idx[i]].str, out + len,
			    outsz - len);
		else
			n = snprintf(out + len, outsz - len, "%s",
			    o->m[idx[i]].boolean ? "true" : "false");
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
