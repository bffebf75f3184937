"""A Python FastMCP server that reports progress, for FastMCP-for-Rust's client and CLI to drive.

Run over stdio: python fastmcp_server.py
"""

import asyncio

from fastmcp import Context, FastMCP

mcp = FastMCP("python-progress")


@mcp.tool
async def long_task(steps: int, ctx: Context) -> str:
    """Report progress for each of `steps` steps."""
    for i in range(1, steps + 1):
        await ctx.report_progress(progress=i, total=steps, message=f"step {i} of {steps}")
        await asyncio.sleep(0.01)
    return f"done after {steps} steps"


@mcp.tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@mcp.resource("data://greeting", mime_type="text/plain")
def greeting() -> str:
    """A fixed greeting."""
    return "hello from python"


@mcp.resource("weather://{city}/today")
def weather(city: str) -> str:
    """Weather for a city."""
    return f"sunny in {city}"


@mcp.prompt
def review(code: str) -> str:
    """Ask for a review of `code`."""
    return f"Please review: {code}"


@mcp.tool
async def ask_name(ctx: Context) -> str:
    """Ask the user for their name."""
    result = await ctx.elicit("What is your name?", response_type=str)
    if result.action == "accept":
        return f"Hello, {result.data}!"
    return result.action


if __name__ == "__main__":
    import sys

    if len(sys.argv) == 3 and sys.argv[1] == "--sse":
        # The legacy HTTP+SSE transport (2024-11-05) on 127.0.0.1:PORT, path /sse.
        mcp.run(transport="sse", host="127.0.0.1", port=int(sys.argv[2]), show_banner=False)
    else:
        mcp.run(show_banner=False)
