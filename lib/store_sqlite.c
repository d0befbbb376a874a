/*
 * The store on SQLite: one database file in WAL mode, opened once per
 * process, every statement prepared once.  Writes take the write lock at
 * once (BEGIN IMMEDIATE), so concurrent processes serialise instead of
 * failing, and each operation checks and acts inside one transaction.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "util.h"

/*
 * Schema migrations, applied in order inside one transaction; the
 * database's PRAGMA user_version says how many have run.
 */
static const char *const migrations[] = {
	/* 1: users */
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
	/* 2: sessions (refresh token families), revocation, throttling */
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
	/*
	 * 3: a session table of its own (the family's login, rotations,
	 * revocation, "keep me signed in", client); refresh tokens keep what
	 * signs their pair again (csrf values, times) and their successor;
	 * deleted accounts leave the time of their deletion.  Tokens of old
	 * rows carry no csrf values: a replay of one is refused.
	 */
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
	/*
	 * 4: second factors and passkeys.  A TOTP secret is sealed under
	 * mfa_key_file and bound to its user; recovery codes and pending
	 * logins are kept as hashes; challenges are used once.
	 */
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
	/*
	 * 5: one-time links (password reset, invitation, sign-up), each by
	 * the SHA-256 of its token, gone with its account.
	 */
	"CREATE TABLE account_tokens ("
	"  hash    TEXT PRIMARY KEY CHECK (length(hash) = 64),"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  purpose TEXT NOT NULL CHECK (purpose IN ('reset', 'invite', 'signup')),"
	"  created INTEGER NOT NULL,"
	"  expires INTEGER NOT NULL"
	");"
	"CREATE INDEX account_tokens_user ON account_tokens(user_id);"
	"CREATE INDEX account_tokens_expires ON account_tokens(expires);",
};

#define NMIGRATIONS	((int)(sizeof(migrations) / sizeof(migrations[0])))

_Static_assert(NMIGRATIONS == LK_STORE_SCHEMA_VERSION,
    "store.h's schema version is the number of SQLite migrations");

enum stmt {
	ST_USER_FIND,
	ST_USER_BY_ID,
	ST_USER_ADD,
	ST_TOMBSTONE_ADD,
	ST_TOMBSTONE_CLEAR,
	ST_SET_NAME,
	ST_SET_HASH,
	ST_SET_HASH_BY_ID,
	ST_SET_DISABLED,
	ST_INVALIDATE,
	ST_INVALIDATE_BY_ID,
	ST_REVOKE_USER_SESSIONS,
	ST_DELETE,
	ST_EACH,
	ST_CHECK_ACCESS,
	ST_CHECK_REFRESH,
	ST_THROTTLE_GET,
	ST_THROTTLE_COUNT,
	ST_THROTTLE_CLEAR,
	ST_THROTTLE_GIVE_BACK,
	ST_SESSION_ADD,
	ST_TOKENS_ADD,
	ST_REFRESH_FIND,
	ST_TOKENS_GET,
	ST_ROTATE,
	ST_SESSION_ROTATED,
	ST_SESSION_REVOKE,
	ST_REVOKE,
	ST_REVOKE_SESSION_OF_ACCESS,
	ST_REVOKE_SESSION_OF_REFRESH,
	ST_PRUNE_REVOKED,
	ST_PRUNE_SESSIONS,
	ST_PRUNE_THROTTLE,
	ST_PRUNE_PENDING,
	ST_PRUNE_CHALLENGES,
	ST_MFA_STATE,
	ST_TOTP_ENABLED,
	ST_TOTP_PUT,
	ST_TOTP_ENABLE,
	ST_TOTP_USE_STEP,
	ST_TOTP_DELETE,
	ST_TOTP_DELETE_AFTER,
	ST_RECOVERY_CLEAR,
	ST_RECOVERY_ADD,
	ST_RECOVERY_USE,
	ST_PENDING_CLEAR_USER,
	ST_PENDING_ADD,
	ST_PENDING_FIND,
	ST_PENDING_USE,
	ST_HANDLE_ADD,
	ST_HANDLE_GET,
	ST_CHALLENGE_COUNT,
	ST_CHALLENGE_ADD,
	ST_CHALLENGE_USE,
	ST_PASSKEY_COUNT,
	ST_PASSKEY_ADD,
	ST_PASSKEY_FIND,
	ST_PASSKEY_COUNTER,
	ST_PASSKEY_EACH,
	ST_PASSKEY_DELETE,
	ST_PASSKEYS_KEEP,
	ST_PRUNE_TOTP_SETUPS,
	ST_SESSION_EACH,
	ST_SESSION_END_ONE,
	ST_SESSION_END_OTHERS,
	ST_LINK_ADD,
	ST_LINK_FIND,
	ST_LINK_GET,
	ST_LINKS_CLEAR_RESET,
	ST_LINKS_CLEAR_INVITE,
	ST_LINKS_VOID,
	ST_PRUNE_LINKS,
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST__MAX
};

#define USER_COLUMNS	"u.id, u.email, u.name, u.hash, u.disabled, " \
			"u.created, u.updated, u.tokens_valid_after"
#define SESSION_COLUMNS	"se.id, se.user_id, se.created, se.refreshed, " \
			"se.refreshes, se.revoked, se.persistent, " \
			"se.user_agent, se.address"
#define PASSKEY_COLUMNS	"c.id, c.credential_id, c.user_id, c.alg, " \
			"c.public_key, c.sign_count, c.flags, c.aaguid, " \
			"c.name, c.created, c.last_used"
#define STR_(x)		#x
#define STR(x)		STR_(x)
#define SETUP_LIFE	STR(LK_STORE_TOTP_SETUP_LIFE)
/* The user and what is known of a token, in one read. */
#define CHECK_SQL(col)	"SELECT " USER_COLUMNS ", EXISTS (SELECT 1 FROM " \
			"revoked_tokens WHERE jti = ?2), " SESSION_COLUMNS \
			" FROM (SELECT 1) AS one " \
			"LEFT JOIN users u ON u.email = ?1 " \
			"LEFT JOIN refresh_tokens t ON t." col " = ?2 " \
			"LEFT JOIN sessions se ON se.id = t.family"

static const char *const stmts[ST__MAX] = {
	[ST_USER_FIND] = "SELECT " USER_COLUMNS " FROM users u WHERE email = ?1",
	[ST_USER_BY_ID] = "SELECT hash, disabled FROM users WHERE id = ?1",
	[ST_USER_ADD] = "INSERT INTO users (email, name, hash, created, updated,"
	    " tokens_valid_after) VALUES (?1, ?2, ?3, ?4, ?4, coalesce((SELECT"
	    " deleted FROM deleted_users WHERE email = ?1), 0))",
	[ST_TOMBSTONE_ADD] = "INSERT INTO deleted_users (email, deleted) "
	    "VALUES (?1, ?2) ON CONFLICT (email) DO UPDATE SET deleted = ?2",
	[ST_TOMBSTONE_CLEAR] = "DELETE FROM deleted_users WHERE email = ?1",
	[ST_SET_NAME] = "UPDATE users SET name = ?2, updated = ?3 "
	    "WHERE email = ?1",
	[ST_SET_HASH] = "UPDATE users SET hash = ?2, updated = ?3 "
	    "WHERE email = ?1",
	[ST_SET_HASH_BY_ID] = "UPDATE users SET hash = ?2, updated = ?3 "
	    "WHERE id = ?1",
	[ST_SET_DISABLED] = "UPDATE users SET disabled = ?2, updated = ?3 "
	    "WHERE email = ?1",
	[ST_INVALIDATE] = "UPDATE users SET tokens_valid_after = ?2, "
	    "updated = ?2 WHERE email = ?1",
	[ST_INVALIDATE_BY_ID] = "UPDATE users SET tokens_valid_after = ?2, "
	    "updated = ?2 WHERE id = ?1",
	[ST_REVOKE_USER_SESSIONS] = "UPDATE sessions SET revoked = 1 "
	    "WHERE user_id = ?1",
	[ST_DELETE] = "DELETE FROM users WHERE email = ?1",
	[ST_EACH] = "SELECT " USER_COLUMNS " FROM users u "
	    "ORDER BY email COLLATE NOCASE",
	[ST_CHECK_ACCESS] = CHECK_SQL("access_jti"),
	[ST_CHECK_REFRESH] = CHECK_SQL("jti"),
	[ST_THROTTLE_GET] = "SELECT failures, window_start FROM throttle "
	    "WHERE key = ?1",
	[ST_THROTTLE_COUNT] = "INSERT INTO throttle (key, failures, "
	    "window_start) VALUES (?1, 1, ?2) ON CONFLICT (key) DO UPDATE SET "
	    "failures = CASE WHEN window_start + ?3 <= ?2 THEN 1 "
	    "ELSE failures + 1 END, "
	    "window_start = CASE WHEN window_start + ?3 <= ?2 THEN ?2 "
	    "ELSE window_start END",
	[ST_THROTTLE_CLEAR] = "DELETE FROM throttle WHERE key = ?1",
	[ST_THROTTLE_GIVE_BACK] = "UPDATE throttle SET failures = failures - 1 "
	    "WHERE key = ?1 AND failures > 0 AND window_start + ?3 > ?2",
	[ST_SESSION_ADD] = "INSERT INTO sessions (id, user_id, created, "
	    "refreshed, persistent, user_agent, address, exp) "
	    "VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7)",
	[ST_TOKENS_ADD] = "INSERT INTO refresh_tokens (jti, family, access_jti, "
	    "csrf, access_csrf, iat, exp, access_exp) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_REFRESH_FIND] = "SELECT t.family, coalesce(t.rotated_at, 0), "
	    "coalesce(t.successor, ''), se.user_id, se.created, se.refreshes, "
	    "se.revoked FROM refresh_tokens t JOIN sessions se "
	    "ON se.id = t.family WHERE t.jti = ?1",
	[ST_TOKENS_GET] = "SELECT jti, csrf, access_jti, access_csrf, iat, exp, "
	    "access_exp, coalesce(rotated_at, 0), coalesce(successor, '') "
	    "FROM refresh_tokens WHERE jti = ?1",
	[ST_ROTATE] = "UPDATE refresh_tokens SET rotated_at = ?2, successor = ?3 "
	    "WHERE jti = ?1 AND rotated_at IS NULL",
	[ST_SESSION_ROTATED] = "UPDATE sessions SET refreshed = ?2, "
	    "refreshes = refreshes + 1, exp = max(exp, ?3) WHERE id = ?1",
	[ST_SESSION_REVOKE] = "UPDATE sessions SET revoked = 1 WHERE id = ?1",
	[ST_REVOKE] = "INSERT OR IGNORE INTO revoked_tokens (jti, exp) "
	    "VALUES (?1, ?2)",
	[ST_REVOKE_SESSION_OF_ACCESS] = "UPDATE sessions SET revoked = 1 "
	    "WHERE id = (SELECT family FROM refresh_tokens WHERE access_jti = ?1)",
	[ST_REVOKE_SESSION_OF_REFRESH] = "UPDATE sessions SET revoked = 1 "
	    "WHERE id = (SELECT family FROM refresh_tokens WHERE jti = ?1)",
	/* Kept while a token could be accepted: until exp + leeway. */
	[ST_PRUNE_REVOKED] = "DELETE FROM revoked_tokens WHERE exp < ?1 - ?2",
	[ST_PRUNE_SESSIONS] = "DELETE FROM sessions WHERE exp < ?1 - ?2",
	/* No window lasts more than a day (throttle_window's limit). */
	[ST_PRUNE_THROTTLE] = "DELETE FROM throttle WHERE window_start < "
	    "?1 - 86400",
	[ST_PRUNE_PENDING] = "DELETE FROM mfa_pending WHERE exp <= ?1",
	[ST_PRUNE_CHALLENGES] = "DELETE FROM webauthn_challenges "
	    "WHERE exp <= ?1",
	[ST_MFA_STATE] = "SELECT coalesce(t.enabled, -1), "
	    "coalesce(t.secret, ''), coalesce(t.last_step, -1), "
	    "(SELECT count(*) FROM mfa_recovery WHERE user_id = ?1), "
	    "(SELECT count(*) FROM webauthn_credentials WHERE user_id = ?1), "
	    "coalesce(t.created, 0) "
	    "FROM (SELECT 1) AS one LEFT JOIN mfa_totp t ON t.user_id = ?1",
	[ST_TOTP_ENABLED] = "SELECT enabled FROM mfa_totp WHERE user_id = ?1",
	/* A secret waiting for its first code is replaced; one in use is not. */
	[ST_TOTP_PUT] = "INSERT INTO mfa_totp (user_id, secret, enabled, "
	    "last_step, created) VALUES (?1, ?2, 0, -1, ?3) "
	    "ON CONFLICT (user_id) DO UPDATE SET secret = ?2, last_step = -1, "
	    "created = ?3 WHERE enabled = 0",
	/* Only a set-up still waiting: past its life it counts as none. */
	[ST_TOTP_ENABLE] = "UPDATE mfa_totp SET enabled = 1, last_step = ?3 "
	    "WHERE user_id = ?1 AND enabled = 0 AND secret = ?2 "
	    "AND created > ?4 - " SETUP_LIFE,
	[ST_TOTP_USE_STEP] = "UPDATE mfa_totp SET last_step = ?2 "
	    "WHERE user_id = ?1 AND enabled = 1 AND last_step < ?2",
	[ST_TOTP_DELETE] = "DELETE FROM mfa_totp WHERE user_id = ?1",
	[ST_TOTP_DELETE_AFTER] = "DELETE FROM mfa_totp WHERE user_id = ?1 "
	    "AND enabled = 1 AND last_step < ?2",
	[ST_RECOVERY_CLEAR] = "DELETE FROM mfa_recovery WHERE user_id = ?1",
	[ST_RECOVERY_ADD] = "INSERT INTO mfa_recovery (user_id, hash, created) "
	    "VALUES (?1, ?2, ?3)",
	[ST_RECOVERY_USE] = "DELETE FROM mfa_recovery "
	    "WHERE user_id = ?1 AND hash = ?2",
	[ST_PENDING_CLEAR_USER] = "DELETE FROM mfa_pending WHERE user_id = ?1",
	[ST_PENDING_ADD] = "INSERT INTO mfa_pending (id, user_id, hash, "
	    "persistent, created, exp) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_PENDING_FIND] = "SELECT " USER_COLUMNS ", p.hash, p.persistent, "
	    "p.exp FROM mfa_pending p JOIN users u ON u.id = p.user_id "
	    "WHERE p.id = ?1 AND p.exp > ?2",
	[ST_PENDING_USE] = "DELETE FROM mfa_pending "
	    "WHERE id = ?1 AND user_id = ?2 AND hash = ?3 AND exp > ?4",
	[ST_HANDLE_ADD] = "INSERT INTO webauthn_users (user_id, handle) "
	    "VALUES (?1, ?2) ON CONFLICT (user_id) DO NOTHING",
	[ST_HANDLE_GET] = "SELECT handle FROM webauthn_users WHERE user_id = ?1",
	[ST_CHALLENGE_COUNT] = "SELECT count(*) FROM webauthn_challenges "
	    "WHERE address = ?1 AND kind = ?2",
	[ST_CHALLENGE_ADD] = "INSERT INTO webauthn_challenges (challenge, kind, "
	    "user_id, address, exp) VALUES (?1, ?2, NULLIF(?3, 0), ?4, ?5)",
	[ST_CHALLENGE_USE] = "DELETE FROM webauthn_challenges "
	    "WHERE challenge = ?1 AND kind = ?2 AND coalesce(user_id, 0) = ?3 "
	    "AND exp > ?4",
	[ST_PASSKEY_COUNT] = "SELECT count(*) FROM webauthn_credentials "
	    "WHERE user_id = ?1",
	[ST_PASSKEY_ADD] = "INSERT INTO webauthn_credentials (id, credential_id, "
	    "user_id, alg, public_key, sign_count, flags, aaguid, name, created, "
	    "last_used) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0)",
	[ST_PASSKEY_FIND] = "SELECT " PASSKEY_COLUMNS ", " USER_COLUMNS ", "
	    "coalesce(h.handle, '') FROM webauthn_credentials c "
	    "JOIN users u ON u.id = c.user_id "
	    "LEFT JOIN webauthn_users h ON h.user_id = c.user_id "
	    "WHERE c.credential_id = ?1",
	[ST_PASSKEY_COUNTER] = "UPDATE webauthn_credentials SET sign_count = ?3, "
	    "last_used = ?4 WHERE id = ?1 AND sign_count = ?2",
	[ST_PASSKEY_EACH] = "SELECT " PASSKEY_COLUMNS " FROM webauthn_credentials "
	    "c WHERE c.user_id = ?1 ORDER BY c.created, c.id",
	[ST_PASSKEY_DELETE] = "DELETE FROM webauthn_credentials "
	    "WHERE user_id = ?1 AND id = ?2",
	[ST_PASSKEYS_KEEP] = "DELETE FROM webauthn_credentials "
	    "WHERE user_id = ?1 AND id NOT IN (SELECT value FROM json_each(?2))",
	[ST_PRUNE_TOTP_SETUPS] = "DELETE FROM mfa_totp WHERE enabled = 0 "
	    "AND created <= ?1 - " SETUP_LIFE,
	[ST_SESSION_EACH] = "SELECT " SESSION_COLUMNS " FROM sessions se "
	    "WHERE se.user_id = ?1 AND se.revoked = 0 AND se.exp > ?2 "
	    "ORDER BY se.refreshed DESC, se.created DESC, se.id",
	[ST_SESSION_END_ONE] = "UPDATE sessions SET revoked = 1 "
	    "WHERE user_id = ?1 AND id = ?2 AND revoked = 0 AND exp > ?3",
	/* Live ones only: the count is of what GET /api/sessions listed. */
	[ST_SESSION_END_OTHERS] = "UPDATE sessions SET revoked = 1 "
	    "WHERE user_id = ?1 AND id <> ?2 AND revoked = 0 AND exp > ?3",
	[ST_LINK_ADD] = "INSERT INTO account_tokens (hash, user_id, purpose, "
	    "created, expires) VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_LINK_FIND] = "SELECT t.purpose, t.created, t.expires, " USER_COLUMNS
	    " FROM account_tokens t JOIN users u ON u.id = t.user_id "
	    "WHERE t.hash = ?1",
	[ST_LINK_GET] = "SELECT user_id, purpose, expires FROM account_tokens "
	    "WHERE hash = ?1",
	[ST_LINKS_CLEAR_RESET] = "DELETE FROM account_tokens WHERE user_id = ?1 "
	    "AND purpose = 'reset'",
	[ST_LINKS_CLEAR_INVITE] = "DELETE FROM account_tokens "
	    "WHERE user_id = ?1 AND purpose IN ('invite', 'signup')",
	[ST_LINKS_VOID] = "DELETE FROM account_tokens WHERE user_id = ?1",
	[ST_PRUNE_LINKS] = "DELETE FROM account_tokens WHERE expires <= ?1",
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
};

struct sqlite_store {
	struct lk_store	 base;		/* first: the handle callers hold */
	sqlite3		*db;
	sqlite3_stmt	*st[ST__MAX];
};

#define DB(s)	(((struct sqlite_store *)(void *)(s))->db)
#define ST(s, w) stmt((s), (w))

/*
 * A statement, prepared at its first use and kept for the life of the
 * connection: a process (a CGI request) prepares only what it runs.  NULL
 * (logged) if it cannot be prepared; SQLite then refuses it, so the
 * operation fails with LK_STORE_ERROR.
 */
static sqlite3_stmt *
stmt(struct lk_store *s, enum stmt w)
{
	struct sqlite_store	*ss = (struct sqlite_store *)(void *)s;

	if (ss->st[w] == NULL && sqlite3_prepare_v3(ss->db, stmts[w], -1,
	    SQLITE_PREPARE_PERSISTENT, &ss->st[w], NULL) != SQLITE_OK) {
		lk_log(LK_LOG_ERR, "database: prepare: %s",
		    sqlite3_errmsg(ss->db));
		sqlite3_finalize(ss->st[w]);
		ss->st[w] = NULL;
	}
	return ss->st[w];
}

/* Refresh chains followed at most this far to the live pair. */
#define CHAIN_MAX	16

static int
exec(sqlite3 *db, const char *sql, char *err, size_t errsz)
{
	char	*msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		(void)snprintf(err, errsz, "%s", msg != NULL ? msg :
		    sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int
user_version(sqlite3 *db)
{
	sqlite3_stmt	*st = NULL;
	int		 version = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return version;
}

/*
 * Bring the schema up to date.  A database that is current costs one
 * read and no lock, so a request (a CGI process) that only reads never
 * writes; one that is behind is migrated under the write lock, read again
 * inside it so that two processes never both migrate.
 */
static int
migrate(sqlite3 *db, const char *path, char *err, size_t errsz)
{
	char	why[512], sql[64];
	int	version, i;

	if ((version = user_version(db)) == NMIGRATIONS)
		return 0;
	if (version < 0) {
		(void)snprintf(err, errsz, "%s: %s", path, sqlite3_errmsg(db));
		return -1;
	}
	if (version > NMIGRATIONS) {
		(void)snprintf(err, errsz, "%s: schema version %d is newer "
		    "than this latchkey (%d)", path, version, NMIGRATIONS);
		return -1;
	}
	if (exec(db, "PRAGMA journal_mode = WAL", why, sizeof(why)) == -1 ||
	    exec(db, "BEGIN IMMEDIATE", why, sizeof(why)) == -1) {
		(void)snprintf(err, errsz, "%s: %s", path, why);
		return -1;
	}
	if ((version = user_version(db)) < 0) {
		(void)snprintf(err, errsz, "%s: %s", path, sqlite3_errmsg(db));
		goto fail;
	}
	if (version > NMIGRATIONS) {
		(void)snprintf(err, errsz, "%s: schema version %d is newer "
		    "than this latchkey (%d)", path, version, NMIGRATIONS);
		goto fail;
	}
	for (i = version; i < NMIGRATIONS; i++)
		if (exec(db, migrations[i], why, sizeof(why)) == -1) {
			(void)snprintf(err, errsz, "%s: migration %d: %s",
			    path, i + 1, why);
			goto fail;
		}
	(void)snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    NMIGRATIONS);
	if (exec(db, sql, why, sizeof(why)) == -1 ||
	    exec(db, "COMMIT", why, sizeof(why)) == -1) {
		(void)snprintf(err, errsz, "%s: %s", path, why);
		goto fail;
	}
	return 0;
fail:
	(void)exec(db, "ROLLBACK", why, sizeof(why));
	return -1;
}

/* Statement helpers: bind by type, step, reset. */

static int
bind_text(struct lk_store *s, enum stmt w, int i, const char *v)
{
	return sqlite3_bind_text(ST(s, w), i, v != NULL ? v : "", -1,
	    SQLITE_STATIC) == SQLITE_OK ? 0 : -1;
}

static int
bind_int(struct lk_store *s, enum stmt w, int i, long long v)
{
	return sqlite3_bind_int64(ST(s, w), i, (sqlite3_int64)v) == SQLITE_OK ?
	    0 : -1;
}

static void
done(struct lk_store *s, enum stmt w)
{
	sqlite3_reset(ST(s, w));
	sqlite3_clear_bindings(ST(s, w));
}

static enum lk_store_res
fail(struct lk_store *s, enum stmt w, const char *what)
{
	lk_log(LK_LOG_ERR, "database: %s: %s", what, sqlite3_errmsg(DB(s)));
	done(s, w);
	return LK_STORE_ERROR;
}

/* Step a statement that returns no row; LK_STORE_OK or LK_STORE_ERROR. */
static enum lk_store_res
run(struct lk_store *s, enum stmt w, const char *what)
{
	if (sqlite3_step(ST(s, w)) != SQLITE_DONE)
		return fail(s, w, what);
	done(s, w);
	return LK_STORE_OK;
}

/* The same, LK_STORE_NOT_FOUND when it changed no row. */
static enum lk_store_res
run_changes(struct lk_store *s, enum stmt w, const char *what)
{
	enum lk_store_res	r;

	if ((r = run(s, w, what)) != LK_STORE_OK)
		return r;
	return sqlite3_changes(DB(s)) > 0 ? LK_STORE_OK : LK_STORE_NOT_FOUND;
}

static enum lk_store_res
begin(struct lk_store *s)
{
	return run(s, ST_BEGIN, "begin");
}

static enum lk_store_res
commit(struct lk_store *s)
{
	return run(s, ST_COMMIT, "commit");
}

static void
rollback(struct lk_store *s)
{
	if (!sqlite3_get_autocommit(DB(s)))
		(void)run(s, ST_ROLLBACK, "rollback");
}

/* Commit r's work if r is LK_STORE_OK, else roll back; returns r or the commit's failure. */
static enum lk_store_res
finish(struct lk_store *s, enum lk_store_res r)
{
	if (r != LK_STORE_OK) {
		rollback(s);
		return r;
	}
	if ((r = commit(s)) != LK_STORE_OK)
		rollback(s);
	return r;
}

static void
copy_col(sqlite3_stmt *st, int col, char *out, size_t outsz)
{
	const unsigned char	*t = sqlite3_column_text(st, col);

	if (t == NULL || lk_strlcpy(out, (const char *)t, outsz) == -1)
		out[0] = '\0';
}

/* Columns USER_COLUMNS from col on. */
static void
row_to_user(sqlite3_stmt *st, int col, struct lk_user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(st, col);
	copy_col(st, col + 1, u->email, sizeof(u->email));
	copy_col(st, col + 2, u->name, sizeof(u->name));
	copy_col(st, col + 3, u->hash, sizeof(u->hash));
	u->disabled = sqlite3_column_int(st, col + 4) != 0;
	u->created = sqlite3_column_int64(st, col + 5);
	u->updated = sqlite3_column_int64(st, col + 6);
	u->tokens_valid_after = sqlite3_column_int64(st, col + 7);
}

/* Columns SESSION_COLUMNS from col on. */
static void
row_to_session(sqlite3_stmt *st, int col, struct lk_session *se)
{
	memset(se, 0, sizeof(*se));
	copy_col(st, col, se->id, sizeof(se->id));
	se->user_id = sqlite3_column_int64(st, col + 1);
	se->created = sqlite3_column_int64(st, col + 2);
	se->refreshed = sqlite3_column_int64(st, col + 3);
	se->refreshes = sqlite3_column_int64(st, col + 4);
	se->revoked = sqlite3_column_int(st, col + 5) != 0;
	se->persistent = sqlite3_column_int(st, col + 6) != 0;
	copy_col(st, col + 7, se->user_agent, sizeof(se->user_agent));
	copy_col(st, col + 8, se->address, sizeof(se->address));
}

/* A link's purpose from its word in the table; LK_LINK__MAX if none. */
static enum lk_link_purpose
purpose_of(const char *word)
{
	int	p;

	for (p = 0; p < LK_LINK__MAX; p++)
		if (word != NULL &&
		    strcmp(word, lk_link_purpose_name((enum lk_link_purpose)p)) == 0)
			return (enum lk_link_purpose)p;
	return LK_LINK__MAX;
}

/* Whether an account in the state of u can use a link for purpose. */
static int
link_usable(enum lk_link_purpose purpose, const struct lk_user *u)
{
	if (u->disabled)
		return 0;
	return purpose == LK_LINK_RESET ? !lk_store_user_pending(u) :
	    lk_store_user_pending(u);
}

static void
sqlite_close(struct lk_store *s)
{
	struct sqlite_store	*ss = (struct sqlite_store *)(void *)s;
	int			 i;

	for (i = 0; i < ST__MAX; i++)
		sqlite3_finalize(ss->st[i]);
	/*
	 * A connection that wrote checkpoints as it closes (and, the last
	 * one, removes the WAL): a WAL left full would cost every later
	 * plain-CGI process, the first connection to open it, a read of it
	 * all.  One that only read leaves things as they were.
	 */
	if (ss->db != NULL && sqlite3_total_changes(ss->db) > 0)
		(void)sqlite3_db_config(ss->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
		    0, NULL);
	sqlite3_close(ss->db);
	free(ss);
}

static enum lk_store_res
sqlite_user_find(struct lk_store *s, const char *email, struct lk_user *out)
{
	int	rc;

	memset(out, 0, sizeof(*out));
	if (bind_text(s, ST_USER_FIND, 1, email) == -1)
		return fail(s, ST_USER_FIND, "find");
	rc = sqlite3_step(ST(s, ST_USER_FIND));
	if (rc == SQLITE_DONE) {
		done(s, ST_USER_FIND);
		return LK_STORE_NOT_FOUND;
	}
	if (rc != SQLITE_ROW)
		return fail(s, ST_USER_FIND, "find");
	row_to_user(ST(s, ST_USER_FIND), 0, out);
	done(s, ST_USER_FIND);
	return LK_STORE_OK;
}

static enum lk_store_res
sqlite_user_add(struct lk_store *s, const char *email, const char *name,
    const char *hash, long long now)
{
	enum lk_store_res	r;
	int			rc;

	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	if (bind_text(s, ST_USER_ADD, 1, email) == -1 ||
	    bind_text(s, ST_USER_ADD, 2, name) == -1 ||
	    bind_text(s, ST_USER_ADD, 3, hash) == -1 ||
	    bind_int(s, ST_USER_ADD, 4, now) == -1)
		return finish(s, fail(s, ST_USER_ADD, "add"));
	rc = sqlite3_step(ST(s, ST_USER_ADD));
	if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
		done(s, ST_USER_ADD);
		return finish(s, LK_STORE_EXISTS);
	}
	if (rc != SQLITE_DONE)
		return finish(s, fail(s, ST_USER_ADD, "add"));
	done(s, ST_USER_ADD);
	r = bind_text(s, ST_TOMBSTONE_CLEAR, 1, email) == 0 ?
	    run(s, ST_TOMBSTONE_CLEAR, "add") :
	    fail(s, ST_TOMBSTONE_CLEAR, "add");
	return finish(s, r);
}

static enum lk_store_res
sqlite_user_set_name(struct lk_store *s, const char *email, const char *name,
    long long now)
{
	if (bind_text(s, ST_SET_NAME, 1, email) == -1 ||
	    bind_text(s, ST_SET_NAME, 2, name) == -1 ||
	    bind_int(s, ST_SET_NAME, 3, now) == -1)
		return fail(s, ST_SET_NAME, "set name");
	return run_changes(s, ST_SET_NAME, "set name");
}

/* Every one-time link of the user is void (inside a transaction). */
static enum lk_store_res
void_links(struct lk_store *s, long long user_id)
{
	if (bind_int(s, ST_LINKS_VOID, 1, user_id) == -1)
		return fail(s, ST_LINKS_VOID, "void links");
	return run(s, ST_LINKS_VOID, "void links");
}

/*
 * End every session and token of the user (inside the caller's
 * transaction): their sessions revoked, tokens of no session of ours
 * issued until now with them, and their one-time links.
 */
static enum lk_store_res
invalidate(struct lk_store *s, const char *email, long long now)
{
	struct lk_user		u;
	enum lk_store_res	r;

	if ((r = sqlite_user_find(s, email, &u)) != LK_STORE_OK)
		return r;
	if (bind_text(s, ST_INVALIDATE, 1, email) == -1 ||
	    bind_int(s, ST_INVALIDATE, 2, now) == -1)
		return fail(s, ST_INVALIDATE, "invalidate");
	if ((r = run(s, ST_INVALIDATE, "invalidate")) != LK_STORE_OK)
		return r;
	if (bind_int(s, ST_REVOKE_USER_SESSIONS, 1, u.id) == -1)
		return fail(s, ST_REVOKE_USER_SESSIONS, "revoke sessions");
	if ((r = run(s, ST_REVOKE_USER_SESSIONS, "revoke sessions")) !=
	    LK_STORE_OK)
		return r;
	return void_links(s, u.id);
}

static enum lk_store_res
sqlite_user_set_password(struct lk_store *s, const char *email,
    const char *hash, long long now)
{
	enum lk_store_res	r;

	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	if (bind_text(s, ST_SET_HASH, 1, email) == -1 ||
	    bind_text(s, ST_SET_HASH, 2, hash) == -1 ||
	    bind_int(s, ST_SET_HASH, 3, now) == -1)
		return finish(s, fail(s, ST_SET_HASH, "set hash"));
	r = run_changes(s, ST_SET_HASH, "set hash");
	if (r == LK_STORE_OK)
		r = invalidate(s, email, now);
	return finish(s, r);
}

static enum lk_store_res
sqlite_user_set_disabled(struct lk_store *s, const char *email, int disabled,
    long long now)
{
	enum lk_store_res	r;

	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	if (bind_text(s, ST_SET_DISABLED, 1, email) == -1 ||
	    bind_int(s, ST_SET_DISABLED, 2, disabled != 0) == -1 ||
	    bind_int(s, ST_SET_DISABLED, 3, now) == -1)
		return finish(s, fail(s, ST_SET_DISABLED, "set disabled"));
	r = run_changes(s, ST_SET_DISABLED, "set disabled");
	if (r == LK_STORE_OK)
		r = invalidate(s, email, now);
	return finish(s, r);
}

static enum lk_store_res
sqlite_user_delete(struct lk_store *s, const char *email, long long now)
{
	enum lk_store_res	r;

	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	if (bind_text(s, ST_DELETE, 1, email) == -1)
		return finish(s, fail(s, ST_DELETE, "delete"));
	r = run_changes(s, ST_DELETE, "delete");
	/* Whoever takes the email next starts after this moment. */
	if (r == LK_STORE_OK)
		r = bind_text(s, ST_TOMBSTONE_ADD, 1, email) == 0 &&
		    bind_int(s, ST_TOMBSTONE_ADD, 2, now) == 0 ?
		    run(s, ST_TOMBSTONE_ADD, "delete") :
		    fail(s, ST_TOMBSTONE_ADD, "delete");
	return finish(s, r);
}

static enum lk_store_res
sqlite_user_each(struct lk_store *s,
    int (*fn)(const struct lk_user *, void *), void *arg)
{
	struct lk_user	u;
	int		rc;

	while ((rc = sqlite3_step(ST(s, ST_EACH))) == SQLITE_ROW) {
		row_to_user(ST(s, ST_EACH), 0, &u);
		if (fn(&u, arg) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(s, ST_EACH, "list");
	done(s, ST_EACH);
	return LK_STORE_OK;
}

static enum lk_store_res
sqlite_token_check(struct lk_store *s, const char *email, const char *jti,
    int refresh, struct lk_user *user, struct lk_token_state *state)
{
	enum stmt	 w = refresh ? ST_CHECK_REFRESH : ST_CHECK_ACCESS;
	sqlite3_stmt	*st = ST(s, w);
	int		 found;

	memset(user, 0, sizeof(*user));
	memset(state, 0, sizeof(*state));
	if (bind_text(s, w, 1, email) == -1 || bind_text(s, w, 2, jti) == -1)
		return fail(s, w, "check token");
	if (sqlite3_step(st) != SQLITE_ROW)
		return fail(s, w, "check token");
	found = sqlite3_column_type(st, 0) != SQLITE_NULL;
	if (found)
		row_to_user(st, 0, user);
	state->revoked = sqlite3_column_int(st, 8) != 0;
	state->ours = sqlite3_column_type(st, 9) != SQLITE_NULL;
	if (state->ours)
		row_to_session(st, 9, &state->session);
	done(s, w);
	return found ? LK_STORE_OK : LK_STORE_NOT_FOUND;
}

static enum lk_store_res
sqlite_throttle_reserve(struct lk_store *s, const char *const *keys,
    const long long *limits, size_t n, long long window, long long now,
    long long *retry_after)
{
	sqlite3_stmt	*st = ST(s, ST_THROTTLE_GET);
	long long	 failures, start;
	size_t		 i;
	int		 rc, over = 0;

	*retry_after = 0;
	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	for (i = 0; i < n; i++) {
		if (bind_text(s, ST_THROTTLE_GET, 1, keys[i]) == -1)
			return finish(s, fail(s, ST_THROTTLE_GET, "throttle"));
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			failures = sqlite3_column_int64(st, 0);
			start = sqlite3_column_int64(st, 1);
			if (start + window > now && failures >= limits[i]) {
				over = 1;
				if (start + window - now > *retry_after)
					*retry_after = start + window - now;
			}
		} else if (rc != SQLITE_DONE)
			return finish(s, fail(s, ST_THROTTLE_GET, "throttle"));
		done(s, ST_THROTTLE_GET);
	}
	if (over)
		return finish(s, LK_STORE_LIMIT);
	for (i = 0; i < n; i++) {
		if (bind_text(s, ST_THROTTLE_COUNT, 1, keys[i]) == -1 ||
		    bind_int(s, ST_THROTTLE_COUNT, 2, now) == -1 ||
		    bind_int(s, ST_THROTTLE_COUNT, 3, window) == -1)
			return finish(s, fail(s, ST_THROTTLE_COUNT, "throttle"));
		if (run(s, ST_THROTTLE_COUNT, "throttle") != LK_STORE_OK)
			return finish(s, LK_STORE_ERROR);
	}
	return finish(s, LK_STORE_OK);
}

/* The pruning statements, inside the caller's transaction. */
static enum lk_store_res
prune(struct lk_store *s, long long now)
{
	static const enum stmt	 w[] = { ST_PRUNE_REVOKED, ST_PRUNE_SESSIONS,
	    ST_PRUNE_THROTTLE, ST_PRUNE_PENDING, ST_PRUNE_CHALLENGES,
	    ST_PRUNE_LINKS, ST_PRUNE_TOTP_SETUPS };
	size_t			 i;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		if (bind_int(s, w[i], 1, now) == -1 ||
		    ((w[i] == ST_PRUNE_REVOKED || w[i] == ST_PRUNE_SESSIONS) &&
		    bind_int(s, w[i], 2, s->leeway) == -1))
			return fail(s, w[i], "prune");
		if (run(s, w[i], "prune") != LK_STORE_OK)
			return LK_STORE_ERROR;
	}
	s->last_prune = now;
	return LK_STORE_OK;
}

static enum lk_store_res
prune_if_due(struct lk_store *s, long long now)
{
	if (now - s->last_prune < LK_STORE_PRUNE_INTERVAL)
		return LK_STORE_OK;
	return prune(s, now);
}

static enum lk_store_res
sqlite_prune(struct lk_store *s, long long now)
{
	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	return finish(s, prune(s, now));
}

/* Record a pair of tokens of session family (no check). */
static enum lk_store_res
tokens_add(struct lk_store *s, const char *family,
    const struct lk_store_tokens *t)
{
	if (bind_text(s, ST_TOKENS_ADD, 1, t->jti) == -1 ||
	    bind_text(s, ST_TOKENS_ADD, 2, family) == -1 ||
	    bind_text(s, ST_TOKENS_ADD, 3, t->access_jti) == -1 ||
	    bind_text(s, ST_TOKENS_ADD, 4, t->csrf) == -1 ||
	    bind_text(s, ST_TOKENS_ADD, 5, t->access_csrf) == -1 ||
	    bind_int(s, ST_TOKENS_ADD, 6, t->iat) == -1 ||
	    bind_int(s, ST_TOKENS_ADD, 7, t->exp) == -1 ||
	    bind_int(s, ST_TOKENS_ADD, 8, t->access_exp) == -1)
		return fail(s, ST_TOKENS_ADD, "add tokens");
	return run(s, ST_TOKENS_ADD, "add tokens");
}

/*
 * Check that user_id is enabled and still has hash, and store new_hash
 * if any (inside the caller's transaction).  LK_STORE_CHANGED if not.
 */
static enum lk_store_res
same_user(struct lk_store *s, long long user_id, const char *hash,
    const char *new_hash, long long now)
{
	sqlite3_stmt		*st = ST(s, ST_USER_BY_ID);
	const unsigned char	*h;
	int			 rc, same;

	if (bind_int(s, ST_USER_BY_ID, 1, user_id) == -1)
		return fail(s, ST_USER_BY_ID, "login");
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		done(s, ST_USER_BY_ID);
		return LK_STORE_CHANGED;
	}
	if (rc != SQLITE_ROW)
		return fail(s, ST_USER_BY_ID, "login");
	h = sqlite3_column_text(st, 0);
	same = h != NULL && strcmp((const char *)h, hash) == 0 &&
	    sqlite3_column_int(st, 1) == 0;
	done(s, ST_USER_BY_ID);
	if (!same)
		return LK_STORE_CHANGED;
	if (new_hash == NULL)
		return LK_STORE_OK;
	if (bind_int(s, ST_SET_HASH_BY_ID, 1, user_id) == -1 ||
	    bind_text(s, ST_SET_HASH_BY_ID, 2, new_hash) == -1 ||
	    bind_int(s, ST_SET_HASH_BY_ID, 3, now) == -1)
		return fail(s, ST_SET_HASH_BY_ID, "set hash");
	return run(s, ST_SET_HASH_BY_ID, "set hash");
}

/*
 * Delete the passkeys of user_id that k does not keep (inside the
 * caller's transaction); nothing unless k->only.
 */
static enum lk_store_res
passkeys_keep(struct lk_store *s, long long user_id,
    const struct lk_passkey_keep *k)
{
	char	ids[LK_STORE_KEEP_JSON_MAX];

	if (!k->only)
		return LK_STORE_OK;
	if (lk_store_keep_json(k, ids, sizeof(ids)) == -1) {
		lk_log(LK_LOG_ERR, "database: passkeys kept: too many ids");
		return LK_STORE_ERROR;
	}
	if (bind_int(s, ST_PASSKEYS_KEEP, 1, user_id) == -1 ||
	    bind_text(s, ST_PASSKEYS_KEEP, 2, ids) == -1)
		return fail(s, ST_PASSKEYS_KEEP, "passkeys kept");
	return run(s, ST_PASSKEYS_KEEP, "passkeys kept");
}

/*
 * The checks and writes of a login, inside the caller's transaction:
 * the user still has the hash the password matched and is enabled, then
 * the new hash, the throttle give-back, and the new session.
 */
static enum lk_store_res
start_session(struct lk_store *s, const struct lk_login *l, long long now,
    int new_password)
{
	const struct lk_store_tokens *t = l->tokens;
	enum lk_store_res	 r;

	if ((r = same_user(s, l->user_id, l->hash, l->new_hash, now)) !=
	    LK_STORE_OK)
		return r;
	if (new_password) {
		if (bind_int(s, ST_INVALIDATE_BY_ID, 1, l->user_id) == -1 ||
		    bind_int(s, ST_INVALIDATE_BY_ID, 2, now) == -1)
			return fail(s, ST_INVALIDATE_BY_ID, "invalidate");
		if ((r = run(s, ST_INVALIDATE_BY_ID, "invalidate")) !=
		    LK_STORE_OK)
			return r;
		if (bind_int(s, ST_REVOKE_USER_SESSIONS, 1, l->user_id) == -1)
			return fail(s, ST_REVOKE_USER_SESSIONS, "revoke");
		if ((r = run(s, ST_REVOKE_USER_SESSIONS, "revoke")) !=
		    LK_STORE_OK || (r = void_links(s, l->user_id)) !=
		    LK_STORE_OK || (r = passkeys_keep(s, l->user_id,
		    &l->keep)) != LK_STORE_OK)
			return r;
	}
	if (l->throttle_account != NULL) {
		if (bind_text(s, ST_THROTTLE_CLEAR, 1, l->throttle_account) == -1)
			return fail(s, ST_THROTTLE_CLEAR, "throttle");
		if ((r = run(s, ST_THROTTLE_CLEAR, "throttle")) != LK_STORE_OK)
			return r;
	}
	if (l->throttle_address != NULL) {
		if (bind_text(s, ST_THROTTLE_GIVE_BACK, 1,
		    l->throttle_address) == -1 ||
		    bind_int(s, ST_THROTTLE_GIVE_BACK, 2, now) == -1 ||
		    bind_int(s, ST_THROTTLE_GIVE_BACK, 3, l->throttle_window) == -1)
			return fail(s, ST_THROTTLE_GIVE_BACK, "throttle");
		if ((r = run(s, ST_THROTTLE_GIVE_BACK, "throttle")) !=
		    LK_STORE_OK)
			return r;
	}
	if (bind_text(s, ST_SESSION_ADD, 1, l->session->id) == -1 ||
	    bind_int(s, ST_SESSION_ADD, 2, l->user_id) == -1 ||
	    bind_int(s, ST_SESSION_ADD, 3, now) == -1 ||
	    bind_int(s, ST_SESSION_ADD, 4, l->session->persistent != 0) == -1 ||
	    bind_text(s, ST_SESSION_ADD, 5, l->session->user_agent) == -1 ||
	    bind_text(s, ST_SESSION_ADD, 6, l->session->address) == -1 ||
	    bind_int(s, ST_SESSION_ADD, 7, t->exp > t->access_exp ? t->exp :
	    t->access_exp) == -1)
		return fail(s, ST_SESSION_ADD, "add session");
	if ((r = run(s, ST_SESSION_ADD, "add session")) != LK_STORE_OK)
		return r;
	return tokens_add(s, l->session->id, t);
}

static enum lk_store_res
sqlite_login(struct lk_store *s, const struct lk_login *l, long long now)
{
	enum lk_store_res	r;

	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	r = start_session(s, l, now, 0);
	if (r == LK_STORE_OK)
		r = prune_if_due(s, now);
	return finish(s, r);
}

static enum lk_store_res
revoke_token(struct lk_store *s, const struct lk_revoke *t)
{
	enum stmt		w = t->refresh ? ST_REVOKE_SESSION_OF_REFRESH :
				    ST_REVOKE_SESSION_OF_ACCESS;
	enum lk_store_res	r;

	if (bind_text(s, ST_REVOKE, 1, t->jti) == -1 ||
	    bind_int(s, ST_REVOKE, 2, t->exp) == -1)
		return fail(s, ST_REVOKE, "revoke");
	if ((r = run(s, ST_REVOKE, "revoke")) != LK_STORE_OK)
		return r;
	if (bind_text(s, w, 1, t->jti) == -1)
		return fail(s, w, "revoke session");
	return run(s, w, "revoke session");
}

static enum lk_store_res
sqlite_password_change(struct lk_store *s, const struct lk_login *l,
    const struct lk_revoke *t, long long now)
{
	enum lk_store_res	r;

	if (l->new_hash == NULL)
		return LK_STORE_ERROR;
	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	r = start_session(s, l, now, 1);
	if (r == LK_STORE_OK && t != NULL)
		r = revoke_token(s, t);
	return finish(s, r);
}

static enum lk_store_res
sqlite_logout(struct lk_store *s, const struct lk_revoke *t, size_t n,
    long long now)
{
	enum lk_store_res	r = LK_STORE_OK;
	size_t			i;

	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	for (i = 0; i < n && r == LK_STORE_OK; i++)
		r = revoke_token(s, &t[i]);
	if (r == LK_STORE_OK)
		r = prune_if_due(s, now);
	return finish(s, r);
}

/* Read the pair recorded under jti; LK_STORE_NOT_FOUND if none. */
static enum lk_store_res
tokens_get(struct lk_store *s, const char *jti, struct lk_store_tokens *t,
    long long *rotated_at, char *successor, size_t successorsz)
{
	sqlite3_stmt	*st = ST(s, ST_TOKENS_GET);
	int		 rc;

	memset(t, 0, sizeof(*t));
	if (bind_text(s, ST_TOKENS_GET, 1, jti) == -1)
		return fail(s, ST_TOKENS_GET, "find tokens");
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		done(s, ST_TOKENS_GET);
		return LK_STORE_NOT_FOUND;
	}
	if (rc != SQLITE_ROW)
		return fail(s, ST_TOKENS_GET, "find tokens");
	copy_col(st, 0, t->jti, sizeof(t->jti));
	copy_col(st, 1, t->csrf, sizeof(t->csrf));
	copy_col(st, 2, t->access_jti, sizeof(t->access_jti));
	copy_col(st, 3, t->access_csrf, sizeof(t->access_csrf));
	t->iat = sqlite3_column_int64(st, 4);
	t->exp = sqlite3_column_int64(st, 5);
	t->access_exp = sqlite3_column_int64(st, 6);
	*rotated_at = sqlite3_column_int64(st, 7);
	copy_col(st, 8, successor, successorsz);
	done(s, ST_TOKENS_GET);
	return LK_STORE_OK;
}

/*
 * The live pair a retired token was replaced by: its successor, or that
 * one's, to the end of the chain.  Pairs of rows migrated without their
 * csrf values cannot be signed again and count as gone.
 */
static enum lk_refresh_res
live_successor(struct lk_store *s, const char *first,
    struct lk_store_tokens *out)
{
	char		 cur[LK_STORE_ID_MAX + 1], next[LK_STORE_ID_MAX + 1];
	long long	 rotated;
	int		 i;

	if (lk_strlcpy(next, first, sizeof(next)) == -1)
		return LK_REFRESH_REVOKED;
	for (i = 0; i < CHAIN_MAX && next[0] != '\0'; i++) {
		memcpy(cur, next, sizeof(cur));
		switch (tokens_get(s, cur, out, &rotated, next,
		    sizeof(next))) {
		case LK_STORE_OK:
			break;
		case LK_STORE_NOT_FOUND:
			return LK_REFRESH_REVOKED;
		default:
			return LK_REFRESH_ERROR;
		}
		if (rotated == 0)
			return out->csrf[0] != '\0' && out->access_csrf[0] !=
			    '\0' ? LK_REFRESH_REPLAY : LK_REFRESH_REVOKED;
	}
	return LK_REFRESH_REVOKED;
}

static enum lk_refresh_res
sqlite_refresh(struct lk_store *s, const struct lk_refresh *q, long long now,
    struct lk_store_tokens *successor)
{
	sqlite3_stmt		*st = ST(s, ST_REFRESH_FIND);
	char			 family[LK_STORE_ID_MAX + 1];
	char			 next[LK_STORE_ID_MAX + 1];
	long long		 rotated_at, user_id, created, refreshes, newexp;
	enum lk_refresh_res	 res;
	int			 rc, revoked;

	memset(successor, 0, sizeof(*successor));
	if (begin(s) != LK_STORE_OK)
		return LK_REFRESH_ERROR;
	if (bind_text(s, ST_REFRESH_FIND, 1, q->jti) == -1) {
		(void)fail(s, ST_REFRESH_FIND, "find refresh token");
		goto error;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		done(s, ST_REFRESH_FIND);
		res = LK_REFRESH_REVOKED;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		(void)fail(s, ST_REFRESH_FIND, "find refresh token");
		goto error;
	}
	copy_col(st, 0, family, sizeof(family));
	rotated_at = sqlite3_column_int64(st, 1);
	copy_col(st, 2, next, sizeof(next));
	user_id = sqlite3_column_int64(st, 3);
	created = sqlite3_column_int64(st, 4);
	refreshes = sqlite3_column_int64(st, 5);
	revoked = sqlite3_column_int(st, 6) != 0;
	done(s, ST_REFRESH_FIND);

	if (revoked || user_id != q->user_id) {
		res = LK_REFRESH_REVOKED;
		goto out;
	}
	if (created + q->session_max <= now) {
		res = LK_REFRESH_EXPIRED;
		goto out;
	}
	if (rotated_at != 0) {
		if (now - rotated_at <= q->grace) {
			/* Racing tabs: the same successor, no new token. */
			res = live_successor(s, next, successor);
			goto out;
		}
		/* A retired token past its grace: someone holds a copy. */
		if (bind_text(s, ST_SESSION_REVOKE, 1, family) == -1 ||
		    run(s, ST_SESSION_REVOKE, "revoke session") != LK_STORE_OK ||
		    commit(s) != LK_STORE_OK)
			goto error;
		return LK_REFRESH_REUSED;
	}
	if (refreshes >= q->refresh_max) {
		res = LK_REFRESH_LIMIT;
		goto out;
	}
	newexp = q->next->exp > q->next->access_exp ? q->next->exp :
	    q->next->access_exp;
	if (bind_text(s, ST_ROTATE, 1, q->jti) == -1 ||
	    bind_int(s, ST_ROTATE, 2, now) == -1 ||
	    bind_text(s, ST_ROTATE, 3, q->next->jti) == -1 ||
	    run_changes(s, ST_ROTATE, "rotate") != LK_STORE_OK ||
	    tokens_add(s, family, q->next) != LK_STORE_OK ||
	    bind_text(s, ST_SESSION_ROTATED, 1, family) == -1 ||
	    bind_int(s, ST_SESSION_ROTATED, 2, now) == -1 ||
	    bind_int(s, ST_SESSION_ROTATED, 3, newexp) == -1 ||
	    run(s, ST_SESSION_ROTATED, "rotate") != LK_STORE_OK ||
	    commit(s) != LK_STORE_OK)
		goto error;
	return LK_REFRESH_ROTATED;
out:
	/* Nothing was written: the checks alone decided. */
	rollback(s);
	return res;
error:
	rollback(s);
	return LK_REFRESH_ERROR;
}

/*
 * Step w, bound by the caller, for one integer: the first column of its
 * one row.  LK_STORE_NOT_FOUND if there is no row.
 */
static enum lk_store_res
one_int(struct lk_store *s, enum stmt w, long long *out, const char *what)
{
	int	rc;

	*out = 0;
	rc = sqlite3_step(ST(s, w));
	if (rc == SQLITE_DONE) {
		done(s, w);
		return LK_STORE_NOT_FOUND;
	}
	if (rc != SQLITE_ROW)
		return fail(s, w, what);
	*out = sqlite3_column_int64(ST(s, w), 0);
	done(s, w);
	return LK_STORE_OK;
}

/* Give back one reservation of key (inside the caller's transaction). */
static enum lk_store_res
give_back(struct lk_store *s, const char *key, long long window,
    long long now)
{
	if (bind_text(s, ST_THROTTLE_GIVE_BACK, 1, key) == -1 ||
	    bind_int(s, ST_THROTTLE_GIVE_BACK, 2, now) == -1 ||
	    bind_int(s, ST_THROTTLE_GIVE_BACK, 3, window) == -1)
		return fail(s, ST_THROTTLE_GIVE_BACK, "throttle");
	return run(s, ST_THROTTLE_GIVE_BACK, "throttle");
}

static enum lk_store_res
sqlite_throttle_give_back(struct lk_store *s, const char *const *keys,
    size_t n, long long window, long long now)
{
	enum lk_store_res	r = LK_STORE_OK;
	size_t			i;

	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	for (i = 0; i < n && r == LK_STORE_OK; i++)
		r = give_back(s, keys[i], window, now);
	return finish(s, r);
}

static enum lk_store_res
sqlite_throttle_clear(struct lk_store *s, const char *const *keys, size_t n)
{
	enum lk_store_res	r = LK_STORE_OK;
	size_t			i;

	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	for (i = 0; i < n && r == LK_STORE_OK; i++)
		r = bind_text(s, ST_THROTTLE_CLEAR, 1, keys[i]) == 0 ?
		    run(s, ST_THROTTLE_CLEAR, "throttle") :
		    fail(s, ST_THROTTLE_CLEAR, "throttle");
	return finish(s, r);
}

static enum lk_store_res
sqlite_mfa_state(struct lk_store *s, long long user_id,
    struct lk_mfa_state *out)
{
	sqlite3_stmt	*st = ST(s, ST_MFA_STATE);
	long long	 enabled;

	if (bind_int(s, ST_MFA_STATE, 1, user_id) == -1 ||
	    sqlite3_step(st) != SQLITE_ROW)
		return fail(s, ST_MFA_STATE, "second factors");
	enabled = sqlite3_column_int64(st, 0);
	out->totp = enabled == 1;
	out->totp_pending = enabled == 0;
	copy_col(st, 1, out->secret, sizeof(out->secret));
	out->last_step = sqlite3_column_int64(st, 2);
	out->recovery_left = sqlite3_column_int64(st, 3);
	out->passkeys = sqlite3_column_int64(st, 4);
	out->totp_created = sqlite3_column_int64(st, 5);
	done(s, ST_MFA_STATE);
	return LK_STORE_OK;
}

static enum lk_store_res
sqlite_totp_setup(struct lk_store *s, long long user_id, const char *sealed,
    long long now)
{
	int	rc;

	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	if (bind_int(s, ST_TOTP_PUT, 1, user_id) == -1 ||
	    bind_text(s, ST_TOTP_PUT, 2, sealed) == -1 ||
	    bind_int(s, ST_TOTP_PUT, 3, now) == -1)
		return finish(s, fail(s, ST_TOTP_PUT, "set up TOTP"));
	rc = sqlite3_step(ST(s, ST_TOTP_PUT));
	if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
		done(s, ST_TOTP_PUT);
		return finish(s, LK_STORE_NOT_FOUND);
	}
	if (rc != SQLITE_DONE)
		return finish(s, fail(s, ST_TOTP_PUT, "set up TOTP"));
	done(s, ST_TOTP_PUT);
	/* The upsert leaves a secret in use alone. */
	return finish(s, sqlite3_changes(DB(s)) > 0 ? LK_STORE_OK :
	    LK_STORE_EXISTS);
}

/* Replace the user's recovery codes (inside the caller's transaction). */
static enum lk_store_res
recovery_set(struct lk_store *s, long long user_id, const char *const *hashes,
    size_t n, long long now)
{
	enum lk_store_res	r;
	size_t			i;

	if (bind_int(s, ST_RECOVERY_CLEAR, 1, user_id) == -1)
		return fail(s, ST_RECOVERY_CLEAR, "recovery codes");
	if ((r = run(s, ST_RECOVERY_CLEAR, "recovery codes")) != LK_STORE_OK)
		return r;
	for (i = 0; i < n; i++) {
		if (bind_int(s, ST_RECOVERY_ADD, 1, user_id) == -1 ||
		    bind_text(s, ST_RECOVERY_ADD, 2, hashes[i]) == -1 ||
		    bind_int(s, ST_RECOVERY_ADD, 3, now) == -1)
			return fail(s, ST_RECOVERY_ADD, "recovery codes");
		if ((r = run(s, ST_RECOVERY_ADD, "recovery codes")) !=
		    LK_STORE_OK)
			return r;
	}
	return LK_STORE_OK;
}

static enum lk_store_res
sqlite_totp_enable(struct lk_store *s, long long user_id, const char *sealed,
    long long step, const char *const *hashes, size_t n, long long now)
{
	enum lk_store_res	r;

	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	if (bind_int(s, ST_TOTP_ENABLE, 1, user_id) == -1 ||
	    bind_text(s, ST_TOTP_ENABLE, 2, sealed) == -1 ||
	    bind_int(s, ST_TOTP_ENABLE, 3, step) == -1 ||
	    bind_int(s, ST_TOTP_ENABLE, 4, now) == -1)
		return finish(s, fail(s, ST_TOTP_ENABLE, "enable TOTP"));
	r = run_changes(s, ST_TOTP_ENABLE, "enable TOTP");
	if (r == LK_STORE_NOT_FOUND)
		r = LK_STORE_CHANGED;
	if (r == LK_STORE_OK)
		r = recovery_set(s, user_id, hashes, n, now);
	return finish(s, r);
}

/*
 * Use up a second factor of user_id (inside the caller's transaction): a
 * time step after the last, recorded, or a recovery code, deleted.
 * LK_STORE_USED if it was used already, LK_STORE_NOT_FOUND if TOTP is off.
 */
static enum lk_store_res
factor_use(struct lk_store *s, long long user_id, long long step,
    const char *recovery)
{
	enum lk_store_res	r;
	long long		enabled;

	if (recovery != NULL) {
		if (bind_int(s, ST_RECOVERY_USE, 1, user_id) == -1 ||
		    bind_text(s, ST_RECOVERY_USE, 2, recovery) == -1)
			return fail(s, ST_RECOVERY_USE, "recovery code");
		r = run_changes(s, ST_RECOVERY_USE, "recovery code");
	} else {
		if (bind_int(s, ST_TOTP_USE_STEP, 1, user_id) == -1 ||
		    bind_int(s, ST_TOTP_USE_STEP, 2, step) == -1)
			return fail(s, ST_TOTP_USE_STEP, "TOTP step");
		r = run_changes(s, ST_TOTP_USE_STEP, "TOTP step");
	}
	if (r != LK_STORE_NOT_FOUND)
		return r;
	/* Nothing changed: a second factor used already, or none at all. */
	if (bind_int(s, ST_TOTP_ENABLED, 1, user_id) == -1)
		return fail(s, ST_TOTP_ENABLED, "second factors");
	if ((r = one_int(s, ST_TOTP_ENABLED, &enabled, "second factors")) ==
	    LK_STORE_ERROR)
		return r;
	return r == LK_STORE_OK && enabled == 1 ? LK_STORE_USED :
	    LK_STORE_NOT_FOUND;
}

/*
 * The second factor of a change (inside its transaction): spent if
 * given, else there must be none.  LK_STORE_USED for a factor used
 * already, one turned off meanwhile, or one turned on meanwhile.
 */
static enum lk_store_res
spend(struct lk_store *s, long long user_id, const struct lk_factor_spend *f)
{
	enum lk_store_res	r;
	long long		enabled;

	if (f->given) {
		r = factor_use(s, user_id, f->step, f->recovery);
		return r == LK_STORE_NOT_FOUND ? LK_STORE_USED : r;
	}
	if (bind_int(s, ST_TOTP_ENABLED, 1, user_id) == -1)
		return fail(s, ST_TOTP_ENABLED, "second factors");
	r = one_int(s, ST_TOTP_ENABLED, &enabled, "second factors");
	if (r == LK_STORE_NOT_FOUND)
		return LK_STORE_OK;
	if (r != LK_STORE_OK)
		return r;
	return enabled == 1 ? LK_STORE_USED : LK_STORE_OK;
}

static enum lk_store_res
sqlite_totp_disable(struct lk_store *s, long long user_id, long long step,
    const char *recovery)
{
	enum lk_store_res	r;

	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	r = factor_use(s, user_id, step, recovery);
	if (r == LK_STORE_OK) {
		if (bind_int(s, ST_TOTP_DELETE, 1, user_id) == -1 ||
		    bind_int(s, ST_RECOVERY_CLEAR, 1, user_id) == -1)
			r = fail(s, ST_TOTP_DELETE, "disable TOTP");
		else if ((r = run(s, ST_TOTP_DELETE, "disable TOTP")) ==
		    LK_STORE_OK)
			r = run(s, ST_RECOVERY_CLEAR, "disable TOTP");
	}
	return finish(s, r);
}

static enum lk_store_res
sqlite_recovery_replace(struct lk_store *s, long long user_id,
    const struct lk_factor_spend *f, const char *const *hashes, size_t n,
    long long now)
{
	enum lk_store_res	r;

	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	/* LK_STORE_NOT_FOUND: TOTP is off, nothing to replace. */
	r = factor_use(s, user_id, f->step, f->recovery);
	if (r == LK_STORE_OK)
		r = recovery_set(s, user_id, hashes, n, now);
	return finish(s, r);
}

static enum lk_store_res
sqlite_mfa_reset(struct lk_store *s, const char *email, int passkeys,
    long long *npasskeys)
{
	static const enum stmt	 w[] = { ST_TOTP_DELETE, ST_RECOVERY_CLEAR,
	    ST_PENDING_CLEAR_USER };
	struct lk_passkey_keep	 none = { 1, NULL, 0 };
	struct lk_user		 u;
	enum lk_store_res	 r;
	size_t			 i;

	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	r = sqlite_user_find(s, email, &u);
	for (i = 0; i < sizeof(w) / sizeof(w[0]) && r == LK_STORE_OK; i++)
		r = bind_int(s, w[i], 1, u.id) == 0 ? run(s, w[i], "reset") :
		    fail(s, w[i], "reset");
	if (r == LK_STORE_OK)
		r = bind_int(s, ST_PASSKEY_COUNT, 1, u.id) == 0 ?
		    one_int(s, ST_PASSKEY_COUNT, npasskeys, "reset") :
		    fail(s, ST_PASSKEY_COUNT, "reset");
	if (r == LK_STORE_OK && passkeys)
		r = passkeys_keep(s, u.id, &none);
	return finish(s, r);
}

/* End every pending login of user_id (inside the caller's transaction). */
static enum lk_store_res
pending_clear(struct lk_store *s, long long user_id)
{
	if (bind_int(s, ST_PENDING_CLEAR_USER, 1, user_id) == -1)
		return fail(s, ST_PENDING_CLEAR_USER, "pending logins");
	return run(s, ST_PENDING_CLEAR_USER, "pending logins");
}

static enum lk_store_res
sqlite_mfa_start(struct lk_store *s, const struct lk_mfa_start *m,
    long long now)
{
	enum lk_store_res	r;

	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	r = same_user(s, m->user_id, m->hash, m->new_hash, now);
	if (r == LK_STORE_OK)
		r = pending_clear(s, m->user_id);
	if (r == LK_STORE_OK) {
		if (bind_text(s, ST_PENDING_ADD, 1, m->id) == -1 ||
		    bind_int(s, ST_PENDING_ADD, 2, m->user_id) == -1 ||
		    bind_text(s, ST_PENDING_ADD, 3, m->new_hash != NULL ?
		    m->new_hash : m->hash) == -1 ||
		    bind_int(s, ST_PENDING_ADD, 4, m->persistent != 0) == -1 ||
		    bind_int(s, ST_PENDING_ADD, 5, now) == -1 ||
		    bind_int(s, ST_PENDING_ADD, 6, m->exp) == -1)
			r = fail(s, ST_PENDING_ADD, "pending login");
		else
			r = run(s, ST_PENDING_ADD, "pending login");
	}
	if (r == LK_STORE_OK && m->throttle_account != NULL)
		r = give_back(s, m->throttle_account, m->throttle_window, now);
	if (r == LK_STORE_OK && m->throttle_address != NULL)
		r = give_back(s, m->throttle_address, m->throttle_window, now);
	if (r == LK_STORE_OK)
		r = prune_if_due(s, now);
	return finish(s, r);
}

static enum lk_store_res
sqlite_mfa_pending(struct lk_store *s, const char *id, long long now,
    struct lk_mfa_pending *out)
{
	sqlite3_stmt	*st = ST(s, ST_PENDING_FIND);
	int		 rc;

	if (bind_text(s, ST_PENDING_FIND, 1, id) == -1 ||
	    bind_int(s, ST_PENDING_FIND, 2, now) == -1)
		return fail(s, ST_PENDING_FIND, "pending login");
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		done(s, ST_PENDING_FIND);
		return LK_STORE_NOT_FOUND;
	}
	if (rc != SQLITE_ROW)
		return fail(s, ST_PENDING_FIND, "pending login");
	row_to_user(st, 0, &out->user);
	copy_col(st, 8, out->hash, sizeof(out->hash));
	out->persistent = sqlite3_column_int(st, 9) != 0;
	out->exp = sqlite3_column_int64(st, 10);
	done(s, ST_PENDING_FIND);
	return LK_STORE_OK;
}

static enum lk_store_res
sqlite_mfa_login(struct lk_store *s, const struct lk_mfa_login *m,
    long long now)
{
	const struct lk_login	*l = m->login;
	enum lk_store_res	 r;

	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	/* Bound to the user and to the password it proved. */
	if (bind_text(s, ST_PENDING_USE, 1, m->id) == -1 ||
	    bind_int(s, ST_PENDING_USE, 2, l->user_id) == -1 ||
	    bind_text(s, ST_PENDING_USE, 3, l->hash) == -1 ||
	    bind_int(s, ST_PENDING_USE, 4, now) == -1)
		return finish(s, fail(s, ST_PENDING_USE, "pending login"));
	r = run_changes(s, ST_PENDING_USE, "pending login");
	if (r == LK_STORE_OK) {
		r = factor_use(s, l->user_id, m->step, m->recovery);
		/* TOTP turned off meanwhile: the login is as good as gone. */
		if (r == LK_STORE_NOT_FOUND)
			r = LK_STORE_USED;
	}
	if (r == LK_STORE_OK)
		r = start_session(s, l, now, 0);
	if (r == LK_STORE_OK)
		r = pending_clear(s, l->user_id);
	return finish(s, r);
}

static enum lk_store_res
sqlite_webauthn_handle(struct lk_store *s, long long user_id,
    const char *candidate, char *out, size_t outsz)
{
	sqlite3_stmt		*st = ST(s, ST_HANDLE_GET);
	enum lk_store_res	 r;

	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	if (bind_int(s, ST_HANDLE_ADD, 1, user_id) == -1 ||
	    bind_text(s, ST_HANDLE_ADD, 2, candidate) == -1)
		return finish(s, fail(s, ST_HANDLE_ADD, "user handle"));
	if ((r = run(s, ST_HANDLE_ADD, "user handle")) != LK_STORE_OK)
		return finish(s, r);
	if (bind_int(s, ST_HANDLE_GET, 1, user_id) == -1 ||
	    sqlite3_step(st) != SQLITE_ROW)
		return finish(s, fail(s, ST_HANDLE_GET, "user handle"));
	copy_col(st, 0, out, outsz);
	done(s, ST_HANDLE_GET);
	return finish(s, out[0] != '\0' ? LK_STORE_OK : LK_STORE_ERROR);
}

static const char *const challenge_kinds[LK_CHALLENGE__MAX] = {
	[LK_CHALLENGE_REGISTER] = "register",
	[LK_CHALLENGE_LOGIN] = "login",
};

/* The kind a challenge's kind column names; -1 for none. */
static int
challenge_kind(const char *text, enum lk_challenge_kind *out)
{
	int	i;

	for (i = 0; i < LK_CHALLENGE__MAX; i++)
		if (strcmp(challenge_kinds[i], text) == 0) {
			*out = (enum lk_challenge_kind)i;
			return 0;
		}
	return -1;
}

static enum lk_store_res
sqlite_challenge_add(struct lk_store *s, const struct lk_challenge *c,
    long long limit, const struct lk_factor_spend *f, long long now)
{
	const char		*kind = challenge_kinds[c->kind];
	enum lk_store_res	 r;
	long long		 live;

	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	if (bind_int(s, ST_PRUNE_CHALLENGES, 1, now) == -1)
		return finish(s, fail(s, ST_PRUNE_CHALLENGES, "challenge"));
	if ((r = run(s, ST_PRUNE_CHALLENGES, "challenge")) != LK_STORE_OK)
		return finish(s, r);
	if (bind_text(s, ST_CHALLENGE_COUNT, 1, c->address) == -1 ||
	    bind_text(s, ST_CHALLENGE_COUNT, 2, kind) == -1)
		return finish(s, fail(s, ST_CHALLENGE_COUNT, "challenge"));
	if (one_int(s, ST_CHALLENGE_COUNT, &live, "challenge") != LK_STORE_OK)
		return finish(s, LK_STORE_ERROR);
	if (live >= limit)
		return finish(s, LK_STORE_LIMIT);
	/* Bound to the proof the registration was asked with. */
	if (f != NULL && (r = spend(s, c->user_id, f)) != LK_STORE_OK)
		return finish(s, r);
	if (bind_text(s, ST_CHALLENGE_ADD, 1, c->challenge) == -1 ||
	    bind_text(s, ST_CHALLENGE_ADD, 2, kind) == -1 ||
	    bind_int(s, ST_CHALLENGE_ADD, 3, c->user_id) == -1 ||
	    bind_text(s, ST_CHALLENGE_ADD, 4, c->address) == -1 ||
	    bind_int(s, ST_CHALLENGE_ADD, 5, c->exp) == -1)
		return finish(s, fail(s, ST_CHALLENGE_ADD, "challenge"));
	return finish(s, run(s, ST_CHALLENGE_ADD, "challenge"));
}

/* Use up a live challenge (inside the caller's transaction). */
static enum lk_store_res
challenge_use(struct lk_store *s, const char *challenge,
    enum lk_challenge_kind kind, long long user_id, long long now)
{
	if (bind_text(s, ST_CHALLENGE_USE, 1, challenge) == -1 ||
	    bind_text(s, ST_CHALLENGE_USE, 2, challenge_kinds[kind]) == -1 ||
	    bind_int(s, ST_CHALLENGE_USE, 3, user_id) == -1 ||
	    bind_int(s, ST_CHALLENGE_USE, 4, now) == -1)
		return fail(s, ST_CHALLENGE_USE, "challenge");
	return run_changes(s, ST_CHALLENGE_USE, "challenge");
}

static enum lk_store_res
sqlite_passkey_add(struct lk_store *s, const char *challenge,
    const struct lk_passkey *p, long long max, long long now)
{
	enum lk_store_res	r;
	long long		n;
	int			rc;

	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	if ((r = challenge_use(s, challenge, LK_CHALLENGE_REGISTER, p->user_id,
	    now)) != LK_STORE_OK)
		return finish(s, r);
	if (bind_int(s, ST_PASSKEY_COUNT, 1, p->user_id) == -1)
		return finish(s, fail(s, ST_PASSKEY_COUNT, "passkeys"));
	if (one_int(s, ST_PASSKEY_COUNT, &n, "passkeys") != LK_STORE_OK)
		return finish(s, LK_STORE_ERROR);
	if (n >= max)
		return finish(s, LK_STORE_LIMIT);
	if (bind_text(s, ST_PASSKEY_ADD, 1, p->id) == -1 ||
	    bind_text(s, ST_PASSKEY_ADD, 2, p->credential_id) == -1 ||
	    bind_int(s, ST_PASSKEY_ADD, 3, p->user_id) == -1 ||
	    bind_int(s, ST_PASSKEY_ADD, 4, p->alg) == -1 ||
	    bind_text(s, ST_PASSKEY_ADD, 5, p->public_key) == -1 ||
	    bind_int(s, ST_PASSKEY_ADD, 6, p->sign_count) == -1 ||
	    bind_int(s, ST_PASSKEY_ADD, 7, p->flags) == -1 ||
	    bind_text(s, ST_PASSKEY_ADD, 8, p->aaguid) == -1 ||
	    bind_text(s, ST_PASSKEY_ADD, 9, p->name) == -1 ||
	    bind_int(s, ST_PASSKEY_ADD, 10, now) == -1)
		return finish(s, fail(s, ST_PASSKEY_ADD, "add passkey"));
	rc = sqlite3_step(ST(s, ST_PASSKEY_ADD));
	if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
		done(s, ST_PASSKEY_ADD);
		return finish(s, LK_STORE_EXISTS);
	}
	if (rc != SQLITE_DONE)
		return finish(s, fail(s, ST_PASSKEY_ADD, "add passkey"));
	done(s, ST_PASSKEY_ADD);
	return finish(s, LK_STORE_OK);
}

/* Columns PASSKEY_COLUMNS from col on. */
static void
row_to_passkey(sqlite3_stmt *st, int col, struct lk_passkey *p)
{
	memset(p, 0, sizeof(*p));
	copy_col(st, col, p->id, sizeof(p->id));
	copy_col(st, col + 1, p->credential_id, sizeof(p->credential_id));
	p->user_id = sqlite3_column_int64(st, col + 2);
	p->alg = sqlite3_column_int(st, col + 3);
	copy_col(st, col + 4, p->public_key, sizeof(p->public_key));
	p->sign_count = sqlite3_column_int64(st, col + 5);
	p->flags = sqlite3_column_int(st, col + 6);
	copy_col(st, col + 7, p->aaguid, sizeof(p->aaguid));
	copy_col(st, col + 8, p->name, sizeof(p->name));
	p->created = sqlite3_column_int64(st, col + 9);
	p->last_used = sqlite3_column_int64(st, col + 10);
}

static enum lk_store_res
sqlite_passkey_find(struct lk_store *s, const char *credential_id,
    struct lk_passkey *p, struct lk_user *user, char *handle, size_t handlesz)
{
	sqlite3_stmt	*st = ST(s, ST_PASSKEY_FIND);
	int		 rc;

	if (bind_text(s, ST_PASSKEY_FIND, 1, credential_id) == -1)
		return fail(s, ST_PASSKEY_FIND, "find passkey");
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		done(s, ST_PASSKEY_FIND);
		return LK_STORE_NOT_FOUND;
	}
	if (rc != SQLITE_ROW)
		return fail(s, ST_PASSKEY_FIND, "find passkey");
	row_to_passkey(st, 0, p);
	row_to_user(st, 11, user);
	copy_col(st, 19, handle, handlesz);
	done(s, ST_PASSKEY_FIND);
	return LK_STORE_OK;
}

static enum lk_store_res
sqlite_passkey_login(struct lk_store *s, const struct lk_passkey_login *pl,
    long long now)
{
	const struct lk_login	*l = pl->login;
	enum lk_store_res	 r;

	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	r = challenge_use(s, pl->challenge, LK_CHALLENGE_LOGIN, 0, now);
	if (r == LK_STORE_OK) {
		if (bind_text(s, ST_PASSKEY_COUNTER, 1, pl->id) == -1 ||
		    bind_int(s, ST_PASSKEY_COUNTER, 2, pl->old_count) == -1 ||
		    bind_int(s, ST_PASSKEY_COUNTER, 3, pl->new_count) == -1 ||
		    bind_int(s, ST_PASSKEY_COUNTER, 4, now) == -1)
			r = fail(s, ST_PASSKEY_COUNTER, "passkey counter");
		else if ((r = run_changes(s, ST_PASSKEY_COUNTER,
		    "passkey counter")) == LK_STORE_NOT_FOUND)
			r = LK_STORE_CHANGED;
	}
	if (r == LK_STORE_OK)
		r = start_session(s, l, now, 0);
	if (r == LK_STORE_OK)
		r = pending_clear(s, l->user_id);
	if (r == LK_STORE_OK)
		r = prune_if_due(s, now);
	return finish(s, r);
}

static enum lk_store_res
sqlite_passkey_each(struct lk_store *s, long long user_id,
    int (*fn)(const struct lk_passkey *, void *), void *arg)
{
	sqlite3_stmt		*st = ST(s, ST_PASSKEY_EACH);
	struct lk_passkey	 p;
	int			 rc;

	if (bind_int(s, ST_PASSKEY_EACH, 1, user_id) == -1)
		return fail(s, ST_PASSKEY_EACH, "passkeys");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_to_passkey(st, 0, &p);
		if (fn(&p, arg) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(s, ST_PASSKEY_EACH, "passkeys");
	done(s, ST_PASSKEY_EACH);
	return LK_STORE_OK;
}

static enum lk_store_res
sqlite_passkey_delete(struct lk_store *s, long long user_id, const char *id)
{
	if (bind_int(s, ST_PASSKEY_DELETE, 1, user_id) == -1 ||
	    bind_text(s, ST_PASSKEY_DELETE, 2, id) == -1)
		return fail(s, ST_PASSKEY_DELETE, "delete passkey");
	return run_changes(s, ST_PASSKEY_DELETE, "delete passkey");
}

static enum lk_store_res
sqlite_session_each(struct lk_store *s, long long user_id, long long now,
    int (*fn)(const struct lk_session *, void *), void *arg)
{
	sqlite3_stmt		*st = ST(s, ST_SESSION_EACH);
	struct lk_session	 se;
	int			 rc;

	if (bind_int(s, ST_SESSION_EACH, 1, user_id) == -1 ||
	    bind_int(s, ST_SESSION_EACH, 2, now) == -1)
		return fail(s, ST_SESSION_EACH, "sessions");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_to_session(st, 0, &se);
		if (fn(&se, arg) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(s, ST_SESSION_EACH, "sessions");
	done(s, ST_SESSION_EACH);
	return LK_STORE_OK;
}

static enum lk_store_res
sqlite_session_end(struct lk_store *s, long long user_id, const char *id,
    const char *keep, long long now, long long *n)
{
	enum stmt		w = id != NULL ? ST_SESSION_END_ONE :
				    ST_SESSION_END_OTHERS;
	enum lk_store_res	r;

	if (bind_int(s, w, 1, user_id) == -1 ||
	    bind_text(s, w, 2, id != NULL ? id : keep) == -1 ||
	    bind_int(s, w, 3, now) == -1)
		return fail(s, w, "end sessions");
	r = id != NULL ? run_changes(s, w, "end session") :
	    run(s, w, "end sessions");
	if (r == LK_STORE_OK)
		*n = sqlite3_changes(DB(s));
	return r;
}

/*
 * Copying (lk_store_copy): every record in the order lk_store_export
 * gives them, with the columns as store_pg.c reads and writes them.
 * These statements are prepared when used: the programs never copy.
 */
static const char *const export_sql[LK_STORE_REC__MAX] = {
	[LK_STORE_REC_USER] = "SELECT id, email, name, hash, disabled, created, "
	    "updated, tokens_valid_after FROM users ORDER BY id",
	[LK_STORE_REC_DELETED] = "SELECT email, deleted FROM deleted_users "
	    "ORDER BY email",
	[LK_STORE_REC_SESSION] = "SELECT id, user_id, created, refreshed, "
	    "refreshes, revoked, persistent, user_agent, address, exp "
	    "FROM sessions ORDER BY id",
	[LK_STORE_REC_TOKENS] = "SELECT family, jti, csrf, access_jti, "
	    "access_csrf, iat, exp, access_exp, coalesce(rotated_at, 0), "
	    "coalesce(successor, '') FROM refresh_tokens ORDER BY jti",
	[LK_STORE_REC_REVOKED] = "SELECT jti, exp FROM revoked_tokens "
	    "ORDER BY jti",
	[LK_STORE_REC_THROTTLE] = "SELECT key, failures, window_start "
	    "FROM throttle ORDER BY key",
	[LK_STORE_REC_TOTP] = "SELECT user_id, secret, enabled, last_step, "
	    "created FROM mfa_totp ORDER BY user_id",
	[LK_STORE_REC_RECOVERY] = "SELECT user_id, hash, created "
	    "FROM mfa_recovery ORDER BY user_id, hash",
	[LK_STORE_REC_PENDING] = "SELECT id, user_id, hash, persistent, "
	    "created, exp FROM mfa_pending ORDER BY id",
	[LK_STORE_REC_WEBAUTHN_USER] = "SELECT user_id, handle "
	    "FROM webauthn_users ORDER BY user_id",
	[LK_STORE_REC_PASSKEY] = "SELECT " PASSKEY_COLUMNS " "
	    "FROM webauthn_credentials c ORDER BY c.id",
	[LK_STORE_REC_CHALLENGE] = "SELECT challenge, kind, "
	    "coalesce(user_id, 0), address, exp FROM webauthn_challenges "
	    "ORDER BY challenge",
	[LK_STORE_REC_LINK] = "SELECT hash, user_id, purpose, created, expires "
	    "FROM account_tokens ORDER BY hash",
};

static const char *const import_sql[LK_STORE_REC__MAX] = {
	[LK_STORE_REC_USER] = "INSERT INTO users (id, email, name, hash, "
	    "disabled, created, updated, tokens_valid_after) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[LK_STORE_REC_DELETED] = "INSERT INTO deleted_users (email, deleted) "
	    "VALUES (?1, ?2)",
	[LK_STORE_REC_SESSION] = "INSERT INTO sessions (id, user_id, created, "
	    "refreshed, refreshes, revoked, persistent, user_agent, address, "
	    "exp) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[LK_STORE_REC_TOKENS] = "INSERT INTO refresh_tokens (family, jti, csrf, "
	    "access_jti, access_csrf, iat, exp, access_exp, rotated_at, "
	    "successor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULLIF(?9, 0), "
	    "NULLIF(?10, ''))",
	[LK_STORE_REC_REVOKED] = "INSERT INTO revoked_tokens (jti, exp) "
	    "VALUES (?1, ?2)",
	[LK_STORE_REC_THROTTLE] = "INSERT INTO throttle (key, failures, "
	    "window_start) VALUES (?1, ?2, ?3)",
	[LK_STORE_REC_TOTP] = "INSERT INTO mfa_totp (user_id, secret, enabled, "
	    "last_step, created) VALUES (?1, ?2, ?3, ?4, ?5)",
	[LK_STORE_REC_RECOVERY] = "INSERT INTO mfa_recovery (user_id, hash, "
	    "created) VALUES (?1, ?2, ?3)",
	[LK_STORE_REC_PENDING] = "INSERT INTO mfa_pending (id, user_id, hash, "
	    "persistent, created, exp) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[LK_STORE_REC_WEBAUTHN_USER] = "INSERT INTO webauthn_users (user_id, "
	    "handle) VALUES (?1, ?2)",
	[LK_STORE_REC_PASSKEY] = "INSERT INTO webauthn_credentials (id, "
	    "credential_id, user_id, alg, public_key, sign_count, flags, aaguid, "
	    "name, created, last_used) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	    "?9, ?10, ?11)",
	[LK_STORE_REC_CHALLENGE] = "INSERT INTO webauthn_challenges (challenge, "
	    "kind, user_id, address, exp) VALUES (?1, ?2, NULLIF(?3, 0), ?4, ?5)",
	[LK_STORE_REC_LINK] = "INSERT INTO account_tokens (hash, user_id, "
	    "purpose, created, expires) VALUES (?1, ?2, ?3, ?4, ?5)",
};

#define ANY_RECORD_SQL	"SELECT EXISTS (SELECT 1 FROM users) " \
	"OR EXISTS (SELECT 1 FROM deleted_users) " \
	"OR EXISTS (SELECT 1 FROM sessions) " \
	"OR EXISTS (SELECT 1 FROM refresh_tokens) " \
	"OR EXISTS (SELECT 1 FROM revoked_tokens) " \
	"OR EXISTS (SELECT 1 FROM throttle) " \
	"OR EXISTS (SELECT 1 FROM webauthn_challenges) " \
	"OR EXISTS (SELECT 1 FROM account_tokens)"
/* Second factors, passkeys and handles go with their users. */
#define CLEAR_SQL	"DELETE FROM account_tokens; " \
	"DELETE FROM refresh_tokens; DELETE FROM sessions; " \
	"DELETE FROM webauthn_challenges; " \
	"DELETE FROM users; DELETE FROM deleted_users; " \
	"DELETE FROM revoked_tokens; DELETE FROM throttle;"

/*
 * A text column copied whole, or -1: SQL NULL, a NUL byte inside (which
 * text handed on as a C string would silently lose), or too long.
 */
static int
take_text(sqlite3_stmt *st, int col, char *out, size_t outsz)
{
	const unsigned char	*t = sqlite3_column_text(st, col);
	int			 n = sqlite3_column_bytes(st, col);

	if (t == NULL || n < 0 || (size_t)n >= outsz ||
	    memchr(t, '\0', (size_t)n) != NULL)
		return -1;
	memcpy(out, t, (size_t)n);
	out[n] = '\0';
	return 0;
}

/* An integer column, or -1 for anything SQLite would have to convert. */
static int
take_int(sqlite3_stmt *st, int col, long long *out)
{
	if (sqlite3_column_type(st, col) != SQLITE_INTEGER)
		return -1;
	*out = sqlite3_column_int64(st, col);
	return 0;
}

/* The row of export_sql[kind] as a record; -1 if it does not fit. */
static int
row_to_record(sqlite3_stmt *st, enum lk_store_rec kind,
    struct lk_store_record *rec)
{
	char		kind_text[16];
	long long	b1, b2;
	char		purpose[16];

	memset(rec, 0, sizeof(*rec));
	rec->kind = kind;
	switch (kind) {
	case LK_STORE_REC_USER:
		if (take_int(st, 0, &rec->r.user.id) == -1 ||
		    take_text(st, 1, rec->r.user.email,
		    sizeof(rec->r.user.email)) == -1 ||
		    take_text(st, 2, rec->r.user.name,
		    sizeof(rec->r.user.name)) == -1 ||
		    take_text(st, 3, rec->r.user.hash,
		    sizeof(rec->r.user.hash)) == -1 ||
		    take_int(st, 4, &b1) == -1 ||
		    take_int(st, 5, &rec->r.user.created) == -1 ||
		    take_int(st, 6, &rec->r.user.updated) == -1 ||
		    take_int(st, 7, &rec->r.user.tokens_valid_after) == -1)
			return -1;
		rec->r.user.disabled = b1 != 0;
		return 0;
	case LK_STORE_REC_DELETED:
		return take_text(st, 0, rec->r.deleted.email,
		    sizeof(rec->r.deleted.email)) == -1 ||
		    take_int(st, 1, &rec->r.deleted.deleted) == -1 ? -1 : 0;
	case LK_STORE_REC_SESSION:
		if (take_text(st, 0, rec->r.session.s.id,
		    sizeof(rec->r.session.s.id)) == -1 ||
		    take_int(st, 1, &rec->r.session.s.user_id) == -1 ||
		    take_int(st, 2, &rec->r.session.s.created) == -1 ||
		    take_int(st, 3, &rec->r.session.s.refreshed) == -1 ||
		    take_int(st, 4, &rec->r.session.s.refreshes) == -1 ||
		    take_int(st, 5, &b1) == -1 ||
		    take_int(st, 6, &b2) == -1 ||
		    take_text(st, 7, rec->r.session.s.user_agent,
		    sizeof(rec->r.session.s.user_agent)) == -1 ||
		    take_text(st, 8, rec->r.session.s.address,
		    sizeof(rec->r.session.s.address)) == -1 ||
		    take_int(st, 9, &rec->r.session.exp) == -1)
			return -1;
		rec->r.session.s.revoked = b1 != 0;
		rec->r.session.s.persistent = b2 != 0;
		return 0;
	case LK_STORE_REC_TOKENS:
		return take_text(st, 0, rec->r.tokens.family,
		    sizeof(rec->r.tokens.family)) == -1 ||
		    take_text(st, 1, rec->r.tokens.t.jti,
		    sizeof(rec->r.tokens.t.jti)) == -1 ||
		    take_text(st, 2, rec->r.tokens.t.csrf,
		    sizeof(rec->r.tokens.t.csrf)) == -1 ||
		    take_text(st, 3, rec->r.tokens.t.access_jti,
		    sizeof(rec->r.tokens.t.access_jti)) == -1 ||
		    take_text(st, 4, rec->r.tokens.t.access_csrf,
		    sizeof(rec->r.tokens.t.access_csrf)) == -1 ||
		    take_int(st, 5, &rec->r.tokens.t.iat) == -1 ||
		    take_int(st, 6, &rec->r.tokens.t.exp) == -1 ||
		    take_int(st, 7, &rec->r.tokens.t.access_exp) == -1 ||
		    take_int(st, 8, &rec->r.tokens.rotated_at) == -1 ||
		    take_text(st, 9, rec->r.tokens.successor,
		    sizeof(rec->r.tokens.successor)) == -1 ? -1 : 0;
	case LK_STORE_REC_REVOKED:
		return take_text(st, 0, rec->r.revoked.jti,
		    sizeof(rec->r.revoked.jti)) == -1 ||
		    take_int(st, 1, &rec->r.revoked.exp) == -1 ? -1 : 0;
	case LK_STORE_REC_THROTTLE:
		return take_text(st, 0, rec->r.throttle.key,
		    sizeof(rec->r.throttle.key)) == -1 ||
		    take_int(st, 1, &rec->r.throttle.failures) == -1 ||
		    take_int(st, 2, &rec->r.throttle.window_start) == -1 ?
		    -1 : 0;
	case LK_STORE_REC_TOTP:
		if (take_int(st, 0, &rec->r.totp.user_id) == -1 ||
		    take_text(st, 1, rec->r.totp.secret,
		    sizeof(rec->r.totp.secret)) == -1 ||
		    take_int(st, 2, &b1) == -1 ||
		    take_int(st, 3, &rec->r.totp.last_step) == -1 ||
		    take_int(st, 4, &rec->r.totp.created) == -1)
			return -1;
		rec->r.totp.enabled = b1 != 0;
		return 0;
	case LK_STORE_REC_RECOVERY:
		return take_int(st, 0, &rec->r.recovery.user_id) == -1 ||
		    take_text(st, 1, rec->r.recovery.hash,
		    sizeof(rec->r.recovery.hash)) == -1 ||
		    take_int(st, 2, &rec->r.recovery.created) == -1 ? -1 : 0;
	case LK_STORE_REC_PENDING:
		if (take_text(st, 0, rec->r.pending.id,
		    sizeof(rec->r.pending.id)) == -1 ||
		    take_int(st, 1, &rec->r.pending.user_id) == -1 ||
		    take_text(st, 2, rec->r.pending.hash,
		    sizeof(rec->r.pending.hash)) == -1 ||
		    take_int(st, 3, &b1) == -1 ||
		    take_int(st, 4, &rec->r.pending.created) == -1 ||
		    take_int(st, 5, &rec->r.pending.exp) == -1)
			return -1;
		rec->r.pending.persistent = b1 != 0;
		return 0;
	case LK_STORE_REC_WEBAUTHN_USER:
		return take_int(st, 0, &rec->r.webauthn_user.user_id) == -1 ||
		    take_text(st, 1, rec->r.webauthn_user.handle,
		    sizeof(rec->r.webauthn_user.handle)) == -1 ? -1 : 0;
	case LK_STORE_REC_PASSKEY:
		if (take_text(st, 0, rec->r.passkey.id,
		    sizeof(rec->r.passkey.id)) == -1 ||
		    take_text(st, 1, rec->r.passkey.credential_id,
		    sizeof(rec->r.passkey.credential_id)) == -1 ||
		    take_int(st, 2, &rec->r.passkey.user_id) == -1 ||
		    take_int(st, 3, &b1) == -1 ||
		    take_text(st, 4, rec->r.passkey.public_key,
		    sizeof(rec->r.passkey.public_key)) == -1 ||
		    take_int(st, 5, &rec->r.passkey.sign_count) == -1 ||
		    take_int(st, 6, &b2) == -1 ||
		    take_text(st, 7, rec->r.passkey.aaguid,
		    sizeof(rec->r.passkey.aaguid)) == -1 ||
		    take_text(st, 8, rec->r.passkey.name,
		    sizeof(rec->r.passkey.name)) == -1 ||
		    take_int(st, 9, &rec->r.passkey.created) == -1 ||
		    take_int(st, 10, &rec->r.passkey.last_used) == -1 ||
		    b1 < INT_MIN || b1 > INT_MAX || b2 < 0 || b2 > 255)
			return -1;
		rec->r.passkey.alg = (int)b1;
		rec->r.passkey.flags = (int)b2;
		return 0;
	case LK_STORE_REC_CHALLENGE:
		if (take_text(st, 0, rec->r.challenge.challenge,
		    sizeof(rec->r.challenge.challenge)) == -1 ||
		    take_text(st, 1, kind_text, sizeof(kind_text)) == -1 ||
		    take_int(st, 2, &rec->r.challenge.user_id) == -1 ||
		    take_text(st, 3, rec->r.challenge.address,
		    sizeof(rec->r.challenge.address)) == -1 ||
		    take_int(st, 4, &rec->r.challenge.exp) == -1 ||
		    challenge_kind(kind_text, &rec->r.challenge.kind) == -1)
			return -1;
		return 0;
	case LK_STORE_REC_LINK:
		if (take_text(st, 0, rec->r.link.hash,
		    sizeof(rec->r.link.hash)) == -1 ||
		    take_int(st, 1, &rec->r.link.user_id) == -1 ||
		    take_text(st, 2, purpose, sizeof(purpose)) == -1 ||
		    take_int(st, 3, &rec->r.link.created) == -1 ||
		    take_int(st, 4, &rec->r.link.expires) == -1 ||
		    (rec->r.link.purpose = purpose_of(purpose)) == LK_LINK__MAX)
			return -1;
		return 0;
	case LK_STORE_REC__MAX:
		break;
	}
	return -1;
}

static enum lk_store_res
sqlite_export(struct lk_store *s,
    int (*fn)(const struct lk_store_record *, void *), void *arg)
{
	struct lk_store_record	 rec;
	sqlite3_stmt		*st = NULL;
	enum lk_store_res	 r = LK_STORE_ERROR;
	char			 why[512];
	int			 kind, rc, stop = 0;

	/* One read transaction: every table from the same snapshot. */
	if (exec(DB(s), "BEGIN", why, sizeof(why)) == -1) {
		lk_log(LK_LOG_ERR, "database: export: %s", why);
		return LK_STORE_ERROR;
	}
	for (kind = 0; kind < LK_STORE_REC__MAX && !stop; kind++) {
		if (sqlite3_prepare_v2(DB(s), export_sql[kind], -1, &st,
		    NULL) != SQLITE_OK) {
			lk_log(LK_LOG_ERR, "database: export: %s",
			    sqlite3_errmsg(DB(s)));
			goto out;
		}
		while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (row_to_record(st, (enum lk_store_rec)kind,
			    &rec) == -1) {
				lk_log(LK_LOG_ERR, "database: export: a %s "
				    "that does not fit latchkey's limits",
				    lk_store_rec_name((enum lk_store_rec)kind));
				goto out;
			}
			stop = fn(&rec, arg) != 0;
		}
		if (!stop && rc != SQLITE_DONE) {
			lk_log(LK_LOG_ERR, "database: export: %s",
			    sqlite3_errmsg(DB(s)));
			goto out;
		}
		sqlite3_finalize(st);
		st = NULL;
	}
	r = LK_STORE_OK;
out:
	sqlite3_finalize(st);
	lk_explicit_bzero(&rec, sizeof(rec));
	(void)exec(DB(s), "ROLLBACK", why, sizeof(why));
	return r;
}

/* An import under way: its statements, and whether a record failed. */
struct import {
	sqlite3		*db;
	sqlite3_stmt	*st[LK_STORE_REC__MAX];
	int		 failed;
};

static int
bind_record(sqlite3_stmt *st, const struct lk_store_record *rec)
{
	const struct lk_user	*u = &rec->r.user;
	const struct lk_session	*se = &rec->r.session.s;
	const struct lk_store_tokens *t = &rec->r.tokens.t;
	const struct lk_passkey	*pk = &rec->r.passkey;
	int			 bad = 0;

#define T(i, v)	(bad |= sqlite3_bind_text(st, (i), (v), -1, SQLITE_STATIC))
#define I(i, v)	(bad |= sqlite3_bind_int64(st, (i), (sqlite3_int64)(v)))
	switch (rec->kind) {
	case LK_STORE_REC_USER:
		I(1, u->id);
		T(2, u->email);
		T(3, u->name);
		T(4, u->hash);
		I(5, u->disabled != 0);
		I(6, u->created);
		I(7, u->updated);
		I(8, u->tokens_valid_after);
		break;
	case LK_STORE_REC_DELETED:
		T(1, rec->r.deleted.email);
		I(2, rec->r.deleted.deleted);
		break;
	case LK_STORE_REC_SESSION:
		T(1, se->id);
		I(2, se->user_id);
		I(3, se->created);
		I(4, se->refreshed);
		I(5, se->refreshes);
		I(6, se->revoked != 0);
		I(7, se->persistent != 0);
		T(8, se->user_agent);
		T(9, se->address);
		I(10, rec->r.session.exp);
		break;
	case LK_STORE_REC_TOKENS:
		T(1, rec->r.tokens.family);
		T(2, t->jti);
		T(3, t->csrf);
		T(4, t->access_jti);
		T(5, t->access_csrf);
		I(6, t->iat);
		I(7, t->exp);
		I(8, t->access_exp);
		I(9, rec->r.tokens.rotated_at);
		T(10, rec->r.tokens.successor);
		break;
	case LK_STORE_REC_REVOKED:
		T(1, rec->r.revoked.jti);
		I(2, rec->r.revoked.exp);
		break;
	case LK_STORE_REC_THROTTLE:
		T(1, rec->r.throttle.key);
		I(2, rec->r.throttle.failures);
		I(3, rec->r.throttle.window_start);
		break;
	case LK_STORE_REC_TOTP:
		I(1, rec->r.totp.user_id);
		T(2, rec->r.totp.secret);
		I(3, rec->r.totp.enabled != 0);
		I(4, rec->r.totp.last_step);
		I(5, rec->r.totp.created);
		break;
	case LK_STORE_REC_RECOVERY:
		I(1, rec->r.recovery.user_id);
		T(2, rec->r.recovery.hash);
		I(3, rec->r.recovery.created);
		break;
	case LK_STORE_REC_PENDING:
		T(1, rec->r.pending.id);
		I(2, rec->r.pending.user_id);
		T(3, rec->r.pending.hash);
		I(4, rec->r.pending.persistent != 0);
		I(5, rec->r.pending.created);
		I(6, rec->r.pending.exp);
		break;
	case LK_STORE_REC_WEBAUTHN_USER:
		I(1, rec->r.webauthn_user.user_id);
		T(2, rec->r.webauthn_user.handle);
		break;
	case LK_STORE_REC_PASSKEY:
		T(1, pk->id);
		T(2, pk->credential_id);
		I(3, pk->user_id);
		I(4, pk->alg);
		T(5, pk->public_key);
		I(6, pk->sign_count);
		I(7, pk->flags);
		T(8, pk->aaguid);
		T(9, pk->name);
		I(10, pk->created);
		I(11, pk->last_used);
		break;
	case LK_STORE_REC_CHALLENGE:
		if (rec->r.challenge.kind >= LK_CHALLENGE__MAX)
			return -1;
		T(1, rec->r.challenge.challenge);
		T(2, challenge_kinds[rec->r.challenge.kind]);
		I(3, rec->r.challenge.user_id);
		T(4, rec->r.challenge.address);
		I(5, rec->r.challenge.exp);
		break;
	case LK_STORE_REC_LINK:
		if (rec->r.link.purpose >= LK_LINK__MAX)
			return -1;
		T(1, rec->r.link.hash);
		I(2, rec->r.link.user_id);
		T(3, lk_link_purpose_name(rec->r.link.purpose));
		I(4, rec->r.link.created);
		I(5, rec->r.link.expires);
		break;
	case LK_STORE_REC__MAX:
		return -1;
	}
#undef T
#undef I
	return bad != SQLITE_OK ? -1 : 0;
}

static int
sqlite_put(const struct lk_store_record *rec, void *arg)
{
	struct import	*im = arg;
	sqlite3_stmt	*st;
	int		 rc;

	if (rec->kind >= LK_STORE_REC__MAX) {
		im->failed = 1;
		return -1;
	}
	st = im->st[rec->kind];
	rc = bind_record(st, rec) == -1 ? SQLITE_ERROR : sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		lk_log(LK_LOG_ERR, "database: copy: a %s: %s",
		    lk_store_rec_name(rec->kind), sqlite3_errmsg(im->db));
		im->failed = 1;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return im->failed ? -1 : 0;
}

static enum lk_store_res
sqlite_import(struct lk_store *s, int replace,
    enum lk_store_res (*feed)(void *,
    int (*)(const struct lk_store_record *, void *), void *), void *feedarg)
{
	struct import		 im;
	sqlite3_stmt		*any = NULL;
	enum lk_store_res	 r = LK_STORE_ERROR;
	char			 why[512];
	int			 i, full;

	memset(&im, 0, sizeof(im));
	im.db = DB(s);
	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	if (sqlite3_prepare_v2(DB(s), ANY_RECORD_SQL, -1, &any, NULL) !=
	    SQLITE_OK || sqlite3_step(any) != SQLITE_ROW) {
		lk_log(LK_LOG_ERR, "database: copy: %s", sqlite3_errmsg(DB(s)));
		goto out;
	}
	full = sqlite3_column_int(any, 0) != 0;
	if (full && !replace) {
		r = LK_STORE_EXISTS;
		goto out;
	}
	if (full && exec(DB(s), CLEAR_SQL, why, sizeof(why)) == -1) {
		lk_log(LK_LOG_ERR, "database: copy: %s", why);
		goto out;
	}
	for (i = 0; i < LK_STORE_REC__MAX; i++)
		if (sqlite3_prepare_v2(DB(s), import_sql[i], -1, &im.st[i],
		    NULL) != SQLITE_OK) {
			lk_log(LK_LOG_ERR, "database: copy: %s",
			    sqlite3_errmsg(DB(s)));
			goto out;
		}
	r = feed(feedarg, sqlite_put, &im);
	if (r == LK_STORE_OK && im.failed)
		r = LK_STORE_ERROR;
out:
	sqlite3_finalize(any);
	for (i = 0; i < LK_STORE_REC__MAX; i++)
		sqlite3_finalize(im.st[i]);
	return finish(s, r);
}

/* One-time links. */

/* A pending account for link (inside the caller's transaction). */
static enum lk_store_res
pending_add(struct lk_store *s, const struct lk_link_new *link, long long now)
{
	enum lk_store_res	r;

	if (bind_text(s, ST_USER_ADD, 1, link->email) == -1 ||
	    bind_text(s, ST_USER_ADD, 2, link->name) == -1 ||
	    bind_text(s, ST_USER_ADD, 3, "") == -1 ||
	    bind_int(s, ST_USER_ADD, 4, now) == -1)
		return fail(s, ST_USER_ADD, "add pending");
	if ((r = run(s, ST_USER_ADD, "add pending")) != LK_STORE_OK)
		return r;
	if (bind_text(s, ST_TOMBSTONE_CLEAR, 1, link->email) == -1)
		return fail(s, ST_TOMBSTONE_CLEAR, "add pending");
	return run(s, ST_TOMBSTONE_CLEAR, "add pending");
}

static enum lk_store_res
sqlite_link_add(struct lk_store *s, const struct lk_link_new *link,
    long long now, struct lk_user *user)
{
	enum stmt		 clear;
	enum lk_store_res	 r;

	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	r = sqlite_user_find(s, link->email, user);
	if (r == LK_STORE_ERROR)
		return finish(s, r);
	if (link->purpose == LK_LINK_RESET) {
		if (r != LK_STORE_OK || !link_usable(link->purpose, user))
			return finish(s, LK_STORE_NOT_FOUND);
	} else if (r == LK_STORE_OK && !link_usable(link->purpose, user))
		return finish(s, LK_STORE_EXISTS);
	else if (r == LK_STORE_NOT_FOUND) {
		if ((r = pending_add(s, link, now)) != LK_STORE_OK ||
		    (r = sqlite_user_find(s, link->email, user)) != LK_STORE_OK)
			return finish(s, r == LK_STORE_NOT_FOUND ? LK_STORE_ERROR :
			    r);
	}
	/* A newer request voids the older links of its kind. */
	clear = link->purpose == LK_LINK_RESET ? ST_LINKS_CLEAR_RESET :
	    ST_LINKS_CLEAR_INVITE;
	if (bind_int(s, clear, 1, user->id) == -1)
		return finish(s, fail(s, clear, "add link"));
	if ((r = run(s, clear, "add link")) != LK_STORE_OK)
		return finish(s, r);
	if (bind_text(s, ST_LINK_ADD, 1, link->hash) == -1 ||
	    bind_int(s, ST_LINK_ADD, 2, user->id) == -1 ||
	    bind_text(s, ST_LINK_ADD, 3, lk_link_purpose_name(link->purpose)) ==
	    -1 ||
	    bind_int(s, ST_LINK_ADD, 4, now) == -1 ||
	    bind_int(s, ST_LINK_ADD, 5, link->expires) == -1)
		return finish(s, fail(s, ST_LINK_ADD, "add link"));
	return finish(s, run(s, ST_LINK_ADD, "add link"));
}

static enum lk_store_res
sqlite_link_find(struct lk_store *s, const char *hash, unsigned int purposes,
    long long now, struct lk_link *out)
{
	sqlite3_stmt		*st = ST(s, ST_LINK_FIND);
	enum lk_store_res	 r = LK_STORE_NOT_FOUND;
	int			 rc;

	if (bind_text(s, ST_LINK_FIND, 1, hash) == -1)
		return fail(s, ST_LINK_FIND, "find link");
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(s, ST_LINK_FIND, "find link");
	if (rc == SQLITE_ROW) {
		out->purpose = purpose_of((const char *)sqlite3_column_text(st,
		    0));
		out->created = sqlite3_column_int64(st, 1);
		out->expires = sqlite3_column_int64(st, 2);
		row_to_user(st, 3, &out->user);
		if (out->purpose < LK_LINK__MAX &&
		    (purposes & LK_LINK_BIT(out->purpose)) != 0 &&
		    out->expires > now && link_usable(out->purpose, &out->user))
			r = LK_STORE_OK;
	}
	done(s, ST_LINK_FIND);
	if (r != LK_STORE_OK)
		memset(out, 0, sizeof(*out));
	return r;
}

/*
 * The checks of a link's use, inside the caller's transaction: the link
 * is live and as the caller found it, and so is its account.
 */
static enum lk_store_res
link_check(struct lk_store *s, const struct lk_link_use *u, long long now)
{
	sqlite3_stmt		*st = ST(s, ST_LINK_GET);
	const unsigned char	*hash;
	enum lk_link_purpose	 purpose;
	int			 rc, live;

	if (bind_text(s, ST_LINK_GET, 1, u->hash) == -1)
		return fail(s, ST_LINK_GET, "use link");
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(s, ST_LINK_GET, "use link");
	live = 0;
	if (rc == SQLITE_ROW) {
		purpose = purpose_of((const char *)sqlite3_column_text(st, 1));
		live = sqlite3_column_int64(st, 0) == u->user_id &&
		    purpose < LK_LINK__MAX &&
		    (u->purposes & LK_LINK_BIT(purpose)) != 0 &&
		    sqlite3_column_int64(st, 2) > now;
	}
	done(s, ST_LINK_GET);
	if (!live)
		return LK_STORE_NOT_FOUND;
	st = ST(s, ST_USER_BY_ID);
	if (bind_int(s, ST_USER_BY_ID, 1, u->user_id) == -1)
		return fail(s, ST_USER_BY_ID, "use link");
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(s, ST_USER_BY_ID, "use link");
	live = 0;
	if (rc == SQLITE_ROW) {
		hash = sqlite3_column_text(st, 0);
		live = hash != NULL && u->user_hash != NULL &&
		    strcmp((const char *)hash, u->user_hash) == 0 &&
		    sqlite3_column_int(st, 1) == 0;
	}
	done(s, ST_USER_BY_ID);
	return live ? LK_STORE_OK : LK_STORE_CHANGED;
}

/*
 * The second factor of a link's use (inside its transaction): spent if
 * given, else there must be none.  LK_STORE_USED for a factor used
 * already, one turned off meanwhile, or one turned on meanwhile.
 */
static enum lk_store_res
link_factor(struct lk_store *s, const struct lk_link_use *u)
{
	struct lk_factor_spend	f;

	f.given = u->factor;
	f.step = u->step;
	f.recovery = u->recovery;
	return spend(s, u->user_id, &f);
}

static enum lk_store_res
sqlite_link_use(struct lk_store *s, const struct lk_link_use *u, long long now)
{
	struct lk_login		l;
	enum lk_store_res	r;

	if (begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	if ((r = link_check(s, u, now)) != LK_STORE_OK ||
	    (r = link_factor(s, u)) != LK_STORE_OK)
		return finish(s, r);
	if (bind_int(s, ST_SET_HASH_BY_ID, 1, u->user_id) == -1 ||
	    bind_text(s, ST_SET_HASH_BY_ID, 2, u->new_hash) == -1 ||
	    bind_int(s, ST_SET_HASH_BY_ID, 3, now) == -1)
		return finish(s, fail(s, ST_SET_HASH_BY_ID, "use link"));
	if ((r = run(s, ST_SET_HASH_BY_ID, "use link")) != LK_STORE_OK)
		return finish(s, r);
	if (bind_int(s, ST_INVALIDATE_BY_ID, 1, u->user_id) == -1 ||
	    bind_int(s, ST_INVALIDATE_BY_ID, 2, now) == -1)
		return finish(s, fail(s, ST_INVALIDATE_BY_ID, "use link"));
	if ((r = run(s, ST_INVALIDATE_BY_ID, "use link")) != LK_STORE_OK)
		return finish(s, r);
	if (bind_int(s, ST_REVOKE_USER_SESSIONS, 1, u->user_id) == -1)
		return finish(s, fail(s, ST_REVOKE_USER_SESSIONS, "use link"));
	if ((r = run(s, ST_REVOKE_USER_SESSIONS, "use link")) != LK_STORE_OK ||
	    (r = void_links(s, u->user_id)) != LK_STORE_OK ||
	    (r = passkeys_keep(s, u->user_id, &u->keep)) != LK_STORE_OK)
		return finish(s, r);
	if (u->throttle_account != NULL) {
		if (bind_text(s, ST_THROTTLE_CLEAR, 1, u->throttle_account) == -1)
			return finish(s, fail(s, ST_THROTTLE_CLEAR, "use link"));
		if ((r = run(s, ST_THROTTLE_CLEAR, "use link")) != LK_STORE_OK)
			return finish(s, r);
	}
	if (u->throttle_address != NULL && (r = give_back(s,
	    u->throttle_address, u->throttle_window, now)) != LK_STORE_OK)
		return finish(s, r);
	if (u->session != NULL) {
		/* The account as it now is: the new hash, no other session. */
		memset(&l, 0, sizeof(l));
		l.user_id = u->user_id;
		l.hash = u->new_hash;
		l.session = u->session;
		l.tokens = u->tokens;
		if ((r = start_session(s, &l, now, 0)) != LK_STORE_OK)
			return finish(s, r == LK_STORE_CHANGED ? LK_STORE_ERROR :
			    r);
	}
	return finish(s, LK_STORE_OK);
}

static const struct lk_store_ops sqlite_ops = {
	sqlite_close,
	sqlite_user_find,
	sqlite_user_add,
	sqlite_user_set_name,
	sqlite_user_set_password,
	sqlite_user_set_disabled,
	sqlite_user_delete,
	sqlite_user_each,
	sqlite_token_check,
	sqlite_throttle_reserve,
	sqlite_login,
	sqlite_password_change,
	sqlite_refresh,
	sqlite_logout,
	sqlite_prune,
	sqlite_export,
	sqlite_import,
	sqlite_throttle_give_back,
	sqlite_mfa_state,
	sqlite_totp_setup,
	sqlite_totp_enable,
	sqlite_totp_disable,
	sqlite_recovery_replace,
	sqlite_mfa_reset,
	sqlite_mfa_start,
	sqlite_mfa_pending,
	sqlite_mfa_login,
	sqlite_webauthn_handle,
	sqlite_challenge_add,
	sqlite_passkey_add,
	sqlite_passkey_find,
	sqlite_passkey_login,
	sqlite_passkey_each,
	sqlite_passkey_delete,
	sqlite_session_each,
	sqlite_session_end,
	sqlite_link_add,
	sqlite_link_find,
	sqlite_link_use,
	sqlite_throttle_clear,
};

struct lk_store *
lk_store_sqlite_open(const char *path, int create, char *err, size_t errsz)
{
	struct sqlite_store	*ss;
	struct lk_store		*s;
	char			 why[512];
	int			 flags, fd;

	if ((ss = calloc(1, sizeof(*ss))) == NULL) {
		(void)snprintf(err, errsz, "out of memory");
		return NULL;
	}
	s = &ss->base;
	s->ops = &sqlite_ops;
	if (create) {
		/* Create the file ourselves so that it starts as mode 0600. */
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd == -1) {
			(void)snprintf(err, errsz, "%s: %s", path,
			    strerror(errno));
			goto fail;
		}
		close(fd);
	}
	flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	    SQLITE_OPEN_NOFOLLOW;
	if (sqlite3_open_v2(path, &ss->db, flags, NULL) != SQLITE_OK) {
		(void)snprintf(err, errsz, "%s: %s", path, ss->db != NULL ?
		    sqlite3_errmsg(ss->db) : "cannot open");
		goto fail;
	}
	sqlite3_extended_result_codes(ss->db, 1);
	/* Wait for other processes' writes rather than fail at once. */
	sqlite3_busy_timeout(ss->db, 5000);
	/*
	 * No checkpoint when this process closes the database, unless it
	 * wrote (sqlite_close): a process that only read (a CGI request)
	 * writes nothing.
	 */
	(void)sqlite3_db_config(ss->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1,
	    NULL);
	if (exec(ss->db, "PRAGMA synchronous = FULL", why, sizeof(why)) == -1 ||
	    exec(ss->db, "PRAGMA foreign_keys = ON", why, sizeof(why)) == -1 ||
	    exec(ss->db, "PRAGMA trusted_schema = OFF", why, sizeof(why)) == -1 ||
	    /* Bound each process's private memory (SQLite's default is 2 MiB). */
	    exec(ss->db, "PRAGMA cache_size = -512", why, sizeof(why)) == -1) {
		(void)snprintf(err, errsz, "%s: %s", path, why);
		goto fail;
	}
	if (migrate(ss->db, path, err, errsz) == -1)
		goto fail;
	/*
	 * SQLite opens a file it cannot write read-only, and such a
	 * connection stays so: refuse it, so that start-up is tried again
	 * (and succeeds once the file is writable) rather than failing every
	 * write for the life of the process.
	 */
	if (sqlite3_db_readonly(ss->db, "main") != 0) {
		(void)snprintf(err, errsz, "%s: read-only (the file, its directory "
		    "or its file system cannot be written)", path);
		goto fail;
	}
	return s;
fail:
	sqlite_close(s);
	return NULL;
}
