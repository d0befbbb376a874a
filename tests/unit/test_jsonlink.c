/*
 * latchkey links two JSON libraries: json-c, its own (lib/base/json.c),
 * and jansson, which libjwt signs with.  Both have a json_object_get:
 * json-c's takes a reference, jansson's looks a key up.  Linked
 * statically (STATIC=1, the shared-hosting tarball), json-c's copy is in
 * the program, and unless the link keeps it out of the dynamic symbol
 * table (the Makefile's -Wl,--exclude-libs,ALL) libjwt's calls bind to
 * it: every token would fail to sign.  This test is linked as those
 * programs are (STATIC_LIBS) and holds that libjwt still reaches
 * jansson's.
 */
#include <dlfcn.h>
#include <errno.h>
#include <string.h>

#include <json-c/json.h>
#include <jwt.h>

#include "t.h"
#include "base/json.h"

TEST(json_object_get_is_janssons_for_libjwt)
{
	void	*jansson, *theirs, *seen;

	/* libjwt brought jansson in; the program's global scope finds its. */
	jansson = dlopen("libjansson.so.4", RTLD_NOW | RTLD_NOLOAD);
	CHECK(jansson != NULL);
	if (jansson == NULL)
		return;
	theirs = dlsym(jansson, "json_object_get");
	seen = dlsym(RTLD_DEFAULT, "json_object_get");
	CHECK(theirs != NULL);
	CHECK(seen == theirs);
	(void)dlclose(jansson);
}

TEST(libjwt_adds_and_reads_grants)
{
	jwt_t		*jwt = NULL;
	const char	*v;

	CHECK_INT(jwt_new(&jwt), 0);
	if (jwt == NULL)
		return;
	/* Adding a grant looks it up first (jansson's json_object_get). */
	CHECK_INT(jwt_add_grant(jwt, "sub", "ann@example.com"), 0);
	CHECK_INT(jwt_add_grant(jwt, "sub", "bob@example.com"), EEXIST);
	v = jwt_get_grant(jwt, "sub");
	CHECK(v != NULL && strcmp(v, "ann@example.com") == 0);
	CHECK(jwt_get_grant(jwt, "jti") == NULL);
	jwt_free(jwt);
}

TEST(json_c_still_reads_objects)
{
	struct json_object	*obj, *v;
	const char		*s;
	size_t			 len;

	obj = lk_json_parse_object("{\"email\":\"ann@example.com\"}", 27);
	CHECK(obj != NULL);
	if (obj == NULL)
		return;
	CHECK_INT(lk_json_get_string(obj, "email", &s, &len), LK_JSON_FIELD_OK);
	CHECK_INT(len, 15);
	/* json-c's json_object_get: a reference, which put gives back. */
	CHECK(json_object_object_get_ex(obj, "email", &v));
	CHECK(json_object_get(v) == v);
	CHECK_INT(json_object_put(v), 0);
	CHECK_INT(json_object_put(obj), 1);
}

int
main(void)
{
	RUN(json_object_get_is_janssons_for_libjwt);
	RUN(libjwt_adds_and_reads_grants);
	RUN(json_c_still_reads_objects);
	return T_END();
}
