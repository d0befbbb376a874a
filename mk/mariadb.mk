# MariaDB: the store's tests against a real server, started and stopped
# around them (scripts/mariadb-cluster), and the HTTP suites' MariaDB-backed
# servers (tests/lib/mariadb.js, server kind lighttpd-mysql).
#
#   make check-mariadb   the store's unit tests on MariaDB

MY_UNIT := $(BUILD)/tests/test_store_mysql
# check-unit runs without a server: this one runs in check-mariadb.
UNIT_BINS := $(filter-out $(MY_UNIT),$(UNIT_BINS))

CHECK_TARGETS += check-mariadb

.PHONY: check-mariadb mariadb-deps

mariadb-deps:
	@scripts/deps.sh mariadb

check-mariadb: mariadb-deps $(MY_UNIT)
	@dir=$$(mktemp -d /tmp/latchkey-my.XXXXXX); \
	if scripts/mariadb-cluster start "$$dir" >/dev/null; then \
		LATCHKEY_MY_DIR="$$dir" scripts/run-unit.sh $(MY_UNIT); rc=$$?; \
	else \
		rc=1; \
	fi; \
	scripts/mariadb-cluster stop "$$dir"; rm -rf "$$dir"; exit $$rc

# The HTTP suites start MariaDB servers of their own.
check-http: mariadb-deps
