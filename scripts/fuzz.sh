#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz into build-fuzz/ with Clang (ASan + UBSan), then
# runs each one for a bounded time: first its reproducers (tests/fuzz/regressions/<target>/) as
# plain inputs, then fuzzing from the seeds (tests/fuzz/corpus/<target>/, read only) into a
# scratch corpus under build-fuzz/. Exits non-zero when any target finds a crash, a leak, a
# timeout or an out-of-memory; what it found is under build-fuzz/artifacts/<target>/.
#   scripts/fuzz.sh                       every target, 20 s each
#   scripts/fuzz.sh --seconds 300         5 minutes each
#   scripts/fuzz.sh --runs 100000         a number of inputs each instead of a time
#   scripts/fuzz.sh --targets json,query  some targets only (names: ls tests/fuzz/*.cpp)
#   scripts/fuzz.sh --no-build            reuse the executables already in build-fuzz/
# SIO_FUZZ_BUILD_DIR: another directory than build-fuzz/.
# Installs Clang and its runtime (clang, libclang-rt-14-dev) and the build's Debian packages when
# missing. Targets run one after the other, one job each.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=20
runs=""
targets=""
build=1
while (($#)); do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --targets) targets=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "fuzz: unknown argument $1" >&2; exit 2 ;;
  esac
done

all_targets=(engineio_packet engineio_payload ws_frames ws_handshake query socketio_parser msgpack
             json redis_wire redis_resp)
if [ -n "$targets" ]; then
  IFS=, read -r -a selected <<< "$targets"
else
  selected=("${all_targets[@]}")
fi

# Longest input per target: WebSocket streams and Socket.IO messages with attachments get room
# for several frames; the rest are single messages.
max_len() {
  case "$1" in
    ws_frames|socketio_parser|engineio_payload|redis_resp) echo 65536 ;;
    *) echo 16384 ;;
  esac
}

build_dir=${SIO_FUZZ_BUILD_DIR:-build-fuzz}
if ((build)); then
  packages=(clang libclang-rt-14-dev g++ cmake make pkg-config libboost1.81-dev libfmt-dev
            zlib1g-dev libbrotli-dev libhiredis-dev rapidjson-dev libmsgpuck-dev)
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "fuzz: installing ${missing[*]}"
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
  fi

  # The socketio library embeds the browser client from npm; the fuzzers never serve it, so an
  # empty stand-in spares them Node.js and npm.
  stub=$build_dir/client-stub
  mkdir -p "$stub/dist"
  [ -f "$stub/package.json" ] || echo '{"version":"0.0.0-fuzz-stub"}' > "$stub/package.json"
  for f in socket.io.js socket.io.js.map socket.io.min.js socket.io.min.js.map \
           socket.io.esm.min.js socket.io.esm.min.js.map socket.io.msgpack.min.js \
           socket.io.msgpack.min.js.map; do
    [ -f "$stub/dist/$f" ] || : > "$stub/dist/$f"
  done

  # ccache hashes the command line, not the sanitizer ignore list it names.
  export CCACHE_EXTRAFILES=$PWD/tests/fuzz/ubsan_ignorelist.txt
  CC=clang CXX=clang++ cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSIO_BUILD_FUZZERS=ON -DSIO_BUILD_TESTS=OFF -DSIO_BUILD_BENCH=OFF -DSIO_BUILD_EXAMPLES=OFF \
    -DSIO_WARNINGS_AS_ERRORS=ON -DSIO_INSTALL=OFF \
    -DSIO_CLIENT_DIST="$(realpath "$stub")" > /dev/null
  cmake --build "$build_dir" -j "$(nproc)" --target "${selected[@]/#/fuzz_}"
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
summary=()
for t in "${selected[@]}"; do
  exe=$build_dir/tests/fuzz/fuzz_$t
  [ -x "$exe" ] || { echo "fuzz: $exe is missing (build it, or drop --no-build)" >&2; exit 2; }
  artifacts=$build_dir/artifacts/$t
  scratch=$build_dir/corpus/$t
  log=$build_dir/logs/$t.log
  mkdir -p "$artifacts" "$scratch" "$(dirname "$log")"
  common=(-rss_limit_mb=2048 -max_len="$(max_len "$t")" -timeout=10
          -artifact_prefix="$artifacts/")
  [ -f "tests/fuzz/$t.dict" ] && common+=(-dict="tests/fuzz/$t.dict")

  regressions=tests/fuzz/regressions/$t
  if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
    if ! "$exe" "${common[@]}" "$regressions"/* > "$log.regressions" 2>&1; then
      echo "fuzz: $t: a reproducer of $regressions fails (log: $log.regressions)"
      failed+=("$t(regression)")
    fi
  fi

  bound=(-max_total_time="$seconds")
  [ -n "$runs" ] && bound=(-runs="$runs")
  seeds=()
  [ -d "tests/fuzz/corpus/$t" ] && seeds=("tests/fuzz/corpus/$t")
  echo "fuzz: $t: ${bound[*]}"
  status=0
  "$exe" "${common[@]}" "${bound[@]}" -print_final_stats=1 \
    "$scratch" "${seeds[@]}" > "$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  if ((status)); then
    failed+=("$t")
    summary+=("$(printf '%-18s %12s execs  FOUND (exit %d): see %s' "$t" "${execs:-?}" "$status" "$log")")
    grep -E "ERROR: |runtime error|invariant failed|Test unit written" "$log" | head -5 | sed 's/^/    /'
  else
    summary+=("$(printf '%-18s %12s execs  ok' "$t" "${execs:-?}")")
  fi
done

echo
printf '%s\n' "${summary[@]}"
echo "fuzz: $((${#selected[@]} - ${#failed[@]})) passed, ${#failed[@]} failed"
if ((${#failed[@]})); then
  echo "fuzz: findings in ${failed[*]}"
  exit 1
fi
