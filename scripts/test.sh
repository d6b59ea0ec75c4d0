#!/usr/bin/env bash
# Builds and runs every test: unit tests (ctest) and the interop tests with the real npm clients.
#   scripts/test.sh             release build in build/ (GCC), the installed library
#                               (scripts/check-install.sh) and every interop test
#   scripts/test.sh --sanitize  ASan+UBSan build in build-asan/ (Clang): the unit tests, every
#                               libFuzzer target for 10 s (scripts/fuzz.sh), and the interop tests
#                               against the C++ servers
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests

if [ "${1:-}" = "--sanitize" ]; then
  # Clang compiles the instrumented build about three times faster than GCC, and the fuzzers
  # need it: one build serves both. Optimised, as sanitizer CI builds usually are (at -O0 the
  # servers run several times slower than any client expects); line tables are all that the
  # sanitizers' stack traces read.
  export SIO_BUILD_DIR=build-asan
  # A build-asan/ that GCC configured (before the switch) would keep GCC: start it afresh.
  grep -qs '^CMAKE_CXX_COMPILER:.*clang' build-asan/CMakeCache.txt || rm -rf build-asan
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  # ccache hashes the command line, not the ignore list it names.
  export CCACHE_EXTRAFILES=$PWD/tests/fuzz/ubsan_ignorelist.txt
  SIO_BUILD_TYPE=RelWithDebInfo SIO_WERROR=ON scripts/build.sh -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -gline-tables-only -DNDEBUG" \
    -DSIO_SANITIZE=ON -DSIO_BUILD_FUZZERS=ON -DSIO_BUILD_BENCH=OFF -DSIO_INSTALL=OFF
else
  # Release, as users and packagers build it.
  export SIO_BUILD_DIR=${SIO_BUILD_DIR:-build}
  SIO_WERROR=ON scripts/build.sh
fi

(cd "$SIO_BUILD_DIR" && ctest --output-on-failure -j "$(nproc)" --timeout 300)
if [ "${1:-}" != "--sanitize" ]; then
  # The installed library, its package and the Debug build.
  scripts/check-install.sh
  (cd interop && SIO_BUILD_DIR="$PWD/../$SIO_BUILD_DIR" SIO_REQUIRE_CPP=1 npm test)
  exit 0
fi

# Every decoder's fuzzer: its reproducers, then 10 s of fuzzing.
SIO_FUZZ_BUILD_DIR=$SIO_BUILD_DIR scripts/fuzz.sh --no-build --seconds 10
# The Node twins answered in the release run; here only the C++ servers are checked
# (SIO_SKIP_TWINS). Under the sanitizers the servers are slower, so the files that assert
# sub-second heartbeat and connect-timeout windows run in the release run only, as does the chat
# in Chromium (the chat's server is exercised here by the TLS and hostile-client files).
(cd interop && SIO_BUILD_DIR="$PWD/../$SIO_BUILD_DIR" SIO_REQUIRE_CPP=1 SIO_SKIP_TWINS=1 \
  node --test --test-concurrency=1 --test-reporter=spec \
  $(ls test/*.test.js cluster/*.test.js | grep -v -e heartbeat -e sio-disconnect -e browser-chat))
