/*
 * libFuzzer harness: the configuration file parser (lk_config_load).
 *
 * Input: the file's bytes, written to a private temporary file that is
 * then loaded.  A file that loads must give values inside the documented
 * ranges; one that fails must say why in "FILE:LINE: ..." or "FILE: ...".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/config.h"
#include "domain/password.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char	path[64];
static int	fd = -1;

static void
cleanup(void)
{
	if (path[0] != '\0')
		(void)unlink(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lk_config	cfg;
	char			err[LK_CONFIG_ERR_MAX];

	if (fd == -1) {
		const char *dir = getenv("TMPDIR");

		(void)snprintf(path, sizeof(path), "%s/lk-fuzz-config.XXXXXX",
		    dir != NULL && strlen(dir) < 32 ? dir : "/tmp");
		if ((fd = mkstemp(path)) == -1)
			abort();
		atexit(cleanup);
	}
	if (ftruncate(fd, 0) == -1 || pwrite(fd, data, size, 0) !=
	    (ssize_t)size)
		abort();

	err[0] = '\0';
	if (lk_config_load(&cfg, path, err, sizeof(err)) == 0) {
		if (cfg.access_token_expires < 1 ||
		    cfg.access_token_expires > 366LL * 86400 ||
		    cfg.leeway < 0 || cfg.leeway > 3600 ||
		    cfg.max_body < 64 || cfg.max_body > 1024 * 1024 ||
		    cfg.name_max < 1 || cfg.name_max > 100 ||
		    cfg.database[0] == '\0' || cfg.key_file[0] == '\0' ||
		    cfg.access_cookie_name[0] == '\0' ||
		    !lk_password_cost_ok(cfg.hash.method, cfg.hash.cost) ||
		    (lk_password_method_bit(cfg.hash.method) &
		    cfg.hash.allow) == 0)
			abort();
	} else if (strncmp(err, path, strlen(path)) != 0)
		abort();
	return 0;
}
