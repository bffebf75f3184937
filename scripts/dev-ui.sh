#!/usr/bin/env bash
# `fastmcp dev` in a real browser: headless Debian chromium, driven by puppeteer-core
# (interop/dev_ui.mjs) against the quickstart and everything examples. Installs chromium
# (Debian) and puppeteer-core (npm) when missing. Screenshots of each step: target/dev-ui/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/debian-packages.sh chromium
source scripts/node-tools.sh
cargo build --quiet -p fastmcp --example quickstart --example everything
cargo build --quiet -p fastmcp-cli
TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
echo "== fastmcp dev in headless chromium"
timeout 600 "$NODE22" interop/dev_ui.mjs "$PUPPETEER_CORE" "$(command -v chromium)" \
  "$TARGET_DIR/debug/fastmcp" "$TARGET_DIR/debug/examples/quickstart" \
  "$TARGET_DIR/debug/examples/everything" "$TARGET_DIR/dev-ui"
