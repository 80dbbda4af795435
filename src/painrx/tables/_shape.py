"""Declared table shapes, structured by cattrs, with one error format.

A domain declares what its data file holds once, as frozen attrs classes
(:func:`table_part`) whose field types say everything a hand check used to say:

- ``Fraction`` — a TOML number read as the exact decimal it prints as;
  ``Positive`` and ``NonNegative`` add the sign rule, ``Annotated[Fraction, Range(...)]``
  any other bound;
- ``Annotated[Quantity, OfKind("mass")]`` — a quantity string (``"10 mg"``) of one
  clinical kind (:func:`painrx.units.kind_of`), greater than zero;
- ``Severity`` — a severity name (``"major"``);
- ``Route``, ``Form``, ``Frequency`` and ``Annotated[str, OneOf(...)]`` — vocabulary terms;
- ``Provenance`` — a ``source = "KEY"`` that must name the file's own ``[provenance]``
  (key ``"provenance"``) or one of its ``[sources.KEY]`` blocks, resolved to that
  :class:`~painrx.provenance.Provenance`;
- ``attrs.field(metadata={"key": "from"})`` — a field whose TOML key is a Python keyword;
- ``tuple[X, ...]`` (a TOML array), ``Mapping[str, X]`` (a TOML table of tables),
  ``X | None = None`` (an optional key), ``Literal[...]``, ``str``, ``int``, ``float``,
  ``bool``, and nested attrs classes (TOML tables).

Unknown keys are refused. Rules across fields (exactly one of two keys, bands in order)
are ``__attrs_post_init__`` checks that raise :class:`ShapeError`. Every problem becomes
one :class:`~painrx.errors.TableError` naming the file, the path inside it and what was
expected, e.g. ``data/mme/cdc_2016.toml: factor[3].factor: expected a number, got '4'``.
The checks (:class:`Range`, :class:`OfKind`…) and :class:`ShapeError` are defined in
:mod:`painrx.tables._checks`, below the converter that runs them.

A shape is registered for the ``kind`` in its files' ``[provenance]`` block with
:func:`table_shape`; :func:`load` then finds a table by kind and id, verifies its
checksum, structures it once and caches the frozen result. cattrs (and the
converter in :mod:`painrx.tables._structure`) is imported only when the first table is
structured, so ``import painrx`` stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from types import MappingProxyType
from typing import Any, TypeVar, cast, dataclass_transform

import attrs

from painrx.errors import TableError
from painrx.tables._checks import (
    Form,
    Frequency,
    NonEmpty,
    NonNegative,
    OfKind,
    OneOf,
    Positive,
    Range,
    Route,
    ShapeError,
)

__all__ = [
    "Form",
    "Frequency",
    "NonEmpty",
    "NonNegative",
    "OfKind",
    "OneOf",
    "Positive",
    "Range",
    "Route",
    "ShapeError",
    "load",
    "load_all",
    "shape_for",
    "structure",
    "table_error",
    "table_ids",
    "table_part",
    "table_shape",
]

T = TypeVar("T")


def table_error(file: str, path: str, message: str) -> TableError:
    """Return a :class:`TableError` in the loader's format, for a rule across tables.

    >>> print(table_error("tapers/cdc_2022.toml", "paces[0].use", "expected one of ['x']"))
    data/tapers/cdc_2022.toml: paces[0].use: expected one of ['x']
    """
    return TableError(f"data/{file}: {path or '(top level)'}: {message}")


# --------------------------------------------------------------------------- declaring


@dataclass_transform(frozen_default=True, field_specifiers=(attrs.field,))
def table_part(cls: type[T]) -> type[T]:
    """Declare a table shape or a part of one: a frozen attrs class.

    It has no repr and no comparison methods, which a shape never uses: attrs compiles
    each generated method when the class is created, and the shapes are created when
    their domain is first imported, on the way to a first result.
    """
    return attrs.frozen(cls, repr=False, eq=False, slots=False)


# --------------------------------------------------------------------------- registry

_SHAPES: dict[str, type[Any]] = {}


def table_shape(kind: str) -> Callable[[type[T]], type[T]]:
    """Register ``shape`` as the declared body of every table of ``kind``.

    The body is the file without its ``[provenance]`` and ``[sources.*]`` blocks, which
    every table shares and the loader checks itself.

    Raises:
        TableError: Another shape is already registered for ``kind``.
    """

    def register(shape: type[T]) -> type[T]:
        other = _SHAPES.get(kind)
        if other is not None and other is not shape:
            msg = f"Two shapes for table kind {kind!r}: {other.__qualname__}, {shape.__qualname__}."
            raise TableError(msg)
        _SHAPES[kind] = shape
        shape.__table_kind__ = kind  # type: ignore[attr-defined]
        return shape

    return register


def shape_for(kind: str) -> type[Any] | None:
    """Return the shape registered for a table kind, or None."""
    return _SHAPES.get(kind)


def _kind_of(shape: type[Any]) -> str:
    kind = getattr(shape, "__table_kind__", None)
    if not isinstance(kind, str):
        msg = f"{shape.__qualname__} is not a table shape (decorate it with table_shape(kind))."
        raise TableError(msg)
    return kind


def structure(doc: Mapping[str, Any], shape: type[T], *, file: str) -> T:
    """Check a parsed document against a declared shape and return the frozen result.

    This is what :func:`load` does with a shipped file; tests and tools call it with an
    edited copy of a document to see how a malformed table is refused.

    Args:
        doc: The parsed TOML document, including its ``[provenance]`` block.
        shape: The attrs class declaring the document's body.
        file: The data path named in error messages (``"mme/cdc_2022.toml"``).

    Raises:
        TableError: Naming the file, the path inside it and the expected shape.
    """
    from painrx.tables._structure import structure_document

    return structure_document(doc, shape, file)


def table_ids(shape: type[Any]) -> tuple[str, ...]:
    """Return the ids of every shipped table of the shape's kind, sorted."""
    return _ids_of_kind(_kind_of(shape))


@cache
def _ids_of_kind(kind: str) -> tuple[str, ...]:
    # Cached: the shipped tables do not change while the process runs, and every
    # lookup by id asks for them.
    from painrx.tables._read import tables

    return tuple(sorted(info.id for info in tables(kind)))


def load(shape: type[T], table_id: str) -> T:
    """Return one shipped table of the shape's kind, verified, structured and cached.

    Raises:
        InputError: No table of that kind has this id.
        TableError: The file fails its checksum or its declared shape.
    """
    loaded: T = _load(cast("Any", shape), table_id)
    return loaded


@cache
def _load(shape: Any, table_id: str) -> Any:
    from painrx.tables._read import parse_table, table_info

    info = table_info(table_id, kind=_kind_of(shape))
    return structure(parse_table(info.path), shape, file=info.path)


def load_all(shape: type[T]) -> Mapping[str, T]:
    """Return every shipped table of the shape's kind, by id."""
    return MappingProxyType({tid: load(shape, tid) for tid in table_ids(shape)})
