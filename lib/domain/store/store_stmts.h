/*
 * The store's SQL: every statement once, with ?N placeholders and a few
 * words that differ between engines (defined by whoever includes this
 * file, once per engine, before including it):
 *
 *   EMAIL_EQ(col, p)   an email column equal to p, ASCII case folded
 *   EMAIL_ORDER(col)   the order of emails, ASCII case folded, by bytes
 *   EMAIL_KEY          the conflict target of the unique folded email
 *   BYTES              ordering text by its bytes
 *   FOR_UPDATE         the row lock a check takes before it acts
 *   GREATEST           the larger of two values
 *   UPSERT(key)        an insert that updates the row holding key instead
 *   EXCLUDED(col)      ...with the value the insert proposed for col
 *   IGNORE_DUP(key)    an insert that leaves the row holding key alone
 *   LOCK_TABLE(t)      keep every other writer out of table t (a copy)
 *   USER_ID_NEXT       number new users after the highest id (a copy)
 *   ALL_AFTER(n)       every row of an ordered select past the first n
 *   ROWS_OF(select)    a subquery's rows, read before the table they come
 *                      from is changed
 *   JOINED(col)        an aggregate: the column's values of the rows,
 *                      joined with ',' (in no particular order), NULL
 *                      for no rows
 *   STMTS_TABLE        the name of the table to define
 *
 * The first inclusion also defines the statement ids (enum stmt).  No
 * statement uses RETURNING, UPDATE ... FROM or a conditional upsert: not
 * every engine has them.  The column lists go with the field tables of
 * store.c (user_fields, session_fields, passkey_fields, tokens_fields),
 * column for column.
 */
#ifndef LK_STORE_STMTS_IDS
#define LK_STORE_STMTS_IDS

#include "domain/store/sql.h"
#include "domain/store/store.h"

/*
 * An email's ASCII letters folded to lower case, and nothing else (as
 * SQLite's NOCASE): PostgreSQL's lower() and MariaDB's LOWER() would
 * follow the locale or fold every letter.
 */
#define LK_PG_FOLD(x)	"translate(" x ", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', " \
			"'abcdefghijklmnopqrstuvwxyz')"
#define LK_MYSQL_FOLD(x) \
	"REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(" \
	"REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(" \
	"REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(" \
	"REPLACE(REPLACE(" x ", 'A', 'a'), 'B', 'b'), 'C', 'c'), 'D', 'd'), " \
	"'E', 'e'), 'F', 'f'), 'G', 'g'), 'H', 'h'), 'I', 'i'), 'J', 'j'), " \
	"'K', 'k'), 'L', 'l'), 'M', 'm'), 'N', 'n'), 'O', 'o'), 'P', 'p'), " \
	"'Q', 'q'), 'R', 'r'), 'S', 's'), 'T', 't'), 'U', 'u'), 'V', 'v'), " \
	"'W', 'w'), 'X', 'x'), 'Y', 'y'), 'Z', 'z')"

/* Each engine's migrations (store_schema.c). */
struct lk_store_schema {
	const struct lk_sql_migration	*m;
	size_t				 n;
};

extern const struct lk_store_schema lk_store_schema[LK_SQL__MAX];

enum stmt {
	ST_USER_FIND,
	ST_USER_FIND_LOCK,
	ST_USER_LOCK,
	ST_USER_ADD,
	ST_TOMBSTONE_ADD,
	ST_TOMBSTONE_CLEAR,
	ST_SET_NAME,
	ST_SET_HASH_BY_ID,
	ST_SET_DISABLED_BY_ID,
	ST_INVALIDATE_BY_ID,
	ST_REVOKE_USER_SESSIONS,
	ST_DELETE,
	ST_EACH,
	ST_CHECK_ACCESS,
	ST_CHECK_REFRESH,
	ST_THROTTLE_COUNT,
	ST_THROTTLE_GET,
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
	ST_PRUNE_LINKS,
	ST_PRUNE_TOTP_SETUPS,
	ST_MFA_STATE,
	ST_TOTP_ENABLED,
	ST_TOTP_PUT,
	ST_TOTP_ENABLE,
	ST_TOTP_USE_STEP,
	ST_TOTP_DELETE,
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
	ST_PASSKEY_IDS,
	ST_PASSKEYS_CLEAR,
	ST_SESSION_EACH,
	ST_SESSION_END_ONE,
	ST_SESSION_END_OTHERS,
	ST_LINK_ADD,
	ST_LINK_FIND,
	ST_LINK_LOCK,
	ST_LINKS_CLEAR_RESET,
	ST_LINKS_CLEAR_INVITE,
	ST_LINKS_VOID,
	ST_PRUNE_SIGNUP_MARKS,
	ST_PRUNE_SIGNUPS,
	ST_LINK_INVITED,
	ST_SESSIONS_BOUND,
	ST_ANY_RECORD,
	ST_USER_ID_NEXT,
	ST_GROUP_ADD,
	ST_GROUP_DELETE,
	ST_GROUP_LOCK,
	ST_GROUP_EACH,
	ST_MEMBER_IS,
	ST_MEMBER_COUNT,
	ST_MEMBER_ADD,
	ST_MEMBER_DELETE,
	ST_KEEP_OTHERS,
	ST_AUDIT_ADD,
	ST_AUDIT_EACH,
	ST_PRUNE_AUDIT,
	ST_USER_GROUPS,
	ST_EACH_GROUPS,
	ST_STATS,
	ST_CLIENT_FIND,
	ST_CLIENT_EACH,
	ST_CLIENT_DELETE,
	ST_CLIENT_SECRET,
	ST_SUBJECT_ADD,
	ST_SUBJECT_GET,
	ST_CODE_LOCK,
	ST_CODE_SPEND,
	ST_GRANT_LIVE,
	ST_GRANT_REVOKE,
	ST_GRANT_REVOKE_CLIENT,
	ST_GRANTS_REVOKE_USER_CLIENT,
	ST_OIDC_REFRESH_LOCK,
	ST_OIDC_REFRESH_ROTATED,
	ST_OIDC_REFRESH_ADD,
	ST_CONSENT_PUT,
	ST_CONSENT_FIND,
	ST_CONSENT_EACH,
	ST_CONSENT_DELETE,
	ST_PRUNE_CODES,
	ST_PRUNE_GRANTS,
	ST_PRUNE_OIDC_REFRESH,
	/* Copying: per kind of record (one table each), in export order. */
	ST_EXPORT,
	ST_IMPORT = ST_EXPORT + LK_STORE_REC__MAX,
	ST_LOCK = ST_IMPORT + LK_STORE_REC__MAX,
	ST_CLEAR = ST_LOCK + LK_STORE_REC__MAX,
	ST__MAX = ST_CLEAR + LK_STORE_REC__MAX
};

#define USER_COLUMNS	"u.id, u.email, u.name, u.hash, u.disabled, " \
			"u.created, u.updated, u.tokens_valid_after"
#define SESSION_COLUMNS	"se.id, se.user_id, se.created, se.refreshed, " \
			"se.refreshes, se.revoked, se.persistent, " \
			"se.user_agent, se.address"
#define PASSKEY_COLUMNS	"c.id, c.credential_id, c.user_id, c.alg, " \
			"c.public_key, c.sign_count, c.flags, c.aaguid, " \
			"c.name, c.created, c.last_used"
#define TOKENS_COLUMNS	"jti, csrf, access_jti, access_csrf, iat, exp, " \
			"access_exp"
#define GROUP_COLUMNS	"g.name, g.description, g.created"
#define CLIENT_COLUMNS	"cl.id, cl.name, cl.secret, cl.public, " \
			"cl.redirect_uris, cl.logout_uris, cl.allowed_groups, " \
			"cl.consent, cl.created"
#define CODE_COLUMNS	"co.hash, co.client_id, co.user_id, co.session_id, " \
			"co.redirect_uri, co.challenge, co.nonce, co.scope, " \
			"co.amr, co.auth_time, co.expires, co.used, co.grant_id"
#define GRANT_COLUMNS	"g.id, g.client_id, g.user_id, g.session_id, " \
			"g.scope, g.amr, g.auth_time, g.created, g.exp, " \
			"g.revoked"
#define CONSENT_COLUMNS	"cs.user_id, cs.client_id, cs.scope, cs.created"

#endif /* LK_STORE_STMTS_IDS */

#ifdef STMTS_TABLE

/* Pending accounts of sign-ups whose every link has expired (?1: now). */
#define PRUNABLE_SIGNUP	"id IN (SELECT user_id FROM account_tokens " \
			"WHERE purpose = 'signup' AND expires <= ?1) AND " \
			"hash = '' AND disabled = 0 AND NOT EXISTS (SELECT 1 " \
			"FROM account_tokens t WHERE t.user_id = users.id AND " \
			"(t.expires > ?1 OR t.purpose <> 'signup'))"

/* The groups of the user u, joined (NULL: none). */
#define GROUPS_OF_U	"(SELECT " JOINED("m.group_name") " FROM group_members m " \
			"WHERE m.user_id = u.id)"

/* The user, their groups and what is known of a token, in one read. */
/*
 * A grant g that is live at ?2: not revoked or past exp, its account u
 * enabled and its tokens not cut off since, its session not ended.
 */
#define GRANT_LIVE	"g.revoked = 0 AND g.exp > ?2 AND u.disabled = 0 AND " \
			"u.tokens_valid_after <= g.created AND NOT EXISTS " \
			"(SELECT 1 FROM sessions se WHERE se.id = g.session_id " \
			"AND se.revoked = 1)"

#define CHECK_SQL(col)	"SELECT " USER_COLUMNS ", CASE WHEN EXISTS (SELECT 1 " \
			"FROM revoked_tokens WHERE jti = ?2) THEN 1 ELSE 0 END, " \
			SESSION_COLUMNS ", " GROUPS_OF_U " FROM (SELECT 1) AS one " \
			"LEFT JOIN users u ON " EMAIL_EQ("u.email", "?1") " " \
			"LEFT JOIN refresh_tokens t ON t." col " = ?2 " \
			"LEFT JOIN sessions se ON se.id = t.family"

static const char *const STMTS_TABLE[ST__MAX] = {
	[ST_USER_FIND] = "SELECT " USER_COLUMNS " FROM users u WHERE "
	    EMAIL_EQ("u.email", "?1"),
	/* Locked: a link is recorded against the account as it stands. */
	[ST_USER_FIND_LOCK] = "SELECT " USER_COLUMNS " FROM users u WHERE "
	    EMAIL_EQ("u.email", "?1") FOR_UPDATE,
	/* Locked: no password change or disabling slips past the check. */
	[ST_USER_LOCK] = "SELECT hash, disabled FROM users WHERE id = ?1"
	    FOR_UPDATE,
	[ST_USER_ADD] = "INSERT INTO users (email, name, hash, created, updated,"
	    " tokens_valid_after) VALUES (?1, ?2, ?3, ?4, ?4, coalesce((SELECT"
	    " deleted FROM deleted_users WHERE " EMAIL_EQ("email", "?1") "), 0))",
	[ST_TOMBSTONE_ADD] = "INSERT INTO deleted_users (email, deleted) "
	    "VALUES (?1, ?2)" UPSERT(EMAIL_KEY) "deleted = " EXCLUDED("deleted"),
	[ST_TOMBSTONE_CLEAR] = "DELETE FROM deleted_users WHERE "
	    EMAIL_EQ("email", "?1"),
	[ST_SET_NAME] = "UPDATE users SET name = ?2, updated = ?3 WHERE "
	    EMAIL_EQ("email", "?1"),
	[ST_SET_HASH_BY_ID] = "UPDATE users SET hash = ?2, updated = ?3 "
	    "WHERE id = ?1",
	[ST_SET_DISABLED_BY_ID] = "UPDATE users SET disabled = ?2, updated = ?3 "
	    "WHERE id = ?1",
	[ST_INVALIDATE_BY_ID] = "UPDATE users SET tokens_valid_after = ?2, "
	    "updated = ?2 WHERE id = ?1",
	[ST_REVOKE_USER_SESSIONS] = "UPDATE sessions SET revoked = 1 "
	    "WHERE user_id = ?1",
	[ST_DELETE] = "DELETE FROM users WHERE " EMAIL_EQ("email", "?1"),
	[ST_EACH] = "SELECT " USER_COLUMNS " FROM users u ORDER BY "
	    EMAIL_ORDER("u.email"),
	[ST_CHECK_ACCESS] = CHECK_SQL("access_jti"),
	[ST_CHECK_REFRESH] = CHECK_SQL("jti"),
	/*
	 * Count first, check after (a counter past its limit rolls the
	 * transaction back): the upsert locks the row, or makes it, before
	 * anything is read, so reservations racing on one key queue on it
	 * and each sees the count the one before left.  failures is set
	 * before window_start: an engine that assigns left to right still
	 * compares with the window as it was.
	 */
	[ST_THROTTLE_COUNT] = "INSERT INTO throttle (\"key\", failures, "
	    "window_start) VALUES (?1, 1, ?2)" UPSERT("\"key\"") "failures = "
	    "CASE WHEN throttle.window_start + ?3 <= ?2 THEN 1 "
	    "ELSE throttle.failures + 1 END, "
	    "window_start = CASE WHEN throttle.window_start + ?3 <= ?2 THEN ?2 "
	    "ELSE throttle.window_start END",
	[ST_THROTTLE_GET] = "SELECT failures, window_start FROM throttle "
	    "WHERE \"key\" = ?1",
	[ST_THROTTLE_CLEAR] = "DELETE FROM throttle WHERE \"key\" = ?1",
	[ST_STATS] = "SELECT (SELECT count(*) FROM users), "
	    "(SELECT count(*) FROM sessions WHERE revoked = 0 AND exp > ?1), "
	    "(SELECT count(*) FROM throttle WHERE window_start > ?2)",
	[ST_THROTTLE_GIVE_BACK] = "UPDATE throttle SET failures = failures - 1 "
	    "WHERE \"key\" = ?1 AND failures > 0 AND window_start + ?3 > ?2",
	[ST_SESSION_ADD] = "INSERT INTO sessions (id, user_id, created, "
	    "refreshed, persistent, user_agent, address, exp) "
	    "VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7)",
	[ST_TOKENS_ADD] = "INSERT INTO refresh_tokens (jti, family, access_jti, "
	    "csrf, access_csrf, iat, exp, access_exp) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	/* Locked: a token rotates once however many nodes race on it. */
	[ST_REFRESH_FIND] = "SELECT t.family, coalesce(t.rotated_at, 0), "
	    "coalesce(t.successor, ''), se.user_id, se.created, se.refreshes, "
	    "se.revoked FROM refresh_tokens t JOIN sessions se "
	    "ON se.id = t.family WHERE t.jti = ?1" FOR_UPDATE,
	[ST_TOKENS_GET] = "SELECT " TOKENS_COLUMNS ", coalesce(rotated_at, 0), "
	    "coalesce(successor, '') FROM refresh_tokens WHERE jti = ?1",
	[ST_ROTATE] = "UPDATE refresh_tokens SET rotated_at = ?2, successor = ?3 "
	    "WHERE jti = ?1 AND rotated_at IS NULL",
	[ST_SESSION_ROTATED] = "UPDATE sessions SET refreshed = ?2, "
	    "refreshes = refreshes + 1, exp = " GREATEST "(exp, ?3) "
	    "WHERE id = ?1",
	[ST_SESSION_REVOKE] = "UPDATE sessions SET revoked = 1 WHERE id = ?1",
	[ST_REVOKE] = "INSERT INTO revoked_tokens (jti, exp) VALUES (?1, ?2)"
	    IGNORE_DUP("jti"),
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
	[ST_PRUNE_LINKS] = "DELETE FROM account_tokens WHERE expires <= ?1",
	/* ?1: the oldest set-up still waiting (now - its life). */
	[ST_PRUNE_TOTP_SETUPS] = "DELETE FROM mfa_totp WHERE enabled = 0 "
	    "AND created < ?1",
	[ST_MFA_STATE] = "SELECT coalesce(t.enabled, -1), "
	    "coalesce(t.secret, ''), coalesce(t.last_step, -1), "
	    "(SELECT count(*) FROM mfa_recovery WHERE user_id = ?1), "
	    "(SELECT count(*) FROM webauthn_credentials WHERE user_id = ?1), "
	    "coalesce(t.created, 0) "
	    "FROM (SELECT 1) AS one LEFT JOIN mfa_totp t ON t.user_id = ?1",
	/* Locked: a disabling and a login cannot both use one step. */
	[ST_TOTP_ENABLED] = "SELECT enabled FROM mfa_totp WHERE user_id = ?1"
	    FOR_UPDATE,
	/*
	 * A secret waiting for its first code is replaced; one in use is
	 * not (the caller reads enabled afterwards to tell which).
	 */
	[ST_TOTP_PUT] = "INSERT INTO mfa_totp (user_id, secret, enabled, "
	    "last_step, created) VALUES (?1, ?2, 0, -1, ?3)" UPSERT("user_id")
	    "secret = CASE WHEN mfa_totp.enabled = 0 THEN " EXCLUDED("secret")
	    " ELSE mfa_totp.secret END, "
	    "last_step = CASE WHEN mfa_totp.enabled = 0 THEN -1 "
	    "ELSE mfa_totp.last_step END, "
	    "created = CASE WHEN mfa_totp.enabled = 0 THEN " EXCLUDED("created")
	    " ELSE mfa_totp.created END",
	/* Only a set-up still waiting: ?4 the oldest one that still may. */
	[ST_TOTP_ENABLE] = "UPDATE mfa_totp SET enabled = 1, last_step = ?3 "
	    "WHERE user_id = ?1 AND enabled = 0 AND secret = ?2 "
	    "AND created >= ?4",
	[ST_TOTP_USE_STEP] = "UPDATE mfa_totp SET last_step = ?2 "
	    "WHERE user_id = ?1 AND enabled = 1 AND last_step < ?2",
	[ST_TOTP_DELETE] = "DELETE FROM mfa_totp WHERE user_id = ?1",
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
	    "VALUES (?1, ?2)" IGNORE_DUP("user_id"),
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
	    "c WHERE c.user_id = ?1 ORDER BY c.created, c.id" BYTES,
	[ST_PASSKEY_DELETE] = "DELETE FROM webauthn_credentials "
	    "WHERE user_id = ?1 AND id = ?2",
	[ST_PASSKEY_IDS] = "SELECT id FROM webauthn_credentials "
	    "WHERE user_id = ?1",
	[ST_PASSKEYS_CLEAR] = "DELETE FROM webauthn_credentials "
	    "WHERE user_id = ?1",
	[ST_SESSION_EACH] = "SELECT " SESSION_COLUMNS " FROM sessions se "
	    "WHERE se.user_id = ?1 AND se.revoked = 0 AND se.exp > ?2 "
	    "ORDER BY se.refreshed DESC, se.created DESC, se.id" BYTES,
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
	/* Locked (after its account): a link is used once. */
	[ST_LINK_LOCK] = "SELECT user_id, purpose, expires FROM account_tokens "
	    "WHERE hash = ?1" FOR_UPDATE,
	[ST_LINKS_CLEAR_RESET] = "DELETE FROM account_tokens WHERE user_id = ?1 "
	    "AND purpose = 'reset'",
	[ST_LINKS_CLEAR_INVITE] = "DELETE FROM account_tokens "
	    "WHERE user_id = ?1 AND purpose IN ('invite', 'signup')",
	[ST_LINKS_VOID] = "DELETE FROM account_tokens WHERE user_id = ?1",
	/*
	 * A sign-up's pending account (no password, enabled) whose links
	 * are all sign-up links and all expired; before the links go, which
	 * are what tells it from an invitation.  Its address keeps the mark
	 * of an earlier deletion (made into its tokens_valid_after when it
	 * was made), so that the deleted account's tokens stay dead.
	 */
	[ST_PRUNE_SIGNUP_MARKS] = "INSERT INTO deleted_users (email, deleted) "
	    "SELECT email, tokens_valid_after FROM users WHERE " PRUNABLE_SIGNUP
	    " AND tokens_valid_after > 0" UPSERT(EMAIL_KEY) "deleted = " GREATEST
	    "(deleted_users.deleted, " EXCLUDED("deleted") ")",
	[ST_PRUNE_SIGNUPS] = "DELETE FROM users WHERE " PRUNABLE_SIGNUP,
	[ST_LINK_INVITED] = "SELECT CASE WHEN EXISTS (SELECT 1 FROM "
	    "account_tokens WHERE user_id = ?1 AND purpose = 'invite' AND "
	    "expires > ?2) THEN 1 ELSE 0 END",
	/*
	 * The newest ?3 live sessions stay; the older ones end (the user's
	 * row is locked by the login: two logins of one user take turns).
	 */
	[ST_SESSIONS_BOUND] = "UPDATE sessions SET revoked = 1 WHERE id IN "
	    ROWS_OF("SELECT id FROM sessions WHERE user_id = ?1 AND revoked = 0 "
	    "AND exp > ?2 ORDER BY created DESC, id" BYTES " DESC"
	    ALL_AFTER("?3")),
	/* Second factors, passkeys and handles go with their users. */
	[ST_ANY_RECORD] = "SELECT CASE WHEN EXISTS (SELECT 1 FROM users) "
	    "OR EXISTS (SELECT 1 FROM deleted_users) "
	    "OR EXISTS (SELECT 1 FROM audit_log) "
	    "OR EXISTS (SELECT 1 FROM sessions) "
	    "OR EXISTS (SELECT 1 FROM refresh_tokens) "
	    "OR EXISTS (SELECT 1 FROM revoked_tokens) "
	    "OR EXISTS (SELECT 1 FROM throttle) "
	    "OR EXISTS (SELECT 1 FROM webauthn_challenges) "
	    "OR EXISTS (SELECT 1 FROM account_tokens) "
	    "OR EXISTS (SELECT 1 FROM user_groups) "
	    "OR EXISTS (SELECT 1 FROM oidc_clients) THEN 1 ELSE 0 END",
	/* Ids given by a copy: new users are numbered after them. */
	[ST_USER_ID_NEXT] = USER_ID_NEXT,
	[ST_GROUP_ADD] = "INSERT INTO user_groups (name, description, created) "
	    "VALUES (?1, ?2, ?3)",
	/* Its members go with it (ON DELETE CASCADE). */
	[ST_GROUP_DELETE] = "DELETE FROM user_groups WHERE name = ?1",
	/* Locked: a group deleted meanwhile gets no new member. */
	[ST_GROUP_LOCK] = "SELECT name FROM user_groups WHERE name = ?1"
	    FOR_UPDATE,
	[ST_GROUP_EACH] = "SELECT " GROUP_COLUMNS ", (SELECT count(*) FROM "
	    "group_members m WHERE m.group_name = g.name) FROM user_groups g "
	    "ORDER BY g.name" BYTES,
	[ST_MEMBER_IS] = "SELECT count(*) FROM group_members "
	    "WHERE group_name = ?1 AND user_id = ?2",
	[ST_MEMBER_COUNT] = "SELECT count(*) FROM group_members "
	    "WHERE user_id = ?1",
	[ST_MEMBER_ADD] = "INSERT INTO group_members (group_name, user_id, "
	    "created) VALUES (?1, ?2, ?3)",
	[ST_MEMBER_DELETE] = "DELETE FROM group_members WHERE group_name = ?1 "
	    "AND user_id = (SELECT id FROM users WHERE " EMAIL_EQ("email", "?2")
	    ")",
	[ST_AUDIT_ADD] = "INSERT INTO audit_log (time, event, actor, target, "
	    "address, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	/* Newest first, from below the cursor ?5 (0: the newest). */
	[ST_AUDIT_EACH] = "SELECT id, time, event, actor, target, address, "
	    "detail FROM audit_log WHERE (?1 = '' OR lower(actor) = lower(?1) "
	    "OR lower(target) = lower(?1)) AND (?2 = '' OR event = ?2) "
	    "AND time >= ?3 AND (?4 = 0 OR time < ?4) AND (?5 = 0 OR id < ?5) "
	    "ORDER BY id DESC LIMIT ?6",
	[ST_PRUNE_AUDIT] = "DELETE FROM audit_log WHERE time < ?1 - ?2",
	/* The group's other members who can administer. */
	[ST_KEEP_OTHERS] = "SELECT count(*) FROM group_members m JOIN users u "
	    "ON u.id = m.user_id WHERE m.group_name = ?1 AND m.user_id <> ?2 "
	    "AND u.disabled = 0 AND u.hash <> ''",
	[ST_USER_GROUPS] = "SELECT u.id, " GROUPS_OF_U " FROM users u WHERE "
	    EMAIL_EQ("u.email", "?1"),
	[ST_EACH_GROUPS] = "SELECT " USER_COLUMNS ", " GROUPS_OF_U " FROM users u "
	    "ORDER BY " EMAIL_ORDER("u.email"),
	/* The OpenID provider's. */
	[ST_CLIENT_FIND] = "SELECT " CLIENT_COLUMNS " FROM oidc_clients cl "
	    "WHERE cl.id = ?1",
	[ST_CLIENT_EACH] = "SELECT " CLIENT_COLUMNS " FROM oidc_clients cl "
	    "ORDER BY cl.id" BYTES,
	/* Its codes, grants (and their tokens) and consents go with it. */
	[ST_CLIENT_DELETE] = "DELETE FROM oidc_clients WHERE id = ?1",
	[ST_CLIENT_SECRET] = "UPDATE oidc_clients SET secret = ?2 "
	    "WHERE id = ?1 AND public = 0",
	[ST_SUBJECT_ADD] = "INSERT INTO oidc_subjects (user_id, sub) "
	    "SELECT id, ?2 FROM users WHERE id = ?1" IGNORE_DUP("user_id"),
	[ST_SUBJECT_GET] = "SELECT sub FROM oidc_subjects WHERE user_id = ?1",
	/* Locked: of two redemptions at once, the second sees the first. */
	[ST_CODE_LOCK] = "SELECT " CODE_COLUMNS ", u.disabled, CASE WHEN "
	    "EXISTS (SELECT 1 FROM sessions se WHERE se.id = co.session_id "
	    "AND se.revoked = 1) THEN 1 ELSE 0 END FROM oidc_codes co "
	    "JOIN users u ON u.id = co.user_id WHERE co.hash = ?1" FOR_UPDATE,
	[ST_CODE_SPEND] = "UPDATE oidc_codes SET used = 1, grant_id = ?2 "
	    "WHERE hash = ?1",
	[ST_GRANT_LIVE] = "SELECT " GRANT_COLUMNS ", " USER_COLUMNS " "
	    "FROM oidc_grants g JOIN users u ON u.id = g.user_id "
	    "WHERE g.id = ?1 AND " GRANT_LIVE,
	[ST_GRANT_REVOKE] = "UPDATE oidc_grants SET revoked = 1 WHERE id = ?1",
	[ST_GRANT_REVOKE_CLIENT] = "UPDATE oidc_grants SET revoked = 1 "
	    "WHERE id = ?1 AND client_id = ?2",
	[ST_GRANTS_REVOKE_USER_CLIENT] = "UPDATE oidc_grants SET revoked = 1 "
	    "WHERE user_id = ?1 AND client_id = ?2",
	/* Locked: of two rotations at once, the second sees the first. */
	[ST_OIDC_REFRESH_LOCK] = "SELECT t.rotated_at, t.exp, " GRANT_COLUMNS
	    " FROM oidc_refresh_tokens t JOIN oidc_grants g ON g.id = "
	    "t.grant_id WHERE t.hash = ?1" FOR_UPDATE,
	[ST_OIDC_REFRESH_ROTATED] = "UPDATE oidc_refresh_tokens "
	    "SET rotated_at = ?2 WHERE hash = ?1 AND rotated_at = 0",
	[ST_OIDC_REFRESH_ADD] = "INSERT INTO oidc_refresh_tokens (hash, "
	    "grant_id, exp, rotated_at) VALUES (?1, ?2, ?3, 0)",
	[ST_CONSENT_PUT] = "INSERT INTO oidc_consents (user_id, client_id, "
	    "scope, created) VALUES (?1, ?2, ?3, ?4)" UPSERT("user_id, client_id")
	    "scope = " EXCLUDED("scope") ", created = " EXCLUDED("created"),
	[ST_CONSENT_FIND] = "SELECT " CONSENT_COLUMNS ", cl.name FROM "
	    "oidc_consents cs JOIN oidc_clients cl ON cl.id = cs.client_id "
	    "WHERE cs.user_id = ?1 AND cs.client_id = ?2",
	[ST_CONSENT_EACH] = "SELECT " CONSENT_COLUMNS ", cl.name FROM "
	    "oidc_consents cs JOIN oidc_clients cl ON cl.id = cs.client_id "
	    "WHERE cs.user_id = ?1 ORDER BY cs.client_id" BYTES,
	[ST_CONSENT_DELETE] = "DELETE FROM oidc_consents WHERE user_id = ?1 "
	    "AND client_id = ?2",
	/*
	 * A spent code is kept an hour past its end, so that a replay
	 * still revokes what it gave.
	 */
	[ST_PRUNE_CODES] = "DELETE FROM oidc_codes WHERE expires <= ?1 - 3600",
	[ST_PRUNE_GRANTS] = "DELETE FROM oidc_grants WHERE exp <= ?1",
	[ST_PRUNE_OIDC_REFRESH] = "DELETE FROM oidc_refresh_tokens "
	    "WHERE exp <= ?1",
	/*
	 * A copy's columns, kind by kind, in the order of the field tables
	 * of store.c's records (rec_fields).
	 */
	[ST_EXPORT + LK_STORE_REC_USER] = "SELECT " USER_COLUMNS " FROM users u "
	    "ORDER BY u.id",
	[ST_EXPORT + LK_STORE_REC_GROUP] = "SELECT " GROUP_COLUMNS " "
	    "FROM user_groups g ORDER BY g.name" BYTES,
	[ST_EXPORT + LK_STORE_REC_MEMBER] = "SELECT group_name, user_id, created "
	    "FROM group_members ORDER BY group_name" BYTES ", user_id",
	[ST_EXPORT + LK_STORE_REC_DELETED] = "SELECT email, deleted "
	    "FROM deleted_users ORDER BY " EMAIL_ORDER("email"),
	[ST_EXPORT + LK_STORE_REC_SESSION] = "SELECT " SESSION_COLUMNS ", se.exp "
	    "FROM sessions se ORDER BY se.id" BYTES,
	[ST_EXPORT + LK_STORE_REC_TOKENS] = "SELECT family, " TOKENS_COLUMNS ", "
	    "coalesce(rotated_at, 0), coalesce(successor, '') "
	    "FROM refresh_tokens ORDER BY jti" BYTES,
	[ST_EXPORT + LK_STORE_REC_REVOKED] = "SELECT jti, exp FROM revoked_tokens "
	    "ORDER BY jti" BYTES,
	[ST_EXPORT + LK_STORE_REC_THROTTLE] = "SELECT \"key\", failures, "
	    "window_start FROM throttle ORDER BY \"key\"" BYTES,
	[ST_EXPORT + LK_STORE_REC_TOTP] = "SELECT user_id, secret, enabled, "
	    "last_step, created FROM mfa_totp ORDER BY user_id",
	[ST_EXPORT + LK_STORE_REC_RECOVERY] = "SELECT user_id, hash, created "
	    "FROM mfa_recovery ORDER BY user_id, hash" BYTES,
	[ST_EXPORT + LK_STORE_REC_PENDING] = "SELECT id, user_id, hash, "
	    "persistent, created, exp FROM mfa_pending ORDER BY id" BYTES,
	[ST_EXPORT + LK_STORE_REC_WEBAUTHN_USER] = "SELECT user_id, handle "
	    "FROM webauthn_users ORDER BY user_id",
	[ST_EXPORT + LK_STORE_REC_PASSKEY] = "SELECT " PASSKEY_COLUMNS " "
	    "FROM webauthn_credentials c ORDER BY c.id" BYTES,
	[ST_EXPORT + LK_STORE_REC_CHALLENGE] = "SELECT challenge, kind, "
	    "coalesce(user_id, 0), address, exp FROM webauthn_challenges "
	    "ORDER BY challenge" BYTES,
	[ST_EXPORT + LK_STORE_REC_LINK] = "SELECT hash, user_id, purpose, "
	    "created, expires FROM account_tokens ORDER BY hash" BYTES,
	[ST_EXPORT + LK_STORE_REC_SUBJECT] = "SELECT user_id, sub "
	    "FROM oidc_subjects ORDER BY user_id",
	[ST_EXPORT + LK_STORE_REC_CLIENT] = "SELECT " CLIENT_COLUMNS " "
	    "FROM oidc_clients cl ORDER BY cl.id" BYTES,
	[ST_EXPORT + LK_STORE_REC_GRANT] = "SELECT " GRANT_COLUMNS " "
	    "FROM oidc_grants g ORDER BY g.id" BYTES,
	[ST_EXPORT + LK_STORE_REC_CODE] = "SELECT " CODE_COLUMNS " "
	    "FROM oidc_codes co ORDER BY co.hash" BYTES,
	[ST_EXPORT + LK_STORE_REC_OIDC_REFRESH] = "SELECT hash, grant_id, exp, "
	    "rotated_at FROM oidc_refresh_tokens ORDER BY hash" BYTES,
	[ST_EXPORT + LK_STORE_REC_CONSENT] = "SELECT " CONSENT_COLUMNS " "
	    "FROM oidc_consents cs ORDER BY cs.user_id, cs.client_id" BYTES,
	[ST_EXPORT + LK_STORE_REC_AUDIT] = "SELECT time, event, actor, target, "
	    "address, detail FROM audit_log ORDER BY id",
	[ST_IMPORT + LK_STORE_REC_USER] = "INSERT INTO users (id, email, name, "
	    "hash, disabled, created, updated, tokens_valid_after) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_IMPORT + LK_STORE_REC_GROUP] = "INSERT INTO user_groups (name, "
	    "description, created) VALUES (?1, ?2, ?3)",
	[ST_IMPORT + LK_STORE_REC_MEMBER] = "INSERT INTO group_members "
	    "(group_name, user_id, created) VALUES (?1, ?2, ?3)",
	[ST_IMPORT + LK_STORE_REC_DELETED] = "INSERT INTO deleted_users (email, "
	    "deleted) VALUES (?1, ?2)",
	[ST_IMPORT + LK_STORE_REC_SESSION] = "INSERT INTO sessions (id, user_id, "
	    "created, refreshed, refreshes, revoked, persistent, user_agent, "
	    "address, exp) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[ST_IMPORT + LK_STORE_REC_TOKENS] = "INSERT INTO refresh_tokens (family, "
	    "jti, csrf, access_jti, access_csrf, iat, exp, access_exp, "
	    "rotated_at, successor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	    "NULLIF(?9, 0), NULLIF(?10, ''))",
	[ST_IMPORT + LK_STORE_REC_REVOKED] = "INSERT INTO revoked_tokens (jti, "
	    "exp) VALUES (?1, ?2)",
	[ST_IMPORT + LK_STORE_REC_THROTTLE] = "INSERT INTO throttle (\"key\", "
	    "failures, window_start) VALUES (?1, ?2, ?3)",
	[ST_IMPORT + LK_STORE_REC_TOTP] = "INSERT INTO mfa_totp (user_id, secret, "
	    "enabled, last_step, created) VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_IMPORT + LK_STORE_REC_RECOVERY] = "INSERT INTO mfa_recovery (user_id, "
	    "hash, created) VALUES (?1, ?2, ?3)",
	[ST_IMPORT + LK_STORE_REC_PENDING] = "INSERT INTO mfa_pending (id, "
	    "user_id, hash, persistent, created, exp) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_IMPORT + LK_STORE_REC_WEBAUTHN_USER] = "INSERT INTO webauthn_users "
	    "(user_id, handle) VALUES (?1, ?2)",
	[ST_IMPORT + LK_STORE_REC_PASSKEY] = "INSERT INTO webauthn_credentials "
	    "(id, credential_id, user_id, alg, public_key, sign_count, flags, "
	    "aaguid, name, created, last_used) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	    "?7, ?8, ?9, ?10, ?11)",
	[ST_IMPORT + LK_STORE_REC_CHALLENGE] = "INSERT INTO webauthn_challenges "
	    "(challenge, kind, user_id, address, exp) "
	    "VALUES (?1, ?2, NULLIF(?3, 0), ?4, ?5)",
	[ST_IMPORT + LK_STORE_REC_LINK] = "INSERT INTO account_tokens (hash, "
	    "user_id, purpose, created, expires) VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_IMPORT + LK_STORE_REC_SUBJECT] = "INSERT INTO oidc_subjects "
	    "(user_id, sub) VALUES (?1, ?2)",
	[ST_IMPORT + LK_STORE_REC_CLIENT] = "INSERT INTO oidc_clients (id, "
	    "name, secret, public, redirect_uris, logout_uris, allowed_groups, "
	    "consent, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_IMPORT + LK_STORE_REC_GRANT] = "INSERT INTO oidc_grants (id, "
	    "client_id, user_id, session_id, scope, amr, auth_time, created, "
	    "exp, revoked) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[ST_IMPORT + LK_STORE_REC_CODE] = "INSERT INTO oidc_codes (hash, "
	    "client_id, user_id, session_id, redirect_uri, challenge, nonce, "
	    "scope, amr, auth_time, expires, used, grant_id) VALUES (?1, ?2, "
	    "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
	[ST_IMPORT + LK_STORE_REC_OIDC_REFRESH] = "INSERT INTO "
	    "oidc_refresh_tokens (hash, grant_id, exp, rotated_at) "
	    "VALUES (?1, ?2, ?3, ?4)",
	[ST_IMPORT + LK_STORE_REC_CONSENT] = "INSERT INTO oidc_consents "
	    "(user_id, client_id, scope, created) VALUES (?1, ?2, ?3, ?4)",
	[ST_IMPORT + LK_STORE_REC_AUDIT] = "INSERT INTO audit_log (time, event, "
	    "actor, target, address, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_LOCK + LK_STORE_REC_USER] = LOCK_TABLE("users"),
	[ST_LOCK + LK_STORE_REC_GROUP] = LOCK_TABLE("user_groups"),
	[ST_LOCK + LK_STORE_REC_MEMBER] = LOCK_TABLE("group_members"),
	[ST_LOCK + LK_STORE_REC_DELETED] = LOCK_TABLE("deleted_users"),
	[ST_LOCK + LK_STORE_REC_SESSION] = LOCK_TABLE("sessions"),
	[ST_LOCK + LK_STORE_REC_TOKENS] = LOCK_TABLE("refresh_tokens"),
	[ST_LOCK + LK_STORE_REC_REVOKED] = LOCK_TABLE("revoked_tokens"),
	[ST_LOCK + LK_STORE_REC_THROTTLE] = LOCK_TABLE("throttle"),
	[ST_LOCK + LK_STORE_REC_TOTP] = LOCK_TABLE("mfa_totp"),
	[ST_LOCK + LK_STORE_REC_RECOVERY] = LOCK_TABLE("mfa_recovery"),
	[ST_LOCK + LK_STORE_REC_PENDING] = LOCK_TABLE("mfa_pending"),
	[ST_LOCK + LK_STORE_REC_WEBAUTHN_USER] = LOCK_TABLE("webauthn_users"),
	[ST_LOCK + LK_STORE_REC_PASSKEY] = LOCK_TABLE("webauthn_credentials"),
	[ST_LOCK + LK_STORE_REC_CHALLENGE] = LOCK_TABLE("webauthn_challenges"),
	[ST_LOCK + LK_STORE_REC_LINK] = LOCK_TABLE("account_tokens"),
	[ST_LOCK + LK_STORE_REC_SUBJECT] = LOCK_TABLE("oidc_subjects"),
	[ST_LOCK + LK_STORE_REC_CLIENT] = LOCK_TABLE("oidc_clients"),
	[ST_LOCK + LK_STORE_REC_GRANT] = LOCK_TABLE("oidc_grants"),
	[ST_LOCK + LK_STORE_REC_CODE] = LOCK_TABLE("oidc_codes"),
	[ST_LOCK + LK_STORE_REC_OIDC_REFRESH] = LOCK_TABLE("oidc_refresh_tokens"),
	[ST_LOCK + LK_STORE_REC_CONSENT] = LOCK_TABLE("oidc_consents"),
	[ST_LOCK + LK_STORE_REC_AUDIT] = LOCK_TABLE("audit_log"),
	/* Emptied in the reverse order: what refers to a row goes first. */
	[ST_CLEAR + LK_STORE_REC_USER] = "DELETE FROM users",
	[ST_CLEAR + LK_STORE_REC_GROUP] = "DELETE FROM user_groups",
	[ST_CLEAR + LK_STORE_REC_MEMBER] = "DELETE FROM group_members",
	[ST_CLEAR + LK_STORE_REC_DELETED] = "DELETE FROM deleted_users",
	[ST_CLEAR + LK_STORE_REC_SESSION] = "DELETE FROM sessions",
	[ST_CLEAR + LK_STORE_REC_TOKENS] = "DELETE FROM refresh_tokens",
	[ST_CLEAR + LK_STORE_REC_REVOKED] = "DELETE FROM revoked_tokens",
	[ST_CLEAR + LK_STORE_REC_THROTTLE] = "DELETE FROM throttle",
	[ST_CLEAR + LK_STORE_REC_TOTP] = "DELETE FROM mfa_totp",
	[ST_CLEAR + LK_STORE_REC_RECOVERY] = "DELETE FROM mfa_recovery",
	[ST_CLEAR + LK_STORE_REC_PENDING] = "DELETE FROM mfa_pending",
	[ST_CLEAR + LK_STORE_REC_WEBAUTHN_USER] = "DELETE FROM webauthn_users",
	[ST_CLEAR + LK_STORE_REC_PASSKEY] = "DELETE FROM webauthn_credentials",
	[ST_CLEAR + LK_STORE_REC_CHALLENGE] = "DELETE FROM webauthn_challenges",
	[ST_CLEAR + LK_STORE_REC_LINK] = "DELETE FROM account_tokens",
	[ST_CLEAR + LK_STORE_REC_SUBJECT] = "DELETE FROM oidc_subjects",
	[ST_CLEAR + LK_STORE_REC_CLIENT] = "DELETE FROM oidc_clients",
	[ST_CLEAR + LK_STORE_REC_GRANT] = "DELETE FROM oidc_grants",
	[ST_CLEAR + LK_STORE_REC_CODE] = "DELETE FROM oidc_codes",
	[ST_CLEAR + LK_STORE_REC_OIDC_REFRESH] = "DELETE FROM "
	    "oidc_refresh_tokens",
	[ST_CLEAR + LK_STORE_REC_CONSENT] = "DELETE FROM oidc_consents",
	[ST_CLEAR + LK_STORE_REC_AUDIT] = "DELETE FROM audit_log",
};

#undef CHECK_SQL
#undef GRANT_LIVE
#undef GROUPS_OF_U
#undef PRUNABLE_SIGNUP

#endif /* STMTS_TABLE */
