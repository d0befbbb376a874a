#!/bin/sh
# The library's layers only look down (docs/internals.md): each layer is a
# folder of lib/, and a file may include headers of its own folder or of a
# lower layer's, never a higher one's; every include names its folder
# ("base/util.h"), the headers include one another without a cycle, and
# so do the modules: x.c and x.h count as one module, with the parts
# named after it (store_stmts.h and store_schema.c are store's, token_sign.c
# token's), and no module's includes, followed, come back to it.
#
# Layers, lowest first:
#   base  http  domain/store  domain  decide  app
#
# Usage: check-layers.sh [TREE]: the lib/ of TREE (the checkout's own by
# default), so that scripts/check-layers-test.sh can show it failing.
set -u
if [ $# -gt 0 ]; then
	cd "$1" || exit 2
else
	cd "$(dirname "$0")/.."
fi

# The rank of a folder of lib/; "x" for one that is no layer.
rank() {
	case $1 in
	base) echo 0 ;;
	http) echo 1 ;;
	domain/store) echo 2 ;;
	domain) echo 3 ;;
	decide) echo 4 ;;
	app) echo 5 ;;
	*) echo x ;;
	esac
}

# The quoted includes of a file, as written.
includes() {
	sed -n 's/^#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$1"
}

fail=0
for f in $(find lib -name '*.[ch]' | sort); do
	dir=$(dirname "${f#lib/}")
	own=$(rank "$dir")
	if [ "$own" = x ]; then
		echo "layers: $f: lib/$dir is not a layer (scripts/check-layers.sh)"
		fail=1
		continue
	fi
	for inc in $(includes "$f"); do
		case $inc in
		*/*) ;;
		*)
			# Only a folder's private header, beside the file.
			if [ -f "$(dirname "$f")/$inc" ]; then
				continue
			fi
			echo "layers: $f includes \"$inc\": name its folder"
			fail=1
			continue ;;
		esac
		if [ ! -f "lib/$inc" ]; then
			echo "layers: $f includes \"$inc\", which is not in lib/"
			fail=1
			continue
		fi
		theirs=$(rank "$(dirname "$inc")")
		if [ "$theirs" = x ] || [ "$theirs" -gt "$own" ]; then
			echo "layers: $f (lib/$dir) includes $inc, a higher layer"
			fail=1
		fi
	done
done

# No cycle among the headers: every header's includes, followed, never
# come back to it.
for h in $(find lib -name '*.h' | sort); do
	start=${h#lib/}
	seen=" "
	todo=$start
	while [ -n "$todo" ]; do
		next=""
		for m in $todo; do
			for inc in $(includes "lib/$m" 2>/dev/null); do
				case $inc in */*) ;; *) continue ;; esac
				if [ "$inc" = "$start" ]; then
					echo "layers: include cycle through $start"
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

# The module of a file of lib/ ("domain/store/store" for store_stmts.h):
# its path without the extension, and without a "_part" ending when the
# module it names has a file of its own.
module() {
	m=${1%.[ch]}
	base=${m%_*}
	if [ "$base" != "$m" ] && { [ -f "lib/$base.c" ] || [ -f "lib/$base.h" ]; }; then
		m=$base
	fi
	echo "$m"
}

# No cycle among the modules: every include is an edge from the includer's
# module to the included one's, and tsort finds the loops.
edges=$(for f in $(find lib -name '*.[ch]' | sort); do
	from=$(module "${f#lib/}")
	for inc in $(includes "$f"); do
		case $inc in
		*/*) to=$(module "$inc") ;;
		*) to=$(module "$(dirname "${f#lib/}")/$inc") ;;
		esac
		[ "$from" = "$to" ] || echo "$from $to"
	done
done)
loops=$(echo "$edges" | tsort 2>&1 >/dev/null | sed -n 's/^tsort: \([^ :][^ :]*\)$/\1/p' | sort -u)
if [ -n "$loops" ]; then
	echo "layers: include cycle between modules:" $loops
	fail=1
fi

if [ "$fail" -ne 0 ]; then
	echo "layers: 0 passed, 1 failed"
	exit 1
fi
echo "layers: 1 passed, 0 failed"
