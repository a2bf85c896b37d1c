#!/usr/bin/env bash
# Runs one fuzz target for SECONDS (default 600) on the stable toolchain:
#   fuzz/run.sh TARGET [SECONDS]
# cargo-fuzz builds with `-s none` (no sanitizer: the address sanitizer needs a nightly
# compiler); Rust's own checks — bounds, overflow (debug assertions are on), panics — are
# what the targets catch, plus libFuzzer's timeouts (a hang) and memory limit.
set -euo pipefail
cd "$(dirname "$0")"
target="$1"; seconds="${2:-600}"
[ -d "corpus/$target" ] || ./seed.sh
cargo fuzz run -s none "$target" "corpus/$target" -- \
  -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
