# Apache httpd: the authorizer program, `make run-apache`, and the tests
# of the Apache deployments and of the authorizer (tests/authz/).

PROGRAMS += $(BUILD)/cgi-bin/authorize.fcgi
APACHE_PORT ?= $(PORT)

.PHONY: run-apache check-authz

# Serve public/ and the API with Apache + mod_fcgid in the foreground, from
# a configuration generated into var/apache/ (its own config, key, database
# and demo user test@example.com / password123).
run-apache: build
	@scripts/deps.sh apache
	@PORT="$(APACHE_PORT)" BUILD="$(CURDIR)/$(BUILD)" scripts/run-apache

CHECK_TARGETS += check-authz
check-authz: build
	@scripts/deps.sh apache
	LATCHKEY_BUILD="$(abspath $(BUILD))" $(NODE) --test --test-concurrency=1 tests/authz/
