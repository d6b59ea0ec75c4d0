#!/usr/bin/env bash
# Installs what is missing, builds, and starts the chat demo on port 3000 (Ctrl-C stops it):
# open http://localhost:3000 in two browser windows.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
SIO_BUILD_TARGETS=chat scripts/build.sh  # the libraries and the chat only, not the tests
exec build/examples/chat --port "${PORT:-3000}"
