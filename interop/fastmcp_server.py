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


if __name__ == "__main__":
    mcp.run(show_banner=False)
