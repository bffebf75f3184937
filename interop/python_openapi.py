"""A FastAPI application as an MCP server, two ways, compared: Python FastMCP's
`FastMCP.from_openapi` and our `fastmcp run --openapi URL/openapi.json --base-url URL` (driven
over stdio by the Python `mcp` client). Run by scripts/interop.sh.

Usage: python python_openapi.py FASTMCP_BINARY

The application serves its own /openapi.json (OpenAPI 3.1, as FastAPI writes it). Both servers
must give the same tool names, the same arguments (names, required ones, types) and the same
results (structured content) for the same calls, and HTTP errors as error results.
"""

import asyncio
import json
import socket
import sys
import threading
import time
import warnings

import httpx2
import uvicorn
from fastapi import FastAPI, Header, HTTPException, Query
from fastmcp import Client as FastMCPClient
from fastmcp import FastMCP
from mcp import Client, StdioServerParameters
from pydantic import BaseModel

warnings.simplefilter("ignore")

FASTMCP = sys.argv[1]
FAILURES: list[str] = []

app = FastAPI(title="Shop")


class NewItem(BaseModel):
    name: str
    price: float = 0.0
    tags: list[str] = []


@app.get("/items/{item_id}")
def read_item(item_id: int, q: str | None = None):
    if item_id == 404:
        raise HTTPException(status_code=404, detail="no such item")
    return {"id": item_id, "q": q}


@app.post("/items")
def create_item(item: NewItem, x_token: str = Header()):
    return {"id": 1, "name": item.name, "price": item.price, "tags": item.tags, "token": x_token}


@app.get("/search")
def search(tags: list[str] = Query(default=[]), limit: int = 10):
    return [f"{tag}:{limit}" for tag in tags]


@app.get("/stats/by-tag", operation_id="stats_by_tag__get")
def stats():
    return {"count": 3}


CALLS = [
    ("read_item_items", {"item_id": 3, "q": "lamp"}),
    ("create_item_items_post", {"name": "chair", "price": 12.5, "tags": ["wood"], "x-token": "secret"}),
    ("search_search_get", {"tags": ["red", "blue"], "limit": 2}),
    ("stats_by_tag", {}),
    ("read_item_items", {"item_id": 404}),
]


def check(condition: bool, message: str) -> None:
    if not condition:
        FAILURES.append(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shape(schema: dict) -> dict:
    """What both must agree on in an input schema: argument names, required ones, types."""
    properties = schema.get("properties", {})

    def kind(prop: dict) -> object:
        if "anyOf" in prop:
            return sorted(str(kind(p)) for p in prop["anyOf"])
        return prop.get("type")

    return {
        "properties": {name: kind(prop) for name, prop in properties.items()},
        "required": sorted(schema.get("required", [])),
    }


def result_of(result) -> object:
    if getattr(result, "is_error", False) or getattr(result, "isError", False):
        return "error"
    return getattr(result, "structured_content", None)


async def python_fastmcp(base: str, spec: dict) -> tuple[dict, list]:
    server = FastMCP.from_openapi(spec, client=httpx2.AsyncClient(base_url=base))
    async with FastMCPClient(server) as client:
        tools = {tool.name: shape(tool.input_schema) for tool in await client.list_tools()}
        results = []
        for name, arguments in CALLS:
            results.append(result_of(await client.call_tool(name, arguments, raise_on_error=False)))
    return tools, results


async def ours(base: str) -> tuple[dict, list, str]:
    command = StdioServerParameters(
        command=FASTMCP, args=["run", "--openapi", f"{base}/openapi.json", "--base-url", base])
    async with Client(command, mode="legacy") as client:
        listed = await client.list_tools()
        tools = {tool.name: shape(tool.input_schema) for tool in listed.tools}
        results = []
        error_text = ""
        for name, arguments in CALLS:
            result = await client.call_tool(name, arguments)
            results.append(result_of(result))
            if result.is_error:
                error_text = result.content[0].text
    return tools, results, error_text


async def main() -> None:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        theirs, their_results = await python_fastmcp(base, app.openapi())
        mine, my_results, error_text = await ours(base)
    finally:
        server.should_exit = True
    check(sorted(mine) == sorted(theirs), f"tool names: ours {sorted(mine)}, FastMCP's {sorted(theirs)}")
    for name in sorted(set(mine) & set(theirs)):
        check(mine[name] == theirs[name],
              f"{name} arguments: ours {json.dumps(mine[name])}, FastMCP's {json.dumps(theirs[name])}")
    for (name, arguments), mine_r, theirs_r in zip(CALLS, my_results, their_results):
        check(mine_r == theirs_r, f"{name}({arguments}): ours {mine_r}, FastMCP's {theirs_r}")
    check(error_text.startswith('HTTP error 404: Not Found - {"detail":"no such item"}'), f"404 text {error_text!r}")
    if FAILURES:
        for failure in FAILURES:
            print(f"FAIL: {failure}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: a FastAPI app through fastmcp run --openapi matches Python FastMCP's from_openapi "
          f"({len(mine)} tools, {len(CALLS)} calls)")


asyncio.run(main())
