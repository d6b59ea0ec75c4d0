#!/usr/bin/env bash
# Configures and builds into build/ (or $SIO_BUILD_DIR), as a Release build unless $SIO_BUILD_TYPE
# says otherwise; extra arguments go to CMake. $SIO_BUILD_TARGETS (space-separated) builds only
# those targets.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${SIO_BUILD_DIR:-build}
# -Werror only when asked ($SIO_WERROR=ON, as scripts/test.sh does): passed each time, so that a
# directory configured by the tests does not keep it for the demo.
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${SIO_BUILD_TYPE:-Release}" \
  -DSIO_WARNINGS_AS_ERRORS="${SIO_WERROR:-OFF}" "$@" > /dev/null
targets=()
for t in ${SIO_BUILD_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$build_dir" -j "$(nproc)" "${targets[@]}"
