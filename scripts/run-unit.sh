#!/bin/sh
# Run the unit test programs given as arguments; print their output and
# one summary line, "N passed, N failed"; exit non-zero on any failure.
set -u
passed=0 failed=0 broken=0
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -v '^ok - ' | grep -v 'passed, .* failed$'
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
	if [ -z "$line" ]; then
		echo "$t: no summary (exit $rc)"
		broken=$((broken + 1))
		continue
	fi
	p=${line%% passed*}
	f=${line#*, }; f=${f%% failed*}
	passed=$((passed + p)); failed=$((failed + f))
	printf '%-32s %s\n' "$(basename "$t")" "$line"
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && broken=$((broken + 1))
done
echo "unit: $passed passed, $((failed + broken)) failed"
[ "$failed" -eq 0 ] && [ "$broken" -eq 0 ]
