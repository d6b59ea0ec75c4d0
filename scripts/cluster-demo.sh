#!/usr/bin/env bash
# The chat on two processes joined by Redis, behind nginx on port 3000 (Ctrl-C stops them all):
# a private redis-server on 6399, build/examples/cluster on 3001 and 3002, and nginx with
# examples/cluster/nginx.conf. Open http://localhost:3000 in two browsers, or 3001 and 3002.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if ! command -v redis-server > /dev/null || ! command -v nginx > /dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server nginx > /dev/null
fi
scripts/build.sh
run_dir=$(mktemp -d)
trap 'kill $(jobs -p) 2> /dev/null; nginx -p "$run_dir" -c "$run_dir/nginx.conf" -s stop 2> /dev/null; rm -rf "$run_dir"' EXIT
redis-server --port 6399 --save "" --appendonly no > "$run_dir/redis.log" &
build/examples/cluster --port 3001 --redis redis://127.0.0.1:6399 &
build/examples/cluster --port 3002 --redis redis://127.0.0.1:6399 &
sed "s|NGINX_DIR|$run_dir|g" examples/cluster/nginx.conf > "$run_dir/nginx.conf"
nginx -p "$run_dir" -c "$run_dir/nginx.conf"
echo "cluster demo on http://localhost:3000/ (nodes on 3001 and 3002)"
wait
