/*
 * The store, written once over the SQL driver (sql.h): every operation of
 * store.h is one transaction here, the same on every engine, its SQL in
 * store_stmts.h with each engine's words.
 *
 * Writers take a transaction (SQLite: BEGIN IMMEDIATE, so processes queue
 * instead of failing; PostgreSQL and MariaDB: READ COMMITTED) and lock
 * what they check before they act on it: the user row a login or a
 * password change compares hashes with, the refresh token and session a
 * rotation reads, the TOTP row a second factor uses, a link and its
 * account, and the throttle rows, which a reservation counts first and
 * checks after (rolling back if a counter went past its limit).  So two
 * nodes doing the same thing at once wait for each other, and the second
 * sees what the first wrote.  A transaction that fails on a deadlock, a
 * serialization failure or a lock wait runs again, at most TX_TRIES
 * times (run()).  Rows become structs through one field table per struct
 * (user_fields ...), for the operations and for copies alike.
 */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/metrics.h"
#include "base/util.h"
#include "domain/store/sql.h"
#include "domain/store/store.h"

/* The statements in each engine's words (store_stmts.h). */

#define EMAIL_EQ(c, p)	c " = " p
#define EMAIL_ORDER(c)	c " COLLATE NOCASE"
#define EMAIL_KEY	"email"
#define BYTES		""
#define FOR_UPDATE	""
#define GREATEST	"max"
#define UPSERT(k)	" ON CONFLICT (" k ") DO UPDATE SET "
#define EXCLUDED(c)	"excluded." c
#define IGNORE_DUP(k)	" ON CONFLICT (" k ") DO NOTHING"
#define LOCK_TABLE(t)	"SELECT 1"	/* BEGIN IMMEDIATE keeps writers out */
#define USER_ID_NEXT	"SELECT 1"	/* the next rowid follows the highest */
#define ALL_AFTER(n)	" LIMIT -1 OFFSET " n
#define ROWS_OF(q)	"(" q ")"
#define JOINED(c)	"group_concat(" c ", ',')"
#define STMTS_TABLE	stmts_sqlite
#include "domain/store/store_stmts.h"
#undef EMAIL_EQ
#undef EMAIL_ORDER
#undef EMAIL_KEY
#undef BYTES
#undef FOR_UPDATE
#undef GREATEST
#undef LOCK_TABLE
#undef USER_ID_NEXT
#undef ALL_AFTER
#undef JOINED
#undef STMTS_TABLE

#define EMAIL_EQ(c, p)	LK_PG_FOLD(c) " = " LK_PG_FOLD(p)
#define EMAIL_ORDER(c)	LK_PG_FOLD(c) " COLLATE \"C\""
#define EMAIL_KEY	"(" LK_PG_FOLD("email") ")"
#define BYTES		" COLLATE \"C\""
#define FOR_UPDATE	" FOR UPDATE"
#define GREATEST	"greatest"
#define LOCK_TABLE(t)	"LOCK TABLE " t " IN EXCLUSIVE MODE"
#define USER_ID_NEXT	"SELECT setval(pg_get_serial_sequence('users', 'id'), " \
			"coalesce(max(id), 0) + 1, false) FROM users"
#define ALL_AFTER(n)	" OFFSET " n
#define JOINED(c)	"string_agg(" c ", ',')"
#define STMTS_TABLE	stmts_pg
#include "domain/store/store_stmts.h"
#undef EMAIL_EQ
#undef EMAIL_ORDER
#undef EMAIL_KEY
#undef BYTES
#undef GREATEST
#undef UPSERT
#undef EXCLUDED
#undef IGNORE_DUP
#undef LOCK_TABLE
#undef USER_ID_NEXT
#undef ALL_AFTER
#undef ROWS_OF
#undef JOINED
#undef STMTS_TABLE

/*
 * MariaDB: the folded email is a column of its own (store_schema.c),
 * text columns compare byte for byte, an insert meeting a unique key
 * updates instead (VALUES() is the value proposed), a copy's locking
 * reads, at REPEATABLE READ, lock every row and the gaps between them, an
 * OFFSET needs a LIMIT, and a subquery of the table an UPDATE changes is
 * read into a derived table first.
 */
#define EMAIL_EQ(c, p)	c "_fold = " LK_MYSQL_FOLD(p)
#define EMAIL_ORDER(c)	c "_fold"
#define EMAIL_KEY	""
#define BYTES		""
#define GREATEST	"greatest"
#define UPSERT(k)	" ON DUPLICATE KEY UPDATE "
#define EXCLUDED(c)	"VALUES(" c ")"
#define IGNORE_DUP(k)	" ON DUPLICATE KEY UPDATE " k " = " k
#define LOCK_TABLE(t)	"SELECT count(*) FROM " t " FOR UPDATE"
#define USER_ID_NEXT	"SELECT 1"	/* AUTO_INCREMENT follows the highest */
#define ALL_AFTER(n)	" LIMIT 18446744073709551615 OFFSET " n
#define ROWS_OF(q)	"(SELECT id FROM (" q ") AS earlier)"
/* group_concat_max_len is raised for it (sql_mysql.c). */
#define JOINED(c)	"GROUP_CONCAT(" c " SEPARATOR ',')"
#define STMTS_TABLE	stmts_mysql
#include "domain/store/store_stmts.h"

static const char *const *const stmt_tables[LK_SQL__MAX] = {
	[LK_SQL_SQLITE] = stmts_sqlite,
	[LK_SQL_PG] = stmts_pg,
	[LK_SQL_MYSQL] = stmts_mysql,
};

_Static_assert(ST__MAX < LK_SQL_STMTS_MAX, "sql.h's LK_SQL_STMTS_MAX (and "
    "one more for lk_store_probe)");

/* Tries of one transaction that fails on a deadlock or serialization. */
#define TX_TRIES	5
/* Refresh chains followed at most this far to the live pair. */
#define CHAIN_MAX	16

struct store {
	struct lk_store		 base;	/* first: the handle callers hold */
	struct lk_sqlc		*c;
	const char *const	*sql;	/* the engine's statements */
	int			 attempt;	/* of the transaction under way */
	int			 failed;	/* a statement of it failed */
	enum lk_sql_failure	 failure;	/* ...so */
	int			 raced;	/* it lost a race: run it again */
};

#define S(s)	((struct store *)(void *)(s))

/* Rows and structs: one field table per struct. */

enum ftype {
	F_TEXT,		/* char[size] */
	F_LL,		/* long long */
	F_FLAG,		/* int, 0 or 1 */
	F_INT,		/* int */
	F_BYTE,		/* int, 0 to 255 */
	F_KIND,		/* enum lk_challenge_kind, as its word */
	F_PURPOSE	/* enum lk_link_purpose, as its word */
};

struct field {
	unsigned short	off;
	unsigned short	size;
	unsigned char	type;
};

#define SIZE(t, m)	sizeof(((t *)0)->m)
#define FTEXT(t, m)	{ offsetof(t, m), SIZE(t, m), F_TEXT }
#define FLL(t, m)	{ offsetof(t, m), 0, F_LL }
#define FFLAG(t, m)	{ offsetof(t, m), 0, F_FLAG }
#define FINT(t, m)	{ offsetof(t, m), 0, F_INT }
#define FBYTE(t, m)	{ offsetof(t, m), 0, F_BYTE }
#define FKIND(t, m)	{ offsetof(t, m), 0, F_KIND }
#define FPURPOSE(t, m)	{ offsetof(t, m), 0, F_PURPOSE }
#define NFIELDS(a)	(sizeof(a) / sizeof((a)[0]))

/* USER_COLUMNS */
static const struct field user_fields[] = {
	FLL(struct lk_user, id), FTEXT(struct lk_user, email),
	FTEXT(struct lk_user, name), FTEXT(struct lk_user, hash),
	FFLAG(struct lk_user, disabled), FLL(struct lk_user, created),
	FLL(struct lk_user, updated), FLL(struct lk_user, tokens_valid_after),
};

/* SESSION_COLUMNS */
static const struct field session_fields[] = {
	FTEXT(struct lk_session, id), FLL(struct lk_session, user_id),
	FLL(struct lk_session, created), FLL(struct lk_session, refreshed),
	FLL(struct lk_session, refreshes), FFLAG(struct lk_session, revoked),
	FFLAG(struct lk_session, persistent),
	FTEXT(struct lk_session, user_agent), FTEXT(struct lk_session, address),
};

/* TOKENS_COLUMNS */
static const struct field tokens_fields[] = {
	FTEXT(struct lk_store_tokens, jti), FTEXT(struct lk_store_tokens, csrf),
	FTEXT(struct lk_store_tokens, access_jti),
	FTEXT(struct lk_store_tokens, access_csrf),
	FLL(struct lk_store_tokens, iat), FLL(struct lk_store_tokens, exp),
	FLL(struct lk_store_tokens, access_exp),
};

/* PASSKEY_COLUMNS */
static const struct field passkey_fields[] = {
	FTEXT(struct lk_passkey, id), FTEXT(struct lk_passkey, credential_id),
	FLL(struct lk_passkey, user_id), FINT(struct lk_passkey, alg),
	FTEXT(struct lk_passkey, public_key), FLL(struct lk_passkey, sign_count),
	FBYTE(struct lk_passkey, flags), FTEXT(struct lk_passkey, aaguid),
	FTEXT(struct lk_passkey, name), FLL(struct lk_passkey, created),
	FLL(struct lk_passkey, last_used),
};

static const struct field challenge_fields[] = {
	FTEXT(struct lk_challenge, challenge), FKIND(struct lk_challenge, kind),
	FLL(struct lk_challenge, user_id), FTEXT(struct lk_challenge, address),
	FLL(struct lk_challenge, exp),
};

/* CLIENT_COLUMNS */
static const struct field client_fields[] = {
	FTEXT(struct lk_oidc_client, id), FTEXT(struct lk_oidc_client, name),
	FTEXT(struct lk_oidc_client, secret),
	FFLAG(struct lk_oidc_client, public_client),
	FTEXT(struct lk_oidc_client, redirect_uris),
	FTEXT(struct lk_oidc_client, logout_uris),
	FTEXT(struct lk_oidc_client, groups),
	FFLAG(struct lk_oidc_client, consent),
	FLL(struct lk_oidc_client, created),
};

/* CODE_COLUMNS */
static const struct field code_fields[] = {
	FTEXT(struct lk_oidc_code, hash), FTEXT(struct lk_oidc_code, client_id),
	FLL(struct lk_oidc_code, user_id),
	FTEXT(struct lk_oidc_code, session_id),
	FTEXT(struct lk_oidc_code, redirect_uri),
	FTEXT(struct lk_oidc_code, challenge), FTEXT(struct lk_oidc_code, nonce),
	FTEXT(struct lk_oidc_code, scope), FTEXT(struct lk_oidc_code, amr),
	FLL(struct lk_oidc_code, auth_time), FLL(struct lk_oidc_code, expires),
	FFLAG(struct lk_oidc_code, used), FTEXT(struct lk_oidc_code, grant),
};

/* GRANT_COLUMNS */
static const struct field grant_fields[] = {
	FTEXT(struct lk_oidc_grant, id), FTEXT(struct lk_oidc_grant, client_id),
	FLL(struct lk_oidc_grant, user_id),
	FTEXT(struct lk_oidc_grant, session_id),
	FTEXT(struct lk_oidc_grant, scope), FTEXT(struct lk_oidc_grant, amr),
	FLL(struct lk_oidc_grant, auth_time), FLL(struct lk_oidc_grant, created),
	FLL(struct lk_oidc_grant, exp), FFLAG(struct lk_oidc_grant, revoked),
};

/* CONSENT_COLUMNS, then (when listed) the client's name */
static const struct field consent_fields[] = {
	FLL(struct lk_oidc_consent, user_id),
	FTEXT(struct lk_oidc_consent, client_id),
	FTEXT(struct lk_oidc_consent, scope),
	FLL(struct lk_oidc_consent, created),
	FTEXT(struct lk_oidc_consent, client_name),
};
#define CONSENT_OWN	4	/* consent_fields of the table itself */

/* The records' own columns, around the structs above. */
#define R	struct lk_store_record
static const struct field deleted_fields[] = {
	FTEXT(R, r.deleted.email), FLL(R, r.deleted.deleted),
};
static const struct field group_fields[] = {
	FTEXT(R, r.group.name), FTEXT(R, r.group.description),
	FLL(R, r.group.created),
};
static const struct field member_fields[] = {
	FTEXT(R, r.member.group), FLL(R, r.member.user_id),
	FLL(R, r.member.created),
};
static const struct field session_exp_fields[] = { FLL(R, r.session.exp) };
static const struct field family_fields[] = { FTEXT(R, r.tokens.family) };
static const struct field rotation_fields[] = {
	FLL(R, r.tokens.rotated_at), FTEXT(R, r.tokens.successor),
};
static const struct field revoked_fields[] = {
	FTEXT(R, r.revoked.jti), FLL(R, r.revoked.exp),
};
static const struct field throttle_fields[] = {
	FTEXT(R, r.throttle.key), FLL(R, r.throttle.failures),
	FLL(R, r.throttle.window_start),
};
static const struct field totp_fields[] = {
	FLL(R, r.totp.user_id), FTEXT(R, r.totp.secret),
	FFLAG(R, r.totp.enabled), FLL(R, r.totp.last_step),
	FLL(R, r.totp.created),
};
static const struct field recovery_fields[] = {
	FLL(R, r.recovery.user_id), FTEXT(R, r.recovery.hash),
	FLL(R, r.recovery.created),
};
static const struct field pending_fields[] = {
	FTEXT(R, r.pending.id), FLL(R, r.pending.user_id),
	FTEXT(R, r.pending.hash), FFLAG(R, r.pending.persistent),
	FLL(R, r.pending.created), FLL(R, r.pending.exp),
};
static const struct field handle_fields[] = {
	FLL(R, r.webauthn_user.user_id), FTEXT(R, r.webauthn_user.handle),
};
static const struct field subject_fields[] = {
	FLL(R, r.subject.user_id), FTEXT(R, r.subject.sub),
};
static const struct field oidc_refresh_fields[] = {
	FTEXT(R, r.oidc_refresh.hash), FTEXT(R, r.oidc_refresh.grant),
	FLL(R, r.oidc_refresh.exp), FLL(R, r.oidc_refresh.rotated_at),
};
static const struct field link_fields[] = {
	FTEXT(R, r.link.hash), FLL(R, r.link.user_id),
	FPURPOSE(R, r.link.purpose), FLL(R, r.link.created),
	FLL(R, r.link.expires),
};

static const struct field audit_rec_fields[] = {
	FLL(R, r.audit.time), FTEXT(R, r.audit.event), FTEXT(R, r.audit.actor),
	FTEXT(R, r.audit.target), FTEXT(R, r.audit.address),
	FTEXT(R, r.audit.detail),
};

/* A record of each kind: its parts, in the columns' order. */
struct part {
	const struct field	*f;
	size_t			 n;
	size_t			 base;	/* where the part's struct is */
};

#define PART(t, at)	{ t, NFIELDS(t), at }
#define REC(m)		offsetof(R, m)
static const struct part rec_parts[LK_STORE_REC__MAX][3] = {
	[LK_STORE_REC_USER] = { PART(user_fields, REC(r.user)) },
	[LK_STORE_REC_GROUP] = { PART(group_fields, 0) },
	[LK_STORE_REC_MEMBER] = { PART(member_fields, 0) },
	[LK_STORE_REC_DELETED] = { PART(deleted_fields, 0) },
	[LK_STORE_REC_SESSION] = { PART(session_fields, REC(r.session.s)),
	    PART(session_exp_fields, 0) },
	[LK_STORE_REC_TOKENS] = { PART(family_fields, 0),
	    PART(tokens_fields, REC(r.tokens.t)), PART(rotation_fields, 0) },
	[LK_STORE_REC_REVOKED] = { PART(revoked_fields, 0) },
	[LK_STORE_REC_THROTTLE] = { PART(throttle_fields, 0) },
	[LK_STORE_REC_TOTP] = { PART(totp_fields, 0) },
	[LK_STORE_REC_RECOVERY] = { PART(recovery_fields, 0) },
	[LK_STORE_REC_PENDING] = { PART(pending_fields, 0) },
	[LK_STORE_REC_WEBAUTHN_USER] = { PART(handle_fields, 0) },
	[LK_STORE_REC_PASSKEY] = { PART(passkey_fields, REC(r.passkey)) },
	[LK_STORE_REC_CHALLENGE] = { PART(challenge_fields, REC(r.challenge)) },
	[LK_STORE_REC_LINK] = { PART(link_fields, 0) },
	[LK_STORE_REC_SUBJECT] = { PART(subject_fields, 0) },
	[LK_STORE_REC_CLIENT] = { PART(client_fields, REC(r.client)) },
	[LK_STORE_REC_GRANT] = { PART(grant_fields, REC(r.grant)) },
	[LK_STORE_REC_CODE] = { PART(code_fields, REC(r.code)) },
	[LK_STORE_REC_OIDC_REFRESH] = { PART(oidc_refresh_fields, 0) },
	[LK_STORE_REC_CONSENT] = { { consent_fields, CONSENT_OWN,
	    REC(r.consent) } },
	[LK_STORE_REC_AUDIT] = { PART(audit_rec_fields, 0) },
};
#undef R

static const char *const challenge_kinds[LK_CHALLENGE__MAX] = {
	[LK_CHALLENGE_REGISTER] = "register",
	[LK_CHALLENGE_LOGIN] = "login",
};

/* The index of word in names[n]; n if none. */
static int
word_index(const char *const *names, int n, const char *word, size_t len)
{
	int	i;

	for (i = 0; i < n && word != NULL; i++)
		if (strlen(names[i]) == len && memcmp(names[i], word, len) == 0)
			return i;
	return n;
}

static const char *const purpose_names[LK_LINK__MAX] = {
	[LK_LINK_RESET] = "reset",
	[LK_LINK_INVITE] = "invite",
	[LK_LINK_SIGNUP] = "signup",
};

/*
 * Read n fields from column col on into the struct at base.  Strict (a
 * copy): -1 for a value that does not fit its field whole (NULL, too
 * long, a NUL byte inside, out of range, an unknown word).  Otherwise
 * such a value reads as empty, 0 or the enum's __MAX, and the read goes
 * on.
 */
static int
read_fields(struct lk_sqlc *c, int col, const struct field *f, size_t n,
    void *base, int strict)
{
	const char	*t;
	char		*p;
	long long	 v;
	size_t		 i, len;
	int		 bad, k;

	for (i = 0; i < n; i++, col++) {
		p = (char *)base + f[i].off;
		bad = 0;
		switch (f[i].type) {
		case F_TEXT:
			t = lk_sql_column_text(c, col, &len);
			/* A NUL inside would be lost: refused by a copy. */
			if (t == NULL || len >= f[i].size ||
			    (strict && memchr(t, '\0', len) != NULL)) {
				p[0] = '\0';
				bad = 1;
			} else {
				memcpy(p, t, len);
				p[len] = '\0';
			}
			break;
		case F_KIND:
		case F_PURPOSE:
			t = lk_sql_column_text(c, col, &len);
			k = f[i].type == F_KIND ?
			    word_index(challenge_kinds, LK_CHALLENGE__MAX, t, len) :
			    word_index(purpose_names, LK_LINK__MAX, t, len);
			bad = k == (f[i].type == F_KIND ? LK_CHALLENGE__MAX :
			    LK_LINK__MAX);
			if (f[i].type == F_KIND)
				*(enum lk_challenge_kind *)(void *)p =
				    (enum lk_challenge_kind)k;
			else
				*(enum lk_link_purpose *)(void *)p =
				    (enum lk_link_purpose)k;
			break;
		default:
			if (lk_sql_column_int(c, col, &v) == -1) {
				v = 0;
				bad = 1;
			}
			if (f[i].type == F_LL)
				*(long long *)(void *)p = v;
			else if (f[i].type == F_FLAG)
				*(int *)(void *)p = v != 0;
			else if (f[i].type == F_BYTE) {
				bad |= v < 0 || v > 255;
				*(int *)(void *)p = (int)(v & 0xff);
			} else {
				bad |= v < INT_MIN || v > INT_MAX;
				*(int *)(void *)p = (int)v;
			}
			break;
		}
		if (bad && strict)
			return -1;
	}
	return 0;
}

/* Bind n fields of the struct at base to ?first, ?first+1 ...; 0 or -1. */
static int
bind_fields(struct lk_sqlc *c, int first, const struct field *f, size_t n,
    const void *base)
{
	const char	*p;
	size_t		 i;
	int		 rc = 0, k;

	for (i = 0; i < n && rc == 0; i++) {
		p = (const char *)base + f[i].off;
		switch (f[i].type) {
		case F_TEXT:
			rc = lk_sql_bind_text(c, first + (int)i, p);
			break;
		case F_LL:
			rc = lk_sql_bind_int(c, first + (int)i,
			    *(const long long *)(const void *)p);
			break;
		case F_FLAG:
			rc = lk_sql_bind_int(c, first + (int)i,
			    *(const int *)(const void *)p != 0);
			break;
		case F_INT:
		case F_BYTE:
			rc = lk_sql_bind_int(c, first + (int)i,
			    *(const int *)(const void *)p);
			break;
		case F_KIND:
			k = (int)*(const enum lk_challenge_kind *)(const void *)p;
			rc = k < 0 || k >= LK_CHALLENGE__MAX ? -1 :
			    lk_sql_bind_text(c, first + (int)i, challenge_kinds[k]);
			break;
		default:
			k = (int)*(const enum lk_link_purpose *)(const void *)p;
			rc = k < 0 || k >= LK_LINK__MAX ? -1 :
			    lk_sql_bind_text(c, first + (int)i, purpose_names[k]);
			break;
		}
	}
	return rc;
}

/* Statements. */

/* A statement's parameters, ?1 on: text or integer, ended by END. */
struct arg {
	char		 type;	/* 't', 'i', or 0: the end */
	const char	*t;
	long long	 i;
};

#define T(v)		{ 't', (v), 0 }
#define I(v)		{ 'i', NULL, (long long)(v) }
#define ARGS(...)	(const struct arg[]){ __VA_ARGS__, { 0, NULL, 0 } }

/*
 * The last statement failed: log it as what (unless the driver did, or it
 * is retried quietly), note the failure for run(), end the statement.
 */
static int
fail(struct store *s, const char *what)
{
	char	msg[512];
	int	again = 0;

	s->failed = 1;
	s->failure = lk_sql_failure(s->c, msg, sizeof(msg));
	switch (s->failure) {
	case LK_SQL_DOWN:
		break;
	case LK_SQL_LOST:
		lk_log(LK_LOG_ERR, "database: %s: connection lost: %s", what,
		    msg);
		break;
	case LK_SQL_RETRY:
		again = s->attempt < TX_TRIES;
		lk_log(again ? LK_LOG_WARN : LK_LOG_ERR, "database: %s: %s%s",
		    what, msg, again ? "; trying again" : "");
		break;
	default:
		lk_log(LK_LOG_ERR, "database: %s: %s", what, msg);
	}
	/* What is tried again is no error yet. */
	if (!again)
		lk_metrics_count(LK_M_STORE_ERROR);
	lk_sql_reset(s->c);
	return -1;
}

/*
 * Whether the last statement failed as expected (a unique key taken, a
 * foreign key missing): an outcome, not an error, so not logged.
 */
static int
failed_as(struct store *s, enum lk_sql_failure expected)
{
	if (lk_sql_failure(s->c, NULL, 0) != expected)
		return 0;
	lk_sql_reset(s->c);
	return 1;
}

/* Make w the current statement, a bound: 0, or -1 (logged as what). */
static int
prepare(struct store *s, enum stmt w, const struct arg *a, int stream,
    const char *what)
{
	int	i, rc;

	if (lk_sql_prepare(s->c, (int)w, s->sql[w], stream) == -1)
		return fail(s, what);
	for (i = 0; a != NULL && a[i].type != 0; i++) {
		rc = a[i].type == 't' ? lk_sql_bind_text(s->c, i + 1, a[i].t) :
		    lk_sql_bind_int(s->c, i + 1, a[i].i);
		if (rc == -1)
			return fail(s, what);
	}
	return 0;
}

/*
 * Run w for its effect: LK_STORE_OK, or with counting LK_STORE_NOT_FOUND
 * if it changed no row; LK_STORE_ERROR (logged) if it failed, unless
 * expected names the way it failed: then *hit is set.
 */
static enum lk_store_res
run_as(struct store *s, enum stmt w, const struct arg *a, int counting,
    const char *what, enum lk_sql_failure expected, int *hit)
{
	enum lk_store_res	r = LK_STORE_OK;

	if (hit != NULL)
		*hit = 0;
	if (prepare(s, w, a, 0, what) == -1)
		return LK_STORE_ERROR;
	if (lk_sql_step(s->c) == LK_SQL_FAIL) {
		if (hit != NULL && failed_as(s, expected)) {
			*hit = 1;
			return LK_STORE_ERROR;
		}
		fail(s, what);
		return LK_STORE_ERROR;
	}
	if (counting && lk_sql_changes(s->c) == 0)
		r = LK_STORE_NOT_FOUND;
	lk_sql_reset(s->c);
	return r;
}

static enum lk_store_res
run(struct store *s, enum stmt w, const struct arg *a, const char *what)
{
	return run_as(s, w, a, 0, what, LK_SQL_ERROR, NULL);
}

static enum lk_store_res
run_count(struct store *s, enum stmt w, const struct arg *a, const char *what)
{
	return run_as(s, w, a, 1, what, LK_SQL_ERROR, NULL);
}

/*
 * Run w for its first row: LK_STORE_OK with the row to read (then
 * lk_sql_reset), LK_STORE_NOT_FOUND if there is none, LK_STORE_ERROR.
 */
static enum lk_store_res
row(struct store *s, enum stmt w, const struct arg *a, const char *what)
{
	if (prepare(s, w, a, 0, what) == -1)
		return LK_STORE_ERROR;
	switch (lk_sql_step(s->c)) {
	case LK_SQL_ROW:
		return LK_STORE_OK;
	case LK_SQL_DONE:
		lk_sql_reset(s->c);
		return LK_STORE_NOT_FOUND;
	default:
		fail(s, what);
		return LK_STORE_ERROR;
	}
}

/* The integer of w's first column; LK_STORE_NOT_FOUND if no row. */
static enum lk_store_res
one_int(struct store *s, enum stmt w, const struct arg *a, long long *out,
    const char *what)
{
	enum lk_store_res	r;

	*out = 0;
	if ((r = row(s, w, a, what)) == LK_STORE_OK) {
		if (lk_sql_column_int(s->c, 0, out) == -1)
			*out = 0;
		lk_sql_reset(s->c);
	}
	return r;
}

/*
 * Run w and hand each row to fn as it arrives; fn returns 0 to go on, 1
 * to stop (the rest is dropped), -1 for a failure (logged by fn).
 */
static enum lk_store_res
each_row(struct store *s, enum stmt w, const struct arg *a, const char *what,
    int (*fn)(struct store *, void *), void *arg)
{
	enum lk_sql_step	st;
	int			rc = 0;

	if (prepare(s, w, a, 1, what) == -1)
		return LK_STORE_ERROR;
	while (rc == 0 && (st = lk_sql_step(s->c)) == LK_SQL_ROW)
		rc = fn(s, arg);
	if (rc == 0 && st == LK_SQL_FAIL) {
		fail(s, what);
		return LK_STORE_ERROR;
	}
	lk_sql_reset(s->c);
	if (rc == -1) {
		s->failed = 1;
		s->failure = LK_SQL_ERROR;
		return LK_STORE_ERROR;
	}
	return LK_STORE_OK;
}

/*
 * The transaction runner: fn(s, arg) inside a transaction of mode, its
 * writes committed if its result is one of ok (a bit mask), else rolled
 * back.  Run again when it failed on a deadlock, a serialization failure
 * or a lock wait, or lost a race (s->raced), up to tries times; a read
 * (LK_SQL_READ) that found its connection lost runs again on a new one.
 * A connection lost in the middle of a transaction fails it: nothing of
 * it was kept, and whether a commit went through cannot be known.
 * Returns fn's result, or error when the database failed.
 */
static int
transact(struct store *s, enum lk_sql_mode mode, int tries,
    int (*fn)(struct store *, void *), void *arg, unsigned int ok, int error)
{
	int	r;

	for (s->attempt = 1;; s->attempt++) {
		s->failed = 0;
		s->raced = 0;
		if (lk_sql_begin(s->c, mode) == -1) {
			fail(s, "begin");
			return error;
		}
		r = fn(s, arg);
		if (mode == LK_SQL_READ)
			;
		else if (!s->failed && !s->raced && r >= 0 && r < 32 &&
		    (ok & (1u << r)) != 0) {
			if (lk_sql_commit(s->c) == -1)
				fail(s, "commit");
		} else
			lk_sql_rollback(s->c);
		if (!s->failed && !s->raced)
			return r;
		if (s->attempt >= tries)
			return error;
		if (s->raced || (mode != LK_SQL_READ &&
		    s->failure == LK_SQL_RETRY) || (mode == LK_SQL_READ &&
		    s->failure == LK_SQL_LOST))
			continue;
		return error;
	}
}

#define OK_BIT(r)	(1u << (r))

static enum lk_store_res
write_tx(struct store *s, int (*fn)(struct store *, void *), void *arg)
{
	return (enum lk_store_res)transact(s, LK_SQL_WRITE, TX_TRIES, fn, arg,
	    OK_BIT(LK_STORE_OK), LK_STORE_ERROR);
}

static enum lk_store_res
read_tx(struct store *s, int (*fn)(struct store *, void *), void *arg)
{
	return (enum lk_store_res)transact(s, LK_SQL_READ, 2, fn, arg, 0,
	    LK_STORE_ERROR);
}

/* The arguments of an operation, as many as it has. */
struct op {
	long long		 now;
	long long		 id;	/* the user's */
	long long		 n;
	const char		*email;
	const char		*a;
	const char		*b;
	const char *const	*list;
	const long long		*limits;
	size_t			 count;
	const void		*in;
	const void		*in2;
	void			*out;
	void			*out2;
	char			*buf;
	size_t			 bufsz;
};

/* Users. */

static void
sql_close(struct lk_store *ls)
{
	struct store	*s = S(ls);

	lk_sql_close(s->c);
	free(s);
}

static int
user_find_tx(struct store *s, void *arg)
{
	struct op		*o = arg;
	enum lk_store_res	 r;

	memset(o->out, 0, sizeof(struct lk_user));
	if ((r = row(s, ST_USER_FIND, ARGS(T(o->email)), "find")) ==
	    LK_STORE_OK) {
		(void)read_fields(s->c, 0, user_fields, NFIELDS(user_fields),
		    o->out, 0);
		lk_sql_reset(s->c);
	}
	return r;
}

static enum lk_store_res
sql_user_find(struct lk_store *ls, const char *email, struct lk_user *out)
{
	struct op	o = { .email = email, .out = out };

	return read_tx(S(ls), user_find_tx, &o);
}

/* The account of email, locked (inside a transaction). */
static enum lk_store_res
user_lock(struct store *s, const char *email, struct lk_user *u,
    const char *what)
{
	enum lk_store_res	r;

	memset(u, 0, sizeof(*u));
	if ((r = row(s, ST_USER_FIND_LOCK, ARGS(T(email)), what)) ==
	    LK_STORE_OK) {
		(void)read_fields(s->c, 0, user_fields, NFIELDS(user_fields), u,
		    0);
		lk_sql_reset(s->c);
	}
	return r;
}

/*
 * A new account (inside a transaction): LK_STORE_EXISTS if the email is
 * taken; it starts after the deletion of an account of the same email.
 */
static enum lk_store_res
user_insert(struct store *s, const char *email, const char *name,
    const char *hash, long long now, const char *what)
{
	enum lk_store_res	r;
	int			taken;

	r = run_as(s, ST_USER_ADD, ARGS(T(email), T(name), T(hash), I(now)),
	    0, what, LK_SQL_UNIQUE, &taken);
	if (taken)
		return LK_STORE_EXISTS;
	if (r != LK_STORE_OK)
		return r;
	return run(s, ST_TOMBSTONE_CLEAR, ARGS(T(email)), what);
}

static int
user_add_tx(struct store *s, void *arg)
{
	struct op	*o = arg;

	return user_insert(s, o->email, o->a, o->b, o->now, "add");
}

static enum lk_store_res
sql_user_add(struct lk_store *ls, const char *email, const char *name,
    const char *hash, long long now)
{
	struct op	o = { .email = email, .a = name, .b = hash, .now = now };

	return write_tx(S(ls), user_add_tx, &o);
}

static int
user_set_name_tx(struct store *s, void *arg)
{
	struct op	*o = arg;

	return run_count(s, ST_SET_NAME, ARGS(T(o->email), T(o->a), I(o->now)),
	    "set name");
}

static enum lk_store_res
sql_user_set_name(struct lk_store *ls, const char *email, const char *name,
    long long now)
{
	struct op	o = { .email = email, .a = name, .now = now };

	return write_tx(S(ls), user_set_name_tx, &o);
}

/*
 * End every session and token of the user (inside a transaction): their
 * sessions revoked, tokens of no session of ours issued until now with
 * them, and their one-time links void.
 */
static enum lk_store_res
invalidate(struct store *s, long long user_id, long long now)
{
	enum lk_store_res	r;

	if ((r = run(s, ST_INVALIDATE_BY_ID, ARGS(I(user_id), I(now)),
	    "invalidate")) != LK_STORE_OK ||
	    (r = run(s, ST_REVOKE_USER_SESSIONS, ARGS(I(user_id)),
	    "revoke sessions")) != LK_STORE_OK)
		return r;
	return run(s, ST_LINKS_VOID, ARGS(I(user_id)), "void links");
}

/* Set the hash (a) or the disabled flag (n) of email, and invalidate. */
static int
user_change_tx(struct store *s, void *arg)
{
	struct op		*o = arg;
	struct lk_user		 u;
	enum lk_store_res	 r;

	if ((r = user_lock(s, o->email, &u, o->a != NULL ? "set hash" :
	    "set disabled")) != LK_STORE_OK)
		return r;
	if (o->a != NULL)
		r = run(s, ST_SET_HASH_BY_ID, ARGS(I(u.id), T(o->a), I(o->now)),
		    "set hash");
	else
		r = run(s, ST_SET_DISABLED_BY_ID, ARGS(I(u.id), I(o->n != 0),
		    I(o->now)), "set disabled");
	if (r != LK_STORE_OK)
		return r;
	return invalidate(s, u.id, o->now);
}

static enum lk_store_res
sql_user_set_password(struct lk_store *ls, const char *email,
    const char *hash, long long now)
{
	struct op	o = { .email = email, .a = hash, .now = now };

	return write_tx(S(ls), user_change_tx, &o);
}

static enum lk_store_res
sql_user_set_disabled(struct lk_store *ls, const char *email, int disabled,
    long long now)
{
	struct op	o = { .email = email, .n = disabled, .now = now };

	return write_tx(S(ls), user_change_tx, &o);
}

static int
user_delete_tx(struct store *s, void *arg)
{
	struct op		*o = arg;
	enum lk_store_res	 r;

	if ((r = run_count(s, ST_DELETE, ARGS(T(o->email)), "delete")) !=
	    LK_STORE_OK)
		return r;
	/* Whoever takes the email next starts after this moment. */
	return run(s, ST_TOMBSTONE_ADD, ARGS(T(o->email), I(o->now)),
	    "delete");
}

static enum lk_store_res
sql_user_delete(struct lk_store *ls, const char *email, long long now)
{
	struct op	o = { .email = email, .now = now };

	return write_tx(S(ls), user_delete_tx, &o);
}

struct each {
	int		(*user)(const struct lk_user *, void *);
	int		(*passkey)(const struct lk_passkey *, void *);
	int		(*session)(const struct lk_session *, void *);
	void		*arg;
	long long	 id;
	long long	 now;
};

static int
each_user(struct store *s, void *arg)
{
	struct each	*e = arg;
	struct lk_user	 u;
	int		 stop;

	memset(&u, 0, sizeof(u));
	(void)read_fields(s->c, 0, user_fields, NFIELDS(user_fields), &u, 0);
	stop = e->user(&u, e->arg) != 0;
	lk_explicit_bzero(&u, sizeof(u));
	return stop;
}

static int
user_each_tx(struct store *s, void *arg)
{
	return each_row(s, ST_EACH, NULL, "list", each_user, arg);
}

static enum lk_store_res
sql_user_each(struct lk_store *ls, int (*fn)(const struct lk_user *, void *),
    void *arg)
{
	struct each	e = { .user = fn, .arg = arg };

	return (enum lk_store_res)transact(S(ls), LK_SQL_READ, 1, user_each_tx,
	    &e, 0, LK_STORE_ERROR);
}

/* Groups. */

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The groups of column col (names joined with ',', NULL for none) into
 * out, sorted: 0, or -1 if they do not fit (logged as what, the
 * statement ended).
 */
static int
read_groups(struct store *s, int col, struct lk_store_groups *out,
    const char *what)
{
	char		 text[LK_STORE_GROUPS_TEXT_MAX];
	const char	*t, *names[LK_STORE_USER_GROUPS_MAX];
	char		*p, *comma;
	size_t		 len, n = 0, i, at = 0;

	memset(out, 0, sizeof(*out));
	if ((t = lk_sql_column_text(s->c, col, &len)) == NULL || len == 0)
		return 0;
	if (len >= sizeof(text) || memchr(t, '\0', len) != NULL)
		goto bad;
	memcpy(text, t, len);
	text[len] = '\0';
	for (p = text; p != NULL; p = comma) {
		if ((comma = strchr(p, ',')) != NULL)
			*comma++ = '\0';
		if (n == LK_STORE_USER_GROUPS_MAX || *p == '\0' ||
		    strlen(p) > LK_STORE_GROUP_NAME_MAX)
			goto bad;
		names[n++] = p;
	}
	qsort(names, n, sizeof(names[0]), name_cmp);
	for (i = 0; i < n; i++) {
		len = strlen(names[i]);
		if (i > 0)
			out->text[at++] = ',';
		memcpy(out->text + at, names[i], len);
		at += len;
	}
	out->text[at] = '\0';
	out->n = n;
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	lk_log(LK_LOG_ERR, "database: %s: a user's groups do not fit "
	    "latchkey's limits", what);
	lk_sql_reset(s->c);
	s->failed = 1;
	s->failure = LK_SQL_ERROR;
	return -1;
}

/*
 * Put the (locked) user of user_id in group, inside a transaction:
 * LK_STORE_NOT_FOUND if there is no such group, LK_STORE_EXISTS if they
 * are in it already, LK_STORE_LIMIT if in too many groups already.
 */
static enum lk_store_res
member_insert(struct store *s, const char *group, long long user_id,
    long long now, const char *what)
{
	enum lk_store_res	r;
	long long		n;

	if ((r = row(s, ST_GROUP_LOCK, ARGS(T(group)), what)) != LK_STORE_OK)
		return r;
	lk_sql_reset(s->c);
	if (one_int(s, ST_MEMBER_IS, ARGS(T(group), I(user_id)), &n, what) !=
	    LK_STORE_OK)
		return LK_STORE_ERROR;
	if (n > 0)
		return LK_STORE_EXISTS;
	if (one_int(s, ST_MEMBER_COUNT, ARGS(I(user_id)), &n, what) !=
	    LK_STORE_OK)
		return LK_STORE_ERROR;
	if (n >= LK_STORE_USER_GROUPS_MAX)
		return LK_STORE_LIMIT;
	return run(s, ST_MEMBER_ADD, ARGS(T(group), I(user_id), I(now)), what);
}

/* The user (locked) joins each of n groups; one joined already stays. */
static enum lk_store_res
members_insert(struct store *s, const char *const *groups, size_t n,
    long long user_id, long long now, const char *what)
{
	enum lk_store_res	r;
	size_t			i;

	for (i = 0; i < n; i++) {
		r = member_insert(s, groups[i], user_id, now, what);
		if (r != LK_STORE_OK && r != LK_STORE_EXISTS)
			return r;
	}
	return LK_STORE_OK;
}

static int
user_add_groups_tx(struct store *s, void *arg)
{
	struct op		*o = arg;
	struct lk_user		 u;
	enum lk_store_res	 r;

	if ((r = user_insert(s, o->email, o->a, o->b, o->now, "add")) !=
	    LK_STORE_OK)
		return r;
	if (o->count == 0)
		return LK_STORE_OK;
	if ((r = user_lock(s, o->email, &u, "add")) != LK_STORE_OK)
		return r == LK_STORE_NOT_FOUND ? LK_STORE_ERROR : r;
	r = members_insert(s, o->list, o->count, u.id, o->now, "add");
	lk_explicit_bzero(&u, sizeof(u));
	return r;
}

static enum lk_store_res
sql_user_add_groups(struct lk_store *ls, const char *email, const char *name,
    const char *hash, const char *const *groups, size_t n, long long now)
{
	struct op	o = { .email = email, .a = name, .b = hash,
			    .list = groups, .count = n, .now = now };

	return write_tx(S(ls), user_add_groups_tx, &o);
}

static int
user_groups_tx(struct store *s, void *arg)
{
	struct op		*o = arg;
	enum lk_store_res	 r;

	memset(o->out, 0, sizeof(struct lk_store_groups));
	if ((r = row(s, ST_USER_GROUPS, ARGS(T(o->email)), "groups")) !=
	    LK_STORE_OK)
		return r;
	if (read_groups(s, 1, o->out, "groups") == -1)
		return LK_STORE_ERROR;
	lk_sql_reset(s->c);
	return LK_STORE_OK;
}

static enum lk_store_res
sql_user_groups(struct lk_store *ls, const char *email,
    struct lk_store_groups *out)
{
	struct op	o = { .email = email, .out = out };

	return read_tx(S(ls), user_groups_tx, &o);
}

struct each_groups {
	int		(*fn)(const struct lk_user *,
			    const struct lk_store_groups *, void *);
	void		*arg;
	struct lk_store_groups g;
	struct lk_group	 group;
	int		(*group_fn)(const struct lk_group *, void *);
};

static int
each_user_groups(struct store *s, void *arg)
{
	struct each_groups	*e = arg;
	struct lk_user		 u;
	int			 stop;

	memset(&u, 0, sizeof(u));
	(void)read_fields(s->c, 0, user_fields, NFIELDS(user_fields), &u, 0);
	if (read_groups(s, (int)NFIELDS(user_fields), &e->g, "list") == -1)
		return -1;
	stop = e->fn(&u, &e->g, e->arg) != 0;
	lk_explicit_bzero(&u, sizeof(u));
	return stop;
}

static int
user_each_groups_tx(struct store *s, void *arg)
{
	return each_row(s, ST_EACH_GROUPS, NULL, "list", each_user_groups,
	    arg);
}

static enum lk_store_res
sql_user_each_groups(struct lk_store *ls, int (*fn)(const struct lk_user *,
    const struct lk_store_groups *, void *), void *arg)
{
	struct each_groups	*e;
	enum lk_store_res	 r;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return LK_STORE_ERROR;
	e->fn = fn;
	e->arg = arg;
	r = (enum lk_store_res)transact(S(ls), LK_SQL_READ, 1,
	    user_each_groups_tx, e, 0, LK_STORE_ERROR);
	free(e);
	return r;
}

static int
group_add_tx(struct store *s, void *arg)
{
	struct op		*o = arg;
	enum lk_store_res	 r;
	int			 taken;

	r = run_as(s, ST_GROUP_ADD, ARGS(T(o->a), T(o->b), I(o->now)), 0,
	    "add group", LK_SQL_UNIQUE, &taken);
	return taken ? LK_STORE_EXISTS : r;
}

static enum lk_store_res
sql_group_add(struct lk_store *ls, const char *name, const char *description,
    long long now)
{
	struct op	o = { .a = name, .b = description, .now = now };

	return write_tx(S(ls), group_add_tx, &o);
}

static int
group_delete_tx(struct store *s, void *arg)
{
	struct op	*o = arg;

	return run_count(s, ST_GROUP_DELETE, ARGS(T(o->a)), "delete group");
}

static enum lk_store_res
sql_group_delete(struct lk_store *ls, const char *name)
{
	struct op	o = { .a = name };

	return write_tx(S(ls), group_delete_tx, &o);
}

static int
each_group(struct store *s, void *arg)
{
	static const struct field f[] = {
		FTEXT(struct lk_group, name),
		FTEXT(struct lk_group, description),
		FLL(struct lk_group, created), FLL(struct lk_group, members),
	};
	struct each_groups	*e = arg;

	memset(&e->group, 0, sizeof(e->group));
	(void)read_fields(s->c, 0, f, NFIELDS(f), &e->group, 0);
	return e->group_fn(&e->group, e->arg) != 0;
}

static int
group_each_tx(struct store *s, void *arg)
{
	return each_row(s, ST_GROUP_EACH, NULL, "list groups", each_group,
	    arg);
}

static enum lk_store_res
sql_group_each(struct lk_store *ls, int (*fn)(const struct lk_group *, void *),
    void *arg)
{
	struct each_groups	*e;
	enum lk_store_res	 r;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return LK_STORE_ERROR;
	e->group_fn = fn;
	e->arg = arg;
	r = (enum lk_store_res)transact(S(ls), LK_SQL_READ, 1, group_each_tx,
	    e, 0, LK_STORE_ERROR);
	free(e);
	return r;
}

static int
member_add_tx(struct store *s, void *arg)
{
	struct op		*o = arg;
	struct lk_user		 u;
	enum lk_store_res	 r;

	/* The user first, as every change of an account: one at a time. */
	if ((r = user_lock(s, o->email, &u, "add member")) == LK_STORE_OK)
		r = member_insert(s, o->a, u.id, o->now, "add member");
	lk_explicit_bzero(&u, sizeof(u));
	return r;
}

static enum lk_store_res
sql_member_add(struct lk_store *ls, const char *group, const char *email,
    long long now)
{
	struct op	o = { .a = group, .email = email, .now = now };

	return write_tx(S(ls), member_add_tx, &o);
}

/*
 * Whether the (locked) user u may stop being an enabled member of keep
 * (leave it, be disabled or deleted), inside a transaction: LK_STORE_LIMIT
 * if keep would be left with no enabled member who has a password, else
 * LK_STORE_OK (keep NULL or "", or no such group: nothing to keep).  The
 * group's row is locked first, so that two such changes at once (two
 * administrators taking each other out) run one after the other and the
 * second sees the first.
 */
static enum lk_store_res
keep_guard(struct store *s, const char *keep, const struct lk_user *u,
    const char *what)
{
	enum lk_store_res	r;
	long long		n;

	if (keep == NULL || *keep == '\0')
		return LK_STORE_OK;
	if ((r = row(s, ST_GROUP_LOCK, ARGS(T(keep)), what)) ==
	    LK_STORE_NOT_FOUND)
		return LK_STORE_OK;
	if (r != LK_STORE_OK)
		return r;
	lk_sql_reset(s->c);
	if (one_int(s, ST_MEMBER_IS, ARGS(T(keep), I(u->id)), &n, what) !=
	    LK_STORE_OK)
		return LK_STORE_ERROR;
	if (n == 0 || u->disabled)
		return LK_STORE_OK;
	if (one_int(s, ST_KEEP_OTHERS, ARGS(T(keep), I(u->id)), &n, what) !=
	    LK_STORE_OK)
		return LK_STORE_ERROR;
	return n > 0 ? LK_STORE_OK : LK_STORE_LIMIT;
}

static int
member_delete_tx(struct store *s, void *arg)
{
	struct op		*o = arg;
	struct lk_user		 u;
	enum lk_store_res	 r;

	if (o->b == NULL || strcmp(o->a, o->b) != 0)
		return run_count(s, ST_MEMBER_DELETE, ARGS(T(o->a),
		    T(o->email)), "delete member");
	if ((r = user_lock(s, o->email, &u, "delete member")) == LK_STORE_OK &&
	    (r = keep_guard(s, o->b, &u, "delete member")) == LK_STORE_OK)
		r = run_count(s, ST_MEMBER_DELETE, ARGS(T(o->a), T(o->email)),
		    "delete member");
	lk_explicit_bzero(&u, sizeof(u));
	return r;
}

static enum lk_store_res
sql_member_delete(struct lk_store *ls, const char *group, const char *email,
    const char *keep)
{
	struct op	o = { .a = group, .email = email, .b = keep };

	return write_tx(S(ls), member_delete_tx, &o);
}

/* The audit log. */

static int
audit_add_tx(struct store *s, void *arg)
{
	const struct lk_audit	*a = ((struct op *)arg)->in;

	return run(s, ST_AUDIT_ADD, ARGS(I(a->time), T(a->event), T(a->actor),
	    T(a->target), T(a->address), T(a->detail)), "audit");
}

static enum lk_store_res
sql_audit_add(struct lk_store *ls, const struct lk_audit *a)
{
	struct op	o = { .in = a };

	return write_tx(S(ls), audit_add_tx, &o);
}

struct audit_each {
	int		(*fn)(const struct lk_audit *, void *);
	void		*arg;
	struct lk_audit	 a;
	const struct lk_audit_filter *f;
};

static int
each_audit(struct store *s, void *arg)
{
	static const struct field f[] = {
		FLL(struct lk_audit, id), FLL(struct lk_audit, time),
		FTEXT(struct lk_audit, event), FTEXT(struct lk_audit, actor),
		FTEXT(struct lk_audit, target), FTEXT(struct lk_audit, address),
		FTEXT(struct lk_audit, detail),
	};
	struct audit_each	*e = arg;

	memset(&e->a, 0, sizeof(e->a));
	(void)read_fields(s->c, 0, f, NFIELDS(f), &e->a, 0);
	return e->fn(&e->a, e->arg) != 0;
}

static int
audit_each_tx(struct store *s, void *arg)
{
	struct audit_each		*e = arg;
	const struct lk_audit_filter	*f = e->f;

	return each_row(s, ST_AUDIT_EACH, ARGS(T(f->user != NULL ? f->user : ""),
	    T(f->event != NULL ? f->event : ""), I(f->since), I(f->until),
	    I(f->before), I(f->limit)), "audit list", each_audit, e);
}

static enum lk_store_res
sql_audit_each(struct lk_store *ls, const struct lk_audit_filter *f,
    int (*fn)(const struct lk_audit *, void *), void *arg)
{
	struct audit_each	*e;
	enum lk_store_res	 r;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return LK_STORE_ERROR;
	e->fn = fn;
	e->arg = arg;
	e->f = f;
	r = (enum lk_store_res)transact(S(ls), LK_SQL_READ, 1, audit_each_tx,
	    e, 0, LK_STORE_ERROR);
	free(e);
	return r;
}

/* Tokens and sessions. */

static int
token_check_tx(struct store *s, void *arg)
{
	struct op		*o = arg;
	struct lk_token_state	*state = o->out;
	struct lk_user		*user = o->out2;
	long long		 revoked;
	int			 found;

	memset(user, 0, sizeof(*user));
	memset(state, 0, sizeof(*state));
	if (prepare(s, o->n ? ST_CHECK_REFRESH : ST_CHECK_ACCESS,
	    ARGS(T(o->email), T(o->a)), 0, "check token") == -1)
		return LK_STORE_ERROR;
	if (lk_sql_step(s->c) != LK_SQL_ROW)
		return fail(s, "check token"), LK_STORE_ERROR;
	found = !lk_sql_column_null(s->c, 0);
	if (found)
		(void)read_fields(s->c, 0, user_fields, NFIELDS(user_fields),
		    user, 0);
	state->revoked = lk_sql_column_int(s->c, 8, &revoked) == 0 &&
	    revoked != 0;
	state->ours = !lk_sql_column_null(s->c, 9);
	if (state->ours)
		(void)read_fields(s->c, 9, session_fields,
		    NFIELDS(session_fields), &state->session, 0);
	if (read_groups(s, 9 + (int)NFIELDS(session_fields), &state->groups,
	    "check token") == -1)
		return LK_STORE_ERROR;
	lk_sql_reset(s->c);
	return found ? LK_STORE_OK : LK_STORE_NOT_FOUND;
}

static enum lk_store_res
sql_token_check(struct lk_store *ls, const char *email, const char *jti,
    int refresh, struct lk_user *user, struct lk_token_state *state)
{
	struct op	o = { .email = email, .a = jti, .n = refresh,
			    .out2 = user, .out = state };

	return read_tx(S(ls), token_check_tx, &o);
}

static int
throttle_reserve_tx(struct store *s, void *arg)
{
	struct op		*o = arg;
	long long		*retry_after = o->out, failures, start;
	long long		 window = o->n;
	size_t			 i;
	int			 over = 0;

	*retry_after = 0;
	for (i = 0; i < o->count; i++) {
		if (run(s, ST_THROTTLE_COUNT, ARGS(T(o->list[i]), I(o->now),
		    I(window)), "throttle") != LK_STORE_OK ||
		    row(s, ST_THROTTLE_GET, ARGS(T(o->list[i])), "throttle") !=
		    LK_STORE_OK)
			return LK_STORE_ERROR;
		if (lk_sql_column_int(s->c, 0, &failures) == -1 ||
		    lk_sql_column_int(s->c, 1, &start) == -1)
			failures = start = 0;
		lk_sql_reset(s->c);
		/* Past the limit now: it was at the limit before this one. */
		if (start + window > o->now && failures > o->limits[i]) {
			over = 1;
			if (start + window - o->now > *retry_after)
				*retry_after = start + window - o->now;
		}
	}
	/* Over: the rollback takes back every count just made. */
	return over ? LK_STORE_LIMIT : LK_STORE_OK;
}

static enum lk_store_res
sql_throttle_reserve(struct lk_store *ls, const char *const *keys,
    const long long *limits, size_t n, long long window, long long now,
    long long *retry_after)
{
	struct op		o = { .list = keys, .limits = limits,
				    .count = n, .n = window, .now = now,
				    .out = retry_after };
	enum lk_store_res	r;

	if ((r = write_tx(S(ls), throttle_reserve_tx, &o)) == LK_STORE_ERROR)
		*retry_after = 0;
	return r;
}

/* The creation time of the oldest TOTP set-up still waiting at now. */
static long long
setup_oldest(long long now)
{
	return now - LK_STORE_TOTP_SETUP_LIFE + 1;
}

/* The pruning statements, inside a transaction. */
static enum lk_store_res
prune(struct store *s, long long now)
{
	static const enum stmt	 w[] = { ST_PRUNE_REVOKED, ST_PRUNE_SESSIONS,
	    ST_PRUNE_THROTTLE, ST_PRUNE_PENDING, ST_PRUNE_CHALLENGES,
	    ST_PRUNE_SIGNUP_MARKS, ST_PRUNE_SIGNUPS, ST_PRUNE_LINKS,
	    ST_PRUNE_TOTP_SETUPS, ST_PRUNE_CODES, ST_PRUNE_OIDC_REFRESH,
	    ST_PRUNE_GRANTS };
	size_t			 i;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (run(s, w[i], w[i] == ST_PRUNE_REVOKED ||
		    w[i] == ST_PRUNE_SESSIONS ? ARGS(I(now), I(s->base.leeway)) :
		    w[i] == ST_PRUNE_TOTP_SETUPS ? ARGS(I(setup_oldest(now))) :
		    ARGS(I(now)), "prune") != LK_STORE_OK)
			return LK_STORE_ERROR;
	if (s->base.audit_retention > 0 && run(s, ST_PRUNE_AUDIT,
	    ARGS(I(now), I(s->base.audit_retention)), "prune") != LK_STORE_OK)
		return LK_STORE_ERROR;
	s->base.last_prune = now;
	return LK_STORE_OK;
}

static enum lk_store_res
prune_if_due(struct store *s, long long now)
{
	if (now - s->base.last_prune < LK_STORE_PRUNE_INTERVAL)
		return LK_STORE_OK;
	return prune(s, now);
}

static int
prune_tx(struct store *s, void *arg)
{
	return prune(s, ((struct op *)arg)->now);
}

static enum lk_store_res
sql_prune(struct lk_store *ls, long long now)
{
	struct op	o = { .now = now };

	return write_tx(S(ls), prune_tx, &o);
}

/* Record a pair of tokens of session family (no check). */
static enum lk_store_res
tokens_add(struct store *s, const char *family,
    const struct lk_store_tokens *t)
{
	return run(s, ST_TOKENS_ADD, ARGS(T(t->jti), T(family),
	    T(t->access_jti), T(t->csrf), T(t->access_csrf), I(t->iat),
	    I(t->exp), I(t->access_exp)), "add tokens");
}

/*
 * Check that user_id is enabled and still has hash (its row locked until
 * the end, so no change slips in between), and store new_hash if any,
 * inside a transaction.  LK_STORE_CHANGED if not.
 */
static enum lk_store_res
same_user(struct store *s, long long user_id, const char *hash,
    const char *new_hash, long long now, const char *what)
{
	enum lk_store_res	 r;
	const char		*h;
	size_t			 len;
	long long		 disabled;
	int			 same;

	if ((r = row(s, ST_USER_LOCK, ARGS(I(user_id)), what)) ==
	    LK_STORE_ERROR)
		return r;
	if (r == LK_STORE_NOT_FOUND)
		return LK_STORE_CHANGED;
	h = lk_sql_column_text(s->c, 0, &len);
	same = h != NULL && hash != NULL && strlen(hash) == len &&
	    memcmp(h, hash, len) == 0 &&
	    lk_sql_column_int(s->c, 1, &disabled) == 0 && disabled == 0;
	lk_sql_reset(s->c);
	if (!same)
		return LK_STORE_CHANGED;
	if (new_hash == NULL)
		return LK_STORE_OK;
	return run(s, ST_SET_HASH_BY_ID, ARGS(I(user_id), T(new_hash), I(now)),
	    "set hash");
}

/* Passkey ids of a user not kept, a batch at a time (passkeys_keep). */
#define KEEP_BATCH	32

struct keep_scan {
	const struct lk_passkey_keep *k;
	char		 id[KEEP_BATCH][LK_STORE_ID_MAX + 1];
	size_t		 n;
};

static int
keep_scan_row(struct store *s, void *arg)
{
	struct keep_scan	*ks = arg;
	const char		*t;
	size_t			 len, i;

	if ((t = lk_sql_column_text(s->c, 0, &len)) == NULL ||
	    len > LK_STORE_ID_MAX)
		return -1;
	for (i = 0; i < ks->k->n; i++)
		if (strlen(ks->k->ids[i]) == len &&
		    memcmp(ks->k->ids[i], t, len) == 0)
			return 0;
	memcpy(ks->id[ks->n], t, len);
	ks->id[ks->n][len] = '\0';
	return ++ks->n == KEEP_BATCH;
}

/*
 * Delete the passkeys of user_id that k does not keep (inside the
 * caller's transaction); nothing unless k->only.
 */
static enum lk_store_res
passkeys_keep(struct store *s, long long user_id,
    const struct lk_passkey_keep *k)
{
	struct keep_scan	ks;
	enum lk_store_res	r;
	size_t			i;

	if (!k->only)
		return LK_STORE_OK;
	ks.k = k;
	do {
		ks.n = 0;
		if ((r = each_row(s, ST_PASSKEY_IDS, ARGS(I(user_id)),
		    "passkeys kept", keep_scan_row, &ks)) != LK_STORE_OK)
			return r;
		for (i = 0; i < ks.n; i++)
			if ((r = run(s, ST_PASSKEY_DELETE, ARGS(I(user_id),
			    T(ks.id[i])), "passkeys kept")) != LK_STORE_OK)
				return r;
	} while (ks.n == KEEP_BATCH);
	return LK_STORE_OK;
}

/*
 * The checks and writes of a login, inside a transaction: the user still
 * has the hash the password matched and is enabled, then the new hash,
 * with new_password the end of every other session, the throttle
 * give-back, and the new session.
 */
static enum lk_store_res
start_session(struct store *s, const struct lk_login *l, long long now,
    int new_password)
{
	const struct lk_store_tokens *t = l->tokens;
	const struct lk_session	*se = l->session;
	enum lk_store_res	 r;

	if ((r = same_user(s, l->user_id, l->hash, l->new_hash, now,
	    "login")) != LK_STORE_OK)
		return r;
	if (new_password && ((r = invalidate(s, l->user_id, now)) !=
	    LK_STORE_OK || (r = passkeys_keep(s, l->user_id, &l->keep)) !=
	    LK_STORE_OK))
		return r;
	if (l->throttle_account != NULL && (r = run(s, ST_THROTTLE_CLEAR,
	    ARGS(T(l->throttle_account)), "throttle")) != LK_STORE_OK)
		return r;
	if (l->throttle_address != NULL && (r = run(s, ST_THROTTLE_GIVE_BACK,
	    ARGS(T(l->throttle_address), I(now), I(l->throttle_window)),
	    "throttle")) != LK_STORE_OK)
		return r;
	if (s->base.sessions_max > 0 && (r = run(s, ST_SESSIONS_BOUND,
	    ARGS(I(l->user_id), I(now), I(s->base.sessions_max - 1)),
	    "bound sessions")) != LK_STORE_OK)
		return r;
	if ((r = run(s, ST_SESSION_ADD, ARGS(T(se->id), I(l->user_id), I(now),
	    I(se->persistent != 0), T(se->user_agent), T(se->address),
	    I(t->exp > t->access_exp ? t->exp : t->access_exp)),
	    "add session")) != LK_STORE_OK)
		return r;
	return tokens_add(s, se->id, t);
}

static enum lk_store_res
revoke_token(struct store *s, const struct lk_revoke *t)
{
	enum lk_store_res	r;

	if ((r = run(s, ST_REVOKE, ARGS(T(t->jti), I(t->exp)), "revoke")) !=
	    LK_STORE_OK)
		return r;
	return run(s, t->refresh ? ST_REVOKE_SESSION_OF_REFRESH :
	    ST_REVOKE_SESSION_OF_ACCESS, ARGS(T(t->jti)), "revoke session");
}

/* A login (revoke NULL) or a password change (the token revoke ends). */
struct login_op {
	const struct lk_login	*l;
	const struct lk_revoke	*revoke;
	int			 new_password;
	long long		 now;
};

static int
login_tx(struct store *s, void *arg)
{
	struct login_op		*o = arg;
	enum lk_store_res	 r;

	r = start_session(s, o->l, o->now, o->new_password);
	if (r == LK_STORE_OK && o->new_password && o->revoke != NULL)
		r = revoke_token(s, o->revoke);
	if (r == LK_STORE_OK && !o->new_password)
		r = prune_if_due(s, o->now);
	return r;
}

static enum lk_store_res
sql_login(struct lk_store *ls, const struct lk_login *l, long long now)
{
	struct login_op	o = { l, NULL, 0, now };

	return write_tx(S(ls), login_tx, &o);
}

static enum lk_store_res
sql_password_change(struct lk_store *ls, const struct lk_login *l,
    const struct lk_revoke *t, long long now)
{
	struct login_op	o = { l, t, 1, now };

	if (l->new_hash == NULL)
		return LK_STORE_ERROR;
	return write_tx(S(ls), login_tx, &o);
}

static int
logout_tx(struct store *s, void *arg)
{
	struct op		*o = arg;
	const struct lk_revoke	*t = o->in;
	enum lk_store_res	 r = LK_STORE_OK;
	size_t			 i;

	for (i = 0; i < o->count && r == LK_STORE_OK; i++)
		r = revoke_token(s, &t[i]);
	if (r == LK_STORE_OK)
		r = prune_if_due(s, o->now);
	return r;
}

static enum lk_store_res
sql_logout(struct lk_store *ls, const struct lk_revoke *t, size_t n,
    long long now)
{
	struct op	o = { .in = t, .count = n, .now = now };

	return write_tx(S(ls), logout_tx, &o);
}

/* Read the pair recorded under jti; LK_STORE_NOT_FOUND if none. */
static enum lk_store_res
tokens_get(struct store *s, const char *jti, struct lk_store_tokens *t,
    long long *rotated_at, char *successor, size_t successorsz)
{
	enum lk_store_res	 r;
	const char		*next;
	size_t			 len;

	memset(t, 0, sizeof(*t));
	if ((r = row(s, ST_TOKENS_GET, ARGS(T(jti)), "find tokens")) !=
	    LK_STORE_OK)
		return r;
	(void)read_fields(s->c, 0, tokens_fields, NFIELDS(tokens_fields), t,
	    0);
	if (lk_sql_column_int(s->c, 7, rotated_at) == -1)
		*rotated_at = 0;
	next = lk_sql_column_text(s->c, 8, &len);
	if (next == NULL || len >= successorsz || memchr(next, '\0', len))
		len = 0;
	else
		memcpy(successor, next, len);
	successor[len] = '\0';
	lk_sql_reset(s->c);
	return LK_STORE_OK;
}

/*
 * The live pair a retired token was replaced by: its successor, or that
 * one's, to the end of the chain.  Pairs without their csrf values (rows
 * SQLite migrated from version 2) cannot be signed again and count as
 * gone.
 */
static enum lk_refresh_res
live_successor(struct store *s, const char *first,
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

struct refresh_op {
	const struct lk_refresh	*q;
	long long		 now;
	struct lk_store_tokens	*successor;
};

static int
refresh_tx(struct store *s, void *arg)
{
	struct refresh_op	*o = arg;
	const struct lk_refresh	*q = o->q;
	char			 family[LK_STORE_ID_MAX + 1];
	char			 next[LK_STORE_ID_MAX + 1];
	long long		 v[5], newexp;
	const char		*t;
	size_t			 len;
	int			 i;

	memset(o->successor, 0, sizeof(*o->successor));
	switch (row(s, ST_REFRESH_FIND, ARGS(T(q->jti)),
	    "find refresh token")) {
	case LK_STORE_OK:
		break;
	case LK_STORE_NOT_FOUND:
		return LK_REFRESH_REVOKED;
	default:
		return LK_REFRESH_ERROR;
	}
	family[0] = next[0] = '\0';
	if ((t = lk_sql_column_text(s->c, 0, &len)) != NULL &&
	    len < sizeof(family)) {
		memcpy(family, t, len);
		family[len] = '\0';
	}
	if ((t = lk_sql_column_text(s->c, 2, &len)) != NULL &&
	    len < sizeof(next)) {
		memcpy(next, t, len);
		next[len] = '\0';
	}
	/* rotated_at, user_id, created, refreshes, revoked */
	for (i = 0; i < 5; i++)
		if (lk_sql_column_int(s->c, i == 0 ? 1 : i + 2, &v[i]) == -1)
			v[i] = 0;
	lk_sql_reset(s->c);
	if (v[4] != 0 || v[1] != q->user_id)
		return LK_REFRESH_REVOKED;
	if (v[2] + q->session_max <= o->now)
		return LK_REFRESH_EXPIRED;
	if (v[0] != 0) {
		/* Racing tabs: the same successor, no new token. */
		if (o->now - v[0] <= q->grace)
			return live_successor(s, next, o->successor);
		/* A retired token past its grace: someone holds a copy. */
		if (run(s, ST_SESSION_REVOKE, ARGS(T(family)),
		    "revoke session") != LK_STORE_OK)
			return LK_REFRESH_ERROR;
		return LK_REFRESH_REUSED;
	}
	if (v[3] >= q->refresh_max)
		return LK_REFRESH_LIMIT;
	newexp = q->next->exp > q->next->access_exp ? q->next->exp :
	    q->next->access_exp;
	if (run_count(s, ST_ROTATE, ARGS(T(q->jti), I(o->now),
	    T(q->next->jti)), "rotate") != LK_STORE_OK ||
	    tokens_add(s, family, q->next) != LK_STORE_OK ||
	    run(s, ST_SESSION_ROTATED, ARGS(T(family), I(o->now), I(newexp)),
	    "rotate") != LK_STORE_OK)
		return LK_REFRESH_ERROR;
	return LK_REFRESH_ROTATED;
}

static enum lk_refresh_res
sql_refresh(struct lk_store *ls, const struct lk_refresh *q, long long now,
    struct lk_store_tokens *successor)
{
	struct refresh_op	o = { q, now, successor };
	enum lk_refresh_res	r;

	/* Only the rotation and the revocation of a reused token write. */
	r = (enum lk_refresh_res)transact(S(ls), LK_SQL_WRITE, TX_TRIES,
	    refresh_tx, &o, OK_BIT(LK_REFRESH_ROTATED) |
	    OK_BIT(LK_REFRESH_REUSED), LK_REFRESH_ERROR);
	/* The live pair is handed back for a replay, and for nothing else. */
	if (r != LK_REFRESH_REPLAY)
		memset(successor, 0, sizeof(*successor));
	return r;
}

/* Give back one reservation of key (inside a transaction). */
static enum lk_store_res
give_back(struct store *s, const char *key, long long window, long long now)
{
	return run(s, ST_THROTTLE_GIVE_BACK, ARGS(T(key), I(now), I(window)),
	    "throttle");
}

static int
give_back_tx(struct store *s, void *arg)
{
	struct op		*o = arg;
	enum lk_store_res	 r = LK_STORE_OK;
	size_t			 i;

	for (i = 0; i < o->count && r == LK_STORE_OK; i++)
		r = give_back(s, o->list[i], o->n, o->now);
	return r;
}

static enum lk_store_res
sql_throttle_give_back(struct lk_store *ls, const char *const *keys, size_t n,
    long long window, long long now)
{
	struct op	o = { .list = keys, .count = n, .n = window, .now = now };

	return write_tx(S(ls), give_back_tx, &o);
}

static int
throttle_clear_tx(struct store *s, void *arg)
{
	struct op		*o = arg;
	enum lk_store_res	 r = LK_STORE_OK;
	size_t			 i;

	for (i = 0; i < o->count && r == LK_STORE_OK; i++)
		r = run(s, ST_THROTTLE_CLEAR, ARGS(T(o->list[i])), "throttle");
	return r;
}

static enum lk_store_res
sql_throttle_clear(struct lk_store *ls, const char *const *keys, size_t n)
{
	struct op	o = { .list = keys, .count = n };

	return write_tx(S(ls), throttle_clear_tx, &o);
}

/* Counts of what the store holds. */

static int
stats_tx(struct store *s, void *arg)
{
	struct op		*o = arg;
	struct lk_store_stats	*st = o->out;
	long long		 v[3];
	int			 i;

	if (prepare(s, ST_STATS, ARGS(I(o->now), I(o->n)), 0, "counts") == -1)
		return LK_STORE_ERROR;
	if (lk_sql_step(s->c) != LK_SQL_ROW)
		return fail(s, "counts"), LK_STORE_ERROR;
	for (i = 0; i < 3; i++)
		if (lk_sql_column_int(s->c, i, &v[i]) == -1) {
			lk_sql_reset(s->c);
			return LK_STORE_ERROR;
		}
	lk_sql_reset(s->c);
	st->users = v[0];
	st->sessions = v[1];
	st->throttled = v[2];
	return LK_STORE_OK;
}

static enum lk_store_res
sql_stats(struct lk_store *ls, long long now, long long since,
    struct lk_store_stats *out)
{
	struct op	o = { .now = now, .n = since, .out = out };

	return read_tx(S(ls), stats_tx, &o);
}

/* The OpenID provider. */

/*
 * Run w with the fields of the struct at base bound to ?1 on: as run_as
 * (expected, hit).
 */
static enum lk_store_res
run_fields(struct store *s, enum stmt w, const struct field *f, size_t n,
    const void *base, const char *what, enum lk_sql_failure expected,
    int *hit)
{
	*hit = 0;
	if (prepare(s, w, NULL, 0, what) == -1)
		return LK_STORE_ERROR;
	if (bind_fields(s->c, 1, f, n, base) == -1)
		return fail(s, what), LK_STORE_ERROR;
	if (lk_sql_step(s->c) == LK_SQL_FAIL) {
		if (failed_as(s, expected)) {
			*hit = 1;
			return LK_STORE_ERROR;
		}
		fail(s, what);
		return LK_STORE_ERROR;
	}
	lk_sql_reset(s->c);
	return LK_STORE_OK;
}

/* The row of w (a) read into the struct at base: as row(). */
static enum lk_store_res
row_fields(struct store *s, enum stmt w, const struct arg *a,
    const struct field *f, size_t n, void *base, const char *what)
{
	enum lk_store_res	r;

	if ((r = row(s, w, a, what)) == LK_STORE_OK) {
		(void)read_fields(s->c, 0, f, n, base, 0);
		lk_sql_reset(s->c);
	}
	return r;
}

static int
client_add_tx(struct store *s, struct lk_oidc_op *o)
{
	enum lk_store_res	r;
	int			taken;

	r = run_fields(s, (enum stmt)(ST_IMPORT + LK_STORE_REC_CLIENT),
	    client_fields, NFIELDS(client_fields), o->in, "add client",
	    LK_SQL_UNIQUE, &taken);
	return taken ? LK_STORE_EXISTS : r;
}

struct oidc_each {
	struct lk_oidc_op	*o;
	union {
		struct lk_oidc_client	client;
		struct lk_oidc_consent	consent;
	}			 u;
};

static int
each_client(struct store *s, void *arg)
{
	struct oidc_each	*e = arg;

	memset(&e->u.client, 0, sizeof(e->u.client));
	(void)read_fields(s->c, 0, client_fields, NFIELDS(client_fields),
	    &e->u.client, 0);
	return e->o->client_fn(&e->u.client, e->o->arg) != 0;
}

static int
each_consent(struct store *s, void *arg)
{
	struct oidc_each	*e = arg;

	memset(&e->u.consent, 0, sizeof(e->u.consent));
	(void)read_fields(s->c, 0, consent_fields, NFIELDS(consent_fields),
	    &e->u.consent, 0);
	return e->o->consent_fn(&e->u.consent, e->o->arg) != 0;
}

static enum lk_store_res
subject_tx(struct store *s, struct lk_oidc_op *o)
{
	char			*out = o->out;
	const char		*t;
	size_t			 len;
	enum lk_store_res	 r;

	if ((r = run(s, ST_SUBJECT_ADD, ARGS(I(o->user_id), T(o->hash)),
	    "subject")) != LK_STORE_OK)
		return r;
	if ((r = row(s, ST_SUBJECT_GET, ARGS(I(o->user_id)), "subject")) !=
	    LK_STORE_OK)
		return r;
	t = lk_sql_column_text(s->c, 0, &len);
	if (t == NULL || len == 0 || len >= (size_t)o->exp) {
		lk_sql_reset(s->c);
		return LK_STORE_ERROR;
	}
	memcpy(out, t, len);
	out[len] = '\0';
	lk_sql_reset(s->c);
	return LK_STORE_OK;
}

/* Make the grant of a code, and its first refresh token if asked. */
static enum lk_store_res
grant_insert(struct store *s, const struct lk_oidc_grant *g,
    const char *refresh, long long refresh_exp, const char *what)
{
	enum lk_store_res	r;
	int			taken;

	r = run_fields(s, (enum stmt)(ST_IMPORT + LK_STORE_REC_GRANT),
	    grant_fields, NFIELDS(grant_fields), g, what, LK_SQL_UNIQUE,
	    &taken);
	if (r != LK_STORE_OK || refresh == NULL)
		return r;
	return run(s, ST_OIDC_REFRESH_ADD, ARGS(T(refresh), T(g->id),
	    I(refresh_exp)), what);
}

/* What LK_OIDC_CODE_REDEEM takes beyond the op. */
struct redeem {
	const struct lk_oidc_grant	*grant;
	int	(*check)(const struct lk_oidc_code *, void *);
	void	*arg;
};

static enum lk_store_res
code_redeem_tx(struct store *s, struct lk_oidc_op *o)
{
	const struct redeem	*rd = o->in;
	struct lk_oidc_code	*c = o->out;
	struct lk_oidc_grant	 g;
	enum lk_store_res	 r;
	long long		 disabled = 1, ended = 1;

	memset(c, 0, sizeof(*c));
	if ((r = row(s, ST_CODE_LOCK, ARGS(T(o->hash)), "redeem code")) !=
	    LK_STORE_OK)
		return r;
	(void)read_fields(s->c, 0, code_fields, NFIELDS(code_fields), c, 0);
	if (lk_sql_column_int(s->c, (int)NFIELDS(code_fields), &disabled) ==
	    -1 || lk_sql_column_int(s->c, (int)NFIELDS(code_fields) + 1,
	    &ended) == -1)
		disabled = ended = 1;
	lk_sql_reset(s->c);
	/* Another client's code is none of its business: not revoked. */
	if (strcmp(c->client_id, o->id) != 0)
		return LK_STORE_NOT_FOUND;
	if (c->used) {
		/* RFC 6749 4.1.2: what the first redemption gave ends. */
		if (c->grant[0] != '\0' && run(s, ST_GRANT_REVOKE,
		    ARGS(T(c->grant)), "redeem code") != LK_STORE_OK)
			return LK_STORE_ERROR;
		return LK_STORE_USED;
	}
	if (c->expires <= o->now || disabled || ended)
		return LK_STORE_NOT_FOUND;
	if (rd->check != NULL && rd->check(c, rd->arg) != 0) {
		if (run(s, ST_CODE_SPEND, ARGS(T(o->hash), T("")),
		    "redeem code") != LK_STORE_OK)
			return LK_STORE_ERROR;
		return LK_STORE_CHANGED;
	}
	g = *rd->grant;
	(void)snprintf(g.client_id, sizeof(g.client_id), "%s", c->client_id);
	g.user_id = c->user_id;
	(void)snprintf(g.session_id, sizeof(g.session_id), "%s",
	    c->session_id);
	(void)snprintf(g.scope, sizeof(g.scope), "%s", c->scope);
	(void)snprintf(g.amr, sizeof(g.amr), "%s", c->amr);
	g.auth_time = c->auth_time;
	g.created = o->now;
	g.revoked = 0;
	if ((r = run(s, ST_CODE_SPEND, ARGS(T(o->hash), T(g.id)),
	    "redeem code")) != LK_STORE_OK)
		return r;
	if ((r = grant_insert(s, &g, o->next, o->exp, "redeem code")) !=
	    LK_STORE_OK)
		return r;
	c->used = 1;
	(void)snprintf(c->grant, sizeof(c->grant), "%s", g.id);
	return LK_STORE_OK;
}

/* The grant (and user) of id if it is live: as lk_store_grant_find. */
static enum lk_store_res
grant_live(struct store *s, const char *id, long long now,
    struct lk_oidc_grant *g, struct lk_user *u, const char *what)
{
	enum lk_store_res	r;

	memset(g, 0, sizeof(*g));
	if (u != NULL)
		memset(u, 0, sizeof(*u));
	if ((r = row(s, ST_GRANT_LIVE, ARGS(T(id), I(now)), what)) !=
	    LK_STORE_OK)
		return r;
	(void)read_fields(s->c, 0, grant_fields, NFIELDS(grant_fields), g, 0);
	if (u != NULL)
		(void)read_fields(s->c, (int)NFIELDS(grant_fields), user_fields,
		    NFIELDS(user_fields), u, 0);
	lk_sql_reset(s->c);
	return LK_STORE_OK;
}

static enum lk_refresh_res
oidc_refresh_tx(struct store *s, struct lk_oidc_op *o)
{
	struct lk_oidc_grant	*g = o->out;
	char			 id[LK_STORE_ID_MAX + 1];
	long long		 rotated_at = 0, exp = 0;
	enum lk_store_res	 r;

	memset(g, 0, sizeof(*g));
	if ((r = row(s, ST_OIDC_REFRESH_LOCK, ARGS(T(o->hash)),
	    "refresh")) == LK_STORE_NOT_FOUND)
		return LK_REFRESH_REVOKED;
	if (r != LK_STORE_OK)
		return LK_REFRESH_ERROR;
	if (lk_sql_column_int(s->c, 0, &rotated_at) == -1 ||
	    lk_sql_column_int(s->c, 1, &exp) == -1)
		exp = 0;
	(void)read_fields(s->c, 2, grant_fields, NFIELDS(grant_fields), g, 0);
	lk_sql_reset(s->c);
	if (strcmp(g->client_id, o->id) != 0 || exp <= o->now)
		return LK_REFRESH_REVOKED;
	if (rotated_at != 0 && o->now - rotated_at > o->grace) {
		/* A retired token played again: the family is stolen. */
		if (run(s, ST_GRANT_REVOKE, ARGS(T(g->id)), "refresh") !=
		    LK_STORE_OK)
			return LK_REFRESH_ERROR;
		return LK_REFRESH_REUSED;
	}
	(void)snprintf(id, sizeof(id), "%s", g->id);
	if ((r = grant_live(s, id, o->now, g, NULL, "refresh")) ==
	    LK_STORE_NOT_FOUND)
		return LK_REFRESH_REVOKED;
	if (r != LK_STORE_OK)
		return LK_REFRESH_ERROR;
	if (rotated_at == 0 && run(s, ST_OIDC_REFRESH_ROTATED,
	    ARGS(T(o->hash), I(o->now)), "refresh") != LK_STORE_OK)
		return LK_REFRESH_ERROR;
	if (run(s, ST_OIDC_REFRESH_ADD, ARGS(T(o->next), T(g->id),
	    I(o->exp)), "refresh") != LK_STORE_OK)
		return LK_REFRESH_ERROR;
	return LK_REFRESH_ROTATED;
}

static enum lk_store_res
refresh_revoke_tx(struct store *s, struct lk_oidc_op *o)
{
	struct lk_oidc_grant	g;
	enum lk_store_res	r;

	if ((r = row(s, ST_OIDC_REFRESH_LOCK, ARGS(T(o->hash)), "revoke")) !=
	    LK_STORE_OK)
		return r;
	(void)read_fields(s->c, 2, grant_fields, NFIELDS(grant_fields), &g, 0);
	lk_sql_reset(s->c);
	if (strcmp(g.client_id, o->id) != 0)
		return LK_STORE_NOT_FOUND;
	return run(s, ST_GRANT_REVOKE, ARGS(T(g.id)), "revoke");
}

static enum lk_store_res
consent_delete_tx(struct store *s, struct lk_oidc_op *o)
{
	enum lk_store_res	r;

	if ((r = run_count(s, ST_CONSENT_DELETE, ARGS(I(o->user_id),
	    T(o->id)), "withdraw consent")) != LK_STORE_OK)
		return r;
	return run(s, ST_GRANTS_REVOKE_USER_CLIENT, ARGS(I(o->user_id),
	    T(o->id)), "withdraw consent");
}

static int
oidc_tx(struct store *s, void *arg)
{
	struct lk_oidc_op	*o = arg;
	struct oidc_each	 e;

	switch (o->what) {
	case LK_OIDC_CLIENT_ADD:
		return client_add_tx(s, o);
	case LK_OIDC_CLIENT_FIND:
		memset(o->out, 0, sizeof(struct lk_oidc_client));
		return row_fields(s, ST_CLIENT_FIND, ARGS(T(o->id)),
		    client_fields, NFIELDS(client_fields), o->out, "client");
	case LK_OIDC_CLIENT_EACH:
		e.o = o;
		return each_row(s, ST_CLIENT_EACH, NULL, "list clients",
		    each_client, &e);
	case LK_OIDC_CLIENT_DELETE:
		return run_count(s, ST_CLIENT_DELETE, ARGS(T(o->id)),
		    "delete client");
	case LK_OIDC_CLIENT_SECRET:
		return run_count(s, ST_CLIENT_SECRET, ARGS(T(o->id),
		    T(o->hash)), "client secret");
	case LK_OIDC_SUBJECT:
		return subject_tx(s, o);
	case LK_OIDC_CODE_ADD:
		return run_fields(s, (enum stmt)(ST_IMPORT + LK_STORE_REC_CODE),
		    code_fields, NFIELDS(code_fields), o->in, "add code",
		    LK_SQL_ERROR, &o->result);
	case LK_OIDC_CODE_REDEEM:
		return code_redeem_tx(s, o);
	case LK_OIDC_REFRESH:
		o->result = (int)oidc_refresh_tx(s, o);
		/* A reuse's revocation is kept; a refusal changes nothing. */
		return o->result == LK_REFRESH_ROTATED ||
		    o->result == LK_REFRESH_REUSED ? LK_STORE_OK :
		    o->result == LK_REFRESH_REVOKED ? LK_STORE_NOT_FOUND :
		    LK_STORE_ERROR;
	case LK_OIDC_GRANT_FIND:
		return grant_live(s, o->id, o->now, o->out, o->out2, "grant");
	case LK_OIDC_GRANT_REVOKE:
		return o->hash == NULL ? run_count(s, ST_GRANT_REVOKE,
		    ARGS(T(o->id)), "revoke grant") : run_count(s,
		    ST_GRANT_REVOKE_CLIENT, ARGS(T(o->id), T(o->hash)),
		    "revoke grant");
	case LK_OIDC_REFRESH_REVOKE:
		return refresh_revoke_tx(s, o);
	case LK_OIDC_CONSENT_PUT:
		return run(s, ST_CONSENT_PUT, ARGS(I(o->user_id), T(o->id),
		    T(o->hash), I(o->now)), "consent");
	case LK_OIDC_CONSENT_FIND:
		memset(o->out, 0, sizeof(struct lk_oidc_consent));
		return row_fields(s, ST_CONSENT_FIND, ARGS(I(o->user_id),
		    T(o->id)), consent_fields, NFIELDS(consent_fields), o->out,
		    "consent");
	case LK_OIDC_CONSENT_EACH:
		e.o = o;
		return each_row(s, ST_CONSENT_EACH, ARGS(I(o->user_id)),
		    "list consents", each_consent, &e);
	case LK_OIDC_CONSENT_DELETE:
		return consent_delete_tx(s, o);
	default:
		return LK_STORE_ERROR;
	}
}

static enum lk_store_res
sql_oidc(struct lk_store *ls, struct lk_oidc_op *o)
{
	struct store	*s = S(ls);

	switch (o->what) {
	case LK_OIDC_CLIENT_FIND:
	case LK_OIDC_CLIENT_EACH:
	case LK_OIDC_GRANT_FIND:
	case LK_OIDC_CONSENT_FIND:
	case LK_OIDC_CONSENT_EACH:
		return read_tx(s, oidc_tx, o);
	case LK_OIDC_CODE_REDEEM:
		/* A replay's revocation and a refused check's spending stay. */
		return (enum lk_store_res)transact(s, LK_SQL_WRITE, TX_TRIES,
		    oidc_tx, o, OK_BIT(LK_STORE_OK) | OK_BIT(LK_STORE_USED) |
		    OK_BIT(LK_STORE_CHANGED), LK_STORE_ERROR);
	default:
		return write_tx(s, oidc_tx, o);
	}
}

/* Second factors. */

static int
mfa_state_tx(struct store *s, void *arg)
{
	struct op		*o = arg;
	struct lk_mfa_state	*m = o->out;
	long long		 v[6];
	const char		*t;
	size_t			 len;
	int			 i;

	if (prepare(s, ST_MFA_STATE, ARGS(I(o->id)), 0, "second factors") == -1)
		return LK_STORE_ERROR;
	if (lk_sql_step(s->c) != LK_SQL_ROW)
		return fail(s, "second factors"), LK_STORE_ERROR;
	for (i = 0; i < 6; i++)
		if (i != 1 && lk_sql_column_int(s->c, i, &v[i]) == -1)
			v[i] = 0;
	m->totp = v[0] == 1;
	m->totp_pending = v[0] == 0;
	m->last_step = v[2];
	m->recovery_left = v[3];
	m->passkeys = v[4];
	m->totp_created = v[5];
	m->secret[0] = '\0';
	if ((t = lk_sql_column_text(s->c, 1, &len)) != NULL &&
	    len < sizeof(m->secret)) {
		memcpy(m->secret, t, len);
		m->secret[len] = '\0';
	}
	lk_sql_reset(s->c);
	return LK_STORE_OK;
}

static enum lk_store_res
sql_mfa_state(struct lk_store *ls, long long user_id, struct lk_mfa_state *out)
{
	struct op	o = { .id = user_id, .out = out };

	return read_tx(S(ls), mfa_state_tx, &o);
}

/* Whether TOTP is on for user_id, its row locked: 1, 0, or -1. */
static int
totp_on(struct store *s, long long user_id, const char *what)
{
	long long	enabled;

	switch (one_int(s, ST_TOTP_ENABLED, ARGS(I(user_id)), &enabled,
	    what)) {
	case LK_STORE_OK:
		return enabled == 1;
	case LK_STORE_NOT_FOUND:
		return 0;
	default:
		return -1;
	}
}

static int
totp_setup_tx(struct store *s, void *arg)
{
	struct op		*o = arg;
	enum lk_store_res	 r;
	int			 gone, on;

	r = run_as(s, ST_TOTP_PUT, ARGS(I(o->id), T(o->a), I(o->now)), 0,
	    "set up TOTP", LK_SQL_FOREIGN, &gone);
	if (gone)
		return LK_STORE_NOT_FOUND;
	if (r != LK_STORE_OK)
		return r;
	/* The upsert leaves a secret in use alone. */
	if ((on = totp_on(s, o->id, "set up TOTP")) == -1)
		return LK_STORE_ERROR;
	return on ? LK_STORE_EXISTS : LK_STORE_OK;
}

static enum lk_store_res
sql_totp_setup(struct lk_store *ls, long long user_id, const char *sealed,
    long long now)
{
	struct op	o = { .id = user_id, .a = sealed, .now = now };

	return write_tx(S(ls), totp_setup_tx, &o);
}

/* Replace the user's recovery codes (inside a transaction). */
static enum lk_store_res
recovery_set(struct store *s, long long user_id, const char *const *hashes,
    size_t n, long long now)
{
	enum lk_store_res	r;
	size_t			i;

	r = run(s, ST_RECOVERY_CLEAR, ARGS(I(user_id)), "recovery codes");
	for (i = 0; i < n && r == LK_STORE_OK; i++)
		r = run(s, ST_RECOVERY_ADD, ARGS(I(user_id), T(hashes[i]),
		    I(now)), "recovery codes");
	return r;
}

static int
totp_enable_tx(struct store *s, void *arg)
{
	struct op		*o = arg;
	enum lk_store_res	 r;

	r = run_count(s, ST_TOTP_ENABLE, ARGS(I(o->id), T(o->a), I(o->n),
	    I(setup_oldest(o->now))), "enable TOTP");
	if (r == LK_STORE_NOT_FOUND)
		return LK_STORE_CHANGED;
	if (r != LK_STORE_OK)
		return r;
	return recovery_set(s, o->id, o->list, o->count, o->now);
}

static enum lk_store_res
sql_totp_enable(struct lk_store *ls, long long user_id, const char *sealed,
    long long step, const char *const *hashes, size_t n, long long now)
{
	struct op	o = { .id = user_id, .a = sealed, .n = step,
			    .list = hashes, .count = n, .now = now };

	return write_tx(S(ls), totp_enable_tx, &o);
}

/*
 * Use up a second factor of user_id (inside a transaction), its TOTP row
 * locked first so that two uses queue on it: a time step after the last,
 * recorded, or a recovery code, deleted.  LK_STORE_USED if it was used
 * already, LK_STORE_NOT_FOUND if TOTP is off.
 */
static enum lk_store_res
factor_use(struct store *s, long long user_id, long long step,
    const char *recovery)
{
	enum lk_store_res	r;
	int			on;

	if ((on = totp_on(s, user_id, "second factors")) != 1)
		return on == 0 ? LK_STORE_NOT_FOUND : LK_STORE_ERROR;
	if (recovery != NULL)
		r = run_count(s, ST_RECOVERY_USE, ARGS(I(user_id), T(recovery)),
		    "recovery code");
	else
		r = run_count(s, ST_TOTP_USE_STEP, ARGS(I(user_id), I(step)),
		    "TOTP step");
	return r == LK_STORE_NOT_FOUND ? LK_STORE_USED : r;
}

/*
 * The second factor of a change (inside its transaction): spent if
 * given, else there must be none.  LK_STORE_USED for a factor used
 * already, one turned off meanwhile, or one turned on meanwhile.
 */
static enum lk_store_res
spend(struct store *s, long long user_id, const struct lk_factor_spend *f)
{
	enum lk_store_res	r;
	int			on;

	if (f->given) {
		r = factor_use(s, user_id, f->step, f->recovery);
		return r == LK_STORE_NOT_FOUND ? LK_STORE_USED : r;
	}
	if ((on = totp_on(s, user_id, "second factors")) == -1)
		return LK_STORE_ERROR;
	return on ? LK_STORE_USED : LK_STORE_OK;
}

static int
totp_disable_tx(struct store *s, void *arg)
{
	struct op		*o = arg;
	enum lk_store_res	 r;

	if ((r = factor_use(s, o->id, o->n, o->a)) != LK_STORE_OK ||
	    (r = run(s, ST_TOTP_DELETE, ARGS(I(o->id)), "disable TOTP")) !=
	    LK_STORE_OK)
		return r;
	return run(s, ST_RECOVERY_CLEAR, ARGS(I(o->id)), "disable TOTP");
}

static enum lk_store_res
sql_totp_disable(struct lk_store *ls, long long user_id, long long step,
    const char *recovery)
{
	struct op	o = { .id = user_id, .n = step, .a = recovery };

	return write_tx(S(ls), totp_disable_tx, &o);
}

static int
recovery_replace_tx(struct store *s, void *arg)
{
	struct op			*o = arg;
	const struct lk_factor_spend	*f = o->in;
	enum lk_store_res		 r;

	/* LK_STORE_NOT_FOUND: TOTP is off, nothing to replace. */
	if ((r = factor_use(s, o->id, f->step, f->recovery)) != LK_STORE_OK)
		return r;
	return recovery_set(s, o->id, o->list, o->count, o->now);
}

static enum lk_store_res
sql_recovery_replace(struct lk_store *ls, long long user_id,
    const struct lk_factor_spend *f, const char *const *hashes, size_t n,
    long long now)
{
	struct op	o = { .id = user_id, .in = f, .list = hashes,
			    .count = n, .now = now };

	return write_tx(S(ls), recovery_replace_tx, &o);
}

static int
mfa_reset_tx(struct store *s, void *arg)
{
	static const enum stmt	 w[] = { ST_TOTP_DELETE, ST_RECOVERY_CLEAR,
	    ST_PENDING_CLEAR_USER };
	struct op		*o = arg;
	struct lk_user		 u;
	enum lk_store_res	 r;
	size_t			 i;

	r = user_lock(s, o->email, &u, "reset");
	for (i = 0; i < sizeof(w) / sizeof(w[0]) && r == LK_STORE_OK; i++)
		r = run(s, w[i], ARGS(I(u.id)), "reset");
	if (r == LK_STORE_OK)
		r = one_int(s, ST_PASSKEY_COUNT, ARGS(I(u.id)), o->out, "reset");
	if (r == LK_STORE_OK && o->n)
		r = run(s, ST_PASSKEYS_CLEAR, ARGS(I(u.id)), "reset");
	return r;
}

static enum lk_store_res
sql_mfa_reset(struct lk_store *ls, const char *email, int passkeys,
    long long *npasskeys)
{
	struct op	o = { .email = email, .n = passkeys, .out = npasskeys };

	return write_tx(S(ls), mfa_reset_tx, &o);
}

/* End every pending login of user_id (inside a transaction). */
static enum lk_store_res
pending_clear(struct store *s, long long user_id)
{
	return run(s, ST_PENDING_CLEAR_USER, ARGS(I(user_id)),
	    "pending logins");
}

static int
mfa_start_tx(struct store *s, void *arg)
{
	const struct lk_mfa_start	*m = ((struct op *)arg)->in;
	long long			 now = ((struct op *)arg)->now;
	enum lk_store_res		 r;

	r = same_user(s, m->user_id, m->hash, m->new_hash, now, "login");
	if (r == LK_STORE_OK)
		r = pending_clear(s, m->user_id);
	if (r == LK_STORE_OK)
		r = run(s, ST_PENDING_ADD, ARGS(T(m->id), I(m->user_id),
		    T(m->new_hash != NULL ? m->new_hash : m->hash),
		    I(m->persistent != 0), I(now), I(m->exp)), "pending login");
	if (r == LK_STORE_OK && m->throttle_account != NULL)
		r = give_back(s, m->throttle_account, m->throttle_window, now);
	if (r == LK_STORE_OK && m->throttle_address != NULL)
		r = give_back(s, m->throttle_address, m->throttle_window, now);
	if (r == LK_STORE_OK)
		r = prune_if_due(s, now);
	return r;
}

static enum lk_store_res
sql_mfa_start(struct lk_store *ls, const struct lk_mfa_start *m,
    long long now)
{
	struct op	o = { .in = m, .now = now };

	return write_tx(S(ls), mfa_start_tx, &o);
}

static int
mfa_pending_tx(struct store *s, void *arg)
{
	struct op		*o = arg;
	struct lk_mfa_pending	*p = o->out;
	enum lk_store_res	 r;
	long long		 v;
	const char		*t;
	size_t			 len;

	if ((r = row(s, ST_PENDING_FIND, ARGS(T(o->a), I(o->now)),
	    "pending login")) != LK_STORE_OK)
		return r;
	(void)read_fields(s->c, 0, user_fields, NFIELDS(user_fields),
	    &p->user, 0);
	if ((t = lk_sql_column_text(s->c, 8, &len)) != NULL &&
	    len < sizeof(p->hash)) {
		memcpy(p->hash, t, len);
		p->hash[len] = '\0';
	}
	p->persistent = lk_sql_column_int(s->c, 9, &v) == 0 && v != 0;
	if (lk_sql_column_int(s->c, 10, &p->exp) == -1)
		p->exp = 0;
	lk_sql_reset(s->c);
	return LK_STORE_OK;
}

static enum lk_store_res
sql_mfa_pending(struct lk_store *ls, const char *id, long long now,
    struct lk_mfa_pending *out)
{
	struct op	o = { .a = id, .now = now, .out = out };

	return read_tx(S(ls), mfa_pending_tx, &o);
}

/*
 * Lock the user's row first, in every operation that ends with a session
 * and touches the user's pending logins, so that they all take their
 * locks in one order (a first step locks it before it ends the others'
 * pending logins) and never wait on each other in a circle.
 */
static enum lk_store_res
lock_user(struct store *s, long long user_id)
{
	enum lk_store_res	r;

	r = row(s, ST_USER_LOCK, ARGS(I(user_id)), "lock user");
	if (r == LK_STORE_OK)
		lk_sql_reset(s->c);
	return r == LK_STORE_ERROR ? r : LK_STORE_OK;
}

static int
mfa_login_tx(struct store *s, void *arg)
{
	const struct lk_mfa_login	*m = ((struct op *)arg)->in;
	const struct lk_login		*l = m->login;
	long long			 now = ((struct op *)arg)->now;
	enum lk_store_res		 r;

	if (lock_user(s, l->user_id) != LK_STORE_OK)
		return LK_STORE_ERROR;
	/* Bound to the user and to the password it proved; used once. */
	r = run_count(s, ST_PENDING_USE, ARGS(T(m->id), I(l->user_id),
	    T(l->hash), I(now)), "pending login");
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
	return r;
}

static enum lk_store_res
sql_mfa_login(struct lk_store *ls, const struct lk_mfa_login *m,
    long long now)
{
	struct op	o = { .in = m, .now = now };

	return write_tx(S(ls), mfa_login_tx, &o);
}

/* Passkeys. */

static int
webauthn_handle_tx(struct store *s, void *arg)
{
	struct op		*o = arg;
	enum lk_store_res	 r;
	const char		*t;
	size_t			 len;

	o->buf[0] = '\0';
	if ((r = run(s, ST_HANDLE_ADD, ARGS(I(o->id), T(o->a)),
	    "user handle")) != LK_STORE_OK)
		return r;
	if (row(s, ST_HANDLE_GET, ARGS(I(o->id)), "user handle") !=
	    LK_STORE_OK)
		return LK_STORE_ERROR;
	if ((t = lk_sql_column_text(s->c, 0, &len)) != NULL &&
	    len < o->bufsz) {
		memcpy(o->buf, t, len);
		o->buf[len] = '\0';
	}
	lk_sql_reset(s->c);
	return o->buf[0] != '\0' ? LK_STORE_OK : LK_STORE_ERROR;
}

static enum lk_store_res
sql_webauthn_handle(struct lk_store *ls, long long user_id,
    const char *candidate, char *out, size_t outsz)
{
	struct op		o = { .id = user_id, .a = candidate,
				    .buf = out, .bufsz = outsz };
	enum lk_store_res	r;

	if (outsz == 0)
		return LK_STORE_ERROR;
	if ((r = write_tx(S(ls), webauthn_handle_tx, &o)) != LK_STORE_OK)
		out[0] = '\0';
	return r;
}

/*
 * The count of live challenges is a bound on what one address can make
 * the table hold, not an exact quota: nodes racing may pass it by a few.
 */
static int
challenge_add_tx(struct store *s, void *arg)
{
	struct op			*o = arg;
	const struct lk_challenge	*c = o->in;
	const char			*kind = challenge_kinds[c->kind];
	enum lk_store_res		 r;
	long long			 live;

	if ((r = run(s, ST_PRUNE_CHALLENGES, ARGS(I(o->now)), "challenge")) !=
	    LK_STORE_OK)
		return r;
	if (one_int(s, ST_CHALLENGE_COUNT, ARGS(T(c->address), T(kind)), &live,
	    "challenge") != LK_STORE_OK)
		return LK_STORE_ERROR;
	if (live >= o->n)
		return LK_STORE_LIMIT;
	/* Bound to the proof the registration was asked with. */
	if (o->in2 != NULL && (r = spend(s, c->user_id, o->in2)) !=
	    LK_STORE_OK)
		return r;
	return run(s, ST_CHALLENGE_ADD, ARGS(T(c->challenge), T(kind),
	    I(c->user_id), T(c->address), I(c->exp)), "challenge");
}

static enum lk_store_res
sql_challenge_add(struct lk_store *ls, const struct lk_challenge *c,
    long long limit, const struct lk_factor_spend *f, long long now)
{
	struct op	o = { .in = c, .in2 = f, .n = limit, .now = now };

	return write_tx(S(ls), challenge_add_tx, &o);
}

/* Use up a live challenge (inside a transaction). */
static enum lk_store_res
challenge_use(struct store *s, const char *challenge,
    enum lk_challenge_kind kind, long long user_id, long long now)
{
	return run_count(s, ST_CHALLENGE_USE, ARGS(T(challenge),
	    T(challenge_kinds[kind]), I(user_id), I(now)), "challenge");
}

static int
passkey_add_tx(struct store *s, void *arg)
{
	struct op		*o = arg;
	const struct lk_passkey	*p = o->in;
	enum lk_store_res	 r;
	long long		 n;
	int			 taken;

	if ((r = challenge_use(s, o->a, LK_CHALLENGE_REGISTER, p->user_id,
	    o->now)) != LK_STORE_OK)
		return r;
	/* The user's row locked: two registrations count one after the other. */
	if (lock_user(s, p->user_id) != LK_STORE_OK ||
	    one_int(s, ST_PASSKEY_COUNT, ARGS(I(p->user_id)), &n,
	    "passkeys") != LK_STORE_OK)
		return LK_STORE_ERROR;
	if (n >= o->n)
		return LK_STORE_LIMIT;
	r = run_as(s, ST_PASSKEY_ADD, ARGS(T(p->id), T(p->credential_id),
	    I(p->user_id), I(p->alg), T(p->public_key), I(p->sign_count),
	    I(p->flags), T(p->aaguid), T(p->name), I(o->now)), 0,
	    "add passkey", LK_SQL_UNIQUE, &taken);
	return taken ? LK_STORE_EXISTS : r;
}

static enum lk_store_res
sql_passkey_add(struct lk_store *ls, const char *challenge,
    const struct lk_passkey *p, long long max, long long now)
{
	struct op	o = { .a = challenge, .in = p, .n = max, .now = now };

	return write_tx(S(ls), passkey_add_tx, &o);
}

static int
passkey_find_tx(struct store *s, void *arg)
{
	struct op		*o = arg;
	enum lk_store_res	 r;
	const char		*t;
	size_t			 len;

	if ((r = row(s, ST_PASSKEY_FIND, ARGS(T(o->a)), "find passkey")) !=
	    LK_STORE_OK)
		return r;
	(void)read_fields(s->c, 0, passkey_fields, NFIELDS(passkey_fields),
	    o->out, 0);
	(void)read_fields(s->c, 11, user_fields, NFIELDS(user_fields),
	    o->out2, 0);
	if ((t = lk_sql_column_text(s->c, 19, &len)) != NULL &&
	    len < o->bufsz) {
		memcpy(o->buf, t, len);
		o->buf[len] = '\0';
	}
	lk_sql_reset(s->c);
	return LK_STORE_OK;
}

static enum lk_store_res
sql_passkey_find(struct lk_store *ls, const char *credential_id,
    struct lk_passkey *p, struct lk_user *user, char *handle, size_t handlesz)
{
	struct op	o = { .a = credential_id, .out = p, .out2 = user,
			    .buf = handle, .bufsz = handlesz };

	return read_tx(S(ls), passkey_find_tx, &o);
}

static int
passkey_login_tx(struct store *s, void *arg)
{
	const struct lk_passkey_login	*pl = ((struct op *)arg)->in;
	const struct lk_login		*l = pl->login;
	long long			 now = ((struct op *)arg)->now;
	enum lk_store_res		 r;

	if (lock_user(s, l->user_id) != LK_STORE_OK)
		return LK_STORE_ERROR;
	r = challenge_use(s, pl->challenge, LK_CHALLENGE_LOGIN, 0, now);
	if (r == LK_STORE_OK && (r = run_count(s, ST_PASSKEY_COUNTER,
	    ARGS(T(pl->id), I(pl->old_count), I(pl->new_count), I(now)),
	    "passkey counter")) == LK_STORE_NOT_FOUND)
		r = LK_STORE_CHANGED;
	if (r == LK_STORE_OK)
		r = start_session(s, l, now, 0);
	if (r == LK_STORE_OK)
		r = pending_clear(s, l->user_id);
	if (r == LK_STORE_OK)
		r = prune_if_due(s, now);
	return r;
}

static enum lk_store_res
sql_passkey_login(struct lk_store *ls, const struct lk_passkey_login *pl,
    long long now)
{
	struct op	o = { .in = pl, .now = now };

	return write_tx(S(ls), passkey_login_tx, &o);
}

static int
each_passkey(struct store *s, void *arg)
{
	struct each		*e = arg;
	struct lk_passkey	 p;

	memset(&p, 0, sizeof(p));
	(void)read_fields(s->c, 0, passkey_fields, NFIELDS(passkey_fields), &p,
	    0);
	return e->passkey(&p, e->arg) != 0;
}

static int
passkey_each_tx(struct store *s, void *arg)
{
	struct each	*e = arg;

	return each_row(s, ST_PASSKEY_EACH, ARGS(I(e->id)), "passkeys",
	    each_passkey, e);
}

static enum lk_store_res
sql_passkey_each(struct lk_store *ls, long long user_id,
    int (*fn)(const struct lk_passkey *, void *), void *arg)
{
	struct each	e = { .passkey = fn, .arg = arg, .id = user_id };

	return (enum lk_store_res)transact(S(ls), LK_SQL_READ, 1,
	    passkey_each_tx, &e, 0, LK_STORE_ERROR);
}

static int
passkey_delete_tx(struct store *s, void *arg)
{
	struct op	*o = arg;

	return run_count(s, ST_PASSKEY_DELETE, ARGS(I(o->id), T(o->a)),
	    "delete passkey");
}

static enum lk_store_res
sql_passkey_delete(struct lk_store *ls, long long user_id, const char *id)
{
	struct op	o = { .id = user_id, .a = id };

	return write_tx(S(ls), passkey_delete_tx, &o);
}

/* A user's sessions. */

static int
each_session(struct store *s, void *arg)
{
	struct each		*e = arg;
	struct lk_session	 se;

	memset(&se, 0, sizeof(se));
	(void)read_fields(s->c, 0, session_fields, NFIELDS(session_fields),
	    &se, 0);
	return e->session(&se, e->arg) != 0;
}

static int
session_each_tx(struct store *s, void *arg)
{
	struct each	*e = arg;

	return each_row(s, ST_SESSION_EACH, ARGS(I(e->id), I(e->now)),
	    "sessions", each_session, e);
}

static enum lk_store_res
sql_session_each(struct lk_store *ls, long long user_id, long long now,
    int (*fn)(const struct lk_session *, void *), void *arg)
{
	struct each	e = { .session = fn, .arg = arg, .id = user_id,
			    .now = now };

	return (enum lk_store_res)transact(S(ls), LK_SQL_READ, 1,
	    session_each_tx, &e, 0, LK_STORE_ERROR);
}

static int
session_end_tx(struct store *s, void *arg)
{
	struct op	*o = arg;
	long long	*n = o->out;

	if (prepare(s, o->a != NULL ? ST_SESSION_END_ONE :
	    ST_SESSION_END_OTHERS, ARGS(I(o->id), T(o->a != NULL ? o->a :
	    o->b), I(o->now)), 0, "end sessions") == -1)
		return LK_STORE_ERROR;
	if (lk_sql_step(s->c) == LK_SQL_FAIL)
		return fail(s, "end sessions"), LK_STORE_ERROR;
	*n = lk_sql_changes(s->c);
	lk_sql_reset(s->c);
	return o->a != NULL && *n == 0 ? LK_STORE_NOT_FOUND : LK_STORE_OK;
}

static enum lk_store_res
sql_session_end(struct lk_store *ls, long long user_id, const char *id,
    const char *keep, long long now, long long *n)
{
	struct op		o = { .id = user_id, .a = id, .b = keep,
				    .now = now, .out = n };
	enum lk_store_res	r;

	if ((r = write_tx(S(ls), session_end_tx, &o)) != LK_STORE_OK &&
	    r != LK_STORE_NOT_FOUND)
		*n = 0;
	return r;
}

/* One-time links. */

/* Whether an account in the state of u can use a link for purpose. */
static int
link_usable(enum lk_link_purpose purpose, const struct lk_user *u)
{
	if (u->disabled)
		return 0;
	return purpose == LK_LINK_RESET ? !lk_store_user_pending(u) :
	    lk_store_user_pending(u);
}

static int
link_add_tx(struct store *s, void *arg)
{
	struct op			*o = arg;
	const struct lk_link_new	*link = o->in;
	struct lk_user			*user = o->out;
	enum lk_store_res		 r;
	long long			 invited;

	if ((r = user_lock(s, link->email, user, "add link")) ==
	    LK_STORE_ERROR)
		return r;
	if (link->purpose == LK_LINK_RESET) {
		if (r != LK_STORE_OK || !link_usable(link->purpose, user))
			return LK_STORE_NOT_FOUND;
	} else if (r == LK_STORE_OK && !link_usable(link->purpose, user))
		return LK_STORE_EXISTS;
	else if (r == LK_STORE_OK && link->purpose == LK_LINK_SIGNUP) {
		if (one_int(s, ST_LINK_INVITED, ARGS(I(user->id), I(o->now)),
		    &invited, "add link") != LK_STORE_OK)
			return LK_STORE_ERROR;
		/* An administrator's invitation stands. */
		if (invited)
			return LK_STORE_EXISTS;
	} else if (r == LK_STORE_NOT_FOUND) {
		r = user_insert(s, link->email, link->name, "", o->now,
		    "add pending");
		/* Made meanwhile by another: all of it again, with that one. */
		if (r == LK_STORE_EXISTS) {
			s->raced = 1;
			return LK_STORE_ERROR;
		}
		if (r != LK_STORE_OK ||
		    (r = user_lock(s, link->email, user, "add link")) !=
		    LK_STORE_OK)
			return r == LK_STORE_NOT_FOUND ? LK_STORE_ERROR : r;
	}
	if (link->purpose != LK_LINK_RESET && link->ngroups > 0 &&
	    (r = members_insert(s, link->groups, link->ngroups, user->id,
	    o->now, "add link")) != LK_STORE_OK)
		return r;
	/* A newer request voids the older links of its kind. */
	if ((r = run(s, link->purpose == LK_LINK_RESET ? ST_LINKS_CLEAR_RESET :
	    ST_LINKS_CLEAR_INVITE, ARGS(I(user->id)), "add link")) !=
	    LK_STORE_OK)
		return r;
	return run(s, ST_LINK_ADD, ARGS(T(link->hash), I(user->id),
	    T(purpose_names[link->purpose]), I(o->now), I(link->expires)),
	    "add link");
}

static enum lk_store_res
sql_link_add(struct lk_store *ls, const struct lk_link_new *link,
    long long now, struct lk_user *user)
{
	struct op		o = { .in = link, .out = user, .now = now };
	enum lk_store_res	r;

	r = write_tx(S(ls), link_add_tx, &o);
	if (r != LK_STORE_OK && r != LK_STORE_EXISTS)
		memset(user, 0, sizeof(*user));
	return r;
}

static int
link_find_tx(struct store *s, void *arg)
{
	static const struct field head[] = {
		FPURPOSE(struct lk_link, purpose), FLL(struct lk_link, created),
		FLL(struct lk_link, expires),
	};
	struct op		*o = arg;
	struct lk_link		*l = o->out;
	enum lk_store_res	 r;

	if ((r = row(s, ST_LINK_FIND, ARGS(T(o->a)), "find link")) !=
	    LK_STORE_OK)
		return r;
	(void)read_fields(s->c, 0, head, NFIELDS(head), l, 0);
	(void)read_fields(s->c, 3, user_fields, NFIELDS(user_fields), &l->user,
	    0);
	lk_sql_reset(s->c);
	if (l->purpose < LK_LINK__MAX &&
	    (o->n & LK_LINK_BIT(l->purpose)) != 0 && l->expires > o->now &&
	    link_usable(l->purpose, &l->user))
		return LK_STORE_OK;
	return LK_STORE_NOT_FOUND;
}

static enum lk_store_res
sql_link_find(struct lk_store *ls, const char *hash, unsigned int purposes,
    long long now, struct lk_link *out)
{
	struct op		o = { .a = hash, .n = purposes, .now = now,
				    .out = out };
	enum lk_store_res	r;

	if ((r = read_tx(S(ls), link_find_tx, &o)) != LK_STORE_OK)
		memset(out, 0, sizeof(*out));
	return r;
}

/*
 * The checks of a link's use, inside its transaction: its account locked
 * first (the order of every password change), then the link, each as the
 * caller found it.
 */
static enum lk_store_res
link_check(struct store *s, const struct lk_link_use *u, long long now)
{
	enum lk_store_res	 r;
	enum lk_link_purpose	 purpose;
	long long		 user_id, expires;
	const char		*t;
	size_t			 len;
	int			 same, live;

	r = same_user(s, u->user_id, u->user_hash, NULL, now, "use link");
	if (r == LK_STORE_ERROR)
		return r;
	same = r == LK_STORE_OK;
	if ((r = row(s, ST_LINK_LOCK, ARGS(T(u->hash)), "use link")) ==
	    LK_STORE_ERROR)
		return r;
	live = 0;
	if (r == LK_STORE_OK) {
		t = lk_sql_column_text(s->c, 1, &len);
		purpose = (enum lk_link_purpose)word_index(purpose_names,
		    LK_LINK__MAX, t, len);
		live = lk_sql_column_int(s->c, 0, &user_id) == 0 &&
		    user_id == u->user_id && purpose < LK_LINK__MAX &&
		    (u->purposes & LK_LINK_BIT(purpose)) != 0 &&
		    lk_sql_column_int(s->c, 2, &expires) == 0 && expires > now;
		lk_sql_reset(s->c);
	}
	if (!live)
		return LK_STORE_NOT_FOUND;
	return same ? LK_STORE_OK : LK_STORE_CHANGED;
}

/*
 * The second factor of a link's use (inside its transaction, the TOTP row
 * locked): spent if given, else there must be none.  LK_STORE_USED for a
 * factor used already, one turned off meanwhile, or one turned on
 * meanwhile.
 */
static enum lk_store_res
link_factor(struct store *s, const struct lk_link_use *u)
{
	struct lk_factor_spend	f;

	f.given = u->factor;
	f.step = u->step;
	f.recovery = u->recovery;
	return spend(s, u->user_id, &f);
}

static int
link_use_tx(struct store *s, void *arg)
{
	struct op			*o = arg;
	const struct lk_link_use	*u = o->in;
	struct lk_login			 l;
	enum lk_store_res		 r;

	if ((r = link_check(s, u, o->now)) != LK_STORE_OK ||
	    (r = link_factor(s, u)) != LK_STORE_OK ||
	    (r = run(s, ST_SET_HASH_BY_ID, ARGS(I(u->user_id), T(u->new_hash),
	    I(o->now)), "use link")) != LK_STORE_OK ||
	    (r = invalidate(s, u->user_id, o->now)) != LK_STORE_OK ||
	    (r = passkeys_keep(s, u->user_id, &u->keep)) != LK_STORE_OK)
		return r;
	/* A completed reset lifts the account's lockout (not the address's). */
	if (u->throttle_account != NULL && (r = run(s, ST_THROTTLE_CLEAR,
	    ARGS(T(u->throttle_account)), "use link")) != LK_STORE_OK)
		return r;
	if (u->throttle_address != NULL && (r = give_back(s,
	    u->throttle_address, u->throttle_window, o->now)) != LK_STORE_OK)
		return r;
	if (u->session == NULL)
		return LK_STORE_OK;
	/* The account as it now is: the new hash, no other session. */
	memset(&l, 0, sizeof(l));
	l.user_id = u->user_id;
	l.hash = u->new_hash;
	l.session = u->session;
	l.tokens = u->tokens;
	r = start_session(s, &l, o->now, 0);
	return r == LK_STORE_CHANGED ? LK_STORE_ERROR : r;
}

static enum lk_store_res
sql_link_use(struct lk_store *ls, const struct lk_link_use *u, long long now)
{
	struct op	o = { .in = u, .now = now };

	return write_tx(S(ls), link_use_tx, &o);
}

/* Copies. */

struct export {
	enum lk_store_rec	 kind;
	int			(*fn)(const struct lk_store_record *, void *);
	void			*arg;
	int			 stopped;
	struct lk_store_record	 rec;
};

/* The current row of an export as a record; -1 if it does not fit. */
static int
row_to_record(struct lk_sqlc *c, enum lk_store_rec kind,
    struct lk_store_record *rec)
{
	const struct part	*p = rec_parts[kind];
	int			 col = 0, i;

	memset(rec, 0, sizeof(*rec));
	rec->kind = kind;
	for (i = 0; i < 3 && p[i].f != NULL; i++) {
		if (read_fields(c, col, p[i].f, p[i].n, (char *)rec +
		    p[i].base, 1) == -1)
			return -1;
		col += (int)p[i].n;
	}
	return 0;
}

static int
export_row(struct store *s, void *arg)
{
	struct export	*x = arg;

	if (row_to_record(s->c, x->kind, &x->rec) == -1) {
		lk_log(LK_LOG_ERR, "database: export: a %s that does not fit "
		    "latchkey's limits", lk_store_rec_name(x->kind));
		return -1;
	}
	if (x->fn(&x->rec, x->arg) != 0) {
		x->stopped = 1;
		return 1;
	}
	return 0;
}

static int
export_tx(struct store *s, void *arg)
{
	struct export		*x = arg;
	enum lk_store_res	 r = LK_STORE_OK;
	int			 kind;

	for (kind = 0; kind < LK_STORE_REC__MAX && r == LK_STORE_OK &&
	    !x->stopped; kind++) {
		x->kind = (enum lk_store_rec)kind;
		r = each_row(s, (enum stmt)(ST_EXPORT + kind), NULL, "export",
		    export_row, x);
	}
	return r;
}

static enum lk_store_res
sql_export(struct lk_store *ls, int (*fn)(const struct lk_store_record *,
    void *), void *arg)
{
	struct export		*x;
	enum lk_store_res	 r;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return LK_STORE_ERROR;
	x->fn = fn;
	x->arg = arg;
	/* One snapshot for every table, read only: never committed. */
	r = (enum lk_store_res)transact(S(ls), LK_SQL_SNAPSHOT, 1, export_tx,
	    x, 0, LK_STORE_ERROR);
	lk_explicit_bzero(x, sizeof(*x));
	free(x);
	return r;
}

struct import {
	struct store	*s;
	int		 replace;
	enum lk_store_res (*feed)(void *,
			    int (*)(const struct lk_store_record *, void *),
			    void *);
	void		*feedarg;
	int		 failed;
};

static int
put_record(const struct lk_store_record *rec, void *arg)
{
	struct import		*im = arg;
	struct store		*s = im->s;
	const struct part	*p;
	char			 what[64];
	int			 col = 1, i;

	if (im->failed || rec->kind >= LK_STORE_REC__MAX) {
		im->failed = 1;
		return -1;
	}
	(void)snprintf(what, sizeof(what), "copy: a %s",
	    lk_store_rec_name(rec->kind));
	p = rec_parts[rec->kind];
	if (prepare(s, (enum stmt)(ST_IMPORT + rec->kind), NULL, 0,
	    what) == -1) {
		im->failed = 1;
		return -1;
	}
	for (i = 0; i < 3 && p[i].f != NULL; i++) {
		if (bind_fields(s->c, col, p[i].f, p[i].n, (const char *)rec +
		    p[i].base) == -1) {
			fail(s, what);
			im->failed = 1;
			return -1;
		}
		col += (int)p[i].n;
	}
	if (lk_sql_step(s->c) == LK_SQL_FAIL) {
		fail(s, what);
		im->failed = 1;
		return -1;
	}
	lk_sql_reset(s->c);
	return 0;
}

static int
import_tx(struct store *s, void *arg)
{
	struct import		*im = arg;
	enum lk_store_res	 r;
	long long		 full;
	int			 kind;

	/* No node writes while the tables are checked and filled. */
	for (kind = 0; kind < LK_STORE_REC__MAX; kind++)
		if (run(s, (enum stmt)(ST_LOCK + kind), NULL, "copy") !=
		    LK_STORE_OK)
			return LK_STORE_ERROR;
	if (one_int(s, ST_ANY_RECORD, NULL, &full, "copy") != LK_STORE_OK)
		return LK_STORE_ERROR;
	if (full && !im->replace)
		return LK_STORE_EXISTS;
	for (kind = LK_STORE_REC__MAX - 1; full && kind >= 0; kind--)
		if (run(s, (enum stmt)(ST_CLEAR + kind), NULL, "copy") !=
		    LK_STORE_OK)
			return LK_STORE_ERROR;
	r = im->feed(im->feedarg, put_record, im);
	if (r == LK_STORE_OK && im->failed)
		r = LK_STORE_ERROR;
	if (r == LK_STORE_OK && one_int(s, ST_USER_ID_NEXT, NULL, &full,
	    "copy") == LK_STORE_ERROR)
		r = LK_STORE_ERROR;
	return r;
}

static enum lk_store_res
sql_import(struct lk_store *ls, int replace,
    enum lk_store_res (*feed)(void *,
    int (*)(const struct lk_store_record *, void *), void *), void *feedarg)
{
	struct import	im = { S(ls), replace, feed, feedarg, 0 };

	/* Once: the feed cannot be read again. */
	return (enum lk_store_res)transact(S(ls), LK_SQL_COPY, 1, import_tx,
	    &im, OK_BIT(LK_STORE_OK), LK_STORE_ERROR);
}

static const struct lk_store_ops sql_ops = {
	sql_close,
	sql_user_find,
	sql_user_add,
	sql_user_set_name,
	sql_user_set_password,
	sql_user_set_disabled,
	sql_user_delete,
	sql_user_each,
	sql_token_check,
	sql_throttle_reserve,
	sql_login,
	sql_password_change,
	sql_refresh,
	sql_logout,
	sql_prune,
	sql_export,
	sql_import,
	sql_throttle_give_back,
	sql_mfa_state,
	sql_totp_setup,
	sql_totp_enable,
	sql_totp_disable,
	sql_recovery_replace,
	sql_mfa_reset,
	sql_mfa_start,
	sql_mfa_pending,
	sql_mfa_login,
	sql_webauthn_handle,
	sql_challenge_add,
	sql_passkey_add,
	sql_passkey_find,
	sql_passkey_login,
	sql_passkey_each,
	sql_passkey_delete,
	sql_session_each,
	sql_session_end,
	sql_link_add,
	sql_link_find,
	sql_link_use,
	sql_throttle_clear,
	sql_user_add_groups,
	sql_user_groups,
	sql_user_each_groups,
	sql_group_add,
	sql_group_delete,
	sql_group_each,
	sql_member_add,
	sql_member_delete,
	sql_stats,
	sql_oidc,
	sql_audit_add,
	sql_audit_each,
};

/* The store's public functions: each hands the call to the operation. */

/* A factor to spend names exactly one proof; none names nothing. */
static int
factor_ok(const struct lk_factor_spend *f)
{
	return !f->given || (f->step < 0) == (f->recovery != NULL);
}

int
lk_store_is_uri(const char *where)
{
	return lk_sql_engine_of(where) != LK_SQL_SQLITE;
}

struct lk_store *
lk_store_open(const char *where, const struct lk_store_options *opts,
    char *err, size_t errsz)
{
	struct lk_sql_options	 so;
	struct store		*s;
	struct lk_sqlc		*c;
	enum lk_sql_engine	 e;

	if (where == NULL || *where == '\0') {
		(void)snprintf(err, errsz, "no database named");
		return NULL;
	}
	memset(&so, 0, sizeof(so));
	so.create = opts->create;
	so.password_file = opts->password_file;
	if ((c = lk_sql_open(where, &so, err, errsz)) == NULL)
		return NULL;
	e = c->drv->engine;
	if (lk_sql_migrate(c, lk_store_schema[e].m, lk_store_schema[e].n,
	    LK_STORE_SCHEMA_VERSION, err, errsz) == -1) {
		lk_sql_close(c);
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		(void)snprintf(err, errsz, "out of memory");
		lk_sql_close(c);
		return NULL;
	}
	s->base.ops = &sql_ops;
	s->base.leeway = opts->leeway;
	s->base.audit_retention = opts->audit_retention > 0 ?
	    opts->audit_retention : 0;
	s->base.sessions_max = opts->sessions_max > 0 ? opts->sessions_max : 0;
	s->c = c;
	s->sql = stmt_tables[e];
	return &s->base;
}

struct lk_store *
lk_store_sqlite_open(const char *path, int create, char *err, size_t errsz)
{
	struct lk_store_options	opts;

	memset(&opts, 0, sizeof(opts));
	opts.create = create;
	return lk_store_open(path, &opts, err, errsz);
}

int
lk_store_schema_version(void)
{
	return LK_STORE_SCHEMA_VERSION;
}

int
lk_store_probe(const char *where, const char *password_file, int *version,
    char *err, size_t errsz)
{
	struct lk_sql_options	 so;
	struct lk_sqlc		*c;
	long long		 v = 0;
	char			 msg[256];
	int			 rc = -1;
	const char		*sql;

	*version = 0;
	if (where == NULL || *where == '\0') {
		(void)snprintf(err, errsz, "no database named");
		return -1;
	}
	/* PostgreSQL and MariaDB keep it in a table of their own. */
	sql = lk_sql_engine_of(where) == LK_SQL_SQLITE ? "PRAGMA user_version" :
	    "SELECT version FROM schema_version";
	memset(&so, 0, sizeof(so));
	so.password_file = password_file;
	if ((c = lk_sql_open(where, &so, err, errsz)) == NULL)
		return -1;
	if (lk_sql_prepare(c, ST__MAX, sql, 0) == -1) {
		(void)lk_sql_failure(c, msg, sizeof(msg));
		(void)snprintf(err, errsz, "%s: schema version: %s", where, msg);
		goto out;
	}
	switch (lk_sql_step(c)) {
	case LK_SQL_ROW:
		if (lk_sql_column_int(c, 0, &v) == -1 || v < 0 || v > 1000000) {
			(void)snprintf(err, errsz, "%s: schema version: not a "
			    "number", where);
			goto out;
		}
		break;
	case LK_SQL_DONE:
		break;
	default:
		(void)lk_sql_failure(c, msg, sizeof(msg));
		/* A server database without the table: nothing made yet. */
		if (lk_sql_engine_of(where) == LK_SQL_SQLITE ||
		    strstr(msg, "schema_version") == NULL) {
			(void)snprintf(err, errsz, "%s: schema version: %s",
			    where, msg);
			goto out;
		}
		break;
	}
	*version = (int)v;
	rc = 0;
out:
	lk_sql_reset(c);
	lk_sql_close(c);
	return rc;
}

const char *
lk_store_rec_name(enum lk_store_rec kind)
{
	static const char *const names[LK_STORE_REC__MAX] = {
		[LK_STORE_REC_USER] = "user",
		[LK_STORE_REC_GROUP] = "group",
		[LK_STORE_REC_MEMBER] = "group membership",
		[LK_STORE_REC_AUDIT] = "audit event",
		[LK_STORE_REC_DELETED] = "deleted-user mark",
		[LK_STORE_REC_SESSION] = "session",
		[LK_STORE_REC_TOKENS] = "refresh token",
		[LK_STORE_REC_REVOKED] = "revocation",
		[LK_STORE_REC_THROTTLE] = "throttle counter",
		[LK_STORE_REC_TOTP] = "TOTP secret",
		[LK_STORE_REC_RECOVERY] = "recovery code",
		[LK_STORE_REC_PENDING] = "pending login",
		[LK_STORE_REC_WEBAUTHN_USER] = "WebAuthn user handle",
		[LK_STORE_REC_PASSKEY] = "passkey",
		[LK_STORE_REC_CHALLENGE] = "WebAuthn challenge",
		[LK_STORE_REC_LINK] = "one-time link",
		[LK_STORE_REC_SUBJECT] = "OpenID subject",
		[LK_STORE_REC_CLIENT] = "OpenID client",
		[LK_STORE_REC_GRANT] = "OpenID grant",
		[LK_STORE_REC_CODE] = "authorization code",
		[LK_STORE_REC_OIDC_REFRESH] = "OpenID refresh token",
		[LK_STORE_REC_CONSENT] = "OpenID consent",
	};

	return kind < LK_STORE_REC__MAX ? names[kind] : "record";
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

int
lk_store_user_pending(const struct lk_user *u)
{
	return u->hash[0] == '\0';
}

const char *
lk_link_purpose_name(enum lk_link_purpose p)
{
	return p < LK_LINK__MAX ? purpose_names[p] : "unknown";
}

enum lk_store_res
lk_store_link_add(struct lk_store *s, const struct lk_link_new *link,
    long long now, struct lk_user *user)
{
	memset(user, 0, sizeof(*user));
	if (s == NULL || link->purpose >= LK_LINK__MAX)
		return LK_STORE_ERROR;
	return s->ops->link_add(s, link, now, user);
}

enum lk_store_res
lk_store_link_find(struct lk_store *s, const char *hash, unsigned int purposes,
    long long now, struct lk_link *out)
{
	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->link_find(s, hash, purposes, now, out);
}

enum lk_store_res
lk_store_link_use(struct lk_store *s, const struct lk_link_use *use,
    long long now)
{
	if (s == NULL || use->new_hash == NULL || use->new_hash[0] == '\0')
		return LK_STORE_ERROR;
	return s->ops->link_use(s, use, now);
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
	/* A pending account's empty hash is matched by no password. */
	if (l->hash == NULL || l->hash[0] == '\0')
		return LK_STORE_CHANGED;
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

enum lk_store_res
lk_store_throttle_give_back(struct lk_store *s, const char *const *keys,
    size_t n, long long window, long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->throttle_give_back(s, keys, n, window, now);
}

enum lk_store_res
lk_store_throttle_clear(struct lk_store *s, const char *const *keys,
    size_t n)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->throttle_clear(s, keys, n);
}

enum lk_store_res
lk_store_user_add_groups(struct lk_store *s, const char *email,
    const char *name, const char *hash, const char *const *groups, size_t n,
    long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->user_add_groups(s, email, name, hash, groups, n, now);
}

enum lk_store_res
lk_store_user_groups(struct lk_store *s, const char *email,
    struct lk_store_groups *out)
{
	if (s == NULL) {
		memset(out, 0, sizeof(*out));
		return LK_STORE_ERROR;
	}
	return s->ops->user_groups(s, email, out);
}

enum lk_store_res
lk_store_user_each_groups(struct lk_store *s, int (*fn)(const struct lk_user *,
    const struct lk_store_groups *, void *), void *arg)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->user_each_groups(s, fn, arg);
}

enum lk_store_res
lk_store_group_add(struct lk_store *s, const char *name,
    const char *description, long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->group_add(s, name, description, now);
}

enum lk_store_res
lk_store_group_delete(struct lk_store *s, const char *name)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->group_delete(s, name);
}

enum lk_store_res
lk_store_group_each(struct lk_store *s,
    int (*fn)(const struct lk_group *, void *), void *arg)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->group_each(s, fn, arg);
}

enum lk_store_res
lk_store_member_add(struct lk_store *s, const char *group, const char *email,
    long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->member_add(s, group, email, now);
}

enum lk_store_res
lk_store_member_delete(struct lk_store *s, const char *group,
    const char *email)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->member_delete(s, group, email, NULL);
}

enum lk_store_res
lk_store_audit_add(struct lk_store *s, const struct lk_audit *a)
{
	if (s == NULL || a == NULL)
		return LK_STORE_ERROR;
	return s->ops->audit_add(s, a);
}

enum lk_store_res
lk_store_audit_each(struct lk_store *s, const struct lk_audit_filter *f,
    int (*fn)(const struct lk_audit *, void *), void *arg)
{
	if (s == NULL || f == NULL || f->limit < 1 ||
	    f->limit > LK_STORE_AUDIT_PAGE_MAX || f->since < 0 ||
	    f->until < 0 || f->before < 0)
		return LK_STORE_ERROR;
	return s->ops->audit_each(s, f, fn, arg);
}

enum lk_store_res
lk_store_member_delete_keep(struct lk_store *s, const char *group,
    const char *email, const char *keep)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->member_delete(s, group, email, keep);
}

enum lk_store_res
lk_store_stats(struct lk_store *s, long long now, long long since,
    struct lk_store_stats *out)
{
	enum lk_store_res	r;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return LK_STORE_ERROR;
	if ((r = s->ops->stats(s, now, since, out)) != LK_STORE_OK)
		memset(out, 0, sizeof(*out));
	return r;
}

enum lk_store_res
lk_store_mfa_state(struct lk_store *s, long long user_id,
    struct lk_mfa_state *out)
{
	memset(out, 0, sizeof(*out));
	out->last_step = -1;
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->mfa_state(s, user_id, out);
}

enum lk_store_res
lk_store_totp_setup(struct lk_store *s, long long user_id, const char *sealed,
    long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->totp_setup(s, user_id, sealed, now);
}

enum lk_store_res
lk_store_totp_enable(struct lk_store *s, long long user_id, const char *sealed,
    long long step, const char *const *hashes, size_t n, long long now)
{
	if (s == NULL || n > LK_STORE_RECOVERY_MAX)
		return LK_STORE_ERROR;
	return s->ops->totp_enable(s, user_id, sealed, step, hashes, n, now);
}

enum lk_store_res
lk_store_totp_disable(struct lk_store *s, long long user_id, long long step,
    const char *recovery)
{
	/* Exactly one proof. */
	if (s == NULL || (step < 0) == (recovery == NULL))
		return LK_STORE_ERROR;
	return s->ops->totp_disable(s, user_id, step, recovery);
}

enum lk_store_res
lk_store_recovery_replace(struct lk_store *s, long long user_id,
    const struct lk_factor_spend *f, const char *const *hashes, size_t n,
    long long now)
{
	if (s == NULL || n > LK_STORE_RECOVERY_MAX || f == NULL || !f->given ||
	    !factor_ok(f))
		return LK_STORE_ERROR;
	return s->ops->recovery_replace(s, user_id, f, hashes, n, now);
}

enum lk_store_res
lk_store_mfa_reset(struct lk_store *s, const char *email, int passkeys,
    long long *npasskeys)
{
	long long	n;

	if (npasskeys == NULL)
		npasskeys = &n;
	*npasskeys = 0;
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->mfa_reset(s, email, passkeys != 0, npasskeys);
}

enum lk_store_res
lk_store_mfa_start(struct lk_store *s, const struct lk_mfa_start *m,
    long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->mfa_start(s, m, now);
}

enum lk_store_res
lk_store_mfa_pending(struct lk_store *s, const char *id, long long now,
    struct lk_mfa_pending *out)
{
	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->mfa_pending(s, id, now, out);
}

enum lk_store_res
lk_store_mfa_login(struct lk_store *s, const struct lk_mfa_login *m,
    long long now)
{
	/* Exactly one factor. */
	if (s == NULL || (m->step < 0) == (m->recovery == NULL))
		return LK_STORE_ERROR;
	return s->ops->mfa_login(s, m, now);
}

enum lk_store_res
lk_store_webauthn_handle(struct lk_store *s, long long user_id,
    const char *candidate, char *out, size_t outsz)
{
	if (outsz > 0)
		out[0] = '\0';
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->webauthn_handle(s, user_id, candidate, out, outsz);
}

enum lk_store_res
lk_store_challenge_add(struct lk_store *s, const struct lk_challenge *c,
    long long limit, const struct lk_factor_spend *f, long long now)
{
	/* A proof is of a user: a registration's. */
	if (s == NULL || c->kind >= LK_CHALLENGE__MAX || (f != NULL &&
	    (c->kind != LK_CHALLENGE_REGISTER || !factor_ok(f))))
		return LK_STORE_ERROR;
	return s->ops->challenge_add(s, c, limit, f, now);
}

enum lk_store_res
lk_store_passkey_add(struct lk_store *s, const char *challenge,
    const struct lk_passkey *p, long long max, long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->passkey_add(s, challenge, p, max, now);
}

enum lk_store_res
lk_store_passkey_find(struct lk_store *s, const char *credential_id,
    struct lk_passkey *p, struct lk_user *user, char *handle, size_t handlesz)
{
	memset(p, 0, sizeof(*p));
	memset(user, 0, sizeof(*user));
	if (handlesz > 0)
		handle[0] = '\0';
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->passkey_find(s, credential_id, p, user, handle,
	    handlesz);
}

enum lk_store_res
lk_store_passkey_login(struct lk_store *s, const struct lk_passkey_login *pl,
    long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->passkey_login(s, pl, now);
}

enum lk_store_res
lk_store_passkey_each(struct lk_store *s, long long user_id,
    int (*fn)(const struct lk_passkey *, void *), void *arg)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->passkey_each(s, user_id, fn, arg);
}

enum lk_store_res
lk_store_passkey_delete(struct lk_store *s, long long user_id, const char *id)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->passkey_delete(s, user_id, id);
}

enum lk_store_res
lk_store_session_each(struct lk_store *s, long long user_id, long long now,
    int (*fn)(const struct lk_session *, void *), void *arg)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->session_each(s, user_id, now, fn, arg);
}

enum lk_store_res
lk_store_session_end(struct lk_store *s, long long user_id, const char *id,
    const char *keep, long long now, long long *n)
{
	long long	ignored;

	if (n == NULL)
		n = &ignored;
	*n = 0;
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->session_end(s, user_id, id, keep, now, n);
}

enum lk_store_res
lk_store_export(struct lk_store *s,
    int (*fn)(const struct lk_store_record *, void *), void *arg)
{
	return s->ops->export(s, fn, arg);
}

/* A copy under way: the source, and the target's writer of one record. */
struct copy {
	struct lk_store	*from;
	int		(*put)(const struct lk_store_record *, void *);
	void		*putarg;
	size_t		*counts;
	int		 failed;
};

static int
copy_record(const struct lk_store_record *rec, void *arg)
{
	struct copy	*c = arg;

	if (rec->kind >= LK_STORE_REC__MAX || c->put(rec, c->putarg) != 0) {
		c->failed = 1;
		return 1;
	}
	c->counts[rec->kind]++;
	return 0;
}

/* The target's import feeds on the source's export. */
static enum lk_store_res
copy_feed(void *arg, int (*put)(const struct lk_store_record *, void *),
    void *putarg)
{
	struct copy		*c = arg;
	enum lk_store_res	 r;

	c->put = put;
	c->putarg = putarg;
	r = c->from->ops->export(c->from, copy_record, c);
	return r == LK_STORE_OK && c->failed ? LK_STORE_ERROR : r;
}

enum lk_store_res
lk_store_copy(struct lk_store *from, struct lk_store *to, int replace,
    size_t counts[LK_STORE_REC__MAX])
{
	struct copy		c;
	size_t			mine[LK_STORE_REC__MAX];
	enum lk_store_res	r;

	memset(&c, 0, sizeof(c));
	memset(mine, 0, sizeof(mine));
	c.from = from;
	c.counts = mine;
	r = to->ops->import(to, replace, copy_feed, &c);
	if (r != LK_STORE_OK)
		memset(mine, 0, sizeof(mine));
	if (counts != NULL)
		memcpy(counts, mine, sizeof(mine));
	return r;
}

static enum lk_store_res
oidc_call(struct lk_store *s, struct lk_oidc_op *o)
{
	if (s == NULL || s->ops->oidc == NULL)
		return LK_STORE_ERROR;
	return s->ops->oidc(s, o);
}

enum lk_store_res
lk_store_client_add(struct lk_store *s, const struct lk_oidc_client *c,
    long long now)
{
	struct lk_oidc_client	 copy = *c;
	struct lk_oidc_op	 o = { .what = LK_OIDC_CLIENT_ADD, .in = &copy };

	copy.created = now;
	return oidc_call(s, &o);
}

enum lk_store_res
lk_store_client_find(struct lk_store *s, const char *id,
    struct lk_oidc_client *out)
{
	struct lk_oidc_op	o = { .what = LK_OIDC_CLIENT_FIND, .id = id,
				    .out = out };

	memset(out, 0, sizeof(*out));
	return oidc_call(s, &o);
}

enum lk_store_res
lk_store_client_each(struct lk_store *s,
    int (*fn)(const struct lk_oidc_client *, void *), void *arg)
{
	struct lk_oidc_op	o = { .what = LK_OIDC_CLIENT_EACH,
				    .client_fn = fn, .arg = arg };

	return oidc_call(s, &o);
}

enum lk_store_res
lk_store_client_delete(struct lk_store *s, const char *id)
{
	struct lk_oidc_op	o = { .what = LK_OIDC_CLIENT_DELETE, .id = id };

	return oidc_call(s, &o);
}

enum lk_store_res
lk_store_client_secret(struct lk_store *s, const char *id, const char *hash)
{
	struct lk_oidc_op	o = { .what = LK_OIDC_CLIENT_SECRET, .id = id,
				    .hash = hash };

	return oidc_call(s, &o);
}

enum lk_store_res
lk_store_oidc_subject(struct lk_store *s, long long user_id,
    const char *candidate, char *out, size_t outsz)
{
	struct lk_oidc_op	o = { .what = LK_OIDC_SUBJECT,
				    .user_id = user_id, .hash = candidate,
				    .out = out, .exp = (long long)outsz };
	enum lk_store_res	r;

	if (outsz == 0)
		return LK_STORE_ERROR;
	out[0] = '\0';
	if ((r = oidc_call(s, &o)) != LK_STORE_OK)
		out[0] = '\0';
	return r;
}

enum lk_store_res
lk_store_code_add(struct lk_store *s, const struct lk_oidc_code *code)
{
	struct lk_oidc_op	o = { .what = LK_OIDC_CODE_ADD, .in = code };

	return oidc_call(s, &o);
}

enum lk_store_res
lk_store_code_redeem(struct lk_store *s, const char *hash,
    const char *client_id, const struct lk_oidc_grant *grant,
    const char *refresh, long long refresh_exp,
    int (*check)(const struct lk_oidc_code *, void *), void *arg,
    long long now, struct lk_oidc_code *out)
{
	struct redeem		rd = { grant, check, arg };
	struct lk_oidc_op	o = { .what = LK_OIDC_CODE_REDEEM, .now = now,
				    .id = client_id, .hash = hash,
				    .next = refresh, .exp = refresh_exp,
				    .in = &rd, .out = out };

	memset(out, 0, sizeof(*out));
	return oidc_call(s, &o);
}

enum lk_refresh_res
lk_store_oidc_refresh(struct lk_store *s, const char *hash,
    const char *client_id, const char *next, long long next_exp,
    long long grace, long long now, struct lk_oidc_grant *out)
{
	struct lk_oidc_op	o = { .what = LK_OIDC_REFRESH, .now = now,
				    .id = client_id, .hash = hash, .next = next,
				    .exp = next_exp, .grace = grace, .out = out,
				    .result = LK_REFRESH_ERROR };
	enum lk_store_res	r;

	memset(out, 0, sizeof(*out));
	r = oidc_call(s, &o);
	if (r == LK_STORE_OK || r == LK_STORE_NOT_FOUND)
		return (enum lk_refresh_res)o.result;
	memset(out, 0, sizeof(*out));
	return LK_REFRESH_ERROR;
}

enum lk_store_res
lk_store_grant_find(struct lk_store *s, const char *id, long long now,
    struct lk_oidc_grant *grant, struct lk_user *user)
{
	struct lk_oidc_op	o = { .what = LK_OIDC_GRANT_FIND, .id = id,
				    .now = now, .out = grant, .out2 = user };

	return oidc_call(s, &o);
}

enum lk_store_res
lk_store_grant_revoke(struct lk_store *s, const char *id,
    const char *client_id)
{
	struct lk_oidc_op	o = { .what = LK_OIDC_GRANT_REVOKE, .id = id,
				    .hash = client_id };

	return oidc_call(s, &o);
}

enum lk_store_res
lk_store_oidc_refresh_revoke(struct lk_store *s, const char *hash,
    const char *client_id)
{
	struct lk_oidc_op	o = { .what = LK_OIDC_REFRESH_REVOKE,
				    .id = client_id, .hash = hash };

	return oidc_call(s, &o);
}

enum lk_store_res
lk_store_consent_put(struct lk_store *s, long long user_id,
    const char *client_id, const char *scope, long long now)
{
	struct lk_oidc_op	o = { .what = LK_OIDC_CONSENT_PUT, .now = now,
				    .user_id = user_id, .id = client_id,
				    .hash = scope };

	return oidc_call(s, &o);
}

enum lk_store_res
lk_store_consent_find(struct lk_store *s, long long user_id,
    const char *client_id, struct lk_oidc_consent *out)
{
	struct lk_oidc_op	o = { .what = LK_OIDC_CONSENT_FIND,
				    .user_id = user_id, .id = client_id,
				    .out = out };

	memset(out, 0, sizeof(*out));
	return oidc_call(s, &o);
}

enum lk_store_res
lk_store_consent_each(struct lk_store *s, long long user_id,
    int (*fn)(const struct lk_oidc_consent *, void *), void *arg)
{
	struct lk_oidc_op	o = { .what = LK_OIDC_CONSENT_EACH,
				    .user_id = user_id,
				    .consent_fn = fn, .arg = arg };

	return oidc_call(s, &o);
}

enum lk_store_res
lk_store_consent_delete(struct lk_store *s, long long user_id,
    const char *client_id)
{
	struct lk_oidc_op	o = { .what = LK_OIDC_CONSENT_DELETE,
				    .user_id = user_id, .id = client_id };

	return oidc_call(s, &o);
}
