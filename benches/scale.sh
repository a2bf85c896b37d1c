#!/usr/bin/env bash
# Scale run: generates a synthetic enterprise of N nodes (default 1,000,000) and reports wall
# time and peak memory (/usr/bin/time -v) of validate, analyze --format json (default cap,
# and counts only), diff against a copy with two edges added, one blast-radius and one
# who-can, export cypher and export opengraph, at 1 and 2 threads.
#   benches/scale.sh [NODES] [SEED]
# Each step is bounded by STEP_TIMEOUT seconds (default 1800) so a run always ends.
set -euo pipefail
cd "$(dirname "$0")/.."
nodes="${1:-1000000}"
seed="${2:-1}"
limit="${STEP_TIMEOUT:-1800}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --features generators --example synth
cargo build --release --quiet
bin=target/release/authpath

echo "generating $nodes nodes (seed $seed)…"
target/release/examples/synth --nodes "$nodes" --seed "$seed" > "$work/graph.json"
size=$(stat -c %s "$work/graph.json")
echo "graph: $((size / 1000000)) MB"
# The changed version: a partner administers a critical resource, a service is granted one.
critical=$(grep -m1 -o '"id": "res:[0-9]*", "kind": "resource", "sensitivity": "critical"' "$work/graph.json" | cut -d'"' -f4)
head -c -4 "$work/graph.json" > "$work/graph2.json"
printf ',\n{"from": "partner:1", "to": "%s", "kind": "admin_of"},\n{"from": "svc:0", "to": "%s", "kind": "grants"}\n]}\n' "$critical" "$critical" >> "$work/graph2.json"

measure() {
  local label="$1" threads="$2"; shift 2
  local log="$work/time.log" code=0
  # timeout runs under time (not around it) so that a step that runs out is killed itself,
  # not left running orphaned; time reports the largest of its children's peaks.
  RAYON_NUM_THREADS="$threads" /usr/bin/time -v timeout "$limit" "$@" > "$work/out" 2> "$log" || code=$?
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$log" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$log" | awk '{print $NF}')
  if [ "$code" -eq 124 ]; then wall="> ${limit}s (timed out)"; fi
  printf '%-28s threads=%s  wall=%-12s peak=%s MB  exit=%s\n' "$label" "$threads" "$wall" "$((${rss:-0} / 1024))" "$code"
}

for threads in 1 2; do
  measure validate "$threads" "$bin" validate "$work/graph.json"
  measure "analyze --format json" "$threads" "$bin" analyze "$work/graph.json" --format json -o "$work/findings.json"
  measure "analyze, counts only" "$threads" "$bin" analyze "$work/graph.json" --format json --max-findings 1 -o "$work/counts.json"
  measure "diff" "$threads" "$bin" diff "$work/graph.json" "$work/graph2.json" --format json -o "$work/diff.json"
  measure "blast-radius partner:0" "$threads" "$bin" blast-radius "$work/graph.json" --from partner:0 --format json -o "$work/blast.json"
  measure "who-can res:0" "$threads" "$bin" who-can "$work/graph.json" --reach res:0 --format json -o "$work/whocan.json"
  measure "export cypher" "$threads" "$bin" export cypher "$work/graph.json" -o "$work/cypher"
  measure "export opengraph" "$threads" "$bin" export opengraph "$work/graph.json" -o "$work/og.json"
done
