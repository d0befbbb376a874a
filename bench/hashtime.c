/*
 * hashtime: the time of one password hash at the configured method and
 * cost, the way login pays it (lk_password_verify of a good password),
 * and the bare hash rate of the machine: cores / time of one hash.
 *
 *   hashtime CONFIG [ROUNDS]
 *
 * Prints one JSON object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "domain/config.h"
#include "domain/password.h"

int	main(int, char *[]);

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char *argv[])
{
	struct lk_config	cfg;
	char			err[LK_CONFIG_ERR_MAX], hash[LK_HASH_MAX + 1];
	long			i, rounds = 50, cores;
	double			t0, t;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: hashtime CONFIG [ROUNDS]\n");
		return 2;
	}
	if (argc == 3 && (rounds = strtol(argv[2], NULL, 10)) < 1)
		return 2;
	if (lk_config_load(&cfg, argv[1], err, sizeof(err)) == -1) {
		fprintf(stderr, "hashtime: %s\n", err);
		return 1;
	}
	if (lk_password_hash(&cfg.hash, "password123", hash, sizeof(hash)) == -1) {
		fprintf(stderr, "hashtime: cannot hash\n");
		return 1;
	}
	(void)lk_password_verify(&cfg.hash, "password123", hash);	/* warm up */
	t0 = now();
	for (i = 0; i < rounds; i++)
		if (lk_password_verify(&cfg.hash, "password123", hash) != LK_PW_OK) {
			fprintf(stderr, "hashtime: verify failed\n");
			return 1;
		}
	t = (now() - t0) / (double)rounds;
	cores = sysconf(_SC_NPROCESSORS_ONLN);
	printf("{\"method\":\"%s\",\"cost\":%lu,\"hash_ms\":%.3f,\"cores\":%ld,"
	    "\"bare_rate\":%.1f}\n", cfg.hash.method, cfg.hash.cost, t * 1e3,
	    cores, (double)cores / t);
	return 0;
}
