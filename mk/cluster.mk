# Scale-out: `make run-cluster` (PostgreSQL and three lighttpd nodes, one
# of them verify-only) and its tests (tests/cluster/: the cluster itself,
# its faults, two nodes on one MariaDB racing, the JWK Set on every server
# and an independent JOSE library verifying our tokens against it).
#
#   make run-cluster [PORT=8080] [PG_PORT=5432]
#                                  full nodes on PORT and PORT+1, a
#                                  verify-only node on PORT+2, PostgreSQL
#                                  on PG_PORT (else a free port, kept);
#                                  Ctrl-C stops them all
#   make check-cluster             the tests (part of make check)
#
# tests/cluster/'s npm tree (jose) installs from its committed lockfile
# with `npm ci`, again whenever the lockfile is newer than node_modules.

CLUSTER_MODULES := tests/cluster/node_modules/.package-lock.json

.PHONY: run-cluster check-cluster

$(CLUSTER_MODULES): tests/cluster/package-lock.json
	cd tests/cluster && $(NPM) ci --no-audit --no-fund
	@touch $@

run-cluster: build
	@scripts/deps.sh postgres
	@scripts/run-cluster "$(PORT)" "$(PG_PORT)"

CHECK_TARGETS += check-cluster
check-cluster: build $(CLUSTER_MODULES)
	@scripts/deps.sh postgres mariadb apache
	LATCHKEY_BUILD="$(abspath $(BUILD))" BUILD="$(abspath $(BUILD))" \
	    $(NODE) --test --test-concurrency=1 tests/cluster/
