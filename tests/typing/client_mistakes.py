"""Mistakes the generated signatures catch; mypy must report each line marked `# error`."""

from __future__ import annotations

from keitaro_node import Keitaro


async def mistakes(kt: Keitaro) -> None:
    await kt.stream.create(stream_dta={})  # error: misspelt parameter
    await kt.stream.get(stream_id="7")  # error: an id is a number
    await kt.report.build(interval="last_week")  # error: not one of the intervals
    await kt.report.build(dimensions=["campaign"], measures=["click"])  # error: unknown measure
    await kt.bot_list.clear(confirm=True, force=True)  # error: no such parameter
    await kt.strem.get_types()  # error: no such resource
