"""The Keitaro node: every operation of the Keitaro Admin API v1, declared in node_manifest.yaml."""
