#!/usr/bin/env bash
# authpath against a straightforward per-subject search in Python (reference.py), on the
# synthetic enterprise: wall time of each, their ratio (target: authpath >= 100x faster at
# 10k nodes), and a check that both count the same transitive-privilege and
# external-critical-access findings and the same exposure (subjects, exposed).
#   benches/python/compare.sh [NODES] [SEED]      (default 10000 1)
# Builds nothing: it needs target/release/authpath and target/release/examples/synth (and
# target/release/examples/analysis_timing for the in-process line).
# Exits 1 when the counts differ, 2 when a binary is missing or a step fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
nodes="${1:-10000}"
seed="${2:-1}"
bin=target/release/authpath
synth=target/release/examples/synth
for b in "$bin" "$synth"; do
  if [ ! -x "$b" ]; then
    echo "missing $b; build it first:" >&2
    echo "  cargo build --release --features generators --example synth && cargo build --release" >&2
    exit 2
  fi
done
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "generating $nodes nodes (seed $seed)…"
"$synth" --nodes "$nodes" --seed "$seed" > "$tmp/g.json"

# Wall time in seconds (python's perf_counter, around the whole process) of a command
# whose standard output goes to $1.
wall() {
  local out="$1"; shift
  python3 -c '
import subprocess, sys, time
with open(sys.argv[1], "wb") as out:
    t = time.perf_counter()
    code = subprocess.run(sys.argv[2:], stdout=out).returncode
    t = time.perf_counter() - t
if code != 0:
    sys.exit(f"failed (exit {code}): {sys.argv[2:]}")
print(f"{t:.3f}")' "$out" "$@" || exit 2
}

echo "authpath analyze…"
t_rust=$(wall /dev/null "$bin" analyze "$tmp/g.json" --format json --fail-on never -q -o "$tmp/a.json")
# The same counts without writing the findings (their paths and sentences are most of the
# time above at 10k): shown for information, not compared.
t_count=$(wall /dev/null "$bin" analyze "$tmp/g.json" --format json --fail-on never -q \
  --max-findings 1 -o "$tmp/a1.json")
echo "python reference (two searches per subject)…"
t_py=$(wall "$tmp/p.json" python3 benches/python/reference.py "$tmp/g.json")
# In process, after loading: the same counts (every rule, no findings written, no choke
# points) against the reference's searches alone.
inproc=target/release/examples/analysis_timing
if [ -x "$inproc" ]; then
  "$inproc" "$tmp/g.json" --max-findings 1 --choke-points 0 > "$tmp/t.json"
else
  echo '{}' > "$tmp/t.json"
fi

python3 - "$tmp/a.json" "$tmp/p.json" "$t_rust" "$t_py" "$t_count" "$tmp/t.json" <<'EOF'
import json, sys
a = json.load(open(sys.argv[1]))
p = json.load(open(sys.argv[2]))
t_rust, t_py, t_count = (float(x) for x in sys.argv[3:6])
if "by_rule" not in a or "exposure" not in a:
    sys.exit("target/release/authpath predates by_rule/exposure in its JSON: rebuild it")
rows = []
for rule in ("transitive-privilege", "external-critical-access"):
    rows.append((rule, a["by_rule"].get(rule, {}).get("total", 0), p["by_rule"][rule]))
for key in ("subjects", "exposed"):
    rows.append(("exposure." + key, a["exposure"][key], p["exposure"][key]))
bad = False
for name, ours, ref in rows:
    same = ours == ref
    bad |= not same
    print(f"{name:28} authpath {ours:>10}  python {ref:>10}  {'ok' if same else 'MISMATCH'}")
print(f"authpath analyze: {t_rust:.3f} s   python reference: {t_py:.3f} s")
ratio = t_py / max(t_rust, 1e-3)
print(f"ratio: {ratio:.1f}x ({'meets' if ratio >= 100 else 'misses'} the 100x target)")
print(f"(authpath analyze --max-findings 1, counts without writing findings: {t_count:.3f} s,"
      f" {t_py / max(t_count, 1e-3):.1f}x)")
t = json.load(open(sys.argv[6]))
if "analysis" in t:
    py = p["seconds"]["analysis"]
    print(f"in process after loading: authpath {t['analysis'] * 1000:.1f} ms (every rule, counts),"
          f" python {py * 1000:.0f} ms: {py / max(t['analysis'], 1e-6):.0f}x")
else:
    print("(build target/release/examples/analysis_timing for the in-process comparison)")
sys.exit(1 if bad else 0)
EOF
