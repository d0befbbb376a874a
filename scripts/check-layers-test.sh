#!/bin/sh
# scripts/check-layers.sh can fail: run it on copies of lib/, each with one
# include that breaks a rule, and see it refuse each (and pass the copy
# left as it is).
set -u
cd "$(dirname "$0")/.."
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
pass=0
failed=0

# case NAME EXPECT FILE AFTER INCLUDE: copy lib/, add INCLUDE after the
# line AFTER of FILE (none for ""), and want EXPECT in the check's output
# ("passed" for a tree that passes).
case_of() {
	name=$1 expect=$2 file=$3 after=$4 add=$5
	rm -rf "$tmp/lib"
	cp -R lib "$tmp/lib"
	if [ -n "$file" ]; then
		sed "s|^#include \"$after\"\$|&\\
#include \"$add\"|" "lib/$file" >"$tmp/lib/$file"
		if cmp -s "lib/$file" "$tmp/lib/$file"; then
			echo "layers-test: $name: no line #include \"$after\" in lib/$file"
			failed=$((failed + 1))
			return
		fi
	fi
	out=$(scripts/check-layers.sh "$tmp" 2>&1)
	rc=$?
	if [ "$expect" = passed ]; then
		[ $rc -eq 0 ] && ok=1 || ok=0
	else
		[ $rc -ne 0 ] && ok=1 || ok=0
		case $out in *"$expect"*) ;; *) ok=0 ;; esac
	fi
	if [ $ok -eq 1 ]; then
		pass=$((pass + 1))
	else
		echo "layers-test: $name: wanted \"$expect\", got: $out"
		failed=$((failed + 1))
	fi
}

case_of "the tree as it is" passed "" "" ""
# key.c -> keyring.h -> key.h: no header includes itself, the modules do.
case_of "a module cycle" "include cycle between modules: domain/jwk domain/key domain/keyring" \
    domain/key.c domain/key.h domain/keyring.h
case_of "a header cycle" "include cycle through" \
    domain/key.h base/sha256.h domain/keyring.h
case_of "a higher layer" "includes decide/ctx.h, a higher layer" \
    domain/jwk.c domain/jwk.h decide/ctx.h
case_of "an include without its folder" "name its folder" \
    domain/jwk.c domain/jwk.h util.h

echo "layers-test: $pass passed, $failed failed"
[ $failed -eq 0 ]
