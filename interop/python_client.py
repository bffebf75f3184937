"""The official Python MCP client (PyPI `mcp`) drives a FastMCP-for-Rust server over stdio.

Usage: python python_client.py SERVER_COMMAND [ARGS...]

Checks: tools/list, `add`, and `long_task` with a progress callback that must see strictly
increasing values ending at steps/steps. Exits non-zero with a message on any mismatch.
"""

import asyncio
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

STEPS = 4


def check(condition: bool, message: str) -> None:
    if not condition:
        print(f"FAIL: {message}", file=sys.stderr)
        sys.exit(1)


async def main() -> None:
    params = StdioServerParameters(command=sys.argv[1], args=sys.argv[2:])
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        init = await session.initialize()
        check(init.server_info.name == "quickstart", f"server name {init.server_info.name!r}")

        tools = await session.list_tools()
        names = [tool.name for tool in tools.tools]
        check(names == ["add", "long_task"], f"tools {names}")
        add_tool = tools.tools[0]
        check(add_tool.input_schema["required"] == ["a", "b"], f"add schema {add_tool.input_schema}")

        added = await session.call_tool("add", {"a": 2, "b": 40})
        check(not added.is_error, f"add failed: {added}")
        check(added.structured_content == {"result": 42}, f"add structured {added.structured_content}")
        check(added.content[0].text == "42", f"add text {added.content[0].text!r}")

        seen: list[tuple[float, float | None, str | None]] = []

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            seen.append((progress, total, message))

        result = await session.call_tool(
            "long_task", {"steps": STEPS, "delay_ms": 30}, progress_callback=on_progress
        )
        check(not result.is_error, f"long_task failed: {result}")
        check(result.content[0].text == f"done after {STEPS} steps", f"long_task text {result.content}")
        values = [p for p, _, _ in seen]
        check(len(values) >= 1, "no progress received")
        check(all(a < b for a, b in zip(values, values[1:])), f"progress not strictly increasing: {values}")
        check(seen[-1][:2] == (STEPS, STEPS), f"last progress {seen[-1]}, expected {STEPS}/{STEPS}")
        check(seen[-1][2] == f"step {STEPS} of {STEPS}", f"last message {seen[-1][2]!r}")

        bad = await session.call_tool("add", {"a": 1, "b": "x"})
        check(bad.is_error, "bad arguments should give an error result")
        check("b: invalid type" in bad.content[0].text, f"bad-argument message {bad.content[0].text!r}")

    print(f"ok: python mcp client drove the quickstart server; progress {values}")


asyncio.run(main())
