/*
 * The administration API, for the members of admin_group (docs/API.md,
 * "Administration").  Every route passes lk_admin_require first: admin on
 * (else 404), the client in admin_networks, the access cookie and CSRF
 * header as every protected route, membership of admin_group (else 403),
 * and a login within admin_fresh_seconds (else 401 Fresh token required).
 *   GET    /api/admin                  -> {"admin_group", "email",
 *          "fresh_seconds"}: who administers, and for how long
 *   GET    /api/admin/groups           -> {"groups": [{"created",
 *          "description", "members", "name"}]} by name
 *   POST   /api/admin/groups           {"name", "description"?} -> 201
 *          the group; 409 if the name is taken
 *   GET    /api/admin/groups/NAME      -> the group, with "member_emails"
 *   DELETE /api/admin/groups/NAME      -> {"deleted": true}
 *   POST   /api/admin/groups/NAME/members   {"email"} -> {"added": true}
 *   DELETE /api/admin/groups/NAME/members   {"email"} -> {"removed": true}
 *   GET    /api/admin/audit?user=&event=&since=&until=&cursor=&limit=
 *          -> {"events": [{"actor", "address", "detail", "event", "id",
 *          "target", "time"}], "next": "ID" or null}, the newest first
 * Each change is audited with the administrator, the target and the
 * client's address.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "app/app.h"
#include "base/json.h"
#include "base/log.h"
#include "base/util.h"
#include "decide/admin.h"
#include "decide/body.h"
#include "domain/group.h"
#include "domain/store/store.h"
#include "http/method.h"

#define LIST_MAX	1000	/* groups listed, members described */
#define OUT_MAX		(256 * 1024)

/* The administrator of one request, the guard passed. */
struct admin {
	struct lk_user		user;
	struct lk_claims	claims;
	struct lk_token_state	state;
};

static int
require(struct lk_ctx *ctx, struct admin *a)
{
	memset(a, 0, sizeof(*a));
	return lk_admin_require(ctx, &a->user, &a->claims, &a->state);
}

static void
forget(struct admin *a)
{
	memset(a, 0, sizeof(*a));
}

/* Answer status with the JSON value v (released), or refuse. */
static void
answer(struct lk_ctx *ctx, int status, struct json_object *v)
{
	char	*buf = NULL;
	long	 n;

	if (v == NULL || (buf = malloc(OUT_MAX)) == NULL ||
	    (n = lk_json_dump(v, buf, OUT_MAX)) < 0)
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
	else
		lk_response_json_text(ctx->resp, status, buf, (size_t)n);
	free(buf);
	json_object_put(v);
}

static void
whoami(struct lk_ctx *ctx)
{
	struct admin		a;
	struct lk_json_out	o;

	if (require(ctx, &a) == -1)
		return;
	lk_json_out_init(&o);
	(void)lk_json_out_str(&o, "email", a.user.email);
	(void)lk_json_out_str(&o, "admin_group", ctx->cfg->admin_group);
	(void)lk_json_out_int(&o, "fresh_seconds",
	    ctx->cfg->admin_fresh_seconds);
	lk_response_json(ctx->resp, 200, &o);
	forget(&a);
}

static struct json_object *
group_json(const struct lk_group *g)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	(void)json_object_object_add(o, "name", json_object_new_string(g->name));
	(void)json_object_object_add(o, "description",
	    json_object_new_string(g->description));
	(void)json_object_object_add(o, "created",
	    json_object_new_int64(g->created));
	(void)json_object_object_add(o, "members",
	    json_object_new_int64(g->members));
	return o;
}

struct group_list {
	struct json_object	*list;
	const char		*only;	/* one group's name, or NULL */
	struct lk_group		 found;
	int			 seen;
	int			 failed;
};

static int
add_group(const struct lk_group *g, void *arg)
{
	struct group_list	*l = arg;
	struct json_object	*o;

	if (l->only != NULL) {
		if (strcmp(g->name, l->only) != 0)
			return 0;
		l->found = *g;
		l->seen = 1;
		return 1;
	}
	if (json_object_array_length(l->list) >= LIST_MAX)
		return 1;
	if ((o = group_json(g)) == NULL ||
	    json_object_array_add(l->list, o) != 0) {
		json_object_put(o);
		l->failed = 1;
		return 1;
	}
	return 0;
}

static void
groups_list(struct lk_ctx *ctx)
{
	struct admin		 a;
	struct group_list	 l;
	struct json_object	*root = NULL;

	memset(&l, 0, sizeof(l));
	if (require(ctx, &a) == -1)
		return;
	if ((root = json_object_new_object()) == NULL ||
	    (l.list = json_object_new_array()) == NULL ||
	    json_object_object_add(root, "groups", l.list) != 0) {
		json_object_put(l.list);
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		goto out;
	}
	if (lk_store_group_each(lk_ctx_store(ctx), add_group, &l) !=
	    LK_STORE_OK) {
		(void)lk_deny(ctx, LK_R_UNAVAILABLE, NULL);
		goto out;
	}
	if (l.failed) {
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		goto out;
	}
	answer(ctx, 200, root);
	root = NULL;
out:
	json_object_put(root);
	forget(&a);
}

/* A group's name from a body: 0, or -1 denied (400, the rule). */
static int
check_name(struct lk_ctx *ctx, const char *name)
{
	const char	*why;

	if ((why = lk_group_name_check(name)) != NULL)
		return lk_deny(ctx, LK_R_INVALID, why);
	return 0;
}

static void
group_create(struct lk_ctx *ctx)
{
	static const struct lk_store_refusal map[] = {
		{ LK_STORE_EXISTS, LK_R_CONFLICT, "A group of that name exists "
		    "already" },
	};
	struct admin		 a;
	struct json_object	*body = NULL, *d;
	const char		*name, *desc = "", *why;
	struct lk_group		 g;
	size_t			 len;

	if (require(ctx, &a) == -1)
		return;
	if ((body = lk_body_json(ctx)) == NULL ||
	    (name = lk_body_field(ctx, body, "name", LK_GROUP_NAME_MAX + 64,
	    &len)) == NULL || check_name(ctx, name) == -1)
		goto out;
	if (json_object_object_get_ex(body, "description", &d) &&
	    (desc = lk_body_field(ctx, body, "description",
	    LK_GROUP_DESCRIPTION_MAX, &len)) == NULL)
		goto out;
	if ((why = lk_group_description_check(desc)) != NULL) {
		(void)lk_deny(ctx, LK_R_INVALID, why);
		goto out;
	}
	if (lk_deny_store(ctx, lk_store_group_add(lk_ctx_store(ctx), name, desc,
	    ctx->now), map, LK_NREFUSALS(map)) == -1)
		goto out;
	lk_log_audit("admin_group_added", ctx->now, ctx->req->remote_addr,
	    a.user.email, "group", name, (char *)NULL);
	memset(&g, 0, sizeof(g));
	(void)lk_strlcpy(g.name, name, sizeof(g.name));
	(void)lk_strlcpy(g.description, desc, sizeof(g.description));
	g.created = ctx->now;
	answer(ctx, 201, group_json(&g));
out:
	json_object_put(body);
	forget(&a);
}

struct members {
	struct json_object	*list;
	const char		*group;
	int			 failed;
};

/* Whether the ','-joined list text holds name. */
static int
listed(const char *text, const char *name)
{
	size_t	n, want = strlen(name);

	while (*text != '\0') {
		n = strcspn(text, ",");
		if (n == want && memcmp(text, name, n) == 0)
			return 1;
		text += n;
		if (*text == ',')
			text++;
	}
	return 0;
}

static int
add_member(const struct lk_user *u, const struct lk_store_groups *g,
    void *arg)
{
	struct members	*m = arg;

	if (!listed(g->text, m->group))
		return 0;
	if (json_object_array_length(m->list) >= LIST_MAX)
		return 1;
	if (json_object_array_add(m->list, json_object_new_string(u->email)) !=
	    0) {
		m->failed = 1;
		return 1;
	}
	return 0;
}

static void
group_describe(struct lk_ctx *ctx)
{
	struct admin		 a;
	struct group_list	 l;
	struct members		 m;
	struct json_object	*o = NULL;

	memset(&l, 0, sizeof(l));
	memset(&m, 0, sizeof(m));
	if (require(ctx, &a) == -1)
		return;
	l.only = ctx->route_arg;
	if (lk_store_group_each(lk_ctx_store(ctx), add_group, &l) !=
	    LK_STORE_OK) {
		(void)lk_deny(ctx, LK_R_UNAVAILABLE, NULL);
		goto out;
	}
	if (!l.seen) {
		(void)lk_deny(ctx, LK_R_NOT_FOUND, NULL);
		goto out;
	}
	m.group = l.found.name;
	if ((o = group_json(&l.found)) == NULL ||
	    (m.list = json_object_new_array()) == NULL ||
	    json_object_object_add(o, "member_emails", m.list) != 0) {
		json_object_put(m.list);
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		goto out;
	}
	if (lk_store_user_each_groups(lk_ctx_store(ctx), add_member, &m) !=
	    LK_STORE_OK || m.failed) {
		(void)lk_deny(ctx, m.failed ? LK_R_INTERNAL : LK_R_UNAVAILABLE,
		    NULL);
		goto out;
	}
	answer(ctx, 200, o);
	o = NULL;
out:
	json_object_put(o);
	forget(&a);
}

/*
 * The admin group itself is never deleted here: its members would lose
 * the administration with it, the site locked out as by removing its last
 * member.
 */
static void
group_delete(struct lk_ctx *ctx)
{
	static const struct lk_store_refusal map[] = {
		{ LK_STORE_NOT_FOUND, LK_R_NOT_FOUND, NULL },
	};
	struct admin		a;
	struct lk_json_out	o;

	if (require(ctx, &a) == -1)
		return;
	if (strcmp(ctx->route_arg, ctx->cfg->admin_group) == 0) {
		(void)lk_deny(ctx, LK_R_CONFLICT, "The administrators' group "
		    "cannot be deleted");
		goto out;
	}
	if (lk_deny_store(ctx, lk_store_group_delete(lk_ctx_store(ctx),
	    ctx->route_arg), map, LK_NREFUSALS(map)) == -1)
		goto out;
	lk_log_audit("admin_group_deleted", ctx->now, ctx->req->remote_addr,
	    a.user.email, "group", ctx->route_arg, (char *)NULL);
	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, "deleted", 1);
	lk_response_json(ctx->resp, 200, &o);
out:
	forget(&a);
}

/*
 * Add the user of the body's email to the route's group, or (add 0)
 * remove them from it: never the last member of the administrators'
 * group (checked in the store's own transaction).
 */
static void
member_change(struct lk_ctx *ctx, int add)
{
	static const struct lk_store_refusal added[] = {
		{ LK_STORE_NOT_FOUND, LK_R_NOT_FOUND, NULL },
		{ LK_STORE_EXISTS, LK_R_CONFLICT, "The user is in the group "
		    "already" },
		{ LK_STORE_LIMIT, LK_R_CONFLICT, "The user is in too many "
		    "groups" },
	};
	static const struct lk_store_refusal removed[] = {
		{ LK_STORE_NOT_FOUND, LK_R_NOT_FOUND, NULL },
		{ LK_STORE_LIMIT, LK_R_CONFLICT, "The last member of the "
		    "administrators' group cannot leave it" },
	};
	struct admin		 a;
	struct json_object	*body = NULL;
	const char		*email;
	struct lk_json_out	 o;
	size_t			 len;
	enum lk_store_res	 res;

	if (require(ctx, &a) == -1)
		return;
	if ((body = lk_body_json(ctx)) == NULL || (email = lk_body_field(ctx,
	    body, "email", LK_STORE_EMAIL_MAX, &len)) == NULL)
		goto out;
	if (add)
		res = lk_store_member_add(lk_ctx_store(ctx), ctx->route_arg,
		    email, ctx->now);
	else
		res = lk_store_member_delete_keep(lk_ctx_store(ctx),
		    ctx->route_arg, email, ctx->cfg->admin_group);
	if ((add ? lk_deny_store(ctx, res, added, LK_NREFUSALS(added)) :
	    lk_deny_store(ctx, res, removed, LK_NREFUSALS(removed))) == -1)
		goto out;
	lk_log_audit(add ? "admin_member_added" : "admin_member_removed",
	    ctx->now, ctx->req->remote_addr, a.user.email, "group",
	    ctx->route_arg, "target", email, (char *)NULL);
	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, add ? "added" : "removed", 1);
	lk_response_json(ctx->resp, 200, &o);
out:
	json_object_put(body);
	forget(&a);
}

static void
groups(struct lk_ctx *ctx)
{
	if (lk_method_bit(ctx->req->method) == LK_METHOD_POST)
		group_create(ctx);
	else
		groups_list(ctx);
}

static void
group(struct lk_ctx *ctx)
{
	if (lk_method_bit(ctx->req->method) == LK_METHOD_DELETE)
		group_delete(ctx);
	else
		group_describe(ctx);
}

static void
members(struct lk_ctx *ctx)
{
	if (lk_method_bit(ctx->req->method) == LK_METHOD_DELETE)
		member_change(ctx, 0);
	else
		member_change(ctx, 1);
}

#define READ	(LK_METHOD_GET | LK_METHOD_HEAD)

/*
 * The value of key in the request's query string, percent-decoded, into
 * out: 1 found, 0 absent, -1 bad (an encoding, a NUL, too long).
 */
static int
query_get(const struct lk_ctx *ctx, const char *key, char *out, size_t outsz)
{
	const char	*q = strchr(ctx->req->uri, '?'), *v;
	size_t		 klen = strlen(key), n, o;
	int		 hi, lo;

	if (q == NULL)
		return 0;
	for (q++; *q != '\0'; q += n + (q[n] == '&')) {
		n = strcspn(q, "&");
		if (n <= klen || strncmp(q, key, klen) != 0 || q[klen] != '=')
			continue;
		for (v = q + klen + 1, o = 0; v < q + n; v++) {
			if (o + 1 >= outsz)
				return -1;
			if (*v == '+')
				out[o++] = ' ';
			else if (*v != '%')
				out[o++] = *v;
			else {
				if (v + 2 >= q + n ||
				    (hi = lk_hex_value((unsigned char)v[1])) < 0 ||
				    (lo = lk_hex_value((unsigned char)v[2])) < 0 ||
				    (hi == 0 && lo == 0))
					return -1;
				out[o++] = (char)(hi << 4 | lo);
				v += 2;
			}
		}
		out[o] = '\0';
		return 1;
	}
	return 0;
}

/* An integer of the query, min to max: 0 (absent: *out untouched), -1. */
static int
query_int(struct lk_ctx *ctx, const char *key, long long min, long long max,
    long long *out)
{
	char	v[32], why[96];
	int	r;

	if ((r = query_get(ctx, key, v, sizeof(v))) == 0)
		return 0;
	if (r == -1 || lk_parse_ll(v, min, max, out) == -1) {
		(void)snprintf(why, sizeof(why), "Parameter \"%s\" must be an "
		    "integer from %lld to %lld", key, min, max);
		return lk_deny(ctx, LK_R_INVALID, why);
	}
	return 0;
}

struct audit_list {
	struct json_object	*list;
	long long		 last;
	long long		 n;
	int			 failed;
};

static int
add_event(const struct lk_audit *a, void *arg)
{
	struct audit_list	*l = arg;
	struct json_object	*o;
	char			 id[24];

	(void)snprintf(id, sizeof(id), "%lld", a->id);
	if ((o = json_object_new_object()) == NULL) {
		l->failed = 1;
		return 1;
	}
	(void)json_object_object_add(o, "id", json_object_new_string(id));
	(void)json_object_object_add(o, "time", json_object_new_int64(a->time));
	(void)json_object_object_add(o, "event",
	    json_object_new_string(a->event));
	(void)json_object_object_add(o, "actor",
	    json_object_new_string(a->actor));
	(void)json_object_object_add(o, "target",
	    json_object_new_string(a->target));
	(void)json_object_object_add(o, "address",
	    json_object_new_string(a->address));
	(void)json_object_object_add(o, "detail",
	    json_object_new_string(a->detail));
	if (json_object_array_add(l->list, o) != 0) {
		json_object_put(o);
		l->failed = 1;
		return 1;
	}
	l->last = a->id;
	l->n++;
	return 0;
}

#define AUDIT_PAGE	50	/* events a page, unless limit says */
#define AUDIT_PAGE_MAX	200

static void
audit(struct lk_ctx *ctx)
{
	struct admin		 a;
	struct lk_audit_filter	 f;
	struct audit_list	 l;
	struct json_object	*root = NULL;
	char			 user[LK_STORE_AUDIT_TEXT_MAX + 1];
	char			 event[LK_STORE_AUDIT_EVENT_MAX + 1], next[24];
	int			 r;

	memset(&l, 0, sizeof(l));
	memset(&f, 0, sizeof(f));
	if (require(ctx, &a) == -1)
		return;
	f.limit = AUDIT_PAGE;
	if ((r = query_get(ctx, "user", user, sizeof(user))) == 1)
		f.user = user;
	if (r == -1 || (r = query_get(ctx, "event", event, sizeof(event))) ==
	    -1) {
		(void)lk_deny(ctx, LK_R_INVALID, "Parameters \"user\" and "
		    "\"event\" must be short text");
		goto out;
	}
	if (r == 1)
		f.event = event;
	if (query_int(ctx, "since", 0, 253402300799LL, &f.since) == -1 ||
	    query_int(ctx, "until", 0, 253402300799LL, &f.until) == -1 ||
	    query_int(ctx, "cursor", 1, LLONG_MAX, &f.before) == -1 ||
	    query_int(ctx, "limit", 1, AUDIT_PAGE_MAX, &f.limit) == -1)
		goto out;
	if ((root = json_object_new_object()) == NULL ||
	    (l.list = json_object_new_array()) == NULL ||
	    json_object_object_add(root, "events", l.list) != 0) {
		json_object_put(l.list);
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		goto out;
	}
	if (lk_store_audit_each(lk_ctx_store(ctx), &f, add_event, &l) !=
	    LK_STORE_OK || l.failed) {
		(void)lk_deny(ctx, l.failed ? LK_R_INTERNAL : LK_R_UNAVAILABLE,
		    NULL);
		goto out;
	}
	/* A full page may have more after it: its last id is the cursor. */
	(void)snprintf(next, sizeof(next), "%lld", l.last);
	(void)json_object_object_add(root, "next", l.n == f.limit ?
	    json_object_new_string(next) : NULL);
	answer(ctx, 200, root);
	root = NULL;
out:
	json_object_put(root);
	forget(&a);
}

static const struct lk_route routes[] = {
	{ "/audit", READ, audit },
	{ "/groups", READ | LK_METHOD_POST, groups },
	{ "/groups/:name", READ | LK_METHOD_DELETE, group },
	{ "/groups/:name/members", LK_METHOD_POST | LK_METHOD_DELETE, members },
	{ NULL, 0, NULL }
};

static const struct lk_endpoint endpoint = {
	"admin", LK_METHOD_GET | LK_METHOD_HEAD, whoami, routes
};

int
main(int argc, char *argv[])
{
	return lk_app_main(&endpoint, argc, argv);
}
