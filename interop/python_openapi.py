"""A FastAPI application as an MCP server, two ways, compared: Python FastMCP's
`FastMCP.from_openapi` and our `fastmcp run --openapi URL/openapi.json --base-url URL` (driven
over stdio by the Python `mcp` client). Run by scripts/interop.sh.

Usage: python python_openapi.py FASTMCP_BINARY OAS_EXAMPLES_DIR

The application serves its own /openapi.json (OpenAPI 3.1, as FastAPI writes it). Both servers
must give the same tool names, the same arguments (names, required ones, types) and the same
results (structured content) for the same calls, and HTTP errors as error results.

Then every JSON document of ReadMe's collection of OpenAPI 3.0/3.1 examples (npm
`@readme/oas-examples`, Petstore among them: edge cases of parameters, circular schemas,
polymorphism, forms) is served both ways: the tool names and arguments (names, required ones)
must be the same, except where the differences are known and listed in KNOWN below.
"""

import asyncio
import glob
import json
import os
import socket
import subprocess
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
EXAMPLES = sys.argv[2]

# Where we differ from Python FastMCP 4.1.2 on purpose, by document.
KNOWN = {
    # FastMCP flattens a oneOf body with a top-level discriminator and mapping into its
    # options' properties; we keep such a body as one `body` argument (its schema whole).
    "3.0/json/discriminators.json": "a discriminated oneOf body stays one argument",
    # A path item that is a $ref: we follow it (its operations are tools); FastMCP skips it.
    "3.0/json/server-path-level.json": "path item $refs are followed",
    # FastMCP refuses this 3.1 document (its pydantic model); we serve it.
    "3.1/json/train-travel.json": "FastMCP cannot read it",
}
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


def names_and_arguments(schema: dict) -> dict:
    return {"properties": sorted(schema.get("properties", {})), "required": sorted(schema.get("required", []))}


async def example_tools_theirs(doc: str) -> dict:
    spec = json.load(open(doc))
    server = FastMCP.from_openapi(spec, client=httpx2.AsyncClient(base_url="http://127.0.0.1:9"))
    async with FastMCPClient(server) as client:
        return {tool.name: names_and_arguments(tool.input_schema) for tool in await client.list_tools()}


async def example_tools_ours(doc: str) -> dict:
    command = StdioServerParameters(
        command=FASTMCP, args=["run", "--openapi", doc, "--base-url", "http://127.0.0.1:9"])
    async with Client(command, mode="legacy") as client:
        listed = await client.list_tools()
        return {tool.name: names_and_arguments(tool.input_schema) for tool in listed.tools}


async def examples() -> int:
    """Every example document both ways; how many were compared."""
    docs = sorted(glob.glob(f"{EXAMPLES}/3.0/json/*.json") + glob.glob(f"{EXAMPLES}/3.1/json/*.json"))
    check(any(doc.endswith("3.0/json/petstore.json") for doc in docs), f"no Petstore in {EXAMPLES}")
    compared = 0
    for doc in docs:
        label = os.path.relpath(doc, EXAMPLES)
        mine = await asyncio.wait_for(example_tools_ours(doc), 60)
        if label == "3.0/json/petstore.json":
            check(len(mine) >= 19, f"Petstore gave {len(mine)} tools: {sorted(mine)}")
        if label in KNOWN:
            continue
        theirs = await example_tools_theirs(doc)
        compared += 1
        check(sorted(mine) == sorted(theirs),
              f"{label} names: only ours {sorted(set(mine) - set(theirs))}, only FastMCP's {sorted(set(theirs) - set(mine))}")
        for name in sorted(set(mine) & set(theirs)):
            check(mine[name] == theirs[name], f"{label} {name}: ours {mine[name]}, FastMCP's {theirs[name]}")
    return compared


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
        cli = await asyncio.to_thread(
            subprocess.run,
            [FASTMCP, "call", f"openapi:{base}/openapi.json", "--base-url", base, "read_item_items",
             "item_id=3", "q=lamp", "--json"],
            capture_output=True, text=True, timeout=120)
    finally:
        server.should_exit = True
    called = json.loads(cli.stdout or "{}").get("structuredContent")
    check(called == {"id": 3, "q": "lamp"}, f"fastmcp call openapi:…: {cli.returncode} {cli.stdout} {cli.stderr}")
    check(sorted(mine) == sorted(theirs), f"tool names: ours {sorted(mine)}, FastMCP's {sorted(theirs)}")
    for name in sorted(set(mine) & set(theirs)):
        check(mine[name] == theirs[name],
              f"{name} arguments: ours {json.dumps(mine[name])}, FastMCP's {json.dumps(theirs[name])}")
    for (name, arguments), mine_r, theirs_r in zip(CALLS, my_results, their_results):
        check(mine_r == theirs_r, f"{name}({arguments}): ours {mine_r}, FastMCP's {theirs_r}")
    check(error_text.startswith('HTTP error 404: Not Found - {"detail":"no such item"}'), f"404 text {error_text!r}")
    compared = await examples()
    if FAILURES:
        for failure in FAILURES:
            print(f"FAIL: {failure}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: a FastAPI app through fastmcp run --openapi matches Python FastMCP's from_openapi "
          f"({len(mine)} tools, {len(CALLS)} calls); fastmcp call openapi:URL works")
    print(f"ok: {compared} example OpenAPI documents (Petstore among them) give the same tools as "
          f"Python FastMCP's from_openapi ({len(KNOWN)} known differences, listed in the script)")


asyncio.run(main())
