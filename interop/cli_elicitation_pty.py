"""Drives `fastmcp call` through a pseudo-terminal while the server elicits input: the form's
prompts appear, typed answers reach the tool (text, defaults, numbers, booleans, enums), and
`:decline` declines. Without a terminal the same call declines by itself.

usage: cli_elicitation_pty.py FASTMCP EVERYTHING_SERVER
"""

import os
import pty
import select
import subprocess
import sys
import time

FASTMCP, SERVER = sys.argv[1], sys.argv[2]
DEADLINE = 60.0


def run_on_terminal(args, answers):
    """Runs fastmcp with stdin/stdout/stderr on a pty; each (prompt, answer) is typed when
    the prompt text appears. Returns (exit status, everything printed)."""
    leader, follower = pty.openpty()
    child = subprocess.Popen(
        [FASTMCP, *args], stdin=follower, stdout=follower, stderr=follower, close_fds=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    os.close(follower)
    seen, pending = "", list(answers)
    start = time.monotonic()
    while True:
        if time.monotonic() - start > DEADLINE:
            child.kill()
            raise SystemExit(f"FAIL: no end within {DEADLINE}s; output so far:\n{seen}")
        ready, _, _ = select.select([leader], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(leader, 4096).decode(errors="replace")
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
            # Fields come in the order the schema's object keeps: answer whichever is asked.
            asked = True
            while asked:
                asked = False
                for i, (prompt, answer) in enumerate(pending):
                    if prompt in seen:
                        seen = seen.replace(prompt, f"<{prompt}>", 1)
                        os.write(leader, (answer + "\n").encode())
                        del pending[i]
                        asked = True
                        break
        elif child.poll() is not None:
            break
    status = child.wait(timeout=DEADLINE)
    os.close(leader)
    if pending:
        raise SystemExit(f"FAIL: never asked {pending[0][0]!r}; output:\n{seen}")
    return status, seen


def expect(condition, message, output):
    if not condition:
        raise SystemExit(f"FAIL: {message}; output:\n{output}")


status, out = run_on_terminal(
    ["call", SERVER, "test_elicitation", "message=Who are you?"],
    [("username (string, required): ", "ada"), ("email (string, required): ", "ada@example.com")],
)
expect(status == 0, f"exit status {status}", out)
expect("The server asks: Who are you?" in out, "the message was not shown", out)
expect("ada@example.com" in out and "accept" in out, "the answers did not reach the tool", out)

status, out = run_on_terminal(
    ["call", SERVER, "test_elicitation_sep1034_defaults"],
    [("[John Doe]: ", ""), ("[30]: ", "41"), ("[95.5]: ", "x"), ("is not a number", "88.5"),
     ("[active]: ", "paused"), ("is not one of", "pending"), ("[true]: ", "n")],
)
expect(status == 0, f"exit status {status}", out)
for shown in ['"John Doe"', "41", "88.5", '"pending"', "false"]:
    expect(shown in out, f"{shown} missing from the result", out)

status, out = run_on_terminal(
    ["call", SERVER, "test_elicitation", "message=Who?"], [("(string, required): ", ":decline")]
)
expect(status == 0 and "decline" in out, "':decline' did not decline", out)

# No terminal: declined, and said so.
done = subprocess.run(
    [FASTMCP, "call", SERVER, "test_elicitation", "message=Who?"],
    stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=DEADLINE,
)
expect(done.returncode == 0 and "decline" in done.stdout, "no decline without a terminal",
       done.stdout + done.stderr)
expect("no terminal" in done.stderr, "the decline was not explained", done.stderr)
print("ok: elicitation forms on a pseudo-terminal (text, defaults, numbers, enums, booleans, "
      "re-asked on bad input, :decline); declined without a terminal")
