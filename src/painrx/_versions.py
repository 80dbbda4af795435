"""``painrx.show_versions()``: what a bug report or an audit log needs."""

from __future__ import annotations

import platform
import sys
from importlib import metadata

from painrx._version import __version__
from painrx.tables import tables

__all__ = ["show_versions", "versions"]

_PACKAGES = ("pint", "attrs", "numpy", "pandas", "pyarrow", "dask")


def versions() -> dict[str, str]:
    """Return painrx's, Python's, the dependencies' and every table edition's versions."""
    found: dict[str, str] = {
        "painrx": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }
    for name in _PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    for info in tables():
        edition = info.source.edition or str(info.source.year)
        found[f"table {info.kind}/{info.id}"] = f"{edition} ({info.path})"
    return found


def show_versions() -> None:
    """Print :func:`versions` one per line, for bug reports and audit logs."""
    for key, value in versions().items():
        print(f"{key}: {value}")  # noqa: T201 -- printing is this function's job
