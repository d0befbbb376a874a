/*
 * storetime: the time of one user lookup in the store (lk_store_user_find,
 * what every login and every profile request does), in process, without
 * HTTP: the one part of a request whose cost could grow with the number
 * of users.
 *
 *   storetime DATABASE EMAIL [ROUNDS]
 *
 * Prints one JSON object: microseconds per lookup (median of 5 batches).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "domain/store/store.h"

int	main(int, char *[]);

static double
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char *argv[])
{
	struct lk_store_options opts = { 0 };
	struct lk_store	*s;
	struct lk_user	 u;
	char		 err[1024];
	double		 t[5], t0;
	long		 i, rounds = 20000;
	int		 b;

	if (argc < 3 || argc > 4 ||
	    (argc == 4 && (rounds = strtol(argv[3], NULL, 10)) < 1)) {
		fprintf(stderr, "usage: storetime DATABASE EMAIL [ROUNDS]\n");
		return 2;
	}
	if ((s = lk_store_open(argv[1], &opts, err, sizeof(err))) == NULL) {
		fprintf(stderr, "storetime: %s\n", err);
		return 1;
	}
	for (b = 0; b < 5; b++) {
		t0 = now_us();
		for (i = 0; i < rounds; i++)
			if (lk_store_user_find(s, argv[2], &u) != LK_STORE_OK) {
				fprintf(stderr, "storetime: %s not found\n", argv[2]);
				return 1;
			}
		t[b] = (now_us() - t0) / (double)rounds;
	}
	qsort(t, 5, sizeof(t[0]), cmp);
	printf("{\"lookup_us\":%.3f,\"min_us\":%.3f}\n", t[2], t[0]);
	lk_store_close(s);
	return 0;
}
