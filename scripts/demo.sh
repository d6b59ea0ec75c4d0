#!/usr/bin/env bash
# Installs what is missing, builds, and starts the demo server on port 3000 (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
exec build/examples/engineio_echo --port "${PORT:-3000}" --eio3
