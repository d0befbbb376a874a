/*
 * latchkey: the administrator's tool.  Creates the configuration, secret
 * key and user database, and manages users, in the spirit of htpasswd.
 * See docs/latchkey.1.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "key.h"
#include "password.h"
#include "store.h"
#include "util.h"

#define EXIT_USAGE	2

#ifndef LK_VERSION
#define LK_VERSION	"0.1.0"
#endif

static const char usage_text[] =
"usage: latchkey [--config FILE] COMMAND [ARGS]\n"
"\n"
"commands:\n"
"  init                      create the configuration file (if missing),\n"
"                            the secret key (if missing) and the database\n"
"  user add EMAIL [--name NAME] [--password-stdin]\n"
"                            add a user; asks for the password twice\n"
"  user passwd EMAIL [--password-stdin]\n"
"                            set a user's password\n"
"  user del EMAIL            delete a user\n"
"  user list                 list users: email, status, name (tab-separated)\n"
"  user disable EMAIL        refuse the user's logins and tokens\n"
"  user enable EMAIL         allow them again\n"
"  key rotate                replace the signing key; tokens signed with the\n"
"                            old one stay valid until they expire\n"
"  key prune                 drop old keys no live token can use\n"
"  key list                  list the signing keys: kid, status, retired\n"
"\n"
"options:\n"
"  -c, --config FILE         configuration file (default: $LATCHKEY_CONFIG,\n"
"                            else " "%s" ")\n"
"  --password-stdin          read the password from the first line of\n"
"                            standard input instead of the terminal\n"
"  -h, --help                show this help\n"
"  --version                 show the version\n"
"\n"
"exit status: 0 success, 1 failure (e.g. no such user), 2 usage error\n";

static void
usage(FILE *f)
{
	fprintf(f, usage_text, lk_config_default_path());
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

/* Read one line into buf; strips the newline.  Returns length or -1. */
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
			return -1;
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
		if (write(tty_fd, "\n", 1) < 0)
			n = -1;
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
		if ((n = prompt_password("New password: ", buf, bufsz)) < 0)
			return -1;
		if (prompt_password("Repeat password: ", again,
		    sizeof(again)) < 0)
			return -1;
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

static int
cmd_init(const char *cfgpath)
{
	struct lk_config	 cfg;
	struct lk_store		*s;
	struct lk_key		 key;
	char			 err[LK_CONFIG_ERR_MAX];

	if (access(cfgpath, F_OK) == -1 && write_default_config(cfgpath) == -1)
		return 1;
	if (lk_config_load(&cfg, cfgpath, err, sizeof(err)) == -1) {
		fprintf(stderr, "latchkey: %s\n", err);
		return 1;
	}
	if (access(cfg.key_file, F_OK) == -1) {
		if (lk_key_generate(cfg.key_file, err, sizeof(err)) == -1) {
			fprintf(stderr, "latchkey: %s\n", err);
			return 1;
		}
		printf("created %s\n", cfg.key_file);
	} else
		printf("kept existing %s\n", cfg.key_file);
	/* Whatever exists must be usable by the programs. */
	if (lk_key_load(&key, cfg.key_file, err, sizeof(err)) == -1) {
		fprintf(stderr, "latchkey: %s\n", err);
		return 1;
	}
	lk_key_clear(&key);
	if ((s = lk_store_open(cfg.database, 1, err, sizeof(err))) == NULL) {
		fprintf(stderr, "latchkey: database %s\n", err);
		return 1;
	}
	lk_store_close(s);
	printf("database %s ready (schema version %d)\n", cfg.database,
	    lk_store_schema_version());
	return 0;
}

static int
print_user(const struct lk_user *u, void *arg)
{
	(void)arg;
	printf("%s\t%s\t%s\n", u->email, u->disabled ? "disabled" : "enabled",
	    u->name);
	return 0;
}

/*
 * Set a new hash or the disabled flag, and end every session and token of
 * the user issued until now: one transaction.
 */
static enum lk_store_res
change(struct lk_store *s, const char *email, const char *hash, int disabled)
{
	enum lk_store_res	r;

	if (lk_store_begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	r = hash != NULL ? lk_store_user_set_hash(s, email, hash) :
	    lk_store_user_set_disabled(s, email, disabled);
	if (r == LK_STORE_OK)
		r = lk_store_user_invalidate(s, email, NULL,
		    (long long)time(NULL));
	if (r != LK_STORE_OK) {
		lk_store_rollback(s);
		return r;
	}
	return lk_store_commit(s);
}

static int
cmd_key(const char *cfgpath, int argc, char *argv[])
{
	struct lk_config	 cfg;
	struct lk_keyring	*ring = NULL;
	char			 err[LK_CONFIG_ERR_MAX];
	long long		 life;
	size_t			 i, dropped;
	int			 rc = 1;

	if (argc != 1 || (strcmp(argv[0], "rotate") != 0 &&
	    strcmp(argv[0], "prune") != 0 && strcmp(argv[0], "list") != 0)) {
		fprintf(stderr, "latchkey: key: expected rotate, prune or list\n");
		return EXIT_USAGE;
	}
	if (lk_config_load(&cfg, cfgpath, err, sizeof(err)) == -1) {
		fprintf(stderr, "latchkey: %s\n", err);
		return 1;
	}
	if (strcmp(argv[0], "rotate") == 0) {
		if (lk_keyring_rotate(cfg.key_file, (long long)time(NULL), err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "latchkey: %s\n", err);
			return 1;
		}
	} else if (strcmp(argv[0], "prune") == 0) {
		/* A retired key signed nothing after it retired. */
		life = cfg.refresh_token_expires > cfg.access_token_expires ?
		    cfg.refresh_token_expires : cfg.access_token_expires;
		if (lk_keyring_prune(cfg.key_file, (long long)time(NULL),
		    life + cfg.leeway, &dropped, err, sizeof(err)) == -1) {
			fprintf(stderr, "latchkey: %s\n", err);
			return 1;
		}
		printf("dropped %zu key%s\n", dropped, dropped == 1 ? "" : "s");
	}
	if ((ring = calloc(1, sizeof(*ring))) == NULL)
		return 1;
	if (lk_keyring_load(ring, cfg.key_file, err, sizeof(err)) == -1) {
		fprintf(stderr, "latchkey: %s\n", err);
		goto out;
	}
	if (strcmp(argv[0], "rotate") == 0)
		printf("new key %s\n", ring->current.kid);
	else if (strcmp(argv[0], "list") == 0) {
		printf("%s\tcurrent\n", ring->current.kid);
		for (i = 0; i < ring->nprevious; i++)
			printf("%s\tretired\t%lld\n", ring->previous[i].kid,
			    ring->previous[i].retired);
	}
	rc = 0;
out:
	lk_keyring_clear(ring);
	free(ring);
	return rc;
}

static int
cmd_user(const char *cfgpath, int argc, char *argv[])
{
	struct lk_config	 cfg;
	struct lk_store		*s = NULL;
	struct lk_user		 u;
	const char		*sub, *email = NULL, *name = "";
	char			 err[LK_CONFIG_ERR_MAX];
	char			 pw[LK_PASSWORD_MAX + 1], hash[LK_HASH_MAX + 1];
	enum lk_store_res	 r = LK_STORE_ERROR;
	int			 i, from_stdin = 0, rc = 1, has_name = 0;
	long			 chars;

	if (argc < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	sub = argv[0];
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--password-stdin") == 0)
			from_stdin = 1;
		else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) {
			name = argv[++i];
			has_name = 1;
		} else if (strncmp(argv[i], "--name=", 7) == 0) {
			name = argv[i] + 7;
			has_name = 1;
		} else if (argv[i][0] == '-' || email != NULL) {
			fprintf(stderr, "latchkey: unexpected argument '%s'\n",
			    argv[i]);
			return EXIT_USAGE;
		} else
			email = argv[i];
	}
	if (strcmp(sub, "list") == 0) {
		if (email != NULL || has_name || from_stdin) {
			usage(stderr);
			return EXIT_USAGE;
		}
	} else if (strcmp(sub, "add") == 0 || strcmp(sub, "passwd") == 0 ||
	    strcmp(sub, "del") == 0 || strcmp(sub, "disable") == 0 ||
	    strcmp(sub, "enable") == 0) {
		if (email == NULL) {
			fprintf(stderr, "latchkey: user %s: EMAIL missing\n",
			    sub);
			return EXIT_USAGE;
		}
		if ((has_name && strcmp(sub, "add") != 0) || (from_stdin &&
		    strcmp(sub, "add") != 0 && strcmp(sub, "passwd") != 0)) {
			usage(stderr);
			return EXIT_USAGE;
		}
	} else {
		fprintf(stderr, "latchkey: unknown command 'user %s'\n", sub);
		return EXIT_USAGE;
	}
	if (email != NULL && !lk_email_valid(email)) {
		fprintf(stderr, "latchkey: '%s' is not a valid email address\n",
		    email);
		return 1;
	}
	if (has_name) {
		chars = lk_utf8_text_len(name, strlen(name));
		if (chars < 0 || strlen(name) > LK_NAME_MAX_BYTES) {
			fprintf(stderr, "latchkey: the name must be text of at "
			    "most %d bytes without control characters\n",
			    LK_NAME_MAX_BYTES);
			return 1;
		}
	}

	if (lk_config_load(&cfg, cfgpath, err, sizeof(err)) == -1) {
		fprintf(stderr, "latchkey: %s\n", err);
		return 1;
	}
	if ((s = lk_store_open(cfg.database, 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "latchkey: database %s (run 'latchkey init' "
		    "first?)\n", err);
		return 1;
	}

	if (strcmp(sub, "list") == 0) {
		r = lk_store_user_each(s, print_user, NULL);
		rc = r == LK_STORE_OK ? 0 : 1;
		goto out;
	}
	if (strcmp(sub, "add") == 0 || strcmp(sub, "passwd") == 0) {
		/* Check before asking for a password that would be wasted. */
		r = lk_store_user_find(s, email, &u);
		if (r == LK_STORE_ERROR)
			goto out;
		if (strcmp(sub, "add") == 0 && r == LK_STORE_OK) {
			fprintf(stderr, "latchkey: user %s exists\n", u.email);
			goto out;
		}
		if (strcmp(sub, "passwd") == 0 && r == LK_STORE_NOT_FOUND) {
			fprintf(stderr, "latchkey: no user %s\n", email);
			goto out;
		}
		if (get_password(from_stdin, pw, sizeof(pw)) == -1)
			goto out;
		if (lk_password_hash(&cfg, pw, hash, sizeof(hash)) == -1) {
			fprintf(stderr, "latchkey: cannot hash the password\n");
			goto out;
		}
		if (strcmp(sub, "add") == 0)
			r = lk_store_user_add(s, email, name, hash);
		else
			r = change(s, email, hash, -1);
	} else if (strcmp(sub, "del") == 0)
		r = lk_store_user_delete(s, email);
	else
		r = change(s, email, NULL, strcmp(sub, "disable") == 0);

	switch (r) {
	case LK_STORE_OK:
		printf("user %s: %s\n", email, strcmp(sub, "add") == 0 ?
		    "added" : strcmp(sub, "passwd") == 0 ? "password set" :
		    strcmp(sub, "del") == 0 ? "deleted" :
		    strcmp(sub, "disable") == 0 ? "disabled" : "enabled");
		rc = 0;
		break;
	case LK_STORE_EXISTS:
		fprintf(stderr, "latchkey: user %s exists\n", email);
		break;
	case LK_STORE_NOT_FOUND:
		fprintf(stderr, "latchkey: no user %s\n", email);
		break;
	default:
		fprintf(stderr, "latchkey: database error\n");
		break;
	}
out:
	lk_explicit_bzero(pw, sizeof(pw));
	lk_explicit_bzero(hash, sizeof(hash));
	lk_store_close(s);
	return rc;
}

int
main(int argc, char *argv[])
{
	const char	*cfgpath = NULL;
	int		 i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("latchkey %s\n", LK_VERSION);
			return 0;
		} else if ((strcmp(argv[i], "-c") == 0 ||
		    strcmp(argv[i], "--config") == 0) && i + 1 < argc)
			cfgpath = argv[++i];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			cfgpath = argv[i] + 9;
		else {
			fprintf(stderr, "latchkey: unknown option '%s'\n",
			    argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (cfgpath == NULL)
		cfgpath = lk_config_default_path();
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[i], "init") == 0 && i + 1 == argc)
		return cmd_init(cfgpath);
	if (strcmp(argv[i], "user") == 0)
		return cmd_user(cfgpath, argc - i - 1, argv + i + 1);
	if (strcmp(argv[i], "key") == 0)
		return cmd_key(cfgpath, argc - i - 1, argv + i + 1);
	if (strcmp(argv[i], "help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "latchkey: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return EXIT_USAGE;
}
