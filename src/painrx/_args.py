"""Checks of the shape of arguments shared by every domain (layer 0).

Number rules live in :mod:`painrx._numbers` and quantities in :mod:`painrx.units`; this
module reads list-like arguments, which arrive in many disguises: a string is iterable
(a list of characters), a pint quantity looks iterable but raises TypeError on
iteration, a dict iterates its keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import cast

from painrx.errors import InputError

__all__ = ["is_list_like", "list_items"]


def is_list_like(value: object) -> bool:
    """Return whether ``value`` may be read as a list of items (not text, a mapping or a quantity)."""
    return not (
        isinstance(value, (str, bytes, bytearray, Mapping))
        or (hasattr(value, "magnitude") and hasattr(value, "units"))
        or not isinstance(value, Iterable)
    )


def list_items(value: object, message: str) -> tuple[object, ...]:
    """Return the items of a list-like argument, or raise InputError with ``message``.

    Refused: text, bytes, mappings, quantities and anything that is not iterable or
    fails while being iterated.
    """
    if not is_list_like(value):
        raise InputError(message)
    try:
        return tuple(cast("Iterable[object]", value))
    except TypeError:
        raise InputError(message) from None
