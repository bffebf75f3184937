#!/usr/bin/env bash
# The pinned Python peers (PyPI mcp, fastmcp, and fastapi for the OpenAPI interop) in a venv
# ($FASTMCP_VENV, default .venv), created on first use. Source it; sets PY to the venv's python.
VENV=${FASTMCP_VENV:-.venv}
PY="$VENV/bin/python"
PINNED="mcp==2.3.0 fastmcp==4.1.2 fastapi==0.163.2"
if ! "$PY" -c 'import mcp, fastmcp, fastapi' 2>/dev/null \
   || [ "$("$PY" -c 'import importlib.metadata as m; print(*(f"{p}=={m.version(p)}" for p in ("mcp", "fastmcp", "fastapi")))')" != "$PINNED" ]; then
  echo "== setting up $VENV with $PINNED"
  python3 -m venv "$VENV"
  # shellcheck disable=SC2086
  "$PY" -m pip install --quiet --disable-pip-version-check $PINNED
fi
