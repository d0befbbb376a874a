/* lib/decide/body.c: the request body as JSON, and its fields. */
#include <json-c/json.h>

#include "t.h"
#include "decide.h"
#include "decide/body.h"

TEST(a_body_that_is_not_json_is_refused_415)
{
	struct lk_ctx	*ctx = d_ctx("{\"a\":1}");

	(void)snprintf(d_req.content_type, sizeof(d_req.content_type),
	    "text/plain");
	CHECK(lk_body_json(ctx) == NULL);
	CHECK_INT(ctx->denial.reason, LK_R_NOT_JSON);
}

TEST(a_json_body_that_is_no_object_is_refused)
{
	struct lk_ctx	*ctx = d_ctx("[1,2]");

	CHECK(lk_body_json(ctx) == NULL);
	CHECK_INT(ctx->denial.reason, LK_R_BAD_JSON);
	ctx = d_ctx("{\"a\":");
	CHECK(lk_body_json(ctx) == NULL);
	CHECK_INT(ctx->denial.reason, LK_R_BAD_JSON);
}

TEST(a_string_field_within_its_bound_is_given)
{
	struct lk_ctx		*ctx = d_ctx("{\"email\":\"ann@example.com\"}");
	struct json_object	*o;
	const char		*s;
	size_t			 len = 0;

	CHECK((o = lk_body_json(ctx)) != NULL);
	if (o == NULL)
		return;
	s = lk_body_field(ctx, o, "email", 15, &len);
	CHECK(s != NULL && strcmp(s, "ann@example.com") == 0);
	CHECK_INT(len, 15);
	CHECK_INT(ctx->denial.reason, LK_R_OK);
	json_object_put(o);
}

TEST(a_string_field_missing_mistyped_or_too_long_names_itself)
{
	struct lk_ctx		*ctx;
	struct json_object	*o;
	size_t			 len;

	ctx = d_ctx("{\"email\":\"ann@example.com\",\"n\":3}");
	o = lk_body_json(ctx);
	CHECK(lk_body_field(ctx, o, "password", 10, &len) == NULL);
	CHECK_INT(ctx->denial.reason, LK_R_FIELD_MISSING);
	CHECK_STR(ctx->denial.arg, "password");
	ctx = d_ctx(NULL);
	CHECK(lk_body_field(ctx, o, "n", 10, &len) == NULL);
	CHECK_INT(ctx->denial.reason, LK_R_FIELD_TYPE);
	CHECK_STR(ctx->denial.arg, "n");
	ctx = d_ctx(NULL);
	CHECK(lk_body_field(ctx, o, "email", 14, &len) == NULL);
	CHECK_INT(ctx->denial.reason, LK_R_FIELD_TOO_LONG);
	CHECK_STR(ctx->denial.arg, "email");
	json_object_put(o);
}

TEST(a_boolean_field_is_its_value_its_default_or_refused)
{
	struct lk_ctx		*ctx;
	struct json_object	*o;

	ctx = d_ctx("{\"yes\":true,\"no\":false,\"str\":\"true\"}");
	o = lk_body_json(ctx);
	CHECK_INT(lk_body_bool(ctx, o, "yes", 0), 1);
	CHECK_INT(lk_body_bool(ctx, o, "no", 1), 0);
	CHECK_INT(lk_body_bool(ctx, o, "absent", 1), 1);
	CHECK_INT(lk_body_bool(ctx, o, "absent", 0), 0);
	CHECK_INT(ctx->denial.reason, LK_R_OK);
	CHECK_INT(lk_body_bool(ctx, o, "str", 0), -1);
	CHECK_INT(ctx->denial.reason, LK_R_INVALID);
	CHECK_STR(ctx->denial.arg, "Field \"str\" must be true or false");
	json_object_put(o);
}

int
main(void)
{
	d_setup();
	RUN(a_body_that_is_not_json_is_refused_415);
	RUN(a_json_body_that_is_no_object_is_refused);
	RUN(a_string_field_within_its_bound_is_given);
	RUN(a_string_field_missing_mistyped_or_too_long_names_itself);
	RUN(a_boolean_field_is_its_value_its_default_or_refused);
	d_teardown();
	return T_END();
}
