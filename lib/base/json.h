#ifndef LK_JSON_H
#define LK_JSON_H

#include <stddef.h>

/*
 * Strict JSON in, Flask-style JSON out.  Parsing uses json-c in strict mode
 * with UTF-8 validation (json_tokener_parse accepts trailing garbage,
 * single quotes and invalid UTF-8); output is compact with sorted keys and
 * non-ASCII escaped, byte for byte as Flask's jsonify writes it.
 */

struct json_object;

#define LK_JSON_DEPTH	16
#define LK_JSON_DUMP_KEYS	64	/* members of one object lk_json_dump writes */

/*
 * Parse buf[0..len) as exactly one JSON object and nothing else.
 * Returns the object (release with json_object_put) or NULL.
 */
struct json_object *lk_json_parse_object(const char *buf, size_t len);

enum lk_json_field {
	LK_JSON_FIELD_OK,
	LK_JSON_FIELD_MISSING,
	LK_JSON_FIELD_NOT_STRING,	/* wrong type, or holds a NUL */
	LK_JSON_FIELD__MAX
};

/*
 * Get the string member key of obj.  The string may not contain NUL bytes.
 * On success *out points into obj and *len is its length.
 */
enum lk_json_field lk_json_get_string(struct json_object *obj,
	    const char *key, const char **out, size_t *len);

/*
 * A tiny writer for flat response objects: members are added in any order
 * and written sorted by key.
 */
#define LK_JSON_MEMBERS_MAX	8

enum lk_json_kind {
	LK_JSON_STR,
	LK_JSON_BOOL,
	LK_JSON_INT,
	LK_JSON_RAW	/* JSON text written as is (from lk_json_dump) */
};

struct lk_json_out {
	struct {
		const char		*key;
		enum lk_json_kind	 kind;
		const char		*str;	/* STR and RAW */
		long long		 num;	/* BOOL and INT */
	}		 m[LK_JSON_MEMBERS_MAX];
	size_t		 n;
};

void	lk_json_out_init(struct lk_json_out *);
/* Add members; keys and strings must stay valid until written. Returns -1 if full. */
int	lk_json_out_str(struct lk_json_out *, const char *key, const char *val);
int	lk_json_out_bool(struct lk_json_out *, const char *key, int val);
int	lk_json_out_int(struct lk_json_out *, const char *key, long long val);
int	lk_json_out_raw(struct lk_json_out *, const char *key, const char *json);

/*
 * Write a json-c value the way Flask's jsonify does (compact, object keys
 * sorted, non-ASCII escaped) to out, without a newline.  Returns the
 * length, or -1 if it does not fit or holds a type Flask would not write
 * (a double).
 */
long	lk_json_dump(struct json_object *v, char *out, size_t outsz);

/*
 * Write the object followed by a newline to out.  Returns the length, or
 * -1 if it does not fit.
 */
long	lk_json_out_write(const struct lk_json_out *, char *out, size_t outsz);

/* Escape s as a JSON string (with quotes) the way Python's json does. */
long	lk_json_escape(const char *s, char *out, size_t outsz);

#endif
