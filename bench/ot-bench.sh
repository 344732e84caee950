#!/usr/bin/env bash
# Benchmarks Tandem's OT core (JMH, bench/src) and quill-delta (bench/quill/bench.mjs) on the same
# workloads, one after the other, and prints a Markdown table of the two side by side; the table
# also goes to bench/target/ot-bench/table.md, beside both sides' raw results.
#
#   bench/ot-bench.sh [--quick] [-- JMH options...]
#
# --quick is a smoke run (short JMH iterations, bench.mjs --quick): it proves the whole chain
# works, its figures are not for comparison. Anything after -- goes to JMH, e.g. `-- -prof gc`,
# or a benchmark regex to run only some (the table then says n/a for the rest). Traces are read
# from ../shared/traces beside the repository, or from $TANDEM_TRACES. The full run takes about
# 10 minutes on 2 cores.
set -euo pipefail

usage() {
  echo "usage: bench/ot-bench.sh [--quick] [-- JMH options...]" >&2
  exit 2
}

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
quick=false
jmh_extra=()
while (($# > 0)); do
  case "$1" in
    --quick) quick=true ;;
    --) shift; jmh_extra=("$@"); break ;;
    *) usage ;;
  esac
  shift
done

traces="${TANDEM_TRACES:-$root/../shared/traces}"
[[ -d "$traces" ]] || { echo "no traces at $traces: set TANDEM_TRACES=DIR" >&2; exit 1; }
traces="$(cd "$traces" && pwd)"
out="$root/bench/target/ot-bench"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

node_opts=()
jmh_opts=()
if $quick; then
  node_opts=(--quick)
  jmh_opts=(-wi 1 -i 2 -w 1s -r 1s)
fi

if [[ ! -d "$root/bench/quill/node_modules" ]]; then
  (cd "$root/bench/quill" && npm ci --no-audit --no-fund)
fi
echo "== building bench/target/benchmarks.jar" >&2
mvn -q -B -f "$root/pom.xml" -pl bench -am package -DskipTests

# Stale results must not reach the table if a step fails.
mkdir -p "$out"
rm -f "$out/quill-results.json" "$out/jmh-results.json" "$out/table.md"

# quill-delta first: it writes the transform pairs the Java side reads.
echo "== quill-delta (bench/quill/bench.mjs)" >&2
(cd "$root/bench/quill" && node bench.mjs --traces "$traces" --pairs "$out/transform-pairs.json" \
  --out "$out/quill-results.json" ${node_opts[@]+"${node_opts[@]}"})

# JMH hands the -D options on to its forked JVMs.
echo "== Tandem (JMH)" >&2
(cd "$root" && "$java" -Dtandem.traces="$traces" -Dtandem.pairs="$out/transform-pairs.json" \
  -jar bench/target/benchmarks.jar -rf json -rff "$out/jmh-results.json" \
  ${jmh_opts[@]+"${jmh_opts[@]}"} ${jmh_extra[@]+"${jmh_extra[@]}"})

echo >&2
node "$root/bench/quill/report.mjs" "$out/quill-results.json" "$out/jmh-results.json" | tee "$out/table.md"
