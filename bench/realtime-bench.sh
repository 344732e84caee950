#!/usr/bin/env bash
# Runs ../shared/peers' load generator against Tandem, ShareDB and Hocuspocus in one session and
# prints the side-by-side table (docs/benchmarks.md). The peers folder is copied to
# target/peers and set up there (npm ci), so ../shared stays untouched.
#
#   bench/realtime-bench.sh [scenarios]      default: "S1 S2 S3 S4"
#   QUICK=1 bench/realtime-bench.sh S2       short smoke-test durations
#   PEERS="tandem sharedb" bench/realtime-bench.sh
#   PEERS="tandem tandem-cass-cpu1" bench/realtime-bench.sh   also with Cassandra moved to CPU 1
#
# Tandem runs on its embedded default (./tandem run: the node plus its own Cassandra, every op
# journaled before its ack, commit log `group` 5 ms), pinned to CPU 0 like the peers' servers;
# the load generator runs on CPU 1. `tandem-cass-cpu1` is the same node with its Cassandra moved
# to CPU 1 beside the load generator once started: the node's own limit, Cassandra's cost aside.
# A JVM is measured warm: before each measured run (except S4, which measures memory), WARMUPS
# (default 3) short runs of the same scenario (--quick, results discarded) let the JIT compile
# the hot paths (one is not enough: on one shared core the compiler threads still took a third of
# the node's CPU after it); the peers, on V8, get no such runs. Tandem's per-connection op limit is raised above the
# scenarios' rates (TANDEM_WS_OPS_PER_SECOND), and so is the per-user REST limit, which counts
# WebSocket upgrades: every bench client is one user (TANDEM_REST_PER_SECOND). The peers keep everything in memory.
# Only 127.0.0.1 is targeted; every scenario is bounded in time by the generator.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scenarios=${1:-"S1 S2 S3 S4"}
peers=${PEERS:-"tandem tandem-cass-cpu1 sharedb hocuspocus"}
quick=(); [ "${QUICK:-0}" = "1" ] && quick=(--quick)
results=${RESULTS_DIR:-$root/target/bench-results}
mkdir -p "$results" target

if [ ! -d target/peers/node_modules ]; then
  rm -rf target/peers
  cp -r ../shared/peers target/peers
  rm -rf target/peers/results
  (cd target/peers && npm ci --no-audit --no-fund)
fi
[ -d bench/node_modules ] || (cd bench && npm ci --no-audit --no-fund)

run_tandem() {
  local s=$1 name=$2
  rm -rf target/bench-data
  # A crash of the node's JVM leaves its report beside the bench log.
  TANDEM_JAVA_OPTS="-Xms256m -Xmx1g -XX:ErrorFile=$root/target/bench-hs_err_%p.log" \
  TANDEM_WS_OPS_PER_SECOND=1000000 TANDEM_WS_OPS_BURST=1000000 TANDEM_REST_PER_SECOND=100000 TANDEM_REST_BURST=100000 \
    TANDEM_CASSANDRA_DATA_DIR=$root/target/bench-data/cassandra TANDEM_JWT_SECRET_FILE=$root/target/bench-data/jwt-secret \
    taskset -c 0 ./tandem run >target/bench-tandem.log 2>&1 &
  local runner=$!
  until curl -fsS -o /dev/null http://127.0.0.1:8080/v1/health 2>/dev/null; do
    kill -0 $runner 2>/dev/null || { echo "tandem did not start:"; tail -30 target/bench-tandem.log; return 1; }
    sleep 0.5
  done
  local node; node=$(pgrep -f 'io.tandem.app.Main' | head -1)
  if [ "$name" = tandem-cass-cpu1 ]; then
    taskset -a -cp 1 "$(pgrep -f 'io.tandem.cassandra.server.OwnedCassandra' | head -1)" >/dev/null
  fi
  loadgen() {
    (cd target/peers && RESULTS_DIR=$1 timeout 900 taskset -c 1 node scripts/bench.mjs --peer external \
        --url ws://127.0.0.1:8080 --server-pid "$node" --adapter "$root/bench/tandem-adapter.mjs" --name "$name" \
        --scenario "$s" "${@:2}")
  }
  if [ "$s" != S4 ]; then
    for _ in $(seq "${WARMUPS:-3}"); do
      loadgen "$root/target/bench-warmup" --quick >/dev/null 2>&1 || echo "[bench] $name $s warm-up failed"
    done
  fi
  loadgen "$results" "${quick[@]}" || echo "[bench] $name $s failed"
  kill -TERM $runner 2>/dev/null || true; wait $runner || true
  while pgrep -f 'io.tandem.cassandra.server.OwnedCassandra' >/dev/null; do sleep 0.5; done
}

for p in $peers; do
  for s in $scenarios; do
    echo "=== $p $s ==="
    if [ "$p" = tandem ] || [ "$p" = tandem-cass-cpu1 ]; then
      run_tandem "$s" "$p"
    else
      (cd target/peers && RESULTS_DIR=$results timeout 900 node scripts/bench.mjs --peer "$p" --scenario "$s" "${quick[@]}") \
        || echo "[bench] $p $s failed"
    fi
    sleep 3
  done
done
(cd target/peers && RESULTS_DIR=$results node scripts/report.mjs)
