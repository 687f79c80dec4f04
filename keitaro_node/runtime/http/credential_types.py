"""The generic credential types (credentials/generic/*.yaml): header, bearer, query, basic,
digest and custom auth, as n8n's HTTP Request node offers them.

In a built wheel they sit in keitaro_node/runtime/data/credentials/ (pyproject's
force-include copies credentials/generic/ there); in a checkout they are read from
credentials/generic/ at its top.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from ..description import CredentialType, load_credential_type

_CHECKOUT = Path(__file__).resolve().parents[3] / "credentials" / "generic"


def credential_folder() -> Traversable | Path:
    """Where the generic credential types are: the wheel's copy first, then the checkout's."""
    packaged = resources.files("keitaro_node.runtime").joinpath("data", "credentials")
    if packaged.is_dir():
        return packaged
    if _CHECKOUT.is_dir():
        return _CHECKOUT
    raise FileNotFoundError(
        f"the generic credential types are neither in the installed package nor in {_CHECKOUT}"
    )


@cache
def generic_credential_types() -> tuple[CredentialType, ...]:
    folder = credential_folder()
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)
    return tuple(load_credential_type(f) for f in files)
