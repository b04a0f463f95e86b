# The two commands a newcomer needs (see README.md):
#   make run   install dependencies, build, bring wott up locally on SQLite
#   make test  install dependencies, build, run every test
# Everything else here is a building block of those two.

BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -G Ninja -DCMAKE_BUILD_TYPE=Release -DWOTT_WERROR=ON \
               -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
# ccache hits across clones in different folders (CI builds a fresh clone of the repo).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: run test deps build unit-test integration-test fuzz-smoke bench clean

run: deps build
	scripts/run-local

test: deps build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	scripts/fuzz-smoke 10

deps:
	scripts/install-deps

build:
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j $(JOBS)

bench: build
	bench/run-all

clean:
	rm -rf $(BUILD_DIR) build-fuzz
