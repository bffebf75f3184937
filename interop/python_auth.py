"""The Python FastMCP client (PyPI `fastmcp`) against our everything server with auth on.

Usage: python python_auth.py EVERYTHING_BINARY [FASTMCP_CLI]

Generates an RSA key, serves its JWKS on 127.0.0.1, starts our server with
`--auth-jwks-uri/--auth-issuer/--auth-audience`, then checks with FastMCP's client:
a token with scope `admin` lists and calls `admin_echo`; a token without it does not see the
tool and cannot call it; no token is refused with 401; the Protected Resource Metadata names
the issuer. Exits non-zero with a message on the first mismatch.
"""

import asyncio
import base64
import http.server
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import warnings

from cryptography.hazmat.primitives import serialization
from fastmcp import Client
from fastmcp.server.auth.providers.jwt import RSAKeyPair

warnings.simplefilter("ignore")
ISSUER = "https://issuer.interop.test"
FAILURES: list[str] = []


def check(condition: bool, message: str) -> None:
    if not condition:
        FAILURES.append(message)


def b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def serve_jwks(key: RSAKeyPair) -> str:
    pem = key.public_key.get_secret_value() if hasattr(key.public_key, "get_secret_value") else key.public_key
    numbers = serialization.load_pem_public_key(pem.encode()).public_numbers()
    body = json.dumps({"keys": [{"kty": "RSA", "kid": "interop", "use": "sig", "alg": "RS256",
                                 "n": b64(numbers.n), "e": b64(numbers.e)}]}).encode()

    class Jwks(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/jwks"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, child: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if child.poll() is not None:
            sys.exit(f"FAIL: the server exited with {child.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("FAIL: the server did not start listening within 60 s")


def raw_status(url: str) -> int:
    """The HTTP status of an `initialize` POSTed without a token."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "raw", "version": "0"}}}).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "content-type": "application/json", "accept": "application/json, text/event-stream"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


async def checks(url: str, key: RSAKeyPair, base: str) -> None:
    def token(scopes: list[str]) -> str:
        return key.create_token(subject="py", issuer=ISSUER, audience=url, scopes=scopes, kid="interop")

    async with Client(url, auth=token(["admin"])) as client:
        names = [t.name for t in await client.list_tools()]
        check("admin_echo" in names, f"admin token: admin_echo listed, got {names}")
        result = await client.call_tool("admin_echo", {"text": "hi"})
        check(result.content[0].text == "hi", f"admin_echo = {result}")

    async with Client(url, auth=token(["read"])) as client:
        names = [t.name for t in await client.list_tools()]
        check("admin_echo" not in names and "greet" in names, f"reader token lists {names}")
        try:
            await client.call_tool("admin_echo", {"text": "hi"})
            check(False, "a token without admin called admin_echo")
        except Exception as error:  # noqa: BLE001 - any refusal will do; it must not succeed
            check("Forbidden" in str(error) and "scope" in str(error), f"refusal: {error!r}")

    status = raw_status(url)
    check(status == 401, f"no token: HTTP {status}")
    try:
        async with Client(url) as client:
            await client.list_tools()
        check(False, "no token was let in")
    except Exception as error:  # noqa: BLE001
        check("Unauthorized" in str(error), f"no token: {error!r}")

    with urllib.request.urlopen(f"{base}/.well-known/oauth-protected-resource/mcp", timeout=30) as page:
        metadata = json.load(page)
    check(metadata.get("resource") == url, f"metadata resource {metadata}")
    check(metadata.get("authorization_servers") == [ISSUER], f"metadata issuers {metadata}")


async def proxy_checks(url: str, key: RSAKeyPair) -> None:
    def token(scopes: list[str]) -> str:
        return key.create_token(subject="py", issuer=ISSUER, audience=url, scopes=scopes, kid="interop")

    async with Client(url, auth=token(["read"])) as client:
        result = await client.call_tool("test_simple_text", {})
        check(bool(result.content[0].text), f"through the proxy: {result}")
    try:
        async with Client(url, auth=token(["write"])) as client:
            await client.list_tools()
        check(False, "a token without the required scope was let through the proxy")
    except Exception as error:  # noqa: BLE001
        check("Forbidden" in str(error), f"proxy, wrong scope: {error!r}")
    status = raw_status(url)
    check(status == 401, f"proxy, no token: HTTP {status}")


def serve(command: list[str], port: int, check_urls) -> None:
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        wait_for(port, child)
        asyncio.run(asyncio.wait_for(check_urls(), 120))
    finally:
        child.kill()
        child.wait()


def main() -> None:
    binary = sys.argv[1]
    key = RSAKeyPair.generate()
    jwks = serve_jwks(key)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/mcp"
    auth_flags = ["--auth-jwks-uri", jwks, "--auth-issuer", ISSUER,
                  "--auth-authorization-servers", ISSUER, "--auth-base-url", base]
    serve([binary, "--http", f"127.0.0.1:{port}", "--auth-audience", url, *auth_flags], port,
          lambda: checks(url, key, base))
    if len(sys.argv) > 2:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        url = f"{base}/mcp"
        auth_flags[-1] = base
        serve([sys.argv[2], "run", binary, "--transport", "http", "--port", str(port), *auth_flags,
               "--auth-required-scopes", "read"], port, lambda: proxy_checks(url, key))
    if FAILURES:
        sys.exit("FAIL:\n  " + "\n  ".join(FAILURES))
    print("ok: python fastmcp client with a bearer token: scoped tool listed and called with admin, "
          "hidden and refused without, 401 without a token, metadata served"
          + ("; through fastmcp run with --auth-*: 200 / 403 / 401" if len(sys.argv) > 2 else ""))


if __name__ == "__main__":
    main()
