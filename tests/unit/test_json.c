#include <string.h>

#include <json-c/json.h>

#include "base/json.h"
#include "t.h"

static int
parses(const char *s, size_t len)
{
	struct json_object	*o = lk_json_parse_object(s, len);
	int			 ok = o != NULL;

	json_object_put(o);
	return ok;
}

#define P(lit)	parses(lit, sizeof(lit) - 1)

TEST(strict_objects_only)
{
	CHECK(P("{\"email\":\"a\",\"password\":\"b\"}"));
	CHECK(P("{}"));
	CHECK(P("  {} \n"));
	CHECK(!P("{} x"));			/* trailing garbage */
	CHECK(!P("{}{}"));
	CHECK(!P("{'a':1}"));			/* single quotes */
	CHECK(!P("{\"a\":1,}"));		/* trailing comma */
	CHECK(!P("{\"a\":NaN}"));
	CHECK(!P("[1]"));			/* not an object */
	CHECK(!P("\"s\""));
	CHECK(!P("null"));
	CHECK(!P(""));
	CHECK(!P("{\"a\":\"\xff\"}"));		/* invalid UTF-8 */
	CHECK(!P("{\"a\":\"\xc0\xaf\"}"));	/* overlong */
	CHECK(!P("{\"a\":1} \0"));		/* raw NUL */
	CHECK(!P("{\"a\":/*c*/1}"));
	CHECK(!P("{\"a\":Infinity}"));
	CHECK(!P("{\"a\":-Infinity}"));
	CHECK(!P("{\"a\":nan}"));
	CHECK(!P("{\"a\":01}"));
	CHECK(!P("{\"a\":1.}"));
	CHECK(!P("{\"a\":\"\\x41\"}"));		/* bad escape */
	CHECK(!P("{\"a\":\"\\ud800\"}"));		/* lone surrogate */
	CHECK(!P("{\"a\":\"\xed\xa0\x80\"}"));	/* UTF-8 surrogate */
	CHECK(!P("{\"a\":\"tab\there\"}"));	/* raw control */
	CHECK(!P("{a:1}"));			/* bare key */
	CHECK(!P("{\"a\" 1}"));
	CHECK(P("{\"a\":[1,-2.5e+3,true,false,null,\"\\ud83d\\udd11\"]}"));
	CHECK(P("{\"a\":\"\xf0\x9f\x94\x91\"}"));
}

TEST(depth_is_bounded)
{
	char	deep[200];
	size_t	i;

	for (i = 0; i < 60; i++)
		deep[i] = i == 0 ? '{' : '[';
	deep[60] = '\0';
	CHECK(!parses(deep, strlen(deep)));
	CHECK(P("{\"a\":{\"b\":[1,[2]]}}"));
}

TEST(get_string_rules)
{
	struct json_object	*o;
	const char		*s;
	size_t			 n;

	static const char text[] = "{\"a\":\"x\",\"b\":1,"
	    "\"c\":\"a\\u0000b\",\"d\":null,\"e\":\"\\u00fc\"}";

	o = lk_json_parse_object(text, sizeof(text) - 1);
	CHECK(o != NULL);
	if (o == NULL)
		return;
	CHECK_INT(lk_json_get_string(o, "a", &s, &n), LK_JSON_FIELD_OK);
	CHECK_STR(s, "x");
	CHECK_INT(n, 1);
	CHECK_INT(lk_json_get_string(o, "b", &s, &n), LK_JSON_FIELD_NOT_STRING);
	CHECK_INT(lk_json_get_string(o, "c", &s, &n), LK_JSON_FIELD_NOT_STRING);
	CHECK_INT(lk_json_get_string(o, "d", &s, &n), LK_JSON_FIELD_NOT_STRING);
	CHECK_INT(lk_json_get_string(o, "z", &s, &n), LK_JSON_FIELD_MISSING);
	CHECK_INT(lk_json_get_string(o, "e", &s, &n), LK_JSON_FIELD_OK);
	CHECK_STR(s, "\xc3\xbc");
	json_object_put(o);
}

TEST(output_like_flask_jsonify)
{
	struct lk_json_out	o;
	char			buf[256];

	lk_json_out_init(&o);
	(void)lk_json_out_str(&o, "name", "John Doe");
	(void)lk_json_out_str(&o, "email", "test@example.com");
	CHECK_INT(lk_json_out_write(&o, buf, sizeof(buf)), 47);
	CHECK_STR(buf, "{\"email\":\"test@example.com\",\"name\":\"John Doe\"}\n");

	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, "login", 0);
	(void)lk_json_out_write(&o, buf, sizeof(buf));
	CHECK_STR(buf, "{\"login\":false}\n");

	lk_json_out_init(&o);
	(void)lk_json_out_str(&o, "msg", "Missing cookie \"access_token_cookie\"");
	(void)lk_json_out_write(&o, buf, sizeof(buf));
	CHECK_STR(buf, "{\"msg\":\"Missing cookie \\\"access_token_cookie\\\"\"}\n");
	CHECK_INT(lk_json_out_write(&o, buf, 10), -1);
}

TEST(escape_ensure_ascii)
{
	char	buf[128];

	CHECK(lk_json_escape("J\xc3\xbcrg </script> \\ \n\t\x01", buf,
	    sizeof(buf)) > 0);
	CHECK_STR(buf, "\"J\\u00fcrg </script> \\\\ \\n\\t\\u0001\"");
	CHECK(lk_json_escape("\xf0\x9f\x94\x91", buf, sizeof(buf)) > 0);
	CHECK_STR(buf, "\"\\ud83d\\udd11\"");
	CHECK_INT(lk_json_escape("abcdef", buf, 5), -1);
}

TEST(writer_kinds_sorted_compact)
{
	struct lk_json_out	o;
	char			out[256];

	lk_json_out_init(&o);
	(void)lk_json_out_int(&o, "name_max", 100);
	(void)lk_json_out_bool(&o, "b", 0);
	(void)lk_json_out_raw(&o, "list", "[1,\"x\"]");
	(void)lk_json_out_str(&o, "a", "\xc3\xa9");
	(void)lk_json_out_int(&o, "neg", -5);
	CHECK(lk_json_out_write(&o, out, sizeof(out)) > 0);
	CHECK_STR(out, "{\"a\":\"\\u00e9\",\"b\":false,\"list\":[1,\"x\"],"
	    "\"name_max\":100,\"neg\":-5}\n");
}

TEST(dump_as_flask_writes_it)
{
	struct json_object	*v;
	char			 out[256];
	const char		*in = "{\"z\":[{\"b\":true,\"a\":null}],\"k\":\"\\u00e9\","
				    "\"n\":12345678901}";

	v = lk_json_parse_object(in, strlen(in));
	CHECK(v != NULL);
	if (v == NULL)
		return;
	CHECK_INT(lk_json_dump(v, out, sizeof(out)), (long)strlen(out));
	CHECK_STR(out, "{\"k\":\"\\u00e9\",\"n\":12345678901,\"z\":[{\"a\":null,"
	    "\"b\":true}]}");
	CHECK_INT(lk_json_dump(v, out, 10), -1);
	CHECK_STR(out, "");
	json_object_put(v);
	v = json_object_new_double(1.5);
	CHECK_INT(lk_json_dump(v, out, sizeof(out)), -1);
	json_object_put(v);
}

int
main(void)
{
	RUN(strict_objects_only);
	RUN(depth_is_bounded);
	RUN(get_string_rules);
	RUN(output_like_flask_jsonify);
	RUN(escape_ensure_ascii);
	RUN(writer_kinds_sorted_compact);
	RUN(dump_as_flask_writes_it);
	return T_END();
}
