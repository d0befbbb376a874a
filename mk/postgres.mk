# PostgreSQL: the store's tests against a real server, in a throw-away
# cluster (scripts/pg-cluster) started and stopped around them, and the
# HTTP suites' PostgreSQL-backed servers (tests/lib/postgres.js).
#
#   make check-postgres   the store's unit tests on PostgreSQL

PG_UNIT := $(BUILD)/tests/test_store_pg
# The test talks to the server itself too, through libpq.
$(PG_UNIT): PKG_LIBS += $(shell pkg-config --libs libpq 2>/dev/null)
# check-unit runs without a server: this one runs in check-postgres.
UNIT_BINS := $(filter-out $(PG_UNIT),$(UNIT_BINS))

CHECK_TARGETS += check-postgres

.PHONY: check-postgres postgres-deps

postgres-deps:
	@scripts/deps.sh postgres

check-postgres: postgres-deps $(PG_UNIT)
	@dir=$$(mktemp -d /tmp/latchkey-pg.XXXXXX); \
	if scripts/pg-cluster start "$$dir" >/dev/null; then \
		LATCHKEY_PG_DIR="$$dir" scripts/run-unit.sh $(PG_UNIT); rc=$$?; \
	else \
		rc=1; \
	fi; \
	scripts/pg-cluster stop "$$dir"; rm -rf "$$dir"; exit $$rc

# The HTTP suites start PostgreSQL clusters of their own.
check-http: postgres-deps
