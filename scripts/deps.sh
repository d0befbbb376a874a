#!/bin/sh
# Install the Debian packages latchkey needs, if any are missing.
#   scripts/deps.sh [core] [apache] [browser] [sanitize] [valgrind]
#                   [postgres] [mariadb] [mail] [proxies] [all]
# Runs apt-get as root, or through sudo.  Services that packages would
# start (lighttpd, apache2 on port 80) are kept from starting: latchkey's
# commands start their own servers on loopback.
set -eu

core="gcc make pkg-config libfcgi-dev libjson-c-dev libjwt-dev libcrypt-dev
libsqlite3-dev libssl-dev sqlite3 lighttpd lighttpd-mod-deflate curl cppcheck liboath-dev
libqrencode-dev libcbor-dev libpq-dev libmariadb-dev xz-utils"
# The deployment tests: Apache with mod_fcgid, and TLS for the HTTPS
# examples of both servers.
apache="apache2 libapache2-mod-fcgid openssl time lighttpd-mod-openssl"
browser="chromium"
sanitize="clang libclang-rt-14-dev"
valgrind="valgrind"
# A PostgreSQL server for the tests of the PostgreSQL store and the cluster.
postgres="postgresql"
# A MariaDB server for the tests of the MariaDB store.
mariadb="mariadb-server libmariadb-dev"
# A real SMTP server and sendmail-interface program for the mail tests,
# and strace, with which they see what a request writes before its answer.
mail="msmtp msmtp-mta python3-aiosmtpd strace"
# The reverse proxies of the forward-auth tests and `make run-nginx`,
# `make run-caddy` (their services kept from starting, as above).
proxies="nginx caddy spawn-fcgi"

want=""
[ $# -eq 0 ] && set -- core
for group in "$@"; do
	case $group in
	core) want="$want $core" ;;
	apache) want="$want $apache" ;;
	browser) want="$want $browser" ;;
	sanitize) want="$want $sanitize" ;;
	valgrind) want="$want $valgrind" ;;
	postgres) want="$want $postgres" ;;
	mariadb) want="$want $mariadb" ;;
	mail) want="$want $mail" ;;
	proxies) want="$want $proxies" ;;
	all) want="$want $core $apache $browser $sanitize $valgrind $postgres $mariadb $mail $proxies" ;;
	*) echo "deps.sh: unknown group '$group'" >&2; exit 2 ;;
	esac
done
command -v node >/dev/null 2>&1 || want="$want nodejs npm"

missing=""
for p in $want; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $st in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "deps.sh: installing:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps.sh: need root or sudo to install:$missing" >&2
	exit 1
fi

# Keep packages from starting their services during installation.
created_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod 755 /usr/sbin/policy-rc.d
	created_policy=1
fi
cleanup() { [ -n "$created_policy" ] && $SUDO rm -f /usr/sbin/policy-rc.d; return 0; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
