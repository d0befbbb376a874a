/*
 * A minimal unit test harness: TEST(name) defines a case, CHECK(cond)
 * records a failure without stopping, RUN(name) runs one case, and
 * T_END() prints "N passed, N failed" and gives the exit status.
 */
#ifndef T_H
#define T_H

#include <stdio.h>
#include <string.h>

static int		 t_passed, t_failed, t_now_failed;
static const char	*t_name;

#define TEST(name)	static void name(void)

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n",	\
		    __FILE__, __LINE__, t_name, #cond);			\
		t_now_failed = 1;					\
	}								\
} while (0)

#define CHECK_STR(a, b) do {						\
	const char *t_a = (a), *t_b = (b);				\
	if (t_a == NULL || t_b == NULL || strcmp(t_a, t_b) != 0) {	\
		fprintf(stderr, "%s:%d: %s: \"%s\" != \"%s\"\n",	\
		    __FILE__, __LINE__, t_name, t_a ? t_a : "(null)",	\
		    t_b ? t_b : "(null)");				\
		t_now_failed = 1;					\
	}								\
} while (0)

#define CHECK_INT(a, b) do {						\
	long long t_a = (long long)(a), t_b = (long long)(b);		\
	if (t_a != t_b) {						\
		fprintf(stderr, "%s:%d: %s: %s = %lld, expected %lld\n",\
		    __FILE__, __LINE__, t_name, #a, t_a, t_b);		\
		t_now_failed = 1;					\
	}								\
} while (0)

#define RUN(name) do {							\
	t_name = #name;							\
	t_now_failed = 0;						\
	name();								\
	if (t_now_failed) {						\
		t_failed++;						\
		printf("not ok - %s\n", #name);				\
	} else {							\
		t_passed++;						\
		printf("ok - %s\n", #name);				\
	}								\
} while (0)

#define T_END() (printf("%d passed, %d failed\n", t_passed, t_failed),	\
	t_failed != 0)

#endif
