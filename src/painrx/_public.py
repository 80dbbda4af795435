"""Make re-exported names report the public module they are used from.

Each domain's ``__init__.py`` re-exports classes and functions defined in private
files (``painrx.opioids._results``). Reporting ``painrx.opioids`` as their module keeps
private file names out of reprs, ``help()``, the API docs and pickles, so a file can be
split or renamed without breaking a pickle made before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["publish"]


def publish(module: str, namespace: Mapping[str, object], names: Iterable[str]) -> None:
    """Set ``__module__`` of the classes and functions ``names`` defined below ``module``."""
    for name in names:
        obj = namespace[name]
        if callable(obj) and getattr(obj, "__module__", "").startswith(f"{module}._"):
            obj.__module__ = module
