#!/usr/bin/env bash
# Measures the embedded default: seconds from `./tandem run` to a healthy node (GET /v1/health
# answers 200), then the resident memory of the node and of its Cassandra after IDLE seconds
# at rest. Stops what it started. Usage: bench/startup.sh [runs] [idle-seconds]
# The data directory is the project's ./data (first run: Cassandra's first start and the schema;
# later runs reuse it). Needs port 8080, 9042 and 7000 free.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
idle=${2:-30}

rss_mib() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

for i in $(seq 1 "$runs"); do
  log=$(mktemp)
  start=$(date +%s.%N)
  ./tandem run >"$log" 2>&1 &
  runner=$!
  until curl -fsS -o /dev/null http://127.0.0.1:8080/v1/health 2>/dev/null; do
    if ! kill -0 "$runner" 2>/dev/null; then echo "tandem run exited; its log:"; cat "$log"; exit 1; fi
    sleep 0.2
  done
  ready=$(echo "$(date +%s.%N) - $start" | bc)
  sleep "$idle"
  node=$(pgrep -f 'io.tandem.app.Main' | head -1)
  cassandra=$(pgrep -f 'io.tandem.cassandra.server.OwnedCassandra' | head -1)
  printf 'run %d: ready in %.1f s; after %d s idle: node %s MiB resident, Cassandra %s MiB\n' \
    "$i" "$ready" "$idle" "$(rss_mib "$node")" "$(rss_mib "$cassandra")"
  kill -TERM "$runner"
  wait "$runner" || true
  while pgrep -f 'io.tandem.cassandra.server.OwnedCassandra' >/dev/null; do sleep 0.2; done
  rm -f "$log"
done
