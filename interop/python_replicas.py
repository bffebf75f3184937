"""Sessions, streams and tasks through several replicas of our `everything` server behind haproxy
(round robin, no affinity), state in Redis: run by scripts/replicas.sh.

Usage: python python_replicas.py BALANCER_URL EVERYTHING_BINARY LOGS_DIR NAME=PORT=PID...

haproxy adds `x-served-by: NAME` to each response, so the script knows which replica answered.
Replicas it restarts are started here (same binary, same port, the environment it was given:
FASTMCP_REDIS_URL) and stopped when it ends.

1. The official Python client (`mcp`) runs a legacy session through the balancer: every request
   may land on another replica. Tools, progress, sampling, elicitation, logging, a resource
   subscription (updates on every replica heard) and a list change.
2. A replica holding a session's GET stream is killed (`kill -9`): the client resumes with
   Last-Event-ID through the balancer and gets every event sent since, exactly once.
3. A task started through one replica is followed to its result through the others, and its
   result is still there after that replica is killed.
4. All replicas are restarted in turn while the Python client's session stays open: the session
   continues through each new set of replicas.
"""

import asyncio
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import warnings

from mcp import Client, types

warnings.simplefilter("ignore")  # SEP-2577 deprecation notices for logging/sampling

URL, EVERYTHING, LOGS = sys.argv[1], sys.argv[2], sys.argv[3]
REPLICAS = {}
for spec in sys.argv[4:]:
    name, port, pid = spec.split("=")
    REPLICAS[name] = {"port": int(port), "pid": int(pid), "process": None}
PARSED = urllib.parse.urlparse(URL)
FAILURES: list[str] = []


def check(condition: bool, message: str) -> None:
    if not condition:
        FAILURES.append(message)
        print(f"FAIL: {message}", file=sys.stderr)


REPORTED = 0


def report(scenario: str) -> None:
    """Says a scenario passed, if no check failed since the last report."""
    global REPORTED
    if len(FAILURES) == REPORTED:
        print(f"ok: {scenario}")
    REPORTED = len(FAILURES)


# --- raw HTTP through the balancer -------------------------------------------------------------

LEGACY = {"mcp-protocol-version": "2025-11-25"}
META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {"extensions": {"io.modelcontextprotocol/tasks": {}}},
        "io.modelcontextprotocol/clientInfo": {"name": "replicas", "version": "0"}}


def connection() -> http.client.HTTPConnection:
    return http.client.HTTPConnection(PARSED.hostname, PARSED.port, timeout=60)


def post(body: dict, headers: dict) -> tuple[int, dict, list[dict]]:
    """(status, headers, JSON-RPC messages) of one POST."""
    conn = connection()
    conn.request("POST", PARSED.path, json.dumps(body), {
        "content-type": "application/json", "accept": "application/json, text/event-stream", **headers})
    response = conn.getresponse()
    text = response.read().decode()
    conn.close()
    if response.getheader("content-type", "").startswith("application/json"):
        messages = [json.loads(text)] if text else []
    else:
        messages = [json.loads(e["data"]) for e in parse_events(text) if e.get("data")]
    return response.status, {k.lower(): v for k, v in response.getheaders()}, messages


def parse_events(text: str) -> list[dict]:
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        event = {}
        for line in block.split("\n"):
            field, _, value = line.partition(":")
            if field in ("id", "data"):
                event[field] = value.strip()
        if event:
            events.append(event)
    return events


class EventStream:
    """A GET stream read event by event (bounded waits)."""

    def __init__(self, session: str, last_event_id: str | None = None):
        self.conn = connection()
        headers = {"accept": "text/event-stream", "mcp-session-id": session, **LEGACY}
        if last_event_id:
            headers["last-event-id"] = last_event_id
        self.conn.request("GET", PARSED.path, headers=headers)
        self.response = self.conn.getresponse()
        self.served_by = self.response.getheader("x-served-by")
        self.buffer = ""

    def next(self, wanted) -> tuple[str | None, dict]:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            while "\n\n" in self.buffer:
                block, self.buffer = self.buffer.split("\n\n", 1)
                for event in parse_events(block):
                    if event.get("data"):
                        message = json.loads(event["data"])
                        if wanted(message):
                            return event.get("id"), message
            chunk = self.response.read1(65536)
            if not chunk:
                raise RuntimeError("the GET stream ended")
            self.buffer += chunk.decode().replace("\r\n", "\n")
        raise TimeoutError("no such event within 30 s")

    def close(self) -> None:
        self.conn.close()


def open_session() -> str:
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}}
    status, headers, _ = post(init, LEGACY)
    check(status == 200, f"initialize: {status}")
    session = headers["mcp-session-id"]
    post({"jsonrpc": "2.0", "method": "notifications/initialized"}, {**LEGACY, "mcp-session-id": session})
    return session


def call_in(session: str, request_id: int, name: str, arguments: dict | None = None) -> dict:
    body = {"jsonrpc": "2.0", "id": request_id, "method": "tools/call",
            "params": {"name": name, "arguments": arguments or {}}}
    status, _, messages = post(body, {**LEGACY, "mcp-session-id": session})
    check(status == 200, f"{name} in session: status {status}")
    return next((m for m in messages if m.get("id") == request_id), {})


# --- replicas ----------------------------------------------------------------------------------

def kill(name: str, sig=signal.SIGKILL) -> None:
    replica = REPLICAS[name]
    try:
        os.kill(replica["pid"], sig)
    except ProcessLookupError:
        pass
    if replica["process"] is not None:
        replica["process"].wait(timeout=30)
    else:
        # Started by the shell (not our child): wait until its port is free.
        wait_for(lambda: not accepts(replica["port"]), f"{name} to stop")


def start(name: str) -> None:
    replica = REPLICAS[name]
    log = open(os.path.join(LOGS, f"restarted-{name}.log"), "ab")
    process = subprocess.Popen([EVERYTHING, "--http", f"127.0.0.1:{replica['port']}"], stdout=log, stderr=log)
    replica.update(pid=process.pid, process=process)
    wait_for(lambda: accepts(replica["port"]), f"{name} to listen again")


def accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise TimeoutError(f"waited 30 s for {what}")


def stop_ours() -> None:
    for replica in REPLICAS.values():
        if replica["process"] is not None and replica["process"].poll() is None:
            replica["process"].terminate()
            replica["process"].wait(timeout=30)


# --- 1. the Python client's legacy session -----------------------------------------------------

async def on_sampling(context, params: types.CreateMessageRequestParams):
    return types.CreateMessageResult(role="assistant", model="python-test-model", stop_reason="endTurn",
                                     content=types.TextContent(type="text", text=f"echo: {params.messages[0].content.text}"))


async def on_elicitation(context, params):
    return types.ElicitResult(action="accept", content={"username": "ada", "email": "ada@example.com"})


def python_client(logs: list[str], heard: list[tuple[str, str]] | None = None) -> Client:
    async def on_log(params: types.LoggingMessageNotificationParams) -> None:
        logs.append(str(params.data))

    async def on_message(message) -> None:
        notification = getattr(message, "root", message)
        method = getattr(notification, "method", None)
        if heard is not None and method:
            params = getattr(notification, "params", None)
            heard.append((method, str(getattr(params, "uri", ""))))

    return Client(URL, mode="legacy", sampling_callback=on_sampling, elicitation_callback=on_elicitation,
                  logging_callback=on_log, message_handler=on_message)


async def until_heard(heard: list[tuple[str, str]], wanted: tuple[str, str], count: int, tag: str) -> None:
    """Waits (30 s at most) until `wanted` was heard `count` times."""
    deadline = time.monotonic() + 30
    while heard.count(wanted) < count and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    check(heard.count(wanted) >= count, f"{tag}: {wanted} heard {heard.count(wanted)} of {count} times: {heard}")


async def subscription_and_list_change(client: Client, heard: list[tuple[str, str]]) -> None:
    """Subscribed through one replica; the resource updated on each (its notification reaches
    the client's GET stream, wherever that is); then a list change on one of them."""
    uri = "test://watched-resource"
    await client.subscribe_resource(uri)
    for _ in REPLICAS:
        touched = await client.call_tool("test_touch_watched_resource", {})
        check(not touched.is_error, f"[subscription] touch {touched.content}")
    await until_heard(heard, ("notifications/resources/updated", uri), len(REPLICAS), "[subscription]")
    await client.unsubscribe_resource(uri)
    changed = await client.call_tool("test_trigger_tool_change", {})
    check(not changed.is_error, f"[list change] {changed.content}")
    await until_heard(heard, ("notifications/tools/list_changed", ""), 1, "[list change]")
    check(heard.count(("notifications/resources/updated", uri)) == len(REPLICAS),
          f"[subscription] updates after unsubscribing: {heard}")


async def exercise(client: Client, tag: str) -> None:
    """One round of everything a session does; its requests spread over the replicas."""
    tools = await client.list_tools()
    check(any(t.name == "test_tool_with_progress" for t in tools.tools), f"{tag} tools/list")
    for n in range(len(REPLICAS)):
        greeted = await client.call_tool("greet", {"name": f"r{n}"})
        check(greeted.content[0].text == f"Hello, r{n}!", f"{tag} greet {greeted.content}")
    seen: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(progress)

    result = await client.call_tool("test_tool_with_progress", {}, progress_callback=on_progress)
    check(not result.is_error and seen == [0, 50, 100], f"{tag} progress {seen} {result.content}")
    sampled = await client.call_tool("test_sampling", {"prompt": "hello"})
    check(sampled.content[0].text == "LLM response: echo: hello", f"{tag} sampling {sampled.content}")
    elicited = await client.call_tool("test_elicitation", {"message": "Who are you?"})
    check("ada@example.com" in elicited.content[0].text, f"{tag} elicitation {elicited.content}")
    logged = await client.call_tool("test_tool_with_logging", {})
    check(logged.content[0].text == "Tool with logging executed successfully", f"{tag} logging {logged.content}")


async def python_session_and_rolling_restart() -> None:
    logs: list[str] = []
    heard: list[tuple[str, str]] = []
    async with python_client(logs, heard) as client:
        check(client.protocol_version == "2025-11-25", f"version {client.protocol_version}")
        await exercise(client, "[python session]")
        check(sum("Tool" in line for line in logs) >= 3, f"[python session] logs {logs}")
        await subscription_and_list_change(client, heard)
        report("the Python client's legacy session ran through all replicas (subscription, list change included)")

        # 4. Every replica restarted in turn; the session goes on through each new set.
        for name in REPLICAS:
            await asyncio.to_thread(kill, name, signal.SIGTERM)
            await asyncio.to_thread(start, name)
            await exercise(client, f"[after restarting {name}]")
        report(f"the session continued while all {len(REPLICAS)} replicas were restarted in turn")


# --- 2. kill -9 under a GET stream, resumed through the balancer -------------------------------

def resume_after_kill() -> str:
    session = open_session()
    stream = EventStream(session)
    holder = stream.served_by
    check(holder in REPLICAS, f"x-served-by {holder!r}")
    changed = lambda m: m.get("method") in ("notifications/tools/list_changed", "notifications/prompts/list_changed")
    call_in(session, 10, "test_trigger_tool_change")
    last_id, first = stream.next(changed)
    check(first["method"] == "notifications/tools/list_changed" and last_id, f"first event {last_id} {first}")

    kill(holder)  # kill -9: the stream breaks with the process
    stream.close()
    sent = 3
    for n in range(sent):
        call_in(session, 11 + n, "test_trigger_tool_change")
    call_in(session, 20, "test_trigger_prompt_change")  # the last one: a different notification

    resumed = EventStream(session, last_id)
    check(resumed.served_by != holder, f"resumed on the killed replica {holder}")
    ids, tools_changed = [], 0
    while True:
        event_id, message = resumed.next(changed)
        ids.append(event_id)
        if message["method"] == "notifications/prompts/list_changed":
            break
        tools_changed += 1
    resumed.close()
    check(tools_changed == sent, f"resumed stream carried {tools_changed} tools/list_changed, {sent} were sent")
    check(len(set(ids)) == len(ids) and last_id not in ids, f"event ids repeat: {last_id} {ids}")
    report(f"GET stream on {holder} killed; resumed on {resumed.served_by} with every event once")
    return holder


# --- 3. a task through any replica, after its replica is killed --------------------------------

def task_after_kill() -> str:
    headers = {"mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "slow_compute"}
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "slow_compute", "arguments": {"seconds": 0.3, "label": "x"}, "_meta": META}}
    status, response_headers, messages = post(call, headers)
    created = messages[0].get("result", {}) if messages else {}
    check(status == 200 and created.get("resultType") == "task", f"task not created: {status} {messages}")
    task, owner = created.get("taskId"), response_headers.get("x-served-by")

    def get() -> tuple[dict, str]:
        body = {"jsonrpc": "2.0", "id": 2, "method": "tasks/get", "params": {"taskId": task, "_meta": META}}
        _, h, answer = post(body, {"mcp-protocol-version": "2026-07-28", "mcp-method": "tasks/get", "mcp-name": task})
        return (answer[0] if answer else {}), h.get("x-served-by")

    served, state = set(), {}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        state, by = get()
        check("error" not in state, f"tasks/get through {by}: {state}")
        served.add(by)
        if state.get("result", {}).get("status") != "working":
            break
        time.sleep(0.05)
    check(state.get("result", {}).get("status") == "completed", f"task ended as {state}")
    check(len(served) > 1, f"tasks/get only reached {served}")
    kill(owner)
    for _ in range(len(REPLICAS)):
        state, by = get()
        result = state.get("result", {})
        text = result.get("result", {}).get("content", [{}])[0].get("text")
        check(result.get("status") == "completed" and text == "computed x after 0.3s",
              f"after {owner} was killed, {by} answered {state}")
    report(f"task run by {owner}, followed through {sorted(s for s in served if s)}, result kept after kill -9")
    return owner


def main() -> None:
    try:
        asyncio.run(python_session_and_rolling_restart())
        killed = resume_after_kill()
        start(killed)
        killed = task_after_kill()
        start(killed)
    finally:
        stop_ours()
    if FAILURES:
        sys.exit(1)


main()
