#!/usr/bin/env python3
"""Cross-check of the HTTP benchmark with an independent load generator, `wrk`.

Usage: scripts/http-bench-wrk.py [--rounds 5] [--seconds 3] [--servers a,b,…]

Starts the benchmark's servers (the `--serve KIND` mode of `cargo bench -p fastmcp --bench
http`, release build: echo, plain rmcp and FastMCP) all at once, pinned to CPU 0, and drives
them with `wrk` pinned to CPU 1 (one thread, keep-alive), in interleaved windows: every round
measures each server once, the order rotated between rounds. Prints, per scenario and
concurrency, each server's median calls/s with the spread of its windows, server CPU µs per
call from /proc, and wrk's p50/p99; then the ratios of neighbouring windows (median and range).

Differences from the Rust bench: wrk sends the same request bytes every time (same JSON-RPC
id). For legacy sessions each connection has its own session, as in the bench (opened here
with curl-like requests): wrk then runs one thread per connection (wrk's Lua has no
per-connection hook), all on CPU 1.

Installs wrk from Debian's packages if it is missing.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request

from bench_servers import bench_binary

META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "wrk", "version": "0"}}
CALL = {"name": "add", "arguments": {"a": 2, "b": 3}}

SCENARIOS = [
    ("2026-07-28 stateless (JSON)", "2026", ["echo", "rmcp-stateless", "fastmcp-stateless"],
     [("fastmcp-stateless", "rmcp-stateless"), ("fastmcp-stateless", "echo")]),
    ("legacy stateless (JSON)", "legacy", ["echo", "rmcp-stateless", "fastmcp-stateless"],
     [("fastmcp-stateless", "rmcp-stateless"), ("fastmcp-stateless", "echo")]),
    ("legacy session (SSE, a session per connection)", "session",
     ["rmcp-stateful", "fastmcp-stateful", "fastmcp-stateful-nostore"],
     [("fastmcp-stateful", "rmcp-stateful"), ("fastmcp-stateful-nostore", "rmcp-stateful")]),
]


CONNECTIONS = (1, 50)


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("== installing wrk (Debian package)", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True,
                   stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or sys.exit("wrk did not install")


def start(binary: str, name: str):
    child = subprocess.Popen(["taskset", "-c", "0", binary, "--serve", name],
                             stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "FASTMCP_LOG_LEVEL": "error"})
    port = int(child.stdout.readline().strip())
    return child, port


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def post(port: int, body: dict, headers: dict):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/mcp", data=json.dumps(body).encode(),
                                     method="POST", headers={
                                         "content-type": "application/json",
                                         "accept": "application/json, text/event-stream",
                                         **headers})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        return response.headers


def request_for(kind: str, port: int):
    """(headers, body, sessions) of the call wrk repeats; sessions: one id per connection."""
    if kind == "2026":
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {**CALL, "_meta": META}}
        return {"mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call",
                "mcp-name": "add"}, body, []
    headers = {"mcp-protocol-version": "2025-11-25"}
    sessions = []
    if kind == "session":
        init = {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "wrk", "version": "0"}}}
        for _ in range(max(CONNECTIONS)):
            session = post(port, init, headers)["mcp-session-id"]
            post(port, {"jsonrpc": "2.0", "method": "notifications/initialized"},
                 {**headers, "mcp-session-id": session})
            sessions.append(session)
    return headers, {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": CALL}, sessions


def lua_script(headers: dict, body: dict, sessions: list) -> str:
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(json.dumps(body))}",
             'wrk.headers["content-type"] = "application/json"',
             'wrk.headers["accept"] = "application/json, text/event-stream"']
    lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()]
    # Each thread counts answers that are not 200 or do not carry the sum; `done` (in wrk's
    # main Lua state) adds the threads' counts. With sessions, one thread per connection, each
    # taking the next session.
    lines += ["local sessions = {" + ", ".join(json.dumps(s) for s in sessions) + "}",
              "local threads = {}",
              "function setup(thread) table.insert(threads, thread); "
              'local s = sessions[#threads]; if s then thread:set("session", s) end end',
              'function init(args) if session then wrk.headers["mcp-session-id"] = session end end',
              "bad = 0",
              'function response(status, headers, body) if status ~= 200 or not '
              'string.find(body, \'"text":"5"\', 1, true) then bad = bad + 1 end end',
              "function done(summary, latency, requests) local total = 0; "
              'for _, thread in ipairs(threads) do total = total + thread:get("bad") end; '
              'io.write(string.format("BAD %d\\n", total)) end']
    return "\n".join(lines) + "\n"


def unit_us(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 1, "ms": 1e3, "s": 1e6}[unit]


def window(wrk: str, port: int, pid: int, script: str, connections: int, seconds: int,
           threads: int) -> dict:
    before = cpu_seconds(pid)
    out = subprocess.run(
        ["taskset", "-c", "1", wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
         "-s", script, f"http://127.0.0.1:{port}/mcp"],
        check=True, capture_output=True, text=True).stdout
    cpu = cpu_seconds(pid) - before
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = unit_us(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = unit_us(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    bad = int(re.search(r"BAD (\d+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rate": rate, "cpu": cpu / max(requests, 1) * 1e6, "p50": p50, "p99": p99,
            "bad": bad + (int(errors.group(1)) if errors else 0)}


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f}× ({min(values):.2f}–{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--servers")
    options = parser.parse_args()
    wrk = ensure_wrk()
    binary = bench_binary()
    wanted = set(options.servers.split(",")) if options.servers else None
    names = {n for _, _, servers, _ in SCENARIOS for n in servers if not wanted or n in wanted}
    servers = {name: start(binary, name) for name in sorted(names)}
    print(f"wrk cross-check: {options.rounds} rounds of {options.seconds} s windows per server, "
          "servers on CPU 0, wrk on CPU 1 (1 thread; one per connection for sessions)",
          flush=True)
    try:
        with tempfile.TemporaryDirectory() as scripts:
            for title, kind, members, ratios in SCENARIOS:
                members = [m for m in members if m in servers]
                if not members:
                    continue
                paths = {}
                for name in members:
                    headers, body, sessions = request_for(kind, servers[name][1])
                    paths[name] = os.path.join(scripts, f"{name}-{kind}.lua")
                    with open(paths[name], "w") as script:
                        script.write(lua_script(headers, body, sessions))
                for connections in CONNECTIONS:
                    threads = connections if kind == "session" else 1
                    print(f"\n== {title} at c={connections}", flush=True)
                    results = {name: [] for name in members}
                    for round_ in range(options.rounds):
                        for i in range(len(members)):
                            name = members[(i + round_) % len(members)]
                            child, port = servers[name]
                            results[name].append(window(wrk, port, child.pid, paths[name],
                                                        connections, options.seconds, threads))
                    for name in members:
                        rates = [w["rate"] for w in results[name]]
                        bad = sum(w["bad"] for w in results[name])
                        print(f"  {name:>24} {statistics.median(rates):>9.0f} calls/s "
                              f"(windows {min(rates):.0f}–{max(rates):.0f})  "
                              f"{statistics.median(w['cpu'] for w in results[name]):>6.1f} µs CPU/call  "
                              f"p50 {statistics.median(w['p50'] for w in results[name]):>7.1f} µs  "
                              f"p99 {statistics.median(w['p99'] for w in results[name]):>7.1f} µs"
                              + (f"  ({bad} bad answers)" if bad else ""), flush=True)
                    for ours, theirs in ratios:
                        if ours in results and theirs in results:
                            pairs = list(zip(results[ours], results[theirs]))
                            print(f"  {ours} / {theirs}: calls/s "
                                  f"{spread([a['rate'] / b['rate'] for a, b in pairs])}   CPU/call "
                                  f"{spread([a['cpu'] / b['cpu'] for a, b in pairs])}   p50 "
                                  f"{spread([a['p50'] / b['p50'] for a, b in pairs])}", flush=True)
    finally:
        for child, _ in servers.values():
            child.kill()


if __name__ == "__main__":
    main()
