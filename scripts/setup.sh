#!/usr/bin/env bash
# Installs what the build and the tests need on Debian 12, skipping what is already there:
# compiler and CMake, Boost 1.81 (Beast, Asio), fmt, zlib, OpenSSL, Brotli, hiredis, GoogleTest, ccache
# (Debian packages), Node.js, the socket.io-client bundle the library embeds, and for the tests
# the npm packages of interop/ (npm ci).
#   scripts/setup.sh            for building and running the examples
#   scripts/setup.sh --tests    also Clang with its sanitizer and libFuzzer runtime (the
#                               sanitizer build), Chromium (browser tests; certutil to make it
#                               trust the TLS tests' CA), openssl (the TLS tests' certificates),
#                               redis-server and nginx (the Redis client's unit tests and the
#                               cluster tests; the tests start their own, the services are not
#                               used)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake make pkg-config ccache libboost1.81-dev libfmt-dev zlib1g-dev libssl-dev libbrotli-dev
          libhiredis-dev rapidjson-dev libmsgpuck-dev libgtest-dev)
command -v node > /dev/null || packages+=(nodejs)
if [ "${1:-}" = "--tests" ]; then
  packages+=(clang libclang-rt-14-dev chromium fonts-noto-color-emoji libnss3-tools openssl redis-server nginx)
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi

# Node builds that bundle npm conflict with Debian's npm package: add it only when still missing.
if ! command -v npm > /dev/null; then
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm > /dev/null
fi

# npm ci only when the lock file changed since the last install.
npm_ci() {
  if [ ! -f "$1/node_modules/.package-lock.json" ] ||
     [ "$1/package-lock.json" -nt "$1/node_modules/.package-lock.json" ]; then
    (cd "$1" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
npm_ci socketio/client_bundle
if [ "${1:-}" = "--tests" ]; then npm_ci interop; fi
