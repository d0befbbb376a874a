/*
 * cgitime: the wall time of one request in plain CGI mode, as a web
 * server pays it: spawn the program with the request in its environment,
 * read its whole response, reap it.
 *
 *   cgitime RUNS PROGRAM      (the CGI variables come from the environment)
 *
 * Prints one JSON object: every run's time in order (samples), runs,
 * p50/p90/min/mean in milliseconds, and the status line of the last
 * response.
 */
#include <sys/wait.h>

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern char	**environ;

int	main(int, char *[]);

static int
cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int
main(int argc, char *argv[])
{
	posix_spawn_file_actions_t	 fa;
	char				 buf[65536], status[128] = "";
	char				*args[2];
	double				*t, sum = 0, t0;
	long				 runs, i;
	ssize_t				 n;
	size_t				 got;
	pid_t				 pid;
	int				 fd[2], ws;

	if (argc != 3 || (runs = strtol(argv[1], NULL, 10)) < 1) {
		fprintf(stderr, "usage: cgitime RUNS PROGRAM\n");
		return 2;
	}
	if ((t = calloc((size_t)runs, sizeof(*t))) == NULL)
		return 1;
	args[0] = argv[2];
	args[1] = NULL;
	for (i = 0; i < runs; i++) {
		if (pipe(fd) == -1)
			return 1;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
		posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
		posix_spawn_file_actions_addclose(&fa, fd[0]);
		posix_spawn_file_actions_addclose(&fa, fd[1]);
		t0 = now_ms();
		if (posix_spawn(&pid, argv[2], &fa, NULL, args, environ) != 0) {
			perror("posix_spawn");
			return 1;
		}
		close(fd[1]);
		got = 0;
		while ((n = read(fd[0], buf + got, sizeof(buf) - 1 - got)) > 0)
			got += (size_t)n;
		close(fd[0]);
		(void)waitpid(pid, &ws, 0);
		t[i] = now_ms() - t0;
		sum += t[i];
		posix_spawn_file_actions_destroy(&fa);
		buf[got] = '\0';
		buf[strcspn(buf, "\r\n")] = '\0';
		buf[sizeof(status) - 1] = '\0';
		memcpy(status, buf, sizeof(status));
	}
	printf("{\"samples\":[");
	for (i = 0; i < runs; i++)
		printf("%s%.3f", i > 0 ? "," : "", t[i]);
	qsort(t, (size_t)runs, sizeof(*t), cmp);
	printf("],\"runs\":%ld,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"min_ms\":%.3f,"
	    "\"mean_ms\":%.3f,\"status\":\"%s\"}\n", runs, t[runs / 2],
	    t[runs * 9 / 10], t[0], sum / (double)runs, status);
	return 0;
}
