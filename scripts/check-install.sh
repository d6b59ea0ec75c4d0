#!/usr/bin/env bash
# Checks the library the way others get it, from the release build in $SIO_BUILD_DIR (build/):
#   - installs it into a temporary prefix, compiles each installed header alone, and builds
#     tests/consumer (sio::socketio, sio::socketio_redis) against it with find_package(sio_cpp),
#     and with pkg-config;
#   - builds tests/consumer with add_subdirectory in Debug, which builds the libraries in Debug;
#   - makes the Debian package (CPack) and compares its files with the install;
#   - runs socket.io-client 4.x against each consumer binary (interop/install/).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=$(realpath "${SIO_BUILD_DIR:-build}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
jobs=$(nproc)

cmake --build "$build_dir" -j "$jobs" > /dev/null  # nothing to do after scripts/test.sh's build
cmake --install "$build_dir" --prefix "$work/prefix" > /dev/null

# Every installed header compiles on its own with the package's flags: none includes one that is
# not installed.
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
# shellcheck disable=SC2046 # the flags are words
find "$work/prefix/include" -name '*.hpp' -print0 |
  xargs -0 -P "$jobs" -I{} g++ -fsyntax-only $(pkg-config --cflags sio-socketio-redis) -include {} -x c++ /dev/null

cmake -S tests/consumer -B "$work/find_package" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" > /dev/null
cmake --build "$work/find_package" -j "$jobs"

cmake -S tests/consumer -B "$work/add_subdirectory" -DCMAKE_BUILD_TYPE=Debug \
  -DSIO_CPP_SOURCE_DIR="$PWD" -DSIO_WARNINGS_AS_ERRORS=ON > /dev/null
cmake --build "$work/add_subdirectory" -j "$jobs"

mkdir -p "$work/pkg-config"
# shellcheck disable=SC2046 # the flags are words
g++ -O2 tests/consumer/main.cpp -o "$work/pkg-config/consumer" $(pkg-config --cflags --libs sio-socketio)
# shellcheck disable=SC2046
g++ -O2 tests/consumer/redis.cpp -o "$work/pkg-config/consumer_redis" \
  $(pkg-config --cflags --libs sio-socketio-redis)

(cd "$build_dir" && cpack -G DEB -B "$work/deb" > /dev/null)
deb=$(ls "$work"/deb/*.deb)
diff <(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\./usr/||' | sort) \
     <(cd "$work/prefix" && find . -type f | sed 's|^\./||' | sort)
echo "check-install: $(basename "$deb") holds the same files as the install"

(cd interop && SIO_CONSUMER_BINS="$work/find_package/consumer:$work/add_subdirectory/consumer:$work/pkg-config/consumer" \
  node --test install/)
