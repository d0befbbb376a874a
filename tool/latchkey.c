/*
 * latchkey: the administrator's tool.  Creates the configuration, secret
 * key and user database, and manages users, in the spirit of htpasswd.
 * See docs/latchkey.1.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "base/metrics.h"
#include "base/util.h"
#include "decide/auth.h"
#include "decide/notify.h"
#include "decide/throttle.h"
#include "domain/config.h"
#include "domain/group.h"
#include "domain/keyring.h"
#include "domain/mail.h"
#include "domain/oidc.h"
#include "domain/onetime.h"
#include "domain/password.h"
#include "domain/policy.h"
#include "domain/rules.h"
#include "domain/secretbox.h"
#include "domain/store/sql.h"
#include "domain/store/store.h"

#define EXIT_USAGE	2

/* The version is the file VERSION's, passed in by the Makefile. */
#ifndef LK_VERSION
#define LK_VERSION	"unknown"
#endif

static const char usage_text[] =
"usage: latchkey [--config FILE] COMMAND [ARGS]\n"
"\n"
"commands:\n"
"  init [--user USER [--group GROUP]]\n"
"                            create the configuration file (if missing),\n"
"                            the secret key and the second factors' key\n"
"                            (if missing), the database and its folder;\n"
"                            with --user, give the keys, the database and\n"
"                            its folder to USER (the web server's user,\n"
"                            who runs the programs), existing ones too\n"
"  user add EMAIL [--name NAME] [--password-stdin] [--group NAME]...\n"
"                            add a user (named after the email's part\n"
"                            before '@' without --name), in each group\n"
"                            --group names; asks for the password twice\n"
"  user passwd EMAIL [--password-stdin]\n"
"                            set a user's password\n"
"  user invite EMAIL [--name NAME] [--print-link] [--group NAME]...\n"
"                            add a pending user (one that cannot log in\n"
"                            yet), in each group --group names, and mail\n"
"                            them a one-time link to choose a password\n"
"                            (SITE_URL/invite#TOKEN, valid\n"
"                            invite_token_expires); --print-link prints\n"
"                            the link instead of mailing it\n"
"  user del EMAIL            delete a user\n"
"  user list                 list users: email, status (enabled, disabled,\n"
"                            pending), name, groups (tab-separated; the\n"
"                            groups joined with ',')\n"
"  user disable EMAIL        refuse the user's logins and tokens\n"
"  user enable EMAIL         allow them again\n"
"  user unlock EMAIL         clear the user's count of failed logins, so\n"
"                            that they may try again at once\n"
"  user mfa reset EMAIL [--passkeys]\n"
"                            take away the user's second factor (TOTP,\n"
"                            recovery codes, a login waiting for its code),\n"
"                            so that the password alone logs in again;\n"
"                            passkeys stay (and still sign in) unless\n"
"                            --passkeys removes them too\n"
"  group add NAME [--description TEXT]\n"
"                            add a group (NAME: 1 to 64 of a-z, 0-9, '_',\n"
"                            '.' and '-', starting with a letter or digit)\n"
"                            for the access rules' group= subjects\n"
"  group del NAME            delete a group; its members leave it\n"
"  group list                list groups: name, number of members,\n"
"                            description (tab-separated)\n"
"  group adduser NAME EMAIL  put a user in a group (at most %d groups a\n"
"                            user); their next request sees it\n"
"  group deluser NAME EMAIL  take a user out of a group\n"
"  client add CLIENT_ID --redirect-uri URI [--redirect-uri URI]...\n"
"             [--public] [--name TEXT] [--group NAME]...\n"
"             [--post-logout-uri URI]... [--consent]\n"
"                            register an OpenID client (CLIENT_ID: 1 to 128\n"
"                            of A-Z, a-z, 0-9, '-', '.', '_', '~'); a\n"
"                            confidential client's secret is printed once,\n"
"                            alone on standard output (--public: none, PKCE\n"
"                            instead); --group: only members of those groups\n"
"                            may sign in to it; --consent: users agree to it\n"
"                            once before it gets their data\n"
"  client list               list clients: id, type (confidential, public),\n"
"                            consent (consent, first-party), name, redirect\n"
"                            URIs (joined with ' '), groups (joined with ',')\n"
"                            (tab-separated)\n"
"  client del CLIENT_ID      delete a client: every token it holds ends\n"
"  client secret CLIENT_ID   give a confidential client a new secret,\n"
"                            printed once; the old one stops working\n"
"  key rotate [--algorithm HS256|ES256|RS256]\n"
"                            replace the signing key with a new one (of\n"
"                            token_algorithm unless --algorithm says\n"
"                            otherwise), and without --algorithm the OpenID\n"
"                            provider's RS256 key too; tokens signed with\n"
"                            the old ones stay valid until they expire\n"
"  key prune                 drop old keys no live token can use\n"
"  key list                  list the keys: kid, status, algorithm, when\n"
"                            retired (ISO 8601, UTC)\n"
"  key publish DIR           write the public key of every ES256 and RS256 key\n"
"                            a live token may need as DIR/KID.pem (and remove\n"
"                            the others): a verify-only node's public_keys\n"
"  db copy --to DATABASE     copy every record (users, groups, deleted-user marks,\n"
"                            sessions, refresh tokens, revocations, throttle\n"
"                            counters, second factors, passkeys, one-time\n"
"                            links, OpenID clients, codes, grants, consents,\n"
"                            audit events) of the configured database into\n"
"                            DATABASE (a path, a postgresql:// or a mysql://\n"
"                            URI), in one transaction\n"
"  db copy --from DATABASE   the same, from DATABASE into the configured one\n"
"  audit list [--user EMAIL] [--event NAME] [--since DATE]\n"
"                            list the audit log's events kept in the store, the\n"
"                            newest first: time (ISO 8601, UTC), event, actor,\n"
"                            target, address, detail (tab-separated); --user\n"
"                            as actor or target, --since a date (YYYY-MM-DD or\n"
"                            YYYY-MM-DDTHH:MM:SSZ, UTC)\n"
"  check                     check the whole configuration, as apachectl\n"
"                            configtest does: the configuration file, the\n"
"                            keys, the access rules, the database (reachable,\n"
"                            its schema version) and mail; each problem on\n"
"                            standard error (FILE:LINE: where there is one),\n"
"                            else one line saying all is well (exit 0);\n"
"                            warnings (mail that cannot be sent) do not fail\n"
"  access check URL [--user EMAIL] [--method M] [--from ADDR] [--second-factor]\n"
"                            say which rule of access_rules decides a request\n"
"                            for URL (http[s]://host/path?query, or a path):\n"
"                            its line and text, and the decision; without\n"
"                            --user nobody is signed in; --second-factor: the\n"
"                            user's login used one.  Exit status 0 allowed,\n"
"                            1 not, 2 a usage or rules-file error\n"
"\n"
"options:\n"
"  -c, --config FILE         configuration file (default: $LATCHKEY_CONFIG,\n"
"                            else %s)\n"
"  --print-link              user invite: print the link, mail nothing\n"
"  --password-stdin          read the password from the first line of\n"
"                            standard input instead of the terminal\n"
"  --skip-password-policy    take any password (demonstrations and tests;\n"
"                            the API never does)\n"
"  --replace                 db copy: delete whatever the target holds\n"
"                            first (a target holding records is refused\n"
"                            without it)\n"
"  --password-file FILE      db copy: the other database's password, the one\n"
"                            line of FILE (mode 0600); else, on PostgreSQL,\n"
"                            libpq's PGPASSFILE\n"
"  --algorithm ALG           key rotate: the new key's algorithm\n"
"  --user USER               init: who the programs run as (e.g. www-data);\n"
"                            access check: the signed-in user (EMAIL)\n"
"  --group GROUP             init: their group (default: USER's own);\n"
"                            user add, user invite: a group to join;\n"
"                            client add: a group whose members it serves\n"
"  --description TEXT        group add: what the group is for\n"
"  --redirect-uri URI        client add: a redirect URI, matched exactly\n"
"  --post-logout-uri URI     client add: where logout may send the user back\n"
"  --passkeys                user mfa reset: remove the user's passkeys too\n"
"  -h, --help                show this help\n"
"  --version                 show the version\n"
"\n"
"exit status: 0 success, 1 failure (e.g. no such user), 2 usage error\n"
"(access check: see above)\n";

static void
usage(FILE *f)
{
	fprintf(f, usage_text, LK_STORE_USER_GROUPS_MAX,
	    lk_config_builtin_path());
}

/* A usage error: what was wrong, then where to read more.  Returns 2. */
static int	usage_error(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list	ap;

	fputs("latchkey: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

static struct termios	 tty_saved;
static int		 tty_fd = -1;

static void
tty_restore(void)
{
	if (tty_fd != -1)
		(void)tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
}

static void
on_signal(int sig)
{
	tty_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Read one line into buf; strips the newline.  Returns its length, -1 at
 * the end of input with nothing read, -2 for a line too long.
 */
static long
read_line(int fd, char *buf, size_t bufsz)
{
	size_t	n = 0;
	ssize_t	r;
	char	c;

	for (;;) {
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (c == '\n')
			break;
		if (n + 1 >= bufsz) {
			/* Drain the rest of an over-long line, then refuse it. */
			while ((r = read(fd, &c, 1)) == 1 && c != '\n')
				;
			lk_explicit_bzero(buf, bufsz);
			return -2;
		}
		buf[n++] = c;
	}
	if (r <= 0 && n == 0)
		return -1;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return (long)n;
}

static long
prompt_password(const char *prompt, char *buf, size_t bufsz)
{
	struct termios	t;
	long		n;

	if ((tty_fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) == -1) {
		fprintf(stderr, "latchkey: no terminal to read the password "
		    "from; use --password-stdin\n");
		return -1;
	}
	if (tcgetattr(tty_fd, &tty_saved) == -1) {
		fprintf(stderr, "latchkey: cannot read the terminal's settings\n");
		close(tty_fd);
		tty_fd = -1;
		return -1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	t = tty_saved;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	t.c_lflag |= ICANON;
	(void)tcsetattr(tty_fd, TCSAFLUSH, &t);
	if (write(tty_fd, prompt, strlen(prompt)) < 0)
		n = -1;
	else {
		n = read_line(tty_fd, buf, bufsz);
		if (write(tty_fd, "\n", 1) < 0 && n >= 0)
			n = -1;
		if (n == -1)
			fprintf(stderr, "latchkey: no password entered (end of "
			    "input)\n");
		else if (n == -2)
			fprintf(stderr, "latchkey: the password is longer than "
			    "%d bytes\n", LK_PASSWORD_MAX - 1);
	}
	tty_restore();
	close(tty_fd);
	tty_fd = -1;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	return n;
}

/* Get a new password from stdin or (twice) from the terminal. */
static int
get_password(int from_stdin, char *buf, size_t bufsz)
{
	char	again[LK_PASSWORD_MAX + 1];
	long	n;
	int	same;

	if (from_stdin) {
		n = read_line(STDIN_FILENO, buf, bufsz);
		if (n < 0) {
			fprintf(stderr, "latchkey: no password on standard "
			    "input, or longer than %d bytes\n",
			    LK_PASSWORD_MAX - 1);
			return -1;
		}
	} else {
		if ((n = prompt_password("New password: ", buf, bufsz)) < 0 ||
		    prompt_password("Repeat password: ", again,
		    sizeof(again)) < 0) {
			lk_explicit_bzero(again, sizeof(again));
			return -1;
		}
		same = strcmp(buf, again) == 0;
		lk_explicit_bzero(again, sizeof(again));
		if (!same) {
			fprintf(stderr, "latchkey: the passwords differ\n");
			return -1;
		}
	}
	if (n == 0) {
		fprintf(stderr, "latchkey: empty password\n");
		return -1;
	}
	if (memchr(buf, '\0', (size_t)n) != NULL || strlen(buf) != (size_t)n) {
		fprintf(stderr, "latchkey: NUL byte in password\n");
		return -1;
	}
	return 0;
}

static const char default_config[] =
"# latchkey configuration: one \"key = value\" per line; see\n"
"# docs/configuration.md for every key.  Relative paths are relative to\n"
"# this file's directory.\n"
"database = latchkey.db\n"
"key_file = secret.key\n"
"\n"
"# Access tokens live this long (seconds, or with suffix s, m, h, d).\n"
"access_token_expires = 1h\n"
"\n"
"# Cookies carry Secure unless you serve over plain HTTP (development).\n"
"cookie_secure = true\n"
"cookie_samesite = Lax\n"
"\n"
"# Password hashing for new passwords.\n"
"hash_method = yescrypt\n"
"hash_cost = 5\n";

static int
write_default_config(const char *path)
{
	char	dir[LK_CONFIG_PATH_MAX];
	char	*slash;
	FILE	*f;
	int	 fd;

	if (lk_strlcpy(dir, path, sizeof(dir)) == -1) {
		fprintf(stderr, "latchkey: %s: path too long\n", path);
		return -1;
	}
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
			fprintf(stderr, "latchkey: %s: %s\n", dir,
			    strerror(errno));
			return -1;
		}
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd == -1) {
		fprintf(stderr, "latchkey: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		return -1;
	}
	if (fputs(default_config, f) == EOF || fflush(f) == EOF ||
	    fsync(fileno(f)) == -1) {
		fprintf(stderr, "latchkey: %s: %s\n", path, strerror(errno));
		fclose(f);
		(void)unlink(path);
		return -1;
	}
	fclose(f);
	printf("created %s\n", path);
	return 0;
}

/*
 * The signing key of a node that issues tokens: made if missing (of
 * token_algorithm), checked if there.  Returns 0 or -1 (said why).
 */
/*
 * The OpenID provider's key pair (RS256, whatever token_algorithm is):
 * made if missing, and loaded to see that it can sign.
 */
static int
init_oidc_key(const struct lk_config *cfg)
{
	struct lk_key	key;
	char		err[LK_CONFIG_ERR_MAX];
	int		rc = -1;

	if (access(cfg->oidc_key_file, F_OK) == -1) {
		if (lk_key_generate_pair(cfg->oidc_key_file, LK_KEY_RS256, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "latchkey: %s\n", err);
			return -1;
		}
		printf("created %s\n", cfg->oidc_key_file);
	} else
		printf("kept existing %s\n", cfg->oidc_key_file);
	memset(&key, 0, sizeof(key));
	if (lk_key_load(&key, cfg->oidc_key_file, err, sizeof(err)) == -1)
		fprintf(stderr, "latchkey: %s\n", err);
	else if (key.alg != LK_KEY_RS256)
		fprintf(stderr, "latchkey: %s: the OpenID provider's key must be "
		    "RS256, not %s\n", cfg->oidc_key_file,
		    lk_key_alg_name(key.alg));
	else
		rc = 0;
	lk_key_clear(&key);
	return rc;
}

static int
init_key(const struct lk_config *cfg)
{
	struct lk_key	key;
	char		err[LK_CONFIG_ERR_MAX];
	int		rc;

	if (access(cfg->key_file, F_OK) == -1) {
		rc = cfg->token_algorithm == LK_KEY_HS256 ?
		    lk_key_generate(cfg->key_file, err, sizeof(err)) :
		    lk_key_generate_pair(cfg->key_file, cfg->token_algorithm,
		    err, sizeof(err));
		if (rc == -1) {
			fprintf(stderr, "latchkey: %s\n", err);
			return -1;
		}
		printf("created %s\n", cfg->key_file);
	} else
		printf("kept existing %s\n", cfg->key_file);
	/* Whatever exists must be usable by the programs. */
	memset(&key, 0, sizeof(key));
	if (lk_key_load(&key, cfg->key_file, err, sizeof(err)) == -1) {
		fprintf(stderr, "latchkey: %s\n", err);
		return -1;
	}
	if (key.alg != cfg->token_algorithm)
		printf("the key is %s, token_algorithm %s: 'latchkey key rotate' "
		    "makes an %s key\n", lk_key_alg_name(key.alg),
		    lk_key_alg_name(cfg->token_algorithm),
		    lk_key_alg_name(cfg->token_algorithm));
	lk_key_clear(&key);
	return 0;
}

/* The public keys of a verify-only node: they must load. */
static int
init_public(const struct lk_config *cfg)
{
	struct lk_keyring	*ring;
	char			 err[LK_CONFIG_ERR_MAX];
	int			 rc = -1;

	if ((ring = calloc(1, sizeof(*ring))) == NULL)
		return -1;
	if (lk_keyring_load_public(ring, cfg->public_keys, err,
	    sizeof(err)) == -1)
		fprintf(stderr, "latchkey: %s\n", err);
	else {
		printf("verify only: %zu public key%s in %s\n", ring->nprevious,
		    ring->nprevious == 1 ? "" : "s", cfg->public_keys);
		rc = 0;
	}
	lk_keyring_clear(ring);
	free(ring);
	return rc;
}

/* Who init gives the files the programs use to: --user and --group. */
struct owner {
	uid_t	uid;
	gid_t	gid;
	char	label[128];	/* "USER:GROUP", for what init prints */
};

/* Look up --user and --group; 0, or -1 (said why). */
static int
owner_lookup(const char *user, const char *group, struct owner *o)
{
	struct passwd	*pw;
	struct group	*gr;
	int		 n;

	if ((pw = getpwnam(user)) == NULL) {
		fprintf(stderr, "latchkey: init: no user %s\n", user);
		return -1;
	}
	o->uid = pw->pw_uid;
	o->gid = pw->pw_gid;
	if (group != NULL) {
		if ((gr = getgrnam(group)) == NULL) {
			fprintf(stderr, "latchkey: init: no group %s\n", group);
			return -1;
		}
		o->gid = gr->gr_gid;
	} else if ((gr = getgrgid(o->gid)) != NULL)
		group = gr->gr_name;
	n = group != NULL ?
	    snprintf(o->label, sizeof(o->label), "%s:%s", user, group) :
	    snprintf(o->label, sizeof(o->label), "%s:%lu", user,
	    (unsigned long)o->gid);
	if (n < 0 || (size_t)n >= sizeof(o->label)) {
		fprintf(stderr, "latchkey: init: user or group name too long\n");
		return -1;
	}
	return 0;
}

/* The folder of path, "." for a bare name, into out; 0 or -1. */
static int
folder_of(const char *path, char *out, size_t outsz)
{
	char	*slash;

	if (lk_strlcpy(out, path, outsz) == -1) {
		fprintf(stderr, "latchkey: %s: path too long\n", path);
		return -1;
	}
	if ((slash = strrchr(out, '/')) == NULL)
		return lk_strlcpy(out, ".", outsz);
	if (slash == out)
		slash[1] = '\0';
	else
		*slash = '\0';
	return 0;
}

/*
 * Make the SQLite database's folder if it is missing (its parents mode
 * 0755, itself 0700: only the programs' user goes in).  Returns 0 or -1.
 */
static int
make_database_folder(const char *dir)
{
	char	buf[LK_CONFIG_PATH_MAX];
	char	*p;

	if (access(dir, F_OK) == 0)
		return 0;
	if (lk_strlcpy(buf, dir, sizeof(buf)) == -1)
		return -1;
	for (p = buf + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(buf, 0755) == -1 && errno != EEXIST) {
			fprintf(stderr, "latchkey: %s: %s\n", buf, strerror(errno));
			return -1;
		}
		*p = '/';
	}
	if (mkdir(buf, 0700) == -1 && errno != EEXIST) {
		fprintf(stderr, "latchkey: %s: %s\n", buf, strerror(errno));
		return -1;
	}
	printf("created %s\n", dir);
	return 0;
}

/*
 * Whether the folders a and b are one (b may not exist).  A folder given
 * to the programs' user must never hold the configuration: that user
 * could put another file in its place, and root's latchkey reads it (and
 * runs its mail_command).
 */
static int
same_folder(const char *a, const char *b)
{
	struct stat	sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/*
 * Give path (a folder if dir is set) to o, without following a symbolic
 * link; a missing file is skipped when optional is set.  Returns 0, or -1
 * (said why).
 */
static int
hand_over(const char *path, int dir, int optional, const struct owner *o)
{
	int	fd, rc = 0;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    (dir ? O_DIRECTORY : 0));
	if (fd == -1) {
		if (optional && errno == ENOENT)
			return 0;
		fprintf(stderr, "latchkey: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fchown(fd, o->uid, o->gid) == -1) {
		fprintf(stderr, "latchkey: cannot give %s to %s: %s\n", path,
		    o->label, strerror(errno));
		rc = -1;
	} else
		printf("gave %s to %s\n", path, o->label);
	close(fd);
	return rc;
}

/*
 * Give o every file init made (or kept) that the programs read or write:
 * the keys (and the retired ones), the SQLite database, its WAL files and
 * its folder.  Modes stay as they are (0600, the folder 0700).
 */
static int
hand_over_all(const struct lk_config *cfg, const char *dbdir,
    const struct owner *o)
{
	static const char *const db_files[] = { "", "-wal", "-shm" };
	char			 path[LK_CONFIG_PATH_MAX + 16];
	size_t			 i;
	int			 rc = 0;

	if (cfg->public_keys[0] == '\0') {
		rc |= hand_over(cfg->key_file, 0, 0, o);
		(void)snprintf(path, sizeof(path), "%s.previous", cfg->key_file);
		rc |= hand_over(path, 0, 1, o);
		rc |= hand_over(cfg->oidc_key_file, 0, 0, o);
		(void)snprintf(path, sizeof(path), "%s.previous",
		    cfg->oidc_key_file);
		rc |= hand_over(path, 0, 1, o);
	}
	rc |= hand_over(cfg->mfa_key_file, 0, 0, o);
	if (dbdir != NULL) {
		rc |= hand_over(dbdir, 1, 0, o);
		for (i = 0; i < sizeof(db_files) / sizeof(db_files[0]); i++) {
			(void)snprintf(path, sizeof(path), "%s%s", cfg->database,
			    db_files[i]);
			rc |= hand_over(path, 0, i > 0, o);
		}
	}
	return rc == 0 ? 0 : -1;
}

static int
cmd_init(const char *cfgpath, const struct owner *o)
{
	struct lk_config	 cfg;
	struct lk_store_options	 so;
	struct lk_store		*s;
	struct lk_secretbox_key	 mfa_key;
	char			 err[LK_CONFIG_ERR_MAX];
	char			 cfgdir[LK_CONFIG_PATH_MAX];
	char			 dbdir[LK_CONFIG_PATH_MAX];
	int			 sqlite;

	if (access(cfgpath, F_OK) == -1 && write_default_config(cfgpath) == -1)
		return 1;
	if (lk_config_load(&cfg, cfgpath, err, sizeof(err)) == -1) {
		fprintf(stderr, "latchkey: %s\n", err);
		return 1;
	}
	sqlite = !lk_store_is_uri(cfg.database);
	if (sqlite && (folder_of(cfg.database, dbdir, sizeof(dbdir)) == -1 ||
	    folder_of(cfgpath, cfgdir, sizeof(cfgdir)) == -1))
		return 1;
	if (o != NULL && sqlite && same_folder(cfgdir, dbdir)) {
		fprintf(stderr, "latchkey: init: the database's folder %s holds "
		    "the configuration too: it cannot be given to %s, who could "
		    "then replace the configuration; give the database a folder "
		    "of its own (e.g. database = /var/lib/latchkey/latchkey.db)"
		    "\n", dbdir, o->label);
		return 1;
	}
	if ((cfg.public_keys[0] != '\0' ? init_public(&cfg) :
	    init_key(&cfg)) == -1)
		return 1;
	/* TOTP secrets are sealed with a key of their own. */
	if (access(cfg.mfa_key_file, F_OK) == -1) {
		if (lk_secretbox_key_generate(cfg.mfa_key_file, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "latchkey: %s\n", err);
			return 1;
		}
		printf("created %s\n", cfg.mfa_key_file);
	} else
		printf("kept existing %s\n", cfg.mfa_key_file);
	if (lk_secretbox_key_load(&mfa_key, cfg.mfa_key_file, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "latchkey: %s\n", err);
		return 1;
	}
	lk_secretbox_key_clear(&mfa_key);
	/* A verify-only node issues nothing: no provider key there. */
	if (cfg.public_keys[0] == '\0' && init_oidc_key(&cfg) == -1)
		return 1;
	if (sqlite && make_database_folder(dbdir) == -1)
		return 1;
	memset(&so, 0, sizeof(so));
	so.create = 1;
	so.leeway = cfg.leeway;
	so.password_file = cfg.database_password_file;
	if ((s = lk_store_open(cfg.database, &so, err, sizeof(err))) == NULL) {
		fprintf(stderr, "latchkey: database %s\n", err);
		return 1;
	}
	lk_store_close(s);
	printf("database %s ready (schema version %d)\n", cfg.database,
	    lk_store_schema_version());
	if (o != NULL && hand_over_all(&cfg, sqlite ? dbdir : NULL, o) == -1)
		return 1;
	return 0;
}

static int
print_user(const struct lk_user *u, const struct lk_store_groups *g,
    void *arg)
{
	(void)arg;
	printf("%s\t%s\t%s\t%s\n", u->email, u->disabled ? "disabled" :
	    lk_store_user_pending(u) ? "pending" : "enabled", u->name,
	    g->n > 0 ? g->text : "");
	return 0;
}

/* What a command was given, and what it works on. */
struct run {
	const char		*cfgpath;
	const char		*email;
	const char		*name;		/* --name, or NULL */
	int			 from_stdin;	/* --password-stdin */
	int			 any_password;	/* --skip-password-policy */
	const char		*to;		/* db copy --to */
	const char		*from;		/* db copy --from */
	const char		*password_file;	/* db copy --password-file */
	int			 replace;	/* db copy --replace */
	int			 print_link;	/* user invite --print-link */
	int			 passkeys;	/* user mfa reset --passkeys */
	const char		*algorithm;	/* key rotate --algorithm */
	const char		*dir;		/* key publish DIR */
	const char		*url;		/* access check URL */
	const char		*user;		/* access check --user */
	const char		*method;	/* access check --method */
	const char		*addr;		/* access check --from */
	int			 second_factor;	/* access check --second-factor */
	const char		*owner;		/* init --user */
	const char		*group;		/* init --group */
	const char		*gname;		/* group ... NAME */
	const char		*description;	/* group add --description */
	const char		*client_id;	/* client ... CLIENT_ID */
	int			 public_client;	/* client add --public */
	int			 consent;	/* client add --consent */
	/* client add --redirect-uri, --post-logout-uri: URIs joined */
	char			 redirect_uris[LK_OIDC_URIS_MAX + 1];
	char			 logout_uris[LK_OIDC_URIS_MAX + 1];
	const char		*event;		/* audit list --event */
	const char		*since;		/* audit list --since */
	/* user add, user invite: --group NAME... */
	const char		*groups[LK_STORE_USER_GROUPS_MAX];
	int			 found[LK_STORE_USER_GROUPS_MAX];
	size_t			 ngroups;
	struct lk_config	 cfg;
	struct lk_store		*store;
};

#define OPT_EMAIL	0x1u	/* takes EMAIL */
#define OPT_NAME	0x2u	/* takes --name */
#define OPT_STDIN	0x4u	/* takes --password-stdin */
#define OPT_STORE	0x8u	/* opens the database */
#define OPT_COPY	0x10u	/* takes --to, --from, --replace, --password-file */
#define OPT_LINK	0x20u	/* takes --print-link */
#define OPT_ALG		0x40u	/* takes --algorithm */
#define OPT_DIR		0x80u	/* takes DIR */
#define OPT_ACCESS	0x100u	/* takes URL, --user, --method, --from, ... */
#define OPT_OWNER	0x200u	/* takes --user, --group */
#define OPT_PASSKEYS	0x400u	/* takes --passkeys */
#define OPT_GNAME	0x800u	/* takes a group's NAME (before EMAIL) */
#define OPT_DESC	0x1000u	/* takes --description */
#define OPT_GROUPS	0x2000u	/* takes --group NAME, more than once */
#define OPT_CLIENT	0x4000u	/* takes CLIENT_ID */
#define OPT_CLIENT_ADD	0x8000u	/* takes --redirect-uri ... --consent */
#define OPT_AUDIT	0x10000u	/* takes --user, --event, --since */

struct command {
	const char	*group;		/* "user", "key", "db", or NULL */
	const char	*name;
	unsigned int	 opts;
	int		(*run)(struct run *);
};

/* Report a store result for EMAIL; 0 on success, 1 otherwise. */
static int
report(enum lk_store_res r, const char *email, const char *done_text)
{
	switch (r) {
	case LK_STORE_OK:
		printf("user %s: %s\n", email, done_text);
		return 0;
	case LK_STORE_EXISTS:
		fprintf(stderr, "latchkey: user %s exists\n", email);
		return 1;
	case LK_STORE_NOT_FOUND:
		fprintf(stderr, "latchkey: no user %s\n", email);
		return 1;
	default:
		fprintf(stderr, "latchkey: database error\n");
		return 1;
	}
}

/*
 * Ask for a new password and hash it, with the API's rules for new
 * passwords.  Returns 0 with the hash in out, or -1 (said why).
 */
static int
new_hash(struct run *r, char *out, size_t outsz)
{
	char		 pw[LK_PASSWORD_MAX + 1];
	const char	*why;
	int		 rc = -1;

	if (get_password(r->from_stdin, pw, sizeof(pw)) == -1)
		goto out;
	if (!r->any_password && (why = lk_policy_password(&r->cfg, pw,
	    strlen(pw), r->email)) != NULL) {
		fprintf(stderr, "latchkey: %s\n", why);
		goto out;
	}
	if (lk_password_hash(&r->cfg.hash, pw, out, outsz) == -1) {
		fprintf(stderr, "latchkey: cannot hash the password\n");
		goto out;
	}
	rc = 0;
out:
	lk_explicit_bzero(pw, sizeof(pw));
	return rc;
}

/*
 * The name of a new account: --name, else the email's part before '@',
 * under the same rules.  Returns 0, or 1 (said why).
 */
static int
account_name(struct run *r, char *local, size_t localsz)
{
	const char	*why, *at;

	if (r->name == NULL && (at = strchr(r->email, '@')) != NULL &&
	    (size_t)(at - r->email) < localsz) {
		memcpy(local, r->email, (size_t)(at - r->email));
		local[at - r->email] = '\0';
		if (lk_policy_name(&r->cfg, local, strlen(local)) != NULL) {
			fprintf(stderr, "latchkey: the email's part before '@' "
			    "is not a name: give --name NAME\n");
			return 1;
		}
		r->name = local;
	}
	if (r->name != NULL && (why = lk_policy_name(&r->cfg, r->name,
	    strlen(r->name))) != NULL) {
		fprintf(stderr, "latchkey: %s\n", why);
		return 1;
	}
	return 0;
}

static int
group_seen(const struct lk_group *g, void *arg)
{
	struct run	*r = arg;
	size_t		 i;

	/* Each name found is struck off (the list is the command's own). */
	for (i = 0; i < r->ngroups; i++)
		if (r->groups[i] != NULL && r->groups[i][0] != '\0' &&
		    strcmp(r->groups[i], g->name) == 0)
			r->found[i] = 1;
	return 0;
}

/* Whether every --group names a group: 0, or 1 (said which is not). */
static int
groups_exist(struct run *r)
{
	size_t	i;

	memset(r->found, 0, sizeof(r->found));
	if (r->ngroups == 0)
		return 0;
	if (lk_store_group_each(r->store, group_seen, r) != LK_STORE_OK) {
		fprintf(stderr, "latchkey: database error\n");
		return 1;
	}
	for (i = 0; i < r->ngroups; i++)
		if (!r->found[i]) {
			fprintf(stderr, "latchkey: no group %s\n", r->groups[i]);
			return 1;
		}
	return 0;
}

static int
user_add(struct run *r)
{
	struct lk_user		 u;
	char			 hash[LK_HASH_MAX + 1];
	char			 local[LK_EMAIL_MAX + 1];
	enum lk_store_res	 sr;
	int			 rc = 1;

	if (account_name(r, local, sizeof(local)) != 0)
		return 1;
	/* Check before asking for a password that would be wasted. */
	if ((sr = lk_store_user_find(r->store, r->email, &u)) != LK_STORE_NOT_FOUND)
		return report(sr == LK_STORE_OK ? LK_STORE_EXISTS : sr,
		    sr == LK_STORE_OK ? u.email : r->email, "");
	if (groups_exist(r) != 0)
		return 1;
	if (new_hash(r, hash, sizeof(hash)) == 0) {
		sr = lk_store_user_add_groups(r->store, r->email,
		    r->name != NULL ? r->name : "", hash, r->groups, r->ngroups,
		    (long long)time(NULL));
		/* A group deleted since it was looked for. */
		if (sr == LK_STORE_NOT_FOUND)
			fprintf(stderr, "latchkey: a group of --group is gone: "
			    "nothing was added\n");
		else
			rc = report(sr, r->email, "added");
	}
	lk_explicit_bzero(hash, sizeof(hash));
	return rc;
}

/*
 * A pending account and its invitation: the one-time link mailed (or,
 * with --print-link, printed alone on standard output for the caller to
 * pass on).
 */
static int
user_invite(struct run *r)
{
	struct lk_link_new	 ln;
	struct lk_notice_args	 a;
	struct lk_user		 u;
	char			 token[LK_ONETIME_TOKEN_LEN + 1];
	char			 hash[LK_ONETIME_HASH_LEN + 1];
	char			 local[LK_EMAIL_MAX + 1], err[512];
	long long		 now = (long long)time(NULL);
	int			 rc = 1;

	if (account_name(r, local, sizeof(local)) != 0)
		return 1;
	/* Check what the link needs before anything is written. */
	if (r->cfg.site_url[0] == '\0') {
		fprintf(stderr, "latchkey: site_url is not set: the link is "
		    "built from it\n");
		return 1;
	}
	if (!r->print_link && r->cfg.mail_from[0] == '\0') {
		fprintf(stderr, "latchkey: mail_from is not set: set it to "
		    "mail the invitation, or use --print-link\n");
		return 1;
	}
	if (!r->print_link && !lk_mail_addr_valid(r->email)) {
		fprintf(stderr, "latchkey: mail cannot reach '%s' (a plain "
		    "ASCII address is needed): use --print-link\n", r->email);
		return 1;
	}
	if (groups_exist(r) != 0)
		return 1;
	if (lk_onetime_new(token, hash) == -1) {
		fprintf(stderr, "latchkey: the random source failed\n");
		return 1;
	}
	memset(&ln, 0, sizeof(ln));
	ln.purpose = LK_LINK_INVITE;
	ln.email = r->email;
	ln.name = r->name != NULL ? r->name : "";
	ln.hash = hash;
	ln.expires = now + r->cfg.invite_token_expires;
	ln.groups = r->groups;
	ln.ngroups = r->ngroups;
	switch (lk_store_link_add(r->store, &ln, now, &u)) {
	case LK_STORE_OK:
		break;
	case LK_STORE_NOT_FOUND:
		fprintf(stderr, "latchkey: a group of --group is gone: nobody "
		    "was invited\n");
		goto out;
	case LK_STORE_LIMIT:
		fprintf(stderr, "latchkey: user %s would be in more than %d "
		    "groups: nobody was invited\n", r->email,
		    LK_STORE_USER_GROUPS_MAX);
		goto out;
	case LK_STORE_EXISTS:
		fprintf(stderr, "latchkey: user %s exists%s: only a new (or "
		    "still pending) account is invited\n", u.email,
		    u.disabled ? " (disabled)" : "");
		goto out;
	default:
		fprintf(stderr, "latchkey: database error\n");
		goto out;
	}
	if (r->print_link) {
		printf("%s/invite#%s\n", r->cfg.site_url, token);
		rc = 0;
		goto out;
	}
	memset(&a, 0, sizeof(a));
	a.email = u.email;
	a.name = u.name;
	a.token = token;
	a.lifetime = r->cfg.invite_token_expires;
	if (lk_notify_now(&r->cfg, LK_NOTICE_INVITE, &a, now, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "latchkey: user %s: pending, but the invitation "
		    "was not sent: %s (run the command again to send a new "
		    "one)\n", u.email, err);
		goto out;
	}
	printf("user %s: invited (the link is mailed)\n", u.email);
	/*
	 * Counted in the node's file if the programs made it: never made
	 * here, where it would belong to whoever runs the tool.
	 */
	if (r->cfg.metrics_file[0] != '\0' && lk_metrics_open(r->cfg.metrics_file,
	    0, err, sizeof(err)) == 0) {
		lk_metrics_count(LK_M_LINK_INVITE_SENT);
		lk_metrics_close();
	}
	rc = 0;
out:
	lk_explicit_bzero(token, sizeof(token));
	return rc;
}

static int
user_passwd(struct run *r)
{
	struct lk_user		 u;
	char			 hash[LK_HASH_MAX + 1];
	enum lk_store_res	 sr;
	int			 rc = 1;

	if ((sr = lk_store_user_find(r->store, r->email, &u)) != LK_STORE_OK)
		return report(sr, r->email, "");
	if (new_hash(r, hash, sizeof(hash)) == 0)
		rc = report(lk_store_user_set_password(r->store, r->email, hash,
		    (long long)time(NULL)), r->email, "password set");
	lk_explicit_bzero(hash, sizeof(hash));
	return rc;
}

static int
user_del(struct run *r)
{
	return report(lk_store_user_delete(r->store, r->email,
	    (long long)time(NULL)), r->email, "deleted");
}

static int
user_disable(struct run *r)
{
	return report(lk_store_user_set_disabled(r->store, r->email, 1,
	    (long long)time(NULL)), r->email, "disabled");
}

static int
user_enable(struct run *r)
{
	return report(lk_store_user_set_disabled(r->store, r->email, 0,
	    (long long)time(NULL)), r->email, "enabled");
}

/*
 * Lift the login lockout of an account: its counter of failed attempts
 * (the one every login, code and password check of it counts on) is
 * forgotten.  The counters of the addresses that guessed stay.
 */
static int
user_unlock(struct run *r)
{
	struct lk_user		 u;
	const char		*keys[1];
	char			 key[LK_STORE_KEY_MAX];
	enum lk_store_res	 sr;

	if ((sr = lk_store_user_find(r->store, r->email, &u)) != LK_STORE_OK)
		return report(sr, r->email, "");
	lk_throttle_account_key(u.email, key, sizeof(key));
	keys[0] = key;
	return report(lk_store_throttle_clear(r->store, keys, 1), u.email,
	    "failed logins cleared");
}

static int
user_mfa_reset(struct run *r)
{
	struct lk_notice_args	a;
	struct lk_mfa_state	m;
	struct lk_user		u;
	char			err[512], done[128];
	long long		n = 0;
	enum lk_store_res	sr;
	int			had = 0;

	memset(&m, 0, sizeof(m));
	if (lk_store_user_find(r->store, r->email, &u) == LK_STORE_OK &&
	    lk_store_mfa_state(r->store, u.id, &m) == LK_STORE_OK)
		had = m.totp;
	lk_explicit_bzero(&m, sizeof(m));
	sr = lk_store_mfa_reset(r->store, r->email, r->passkeys, &n);
	/* Say plainly what still signs in: a passkey needs no password. */
	if (r->passkeys)
		(void)snprintf(done, sizeof(done), "second factor reset, %lld "
		    "passkey%s removed", n, n == 1 ? "" : "s");
	else if (n == 0)
		(void)snprintf(done, sizeof(done), "second factor reset (no "
		    "passkeys)");
	else
		(void)snprintf(done, sizeof(done), "second factor reset; %lld "
		    "passkey%s stay%s and still sign%s in (--passkeys removes "
		    "%s)", n, n == 1 ? "" : "s", n == 1 ? "s" : "",
		    n == 1 ? "s" : "", n == 1 ? "it" : "them");
	if (report(sr, r->email, done) != 0)
		return 1;
	/*
	 * The user hears of it, as of a change they made themselves: a
	 * second factor taken away by whoever runs this is what an attacker
	 * who talked their way past support would ask for.  Where mail is
	 * not set up there is nobody to tell.
	 */
	if (r->cfg.mail_from[0] == '\0' || r->cfg.site_url[0] == '\0')
		return 0;
	memset(&a, 0, sizeof(a));
	a.email = u.email;
	a.name = u.name;
	if (had && lk_notify_enabled(&r->cfg, LK_NOTICE_SECOND_FACTOR_REMOVED) &&
	    lk_notify_now(&r->cfg, LK_NOTICE_SECOND_FACTOR_REMOVED, &a,
	    (long long)time(NULL), err, sizeof(err)) == -1)
		fprintf(stderr, "latchkey: user %s: the notice was not sent: "
		    "%s\n", u.email, err);
	if (r->passkeys && n > 0 &&
	    lk_notify_enabled(&r->cfg, LK_NOTICE_PASSKEY_REMOVED) &&
	    lk_notify_now(&r->cfg, LK_NOTICE_PASSKEY_REMOVED, &a,
	    (long long)time(NULL), err, sizeof(err)) == -1)
		fprintf(stderr, "latchkey: user %s: the notice was not sent: "
		    "%s\n", u.email, err);
	return 0;
}

static int
user_list(struct run *r)
{
	return lk_store_user_each_groups(r->store, print_user, NULL) ==
	    LK_STORE_OK ? 0 : 1;
}

/* Which of the group and the user of a NOT_FOUND is missing: said. */
static void
say_missing(struct run *r)
{
	struct lk_user	u;

	r->groups[0] = r->gname;
	r->ngroups = 1;
	if (groups_exist(r) != 0)
		return;
	if (lk_store_user_find(r->store, r->email, &u) == LK_STORE_NOT_FOUND)
		fprintf(stderr, "latchkey: no user %s\n", r->email);
	else
		fprintf(stderr, "latchkey: user %s is not in group %s\n",
		    r->email, r->gname);
}

/*
 * Report the store result res of a group command on r->gname (and, for
 * a member command, r->email): done on success, else why not.  Returns 0
 * on success, 1 otherwise.
 */
static int
group_report(struct run *r, enum lk_store_res res, const char *done)
{
	switch (res) {
	case LK_STORE_OK:
		if (r->email != NULL)
			printf("group %s: user %s %s\n", r->gname, r->email,
			    done);
		else
			printf("group %s: %s\n", r->gname, done);
		return 0;
	case LK_STORE_EXISTS:
		if (r->email != NULL)
			fprintf(stderr, "latchkey: user %s is in group %s "
			    "already\n", r->email, r->gname);
		else
			fprintf(stderr, "latchkey: group %s exists\n",
			    r->gname);
		return 1;
	case LK_STORE_NOT_FOUND:
		if (r->email != NULL)
			say_missing(r);
		else
			fprintf(stderr, "latchkey: no group %s\n", r->gname);
		return 1;
	case LK_STORE_LIMIT:
		fprintf(stderr, "latchkey: user %s is in %d groups already, "
		    "the most one user may be in\n", r->email,
		    LK_STORE_USER_GROUPS_MAX);
		return 1;
	default:
		fprintf(stderr, "latchkey: database error\n");
		return 1;
	}
}

static int
group_add(struct run *r)
{
	const char	*why, *text = r->description != NULL ?
			    r->description : "";

	if ((why = lk_group_description_check(text)) != NULL) {
		fprintf(stderr, "latchkey: %s\n", why);
		return 1;
	}
	return group_report(r, lk_store_group_add(r->store, r->gname, text,
	    (long long)time(NULL)), "added");
}

static int
group_del(struct run *r)
{
	return group_report(r, lk_store_group_delete(r->store, r->gname),
	    "deleted");
}

static int
print_group(const struct lk_group *g, void *arg)
{
	(void)arg;
	printf("%s\t%lld\t%s\n", g->name, g->members, g->description);
	return 0;
}

static int
group_list(struct run *r)
{
	if (lk_store_group_each(r->store, print_group, NULL) != LK_STORE_OK) {
		fprintf(stderr, "latchkey: database error\n");
		return 1;
	}
	return 0;
}

/*
 * A date for --since: YYYY-MM-DD (midnight), or YYYY-MM-DDTHH:MM:SSZ, in
 * UTC; or seconds since the epoch.  0, or -1 if it is none of them.
 */
static int
parse_since(const char *v, long long *out)
{
	struct tm	 tm;
	const char	*end;
	time_t		 t;

	if (strspn(v, "0123456789") == strlen(v))
		return lk_parse_ll(v, 0, 253402300799LL, out);
	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(v, "%Y-%m-%d", &tm)) == NULL)
		return -1;
	if (*end == 'T' && ((end = strptime(end + 1, "%H:%M:%S", &tm)) ==
	    NULL || strcmp(end, "Z") != 0))
		return -1;
	else if (*end != '\0' && *end != 'Z')
		return -1;
	if (tm.tm_year < 70 || (t = timegm(&tm)) == (time_t)-1)
		return -1;
	*out = (long long)t;
	return 0;
}

struct audit_print {
	long long	last;
	size_t		n;
};

static int
print_audit(const struct lk_audit *a, void *arg)
{
	struct audit_print	*p = arg;
	char			 when[32];
	time_t			 t = (time_t)a->time;
	struct tm		 tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(when, sizeof(when), "%lld", a->time);
	printf("%s\t%s\t%s\t%s\t%s\t%s\n", when, a->event, a->actor,
	    a->target, a->address, a->detail);
	p->last = a->id;
	p->n++;
	return 0;
}

/* The audit log's events, the newest first, page by page. */
static int
audit_list(struct run *r)
{
	struct lk_audit_filter	f;
	struct audit_print	p;

	memset(&f, 0, sizeof(f));
	f.user = r->user;
	f.event = r->event;
	f.limit = LK_STORE_AUDIT_PAGE_MAX;
	if (r->since != NULL && parse_since(r->since, &f.since) == -1) {
		fprintf(stderr, "latchkey: --since: expected a date, "
		    "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)\n");
		return 2;
	}
	do {
		memset(&p, 0, sizeof(p));
		if (lk_store_audit_each(r->store, &f, print_audit, &p) !=
		    LK_STORE_OK) {
			fprintf(stderr, "latchkey: database error\n");
			return 1;
		}
		f.before = p.last;
	} while (p.n == (size_t)f.limit);
	return 0;
}

static int
group_adduser(struct run *r)
{
	return group_report(r, lk_store_member_add(r->store, r->gname,
	    r->email, (long long)time(NULL)), "added");
}

static int
group_deluser(struct run *r)
{
	return group_report(r, lk_store_member_delete(r->store, r->gname,
	    r->email), "removed");
}

/* The longest token lifetime: a retired key signed nothing after it retired. */
static long long
max_lifetime(const struct lk_config *cfg)
{
	return (cfg->refresh_token_expires > cfg->access_token_expires ?
	    cfg->refresh_token_expires : cfg->access_token_expires) +
	    cfg->leeway;
}

/* A verify-only node has no key to rotate, prune or publish. */
static int
signing_node(const struct run *r, const char *what)
{
	if (r->cfg.public_keys[0] == '\0')
		return 1;
	fprintf(stderr, "latchkey: this node only verifies (public_keys = %s): "
	    "%s where the signing key is\n", r->cfg.public_keys, what);
	return 0;
}

/*
 * A time as ISO 8601 in UTC ("2026-12-07T17:57:14Z"), read at a glance
 * and sorted as text; the seconds themselves if it has no such date.
 */
static void
iso_time(long long t, char *out, size_t outsz)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (t < 0 || t > 253402300799LL || gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(out, outsz, "%lld", t);
}

static int
print_keys(const struct lk_config *cfg, int current_only)
{
	struct lk_keyring	*ring;
	const struct lk_key	*k;
	char			 err[LK_CONFIG_ERR_MAX], when[32];
	size_t			 i;
	int			 rc = 1, public = cfg->public_keys[0] != '\0';

	if ((ring = calloc(1, sizeof(*ring))) == NULL)
		return 1;
	if ((public ? lk_keyring_load_public(ring, cfg->public_keys, err,
	    sizeof(err)) : lk_keyring_load(ring, cfg->key_file, err,
	    sizeof(err))) == -1) {
		fprintf(stderr, "latchkey: %s\n", err);
		goto out;
	}
	if (current_only)
		printf("new key %s\n", ring->current.kid);
	else {
		if (!public)
			printf("%s\tcurrent\t%s\n", ring->current.kid,
			    lk_key_alg_name(ring->current.alg));
		for (i = 0; i < ring->nprevious; i++) {
			k = &ring->previous[i];
			if (public)
				printf("%s\tpublic\t%s\n", k->kid,
				    lk_key_alg_name(k->alg));
			else {
				iso_time(k->retired, when, sizeof(when));
				printf("%s\tretired\t%s\t%s\n", k->kid,
				    lk_key_alg_name(k->alg), when);
			}
		}
	}
	rc = 0;
out:
	lk_keyring_clear(ring);
	free(ring);
	return rc;
}

/*
 * The OpenID provider's key, rotated with the site's (RS256 always; made
 * if a site older than the provider has none yet).
 */
static int
oidc_key_rotate(const struct lk_config *cfg)
{
	struct lk_keyring	*ring;
	char			 err[LK_CONFIG_ERR_MAX];
	int			 rc = 1;

	if (access(cfg->oidc_key_file, F_OK) == -1)
		return init_oidc_key(cfg) == -1;
	if (lk_keyring_rotate(cfg->oidc_key_file, LK_KEY_RS256,
	    (long long)time(NULL), err, sizeof(err)) == -1) {
		fprintf(stderr, "latchkey: %s\n", err);
		return 1;
	}
	if ((ring = calloc(1, sizeof(*ring))) == NULL)
		return 1;
	if (lk_keyring_load(ring, cfg->oidc_key_file, err, sizeof(err)) == -1)
		fprintf(stderr, "latchkey: %s\n", err);
	else {
		printf("new OpenID provider key %s\n", ring->current.kid);
		rc = 0;
	}
	lk_keyring_clear(ring);
	free(ring);
	return rc;
}

static int
key_rotate(struct run *r)
{
	enum lk_key_alg	alg = r->cfg.token_algorithm;
	char		err[LK_CONFIG_ERR_MAX];

	if (!signing_node(r, "rotate"))
		return 1;
	/* parse_args checked the name. */
	if (r->algorithm != NULL)
		(void)lk_key_alg_parse(r->algorithm, &alg);
	if (lk_keyring_rotate(r->cfg.key_file, alg, (long long)time(NULL), err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "latchkey: %s\n", err);
		return 1;
	}
	if (print_keys(&r->cfg, 1) != 0)
		return 1;
	/* --algorithm changes the site's key alone. */
	return r->algorithm == NULL ? oidc_key_rotate(&r->cfg) : 0;
}

static int
key_prune(struct run *r)
{
	char		err[LK_CONFIG_ERR_MAX];
	size_t		dropped, more = 0;

	if (!signing_node(r, "prune"))
		return 1;
	if (lk_keyring_prune(r->cfg.key_file, (long long)time(NULL),
	    max_lifetime(&r->cfg), &dropped, err, sizeof(err)) == -1) {
		fprintf(stderr, "latchkey: %s\n", err);
		return 1;
	}
	/* The provider's tokens live no longer than access tokens. */
	if (access(r->cfg.oidc_key_file, F_OK) == 0 &&
	    lk_keyring_prune(r->cfg.oidc_key_file, (long long)time(NULL),
	    r->cfg.access_token_expires + r->cfg.leeway, &more, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "latchkey: %s\n", err);
		return 1;
	}
	dropped += more;
	printf("dropped %zu key%s\n", dropped, dropped == 1 ? "" : "s");
	return 0;
}

static int
key_list(struct run *r)
{
	return print_keys(&r->cfg, 0);
}

static int
key_publish(struct run *r)
{
	char	err[LK_CONFIG_ERR_MAX];
	size_t	written, removed;

	if (!signing_node(r, "publish"))
		return 1;
	if (lk_keyring_publish(r->cfg.key_file, r->dir, (long long)time(NULL),
	    max_lifetime(&r->cfg), &written, &removed, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "latchkey: %s\n", err);
		return 1;
	}
	printf("wrote %zu public key%s to %s, removed %zu\n", written,
	    written == 1 ? "" : "s", r->dir, removed);
	return 0;
}

static int
init(struct run *r)
{
	struct owner	o;

	if (r->owner == NULL)
		return cmd_init(r->cfgpath, NULL);
	if (owner_lookup(r->owner, r->group, &o) == -1)
		return 1;
	return cmd_init(r->cfgpath, &o);
}

/*
 * Copy the configured database into another (--to) or another into it
 * (--from): either backend to either, in one transaction on the target.
 */
static int
db_copy(struct run *r)
{
	struct lk_store_options	 so;
	struct lk_store		*other;
	const char		*name = r->to != NULL ? r->to : r->from;
	const char		*target = r->to != NULL ? r->to : r->cfg.database;
	size_t			 counts[LK_STORE_REC__MAX];
	char			 err[LK_CONFIG_ERR_MAX], shown[1024];
	enum lk_store_res	 sr;
	int			 i;

	if (strcmp(name, r->cfg.database) == 0) {
		fprintf(stderr, "latchkey: %s is the configured database "
		    "itself\n", name);
		return 1;
	}
	if (lk_store_is_uri(name) &&
	    lk_sql_uri_redact(name, shown, sizeof(shown)) > 0) {
		fprintf(stderr, "latchkey: %s holds a password, which is never "
		    "taken from a command line (every user of this machine can "
		    "read it there): put it in a file only you can read, its "
		    "one line, and give that with --password-file FILE\n",
		    shown);
		return 1;
	}
	memset(&so, 0, sizeof(so));
	so.create = r->to != NULL;
	so.leeway = r->cfg.leeway;
	so.password_file = r->password_file;
	if ((other = lk_store_open(name, &so, err, sizeof(err))) == NULL) {
		fprintf(stderr, "latchkey: database %s\n", err);
		return 1;
	}
	sr = r->to != NULL ? lk_store_copy(r->store, other, r->replace, counts) :
	    lk_store_copy(other, r->store, r->replace, counts);
	lk_store_close(other);
	switch (sr) {
	case LK_STORE_OK:
		printf("copied");
		for (i = 0; i < LK_STORE_REC__MAX; i++)
			printf("%s %zu %s%s", i == 0 ? "" : ",", counts[i],
			    lk_store_rec_name((enum lk_store_rec)i),
			    counts[i] == 1 ? "" : "s");
		printf(" into %s\n", target);
		return 0;
	case LK_STORE_EXISTS:
		fprintf(stderr, "latchkey: %s holds records already; nothing "
		    "was copied (--replace deletes them first)\n", target);
		return 1;
	default:
		fprintf(stderr, "latchkey: the copy failed; nothing was written "
		    "to %s\n", target);
		return 1;
	}
}

/*
 * The Host header and the path (with query) a browser sends for url
 * ("http[s]://host[:port]/path?query#fragment", or "/path?query"), into
 * host and uri.  Returns 0, or -1 if url is neither.
 */
static int
split_url(const char *url, char *host, size_t hostsz, char *uri, size_t urisz)
{
	const char	*p = url, *auth;
	size_t		 n;

	host[0] = '\0';
	if (strncasecmp(p, "http://", 7) == 0 || strncasecmp(p, "https://", 8) == 0) {
		auth = p + (p[4] == ':' ? 7 : 8);
		n = strcspn(auth, "/?#");
		/* user@host would be another host to a browser's eyes. */
		if (n == 0 || n >= hostsz || memchr(auth, '@', n) != NULL)
			return -1;
		memcpy(host, auth, n);
		host[n] = '\0';
		p = auth + n;
	} else if (p[0] != '/')
		return -1;
	n = strcspn(p, "#");
	if (n + 2 > urisz)
		return -1;
	if (n == 0 || p[0] != '/') {
		/* "http://host" and "http://host?q" ask for "/". */
		uri[0] = '/';
		memcpy(uri + 1, p, n);
		uri[n + 1] = '\0';
	} else {
		memcpy(uri, p, n);
		uri[n] = '\0';
	}
	return 0;
}

/*
 * Which rule decides a request, as the authorizer would decide it: first
 * as if nobody were signed in, then, when a rule wants a session and
 * --user names one, as that user (their groups, --second-factor).
 */
static int
access_check(struct run *r)
{
	struct lk_rules			*rules = NULL;
	struct lk_access_request	 q;
	struct lk_access_decision	 d;
	struct lk_store_options		 so;
	struct lk_groups		 groups;
	struct lk_store_groups		 ug;
	struct lk_user			 u;
	enum lk_store_res		 sr;
	char				 host[LK_RULES_HOST_MAX + 8];
	char				 uri[LK_RULES_URI_MAX + 2];
	char				 err[LK_RULES_ERR_MAX];
	int				 rc = EXIT_USAGE;

	if (r->cfg.access_rules[0] == '\0') {
		fprintf(stderr, "latchkey: %s sets no access_rules: the "
		    "authorizer lets any signed-in user through\n", r->cfgpath);
		return EXIT_USAGE;
	}
	if (split_url(r->url, host, sizeof(host), uri, sizeof(uri)) == -1)
		return usage_error("access check: '%s' is not a URL "
		    "(http://host/path, https://host/path) or a path (/path)",
		    r->url);
	if (lk_rules_load(r->cfg.access_rules, &rules, err, sizeof(err)) == -1) {
		fprintf(stderr, "latchkey: %s\n", err);
		return EXIT_USAGE;
	}
	memset(&q, 0, sizeof(q));
	q.host = host;
	q.uri = uri;
	q.method = r->method != NULL ? r->method : "GET";
	q.address = r->addr;
	lk_rules_decide(rules, &q, &d);
	if (d.access == LK_ACCESS_LOGIN && r->user != NULL) {
		memset(&so, 0, sizeof(so));
		so.leeway = r->cfg.leeway;
		so.password_file = r->cfg.database_password_file;
		if ((r->store = lk_store_open(r->cfg.database, &so, err,
		    sizeof(err))) == NULL) {
			fprintf(stderr, "latchkey: database %s\n", err);
			goto out;
		}
		if ((sr = lk_store_user_find(r->store, r->user, &u)) != LK_STORE_OK) {
			fprintf(stderr, "latchkey: %s: %s\n", r->user,
			    sr == LK_STORE_NOT_FOUND ? "no such user" :
			    "the database failed");
			goto out;
		}
		if (u.disabled || lk_store_user_pending(&u)) {
			printf("%s is %s: the authorizer refuses the login "
			    "before any rule\n", u.email, u.disabled ?
			    "disabled" : "pending (no password yet)");
			rc = 1;
			goto out;
		}
		if (lk_store_user_groups(r->store, u.email, &ug) !=
		    LK_STORE_OK || lk_auth_groups(&ug, &groups) == -1) {
			fprintf(stderr, "latchkey: %s: the database failed\n",
			    r->user);
			goto out;
		}
		q.has_session = 1;
		q.user = u.email;
		q.groups = groups.list;
		q.ngroups = groups.n;
		q.second_factor = r->second_factor;
		lk_rules_decide(rules, &q, &d);
	}
	if (d.access == LK_ACCESS_BAD_REQUEST)
		printf("the request's path or host cannot be read (a bad %%XX "
		    "escape, not UTF-8, a NUL, or %%2F with \"..\")\n");
	else if (d.line == 0)
		printf("no rule matches\n");
	else
		printf("line %zu: %s\n", d.line, d.text);
	printf("decision: %s%s\n", lk_access_name(d.access), d.no_address ?
	    " (a net= rule, and no client address: see --from)" : "");
	rc = d.access == LK_ACCESS_ALLOW || d.access == LK_ACCESS_BYPASS ? 0 : 1;
out:
	lk_rules_free(rules);
	return rc;
}

/* Whether the program of a mail command can be run: NULL, or why not. */
static const char *
runnable(const char *prog, char *why, size_t whysz)
{
	const char	*path, *p;
	char		 full[4096];
	size_t		 n;

	if (strchr(prog, '/') != NULL) {
		if (access(prog, X_OK) == 0)
			return NULL;
		(void)snprintf(why, whysz, "%s: %s", prog, strerror(errno));
		return why;
	}
	if ((path = getenv("PATH")) == NULL || *path == '\0')
		path = "/usr/bin:/bin";
	for (p = path; *p != '\0'; p += n + (p[n] == ':')) {
		n = strcspn(p, ":");
		if (n > 0 && snprintf(full, sizeof(full), "%.*s/%s", (int)n, p,
		    prog) < (int)sizeof(full) && access(full, X_OK) == 0)
			return NULL;
	}
	(void)snprintf(why, whysz, "%s: not found in PATH", prog);
	return why;
}

/* OpenID clients. */

/* Print a client secret alone on its line: the only time it is shown. */
static int
print_secret(const char *secret)
{
	if (printf("%s\n", secret) < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "latchkey: cannot write the secret\n");
		return 1;
	}
	return 0;
}

static int
client_add(struct run *r)
{
	struct lk_oidc_client	*c;
	char			 secret[LK_OIDC_SECRET_LEN + 1];
	size_t			 i, at = 0;
	int			 rc = 1;

	secret[0] = '\0';
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		fprintf(stderr, "latchkey: out of memory\n");
		return 1;
	}
	if (r->redirect_uris[0] == '\0') {
		fprintf(stderr, "latchkey: client add: at least one "
		    "--redirect-uri is needed\n");
		goto out;
	}
	if (r->name != NULL && strlen(r->name) > LK_STORE_CLIENT_NAME_MAX) {
		fprintf(stderr, "latchkey: a client's name is longer than %d "
		    "bytes\n", LK_STORE_CLIENT_NAME_MAX);
		goto out;
	}
	if (groups_exist(r) != 0)
		goto out;
	(void)snprintf(c->id, sizeof(c->id), "%s", r->client_id);
	(void)snprintf(c->name, sizeof(c->name), "%s",
	    r->name != NULL ? r->name : r->client_id);
	c->public_client = r->public_client;
	c->consent = r->consent;
	(void)snprintf(c->redirect_uris, sizeof(c->redirect_uris), "%s",
	    r->redirect_uris);
	(void)snprintf(c->logout_uris, sizeof(c->logout_uris), "%s",
	    r->logout_uris);
	for (i = 0; i < r->ngroups; i++)
		at += (size_t)snprintf(c->groups + at, sizeof(c->groups) - at,
		    "%s%s", i > 0 ? "," : "", r->groups[i]);
	if (!r->public_client && lk_oidc_secret_new(secret, c->secret) == -1) {
		fprintf(stderr, "latchkey: no randomness for the secret\n");
		goto out;
	}
	switch (lk_store_client_add(r->store, c, (long long)time(NULL))) {
	case LK_STORE_OK:
		break;
	case LK_STORE_EXISTS:
		fprintf(stderr, "latchkey: client %s exists\n", r->client_id);
		goto out;
	default:
		fprintf(stderr, "latchkey: database error\n");
		goto out;
	}
	if (r->public_client) {
		printf("client %s: added (public: no secret, PKCE)\n",
		    r->client_id);
		rc = 0;
	} else {
		fprintf(stderr, "latchkey: client %s: added; its secret, on "
		    "standard output, is shown this once\n", r->client_id);
		rc = print_secret(secret);
	}
out:
	lk_explicit_bzero(secret, sizeof(secret));
	free(c);
	return rc;
}

/* The URIs of list ('\n' between them) with ' ' instead. */
static void
print_uris(const char *list)
{
	for (; *list != '\0'; list++)
		putchar(*list == '\n' ? ' ' : *list);
}

static int
print_client(const struct lk_oidc_client *c, void *arg)
{
	(void)arg;
	printf("%s\t%s\t%s\t%s\t", c->id, c->public_client ? "public" :
	    "confidential", c->consent ? "consent" : "first-party", c->name);
	print_uris(c->redirect_uris);
	printf("\t%s\n", c->groups);
	return 0;
}

static int
client_list(struct run *r)
{
	if (lk_store_client_each(r->store, print_client, NULL) !=
	    LK_STORE_OK) {
		fprintf(stderr, "latchkey: database error\n");
		return 1;
	}
	return 0;
}

static int
client_del(struct run *r)
{
	switch (lk_store_client_delete(r->store, r->client_id)) {
	case LK_STORE_OK:
		printf("client %s: deleted\n", r->client_id);
		return 0;
	case LK_STORE_NOT_FOUND:
		fprintf(stderr, "latchkey: no client %s\n", r->client_id);
		return 1;
	default:
		fprintf(stderr, "latchkey: database error\n");
		return 1;
	}
}

static int
client_secret(struct run *r)
{
	struct lk_oidc_client	*c;
	char			 secret[LK_OIDC_SECRET_LEN + 1];
	char			 hash[LK_OIDC_HASH_LEN + 1];
	enum lk_store_res	 res;
	int			 rc = 1;

	secret[0] = '\0';
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		fprintf(stderr, "latchkey: out of memory\n");
		return 1;
	}
	if ((res = lk_store_client_find(r->store, r->client_id, c)) ==
	    LK_STORE_NOT_FOUND) {
		fprintf(stderr, "latchkey: no client %s\n", r->client_id);
		goto out;
	}
	if (res != LK_STORE_OK) {
		fprintf(stderr, "latchkey: database error\n");
		goto out;
	}
	if (c->public_client) {
		fprintf(stderr, "latchkey: client %s is public: it has no "
		    "secret\n", r->client_id);
		goto out;
	}
	if (lk_oidc_secret_new(secret, hash) == -1) {
		fprintf(stderr, "latchkey: no randomness for the secret\n");
		goto out;
	}
	switch (lk_store_client_secret(r->store, r->client_id, hash)) {
	case LK_STORE_OK:
		fprintf(stderr, "latchkey: client %s: a new secret, on "
		    "standard output, is shown this once\n", r->client_id);
		rc = print_secret(secret);
		break;
	case LK_STORE_NOT_FOUND:
		fprintf(stderr, "latchkey: no client %s\n", r->client_id);
		break;
	default:
		fprintf(stderr, "latchkey: database error\n");
		break;
	}
out:
	lk_explicit_bzero(secret, sizeof(secret));
	free(c);
	return rc;
}

/* A problem `latchkey check` found: said, and counted. */
static void	problem(int *count, const char *kind, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

static void
problem(int *count, const char *kind, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "latchkey: %s: ", kind);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	(*count)++;
}

/*
 * The whole configuration, as the programs will read it: its file, the
 * keys, the access rules, the database and mail.  Changes nothing.
 */
static int
check(struct run *r)
{
	struct lk_keyring	*ring;
	struct lk_secretbox_key	 box;
	struct lk_rules		*rules = NULL;
	struct lk_mail_argv	 a;
	char			 err[LK_CONFIG_ERR_MAX], why[512], signs[64] = "";
	const char		*alg;
	int			 errors = 0, warnings = 0, version;

	/* The file was read by run_command: it holds no error. */
	if ((ring = calloc(1, sizeof(*ring))) == NULL) {
		fprintf(stderr, "latchkey: out of memory\n");
		return 1;
	}
	if (r->cfg.public_keys[0] != '\0' ? lk_keyring_load_public(ring,
	    r->cfg.public_keys, err, sizeof(err)) : lk_keyring_load(ring,
	    r->cfg.key_file, err, sizeof(err)))
		problem(&errors, "error", "keys: %s", err);
	else if (r->cfg.public_keys[0] == '\0' &&
	    (alg = lk_key_alg_name(ring->current.alg)) != NULL)
		(void)snprintf(signs, sizeof(signs), "tokens signed with %s, ",
		    alg);
	else
		(void)snprintf(signs, sizeof(signs), "verify only, ");
	lk_keyring_clear(ring);
	free(ring);
	memset(&box, 0, sizeof(box));
	if (r->cfg.mfa_key_file[0] != '\0' &&
	    lk_secretbox_key_load(&box, r->cfg.mfa_key_file, err,
	    sizeof(err)) == -1)
		problem(&errors, "error", "second factors' key: %s", err);
	lk_secretbox_key_clear(&box);
	if (r->cfg.access_rules[0] != '\0' &&
	    lk_rules_load(r->cfg.access_rules, &rules, err, sizeof(err)) == -1)
		problem(&errors, "error", "access rules: %s", err);
	lk_rules_free(rules);
	if (lk_store_probe(r->cfg.database, r->cfg.database_password_file,
	    &version, err, sizeof(err)) == -1)
		problem(&errors, "error", "database %s", err);
	else if (version > LK_STORE_SCHEMA_VERSION)
		problem(&errors, "error", "database %s: schema version %d is "
		    "newer than this latchkey (%d)", r->cfg.database, version,
		    LK_STORE_SCHEMA_VERSION);
	else if (version < LK_STORE_SCHEMA_VERSION)
		problem(&warnings, "warning", "database %s: schema version %d "
		    "is behind this latchkey's (%d): the first program or "
		    "command that opens it brings it up to date",
		    r->cfg.database, version, LK_STORE_SCHEMA_VERSION);
	/* Without mail, "Forgot password?" hides and nothing is sent. */
	if (r->cfg.mail_from[0] == '\0')
		problem(&warnings, "warning", "%s: mail_from is not set: no "
		    "mail is sent (no password resets, invitations, sign-ups "
		    "or notices; \"Forgot password?\" is hidden)", r->cfgpath);
	else if (r->cfg.site_url[0] == '\0')
		problem(&warnings, "warning", "%s: site_url is not set: no "
		    "mail with a link is sent (\"Forgot password?\" is "
		    "hidden)", r->cfgpath);
	if (r->cfg.mail_from[0] != '\0' && (lk_mail_command_parse(
	    r->cfg.mail_command, &a, why, sizeof(why)) == -1 || a.argc == 0 ||
	    runnable(a.argv[0], why, sizeof(why)) != NULL))
		problem(&warnings, "warning", "%s: mail_command cannot be run "
		    "(%s): no mail is sent", r->cfgpath, why);
	if (errors > 0) {
		fprintf(stderr, "latchkey: %s: %d error%s\n", r->cfgpath,
		    errors, errors == 1 ? "" : "s");
		return 1;
	}
	printf("%s: OK (%sdatabase schema version %d%s)\n", r->cfgpath, signs,
	    version, warnings > 0 ? ", with warnings" : "");
	return 0;
}

static const struct command commands[] = {
	{ NULL, "init", OPT_OWNER, init },
	{ "user", "add", OPT_EMAIL | OPT_NAME | OPT_STDIN | OPT_GROUPS |
	    OPT_STORE, user_add },
	{ "user", "passwd", OPT_EMAIL | OPT_STDIN | OPT_STORE, user_passwd },
	{ "user", "invite", OPT_EMAIL | OPT_NAME | OPT_LINK | OPT_GROUPS |
	    OPT_STORE, user_invite },
	{ "user", "del", OPT_EMAIL | OPT_STORE, user_del },
	{ "user", "list", OPT_STORE, user_list },
	{ "user", "disable", OPT_EMAIL | OPT_STORE, user_disable },
	{ "user", "enable", OPT_EMAIL | OPT_STORE, user_enable },
	{ "user", "unlock", OPT_EMAIL | OPT_STORE, user_unlock },
	{ "user", "mfa reset", OPT_EMAIL | OPT_PASSKEYS | OPT_STORE,
	    user_mfa_reset },
	{ "group", "add", OPT_GNAME | OPT_DESC | OPT_STORE, group_add },
	{ "group", "del", OPT_GNAME | OPT_STORE, group_del },
	{ "group", "list", OPT_STORE, group_list },
	{ "group", "adduser", OPT_GNAME | OPT_EMAIL | OPT_STORE, group_adduser },
	{ "group", "deluser", OPT_GNAME | OPT_EMAIL | OPT_STORE, group_deluser },
	{ "client", "add", OPT_CLIENT | OPT_CLIENT_ADD | OPT_NAME | OPT_GROUPS |
	    OPT_STORE, client_add },
	{ "client", "list", OPT_STORE, client_list },
	{ "client", "del", OPT_CLIENT | OPT_STORE, client_del },
	{ "client", "secret", OPT_CLIENT | OPT_STORE, client_secret },
	{ "key", "rotate", OPT_ALG, key_rotate },
	{ "key", "prune", 0, key_prune },
	{ "key", "list", 0, key_list },
	{ "key", "publish", OPT_DIR, key_publish },
	{ "db", "copy", OPT_STORE | OPT_COPY, db_copy },
	{ "audit", "list", OPT_AUDIT | OPT_STORE, audit_list },
	{ "access", "check", OPT_ACCESS, access_check },
	{ NULL, "check", 0, check },
};

#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

/* The names of group's commands, "a, b or c", for an error. */
static void
group_names(const char *group, char *out, size_t outsz)
{
	size_t	i, n = 0, k = 0, o = 0;

	for (i = 0; i < NCOMMANDS; i++)
		if (commands[i].group != NULL &&
		    strcmp(commands[i].group, group) == 0)
			n++;
	out[0] = '\0';
	for (i = 0; i < NCOMMANDS && o < outsz; i++) {
		if (commands[i].group == NULL ||
		    strcmp(commands[i].group, group) != 0)
			continue;
		k++;
		o += (size_t)snprintf(out + o, outsz - o, "%s%s",
		    k == 1 ? "" : k == n ? " or " : ", ", commands[i].name);
	}
}

/*
 * Whether the words of name ("mfa reset") are argv[0..]: the number of
 * arguments they take, or 0.
 */
static int
name_words(const char *name, int argc, char *argv[])
{
	size_t	n;
	int	i;

	for (i = 0; i < argc; i++) {
		n = strcspn(name, " ");
		if (strlen(argv[i]) != n || strncmp(argv[i], name, n) != 0)
			return 0;
		if (name[n] == '\0')
			return i + 1;
		name += n + 1;
	}
	return 0;
}

/* The command named by argv[0] (and the words after it for a group); NULL said why. */
static const struct command *
find_command(int argc, char *argv[], int *used, int *rc)
{
	char	names[128];
	size_t	i;
	int	group = 0, words;

	for (i = 0; i < NCOMMANDS; i++) {
		if (commands[i].group == NULL &&
		    strcmp(commands[i].name, argv[0]) == 0) {
			*used = 1;
			return &commands[i];
		}
		if (commands[i].group != NULL &&
		    strcmp(commands[i].group, argv[0]) == 0) {
			group = 1;
			if ((words = name_words(commands[i].name, argc - 1,
			    argv + 1)) > 0) {
				*used = 1 + words;
				return &commands[i];
			}
		}
	}
	if (!group)
		*rc = usage_error("unknown command '%s'", argv[0]);
	else {
		group_names(argv[0], names, sizeof(names));
		*rc = argc > 1 ?
		    usage_error("unknown command '%s %s': expected %s", argv[0],
		    argv[1], names) :
		    usage_error("%s: expected %s", argv[0], names);
	}
	return NULL;
}

/* An option that takes a value, and where in struct run it goes. */
struct value_opt {
	const char	*name;
	size_t		 off;
};

/*
 * One of opts (--NAME VALUE or --NAME=VALUE), a, with next the argument
 * after it (or NULL): 0 with *used set to the arguments it took, the usage
 * error's exit status, or -1 if a is none of them.
 */
static int
value_arg(const struct value_opt *opts, size_t nopts, const char *a,
    const char *next, int *used, struct run *r)
{
	const char	**slot;
	size_t		  k, n;

	*used = 1;
	for (k = 0; k < nopts; k++) {
		n = strlen(opts[k].name);
		if (strncmp(a, opts[k].name, n) != 0 ||
		    (a[n] != '\0' && a[n] != '='))
			continue;
		slot = (const char **)(void *)((char *)r + opts[k].off);
		if (*slot != NULL)
			return usage_error("option '%s' given twice",
			    opts[k].name);
		if (a[n] == '=')
			*slot = a + n + 1;
		else if ((*slot = next) != NULL)
			*used = 2;
		if (*slot == NULL || **slot == '\0')
			return usage_error("option '%s' needs a value",
			    opts[k].name);
		return 0;
	}
	return -1;
}

/* One of db copy's options: as value_arg, and --replace. */
static int
copy_arg(const char *a, const char *next, int *used, struct run *r)
{
	static const struct value_opt opts[] = {
		{ "--to", offsetof(struct run, to) },
		{ "--from", offsetof(struct run, from) },
		{ "--password-file", offsetof(struct run, password_file) },
	};

	*used = 1;
	if (strcmp(a, "--replace") == 0) {
		r->replace = 1;
		return 0;
	}
	return value_arg(opts, sizeof(opts) / sizeof(opts[0]), a, next, used,
	    r);
}

/* One of audit list's options. */
static int
audit_arg(const char *a, const char *next, int *used, struct run *r)
{
	static const struct value_opt opts[] = {
		{ "--user", offsetof(struct run, user) },
		{ "--event", offsetof(struct run, event) },
		{ "--since", offsetof(struct run, since) },
	};

	return value_arg(opts, sizeof(opts) / sizeof(opts[0]), a, next, used,
	    r);
}

/* One of access check's options: as value_arg, and --second-factor. */
static int
access_arg(const char *a, const char *next, int *used, struct run *r)
{
	static const struct value_opt opts[] = {
		{ "--user", offsetof(struct run, user) },
		{ "--method", offsetof(struct run, method) },
		{ "--from", offsetof(struct run, addr) },
	};

	*used = 1;
	if (strcmp(a, "--second-factor") == 0) {
		r->second_factor = 1;
		return 0;
	}
	return value_arg(opts, sizeof(opts) / sizeof(opts[0]), a, next, used,
	    r);
}

/* Add uri to the '\n'-joined list (of size sz): 0, or a usage error. */
static int
uri_append(char *list, size_t sz, const char *opt, const char *uri)
{
	const char	*why;
	size_t		 n = strlen(list);

	if ((why = lk_oidc_uri_check(uri)) != NULL)
		return usage_error("option '%s': '%s': %s", opt, uri, why);
	if (lk_oidc_uri_listed(list, uri, strlen(uri)))
		return usage_error("option '%s': '%s' given twice", opt, uri);
	if (n + (n > 0) + strlen(uri) >= sz)
		return usage_error("option '%s': more URIs than fit in %zu "
		    "bytes", opt, sz - 1);
	if (n > 0)
		list[n++] = '\n';
	memcpy(list + n, uri, strlen(uri) + 1);
	return 0;
}

/*
 * One of client add's own options (--redirect-uri, --post-logout-uri,
 * each more than once, --public, --consent): as value_arg.
 */
static int
client_arg(const char *a, const char *next, int *used, struct run *r)
{
	static const char *const names[] = { "--redirect-uri",
	    "--post-logout-uri" };
	const char	*v;
	size_t		 k, n;

	*used = 1;
	if (strcmp(a, "--public") == 0) {
		r->public_client = 1;
		return 0;
	}
	if (strcmp(a, "--consent") == 0) {
		r->consent = 1;
		return 0;
	}
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		n = strlen(names[k]);
		if (strncmp(a, names[k], n) != 0 || (a[n] != '\0' &&
		    a[n] != '='))
			continue;
		if (a[n] == '=')
			v = a + n + 1;
		else if ((v = next) != NULL)
			*used = 2;
		if (v == NULL || *v == '\0')
			return usage_error("option '%s' needs a URI", names[k]);
		return k == 0 ? uri_append(r->redirect_uris,
		    sizeof(r->redirect_uris), names[k], v) :
		    uri_append(r->logout_uris, sizeof(r->logout_uris),
		    names[k], v);
	}
	return -1;
}

/*
 * init's --user USER or --group GROUP (also --user=USER), a, with next the
 * argument after it (or NULL): 0 with *used set, the usage error's exit
 * status, or -1 if a is neither.
 */
static int
owner_arg(const char *a, const char *next, int *used, struct run *r)
{
	const char	**slot;
	const char	 *name;
	size_t		  n;

	*used = 1;
	if (strncmp(a, "--user", 6) == 0 && (a[6] == '\0' || a[6] == '=')) {
		slot = &r->owner;
		name = "--user";
	} else if (strncmp(a, "--group", 7) == 0 &&
	    (a[7] == '\0' || a[7] == '=')) {
		slot = &r->group;
		name = "--group";
	} else
		return -1;
	n = strlen(name);
	if (*slot != NULL)
		return usage_error("option '%s' given twice", name);
	if (a[n] == '=')
		*slot = a + n + 1;
	else if ((*slot = next) != NULL)
		*used = 2;
	if (*slot == NULL || **slot == '\0')
		return usage_error("option '%s' needs a name", name);
	return 0;
}

/* The command's own arguments; 0, or the usage error's exit status. */
static int
parse_args(const struct command *c, int argc, char *argv[], struct run *r)
{
	enum lk_key_alg	 alg;
	const char	*name;
	int		 i, rc, used;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--password-stdin") == 0 &&
		    (c->opts & OPT_STDIN))
			r->from_stdin = 1;
		else if (strcmp(argv[i], "--skip-password-policy") == 0 &&
		    (c->opts & OPT_STDIN))
			r->any_password = 1;
		else if (strcmp(argv[i], "--print-link") == 0 &&
		    (c->opts & OPT_LINK))
			r->print_link = 1;
		else if (strcmp(argv[i], "--passkeys") == 0 &&
		    (c->opts & OPT_PASSKEYS))
			r->passkeys = 1;
		else if (strcmp(argv[i], "--name") == 0 && (c->opts & OPT_NAME)) {
			if (i + 1 >= argc)
				return usage_error("option '--name' needs a NAME");
			r->name = argv[++i];
		} else if (strncmp(argv[i], "--name=", 7) == 0 &&
		    (c->opts & OPT_NAME))
			r->name = argv[i] + 7;
		else if (strcmp(argv[i], "--description") == 0 &&
		    (c->opts & OPT_DESC)) {
			if (i + 1 >= argc)
				return usage_error("option '--description' "
				    "needs a TEXT");
			r->description = argv[++i];
		} else if (strncmp(argv[i], "--description=", 14) == 0 &&
		    (c->opts & OPT_DESC))
			r->description = argv[i] + 14;
		else if ((c->opts & OPT_GROUPS) && (strcmp(argv[i], "--group") ==
		    0 || strncmp(argv[i], "--group=", 8) == 0)) {
			if (argv[i][7] == '=')
				name = argv[i] + 8;
			else if (i + 1 < argc)
				name = argv[++i];
			else
				name = NULL;
			if (name == NULL || *name == '\0')
				return usage_error("option '--group' needs a "
				    "NAME");
			if (r->ngroups == LK_STORE_USER_GROUPS_MAX)
				return usage_error("more than %d --group "
				    "options", LK_STORE_USER_GROUPS_MAX);
			r->groups[r->ngroups++] = name;
		} else if (strcmp(argv[i], "--algorithm") == 0 &&
		    (c->opts & OPT_ALG)) {
			if (i + 1 >= argc || argv[i + 1][0] == '\0')
				return usage_error("option '--algorithm' needs "
				    "HS256, ES256 or RS256");
			r->algorithm = argv[++i];
		} else if (strncmp(argv[i], "--algorithm=", 12) == 0 &&
		    (c->opts & OPT_ALG))
			r->algorithm = argv[i] + 12;
		else if ((c->opts & OPT_CLIENT_ADD) && (rc = client_arg(argv[i],
		    i + 1 < argc ? argv[i + 1] : NULL, &used, r)) != -1) {
			if (rc != 0)
				return rc;
			i += used - 1;
		} else if ((c->opts & OPT_ACCESS) && (rc = access_arg(argv[i],
		    i + 1 < argc ? argv[i + 1] : NULL, &used, r)) != -1) {
			if (rc != 0)
				return rc;
			i += used - 1;
		} else if ((c->opts & OPT_OWNER) && (rc = owner_arg(argv[i],
		    i + 1 < argc ? argv[i + 1] : NULL, &used, r)) != -1) {
			if (rc != 0)
				return rc;
			i += used - 1;
		} else if ((c->opts & OPT_AUDIT) && (rc = audit_arg(argv[i],
		    i + 1 < argc ? argv[i + 1] : NULL, &used, r)) != -1) {
			if (rc != 0)
				return rc;
			i += used - 1;
		} else if ((c->opts & OPT_COPY) && (rc = copy_arg(argv[i],
		    i + 1 < argc ? argv[i + 1] : NULL, &used, r)) != -1) {
			if (rc != 0)
				return rc;
			i += used - 1;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return usage_error("%s%s%s: unknown option '%s'",
			    c->group != NULL ? c->group : "",
			    c->group != NULL ? " " : "", c->name, argv[i]);
		else if ((c->opts & OPT_GNAME) && r->gname == NULL)
			r->gname = argv[i];
		else if ((c->opts & OPT_CLIENT) && r->client_id == NULL)
			r->client_id = argv[i];
		else if ((c->opts & OPT_EMAIL) && r->email == NULL)
			r->email = argv[i];
		else if ((c->opts & OPT_DIR) && r->dir == NULL)
			r->dir = argv[i];
		else if ((c->opts & OPT_ACCESS) && r->url == NULL)
			r->url = argv[i];
		else
			return usage_error("unexpected argument '%s'", argv[i]);
	}
	if ((c->opts & OPT_GNAME) && r->gname == NULL)
		return usage_error("%s %s: NAME missing", c->group, c->name);
	if ((c->opts & OPT_EMAIL) && r->email == NULL)
		return usage_error("%s %s: EMAIL missing", c->group, c->name);
	if ((c->opts & OPT_CLIENT) && r->client_id == NULL)
		return usage_error("%s %s: CLIENT_ID missing", c->group,
		    c->name);
	if ((c->opts & OPT_DIR) && r->dir == NULL)
		return usage_error("%s %s: DIR missing", c->group, c->name);
	if ((c->opts & OPT_ACCESS) && r->url == NULL)
		return usage_error("%s %s: URL missing", c->group, c->name);
	if (r->algorithm != NULL && lk_key_alg_parse(r->algorithm, &alg) == -1)
		return usage_error("%s %s: --algorithm must be HS256, ES256 or "
		    "RS256", c->group, c->name);
	if (r->group != NULL && r->owner == NULL)
		return usage_error("%s: --group needs --user", c->name);
	if ((c->opts & OPT_COPY) && (r->to == NULL) == (r->from == NULL))
		return usage_error("%s %s: expected --to DATABASE or --from "
		    "DATABASE", c->group, c->name);
	return 0;
}

static int
run_command(const struct command *c, struct run *r)
{
	struct lk_store_options	 so;
	char			 err[LK_CONFIG_ERR_MAX];
	const char		*why;
	size_t			 i;
	int			 rc, missing;

	if (c->run == init)
		return c->run(r);
	if (r->email != NULL && lk_policy_email(r->email) != NULL) {
		fprintf(stderr, "latchkey: '%s' is not a valid email address\n",
		    r->email);
		return 1;
	}
	if (r->gname != NULL && (why = lk_group_name_check(r->gname)) != NULL) {
		fprintf(stderr, "latchkey: '%s' is not a group's name: %s\n",
		    r->gname, why);
		return 1;
	}
	if (r->client_id != NULL &&
	    (why = lk_oidc_client_id_check(r->client_id)) != NULL) {
		fprintf(stderr, "latchkey: '%s' is not a client's id: %s\n",
		    r->client_id, why);
		return 1;
	}
	for (i = 0; i < r->ngroups; i++)
		if ((why = lk_group_name_check(r->groups[i])) != NULL) {
			fprintf(stderr, "latchkey: '%s' is not a group's name: "
			    "%s\n", r->groups[i], why);
			return 1;
		}
	if (lk_config_load(&r->cfg, r->cfgpath, err, sizeof(err)) == -1) {
		fprintf(stderr, "latchkey: %s\n", err);
		if (access(r->cfgpath, F_OK) == -1 && errno == ENOENT)
			fprintf(stderr, "latchkey: no configuration file there: "
			    "give yours with --config FILE (or "
			    "LATCHKEY_CONFIG), or make one with 'latchkey "
			    "--config FILE init'\n");
		/* access check: 1 means "not allowed", so an error is 2. */
		return c->run == access_check ? EXIT_USAGE : 1;
	}
	memset(&so, 0, sizeof(so));
	so.leeway = r->cfg.leeway;
	so.password_file = r->cfg.database_password_file;
	if ((c->opts & OPT_STORE) && (r->store = lk_store_open(r->cfg.database,
	    &so, err, sizeof(err))) == NULL) {
		/* 'latchkey init' makes an SQLite database, and only that. */
		missing = !lk_store_is_uri(r->cfg.database) &&
		    access(r->cfg.database, F_OK) == -1 && errno == ENOENT;
		fprintf(stderr, "latchkey: database %s%s\n", err, missing ?
		    " (run 'latchkey init' first?)" : "");
		return 1;
	}
	rc = c->run(r);
	lk_store_close(r->store);
	return rc;
}

int
main(int argc, char *argv[])
{
	const struct command	*c;
	struct run		 r;
	int			 i, used = 0, rc = EXIT_USAGE;

	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&r, 0, sizeof(r));
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("latchkey %s\n", LK_VERSION);
			return 0;
		} else if (strcmp(argv[i], "-c") == 0 ||
		    strcmp(argv[i], "--config") == 0) {
			if (i + 1 >= argc || argv[i + 1][0] == '\0')
				return usage_error("option '%s' needs a FILE",
				    argv[i]);
			r.cfgpath = argv[++i];
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			if (argv[i][9] == '\0')
				return usage_error("option '--config' needs a "
				    "FILE");
			r.cfgpath = argv[i] + 9;
		} else
			return usage_error("unknown option '%s'", argv[i]);
	}
	if (r.cfgpath == NULL)
		r.cfgpath = lk_config_default_path();
	if (i >= argc)
		return usage_error("no command given");
	if (strcmp(argv[i], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if ((c = find_command(argc - i, argv + i, &used, &rc)) == NULL)
		return rc;
	if ((rc = parse_args(c, argc - i - used, argv + i + used, &r)) != 0)
		return rc;
	return run_command(c, &r);
}
