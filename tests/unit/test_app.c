/*
 * The runtime, the decision code and the endpoints in process: each
 * program's source is compiled into this test (its main renamed), and its
 * requests go through the runtime's fake I/O layer, as kcgi's regress/
 * drives kcgi, against a real configuration, key file and SQLite
 * database in a temporary directory.
 */
#include <sys/stat.h>

#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>

#include "t.h"
#include "tmpdir.h"
#include "forge.h"

int	login_main(int, char *[]);
#define main		login_main
#define handle		login_handle
#define endpoint	login_endpoint
#include "../../cgi-bin/login.c"
#undef main
#undef handle
#undef endpoint
int	profile_main(int, char *[]);
#define main		profile_main
#define handle		profile_handle
#define endpoint	profile_endpoint
#include "../../cgi-bin/profile.c"
#undef main
#undef handle
#undef endpoint
int	refresh_main(int, char *[]);
#define main		refresh_main
#define handle		refresh_handle
#define endpoint	refresh_endpoint
#include "../../cgi-bin/refresh.c"
#undef main
#undef handle
#undef endpoint
int	password_main(int, char *[]);
#define main		password_main
#define handle		password_handle
#define endpoint	password_endpoint
#define routes		password_routes
#include "../../cgi-bin/password.c"
#undef main
#undef handle
#undef endpoint
#undef routes
int	invite_main(int, char *[]);
#define main		invite_main
#define endpoint	invite_endpoint
#define routes		invite_routes
#include "../../cgi-bin/invite.c"
#undef main
#undef endpoint
#undef routes
int	signup_main(int, char *[]);
#define main		signup_main
#define handle		signup_handle
#define endpoint	signup_endpoint
#include "../../cgi-bin/signup.c"
#undef main
#undef handle
#undef endpoint
int	authorize_main(int, char *[]);
#define main		authorize_main
#define handle		authorize_handle
#define endpoint	authorize_endpoint
#include "../../cgi-bin/authorize.c"
#undef main
#undef handle
#undef endpoint

int	logout_main(int, char *[]);
#define main		logout_main
#define handle		logout_handle
#define endpoint	logout_endpoint
#include "../../cgi-bin/logout.c"
#undef main
#undef handle
#undef endpoint

int	authz_main(int, char *[]);
#define main		authz_main
#define endpoint	authz_endpoint
#define routes		authz_routes
#include "../../cgi-bin/authz.c"
#undef main
#undef endpoint
#undef routes

int	health_main(int, char *[]);
#define main		health_main
#define handle		health_handle
#define endpoint	health_endpoint
#include "../../cgi-bin/health.c"
#undef main
#undef handle
#undef endpoint

int	metrics_main(int, char *[]);
#define main		metrics_main
#define handle		metrics_handle
#define endpoint	metrics_endpoint
#include "../../cgi-bin/metrics.c"
#undef main
#undef handle
#undef endpoint

int	error_main(int, char *[]);
#define main		error_main
#define endpoint	error_endpoint
#include "../../cgi-bin/error.c"
#undef main
#undef endpoint

#include "app/extern.h"
#include "decide/notify.h"
#include "decide/throttle.h"
#include "domain/onetime.h"

#define NOW	2000000000LL
#define EMAIL	"test@example.com"
#define PASS	"correct horse 7"

static char		 confpath[512], keytext[128];
static char		 last_log[2048];	/* the last log line */
static char		 log_text[16384];	/* lines since it was emptied */
static long long	 clock_now = NOW;

static long long
test_clock(void)
{
	return clock_now;
}

/* One answer, parsed: status, headers (one "Name: value" per line), body. */
struct answer {
	int	status;
	char	head[32768];
	char	body[32768];
};

/*
 * Serve one request on ep in mode: method, the script's name, then
 * "NAME=value" parameters (NULL-terminated) and a body (may be NULL).
 */
static struct answer *
serve(const struct lk_endpoint *ep, enum lk_app_mode mode, const char *method,
    const char *script, const char *body, ...)
{
	static struct answer	 a;
	static char		 out[32768];
	const char		*params[32];
	char			 m[64], sn[128], cl[64];
	char			*sep;
	struct lk_io		 io;
	va_list			 ap;
	size_t			 n = 0;

	(void)snprintf(m, sizeof(m), "REQUEST_METHOD=%s", method);
	(void)snprintf(sn, sizeof(sn), "SCRIPT_NAME=%s", script);
	/* The caller's parameters first: the first of a name counts. */
	va_start(ap, body);
	while (n + 6 < sizeof(params) / sizeof(params[0]) &&
	    (params[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	params[n++] = m;
	params[n++] = sn;
	params[n++] = "REMOTE_ADDR=192.0.2.10";
	params[n++] = "HTTP_HOST=app.example";
	if (body != NULL) {
		(void)snprintf(cl, sizeof(cl), "CONTENT_LENGTH=%zu", strlen(body));
		params[n++] = cl;
	}
	params[n] = NULL;
	memset(&io, 0, sizeof(io));
	io.fake = 1;
	io.params = params;
	io.in = body;
	io.inlen = body != NULL ? strlen(body) : 0;
	io.out = out;
	io.outcap = sizeof(out) - 1;
	lk_app_serve(ep, mode, &io);
	out[io.outlen] = '\0';
	memset(&a, 0, sizeof(a));
	if (sscanf(out, "Status: %d", &a.status) != 1)
		a.status = -1;
	if ((sep = strstr(out, "\r\n\r\n")) != NULL) {
		*sep = '\0';
		(void)snprintf(a.head, sizeof(a.head), "%s", out);
		(void)snprintf(a.body, sizeof(a.body), "%s", sep + 4);
	}
	return &a;
}

#define JSON	"CONTENT_TYPE=application/json"

/* The value of cookie name set by an answer, into out. */
static int
cookie_of(const struct answer *a, const char *name, char *out, size_t outsz)
{
	char		 want[96];
	const char	*p, *e;

	(void)snprintf(want, sizeof(want), "Set-Cookie: %s=", name);
	if ((p = strstr(a->head, want)) == NULL)
		return -1;
	p += strlen(want);
	e = p + strcspn(p, ";\r");
	if ((size_t)(e - p) >= outsz)
		return -1;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return 0;
}

/* A fresh instance: configuration, key, database, one user. */
static void
instance(const char *extra)
{
	struct lk_config	 cfg;
	struct lk_store_options	 opts = { 1, 0, NULL, 0, 0 };
	struct lk_store		*s;
	char			 text[2048], path[600], hash[LK_HASH_MAX + 1];
	char			 err[1024];
	FILE			*f;

	lk_app_reset();
	(void)snprintf(text, sizeof(text), "cookie_secure = false\n%s", extra);
	(void)snprintf(confpath, sizeof(confpath), "%s",
	    tmp_file("app.conf", text, 0644));
	(void)snprintf(path, sizeof(path), "%s/secret.key", tmp_dir());
	(void)remove(path);
	if (lk_key_generate(path, err, sizeof(err)) == -1 ||
	    (f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "key: %s\n", err);
		exit(1);
	}
	if (fgets(keytext, sizeof(keytext), f) == NULL)
		exit(1);
	keytext[strcspn(keytext, "\n")] = '\0';
	fclose(f);
	(void)snprintf(path, sizeof(path), "%s/latchkey.db.metrics", tmp_dir());
	(void)remove(path);
	(void)snprintf(path, sizeof(path), "%s/latchkey.db", tmp_dir());
	(void)remove(path);
	if (lk_config_load(&cfg, confpath, err, sizeof(err)) == -1 ||
	    (s = lk_store_open(path, &opts, err, sizeof(err))) == NULL) {
		fprintf(stderr, "instance: %s\n", err);
		exit(1);
	}
	if (lk_password_hash(&cfg.hash, PASS, hash, sizeof(hash)) == -1 ||
	    lk_store_user_add(s, EMAIL, "Test User", hash, NOW - 100) !=
	    LK_STORE_OK)
		exit(1);
	lk_store_close(s);
	setenv("LATCHKEY_CONFIG", confpath, 1);
	clock_now = NOW;
	lk_app_clock = test_clock;
}

/* Log in; fills the access and refresh cookies and their CSRF values. */
struct tokens {
	char	access[LK_TOKEN_MAX + 64], csrf[LK_TOKEN_MAX + 64];
	char	refresh[LK_TOKEN_MAX + 64], rcsrf[LK_TOKEN_MAX + 64];
};

static int
login(struct tokens *t)
{
	struct answer	*a;
	char		 v[LK_TOKEN_MAX + 1];

	a = serve(&login_endpoint, LK_APP_RESPONDER, "POST", "/api/login",
	    "{\"email\":\"" EMAIL "\",\"password\":\"" PASS "\"}", JSON, NULL);
	if (a->status != 200)
		return -1;
	if (cookie_of(a, "access_token_cookie", v, sizeof(v)) == -1)
		return -1;
	(void)snprintf(t->access, sizeof(t->access), "HTTP_COOKIE="
	    "access_token_cookie=%s", v);
	if (cookie_of(a, "csrf_access_token", v, sizeof(v)) == -1)
		return -1;
	(void)snprintf(t->csrf, sizeof(t->csrf), "HTTP_X_CSRF_TOKEN=%s", v);
	if (cookie_of(a, "refresh_token_cookie", v, sizeof(v)) == -1)
		return -1;
	(void)snprintf(t->refresh, sizeof(t->refresh), "HTTP_COOKIE="
	    "refresh_token_cookie=%s", v);
	if (cookie_of(a, "csrf_refresh_token", v, sizeof(v)) == -1)
		return -1;
	(void)snprintf(t->rcsrf, sizeof(t->rcsrf), "HTTP_X_CSRF_TOKEN=%s", v);
	return 0;
}

#define MSG(text)	"{\"msg\":\"" text "\"}\n"

static void
check_answer(const struct answer *a, int status, const char *body,
    const char *where)
{
	if (a->status != status || strcmp(a->body, body) != 0)
		fprintf(stderr, "%s: got %d %s", where, a->status, a->body);
	CHECK_INT(a->status, status);
	CHECK_STR(a->body, body);
}

/* Every reason has its status and flask-jwt-extended's message. */
TEST(the_refusal_table_is_complete_and_exact)
{
	static const struct {
		enum lk_reason	 r;
		int		 status;
		const char	*pre, *post;
	} want[] = {
		{ LK_R_NOT_FOUND, 404, "Not found", NULL },
		{ LK_R_METHOD, 405, "Method not allowed", NULL },
		{ LK_R_ORIGIN, 403, "Origin not allowed", NULL },
		{ LK_R_TOO_LARGE, 413, "Request body too large", NULL },
		{ LK_R_BAD_BODY, 400, "Bad request body", NULL },
		{ LK_R_NOT_JSON, 415, "Content-Type must be application/json",
		    NULL },
		{ LK_R_BAD_JSON, 400, "Request body must be a JSON object", NULL },
		{ LK_R_FIELD_MISSING, 400, "Missing field \"", "\"" },
		{ LK_R_FIELD_TYPE, 400, "Field \"", "\" must be a string" },
		{ LK_R_FIELD_TOO_LONG, 400, "Field \"", "\" is too long" },
		{ LK_R_INVALID, 400, "", "" },
		{ LK_R_COOKIE_TOO_LARGE, 400, "Cookie header too large", NULL },
		{ LK_R_COOKIE_MISSING, 401, "Missing cookie \"", "\"" },
		{ LK_R_CSRF_MISSING, 401, "Missing CSRF token", NULL },
		{ LK_R_CSRF_MISMATCH, 401, "CSRF double submit tokens do not "
		    "match", NULL },
		{ LK_R_REVOKED, 401, "Token has been revoked", NULL },
		{ LK_R_USER, 401, "Error loading the user ", "" },
		{ LK_R_THROTTLED, 429, "Too many failed login attempts, try "
		    "again later", NULL },
		{ LK_R_WRONG_PASSWORD, 401, "Current password is incorrect", NULL },
		{ LK_R_UNAVAILABLE, 503, "Service unavailable", NULL },
		{ LK_R_CANNOT_ISSUE, 503, "This node cannot issue tokens", NULL },
		{ LK_R_CANNOT_REVOKE, 503, "This node cannot revoke tokens",
		    NULL },
		{ LK_R_INTERNAL, 500, "Internal error", NULL },
		{ LK_R_CODE, 401, "Invalid code", NULL },
		{ LK_R_MFA_EXPIRED, 401, "Login expired, log in again", NULL },
		{ LK_R_PASSKEY, 401, "Passkey not accepted", NULL },
		{ LK_R_TOO_MANY, 429, "Too many requests, try again later", NULL },
		{ LK_R_LINK, 400, "This link is invalid or has expired", NULL },
		{ LK_R_ACCESS_DENIED, 403, "Access denied", NULL },
		{ LK_R_SECOND_FACTOR, 403, "Second factor required", NULL },
		{ LK_R_BAD_PATH, 400, "Invalid request path", NULL },
		{ LK_R_FRESH, 401, "Fresh token required", NULL },
		{ LK_R_PROXY, 403, "Untrusted proxy", NULL },
		{ LK_R_NOT_ADMIN, 403, "Administrators only", NULL },
		{ LK_R_ADMIN_NETWORK, 403, "Administration is not allowed from "
		    "this address", NULL },
		{ LK_R_CONFLICT, 409, "", "" },
		{ LK_R_TOKEN + LK_TOKEN_TOO_LARGE, 422, "Token is too large", NULL },
		{ LK_R_TOKEN + LK_TOKEN_SEGMENTS, 422, "Not enough segments", NULL },
		{ LK_R_TOKEN + LK_TOKEN_HEADER_PADDING, 422,
		    "Invalid header padding", NULL },
		{ LK_R_TOKEN + LK_TOKEN_HEADER_STRING, 422,
		    "Invalid header string: must be a json object", NULL },
		{ LK_R_TOKEN + LK_TOKEN_PAYLOAD_PADDING, 422,
		    "Invalid payload padding", NULL },
		{ LK_R_TOKEN + LK_TOKEN_CRYPTO_PADDING, 422,
		    "Invalid crypto padding", NULL },
		{ LK_R_TOKEN + LK_TOKEN_ALG, 422,
		    "The specified alg value is not allowed", NULL },
		{ LK_R_TOKEN + LK_TOKEN_SIGNATURE, 422,
		    "Signature verification failed", NULL },
		{ LK_R_TOKEN + LK_TOKEN_PAYLOAD_STRING, 422,
		    "Invalid payload string: must be a json object", NULL },
		{ LK_R_TOKEN + LK_TOKEN_IAT_TYPE, 422,
		    "Issued At claim (iat) must be an integer.", NULL },
		{ LK_R_TOKEN + LK_TOKEN_NBF_TYPE, 422,
		    "Not Before claim (nbf) must be an integer.", NULL },
		{ LK_R_TOKEN + LK_TOKEN_IMMATURE, 422,
		    "The token is not yet valid (nbf)", NULL },
		{ LK_R_TOKEN + LK_TOKEN_EXP_MISSING, 422,
		    "Token is missing the \"exp\" claim", NULL },
		{ LK_R_TOKEN + LK_TOKEN_EXP_TYPE, 422,
		    "Expiration Time claim (exp) must be an integer.", NULL },
		{ LK_R_TOKEN + LK_TOKEN_EXPIRED, 401, "Token has expired", NULL },
		{ LK_R_TOKEN + LK_TOKEN_AUD_MISSING, 422,
		    "Token is missing the \"aud\" claim", NULL },
		{ LK_R_TOKEN + LK_TOKEN_AUD_INVALID, 422, "Invalid audience", NULL },
		{ LK_R_TOKEN + LK_TOKEN_ISS_MISSING, 422,
		    "Token is missing the \"iss\" claim", NULL },
		{ LK_R_TOKEN + LK_TOKEN_ISS_INVALID, 422, "Invalid issuer", NULL },
		{ LK_R_TOKEN + LK_TOKEN_SUB_MISSING, 422, "Missing claim: sub",
		    NULL },
		{ LK_R_TOKEN + LK_TOKEN_SUB_TYPE, 422, "Subject must be a string",
		    NULL },
		{ LK_R_TOKEN + LK_TOKEN_TYPE_MISSING, 422, "Missing claim: type",
		    NULL },
		{ LK_R_TOKEN + LK_TOKEN_CRIT, 422, "Unsupported critical extension",
		    NULL },
		{ LK_R_TOKEN + LK_TOKEN_ONLY_ACCESS, 422,
		    "Only non-refresh tokens are allowed", NULL },
		{ LK_R_TOKEN + LK_TOKEN_ONLY_REFRESH, 422,
		    "Only refresh tokens are allowed", NULL },
		{ LK_R_TOKEN + LK_TOKEN_TYPE_INVALID, 422, "Invalid token type",
		    NULL },
		{ LK_R_TOKEN + LK_TOKEN_JTI_MISSING, 422, "Missing claim: jti",
		    NULL },
		{ LK_R_TOKEN + LK_TOKEN_JTI_TYPE, 422, "Invalid claim: jti", NULL },
		{ LK_R_TOKEN + LK_TOKEN_CSRF_MISSING, 422, "Missing claim: csrf",
		    NULL },
		{ LK_R_TOKEN + LK_TOKEN_CSRF_TYPE, 422, "Invalid claim: csrf", NULL },
		{ LK_R_TOKEN + LK_TOKEN_FRESH_TYPE, 422, "Invalid claim: fresh",
		    NULL },
		{ LK_R_TOKEN + LK_TOKEN_INTERNAL, 500, "Internal error", NULL },
	};
	const char	*pre, *post;
	size_t		 i;
	int		 status, r;

	/* Every reason (but OK and the token's OK) is listed above. */
	CHECK_INT(sizeof(want) / sizeof(want[0]), LK_R__MAX - 2);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		CHECK_INT(lk_app_refusal(want[i].r, &status, &pre, &post), 0);
		CHECK_INT(status, want[i].status);
		CHECK_STR(pre, want[i].pre);
		CHECK(post == want[i].post || (post != NULL &&
		    want[i].post != NULL && strcmp(post, want[i].post) == 0));
	}
	for (r = 0; r < LK_R__MAX; r++) {
		CHECK_INT(lk_app_refusal((enum lk_reason)r, &status, &pre, &post),
		    0);
		CHECK(status >= 200 && pre != NULL);
	}
	CHECK_INT(lk_app_refusal(LK_R__MAX, &status, &pre, &post), -1);
}

TEST(the_runtime_refuses_before_the_handler)
{
	struct answer	*a;
	char		 big[64];

	instance("");
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "GET", "/api/profilex",
	    NULL, NULL);
	check_answer(a, 404, MSG("Not found"), "beside the path");
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "GET", "/api/profile",
	    NULL, "PATH_INFO=/x", NULL);
	check_answer(a, 404, MSG("Not found"), "path info");
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "DELETE", "/api/profile",
	    "{}", JSON, NULL);
	check_answer(a, 405, MSG("Method not allowed"), "method");
	CHECK(strstr(a->head, "\r\nAllow: GET, HEAD, PATCH") != NULL);
	a = serve(&login_endpoint, LK_APP_RESPONDER, "POST", "/api/login",
	    "{}", JSON, "HTTP_ORIGIN=http://evil.example", NULL);
	check_answer(a, 403, MSG("Origin not allowed"), "origin");
	a = serve(&login_endpoint, LK_APP_RESPONDER, "POST", "/api/login",
	    "{}", JSON, "HTTP_ORIGIN=http://app.example", NULL);
	check_answer(a, 400, MSG("Missing field \\\"email\\\""), "own origin");
	(void)snprintf(big, sizeof(big), "CONTENT_LENGTH=%d", 8193);
	a = serve(&login_endpoint, LK_APP_RESPONDER, "POST", "/api/login",
	    NULL, JSON, big, NULL);
	check_answer(a, 413, MSG("Request body too large"), "too large");
	a = serve(&login_endpoint, LK_APP_RESPONDER, "POST", "/api/login",
	    NULL, JSON, "CONTENT_LENGTH=12x", NULL);
	check_answer(a, 400, MSG("Bad request body"), "bad length");
	a = serve(&login_endpoint, LK_APP_RESPONDER, "POST", "/api/login",
	    NULL, JSON, "CONTENT_LENGTH=10", NULL);
	check_answer(a, 400, MSG("Bad request body"), "short body");
}

TEST(login_refusals)
{
	struct answer	*a;

	instance("");
	a = serve(&login_endpoint, LK_APP_RESPONDER, "POST", "/api/login",
	    "{}", "CONTENT_TYPE=text/plain", NULL);
	check_answer(a, 415, MSG("Content-Type must be application/json"),
	    "content type");
	a = serve(&login_endpoint, LK_APP_RESPONDER, "POST", "/api/login",
	    "[1]", JSON, NULL);
	check_answer(a, 400, MSG("Request body must be a JSON object"), "array");
	a = serve(&login_endpoint, LK_APP_RESPONDER, "POST", "/api/login",
	    "{\"email\":1,\"password\":\"x\"}", JSON, NULL);
	check_answer(a, 400, MSG("Field \\\"email\\\" must be a string"), "type");
	{
		char	body[1024];

		(void)snprintf(body, sizeof(body), "{\"email\":\"%0300d\","
		    "\"password\":\"x\"}", 0);
		a = serve(&login_endpoint, LK_APP_RESPONDER, "POST",
		    "/api/login", body, JSON, NULL);
		check_answer(a, 400, MSG("Field \\\"email\\\" is too long"),
		    "too long");
	}
	a = serve(&login_endpoint, LK_APP_RESPONDER, "POST", "/api/login",
	    "{\"email\":\"" EMAIL "\",\"password\":\"x\",\"remember\":1}", JSON,
	    NULL);
	check_answer(a, 400, MSG("Field \\\"remember\\\" must be true or false"),
	    "remember");
	a = serve(&login_endpoint, LK_APP_RESPONDER, "POST", "/api/login",
	    "{\"email\":\"" EMAIL "\",\"password\":\"wrong\"}", JSON, NULL);
	check_answer(a, 401, "{\"login\":false}\n", "wrong password");
	CHECK(strstr(a->head, "Set-Cookie") == NULL);
}

TEST(auth_refusals_in_flask_order)
{
	struct answer	*a;
	struct tokens	 t;
	char		 cookie[LK_COOKIE_HEADER_MAX + 64], *tok;
	struct lk_claims c;
	struct lk_key	 key;
	struct lk_config cfg;
	char		 err[512];

	instance("");
	CHECK_INT(login(&t), 0);
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "GET", "/api/profile",
	    NULL, NULL);
	check_answer(a, 401, MSG("Missing cookie \\\"access_token_cookie\\\""),
	    "no cookie");
	memset(cookie, 'a', sizeof(cookie) - 1);
	cookie[sizeof(cookie) - 1] = '\0';
	memcpy(cookie, "HTTP_COOKIE=", 12);
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "GET", "/api/profile",
	    NULL, cookie, NULL);
	check_answer(a, 400, MSG("Cookie header too large"), "cookie too large");
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "PATCH", "/api/profile",
	    "{\"name\":\"X\"}", JSON, t.access, NULL);
	check_answer(a, 401, MSG("Missing CSRF token"), "csrf missing");
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "PATCH", "/api/profile",
	    "{\"name\":\"X\"}", JSON, t.access, "HTTP_X_CSRF_TOKEN=nope", NULL);
	check_answer(a, 401, MSG("CSRF double submit tokens do not match"),
	    "csrf mismatch");
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "GET", "/api/profile",
	    NULL, "HTTP_COOKIE=access_token_cookie=a.b", NULL);
	check_answer(a, 422, MSG("Not enough segments"), "segments");
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "GET", "/api/profile",
	    NULL, t.refresh, NULL);
	check_answer(a, 401, MSG("Missing cookie \\\"access_token_cookie\\\""),
	    "refresh cookie only");
	/* A refresh token in the access cookie: the type, after the CSRF. */
	(void)snprintf(cookie, sizeof(cookie), "HTTP_COOKIE=access_token_cookie=%s",
	    strchr(t.refresh, '=') + 1 + strlen("refresh_token_cookie="));
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "GET", "/api/profile",
	    NULL, cookie, NULL);
	check_answer(a, 422, MSG("Only non-refresh tokens are allowed"), "type");
	/* Expired. */
	clock_now = NOW + 3600;
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "GET", "/api/profile",
	    NULL, t.access, NULL);
	check_answer(a, 401, MSG("Token has expired"), "expired");
	clock_now = NOW;
	/* A user that does not exist, in a token signed with our key. */
	lk_config_defaults(&cfg);
	memset(&key, 0, sizeof(key));
	CHECK_INT(lk_key_load(&key, tmp_file("copy.key", keytext, 0600), err,
	    sizeof(err)), 0);
	tok = t_issue(&cfg, &key, LK_TOKEN_ACCESS, "ghost@example.com", NOW,
	    60, &c);
	CHECK(tok != NULL);
	(void)snprintf(cookie, sizeof(cookie), "HTTP_COOKIE=access_token_cookie=%s",
	    tok != NULL ? tok : "");
	free(tok);
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "GET", "/api/profile",
	    NULL, cookie, NULL);
	check_answer(a, 401, MSG("Error loading the user ghost@example.com"),
	    "no user");
	/* And the good token still passes. */
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "GET", "/api/profile",
	    NULL, t.access, NULL);
	check_answer(a, 200, "{\"email\":\"" EMAIL "\",\"groups\":[],\"name\":\"Test User\"}\n",
	    "good");
}

TEST(the_authorizer_denies_with_401_whatever_the_reason)
{
	struct answer	*a;
	struct tokens	 t;
	const char	*g;

	instance("");
	CHECK_INT(login(&t), 0);
	a = serve(&authorize_endpoint, LK_APP_AUTHORIZER, "GET", "/members/",
	    NULL, "FCGI_ROLE=AUTHORIZER", "HTTP_COOKIE=access_token_cookie=a.b",
	    NULL);
	check_answer(a, 401, MSG("Not enough segments"), "malformed");
	a = serve(&authorize_endpoint, LK_APP_AUTHORIZER, "GET", "/members/",
	    NULL, "FCGI_ROLE=AUTHORIZER", NULL);
	check_answer(a, 401, MSG("Missing cookie \\\"access_token_cookie\\\""),
	    "no cookie");
	a = serve(&authorize_endpoint, LK_APP_AUTHORIZER, "GET", "/members/",
	    NULL, "FCGI_ROLE=AUTHORIZER", t.access, NULL);
	CHECK_INT(a->status, 200);
	CHECK(strstr(a->head, "Variable-LATCHKEY_USER: " EMAIL) != NULL);
	CHECK(strstr(a->head, "Variable-LATCHKEY_NAME: Test User") != NULL);
	/* In no group: the variable is there, empty. */
	CHECK((g = strstr(a->head, "\r\nVariable-LATCHKEY_GROUPS: ")) != NULL &&
	    strchr("\r", g[strlen("\r\nVariable-LATCHKEY_GROUPS: ")]) != NULL);
	/* Outside the Authorizer role: a server error, no grant. */
	a = serve(&authorize_endpoint, LK_APP_AUTHORIZER, "GET", "/members/",
	    NULL, "FCGI_ROLE=RESPONDER", t.access, NULL);
	check_answer(a, 500, MSG("Internal error"), "role");
	CHECK(strstr(a->head, "Variable-") == NULL);
}

/* The value of header name in an answer ("" if absent), into out. */
static const char *
header_of(const struct answer *a, const char *name)
{
	static char	 out[4096];
	char		 want[96];
	const char	*p;
	size_t		 n;

	(void)snprintf(want, sizeof(want), "\r\n%s: ", name);
	out[0] = '\0';
	if ((p = strstr(a->head, want)) == NULL)
		return out;
	p += strlen(want);
	n = strcspn(p, "\r");
	if (n >= sizeof(out))
		n = sizeof(out) - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

#define AUTHZ(...)	serve(&authorize_endpoint, LK_APP_AUTHORIZER, \
	__VA_ARGS__, "FCGI_ROLE=AUTHORIZER", NULL)
#define NAVIGATE	"HTTP_SEC_FETCH_MODE=navigate"
#define HTML		"HTTP_ACCEPT=text/html,application/xhtml+xml,*/*;q=0.8"

TEST(the_authorizer_sends_a_browser_loading_a_page_to_log_in)
{
	struct answer	*a;
	struct tokens	 t;
	const char	*why = MSG("Missing cookie \\\"access_token_cookie\\\"");

	instance("");
	CHECK_INT(login(&t), 0);
	/* A link followed: 302 to the login page, the page in next. */
	a = AUTHZ("GET", "/members/", NULL, NAVIGATE, HTML,
	    "REQUEST_URI=/members/a b/ü.html?x=1&y=/z#f");
	check_answer(a, 302, why, "navigate");
	CHECK_STR(header_of(a, "Location"),
	    "/login?next=/members/a%20b/%C3%BC.html%3Fx%3D1%26y%3D/z%23f");
	CHECK_STR(header_of(a, "Vary"), "Accept, Sec-Fetch-Mode");
	CHECK_STR(header_of(a, "Cache-Control"), "no-store");
	/* A browser without Sec-Fetch-*: its Accept tells. */
	a = AUTHZ("HEAD", "/members/", NULL, HTML, "REQUEST_URI=/members/");
	CHECK_INT(a->status, 302);
	CHECK_STR(header_of(a, "Location"), "/login?next=/members/");
	a = AUTHZ("GET", "/members/", NULL, "HTTP_ACCEPT=TEXT/HTML; level=1",
	    "REQUEST_URI=/members/");
	CHECK_INT(a->status, 302);
	/* Scripts and API clients keep the 401 and its reason. */
	a = AUTHZ("GET", "/members/", NULL, "HTTP_SEC_FETCH_MODE=cors", HTML,
	    "REQUEST_URI=/members/");
	check_answer(a, 401, why, "fetch");
	CHECK_STR(header_of(a, "Location"), "");
	CHECK_STR(header_of(a, "Vary"), "Accept, Sec-Fetch-Mode");
	a = AUTHZ("GET", "/members/", NULL, "HTTP_ACCEPT=application/json",
	    "REQUEST_URI=/members/");
	check_answer(a, 401, why, "json");
	a = AUTHZ("GET", "/members/", NULL, "REQUEST_URI=/members/");
	check_answer(a, 401, why, "no accept");
	a = AUTHZ("GET", "/members/", NULL,
	    "HTTP_ACCEPT=application/json, text/html;q=0", "REQUEST_URI=/members/");
	check_answer(a, 401, why, "q=0");
	a = AUTHZ("GET", "/members/", NULL,
	    "HTTP_ACCEPT=text/htmlx, text/html-ish", "REQUEST_URI=/members/");
	check_answer(a, 401, why, "not text/html");
	a = AUTHZ("GET", "/members/", NULL,
	    "HTTP_ACCEPT=application/json, text/html;q=0.001",
	    "REQUEST_URI=/members/");
	CHECK_INT(a->status, 302);
	/* Only GET and HEAD are page loads: a form's POST is refused. */
	a = AUTHZ("POST", "/members/", NULL, NAVIGATE, HTML,
	    "REQUEST_URI=/members/");
	check_answer(a, 401, why, "post");
	/* A path that is not one of this site's goes nowhere but /login. */
	a = AUTHZ("GET", "/members/", NULL, NAVIGATE,
	    "REQUEST_URI=//evil.example/members/");
	CHECK_INT(a->status, 302);
	CHECK_STR(header_of(a, "Location"), "/login");
	a = AUTHZ("GET", "/members/", NULL, NAVIGATE,
	    "REQUEST_URI=/\\evil.example/");
	CHECK_STR(header_of(a, "Location"), "/login");
	a = AUTHZ("GET", "/members/", NULL, NAVIGATE,
	    "REQUEST_URI=http://evil.example/");
	CHECK_STR(header_of(a, "Location"), "/login");
	a = AUTHZ("GET", "/members/", NULL, NAVIGATE,
	    "REQUEST_URI=/members/\r\nSet-Cookie: x=1");
	CHECK_STR(header_of(a, "Location"),
	    "/login?next=/members/%0D%0ASet-Cookie%3A%20x%3D1");
	CHECK_STR(header_of(a, "Set-Cookie"), "");
	/* A grant is a grant, navigation or not. */
	a = AUTHZ("GET", "/members/", NULL, NAVIGATE, HTML, t.access,
	    "REQUEST_URI=/members/");
	CHECK_INT(a->status, 200);
	CHECK_STR(header_of(a, "Location"), "");
	/* A server error stays one. */
	a = serve(&authorize_endpoint, LK_APP_AUTHORIZER, "GET", "/members/",
	    NULL, NAVIGATE, "FCGI_ROLE=RESPONDER", NULL);
	check_answer(a, 500, MSG("Internal error"), "role");

	/*
	 * Under mod_fcgid a refusal is its status alone (its headers would
	 * stay on Apache's error document); a grant keeps its variables.
	 */
	a = AUTHZ("GET", "/members/", NULL, NAVIGATE, "REQUEST_URI=/members/",
	    "FCGI_APACHE_ROLE=ACCESS_CHECKER");
	CHECK_INT(a->status, 302);
	CHECK_STR(a->head, "Status: 302 Found");
	CHECK_STR(a->body, "");
	a = AUTHZ("GET", "/members/", NULL, "FCGI_APACHE_ROLE=ACCESS_CHECKER");
	CHECK_STR(a->head, "Status: 401 Unauthorized");
	CHECK_STR(a->body, "");
	a = AUTHZ("GET", "/members/", NULL, "FCGI_APACHE_ROLE=ACCESS_CHECKER",
	    t.access);
	CHECK_INT(a->status, 200);
	CHECK(strstr(a->head, "Variable-LATCHKEY_USER: " EMAIL) != NULL);

	/* Somewhere else to log in, or nowhere. */
	instance("login_page = /app/sign-in\n");
	a = AUTHZ("GET", "/members/", NULL, NAVIGATE, "REQUEST_URI=/members/");
	CHECK_STR(header_of(a, "Location"), "/app/sign-in?next=/members/");
	instance("login_page =\n");
	a = AUTHZ("GET", "/members/", NULL, NAVIGATE, HTML,
	    "REQUEST_URI=/members/");
	check_answer(a, 401, why, "login_page off");
	CHECK_STR(header_of(a, "Vary"), "");
}

#define ERRDOC(...)	serve(&error_endpoint, LK_APP_ERRORDOC, __VA_ARGS__, NULL)

TEST(the_error_document_gives_an_access_checkers_reason)
{
	struct answer	*a;
	struct tokens	 t;

	instance("");
	CHECK_INT(login(&t), 0);
	/* Apache's ErrorDocument 401 after mod_fcgid's refusal. */
	a = ERRDOC("GET", "/api/error", NULL, "REDIRECT_STATUS=401",
	    "REDIRECT_URL=/members/", "REQUEST_URI=/members/");
	check_answer(a, 401, MSG("Missing cookie \\\"access_token_cookie\\\""),
	    "no cookie");
	a = ERRDOC("GET", "/api/error", NULL, "REDIRECT_STATUS=401",
	    "HTTP_COOKIE=access_token_cookie=a.b", "REQUEST_URI=/members/");
	check_answer(a, 401, MSG("Not enough segments"), "malformed");
	/* The method the client used, not Apache's GET for the document. */
	a = ERRDOC("GET", "/api/error", NULL, "REDIRECT_STATUS=401",
	    "REDIRECT_REQUEST_METHOD=POST", t.access, "REQUEST_URI=/members/");
	check_answer(a, 401, MSG("Missing CSRF token"), "post");
	a = ERRDOC("GET", "/api/error", NULL, "REDIRECT_STATUS=401",
	    "REDIRECT_REQUEST_METHOD=POST", NAVIGATE, "REQUEST_URI=/members/");
	CHECK_INT(a->status, 401);
	/* A browser loading the page goes to log in. */
	a = ERRDOC("GET", "/api/error", NULL, "REDIRECT_STATUS=401", NAVIGATE,
	    "REQUEST_URI=/members/x.html?a=1");
	CHECK_INT(a->status, 302);
	CHECK_STR(header_of(a, "Location"), "/login?next=/members/x.html%3Fa%3D1");
	/* Valid by now (refused a moment ago): still no way in. */
	a = ERRDOC("GET", "/api/error", NULL, "REDIRECT_STATUS=401", t.access,
	    "REQUEST_URI=/members/");
	check_answer(a, 401, MSG("Unauthorized"), "valid now");
	CHECK(strstr(a->head, "Variable-") == NULL);
	/* Other statuses need nothing: no configuration at all. */
	setenv("LATCHKEY_CONFIG", "/nonexistent/latchkey.conf", 1);
	lk_app_reset();
	a = ERRDOC("POST", "/api/error", NULL, "REDIRECT_STATUS=413");
	check_answer(a, 413, MSG("Request body too large"), "413");
	a = ERRDOC("GET", "/api/error", NULL, "REDIRECT_STATUS=404");
	check_answer(a, 404, MSG("Not found"), "404");
	a = ERRDOC("GET", "/api/error", NULL, NULL);
	check_answer(a, 404, MSG("Not found"), "asked directly");
	/* A 401 without its configuration: unavailable, not a grant. */
	a = ERRDOC("GET", "/api/error", NULL, "REDIRECT_STATUS=401", t.access);
	check_answer(a, 503, MSG("Service unavailable"), "no config");
}

/* Write the rules file the instance's access_rules names. */
static void
rules_file(const char *text)
{
	(void)tmp_file("access.rules", text, 0644);
}

/*
 * An access cookie for EMAIL signed with the instance's key, as another
 * issuer would write it (no session of ours), with "mfa": mfa when set.
 */
static const char *
minted(const char *mfa)
{
	static char	cookie[LK_TOKEN_MAX + 64];
	char		payload[1024];

	(void)snprintf(payload, sizeof(payload), "{\"fresh\":false,"
	    "\"iat\":%lld,\"jti\":\"0b6d6c4e-1d7e-4e5b-9a39-6f0f1d2b3c4d\","
	    "\"type\":\"access\",\"sub\":\"" EMAIL "\",\"nbf\":%lld,"
	    "\"csrf\":\"5f1c2f8e-0c2a-4f7e-8a51-3c9d0e1f2a3b\",\"exp\":%lld%s%s}",
	    NOW, NOW, NOW + 600, mfa != NULL ? ",\"mfa\":" : "",
	    mfa != NULL ? mfa : "");
	(void)snprintf(cookie, sizeof(cookie), "HTTP_COOKIE=access_token_cookie=%s",
	    forge(HS256_HEADER, payload, keytext, "sha256"));
	return cookie;
}

#define RULES_CONF	"access_rules = access.rules\n"

TEST(the_rules_decide_what_the_authorizer_answers)
{
	struct answer	*a;
	struct tokens	 t;
	const char	*mfa;

	instance(RULES_CONF);
	rules_file("bypass path=/public/\n"
	    "deny path=/closed/\n"
	    "deny user=" EMAIL " path=/members/not-test/\n"
	    "one_factor group=staff path=/staff/\n"
	    "two_factor path=/members/admin/\n"
	    "one_factor path=/members/ method=GET,HEAD,POST\n");
	CHECK_INT(login(&t), 0);
	/* A bypass needs nothing, and says nobody. */
	a = AUTHZ("GET", "/public/", NULL, "REQUEST_URI=/public/x?y=1");
	check_answer(a, 200, "", "bypass");
	CHECK(strstr(a->head, "Variable-") == NULL);
	/* Closed to all: 403 whoever asks, signed in or not. */
	a = AUTHZ("GET", "/closed/", NULL, "REQUEST_URI=/closed/");
	check_answer(a, 403, MSG("Access denied"), "closed, nobody");
	a = AUTHZ("GET", "/closed/", NULL, t.access, "REQUEST_URI=/closed/");
	check_answer(a, 403, MSG("Access denied"), "closed, signed in");
	/* Not matched by any rule: denied. */
	a = AUTHZ("GET", "/elsewhere", NULL, t.access, "REQUEST_URI=/elsewhere");
	check_answer(a, 403, MSG("Access denied"), "no rule");
	a = AUTHZ("DELETE", "/members/", NULL, t.access, t.csrf,
	    "REQUEST_URI=/members/");
	check_answer(a, 403, MSG("Access denied"), "method");
	/* A session wanted: as without rules, 401 and its reason. */
	a = AUTHZ("GET", "/members/", NULL, "REQUEST_URI=/members/");
	check_answer(a, 401, MSG("Missing cookie \\\"access_token_cookie\\\""),
	    "no cookie");
	a = AUTHZ("GET", "/members/not-test/", NULL, "REQUEST_URI=/members/"
	    "not-test/");
	check_answer(a, 401, MSG("Missing cookie \\\"access_token_cookie\\\""),
	    "subject, no cookie");
	/* Signed in: allowed with the identity, or denied by user. */
	a = AUTHZ("GET", "/members/", NULL, t.access, "REQUEST_URI=/members/x");
	check_answer(a, 200, "", "one factor");
	CHECK_STR(header_of(a, "Variable-LATCHKEY_USER"), EMAIL);
	CHECK_STR(header_of(a, "Variable-LATCHKEY_NAME"), "Test User");
	a = AUTHZ("GET", "/members/not-test/", NULL, t.access,
	    "REQUEST_URI=/members/not-test/a");
	check_answer(a, 403, MSG("Access denied"), "by user");
	CHECK(strstr(a->head, "Variable-") == NULL);
	CHECK(strstr(log_text, "access_denied") != NULL);
	/* A group joined counts at the next request, and shows. */
	a = AUTHZ("GET", "/staff/", NULL, t.access, "REQUEST_URI=/staff/");
	check_answer(a, 403, MSG("Access denied"), "not in the group");
	CHECK_INT(lk_store_group_add(lk_app_store(), "staff", "", NOW), LK_STORE_OK);
	CHECK_INT(lk_store_group_add(lk_app_store(), "a.b-c_9", "", NOW),
	    LK_STORE_OK);
	CHECK_INT(lk_store_member_add(lk_app_store(), "staff", EMAIL, NOW),
	    LK_STORE_OK);
	CHECK_INT(lk_store_member_add(lk_app_store(), "a.b-c_9", EMAIL, NOW),
	    LK_STORE_OK);
	a = AUTHZ("GET", "/staff/", NULL, t.access, "REQUEST_URI=/staff/");
	check_answer(a, 200, "", "in the group");
	CHECK_STR(header_of(a, "Variable-LATCHKEY_GROUPS"), "a.b-c_9,staff");
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "GET", "/api/profile",
	    NULL, t.access, NULL);
	check_answer(a, 200, "{\"email\":\"" EMAIL "\",\"groups\":"
	    "[\"a.b-c_9\",\"staff\"],\"name\":\"Test User\"}\n", "groups");
	CHECK_INT(lk_store_member_delete(lk_app_store(), "staff", EMAIL),
	    LK_STORE_OK);
	a = AUTHZ("GET", "/staff/", NULL, t.access, "REQUEST_URI=/staff/");
	check_answer(a, 403, MSG("Access denied"), "out of the group");
	/* The CSRF rule still holds where a session is wanted. */
	a = AUTHZ("POST", "/members/", NULL, t.access, "REQUEST_URI=/members/");
	check_answer(a, 401, MSG("Missing CSRF token"), "csrf");
	/* A password login is one factor; a login with a second is two. */
	a = AUTHZ("GET", "/members/admin/", NULL, t.access,
	    "REQUEST_URI=/members/admin/");
	check_answer(a, 403, MSG("Second factor required"), "one factor");
	mfa = minted("true");
	a = AUTHZ("GET", "/members/admin/", NULL, mfa,
	    "REQUEST_URI=/members/admin/");
	check_answer(a, 200, "", "two factors");
	CHECK_STR(header_of(a, "Variable-LATCHKEY_USER"), EMAIL);
	a = AUTHZ("GET", "/members/admin/", NULL, minted("\"yes\""),
	    "REQUEST_URI=/members/admin/");
	check_answer(a, 403, MSG("Second factor required"), "mfa not true");
	a = AUTHZ("GET", "/members/admin/", NULL, minted(NULL),
	    "REQUEST_URI=/members/admin/");
	check_answer(a, 403, MSG("Second factor required"), "no mfa claim");
	/* The path is read decoded and normalised, never as spelt. */
	a = AUTHZ("GET", "/members/", NULL, t.access,
	    "REQUEST_URI=/members/x/%2e%2e/admin/");
	check_answer(a, 403, MSG("Second factor required"), "dot-segments");
	a = AUTHZ("GET", "/public/", NULL, "REQUEST_URI=/public/..%2Fclosed/");
	check_answer(a, 400, MSG("Invalid request path"), "%2F and ..");
	a = AUTHZ("GET", "/public/", NULL, t.access,
	    "REQUEST_URI=/public/%ff");
	check_answer(a, 400, MSG("Invalid request path"), "not UTF-8");
	a = AUTHZ("GET", "/public/", NULL, "REQUEST_URI=//closed/");
	check_answer(a, 403, MSG("Access denied"), "//");
	/* Without REQUEST_URI there is nothing to decide on. */
	a = AUTHZ("GET", "/public/", NULL, t.access);
	check_answer(a, 400, MSG("Invalid request path"), "no uri");
}


/* A forward-auth check from a proxy on loopback. */
#define FWD(...)	serve(&authz_endpoint, LK_APP_RESPONDER, "GET", \
	"/api/authz", NULL, "PATH_INFO=/forward-auth", "REMOTE_ADDR=127.0.0.1", \
	__VA_ARGS__, NULL)
#define AUTHREQ(...)	serve(&authz_endpoint, LK_APP_RESPONDER, "GET", \
	"/api/authz", NULL, "PATH_INFO=/auth-request", "REMOTE_ADDR=127.0.0.1", \
	__VA_ARGS__, NULL)
#define XF(method, uri)	"HTTP_X_FORWARDED_METHOD=" method, \
	"HTTP_X_FORWARDED_PROTO=https", "HTTP_X_FORWARDED_HOST=app.example.com", \
	"HTTP_X_FORWARDED_URI=" uri, "HTTP_X_FORWARDED_FOR=203.0.113.7"
#define FWD_CONF	"site_url = https://auth.example.com\n" \
	"cookie_domain = example.com\n"
#define NO_COOKIE	MSG("Missing cookie \\\"access_token_cookie\\\"")

TEST(forward_auth_answers_as_caddy_and_traefik_expect)
{
	struct answer	*a;
	struct tokens	 t;

	instance(FWD_CONF);
	CHECK_INT(login(&t), 0);
	/* A session: 200, empty body, who it is. */
	a = FWD(XF("GET", "/x?y=1"), t.access);
	check_answer(a, 200, "", "session");
	CHECK_STR(header_of(a, "Remote-User"), EMAIL);
	CHECK_STR(header_of(a, "Remote-Email"), EMAIL);
	CHECK_STR(header_of(a, "Remote-Name"), "Test User");
	CHECK(strstr(a->head, "Remote-Groups: \r\n") != NULL ||
	    strstr(a->head, "Remote-Groups: ") != NULL);
	CHECK_STR(header_of(a, "Remote-Groups"), "");
	CHECK_STR(header_of(a, "Location"), "");
	/* A browser without one: to log in, and back to the page. */
	a = FWD(XF("GET", "/x?y=1"), NAVIGATE, HTML);
	check_answer(a, 302, NO_COOKIE, "navigate");
	CHECK_STR(header_of(a, "Location"), "https://auth.example.com/login"
	    "?next=https://app.example.com/x%3Fy%3D1");
	a = FWD(XF("HEAD", "/x"), HTML);
	CHECK_INT(a->status, 302);
	/* A form posted: 303, so that the login page is fetched with GET. */
	a = FWD(XF("POST", "/form"), NAVIGATE, HTML);
	check_answer(a, 303, NO_COOKIE, "post");
	CHECK_STR(header_of(a, "Location"), "https://auth.example.com/login"
	    "?next=https://app.example.com/form");
	/* Scripts: 401 JSON. */
	a = FWD(XF("GET", "/x"), "HTTP_SEC_FETCH_MODE=cors", HTML);
	check_answer(a, 401, NO_COOKIE, "fetch");
	a = FWD(XF("GET", "/x"), "HTTP_X_REQUESTED_WITH=XMLHttpRequest", HTML);
	check_answer(a, 401, NO_COOKIE, "xhr");
	a = FWD(XF("GET", "/x"), "HTTP_ACCEPT=application/json");
	check_answer(a, 401, NO_COOKIE, "json");
	/* A token refused is a 401 here, whatever the API would say. */
	a = FWD(XF("GET", "/x"), "HTTP_COOKIE=access_token_cookie=a.b");
	check_answer(a, 401, MSG("Not enough segments"), "garbled");
	/* The original method stands in the CSRF rule. */
	a = FWD(XF("POST", "/x"), t.access);
	check_answer(a, 401, MSG("Missing CSRF token"), "csrf");
	a = FWD(XF("POST", "/x"), t.access, t.csrf);
	check_answer(a, 200, "", "csrf sent");
	/* Another host than the site's: to log in, back to the profile. */
	a = serve(&authz_endpoint, LK_APP_RESPONDER, "GET", "/api/authz", NULL,
	    "PATH_INFO=/forward-auth", "REMOTE_ADDR=127.0.0.1", NAVIGATE,
	    "HTTP_X_FORWARDED_METHOD=GET", "HTTP_X_FORWARDED_PROTO=https",
	    "HTTP_X_FORWARDED_HOST=example.org", "HTTP_X_FORWARDED_URI=/", NULL);
	CHECK_INT(a->status, 302);
	CHECK_STR(header_of(a, "Location"), "https://auth.example.com/login");
	/* Only the check's own paths and methods. */
	a = serve(&authz_endpoint, LK_APP_RESPONDER, "POST", "/api/authz", NULL,
	    "PATH_INFO=/forward-auth", "REMOTE_ADDR=127.0.0.1", XF("GET", "/"),
	    NULL);
	check_answer(a, 405, MSG("Method not allowed"), "post");
	a = serve(&authz_endpoint, LK_APP_RESPONDER, "GET", "/api/authz", NULL,
	    "REMOTE_ADDR=127.0.0.1", XF("GET", "/"), NULL);
	check_answer(a, 404, MSG("Not found"), "itself");
}

TEST(forward_auth_reads_the_original_request_strictly)
{
	struct answer	*a;
	struct tokens	 t;

	instance(FWD_CONF);
	CHECK_INT(login(&t), 0);
	a = FWD("HTTP_X_FORWARDED_METHOD=GET", "HTTP_X_FORWARDED_PROTO=https",
	    "HTTP_X_FORWARDED_URI=/", t.access);
	check_answer(a, 400, MSG("Missing header X-Forwarded-Host"), "host");
	a = FWD("HTTP_X_FORWARDED_METHOD=get", "HTTP_X_FORWARDED_PROTO=https",
	    "HTTP_X_FORWARDED_HOST=app.example.com", "HTTP_X_FORWARDED_URI=/",
	    t.access);
	check_answer(a, 400, MSG("Invalid header X-Forwarded-Method"), "method");
	a = FWD("HTTP_X_FORWARDED_METHOD=GET", "HTTP_X_FORWARDED_PROTO=ftp",
	    "HTTP_X_FORWARDED_HOST=app.example.com", "HTTP_X_FORWARDED_URI=/",
	    t.access);
	check_answer(a, 400, MSG("Invalid header X-Forwarded-Proto"), "proto");
	a = FWD("HTTP_X_FORWARDED_METHOD=GET", "HTTP_X_FORWARDED_PROTO=https",
	    "HTTP_X_FORWARDED_HOST=evil.example@app.example.com",
	    "HTTP_X_FORWARDED_URI=/", t.access);
	check_answer(a, 400, MSG("Invalid header X-Forwarded-Host"), "userinfo");
	a = FWD("HTTP_X_FORWARDED_METHOD=GET", "HTTP_X_FORWARDED_PROTO=https",
	    "HTTP_X_FORWARDED_HOST=app.example.com/x",
	    "HTTP_X_FORWARDED_URI=/", t.access);
	check_answer(a, 400, MSG("Invalid header X-Forwarded-Host"), "slash");
	a = FWD("HTTP_X_FORWARDED_METHOD=GET", "HTTP_X_FORWARDED_PROTO=https",
	    "HTTP_X_FORWARDED_HOST=app.example.com",
	    "HTTP_X_FORWARDED_URI=//evil.example/", t.access);
	check_answer(a, 400, MSG("Invalid header X-Forwarded-Uri"), "//");
	a = FWD("HTTP_X_FORWARDED_METHOD=GET", "HTTP_X_FORWARDED_PROTO=https",
	    "HTTP_X_FORWARDED_HOST=app.example.com",
	    "HTTP_X_FORWARDED_URI=/a b", t.access);
	check_answer(a, 400, MSG("Invalid header X-Forwarded-Uri"), "space");
	/* auth-request: a whole URL, and the same care. */
	a = AUTHREQ("HTTP_X_ORIGINAL_METHOD=GET", t.access);
	check_answer(a, 400, MSG("Missing header X-Original-URL"), "no url");
	a = AUTHREQ("HTTP_X_ORIGINAL_URL=https:app.example.com/",
	    "HTTP_X_ORIGINAL_METHOD=GET", t.access);
	check_answer(a, 400, MSG("Invalid header X-Original-URL"), "https:");
	a = AUTHREQ("HTTP_X_ORIGINAL_URL=https://app.example.com\\@evil/",
	    "HTTP_X_ORIGINAL_METHOD=GET", t.access);
	check_answer(a, 400, MSG("Invalid header X-Original-URL"), "backslash");
}

TEST(forward_auth_believes_only_trusted_proxies)
{
	struct answer	*a;
	struct tokens	 t;

	instance(FWD_CONF);
	CHECK_INT(login(&t), 0);
	log_text[0] = '\0';
	/* serve() makes the peer 192.0.2.10: not loopback. */
	a = serve(&authz_endpoint, LK_APP_RESPONDER, "GET", "/api/authz", NULL,
	    "PATH_INFO=/forward-auth", XF("GET", "/"), t.access, NULL);
	check_answer(a, 403, MSG("Untrusted proxy"), "untrusted");
	CHECK(strstr(a->head, "Remote-User") == NULL);
	CHECK(strstr(log_text, "event=\"untrusted_proxy\"") != NULL);
	CHECK(strstr(log_text, "addr=\"192.0.2.10\"") != NULL);
	a = serve(&authz_endpoint, LK_APP_RESPONDER, "GET", "/api/authz", NULL,
	    "PATH_INFO=/auth-request", "HTTP_X_ORIGINAL_URL=https://app."
	    "example.com/", "HTTP_X_ORIGINAL_METHOD=GET", t.access, NULL);
	check_answer(a, 403, MSG("Untrusted proxy"), "untrusted, nginx");
	/* Listed, it is believed; IPv6 loopback is by default. */
	a = serve(&authz_endpoint, LK_APP_RESPONDER, "GET", "/api/authz", NULL,
	    "PATH_INFO=/forward-auth", "REMOTE_ADDR=::1", XF("GET", "/"),
	    t.access, NULL);
	check_answer(a, 200, "", "::1");
	instance(FWD_CONF "trusted_proxies = 10.0.0.0/8, 192.0.2.0/28\n");
	CHECK_INT(login(&t), 0);
	a = serve(&authz_endpoint, LK_APP_RESPONDER, "GET", "/api/authz", NULL,
	    "PATH_INFO=/forward-auth", XF("GET", "/"), t.access, NULL);
	check_answer(a, 200, "", "listed");
	a = FWD(XF("GET", "/"), t.access);
	check_answer(a, 403, MSG("Untrusted proxy"), "loopback, not listed");
}

TEST(auth_request_answers_as_nginx_expects)
{
	struct answer	*a;
	struct tokens	 t;

	instance(FWD_CONF);
	CHECK_INT(login(&t), 0);
	a = AUTHREQ("HTTP_X_ORIGINAL_URL=https://app.example.com:8443/p?q",
	    "HTTP_X_ORIGINAL_METHOD=GET", t.access);
	check_answer(a, 200, "", "session");
	CHECK_STR(header_of(a, "Remote-User"), EMAIL);
	CHECK_STR(header_of(a, "Remote-Name"), "Test User");
	/* No session, browser or not: 401, where to log in in Location. */
	a = AUTHREQ("HTTP_X_ORIGINAL_URL=https://app.example.com:8443/p?q",
	    "HTTP_X_ORIGINAL_METHOD=GET", NAVIGATE, HTML);
	check_answer(a, 401, NO_COOKIE, "no session");
	CHECK_STR(header_of(a, "Location"), "https://auth.example.com/login"
	    "?next=https://app.example.com:8443/p%3Fq");
	a = AUTHREQ("HTTP_X_ORIGINAL_URL=http://elsewhere.example/",
	    "HTTP_X_ORIGINAL_METHOD=GET");
	check_answer(a, 401, NO_COOKIE, "other host");
	CHECK_STR(header_of(a, "Location"), "https://auth.example.com/login");
	/* After a logout, anonymous again. */
	a = serve(&logout_endpoint, LK_APP_RESPONDER, "POST", "/api/logout",
	    "{}", JSON, t.access, NULL);
	check_answer(a, 200, "{\"logout\":true}\n", "logout");
	a = AUTHREQ("HTTP_X_ORIGINAL_URL=https://app.example.com/",
	    "HTTP_X_ORIGINAL_METHOD=GET", t.access);
	check_answer(a, 401, MSG("Token has been revoked"), "logged out");
}

TEST(the_rules_decide_forward_auth)
{
	struct answer	*a;
	struct tokens	 t;

	instance(FWD_CONF RULES_CONF);
	rules_file("bypass host=app.example.com path=/public/\n"
	    "deny host=app.example.com path=/closed/\n"
	    "one_factor host=app.example.com path=/staff/ group=staff\n"
	    "deny host=app.example.com path=/staff/\n"
	    "two_factor host=admin.example.net\n"
	    "one_factor host=app.example.com net=203.0.113.0/24\n");
	CHECK_INT(login(&t), 0);
	a = FWD(XF("GET", "/public/x"));
	check_answer(a, 200, "", "bypass");
	CHECK(strstr(a->head, "Remote-") == NULL);
	a = FWD(XF("GET", "/closed/"), t.access);
	check_answer(a, 403, MSG("Access denied"), "closed");
	a = FWD(XF("GET", "/closed/"), t.access, NAVIGATE, HTML);
	check_answer(a, 403, MSG("Access denied"), "closed, a browser");
	a = FWD(XF("GET", "/y"), t.access);
	check_answer(a, 200, "", "one factor");
	CHECK_STR(header_of(a, "Remote-Groups"), "");
	/* Groups: a group= rule, and Remote-Groups comma-joined. */
	a = FWD(XF("GET", "/staff/"), t.access);
	check_answer(a, 403, MSG("Access denied"), "not in the group");
	CHECK_INT(lk_store_group_add(lk_app_store(), "staff", "", NOW), LK_STORE_OK);
	CHECK_INT(lk_store_group_add(lk_app_store(), "admins", "", NOW),
	    LK_STORE_OK);
	CHECK_INT(lk_store_member_add(lk_app_store(), "staff", EMAIL, NOW),
	    LK_STORE_OK);
	CHECK_INT(lk_store_member_add(lk_app_store(), "admins", EMAIL, NOW),
	    LK_STORE_OK);
	a = FWD(XF("GET", "/staff/"), t.access);
	check_answer(a, 200, "", "in the group");
	CHECK_STR(header_of(a, "Remote-Groups"), "admins,staff");
	CHECK_STR(header_of(a, "Remote-User"), EMAIL);
	/* net= reads the address the proxy added last to X-Forwarded-For. */
	a = FWD("HTTP_X_FORWARDED_METHOD=GET", "HTTP_X_FORWARDED_PROTO=https",
	    "HTTP_X_FORWARDED_HOST=app.example.com", "HTTP_X_FORWARDED_URI=/y",
	    "HTTP_X_FORWARDED_FOR=203.0.113.9, 198.51.100.1", t.access);
	check_answer(a, 403, MSG("Access denied"), "net, last entry");
	a = FWD("HTTP_X_FORWARDED_METHOD=GET", "HTTP_X_FORWARDED_PROTO=https",
	    "HTTP_X_FORWARDED_HOST=app.example.com", "HTTP_X_FORWARDED_URI=/y",
	    t.access);
	check_answer(a, 403, MSG("Access denied"), "net, no address");
	/* A second factor wanted. */
	a = AUTHREQ("HTTP_X_ORIGINAL_URL=https://admin.example.net/",
	    "HTTP_X_ORIGINAL_METHOD=GET", t.access);
	check_answer(a, 403, MSG("Second factor required"), "one factor");
	a = AUTHREQ("HTTP_X_ORIGINAL_URL=https://admin.example.net/",
	    "HTTP_X_ORIGINAL_METHOD=GET", minted("true"));
	check_answer(a, 200, "", "two factors");
	/* The rules' hosts may be returned to. */
	a = AUTHREQ("HTTP_X_ORIGINAL_URL=https://admin.example.net/a",
	    "HTTP_X_ORIGINAL_METHOD=GET");
	CHECK_STR(header_of(a, "Location"), "https://auth.example.com/login"
	    "?next=https://admin.example.net/a");
}

/* Ask /api/authz/return-to about url (JSON-escaped already). */
static struct answer *
return_to_ask(const char *url)
{
	static char	body[4096];

	(void)snprintf(body, sizeof(body), "{\"url\":\"%s\"}", url);
	return serve(&authz_endpoint, LK_APP_RESPONDER, "POST", "/api/authz",
	    body, "PATH_INFO=/return-to", JSON,
	    "HTTP_ORIGIN=http://app.example", NULL);
}

TEST(a_login_returns_only_to_the_sites_own_hosts)
{
	static const char *const ok[] = {
		"https://app.example.com/x?y=1#z",
		"http://example.com",
		"https://APP.Example.com:8443/",
		"https://auth.example.com/profile",
		"https://admin.example.net/",
	};
	static const char *const refused[] = {
		"//evil.example/", "/\\\\evil.example/", "https:evil.example",
		"https:/app.example.com/", "javascript:alert(1)",
		"https://evil.example/", "https://example.com.evil.example/",
		"https://evilexample.com/", "https://user@app.example.com/",
		"https://app.example.com@evil.example/",
		"https://app.example.com\\\\@evil.example/",
		"https://app.example.com\\\\evil.example/",
		"https://%61pp.example.com/", "https://app.example.com%2F@evil/",
		"https://evil.example#@app.example.com/",
		"https://evil.example?@app.example.com/",
		"https://app.example.com/\\u000d\\u000aSet-Cookie:x",
		"https://app.example.com/a b", "ftp://app.example.com/",
		"/profile", "",
		"https://[::1]/", "https://example.net/",
	};
	struct answer	*a;
	char		 want[512];
	size_t		 i;

	instance(FWD_CONF RULES_CONF);
	rules_file("two_factor host=admin.example.net\n");
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		a = return_to_ask(ok[i]);
		(void)snprintf(want, sizeof(want), "{\"url\":\"%s\"}\n", ok[i]);
		check_answer(a, 200, want, ok[i]);
	}
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		a = return_to_ask(refused[i]);
		check_answer(a, 200, "{\"url\":null}\n", refused[i]);
	}
	/* Without cookie_domain or rules: site_url's host alone. */
	instance("site_url = https://auth.example.com\n");
	check_answer(return_to_ask("https://auth.example.com/x"), 200,
	    "{\"url\":\"https://auth.example.com/x\"}\n", "site");
	check_answer(return_to_ask("https://app.example.com/x"), 200,
	    "{\"url\":null}\n", "not declared");
}

TEST(a_browser_refused_by_the_rules_is_told_why)
{
	struct answer	*a;
	struct tokens	 t;

	instance(RULES_CONF);
	rules_file("deny path=/closed/\ntwo_factor\n");
	CHECK_INT(login(&t), 0);
	a = AUTHZ("GET", "/members/", NULL, NAVIGATE, HTML, t.access,
	    "REQUEST_URI=/members/a?b=1");
	check_answer(a, 302, MSG("Second factor required"), "navigate");
	CHECK_STR(header_of(a, "Location"),
	    "/login?next=/members/a%3Fb%3D1&denied=second_factor");
	CHECK_STR(header_of(a, "Vary"), "Accept, Sec-Fetch-Mode");
	a = AUTHZ("GET", "/closed/", NULL, NAVIGATE, HTML, t.access,
	    "REQUEST_URI=/closed/");
	CHECK_INT(a->status, 302);
	CHECK_STR(header_of(a, "Location"), "/login?next=/closed/&denied=access");
	a = AUTHZ("GET", "/closed/", NULL, NAVIGATE, "REQUEST_URI=//closed/");
	CHECK_INT(a->status, 302);
	CHECK_STR(header_of(a, "Location"), "/login?denied=access");
	/* Scripts keep the 403 and its reason. */
	a = AUTHZ("GET", "/members/", NULL, "HTTP_SEC_FETCH_MODE=cors", HTML,
	    t.access, "REQUEST_URI=/members/");
	check_answer(a, 403, MSG("Second factor required"), "fetch");
	CHECK_STR(header_of(a, "Vary"), "Accept, Sec-Fetch-Mode");
	/* A path refused is a 400 for everyone. */
	a = AUTHZ("GET", "/members/", NULL, NAVIGATE, HTML,
	    "REQUEST_URI=/a%00");
	check_answer(a, 400, MSG("Invalid request path"), "bad path");
	CHECK_STR(header_of(a, "Location"), "");
	/* Under mod_fcgid: the status alone, then the error document. */
	a = AUTHZ("GET", "/members/", NULL, t.access, "REQUEST_URI=/members/",
	    "FCGI_APACHE_ROLE=ACCESS_CHECKER");
	CHECK_STR(a->head, "Status: 403 Forbidden");
	CHECK_STR(a->body, "");
	a = ERRDOC("GET", "/api/error", NULL, "REDIRECT_STATUS=401", t.access,
	    "REQUEST_URI=/members/");
	check_answer(a, 403, MSG("Second factor required"), "errdoc");
	a = ERRDOC("GET", "/api/error", NULL, "REDIRECT_STATUS=401", t.access,
	    NAVIGATE, "REQUEST_URI=/members/");
	CHECK_INT(a->status, 302);
	CHECK_STR(header_of(a, "Location"),
	    "/login?next=/members/&denied=second_factor");
	a = ERRDOC("GET", "/api/error", NULL, "REDIRECT_STATUS=401",
	    "REQUEST_URI=/closed/");
	check_answer(a, 403, MSG("Access denied"), "errdoc closed");
	/* No login page: the 403 for everyone. */
	instance(RULES_CONF "login_page =\n");
	CHECK_INT(login(&t), 0);
	a = AUTHZ("GET", "/members/", NULL, NAVIGATE, HTML, t.access,
	    "REQUEST_URI=/members/");
	check_answer(a, 403, MSG("Second factor required"), "no login page");
}

TEST(the_rules_file_is_read_again_when_it_changes)
{
	struct answer	*a;
	struct tokens	 t;
	char		 want[700];

	instance(RULES_CONF);
	rules_file("one_factor\n");
	CHECK_INT(login(&t), 0);
	a = AUTHZ("GET", "/x", NULL, t.access, "REQUEST_URI=/x");
	CHECK_INT(a->status, 200);
	/*
	 * An edit counts from the next second: the file is looked at once a
	 * second at most, with no system call in between.
	 */
	rules_file("deny path=/x\none_factor\n");
	a = AUTHZ("GET", "/x", NULL, t.access, "REQUEST_URI=/x");
	CHECK_INT(a->status, 200);
	clock_now++;
	a = AUTHZ("GET", "/x", NULL, t.access, "REQUEST_URI=/x");
	check_answer(a, 403, MSG("Access denied"), "edited");
	a = AUTHZ("GET", "/y", NULL, t.access, "REQUEST_URI=/y");
	CHECK_INT(a->status, 200);
	/* A broken file refuses everything, bypass or not, and says where. */
	log_text[0] = '\0';
	rules_file("bypass\ndeny path=/x\none_factor nope\n");
	clock_now++;
	a = AUTHZ("GET", "/y", NULL, t.access, "REQUEST_URI=/y");
	check_answer(a, 503, MSG("Service unavailable"), "broken");
	a = AUTHZ("GET", "/y", NULL, "REQUEST_URI=/y");
	check_answer(a, 503, MSG("Service unavailable"), "broken, nobody");
	(void)snprintf(want, sizeof(want), "refusing every request: access "
	    "rules %s/access.rules:3: \"nope\" is not MATCHER=VALUE", tmp_dir());
	CHECK(strstr(log_text, want) != NULL);
	/* Logged once, not per request, in the same second. */
	CHECK(strstr(strstr(log_text, want) + 1, want) == NULL);
	/* Fixed: served again from the next second. */
	rules_file("bypass\n");
	clock_now++;
	a = AUTHZ("GET", "/y", NULL, "REQUEST_URI=/y");
	check_answer(a, 200, "", "fixed");
	/* Gone: broken again. */
	(void)snprintf(want, sizeof(want), "%s/access.rules", tmp_dir());
	CHECK(unlink(want) == 0);
	clock_now++;
	a = AUTHZ("GET", "/y", NULL, "REQUEST_URI=/y");
	check_answer(a, 503, MSG("Service unavailable"), "gone");
	/* Without access_rules nothing is read: any session passes. */
	instance("");
	CHECK_INT(login(&t), 0);
	a = AUTHZ("GET", "/anything", NULL, t.access, "REQUEST_URI=/anything");
	CHECK_INT(a->status, 200);
	a = AUTHZ("GET", "/x", NULL, t.access, "REQUEST_URI=/a%00");
	CHECK_INT(a->status, 200);
}

/* An endpoint with routes under its path, answering which one ran. */
static void
route_answer(struct lk_ctx *ctx, const char *which)
{
	struct lk_json_out	o;

	lk_json_out_init(&o);
	(void)lk_json_out_str(&o, "route", which);
	(void)lk_json_out_str(&o, "arg", ctx->route_arg);
	lk_response_json(ctx->resp, 200, &o);
}

static void route_self(struct lk_ctx *ctx) { route_answer(ctx, "self"); }
static void route_a(struct lk_ctx *ctx) { route_answer(ctx, "a"); }
static void route_item(struct lk_ctx *ctx) { route_answer(ctx, "item"); }
static void route_deep(struct lk_ctx *ctx) { route_answer(ctx, "deep"); }

static const struct lk_route probe_routes[] = {
	{ "/a", LK_METHOD_POST, route_a },
	{ "/items/:id", LK_METHOD_GET | LK_METHOD_DELETE, route_item },
	{ "/items/:id/x", LK_METHOD_GET, route_deep },
	{ NULL, 0, NULL }
};
static const struct lk_endpoint probe_endpoint = {
	"probe", LK_METHOD_GET, route_self, probe_routes
};
static const struct lk_endpoint routes_only_endpoint = {
	"probe", 0, NULL, probe_routes
};

#define ROUTE(method, pi)	serve(&probe_endpoint, LK_APP_RESPONDER, method, \
	"/api/probe", NULL, "PATH_INFO=" pi, NULL)

TEST(routes_under_an_endpoint)
{
	struct answer	*a;
	char		 long_id[LK_ROUTE_ARG_MAX + 32];

	instance("");
	a = ROUTE("GET", "");
	check_answer(a, 200, "{\"arg\":\"\",\"route\":\"self\"}\n", "self");
	a = ROUTE("POST", "/a");
	check_answer(a, 200, "{\"arg\":\"\",\"route\":\"a\"}\n", "a");
	a = ROUTE("DELETE", "/items/Ab3_x-9");
	check_answer(a, 200, "{\"arg\":\"Ab3_x-9\",\"route\":\"item\"}\n",
	    "item");
	a = ROUTE("GET", "/items/Q/x");
	check_answer(a, 200, "{\"arg\":\"Q\",\"route\":\"deep\"}\n", "deep");
	/* Each route its own methods, and Allow says them. */
	a = ROUTE("GET", "/a");
	check_answer(a, 405, MSG("Method not allowed"), "a by GET");
	CHECK_STR(header_of(a, "Allow"), "POST");
	a = ROUTE("POST", "/items/Q");
	CHECK_INT(a->status, 405);
	CHECK_STR(header_of(a, "Allow"), "GET, DELETE");
	a = ROUTE("POST", "");
	CHECK_STR(header_of(a, "Allow"), "GET");
	/* Anything else is not found: no prefix, no extra, no odd segment. */
	for (const char *const *p = (const char *const[]){ "/", "/a/", "/ab",
	    "/A", "/items", "/items/", "/items/a/b", "/items/a.b", "/items/a%2Fb",
	    "/items/a/x/", "/items//x", "//a", "/items/\xc3\xa9", NULL };
	    *p != NULL; p++) {
		char	pi[64];

		(void)snprintf(pi, sizeof(pi), "PATH_INFO=%s", *p);
		a = serve(&probe_endpoint, LK_APP_RESPONDER, "GET", "/api/probe",
		    NULL, pi, NULL);
		check_answer(a, 404, MSG("Not found"), *p);
	}
	memset(long_id, 'a', sizeof(long_id));
	(void)memcpy(long_id, "PATH_INFO=/items/", 17);
	long_id[17 + LK_ROUTE_ARG_MAX] = '\0';
	a = serve(&probe_endpoint, LK_APP_RESPONDER, "GET", "/api/probe", NULL,
	    long_id, NULL);
	CHECK_INT(a->status, 200);
	long_id[17 + LK_ROUTE_ARG_MAX] = 'a';
	long_id[18 + LK_ROUTE_ARG_MAX] = '\0';
	a = serve(&probe_endpoint, LK_APP_RESPONDER, "GET", "/api/probe", NULL,
	    long_id, NULL);
	check_answer(a, 404, MSG("Not found"), "segment too long");
	/* Without a handler of its own, the endpoint's path is not found. */
	a = serve(&routes_only_endpoint, LK_APP_RESPONDER, "GET", "/api/probe",
	    NULL, NULL);
	check_answer(a, 404, MSG("Not found"), "no self");
	/* Endpoints without routes keep refusing any PATH_INFO. */
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "GET", "/api/profile",
	    NULL, "PATH_INFO=/x", NULL);
	check_answer(a, 404, MSG("Not found"), "no routes");
}

/*
 * Every token refusal, through the whole runtime: a cookie holding a
 * token forged with the instance's own key (so that the claim checks are
 * reached), answered with the status and message of the reason's row.
 */
struct token_case {
	const char	*conf;		/* configuration for the case */
	const char	*header;	/* NULL: {"alg":"HS256","typ":"JWT"} */
	const char	*payload;	/* %lld: NOW - 1, NOW + 60 */
	int		 sign;		/* 0: no signature at all */
	const char	*raw;		/* the cookie's value as is, if set */
	enum lk_token_err err;
};

#define HS	"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define CL(x)	"{\"csrf\":\"c\",\"exp\":%lld,\"fresh\":false,\"iat\":%lld," \
	"\"jti\":\"j\",\"nbf\":%lld,\"sub\":\"" EMAIL "\"" x "}"

static const struct token_case token_cases[] = {
	{ "", NULL, NULL, 0, "a.b", LK_TOKEN_SEGMENTS },
	{ "", NULL, NULL, 0, "!!.e30.", LK_TOKEN_HEADER_PADDING },
	{ "", NULL, NULL, 0, "WzFd.e30.", LK_TOKEN_HEADER_STRING },
	{ "", NULL, NULL, 0, "e30.!!.", LK_TOKEN_PAYLOAD_PADDING },
	{ "", NULL, NULL, 0, "eyJhbGciOiJIUzI1NiJ9.e30.!!", LK_TOKEN_CRYPTO_PADDING },
	{ "", "{\"alg\":\"HS512\",\"typ\":\"JWT\"}", CL(",\"type\":\"access\""), 1,
	    NULL, LK_TOKEN_ALG },
	{ "", "{\"alg\":\"none\"}", CL(",\"type\":\"access\""), 0, NULL,
	    LK_TOKEN_ALG },
	{ "", "{\"alg\":\"HS256\",\"crit\":[\"b64\"]}", CL(",\"type\":\"access\""),
	    1, NULL, LK_TOKEN_CRIT },
	{ "", HS, CL(",\"type\":\"access\""), 0, NULL, LK_TOKEN_SIGNATURE },
	{ "", HS, "[1]", 1, NULL, LK_TOKEN_PAYLOAD_STRING },
	{ "", HS, "{\"exp\":%lld,\"iat\":\"x\",\"sub\":\"" EMAIL "\"}", 1, NULL,
	    LK_TOKEN_IAT_TYPE },
	{ "", HS, "{\"exp\":%lld,\"nbf\":1.5,\"sub\":\"" EMAIL "\"}", 1, NULL,
	    LK_TOKEN_NBF_TYPE },
	{ "", HS, "{\"exp\":%lld,\"nbf\":99999999999,\"sub\":\"" EMAIL "\"}", 1,
	    NULL, LK_TOKEN_IMMATURE },
	{ "", HS, "{\"sub\":\"" EMAIL "\"}", 1, NULL, LK_TOKEN_EXP_MISSING },
	{ "", HS, "{\"exp\":\"1\",\"sub\":\"" EMAIL "\"}", 1, NULL,
	    LK_TOKEN_EXP_TYPE },
	{ "", HS, "{\"exp\":1000,\"sub\":\"" EMAIL "\"}", 1, NULL,
	    LK_TOKEN_EXPIRED },
	{ "audience = app\n", HS, CL(",\"type\":\"access\""), 1, NULL,
	    LK_TOKEN_AUD_MISSING },
	{ "", HS, CL(",\"aud\":\"x\",\"type\":\"access\""), 1, NULL,
	    LK_TOKEN_AUD_INVALID },
	{ "issuer = https://app.example\n", HS, CL(",\"type\":\"access\""), 1,
	    NULL, LK_TOKEN_ISS_MISSING },
	{ "issuer = https://app.example\n", HS,
	    CL(",\"iss\":\"https://x\",\"type\":\"access\""), 1, NULL,
	    LK_TOKEN_ISS_INVALID },
	{ "", HS, "{\"csrf\":\"c\",\"exp\":%lld,\"jti\":\"j\",\"type\":\"access\"}",
	    1, NULL, LK_TOKEN_SUB_MISSING },
	{ "", HS, "{\"csrf\":\"c\",\"exp\":%lld,\"jti\":\"j\",\"sub\":7,"
	    "\"type\":\"access\"}", 1, NULL, LK_TOKEN_SUB_TYPE },
	{ "", HS, CL(""), 1, NULL, LK_TOKEN_TYPE_MISSING },
	{ "", HS, CL(",\"type\":7"), 1, NULL, LK_TOKEN_TYPE_INVALID },
	{ "", HS, CL(",\"type\":\"refresh\""), 1, NULL, LK_TOKEN_ONLY_ACCESS },
	{ "", HS, "{\"csrf\":\"c\",\"exp\":%lld,\"sub\":\"" EMAIL "\","
	    "\"type\":\"access\"}", 1, NULL, LK_TOKEN_JTI_MISSING },
	{ "", HS, "{\"csrf\":\"c\",\"exp\":%lld,\"jti\":5,\"sub\":\"" EMAIL "\","
	    "\"type\":\"access\"}", 1, NULL, LK_TOKEN_JTI_TYPE },
	{ "", HS, "{\"exp\":%lld,\"jti\":\"j\",\"sub\":\"" EMAIL "\","
	    "\"type\":\"access\"}", 1, NULL, LK_TOKEN_CSRF_MISSING },
	{ "", HS, "{\"csrf\":[],\"exp\":%lld,\"jti\":\"j\",\"sub\":\"" EMAIL "\","
	    "\"type\":\"access\"}", 1, NULL, LK_TOKEN_CSRF_TYPE },
	{ "", HS, "{\"csrf\":\"c\",\"exp\":%lld,\"fresh\":\"yes\",\"jti\":\"j\","
	    "\"sub\":\"" EMAIL "\",\"type\":\"access\"}", 1, NULL,
	    LK_TOKEN_FRESH_TYPE },
};

/* A payload template: each %lld, in turn, exp then iat and nbf. */
static void
fill(char *out, size_t outsz, const char *tmpl)
{
	const long long	 v[3] = { NOW + 60, NOW - 1, NOW - 1 };
	const char	*p;
	size_t		 o = 0;
	int		 k = 0, n;

	for (p = tmpl; *p != '\0' && o + 24 < outsz; p++) {
		if (strncmp(p, "%lld", 4) == 0 && k < 3) {
			n = snprintf(out + o, outsz - o, "%lld", v[k++]);
			o += n > 0 ? (size_t)n : 0;
			p += 3;
		} else
			out[o++] = *p;
	}
	out[o] = '\0';
}

/* {"msg":"TEXT"} and a newline, as the API writes it (quotes escaped). */
static void
json_msg(char *out, size_t outsz, const char *text)
{
	size_t	o, k;

	o = (size_t)snprintf(out, outsz, "{\"msg\":\"");
	for (k = 0; text[k] != '\0' && o + 6 < outsz; k++) {
		if (text[k] == '"' || text[k] == '\\')
			out[o++] = '\\';
		out[o++] = text[k];
	}
	(void)snprintf(out + o, outsz - o, "\"}\n");
}

TEST(a_logged_out_token_is_revoked)
{
	struct answer	*a;
	struct tokens	 t;

	instance("");
	CHECK_INT(login(&t), 0);
	a = serve(&logout_endpoint, LK_APP_RESPONDER, "POST", "/api/logout",
	    "{}", JSON, t.access, NULL);
	check_answer(a, 200, "{\"logout\":true}\n", "logout");
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "GET", "/api/profile",
	    NULL, t.access, NULL);
	check_answer(a, 401, MSG("Token has been revoked"), "revoked");
}

/*
 * The Set-Cookie lines of an answer, "name=value" each up to its ';',
 * one per line into out; returns how many.
 */
static int
set_cookies(const struct answer *a, char *out, size_t outsz)
{
	const char	*p = a->head;
	size_t		 o = 0, n;
	int		 count = 0;

	out[0] = '\0';
	while ((p = strstr(p, "\r\nSet-Cookie: ")) != NULL) {
		p += strlen("\r\nSet-Cookie: ");
		n = strcspn(p, ";\r");
		if (o + n + 2 < outsz) {
			memcpy(out + o, p, n);
			o += n;
			out[o++] = '\n';
			out[o] = '\0';
		}
		count++;
	}
	return count;
}

/* Whether every Set-Cookie line of an answer clears its cookie. */
static int
all_cleared(const struct answer *a)
{
	const char	*p = a->head, *e;

	while ((p = strstr(p, "\r\nSet-Cookie: ")) != NULL) {
		p += 2;
		e = p + strcspn(p, "\r");
		if (strstr(p, "Max-Age=0") == NULL || strstr(p, "Max-Age=0") > e)
			return 0;
	}
	return 1;
}

#define CLEARED	"access_token_cookie=\ncsrf_access_token=\n" \
	"refresh_token_cookie=\ncsrf_refresh_token=\n"

TEST(a_verify_only_node_signs_out_a_logout_it_cannot_record)
{
	struct answer	*a;
	char		 names[1024];

	instance("public_keys = public\n");
	a = serve(&logout_endpoint, LK_APP_RESPONDER, "POST", "/api/logout",
	    "{}", JSON, "HTTP_COOKIE=access_token_cookie=x", NULL);
	check_answer(a, 503, MSG("This node cannot revoke tokens"),
	    "verify-only logout");
	CHECK_INT(set_cookies(a, names, sizeof(names)), 4);
	CHECK_STR(names, CLEARED);
	CHECK(all_cleared(a));
	/* Not JSON (a cross-site form): refused, and nothing is cleared. */
	a = serve(&logout_endpoint, LK_APP_RESPONDER, "POST", "/api/logout",
	    "x=1", "CONTENT_TYPE=application/x-www-form-urlencoded",
	    "HTTP_COOKIE=access_token_cookie=x", NULL);
	check_answer(a, 415, MSG("Content-Type must be application/json"),
	    "verify-only form");
	CHECK_INT(set_cookies(a, names, sizeof(names)), 0);
}

/* Handlers that set a cookie of their own, then refuse. */
static void
cookie_then(struct lk_ctx *ctx, int signing_out, int refused_before)
{
	struct lk_cookie_attr	attr;

	memset(&attr, 0, sizeof(attr));
	attr.path = "/";
	attr.max_age = 60;
	lk_cookie_set(ctx->resp, "half_done", "v", &attr, ctx->now);
	if (refused_before)
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
	if (signing_out)
		(void)lk_deny_signing_out(ctx, LK_R_UNAVAILABLE, NULL);
	else
		(void)lk_deny(ctx, LK_R_UNAVAILABLE, NULL);
}

static void cookie_deny(struct lk_ctx *ctx) { cookie_then(ctx, 0, 0); }
static void cookie_sign_out(struct lk_ctx *ctx) { cookie_then(ctx, 1, 0); }
static void cookie_late(struct lk_ctx *ctx) { cookie_then(ctx, 1, 1); }

static const struct lk_endpoint cookie_deny_endpoint = {
	"probe", LK_METHOD_GET, cookie_deny, NULL
};
static const struct lk_endpoint cookie_sign_out_endpoint = {
	"probe", LK_METHOD_GET, cookie_sign_out, NULL
};
static const struct lk_endpoint cookie_late_endpoint = {
	"probe", LK_METHOD_GET, cookie_late, NULL
};

TEST(a_refusal_carries_no_cookie_but_the_four_cleared_when_it_signs_out)
{
	struct answer	*a;
	char		 names[1024];

	instance("");
	a = serve(&cookie_deny_endpoint, LK_APP_RESPONDER, "GET", "/api/probe",
	    NULL, NULL);
	check_answer(a, 503, MSG("Service unavailable"), "plain refusal");
	CHECK_INT(set_cookies(a, names, sizeof(names)), 0);
	a = serve(&cookie_sign_out_endpoint, LK_APP_RESPONDER, "GET",
	    "/api/probe", NULL, NULL);
	check_answer(a, 503, MSG("Service unavailable"), "signing out");
	CHECK_INT(set_cookies(a, names, sizeof(names)), 4);
	CHECK_STR(names, CLEARED);
	CHECK(all_cleared(a));
	/* The first refusal stands, as it was: no cookie. */
	a = serve(&cookie_late_endpoint, LK_APP_RESPONDER, "GET", "/api/probe",
	    NULL, NULL);
	check_answer(a, 500, MSG("Internal error"), "refused before");
	CHECK_INT(set_cookies(a, names, sizeof(names)), 0);
	/* An authorizer's refusal never signs out. */
	a = serve(&cookie_sign_out_endpoint, LK_APP_AUTHORIZER, "GET",
	    "/members/", NULL, "FCGI_ROLE=AUTHORIZER", NULL);
	CHECK_INT(a->status, 503);
	CHECK_INT(set_cookies(a, names, sizeof(names)), 0);
}

TEST(every_token_refusal_through_the_runtime)
{
	const struct token_case	*tc;
	struct answer		*a;
	char			 payload[1024], cookie[16384 + 64];
	char			 big[LK_TOKEN_MAX + 2], want[512];
	const char		*pre, *post, *tok;
	int			 status, seen[LK_TOKEN__MAX] = { 0 };
	size_t			 i;

	for (i = 0; i < sizeof(token_cases) / sizeof(token_cases[0]); i++) {
		tc = &token_cases[i];
		instance(tc->conf);
		if (tc->raw != NULL)
			tok = tc->raw;
		else {
			fill(payload, sizeof(payload), tc->payload);
			tok = forge(tc->header, payload, keytext,
			    tc->sign ? "sha256" : NULL);
		}
		(void)snprintf(cookie, sizeof(cookie),
		    "HTTP_COOKIE=access_token_cookie=%s", tok);
		a = serve(&profile_endpoint, LK_APP_RESPONDER, "GET",
		    "/api/profile", NULL, cookie, NULL);
		CHECK_INT(lk_app_refusal(LK_R_TOKEN + tc->err, &status, &pre,
		    &post), 0);
		json_msg(want, sizeof(want), pre);
		check_answer(a, status, want, pre);
		seen[tc->err] = 1;
	}
	/* Too large: before any parsing. */
	instance("");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	(void)snprintf(cookie, sizeof(cookie), "HTTP_COOKIE=access_token_cookie=%s",
	    big);
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "GET", "/api/profile",
	    NULL, cookie, NULL);
	check_answer(a, 422, MSG("Token is too large"), "too large");
	seen[LK_TOKEN_TOO_LARGE] = 1;
	/* Refresh wanted, access given: the refresh endpoint's own case. */
	seen[LK_TOKEN_ONLY_REFRESH] = 1;	/* test_refresh_... below */
	/* Every reason a client can cause has a case here. */
	for (i = LK_TOKEN_OK + 1; i < LK_TOKEN__MAX; i++)
		if (i != LK_TOKEN_INTERNAL && !seen[i])
			CHECK_INT((int)i, -1);
}

TEST(profile_name_rules)
{
	struct answer	*a;
	struct tokens	 t;

	instance("");
	CHECK_INT(login(&t), 0);
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "PATCH", "/api/profile",
	    "{\"name\":\" x\"}", JSON, t.access, t.csrf, NULL);
	check_answer(a, 400, MSG("Field \\\"name\\\" must be 1 to 100 characters "
	    "of text without leading or trailing spaces"), "space");
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "PATCH", "/api/profile",
	    "{\"name\":\"a\\u202eb\"}", JSON, t.access, t.csrf, NULL);
	check_answer(a, 400, MSG("Field \\\"name\\\" must not contain invisible "
	    "characters that change the direction of text"), "bidi");
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "PATCH", "/api/profile",
	    "{\"name\":\"Ann\"}", JSON, t.access, t.csrf, NULL);
	check_answer(a, 200, "{\"email\":\"" EMAIL "\",\"groups\":[],\"name\":\"Ann\"}\n",
	    "saved");
}

TEST(password_change_refusals)
{
	struct answer	*a;
	struct tokens	 t;

	instance("");
	CHECK_INT(login(&t), 0);
	a = serve(&password_endpoint, LK_APP_RESPONDER, "POST", "/api/password",
	    "{\"current_password\":\"nope\",\"new_password\":\"another one 9\"}",
	    JSON, t.access, t.csrf, NULL);
	check_answer(a, 401, MSG("Current password is incorrect"), "wrong");
	a = serve(&password_endpoint, LK_APP_RESPONDER, "POST", "/api/password",
	    "{\"current_password\":\"" PASS "\",\"new_password\":\"" PASS "\"}",
	    JSON, t.access, t.csrf, NULL);
	check_answer(a, 400, MSG("The new password must differ from the "
	    "current one"), "same");
	a = serve(&password_endpoint, LK_APP_RESPONDER, "POST", "/api/password",
	    "{\"current_password\":\"" PASS "\",\"new_password\":\"qwerty123\"}",
	    JSON, t.access, t.csrf, NULL);
	check_answer(a, 400, MSG("The password is too common"), "common");
	a = serve(&password_endpoint, LK_APP_RESPONDER, "POST", "/api/password",
	    "{\"current_password\":\"" PASS "\"}", JSON, t.access, t.csrf, NULL);
	check_answer(a, 400, MSG("Missing field \\\"new_password\\\""), "field");
}

/* The "fresh" member of the payload of the access cookie a sets, or "". */
static const char *
fresh_of(const struct answer *a)
{
	static char	 out[16];
	char		 tok[LK_TOKEN_MAX + 1], pl[LK_TOKEN_MAX];
	const char	*d1, *d2, *f;
	long		 n;

	out[0] = '\0';
	if (cookie_of(a, "access_token_cookie", tok, sizeof(tok)) == -1 ||
	    (d1 = strchr(tok, '.')) == NULL || (d2 = strchr(d1 + 1, '.')) ==
	    NULL || (n = lk_b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), pl,
	    sizeof(pl) - 1)) < 0)
		return out;
	pl[n] = '\0';
	if ((f = strstr(pl, "\"fresh\":")) != NULL)
		(void)snprintf(out, sizeof(out), "%.*s", (int)strcspn(f + 8,
		    ",}"), f + 8);
	return out;
}

/*
 * A login's access token is fresh (flask-jwt-extended's claim), one of a
 * refresh or a password change is not; fresh counts for fresh_seconds.
 */
TEST(a_login_is_fresh_a_refresh_or_password_change_is_not)
{
	struct answer		*a;
	struct lk_ctx		 ctx;
	struct lk_claims	 c;

	instance("");
	a = serve(&login_endpoint, LK_APP_RESPONDER, "POST", "/api/login",
	    "{\"email\":\"" EMAIL "\",\"password\":\"" PASS "\"}", JSON, NULL);
	CHECK_INT(a->status, 200);
	CHECK_STR(fresh_of(a), "true");
	{
		struct tokens	t;

		CHECK_INT(login(&t), 0);
		a = serve(&refresh_endpoint, LK_APP_RESPONDER, "POST",
		    "/api/refresh", "{}", JSON, t.refresh, t.rcsrf, NULL);
		CHECK_INT(a->status, 200);
		CHECK_STR(fresh_of(a), "false");
		a = serve(&password_endpoint, LK_APP_RESPONDER, "POST",
		    "/api/password", "{\"current_password\":\"" PASS "\","
		    "\"new_password\":\"another one 9\"}", JSON, t.access, t.csrf,
		    NULL);
		CHECK_INT(a->status, 200);
		CHECK_STR(fresh_of(a), "false");
	}
	/* The decision: the claim, and at most max_age seconds since iat. */
	memset(&ctx, 0, sizeof(ctx));
	memset(&c, 0, sizeof(c));
	ctx.now = NOW;
	c.type = LK_TOKEN_ACCESS;
	c.iat = NOW - 900;
	c.fresh = 1;
	c.fresh_until = LLONG_MAX;
	CHECK_INT(lk_auth_fresh(&ctx, &c, 900), 1);
	CHECK_INT(lk_auth_require_fresh(&ctx, &c, 900), 0);
	CHECK_INT(lk_auth_fresh(&ctx, &c, 899), 0);
	CHECK_INT(lk_auth_require_fresh(&ctx, &c, 899), -1);
	CHECK_INT(ctx.denial.reason, LK_R_FRESH);
	/* flask-jwt-extended's timestamp form: fresh until then. */
	c.fresh_until = NOW + 1;
	CHECK_INT(lk_auth_fresh(&ctx, &c, 900), 1);
	c.fresh_until = NOW;
	CHECK_INT(lk_auth_fresh(&ctx, &c, 900), 0);
	c.fresh = 0;
	c.fresh_until = 0;
	CHECK_INT(lk_auth_fresh(&ctx, &c, 900), 0);
	c.fresh_until = LLONG_MAX;
	c.type = LK_TOKEN_REFRESH;
	CHECK_INT(lk_auth_fresh(&ctx, &c, 900), 0);
}

/* A backend whose refresh fails: the real SQLite store otherwise. */
static struct lk_store_ops	 failing_ops;

static enum lk_refresh_res
failing_refresh(struct lk_store *s, const struct lk_refresh *q, long long now,
    struct lk_store_tokens *t)
{
	(void)s;
	(void)q;
	(void)now;
	(void)t;
	return LK_REFRESH_ERROR;
}

TEST(a_store_failure_in_refresh_is_503_json_without_cookies)
{
	struct answer		*a;
	struct tokens		 t;
	struct lk_store		*s;
	const struct lk_store_ops *real;

	instance("");
	CHECK_INT(login(&t), 0);
	s = lk_app_store();
	CHECK(s != NULL);
	if (s == NULL)
		return;
	real = s->ops;
	failing_ops = *real;
	failing_ops.refresh = failing_refresh;
	s->ops = &failing_ops;
	a = serve(&refresh_endpoint, LK_APP_RESPONDER, "POST", "/api/refresh",
	    "{}", JSON, t.refresh, t.rcsrf, NULL);
	s->ops = real;
	check_answer(a, 503, MSG("Service unavailable"), "store failed");
	CHECK(strstr(a->head, "Set-Cookie") == NULL);
	/* With the store back, the same token refreshes. */
	a = serve(&refresh_endpoint, LK_APP_RESPONDER, "POST", "/api/refresh",
	    "{}", JSON, t.refresh, t.rcsrf, NULL);
	check_answer(a, 200, "{\"refresh\":true}\n", "store back");
}

static enum lk_store_res
failing_stats(struct lk_store *s, long long now, long long since,
    struct lk_store_stats *out)
{
	(void)s;
	(void)now;
	(void)since;
	(void)out;
	return LK_STORE_ERROR;
}

#define UNAVAILABLE(part) "{\"reason\":\"" part "\",\"status\":\"unavailable\"}\n"

TEST(health_names_the_part_that_fails_and_recovers)
{
	struct answer		*a;
	struct lk_store		*s;
	const struct lk_store_ops *real;
	char			 path[600];

	instance("");
	a = serve(&health_endpoint, LK_APP_RESPONDER, "GET", "/api/health",
	    NULL, NULL);
	check_answer(a, 200, "{\"status\":\"ok\"}\n", "healthy");
	CHECK(strstr(a->head, "Cache-Control: no-store") != NULL);
	s = lk_app_store();
	CHECK(s != NULL);
	if (s == NULL)
		return;
	real = s->ops;
	failing_ops = *real;
	failing_ops.stats = failing_stats;
	s->ops = &failing_ops;
	a = serve(&health_endpoint, LK_APP_RESPONDER, "GET", "/api/health",
	    NULL, NULL);
	s->ops = real;
	check_answer(a, 503, UNAVAILABLE("store"), "store failing");
	a = serve(&health_endpoint, LK_APP_RESPONDER, "GET", "/api/health",
	    NULL, NULL);
	check_answer(a, 200, "{\"status\":\"ok\"}\n", "store back");
	/* A key file that cannot be read: the keys, until it is back. */
	(void)snprintf(path, sizeof(path), "%s/secret.key", tmp_dir());
	(void)tmp_file("secret.key", "not a key\n", 0600);
	clock_now++;
	a = serve(&health_endpoint, LK_APP_RESPONDER, "GET", "/api/health",
	    NULL, NULL);
	check_answer(a, 503, UNAVAILABLE("keys"), "no keys");
	{
		char	line[160];

		(void)snprintf(line, sizeof(line), "%s\n", keytext);
		(void)tmp_file("secret.key", line, 0600);
	}
	clock_now++;
	a = serve(&health_endpoint, LK_APP_RESPONDER, "GET", "/api/health",
	    NULL, NULL);
	check_answer(a, 200, "{\"status\":\"ok\"}\n", "keys back");
	/* Access rules with an error: the rules. */
	instance("access_rules = bad.rules\n");
	(void)tmp_file("bad.rules", "allow everyone\n", 0644);
	a = serve(&health_endpoint, LK_APP_RESPONDER, "GET", "/api/health",
	    NULL, NULL);
	check_answer(a, 503, UNAVAILABLE("rules"), "bad rules");
}

/* The line of series in a metrics answer, or NULL. */
static int
has_sample(const struct answer *a, const char *line)
{
	char	want[300];

	(void)snprintf(want, sizeof(want), "\n%s\n", line);
	return strstr(a->body, want) != NULL;
}

TEST(metrics_count_logins_refreshes_and_refusals_for_loopback_only)
{
	struct answer	*a;
	struct tokens	 t;

	instance("");
	CHECK_INT(login(&t), 0);
	a = serve(&login_endpoint, LK_APP_RESPONDER, "POST", "/api/login",
	    "{\"email\":\"" EMAIL "\",\"password\":\"wrong\"}", JSON, NULL);
	CHECK_INT(a->status, 401);
	a = serve(&refresh_endpoint, LK_APP_RESPONDER, "POST", "/api/refresh",
	    "{}", JSON, t.refresh, t.rcsrf, NULL);
	CHECK_INT(a->status, 200);
	/* The same token again, inside the grace: the pair sent again. */
	a = serve(&refresh_endpoint, LK_APP_RESPONDER, "POST", "/api/refresh",
	    "{}", JSON, t.refresh, t.rcsrf, NULL);
	CHECK_INT(a->status, 200);
	/* The authorizer: a grant, and a login asked for. */
	a = serve(&authorize_endpoint, LK_APP_AUTHORIZER, "GET", "/members/",
	    NULL, "FCGI_ROLE=AUTHORIZER", t.access, NULL);
	CHECK_INT(a->status, 200);
	a = serve(&authorize_endpoint, LK_APP_AUTHORIZER, "GET", "/members/",
	    NULL, "FCGI_ROLE=AUTHORIZER", NULL);
	CHECK_INT(a->status, 401);
	/* Forward auth: a grant, a login asked for twice, an untrusted peer. */
	a = FWD(XF("GET", "/"), t.access);
	CHECK_INT(a->status, 200);
	a = FWD(XF("GET", "/"), NAVIGATE, HTML);
	CHECK_INT(a->status, 302);
	a = AUTHREQ("HTTP_X_ORIGINAL_URL=https://app.example.com/",
	    "HTTP_X_ORIGINAL_METHOD=GET");
	CHECK_INT(a->status, 401);
	a = serve(&authz_endpoint, LK_APP_RESPONDER, "GET", "/api/authz", NULL,
	    "PATH_INFO=/forward-auth", "REMOTE_ADDR=192.0.2.10", XF("GET", "/"),
	    NULL);
	CHECK_INT(a->status, 403);
	a = serve(&metrics_endpoint, LK_APP_RESPONDER, "GET", "/metrics",
	    NULL, NULL);
	check_answer(a, 403, MSG("Access denied"), "not loopback");
	a = serve(&metrics_endpoint, LK_APP_RESPONDER, "GET", "/metrics",
	    NULL, "REMOTE_ADDR=::ffff:127.0.0.1", NULL);
	CHECK_INT(a->status, 200);
	CHECK(strstr(a->head, "Content-Type: text/plain; version=0.0.4; "
	    "charset=utf-8") != NULL);
	CHECK(has_sample(a, "latchkey_logins_total{result=\"success\"} 1"));
	CHECK(has_sample(a, "latchkey_logins_total{result=\"bad_credentials\"} "
	    "1"));
	CHECK(has_sample(a, "latchkey_refreshes_total{result=\"rotated\"} 1"));
	CHECK(has_sample(a, "latchkey_refreshes_total{result=\"replayed\"} 1"));
	CHECK(has_sample(a, "latchkey_refusals_total{reason=\"access_denied\"} "
	    "1"));
	CHECK(has_sample(a, "latchkey_users 1"));
	CHECK(has_sample(a, "latchkey_sessions 1"));
	CHECK(has_sample(a, "latchkey_authorizer_decisions_total"
	    "{decision=\"allow\"} 1"));
	CHECK(has_sample(a, "latchkey_authorizer_decisions_total"
	    "{decision=\"login\"} 1"));
	CHECK(has_sample(a, "latchkey_forward_auth_decisions_total"
	    "{decision=\"allow\"} 1"));
	CHECK(has_sample(a, "latchkey_forward_auth_decisions_total"
	    "{decision=\"login\"} 2"));
	CHECK(has_sample(a, "latchkey_forward_auth_decisions_total"
	    "{decision=\"deny\"} 1"));
	CHECK(has_sample(a, "latchkey_request_duration_seconds_count"
	    "{program=\"login\"} 2"));
	CHECK(strstr(a->body, EMAIL) == NULL);
	CHECK(strstr(a->body, "192.0.2.10") == NULL);
	/* Counting off: the answer still comes, with the store's gauges. */
	instance("metrics_file = off\n");
	a = serve(&metrics_endpoint, LK_APP_RESPONDER, "GET", "/metrics",
	    NULL, "REMOTE_ADDR=127.0.0.1", NULL);
	CHECK_INT(a->status, 200);
	CHECK(has_sample(a, "latchkey_users 1"));
	CHECK(strstr(a->body, "latchkey_logins_total") == NULL);
}

TEST(no_configuration_is_503_and_a_later_request_recovers)
{
	struct answer	*a;

	instance("");
	lk_app_reset();
	setenv("LATCHKEY_CONFIG", "/nonexistent/latchkey.conf", 1);
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "GET", "/api/profile",
	    NULL, NULL);
	check_answer(a, 503, MSG("Service unavailable"), "no config");
	/* The log says why, and as whom (on a shared host, the question). */
	{
		char	want[128];

		(void)snprintf(want, sizeof(want), "(running as uid %lu (",
		    (unsigned long)geteuid());
		CHECK(strstr(last_log, "not serving: config: ") != NULL);
		CHECK(strstr(last_log, "/nonexistent/latchkey.conf") != NULL);
		CHECK(strstr(last_log, want) != NULL);
	}
	setenv("LATCHKEY_CONFIG", confpath, 1);
	/* Start-up is retried at most once a second. */
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "GET", "/api/profile",
	    NULL, NULL);
	CHECK_INT(a->status, 503);
	clock_now++;
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "GET", "/api/profile",
	    NULL, NULL);
	check_answer(a, 401, MSG("Missing cookie \\\"access_token_cookie\\\""),
	    "recovered");
}

/* Wrong passwords from addr until the throttle answers. */
static int
failures_until_429(const char *addr, const char *email)
{
	struct answer	*a;
	char		 body[256], ra[96];
	int		 n;

	(void)snprintf(ra, sizeof(ra), "REMOTE_ADDR=%s", addr);
	(void)snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":"
	    "\"wrong\"}", email);
	for (n = 0; n < 20; n++) {
		a = serve(&login_endpoint, LK_APP_RESPONDER, "POST", "/api/login",
		    body, JSON, ra, NULL);
		if (a->status == 429)
			return n;
	}
	return n;
}

TEST(throttle_counts_ipv6_clients_by_their_network)
{
	struct answer	*a;

	instance("throttle_account_max = 100\nthrottle_address_max = 3\n");
	CHECK_INT(failures_until_429("2001:db8:1:2::1", "a@x.example"), 3);
	/* Another address of the same /64 has no budget of its own. */
	CHECK_INT(failures_until_429("2001:db8:1:2:ffff::9", "b@x.example"), 0);
	/* Another /64 has. */
	CHECK_INT(failures_until_429("2001:db8:1:3::1", "c@x.example"), 3);
	/* IPv4, and IPv4 mapped into IPv6, count as the one IPv4 client. */
	CHECK_INT(failures_until_429("198.51.100.7", "d@x.example"), 3);
	CHECK_INT(failures_until_429("::ffff:198.51.100.7", "e@x.example"), 0);
	CHECK_INT(failures_until_429("198.51.100.8", "f@x.example"), 3);
	/* The window ends: the budget is back. */
	clock_now += 15 * 60;
	CHECK_INT(failures_until_429("2001:db8:1:2::1", "g@x.example"), 3);
	a = serve(&login_endpoint, LK_APP_RESPONDER, "POST", "/api/login",
	    "{\"email\":\"" EMAIL "\",\"password\":\"" PASS "\"}", JSON,
	    "REMOTE_ADDR=2001:db8:1:2::77", NULL);
	check_answer(a, 429, MSG("Too many failed login attempts, try again "
	    "later"), "throttled");
	CHECK(strstr(a->head, "\r\nRetry-After: 900") != NULL);
}

TEST(throttle_prefix_is_configurable)
{
	instance("throttle_account_max = 100\nthrottle_address_max = 2\n"
	    "throttle_ipv6_prefix = 128\n");
	CHECK_INT(failures_until_429("2001:db8::1", "a@x.example"), 2);
	CHECK_INT(failures_until_429("2001:db8::2", "b@x.example"), 2);
}

TEST(throttle_address_keys)
{
	char	k[128];

	lk_throttle_address_key("2001:db8:aaaa:bbbb:1:2:3:4", 64, k, sizeof(k));
	CHECK_STR(k, "address:2001:db8:aaaa:bbbb::/64");
	lk_throttle_address_key("2001:DB8:AAAA:BBBB::9", 64, k, sizeof(k));
	CHECK_STR(k, "address:2001:db8:aaaa:bbbb::/64");
	lk_throttle_address_key("2001:db8:aaaa:bbbb:1:2:3:4", 48, k, sizeof(k));
	CHECK_STR(k, "address:2001:db8:aaaa::/48");
	lk_throttle_address_key("2001:db8::1", 128, k, sizeof(k));
	CHECK_STR(k, "address:2001:db8::1/128");
	lk_throttle_address_key("::ffff:192.0.2.1", 64, k, sizeof(k));
	CHECK_STR(k, "address:192.0.2.1");
	lk_throttle_address_key("192.0.2.1", 64, k, sizeof(k));
	CHECK_STR(k, "address:192.0.2.1");
	lk_throttle_address_key("", 64, k, sizeof(k));
	CHECK_STR(k, "address:");
}

TEST(reservations_bound_hashes_and_a_success_gives_one_back)
{
	struct answer	*a;
	unsigned long	 before;
	int		 i;

	instance("throttle_account_max = 3\nthrottle_address_max = 100\n");
	for (i = 0; i < 2; i++) {
		a = serve(&login_endpoint, LK_APP_RESPONDER, "POST", "/api/login",
		    "{\"email\":\"" EMAIL "\",\"password\":\"wrong\"}", JSON,
		    NULL);
		CHECK_INT(a->status, 401);
	}
	/* A success clears the account's count. */
	a = serve(&login_endpoint, LK_APP_RESPONDER, "POST", "/api/login",
	    "{\"email\":\"" EMAIL "\",\"password\":\"" PASS "\"}", JSON, NULL);
	CHECK_INT(a->status, 200);
	before = lk_password_hash_count();
	for (i = 0; i < 5; i++)
		(void)serve(&login_endpoint, LK_APP_RESPONDER, "POST",
		    "/api/login", "{\"email\":\"" EMAIL "\",\"password\":\"no\"}",
		    JSON, NULL);
	CHECK_INT(lk_password_hash_count() - before, 3);
}

/* Accounts by mail: forgot, reset, invitations, sign-up. */

#define MAILCONF	"mail_from = noreply@example.com\n" \
			"site_url = https://login.example.com\n" \
			"mail_command = /bin/true\n"

/* Add a user to the instance's database (NULL hash: a pending one). */
static void
add_user(const char *email, const char *password, int disabled)
{
	struct lk_config	 cfg;
	struct lk_store_options	 opts = { 0, 0, NULL, 0, 0 };
	struct lk_store		*s;
	char			 hash[LK_HASH_MAX + 1], err[1024];

	if (lk_config_load(&cfg, confpath, err, sizeof(err)) == -1 ||
	    (s = lk_store_open(cfg.database, &opts, err, sizeof(err))) == NULL)
		exit(1);
	hash[0] = '\0';
	if ((password != NULL && lk_password_hash(&cfg.hash, password, hash,
	    sizeof(hash)) == -1) ||
	    lk_store_user_add(s, email, "Some One", hash, NOW - 50) !=
	    LK_STORE_OK ||
	    (disabled && lk_store_user_set_disabled(s, email, 1, NOW - 40) !=
	    LK_STORE_OK))
		exit(1);
	lk_store_close(s);
}

/* The token of the link in the queued mail ("" if none), into tok. */
static void
link_token(const char *page, char tok[LK_ONETIME_TOKEN_LEN + 1])
{
	const struct lk_outbox	*box = lk_app_outbox();
	char			 want[96];
	const char		*p;

	tok[0] = '\0';
	(void)snprintf(want, sizeof(want), "https://login.example.com/%s#",
	    page);
	if (!box->queued || box->nobody || (p = strstr(box->msg, want)) == NULL)
		return;
	p += strlen(want);
	if (strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") >= LK_ONETIME_TOKEN_LEN) {
		memcpy(tok, p, LK_ONETIME_TOKEN_LEN);
		tok[LK_ONETIME_TOKEN_LEN] = '\0';
	}
}

/*
 * Ask for a reset link, then run the job the answer left (its store work
 * and its mail, into the outbox) as the runtime does after the answer.
 */
static struct answer *
ask_reset(const char *email)
{
	struct answer	*a;
	char		 body[512];

	(void)snprintf(body, sizeof(body), "{\"email\":\"%s\"}", email);
	a = serve(&password_endpoint, LK_APP_RESPONDER, "POST",
	    "/api/password", body, JSON, "PATH_INFO=/forgot", NULL);
	lk_app_job();
	return a;
}

/* Sign up (signup = open), then run the job as ask_reset does. */
static struct answer *
sign_up(const char *body)
{
	struct answer	*a;

	a = serve(&signup_endpoint, LK_APP_RESPONDER, "POST", "/api/signup",
	    body, JSON, NULL);
	lk_app_job();
	return a;
}

static struct answer *
reset_with(const char *token, const char *password)
{
	char	body[512];

	(void)snprintf(body, sizeof(body), "{\"token\":\"%s\",\"password\":"
	    "\"%s\"}", token, password);
	return serve(&password_endpoint, LK_APP_RESPONDER, "POST",
	    "/api/password", body, JSON, "PATH_INFO=/reset", NULL);
}

static struct answer *
accept_with(const char *token, const char *password)
{
	char	body[512];

	(void)snprintf(body, sizeof(body), "{\"token\":\"%s\",\"password\":"
	    "\"%s\"}", token, password);
	return serve(&invite_endpoint, LK_APP_RESPONDER, "POST", "/api/invite",
	    body, JSON, "PATH_INFO=/accept", NULL);
}

static int
logs_in(const char *email, const char *password)
{
	char	body[512];

	(void)snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":"
	    "\"%s\"}", email, password);
	return serve(&login_endpoint, LK_APP_RESPONDER, "POST", "/api/login",
	    body, JSON, NULL)->status == 200;
}

#define LINK_BAD	MSG("This link is invalid or has expired")

TEST(forgot_answers_alike_and_does_the_same_work_for_any_account)
{
	static const char *const emails[] = { EMAIL, "nobody@example.com",
	    "off@example.com", "pending@example.com", "x\\r\\nBcc: a@b.c" };
	const struct lk_outbox	*box = lk_app_outbox();
	struct answer		*a;
	unsigned long		 hashes, jobs;
	size_t			 i;

	instance(MAILCONF);
	add_user("off@example.com", "pw of off 1", 1);
	add_user("pending@example.com", NULL, 0);
	for (i = 0; i < sizeof(emails) / sizeof(emails[0]); i++) {
		hashes = lk_onetime_hash_count();
		jobs = lk_notify_jobs();
		a = ask_reset(emails[i]);
		check_answer(a, 202, "{\"sent\":true}\n", emails[i]);
		CHECK(strstr(a->head, "Set-Cookie") == NULL);
		/* One token hashed, one store transaction, one mail job. */
		CHECK_INT(lk_onetime_hash_count() - hashes, 1);
		CHECK_INT(lk_notify_jobs() - jobs, 1);
		CHECK_INT(box->queued, 1);
		/* Only the enabled account with a password gets a mail. */
		CHECK_INT(box->nobody, i != 0);
		if (i == 0) {
			CHECK_STR(box->to, EMAIL);
			CHECK(strstr(box->msg, "\nTo: Test User <" EMAIL ">\n") !=
			    NULL);
		}
		lk_app_after();
		CHECK_INT(box->queued, 0);
	}
}

/* Empty the store's write-ahead log (a checkpoint from another connection). */
static void
wal_empty(void)
{
	sqlite3	*db = NULL;
	char	 path[600];
	int	 rc;

	(void)snprintf(path, sizeof(path), "%s/latchkey.db", tmp_dir());
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL,
		    NULL);
	sqlite3_close(db);
	CHECK_INT(rc, SQLITE_OK);
}

/* Bytes in the write-ahead log: what the store wrote since wal_empty. */
static long long
wal_bytes(void)
{
	struct stat	st;
	char		path[600];

	(void)snprintf(path, sizeof(path), "%s/latchkey.db-wal", tmp_dir());
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/*
 * Whether an account exists, is disabled, pending or invited, asking for
 * a reset link or signing up writes the same to the store before the
 * answer (the throttle's counters): a commit of a link for one and a
 * rollback for another would tell them apart by their time.
 */
TEST(asking_for_a_link_writes_the_same_before_the_answer_for_any_account)
{
	static const char *const emails[] = { EMAIL, "nobody@example.com",
	    "off@example.com", "pending@example.com" };
	const struct lk_outbox	*box = lk_app_outbox();
	struct answer		*a;
	char			 body[256];
	long long		 first = -1, n;
	size_t			 i;
	int			 signup;

	instance(MAILCONF "signup = open\n");
	add_user("off@example.com", "pw of off 1", 1);
	add_user("pending@example.com", NULL, 0);
	for (signup = 0; signup <= 1; signup++)
		for (i = 0; i < sizeof(emails) / sizeof(emails[0]); i++) {
			wal_empty();
			if (signup) {
				(void)snprintf(body, sizeof(body), "{\"email\":"
				    "\"%s\",\"name\":\"N\"}", emails[i]);
				a = serve(&signup_endpoint, LK_APP_RESPONDER,
				    "POST", "/api/signup", body, JSON, NULL);
			} else {
				(void)snprintf(body, sizeof(body), "{\"email\":"
				    "\"%s\"}", emails[i]);
				a = serve(&password_endpoint, LK_APP_RESPONDER,
				    "POST", "/api/password", body, JSON,
				    "PATH_INFO=/forgot", NULL);
			}
			check_answer(a, 202, "{\"sent\":true}\n", emails[i]);
			n = wal_bytes();
			CHECK(n > 0);
			if (first < 0)
				first = n;
			if (n != first) {
				fprintf(stderr, "  %s %s: %lld bytes of log, "
				    "%lld for %s\n", signup ? "signup" : "forgot",
				    emails[i], n, first, emails[0]);
				t_now_failed = 1;
			}
			/* Only then, after the answer, the link's own work. */
			CHECK_INT(box->link, 1);
			lk_app_job();
			CHECK_INT(box->link, 0);
			lk_app_after();
		}
}

TEST(a_reset_link_sets_the_password_once)
{
	const struct lk_outbox	*box = lk_app_outbox();
	struct answer		*a;
	struct tokens		 t;
	char			 tok[LK_ONETIME_TOKEN_LEN + 1];

	instance(MAILCONF);
	CHECK_INT(login(&t), 0);
	/* The Host a client sends changes nothing in the link. */
	a = serve(&password_endpoint, LK_APP_RESPONDER, "POST", "/api/password",
	    "{\"email\":\"" EMAIL "\"}", JSON, "PATH_INFO=/forgot",
	    "HTTP_HOST=evil.example", NULL);
	CHECK_INT(a->status, 202);
	lk_app_job();
	link_token("reset", tok);
	CHECK_INT(strlen(tok), LK_ONETIME_TOKEN_LEN);
	CHECK(strstr(box->msg, "evil") == NULL);
	lk_app_after();
	a = reset_with(tok, "a brand new one 4");
	check_answer(a, 200, "{\"reset\":true}\n", "reset");
	/* This browser's cookies go with every session. */
	CHECK(strstr(a->head, "Set-Cookie: access_token_cookie=; ") != NULL);
	CHECK_INT(box->queued, 1);
	CHECK_INT(box->kind, LK_NOTICE_PASSWORD_RESET);
	CHECK(strstr(box->msg, "Subject: Your latchkey password was reset\n") !=
	    NULL);
	lk_app_after();
	CHECK_INT(logs_in(EMAIL, "a brand new one 4"), 1);
	CHECK_INT(logs_in(EMAIL, PASS), 0);
	/* The old session is over. */
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "GET", "/api/profile",
	    NULL, t.access, NULL);
	check_answer(a, 401, MSG("Token has been revoked"), "old session");
	/* Once. */
	a = reset_with(tok, "yet another one 5");
	check_answer(a, 400, LINK_BAD, "again");
	CHECK_INT(box->queued, 0);
	CHECK_INT(logs_in(EMAIL, "a brand new one 4"), 1);
}

TEST(a_reset_link_expires_and_a_newer_one_replaces_it)
{
	char		 first[LK_ONETIME_TOKEN_LEN + 1];
	char		 second[LK_ONETIME_TOKEN_LEN + 1];
	struct answer	*a;

	instance(MAILCONF "reset_token_expires = 10m\n");
	(void)ask_reset(EMAIL);
	link_token("reset", first);
	lk_app_after();
	(void)ask_reset(EMAIL);
	link_token("reset", second);
	lk_app_after();
	CHECK(strcmp(first, second) != 0);
	a = reset_with(first, "a brand new one 4");
	check_answer(a, 400, LINK_BAD, "replaced");
	clock_now = NOW + 600;
	a = reset_with(second, "a brand new one 4");
	check_answer(a, 400, LINK_BAD, "expired");
	clock_now = NOW;
	a = reset_with(second, "a brand new one 4");
	check_answer(a, 200, "{\"reset\":true}\n", "in time");
	lk_app_after();
}

TEST(reset_refusals)
{
	char		 tok[LK_ONETIME_TOKEN_LEN + 1];
	struct answer	*a;

	instance(MAILCONF);
	(void)ask_reset(EMAIL);
	link_token("reset", tok);
	lk_app_after();
	a = serve(&password_endpoint, LK_APP_RESPONDER, "POST", "/api/password",
	    "{\"password\":\"a brand new one 4\"}", JSON, "PATH_INFO=/reset",
	    NULL);
	check_answer(a, 400, MSG("Missing field \\\"token\\\""), "no token");
	a = reset_with("not a token", "a brand new one 4");
	check_answer(a, 400, LINK_BAD, "not a token");
	a = reset_with("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
	    "a brand new one 4");
	check_answer(a, 400, LINK_BAD, "unknown");
	a = reset_with(tok, "short");
	check_answer(a, 400, MSG("The password must have at least 8 characters"),
	    "policy");
	a = reset_with(tok, EMAIL);
	check_answer(a, 400, MSG("The password must not be the email address"),
	    "email");
	/* Refused for its password, the link is still good. */
	a = reset_with(tok, "a brand new one 4");
	check_answer(a, 200, "{\"reset\":true}\n", "then good");
	lk_app_after();
	/* GET is no way in; the endpoint itself still changes passwords. */
	a = serve(&password_endpoint, LK_APP_RESPONDER, "GET", "/api/password",
	    NULL, "PATH_INFO=/reset", NULL);
	CHECK_INT(a->status, 405);
}

TEST(a_password_change_voids_a_reset_link_and_sends_its_notice)
{
	const struct lk_outbox	*box = lk_app_outbox();
	char			 tok[LK_ONETIME_TOKEN_LEN + 1];
	struct answer		*a;
	struct tokens		 t;

	instance(MAILCONF);
	(void)ask_reset(EMAIL);
	link_token("reset", tok);
	lk_app_after();
	CHECK_INT(login(&t), 0);
	a = serve(&password_endpoint, LK_APP_RESPONDER, "POST", "/api/password",
	    "{\"current_password\":\"" PASS "\",\"new_password\":\"another one "
	    "9\"}", JSON, t.access, t.csrf, NULL);
	CHECK_INT(a->status, 200);
	CHECK_INT(box->queued, 1);
	CHECK_INT(box->kind, LK_NOTICE_PASSWORD_CHANGED);
	CHECK(strstr(box->msg, "from the address 192.0.2.10.") != NULL);
	lk_app_after();
	a = reset_with(tok, "a brand new one 4");
	check_answer(a, 400, LINK_BAD, "voided");
	/* A notice switched off is not sent. */
	instance(MAILCONF "notice_password_changed = false\n");
	CHECK_INT(login(&t), 0);
	a = serve(&password_endpoint, LK_APP_RESPONDER, "POST", "/api/password",
	    "{\"current_password\":\"" PASS "\",\"new_password\":\"another one "
	    "9\"}", JSON, t.access, t.csrf, NULL);
	CHECK_INT(a->status, 200);
	CHECK_INT(box->queued, 0);
}

TEST(forgot_is_throttled_apart_from_logins)
{
	struct answer	*a;
	int		 i;

	instance(MAILCONF "throttle_account_max = 3\n");
	for (i = 0; i < 3; i++) {
		a = ask_reset(EMAIL);
		CHECK_INT(a->status, 202);
		lk_app_after();
	}
	a = ask_reset("TEST@example.com");
	check_answer(a, 429, MSG("Too many requests, try again later"), "429");
	CHECK_STR(header_of(a, "Retry-After"), "900");
	CHECK_INT(lk_app_outbox()->queued, 0);
	/* An unknown address is counted the same. */
	for (i = 0; i < 3; i++)
		CHECK_INT(ask_reset("nobody@example.com")->status, 202);
	lk_app_after();
	CHECK_INT(ask_reset("nobody@example.com")->status, 429);
	/* Logging in is another matter. */
	CHECK_INT(logs_in(EMAIL, PASS), 1);
}

TEST(an_invitation_is_accepted_once_and_logs_in)
{
	const struct lk_outbox	*box = lk_app_outbox();
	char			 tok[LK_ONETIME_TOKEN_LEN + 1];
	char			 rtok[LK_ONETIME_TOKEN_LEN + 1];
	char			 v[LK_TOKEN_MAX + 1], cookie[LK_TOKEN_MAX + 64];
	struct answer		*a;

	instance(MAILCONF "signup = open\n");
	a = sign_up("{\"email\":\"new@example.com\",\"name\":\"Nina New\"}");
	check_answer(a, 202, "{\"sent\":true}\n", "signup");
	CHECK_INT(box->kind, LK_NOTICE_SIGNUP);
	link_token("invite", tok);
	CHECK_INT(strlen(tok), LK_ONETIME_TOKEN_LEN);
	lk_app_after();
	/* Pending: no login, no reset link. */
	CHECK_INT(logs_in("new@example.com", ""), 0);
	(void)ask_reset("new@example.com");
	CHECK_INT(box->nobody, 1);
	lk_app_after();
	/* An invitation's token is no reset token, nor the reverse. */
	a = reset_with(tok, "my own password 1");
	check_answer(a, 400, LINK_BAD, "invite as reset");
	(void)ask_reset(EMAIL);
	link_token("reset", rtok);
	lk_app_after();
	a = accept_with(rtok, "my own password 1");
	check_answer(a, 400, LINK_BAD, "reset as invite");
	a = accept_with(tok, "my own password 1");
	check_answer(a, 200, "{\"login\":true}\n", "accept");
	CHECK(cookie_of(a, "access_token_cookie", v, sizeof(v)) == 0);
	CHECK(strstr(a->head, "Set-Cookie: refresh_token_cookie=") != NULL);
	(void)snprintf(cookie, sizeof(cookie), "HTTP_COOKIE=access_token_cookie=%s",
	    v);
	a = serve(&profile_endpoint, LK_APP_RESPONDER, "GET", "/api/profile",
	    NULL, cookie, NULL);
	check_answer(a, 200, "{\"email\":\"new@example.com\",\"groups\":[],\"name\":\"Nina "
	    "New\"}\n", "profile");
	a = accept_with(tok, "my own password 2");
	check_answer(a, 400, LINK_BAD, "again");
	CHECK_INT(logs_in("new@example.com", "my own password 1"), 1);
	/* /api/invite itself is nothing. */
	a = serve(&invite_endpoint, LK_APP_RESPONDER, "POST", "/api/invite",
	    "{}", JSON, NULL);
	check_answer(a, 404, MSG("Not found"), "no self");
}

TEST(signup_answers_alike_for_new_and_existing_addresses)
{
	const struct lk_outbox	*box = lk_app_outbox();
	struct answer		*a;

	instance(MAILCONF);
	a = sign_up("{\"email\":\"new@example.com\",\"name\":\"N\"}");
	check_answer(a, 404, MSG("Not found"), "signup off");
	CHECK_INT(box->queued, 0);
	instance(MAILCONF "signup = open\n");
	add_user("off@example.com", "pw of off 1", 1);
	a = sign_up("{\"email\":\"" EMAIL "\",\"name\":\"Someone Else\"}");
	check_answer(a, 202, "{\"sent\":true}\n", "existing");
	CHECK_INT(box->kind, LK_NOTICE_SIGNUP_EXISTS);
	CHECK_INT(box->nobody, 0);
	CHECK(strstr(box->msg, "/invite#") == NULL);
	lk_app_after();
	/* The account is untouched: its name and password stand. */
	CHECK_INT(logs_in(EMAIL, PASS), 1);
	a = sign_up("{\"email\":\"off@example.com\",\"name\":\"Off\"}");
	check_answer(a, 202, "{\"sent\":true}\n", "disabled");
	CHECK_INT(box->nobody, 1);
	lk_app_after();
	a = sign_up("{\"email\":\"a\\r\\nBcc: x@example.com\",\"name\":\"N\"}");
	check_answer(a, 400, MSG("Field \\\"email\\\" must be an email address "
	    "like name@example.com"), "crlf email");
	a = serve(&signup_endpoint, LK_APP_RESPONDER, "POST", "/api/signup",
	    "{\"email\":\"n@example.com\",\"name\":\"Ann\\r\\nBcc: x@example.com\"}",
	    JSON, NULL);
	CHECK_INT(a->status, 400);
	CHECK_INT(box->queued, 0);
}

TEST(a_failing_mail_command_is_logged_with_its_status)
{
	instance("mail_from = noreply@example.com\n"
	    "site_url = https://login.example.com\n"
	    "mail_command = /bin/false\n");
	check_answer(ask_reset(EMAIL), 202, "{\"sent\":true}\n", "answer");
	last_log[0] = '\0';
	lk_app_after();
	CHECK(strstr(last_log, "mail: reset_link to " EMAIL ": the mail command "
	    "failed: exited with status 1") != NULL);
	CHECK(strstr(last_log, "/reset#") == NULL);
	/* Without mail_from nothing is made, and the answer is the same. */
	instance("site_url = https://login.example.com\n");
	log_text[0] = '\0';
	check_answer(ask_reset(EMAIL), 202, "{\"sent\":true}\n", "no sender");
	CHECK(strstr(log_text, "mail: reset_link to " EMAIL " not sent: "
	    "mail_from is not set") != NULL);
	CHECK_INT(lk_app_outbox()->nobody, 1);
	lk_app_after();
}

/* The log lines of the requests: not this test's output, but kept. */
static void
quiet(const char *line, void *arg)
{
	size_t	n = strlen(log_text);

	(void)arg;
	(void)snprintf(last_log, sizeof(last_log), "%s", line);
	if (n + strlen(line) < sizeof(log_text))
		(void)snprintf(log_text + n, sizeof(log_text) - n, "%s", line);
}

int
main(void)
{
	lk_log_set_sink(quiet, NULL);
	RUN(the_refusal_table_is_complete_and_exact);
	RUN(the_runtime_refuses_before_the_handler);
	RUN(login_refusals);
	RUN(auth_refusals_in_flask_order);
	RUN(the_authorizer_denies_with_401_whatever_the_reason);
	RUN(the_authorizer_sends_a_browser_loading_a_page_to_log_in);
	RUN(the_error_document_gives_an_access_checkers_reason);
	RUN(the_rules_decide_what_the_authorizer_answers);
	RUN(forward_auth_answers_as_caddy_and_traefik_expect);
	RUN(forward_auth_reads_the_original_request_strictly);
	RUN(forward_auth_believes_only_trusted_proxies);
	RUN(auth_request_answers_as_nginx_expects);
	RUN(the_rules_decide_forward_auth);
	RUN(a_login_returns_only_to_the_sites_own_hosts);
	RUN(a_browser_refused_by_the_rules_is_told_why);
	RUN(the_rules_file_is_read_again_when_it_changes);
	RUN(routes_under_an_endpoint);
	RUN(every_token_refusal_through_the_runtime);
	RUN(a_logged_out_token_is_revoked);
	RUN(a_verify_only_node_signs_out_a_logout_it_cannot_record);
	RUN(a_refusal_carries_no_cookie_but_the_four_cleared_when_it_signs_out);
	RUN(profile_name_rules);
	RUN(password_change_refusals);
	RUN(a_login_is_fresh_a_refresh_or_password_change_is_not);
	RUN(a_store_failure_in_refresh_is_503_json_without_cookies);
	RUN(no_configuration_is_503_and_a_later_request_recovers);
	RUN(throttle_counts_ipv6_clients_by_their_network);
	RUN(throttle_prefix_is_configurable);
	RUN(throttle_address_keys);
	RUN(reservations_bound_hashes_and_a_success_gives_one_back);
	RUN(forgot_answers_alike_and_does_the_same_work_for_any_account);
	RUN(asking_for_a_link_writes_the_same_before_the_answer_for_any_account);
	RUN(a_reset_link_sets_the_password_once);
	RUN(a_reset_link_expires_and_a_newer_one_replaces_it);
	RUN(reset_refusals);
	RUN(a_password_change_voids_a_reset_link_and_sends_its_notice);
	RUN(forgot_is_throttled_apart_from_logins);
	RUN(an_invitation_is_accepted_once_and_logs_in);
	RUN(signup_answers_alike_for_new_and_existing_addresses);
	RUN(a_failing_mail_command_is_logged_with_its_status);
	RUN(health_names_the_part_that_fails_and_recovers);
	RUN(metrics_count_logins_refreshes_and_refusals_for_loopback_only);
	lk_app_reset();
	tmp_cleanup();
	return T_END();
}
