"""Structuring a parsed table into its declared shape with cattrs (imported lazily).

The converter is built once, on first use: hooks for exact numbers, quantities,
severities, source keys and the checks of :mod:`painrx.tables._checks`; unknown keys are
refused; every problem of a file is rendered as ``data/<file>: <path>: <what>``.
"""

from __future__ import annotations

import contextvars
import math
import re
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, get_args, get_origin

import attrs

from painrx._numbers import decimal
from painrx.errors import PainRxError, Severity, TableError
from painrx.provenance import Provenance
from painrx.tables._checks import ExactNumber, NonEmpty, ShapeError, quote
from painrx.tables._header import table_header

if TYPE_CHECKING:
    import cattrs

    from painrx.tables._header import TableInfo
    from painrx.units import Quantity

__all__ = ["header", "structure_document"]

T = TypeVar("T")

# A TableError lists at most this many problems of one file.
_MAX_PROBLEMS = 3

# --------------------------------------------------------------------------- hooks


@attrs.frozen
class _Context:
    file: str
    sources: Mapping[str, Provenance]


_CONTEXT: contextvars.ContextVar[_Context] = contextvars.ContextVar("painrx_table")


def _describe(tp: Any) -> str:
    from painrx.units import Quantity

    if isinstance(tp, type) and attrs.has(tp):
        return "a table"
    names: dict[Any, str] = {
        Fraction: "a number",
        ExactNumber: "a number",
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


def _number(value: object) -> int | float:
    """Return a TOML number, refusing booleans, text and TOML's ``nan`` and ``inf``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _expected(float, value)
    if not math.isfinite(value):
        msg = f"expected a finite number, got {quote(value)}"
        raise ShapeError(msg)
    return value


def _fraction(value: object, _: Any) -> Fraction:
    number = _number(value)
    return Fraction(number) if isinstance(number, int) else decimal(number)


def _float(value: object, _: Any) -> float:
    return float(_number(value))


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
    from painrx.units import Q, Quantity

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
    generated = make_dict_structure_fn(tp, converter, **renamed)  # type: ignore[arg-type]

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


def _is_annotated(tp: Any) -> bool:
    return get_origin(tp) is Annotated


def _is_literal(tp: Any) -> bool:
    return get_origin(tp) is Literal


def _is_mapping(tp: Any) -> bool:
    return get_origin(tp) in {Mapping, dict}


def _is_table(tp: Any) -> bool:
    return isinstance(tp, type) and attrs.has(tp)


@cache
def _converter() -> cattrs.Converter:
    import cattrs

    from painrx.units import Quantity

    converter = cattrs.Converter(detailed_validation=True, forbid_extra_keys=True)
    for tp, hook in (
        (Fraction, _fraction),
        (ExactNumber, _fraction),
        (float, _float),
        (int, _int),
        (str, _str),
        (bool, _bool),
        (Quantity, _quantity),
        (Severity, _severity),
        (Provenance, _source),
    ):
        converter.register_structure_hook(tp, hook)
    factories: tuple[tuple[Callable[[Any], bool], Any], ...] = (
        (_is_annotated, _annotated),
        (_is_literal, _literal),
        (_is_sequence, _sequence),
        (_is_mapping, _mapping),
        (_is_table, _table),
    )
    for predicate, factory in factories:
        converter.register_structure_hook_factory(predicate, factory)
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
        indexed, loose = exc.group_exceptions()
        for inner, inote in indexed:
            yield from _problems(inner, _join(path, inote.index))
        for inner in loose:
            yield from _problems(inner, path)
    elif isinstance(exc, ForbiddenExtraKeysError):
        accepted = sorted(a.metadata.get("key", a.name) for a in attrs.fields(exc.cl))
        unknown = sorted(exc.extra_fields)
        yield path or "(top level)", f"unknown key(s) {unknown}; accepted: {accepted}"
    elif isinstance(exc, ShapeError):
        yield (_join(path, exc.at) if exc.at else path) or "(top level)", exc.message
    else:
        yield path or "(top level)", str(exc) or type(exc).__name__


def _table_error(file: str, exc: BaseException) -> TableError:
    found = list(_problems(exc, ""))
    lines = [f"data/{file}: {path}: {what}" for path, what in found[:_MAX_PROBLEMS]]
    more = len(found) - _MAX_PROBLEMS
    if more > 0:
        lines.append(f"(and {more} more problem(s) in data/{file})")
    return TableError("\n".join(lines))


# --------------------------------------------------------------------------- headers


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
class _Sources:
    sources: Mapping[str, _Source] = MappingProxyType({})


def _structure(value: Any, shape: type[T], file: str) -> T:
    try:
        return _converter().structure(value, shape)
    except Exception as exc:  # noqa: BLE001 -- every problem becomes one TableError
        raise _table_error(file, exc) from None


def header(doc: Mapping[str, Any], file: str) -> tuple[TableInfo, Mapping[str, Provenance]]:
    """Validate a document's ``[provenance]`` and ``[sources.*]`` blocks.

    Returns:
        The table's listing, and every source the file declares by key
        (``"provenance"`` is the file's own; ``[sources.KEY]`` has the id
        ``"<table id>/KEY"``).
    """
    info = table_header(doc.get("provenance"), file)
    token = _CONTEXT.set(_Context(file, {}))
    try:
        declared = _structure({"sources": doc.get("sources", {})}, _Sources, file).sources
    finally:
        _CONTEXT.reset(token)
    sources = {"provenance": info.source} | {
        key: Provenance(
            f"{info.id}/{key}", block.title, block.year, block.citation, block.url, block.edition
        )
        for key, block in declared.items()
    }
    return info, MappingProxyType(sources)


def structure_document(doc: Mapping[str, Any], shape: type[T], file: str) -> T:
    """Check a document's header, then structure its body as ``shape``."""
    _, sources = header(doc, file)
    body = {k: v for k, v in doc.items() if k not in {"provenance", "sources"}}
    token = _CONTEXT.set(_Context(file, sources))
    try:
        return _structure(body, shape, file)
    finally:
        _CONTEXT.reset(token)
