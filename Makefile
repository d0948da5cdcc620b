# Intake — build, test, install.
#
#   make            build ./intake and its man page ./intake.1
#   make test       install missing Debian packages (deps), build, run every test
#                   (the layering check of `make lint` among them)
#   make sanitize   every test under ASan + UBSan (build/asan), plus failure injection
#   make crashtest  kill a writer CRASH_KILLS times (500) and check the vault each time
#   make inject     fail every LMDB call, allocation, write and sync, one at a time
#   make valgrind   a scripted TUI screening under valgrind memcheck
#   make fuzz       run each libFuzzer target for FUZZ_SECONDS (needs clang)
#   make fuzz-replay  replay the committed fuzz corpora under ASan + UBSan
#   make bench      benchmark table, also written into README.md (never pass/fail)
#   make demo       open the TUI on a throwaway demo vault
#   make pot        extract the marked messages into po/intake.pot (xgettext) and
#                   merge them into po/*.po (msgmerge): then translate what is new
#   make install    PREFIX=/usr/local DESTDIR= (also intake(1), intake-session, the shelter
#                   server's login program, and its tmux.conf: see README.md)
#
# User CFLAGS/LDFLAGS are appended last and win; WERROR= turns off -Werror.
# The C it needs: C11 (-std=c11 -Wpedantic; GCC/Clang __attribute__ only for
# printf-format checks) with POSIX.1-2008 and, through -D_GNU_SOURCE, the
# GNU/Linux calls explicit_bzero, memmem, asprintf, timegm, pipe2, prctl and
# the MAP_ANONYMOUS, MADV_HUGEPAGE, MADV_DONTDUMP flags: gcc or clang on
# glibc Linux.

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
DATADIR  ?= $(PREFIX)/share
LOCALEDIR ?= $(DATADIR)/locale
MANDIR   ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
CC       ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS   ?= -O2 -g
BUILD    ?= build
WERROR   ?= -Werror
SAN      ?=
FUZZ_SECONDS ?= 60

VERSION  := 0.1.0
PKGS     := libsodium lmdb yaml-0.1 jansson libzip libxml-2.0 icu-uc libzstd
TUI_PKGS := ncursesw

# Evaluated lazily so that `make deps` can install the libraries first.
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) $(TUI_PKGS))
# GLPK (the suppression audit) has no pkg-config file on Debian.
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lglpk -lunistring -lm
TUI_LIBS   = $(shell $(PKG_CONFIG) --libs $(TUI_PKGS))
TEST_LIBS  = $(shell $(PKG_CONFIG) --libs cmocka)

WARN := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wformat-truncation -Wundef \
	-Wpointer-arith -Wcast-qual -Wvla -Wnull-dereference -Wimplicit-fallthrough
HARDEN := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
DEFS := -D_GNU_SOURCE -DINTAKE_VERSION='"$(VERSION)"' \
	-DINTAKE_FORMS_DIR='"$(DATADIR)/intake/forms"' \
	-DINTAKE_LOCALE_DIR='"$(LOCALEDIR)"'

ifneq ($(SAN),)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
HARDEN := -fPIE
endif

ALL_CFLAGS  = $(WARN) $(WERROR) $(HARDEN) $(DEFS) -Icore -Itui $(PKG_CFLAGS) $(SANFLAGS) $(CFLAGS)
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now $(SANFLAGS) $(LDFLAGS)

# core/clock.c is in no library: each link line names the clock it wants,
# the system clock (CLOCK_OBJ: build/intake, make install) or the one test
# programs fix with INTAKE_TEST_NOW (TEST_CLOCK_OBJ, -DINTAKE_TEST_CLOCK).
CORE_SRC := $(sort $(filter-out core/clock.c,$(wildcard core/*.c)))
TUI_SRC  := $(sort $(filter-out tui/main.c,$(wildcard tui/*.c)))
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
CLOCK_OBJ := $(BUILD)/core/clock.o
TEST_CLOCK_OBJ := $(BUILD)/test-clock/core/clock.o
TUI_OBJ  := $(TUI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(sort $(wildcard tests/bench/bench_*.c))
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
CRASH_BIN := $(BUILD)/crash/crashtest
# tests/cli/attack.sh: the vault it attacks is made through libintake; the
# attacker links libsodium and LMDB only.
ATTACK_BIN := $(BUILD)/attack/attack $(BUILD)/attack/setup
INJECT_BIN := $(BUILD)/inject/inject
# Defined before any rule names them: make expands prerequisites as it reads.
REPLAY_BIN := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=$(BUILD)/fuzz-replay/%)
# Calls the failure-injection test fails on purpose (tests/inject/inject.c).
INJECT_WRAP := mdb_env_create mdb_env_open mdb_env_set_mapsize mdb_txn_begin \
	mdb_txn_commit mdb_put mdb_del mdb_dbi_open mdb_cursor_open sodium_malloc \
	sodium_free malloc calloc realloc strdup strndup
CRASH_KILLS ?= 500

LIB := $(BUILD)/libintake.a
LIBTUI := $(BUILD)/libintake-tui.a

# The interface's message catalogs (tui/i18n.h): po/LANG.po compiled into
# build/locale/LANG/LC_MESSAGES/intake.mo, where the program looks first
# (beside its binary), so `make demo` and the tests use these.
LINGUAS := lo th zh_CN
MO := $(LINGUAS:%=$(BUILD)/locale/%/LC_MESSAGES/intake.mo)
# Which files' messages are marked: po/extract.sh.

.PHONY: all test check unit deps sanitize fuzz fuzz-replay bench demo install \
	uninstall clean lint crashtest inject replay-bins valgrind pot

all: intake intake.1 $(MO)

$(BUILD)/locale/%/LC_MESSAGES/intake.mo: po/%.po
	@mkdir -p $(@D)
	msgfmt --check --output-file=$@.tmp $< && mv -f $@.tmp $@

# po/intake.pot from the sources (po/extract.sh), then merged into each
# catalog: new messages come in untranslated, vanished ones stay as
# obsolete #~ entries until someone removes them.
pot:
	sh po/extract.sh po/intake.pot
	for l in $(LINGUAS); do msgmerge --quiet --update --backup=none po/$$l.po po/intake.pot || exit 1; done

intake: $(BUILD)/intake
	cp $< $@.tmp && mv -f $@.tmp $@

# intake(1) is written by the program from its option tables, so the page,
# `intake CMD --help` and what the parser accepts cannot disagree.
$(BUILD)/intake.1: $(BUILD)/intake
	$(BUILD)/intake --help-man >$@.tmp && mv -f $@.tmp $@

intake.1: $(BUILD)/intake.1
	cp $< $@.tmp && mv -f $@.tmp $@

$(BUILD)/intake: $(BUILD)/tui/main.o $(LIBTUI) $(LIB) $(CLOCK_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(TUI_LIBS) $(PKG_LIBS)

# The program the tmux tests drive: build/intake with the test clock.
$(BUILD)/intake-test: $(BUILD)/tui/main.o $(LIBTUI) $(LIB) $(TEST_CLOCK_OBJ)
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

$(TEST_CLOCK_OBJ): core/clock.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DINTAKE_TEST_CLOCK -MMD -MP -c -o $@ $<

# The catalogs too: test_i18n reads build/locale.
$(BUILD)/tests/%: tests/unit/%.c $(LIBTUI) $(LIB) $(TEST_CLOCK_OBJ) tests/unit/testutil.h | $(MO)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< $(LIBTUI) $(LIB) \
		$(TEST_CLOCK_OBJ) $(TEST_LIBS) $(TUI_LIBS) $(PKG_LIBS)

$(BUILD)/bench/%: tests/bench/%.c $(LIB) $(TEST_CLOCK_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(TEST_CLOCK_OBJ) $(PKG_LIBS)

$(BUILD)/crash/%: tests/crash/%.c $(LIB) $(CLOCK_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(CLOCK_OBJ) $(PKG_LIBS)

$(BUILD)/inject/%: tests/inject/%.c $(LIB) $(CLOCK_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(INJECT_WRAP:%=-Wl,--wrap=%) -o $@ $< $(LIB) \
		$(CLOCK_OBJ) $(PKG_LIBS)

$(BUILD)/attack/attack: tests/attack/attack.c
	@mkdir -p $(@D)
	$(CC) $(WARN) $(WERROR) $(HARDEN) -D_GNU_SOURCE $(shell $(PKG_CONFIG) --cflags libsodium lmdb) \
		$(SANFLAGS) $(CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(shell $(PKG_CONFIG) --libs libsodium lmdb)

$(BUILD)/attack/setup: tests/attack/setup.c $(LIB) $(CLOCK_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(CLOCK_OBJ) $(PKG_LIBS)

# The start-up baseline bench_tui compares the program against.
$(BUILD)/bench/minimal_curses: tests/bench/minimal_curses.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(TUI_LIBS)

-include $(CORE_OBJ:.o=.d) $(TUI_OBJ:.o=.d) $(BUILD)/tui/main.d \
	$(CLOCK_OBJ:.o=.d) $(TEST_CLOCK_OBJ:.o=.d)

# `make test` first makes sure the packages are there, then runs everything.
test:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory check

# The sanitizer build also runs the failure-injection test (LeakSanitizer
# is what checks it leaks nothing).
CHECK_EXTRA = $(if $(SAN),$(INJECT_BIN))

# INTAKE is the program as installed; INTAKE_TEST the same with the test
# clock, for the tests that fix the time (tests/tmux.sh).
TEST_ENV = INTAKE=$(CURDIR)/$(BUILD)/intake INTAKE_TEST=$(CURDIR)/$(BUILD)/intake-test \
	BUILD=$(CURDIR)/$(BUILD)

check: $(BUILD)/intake $(BUILD)/intake.1 $(BUILD)/intake-test $(MO) $(UNIT_BIN) $(CRASH_BIN) $(ATTACK_BIN) $(REPLAY_BIN) $(CHECK_EXTRA)
	@$(TEST_ENV) sh tests/run.sh tests/lint.sh $(UNIT_BIN) $(REPLAY_BIN) $(CHECK_EXTRA)

unit: $(BUILD)/intake $(BUILD)/intake-test $(MO) $(UNIT_BIN) $(CRASH_BIN) $(ATTACK_BIN)
	@$(TEST_ENV) UNIT_ONLY=1 sh tests/run.sh tests/lint.sh $(UNIT_BIN)

deps:
	@sh tests/deps.sh

sanitize:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 CFLAGS='-O1 -g' check

# libFuzzer targets need clang; `make fuzz` runs each FUZZ_SECONDS on its
# corpus (tests/fuzz/run.sh, summary in build/fuzz/summary.txt). Targets link
# tui/ too, for its decoders (keys, line editor). Objects are built once.
FUZZ_CC ?= clang
FUZZ_FLAGS = -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	$(DEFS) -Icore -Itui $(PKG_CFLAGS)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_OBJ := $(CORE_SRC:%.c=build/fuzz/obj/%.o) $(TUI_SRC:%.c=build/fuzz/obj/%.o) \
	build/fuzz/obj/test-clock/core/clock.o
build/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/obj/test-clock/core/clock.o: core/clock.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -DINTAKE_TEST_CLOCK -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/libintake-fuzz.a: $(FUZZ_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

build/fuzz/%: tests/fuzz/%.c build/fuzz/libintake-fuzz.a
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< build/fuzz/libintake-fuzz.a \
		$(PKG_LIBS) $(TUI_LIBS)

fuzz: $(FUZZ_BIN)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh $(FUZZ_BIN)

# Every target replays its committed corpus in `make check` (and so under
# ASan + UBSan in `make sanitize`), built with the build's compiler.
$(BUILD)/fuzz-replay/%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(LIBTUI) $(LIB) $(TEST_CLOCK_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DFUZZ_CORPUS='"tests/fuzz/corpus/$*"' $(ALL_LDFLAGS) -o $@ $< \
		tests/fuzz/replay.c $(LIBTUI) $(LIB) $(TEST_CLOCK_OBJ) $(TUI_LIBS) $(PKG_LIBS)

replay-bins: $(REPLAY_BIN)

fuzz-replay:
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 CFLAGS='-O1 -g' replay-bins
	@for b in build/asan/fuzz-replay/*; do $$b || exit 1; done

# Every benchmark, then one table of their BENCH lines, written into
# README.md's Performance section (tests/bench/report.sh).
bench: $(BUILD)/intake $(MO) $(BENCH_BIN) $(BUILD)/bench/minimal_curses
	@sh tests/bench/report.sh $(BENCH_BIN)

# A scripted TUI screening and the record commands under valgrind (memcheck):
# must end with 0 errors and 0 bytes definitely lost. Not part of CI.
valgrind: $(BUILD)/intake $(BUILD)/intake-test
	@$(TEST_ENV) sh tests/valgrind/interview.sh

# Fails each LMDB call, secure and heap allocation, write and sync of every
# vault operation in turn, under ASan (build/asan).
inject:
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 CFLAGS='-O1 -g' build/asan/inject/inject
	@build/asan/inject/inject

# Kills a writer CRASH_KILLS times at random instants, checking the vault
# after each kill (make test runs 50 of them through tests/cli/crash.sh).
crashtest: $(CRASH_BIN) $(BUILD)/intake
	@INTAKE=$(CURDIR)/$(BUILD)/intake $(CRASH_BIN) $(CRASH_KILLS)

demo:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory $(BUILD)/intake $(MO)
	@sh tests/demo.sh $(CURDIR)/$(BUILD)

# The layering rules (tests/lint.sh); `make check` runs them as a test.
lint:
	@sh tests/lint.sh

install: $(BUILD)/intake $(BUILD)/intake.1 $(MO)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/intake/forms $(DESTDIR)$(MANDIR)/man1
	for l in $(LINGUAS); do \
	    install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
	    install -m 0644 $(BUILD)/locale/$$l/LC_MESSAGES/intake.mo \
	        $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/intake.mo || exit 1; \
	done
	install -m 0755 $(BUILD)/intake $(DESTDIR)$(BINDIR)/intake
	install -m 0644 $(BUILD)/intake.1 $(DESTDIR)$(MANDIR)/man1/intake.1
	install -m 0644 forms/*.yaml forms/README.md $(DESTDIR)$(DATADIR)/intake/forms/
	install -d $(DESTDIR)$(DATADIR)/intake/forms/training
	install -m 0644 forms/training/*.yaml $(DESTDIR)$(DATADIR)/intake/forms/training/
	@mkdir -p $(BUILD)/server
	for f in intake-session sshd_config.example; do \
	    sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g' \
	        -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' server/$$f >$(BUILD)/server/$$f || exit 1; \
	done
	install -m 0755 $(BUILD)/server/intake-session $(DESTDIR)$(BINDIR)/intake-session
	install -m 0644 server/tmux.conf $(BUILD)/server/sshd_config.example \
	    $(DESTDIR)$(DATADIR)/intake/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/intake $(DESTDIR)$(BINDIR)/intake-session
	rm -f $(DESTDIR)$(MANDIR)/man1/intake.1
	for l in $(LINGUAS); do rm -f $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/intake.mo; done
	rm -rf $(DESTDIR)$(DATADIR)/intake

clean:
	rm -rf build intake intake.1
