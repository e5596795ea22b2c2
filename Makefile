# Thin wrapper over Meson for the README's commands.
#   make demo   install what is missing, build, run the bundled example case
#   make test   install what is missing, build, run the whole test suite
#   make test-asan  the same suite under AddressSanitizer + UBSan
BUILD      ?= build
ASAN_BUILD ?= build-asan
MESON_OPTS ?=

.PHONY: all deps deps-test build demo test test-asan fuzz fuzz-smoke bench bench-scale bench-pg eval mutate format format-check clean install release-check
RELEASE_BUILD ?= build-release
PREFIX     ?= /usr/local
BENCH_SCALE ?= 1000000
FUZZ_BUILD ?= build-fuzz
FUZZ_TIME  ?= 300

all: build

deps:
	@scripts/deps.sh

deps-test:
	@scripts/deps.sh --test

$(BUILD)/build.ninja:
	meson setup $(BUILD) -Dwerror=true $(MESON_OPTS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

test: deps-test build
	meson test -C $(BUILD) --print-errorlogs

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Dwerror=true -Db_sanitize=address,undefined \
	  -Db_lundef=false -Dbuildtype=debug $(MESON_OPTS)

test-asan: deps-test $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  meson test -C $(ASAN_BUILD) --print-errorlogs

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dfuzz=true -Db_sanitize=address,undefined \
	  -Db_lundef=false -Dbuildtype=debugoptimized $(MESON_OPTS)

# make fuzz [FUZZ_TIME=seconds-per-target]; make fuzz-smoke: 20 s each
fuzz: deps-test $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_TIME)

fuzz-smoke:
	FUZZ_SEED=1 $(MAKE) fuzz FUZZ_TIME=20

# make bench [BENCH_SCALE=items]: ingest and query speed against ssdeep and
# tlsh on the same files, in the same run (bench/run.py)
bench: build
	scripts/deps.sh ssdeep tlsh-tools time
	/usr/bin/python3 bench/run.py $(BUILD)/cli/spoor $(BUILD)/bench/bench_kernel \
	  --scale $(BENCH_SCALE)

# make bench-scale BENCH_SCALE=10000000: query latency alone as the index
# grows to BENCH_SCALE items (bench/run.py --latency-only; 10^7 items take
# about 20 GB under /tmp/spoor-bench and most of an hour)
bench-scale: build
	/usr/bin/python3 bench/run.py $(BUILD)/cli/spoor $(BUILD)/bench/bench_kernel \
	  --scale $(BENCH_SCALE) --latency-only

# make bench-pg: the postings layouts of a PostgreSQL back end at 10^7
# postings, on a throw-away server (bench/pg_layout.py; issue 19)
bench-pg: build
	scripts/deps.sh postgresql-15
	/usr/bin/python3 bench/pg_layout.py $(BUILD)/bench/bench_pg_layout \
	  10000000 200 16 64

# make eval: verdict precision and recall on Debian's documentation and on
# mailing lists made of it (bench/eval.py)
eval: build
	/usr/bin/python3 bench/eval.py $(BUILD)/cli/spoor

# make mutate: the test suite's mutation score (tests/mutation: a catalogue
# of small plausible bugs, each applied to a scratch copy and run against
# the suite); MUTATE_ARGS="--stage verdict" or "--only ID,..." for some
mutate: deps-test
	/usr/bin/python3 tests/mutation/run.py $(MUTATE_ARGS)

# make install [PREFIX=/usr/local] [DESTDIR=...]: the binary, libspoor and
# its modules, the public headers, spoor.pc, man pages, bash completion
install: build
	meson configure $(BUILD) -Dprefix=$(PREFIX)
	ninja -C $(BUILD)
	meson install -C $(BUILD) --no-rebuild $(if $(DESTDIR),--destdir $(DESTDIR),)

# make release-check: a release build (-Dtests=false) of libspoor and its
# modules holds no test hook (no SPOOR_TEST_* name, no test knob)
release-check: deps
	test -f $(RELEASE_BUILD)/build.ninja || \
	  meson setup $(RELEASE_BUILD) -Dtests=false -Dwerror=true $(MESON_OPTS)
	ninja -C $(RELEASE_BUILD) lib/libspoor.so.0.1.0 lib/spoor-docs-0.1.0.so \
	  lib/spoor-mail-0.1.0.so lib/spoor-dkim-0.1.0.so
	@if strings $(RELEASE_BUILD)/lib/libspoor.so.0.1.0 $(RELEASE_BUILD)/lib/spoor-*.so | \
	  grep -E 'SPOOR_TEST_|SPOOR_PIECE_BYTES'; then \
	  echo "release build holds test hooks"; exit 1; fi
	@echo "release build: no test hook"

demo: build
	examples/demo.sh $(BUILD)/cli/spoor

SOURCES = $$(find include lib cli tests -name '*.[ch]' | sort)

format:
	clang-format -i $(SOURCES)

format-check:
	clang-format --dry-run --Werror $(SOURCES)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(RELEASE_BUILD)
