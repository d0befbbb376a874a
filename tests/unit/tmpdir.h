/* Test helper: a fresh temporary directory and files in it. */
#ifndef TMPDIR_H
#define TMPDIR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char t_dir[256];

static const char *
tmp_dir(void)
{
	char	tmpl[] = "/tmp/latchkey-unit.XXXXXX";

	if (t_dir[0] == '\0') {
		if (mkdtemp(tmpl) == NULL) {
			perror("mkdtemp");
			exit(1);
		}
		(void)snprintf(t_dir, sizeof(t_dir), "%s", tmpl);
	}
	return t_dir;
}

/* Write text to DIR/name with the given mode; returns the path (static). */
__attribute__((unused)) static const char *
tmp_file(const char *name, const char *text, mode_t mode)
{
	static char	path[512];
	FILE		*f;

	(void)snprintf(path, sizeof(path), "%s/%s", tmp_dir(), name);
	(void)remove(path);
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	(void)chmod(path, mode);
	return path;
}

static void
tmp_cleanup(void)
{
	char	cmd[300];

	if (t_dir[0] != '\0' && strncmp(t_dir, "/tmp/latchkey-unit.", 19) == 0) {
		(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", t_dir);
	}
}

#endif
