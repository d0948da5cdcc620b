# Intake — build, test, install.
#
#   make            build ./intake
#   make test       install missing Debian packages (deps), build, run every test
#   make sanitize   unit and CLI tests under ASan + UBSan (build/asan)
#   make fuzz       run each libFuzzer target for FUZZ_SECONDS (needs clang)
#   make bench      print benchmark figures (never pass/fail)
#   make demo       open the TUI on a throwaway demo vault
#   make install    PREFIX=/usr/local DESTDIR=
#
# User CFLAGS/LDFLAGS are appended last and win; WERROR= turns off -Werror.

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
DATADIR  ?= $(PREFIX)/share
MANDIR   ?= $(PREFIX)/share/man
CC       ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS   ?= -O2 -g
BUILD    ?= build
WERROR   ?= -Werror
SAN      ?=
FUZZ_SECONDS ?= 60

VERSION  := 0.1.0
PKGS     := libsodium lmdb yaml-0.1 jansson
TUI_PKGS := ncursesw

# Evaluated lazily so that `make deps` can install the libraries first.
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) $(TUI_PKGS))
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lunistring -lm
TUI_LIBS   = $(shell $(PKG_CONFIG) --libs $(TUI_PKGS))
TEST_LIBS  = $(shell $(PKG_CONFIG) --libs cmocka)

WARN := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wformat-truncation -Wundef \
	-Wpointer-arith -Wcast-qual -Wvla -Wnull-dereference -Wimplicit-fallthrough
HARDEN := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
DEFS := -D_GNU_SOURCE -DINTAKE_VERSION='"$(VERSION)"' \
	-DINTAKE_FORMS_DIR='"$(DATADIR)/intake/forms"'

ifneq ($(SAN),)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
HARDEN := -fPIE
endif

ALL_CFLAGS  = $(WARN) $(WERROR) $(HARDEN) $(DEFS) -Icore -Itui $(PKG_CFLAGS) $(SANFLAGS) $(CFLAGS)
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now $(SANFLAGS) $(LDFLAGS)

CORE_SRC := $(sort $(wildcard core/*.c))
TUI_SRC  := $(sort $(filter-out tui/main.c,$(wildcard tui/*.c)))
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
TUI_OBJ  := $(TUI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(sort $(wildcard tests/bench/bench_*.c))
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))

LIB := $(BUILD)/libintake.a
LIBTUI := $(BUILD)/libintake-tui.a

.PHONY: all test check unit deps sanitize fuzz fuzz-replay bench demo install \
	uninstall clean lint

all: intake

intake: $(BUILD)/intake
	cp $< $@.tmp && mv -f $@.tmp $@

$(BUILD)/intake: $(BUILD)/tui/main.o $(LIBTUI) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(TUI_LIBS) $(PKG_LIBS)

$(LIB): $(CORE_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

$(LIBTUI): $(TUI_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIBTUI) $(LIB) tests/unit/testutil.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< $(LIBTUI) $(LIB) \
		$(TEST_LIBS) $(TUI_LIBS) $(PKG_LIBS)

$(BUILD)/bench/%: tests/bench/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

# The start-up baseline bench_tui compares the program against.
$(BUILD)/bench/minimal_curses: tests/bench/minimal_curses.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(TUI_LIBS)

-include $(CORE_OBJ:.o=.d) $(TUI_OBJ:.o=.d) $(BUILD)/tui/main.d

# `make test` first makes sure the packages are there, then runs everything.
test:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory check

check: $(BUILD)/intake $(UNIT_BIN)
	@INTAKE=$(CURDIR)/$(BUILD)/intake BUILD=$(CURDIR)/$(BUILD) sh tests/run.sh $(UNIT_BIN)

unit: $(UNIT_BIN)
	@INTAKE=$(CURDIR)/$(BUILD)/intake BUILD=$(CURDIR)/$(BUILD) UNIT_ONLY=1 sh tests/run.sh $(UNIT_BIN)

deps:
	@sh tests/deps.sh

sanitize:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 CFLAGS='-O1 -g' check

# libFuzzer targets need clang; each runs FUZZ_SECONDS on its corpus.
# Targets link tui/ too, for its decoders (keys, line editor).
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined $(DEFS) -Icore -Itui $(PKG_CFLAGS)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
build/fuzz/%: tests/fuzz/%.c $(CORE_SRC) $(TUI_SRC)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ $< $(CORE_SRC) $(TUI_SRC) $(PKG_LIBS) $(TUI_LIBS)

fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do n=$${f##*/}; mkdir -p build/fuzz/$$n.corpus; \
	  echo "== $$n ($(FUZZ_SECONDS)s)"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    build/fuzz/$$n.corpus tests/fuzz/corpus/$${n#fuzz_} || exit 1; done

# Replays the committed corpus (no new inputs): what CI runs.
fuzz-replay: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do n=$${f##*/}; \
	  $$f -runs=0 tests/fuzz/corpus/$${n#fuzz_} >/dev/null 2>&1 \
	    && echo "ok - fuzz corpus replay $$n" \
	    || { echo "not ok - fuzz corpus replay $$n"; $$f -runs=0 tests/fuzz/corpus/$${n#fuzz_} 2>&1 | tail -30; }; done

bench: $(BUILD)/intake $(BENCH_BIN) $(BUILD)/bench/minimal_curses
	@for b in $(BENCH_BIN); do $$b || exit 1; done

demo: $(BUILD)/intake
	@sh tests/demo.sh $(CURDIR)/$(BUILD)

lint:
	@! grep -nE '#include <(n?curses|form|menu)' core/*.c core/*.h || \
	  { echo "core/ must not include curses"; exit 1; }
	@! grep -nE '#include <(sodium|lmdb)\.h>' tui/*.c tui/*.h || \
	  { echo "tui/ must not call libsodium or LMDB"; exit 1; }
	@! grep -nE '#include <sodium\.h>' $(filter-out core/crypto.c core/crypto.h,$(wildcard core/*.[ch])) || \
	  { echo "only core/crypto.c may call libsodium"; exit 1; }

install: $(BUILD)/intake
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/intake/forms
	install -m 0755 $(BUILD)/intake $(DESTDIR)$(BINDIR)/intake
	install -m 0644 forms/*.yaml forms/README.md $(DESTDIR)$(DATADIR)/intake/forms/
	install -d $(DESTDIR)$(DATADIR)/intake/forms/training
	install -m 0644 forms/training/*.yaml $(DESTDIR)$(DATADIR)/intake/forms/training/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/intake
	rm -rf $(DESTDIR)$(DATADIR)/intake

clean:
	rm -rf build intake
