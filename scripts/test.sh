#!/usr/bin/env bash
# Builds and runs every test: unit tests (ctest) and the interop tests with the real npm clients.
#   scripts/test.sh             release build in build/
#   scripts/test.sh --sanitize  ASan+UBSan build in build-asan/ (unit and interop tests under it),
#                               and every libFuzzer target for 10 s (scripts/fuzz.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests

if [ "${1:-}" = "--sanitize" ]; then
  # Optimised (-O2 -g), as sanitizer CI builds usually are: at -O0 the servers run several times
  # slower than any client expects.
  export SIO_BUILD_DIR=build-asan
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  SIO_BUILD_TYPE=RelWithDebInfo SIO_WERROR=ON scripts/build.sh -DSIO_SANITIZE=ON
else
  # Release, as users and packagers build it.
  export SIO_BUILD_DIR=${SIO_BUILD_DIR:-build}
  SIO_WERROR=ON scripts/build.sh
fi

(cd "$SIO_BUILD_DIR" && ctest --output-on-failure -j "$(nproc)" --timeout 300)
# The installed library, its package and the Debug build (scripts/check-install.sh).
if [ "${1:-}" != "--sanitize" ]; then scripts/check-install.sh; fi
# Every decoder's fuzzer: its reproducers, then 10 s of fuzzing (ASan + UBSan, built with Clang).
if [ "${1:-}" = "--sanitize" ]; then scripts/fuzz.sh --seconds 10; fi
if [ "${1:-}" = "--sanitize" ]; then
  # Under the sanitizers the servers are slower; the files that assert sub-second heartbeat and
  # connect-timeout windows run in the normal build only.
  (cd interop && SIO_BUILD_DIR="$PWD/../$SIO_BUILD_DIR" SIO_REQUIRE_CPP=1 node --test --test-concurrency=1 --test-reporter=spec \
    $(ls test/*.test.js cluster/*.test.js | grep -v -e heartbeat -e sio-disconnect))
else
  (cd interop && SIO_BUILD_DIR="$PWD/../$SIO_BUILD_DIR" SIO_REQUIRE_CPP=1 npm test)
fi
