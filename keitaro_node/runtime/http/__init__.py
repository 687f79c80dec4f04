"""The HTTP transport every node of the runtime shares.

settings.py (limits of a run), limiter.py (requests per second), retry.py (what may be sent
again), secrets.py (masking), answers.py (reading failed answers), transport.py (the session
and the send loop). Import from the modules: this package loads nothing on its own, so that
reading settings does not load aiohttp.
"""
