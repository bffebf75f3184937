"""Shared by the HTTP benchmark scripts: where the benchmark's servers live."""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def bench_binary() -> str:
    """The release build of `cargo bench -p fastmcp --bench http` (built if needed); its
    `--serve KIND` mode prints a port and serves one of the benchmark's servers."""
    out = subprocess.run(
        ["cargo", "bench", "-q", "-p", "fastmcp", "--bench", "http", "--no-run",
         "--message-format=json"], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        message = json.loads(line)
        if message.get("reason") == "compiler-artifact" and message.get("executable") \
                and message["target"]["name"] == "http":
            return message["executable"]
    sys.exit("cannot find the http bench binary")
