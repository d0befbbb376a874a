/*
 * The signed-in user's own sessions (one per login, refreshed or not):
 *   GET    /api/sessions               -> {"sessions": [{"address",
 *          "created", "current", "id", "last_refreshed", "user_agent"}]},
 *          the latest refreshed first, "current": true for the caller's
 *   DELETE /api/sessions/ID            (CSRF) ends one, its access token
 *          included -> {"deleted": true} (the caller's own: its cookies
 *          cleared too)
 *   POST   /api/sessions/revoke-others (CSRF) ends all but the caller's
 *          -> {"revoked": N}
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "app/app.h"
#include "base/log.h"
#include "base/util.h"
#include "decide/auth.h"
#include "decide/session.h"
#include "domain/store/store.h"

/* At most this many sessions are listed: the latest refreshed. */
#define LIST_MAX	50
#define BODY_MAX	(LIST_MAX * (2 * LK_STORE_AGENT_MAX + 3 * LK_STORE_ADDR_MAX + \
	256) + 64)

struct listing {
	struct json_object	*list;
	const char		*current;	/* the caller's session, or "" */
	size_t			 n;
};

static int
add_session(const struct lk_session *se, void *arg)
{
	struct listing		*l = arg;
	struct json_object	*o;

	if (l->n >= LIST_MAX)
		return 1;
	if ((o = json_object_new_object()) == NULL)
		return 1;
	(void)json_object_object_add(o, "id", json_object_new_string(se->id));
	(void)json_object_object_add(o, "created",
	    json_object_new_int64(se->created));
	(void)json_object_object_add(o, "last_refreshed",
	    json_object_new_int64(se->refreshed));
	(void)json_object_object_add(o, "user_agent",
	    json_object_new_string(se->user_agent));
	(void)json_object_object_add(o, "address",
	    json_object_new_string(se->address));
	(void)json_object_object_add(o, "current",
	    json_object_new_boolean(strcmp(se->id, l->current) == 0));
	if (json_object_array_add(l->list, o) != 0) {
		json_object_put(o);
		return 1;
	}
	l->n++;
	return 0;
}

static void
list(struct lk_ctx *ctx)
{
	struct lk_user		 user;
	struct lk_claims	 claims;
	struct lk_token_state	 state;
	struct listing		 l;
	struct lk_json_out	 o;
	char			*buf = NULL;

	memset(&l, 0, sizeof(l));
	if (lk_auth_require(ctx, LK_TOKEN_ACCESS, &user, &claims, &state) == -1)
		return;
	l.current = state.ours ? state.session.id : "";
	if ((l.list = json_object_new_array()) == NULL ||
	    (buf = malloc(BODY_MAX)) == NULL) {
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		goto out;
	}
	if (lk_deny_store(ctx, lk_store_session_each(lk_ctx_store(ctx), user.id,
	    ctx->now, add_session, &l), NULL, 0) == -1)
		goto out;
	if (lk_json_dump(l.list, buf, BODY_MAX) < 0) {
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		goto out;
	}
	lk_json_out_init(&o);
	(void)lk_json_out_raw(&o, "sessions", buf);
	lk_response_json(ctx->resp, 200, &o);
out:
	json_object_put(l.list);
	free(buf);
	memset(&user, 0, sizeof(user));
	memset(&claims, 0, sizeof(claims));
}

static void
end_one(struct lk_ctx *ctx)
{
	static const struct lk_store_refusal	refusals[] = {
		{ LK_STORE_NOT_FOUND, LK_R_NOT_FOUND, NULL },
	};
	struct lk_user				user;
	struct lk_claims			claims;
	struct lk_token_state			state;
	struct lk_json_out			o;

	if (lk_session_can_revoke(ctx) == -1 ||
	    lk_auth_require(ctx, LK_TOKEN_ACCESS, &user, &claims, &state) == -1)
		return;
	if (lk_deny_store(ctx, lk_store_session_end(lk_ctx_store(ctx), user.id,
	    ctx->route_arg, NULL, ctx->now, NULL), refusals,
	    LK_NREFUSALS(refusals)) == -1)
		goto out;
	lk_log_audit("session_ended", ctx->now, ctx->req->remote_addr,
	    user.email, "session", ctx->route_arg, (char *)NULL);
	/* Its own session ended: as a logout, the cookies go too. */
	if (state.ours && strcmp(state.session.id, ctx->route_arg) == 0)
		lk_session_clear(ctx);
	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, "deleted", 1);
	lk_response_json(ctx->resp, 200, &o);
out:
	memset(&user, 0, sizeof(user));
	memset(&claims, 0, sizeof(claims));
}

static void
end_others(struct lk_ctx *ctx)
{
	struct lk_user		user;
	struct lk_claims	claims;
	struct lk_token_state	state;
	struct lk_json_out	o;
	long long		n = 0;

	if (lk_session_can_revoke(ctx) == -1 ||
	    lk_auth_require(ctx, LK_TOKEN_ACCESS, &user, &claims, &state) == -1)
		return;
	if (lk_deny_store(ctx, lk_store_session_end(lk_ctx_store(ctx), user.id,
	    NULL, state.ours ? state.session.id : "", ctx->now, &n), NULL,
	    0) == -1)
		goto out;
	lk_log_audit("sessions_ended", ctx->now, ctx->req->remote_addr,
	    user.email, "kept", state.ours ? state.session.id : "",
	    (char *)NULL);
	lk_json_out_init(&o);
	(void)lk_json_out_int(&o, "revoked", n);
	lk_response_json(ctx->resp, 200, &o);
out:
	memset(&user, 0, sizeof(user));
	memset(&claims, 0, sizeof(claims));
}

/* "revoke-others" first: it would also match ":id". */
static const struct lk_route routes[] = {
	{ "/revoke-others", LK_METHOD_POST, end_others },
	{ "/:id", LK_METHOD_DELETE, end_one },
	{ NULL, 0, NULL }
};

static const struct lk_endpoint endpoint = {
	"sessions", LK_METHOD_GET | LK_METHOD_HEAD, list, routes
};

int
main(int argc, char *argv[])
{
	return lk_app_main(&endpoint, argc, argv);
}
