#!/usr/bin/env bash
# Installs what the build and the tests need on Debian 12, skipping what is already there:
# compiler and CMake, Boost 1.81 (Beast, Asio), fmt, zlib, GoogleTest, ccache (Debian
# packages), Node.js for the interop tests, and the npm packages of interop/ (npm ci).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake make ccache libboost1.81-dev libfmt-dev zlib1g-dev
          rapidjson-dev libmsgpuck-dev libgtest-dev)
command -v node > /dev/null || packages+=(nodejs)

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
if [ ! -f interop/node_modules/.package-lock.json ] ||
   [ interop/package-lock.json -nt interop/node_modules/.package-lock.json ]; then
  (cd interop && npm ci --no-audit --no-fund --loglevel=error)
fi
