#!/usr/bin/env bash
# Helpers for scripts that start our example servers over HTTP on 127.0.0.1. Source it after
# setting LOGS (a directory for server logs). Servers started here are killed on exit.
HTTP_PIDS=()
stop_http_servers() {
  for pid in "${HTTP_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  # Gone before the script ends (10 s each for a graceful stop, then killed).
  for pid in "${HTTP_PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
}
trap stop_http_servers EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_listening VAR NAME COMMAND...: runs COMMAND, `{port}` in its arguments replaced by a
# free port, and once it accepts connections sets VAR to that port. (Not a $(…) substitution:
# the pid must be recorded in this shell so the server is stopped on exit.)
start_listening() {
  local var=$1 name=$2; shift 2
  local port; port=$(free_port)
  local command=("${@//\{port\}/$port}")
  "${command[@]}" >"$LOGS/$name.log" 2>&1 &
  HTTP_PIDS+=($!)
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then printf -v "$var" %s "$port"; return; fi
    sleep 0.1
  done
  echo "$name did not start; its log:" >&2; cat "$LOGS/$name.log" >&2; exit 1
}

# start_http VAR NAME BINARY ARGS...: starts BINARY --http 127.0.0.1:PORT ARGS (see above).
start_http() {
  local var=$1 name=$2 binary=$3; shift 3
  start_listening "$var" "$name" "$binary" --http "127.0.0.1:{port}" "$@"
}
