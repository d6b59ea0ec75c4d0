#!/usr/bin/env bash
# Checks the library the way others get it, from the release build in $SIO_BUILD_DIR (build/):
#   - installs it into a temporary prefix and builds tests/consumer against it with
#     find_package(sio_cpp), and with pkg-config (sio-socketio);
#   - builds tests/consumer with add_subdirectory in Debug, which builds the libraries in Debug;
#   - makes the Debian package (CPack) and compares its files with the install;
#   - runs socket.io-client 4.x against each consumer binary (interop/install/).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=$(realpath "${SIO_BUILD_DIR:-build}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
jobs=$(nproc)

cmake --install "$build_dir" --prefix "$work/prefix" > /dev/null

cmake -S tests/consumer -B "$work/find_package" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" > /dev/null
cmake --build "$work/find_package" -j "$jobs"

cmake -S tests/consumer -B "$work/add_subdirectory" -DCMAKE_BUILD_TYPE=Debug \
  -DSIO_CPP_SOURCE_DIR="$PWD" -DSIO_WARNINGS_AS_ERRORS=ON > /dev/null
cmake --build "$work/add_subdirectory" -j "$jobs"

mkdir -p "$work/pkg-config"
# shellcheck disable=SC2046 # the flags are words
g++ -O2 tests/consumer/main.cpp -o "$work/pkg-config/consumer" \
  $(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --cflags --libs sio-socketio)

(cd "$build_dir" && cpack -G DEB -B "$work/deb" > /dev/null)
deb=$(ls "$work"/deb/*.deb)
diff <(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\./usr/||' | sort) \
     <(cd "$work/prefix" && find . -type f | sed 's|^\./||' | sort)
echo "check-install: $(basename "$deb") holds the same files as the install"

(cd interop && SIO_CONSUMER_BINS="$work/find_package/consumer:$work/add_subdirectory/consumer:$work/pkg-config/consumer" \
  node --test install/)
