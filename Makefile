# Herald: `make run` starts the server with demo data, `make test` runs every test.
# Both install missing Debian packages first (scripts/deps.sh is idempotent).
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
DB ?= sqlite:herald.db
LISTEN ?= 127.0.0.1:8080
# Let ccache share results between checkouts in different folders (CI builds a fresh clone).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := true

.PHONY: all deps build run test asan tsan tidy bench bench-notify bench-monitor fuzz format clean

all: build

deps:
	@scripts/deps.sh build

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/herald serve --listen $(LISTEN) --db $(DB) --demo

test:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory build
	scripts/test.sh $(BUILD_DIR)

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer.
asan:
	@scripts/deps.sh test
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DHERALD_SANITIZE=ON
	cmake --build build-asan -j $(JOBS)
	scripts/test.sh build-asan

# The threaded suites under ThreadSanitizer (scripts/tsan.sh lists them).
tsan:
	@scripts/deps.sh test
	cmake --preset tsan
	cmake --build build-tsan -j $(JOBS) --target herald_tests
	scripts/tsan.sh build-tsan

# clang-tidy over src/ with .clang-tidy's checks (needs a configured build for compile_commands.json).
tidy: build
	run-clang-tidy-14 -p $(BUILD_DIR) -quiet -extra-arg=-Wno-unknown-warning-option -j $(JOBS) '$(CURDIR)/src/.*\.cc$$'

bench: build
	@scripts/deps.sh bench
	bench/run.sh $(BUILD_DIR)/herald

# Notification fan-out to N subscribers (default 1,000,000; `make bench-notify N=100000` for a
# quick run); knobs in the header of bench/notify.sh. Results are appended to out/notify-results.jsonl.
N ?= 1000000
bench-notify:
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS) --target herald
	N=$(N) bench/notify.sh $(BUILD_DIR)/herald

# Monitoring: MONITORS HTTP monitors (default 10,000) at a 30 s interval against nginx, compared
# with prometheus-blackbox-exporter on the same target; knobs in bench/monitor.py's docstring.
MONITORS ?= 10000
bench-monitor:
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS) --target herald
	N=$(MONITORS) python3 bench/monitor.py $(BUILD_DIR)/herald

fuzz:
	@scripts/deps.sh build
	CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHERALD_FUZZ=ON
	cmake --build build-fuzz -j $(JOBS) --target request_body_fuzz request_target_fuzz time_fuzz markdown_fuzz link_token_fuzz address_fuzz phone_fuzz json_path_fuzz http_response_fuzz oidc_token_fuzz
	@echo "run e.g.: build-fuzz/request_body_fuzz -max_total_time=60 fuzz/corpus/request_body"


format:
	find src fuzz -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) build-asan build-tsan build-fuzz
