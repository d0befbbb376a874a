#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/json.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/util.h"
#include "decide/passkey.h"
#include "decide/session.h"
#include "decide/throttle.h"
#include "domain/webauthn.h"

#define REFUSED		"Passkey not accepted"
#define DEFAULT_NAME	"Passkey"
#define ORIGINS_MAX	33	/* the site's own and 32 listed */
#define HANDLE_BYTES	32	/* a user handle (WebAuthn allows 64) */
#define ID_BYTES	16	/* our id of a passkey */
#define USER_HANDLE_MAX	64

/* The relying party a ceremony of this request is checked against. */
struct rp {
	char		 id[LK_CONFIG_STR_MAX];
	char		 own[LK_HEADER_MAX];
	char		 lists[2 * LK_CONFIG_LIST_MAX];
	const char	*origins[ORIGINS_MAX];
	size_t		 n;
};

/* Split a space-separated list of origins into rp's table. */
static void
add_origins(struct rp *rp, const char *list, size_t *used)
{
	size_t	w;

	while (*list != '\0' && rp->n < ORIGINS_MAX) {
		while (*list == ' ')
			list++;
		if ((w = strcspn(list, " ")) == 0 ||
		    *used + w + 1 > sizeof(rp->lists))
			break;
		memcpy(rp->lists + *used, list, w);
		rp->lists[*used + w] = '\0';
		rp->origins[rp->n++] = rp->lists + *used;
		*used += w + 1;
		list += w;
	}
}

/*
 * The RP ID and the origins accepted.  Without webauthn_rp_id, the RP ID
 * is the request's host (without its port, in lower case) and the site's
 * own origin is the request's: a Host header forged by whoever relays an
 * assertion then names another RP ID, whose hash the authenticator did
 * not sign.  With webauthn_rp_id set, sites under it share passkeys, and
 * a relay's Host could name any of them: the own origin is then
 * https://RP_ID only, and others must be listed.  allowed_origins and
 * cors_origins are accepted either way.
 */
static void
rp_of(struct lk_ctx *ctx, struct rp *rp)
{
	const char	*host = ctx->req->host;
	size_t		 i, n, used = 0;

	memset(rp, 0, sizeof(*rp));
	if (ctx->cfg->webauthn_rp_id[0] != '\0') {
		(void)lk_strlcpy(rp->id, ctx->cfg->webauthn_rp_id,
		    sizeof(rp->id));
		(void)snprintf(rp->own, sizeof(rp->own), "https://%s", rp->id);
	} else {
		n = host[0] == '[' ? strcspn(host, "]") + (host[strcspn(host,
		    "]")] == ']') : strcspn(host, ":");
		if (n >= sizeof(rp->id))
			n = 0;
		for (i = 0; i < n; i++)
			rp->id[i] = host[i] >= 'A' && host[i] <= 'Z' ?
			    (char)(host[i] - 'A' + 'a') : host[i];
		rp->id[n] = '\0';
		lk_request_own_origin(ctx->req, rp->own, sizeof(rp->own));
	}
	rp->origins[rp->n++] = rp->own;
	add_origins(rp, ctx->cfg->allowed_origins, &used);
	add_origins(rp, ctx->cfg->cors_origins, &used);
}

/* A fresh random value as unpadded base64url into out. */
static int
random_b64url(size_t n, char *out, size_t outsz)
{
	unsigned char	raw[64];
	long		len;

	if (n > sizeof(raw) || lk_random_bytes(raw, n) == -1)
		return -1;
	len = lk_b64url_encode(raw, n, out, outsz);
	lk_explicit_bzero(raw, sizeof(raw));
	return len < 0 ? -1 : 0;
}

/*
 * Record a new challenge of kind for user_id (0 for a sign-in) into
 * challenge, spending the second factor f it is bound to (NULL: none).
 * Returns 0, or -1 denied.
 */
static int
new_challenge(struct lk_ctx *ctx, enum lk_challenge_kind kind,
    long long user_id, const struct lk_factor_spend *f,
    char challenge[LK_STORE_CHALLENGE_MAX + 1])
{
	static const struct lk_store_refusal	refusals[] = {
		/* The factor spent meanwhile, or turned on or off since. */
		{ LK_STORE_USED, LK_R_CODE, NULL },
		/*
		 * One address asking again and again fills no table.  Not a
		 * failed login: registration asks for challenges too.
		 */
		{ LK_STORE_LIMIT, LK_R_TOO_MANY, NULL },
	};
	struct lk_challenge			c;
	enum lk_store_res			res;

	memset(&c, 0, sizeof(c));
	if (random_b64url(LK_PASSKEY_CHALLENGE_BYTES, c.challenge,
	    sizeof(c.challenge)) == -1) {
		lk_log(LK_LOG_ERR, "cannot make a challenge: random source "
		    "failed");
		return lk_deny(ctx, LK_R_INTERNAL, NULL);
	}
	c.kind = kind;
	c.user_id = user_id;
	/* An IPv6 client by its network, as the throttle counts it. */
	lk_throttle_address_key(ctx->req->remote_addr,
	    ctx->cfg->throttle_ipv6_prefix, c.address, sizeof(c.address));
	c.exp = ctx->now + LK_PASSKEY_CHALLENGE_LIFE;
	res = lk_store_challenge_add(lk_ctx_store(ctx), &c,
	    LK_PASSKEY_CHALLENGES_MAX, f, ctx->now);
	if (res == LK_STORE_LIMIT)
		ctx->denial.retry_after = LK_PASSKEY_CHALLENGE_LIFE;
	if (lk_deny_store(ctx, res, refusals, LK_NREFUSALS(refusals)) == -1)
		return -1;
	memcpy(challenge, c.challenge, sizeof(c.challenge));
	return 0;
}

/* Add {"type": "public-key", "id": id} to the array list. */
static int
add_descriptor(const struct lk_passkey *p, void *arg)
{
	struct json_object	*list = arg, *d;

	if ((d = json_object_new_object()) == NULL)
		return -1;
	(void)json_object_object_add(d, "type",
	    json_object_new_string("public-key"));
	(void)json_object_object_add(d, "id",
	    json_object_new_string(p->credential_id));
	return json_object_array_add(list, d) == 0 ? 0 : -1;
}

static struct json_object *
alg_param(int alg)
{
	struct json_object	*o = json_object_new_object();

	if (o == NULL)
		return NULL;
	(void)json_object_object_add(o, "type",
	    json_object_new_string("public-key"));
	(void)json_object_object_add(o, "alg", json_object_new_int(alg));
	return o;
}

/* Write the json-c object o to out; its length, or -1 denied. */
static long
dump(struct lk_ctx *ctx, struct json_object *o, char *out, size_t outsz)
{
	long	n;

	if (o == NULL || (n = lk_json_dump(o, out, outsz)) < 0) {
		lk_log(LK_LOG_ERR, "cannot write WebAuthn options");
		return lk_deny(ctx, LK_R_INTERNAL, NULL);
	}
	return n;
}

long
lk_passkey_register_options(struct lk_ctx *ctx, const struct lk_user *user,
    const struct lk_factor_spend *f, char *out, size_t outsz)
{
	struct rp		 rp;
	struct json_object	*o = NULL, *rpo, *uo, *sel, *params, *exclude;
	char			 challenge[LK_STORE_CHALLENGE_MAX + 1];
	char			 candidate[LK_STORE_HANDLE_MAX + 1];
	char			 handle[LK_STORE_HANDLE_MAX + 1];
	long			 n = -1;

	rp_of(ctx, &rp);
	if (random_b64url(HANDLE_BYTES, candidate, sizeof(candidate)) == -1) {
		lk_log(LK_LOG_ERR, "cannot make a user handle: random source "
		    "failed");
		return lk_deny(ctx, LK_R_INTERNAL, NULL);
	}
	if (lk_deny_store(ctx, lk_store_webauthn_handle(lk_ctx_store(ctx),
	    user->id, candidate, handle, sizeof(handle)), NULL, 0) == -1)
		return -1;
	if ((exclude = json_object_new_array()) == NULL)
		return lk_deny(ctx, LK_R_INTERNAL, NULL);
	if (lk_deny_store(ctx, lk_store_passkey_each(lk_ctx_store(ctx),
	    user->id, add_descriptor, exclude), NULL, 0) == -1) {
		json_object_put(exclude);
		return -1;
	}
	if (new_challenge(ctx, LK_CHALLENGE_REGISTER, user->id, f,
	    challenge) == -1) {
		json_object_put(exclude);
		return -1;
	}
	o = json_object_new_object();
	rpo = json_object_new_object();
	uo = json_object_new_object();
	sel = json_object_new_object();
	params = json_object_new_array();
	if (o == NULL || rpo == NULL || uo == NULL || sel == NULL ||
	    params == NULL) {
		json_object_put(rpo);
		json_object_put(uo);
		json_object_put(sel);
		json_object_put(params);
		json_object_put(exclude);
		goto out;
	}
	(void)json_object_object_add(rpo, "id", json_object_new_string(rp.id));
	(void)json_object_object_add(rpo, "name",
	    json_object_new_string(ctx->cfg->site_name));
	(void)json_object_object_add(uo, "id", json_object_new_string(handle));
	(void)json_object_object_add(uo, "name",
	    json_object_new_string(user->email));
	(void)json_object_object_add(uo, "displayName", json_object_new_string(
	    user->name[0] != '\0' ? user->name : user->email));
	/* Preference order: ES256, then RS256 (Windows Hello). */
	(void)json_object_array_add(params, alg_param(LK_WEBAUTHN_ALG_ES256));
	(void)json_object_array_add(params, alg_param(LK_WEBAUTHN_ALG_RS256));
	(void)json_object_object_add(sel, "residentKey",
	    json_object_new_string("required"));
	(void)json_object_object_add(sel, "requireResidentKey",
	    json_object_new_boolean(1));
	(void)json_object_object_add(sel, "userVerification",
	    json_object_new_string("required"));
	(void)json_object_object_add(o, "rp", rpo);
	(void)json_object_object_add(o, "user", uo);
	(void)json_object_object_add(o, "challenge",
	    json_object_new_string(challenge));
	(void)json_object_object_add(o, "pubKeyCredParams", params);
	(void)json_object_object_add(o, "timeout",
	    json_object_new_int(LK_PASSKEY_CHALLENGE_LIFE * 1000));
	(void)json_object_object_add(o, "attestation",
	    json_object_new_string("none"));
	(void)json_object_object_add(o, "authenticatorSelection", sel);
	(void)json_object_object_add(o, "excludeCredentials", exclude);
out:
	n = dump(ctx, o, out, outsz);
	json_object_put(o);
	return n;
}

long
lk_passkey_login_options(struct lk_ctx *ctx, char *out, size_t outsz)
{
	struct rp		 rp;
	struct json_object	*o;
	char			 challenge[LK_STORE_CHALLENGE_MAX + 1];
	long			 n;

	rp_of(ctx, &rp);
	if (new_challenge(ctx, LK_CHALLENGE_LOGIN, 0, NULL, challenge) == -1)
		return -1;
	if ((o = json_object_new_object()) != NULL) {
		(void)json_object_object_add(o, "challenge",
		    json_object_new_string(challenge));
		(void)json_object_object_add(o, "rpId",
		    json_object_new_string(rp.id));
		(void)json_object_object_add(o, "timeout",
		    json_object_new_int(LK_PASSKEY_CHALLENGE_LIFE * 1000));
		(void)json_object_object_add(o, "userVerification",
		    json_object_new_string("required"));
		(void)json_object_object_add(o, "allowCredentials",
		    json_object_new_array());
	}
	n = dump(ctx, o, out, outsz);
	json_object_put(o);
	return n;
}

/* The browser's answer, decoded. */
struct answer {
	char		 id[LK_STORE_CRED_ID_MAX + 1];	/* base64url, as sent */
	unsigned char	 raw_id[LK_WEBAUTHN_CRED_ID_MAX];
	size_t		 raw_id_len;
	unsigned char	 client_data[LK_WEBAUTHN_CLIENT_DATA_MAX];
	size_t		 client_data_len;
	unsigned char	 att_obj[LK_WEBAUTHN_ATT_OBJ_MAX];
	size_t		 att_obj_len;
	unsigned char	 auth_data[LK_WEBAUTHN_AUTH_DATA_MAX];
	size_t		 auth_data_len;
	unsigned char	 sig[LK_WEBAUTHN_SIG_MAX];
	size_t		 sig_len;
	char		 user_handle[LK_STORE_HANDLE_MAX + 1];	/* "" if none */
	/* The challenge clientDataJSON names, in both forms. */
	char		 challenge[LK_STORE_CHALLENGE_MAX + 1];
	unsigned char	 challenge_raw[LK_WEBAUTHN_CHALLENGE_MAX];
	size_t		 challenge_len;
};

/*
 * Decode the base64url string member key of obj (at most max bytes once
 * decoded) into out.  Returns 0, or -1 (missing, not a string, not
 * canonical base64url, too long, empty).
 */
static int
b64_member(struct json_object *obj, const char *key, unsigned char *out,
    size_t max, size_t *len)
{
	const char	*s;
	size_t		 slen;
	long		 n;

	if (lk_json_get_string(obj, key, &s, &slen) != LK_JSON_FIELD_OK ||
	    slen == 0 || slen > LK_B64URL_LEN(max) ||
	    (n = lk_b64url_decode(s, slen, out, max)) <= 0)
		return -1;
	*len = (size_t)n;
	return 0;
}

/*
 * The challenge clientDataJSON names: taken as sent (the store knows it
 * so) and decoded (the checks compare its bytes).  The full checks of
 * clientDataJSON come after, in webauthn.c.
 */
static int
challenge_of(struct answer *a)
{
	struct json_object	*cd;
	const char		*s;
	size_t			 slen;
	long			 n;
	int			 rc = -1;

	if ((cd = lk_json_parse_object((const char *)a->client_data,
	    a->client_data_len)) == NULL)
		return -1;
	if (lk_json_get_string(cd, "challenge", &s, &slen) == LK_JSON_FIELD_OK &&
	    slen < sizeof(a->challenge) &&
	    (n = lk_b64url_decode(s, slen, a->challenge_raw,
	    sizeof(a->challenge_raw))) >= LK_WEBAUTHN_CHALLENGE_MIN) {
		memcpy(a->challenge, s, slen);
		a->challenge[slen] = '\0';
		a->challenge_len = (size_t)n;
		rc = 0;
	}
	json_object_put(cd);
	return rc;
}

/*
 * Read the browser's PublicKeyCredential (as the web app sends it) from
 * body: the attestation for a registration, else the assertion.  Returns
 * 0, or -1 with a reason for the audit log in *why.
 */
static int
parse_answer(struct json_object *body, int registration, struct answer *a,
    const char **why)
{
	struct json_object	*resp, *uh;
	const char		*s;
	size_t			 slen, n;

	memset(a, 0, sizeof(*a));
	*why = "malformed credential";
	if (lk_json_get_string(body, "type", &s, &slen) != LK_JSON_FIELD_OK ||
	    slen != 10 || memcmp(s, "public-key", 10) != 0)
		return -1;
	if (lk_json_get_string(body, "id", &s, &slen) != LK_JSON_FIELD_OK ||
	    slen >= sizeof(a->id) ||
	    b64_member(body, "id", a->raw_id, sizeof(a->raw_id),
	    &a->raw_id_len) == -1)
		return -1;
	memcpy(a->id, s, slen);
	a->id[slen] = '\0';
	if (!json_object_object_get_ex(body, "response", &resp) ||
	    !json_object_is_type(resp, json_type_object) ||
	    b64_member(resp, "clientDataJSON", a->client_data,
	    sizeof(a->client_data), &a->client_data_len) == -1)
		return -1;
	if (registration) {
		if (b64_member(resp, "attestationObject", a->att_obj,
		    sizeof(a->att_obj), &a->att_obj_len) == -1)
			return -1;
	} else {
		if (b64_member(resp, "authenticatorData", a->auth_data,
		    sizeof(a->auth_data), &a->auth_data_len) == -1 ||
		    b64_member(resp, "signature", a->sig, sizeof(a->sig),
		    &a->sig_len) == -1)
			return -1;
		/* Optional, and null or "" from some authenticators. */
		if (json_object_object_get_ex(resp, "userHandle", &uh) &&
		    !json_object_is_type(uh, json_type_null)) {
			unsigned char	raw[USER_HANDLE_MAX];

			if (lk_json_get_string(resp, "userHandle", &s, &slen) !=
			    LK_JSON_FIELD_OK || slen >= sizeof(a->user_handle))
				return -1;
			if (slen > 0 && b64_member(resp, "userHandle", raw,
			    sizeof(raw), &n) == -1)
				return -1;
			memcpy(a->user_handle, s, slen);
			a->user_handle[slen] = '\0';
		}
	}
	if (challenge_of(a) == -1) {
		*why = "no challenge in client data";
		return -1;
	}
	return 0;
}

static void
refused(struct lk_ctx *ctx, const char *event, const char *email,
    const char *why)
{
	lk_log_audit(event, ctx->now, ctx->req->remote_addr, email, "reason",
	    why, (char *)NULL);
}

/* What a passkey login records: lk_store_passkey_login, the counter. */
struct record_passkey {
	const char			*challenge;
	const struct lk_passkey		*p;
	long long			 new_count;
	const char			*why;	/* set when it refuses */
};

static int
record_passkey(struct lk_ctx *ctx, struct lk_login *l,
    const struct lk_issue *issue, void *arg)
{
	struct record_passkey	*a = arg;
	struct lk_passkey_login	 pl;
	enum lk_store_res	 res;

	(void)issue;
	memset(&pl, 0, sizeof(pl));
	pl.challenge = a->challenge;
	pl.id = a->p->id;
	pl.old_count = a->p->sign_count;
	pl.new_count = a->new_count;
	pl.login = l;
	res = lk_store_passkey_login(lk_ctx_store(ctx), &pl, ctx->now);
	/* Not a refusal here: the caller refuses, and audits why. */
	if (res == LK_STORE_NOT_FOUND)
		a->why = "challenge not issued, used or expired";
	else if (res == LK_STORE_CHANGED)
		a->why = "counter or account changed meanwhile";
	else
		return lk_deny_store(ctx, res, NULL, 0);
	return 1;
}

/* The name a passkey is registered under: body's "name", or the default. */
static int
name_of(struct lk_ctx *ctx, struct json_object *body, char *out, size_t outsz)
{
	struct json_object	*v;
	const char		*s;
	size_t			 len;
	long			 chars;

	if (!json_object_object_get_ex(body, "name", &v) ||
	    json_object_is_type(v, json_type_null))
		return lk_strlcpy(out, DEFAULT_NAME, outsz);
	if (lk_json_get_string(body, "name", &s, &len) != LK_JSON_FIELD_OK)
		return lk_deny(ctx, LK_R_FIELD_TYPE, "name");
	chars = lk_utf8_text_len(s, len);
	if (chars < 1 || chars > LK_PASSKEY_NAME_MAX || len >= outsz ||
	    s[0] == ' ' || s[len - 1] == ' ')
		return lk_deny(ctx, LK_R_INVALID, "A passkey's name must be 1 "
		    "to 64 characters, without control characters or spaces at "
		    "either end");
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

int
lk_passkey_register(struct lk_ctx *ctx, const struct lk_user *user,
    struct json_object *body, struct lk_passkey *out)
{
	static const struct lk_store_refusal	refusals[] = {
		{ LK_STORE_EXISTS, LK_R_INVALID,
		    "This passkey is registered already" },
		{ LK_STORE_LIMIT, LK_R_INVALID,
		    "At most 20 passkeys per account: remove one first" },
	};
	struct lk_webauthn_expect	 e;
	struct lk_webauthn_credential	*cred = NULL;
	struct answer			*a = NULL;
	struct rp			 rp;
	const char			*why = NULL;
	enum lk_webauthn_res		 wr;
	enum lk_store_res		 res;
	int				 rc = -1;

	memset(out, 0, sizeof(*out));
	if (name_of(ctx, body, out->name, sizeof(out->name)) == -1)
		return -1;
	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (cred = calloc(1, sizeof(*cred))) == NULL) {
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		goto out;
	}
	if (parse_answer(body, 1, a, &why) == -1)
		goto refuse;
	rp_of(ctx, &rp);
	memset(&e, 0, sizeof(e));
	e.challenge = a->challenge_raw;
	e.challenge_len = a->challenge_len;
	e.rp_id = rp.id;
	e.origins = rp.origins;
	e.origins_n = rp.n;
	e.require_uv = 1;
	wr = lk_webauthn_register_verify(&e, a->client_data,
	    a->client_data_len, a->att_obj, a->att_obj_len, cred);
	if (wr != LK_WEBAUTHN_OK) {
		why = lk_webauthn_res_str(wr);
		goto refuse;
	}
	/* The id the browser names is the one the authenticator attested. */
	if (!lk_ct_equal(cred->id, cred->id_len, a->raw_id, a->raw_id_len)) {
		why = "credential id differs from the attested one";
		goto refuse;
	}
	if (random_b64url(ID_BYTES, out->id, sizeof(out->id)) == -1 ||
	    lk_b64url_encode(cred->id, cred->id_len, out->credential_id,
	    sizeof(out->credential_id)) < 0 ||
	    lk_b64url_encode(cred->pubkey, cred->pubkey_len, out->public_key,
	    sizeof(out->public_key)) < 0 ||
	    lk_hex_encode(cred->aaguid, sizeof(cred->aaguid), out->aaguid,
	    sizeof(out->aaguid)) == -1) {
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		goto out;
	}
	out->user_id = user->id;
	out->alg = cred->alg;
	out->sign_count = cred->sign_count;
	out->flags = cred->flags;
	out->created = ctx->now;
	res = lk_store_passkey_add(lk_ctx_store(ctx), a->challenge, out,
	    LK_PASSKEY_MAX, ctx->now);
	if (res == LK_STORE_NOT_FOUND) {
		why = "challenge not issued to this user, used or expired";
		goto refuse;
	}
	if (lk_deny_store(ctx, res, refusals, LK_NREFUSALS(refusals)) == -1)
		goto out;
	lk_log_audit("passkey_added", ctx->now, ctx->req->remote_addr,
	    user->email, "passkey", out->id, (char *)NULL);
	rc = 0;
	goto out;
refuse:
	refused(ctx, "passkey_refused", user->email, why);
	(void)lk_deny(ctx, LK_R_INVALID, REFUSED);
out:
	if (rc == -1)
		memset(out, 0, sizeof(*out));
	free(a);
	free(cred);
	return rc;
}

int
lk_passkey_login(struct lk_ctx *ctx, struct json_object *body)
{
	struct lk_webauthn_expect	 e;
	struct lk_webauthn_stored	 stored;
	struct lk_webauthn_assertion	 as;
	struct record_passkey		 rl;
	struct lk_passkey		 p;
	struct lk_user			 user;
	struct answer			*a = NULL;
	struct rp			 rp;
	struct json_object		*v;
	unsigned char			 der[LK_WEBAUTHN_PUBKEY_MAX];
	char				 handle[LK_STORE_HANDLE_MAX + 1];
	const char			*why = NULL, *event = "login_failed";
	enum lk_webauthn_res		 wr;
	enum lk_store_res		 res;
	long				 derlen;
	int				 remember = 0, rc = -1;

	memset(&user, 0, sizeof(user));
	if (json_object_object_get_ex(body, "remember", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			return lk_deny(ctx, LK_R_INVALID, "Field \"remember\" "
			    "must be true or false");
		remember = json_object_get_boolean(v);
	}
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return lk_deny(ctx, LK_R_INTERNAL, NULL);
	if (parse_answer(body, 0, a, &why) == -1)
		goto refuse;
	res = lk_store_passkey_find(lk_ctx_store(ctx), a->id, &p, &user,
	    handle, sizeof(handle));
	if (res == LK_STORE_NOT_FOUND) {
		why = "unknown passkey";
		goto refuse;
	}
	if (lk_deny_store(ctx, res, NULL, 0) == -1)
		goto out;
	if (a->user_handle[0] != '\0' && strcmp(a->user_handle, handle) != 0) {
		why = "user handle of another account";
		goto refuse;
	}
	if (user.disabled) {
		why = "account disabled";
		goto refuse;
	}
	if ((derlen = lk_b64url_decode(p.public_key, strlen(p.public_key), der,
	    sizeof(der))) <= 0) {
		lk_log(LK_LOG_ERR, "passkey %s: stored key unreadable", p.id);
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		goto out;
	}
	rp_of(ctx, &rp);
	memset(&e, 0, sizeof(e));
	e.challenge = a->challenge_raw;
	e.challenge_len = a->challenge_len;
	e.rp_id = rp.id;
	e.origins = rp.origins;
	e.origins_n = rp.n;
	e.require_uv = 1;
	memset(&stored, 0, sizeof(stored));
	stored.alg = p.alg;
	stored.pubkey = der;
	stored.pubkey_len = (size_t)derlen;
	stored.sign_count = (uint32_t)p.sign_count;
	wr = lk_webauthn_assertion_verify(&e, a->client_data,
	    a->client_data_len, a->auth_data, a->auth_data_len, a->sig,
	    a->sig_len, &stored, &as);
	if (wr != LK_WEBAUTHN_OK) {
		/* A good signature on an old counter: a cloned key. */
		if (wr == LK_WEBAUTHN_ERR_COUNTER)
			event = "passkey_counter_regressed";
		why = lk_webauthn_res_str(wr);
		goto refuse;
	}
	memset(&rl, 0, sizeof(rl));
	rl.challenge = a->challenge;
	rl.p = &p;
	rl.new_count = as.sign_count;
	switch (lk_session_start(ctx, &user, NULL, remember,
	    LK_ISSUE_LOGIN | LK_ISSUE_MFA, record_passkey, &rl)) {
	case 0:
		break;
	case 1:
		why = rl.why;
		goto refuse;
	default:
		goto out;
	}
	lk_log_audit("login_ok", ctx->now, ctx->req->remote_addr, user.email,
	    "factor", "passkey", "passkey", p.id, (char *)NULL);
	lk_metrics_count(LK_M_PASSKEY_SUCCESS);
	rc = 0;
	goto out;
refuse:
	refused(ctx, event, user.email[0] != '\0' ? user.email : NULL, why);
	lk_metrics_count(LK_M_PASSKEY_FAILURE);
	(void)lk_deny(ctx, LK_R_PASSKEY, NULL);
out:
	free(a);
	lk_explicit_bzero(&user, sizeof(user));
	return rc;
}

/* A passkey as the API shows it: {"created", "id", "last_used", "name"}. */
static struct json_object *
passkey_object(const struct lk_passkey *p)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	(void)json_object_object_add(o, "id", json_object_new_string(p->id));
	(void)json_object_object_add(o, "name", json_object_new_string(p->name));
	(void)json_object_object_add(o, "created",
	    json_object_new_int64(p->created));
	/* null: never used to sign in. */
	(void)json_object_object_add(o, "last_used", p->last_used != 0 ?
	    json_object_new_int64(p->last_used) : NULL);
	return o;
}

long
lk_passkey_json(const struct lk_passkey *p, char *out, size_t outsz)
{
	struct json_object	*o;
	long			 n;

	if ((o = passkey_object(p)) == NULL)
		return -1;
	n = lk_json_dump(o, out, outsz);
	json_object_put(o);
	return n;
}

/* Add a passkey to the "credentials" array. */
static int
add_listed(const struct lk_passkey *p, void *arg)
{
	struct json_object	*o;

	if ((o = passkey_object(p)) == NULL)
		return -1;
	if (json_object_array_add(arg, o) != 0) {
		json_object_put(o);
		return -1;
	}
	return 0;
}

/* Add {"created", "id", "name"} of a passkey to an array. */
static int
add_named(const struct lk_passkey *p, void *arg)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return -1;
	(void)json_object_object_add(o, "created",
	    json_object_new_int64(p->created));
	(void)json_object_object_add(o, "id", json_object_new_string(p->id));
	(void)json_object_object_add(o, "name", json_object_new_string(p->name));
	if (json_object_array_add(arg, o) != 0) {
		json_object_put(o);
		return -1;
	}
	return 0;
}

long
lk_passkey_names_json(struct lk_ctx *ctx, const struct lk_user *user,
    char *out, size_t outsz)
{
	struct json_object	*list;
	long			 n;

	if ((list = json_object_new_array()) == NULL)
		return lk_deny(ctx, LK_R_INTERNAL, NULL);
	if (lk_deny_store(ctx, lk_store_passkey_each(lk_ctx_store(ctx),
	    user->id, add_named, list), NULL, 0) == -1) {
		json_object_put(list);
		return -1;
	}
	n = dump(ctx, list, out, outsz);
	json_object_put(list);
	return n;
}

int
lk_passkey_keep_field(struct lk_ctx *ctx, struct json_object *body,
    struct lk_passkey_kept *out)
{
	struct json_object	*v, *e;
	size_t			 i, n, len;

	memset(out, 0, sizeof(*out));
	if (!json_object_object_get_ex(body, "keep_passkeys", &v))
		return 0;
	if (!json_object_is_type(v, json_type_array) ||
	    (n = json_object_array_length(v)) > LK_PASSKEY_MAX)
		goto bad;
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_string) ||
		    (len = (size_t)json_object_get_string_len(e)) == 0 ||
		    len > LK_STORE_ID_MAX ||
		    strlen(json_object_get_string(e)) != len)
			goto bad;
		out->id[i] = json_object_get_string(e);
	}
	out->keep.only = 1;
	out->keep.ids = out->id;
	out->keep.n = n;
	return 0;
bad:
	return lk_deny(ctx, LK_R_INVALID, "Field \"keep_passkeys\" must be a "
	    "list of at most 20 passkey ids");
}

long
lk_passkey_list_json(struct lk_ctx *ctx, const struct lk_user *user,
    char *out, size_t outsz)
{
	struct json_object	*o, *list;
	long			 n;

	if ((o = json_object_new_object()) == NULL ||
	    (list = json_object_new_array()) == NULL) {
		json_object_put(o);
		return lk_deny(ctx, LK_R_INTERNAL, NULL);
	}
	(void)json_object_object_add(o, "credentials", list);
	if (lk_deny_store(ctx, lk_store_passkey_each(lk_ctx_store(ctx),
	    user->id, add_listed, list), NULL, 0) == -1) {
		json_object_put(o);
		return -1;
	}
	n = dump(ctx, o, out, outsz);
	json_object_put(o);
	return n;
}

int
lk_passkey_delete(struct lk_ctx *ctx, const struct lk_user *user,
    const char *id)
{
	static const struct lk_store_refusal	refusals[] = {
		{ LK_STORE_NOT_FOUND, LK_R_NOT_FOUND, NULL },
	};

	if (lk_deny_store(ctx, lk_store_passkey_delete(lk_ctx_store(ctx),
	    user->id, id), refusals, LK_NREFUSALS(refusals)) == -1)
		return -1;
	lk_log_audit("passkey_removed", ctx->now, ctx->req->remote_addr,
	    user->email, "passkey", id, (char *)NULL);
	return 0;
}
