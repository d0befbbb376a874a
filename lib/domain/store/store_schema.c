/*
 * The store's schema on each engine: the statements that bring a
 * database from one version to the next (store.h's
 * LK_STORE_SCHEMA_VERSION is the last).  The tables are the same on every
 * engine, each written in the engine's own words; the drivers apply them
 * (lk_sql_migrate) and keep the version their own way.
 */
#include <stddef.h>

#include "domain/store/sql.h"
#include "domain/store/store.h"
#include "domain/store/store_stmts.h"

/* SQLite: PRAGMA user_version says how many have run. */

/* 1: users */
static const char *const sqlite_v1[] = {
	"CREATE TABLE users ("
	"  id       INTEGER PRIMARY KEY,"
	"  email    TEXT NOT NULL UNIQUE COLLATE NOCASE"
	"           CHECK (length(email) BETWEEN 3 AND 254),"
	"  name     TEXT NOT NULL CHECK (length(CAST(name AS BLOB)) <= 400),"
	"  hash     TEXT NOT NULL,"
	"  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
	"  created  INTEGER NOT NULL,"
	"  updated  INTEGER NOT NULL"
	");",
	NULL
};

/* 2: sessions (refresh token families), revocation, throttling */
static const char *const sqlite_v2[] = {
	"ALTER TABLE users ADD COLUMN tokens_valid_after INTEGER NOT NULL"
	"  DEFAULT 0;"
	"CREATE TABLE refresh_tokens ("
	"  jti            TEXT PRIMARY KEY,"
	"  family         TEXT NOT NULL,"
	"  user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  access_jti     TEXT NOT NULL,"
	"  exp            INTEGER NOT NULL,"
	"  family_started INTEGER NOT NULL,"
	"  rotated_at     INTEGER,"
	"  revoked        INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX refresh_tokens_family ON refresh_tokens(family);"
	"CREATE INDEX refresh_tokens_user ON refresh_tokens(user_id);"
	"CREATE INDEX refresh_tokens_access ON refresh_tokens(access_jti);"
	"CREATE TABLE revoked_tokens ("
	"  jti TEXT PRIMARY KEY,"
	"  exp INTEGER NOT NULL"
	");"
	"CREATE TABLE throttle ("
	"  key          TEXT PRIMARY KEY,"
	"  failures     INTEGER NOT NULL,"
	"  window_start INTEGER NOT NULL"
	");"
	"CREATE INDEX refresh_tokens_exp ON refresh_tokens(exp);"
	"CREATE INDEX revoked_tokens_exp ON revoked_tokens(exp);"
	"CREATE INDEX throttle_window ON throttle(window_start);",
	NULL
};

/*
 * 3: a session table of its own (the family's login, rotations,
 * revocation, "keep me signed in", client); refresh tokens keep what
 * signs their pair again (csrf values, times) and their successor;
 * deleted accounts leave the time of their deletion.  Tokens of old
 * rows carry no csrf values: a replay of one is refused.
 */
static const char *const sqlite_v3[] = {
	"CREATE TABLE sessions ("
	"  id         TEXT PRIMARY KEY,"
	"  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  created    INTEGER NOT NULL,"
	"  refreshed  INTEGER NOT NULL,"
	"  refreshes  INTEGER NOT NULL DEFAULT 0,"
	"  revoked    INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),"
	"  persistent INTEGER NOT NULL DEFAULT 0 CHECK (persistent IN (0, 1)),"
	"  user_agent TEXT NOT NULL DEFAULT '',"
	"  address    TEXT NOT NULL DEFAULT '',"
	"  exp        INTEGER NOT NULL"
	");"
	"INSERT INTO sessions (id, user_id, created, refreshed, refreshes,"
	"  revoked, exp)"
	"  SELECT family, min(user_id), min(family_started),"
	"    max(coalesce(rotated_at, family_started)), count(*) - 1,"
	"    max(revoked), max(exp) FROM refresh_tokens GROUP BY family;"
	"CREATE TABLE tokens3 ("
	"  jti         TEXT PRIMARY KEY,"
	"  family      TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
	"  access_jti  TEXT NOT NULL UNIQUE,"
	"  csrf        TEXT NOT NULL,"
	"  access_csrf TEXT NOT NULL,"
	"  iat         INTEGER NOT NULL,"
	"  exp         INTEGER NOT NULL,"
	"  access_exp  INTEGER NOT NULL,"
	"  rotated_at  INTEGER,"
	"  successor   TEXT"
	");"
	"INSERT INTO tokens3 (jti, family, access_jti, csrf, access_csrf, iat,"
	"  exp, access_exp, rotated_at)"
	"  SELECT jti, family, access_jti, '', '', family_started, exp, exp,"
	"    rotated_at FROM refresh_tokens;"
	"DROP TABLE refresh_tokens;"
	"ALTER TABLE tokens3 RENAME TO refresh_tokens;"
	"CREATE INDEX refresh_tokens_family ON refresh_tokens(family);"
	"CREATE INDEX sessions_user ON sessions(user_id);"
	"CREATE INDEX sessions_exp ON sessions(exp);"
	"CREATE TABLE deleted_users ("
	"  email   TEXT PRIMARY KEY COLLATE NOCASE,"
	"  deleted INTEGER NOT NULL"
	");",
	NULL
};

/*
 * 4: second factors and passkeys.  A TOTP secret is sealed under
 * mfa_key_file and bound to its user; recovery codes and pending
 * logins are kept as hashes; challenges are used once.
 */
static const char *const sqlite_v4[] = {
	"CREATE TABLE mfa_totp ("
	"  user_id   INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
	"  secret    TEXT NOT NULL,"
	"  enabled   INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),"
	"  last_step INTEGER NOT NULL DEFAULT -1,"
	"  created   INTEGER NOT NULL"
	");"
	"CREATE TABLE mfa_recovery ("
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  hash    TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  PRIMARY KEY (user_id, hash)"
	");"
	"CREATE TABLE mfa_pending ("
	"  id         TEXT PRIMARY KEY,"
	"  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  hash       TEXT NOT NULL,"
	"  persistent INTEGER NOT NULL DEFAULT 0 CHECK (persistent IN (0, 1)),"
	"  created    INTEGER NOT NULL,"
	"  exp        INTEGER NOT NULL"
	");"
	"CREATE INDEX mfa_pending_user ON mfa_pending(user_id);"
	"CREATE INDEX mfa_pending_exp ON mfa_pending(exp);"
	"CREATE TABLE webauthn_users ("
	"  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
	"  handle  TEXT NOT NULL UNIQUE"
	");"
	"CREATE TABLE webauthn_credentials ("
	"  id            TEXT PRIMARY KEY,"
	"  credential_id TEXT NOT NULL UNIQUE,"
	"  user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  alg           INTEGER NOT NULL,"
	"  public_key    TEXT NOT NULL,"
	"  sign_count    INTEGER NOT NULL,"
	"  flags         INTEGER NOT NULL,"
	"  aaguid        TEXT NOT NULL,"
	"  name          TEXT NOT NULL,"
	"  created       INTEGER NOT NULL,"
	"  last_used     INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX webauthn_credentials_user ON webauthn_credentials(user_id);"
	"CREATE TABLE webauthn_challenges ("
	"  challenge TEXT PRIMARY KEY,"
	"  kind      TEXT NOT NULL CHECK (kind IN ('register', 'login')),"
	"  user_id   INTEGER REFERENCES users(id) ON DELETE CASCADE,"
	"  address   TEXT NOT NULL DEFAULT '',"
	"  exp       INTEGER NOT NULL"
	");"
	"CREATE INDEX webauthn_challenges_exp ON webauthn_challenges(exp);"
	"CREATE INDEX webauthn_challenges_address ON webauthn_challenges(address);",
	NULL
};

/*
 * 5: one-time links (password reset, invitation, sign-up), each by
 * the SHA-256 of its token, gone with its account.
 */
static const char *const sqlite_v5[] = {
	"CREATE TABLE account_tokens ("
	"  hash    TEXT PRIMARY KEY CHECK (length(hash) = 64),"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  purpose TEXT NOT NULL CHECK (purpose IN ('reset', 'invite', 'signup')),"
	"  created INTEGER NOT NULL,"
	"  expires INTEGER NOT NULL"
	");"
	"CREATE INDEX account_tokens_user ON account_tokens(user_id);"
	"CREATE INDEX account_tokens_expires ON account_tokens(expires);",
	NULL
};

/*
 * 6: groups of users (by name, which never changes) and their members,
 * gone with their group or their account.
 */
static const char *const sqlite_v6[] = {
	"CREATE TABLE user_groups ("
	"  name        TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),"
	"  description TEXT NOT NULL DEFAULT ''"
	"              CHECK (length(CAST(description AS BLOB)) <= 400),"
	"  created     INTEGER NOT NULL"
	");"
	"CREATE TABLE group_members ("
	"  group_name TEXT NOT NULL"
	"             REFERENCES user_groups(name) ON DELETE CASCADE,"
	"  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  created    INTEGER NOT NULL,"
	"  PRIMARY KEY (user_id, group_name)"
	");"
	"CREATE INDEX group_members_group ON group_members(group_name);",
	NULL
};

/*
 * 7: the OpenID provider: each account's subject (a random value that
 * goes with it and is never reused, as a rowid may be; made here for
 * the accounts there are, by the provider for later ones), clients,
 * authorization codes (by hash), the grants they make with their
 * refresh tokens (by hash), and users' consents.
 */
static const char *const sqlite_v7[] = {
	"CREATE TABLE oidc_subjects ("
	"  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
	"  sub     TEXT NOT NULL UNIQUE CHECK (length(sub) BETWEEN 16 AND 64)"
	");"
	"INSERT INTO oidc_subjects (user_id, sub)"
	"  SELECT id, lower(hex(randomblob(16))) FROM users;"
	"CREATE TABLE oidc_clients ("
	"  id            TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 128),"
	"  name          TEXT NOT NULL DEFAULT ''"
	"                CHECK (length(CAST(name AS BLOB)) <= 200),"
	"  secret        TEXT NOT NULL DEFAULT '',"
	"  public        INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),"
	"  redirect_uris TEXT NOT NULL CHECK (length(redirect_uris) <= 4096),"
	"  logout_uris   TEXT NOT NULL DEFAULT ''"
	"                CHECK (length(logout_uris) <= 4096),"
	"  allowed_groups TEXT NOT NULL DEFAULT '',"
	"  consent       INTEGER NOT NULL DEFAULT 0 CHECK (consent IN (0, 1)),"
	"  created       INTEGER NOT NULL"
	");"
	"CREATE TABLE oidc_grants ("
	"  id         TEXT PRIMARY KEY,"
	"  client_id  TEXT NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,"
	"  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  session_id TEXT NOT NULL DEFAULT '',"
	"  scope      TEXT NOT NULL,"
	"  amr        TEXT NOT NULL DEFAULT '',"
	"  auth_time  INTEGER NOT NULL,"
	"  created    INTEGER NOT NULL,"
	"  exp        INTEGER NOT NULL,"
	"  revoked    INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))"
	");"
	"CREATE INDEX oidc_grants_client ON oidc_grants(client_id);"
	"CREATE INDEX oidc_grants_user ON oidc_grants(user_id);"
	"CREATE INDEX oidc_grants_exp ON oidc_grants(exp);"
	"CREATE TABLE oidc_codes ("
	"  hash         TEXT PRIMARY KEY CHECK (length(hash) = 64),"
	"  client_id    TEXT NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,"
	"  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  session_id   TEXT NOT NULL DEFAULT '',"
	"  redirect_uri TEXT NOT NULL,"
	"  challenge    TEXT NOT NULL DEFAULT '',"
	"  nonce        TEXT NOT NULL DEFAULT '',"
	"  scope        TEXT NOT NULL,"
	"  amr          TEXT NOT NULL DEFAULT '',"
	"  auth_time    INTEGER NOT NULL,"
	"  expires      INTEGER NOT NULL,"
	"  used         INTEGER NOT NULL DEFAULT 0 CHECK (used IN (0, 1)),"
	"  grant_id     TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX oidc_codes_client ON oidc_codes(client_id);"
	"CREATE INDEX oidc_codes_user ON oidc_codes(user_id);"
	"CREATE INDEX oidc_codes_expires ON oidc_codes(expires);"
	"CREATE TABLE oidc_refresh_tokens ("
	"  hash       TEXT PRIMARY KEY CHECK (length(hash) = 64),"
	"  grant_id   TEXT NOT NULL REFERENCES oidc_grants(id) ON DELETE CASCADE,"
	"  exp        INTEGER NOT NULL,"
	"  rotated_at INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX oidc_refresh_tokens_grant ON oidc_refresh_tokens(grant_id);"
	"CREATE TABLE oidc_consents ("
	"  user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  client_id TEXT NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,"
	"  scope     TEXT NOT NULL,"
	"  created   INTEGER NOT NULL,"
	"  PRIMARY KEY (user_id, client_id)"
	");"
	"CREATE INDEX oidc_consents_client ON oidc_consents(client_id);",
	NULL
};

/*
 * 8: the audit log: the events the log's audit lines tell, kept
 * (audit_retention_days) for the administrators to read.  Texts, not
 * references: an event outlives its account.
 */
static const char *const sqlite_v8[] = {
	"CREATE TABLE audit_log ("
	"  id       INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time     INTEGER NOT NULL,"
	"  event    TEXT NOT NULL,"
	"  actor    TEXT NOT NULL DEFAULT '',"
	"  target   TEXT NOT NULL DEFAULT '',"
	"  address  TEXT NOT NULL DEFAULT '',"
	"  detail   TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX audit_log_time ON audit_log(time);",
	NULL
};

static const struct lk_sql_migration sqlite_migrations[] = {
	{ 1, sqlite_v1 }, { 2, sqlite_v2 }, { 3, sqlite_v3 }, { 4, sqlite_v4 },
	{ 5, sqlite_v5 }, { 6, sqlite_v6 }, { 7, sqlite_v7 },
	{ 8, sqlite_v8 },
};

/*
 * PostgreSQL starts at version 3, the first it was supported at; the
 * table schema_version holds the version.
 */


static const char *const pg_v3[] = {
	"CREATE TABLE users ("
	"  id         bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  email      text NOT NULL"
	"             CHECK (char_length(email) BETWEEN 3 AND 254),"
	"  name       text NOT NULL CHECK (octet_length(name) <= 400),"
	"  hash       text NOT NULL,"
	"  disabled   integer NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
	"  created    bigint NOT NULL,"
	"  updated    bigint NOT NULL,"
	"  tokens_valid_after bigint NOT NULL DEFAULT 0"
	");"
	"CREATE UNIQUE INDEX users_email ON users ((" LK_PG_FOLD("email") "));"
	"CREATE TABLE deleted_users ("
	"  email      text NOT NULL,"
	"  deleted    bigint NOT NULL"
	");"
	"CREATE UNIQUE INDEX deleted_users_email ON deleted_users"
	"  ((" LK_PG_FOLD("email") "));"
	"CREATE TABLE sessions ("
	"  id         text PRIMARY KEY,"
	"  user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  created    bigint NOT NULL,"
	"  refreshed  bigint NOT NULL,"
	"  refreshes  bigint NOT NULL DEFAULT 0,"
	"  revoked    integer NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),"
	"  persistent integer NOT NULL DEFAULT 0 CHECK (persistent IN (0, 1)),"
	"  user_agent text NOT NULL DEFAULT '',"
	"  address    text NOT NULL DEFAULT '',"
	"  exp        bigint NOT NULL"
	");"
	"CREATE INDEX sessions_user ON sessions(user_id);"
	"CREATE INDEX sessions_exp ON sessions(exp);"
	"CREATE TABLE refresh_tokens ("
	"  jti        text PRIMARY KEY,"
	"  family     text NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
	"  access_jti text NOT NULL UNIQUE,"
	"  csrf       text NOT NULL,"
	"  access_csrf text NOT NULL,"
	"  iat        bigint NOT NULL,"
	"  exp        bigint NOT NULL,"
	"  access_exp bigint NOT NULL,"
	"  rotated_at bigint,"
	"  successor  text"
	");"
	"CREATE INDEX refresh_tokens_family ON refresh_tokens(family);"
	"CREATE TABLE revoked_tokens ("
	"  jti        text PRIMARY KEY,"
	"  exp        bigint NOT NULL"
	");"
	"CREATE INDEX revoked_tokens_exp ON revoked_tokens(exp);"
	"CREATE TABLE throttle ("
	"  key        text PRIMARY KEY,"
	"  failures   bigint NOT NULL,"
	"  window_start bigint NOT NULL"
	");"
	"CREATE INDEX throttle_window ON throttle(window_start);"
	"CREATE TABLE schema_version ("
	"  one        boolean PRIMARY KEY DEFAULT true CHECK (one),"
	"  version    integer NOT NULL"
	");",
	NULL
};

/*
 * Second factors and passkeys, as SQLite's migration 4: a TOTP
 * secret sealed under mfa_key_file and bound to its user, recovery
 * codes and pending logins kept as hashes, challenges used once.
 */
static const char *const pg_v4[] = {
	"CREATE TABLE mfa_totp ("
	"  user_id    bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
	"  secret     text NOT NULL,"
	"  enabled    integer NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),"
	"  last_step  bigint NOT NULL DEFAULT -1,"
	"  created    bigint NOT NULL"
	");"
	"CREATE TABLE mfa_recovery ("
	"  user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  hash       text NOT NULL,"
	"  created    bigint NOT NULL,"
	"  PRIMARY KEY (user_id, hash)"
	");"
	"CREATE TABLE mfa_pending ("
	"  id         text PRIMARY KEY,"
	"  user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  hash       text NOT NULL,"
	"  persistent integer NOT NULL DEFAULT 0 CHECK (persistent IN (0, 1)),"
	"  created    bigint NOT NULL,"
	"  exp        bigint NOT NULL"
	");"
	"CREATE INDEX mfa_pending_user ON mfa_pending(user_id);"
	"CREATE INDEX mfa_pending_exp ON mfa_pending(exp);"
	"CREATE TABLE webauthn_users ("
	"  user_id    bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
	"  handle     text NOT NULL UNIQUE"
	");"
	"CREATE TABLE webauthn_credentials ("
	"  id         text PRIMARY KEY,"
	"  credential_id text NOT NULL UNIQUE,"
	"  user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  alg        integer NOT NULL,"
	"  public_key text NOT NULL,"
	"  sign_count bigint NOT NULL,"
	"  flags      integer NOT NULL,"
	"  aaguid     text NOT NULL,"
	"  name       text NOT NULL,"
	"  created    bigint NOT NULL,"
	"  last_used  bigint NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX webauthn_credentials_user ON webauthn_credentials(user_id);"
	"CREATE TABLE webauthn_challenges ("
	"  challenge  text PRIMARY KEY,"
	"  kind       text NOT NULL CHECK (kind IN ('register', 'login')),"
	"  user_id    bigint REFERENCES users(id) ON DELETE CASCADE,"
	"  address    text NOT NULL DEFAULT '',"
	"  exp        bigint NOT NULL"
	");"
	"CREATE INDEX webauthn_challenges_exp ON webauthn_challenges(exp);"
	"CREATE INDEX webauthn_challenges_address ON webauthn_challenges(address);",
	NULL
};

/*
 * 5: one-time links (password reset, invitation, sign-up), each by
 * the SHA-256 of its token, gone with its account.
 */
static const char *const pg_v5[] = {
	"CREATE TABLE account_tokens ("
	"  hash       text PRIMARY KEY CHECK (char_length(hash) = 64),"
	"  user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  purpose    text NOT NULL"
	"             CHECK (purpose IN ('reset', 'invite', 'signup')),"
	"  created    bigint NOT NULL,"
	"  expires    bigint NOT NULL"
	");"
	"CREATE INDEX account_tokens_user ON account_tokens(user_id);"
	"CREATE INDEX account_tokens_expires ON account_tokens(expires);",
	NULL
};

/* 6: groups and their members, as SQLite's migration 6. */
static const char *const pg_v6[] = {
	"CREATE TABLE user_groups ("
	"  name       text PRIMARY KEY"
	"             CHECK (char_length(name) BETWEEN 1 AND 64),"
	"  description text NOT NULL DEFAULT ''"
	"             CHECK (octet_length(description) <= 400),"
	"  created    bigint NOT NULL"
	");"
	"CREATE TABLE group_members ("
	"  group_name text NOT NULL"
	"             REFERENCES user_groups(name) ON DELETE CASCADE,"
	"  user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  created    bigint NOT NULL,"
	"  PRIMARY KEY (user_id, group_name)"
	");"
	"CREATE INDEX group_members_group ON group_members(group_name);",
	NULL
};

/* 7: the OpenID provider, as SQLite's migration 7. */
static const char *const pg_v7[] = {
	"CREATE TABLE oidc_subjects ("
	"  user_id bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
	"  sub     text NOT NULL UNIQUE"
	"          CHECK (char_length(sub) BETWEEN 16 AND 64)"
	");"
	"INSERT INTO oidc_subjects (user_id, sub)"
	"  SELECT id, md5(random()::text || clock_timestamp()::text || id::text)"
	"  FROM users;"
	"CREATE TABLE oidc_clients ("
	"  id            text PRIMARY KEY"
	"                CHECK (char_length(id) BETWEEN 1 AND 128),"
	"  name          text NOT NULL DEFAULT ''"
	"                CHECK (octet_length(name) <= 200),"
	"  secret        text NOT NULL DEFAULT '',"
	"  public        integer NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),"
	"  redirect_uris text NOT NULL CHECK (octet_length(redirect_uris) <= 4096),"
	"  logout_uris   text NOT NULL DEFAULT ''"
	"                CHECK (octet_length(logout_uris) <= 4096),"
	"  allowed_groups text NOT NULL DEFAULT '',"
	"  consent       integer NOT NULL DEFAULT 0 CHECK (consent IN (0, 1)),"
	"  created       bigint NOT NULL"
	");"
	"CREATE TABLE oidc_grants ("
	"  id         text PRIMARY KEY,"
	"  client_id  text NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,"
	"  user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  session_id text NOT NULL DEFAULT '',"
	"  scope      text NOT NULL,"
	"  amr        text NOT NULL DEFAULT '',"
	"  auth_time  bigint NOT NULL,"
	"  created    bigint NOT NULL,"
	"  exp        bigint NOT NULL,"
	"  revoked    integer NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))"
	");"
	"CREATE INDEX oidc_grants_client ON oidc_grants(client_id);"
	"CREATE INDEX oidc_grants_user ON oidc_grants(user_id);"
	"CREATE INDEX oidc_grants_exp ON oidc_grants(exp);"
	"CREATE TABLE oidc_codes ("
	"  hash         text PRIMARY KEY CHECK (char_length(hash) = 64),"
	"  client_id    text NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,"
	"  user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  session_id   text NOT NULL DEFAULT '',"
	"  redirect_uri text NOT NULL,"
	"  challenge    text NOT NULL DEFAULT '',"
	"  nonce        text NOT NULL DEFAULT '',"
	"  scope        text NOT NULL,"
	"  amr          text NOT NULL DEFAULT '',"
	"  auth_time    bigint NOT NULL,"
	"  expires      bigint NOT NULL,"
	"  used         integer NOT NULL DEFAULT 0 CHECK (used IN (0, 1)),"
	"  grant_id     text NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX oidc_codes_client ON oidc_codes(client_id);"
	"CREATE INDEX oidc_codes_user ON oidc_codes(user_id);"
	"CREATE INDEX oidc_codes_expires ON oidc_codes(expires);"
	"CREATE TABLE oidc_refresh_tokens ("
	"  hash       text PRIMARY KEY CHECK (char_length(hash) = 64),"
	"  grant_id   text NOT NULL REFERENCES oidc_grants(id) ON DELETE CASCADE,"
	"  exp        bigint NOT NULL,"
	"  rotated_at bigint NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX oidc_refresh_tokens_grant ON oidc_refresh_tokens(grant_id);"
	"CREATE TABLE oidc_consents ("
	"  user_id   bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  client_id text NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,"
	"  scope     text NOT NULL,"
	"  created   bigint NOT NULL,"
	"  PRIMARY KEY (user_id, client_id)"
	");"
	"CREATE INDEX oidc_consents_client ON oidc_consents(client_id);",
	NULL
};

/* 8: the audit log, as SQLite's migration 8. */
static const char *const pg_v8[] = {
	"CREATE TABLE audit_log ("
	"  id       bigserial PRIMARY KEY,"
	"  time     bigint NOT NULL,"
	"  event    text NOT NULL,"
	"  actor    text NOT NULL DEFAULT '',"
	"  target   text NOT NULL DEFAULT '',"
	"  address  text NOT NULL DEFAULT '',"
	"  detail   text NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX audit_log_time ON audit_log(time);",
	NULL
};

static const struct lk_sql_migration pg_migrations[] = {
	{ 3, pg_v3 }, { 4, pg_v4 }, { 5, pg_v5 }, { 6, pg_v6 }, { 7, pg_v7 },
	{ 8, pg_v8 },
};

/*
 * MariaDB and MySQL start at version 5, and keep it as PostgreSQL does.
 * Every text column says its character set and collation (utf8mb4, byte
 * for byte, no padding: the server's default compares case-insensitively
 * and ignores trailing spaces); an email's ASCII folding is a generated
 * column of its own, unique.  Each statement commits on its own (DDL
 * does, on this engine), so each can run again: a migration cut short is
 * finished by the next.  Foreign keys are written as table constraints:
 * InnoDB ignores REFERENCES on a column.
 */
#define TEXT(n)	"VARCHAR(" #n ") CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin"
#define FOLDED(col, n) col "_fold VARCHAR(" #n ") CHARACTER SET utf8mb4 " \
	"COLLATE utf8mb4_nopad_bin AS (" LK_MYSQL_FOLD(col) ") STORED"
#define TABLE(name)	"CREATE TABLE IF NOT EXISTS " name " ("
#define INNODB	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin"
#define OF_USER	"FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE"

static const char *const mysql_v5[] = {
	TABLE("users")
	"  id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
	"  email      " TEXT(254) " NOT NULL"
	"             CHECK (char_length(email) BETWEEN 3 AND 254),"
	"  " FOLDED("email", 254) ","
	"  name       " TEXT(400) " NOT NULL CHECK (octet_length(name) <= 400),"
	"  hash       " TEXT(256) " NOT NULL,"
	"  disabled   INT NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
	"  created    BIGINT NOT NULL,"
	"  updated    BIGINT NOT NULL,"
	"  tokens_valid_after BIGINT NOT NULL DEFAULT 0,"
	"  UNIQUE KEY users_email (email_fold)"
	INNODB,
	TABLE("deleted_users")
	"  email      " TEXT(254) " NOT NULL,"
	"  " FOLDED("email", 254) ","
	"  deleted    BIGINT NOT NULL,"
	"  UNIQUE KEY deleted_users_email (email_fold)"
	INNODB,
	TABLE("sessions")
	"  id         " TEXT(64) " NOT NULL PRIMARY KEY,"
	"  user_id    BIGINT NOT NULL,"
	"  created    BIGINT NOT NULL,"
	"  refreshed  BIGINT NOT NULL,"
	"  refreshes  BIGINT NOT NULL DEFAULT 0,"
	"  revoked    INT NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),"
	"  persistent INT NOT NULL DEFAULT 0 CHECK (persistent IN (0, 1)),"
	"  user_agent " TEXT(255) " NOT NULL DEFAULT '',"
	"  address    " TEXT(63) " NOT NULL DEFAULT '',"
	"  exp        BIGINT NOT NULL,"
	"  KEY sessions_exp (exp),"
	"  " OF_USER
	INNODB,
	TABLE("refresh_tokens")
	"  jti        " TEXT(64) " NOT NULL PRIMARY KEY,"
	"  family     " TEXT(64) " NOT NULL,"
	"  access_jti " TEXT(64) " NOT NULL UNIQUE,"
	"  csrf       " TEXT(64) " NOT NULL,"
	"  access_csrf " TEXT(64) " NOT NULL,"
	"  iat        BIGINT NOT NULL,"
	"  exp        BIGINT NOT NULL,"
	"  access_exp BIGINT NOT NULL,"
	"  rotated_at BIGINT NULL,"
	"  successor  " TEXT(64) " NULL,"
	"  FOREIGN KEY (family) REFERENCES sessions(id) ON DELETE CASCADE"
	INNODB,
	TABLE("revoked_tokens")
	"  jti        " TEXT(64) " NOT NULL PRIMARY KEY,"
	"  exp        BIGINT NOT NULL,"
	"  KEY revoked_tokens_exp (exp)"
	INNODB,
	TABLE("throttle")
	"  `key`      " TEXT(270) " NOT NULL PRIMARY KEY,"
	"  failures   BIGINT NOT NULL,"
	"  window_start BIGINT NOT NULL,"
	"  KEY throttle_window (window_start)"
	INNODB,
	TABLE("mfa_totp")
	"  user_id    BIGINT NOT NULL PRIMARY KEY,"
	"  secret     " TEXT(128) " NOT NULL,"
	"  enabled    INT NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),"
	"  last_step  BIGINT NOT NULL DEFAULT -1,"
	"  created    BIGINT NOT NULL,"
	"  " OF_USER
	INNODB,
	TABLE("mfa_recovery")
	"  user_id    BIGINT NOT NULL,"
	"  hash       " TEXT(64) " NOT NULL,"
	"  created    BIGINT NOT NULL,"
	"  PRIMARY KEY (user_id, hash),"
	"  " OF_USER
	INNODB,
	TABLE("mfa_pending")
	"  id         " TEXT(64) " NOT NULL PRIMARY KEY,"
	"  user_id    BIGINT NOT NULL,"
	"  hash       " TEXT(256) " NOT NULL,"
	"  persistent INT NOT NULL DEFAULT 0 CHECK (persistent IN (0, 1)),"
	"  created    BIGINT NOT NULL,"
	"  exp        BIGINT NOT NULL,"
	"  KEY mfa_pending_exp (exp),"
	"  " OF_USER
	INNODB,
	TABLE("webauthn_users")
	"  user_id    BIGINT NOT NULL PRIMARY KEY,"
	"  handle     " TEXT(96) " NOT NULL UNIQUE,"
	"  " OF_USER
	INNODB,
	/* A credential id is base64url: ASCII, and too long to index else. */
	TABLE("webauthn_credentials")
	"  id         " TEXT(64) " NOT NULL PRIMARY KEY,"
	"  credential_id VARCHAR(1400) CHARACTER SET ascii"
	"             COLLATE ascii_nopad_bin NOT NULL UNIQUE,"
	"  user_id    BIGINT NOT NULL,"
	"  alg        INT NOT NULL,"
	"  public_key " TEXT(800) " NOT NULL,"
	"  sign_count BIGINT NOT NULL,"
	"  flags      INT NOT NULL,"
	"  aaguid     " TEXT(32) " NOT NULL,"
	"  name       " TEXT(256) " NOT NULL,"
	"  created    BIGINT NOT NULL,"
	"  last_used  BIGINT NOT NULL DEFAULT 0,"
	"  " OF_USER
	INNODB,
	TABLE("webauthn_challenges")
	"  challenge  " TEXT(96) " NOT NULL PRIMARY KEY,"
	"  kind       " TEXT(8) " NOT NULL CHECK (kind IN ('register', 'login')),"
	"  user_id    BIGINT NULL,"
	"  address    " TEXT(63) " NOT NULL DEFAULT '',"
	"  exp        BIGINT NOT NULL,"
	"  KEY webauthn_challenges_exp (exp),"
	"  KEY webauthn_challenges_address (address),"
	"  " OF_USER
	INNODB,
	TABLE("account_tokens")
	"  hash       " TEXT(64) " NOT NULL PRIMARY KEY"
	"             CHECK (char_length(hash) = 64),"
	"  user_id    BIGINT NOT NULL,"
	"  purpose    " TEXT(8) " NOT NULL"
	"             CHECK (purpose IN ('reset', 'invite', 'signup')),"
	"  created    BIGINT NOT NULL,"
	"  expires    BIGINT NOT NULL,"
	"  KEY account_tokens_expires (expires),"
	"  " OF_USER
	INNODB,
	TABLE("schema_version")
	"  one        INT NOT NULL DEFAULT 1 PRIMARY KEY CHECK (one = 1),"
	"  version    INT NOT NULL"
	INNODB,
	NULL
};

/* 6: groups and their members, as SQLite's migration 6. */
static const char *const mysql_v6[] = {
	TABLE("user_groups")
	"  name       " TEXT(64) " NOT NULL PRIMARY KEY"
	"             CHECK (char_length(name) BETWEEN 1 AND 64),"
	"  description " TEXT(400) " NOT NULL DEFAULT ''"
	"             CHECK (octet_length(description) <= 400),"
	"  created    BIGINT NOT NULL"
	INNODB,
	TABLE("group_members")
	"  group_name " TEXT(64) " NOT NULL,"
	"  user_id    BIGINT NOT NULL,"
	"  created    BIGINT NOT NULL,"
	"  PRIMARY KEY (user_id, group_name),"
	"  KEY group_members_group (group_name),"
	"  FOREIGN KEY (group_name) REFERENCES user_groups(name)"
	"  ON DELETE CASCADE,"
	"  " OF_USER
	INNODB,
	NULL
};

/*
 * 7: the OpenID provider, as SQLite's migration 7.  The subjects of the
 * accounts there are fill in by a statement of their own, which leaves
 * those a cut-short run made.
 */
#define OF_CLIENT	"FOREIGN KEY (client_id) REFERENCES oidc_clients(id) " \
			"ON DELETE CASCADE"
static const char *const mysql_v7[] = {
	TABLE("oidc_subjects")
	"  user_id    BIGINT NOT NULL PRIMARY KEY,"
	"  sub        " TEXT(64) " NOT NULL"
	"             CHECK (char_length(sub) BETWEEN 16 AND 64),"
	"  UNIQUE KEY oidc_subjects_sub (sub),"
	"  " OF_USER
	INNODB,
	"INSERT IGNORE INTO oidc_subjects (user_id, sub)"
	"  SELECT id, MD5(CONCAT(UUID(), RAND(), id)) FROM users",
	TABLE("oidc_clients")
	"  id         " TEXT(128) " NOT NULL PRIMARY KEY"
	"             CHECK (char_length(id) BETWEEN 1 AND 128),"
	"  name       " TEXT(200) " NOT NULL DEFAULT ''"
	"             CHECK (octet_length(name) <= 200),"
	"  secret     " TEXT(64) " NOT NULL DEFAULT '',"
	"  public     INT NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),"
	"  redirect_uris TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin"
	"             NOT NULL CHECK (octet_length(redirect_uris) <= 4096),"
	"  logout_uris TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin"
	"             NOT NULL CHECK (octet_length(logout_uris) <= 4096),"
	"  allowed_groups TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin"
	"             NOT NULL,"
	"  consent    INT NOT NULL DEFAULT 0 CHECK (consent IN (0, 1)),"
	"  created    BIGINT NOT NULL"
	INNODB,
	TABLE("oidc_grants")
	"  id         " TEXT(64) " NOT NULL PRIMARY KEY,"
	"  client_id  " TEXT(128) " NOT NULL,"
	"  user_id    BIGINT NOT NULL,"
	"  session_id " TEXT(64) " NOT NULL DEFAULT '',"
	"  scope      " TEXT(256) " NOT NULL,"
	"  amr        " TEXT(64) " NOT NULL DEFAULT '',"
	"  auth_time  BIGINT NOT NULL,"
	"  created    BIGINT NOT NULL,"
	"  exp        BIGINT NOT NULL,"
	"  revoked    INT NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),"
	"  KEY oidc_grants_exp (exp),"
	"  " OF_CLIENT ","
	"  " OF_USER
	INNODB,
	TABLE("oidc_codes")
	"  hash       " TEXT(64) " NOT NULL PRIMARY KEY"
	"             CHECK (char_length(hash) = 64),"
	"  client_id  " TEXT(128) " NOT NULL,"
	"  user_id    BIGINT NOT NULL,"
	"  session_id " TEXT(64) " NOT NULL DEFAULT '',"
	"  redirect_uri " TEXT(1024) " NOT NULL,"
	"  challenge  " TEXT(128) " NOT NULL DEFAULT '',"
	"  nonce      " TEXT(256) " NOT NULL DEFAULT '',"
	"  scope      " TEXT(256) " NOT NULL,"
	"  amr        " TEXT(64) " NOT NULL DEFAULT '',"
	"  auth_time  BIGINT NOT NULL,"
	"  expires    BIGINT NOT NULL,"
	"  used       INT NOT NULL DEFAULT 0 CHECK (used IN (0, 1)),"
	"  grant_id   " TEXT(64) " NOT NULL DEFAULT '',"
	"  KEY oidc_codes_expires (expires),"
	"  " OF_CLIENT ","
	"  " OF_USER
	INNODB,
	TABLE("oidc_refresh_tokens")
	"  hash       " TEXT(64) " NOT NULL PRIMARY KEY"
	"             CHECK (char_length(hash) = 64),"
	"  grant_id   " TEXT(64) " NOT NULL,"
	"  exp        BIGINT NOT NULL,"
	"  rotated_at BIGINT NOT NULL DEFAULT 0,"
	"  FOREIGN KEY (grant_id) REFERENCES oidc_grants(id) ON DELETE CASCADE"
	INNODB,
	TABLE("oidc_consents")
	"  user_id    BIGINT NOT NULL,"
	"  client_id  " TEXT(128) " NOT NULL,"
	"  scope      " TEXT(256) " NOT NULL,"
	"  created    BIGINT NOT NULL,"
	"  PRIMARY KEY (user_id, client_id),"
	"  " OF_CLIENT ","
	"  " OF_USER
	INNODB,
	NULL
};
#undef OF_CLIENT

/* 8: the audit log, as SQLite's migration 8. */
static const char *const mysql_v8[] = {
	TABLE("audit_log")
	"  id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
	"  time       BIGINT NOT NULL,"
	"  event      " TEXT(64) " NOT NULL,"
	"  actor      " TEXT(320) " NOT NULL DEFAULT '',"
	"  target     " TEXT(320) " NOT NULL DEFAULT '',"
	"  address    " TEXT(64) " NOT NULL DEFAULT '',"
	"  detail     " TEXT(2000) " NOT NULL DEFAULT '',"
	"  KEY audit_log_time (time)"
	INNODB,
	NULL
};

static const struct lk_sql_migration mysql_migrations[] = {
	{ 5, mysql_v5 }, { 6, mysql_v6 }, { 7, mysql_v7 },
	{ 8, mysql_v8 },
};

#define N(a)	(sizeof(a) / sizeof((a)[0]))

const struct lk_store_schema lk_store_schema[LK_SQL__MAX] = {
	[LK_SQL_SQLITE] = { sqlite_migrations, N(sqlite_migrations) },
	[LK_SQL_PG] = { pg_migrations, N(pg_migrations) },
	[LK_SQL_MYSQL] = { mysql_migrations, N(mysql_migrations) },
};

_Static_assert(N(sqlite_migrations) == LK_STORE_SCHEMA_VERSION,
    "store.h's schema version is the number of SQLite migrations");
