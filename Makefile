# discarc - GNU Makefile.  `make run` installs missing Debian packages,
# builds and converts the bundled sample; `make check` runs every test.

BUILD   ?= build
PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc

PKGS := libcdio libcdio_paranoia sndfile zlib libcrypto libarchive libudfread fuse3

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

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
TEST_SRC    := $(sort $(wildcard tests/*.c))
LIB_OBJ     := $(CORE_SRC:%.c=$(BUILD)/%.o) $(FORMAT_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ    := $(TEST_SRC:%.c=$(BUILD)/%.o)

LIB     := $(BUILD)/libdiscarc.a
CLI     := $(BUILD)/discarc
MKSAMPLE := $(BUILD)/mksample
TESTRUN := $(BUILD)/tests/run

.PHONY: all check test test-san test-valgrind analyze run deps deps-test \
        install uninstall clean samples bench format

all: $(LIB) $(CLI) $(MKSAMPLE)

$(BUILD)/%.o: %.c
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
# Test code may use GNU and X/Open interfaces (nftw, realpath, memmem).
$(BUILD)/tests/%.o: CPPFLAGS += -Itests -I$(BUILD)/tests -D_GNU_SOURCE

$(TESTRUN): $(TEST_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

samples: $(MKSAMPLE)
	$(MKSAMPLE) samples

# Runs the suite once with this build.
test: all $(TESTRUN) samples
	DISCARC_SRCDIR=$(CURDIR) DISCARC_BIN=$(CURDIR)/$(CLI) $(TESTRUN) -j2 $(T)

# Everything `make check` needs: -Werror builds with gcc and clang, the
# suite under AddressSanitizer+UBSan, valgrind, static analysis.
check:
	@bash tests/check.sh

test-san:
	$(MAKE) BUILD=build-san SAN=1 test

test-valgrind:
	$(MAKE) BUILD=build-vg OPT="-O0 -g" all $(patsubst build/%,build-vg/%,$(TESTRUN))
	DISCARC_SRCDIR=$(CURDIR) DISCARC_BIN=$(CURDIR)/build-vg/discarc \
	  valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
	  --error-exitcode=99 --trace-children=no build-vg/tests/run $(T)

analyze:
	@bash tests/analyze.sh

run: deps all samples
	@rm -rf out && mkdir -p out
	$(CLI) info samples/mixed.cue
	$(CLI) convert samples/mixed.cue out/mixed.cue --force
	$(CLI) convert samples/mixed.cue out/mixed-split.cue --split --force
	@echo "# CloneCD and Alcohol cannot hold everything the sheet has;"
	@echo "# discarc names each loss and converts only with --lossy:"
	-$(CLI) convert samples/mixed.cue out/mixed.ccd --force
	$(CLI) convert samples/mixed.cue out/mixed.ccd --force --lossy --verify
	$(CLI) convert samples/mixed.cue out/mixed.mds --force --lossy --sub --verify
	$(CLI) rip samples/mixed.cue -o out/rip --force
	$(CLI) extract samples/mixed.cue --track 1 -o out/mixed-data.iso --force
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
	install -m 644 core/disc.h core/disc_format.h core/discid.h core/rip.h \
	  core/verify.h core/fs.h core/map.h core/trackfs.h \
	  $(DESTDIR)$(PREFIX)/include/discarc/
	install -m 644 docs/discarc.1 $(DESTDIR)$(PREFIX)/share/man/man1/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/discarc $(DESTDIR)$(PREFIX)/lib/libdiscarc.a \
	  $(DESTDIR)$(PREFIX)/share/man/man1/discarc.1
	rm -rf $(DESTDIR)$(PREFIX)/include/discarc

format:
	clang-format -i core/*.[ch] formats/*.c tools/*.c tests/*.[ch]

clean:
	rm -rf build build-san build-vg build-clang out samples/*.bin

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
