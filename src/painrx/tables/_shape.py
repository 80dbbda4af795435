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

A shape is registered for the ``kind`` in its files' ``[provenance]`` block with
:func:`table_shape`; :func:`load` then finds a table by kind and id, verifies its
checksum, structures it once and caches the frozen result. cattrs (and the
converter in :mod:`painrx.tables._structure`) is imported only when the first table is
structured, so ``import painrx`` stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, cast, dataclass_transform

import attrs

from painrx.errors import PainRxError, TableError

if TYPE_CHECKING:
    from fractions import Fraction as ExactNumber

    from painrx.units import Kind, Quantity
else:

    class ExactNumber:
        """Marks a field the loader reads as an exact :class:`~fractions.Fraction`.

        A stand-in for ``Fraction`` in the aliases below, so importing painrx does not
        import :mod:`fractions`; type checkers see ``Fraction`` itself.
        """


__all__ = [
    "ExactNumber",
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

# Error messages quote at most this much of a bad value.
_QUOTE = 100


def quote(value: object) -> str:
    """Return ``repr(value)``, cut to about 100 characters."""
    text = repr(value)
    return text if len(text) <= _QUOTE else f"{text[:_QUOTE]}…"


class ShapeError(ValueError):
    """A value does not have the declared shape; ``at`` names a field below the current path."""

    def __init__(self, message: str, at: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.at = at


# --------------------------------------------------------------------------- checks
# Plain classes, not attrs: building attrs classes costs import time, and this module
# is imported with painrx.


class Range:
    """A bound on a number: ``low < x`` (or ``≤`` unless ``low_open``), ``x ≤ high`` (or ``<``)."""

    __slots__ = ("high", "high_open", "low", "low_open")

    def __init__(
        self,
        *,
        low: float | None = None,
        high: float | None = None,
        low_open: bool = False,
        high_open: bool = False,
    ) -> None:
        self.low, self.high, self.low_open, self.high_open = low, high, low_open, high_open

    def check(self, value: Any) -> None:
        """Raise :class:`ShapeError` when ``value`` is out of range."""
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            word = "greater than" if self.low_open else "at least"
            msg = f"must be {word} {self.low:g}, got {_show(value)}"
            raise ShapeError(msg)
        if self.high is not None and (value >= self.high if self.high_open else value > self.high):
            word = "below" if self.high_open else "at most"
            msg = f"must be {word} {self.high:g}, got {_show(value)}"
            raise ShapeError(msg)


def _show(value: Any) -> str:
    from fractions import Fraction

    numeric = isinstance(value, Fraction | int | float) and not isinstance(value, bool)
    return f"{float(value):g}" if numeric else quote(value)


class OfKind:
    """A quantity of one clinical kind (``"mass"``, ``"dose_rate_per_weight"``…), above zero.

    On a text field (``Annotated[str, OfKind("mass")]``) the text is read as a quantity
    and kept as written.
    """

    __slots__ = ("kind",)

    def __init__(self, kind: Kind) -> None:
        self.kind = kind

    def check(self, value: Quantity | str) -> None:
        """Raise :class:`ShapeError` when ``value`` is of another kind or not positive."""
        from painrx.units import Q, kind_of

        if isinstance(value, str):
            try:
                value = Q(value)
            except PainRxError as exc:
                msg = f"cannot read {quote(value)} as a quantity ({exc})"
                raise ShapeError(msg) from None
        if kind_of(value) != self.kind or not value.magnitude > 0:
            msg = f"expected a positive {self.kind.replace('_', ' ')}, got {quote(format(value))}"
            raise ShapeError(msg)


class OneOf:
    """A term from a closed list (the values a domain accepts)."""

    __slots__ = ("accepted",)

    def __init__(self, accepted: Iterable[str]) -> None:
        self.accepted = frozenset(accepted)

    def check(self, value: str) -> None:
        """Raise :class:`ShapeError` when ``value`` is not accepted."""
        if value not in self.accepted:
            msg = f"expected one of {sorted(self.accepted)}, got {quote(value)}"
            raise ShapeError(msg)


class NonEmpty:
    """A list with at least one element, or text with at least one non-blank character."""

    __slots__ = ()

    def check(self, value: Any) -> None:
        """Raise :class:`ShapeError` when ``value`` is empty (or text of blanks only)."""
        if not value or (isinstance(value, str) and not value.strip()):
            msg = "must not be empty"
            raise ShapeError(msg)


class _Term:
    """A term of painrx's vocabulary: a canonical route or form, or a known frequency.

    The vocabulary is imported when a table is checked, not when painrx is imported.
    """

    __slots__ = ("vocabulary",)

    def __init__(self, vocabulary: Literal["route", "form", "frequency"]) -> None:
        self.vocabulary = vocabulary

    def check(self, value: str) -> None:
        from painrx import vocabulary

        if self.vocabulary == "frequency":
            try:
                vocabulary.frequency_label(value)
            except PainRxError as exc:
                raise ShapeError(str(exc)) from None
            return
        terms = vocabulary.ROUTES if self.vocabulary == "route" else vocabulary.FORMS
        OneOf(terms).check(value)


#: Numbers with a sign rule.
Positive = Annotated[ExactNumber, Range(low=0, low_open=True)]
NonNegative = Annotated[ExactNumber, Range(low=0)]
#: Vocabulary terms (canonical names of :mod:`painrx.vocabulary`).
Route = Annotated[str, _Term("route")]
Form = Annotated[str, _Term("form")]
Frequency = Annotated[str, _Term("frequency")]


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
