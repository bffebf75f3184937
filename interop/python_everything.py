"""The official Python MCP client (PyPI `mcp`) drives FastMCP-for-Rust's `everything` server over
stdio, once on the legacy protocol (initialize) and once on 2026-07-28 (stateless, with
InputRequiredResult rounds driven by the client's callbacks).

Usage: python python_everything.py SERVER_COMMAND [ARGS...]

Exercises resources, templates, prompts, completion, logging, elicitation and sampling
callbacks. Exits non-zero with a message on the first mismatch.
"""

import asyncio
import sys
import warnings

from mcp import Client, StdioServerParameters, types

warnings.simplefilter("ignore")  # SEP-2577 deprecation notices for logging/sampling

FAILURES: list[str] = []


def check(condition: bool, message: str) -> None:
    if not condition:
        FAILURES.append(message)


async def on_sampling(context, params: types.CreateMessageRequestParams):
    asked = params.messages[0].content.text
    return types.CreateMessageResult(
        role="assistant",
        content=types.TextContent(type="text", text=f"echo: {asked}"),
        model="python-test-model",
        stop_reason="endTurn",
    )


async def on_elicitation(context, params):
    properties = params.requested_schema.get("properties", {}) if isinstance(params.requested_schema, dict) else {}
    if "username" in properties:
        return types.ElicitResult(action="accept", content={"username": "ada", "email": "ada@example.com"})
    if "name" in properties:
        return types.ElicitResult(action="accept", content={"name": "Ada"})
    return types.ElicitResult(action="decline")


async def on_roots(context):
    return types.ListRootsResult(roots=[types.Root(uri="file:///work", name="work")])


async def run(command: list[str], mode: str) -> None:
    logs: list[str] = []

    async def on_log(params: types.LoggingMessageNotificationParams) -> None:
        logs.append(str(params.data))

    params = StdioServerParameters(command=command[0], args=command[1:])
    client = Client(
        params,
        mode=mode,
        sampling_callback=on_sampling,
        elicitation_callback=on_elicitation,
        list_roots_callback=on_roots,
        logging_callback=on_log,
        log_level="debug" if mode != "legacy" else None,
    )
    async with client:
        tag = f"[{mode}]"
        check(client.protocol_version == ("2025-11-25" if mode == "legacy" else "2026-07-28"), f"{tag} version {client.protocol_version}")

        resources = await client.list_resources()
        uris = sorted(r.uri for r in resources.resources)
        check(uris == ["test://static-binary", "test://static-text", "test://watched-resource"], f"{tag} resources {uris}")
        text = await client.read_resource("test://static-text")
        check(text.contents[0].text == "This is the content of the static text resource.", f"{tag} static text {text}")
        binary = await client.read_resource("test://static-binary")
        check(binary.contents[0].mime_type == "image/png" and len(binary.contents[0].blob) > 20, f"{tag} binary {binary}")

        templates = await client.list_resource_templates()
        check([t.uri_template for t in templates.resource_templates] == ["test://template/{id}/data"], f"{tag} templates {templates}")
        templated = await client.read_resource("test://template/42/data")
        check('"id":"42"' in templated.contents[0].text, f"{tag} template read {templated}")

        prompts = await client.list_prompts()
        names = [p.name for p in prompts.prompts]
        check("test_prompt_with_arguments" in names, f"{tag} prompts {names}")
        prompt = await client.get_prompt("test_prompt_with_arguments", {"arg1": "a", "arg2": "b"})
        check(prompt.messages[0].content.text == "Prompt with arguments: arg1='a', arg2='b'", f"{tag} prompt {prompt}")
        image = await client.get_prompt("test_prompt_with_image")
        check(image.messages[0].content.type == "image", f"{tag} image prompt {image}")

        completion = await client.complete(
            types.ResourceTemplateReference(type="ref/resource", uri="test://template/{id}/data"),
            {"name": "id", "value": "4"},
        )
        check(completion.completion.values == ["42"], f"{tag} completion {completion}")

        if mode == "legacy":
            await client.set_logging_level("debug")
        result = await client.call_tool("test_tool_with_logging", {})
        check(result.content[0].text == "Tool with logging executed successfully", f"{tag} logging tool {result}")

        sampled = await client.call_tool("test_sampling", {"prompt": "hello"})
        check(sampled.content[0].text == "LLM response: echo: hello", f"{tag} sampling {sampled.content}")

        elicited = await client.call_tool("test_elicitation", {"message": "Who are you?"})
        check("action=accept" in elicited.content[0].text and "ada@example.com" in elicited.content[0].text,
              f"{tag} elicitation {elicited.content}")

        if mode != "legacy":
            rounds = await client.call_tool("test_input_required_result_multiple_inputs", {})
            check(rounds.content[0].text == "name=Ada, greeting=echo: Generate a greeting, roots=1",
                  f"{tag} multi-input round {rounds.content}")

    # Log notifications are delivered asynchronously; all three belong to the logging tool.
    check(sum("Tool" in line for line in logs) >= 3, f"[{mode}] logs {logs}")


async def main() -> None:
    command = sys.argv[1:]
    for mode in ["legacy", "2026-07-28"]:
        await run(command, mode)
    if FAILURES:
        for failure in FAILURES:
            print(f"FAIL: {failure}", file=sys.stderr)
        sys.exit(1)
    print("ok: python mcp client exercised everything in both eras (legacy, 2026-07-28)")


asyncio.run(main())
