# discarc - GNU Makefile.  `make run` installs missing Debian packages,
# builds and converts the bundled sample; `make check` runs every test.

BUILD   ?= build
PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc

# pkg-config name -> the Debian package that provides it.  Adding a
# library means adding one line here and its package to tools/deps.sh.
PKGS := libcdio libcdio_paranoia sndfile zlib libcrypto libdeflate \
        liblzma flac libarchive libudfread fuse3
DEB_libcdio          := libcdio-dev
DEB_libcdio_paranoia := libcdio-paranoia-dev
DEB_sndfile          := libsndfile1-dev
DEB_zlib             := zlib1g-dev
DEB_libcrypto        := libssl-dev
DEB_libdeflate       := libdeflate-dev
DEB_liblzma          := liblzma-dev
DEB_flac             := libflac-dev
DEB_libarchive       := libarchive-dev
DEB_libudfread       := libudfread-dev
DEB_fuse3            := libfuse3-dev

# Read when this Makefile is parsed.  `make run` and `make check` install
# the packages first and then build in a second make, which parses anew,
# so a fresh machine gets the flags of the packages just installed.
PKG_MISSING := $(strip $(foreach p,$(PKGS),$(if $(shell pkg-config \
                 --exists $(p) 2>/dev/null && echo y),,$(p))))
PKG_CFLAGS  := $(if $(PKG_MISSING),,$(shell pkg-config --cflags $(PKGS)))
# Opened at run time by the code that needs them (core/lib.c): headers
# only at build time, so other commands do not load them.
PKGS_DLOPEN := sndfile libarchive libcrypto
PKG_LIBS    := $(if $(PKG_MISSING),,$(shell pkg-config --libs \
                 $(filter-out $(PKGS_DLOPEN),$(PKGS))))
PKG_CRYPTO  := $(if $(PKG_MISSING),,$(shell pkg-config --libs libcrypto))

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wold-style-definition -Wpointer-arith \
        -Wcast-qual -Wwrite-strings -Wformat=2 -Wundef -Wvla \
        -Wimplicit-fallthrough -Wnull-dereference
ifeq ($(shell $(CC) -v 2>&1 | grep -c 'gcc version'),1)
WARN += -Wduplicated-cond -Wduplicated-branches -Wlogical-op
endif

OPT      ?= -O2 -g
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_FILE_OFFSET_BITS=64 -Icore \
            $(PKG_CFLAGS)
CFLAGS   += -std=c11 $(OPT) $(WARN) $(EXTRA_CFLAGS)
LDLIBS   += $(PKG_LIBS) -lm -pthread

ifdef SAN
OPT     := -O1 -g -fno-omit-frame-pointer
CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

CORE_SRC    := $(sort $(wildcard core/*.c))
FORMAT_SRC  := $(sort $(wildcard formats/*.c))
FUZZ_TARGETS := $(sort $(patsubst tests/fuzz/target_%.c,%,\
                  $(wildcard tests/fuzz/target_*.c)))
FUZZ_LIB_SRC := tests/fuzz/common.c $(FUZZ_TARGETS:%=tests/fuzz/target_%.c)
TEST_SRC    := $(sort $(wildcard tests/*.c)) $(FUZZ_LIB_SRC)
LIB_OBJ     := $(CORE_SRC:%.c=$(BUILD)/%.o) $(FORMAT_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ    := $(TEST_SRC:%.c=$(BUILD)/%.o)

LIB     := $(BUILD)/libdiscarc.a
CLI     := $(BUILD)/discarc
MKSAMPLE := $(BUILD)/mksample
TESTRUN := $(BUILD)/tests/run
FUZZ_REPLAY := $(BUILD)/fuzz/replay

.PHONY: all check test test-san test-valgrind analyze run deps deps-test \
        install uninstall clean samples bench format pkgcheck run-sample \
        fuzz fuzz-build fuzz-smoke fuzz-bins

SAMPLES := $(BUILD)/samples

all: $(LIB) $(CLI) $(MKSAMPLE) $(FUZZ_REPLAY)

# One line per missing library, naming the Debian package, before any
# compiler runs (every object waits for this check).
pkgcheck:
ifneq ($(PKG_MISSING),)
	@$(foreach p,$(PKG_MISSING),echo "discarc: pkg-config cannot find $(p): install the Debian package $(DEB_$(p)) (or run: make deps)" >&2;) exit 1
endif

$(BUILD)/%.o: %.c | pkgcheck
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# copy_file_range(2) and FICLONE need the GNU feature set in out.c only.
$(BUILD)/core/out.o: CPPFLAGS += -D_GNU_SOURCE

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

CLI_SRC := tools/discarc.c $(sort $(wildcard tools/cmd_*.c))
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)

$(CLI): $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(MKSAMPLE): $(BUILD)/tools/mksample.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/list.h: $(sort $(wildcard tests/test_*.c))
	@mkdir -p $(dir $@)
	@grep -h '^TEST(' $^ | sed 's/^TEST(\([a-zA-Z0-9_]*\)).*/T(\1)/' > $@.tmp
	@mv $@.tmp $@

$(BUILD)/tests/main.o: $(BUILD)/tests/list.h

# Fuzz targets: tests/fuzz/target_NAME.c, each "FUZZ_TARGET(NAME)".
$(BUILD)/tests/fuzz_list.h: $(FUZZ_TARGETS:%=tests/fuzz/target_%.c)
	@mkdir -p $(dir $@)
	@{ echo '/* generated from tests/fuzz/target_*.c */'; \
	  for t in $(FUZZ_TARGETS); do \
	    echo "int fuzz_$$t(const uint8_t *data, size_t size);"; done; \
	  echo 'static const struct { const char *name; fuzz_fn fn; }'; \
	  echo '    fuzz_targets[] = {'; \
	  for t in $(FUZZ_TARGETS); do echo "    { \"$$t\", fuzz_$$t },"; done; \
	  echo '};'; } > $@.tmp
	@mv $@.tmp $@
$(BUILD)/tests/test_fuzz.o $(BUILD)/tests/fuzz/replay.o: \
  $(BUILD)/tests/fuzz_list.h
# Test code may use GNU and X/Open interfaces (nftw, realpath, memmem).
$(BUILD)/tests/%.o: CPPFLAGS += -Itests -I$(BUILD)/tests -D_GNU_SOURCE

# The tests check digests against libcrypto called directly.
$(TESTRUN): $(TEST_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(PKG_CRYPTO)

# The sample disc is generated into the build folder, never the sources.
samples: $(SAMPLES)/mixed.bin $(SAMPLES)/mixed.cue

$(SAMPLES)/mixed.bin: $(MKSAMPLE) samples/mixed-data.iso
	@mkdir -p $(SAMPLES)
	$(MKSAMPLE) samples $(SAMPLES)

$(SAMPLES)/mixed.cue: samples/mixed.cue
	@mkdir -p $(SAMPLES)
	cp samples/mixed.cue $@

# Replays fuzz inputs without libFuzzer (any compiler, valgrind).
$(FUZZ_REPLAY): $(BUILD)/tests/fuzz/replay.o $(FUZZ_LIB_SRC:%.c=$(BUILD)/%.o) \
  $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# libFuzzer binaries (clang): the library is instrumented for coverage,
# ASan and UBSan; each target gets its own binary with libFuzzer's main.
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
            -fno-omit-frame-pointer
fuzz-build:
	$(MAKE) BUILD=build-fuzz CC=clang OPT="-O1 -g" \
	  EXTRA_CFLAGS="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" fuzz-bins
fuzz-bins: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz-%)
$(BUILD)/fuzz/target_%.o: tests/fuzz/target_%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/fuzz $(CFLAGS) -DFUZZ_LIBFUZZER -MMD -MP \
	  -c -o $@ $<
$(BUILD)/fuzz/fuzz-%: $(BUILD)/fuzz/target_%.o $(BUILD)/tests/fuzz/common.o \
  $(LIB)
	$(CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(LDLIBS)

# make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="cue nrg"]: each target in
# turn, one core, niced; results appended to build-fuzz/fuzz-log.tsv.
FUZZ_SECONDS ?= 60
fuzz: fuzz-build
	bash tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)
# The short run `make check` does: at most 2 minutes in all.
fuzz-smoke: fuzz-build
	bash tests/fuzz/run.sh --smoke $(FUZZ_TARGETS)


# Runs the suite once with this build.
test: all $(TESTRUN) samples
	DISCARC_SRCDIR=$(CURDIR) DISCARC_BIN=$(CURDIR)/$(CLI) \
	  DISCARC_SAMPLES=$(CURDIR)/$(SAMPLES) $(TESTRUN) -j2 $(T)

# Everything `make check` needs: -Werror builds with gcc and clang, the
# suite under AddressSanitizer+UBSan, valgrind, static analysis.  The
# packages the suite uses are installed first (where that is possible).
check: deps-test
	@bash tests/check.sh

test-san:
	$(MAKE) BUILD=build-san SAN=1 test

test-valgrind: samples
	$(MAKE) BUILD=build-vg OPT="-O0 -g" all $(patsubst build/%,build-vg/%,$(TESTRUN))
	DISCARC_SRCDIR=$(CURDIR) DISCARC_BIN=$(CURDIR)/build-vg/discarc \
	  DISCARC_SAMPLES=$(CURDIR)/$(SAMPLES) \
	  valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
	  --show-leak-kinds=definite,indirect \
	  --error-exitcode=99 --trace-children=no build-vg/tests/run $(T)

analyze:
	@bash tests/analyze.sh

# The build runs in a second make, started after the packages are in, so
# that it reads the libraries' pkg-config flags anew.
run: deps
	@$(MAKE) --no-print-directory all samples
	@$(MAKE) --no-print-directory run-sample

SAMPLE_CUE := $(SAMPLES)/mixed.cue

run-sample:
	@rm -rf out && mkdir -p out
	$(CLI) info $(SAMPLE_CUE)
	$(CLI) convert $(SAMPLE_CUE) out/mixed.cue --force
	$(CLI) convert $(SAMPLE_CUE) out/mixed-split.cue --split --force
	@echo "# CloneCD and Alcohol cannot hold everything the sheet has;"
	@echo "# discarc names each loss and converts only with --lossy:"
	-$(CLI) convert $(SAMPLE_CUE) out/mixed.ccd --force
	$(CLI) convert $(SAMPLE_CUE) out/mixed.ccd --force --lossy --verify
	$(CLI) convert $(SAMPLE_CUE) out/mixed.mds --force --lossy --sub --verify
	$(CLI) rip $(SAMPLE_CUE) -o out/rip --force
	$(CLI) extract $(SAMPLE_CUE) --track 1 -o out/mixed-data.iso --force
	$(CLI) verify out/mixed.ccd
	@echo "outputs in out/:"; ls -l out out/rip

deps:
	@bash tools/deps.sh build

deps-test:
	@bash tools/deps.sh test

bench: all
	@bash bench/run.sh

install: $(LIB) $(CLI)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib \
	  $(DESTDIR)$(PREFIX)/include/discarc $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/discarc
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libdiscarc.a
	install -m 644 core/disc.h core/disc_format.h core/disc_drive.h \
	  core/discid.h core/rip.h core/verify.h core/fs.h core/map.h \
	  core/trackfs.h \
	  $(DESTDIR)$(PREFIX)/include/discarc/
	install -m 644 docs/discarc.1 $(DESTDIR)$(PREFIX)/share/man/man1/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/discarc $(DESTDIR)$(PREFIX)/lib/libdiscarc.a \
	  $(DESTDIR)$(PREFIX)/share/man/man1/discarc.1
	rm -rf $(DESTDIR)$(PREFIX)/include/discarc

format:
	clang-format -i core/*.[ch] formats/*.[ch] tools/*.[ch] tests/*.[ch] \
	  tests/fuzz/*.[ch]

clean:
	rm -rf build build-san build-vg build-clang build-fuzz out

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
