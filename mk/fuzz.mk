# libFuzzer harnesses (tests/fuzz/), built with clang, ASan and UBSan into
# $(FUZZ_BUILD), apart from the normal build.
#
#   make fuzz               run each harness for FUZZ_TIME seconds (default 60)
#   make fuzz FUZZ_TIME=600 FUZZERS="token"   longer, or only some harnesses
#   make check-fuzz         a bounded smoke of each (FUZZ_SMOKE_TIME, 5 s): part
#                           of `make check`
#
# The committed seeds (tests/fuzz/corpus/NAME/) are read, never written:
# new inputs go to $(FUZZ_BUILD)/corpus/NAME/, crashes to
# $(FUZZ_BUILD)/artifacts/.  Reproduce one with
#   $(FUZZ_BUILD)/fuzz_NAME $(FUZZ_BUILD)/artifacts/NAME-crash-...

FUZZ_CC		?= clang
FUZZ_BUILD	:= build/fuzz
FUZZ_TIME	?= 60
FUZZ_SMOKE_TIME	?= 5
FUZZERS		?= cookie request token config webauthn rules
FUZZ_SAN	:= -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS	= -std=c11 -O1 -g -fno-omit-frame-pointer $(WARN) $(PKG_CFLAGS) \
		  $(FUZZ_SAN)
FUZZ_LIB_OBJS	:= $(LIB_SRCS:lib/%.c=$(FUZZ_BUILD)/obj/%.o)
FUZZ_LIB	:= $(FUZZ_BUILD)/liblatchkey-fuzz.a
FUZZ_BINS	= $(FUZZERS:%=$(FUZZ_BUILD)/fuzz_%)
# Each run: new inputs and crash files under build/, leaks count as bugs.
FUZZ_RUN	= set -e; for f in $(FUZZERS); do \
		  mkdir -p $(FUZZ_BUILD)/corpus/$$f $(FUZZ_BUILD)/artifacts; \
		  echo "  FUZZ    $$f ($(1) s)"; \
		  $(FUZZ_BUILD)/fuzz_$$f -max_total_time=$(1) -timeout=10 \
		      -rss_limit_mb=1024 -max_len=16384 -print_final_stats=1 \
		      -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$f- \
		      $(FUZZ_BUILD)/corpus/$$f tests/fuzz/corpus/$$f \
		      >$(FUZZ_BUILD)/$$f.log 2>&1 || \
		  { tail -60 $(FUZZ_BUILD)/$$f.log; echo "fuzz: $$f failed (log: $(FUZZ_BUILD)/$$f.log)"; exit 1; }; \
		  grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' \
		      $(FUZZ_BUILD)/$$f.log | tr '\n' ' '; echo; \
		  done

.PHONY: fuzz fuzz-deps fuzz-build check-fuzz

fuzz-deps:
	@scripts/deps.sh sanitize

$(FUZZ_BUILD)/obj/%.o: lib/%.c $(LIB_HDRS) | fuzz-deps
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link \
	    -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $(FUZZ_LIB_OBJS)

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB) $(LIB_HDRS)
	@echo "  CCLD    $@"
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
	    $(FUZZ_LIB) $(PKG_LIBS) -lcrypto

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@$(call FUZZ_RUN,$(FUZZ_TIME))

CHECK_TARGETS += check-fuzz
check-fuzz: fuzz-build
	@$(call FUZZ_RUN,$(FUZZ_SMOKE_TIME))
	@echo "fuzz: $(words $(FUZZERS)) harnesses passed the $(FUZZ_SMOKE_TIME) s smoke"
