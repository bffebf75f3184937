#!/usr/bin/env python3
"""Instructions per HTTP `tools/call`, counted by callgrind: a figure machine noise cannot move.

Usage: scripts/http-instructions.py [--calls 2000] [--servers a,b,…] [--annotate DIR]

Each server of the HTTP benchmark (`cargo bench -p fastmcp --bench http`, release build, its
`--serve KIND` mode) runs under `valgrind --tool=callgrind`; after a warm-up the counters are
zeroed, CALLS `tools/call add` requests are sent one at a time over one keep-alive connection,
and the instructions the server executed (all its threads, kernel time excluded) are divided
by CALLS. Loads as in the bench: 2026-07-28 requests and legacy requests without a session to
the stateless servers, a legacy session to the stateful ones. Instruction counts are what the
CPU is asked to do, not time (cache misses, syscalls and scheduling are not in them), so they
rank servers and show what a change saved; the calls/s figures stay the bench's.

With --annotate DIR, the callgrind profiles are kept there (`callgrind_annotate FILE`).
"""

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time

from bench_servers import bench_binary

META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "count", "version": "0"}}
RUNS = [
    ("2026-07-28 stateless", "2026", ["echo", "rmcp-stateless", "fastmcp-stateless"]),
    ("legacy stateless", "legacy", ["echo", "rmcp-stateless", "fastmcp-stateless"]),
    ("legacy session (SSE)", "session", ["rmcp-stateful", "fastmcp-stateful",
                                         "fastmcp-stateful-nostore"]),
]


class Connection:
    def __init__(self, port: int, kind: str):
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.kind = kind
        self.headers = {"content-type": "application/json",
                        "accept": "application/json, text/event-stream"}
        self.next_id = 1
        if kind == "2026":
            self.headers.update({"mcp-protocol-version": "2026-07-28",
                                 "mcp-method": "tools/call", "mcp-name": "add"})
        else:
            self.headers["mcp-protocol-version"] = "2025-11-25"
        if kind == "session":
            init = {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": {"name": "count", "version": "0"}}}
            response = self.post(init)
            self.headers["mcp-session-id"] = response.getheader("mcp-session-id")
            self.post({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def post(self, body: dict):
        self.http.request("POST", "/mcp", json.dumps(body), self.headers)
        response = self.http.getresponse()
        data = response.read()
        response.data = data
        return response

    def call(self) -> None:
        self.next_id += 1
        params = {"name": "add", "arguments": {"a": 2, "b": 3}}
        if self.kind == "2026":
            params["_meta"] = META
        response = self.post({"jsonrpc": "2.0", "id": self.next_id, "method": "tools/call",
                              "params": params})
        if response.status != 200 or b'"text":"5"' not in response.data:
            sys.exit(f"unexpected answer {response.status}: {response.data[:200]!r}")


def count(binary: str, name: str, kind: str, calls: int, keep: str | None) -> float:
    out = os.path.join(keep or tempfile.mkdtemp(), f"{name}-{kind}.callgrind")
    child = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--dump-instr=no",
         binary, "--serve", name],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "FASTMCP_LOG_LEVEL": "error"})
    try:
        port = int(child.stdout.readline().strip())
        connection = Connection(port, kind)
        for _ in range(50):
            connection.call()
        subprocess.run(["callgrind_control", "--zero", str(child.pid)], check=True,
                       capture_output=True)
        for _ in range(calls):
            connection.call()
        subprocess.run(["callgrind_control", "--dump", str(child.pid)], check=True,
                       capture_output=True)
        # The dump is written by the server's threads; wait for its file.
        deadline = time.monotonic() + 60
        dumps = []
        while time.monotonic() < deadline:
            dumps = [f for f in os.listdir(os.path.dirname(out))
                     if f.startswith(os.path.basename(out)) and f != os.path.basename(out)]
            if dumps:
                break
            time.sleep(0.2)
        total = 0
        for dump in dumps:
            with open(os.path.join(os.path.dirname(out), dump)) as profile:
                match = re.search(r"^summary:\s+(\d+)", profile.read(), re.M)
                total += int(match.group(1)) if match else 0
        return total / calls
    finally:
        child.kill()
        child.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--servers")
    parser.add_argument("--annotate")
    options = parser.parse_args()
    binary = bench_binary()
    wanted = set(options.servers.split(",")) if options.servers else None
    if options.annotate:
        os.makedirs(options.annotate, exist_ok=True)
    print(f"instructions per tools/call (callgrind, {options.calls} calls after 50 warm-up, "
          "one connection)")
    for title, kind, servers in RUNS:
        print(f"\n== {title}")
        figures = {}
        for name in servers:
            if wanted and name not in wanted:
                continue
            figures[name] = count(binary, name, kind, options.calls, options.annotate)
            print(f"  {name:>24} {figures[name]:>10,.0f} instructions/call", flush=True)
        base = figures.get("echo") or figures.get("rmcp-stateful")
        for name, value in figures.items():
            if base and name not in ("echo", "rmcp-stateful"):
                reference = "echo" if "echo" in figures else "rmcp-stateful"
                print(f"  {name} / {reference}: {value / base:.2f}×")
        if "rmcp-stateless" in figures and "fastmcp-stateless" in figures:
            print(f"  fastmcp-stateless / rmcp-stateless: "
                  f"{figures['fastmcp-stateless'] / figures['rmcp-stateless']:.2f}×")


if __name__ == "__main__":
    main()
