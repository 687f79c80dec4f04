"""Output items of code nodes: error items under "continue", and n8n's automatic pairing."""

from __future__ import annotations

import logging

from ..items import Item, PairedItem
from .errors import CodeError


def failed_item(error: CodeError, index: int | None) -> Item:
    """The item n8n outputs for a failed execution under continueRegularOutput."""
    return Item(
        json={"error": error.message},
        error=error,
        paired_item=PairedItem(index) if index is not None else None,
    )


def assign_paired_items(outputs: list[Item], input_count: int) -> list[Item]:
    """Pair output items that came back without pairedItem, as n8n's engine does.

    One input and one output item pair up; so do input and output lists of the same length,
    item by item. Otherwise pairing stops at the first unpaired item.
    """
    single = input_count == 1 and len(outputs) == 1
    same = input_count == len(outputs)
    for index, item in enumerate(outputs):
        if item.paired_item is not None:
            continue
        if single:
            item.paired_item = PairedItem(0)
        elif same:
            item.paired_item = PairedItem(index)
        else:
            break
    return outputs


def log_lines(logger: logging.Logger, node: str, lines: list[tuple[str, str]]) -> None:
    """console.log and print() go to our log, never to stdout (which may carry results)."""
    for level, line in lines:
        logger.log(
            logging.WARNING if level in ("warn", "error") else logging.INFO,
            "%s: %s",
            node,
            line,
        )
