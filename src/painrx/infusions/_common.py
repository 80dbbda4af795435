"""Shared pieces of the infusion results: display, JSON export, alerts, number rounding."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

import attrs
import pint

from painrx._html import key_value_table
from painrx._numbers import exact_decimal, round_half_up
from painrx.errors import Alert, Severity
from painrx.provenance import Provenance
from painrx.units import format_units

__all__ = ["ResultMixin", "alert", "exact_decimal", "round_half_up", "to_json"]

#: Alert codes of the infusion domain and how much attention each needs.
_SEVERITY: dict[str, Severity] = {
    "soft_limit_high": Severity.MODERATE,
    "soft_limit_low": Severity.MINOR,
    "rate_below_pump_resolution": Severity.MAJOR,
    "display_rounding_moves_dose": Severity.MODERATE,
    # The delivered dose stays within the limits; the display differs by one step.
    "display_rate_adjusted_for_hard_limit": Severity.MINOR,
    "non_metric_weight": Severity.MINOR,
    "ibw_extrapolated": Severity.MINOR,
    "no_dose_limits": Severity.MODERATE,
    "nonstandard_concentration": Severity.MODERATE,
    "dosing_weight_basis": Severity.MODERATE,
    "wrong_concentration": Severity.MAJOR,
}


def alert(code: str, message: str, source: Provenance | None = None) -> Alert:
    """Return an infusion alert with the severity its code carries."""
    return Alert(code, _SEVERITY[code], message, source)


def _short(value: object) -> str:
    if isinstance(value, pint.Quantity):
        return f"{value.magnitude:.6g} {format_units(value)}"
    if isinstance(value, Provenance):
        return value.id
    if isinstance(value, Alert):
        return value.code
    if isinstance(value, tuple):
        return "(" + ", ".join(_short(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, Decimal):
        return str(value)
    return repr(value)


def to_json(value: object) -> Any:
    """Return a JSON-ready form of a result field."""
    if isinstance(value, pint.Quantity):
        return {"value": float(value.magnitude), "unit": format_units(value)}
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Provenance):
        return value.id
    if isinstance(value, Alert):
        return value.to_dict()
    if isinstance(value, tuple):
        return [to_json(v) for v in value]
    if isinstance(value, ResultMixin):
        return value.to_dict()
    return value


class ResultMixin:
    """``__repr__``, ``_repr_html_`` and ``to_dict`` for the infusion result classes."""

    #: Fields shown by ``repr``; ``to_dict`` and the HTML table show every field.
    _REPR_FIELDS: ClassVar[tuple[str, ...]] = ()
    #: Units of plain-number fields (a Decimal pump setting), so HTML shows every unit.
    _UNITS: ClassVar[dict[str, str]] = {}

    def _fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in attrs.fields(type(self)))  # type: ignore[arg-type]

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={_short(getattr(self, n))}" for n in self._REPR_FIELDS)
        return f"{type(self).__name__}({shown})"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping: numbers, unit strings, alerts and source ids."""
        return {name: to_json(getattr(self, name)) for name in self._fields()}

    def _repr_html_(self) -> str:
        rows = [
            (
                name,
                value if isinstance(value, str) else f"{_short(value)} {self._UNITS.get(name, '')}",
            )
            for name in self._fields()
            for value in (getattr(self, name),)
            if name not in {"alerts", "source"} and value is not None
        ]
        return key_value_table(
            type(self).__name__,
            rows,
            getattr(self, "alerts", ()),
            getattr(self, "source", None),
        )
