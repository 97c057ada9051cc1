# The README's two commands. Both install what is missing (Debian 12, as root), then build with CMake presets.
.PHONY: demo test deps build-release build-demo build-dev build-asan test-asan bench clean

JOBS ?= $(shell nproc)

deps:
	@./scripts/install-deps

build-release: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

build-dev: deps
	@cmake --preset dev >/dev/null
	@cmake --build --preset dev -j $(JOBS)

build-asan: deps
	@cmake --preset asan-ubsan >/dev/null
	@cmake --build --preset asan-ubsan -j $(JOBS)

# The demo needs only the program; `make bench` builds everything of the release preset.
build-demo: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS) --target mnoswitch

demo: build-demo
	@./scripts/demo build/release/mnoswitch

test: build-dev
	@ctest --preset dev

test-asan: build-asan
	@ctest --preset asan-ubsan

bench: build-release
	@for b in build/release/bench/bench_*; do [ -x "$$b" ] && "$$b"; done

clean:
	rm -rf build
