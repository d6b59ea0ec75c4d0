#!/usr/bin/env bash
# Installs what is missing, builds, and starts the chat demo on port 3000 (Ctrl-C stops it):
# open http://localhost:3000 in two browser windows.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
exec build/examples/chat --port "${PORT:-3000}"
