#!/usr/bin/env bash
# Soak runs against real server processes (release builds): memory per open HTTP session and
# round over round (SESSIONS sessions, ROUNDS rounds), and resident memory over CALLS
# sequential calls on one stdio connection. `scripts/soak.sh [SESSIONS] [ROUNDS] [CALLS]`;
# figures go in docs/RELIABILITY.md. The fault and load tests that need no long run are in
# `cargo test` (tests/it/faults.rs, load.rs, limits.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
sessions=${1:-1000}
rounds=${2:-5}
calls=${3:-100000}
examples="${CARGO_TARGET_DIR:-$PWD/target}/release/examples"
cargo build --quiet --release -p fastmcp --example everything --example quickstart
cargo bench --quiet -p fastmcp --bench soak -- sessions "$examples/everything" "$sessions" "$rounds"
cargo bench --quiet -p fastmcp --bench soak -- sessions "$examples/everything" "$sessions" "$rounds" 65
cargo bench --quiet -p fastmcp --bench soak -- stdio "$examples/quickstart" "$calls"
