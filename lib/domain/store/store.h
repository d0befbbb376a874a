#ifndef LK_STORE_H
#define LK_STORE_H

#include <stddef.h>

/*
 * The store: users, sessions and their tokens, revocations and throttle
 * counters, shared by every process.  One interface, its operations
 * written once (store.c) over a driver per engine (sql.h: SQLite,
 * PostgreSQL, MariaDB/MySQL).  Every operation that changes something is one transaction
 * that checks and acts together, so two processes (or two nodes) doing
 * the same thing at once never both win, and nothing is ever
 * half-written.  Every operation takes the time from its caller.  Emails
 * are unique without regard to ASCII case.
 */

#define LK_STORE_ID_MAX		64	/* token ids and session ids */
#define LK_STORE_EMAIL_MAX	254
#define LK_STORE_NAME_MAX	400	/* bytes */
#define LK_STORE_HASH_MAX	256
#define LK_STORE_AGENT_MAX	256
#define LK_STORE_ADDR_MAX	64
#define LK_STORE_KEY_MAX	(LK_STORE_EMAIL_MAX + 16)	/* throttle keys */
#define LK_STORE_SECRET_MAX	128	/* a sealed TOTP secret */
#define LK_STORE_CODE_HASH_MAX	64	/* a recovery code's hash, hex */
#define LK_STORE_RECOVERY_MAX	16	/* recovery codes of one set */
#define LK_STORE_HANDLE_MAX	96	/* a WebAuthn user handle, base64url */
#define LK_STORE_CHALLENGE_MAX	96	/* a WebAuthn challenge, base64url */
#define LK_STORE_CRED_ID_MAX	1400	/* a credential id, base64url */
#define LK_STORE_PUBKEY_MAX	800	/* a DER public key, base64url */
#define LK_STORE_PASSKEY_NAME_MAX 256	/* bytes of a passkey's name */
#define LK_STORE_LINK_HASH_LEN	64	/* a one-time link's token hash, hex */
#define LK_STORE_GROUP_NAME_MAX	64	/* bytes of a group's name */
#define LK_STORE_GROUP_DESC_MAX	400	/* bytes of a group's description */
/*
 * Groups one user may be in: a membership past them is refused
 * (LK_STORE_LIMIT), so that the token check reads a user's groups whole,
 * at most LK_STORE_GROUPS_TEXT_MAX - 1 bytes joined.
 */
#define LK_STORE_USER_GROUPS_MAX 64
#define LK_STORE_GROUPS_TEXT_MAX \
	(LK_STORE_USER_GROUPS_MAX * (LK_STORE_GROUP_NAME_MAX + 1))
/* The OpenID provider's records (lk_oidc_client and those below). */
#define LK_STORE_CLIENT_ID_MAX	128	/* bytes of a client's id */
#define LK_STORE_CLIENT_NAME_MAX 200	/* bytes of a client's name */
#define LK_STORE_URI_MAX	1024	/* bytes of one redirect URI */
#define LK_STORE_URIS_MAX	4096	/* a client's URIs joined with '\n' */
#define LK_STORE_OIDC_HASH_LEN	64	/* a code's, token's or secret's hash */
#define LK_STORE_SUB_MAX	64	/* an account's OpenID subject */
#define LK_STORE_SCOPE_MAX	256	/* granted scopes, joined with ' ' */
#define LK_STORE_NONCE_MAX	256	/* a relying party's nonce */
#define LK_STORE_PKCE_MAX	128	/* a PKCE challenge, base64url */
#define LK_STORE_AMR_MAX	64	/* the login's factors ("pwd otp") */
/*
 * Seconds a TOTP secret set up waits for its first code: past them it is
 * as if nothing had been set up (lk_store_totp_enable refuses it,
 * lk_store_prune forgets it).
 */
#define LK_STORE_TOTP_SETUP_LIFE 900

enum lk_store_res {
	LK_STORE_OK,
	LK_STORE_NOT_FOUND,
	LK_STORE_EXISTS,	/* an account with that email exists */
	LK_STORE_CHANGED,	/* the account changed since the caller read it */
	LK_STORE_LIMIT,		/* a throttle counter is at its limit */
	LK_STORE_USED,		/* a code, step or challenge was used already */
	LK_STORE_ERROR,		/* the database failed; logged */
	LK_STORE__MAX
};

struct lk_user {
	long long	id;
	char		email[LK_STORE_EMAIL_MAX + 1];
	char		name[LK_STORE_NAME_MAX + 1];
	char		hash[LK_STORE_HASH_MAX + 1];
	int		disabled;
	long long	created;
	long long	updated;
	/*
	 * Tokens of no session of ours (flask-jwt-extended's) issued at or
	 * before this second are revoked: set by a password change,
	 * disabling, and by re-creating a deleted account.
	 */
	long long	tokens_valid_after;
};

/* One session: a login and everything refreshed from it. */
struct lk_session {
	char		id[LK_STORE_ID_MAX + 1];
	long long	user_id;
	long long	created;	/* the login */
	long long	refreshed;	/* the last rotation, or the login */
	long long	refreshes;
	int		revoked;
	int		persistent;	/* "keep me signed in" */
	char		user_agent[LK_STORE_AGENT_MAX];
	char		address[LK_STORE_ADDR_MAX];
};

/*
 * What the store keeps of the tokens of one login or refresh: the refresh
 * token and the access token issued with it, enough to sign both again
 * (a refresh replayed inside its grace gets the same successor).
 */
struct lk_store_tokens {
	char		jti[LK_STORE_ID_MAX + 1];	/* the refresh token */
	char		csrf[LK_STORE_ID_MAX + 1];
	char		access_jti[LK_STORE_ID_MAX + 1];
	char		access_csrf[LK_STORE_ID_MAX + 1];
	long long	iat;		/* both were issued then */
	long long	exp;		/* the refresh token's */
	long long	access_exp;
};

/*
 * The groups of one user: n names, sorted by their bytes, joined with
 * ',' in text (names never hold one: lib/domain/group.h).
 */
struct lk_store_groups {
	size_t		n;
	char		text[LK_STORE_GROUPS_TEXT_MAX];
};

/* One event of the audit log, as the store keeps it. */
#define LK_STORE_AUDIT_EVENT_MAX	64	/* bytes of an event's name */
#define LK_STORE_AUDIT_TEXT_MAX		320	/* bytes of actor, target */
#define LK_STORE_AUDIT_DETAIL_MAX	2000	/* bytes of detail */
#define LK_STORE_AUDIT_PAGE_MAX		1000	/* events a read gives */

struct lk_audit {
	long long	id;		/* the store's, rising; 0 for a new one */
	long long	time;
	char		event[LK_STORE_AUDIT_EVENT_MAX + 1];
	char		actor[LK_STORE_AUDIT_TEXT_MAX + 1];	/* email, or "" */
	char		target[LK_STORE_AUDIT_TEXT_MAX + 1];	/* or "" */
	char		address[LK_STORE_ADDR_MAX];		/* or "" */
	char		detail[LK_STORE_AUDIT_DETAIL_MAX + 1];	/* key="value"s */
};

/* Which audit events a read gives: each condition NULL, "" or 0 for any. */
struct lk_audit_filter {
	const char	*user;	/* actor or target, ASCII case-insensitive */
	const char	*event;	/* exactly */
	long long	 since;	/* time at or after */
	long long	 until;	/* time before */
	long long	 before;	/* id below: the next page's cursor */
	long long	 limit;	/* 1 to LK_STORE_AUDIT_PAGE_MAX */
};

/* One group, as lk_store_group_each lists it. */
struct lk_group {
	char		name[LK_STORE_GROUP_NAME_MAX + 1];
	char		description[LK_STORE_GROUP_DESC_MAX + 1];
	long long	created;
	long long	members;
};

/* What the store says of a presented token, all in one read. */
struct lk_token_state {
	int		revoked;	/* revoked by id (logout) */
	int		ours;		/* a session of ours issued it */
	struct lk_session session;	/* that session, if ours */
	struct lk_store_groups groups;	/* the user's groups */
};

/*
 * The passkeys a password change or a reset keeps: with only set, every
 * passkey of the account whose id is not one of ids[0..n) is deleted in
 * the same transaction (n 0: all of them); without, all stay.
 */
struct lk_passkey_keep {
	int			 only;
	const char *const	*ids;
	size_t			 n;
};

/*
 * The second factor a change spends in its own transaction: with given
 * set, the TOTP time step (recovery NULL: a step after the last one
 * accepted) or the hash of an unused recovery code (step -1); without,
 * the account must have none (TOTP off).
 */
struct lk_factor_spend {
	int			 given;
	long long		 step;
	const char		*recovery;
};

/* A login, or the new session of a password change. */
struct lk_login {
	long long	 user_id;
	const char	*hash;		/* the stored hash the password matched */
	const char	*new_hash;	/* store this hash instead, or NULL */
	const struct lk_session *session;	/* id, persistent, agent, address */
	const struct lk_store_tokens *tokens;
	/* Throttle reservations to give back (a success is no failure). */
	const char	*throttle_account;	/* cleared, or NULL */
	const char	*throttle_address;	/* one given back, or NULL */
	long long	 throttle_window;
	struct lk_passkey_keep keep;	/* a password change's; else none */
};

/* A refresh: rotate jti into next. */
struct lk_refresh {
	const char	*jti;
	long long	 user_id;
	long long	 grace;		/* seconds a rotated token still works */
	long long	 session_max;	/* seconds from the login */
	long long	 refresh_max;	/* rotations per session */
	const struct lk_store_tokens *next;
};

enum lk_refresh_res {
	LK_REFRESH_ROTATED,	/* next is recorded */
	LK_REFRESH_REPLAY,	/* inside the grace: *successor is the live pair */
	LK_REFRESH_REUSED,	/* retired past the grace: the session is revoked */
	LK_REFRESH_REVOKED,	/* unknown, revoked, or another user's */
	LK_REFRESH_EXPIRED,	/* the session reached session_max */
	LK_REFRESH_LIMIT,	/* the session reached refresh_max rotations */
	LK_REFRESH_ERROR,
	LK_REFRESH__MAX
};

/*
 * A user's second factors as the login and the profile read them: TOTP
 * (on, or set up and waiting for its first code), its sealed secret and
 * the last time step accepted, the recovery codes left, the passkeys.
 */
struct lk_mfa_state {
	int		 totp;		/* on: logins need a second factor */
	int		 totp_pending;	/* set up, not confirmed yet */
	long long	 totp_created;	/* when it was set up (or turned on) */
	char		 secret[LK_STORE_SECRET_MAX + 1];	/* sealed */
	long long	 last_step;	/* -1 before the first */
	long long	 recovery_left;
	long long	 passkeys;
};

/*
 * The first step of the login of a user with a second factor: the
 * password matched.  Recorded as a pending state of its own (id: the hash
 * of the cookie's value), bound to the user and to the hash the password
 * matched, and dying at exp.
 */
struct lk_mfa_start {
	long long	 user_id;
	const char	*hash;		/* the stored hash the password matched */
	const char	*new_hash;	/* store this hash instead, or NULL */
	const char	*id;
	int		 persistent;	/* "keep me signed in" */
	long long	 exp;
	/* Reservations given back (not cleared: the second step counts). */
	const char	*throttle_account;
	const char	*throttle_address;
	long long	 throttle_window;
};

/* A pending login as the second step finds it. */
struct lk_mfa_pending {
	struct lk_user	 user;
	char		 hash[LK_STORE_HASH_MAX + 1];	/* what the password proved */
	int		 persistent;
	long long	 exp;
};

/*
 * The second step: the pending state id is used up, and with it either
 * the TOTP time step (not after the last one accepted: LK_STORE_USED) or
 * the recovery code of hash recovery, and the session starts (l, whose
 * hash is the pending state's).
 */
struct lk_mfa_login {
	const char	*id;
	long long	 step;		/* the TOTP step, or -1 */
	const char	*recovery;	/* a recovery code's hash, or NULL */
	const struct lk_login *login;
};

/* A passkey (a WebAuthn credential) as stored. */
struct lk_passkey {
	char		 id[LK_STORE_ID_MAX + 1];	/* ours, for the API */
	char		 credential_id[LK_STORE_CRED_ID_MAX + 1];	/* base64url */
	long long	 user_id;
	int		 alg;		/* COSE algorithm */
	char		 public_key[LK_STORE_PUBKEY_MAX + 1];	/* base64url DER */
	long long	 sign_count;
	int		 flags;		/* authenticator data flags at registration */
	char		 aaguid[33];	/* hex */
	char		 name[LK_STORE_PASSKEY_NAME_MAX + 1];
	long long	 created;
	long long	 last_used;	/* 0: never */
};

enum lk_challenge_kind {
	LK_CHALLENGE_REGISTER,	/* of a signed-in user adding a passkey */
	LK_CHALLENGE_LOGIN,	/* of anyone signing in with one */
	LK_CHALLENGE__MAX
};

/* A WebAuthn challenge the server issued, good once until exp. */
struct lk_challenge {
	char		 challenge[LK_STORE_CHALLENGE_MAX + 1];	/* base64url */
	enum lk_challenge_kind kind;
	long long	 user_id;	/* the registering user; 0 for a login */
	char		 address[LK_STORE_ADDR_MAX];	/* who asked for it */
	long long	 exp;
};

/*
 * A passwordless sign-in: the challenge is used up, the passkey's sign
 * counter moves from old_count to new_count (LK_STORE_CHANGED if it is no
 * longer old_count: another sign-in won the race), and the session
 * starts (login, whose hash is the user's as read with the passkey).
 */
struct lk_passkey_login {
	const char	*challenge;
	const char	*id;		/* the passkey's, ours */
	long long	 old_count;
	long long	 new_count;
	const struct lk_login *login;
};

/*
 * One-time links (lib/domain/onetime.h): what each is for.  A reset link sets the
 * password of an enabled account that has one; an invitation's or a
 * sign-up's sets the first password of a pending account (one that has
 * none yet: lk_store_user_pending) and logs it in.
 */
enum lk_link_purpose {
	LK_LINK_RESET,
	LK_LINK_INVITE,
	LK_LINK_SIGNUP,
	LK_LINK__MAX
};

#define LK_LINK_BIT(p)	(1u << (p))

/* A link to record (lk_store_link_add). */
struct lk_link_new {
	enum lk_link_purpose	 purpose;
	const char		*email;
	const char		*name;		/* a new pending account's name */
	const char		*hash;		/* the token's, 64 hex digits */
	long long		 expires;
	/* Groups the account joins (an invitation), or none. */
	const char *const	*groups;
	size_t			 ngroups;
};

/* A live link, as lk_store_link_find found it. */
struct lk_link {
	enum lk_link_purpose	 purpose;
	long long		 created;
	long long		 expires;
	struct lk_user		 user;		/* its account */
};

/* The use of a link (lk_store_link_use). */
struct lk_link_use {
	const char		*hash;		/* the token's */
	unsigned int		 purposes;	/* LK_LINK_BIT()s it may be for */
	long long		 user_id;	/* the account lk_store_link_find */
	const char		*user_hash;	/* ...found, with this hash */
	const char		*new_hash;	/* the password chosen */
	const struct lk_session *session;	/* to log in, or NULL */
	const struct lk_store_tokens *tokens;	/* that session's */
	/*
	 * The account's second factor, spent in the same transaction: with
	 * factor set, the TOTP step (recovery NULL) or the recovery code's
	 * hash; without, the account must have none (TOTP off).
	 */
	int			 factor;
	long long		 step;
	const char		*recovery;
	/*
	 * The account's login throttle: its counter cleared (a reset proves
	 * the mailbox, and lifts the lockout), one reservation of the
	 * client's given back; each may be NULL.
	 */
	const char		*throttle_account;
	const char		*throttle_address;
	long long		 throttle_window;
	struct lk_passkey_keep	 keep;		/* the passkeys that stay */
};

/* A token to revoke at logout (its exp bounds how long the record lives). */
struct lk_revoke {
	const char	*jti;
	long long	 exp;
	int		 refresh;	/* a refresh token (else an access token) */
};

/*
 * An OpenID client (relying party).  Its secret is stored as the hex
 * SHA-256 of the random secret it was given ("" for a public client);
 * redirect_uris and logout_uris are the registered URIs joined with
 * '\n' (matched whole, byte for byte); groups the groups whose members
 * it serves joined with ',' ("": everyone).
 */
struct lk_oidc_client {
	char		id[LK_STORE_CLIENT_ID_MAX + 1];
	char		name[LK_STORE_CLIENT_NAME_MAX + 1];
	char		secret[LK_STORE_OIDC_HASH_LEN + 1];
	int		public_client;
	char		redirect_uris[LK_STORE_URIS_MAX + 1];
	char		logout_uris[LK_STORE_URIS_MAX + 1];
	char		groups[LK_STORE_GROUPS_TEXT_MAX];
	int		consent;	/* the user agrees before a code */
	long long	created;
};

/*
 * An authorization code, stored by its hash: who it is for (client,
 * redirect URI, PKCE challenge, nonce), whose (user, latchkey session,
 * the login's time and factors) and what (scope).  grant is the grant
 * its redemption made ("" until then).
 */
struct lk_oidc_code {
	char		hash[LK_STORE_OIDC_HASH_LEN + 1];
	char		client_id[LK_STORE_CLIENT_ID_MAX + 1];
	long long	user_id;
	char		session_id[LK_STORE_ID_MAX + 1];
	char		redirect_uri[LK_STORE_URI_MAX + 1];
	char		challenge[LK_STORE_PKCE_MAX + 1];	/* S256, or "" */
	char		nonce[LK_STORE_NONCE_MAX + 1];
	char		scope[LK_STORE_SCOPE_MAX + 1];
	char		amr[LK_STORE_AMR_MAX + 1];
	long long	auth_time;
	long long	expires;
	int		used;
	char		grant[LK_STORE_ID_MAX + 1];
};

/*
 * A grant: what a client holds of a user from one code (its access
 * tokens carry the grant's id; its refresh tokens are one family of
 * it), live until exp unless revoked.
 */
struct lk_oidc_grant {
	char		id[LK_STORE_ID_MAX + 1];
	char		client_id[LK_STORE_CLIENT_ID_MAX + 1];
	long long	user_id;
	char		session_id[LK_STORE_ID_MAX + 1];
	char		scope[LK_STORE_SCOPE_MAX + 1];
	char		amr[LK_STORE_AMR_MAX + 1];
	long long	auth_time;
	long long	created;
	long long	exp;
	int		revoked;
};

/* A user's consent to a client's scopes. */
struct lk_oidc_consent {
	long long	user_id;
	char		client_id[LK_STORE_CLIENT_ID_MAX + 1];
	char		scope[LK_STORE_SCOPE_MAX + 1];
	long long	created;
	char		client_name[LK_STORE_CLIENT_NAME_MAX + 1];	/* listed */
};

/*
 * Every record a store holds, one at a time, for copying a store into
 * another (lk_store_copy): what the operations above keep, with the
 * columns they never hand out (user ids, expiry times, successors).
 */
enum lk_store_rec {
	LK_STORE_REC_USER,
	LK_STORE_REC_GROUP,
	LK_STORE_REC_MEMBER,	/* a user in a group */
	LK_STORE_REC_DELETED,	/* the mark a deleted account leaves */
	LK_STORE_REC_SESSION,
	LK_STORE_REC_TOKENS,
	LK_STORE_REC_REVOKED,
	LK_STORE_REC_THROTTLE,
	LK_STORE_REC_TOTP,
	LK_STORE_REC_RECOVERY,
	LK_STORE_REC_PENDING,
	LK_STORE_REC_WEBAUTHN_USER,
	LK_STORE_REC_PASSKEY,
	LK_STORE_REC_CHALLENGE,
	LK_STORE_REC_LINK,	/* a one-time link's token hash */
	LK_STORE_REC_SUBJECT,	/* an account's OpenID subject */
	LK_STORE_REC_CLIENT,	/* an OpenID client */
	LK_STORE_REC_GRANT,	/* what a client was given at a code */
	LK_STORE_REC_CODE,	/* an authorization code's hash */
	LK_STORE_REC_OIDC_REFRESH,	/* a client's refresh token's hash */
	LK_STORE_REC_CONSENT,
	LK_STORE_REC_AUDIT,	/* an audit event (its id not kept) */
	LK_STORE_REC__MAX
};

struct lk_store_record {
	enum lk_store_rec	 kind;
	union {
		struct lk_user	 user;
		struct {
			char		 name[LK_STORE_GROUP_NAME_MAX + 1];
			char		 description[LK_STORE_GROUP_DESC_MAX + 1];
			long long	 created;
		}		 group;
		struct {
			char		 group[LK_STORE_GROUP_NAME_MAX + 1];
			long long	 user_id;
			long long	 created;
		}		 member;
		struct {
			char		 email[LK_STORE_EMAIL_MAX + 1];
			long long	 deleted;
		}		 deleted;
		struct {
			struct lk_session s;
			long long	 exp;	/* all its tokens expired then */
		}		 session;
		struct {
			char		 family[LK_STORE_ID_MAX + 1];
			struct lk_store_tokens t;
			long long	 rotated_at;	/* 0: not rotated */
			char		 successor[LK_STORE_ID_MAX + 1];
		}		 tokens;
		struct {
			char		 jti[LK_STORE_ID_MAX + 1];
			long long	 exp;
		}		 revoked;
		struct {
			char		 key[LK_STORE_KEY_MAX + 1];
			long long	 failures;
			long long	 window_start;
		}		 throttle;
		struct {
			long long	 user_id;
			char		 secret[LK_STORE_SECRET_MAX + 1];
			int		 enabled;
			long long	 last_step;
			long long	 created;
		}		 totp;
		struct {
			long long	 user_id;
			char		 hash[LK_STORE_CODE_HASH_MAX + 1];
			long long	 created;
		}		 recovery;
		struct {
			char		 id[LK_STORE_ID_MAX + 1];
			long long	 user_id;
			char		 hash[LK_STORE_HASH_MAX + 1];
			int		 persistent;
			long long	 created;
			long long	 exp;
		}		 pending;
		struct {
			long long	 user_id;
			char		 handle[LK_STORE_HANDLE_MAX + 1];
		}		 webauthn_user;
		struct lk_passkey passkey;
		struct lk_challenge challenge;
		struct {
			char		 hash[LK_STORE_LINK_HASH_LEN + 1];
			long long	 user_id;
			enum lk_link_purpose purpose;
			long long	 created;
			long long	 expires;
		}		 link;
		struct {
			long long	 user_id;
			char		 sub[LK_STORE_SUB_MAX + 1];
		}		 subject;
		struct lk_oidc_client client;
		struct lk_oidc_grant grant;
		struct lk_oidc_code code;
		struct {
			char		 hash[LK_STORE_OIDC_HASH_LEN + 1];
			char		 grant[LK_STORE_ID_MAX + 1];
			long long	 exp;
			long long	 rotated_at;	/* 0: live */
		}		 oidc_refresh;
		struct lk_oidc_consent consent;
		struct lk_audit	 audit;
	}			 r;
};

/* What the store holds, counted at once (metrics' gauges). */
struct lk_store_stats {
	long long	users;		/* accounts, pending ones included */
	long long	sessions;	/* not revoked, not past their end */
	long long	throttled;	/* throttle counters of open windows */
};

/* What one record of kind is, in words ("user", "session", ...). */
const char *lk_store_rec_name(enum lk_store_rec kind);

struct lk_store;
struct lk_oidc_op;

struct lk_store_ops {
	void	(*close)(struct lk_store *);
	enum lk_store_res (*user_find)(struct lk_store *, const char *,
		    struct lk_user *);
	enum lk_store_res (*user_add)(struct lk_store *, const char *,
		    const char *, const char *, long long);
	enum lk_store_res (*user_set_name)(struct lk_store *, const char *,
		    const char *, long long);
	enum lk_store_res (*user_set_password)(struct lk_store *,
		    const char *, const char *, long long);
	enum lk_store_res (*user_set_disabled)(struct lk_store *,
		    const char *, int, long long);
	enum lk_store_res (*user_delete)(struct lk_store *, const char *,
		    long long);
	enum lk_store_res (*user_each)(struct lk_store *,
		    int (*)(const struct lk_user *, void *), void *);
	enum lk_store_res (*token_check)(struct lk_store *, const char *,
		    const char *, int, struct lk_user *, struct lk_token_state *);
	enum lk_store_res (*throttle_reserve)(struct lk_store *,
		    const char *const *, const long long *, size_t, long long,
		    long long, long long *);
	enum lk_store_res (*login)(struct lk_store *, const struct lk_login *,
		    long long);
	enum lk_store_res (*password_change)(struct lk_store *,
		    const struct lk_login *, const struct lk_revoke *, long long);
	enum lk_refresh_res (*refresh)(struct lk_store *,
		    const struct lk_refresh *, long long,
		    struct lk_store_tokens *);
	enum lk_store_res (*logout)(struct lk_store *,
		    const struct lk_revoke *, size_t, long long);
	enum lk_store_res (*prune)(struct lk_store *, long long);
	/*
	 * For lk_store_copy: export as lk_store_export; import opens one
	 * transaction, refuses a store holding records (LK_STORE_EXISTS)
	 * unless replace (the int) is set, then calls feed(feedarg, put,
	 * putarg) with a put that writes one record (non-zero: it failed,
	 * logged) and commits only if feed and every put succeeded.
	 */
	enum lk_store_res (*export)(struct lk_store *,
		    int (*)(const struct lk_store_record *, void *), void *);
	enum lk_store_res (*import)(struct lk_store *, int,
		    enum lk_store_res (*)(void *,
		    int (*)(const struct lk_store_record *, void *), void *),
		    void *);
	enum lk_store_res (*throttle_give_back)(struct lk_store *,
		    const char *const *, size_t, long long, long long);
	enum lk_store_res (*mfa_state)(struct lk_store *, long long,
		    struct lk_mfa_state *);
	enum lk_store_res (*totp_setup)(struct lk_store *, long long,
		    const char *, long long);
	enum lk_store_res (*totp_enable)(struct lk_store *, long long,
		    const char *, long long, const char *const *, size_t,
		    long long);
	enum lk_store_res (*totp_disable)(struct lk_store *, long long,
		    long long, const char *);
	enum lk_store_res (*recovery_replace)(struct lk_store *, long long,
		    const struct lk_factor_spend *, const char *const *, size_t,
		    long long);
	enum lk_store_res (*mfa_reset)(struct lk_store *, const char *, int,
		    long long *);
	enum lk_store_res (*mfa_start)(struct lk_store *,
		    const struct lk_mfa_start *, long long);
	enum lk_store_res (*mfa_pending)(struct lk_store *, const char *,
		    long long, struct lk_mfa_pending *);
	enum lk_store_res (*mfa_login)(struct lk_store *,
		    const struct lk_mfa_login *, long long);
	enum lk_store_res (*webauthn_handle)(struct lk_store *, long long,
		    const char *, char *, size_t);
	enum lk_store_res (*challenge_add)(struct lk_store *,
		    const struct lk_challenge *, long long,
		    const struct lk_factor_spend *, long long);
	enum lk_store_res (*passkey_add)(struct lk_store *, const char *,
		    const struct lk_passkey *, long long, long long);
	enum lk_store_res (*passkey_find)(struct lk_store *, const char *,
		    struct lk_passkey *, struct lk_user *, char *, size_t);
	enum lk_store_res (*passkey_login)(struct lk_store *,
		    const struct lk_passkey_login *, long long);
	enum lk_store_res (*passkey_each)(struct lk_store *, long long,
		    int (*)(const struct lk_passkey *, void *), void *);
	enum lk_store_res (*passkey_delete)(struct lk_store *, long long,
		    const char *);
	enum lk_store_res (*session_each)(struct lk_store *, long long,
		    long long, int (*)(const struct lk_session *, void *), void *);
	enum lk_store_res (*session_end)(struct lk_store *, long long,
		    const char *, const char *, long long, long long *);
	enum lk_store_res (*link_add)(struct lk_store *,
		    const struct lk_link_new *, long long, struct lk_user *);
	enum lk_store_res (*link_find)(struct lk_store *, const char *,
		    unsigned int, long long, struct lk_link *);
	enum lk_store_res (*link_use)(struct lk_store *,
		    const struct lk_link_use *, long long);
	enum lk_store_res (*throttle_clear)(struct lk_store *,
		    const char *const *, size_t);
	enum lk_store_res (*user_add_groups)(struct lk_store *, const char *,
		    const char *, const char *, const char *const *, size_t,
		    long long);
	enum lk_store_res (*user_groups)(struct lk_store *, const char *,
		    struct lk_store_groups *);
	enum lk_store_res (*user_each_groups)(struct lk_store *,
		    int (*)(const struct lk_user *,
		    const struct lk_store_groups *, void *), void *);
	enum lk_store_res (*group_add)(struct lk_store *, const char *,
		    const char *, long long);
	enum lk_store_res (*group_delete)(struct lk_store *, const char *);
	enum lk_store_res (*group_each)(struct lk_store *,
		    int (*)(const struct lk_group *, void *), void *);
	enum lk_store_res (*member_add)(struct lk_store *, const char *,
		    const char *, long long);
	enum lk_store_res (*member_delete)(struct lk_store *, const char *,
		    const char *, const char *);
	enum lk_store_res (*stats)(struct lk_store *, long long, long long,
		    struct lk_store_stats *);
	enum lk_store_res (*oidc)(struct lk_store *, struct lk_oidc_op *);
	enum lk_store_res (*audit_add)(struct lk_store *,
		    const struct lk_audit *);
	enum lk_store_res (*audit_each)(struct lk_store *,
		    const struct lk_audit_filter *,
		    int (*)(const struct lk_audit *, void *), void *);
};

/*
 * The handle: the table of operations (store.c's, or a test's stand-in
 * for one of them) and what every engine keeps alike.
 */
struct lk_store {
	const struct lk_store_ops *ops;
	long long	 leeway;	/* revocations outlive exp by this */
	long long	 sessions_max;	/* live sessions per user; 0: no bound */
	long long	 last_prune;	/* per process */
	long long	 audit_retention; /* seconds; 0: audit events kept */
};

/* At most one pruning a minute per process, done inside login and logout. */
#define LK_STORE_PRUNE_INTERVAL	60

/* How lk_store_open opens a store. */
struct lk_store_options {
	int		 create;	/* SQLite: make the file if missing */
	long long	 leeway;	/* revocations outlive exp by this */
	/*
	 * PostgreSQL, MariaDB: a file of mode 0600 or stricter whose one line
	 * is the password, or NULL (or "") for libpq's own ways (PGPASSFILE,
	 * ~/.pgpass), and for MariaDB none.
	 */
	const char	*password_file;
	/*
	 * Live sessions a user may hold (sessions_max_per_user): every
	 * operation that starts a session ends the oldest live ones beyond
	 * it, in its own transaction.  0: no bound.
	 */
	long long	 sessions_max;
	/* Seconds audit events are kept (lk_store_prune); 0: all of them. */
	long long	 audit_retention;
};

/*
 * Open the store named by where.  A PostgreSQL connection URI
 * ("postgresql://USER@HOST:PORT/DB?...", "postgresql:///DB?host=/socket/dir"
 * or "postgres://...", any libpq URI) opens one connection to that
 * database; it must not hold a password, which comes from password_file
 * (else from libpq's own ways), and connect_timeout=5 and a
 * statement_timeout of 5 seconds apply unless the URI says otherwise; the
 * database must be UTF8.  A MariaDB/MySQL URI ("mysql://USER@HOST:PORT/DB"
 * or "mysql://USER@localhost/DB?socket=/PATH") does the same on that
 * engine; its password comes from password_file alone (no option file,
 * no environment).  Anything else is the path of an SQLite
 * database (with create set, the file is made, mode 0600, if missing;
 * otherwise it must exist).  Brings the schema up to date (only when it
 * is behind, under a lock so that processes or nodes starting together
 * never race; a current database is opened without writing anything, so
 * a role that may only read can open it) and refuses a database newer
 * than this program.  A server connection lost in the middle of an
 * operation fails it (LK_STORE_ERROR, logged, nothing half-written); one
 * found lost before an operation did anything is opened again and the
 * operation goes on, and while the server is away every operation tries
 * to connect again and fails.  Revocations and sessions are kept until leeway
 * seconds past their tokens' exp, as long as those tokens can be
 * accepted.  Returns a handle, or NULL with a reason in err (never a
 * password).
 */
struct lk_store *lk_store_open(const char *where,
	    const struct lk_store_options *opts, char *err, size_t errsz);

/* Whether where names a database server rather than an SQLite file. */
int	lk_store_is_uri(const char *where);

void	lk_store_close(struct lk_store *);

/* The schema version this build writes, in either backend. */
#define LK_STORE_SCHEMA_VERSION	8

int	lk_store_schema_version(void);

/*
 * Look at the database where names without changing anything (no file
 * made, no migration): 0 with its schema version in *version (0: none
 * yet), or -1 with the reason it cannot be opened or read in err.
 */
int	lk_store_probe(const char *where, const char *password_file,
	    int *version, char *err, size_t errsz);

/*
 * Every function below takes a NULL store as one that failed:
 * LK_STORE_ERROR (LK_REFRESH_ERROR).
 */

/* Find a user by email (ASCII case-insensitive). */
enum lk_store_res lk_store_user_find(struct lk_store *, const char *email,
	    struct lk_user *out);

/*
 * Add a user; LK_STORE_EXISTS if the email is taken.  An email whose
 * account was deleted starts with tokens_valid_after at the deletion, so
 * the old account's tokens stay dead for the new one.
 */
enum lk_store_res lk_store_user_add(struct lk_store *, const char *email,
	    const char *name, const char *hash, long long now);

enum lk_store_res lk_store_user_set_name(struct lk_store *,
	    const char *email, const char *name, long long now);

/* Set the hash and end every session and token of the user. */
enum lk_store_res lk_store_user_set_password(struct lk_store *,
	    const char *email, const char *hash, long long now);

/* Disable or enable; either way every session and token ends. */
enum lk_store_res lk_store_user_set_disabled(struct lk_store *,
	    const char *email, int disabled, long long now);

/* Delete the user, their sessions and memberships with them. */
enum lk_store_res lk_store_user_delete(struct lk_store *, const char *email,
	    long long now);

/*
 * Whether u waits for its first password (invited, or signed up, and the
 * link not followed yet): its hash is empty, so no password matches it
 * and it cannot log in; a password set any way (a link, latchkey user
 * passwd) makes it an ordinary account.
 */
int	lk_store_user_pending(const struct lk_user *u);

/*
 * Call fn for every user in email order; stops early (and returns
 * LK_STORE_OK) when fn returns non-zero.
 */
enum lk_store_res lk_store_user_each(struct lk_store *,
	    int (*fn)(const struct lk_user *, void *), void *arg);

/*
 * In one read: the user of email (LK_STORE_NOT_FOUND if there is none),
 * their groups, and what the store knows of the token jti (an access
 * token, or with refresh set a refresh token): revoked by id, and the
 * session of ours that issued it.  Groups that do not fit
 * state->groups (more than LK_STORE_USER_GROUPS_MAX: never written by
 * the operations below) fail it: LK_STORE_ERROR, logged.
 */
enum lk_store_res lk_store_token_check(struct lk_store *, const char *email,
	    const char *jti, int refresh, struct lk_user *user,
	    struct lk_token_state *state);

/*
 * Add a user as lk_store_user_add does, in the n groups groups[i], in one
 * transaction: LK_STORE_NOT_FOUND (nothing written) if one of them does
 * not exist.
 */
enum lk_store_res lk_store_user_add_groups(struct lk_store *,
	    const char *email, const char *name, const char *hash,
	    const char *const *groups, size_t n, long long now);

/* The groups of the user of email; LK_STORE_NOT_FOUND if none has it. */
enum lk_store_res lk_store_user_groups(struct lk_store *, const char *email,
	    struct lk_store_groups *out);

/* As lk_store_user_each, with each user's groups. */
enum lk_store_res lk_store_user_each_groups(struct lk_store *,
	    int (*fn)(const struct lk_user *, const struct lk_store_groups *,
	    void *), void *arg);

/*
 * Groups.  Their names and descriptions are the caller's to check
 * (lib/domain/group.h); the store keeps names as bytes.  Add one:
 * LK_STORE_EXISTS if the name is taken.
 */
enum lk_store_res lk_store_group_add(struct lk_store *, const char *name,
	    const char *description, long long now);

/* Delete a group and its memberships; LK_STORE_NOT_FOUND if none. */
enum lk_store_res lk_store_group_delete(struct lk_store *, const char *name);

/* Call fn for every group, by name (its bytes); stops as user_each. */
enum lk_store_res lk_store_group_each(struct lk_store *,
	    int (*fn)(const struct lk_group *, void *), void *arg);

/*
 * Put the user of email in group: LK_STORE_NOT_FOUND if either does not
 * exist, LK_STORE_EXISTS if they are in it already, LK_STORE_LIMIT if
 * they are in LK_STORE_USER_GROUPS_MAX groups already.  The user's next
 * token check sees it.
 */
enum lk_store_res lk_store_member_add(struct lk_store *, const char *group,
	    const char *email, long long now);

/* Take the user of email out of group; LK_STORE_NOT_FOUND if not in it. */
enum lk_store_res lk_store_member_delete(struct lk_store *,
	    const char *group, const char *email);

/*
 * The OpenID provider's operations, each one transaction, all through
 * one entry of the operations' table (struct lk_oidc_op says what).
 */
enum lk_oidc_what {
	LK_OIDC_CLIENT_ADD,
	LK_OIDC_CLIENT_FIND,
	LK_OIDC_CLIENT_EACH,
	LK_OIDC_CLIENT_DELETE,
	LK_OIDC_CLIENT_SECRET,
	LK_OIDC_SUBJECT,
	LK_OIDC_CODE_ADD,
	LK_OIDC_CODE_REDEEM,
	LK_OIDC_REFRESH,
	LK_OIDC_GRANT_FIND,
	LK_OIDC_GRANT_REVOKE,
	LK_OIDC_REFRESH_REVOKE,
	LK_OIDC_CONSENT_PUT,
	LK_OIDC_CONSENT_FIND,
	LK_OIDC_CONSENT_EACH,
	LK_OIDC_CONSENT_DELETE,
	LK_OIDC__MAX
};

struct lk_oidc_op {
	enum lk_oidc_what	 what;
	long long		 now;
	long long		 user_id;
	const char		*id;		/* a client's, a grant's */
	const char		*hash;		/* a code's or token's */
	const char		*next;		/* a new token's hash */
	long long		 exp;		/* ...its end */
	long long		 grace;
	const void		*in;
	void			*out;
	void			*out2;
	int			(*client_fn)(const struct lk_oidc_client *,
				    void *);
	int			(*consent_fn)(const struct lk_oidc_consent *,
				    void *);
	void			*arg;
	int			 result;	/* LK_OIDC_REFRESH's */
};

/* Register a client; LK_STORE_EXISTS if its id is taken. */
enum lk_store_res lk_store_client_add(struct lk_store *,
	    const struct lk_oidc_client *c, long long now);

/* The client of id into *out; LK_STORE_NOT_FOUND if none. */
enum lk_store_res lk_store_client_find(struct lk_store *, const char *id,
	    struct lk_oidc_client *out);

/* Call fn for every client, by id (its bytes); stops as user_each. */
enum lk_store_res lk_store_client_each(struct lk_store *,
	    int (*fn)(const struct lk_oidc_client *, void *), void *arg);

/*
 * Delete a client with its codes, grants (so every token it holds ends)
 * and consents; LK_STORE_NOT_FOUND if none.
 */
enum lk_store_res lk_store_client_delete(struct lk_store *, const char *id);

/*
 * Give the confidential client of id a new secret (its hash); the old
 * one stops working.  LK_STORE_NOT_FOUND if there is no confidential
 * client of that id.
 */
enum lk_store_res lk_store_client_secret(struct lk_store *, const char *id,
	    const char *hash);

/*
 * The OpenID subject of the user of user_id into out (outsz bytes): the
 * one it has, or else candidate (a fresh random value) recorded as its.
 * A subject goes with its account and is never given to another.
 * LK_STORE_NOT_FOUND if there is no such user.
 */
enum lk_store_res lk_store_oidc_subject(struct lk_store *, long long user_id,
	    const char *candidate, char *out, size_t outsz);

/* Record a new code (its hash and bindings), live until code->expires. */
enum lk_store_res lk_store_code_add(struct lk_store *,
	    const struct lk_oidc_code *code);

/*
 * Redeem the code of hash for client_id, in one transaction: the code
 * (into *out) must be live, unused, the client's, of an enabled account
 * whose latchkey session was not ended, and accepted by check (which
 * compares what the request proves: the redirect URI, the PKCE
 * verifier; non-zero refuses).  Then the code is spent and the grant
 * made (grant->id, exp; with refresh set, the family's first refresh
 * token of that hash and refresh_exp).  LK_STORE_NOT_FOUND for an
 * unknown, expired or another client's code, or an account or session
 * ended; LK_STORE_CHANGED if check refused (the code is spent);
 * LK_STORE_USED for a code redeemed before: the grant that redemption
 * made is revoked, with every token of it.
 */
enum lk_store_res lk_store_code_redeem(struct lk_store *, const char *hash,
	    const char *client_id, const struct lk_oidc_grant *grant,
	    const char *refresh, long long refresh_exp,
	    int (*check)(const struct lk_oidc_code *, void *), void *arg,
	    long long now, struct lk_oidc_code *out);

/*
 * Rotate the client's refresh token of hash: a live one (or one rotated
 * at most grace seconds ago, for a client whose answer was lost) gives
 * way to next, live until next_exp; *out is its grant.
 * LK_REFRESH_ROTATED; LK_REFRESH_REUSED for one rotated longer ago: its
 * grant is revoked; LK_REFRESH_REVOKED for an unknown, expired, revoked
 * or another client's token, or a grant no longer live
 * (lk_store_grant_find).
 */
enum lk_refresh_res lk_store_oidc_refresh(struct lk_store *,
	    const char *hash, const char *client_id, const char *next,
	    long long next_exp, long long grace, long long now,
	    struct lk_oidc_grant *out);

/*
 * The live grant of id into *grant and its user into *user: not revoked,
 * not past exp, the account enabled and its tokens not cut off after
 * the grant was made (a password change), the latchkey session it came
 * from not ended.  LK_STORE_NOT_FOUND otherwise.
 */
enum lk_store_res lk_store_grant_find(struct lk_store *, const char *id,
	    long long now, struct lk_oidc_grant *grant, struct lk_user *user);

/*
 * Revoke the grant of id, held by client_id (NULL: any client), with
 * every token of it; LK_STORE_NOT_FOUND if there is none.
 */
enum lk_store_res lk_store_grant_revoke(struct lk_store *, const char *id,
	    const char *client_id);

/* Revoke the grant of the client's refresh token of hash (RFC 7009). */
enum lk_store_res lk_store_oidc_refresh_revoke(struct lk_store *,
	    const char *hash, const char *client_id);

/* Record (or replace) the user's consent to the client's scope. */
enum lk_store_res lk_store_consent_put(struct lk_store *, long long user_id,
	    const char *client_id, const char *scope, long long now);

/* The user's consent to the client into *out; LK_STORE_NOT_FOUND. */
enum lk_store_res lk_store_consent_find(struct lk_store *,
	    long long user_id, const char *client_id,
	    struct lk_oidc_consent *out);

/* Call fn for each consent of the user, with its client's name. */
enum lk_store_res lk_store_consent_each(struct lk_store *, long long user_id,
	    int (*fn)(const struct lk_oidc_consent *, void *), void *arg);

/*
 * Withdraw the user's consent to the client and revoke the client's
 * grants of that user; LK_STORE_NOT_FOUND if there was no consent.
 */
enum lk_store_res lk_store_consent_delete(struct lk_store *,
	    long long user_id, const char *client_id);

/*
 * As lk_store_member_delete, but when group is keep (the administrators'
 * group), in the same transaction: LK_STORE_LIMIT, nothing written, if
 * the user is its last enabled member with a password (the site would
 * lock itself out), however many such changes run at once.
 */
enum lk_store_res lk_store_member_delete_keep(struct lk_store *,
	    const char *group, const char *email, const char *keep);

/*
 * Reserve one attempt on each of the n counters keys[i] (one window of
 * window seconds each) before the attempt costs anything: all or none.
 * LK_STORE_LIMIT (nothing counted, *retry_after set to the seconds until
 * the latest full counter's window ends) if any counter has limits[i]
 * attempts already, so that however many processes try at once no more
 * than limits[i] attempts go through per window.  Limits are at least 1.
 */
enum lk_store_res lk_store_throttle_reserve(struct lk_store *,
	    const char *const *keys, const long long *limits, size_t n,
	    long long window, long long now, long long *retry_after);

/*
 * A good login: if the user is still enabled and still has the hash the
 * password matched (else LK_STORE_CHANGED and nothing is written), store
 * the new hash if any, give back the throttle reservations, and record
 * the session and its tokens.  With a bound on sessions (the store's
 * sessions_max), the user's oldest live sessions (by login time) end
 * first, so that with this one the user holds at most that many: so does
 * every other operation that starts a session (a password change, the
 * second step of a login, a passkey sign-in, a link that logs in).
 */
enum lk_store_res lk_store_login(struct lk_store *, const struct lk_login *,
	    long long now);

/*
 * A password change: as lk_store_login, with new_hash required, and in
 * the same transaction every other session and token of the user ended,
 * the token revoke (the one that asked) revoked, and the passkeys not
 * kept (l->keep) deleted.
 */
enum lk_store_res lk_store_password_change(struct lk_store *,
	    const struct lk_login *, const struct lk_revoke *revoke,
	    long long now);

/*
 * Rotate a refresh token, checking in one transaction that it is ours,
 * live, of this user, of a session inside its limits; a token rotated
 * already gets the session's live pair back inside the grace (no new
 * token, no fork) and revokes the session past it.
 */
enum lk_refresh_res lk_store_refresh(struct lk_store *,
	    const struct lk_refresh *, long long now,
	    struct lk_store_tokens *successor);

/* Revoke the n tokens and the sessions that issued them. */
enum lk_store_res lk_store_logout(struct lk_store *,
	    const struct lk_revoke *tokens, size_t n, long long now);

/*
 * Record a one-time link, in one transaction, replacing the links of the
 * same kind the account had (a newer request voids older ones: its reset
 * links, or its invitation and sign-up links), and fill *user with the
 * account:
 *   LK_LINK_RESET: for the enabled account of email that has a password;
 *   else LK_STORE_NOT_FOUND and nothing is written (no such account,
 *   disabled or pending).
 *   LK_LINK_INVITE, LK_LINK_SIGNUP: for the pending account of email,
 *   made (with name) if there is none, so that it exists but cannot log
 *   in; LK_STORE_EXISTS and nothing written if the account has a
 *   password or is disabled (*user is that account).
 *   LK_LINK_SIGNUP also answers LK_STORE_EXISTS, writing nothing, for a
 *   pending account whose invitation is live: a stranger's sign-up never
 *   voids an administrator's invitation.
 *   The account joins link->groups (those it is in already stay, as do
 *   its other groups); LK_STORE_NOT_FOUND, nothing written, if one does
 *   not exist, LK_STORE_LIMIT if there would be too many.
 * A password set or changed, a disabling, and the use of a link, void
 * every link of the account.
 */
enum lk_store_res lk_store_link_add(struct lk_store *,
	    const struct lk_link_new *link, long long now, struct lk_user *user);

/*
 * The live link of token hash hash, for one of purposes (LK_LINK_BIT()s),
 * with its account: LK_STORE_NOT_FOUND if there is none, it expired (its
 * expiry is before or at now), it is for another purpose, or its account
 * can no longer use it (disabled; a reset link's account is pending, an
 * invitation's is not).  Reads only.
 */
enum lk_store_res lk_store_link_find(struct lk_store *, const char *hash,
	    unsigned int purposes, long long now, struct lk_link *out);

/*
 * Use a link found by lk_store_link_find, in one transaction: if the link
 * is still live, of the account and purposes given, and the account
 * still has the hash it had then and is enabled (else LK_STORE_NOT_FOUND
 * for a link gone, used or expired meanwhile, LK_STORE_CHANGED for an
 * account changed, and nothing is written), spend the second factor
 * (LK_STORE_USED), set the new hash, end every session and token of the
 * account, void all its links, delete the passkeys not kept, clear and
 * give back the throttle counters named, and record the session if one
 * is given.  So a link is used once however many requests race with it.
 */
enum lk_store_res lk_store_link_use(struct lk_store *,
	    const struct lk_link_use *use, long long now);

/* The word the store and the log use for a link's purpose ("reset"). */
const char *lk_link_purpose_name(enum lk_link_purpose p);

/*
 * Forget what has expired (past exp + leeway), old throttle counts, TOTP
 * set-ups older than LK_STORE_TOTP_SETUP_LIFE never confirmed, and the
 * pending accounts of sign-ups whose last link has expired (an invited
 * account stays until the administrator deletes it).  A pruned account
 * whose address had been deleted before keeps that deletion's mark, so
 * the old account's tokens stay dead.
 */
enum lk_store_res lk_store_prune(struct lk_store *, long long now);

/*
 * Give back one reservation on each of the n counters keys[i] (windows of
 * window seconds): an attempt that turned out right, where the counter is
 * not to be cleared (a password proved before a second factor is).
 */
enum lk_store_res lk_store_throttle_give_back(struct lk_store *,
	    const char *const *keys, size_t n, long long window, long long now);

/*
 * Forget the n counters keys[i] (the administrator lifting a lockout),
 * in one transaction.
 */
enum lk_store_res lk_store_throttle_clear(struct lk_store *,
	    const char *const *keys, size_t n);

/*
 * Count the users, the sessions live at now, and the throttle counters
 * whose window started after since (now less the throttle window), in one
 * read.  A read that answers is also the sign that the store is up (the
 * health check).  Returns LK_STORE_OK, or LK_STORE_ERROR (out zeroed).
 */
enum lk_store_res lk_store_stats(struct lk_store *, long long now,
	    long long since, struct lk_store_stats *out);

/*
 * The second factors of user_id (all zero, last_step -1, for a user with
 * none).  A set-up waiting for its first code is reported whatever its
 * age (totp_created says it; lk_store_totp_enable refuses an old one).
 */
enum lk_store_res lk_store_mfa_state(struct lk_store *, long long user_id,
	    struct lk_mfa_state *out);

/*
 * Record a new TOTP secret (sealed) for user_id, waiting for its first
 * code: it replaces one that waits already.  LK_STORE_EXISTS (nothing
 * written) if TOTP is on, LK_STORE_NOT_FOUND if there is no such user.
 */
enum lk_store_res lk_store_totp_setup(struct lk_store *, long long user_id,
	    const char *sealed, long long now);

/*
 * Turn TOTP on with its first code, of time step step, and set the n
 * recovery code hashes: only if the secret waiting is still sealed, set
 * up less than LK_STORE_TOTP_SETUP_LIFE seconds before now
 * (LK_STORE_CHANGED otherwise: set up again, expired, or on already).
 */
enum lk_store_res lk_store_totp_enable(struct lk_store *, long long user_id,
	    const char *sealed, long long step, const char *const *hashes,
	    size_t n, long long now);

/*
 * Turn TOTP off, its recovery codes with it, with the proof of a second
 * factor: a time step after the last one accepted (step >= 0) or the
 * hash of an unused recovery code (recovery).  LK_STORE_USED if the
 * step or code was used already (nothing written), LK_STORE_NOT_FOUND if
 * TOTP is not on.
 */
enum lk_store_res lk_store_totp_disable(struct lk_store *, long long user_id,
	    long long step, const char *recovery);

/*
 * Replace the user's recovery codes by n new hashes, spending the second
 * factor f (given: a current step or a live recovery code) in the same
 * transaction.  LK_STORE_USED (nothing written) if it was used already,
 * LK_STORE_NOT_FOUND if TOTP is not on.
 */
enum lk_store_res lk_store_recovery_replace(struct lk_store *,
	    long long user_id, const struct lk_factor_spend *f,
	    const char *const *hashes, size_t n, long long now);

/*
 * Take away the second factor of the user of email (the administrator's
 * `latchkey user mfa reset`): TOTP, recovery codes and pending logins,
 * in one transaction; the passkeys too if passkeys is set (else they
 * stay).  *npasskeys (may be NULL) gets how many passkeys the account
 * had.  LK_STORE_NOT_FOUND if there is no such user.
 */
enum lk_store_res lk_store_mfa_reset(struct lk_store *, const char *email,
	    int passkeys, long long *npasskeys);

/*
 * The first step of a login with a second factor: if the user is still
 * enabled and still has the hash the password matched (else
 * LK_STORE_CHANGED, nothing written), store the new hash if any, end the
 * user's other pending logins, record this one and give back the
 * throttle reservations.
 */
enum lk_store_res lk_store_mfa_start(struct lk_store *,
	    const struct lk_mfa_start *, long long now);

/*
 * The pending login id, if it is live at now, and its user.
 * LK_STORE_NOT_FOUND otherwise (unknown, used, expired, or the user gone).
 */
enum lk_store_res lk_store_mfa_pending(struct lk_store *, const char *id,
	    long long now, struct lk_mfa_pending *out);

/*
 * The second step of the login, in one transaction: the pending state
 * (LK_STORE_NOT_FOUND if it is no longer live), the factor (LK_STORE_USED
 * if the step or the recovery code was used already), the checks of
 * lk_store_login on the account (LK_STORE_CHANGED), then the session, the
 * throttle give-back and the end of every pending login of the user.
 * Nothing is written unless all of it is.
 */
enum lk_store_res lk_store_mfa_login(struct lk_store *,
	    const struct lk_mfa_login *, long long now);

/*
 * The WebAuthn user handle of user_id, made candidate if the user has
 * none yet; copied to out.
 */
enum lk_store_res lk_store_webauthn_handle(struct lk_store *,
	    long long user_id, const char *candidate, char *out, size_t outsz);

/*
 * Record a challenge, forgetting the expired ones: LK_STORE_LIMIT
 * (nothing written) if its address already holds limit live challenges
 * of its kind.  A registration's challenge may be bound to the proof of
 * a second factor, f (NULL: none asked), spent in the same transaction:
 * LK_STORE_USED (nothing written) if it was used already or the account's
 * second factor was turned on or off since it was read.
 */
enum lk_store_res lk_store_challenge_add(struct lk_store *,
	    const struct lk_challenge *, long long limit,
	    const struct lk_factor_spend *f, long long now);

/*
 * Register a passkey of p->user_id, using up the registration challenge
 * that user was given (LK_STORE_NOT_FOUND if it is not live), in one
 * transaction: LK_STORE_EXISTS if the credential is registered already,
 * LK_STORE_LIMIT if the user has max passkeys.
 */
enum lk_store_res lk_store_passkey_add(struct lk_store *,
	    const char *challenge, const struct lk_passkey *p, long long max,
	    long long now);

/*
 * The passkey of credential id credential_id (base64url), its user and
 * the user's WebAuthn handle.
 */
enum lk_store_res lk_store_passkey_find(struct lk_store *,
	    const char *credential_id, struct lk_passkey *p,
	    struct lk_user *user, char *handle, size_t handlesz);

/*
 * A passwordless sign-in, in one transaction: the login challenge
 * (LK_STORE_NOT_FOUND if it is not live), the counter (LK_STORE_CHANGED),
 * the checks of lk_store_login (LK_STORE_CHANGED), the session and the
 * passkey's last use.
 */
enum lk_store_res lk_store_passkey_login(struct lk_store *,
	    const struct lk_passkey_login *, long long now);

/* Call fn for each passkey of user_id, oldest first, while it returns 0. */
enum lk_store_res lk_store_passkey_each(struct lk_store *, long long user_id,
	    int (*fn)(const struct lk_passkey *, void *), void *arg);

/* Delete the passkey id of user_id; LK_STORE_NOT_FOUND if none. */
enum lk_store_res lk_store_passkey_delete(struct lk_store *,
	    long long user_id, const char *id);

/*
 * Call fn for each live session of user_id (not revoked, tokens not all
 * expired at now), the latest refreshed first, while it returns 0.
 */
enum lk_store_res lk_store_session_each(struct lk_store *, long long user_id,
	    long long now, int (*fn)(const struct lk_session *, void *),
	    void *arg);

/*
 * End sessions of user_id, their tokens with them: the session id (and
 * LK_STORE_NOT_FOUND if it is not a live one of the user's at now), or
 * with id NULL every one but keep (may be NULL).  *n (may be NULL) gets how many
 * ended.
 */
enum lk_store_res lk_store_session_end(struct lk_store *, long long user_id,
	    const char *id, const char *keep, long long now, long long *n);

/*
 * Call fn for every record of the store, users first, then groups,
 * memberships, deleted-user marks, sessions, refresh tokens, revocations, throttle counters, TOTP
 * secrets, recovery codes, pending logins, WebAuthn user handles,
 * passkeys, challenges, one-time links and audit events (so that each record comes
 * after those it refers to), all from one snapshot.  Stops early (and
 * returns LK_STORE_OK) when fn returns
 * non-zero.  LK_STORE_ERROR also when a value does not fit its struct
 * or could not be handed on whole (SQLite text holding a NUL byte).
 */
enum lk_store_res lk_store_export(struct lk_store *,
	    int (*fn)(const struct lk_store_record *, void *), void *arg);

/*
 * Copy every record of from into to, in one transaction on to: either
 * all of them are written, or nothing is.  A target that holds any record
 * already is refused (LK_STORE_EXISTS, nothing written) unless replace is
 * set: then everything it held is deleted first, in the same
 * transaction.  User ids are kept, so sessions and tokens work on the
 * copy as on the original.  counts[kind] (if not NULL) receives the number
 * of records of each kind copied.
 */
enum lk_store_res lk_store_copy(struct lk_store *from, struct lk_store *to,
	    int replace, size_t counts[LK_STORE_REC__MAX]);

/*
 * Record one audit event (a->id is not read; the store numbers events in
 * the order they are recorded).  Each text is cut to its field's size.
 * Its own transaction: an action's audit line is written to the log
 * first, and a row that cannot be written is logged as an error
 * (LK_STORE_ERROR), the action's outcome unchanged.
 */
enum lk_store_res lk_store_audit_add(struct lk_store *,
	    const struct lk_audit *a);

/*
 * Call fn for the audit events f selects, the newest first (by id), at
 * most f->limit of them, while it returns 0.  The next page starts
 * before the last id given (keyset: events recorded meanwhile neither
 * repeat nor hide one).  Events older than the store's audit_retention
 * are pruned with the rest (lk_store_prune).
 */
enum lk_store_res lk_store_audit_each(struct lk_store *,
	    const struct lk_audit_filter *f,
	    int (*fn)(const struct lk_audit *, void *), void *arg);

/* lk_store_open of the SQLite file path, create as its option. */
struct lk_store *lk_store_sqlite_open(const char *path, int create,
	    char *err, size_t errsz);

#endif
