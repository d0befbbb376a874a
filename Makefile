# latchkey: secure cookie-based login as FastCGI/CGI programs.
#
#   make          build the library, the programs, the tool and the web app
#   make run      serve the app with lighttpd on http://127.0.0.1:$(PORT)
#   make check    run every test
#
# Fragments in mk/*.mk add targets (web app, Apache, install, ...).

# The one version: the tool's --version and the dist tarball's name.
VERSION	:= $(shell cat VERSION)
PREFIX	?= /usr/local
SYSCONFDIR ?= $(PREFIX)/etc
LOCALSTATEDIR ?= $(PREFIX)/var
PORT	?= 8080
# SANITIZE=1 and STATIC=1 build apart, so that builds never mix objects.
STATIC	?=
BUILD	:= $(if $(SANITIZE),build/sanitize,$(if $(STATIC),build/static,build))
CC	?= cc
NODE	?= node
SANITIZE ?=

PKGS	:= libjwt json-c sqlite3 libxcrypt fcgi libcrypto liboath libqrencode libcbor
# Headers only: lib/domain/store/sql_pg.c loads libpq (sql_mysql.c libmariadb)
# with dlopen when a PostgreSQL (MariaDB) store is opened, so that
# programs on SQLite never map their libraries (bench/results.md, plain
# CGI).
LOADED_PKGS := libpq libmariadb
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) $(LOADED_PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# Libraries Debian ships static archives of, linked into each program with
# STATIC=1 (and always into the shared-hosting tarball's programs): a
# plain-CGI request then maps fewer shared libraries (bench/results.md
# measures both).  Shared is the default, so that the distribution's
# security updates of them reach the programs.  --exclude-libs keeps their
# symbols out of the programs' dynamic symbol table: json-c's
# json_object_get would otherwise stand in for jansson's under libjwt.
STATIC_PKGS := sqlite3 json-c fcgi libxcrypt liboath
STATIC_LIBS = -Wl,--exclude-libs,ALL \
	      -Wl,-Bstatic $(shell pkg-config --libs $(STATIC_PKGS) 2>/dev/null) \
	      -Wl,-Bdynamic $(shell pkg-config --libs \
	      $(filter-out $(STATIC_PKGS),$(PKGS)) 2>/dev/null) -lm
PROG_LIBS  = $(if $(STATIC),$(STATIC_LIBS),$(PKG_LIBS))

WARN	:= -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
	   -Wmissing-prototypes -Wpointer-arith -Wvla
HARDEN	:= -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE \
	   -fstack-clash-protection -fcf-protection
OPT	?= -O2 -g
CFLAGS	?=
CPPFLAGS += -D_GNU_SOURCE -Ilib \
	   -DLK_DEFAULT_CONFIG='"$(SYSCONFDIR)/latchkey/latchkey.conf"'
ALL_CFLAGS = -std=c11 $(OPT) $(WARN) $(HARDEN) $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS	?=
ALL_LDFLAGS = -pie -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack $(LDFLAGS)

ifneq ($(SANITIZE),)
CC	:= clang
OPT	:= -O1 -g -fno-omit-frame-pointer
ALL_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all
ALL_LDFLAGS += -fsanitize=address,undefined
HARDEN	:= -fstack-protector-strong -fPIE
endif

LIB_SRCS := $(shell find lib -name '*.c' | sort)
LIB_HDRS := $(shell find lib -name '*.h' | sort)
LIB_OBJS := $(LIB_SRCS:lib/%.c=$(BUILD)/obj/lib/%.o)
LIB	:= $(BUILD)/lib/liblatchkey.a
PROGRAMS := $(BUILD)/cgi-bin/login.fcgi $(BUILD)/cgi-bin/profile.fcgi \
	    $(BUILD)/cgi-bin/logout.fcgi $(BUILD)/cgi-bin/refresh.fcgi \
	    $(BUILD)/cgi-bin/password.fcgi $(BUILD)/cgi-bin/settings.fcgi \
	    $(BUILD)/cgi-bin/error.fcgi $(BUILD)/cgi-bin/mfa.fcgi \
	    $(BUILD)/cgi-bin/webauthn.fcgi $(BUILD)/cgi-bin/sessions.fcgi \
	    $(BUILD)/cgi-bin/invite.fcgi $(BUILD)/cgi-bin/signup.fcgi \
	    $(BUILD)/cgi-bin/jwks.fcgi $(BUILD)/cgi-bin/health.fcgi \
	    $(BUILD)/cgi-bin/metrics.fcgi $(BUILD)/cgi-bin/authz.fcgi \
	    $(BUILD)/cgi-bin/gate.fcgi \
	    $(BUILD)/cgi-bin/admin.fcgi
TOOL	:= $(BUILD)/bin/latchkey
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

# Quiet build unless V=1.
ifeq ($(V),1)
Q :=
else
Q := @
endif

# Fragments append to these.
ALL_TARGETS :=
CHECK_TARGETS :=

.PHONY: all deps build run check check-style check-unit check-http check-side \
	check-cppcheck check-hardening clean distclean

all: build

-include mk/*.mk

build: deps $(LIB) $(PROGRAMS) $(TOOL) $(ALL_TARGETS)

# Install whatever Debian packages are missing (as root or through sudo).
deps:
	@scripts/deps.sh core

# Everything a make variable puts into the binaries (the default
# configuration path from PREFIX or SYSCONFDIR, compiler, flags,
# libraries): $(BUILD)/flags changes with it, and what depends on it is
# rebuilt, so that "make PREFIX=/opt" after "make" is not the old build.
BUILD_FLAGS = $(CC) $(CPPFLAGS) $(ALL_CFLAGS) / $(ALL_LDFLAGS) / $(PROG_LIBS) \
	      / $(STATIC_LIBS)
$(BUILD)/flags: FORCE
	@mkdir -p $(@D)
	@printf '%s\n' '$(subst ','\'',$(BUILD_FLAGS))' >$@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else \
		test ! -f $@ || echo "  FLAGS   changed: rebuilding"; mv $@.new $@; fi

.PHONY: FORCE
FORCE:

$(BUILD)/obj/lib/%.o: lib/%.c $(LIB_HDRS) $(BUILD)/flags | deps
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	@echo "  AR      $@"
	$(Q)rm -f $@
	$(Q)ar rcs $@ $(LIB_OBJS)

$(BUILD)/cgi-bin/%.fcgi: cgi-bin/%.c $(LIB) $(LIB_HDRS) $(BUILD)/flags
	@mkdir -p $(@D)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PROG_LIBS)

# The metrics' latchkey_build_info{version} (the tool's --version's too).
$(BUILD)/cgi-bin/metrics.fcgi: CPPFLAGS += -DLK_VERSION='"$(VERSION)"'
$(BUILD)/cgi-bin/metrics.fcgi: VERSION

$(TOOL): tool/latchkey.c $(LIB) $(LIB_HDRS) $(BUILD)/flags VERSION
	@mkdir -p $(@D)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CPPFLAGS) -DLK_VERSION='"$(VERSION)"' $(ALL_CFLAGS) $(ALL_LDFLAGS) \
	    -o $@ $< $(LIB) $(PROG_LIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c tests/unit/*.h $(LIB) $(LIB_HDRS) \
	    cgi-bin/*.c $(BUILD)/flags
	@mkdir -p $(@D)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CPPFLAGS) -Itests/unit $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< \
	    $(LIB) $(PKG_LIBS)

# Linked as the STATIC=1 programs are: json-c inside, jansson through
# libjwt (tests/unit/test_jsonlink.c).
$(BUILD)/tests/test_jsonlink: PKG_LIBS = $(STATIC_LIBS) -ldl

run: build
	@scripts/run-lighttpd "$(PORT)"

# The HTTP suites and the smaller server suites (CHECK_SIDE) run side by
# side: each starts its own servers on free loopback ports and its own
# database servers in temporary folders, and the HTTP suites wait on their
# servers more than they compute.  The packages both sides need are
# installed first, so that two apt-get never run at once.  The rest run one
# at a time after them (the browser suite and the fuzzers keep both cores).
CHECK_SIDE = check-authz check-cluster check-dist check-proxy \
	check-postgres check-mariadb

check: build check-style check-cppcheck check-hardening check-unit
	@scripts/deps.sh apache postgres mariadb mail proxies browser
	@$(MAKE) --no-print-directory -O -j2 check-http check-side
	@$(MAKE) --no-print-directory $(filter-out $(CHECK_SIDE),$(CHECK_TARGETS))
	@echo "make check: all suites passed"

check-side:
	@for t in $(CHECK_SIDE); do \
		$(MAKE) --no-print-directory $$t || exit 1; \
	done

check-style:
	@scripts/check-banned.sh
	@scripts/check-layers.sh
	@scripts/check-layers-test.sh

check-cppcheck:
	@scripts/check-cppcheck.sh

# Sanitizer builds trade some hardening flags for instrumentation.
check-hardening: build
	@$(if $(SANITIZE),echo "hardening: skipped under SANITIZE",scripts/check-hardening.sh $(PROGRAMS) $(TOOL))

check-unit: $(UNIT_BINS)
	@scripts/run-unit.sh $(UNIT_BINS)

# tests/http/mail.test.js formats and sends its sample with test_mail.
check-http: build $(BUILD)/tests/test_mail
	@scripts/deps.sh apache
	LATCHKEY_BUILD="$(abspath $(BUILD))" $(NODE) --test --test-concurrency=1 tests/http/

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf var public web/node_modules tests/e2e/node_modules
