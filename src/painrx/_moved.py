"""Old module names of the flat layout, and field-wise pickling: old pickles keep loading.

Until version 0.1 the domain code lived in flat private files (``painrx._opioids_results``);
a pickle names the module a class came from, so those names must still import. Each is
a tiny stand-in in ``sys.modules`` that imports its new home on first attribute access:
``import painrx`` stays cheap.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["fields_state", "install", "load_fields_state"]

MOVED = {
    "painrx._opioids_tables": "painrx.opioids._tables",
    "painrx._opioids_results": "painrx.opioids._results",
    "painrx._infusions_weight": "painrx.infusions._weight",
    "painrx._infusions_data": "painrx.infusions._data",
    "painrx._infusions_common": "painrx.infusions._common",
    "painrx._interactions_rules": "painrx.interactions._rules",
    "painrx._tapers_round": "painrx.tapers._round",
    "painrx._tapers_data": "painrx.tapers._data",
    "painrx._tapers_build": "painrx.tapers._build",
    "painrx._tapers_drug": "painrx.tapers._drug",
    "painrx._batch_core": "painrx.batch._core",
    "painrx._batch_encode": "painrx.batch._encode",
    "painrx._batch_kernel": "painrx.batch._kernel",
    "painrx._batch_validate": "painrx.batch._validate",
}


class _MovedModule(types.ModuleType):
    """Stands in for a moved module: attribute look-ups are answered by its new home."""

    def __init__(self, name: str, target: str) -> None:
        super().__init__(name, f"Moved to {target}.")
        self._target = target

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return getattr(importlib.import_module(self._target), attribute)


def install() -> None:
    """Register the stand-ins (idempotent)."""
    for old, new in MOVED.items():
        sys.modules.setdefault(old, _MovedModule(old, new))


def fields_state(self: Any) -> dict[str, Any]:
    """``__getstate__`` of a frozen attrs value class: its fields by name.

    Paired with :func:`load_fields_state`, a pickle made before a field was added still
    loads (a class sets ``__getstate__ = fields_state`` and
    ``__setstate__ = load_fields_state``).
    """
    return {a.name: getattr(self, a.name) for a in attrs.fields(type(self))}


def load_fields_state(self: Any, state: Mapping[str, Any]) -> None:
    """``__setstate__`` of a frozen attrs value class: a field the pickle lacks gets its default."""
    for a in attrs.fields(type(self)):
        object.__setattr__(self, a.name, state.get(a.name, a.default))
