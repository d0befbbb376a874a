# The single-page app (web/, built by Vite into public/) and its browser
# tests (tests/e2e/, playwright-core driving Debian's chromium).
#
#   make web        install web/'s npm packages if needed, build public/
#   make check-e2e  run the browser tests against lighttpd and Apache
#   make clean-web  remove public/ and the tests' screenshots
#
# Both npm trees install from their committed lockfiles with `npm ci`, again
# whenever a lockfile is newer than its node_modules.

NPM ?= npm

WEB_SRCS := web/index.html web/vite.config.js web/package.json \
	    $(shell find web/src -type f 2>/dev/null)
# npm writes node_modules/.package-lock.json on every install: its age tells
# whether node_modules is older than package-lock.json.
WEB_MODULES := web/node_modules/.package-lock.json
E2E_MODULES := tests/e2e/node_modules/.package-lock.json

ALL_TARGETS += web
CHECK_TARGETS += check-e2e

.PHONY: web check-e2e clean-web

web: public/index.html

$(WEB_MODULES): web/package-lock.json
	cd web && $(NPM) ci --no-audit --no-fund
	@touch $@

public/index.html: $(WEB_MODULES) $(WEB_SRCS)
	cd web && $(NPM) run build

$(E2E_MODULES): tests/e2e/package-lock.json
	cd tests/e2e && $(NPM) ci --no-audit --no-fund
	@touch $@

# LATCHKEY_E2E_KINDS=lighttpd narrows a run to one server kind. The servers
# run the programs of this $(BUILD) (tests/lib/server.js reads LATCHKEY_BUILD,
# tests/lib/apache.js BUILD).
check-e2e: build $(E2E_MODULES)
	@scripts/deps.sh browser apache postgres
	LATCHKEY_BUILD="$(abspath $(BUILD))" BUILD="$(abspath $(BUILD))" \
	    $(NODE) --test --test-concurrency=1 --test-reporter=spec tests/e2e/*.test.js

clean-web:
	rm -rf public tests/e2e/output
