"""Where the node's data files are: inside the installed wheel, or at the top of a checkout."""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[2]


def data_file(name: str) -> Traversable | Path:
    """`node_manifest.yaml` or `credentials/<file>`: the wheel copy first, then the checkout's."""
    packaged = resources.files("keitaro_node.keitaro").joinpath("data", *name.split("/"))
    if packaged.is_file():
        return packaged
    local = _CHECKOUT / name
    if local.is_file():
        return local
    raise FileNotFoundError(f"{name} is neither in the installed package nor in {_CHECKOUT}")


def schema_file(name: str) -> Traversable:
    """A request-body JSON Schema shipped in keitaro_node/keitaro/schemas/."""
    return resources.files("keitaro_node.keitaro").joinpath("schemas", name)
