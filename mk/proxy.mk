# Forward auth behind real reverse proxies: `make run-nginx`, `make
# run-caddy` and the tests of tests/proxy/ (nginx and Caddy started as the
# tests' own processes on loopback, Traefik's requests replayed).

run-nginx: build
	@scripts/deps.sh proxies
	@scripts/run-proxy nginx "$(PORT)"

run-caddy: build
	@scripts/deps.sh proxies
	@scripts/run-proxy caddy "$(PORT)"

check-proxy: build tests/e2e/node_modules/.package-lock.json
	@scripts/deps.sh proxies browser
	LATCHKEY_BUILD="$(abspath $(BUILD))" $(NODE) --test --test-concurrency=1 \
	    --test-reporter=spec tests/proxy/*.test.js

CHECK_TARGETS += check-proxy
.PHONY: run-nginx run-caddy check-proxy
