#!/usr/bin/env bash
# Several replicas of examples/everything behind haproxy (round robin, no session affinity),
# sharing state in a redis-server, all on 127.0.0.1 (issue 14). Installs redis-server and
# haproxy (Debian) when missing; starts and stops everything it needs.
#
# Through the balancer, every request of either era may land on any replica: the official
# conformance server suites, against stateless replicas (`--stateless`) and stateful ones
# (legacy sessions taken over from the store by whichever replica a request reaches). The legacy
# suites and the 2026-07-28 requirements run with the baselines of one process; the 2026-07-28
# suite with replicas-server-2026-07-28.yaml, which lists what is not shared (components added
# at runtime). Then our Client and the Python `mcp`
# client run sessions through the balancer, the latter while replicas are killed and restarted
# (crates/fastmcp/tests/it/balancer.rs, interop/python_replicas.py).
# Exit status non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/debian-packages.sh redis-server haproxy
source scripts/node-tools.sh
source scripts/python-peers.sh
REPLICAS=${REPLICAS:-3}

cargo build --quiet -p fastmcp --features auth,redis --example everything
TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
EVERYTHING=$TARGET_DIR/debug/examples/everything
LOGS=$(mktemp -d)
source scripts/http-servers.sh
status=0
trap 'stop_http_servers; if [ "$status" = 0 ]; then rm -rf "$LOGS"; else echo "logs kept in $LOGS" >&2; fi' EXIT

# redis-server on a Unix socket of its own (no port to collide with).
redis-server --port 0 --save "" --appendonly no --unixsocket "$LOGS/redis.sock" --unixsocketperm 700 \
  >"$LOGS/redis.log" 2>&1 &
HTTP_PIDS+=($!)
for _ in $(seq 1 100); do [ -S "$LOGS/redis.sock" ] && break; sleep 0.1; done
[ -S "$LOGS/redis.sock" ] || { echo "redis-server did not start:" >&2; cat "$LOGS/redis.log" >&2; exit 1; }
export FASTMCP_REDIS_URL="redis+unix://$LOGS/redis.sock"

# balance MODE ARGS...: starts $REPLICAS replicas with ARGS and haproxy in front; sets BALANCER
# and REPLICA_SPECS (NAME=PORT=PID each).
balance() {
  local mode=$1; shift
  local servers="" replica_port=""
  REPLICA_SPECS=()
  for i in $(seq 1 "$REPLICAS"); do
    start_http replica_port "$mode-replica-$i" "$EVERYTHING" "$@"
    servers+="    server r$i 127.0.0.1:$replica_port"$'\n'
    REPLICA_SPECS+=("r$i=$replica_port=${HTTP_PIDS[-1]}")
  done
  local front; front=$(free_port)
  cat >"$LOGS/haproxy-$mode.cfg" <<CFG
global
    maxconn 2000
defaults
    mode http
    timeout connect 5s
    timeout client 120s
    timeout server 120s
    # Each request is balanced on its own: a client's requests go to different replicas.
    option http-server-close
    # A replica that is down (killed, restarting): the request goes to another.
    retries 3
    option redispatch 1
frontend mcp
    bind 127.0.0.1:$front
    default_backend replicas
backend replicas
    balance roundrobin
    # Which replica answered (the scenarios below kill that one).
    http-response set-header x-served-by %[srv_name]
$servers
CFG
  haproxy -f "$LOGS/haproxy-$mode.cfg" -db >"$LOGS/haproxy-$mode.log" 2>&1 &
  HTTP_PIDS+=($!)
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$front") 2>/dev/null; then BALANCER=$front; return; fi
    sleep 0.1
  done
  echo "haproxy did not start:" >&2; cat "$LOGS/haproxy-$mode.log" >&2; exit 1
}

summary=()
run() { # LABEL EXPECTED SUITE-JS ARGS...
  local label=$1 expected=$2 suite=$3; shift 3
  [ -n "${SKIP_CONFORMANCE:-}" ] && return  # (while working on the scenarios below)
  echo "== $label"
  local out="$LOGS/$(echo "$label" | tr ' /()' '____').log"
  if (cd "$LOGS" && timeout 900 "$NODE22" "$suite" server "$@" --expected-failures "$OLDPWD/$expected") >"$out" 2>&1; then
    result=ok
  else
    result=FAILED; status=1
    grep -E "^\s*(✗|✓ .*now passing)|Unexpected|Stale" "$out" | head -40 || true
  fi
  local total; total=$(grep -E "^Total:" "$out" | tail -1 || true)
  summary+=("$(printf '%-62s %-28s %s' "$label" "${total:-no total}" "$result")")
}

balance stateless --stateless
url="http://127.0.0.1:$BALANCER/mcp"
run "0.1.16 --suite all (stateless ×$REPLICAS)" .ci/conformance/server-0.1.16-stateless.yaml "$CONFORMANCE_01" \
  --url "$url" --suite all
run "0.2.0-alpha.12 --spec-version 2026-07-28 (stateless ×$REPLICAS)" .ci/conformance/replicas-server-2026-07-28.yaml \
  "$CONFORMANCE_02" --url "$url" --suite all --spec-version 2026-07-28
run "0.2.0-alpha.12 --requirements 2026-07-28 (stateless ×$REPLICAS)" \
  .ci/conformance/server-requirements-2026-07-28.yaml "$CONFORMANCE_02" --url "$url" --requirements 2026-07-28

# Stateful replicas: legacy sessions kept in the store, taken over by whichever replica a request
# lands on (the handshake replayed from the store).
balance stateful
url="http://127.0.0.1:$BALANCER/mcp"
run "0.1.16 --suite all (stateful ×$REPLICAS)" .ci/conformance/replicas-server-0.1.16-stateful.yaml "$CONFORMANCE_01" \
  --url "$url" --suite all
run "0.2.0-alpha.12 --spec-version 2026-07-28 (stateful ×$REPLICAS)" .ci/conformance/replicas-server-2026-07-28.yaml \
  "$CONFORMANCE_02" --url "$url" --suite all --spec-version 2026-07-28

# Our Client's legacy session through the balancer: tools, progress, elicitation, a subscription
# updated on every replica, a list change (crates/fastmcp/tests/it/balancer.rs).
echo "== our Client's legacy session (stateful ×$REPLICAS)"
if FASTMCP_BALANCER_URL="$url" FASTMCP_REPLICAS=$REPLICAS timeout 600 \
    cargo test --quiet -p fastmcp --all-features --test it -- --ignored balancer:: >"$LOGS/our_client.log" 2>&1; then
  result=ok
else
  result=FAILED; status=1
  tail -40 "$LOGS/our_client.log"
fi
summary+=("$(printf '%-62s %-28s %s' "our Client's session (stateful ×$REPLICAS)" "$(grep -o '[0-9]* passed' "$LOGS/our_client.log" | tail -1)" "$result")")

# Sessions, streams and tasks while replicas are killed and restarted (interop/python_replicas.py).
echo "== python mcp client session, kill -9 under a GET stream, a task after kill -9, rolling restart (stateful ×$REPLICAS)"
if timeout 600 "$PY" interop/python_replicas.py "$url" "$EVERYTHING" "$LOGS" "${REPLICA_SPECS[@]}" \
    >"$LOGS/python_replicas.log" 2>&1; then
  result=ok
else
  result=FAILED; status=1
fi
cat "$LOGS/python_replicas.log"
summary+=("$(printf '%-62s %-28s %s' "sessions, kill -9, tasks, rolling restart (stateful ×$REPLICAS)" "$(grep -c '^ok:' "$LOGS/python_replicas.log" || true) scenarios ok" "$result")")

echo
echo "== replicas summary ($REPLICAS replicas of examples/everything behind haproxy, round robin, state in redis-server)"
printf '%s\n' "${summary[@]}"
exit $status
