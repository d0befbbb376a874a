# Benchmarks: `make bench` serves the programs with lighttpd on loopback,
# beside a no-op FastCGI responder, and writes bench/results.md.
#
#   make bench [BENCH_TIME=10] [BENCH_PROCS=2] [BENCH_USERS_BIG=1000000]
#              [BENCH_ROUNDS=5]
#   (each throughput row: the median and spread of BENCH_ROUNDS rounds, taken
#   in turns with its no-op ceiling; bench/rounds.js)
#   make bench-cgi   the plain-CGI rows alone (bench/run.js --cgi-only)
#
# bench/loadgen (a closed-loop HTTP/1.1 load generator) is also what the
# load tests of tests/stress/ drive the server with.

BENCH_BUILD	:= $(BUILD)/bench
LOADGEN		:= $(BENCH_BUILD)/loadgen
BENCH_TIME	?= 10
BENCH_PROCS	?= 2
BENCH_USERS_BIG	?= 1000000
BENCH_ROUNDS	?= 5

.PHONY: bench bench-build bench-cgi bench-ceilings bench-forward

$(BENCH_BUILD)/noop.fcgi: bench/noop.c | deps
	@mkdir -p $(@D)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(PKG_LIBS)

$(BENCH_BUILD)/hashtime: bench/hashtime.c $(LIB) $(LIB_HDRS)
	@mkdir -p $(@D)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

$(BENCH_BUILD)/storetime: bench/storetime.c $(LIB) $(LIB_HDRS)
	@mkdir -p $(@D)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

$(BENCH_BUILD)/cgitime: bench/cgitime.c | deps
	@mkdir -p $(@D)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

$(BENCH_BUILD)/noopauth.fcgi: bench/noopauth.c | deps
	@mkdir -p $(@D)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(PKG_LIBS)

# The empty CGI program, linked against exactly the shared libraries the
# profile program of this build loads (and, beside it, the static build's).
NEEDED_OF = $$(readelf -d $(1) | sed -n 's/.*(NEEDED).*\[lib\([^.]*\)\.so.*/-l\1/p' | \
	grep -v -e '^-lc$$' -e '^-lm$$' -e '^-lld-linux' | tr '\n' ' ')
$(BENCH_BUILD)/emptycgi: bench/emptycgi.c $(BUILD)/cgi-bin/profile.fcgi | deps
	@mkdir -p $(@D)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< \
	    -Wl,--no-as-needed $(call NEEDED_OF,$(BUILD)/cgi-bin/profile.fcgi) -lm

STATIC_BUILD := build/static
# From a shared build, the static one is a make of its own (in it, the
# ordinary rules build this file).
ifeq ($(STATIC),)
$(STATIC_BUILD)/cgi-bin/profile.fcgi: cgi-bin/profile.c $(LIB_SRCS) $(LIB_HDRS) FORCE
	$(MAKE) --no-print-directory STATIC=1 $@
endif

$(BENCH_BUILD)/emptycgi-static: bench/emptycgi.c $(STATIC_BUILD)/cgi-bin/profile.fcgi | deps
	@mkdir -p $(@D)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< \
	    -Wl,--no-as-needed $(call NEEDED_OF,$(STATIC_BUILD)/cgi-bin/profile.fcgi) -lm

# SQLite's start-up floor under plain CGI: the store opened, one user
# found, as the programs link it, and loading the same shared libraries as
# profile.fcgi (with STATIC=1, the static build's), like emptycgi.
$(BENCH_BUILD)/storeopen: bench/storeopen.c $(LIB) $(LIB_HDRS) $(BUILD)/cgi-bin/profile.fcgi
	@mkdir -p $(@D)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PROG_LIBS) \
	    -Wl,--no-as-needed $(call NEEDED_OF,$(BUILD)/cgi-bin/profile.fcgi) -lm

$(BENCH_BUILD)/storeopen-static: bench/storeopen.c $(LIB) $(LIB_HDRS) $(STATIC_BUILD)/cgi-bin/profile.fcgi
	@mkdir -p $(@D)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(STATIC_LIBS) \
	    -Wl,--no-as-needed $(call NEEDED_OF,$(STATIC_BUILD)/cgi-bin/profile.fcgi) -lm

$(LOADGEN): bench/loadgen.c | deps
	@mkdir -p $(@D)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CPPFLAGS) -std=c11 -O2 -g $(WARN) $(ALL_LDFLAGS) -fPIE -o $@ $<

bench-build: build $(BENCH_BUILD)/noop.fcgi $(BENCH_BUILD)/noopauth.fcgi \
	    $(BENCH_BUILD)/hashtime $(BENCH_BUILD)/cgitime $(BENCH_BUILD)/storetime \
	    $(BENCH_BUILD)/emptycgi $(BENCH_BUILD)/emptycgi-static \
	    $(BENCH_BUILD)/storeopen $(BENCH_BUILD)/storeopen-static $(LOADGEN)

# The plain-CGI rows alone (a few minutes, not the whole bench), written
# to $(BUILD)/bench/cgi.md: start-up floors, the profile program, and
# SQLite's journal modes.
bench-cgi: bench-build
	LATCHKEY_BUILD="$(abspath $(BUILD))" $(NODE) bench/run.js --cgi-only \
	    $(BENCH_BUILD)/cgi.md

# The forward-auth rows alone (nginx in front, a minute), appended to
# $(BUILD)/bench/forward.md; make bench appends them to bench/results.md.
bench-forward: bench-build
	@scripts/deps.sh proxies
	rm -f $(BENCH_BUILD)/forward.md
	LATCHKEY_BUILD="$(abspath $(BUILD))" BENCH_TIME=$(BENCH_TIME) BENCH_ROUNDS=$(BENCH_ROUNDS) \
	    BENCH_PROCS=$(BENCH_PROCS) $(NODE) bench/forward.js $(BENCH_BUILD)/forward.md

# The profile and the authorizer next to their no-op ceilings alone, with
# the node's counter file on, written to $(BUILD)/bench/ceilings.md.
bench-ceilings: bench-build
	LATCHKEY_BUILD="$(abspath $(BUILD))" BENCH_TIME=$(BENCH_TIME) BENCH_ROUNDS=$(BENCH_ROUNDS) \
	    BENCH_PROCS=$(BENCH_PROCS) $(NODE) bench/run.js --ceilings-only \
	    $(BENCH_BUILD)/ceilings.md

bench: bench-build
	LATCHKEY_BUILD="$(abspath $(BUILD))" BENCH_TIME=$(BENCH_TIME) BENCH_ROUNDS=$(BENCH_ROUNDS) \
	    BENCH_PROCS=$(BENCH_PROCS) BENCH_USERS_BIG=$(BENCH_USERS_BIG) \
	    $(NODE) bench/run.js bench/results.md
	@scripts/deps.sh proxies
	LATCHKEY_BUILD="$(abspath $(BUILD))" BENCH_TIME=$(BENCH_TIME) BENCH_ROUNDS=$(BENCH_ROUNDS) \
	    BENCH_PROCS=$(BENCH_PROCS) $(NODE) bench/forward.js bench/results.md
	LATCHKEY_BUILD="$(abspath $(BUILD))" BENCH_TIME=$(BENCH_TIME) BENCH_ROUNDS=$(BENCH_ROUNDS) \
	    BENCH_PROCS=$(BENCH_PROCS) $(NODE) bench/cluster.js bench/results.md
