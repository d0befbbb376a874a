#!/bin/sh
# The library's layers only look down (docs/internals.md): each file of
# lib/ may include headers of its own layer or a lower one, never a higher
# one, and the headers include one another without a cycle.
set -u
cd "$(dirname "$0")/.."

# Layer of each module: 0 primitives, 1 HTTP, 2 domain, 3 decision, 4 runtime.
layer() {
	case $1 in
	util|log|json|sha256) echo 0 ;;
	io|method|request|response) echo 1 ;;
	password|csrf|key|config|policy|cookie|token|token_sign|store|store_stmts|store_schema|\
	sql|sql_sqlite|sql_pg|sql_mysql|\
	totp|qr|secretbox|recovery|webauthn|mail|jwk|onetime|notice|rules) echo 2 ;;
	ctx|auth|session|throttle|mfa|passkey|notify|account) echo 3 ;;
	app|extern) echo 4 ;;
	*) echo x ;;
	esac
}

fail=0
for f in lib/*.c lib/*.h; do
	m=$(basename "$f"); m=${m%.*}
	lm=$(layer "$m")
	if [ "$lm" = x ]; then
		echo "layers: $f: module '$m' has no layer (scripts/check-layers.sh)"
		fail=1
		continue
	fi
	for inc in $(sed -n 's/^#include "\([a-z_]*\)\.h".*/\1/p' "$f"); do
		li=$(layer "$inc")
		if [ "$li" = x ] || [ "$li" -gt "$lm" ]; then
			echo "layers: $f (layer $lm) includes $inc.h (layer $li)"
			fail=1
		fi
	done
done

# No cycle among the headers: every header's includes, followed, never
# come back to it.
for h in lib/*.h; do
	start=$(basename "$h" .h)
	seen=" "
	todo=$start
	while [ -n "$todo" ]; do
		next=""
		for m in $todo; do
			for inc in $(sed -n 's/^#include "\([a-z_]*\)\.h".*/\1/p' "lib/$m.h" 2>/dev/null); do
				if [ "$inc" = "$start" ]; then
					echo "layers: include cycle through $start.h"
					fail=1
					next=""
					break 2
				fi
				case $seen in *" $inc "*) ;; *) seen="$seen$inc "; next="$next $inc" ;; esac
			done
		done
		todo=$next
	done
done

if [ $fail -ne 0 ]; then
	echo "layers: 0 passed, 1 failed"
	exit 1
fi
echo "layers: 1 passed, 0 failed"
