# xuefen build. `make` builds build/xuefen; `make test` runs every test
# (unit tests under AddressSanitizer+UBSan, golden cases and error cases on
# both the normal and the sanitizer build, fuzz corpora replayed).

PKGS     := libfyaml libcjson libzip expat xlsxwriter sqlite3 libpq libsodium libmicrohttpd
CC       ?= cc
CSTD     := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))
CFLAGS   ?= -O2 -g
ALL_CFLAGS = $(CSTD) $(WARN) $(CFLAGS) -Isrc -Ibuild/gen $(PKG_CFLAGS) -MMD -MP
LDLIBS   := $(PKG_LIBS) -lm -lpthread

SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

LIB_SRC  := $(sort $(filter-out src/cli/%,$(wildcard src/*/*.c)))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
GEN_SRC  := build/gen/builtin_policies.c build/gen/builtin_calendars.c
POLICIES := $(sort $(wildcard policies/*.yaml))
CALENDARS := $(sort $(wildcard calendar/*.txt))
UNIT_SRC := $(sort $(wildcard tests/unit/*/test_*.c))
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))

OBJ      := $(patsubst %.c,build/obj/%.o,$(LIB_SRC) $(GEN_SRC:build/%=%))
CLI_OBJ  := $(patsubst %.c,build/obj/%.o,$(CLI_SRC))
SAN_OBJ  := $(patsubst %.c,build/asan/obj/%.o,$(LIB_SRC) $(GEN_SRC:build/%=%))
SAN_CLI_OBJ := $(patsubst %.c,build/asan/obj/%.o,$(CLI_SRC))
UNIT_BIN := $(patsubst tests/unit/%.c,build/asan/unit/%,$(UNIT_SRC))
FUZZ_BIN := $(patsubst fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))

.PHONY: all asan unit fuzz bench test clean run web release
# Keep generated objects (make would delete pattern-built intermediates).
.SECONDARY:
all: build/xuefen

build/xuefen: $(OBJ) $(CLI_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

asan: build/asan/xuefen
build/asan/xuefen: $(SAN_OBJ) $(SAN_CLI_OBJ)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LDLIBS)

# Generated sources live in build/gen and compile like the others.
build/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
build/asan/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

build/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
build/asan/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

# The shipped policies are embedded so that a release is one file.
build/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O1 -o $@ $<
build/gen/builtin_policies.c: build/embed $(POLICIES)
	@mkdir -p $(dir $@)
	build/embed $(POLICIES) > $@.tmp && mv $@.tmp $@
# And the shipped working-day calendars (calendar/*.txt), by the same tool
# under names of their own (service/calendars.h).
build/gen/builtin_calendars.c: build/embed $(CALENDARS)
	@mkdir -p $(dir $@)
	build/embed $(CALENDARS) > $@.raw && sed -e 's/xf_builtin_policies/xf_builtin_calendars/' \
		-e 's/xf_builtin_policy_count/xf_builtin_calendar_count/' \
		-e 's|files in policies/|files in calendar/|' $@.raw > $@.tmp && rm -f $@.raw && mv $@.tmp $@

# Unit tests: tests/unit/DIR/test_X.c mirrors src/DIR/X.c; run under ASan.
# libcurl is the HTTP client of the server and API tests.
TEST_PKGS := cmocka libcurl
unit: $(UNIT_BIN)
build/asan/unit/%: tests/unit/%.c $(SAN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) $(shell pkg-config --cflags $(TEST_PKGS)) -o $@ $(filter %.c %.o,$^) $(LDLIBS) $(shell pkg-config --libs $(TEST_PKGS))

build/jsoncmp: tests/tools/jsoncmp.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O1 $(PKG_CFLAGS) -o $@ $< $(LDLIBS)

# libFuzzer targets (clang). The test run replays their corpora.
FUZZ_CC := clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined
FUZZ_OBJ := $(patsubst %.c,build/fuzz/obj/%.o,$(LIB_SRC) $(GEN_SRC:build/%=%))
fuzz: $(FUZZ_BIN)
build/fuzz/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CSTD) -Isrc -Ibuild/gen $(PKG_CFLAGS) $(FUZZ_FLAGS) -MMD -MP -c -o $@ $<
build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CSTD) -Isrc -Ibuild/gen $(PKG_CFLAGS) $(FUZZ_FLAGS) -MMD -MP -c -o $@ $<
build/fuzz/%: fuzz/%.c $(FUZZ_OBJ)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CSTD) -Isrc -Ibuild/gen $(PKG_CFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined -MMD -MP -o $@ $(filter %.c %.o,$^) $(LDLIBS)

# One binary per benchmark: bench/bench_X.c -> build/bench_X.
BENCH_BIN := $(patsubst bench/%.c,build/%,$(BENCH_SRC))
bench: $(BENCH_BIN)
build/bench_%: bench/bench_%.c $(OBJ)
	$(CC) $(ALL_CFLAGS) -O2 -o $@ $(filter %.c %.o,$^) $(LDLIBS)

test: all asan unit build/jsoncmp fuzz
	sh tests/run.sh

# The web UI (web/dist, served by `xuefen serve` from beside the binary).
web:
	cd web && npm ci --no-audit --no-fund && npm run build

# A release: the binary and the built UI in one archive.
release: all web
	rm -rf build/release && mkdir -p build/release/xuefen
	cp build/xuefen build/release/xuefen/ && cp -r web/dist build/release/xuefen/web
	tar -C build/release -czf build/xuefen.tar.gz xuefen

run: all
	build/xuefen assess examples/bigdata-bureau.case.json

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
