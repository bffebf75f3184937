#!/usr/bin/env bash
# The pinned Python peers (PyPI mcp, fastmcp) in a venv ($FASTMCP_VENV, default .venv), created
# on first use. Source it; sets PY to the venv's python.
VENV=${FASTMCP_VENV:-.venv}
PY="$VENV/bin/python"
if ! "$PY" -c 'import mcp, fastmcp' 2>/dev/null \
   || [ "$("$PY" -c 'import importlib.metadata as m; print(m.version("mcp"), m.version("fastmcp"))')" != "2.3.0 4.1.2" ]; then
  echo "== setting up $VENV with mcp==2.3.0 and fastmcp==4.1.2"
  python3 -m venv "$VENV"
  "$PY" -m pip install --quiet --disable-pip-version-check mcp==2.3.0 fastmcp==4.1.2
fi
