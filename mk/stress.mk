# Load and fault tests (tests/stress/): lighttpd on loopback driven by
# bench/loadgen.  Bounded; speed is reported, never asserted.
#
#   make stress        each load phase STRESS_TIME seconds (default 30)
#   make check-stress  the same tests with short phases (part of make check)

STRESS_TIME ?= 30
STRESS_SHORT_TIME ?= 4

.PHONY: stress check-stress

STRESS_RUN = LATCHKEY_BUILD="$(abspath $(BUILD))" \
	LATCHKEY_LOADGEN="$(abspath $(LOADGEN))" STRESS_SANITIZE="$(SANITIZE)" \
	$(NODE) --test --test-concurrency=1 tests/stress/

stress: build $(LOADGEN)
	STRESS_TIME=$(STRESS_TIME) $(STRESS_RUN)

CHECK_TARGETS += check-stress
check-stress: build $(LOADGEN)
	STRESS_TIME=$(STRESS_SHORT_TIME) $(STRESS_RUN)
