"""Declared table shapes, structured by cattrs, with one error format.

A domain declares what its data file holds once, as frozen attrs classes whose field
types say everything a hand check used to say:

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
checksum, structures it once and caches the frozen result. cattrs is imported only
when the first table is structured, so ``import painrx`` stays cheap.
"""

from __future__ import annotations

import contextvars
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, get_args, get_origin

import attrs

from painrx._numbers import decimal
from painrx.errors import PainRxError, Severity, TableError
from painrx.provenance import Provenance
from painrx.tables import _files
from painrx.units import Kind, Q, Quantity, kind_of
from painrx.vocabulary import FORMS, ROUTES, frequency_label

if TYPE_CHECKING:
    import cattrs

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
    "table_shape",
]

T = TypeVar("T")

# Error messages quote at most this much of a bad value.
_QUOTE = 100
# A TableError lists at most this many problems of one file.
_MAX_PROBLEMS = 3


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


@attrs.frozen
class Range:
    """A bound on a number: ``low < x`` (or ``≤`` when ``low_open`` is False), ``x ≤ high``."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

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
    numeric = isinstance(value, Fraction | int | float) and not isinstance(value, bool)
    return f"{float(value):g}" if numeric else quote(value)


@attrs.frozen
class OfKind:
    """A quantity of one clinical kind (``"mass"``, ``"dose_rate_per_weight"``…), above zero."""

    kind: Kind

    def check(self, value: Quantity | str) -> None:
        """Raise :class:`ShapeError` when ``value`` is of another kind or not positive.

        On a text field (``Annotated[str, OfKind("mass")]``) the text is read as a
        quantity and kept as written.
        """
        q = _quantity(value, None) if isinstance(value, str) else value
        if kind_of(q) != self.kind or not q.magnitude > 0:
            msg = f"expected a positive {self.kind.replace('_', ' ')}, got {quote(format(q))}"
            raise ShapeError(msg)


@attrs.frozen
class OneOf:
    """A term from a closed list (a vocabulary or the values a domain accepts)."""

    accepted: frozenset[str] = attrs.field(converter=frozenset)

    def check(self, value: str) -> None:
        """Raise :class:`ShapeError` when ``value`` is not accepted."""
        if value not in self.accepted:
            msg = f"expected one of {sorted(self.accepted)}, got {quote(value)}"
            raise ShapeError(msg)


@attrs.frozen
class NonEmpty:
    """A list or text with at least one element."""

    def check(self, value: Any) -> None:
        """Raise :class:`ShapeError` when ``value`` is empty."""
        if not value:
            msg = "must not be empty"
            raise ShapeError(msg)


@attrs.frozen
class _Frequency:
    """A frequency painrx's vocabulary knows (``"q6h"``, ``"bid"``)."""

    def check(self, value: str) -> None:
        try:
            frequency_label(value)
        except PainRxError as exc:
            raise ShapeError(str(exc)) from None


#: Numbers with a sign rule.
Positive = Annotated[Fraction, Range(low=0, low_open=True)]
NonNegative = Annotated[Fraction, Range(low=0)]
#: Vocabulary terms (canonical names of :mod:`painrx.vocabulary`).
Route = Annotated[str, OneOf(ROUTES)]
Form = Annotated[str, OneOf(FORMS)]
Frequency = Annotated[str, _Frequency()]


# --------------------------------------------------------------------------- hooks


@attrs.frozen
class _Context:
    file: str
    sources: Mapping[str, Provenance]


_CONTEXT: contextvars.ContextVar[_Context] = contextvars.ContextVar("painrx_table")


def _describe(tp: Any) -> str:
    if isinstance(tp, type) and attrs.has(tp):
        return "a table"
    names = {
        Fraction: "a number",
        float: "a number",
        int: "a whole number",
        str: "text",
        bool: "true or false",
        Quantity: "a quantity such as '10 mg'",
        Severity: "a severity",
        Provenance: "a source key",
    }
    return names.get(tp, getattr(tp, "__name__", repr(tp)))


def _expected(tp: Any, value: object) -> ShapeError:
    return ShapeError(f"expected {_describe(tp)}, got {quote(value)}")


def _fraction(value: object, _: Any) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _expected(Fraction, value)
    return Fraction(value) if isinstance(value, int) else decimal(value)


def _float(value: object, _: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _expected(float, value)
    return float(value)


def _int(value: object, _: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _expected(int, value)
    return value


def _str(value: object, _: Any) -> str:
    if not isinstance(value, str):
        raise _expected(str, value)
    return value


def _bool(value: object, _: Any) -> bool:
    if not isinstance(value, bool):
        raise _expected(bool, value)
    return value


def _quantity(value: object, _: Any) -> Quantity:
    if not isinstance(value, str):
        raise _expected(Quantity, value)
    try:
        return Q(value)
    except PainRxError as exc:
        msg = f"cannot read {quote(value)} as a quantity ({exc})"
        raise ShapeError(msg) from None


def _severity(value: object, _: Any) -> Severity:
    if not isinstance(value, str):
        raise _expected(Severity, value)
    try:
        return Severity.parse(value)
    except PainRxError:
        accepted = sorted(s.name.lower() for s in Severity)
        msg = f"unknown severity {quote(value)}; accepted: {accepted}"
        raise ShapeError(msg) from None


def _source(value: object, _: Any) -> Provenance:
    known = _CONTEXT.get().sources
    if not isinstance(value, str) or value not in known:
        msg = f"a source must be one of {sorted(known)}, got {quote(value)}"
        raise ShapeError(msg)
    return known[value]


def _annotated(tp: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    base, *marks = get_args(tp)
    checks = [m for m in marks if hasattr(m, "check")]
    inner = converter.get_structure_hook(base)

    def hook(value: object, _: Any) -> Any:
        result = inner(value, base)
        for mark in checks:
            mark.check(result)
        return result

    return hook


def _literal(tp: Any, _: cattrs.Converter) -> Callable[[Any, Any], Any]:
    accepted = get_args(tp)

    def hook(value: object, _: Any) -> Any:
        if isinstance(value, bool) or value not in accepted:
            msg = f"expected one of {list(accepted)}, got {quote(value)}"
            raise ShapeError(msg)
        return value

    return hook


def _sequence(tp: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    from cattrs.errors import IterableValidationError, IterableValidationNote

    origin = get_origin(tp)
    item = get_args(tp)[0]
    inner = converter.get_structure_hook(item)

    def hook(value: object, _: Any) -> Any:
        if not isinstance(value, list | tuple):
            msg = f"expected a list, got {quote(value)}"
            raise ShapeError(msg)
        found, errors = [], []
        for i, element in enumerate(value):
            try:
                found.append(inner(element, item))
            except Exception as exc:  # noqa: BLE001 -- collected, then raised as one group
                exc.add_note(IterableValidationNote(f"@ index {i}", i, item))
                errors.append(exc)
        if errors:
            msg = f"While structuring {tp!r}"
            raise IterableValidationError(msg, errors, tp)
        return origin(found)

    return hook


def _mapping(tp: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    from cattrs.errors import IterableValidationError, IterableValidationNote

    _, item = get_args(tp)
    inner = converter.get_structure_hook(item)

    def hook(value: object, _: Any) -> Any:
        if not isinstance(value, Mapping):
            msg = f"expected a table, got {quote(value)}"
            raise ShapeError(msg)
        found, errors = {}, []
        for key, element in value.items():
            try:
                found[key] = inner(element, item)
            except Exception as exc:  # noqa: BLE001 -- collected, then raised as one group
                exc.add_note(IterableValidationNote(f"@ key {key!r}", str(key), item))
                errors.append(exc)
        if errors:
            msg = f"While structuring {tp!r}"
            raise IterableValidationError(msg, errors, tp)
        return MappingProxyType(found)

    return hook


def _table(tp: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    from cattrs.gen import make_dict_structure_fn, override

    renamed = {
        a.name: override(rename=a.metadata["key"]) for a in attrs.fields(tp) if "key" in a.metadata
    }
    generated = make_dict_structure_fn(tp, converter, **renamed)

    def hook(value: object, _: Any) -> Any:
        if not isinstance(value, Mapping):
            raise _expected(tp, value)
        return generated(value, tp)

    return hook


def _is_sequence(tp: Any) -> bool:
    args = get_args(tp)
    if get_origin(tp) is frozenset:
        return True
    return get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis


@cache
def _converter() -> cattrs.Converter:
    import cattrs

    converter = cattrs.Converter(detailed_validation=True, forbid_extra_keys=True)
    for tp, hook in (
        (Fraction, _fraction),
        (float, _float),
        (int, _int),
        (str, _str),
        (bool, _bool),
        (Quantity, _quantity),
        (Severity, _severity),
        (Provenance, _source),
    ):
        converter.register_structure_hook(tp, hook)
    converter.register_structure_hook_factory(lambda t: get_origin(t) is Annotated, _annotated)
    converter.register_structure_hook_factory(lambda t: get_origin(t) is Literal, _literal)
    converter.register_structure_hook_factory(_is_sequence, _sequence)
    converter.register_structure_hook_factory(lambda t: get_origin(t) in {Mapping, dict}, _mapping)
    converter.register_structure_hook_factory(
        lambda t: isinstance(t, type) and attrs.has(t), _table
    )
    return converter


# --------------------------------------------------------------------------- errors


_PLAIN_STEP = re.compile(r"[A-Za-z_]\w*(?:\[\d+\])*")


def _join(path: str, step: str | int) -> str:
    if isinstance(step, int):
        return f"{path}[{step}]"
    if _PLAIN_STEP.fullmatch(step):
        return f"{path}.{step}" if path else step
    return f"{path}[{step!r}]"


def _key_of(cl: type[Any], name: str) -> str:
    """Return the TOML key of an attrs field (its ``metadata["key"]``, else its name)."""
    field = getattr(attrs.fields(cl), name, None)
    return str(field.metadata.get("key", name)) if field is not None else name


def _problems(exc: BaseException, path: str) -> Iterable[tuple[str, str]]:
    from cattrs.errors import (
        ClassValidationError,
        ForbiddenExtraKeysError,
        IterableValidationError,
    )

    if isinstance(exc, ClassValidationError):
        with_notes, without = exc.group_exceptions()
        for inner, note in with_notes:
            name = _key_of(exc.cl, note.name)
            if isinstance(inner, KeyError):
                yield path or "(top level)", f"missing key {name!r}"
            else:
                yield from _problems(inner, _join(path, name))
        for inner in without:
            yield from _problems(inner, path)
    elif isinstance(exc, IterableValidationError):
        with_notes, without = exc.group_exceptions()
        for inner, inote in with_notes:
            yield from _problems(inner, _join(path, inote.index))
        for inner in without:
            yield from _problems(inner, path)
    elif isinstance(exc, ForbiddenExtraKeysError):
        accepted = sorted(a.metadata.get("key", a.name) for a in attrs.fields(exc.cl))
        unknown = sorted(exc.extra_fields)
        yield path or "(top level)", f"unknown key(s) {unknown}; accepted: {accepted}"
    elif isinstance(exc, ShapeError):
        yield (_join(path, exc.at) if exc.at else path) or "(top level)", exc.message
    else:
        yield path or "(top level)", str(exc) or type(exc).__name__


def table_error(file: str, path: str, message: str) -> TableError:
    """Return a :class:`TableError` in the loader's format, for a rule across tables.

    >>> print(table_error("tapers/cdc_2022.toml", "paces[0].use", "expected one of ['x']"))
    data/tapers/cdc_2022.toml: paces[0].use: expected one of ['x']
    """
    return TableError(f"data/{file}: {path or '(top level)'}: {message}")


def _table_error(file: str, exc: BaseException) -> TableError:
    found = list(_problems(exc, ""))
    lines = [f"data/{file}: {path}: {what}" for path, what in found[:_MAX_PROBLEMS]]
    more = len(found) - _MAX_PROBLEMS
    if more > 0:
        lines.append(f"(and {more} more problem(s) in data/{file})")
    return TableError("\n".join(lines))


# --------------------------------------------------------------------------- headers


@attrs.frozen
class _Header:
    """A file's ``[provenance]`` block."""

    id: Annotated[str, NonEmpty()]
    kind: Annotated[str, NonEmpty()]
    title: Annotated[str, NonEmpty()]
    year: int
    citation: Annotated[str, NonEmpty()]
    url: str = ""
    edition: str = ""
    retrieved: str = ""
    licence: str = ""
    notes: str = ""

    def provenance(self) -> Provenance:
        return Provenance(self.id, self.title, self.year, self.citation, self.url, self.edition)


@attrs.frozen
class _Source:
    """One ``[sources.KEY]`` block."""

    title: Annotated[str, NonEmpty()]
    year: int
    citation: Annotated[str, NonEmpty()]
    url: str = ""
    edition: str = ""
    notes: str = ""


@attrs.frozen
class _Heading:
    provenance: _Header
    sources: Mapping[str, _Source] = MappingProxyType({})


def _structure(value: Any, shape: type[T], file: str) -> T:
    try:
        return _converter().structure(value, shape)
    except Exception as exc:  # noqa: BLE001 -- every problem becomes one TableError
        raise _table_error(file, exc) from None


def header(doc: Mapping[str, Any], file: str) -> tuple[_Header, Mapping[str, Provenance]]:
    """Validate a document's ``[provenance]`` and ``[sources.*]`` blocks.

    Returns:
        The header, and every source the file declares by key (``"provenance"`` is the
        file's own; ``[sources.KEY]`` has the id ``"<table id>/KEY"``).
    """
    heading_doc = {k: doc[k] for k in ("provenance", "sources") if k in doc}
    token = _CONTEXT.set(_Context(file, {}))
    try:
        heading = _structure(heading_doc, _Heading, file)
    finally:
        _CONTEXT.reset(token)
    main = heading.provenance
    sources = {"provenance": main.provenance()} | {
        key: Provenance(
            f"{main.id}/{key}", block.title, block.year, block.citation, block.url, block.edition
        )
        for key, block in heading.sources.items()
    }
    return main, MappingProxyType(sources)


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
    _, sources = header(doc, file)
    body = {k: v for k, v in doc.items() if k not in {"provenance", "sources"}}
    token = _CONTEXT.set(_Context(file, sources))
    try:
        return _structure(body, shape, file)
    finally:
        _CONTEXT.reset(token)


def table_ids(shape: type[Any]) -> tuple[str, ...]:
    """Return the ids of every shipped table of the shape's kind, sorted."""
    from painrx.tables._read import tables

    return tuple(sorted(info.id for info in tables(_kind_of(shape))))


def load(shape: type[T], table_id: str) -> T:
    """Return one shipped table of the shape's kind, verified, structured and cached.

    Raises:
        InputError: No table of that kind has this id.
        TableError: The file fails its checksum or its declared shape.
    """
    return _load(shape, table_id)  # type: ignore[no-any-return]


@cache
def _load(shape: type[Any], table_id: str) -> Any:
    from painrx.tables._read import table_info

    info = table_info(table_id, kind=_kind_of(shape))
    text = _files.data_text(info.path)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = f"data/{info.path}: not valid TOML ({exc})."
        raise TableError(msg) from None
    return structure(doc, shape, file=info.path)


def load_all(shape: type[T]) -> Mapping[str, T]:
    """Return every shipped table of the shape's kind, by id."""
    return MappingProxyType({tid: load(shape, tid) for tid in table_ids(shape)})
