"""The official Python MCP client (PyPI `mcp`) drives FastMCP-for-Rust's `composed` example (mounts,
a transformed tool, masking middleware), in both eras.

Usage: python python_composed.py SERVER_COMMAND [ARGS...]   (stdio)
       python python_composed.py http://127.0.0.1:PORT/mcp  (Streamable HTTP)

Checks the mounted names (`qs_add`, `qs_long_task` with progress, `test://ev/...` resources and
templates), `add_ten` (only `a` in its schema; 1 -> 11), and the masked error of `boom`.
Exits non-zero with a message on the first mismatch.
"""

import asyncio
import sys
import warnings

from mcp import Client, StdioServerParameters

warnings.simplefilter("ignore")

FAILURES: list[str] = []


def check(condition: bool, message: str) -> None:
    if not condition:
        FAILURES.append(message)


async def run(target: str | StdioServerParameters, mode: str) -> None:
    tag = f"[{mode}]"
    async with Client(target, mode=mode) as client:
        tools = await client.list_tools()
        names = {tool.name for tool in tools.tools}
        for expected in ["qs_add", "qs_long_task", "add_ten", "boom"]:
            check(expected in names, f"{tag} {expected} missing from {sorted(names)}")
        add_ten = next(tool for tool in tools.tools if tool.name == "add_ten")
        check(list(add_ten.input_schema["properties"]) == ["a"], f"{tag} add_ten schema {add_ten.input_schema}")

        eleven = await client.call_tool("add_ten", {"a": 1})
        check(not eleven.is_error and eleven.content[0].text == "11", f"{tag} add_ten(1) = {eleven}")
        sum_ = await client.call_tool("qs_add", {"a": 2, "b": 40})
        check(sum_.content[0].text == "42", f"{tag} qs_add = {sum_}")

        seen: list[float] = []

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            seen.append(progress)

        done = await client.call_tool("qs_long_task", {"steps": 3, "delay_ms": 30}, progress_callback=on_progress)
        check(done.content[0].text == "done after 3 steps", f"{tag} qs_long_task = {done}")
        check(seen and seen[-1] == 3, f"{tag} progress {seen}")

        static = await client.read_resource("test://ev/static-text")
        check(static.contents[0].text == "This is the content of the static text resource.", f"{tag} static {static}")
        templates = await client.list_resource_templates()
        uris = [template.uri_template for template in templates.resource_templates]
        check("test://ev/template/{id}/data" in uris, f"{tag} templates {uris}")
        data = await client.read_resource("test://ev/template/7/data")
        check("Data for ID: 7" in data.contents[0].text, f"{tag} template read {data}")

        boom = await client.call_tool("boom", {})
        text = boom.content[0].text
        check(boom.is_error and "error id" in text and "database" not in text, f"{tag} boom {text!r}")


async def main() -> None:
    if sys.argv[1].startswith("http"):
        target: str | StdioServerParameters = sys.argv[1]
    else:
        target = StdioServerParameters(command=sys.argv[1], args=sys.argv[2:])
    for mode in ["legacy", "2026-07-28"]:
        await run(target, mode)
    if FAILURES:
        for failure in FAILURES:
            print(f"FAIL: {failure}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: python mcp client drove the composed server ({sys.argv[1]}) in both eras")


asyncio.run(main())
