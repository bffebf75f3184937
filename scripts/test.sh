#!/usr/bin/env bash
# The test command: every Rust test (unit, integration over memory and stdio, doc), then interop
# with the Python MCP SDK and Python FastMCP. Installs redis-server (Debian) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
# The Redis store tests (feature `redis`) start their own redis-server.
scripts/debian-packages.sh redis-server
cargo test --workspace --all-features
scripts/interop.sh
