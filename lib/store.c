#include <stdio.h>
#include <string.h>

#include "store.h"

/*
 * The store's public functions: each hands the call to the backend that
 * opened the handle.  A NULL handle is a store that could not be opened:
 * every operation fails (LK_STORE_ERROR), so callers need no other check.
 */

struct lk_store *
lk_store_open(const char *where, int create, long long leeway, char *err,
    size_t errsz)
{
	struct lk_store	*s;

	if (where == NULL || *where == '\0') {
		(void)snprintf(err, errsz, "no database named");
		return NULL;
	}
	if ((s = lk_store_sqlite_open(where, create, err, errsz)) == NULL)
		return NULL;
	s->leeway = leeway;
	return s;
}

void
lk_store_close(struct lk_store *s)
{
	if (s != NULL)
		s->ops->close(s);
}

enum lk_store_res
lk_store_user_find(struct lk_store *s, const char *email, struct lk_user *out)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->user_find(s, email, out);
}

enum lk_store_res
lk_store_user_add(struct lk_store *s, const char *email, const char *name,
    const char *hash, long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->user_add(s, email, name, hash, now);
}

enum lk_store_res
lk_store_user_set_name(struct lk_store *s, const char *email,
    const char *name, long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->user_set_name(s, email, name, now);
}

enum lk_store_res
lk_store_user_set_password(struct lk_store *s, const char *email,
    const char *hash, long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->user_set_password(s, email, hash, now);
}

enum lk_store_res
lk_store_user_set_disabled(struct lk_store *s, const char *email,
    int disabled, long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->user_set_disabled(s, email, disabled, now);
}

enum lk_store_res
lk_store_user_delete(struct lk_store *s, const char *email, long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->user_delete(s, email, now);
}

enum lk_store_res
lk_store_user_each(struct lk_store *s,
    int (*fn)(const struct lk_user *, void *), void *arg)
{
	return s->ops->user_each(s, fn, arg);
}

enum lk_store_res
lk_store_token_check(struct lk_store *s, const char *email, const char *jti,
    int refresh, struct lk_user *user, struct lk_token_state *state)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->token_check(s, email, jti, refresh, user, state);
}

enum lk_store_res
lk_store_throttle_reserve(struct lk_store *s, const char *const *keys,
    const long long *limits, size_t n, long long window, long long now,
    long long *retry_after)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->throttle_reserve(s, keys, limits, n, window, now,
	    retry_after);
}

enum lk_store_res
lk_store_login(struct lk_store *s, const struct lk_login *l, long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->login(s, l, now);
}

enum lk_store_res
lk_store_password_change(struct lk_store *s, const struct lk_login *l,
    const struct lk_revoke *revoke, long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->password_change(s, l, revoke, now);
}

enum lk_refresh_res
lk_store_refresh(struct lk_store *s, const struct lk_refresh *r,
    long long now, struct lk_store_tokens *successor)
{
	if (s == NULL)
		return LK_REFRESH_ERROR;
	return s->ops->refresh(s, r, now, successor);
}

enum lk_store_res
lk_store_logout(struct lk_store *s, const struct lk_revoke *t, size_t n,
    long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->logout(s, t, n, now);
}

enum lk_store_res
lk_store_prune(struct lk_store *s, long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->prune(s, now);
}
