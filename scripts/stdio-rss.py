#!/usr/bin/env python3
"""Memory of a stdio MCP server: RSS after the handshake and after 10,000 `tools/call add`.

Usage: scripts/stdio-rss.py BINARY [ARGS...]   (default: the quickstart built with --profile dist)

Prints VmRSS with its anonymous (heap, stacks) and file-backed (the binary's code, libc) parts.
A measurement, not a test: BENCHMARKS.md records the figures.
"""
import json
import os
import subprocess
import sys

CALLS = 10_000


def rss(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile"):
                fields[key] = int(value.split()[0]) / 1024
    return fields


def main():
    command = sys.argv[1:] or ["target/dist/examples/quickstart"]
    server = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True, bufsize=1)

    def send(message):
        server.stdin.write(json.dumps(message) + "\n")
        server.stdin.flush()

    def answer(expected_id):
        while True:
            line = server.stdout.readline()
            if not line:
                sys.exit("the server closed its stdout")
            message = json.loads(line)
            if message.get("id") == expected_id:
                return message

    send({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "rss", "version": "0"}}})
    answer(0)
    send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    idle = rss(server.pid)
    for i in range(1, CALLS + 1):
        send({"jsonrpc": "2.0", "id": i, "method": "tools/call",
              "params": {"name": "add", "arguments": {"a": i, "b": 1}}})
        reply = answer(i)
        if reply.get("result", {}).get("structuredContent", {}).get("result") != i + 1:
            sys.exit(f"unexpected answer: {reply}")
    loaded = rss(server.pid)
    server.stdin.close()
    server.wait(timeout=10)
    print(f"{' '.join(command)}")
    for name, figures in (("after handshake", idle), (f"after {CALLS} calls", loaded)):
        print(f"  {name:<18} RSS {figures['VmRSS']:.1f} MiB "
              f"(anonymous {figures['RssAnon']:.1f}, file-backed {figures['RssFile']:.1f})")


if __name__ == "__main__":
    os.environ.setdefault("FASTMCP_LOG_LEVEL", "error")
    main()
