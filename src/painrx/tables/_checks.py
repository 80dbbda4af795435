"""The checks a declared table shape is built from, and the error they raise.

:class:`ShapeError` and the marks used in ``Annotated`` field types (:class:`Range`,
:class:`OfKind`, :class:`OneOf`, :class:`NonEmpty`, the vocabulary terms) are what both
sides of the loader share: :mod:`painrx.tables._shape` declares shapes with them and
:mod:`painrx.tables._structure` runs them while structuring a table. They live here, below
both, so the loader's imports run one way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any, Literal

from painrx.errors import PainRxError

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
    "quote",
]

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
