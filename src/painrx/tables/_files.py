"""The data files themselves: where they are, and that they are the ones reviewed.

Every file under ``painrx/data`` is pinned by its SHA-256 in
``painrx/data/checksums.json``, which ships inside the package (``make checksums``
writes it after a reviewed data change). A file is verified each time its bytes are
read, so a table edited after review — oxycodone 1.5 changed to 0.15, say — fails
closed with a :class:`~painrx.errors.TableError` instead of giving a tenfold answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import Any

from painrx.errors import TableError

__all__ = ["CHECKSUMS", "data_file", "data_files", "data_text", "freeze", "pins", "root"]

#: The pins file, relative to ``painrx/data``.
CHECKSUMS = "checksums.json"


def root() -> Traversable:
    """Return the ``painrx/data`` directory (a function, so a test can point it at a copy)."""
    return resources.files("painrx") / "data"


def _node(path: str) -> Traversable:
    node = root()
    for part in path.split("/"):
        node = node / part
    return node


@cache
def data_files() -> tuple[str, ...]:
    """Return every TOML data file, relative to ``painrx/data``, sorted."""
    found: list[str] = []

    def walk(node: Traversable, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.is_dir():
                walk(child, f"{prefix}{child.name}/")
            elif child.name.endswith(".toml"):
                found.append(f"{prefix}{child.name}")

    walk(root(), "")
    return tuple(found)


@cache
def pins() -> Mapping[str, str]:
    """Return ``{data path: SHA-256}`` as shipped in ``painrx/data/checksums.json``.

    Raises:
        TableError: The pins file is missing or malformed.
    """
    import json

    try:
        pinned = json.loads(_node(CHECKSUMS).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        msg = f"data/{CHECKSUMS}: cannot be read ({exc}); painrx refuses unverified tables."
        raise TableError(msg) from None
    if not isinstance(pinned, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in pinned.items()
    ):
        msg = f"data/{CHECKSUMS}: must map each data path to its SHA-256."
        raise TableError(msg)
    return MappingProxyType(pinned)


def data_file(path: str) -> bytes:
    """Return the bytes of one shipped data file after checking them against its pin.

    Every file under ``painrx/data`` (TOML tables, a JSON index, a CSV) is pinned in
    ``checksums.json``; a path that is not pinned — ``../../x.toml`` included — is
    refused, so nothing outside the reviewed files can be read this way.

    Raises:
        TableError: The file is unpinned, missing, or changed since it was pinned.
    """
    import hashlib

    where = f"data/{path[:100]}"
    expected = pins().get(path)
    if expected is None:
        msg = (
            f"{where}: not pinned in data/{CHECKSUMS}; review the file, then run `make checksums`."
        )
        raise TableError(msg)
    try:
        raw = _node(path).read_bytes()
    except OSError as exc:
        msg = f"{where}: cannot be read ({exc})."
        raise TableError(msg) from None
    actual = hashlib.sha256(raw).hexdigest()
    if actual != expected:
        msg = (
            f"{where}: SHA-256 {actual[:12]}… differs from the reviewed pin {expected[:12]}…; "
            "the file was changed after review, so painrx refuses it (after a reviewed "
            "edit, run `make checksums`)."
        )
        raise TableError(msg)
    return raw


def data_text(path: str) -> str:
    """Return the text of one shipped data file after checking it against its pin.

    Raises:
        TableError: As :func:`data_file`, or the file is not UTF-8.
    """
    try:
        return data_file(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = f"data/{path}: not UTF-8 ({exc})."
        raise TableError(msg) from None


def freeze(value: Any) -> Any:
    """Return a read-only deep view of parsed TOML: mappings become proxies, lists tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value
