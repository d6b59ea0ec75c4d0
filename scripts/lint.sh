#!/usr/bin/env bash
# clang-format check and clang-tidy over the project's C++ sources (uses the compile database of
# build/, so run scripts/build.sh first).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${SIO_BUILD_DIR:-build}
mapfile -t sources < <(git ls-files '*.cpp' '*.hpp')
clang-format --dry-run --Werror "${sources[@]}"
log=$(mktemp)
if ! git ls-files '*.cpp' | xargs -P "$(nproc)" -n 4 clang-tidy -p "$build_dir" --quiet > "$log" 2>&1; then
  grep -v "warnings generated" "$log"
  rm -f "$log"
  exit 1
fi
rm -f "$log"
echo "lint: clean"
