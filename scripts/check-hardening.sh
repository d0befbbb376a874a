#!/bin/sh
# Every program must be built hardened: PIE, full RELRO (BIND_NOW), a
# non-executable stack, the stack protector and _FORTIFY_SOURCE.
set -u
pass=0 fail=0
for f in "$@"; do
	why=""
	readelf -h "$f" | grep -q 'DYN (Position-Independent Executable' || why="$why not-PIE"
	readelf -d "$f" | grep -q 'BIND_NOW' || why="$why no-BIND_NOW"
	readelf -l "$f" | grep -q 'GNU_RELRO' || why="$why no-RELRO"
	readelf -lW "$f" | grep 'GNU_STACK' | grep -q 'RWE' && why="$why exec-stack"
	nm -D "$f" | grep -q '__stack_chk_fail\|__stack_chk_guard' || why="$why no-stack-protector"
	nm -D "$f" | grep -q '_chk@' || why="$why no-fortify"
	if [ -n "$why" ]; then
		echo "$f:$why"
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
done
echo "hardening: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
