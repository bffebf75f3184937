#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60): `scripts/fuzz.sh [SECONDS] [TARGET…]`.
# Needs the nightly toolchain and cargo-fuzz (installed here on first use). Crashes land in
# fuzz/artifacts/TARGET/ and fail the script; the corpus grows in fuzz/corpus/TARGET/ (seeded
# from fuzz/seeds/TARGET/). Prints the executions each target ran.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(stdio_lines http_body uri_template request_state cli_args)
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked --quiet
fi
cd fuzz
# Safe Rust: what a fuzzer finds here is panics and hangs, which need no sanitizer (and
# AddressSanitizer slows some targets a hundredfold).
cargo +nightly fuzz build --release --sanitizer none
status=0
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  seeds=()
  [ -d "seeds/$target" ] && seeds=("seeds/$target")
  log=$(mktemp)
  if cargo +nightly fuzz run --release --sanitizer none "$target" "corpus/$target" "${seeds[@]}" -- \
      -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      >"$log" 2>&1; then
    runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo "?")
    echo "ok: $target: $runs executions in ${seconds}s, no crash"
  else
    echo "FAIL: $target (see fuzz/artifacts/$target/):"
    tail -40 "$log"
    status=1
  fi
  rm -f "$log"
done
exit $status
