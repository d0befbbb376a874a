#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "decide/throttle.h"

static void
account_key(const char *scope, const char *email, char *out, size_t outsz)
{
	size_t	o, i;

	o = (size_t)snprintf(out, outsz, "%s%saccount:", scope != NULL ? scope :
	    "", scope != NULL ? ":" : "");
	if (o >= outsz)
		o = outsz - 1;
	for (i = 0; email[i] != '\0' && o + 1 < outsz; i++, o++)
		out[o] = (email[i] >= 'A' && email[i] <= 'Z') ?
		    (char)(email[i] - 'A' + 'a') : email[i];
	out[o] = '\0';
}

void
lk_throttle_address_key(const char *addr, long long prefix, char *out,
    size_t outsz)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	unsigned char	a[16];
	char		text[INET6_ADDRSTRLEN];
	long long	i;

	if (inet_pton(AF_INET6, addr, a) != 1) {
		(void)snprintf(out, outsz, "address:%s", addr);
		return;
	}
	/* An IPv4 client that reached an IPv6 socket is that IPv4 client. */
	if (memcmp(a, mapped, sizeof(mapped)) == 0 &&
	    inet_ntop(AF_INET, a + 12, text, sizeof(text)) != NULL) {
		(void)snprintf(out, outsz, "address:%s", text);
		return;
	}
	/* One host holds a whole /64 and picks any address in it. */
	if (prefix < 0)
		prefix = 0;
	if (prefix > 128)
		prefix = 128;
	for (i = prefix; i < 128; i++)
		a[i / 8] &= (unsigned char)~(0x80u >> (i % 8));
	if (inet_ntop(AF_INET6, a, text, sizeof(text)) == NULL)
		(void)snprintf(out, outsz, "address:%s", addr);
	else
		(void)snprintf(out, outsz, "address:%s/%lld", text, prefix);
}

int
lk_throttle_reserve(struct lk_ctx *ctx, const char *email,
    struct lk_throttle *t)
{
	return lk_throttle_reserve_for(ctx, NULL, email, t);
}

void
lk_throttle_account_key(const char *email, char *out, size_t outsz)
{
	account_key(NULL, email, out, outsz);
}

void
lk_throttle_keys(const struct lk_ctx *ctx, const char *scope,
    const char *email, struct lk_throttle *t)
{
	char	addr[LK_STORE_KEY_MAX];
	int	n;

	account_key(scope, email, t->account, sizeof(t->account));
	lk_throttle_address_key(ctx->req->remote_addr,
	    ctx->cfg->throttle_ipv6_prefix, addr, sizeof(addr));
	n = snprintf(t->address, sizeof(t->address), "%s%s%s", scope != NULL ?
	    scope : "", scope != NULL ? ":" : "", addr);
	/* A key cut short still counts that client, with fewer bits. */
	if (n < 0)
		t->address[0] = '\0';
}

/* Reserve on t's counters: both, or (email NULL) the address's alone. */
static int
reserve(struct lk_ctx *ctx, const char *scope, const char *email,
    struct lk_throttle *t)
{
	const struct lk_config	*cfg = ctx->cfg;
	const char		*keys[2];
	long long		 limits[2], wait = 0;
	char			 waitstr[24], event[32];
	enum lk_store_res	 res;
	size_t			 n = 0;

	lk_throttle_keys(ctx, scope, email != NULL ? email : "", t);
	if (email != NULL) {
		keys[n] = t->account;
		limits[n++] = cfg->throttle_account_max;
	} else
		t->account[0] = '\0';
	keys[n] = t->address;
	limits[n++] = cfg->throttle_address_max;
	res = lk_store_throttle_reserve(lk_ctx_store(ctx), keys, limits, n,
	    cfg->throttle_window, ctx->now, &wait);
	/* Fail closed: without the counters, no attempt goes through. */
	if (res != LK_STORE_LIMIT)
		return lk_deny_store(ctx, res, NULL, 0);
	if (wait < 1)
		wait = 1;
	(void)snprintf(waitstr, sizeof(waitstr), "%lld", wait);
	(void)snprintf(event, sizeof(event), "%s_throttled", scope != NULL ?
	    scope : "login");
	lk_log_audit(event, ctx->now, ctx->req->remote_addr, email,
	    "retry_after", waitstr, "hashes", "0", (char *)NULL);
	ctx->denial.retry_after = wait;
	return lk_deny(ctx, scope != NULL ? LK_R_TOO_MANY : LK_R_THROTTLED, NULL);
}

int
lk_throttle_reserve_for(struct lk_ctx *ctx, const char *scope,
    const char *email, struct lk_throttle *t)
{
	return reserve(ctx, scope, email, t);
}

int
lk_throttle_reserve_address(struct lk_ctx *ctx, const char *scope,
    struct lk_throttle *t)
{
	return reserve(ctx, scope, NULL, t);
}
