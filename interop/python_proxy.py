"""The official Python MCP client (PyPI `mcp`) drives a server through `fastmcp run`, our proxy.

Usage: python python_proxy.py TARGET [--elicit] [--delay-ms MS]
  TARGET: http://127.0.0.1:PORT/mcp (the proxy over HTTP) or a command line starting the
  proxy over stdio (`fastmcp run URL`).

In both eras (legacy, 2026-07-28): `long_task` must deliver every progress value, strictly
increasing, before its result; with --elicit, `ask_name` (legacy) must receive the answer the
client gives (the upstream asks with a server->client request, which the proxy passes on).
Exits non-zero with a message on the first mismatch.
"""

import argparse
import asyncio
import shlex
import sys
import warnings

from mcp import Client, StdioServerParameters, types

warnings.simplefilter("ignore")

FAILURES: list[str] = []
STEPS = 20


def check(condition: bool, message: str) -> None:
    if not condition:
        FAILURES.append(message)


async def on_elicitation(context, params):
    return types.ElicitResult(action="accept", content={"value": "Ada"})


async def run(target, mode: str, elicit: bool, delay_ms: int | None) -> None:
    tag = f"[{mode}]"
    async with Client(target, mode=mode, elicitation_callback=on_elicitation) as client:
        seen: list[float] = []

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            seen.append(progress)

        arguments = {"steps": STEPS}
        if delay_ms is not None:
            arguments["delay_ms"] = delay_ms
        done = await client.call_tool("long_task", arguments, progress_callback=on_progress)
        check(done.content[0].text == f"done after {STEPS} steps", f"{tag} long_task = {done}")
        check(seen == [float(i) for i in range(1, STEPS + 1)], f"{tag} progress {seen}")
        if elicit and mode == "legacy":
            hello = await client.call_tool("ask_name", {})
            check(hello.content[0].text == "Hello, Ada!", f"{tag} ask_name = {hello}")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("target")
    parser.add_argument("--elicit", action="store_true")
    parser.add_argument("--delay-ms", type=int)
    options = parser.parse_args()
    if options.target.startswith("http"):
        target = options.target
    else:
        command = shlex.split(options.target)
        target = StdioServerParameters(command=command[0], args=command[1:])
    for mode in ["legacy", "2026-07-28"]:
        await run(target, mode, options.elicit, options.delay_ms)
    if FAILURES:
        for failure in FAILURES:
            print(f"FAIL: {failure}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: python mcp client -> fastmcp run ({options.target}): progress in both eras"
          + (", elicitation" if options.elicit else ""))


asyncio.run(main())
