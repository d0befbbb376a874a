#!/bin/sh
# Static analysis: cppcheck must report nothing on the project's C code.
# variableScope is off: declarations sit at the top of each function
# (OpenBSD style, see STYLE.md).
set -u
cd "$(dirname "$0")/.."
out=$(cppcheck --quiet --std=c11 --enable=warning,style,performance,portability \
    --inline-suppr --error-exitcode=1 -D_GNU_SOURCE -Ilib \
    --suppress=missingIncludeSystem --suppress=unusedFunction \
    --suppress=variableScope \
    lib cgi-bin tool 2>&1)
rc=$?
if [ $rc -ne 0 ] || [ -n "$out" ]; then
	printf '%s\n' "$out"
	echo "cppcheck: 0 passed, 1 failed"
	exit 1
fi
echo "cppcheck: 1 passed, 0 failed"
