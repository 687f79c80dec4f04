"""An MCP server whose tools are generated from the node descriptions (`keitaro-node mcp`).

service.py holds what the server does (tools.py builds the tools, backends.py runs them,
workflows.py runs saved workflows); server.py puts it behind the `mcp` package's protocol.
Nothing here imports the Keitaro node itself: node types come from the plugin host, and the
Keitaro node is reached through the public client.
"""
