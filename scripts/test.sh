#!/usr/bin/env bash
# The test command: every Rust test (unit, integration over memory and stdio, doc), then interop
# with the Python MCP SDK and Python FastMCP.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --all-features
scripts/interop.sh
