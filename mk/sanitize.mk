# Sanitizer and valgrind lanes.
#
#   make check SANITIZE=1   everything built with clang, ASan and UBSan into
#                           build/sanitize/, then every suite of `make check`
#   make check-sanitize     the CI lane: SANITIZE=1 build, unit tests, HTTP
#                           tests on lighttpd (LATCHKEY_KINDS), and the short
#                           load and fault tests
#   make check-valgrind     the unit tests (normal build) under valgrind:
#                           no memory errors, no leaks
#
# Programs run by the web server report sanitizer errors to files
# (log_path) rather than to a stderr nobody reads; check-sanitizer-logs
# fails if any such file exists.  Leaks are checked at every normal exit
# (unit tests, the tool, CGI requests); FastCGI processes that the server
# kills at the end of a test never exit normally and are not leak-checked
# (the valgrind lane and the stress test's RssAnon check cover them).

.PHONY: check-sanitize check-sanitizer-logs check-valgrind sanitize-deps

SAN_LOGS := $(abspath $(BUILD))/sanitizer-logs

ifneq ($(SANITIZE),)
# Under SANITIZE every process make starts, and every process they start
# (lighttpd passes its environment on to the FastCGI programs), reports
# into SAN_LOGS.
export ASAN_OPTIONS ?= detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1:log_path=$(SAN_LOGS)/asan
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1:log_path=$(SAN_LOGS)/ubsan
export LSAN_OPTIONS ?= report_objects=1
$(shell mkdir -p $(SAN_LOGS))
CHECK_TARGETS += check-sanitizer-logs
deps: sanitize-deps
endif

sanitize-deps:
	@scripts/deps.sh sanitize

check-sanitizer-logs:
	@if ls $(SAN_LOGS)/* >/dev/null 2>&1; then \
		for f in $(SAN_LOGS)/*; do echo "== $$f"; cat "$$f"; done; \
		echo "sanitizers: $$(ls $(SAN_LOGS) | wc -l) report(s) in $(SAN_LOGS)"; \
		exit 1; \
	fi
	@echo "sanitizers: no reports"

# The CI lane.  A fresh log directory first, so old reports do not count.
SANITIZE_KINDS ?= lighttpd
check-sanitize:
	@rm -rf build/sanitize/sanitizer-logs
	@mkdir -p build/sanitize/sanitizer-logs
	$(MAKE) SANITIZE=1 build
	@$(MAKE) SANITIZE=1 check-unit && \
	LATCHKEY_KINDS=$(SANITIZE_KINDS) $(MAKE) SANITIZE=1 check-http && \
	$(MAKE) SANITIZE=1 check-stress; rc=$$?; \
	$(MAKE) --no-print-directory SANITIZE=1 check-sanitizer-logs && exit $$rc

# Unit tests under valgrind, built the normal way (valgrind and ASan do
# not mix).  Any error or leak (definite, indirect or possible) fails.
VALGRIND ?= valgrind
VALGRIND_FLAGS ?= --quiet --error-exitcode=99 --leak-check=full \
	--show-leak-kinds=definite,indirect,possible \
	--errors-for-leak-kinds=definite,indirect,possible \
	--track-origins=yes --trace-children=no
check-valgrind: $(UNIT_BINS)
	@command -v $(VALGRIND) >/dev/null 2>&1 || scripts/deps.sh valgrind
	@pass=0; fail=0; \
	for t in $(UNIT_BINS); do \
		if $(VALGRIND) $(VALGRIND_FLAGS) --log-file=$$t.valgrind $$t >$$t.out 2>&1; then \
			pass=$$((pass + 1)); printf '%-32s ok\n' $$(basename $$t); \
		else \
			fail=$$((fail + 1)); printf '%-32s FAILED (exit %s)\n' $$(basename $$t) $$?; \
			cat $$t.valgrind; tail -20 $$t.out; \
		fi; \
	done; \
	echo "valgrind: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]
