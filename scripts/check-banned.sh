#!/bin/sh
# Fail if C sources use functions that are banned in latchkey (as curl
# bans them): unbounded or unchecked string and number handling.
set -u
cd "$(dirname "$0")/.."
banned='\b(sprintf|vsprintf|strcpy|strcat|strncat|strtok|gets|atoi|atol|atoll|alloca)[[:space:]]*\('
hits=$(grep -rnE --include="*.[ch]" "$banned" lib cgi-bin/*.c tool/*.c tests/unit/*.c tests/unit/*.h 2>/dev/null \
    | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)')
if [ -n "$hits" ]; then
	echo "banned functions used:"
	echo "$hits"
	echo "style: 0 passed, 1 failed"
	exit 1
fi
echo "style: 1 passed, 0 failed"
