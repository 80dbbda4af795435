"""The painrx error tree and clinical alerts.

Every error painrx raises is a :class:`PainRxError`, which is a :class:`ValueError`,
so callers that already catch ``ValueError`` keep working. Errors carry a message
that names the bad value and what would have been accepted, and they survive
pickling (batch jobs move them between processes).

Alerts are not errors: a computation that succeeds but deserves a clinician's
attention returns its result with :class:`Alert` objects attached.
"""

from __future__ import annotations

import enum
import re
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

import attrs

if TYPE_CHECKING:
    from painrx.provenance import Provenance
    from painrx.types import AlertDict, SeverityName

__all__ = [
    "Alert",
    "HardLimitError",
    "InputError",
    "MissingDependencyError",
    "NoFactorError",
    "PainRxError",
    "Severity",
    "TableError",
    "UnitError",
    "UnknownDrugError",
    "UnsafeConversionError",
]


#: The most characters of a bad value an error message quotes (hostile input can be huge).
MAX_QUOTED = 100
# A quoted value opens after a non-word character and closes before one, so the text
# between two short quoted values ("basis='current' never ... stop_at='5 mg'") is not one.
_LONG_NUMBER = re.compile(rf"\d{{{MAX_QUOTED + 1},}}")
_LONG_QUOTED = re.compile(
    rf"(?<!\w)(?:'[^'\n]{{{MAX_QUOTED + 1},}}'|\"[^\"\n]{{{MAX_QUOTED + 1},}}\")(?!\w)"
)


def _shorten_quoted(message: str) -> str:
    """Cut every quoted value longer than :data:`MAX_QUOTED` characters to its ends."""

    def cut(match: re.Match[str]) -> str:
        text = match.group()
        quote, inner = text[0], text[1:-1]
        return f"{quote}{inner[:60]}…{inner[-20:]}{quote} ({len(inner):,} characters)"

    def cut_number(match: re.Match[str]) -> str:
        digits = match.group()
        return f"{digits[:20]}…({len(digits):,} digits)"

    return _LONG_NUMBER.sub(cut_number, _LONG_QUOTED.sub(cut, message))


class PainRxError(ValueError):
    """Base class of every error painrx raises.

    Catch this to handle any refusal from painrx in one place.
    """

    def __init__(self, message: str) -> None:
        message = _shorten_quoted(message)
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message,))


class TableError(PainRxError):
    """A packaged data file is malformed (a packaging bug, never a user error)."""


class UnitError(PainRxError):
    """A unit is unknown, not allow-listed, of the wrong dimension, or missing."""


class InputError(PainRxError):
    """A value is non-finite, non-positive, implausible, or an option is unknown."""


class UnknownDrugError(PainRxError, KeyError):
    """A drug name or code is not in painrx's catalog.

    Attributes:
        name: The name that was looked up.
        suggestions: Close matches from the catalog, best first.
    """

    def __init__(self, name: str, suggestions: Sequence[str] = ()) -> None:
        self.name = name
        self.suggestions = tuple(suggestions)
        hint = (
            f" Did you mean: {', '.join(repr(s) for s in self.suggestions)}?"
            if self.suggestions
            else " painrx.catalog.names() lists every accepted name."
        )
        super().__init__(f"Unknown drug {name!r}: it is not in the painrx catalog.{hint}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.name, self.suggestions))


class NoFactorError(PainRxError):
    """The chosen table has no number for this drug, route or form.

    painrx never defaults a missing factor to 0 or 1.
    """


class UnsafeConversionError(PainRxError):
    """painrx refuses a conversion for which no validated method was chosen."""


class HardLimitError(PainRxError):
    """A dose, rate or product is beyond a hard limit of its dosing profile."""


class MissingDependencyError(PainRxError, ImportError):
    """An optional extra is not installed (``painrx[plot]`` for pictures)."""


@enum.unique
class Severity(enum.IntEnum):
    """How much attention an alert or interaction finding needs, in order."""

    INFO = 0
    MINOR = 1
    MODERATE = 2
    MAJOR = 3
    CONTRAINDICATED = 4

    def __str__(self) -> str:
        """Return the name a reader knows (``MAJOR``), not the order number (``3``).

        >>> print(Severity.MAJOR)
        MAJOR
        >>> f"{Severity.MINOR:>8}"
        '   MINOR'
        """
        return self.name

    def __format__(self, spec: str) -> str:
        # Text specs (">8") format the name; number specs ("d", "02d") the order number.
        try:
            return format(self.name, spec)
        except ValueError:
            return format(int(self), spec)

    @classmethod
    def parse(cls, value: str | Severity) -> Severity:
        """Return the severity named by ``value`` (case-insensitive).

        Raises:
            InputError: If ``value`` names no severity.
        """
        if isinstance(value, Severity):
            return value
        try:
            return cls[value.strip().upper()]
        except KeyError:
            accepted = ", ".join(s.name.lower() for s in cls)
            msg = f"Unknown severity {value!r}; accepted: {accepted}."
            raise InputError(msg) from None


@attrs.frozen
class Alert:
    """Something about a result that a clinician should see.

    Attributes:
        code: Stable snake_case identifier, e.g. ``"mme_threshold_90"``.
        severity: How much attention it needs.
        message: One readable sentence.
        source: The cited source behind the alert, when there is one.
    """

    code: str
    severity: Severity
    message: str
    source: Provenance | None = None

    def __attrs_post_init__(self) -> None:
        _check_alert(self.code, self.severity, self.message, self.source)

    def to_dict(self) -> AlertDict:
        """Return a JSON-ready mapping (the source is given by its id)."""
        return {
            "code": self.code,
            "severity": cast("SeverityName", self.severity.name.lower()),
            "message": self.message,
            "source": self.source.id if self.source is not None else None,
        }


def _check_alert(code: object, severity: object, message: object, source: object) -> None:
    """Refuse an Alert built with nonsense (typed ``object``: callers may pass anything)."""
    if not isinstance(code, str) or not code.strip():
        msg = f"Alert code={code!r} must be a non-empty code such as 'mme_threshold_90'."
        raise InputError(msg)
    if not isinstance(severity, Severity):
        msg = (
            f"Alert severity={severity!r} must be a painrx Severity such as Severity.MAJOR "
            "(Severity.parse('major') reads a name)."
        )
        raise InputError(msg)
    if not isinstance(message, str):
        msg = f"Alert message={message!r} must be text."
        raise InputError(msg)
    # A Provenance exists only once painrx.provenance is loaded: looking the class up there
    # keeps this leaf from importing provenance, which imports errors (no import loop).
    provenance = sys.modules.get("painrx.provenance")
    if source is not None and (provenance is None or not isinstance(source, provenance.Provenance)):
        msg = f"Alert source={source!r} must be a painrx Provenance or None."
        raise InputError(msg)


def dedupe_alerts(alerts: Iterable[Alert]) -> tuple[Alert, ...]:
    """Return ``alerts`` without repeats, keeping the first occurrence's order."""
    seen: dict[Alert, None] = {}
    for alert in alerts:
        seen.setdefault(alert, None)
    return tuple(seen)
