#include <stdio.h>
#include <string.h>

#include "base/sha256.h"
#include "base/util.h"
#include "domain/config.h"
#include "domain/oidc.h"
#include "t.h"

#define ID_RULE	"a client's id holds a character other than A-Z, a-z, 0-9, " \
		"'-', '.', '_' and '~'"

TEST(client_ids_are_unreserved_characters)
{
	char	id[130];

	CHECK(lk_oidc_client_id_check("grafana") == NULL);
	CHECK(lk_oidc_client_id_check("A-z.0_9~") == NULL);
	memset(id, 'x', 128);
	id[128] = '\0';
	CHECK(lk_oidc_client_id_check(id) == NULL);
	id[128] = 'x';
	id[129] = '\0';
	CHECK_STR(lk_oidc_client_id_check(id),
	    "a client's id is longer than 128 bytes");
	CHECK_STR(lk_oidc_client_id_check(""), "a client's id is empty");
	/* ':' would split HTTP Basic; '%' and '+' change in a form. */
	CHECK_STR(lk_oidc_client_id_check("a:b"), ID_RULE);
	CHECK_STR(lk_oidc_client_id_check("a%20"), ID_RULE);
	CHECK_STR(lk_oidc_client_id_check("a+b"), ID_RULE);
	CHECK_STR(lk_oidc_client_id_check("caf\xc3\xa9"), ID_RULE);
}

TEST(registered_uris_are_absolute_http_without_a_fragment)
{
	CHECK(lk_oidc_uri_check("https://app.example/cb") == NULL);
	CHECK(lk_oidc_uri_check("http://127.0.0.1:8080/cb?x=1") == NULL);
	CHECK_STR(lk_oidc_uri_check("ftp://app.example/"),
	    "a URI must start with https:// or http://");
	CHECK_STR(lk_oidc_uri_check("/cb"),
	    "a URI must start with https:// or http://");
	CHECK_STR(lk_oidc_uri_check("https:///cb"), "a URI must name a host");
	CHECK_STR(lk_oidc_uri_check("https://"), "a URI must name a host");
	CHECK_STR(lk_oidc_uri_check("https://a.example/#x"),
	    "a URI must not hold a fragment ('#')");
	CHECK_STR(lk_oidc_uri_check("https://a.example/ x"), "a URI holds a "
	    "space, a control character or a character outside ASCII");
	CHECK_STR(lk_oidc_uri_check("https://a.example/\n"), "a URI holds a "
	    "space, a control character or a character outside ASCII");
}

TEST(a_redirect_uri_matches_a_registered_one_whole)
{
	const char	*list = "https://a.example/cb\nhttps://b.example/x";
	const char	*u;

	u = "https://a.example/cb";
	CHECK_INT(lk_oidc_uri_listed(list, u, strlen(u)), 1);
	u = "https://b.example/x";
	CHECK_INT(lk_oidc_uri_listed(list, u, strlen(u)), 1);
	/* No prefix, no extension, no case folding, no trailing slash. */
	u = "https://a.example/c";
	CHECK_INT(lk_oidc_uri_listed(list, u, strlen(u)), 0);
	u = "https://a.example/cb/";
	CHECK_INT(lk_oidc_uri_listed(list, u, strlen(u)), 0);
	u = "https://a.example/cb?x";
	CHECK_INT(lk_oidc_uri_listed(list, u, strlen(u)), 0);
	u = "https://A.example/cb";
	CHECK_INT(lk_oidc_uri_listed(list, u, strlen(u)), 0);
	u = "https://a.example/cb\nhttps://b.example/x";
	CHECK_INT(lk_oidc_uri_listed(list, u, strlen(u)), 0);
	CHECK_INT(lk_oidc_uri_listed(list, "", 0), 0);
	CHECK_INT(lk_oidc_uri_listed("", "https://a.example/cb", 20), 0);
}

TEST(a_secret_is_random_and_kept_as_its_hash)
{
	char		s1[LK_OIDC_SECRET_LEN + 1], s2[LK_OIDC_SECRET_LEN + 1];
	char		h1[LK_OIDC_HASH_LEN + 1], h2[LK_OIDC_HASH_LEN + 1];
	char		want[LK_OIDC_HASH_LEN + 1];
	unsigned char	d[LK_SHA256_LEN];

	CHECK_INT(lk_oidc_secret_new(s1, h1), 0);
	CHECK_INT(lk_oidc_secret_new(s2, h2), 0);
	CHECK_INT((int)strlen(s1), LK_OIDC_SECRET_LEN);
	CHECK(strcmp(s1, s2) != 0);
	CHECK(strspn(s1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") == LK_OIDC_SECRET_LEN);
	lk_sha256(s1, strlen(s1), d);
	CHECK_INT(lk_hex_encode(d, sizeof(d), want, sizeof(want)), 0);
	CHECK_STR(h1, want);
	CHECK_INT(lk_oidc_secret_matches(h1, s1, strlen(s1)), 1);
	CHECK_INT(lk_oidc_secret_matches(h1, s2, strlen(s2)), 0);
	CHECK_INT(lk_oidc_secret_matches(h1, s1, strlen(s1) - 1), 0);
	/* A public client's empty hash matches nothing, not even "". */
	CHECK_INT(lk_oidc_secret_matches("", "", 0), 0);
	CHECK_INT(lk_oidc_secret_matches("", s1, strlen(s1)), 0);
}

TEST(the_discovery_document_names_what_the_provider_supports)
{
	struct lk_config	cfg;
	char			out[8192];

	lk_config_defaults(&cfg);
	CHECK(lk_oidc_issuer(&cfg) == NULL);
	CHECK_INT(lk_oidc_discovery(&cfg, out, sizeof(out)), -1);
	(void)snprintf(cfg.site_url, sizeof(cfg.site_url), "https://ex.ample");
	CHECK_STR(lk_oidc_issuer(&cfg), "https://ex.ample");
	CHECK(lk_oidc_discovery(&cfg, out, sizeof(out)) > 0);
	CHECK_STR(out, "{"
	    "\"authorization_endpoint\":\"https://ex.ample/api/oidc/authorize\","
	    "\"authorization_response_iss_parameter_supported\":true,"
	    "\"claims_parameter_supported\":false,"
	    "\"claims_supported\":[\"amr\",\"at_hash\",\"aud\",\"auth_time\","
	    "\"email\",\"email_verified\",\"exp\",\"groups\",\"iat\",\"iss\","
	    "\"name\",\"nonce\",\"preferred_username\",\"sub\"],"
	    "\"code_challenge_methods_supported\":[\"S256\"],"
	    "\"end_session_endpoint\":\"https://ex.ample/api/oidc/logout\","
	    "\"grant_types_supported\":[\"authorization_code\","
	    "\"refresh_token\"],"
	    "\"id_token_signing_alg_values_supported\":[\"RS256\"],"
	    "\"introspection_endpoint\":"
	    "\"https://ex.ample/api/oidc/introspect\","
	    "\"introspection_endpoint_auth_methods_supported\":"
	    "[\"client_secret_basic\",\"client_secret_post\"],"
	    "\"issuer\":\"https://ex.ample\","
	    "\"jwks_uri\":\"https://ex.ample/.well-known/jwks.json\","
	    "\"prompt_values_supported\":[\"consent\",\"login\",\"none\"],"
	    "\"request_parameter_supported\":false,"
	    "\"request_uri_parameter_supported\":false,"
	    "\"response_modes_supported\":[\"query\"],"
	    "\"response_types_supported\":[\"code\"],"
	    "\"revocation_endpoint\":\"https://ex.ample/api/oidc/revoke\","
	    "\"revocation_endpoint_auth_methods_supported\":"
	    "[\"client_secret_basic\",\"client_secret_post\",\"none\"],"
	    "\"scopes_supported\":[\"openid\",\"profile\",\"email\","
	    "\"groups\",\"offline_access\"],"
	    "\"subject_types_supported\":[\"public\"],"
	    "\"token_endpoint\":\"https://ex.ample/api/oidc/token\","
	    "\"token_endpoint_auth_methods_supported\":"
	    "[\"client_secret_basic\",\"client_secret_post\",\"none\"],"
	    "\"userinfo_endpoint\":\"https://ex.ample/api/oidc/userinfo\"}\n");
	/* oidc_issuer names the issuer; the endpoints stay the site's. */
	(void)snprintf(cfg.oidc_issuer, sizeof(cfg.oidc_issuer),
	    "https://id.ex.ample/");
	CHECK(lk_oidc_discovery(&cfg, out, sizeof(out)) > 0);
	CHECK(strstr(out, "\"issuer\":\"https://id.ex.ample/\",") != NULL);
	CHECK(strstr(out, "\"token_endpoint\":"
	    "\"https://ex.ample/api/oidc/token\"") != NULL);
	CHECK_INT(lk_oidc_discovery(&cfg, out, 100), -1);
}

TEST(scopes_are_read_strictly_and_unknown_ones_ignored)
{
	unsigned int	b;
	char		text[LK_SCOPE_TEXT_MAX];

	CHECK_INT(lk_oidc_scope_parse("openid", &b), 0);
	CHECK_INT(b, LK_SCOPE_OPENID);
	CHECK_INT(lk_oidc_scope_parse("groups email openid profile "
	    "offline_access address email", &b), 0);
	CHECK_INT(b, LK_SCOPE_OPENID | LK_SCOPE_PROFILE | LK_SCOPE_EMAIL |
	    LK_SCOPE_GROUPS | LK_SCOPE_OFFLINE);
	CHECK_INT(lk_oidc_scope_text(b, text, sizeof(text)), 42);
	CHECK_STR(text, "openid profile email groups offline_access");
	CHECK_INT(lk_oidc_scope_parse("", &b), 0);
	CHECK_INT(b, 0);
	CHECK_INT(lk_oidc_scope_parse("OpenID", &b), 0);
	CHECK_INT(b, 0);
	CHECK_INT(lk_oidc_scope_parse("openid  email", &b), -1);
	CHECK_INT(lk_oidc_scope_parse(" openid", &b), -1);
	CHECK_INT(lk_oidc_scope_parse("openid ", &b), -1);
	CHECK_INT(b, 0);
	CHECK_INT(lk_oidc_scope_parse("openid\temail", &b), -1);
	CHECK_INT(lk_oidc_scope_parse("open\"id", &b), -1);
	CHECK_INT(lk_oidc_scope_parse("caf\xc3\xa9", &b), -1);
	CHECK_INT(lk_oidc_scope_text(LK_SCOPE_OPENID | LK_SCOPE_EMAIL, text,
	    sizeof(text)), 12);
	CHECK_STR(text, "openid email");
	CHECK_INT(lk_oidc_scope_text(LK_SCOPE_OPENID | LK_SCOPE_EMAIL, text,
	    12), -1);
}

TEST(userinfo_holds_the_claims_of_the_granted_scopes)
{
	char	out[1024];

	CHECK(lk_oidc_userinfo(LK_SCOPE_OPENID, "s-1", "Ann", "a@b.c", 1,
	    "admins,staff", out, sizeof(out)) > 0);
	CHECK_STR(out, "{\"sub\":\"s-1\"}\n");
	CHECK(lk_oidc_userinfo(LK_SCOPE_OPENID | LK_SCOPE_PROFILE |
	    LK_SCOPE_EMAIL | LK_SCOPE_GROUPS, "s-1", "Ann \xc3\x89", "a@b.c", 1,
	    "admins,staff", out, sizeof(out)) > 0);
	CHECK_STR(out, "{\"email\":\"a@b.c\",\"email_verified\":true,"
	    "\"groups\":[\"admins\",\"staff\"],\"name\":\"Ann \\u00c9\","
	    "\"preferred_username\":\"a@b.c\",\"sub\":\"s-1\"}\n");
	CHECK(lk_oidc_userinfo(LK_SCOPE_GROUPS, "s-1", "", "", 0, "", out,
	    sizeof(out)) > 0);
	CHECK_STR(out, "{\"groups\":[],\"sub\":\"s-1\"}\n");
	CHECK_INT(lk_oidc_userinfo(LK_SCOPE_OPENID, "s-1", "", "", 0, "", out,
	    12), -1);
}

TEST(a_new_subject_is_random_hex)
{
	char	a[LK_OIDC_SUB_LEN + 1], b[LK_OIDC_SUB_LEN + 1];

	CHECK_INT(lk_oidc_subject_new(a), 0);
	CHECK_INT(lk_oidc_subject_new(b), 0);
	CHECK_INT((int)strlen(a), 32);
	CHECK(strspn(a, "0123456789abcdef") == 32);
	CHECK(strcmp(a, b) != 0);
}

int
main(void)
{
	RUN(a_new_subject_is_random_hex);
	RUN(scopes_are_read_strictly_and_unknown_ones_ignored);
	RUN(userinfo_holds_the_claims_of_the_granted_scopes);
	RUN(the_discovery_document_names_what_the_provider_supports);
	RUN(client_ids_are_unreserved_characters);
	RUN(registered_uris_are_absolute_http_without_a_fragment);
	RUN(a_redirect_uri_matches_a_registered_one_whole);
	RUN(a_secret_is_random_and_kept_as_its_hash);
	return T_END();
}
