#!/usr/bin/env bash
# Interop with peers we did not write:
#   1. the official Python MCP client (PyPI `mcp`) drives our quickstart server, our
#      everything server in both protocol eras, and the composed example (mounts, transforms,
#      middleware) in both eras over stdio and HTTP;
#   2. our Client drives a Python FastMCP server (progress, resources, prompts, elicitation)
#      and the reference TypeScript everything server;
#   3. our CLI drives the Python server, and its --json progress lines must be complete;
#   4. over Streamable HTTP: our CLI and the MCP Inspector CLI drive our example servers;
#   5. bridges through `fastmcp run`: the Python client -> our proxy over HTTP -> a Python
#      FastMCP stdio server (progress, elicitation), and the Python client -> our proxy over
#      stdio -> our quickstart over HTTP;
#   6. server auth: the Python FastMCP client with a bearer token (JWT from a local JWKS)
#      against our everything server started with the --auth-* flags, and behind
#      `fastmcp run --transport http` with the same flags;
#   7. OpenAPI: a FastAPI app served with `fastmcp run --openapi`, driven by the Python client,
#      compared with Python FastMCP's `from_openapi` for the same app (names, arguments, results).
# Creates a venv with the pinned Python peers on first use ($FASTMCP_VENV, default .venv)
# and installs the Node peers into .ci/cache (scripts/node-tools.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/python-peers.sh

source scripts/node-tools.sh

cargo build --quiet -p fastmcp --example quickstart --example everything --example composed
cargo build --quiet -p fastmcp-cli
# Where cargo builds (CARGO_TARGET_DIR when set, as a fresh checkout may use).
TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
QUICKSTART=$TARGET_DIR/debug/examples/quickstart
EVERYTHING=$TARGET_DIR/debug/examples/everything
COMPOSED=$TARGET_DIR/debug/examples/composed
FASTMCP=$TARGET_DIR/debug/fastmcp

echo "== python mcp client -> our quickstart server"
timeout 120 "$PY" interop/python_client.py "$QUICKSTART"

echo "== python mcp client -> our everything server, legacy and 2026-07-28"
timeout 300 "$PY" interop/python_everything.py "$EVERYTHING"

echo "== python fastmcp client (bearer token) -> our everything server with auth on, and behind fastmcp run"
timeout 300 "$PY" interop/python_auth.py "$EVERYTHING" "$FASTMCP"

echo "== python mcp client -> our composed server (mounts, transforms, middleware), stdio"
timeout 300 "$PY" interop/python_composed.py "$COMPOSED"

echo "== our client -> python fastmcp server"
FASTMCP_TEST_PYTHON="$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")" timeout 300 cargo test --quiet -p fastmcp --test it interop_python::

echo "== our client -> typescript everything server"
FASTMCP_TEST_NODE="$NODE22" FASTMCP_TEST_TS_EVERYTHING="$TS_EVERYTHING" \
  timeout 300 cargo test --quiet -p fastmcp --test it interop_ts::

echo "== our cli -> python fastmcp server"
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
timeout 120 "$FASTMCP" call "$PY interop/fastmcp_server.py" long_task steps=7 --json >"$out" 2>"$err"
"$PY" - "$out" "$err" <<'PYCHECK'
import json, sys
result = json.load(open(sys.argv[1]))
assert result["content"][0]["text"] == "done after 7 steps", result
events = [json.loads(line) for line in open(sys.argv[2]) if line.startswith("{")]
values = [e["progress"] for e in events]
assert values == [1, 2, 3, 4, 5, 6, 7], values
assert events[-1] == {"progress": 7, "total": 7, "message": "step 7 of 7"}, events[-1]
print(f"ok: cli printed the result and all {len(values)} progress events")
PYCHECK

TMPDIR_CLI_ERR=$(mktemp)
echo "== our cli exit statuses"
set +e
"$FASTMCP" call "$PY interop/fastmcp_server.py" add --args '{"a": "x", "b": 1}' >/dev/null 2>&1; tool_error=$?
"$FASTMCP" call "$PY interop/fastmcp_server.py" no_such_tool >/dev/null 2>&1; protocol_error=$?
set -e
[ "$tool_error" = 1 ] || { echo "FAIL: a tool error should exit 1, got $tool_error"; exit 1; }
[ "$protocol_error" = 2 ] || { echo "FAIL: an unknown tool should exit 2, got $protocol_error"; exit 1; }
echo "ok: exit status 1 for a tool error, 2 for a protocol failure"

echo "== our cli: resources and prompts (our everything server, the Python FastMCP server)"
PYSERVER="$PY interop/fastmcp_server.py"
lists=$("$FASTMCP" list "$EVERYTHING" --resources --prompts --json)
"$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); assert set(d) == {"tools","resources","resourceTemplates","prompts"}, d.keys(); assert any(r["uri"] == "test://static-text" for r in d["resources"]); assert any(t["uriTemplate"] == "test://template/{id}/data" for t in d["resourceTemplates"]); assert any(p["name"] == "test_prompt_with_arguments" for p in d["prompts"])' "$lists"
"$FASTMCP" list "$EVERYTHING" --json | "$PY" -c 'import json,sys; assert isinstance(json.load(sys.stdin), list)'
"$FASTMCP" list "$PYSERVER" --resources --prompts --input-schema | grep -q "^  review(code)" \
  || { echo "FAIL: fastmcp list --prompts of the Python server"; exit 1; }
[ "$("$FASTMCP" call "$EVERYTHING" test://static-text)" = "This is the content of the static text resource." ] \
  || { echo "FAIL: fastmcp call on a text resource"; exit 1; }
[ "$("$FASTMCP" call "$PYSERVER" weather://paris/today)" = "sunny in paris" ] \
  || { echo "FAIL: fastmcp call on a Python FastMCP resource template"; exit 1; }
binary=$(mktemp)
"$FASTMCP" call "$EVERYTHING" test://static-binary --output "$binary" 2>/dev/null
"$PY" -c 'import sys; data = open(sys.argv[1], "rb").read(); assert data[:4] == b"\x89PNG", data[:8]' "$binary"
"$FASTMCP" call "$EVERYTHING" test://static-binary | grep -q "bytes of image/png; --output FILE saves them" \
  || { echo "FAIL: a binary resource without --output is summarized"; exit 1; }
"$FASTMCP" call "$EVERYTHING" test_prompt_with_arguments --prompt arg1=hello arg2=world \
  | grep -q "^user: Prompt with arguments: arg1='hello', arg2='world'" \
  || { echo "FAIL: fastmcp call --prompt"; exit 1; }
"$FASTMCP" call "$PYSERVER" review --prompt --input-json '{"code": "x = 1"}' --json \
  | "$PY" -c 'import json,sys; r=json.load(sys.stdin); assert "x = 1" in json.dumps(r["messages"]), r'
set +e
"$FASTMCP" call "$EVERYTHING" test://no-such-thing >/dev/null 2>&1; missing=$?
set -e
[ "$missing" = 1 ] || { echo "FAIL: reading a missing resource should exit 1, got $missing"; exit 1; }
echo "ok: fastmcp list --resources --prompts (readable and --json), call on resources (text, binary, --output) and prompts (--prompt, --input-json)"

echo "== our cli: inspect, completions"
"$FASTMCP" inspect "$PYSERVER" | grep -q "^3 tools, 1 resources, 1 resource templates, 1 prompts$" \
  || { echo "FAIL: fastmcp inspect (readable)"; exit 1; }
report=$(mktemp)
"$FASTMCP" inspect "$PYSERVER" --format mcp -o "$report"
"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert set(d) == {"serverInfo","protocolVersion","instructions","capabilities","tools","resources","resourceTemplates","prompts"}, d.keys(); assert any(t["name"] == "add" for t in d["tools"]); assert any(r["uri"] == "data://greeting" for r in d["resources"]); assert any(p["name"] == "review" for p in d["prompts"])' "$report"
"$FASTMCP" inspect "$EVERYTHING" --format mcp | "$PY" -c 'import json,sys; d=json.load(sys.stdin); assert d["serverInfo"]["name"] and len(d["tools"]) > 10'
"$FASTMCP" completions bash | grep -q "_fastmcp()" || { echo "FAIL: bash completions"; exit 1; }
"$FASTMCP" completions zsh | grep -q "#compdef fastmcp" || { echo "FAIL: zsh completions"; exit 1; }
# --format fastmcp: Python FastMCP's own report of the same server, compared field by field.
ours=$(mktemp); theirs=$(mktemp)
"$FASTMCP" inspect "$PYSERVER" --format fastmcp -o "$ours"
"$VENV/bin/fastmcp" inspect interop/fastmcp_server.py --format fastmcp -o "$theirs" >/dev/null 2>&1
"$PY" - "$ours" "$theirs" <<'PYCHECK'
import json, sys
ours, theirs = (json.load(open(path)) for path in sys.argv[1:3])
assert set(ours) == set(theirs), (set(ours), set(theirs))
assert set(ours["server"]) == set(theirs["server"]), (ours["server"].keys(), theirs["server"].keys())
assert ours["server"]["name"] == theirs["server"]["name"]
for kind in ("tools", "prompts", "resources", "templates"):
    assert [e["key"] for e in ours[kind]] == [e["key"] for e in theirs[kind]], (kind, ours[kind], theirs[kind])
    for mine, their in zip(ours[kind], theirs[kind]):
        assert set(mine) == set(their), (kind, set(mine) ^ set(their))
PYCHECK
"$FASTMCP" -q list "$EVERYTHING" >/dev/null
set +e
"$FASTMCP" -v -q list "$EVERYTHING" >/dev/null 2>&1; both=$?
set -e
[ "$both" = 2 ] || { echo "FAIL: -v with -q should be a usage error (2), got $both"; exit 1; }
echo "ok: fastmcp inspect (readable, --format mcp -o FILE, --format fastmcp = Python FastMCP's report shape) of the Python server and ours; completions; -v/-q"

echo "== our cli when its reader goes away"
set +e
# `true` has exited (closing the pipe) long before the list, which needs a handshake, is printed.
"$FASTMCP" list "$EVERYTHING" 2>"$TMPDIR_CLI_ERR" | true; closed=${PIPESTATUS[0]}
set -e
[ "$closed" = 0 ] && ! grep -q panicked "$TMPDIR_CLI_ERR" \
  || { echo "FAIL: fastmcp list | true should end quietly, got $closed"; cat "$TMPDIR_CLI_ERR"; exit 1; }
echo "ok: fastmcp list into a closed pipe ends quietly"

echo "== our cli: elicitation forms on a pseudo-terminal (our everything server)"
"$PY" interop/cli_elicitation_pty.py "$FASTMCP" "$EVERYTHING"

echo "== our cli: install a Python FastMCP server, discover it, call it by name (HOME in a temporary directory)"
(
  home=$(mktemp -d); trap 'rm -rf "$home"' EXIT
  py="$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")"
  server="$py $PWD/interop/fastmcp_server.py"
  export HOME=$home XDG_CONFIG_HOME=$home/.config
  cd "$home"
  "$FASTMCP" -q install claude-desktop "$server" --name pyserver
  "$FASTMCP" -q install cursor "$server" --name pyserver
  "$FASTMCP" discover --json | "$py" -c 'import json,sys; d=json.load(sys.stdin); assert sorted((s["source"], s["name"]) for s in d) == [("claude-desktop","pyserver"),("cursor","pyserver")], d'
  # The same entry in two clients is one server: a bare name is enough.
  [ "$("$FASTMCP" call pyserver add a=20 b=22)" = 42 ] || { echo "FAIL: call by name"; exit 1; }
  "$FASTMCP" call cursor:pyserver data://greeting | grep -q . || { echo "FAIL: read by source:name"; exit 1; }
  "$FASTMCP" inspect claude-desktop:pyserver | grep -q "^3 tools" || { echo "FAIL: inspect by name"; exit 1; }
)
echo "ok: fastmcp install (claude-desktop, cursor) of the Python FastMCP server, discover --json, call/read/inspect by name"

echo "== our cli: fastmcp new (stdio and --http) builds and its tests pass, on this workspace's crates"
(
  dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
  cd "$dir"
  "$FASTMCP" new my-server --fastmcp-path "$OLDPWD/crates/fastmcp"
  "$FASTMCP" new my-web-server --http --fastmcp-path "$OLDPWD/crates/fastmcp"
  # The workspace's target directory and lockfile: the same versions, most of them built already.
  for project in my-server my-web-server; do
    cp "$OLDPWD/Cargo.lock" "$project/Cargo.lock"
    (cd "$project" && CARGO_TARGET_DIR="$TARGET_DIR" cargo test --quiet >"$dir/$project.log" 2>&1) \
      || { echo "FAIL: cargo test in the new $project"; tail -30 "$dir/$project.log"; exit 1; }
  done
  [ "$("$FASTMCP" call "$TARGET_DIR/debug/my-server" add a=1 b=2)" = 3 ] || { echo "FAIL: the new server"; exit 1; }
)
echo "ok: fastmcp new my-server / --http: cargo test passes in both; the server answers fastmcp call"

echo "== over Streamable HTTP: our cli and the MCP Inspector CLI -> our servers"
LOGS=$(mktemp -d)
source scripts/http-servers.sh
start_http QS_PORT quickstart "$QUICKSTART"
start_http QS_STATELESS_PORT quickstart-stateless "$QUICKSTART" --stateless
start_http EV_PORT everything "$EVERYTHING"
start_http COMPOSED_PORT composed "$COMPOSED"
echo "== python mcp client -> our composed server over HTTP"
timeout 300 "$PY" interop/python_composed.py "http://127.0.0.1:$COMPOSED_PORT/mcp"
for port in "$QS_PORT" "$QS_STATELESS_PORT"; do
  url="http://127.0.0.1:$port/mcp"
  timeout 60 "$FASTMCP" list "$url" | grep -q "^long_task(" || { echo "FAIL: fastmcp list $url"; exit 1; }
  timeout 60 "$FASTMCP" call "$url" long_task steps=4 delay_ms=0 --json >"$out" 2>"$err"
  "$PY" - "$out" "$err" <<'PYCHECK'
import json, sys
result = json.load(open(sys.argv[1]))
assert result["content"][0]["text"] == "done after 4 steps", result
events = [json.loads(line) for line in open(sys.argv[2]) if line.startswith("{")]
assert events and events[-1]["progress"] == 4, events
PYCHECK
done
echo "ok: fastmcp list and call (with progress) over HTTP, with sessions and stateless"
start_listening PY_SSE_PORT python-sse "$VENV/bin/fastmcp" run interop/fastmcp_server.py --transport sse --port "{port}"
sse_url="http://127.0.0.1:$PY_SSE_PORT/sse"
[ "$(timeout 60 "$FASTMCP" call --transport sse "$sse_url" add a=2 b=40)" = 42 ] \
  || { echo "FAIL: fastmcp call --transport sse"; exit 1; }
timeout 60 "$FASTMCP" list "$sse_url" | grep -q "^add(" || { echo "FAIL: fastmcp list (SSE found by itself)"; exit 1; }
set +e
timeout 60 "$FASTMCP" list --transport http "$sse_url" >/dev/null 2>&1; forced=$?
set -e
[ "$forced" = 2 ] || { echo "FAIL: --transport http to an SSE-only server should fail (2), got $forced"; exit 1; }
[ "$("$FASTMCP" call --command "$QUICKSTART" add a=1 b=2)" = 3 ] || { echo "FAIL: --command"; exit 1; }
echo "ok: a Python FastMCP server on the legacy SSE transport: --transport sse, found by itself, refused with --transport http; --command"
inspect() { # PORT ARGS...
  local port=$1; shift
  timeout 120 "$NODE22" "$INSPECTOR" --cli "http://127.0.0.1:$port/mcp" --transport http "$@"
}
inspect "$EV_PORT" --method tools/list >"$out"
"$PY" -c 'import json,sys; names=[t["name"] for t in json.load(open(sys.argv[1]))["tools"]]; assert "test_simple_text" in names and "test_tool_with_progress" in names, names' "$out"
inspect "$QS_PORT" --method tools/call --tool-name add --tool-arg a=2 --tool-arg b=3 >"$out"
"$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); assert "5" in r["content"][0]["text"], r' "$out"
inspect "$EV_PORT" --method resources/read --uri test://static-text >"$out"
"$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["contents"][0]["uri"] == "test://static-text", r' "$out"
echo "ok: the MCP Inspector CLI lists tools, calls add and reads a resource over HTTP"

echo "== bridges: python mcp client -> fastmcp run (http) -> python fastmcp server (stdio)"
start_listening RUN_PORT run-python "$FASTMCP" run "$PY interop/fastmcp_server.py" --transport http --port '{port}'
timeout 300 "$PY" interop/python_proxy.py "http://127.0.0.1:$RUN_PORT/mcp" --elicit
echo "== bridges: python mcp client -> fastmcp run (stdio) -> our quickstart (http)"
timeout 300 "$PY" interop/python_proxy.py "$FASTMCP run http://127.0.0.1:$QS_PORT/mcp" --delay-ms 30

echo "== openapi: a FastAPI app through fastmcp run --openapi, against Python FastMCP's from_openapi"
timeout 600 "$PY" interop/python_openapi.py "$FASTMCP" "$OAS_EXAMPLES"
