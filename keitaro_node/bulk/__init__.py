"""Bulk jobs: items streamed in from files, out as they complete, with progress and a summary."""
