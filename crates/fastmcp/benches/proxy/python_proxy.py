"""Python FastMCP's create_proxy over stdio in front of a stdio server: the baseline of
`cargo bench -p fastmcp --bench proxy`.

Usage: python python_proxy.py COMMAND [ARGS...]
"""

import sys

from fastmcp.client.transports import StdioTransport
from fastmcp.server import create_proxy

proxy = create_proxy(StdioTransport(command=sys.argv[1], args=sys.argv[2:]))
proxy.run(show_banner=False)
