"""Clinical units: one lazily built pint registry, an allow-list and a bounded parser.

painrx never hands a user string to pint's expression evaluator. Every unit string,
whether passed to :func:`Q` or to ``Quantity.to("...")``, goes through painrx's own
tokenizer, which accepts a short, allow-listed vocabulary:

* drug mass ``g``, ``mg``, ``mcg`` (= ``ug`` = ``µg``);
* body weight ``kg`` and ``lb``;
* volume ``L``, ``mL``;
* time ``min``, ``h``, ``day`` (``d``), ``week``, and for durations only ``month``
  (30 days, a painrx convention) and ``year``;
* length ``cm``, ``m``, ``in``;
* the combinations a prescription uses: ``mg/mL`` (concentration), ``mg/day`` and
  ``mcg/h`` (dose rate, patch strength), ``mL/h`` (pump rate), ``mg/kg`` (weight-based
  dose) and ``mg/kg/h`` / ``mcg/kg/min`` (weight-based dose rate).

A per-kg denominator is *body weight*, a dimension of its own (``[body_mass]``), so
``mg/kg/h`` can never be converted to ``1/h`` or ``mg/h`` by accident; multiplying
it by a body weight (:func:`as_body_weight`) cancels the two explicitly.
"""

from __future__ import annotations

import math
import numbers
import re
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, cast

import attrs
import pint

from painrx.errors import InputError, UnitError

if TYPE_CHECKING:
    from pint.util import UnitsContainer

__all__ = [
    "ALLOWED_UNITS",
    "REJECTED_UNITS",
    "Kind",
    "Q",
    "Quantity",
    "QuantityLike",
    "as_body_weight",
    "format_quantity",
    "format_units",
    "is_real",
    "kind_of",
    "magnitude",
    "quantity_arg",
    "registry",
    "to_ucum",
]

if TYPE_CHECKING:
    #: A painrx quantity: a pint ``Quantity[float]`` from painrx's own registry.
    Quantity: TypeAlias = pint.Quantity[float]
else:
    Quantity = pint.Quantity
#: What a painrx function accepts wherever a physical amount is expected.
QuantityLike: TypeAlias = "str | Quantity"

#: The dimension kinds painrx distinguishes.
Kind = Literal[
    "mass",
    "volume",
    "time",
    "length",
    "concentration",
    "mass_rate",
    "volume_rate",
    "dose_per_weight",
    "dose_rate_per_weight",
    "body_weight",
]

_KIND_EXAMPLES: dict[str, str] = {
    "mass": "a mass such as '10 mg' or '70 kg'",
    "volume": "a volume such as '2.5 mL'",
    "time": "a duration such as '7 day' or '8 h'",
    "length": "a length such as '170 cm'",
    "concentration": "a concentration such as '2 mg/mL'",
    "mass_rate": "a dose rate such as '30 mg/day' or a patch strength '25 mcg/h'",
    "volume_rate": "a pump rate such as '12.5 mL/h'",
    "dose_per_weight": "a weight-based dose such as '0.35 mg/kg'",
    "dose_rate_per_weight": "a weight-based dose rate such as '0.25 mg/kg/h'",
    "body_weight": "a body weight such as '70 kg'",
}


@attrs.frozen
class _Atom:
    pint_name: str
    category: Literal["mass", "weight", "volume", "time", "duration", "length"]
    display: str
    ucum: str


_MCG = _Atom("microgram", "mass", "mcg", "ug")
_MG = _Atom("milligram", "mass", "mg", "mg")
_G = _Atom("gram", "mass", "g", "g")
_KG = _Atom("kilogram", "weight", "kg", "kg")
_LB = _Atom("pound", "weight", "lb", "[lb_av]")
_ML = _Atom("milliliter", "volume", "mL", "mL")
_L = _Atom("liter", "volume", "L", "L")
_MIN = _Atom("minute", "time", "min", "min")
_H = _Atom("hour", "time", "h", "h")
_DAY = _Atom("day", "time", "day", "d")
_WEEK = _Atom("week", "time", "week", "wk")
_MONTH = _Atom("clinical_month", "duration", "month", "30.d")
_YEAR = _Atom("year", "duration", "year", "a")
_CM = _Atom("centimeter", "length", "cm", "cm")
_M = _Atom("meter", "length", "m", "m")
_IN = _Atom("inch", "length", "in", "[in_i]")
_KG_BODY = _Atom("kilogram_body", "weight", "kg", "kg")

# Looked up after lower-casing, but only for a word written all in lower case, all in
# capitals (pharmacy files write "MG", "MCG/HR", "MG/ML") or in painrx's own spelling
# ("mL", "L", "µg"): mixed case such as "Mg" or a lone "M" could mean mega or molar.
_ALIASES: dict[str, _Atom] = {
    **dict.fromkeys(("mcg", "ug", "µg", "μg", "microgram", "micrograms"), _MCG),
    **dict.fromkeys(("mg", "milligram", "milligrams"), _MG),
    **dict.fromkeys(("g", "gram", "grams"), _G),
    **dict.fromkeys(("kg", "kilogram", "kilograms"), _KG),
    **dict.fromkeys(("lb", "lbs", "pound", "pounds"), _LB),
    **dict.fromkeys(("ml", "milliliter", "milliliters", "millilitre", "millilitres"), _ML),
    **dict.fromkeys(("l", "liter", "liters", "litre", "litres"), _L),
    **dict.fromkeys(("min", "mins", "minute", "minutes"), _MIN),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), _H),
    **dict.fromkeys(("d", "day", "days"), _DAY),
    **dict.fromkeys(("wk", "wks", "week", "weeks"), _WEEK),
    **dict.fromkeys(("month", "months", "mo"), _MONTH),
    **dict.fromkeys(("year", "years", "yr", "yrs"), _YEAR),
    **dict.fromkeys(("cm", "centimeter", "centimeters", "centimetre", "centimetres"), _CM),
    **dict.fromkeys(("m", "meter", "meters", "metre", "metres"), _M),
    **dict.fromkeys(("in", "inch", "inches"), _IN),
}

#: Every accepted unit token (case-insensitive), by what it measures.
ALLOWED_UNITS: dict[str, tuple[str, ...]] = {
    "drug mass": ("g", "mg", "mcg", "ug", "µg"),
    "body weight": ("kg", "lb"),
    "volume": ("L", "mL"),
    "time": ("min", "h", "day", "d", "week"),
    "duration only": ("month (= 30 day)", "year"),
    "length": ("cm", "m", "in"),
}

#: Units pint would accept but painrx refuses, with the reason given to the user.
REJECTED_UNITS: dict[str, str] = {
    "u": "'u'/'U' for units is an ISMP error-prone abbreviation (misread as 0 or 4)",
    "unit": "'unit(s)' dosing is outside painrx's vocabulary",
    "units": "'unit(s)' dosing is outside painrx's vocabulary",
    "iu": "'IU' is an ISMP error-prone abbreviation and outside painrx's vocabulary",
    "gamma": "'gamma' is an obsolete name for microgram; write 'mcg'",
    "gr": "'gr' (grain) is confused with gram; write the dose in 'mg'",
    "grain": "grain is confused with gram; write the dose in 'mg'",
    "grains": "grain is confused with gram; write the dose in 'mg'",
    "ppm": "'ppm' is not a dose unit",
    "%": "'%' is not a dose unit; give a concentration in 'mg/mL'",
    "percent": "'percent' is not a dose unit; give a concentration in 'mg/mL'",
    "cc": "'cc' is an ISMP error-prone abbreviation (misread as U or 00); write 'mL'",
    "µ": "a bare 'µ' is not a unit; write 'mcg'",
    "μ": "a bare 'μ' is not a unit; write 'mcg'",
}

_MAX_TEXT = 100
_NUMBER = re.compile(r"[+-]?(?:\d{1,20}(?:\.\d{0,20})?|\.\d{1,20})(?:[eE][+-]?\d{1,3})?")
_TOKEN = re.compile(r"\s*(?:(?P<word>[A-Za-zµμ_]+)|(?P<op>[/().*·])|(?P<one>1)|(?P<pct>%))")
_ALLOWED_CHARS = re.compile(r"[A-Za-z0-9µμ_/().*·%+\-\s]*")

_lock = threading.Lock()
_registry: pint.UnitRegistry[float] | None = None
# The registry's Quantity class, set when the registry is built: quantities are made
# without pint's constructor checks on the warm paths (see new_quantity).
_QUANTITY: list[type[Quantity]] = []


def _build_registry() -> pint.UnitRegistry[float]:
    class PainRxQuantity(pint.UnitRegistry.Quantity):  # type: ignore[type-arg]
        """A pint Quantity from painrx's registry: pickles into it, prints clinically."""

        def __reduce__(self) -> tuple[Any, ...]:
            return (_unpickle_quantity, (self.magnitude, dict(self._units)))

        def __str__(self) -> str:
            # pint allows ints, Fractions, Decimals... as magnitudes; only floats take 'g'.
            magnitude = self.magnitude
            shown = f"{magnitude:g}" if isinstance(magnitude, float) else str(magnitude)
            return f"{shown} {format_units(self)}".rstrip()

        def __repr__(self) -> str:
            return f"<Quantity({self.magnitude!r}, {format_units(self)!r})>"

        def __format__(self, spec: str) -> str:
            return format_quantity(self, spec)

        def _repr_html_(self) -> str:
            from html import escape

            return escape(str(self))

        def _repr_latex_(self) -> str:
            # Jupyter's LaTeX view, in the symbols a clinician writes (mg, not milligram).
            return f"${format_quantity(self, '~L')}$"

        def to(self, other: Any = None, *contexts: Any, **kwargs: Any) -> Any:
            try:
                return super().to(other, *contexts, **kwargs)
            except pint.DimensionalityError as exc:
                raise _conversion_error(self, other, exc) from None

        def m_as(self, units: Any) -> Any:
            try:
                return super().m_as(units)
            except pint.DimensionalityError as exc:
                raise _conversion_error(self, units, exc) from None

        def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # noqa: ARG002 -- IPython's signature
            printer.text(str(self))

    class PainRxRegistry(pint.UnitRegistry):  # type: ignore[type-arg]
        Quantity = PainRxQuantity
        _painrx_ready = False

        def parse_units_as_container(
            self,
            input_string: str,
            as_delta: bool | None = None,
            case_sensitive: bool | None = None,
        ) -> UnitsContainer:
            if not self._painrx_ready:
                return super().parse_units_as_container(input_string, as_delta, case_sensitive)
            return _container_for(input_string)

        def parse_expression(self, input_string: str, *_: Any, **__: Any) -> Any:
            return Q(input_string)

        def __getattr__(self, item: str) -> Any:
            # pint answers `registry.mg` with a Unit; a name painrx refuses is no attribute,
            # so hasattr() is False instead of raising.
            try:
                return super().__getattr__(item)
            except UnitError:
                raise AttributeError(item) from None

    reg = PainRxRegistry(on_redefinition="raise")
    reg.define("kilogram_body = [body_mass]")
    reg.define("clinical_month = 30 * day")
    # pint registers prefixed units (milliliter…) lazily while parsing; painrx's parser
    # bypasses that step, so resolve every allow-listed name once here.
    for atom in {*_ALIASES.values()}:
        reg.get_name(atom.pint_name)
    reg._painrx_ready = True
    return reg


def _conversion_error(q: Any, target: Any, exc: Exception) -> UnitError:
    kind = kind_of(q)
    what = kind.replace("_", " ") if kind else "this quantity"
    msg = f"Cannot convert {format(q)!r} ({what}) to {target!s}: the dimensions differ ({exc})."
    return UnitError(msg)


def registry() -> pint.UnitRegistry[float]:
    """Return painrx's unit registry, building it on first use (thread-safe).

    Importing painrx builds nothing; the first call pays pint's set-up cost once.
    """
    global _registry  # noqa: PLW0603 -- the one lazily built, process-wide registry
    reg = _registry
    if reg is None:
        with _lock:
            reg = _registry
            if reg is None:
                reg = _build_registry()
                _QUANTITY.append(cast("type[Quantity]", reg.Quantity))
                _registry = reg
    return reg


def _unpickle_quantity(magnitude: float, units: dict[str, float]) -> Quantity:
    reg = registry()
    return reg.Quantity(magnitude, reg.UnitsContainer(units))


@attrs.frozen
class _ParsedUnit:
    numerator: _Atom
    denominators: tuple[_Atom, ...]
    kind: str


def is_real(value: object) -> bool:
    """Return True for a real number that is not a bool (``True`` is no dose)."""
    return not isinstance(value, bool) and isinstance(value, (int, float, numbers.Real))


def real_float(value: object) -> float:
    """Return a real number (see :func:`is_real`) as a float.

    An integer too large for a float becomes an infinity, which every caller's finite
    check refuses with a painrx error, instead of Python's OverflowError.
    """
    try:
        return float(value)  # type: ignore[arg-type] # a real number has __float__
    except OverflowError:
        return math.inf if value > 0 else -math.inf  # type: ignore[operator]


def _unit_error(text: str, why: str) -> UnitError:
    return UnitError(f"Unit {text!r} is not accepted: {why}.")


def _plain_case(word: str, atom: _Atom) -> bool:
    if word in {atom.display, word.lower()}:
        return True
    return len(word) > 1 and word == word.upper()


def _lookup_atom(word: str, text: str) -> _Atom:
    key = word.lower()
    if key in REJECTED_UNITS:
        return_msg = REJECTED_UNITS[key]
        raise _unit_error(text, f"{return_msg}")
    atom = _ALIASES.get(key)
    if atom is not None and not _plain_case(word, atom):
        msg = f"{word!r} is ambiguous in that case (capital M is mega, small m milli); write {atom.display!r}"
        raise _unit_error(text, msg)
    if atom is None:
        accepted = "; ".join(f"{k}: {', '.join(v)}" for k, v in ALLOWED_UNITS.items())
        msg = f"unknown unit {word!r}. Accepted units are {accepted}"
        raise _unit_error(text, msg)
    return atom


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    end = len(text.rstrip())
    while pos < end:
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise _unit_error(text, f"unexpected character {text[pos:].strip()[:1]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


def _parse_unit_text(text: str) -> _ParsedUnit:
    tokens = _tokenize(text)
    if not tokens:
        msg = "A unit is required: painrx never guesses one (e.g. '10 mg')."
        raise UnitError(msg)
    for kind, value in tokens:
        if kind == "pct":
            raise _unit_error(text, REJECTED_UNITS["%"])
        if kind == "word":
            _lookup_atom(value, text)
    kind, value = tokens[0]
    if kind == "one":
        why = "a rate needs an amount; write e.g. '0.25 mg/kg/h' or '10 mL/h', not '1/h'"
        raise _unit_error(text, why)
    if kind != "word":
        raise _unit_error(text, "it must start with a unit such as 'mg'")
    numerator = _lookup_atom(value, text)
    denominators: list[_Atom] = []
    i = 1
    while i < len(tokens):
        kind, value = tokens[i]
        if kind != "op" or value != "/":
            why = (
                "products of units are ambiguous (pint reads 'mg/kg*h' as mg·h/kg); write 'mg/kg/h'"
            )
            raise _unit_error(text, why)
        i += 1
        if i < len(tokens) and tokens[i] == ("op", "("):
            group_end = next((j for j in range(i, len(tokens)) if tokens[j] == ("op", ")")), -1)
            if group_end < 0:
                raise _unit_error(text, "unbalanced parenthesis")
            inner = tokens[i + 1 : group_end]
            words = inner[0::2]
            ops = inner[1::2]
            if not words or any(k != "word" for k, _ in words):
                raise _unit_error(text, "parentheses may only hold units such as (kg.h)")
            if any(op not in {("op", "."), ("op", "*"), ("op", "·")} for op in ops):
                raise _unit_error(text, "units in parentheses are joined by '.'")
            if len(inner) % 2 == 0:
                raise _unit_error(text, "dangling operator in parentheses")
            denominators.extend(_lookup_atom(w, text) for _, w in words)
            i = group_end + 1
        elif i < len(tokens) and tokens[i][0] == "word":
            denominators.append(_lookup_atom(tokens[i][1], text))
            i += 1
        else:
            raise _unit_error(text, "'/' must be followed by a unit")
    return _classify(text, numerator, tuple(denominators))


def _classify(text: str, num: _Atom, dens: tuple[_Atom, ...]) -> _ParsedUnit:
    if not dens:
        kind = {
            "mass": "mass",
            "weight": "mass",
            "volume": "volume",
            "time": "time",
            "duration": "time",
            "length": "length",
        }[num.category]
        return _ParsedUnit(num, (), kind)
    if any(d.category == "duration" for d in dens):
        raise _unit_error(text, "month and year are for durations only; write '/day'")
    if num.category == "weight":
        why = "kg and lb are body weights; a drug amount is written in g, mg or mcg"
        raise _unit_error(text, why)
    if any(d is _LB for d in dens):
        raise _unit_error(text, "doses per lb are not accepted; write the dose per kg")
    cats = sorted(d.category for d in dens)
    if num.category == "mass" and cats == ["volume"]:
        return _ParsedUnit(num, dens, "concentration")
    if num.category == "mass" and cats == ["time"]:
        return _ParsedUnit(num, dens, "mass_rate")
    if num.category == "volume" and cats == ["time"]:
        return _ParsedUnit(num, dens, "volume_rate")
    if num.category == "mass" and cats == ["weight"]:
        return _ParsedUnit(num, (_KG_BODY,), "dose_per_weight")
    if num.category == "mass" and cats == ["time", "weight"]:
        time = next(d for d in dens if d.category == "time")
        return _ParsedUnit(num, (_KG_BODY, time), "dose_rate_per_weight")
    accepted = "mg/mL, mg/day, mcg/h, mL/h, mg/kg, mg/kg/h, mcg/kg/min"
    raise _unit_error(text, f"painrx accepts combinations such as {accepted}")


@lru_cache(maxsize=512)
def _parsed(text: str) -> _ParsedUnit:
    _check_text(text)
    return _parse_unit_text(text)


def _container_for(text: str) -> UnitsContainer:
    return _unit_for(text)._units


@lru_cache(maxsize=512)
def _unit_for(text: str) -> pint.Unit:
    parsed = _parsed(text)
    reg = registry()
    powers: dict[str, int] = {parsed.numerator.pint_name: 1}
    for den in parsed.denominators:
        powers[den.pint_name] = powers.get(den.pint_name, 0) - 1
    return reg.Unit(reg.UnitsContainer(powers))


_WARM_UNITS: dict[str, UnitsContainer] = {}
_MAX_WARM_UNITS = 512
_INFINITY = math.inf
_NEGATIVE_INFINITY = -math.inf


def _remember_unit(text: str) -> UnitsContainer:
    units = _container_for(text)
    if len(_WARM_UNITS) < _MAX_WARM_UNITS:
        _WARM_UNITS[text] = units
    return units


def new_quantity(number: float, units: UnitsContainer) -> Quantity:
    """Build a quantity of painrx's registry from a finite float and a units container.

    pint's ``Quantity(number, units)`` spends ~10 µs per call on checks that a float and
    a container of this registry never need (upcast types, strings, array coercion, and
    a look-up of pint's application registry); the instance it builds holds just these
    two attributes, which ``tests/test_units.py`` checks against pint's own constructor.
    The caller guarantees a finite float and a container from :func:`registry`.
    """
    if not _QUANTITY:
        registry()
    quantity = object.__new__(_QUANTITY[0])
    quantity._magnitude = number
    quantity._units = units
    return quantity


def _check_text(text: str) -> None:
    if len(text) > _MAX_TEXT:
        msg = f"Input is {len(text)} characters long; painrx accepts at most {_MAX_TEXT}."
        raise InputError(msg)
    if "\x00" in text:
        msg = "Input contains a NUL byte."
        raise InputError(msg)
    if not _ALLOWED_CHARS.fullmatch(text):
        bad = next(c for c in text if not _ALLOWED_CHARS.fullmatch(c))
        msg = (
            f"Input {text!r} contains the character {bad!r} (U+{ord(bad):04X}); "
            "painrx accepts ASCII digits, unit letters, '/', '.', and parentheses."
        )
        raise InputError(msg)


def _float_magnitude(q: Quantity) -> Quantity:
    """Return ``q`` with one finite float magnitude (pint allows ints, Fractions, arrays...)."""
    magnitude = q.magnitude
    if type(magnitude) is float and math.isfinite(magnitude):
        return q
    if not is_real(magnitude):
        msg = (
            f"A quantity's magnitude must be one real number, not {magnitude!r} "
            f"({type(magnitude).__name__}); build it with painrx.Q, e.g. Q(10, 'mg')."
        )
        raise InputError(msg)
    number = _check_value(real_float(magnitude), magnitude)
    return new_quantity(number, q._units)


def _check_value(value: float, text: object) -> float:
    if not math.isfinite(value):
        msg = f"{text!r} is not a finite number; NaN and infinities are refused."
        raise InputError(msg)
    return value


@lru_cache(maxsize=512)
def _split_text(text: str) -> tuple[float, str]:
    _check_text(text)
    stripped = text.strip()
    if not stripped:
        msg = "Empty string: give a value with its unit, e.g. '10 mg'."
        raise InputError(msg)
    match = _NUMBER.match(stripped)
    if match is None and stripped.lower().lstrip("+-").startswith(("nan", "inf")):
        msg = f"{text!r} is not a finite number; NaN and infinities are refused."
        raise InputError(msg)
    if match is None:
        msg = f"{text!r} does not start with a number; write e.g. '10 mg'."
        raise InputError(msg)
    unit_text = stripped[match.end() :].strip()
    if not unit_text:
        msg = f"{text!r} has no unit: painrx never guesses one (write e.g. '{stripped} mg')."
        raise UnitError(msg)
    if unit_text[0].isdigit() or unit_text[0] in ".,":
        msg = f"{text!r} is not one number followed by a unit."
        raise InputError(msg)
    if unit_text[0] == "/" and unit_text[1:].lstrip()[:1].isdigit():
        msg = (
            f"{text!r} looks like a combination product's strength (such as 10/325 mg): "
            "give one amount, of the ingredient asked for (for a daily opioid dose of "
            "Percocet 10/325 mg four times a day, '40 mg/day')."
        )
        raise InputError(msg)
    return _check_value(float(match.group()), text), unit_text


def Q(value: object, unit: str | None = None) -> Quantity:  # noqa: N802 -- pint's Q_ idiom
    """Build a painrx quantity from text or from a number and a unit.

    Args:
        value: ``"10 mg"``, a number (with ``unit``), or a painrx quantity.
        unit: The unit of a numeric ``value``, e.g. ``"mg/kg/h"``.

    Returns:
        A pint quantity from painrx's registry.

    Raises:
        UnitError: The unit is missing, unknown or not allow-listed.
        InputError: The value is not a finite number, or the text is malformed.

    >>> Q("0.25 mg/kg/h").to("mcg/kg/min")
    <Quantity(4.166666666666667, 'mcg/kg/min')>
    >>> Q(10, "mcg")
    <Quantity(10.0, 'mcg')>
    """
    value_type = type(value)
    if value_type is float and type(unit) is str:
        # The warm path: a float and a unit string parsed before (no other work).
        parsed = _WARM_UNITS.get(unit)
        if parsed is not None and _NEGATIVE_INFINITY < value < _INFINITY:  # type: ignore[operator]
            quantity = object.__new__(_QUANTITY[0])
            quantity._magnitude = cast("float", value)
            quantity._units = parsed
            return quantity
    reg = _registry or registry()
    if (value_type is float or value_type is int) and type(unit) is str:
        # The warm path: a plain number and an already-parsed unit string.
        number = cast("float", value) if value_type is float else real_float(value)
        if not -math.inf < number < math.inf:
            _check_value(number, value)
        return new_quantity(number, _WARM_UNITS.get(unit) or _remember_unit(unit))
    if isinstance(value, str):
        if unit is not None:
            msg = f"Give either text such as '10 mg' or a number and a unit, not {value!r}."
            raise InputError(msg)
        number, unit_text = _split_text(value)
        return new_quantity(number, _container_for(unit_text))
    if isinstance(value, reg.Quantity):
        value = _float_magnitude(value)
        if unit is not None:
            return value.to(_unit_for(unit))
        return value
    if value is None:
        msg = "No value given (None): give a quantity such as '10 mg'."
        raise InputError(msg)
    if hasattr(value, "magnitude") and hasattr(value, "units"):
        msg = (
            f"{value!r} comes from another pint registry; build painrx quantities "
            "with painrx.Q so that body weight and drug mass stay distinct."
        )
        raise UnitError(msg)
    if not is_real(value):
        msg = f"{value!r} is not a number or a quantity string such as '10 mg'."
        raise InputError(msg)
    number = real_float(value)
    if unit is None:
        msg = f"Bare number {value!r}: painrx never guesses a unit (write e.g. Q({value!r}, 'mg'))."
        raise UnitError(msg)
    if not isinstance(cast("object", unit), str):  # callers may ignore the hints
        msg = f"The unit must be a string such as 'mg', not {unit!r}."
        raise UnitError(msg)
    return new_quantity(_check_value(number, value), _container_for(unit))


_DIMENSION_KINDS: dict[tuple[tuple[str, int], ...], Kind] = {
    (("[mass]", 1),): "mass",
    (("[length]", 3),): "volume",
    (("[time]", 1),): "time",
    (("[length]", 1),): "length",
    (("[length]", -3), ("[mass]", 1)): "concentration",
    (("[mass]", 1), ("[time]", -1)): "mass_rate",
    (("[length]", 3), ("[time]", -1)): "volume_rate",
    (("[body_mass]", -1), ("[mass]", 1)): "dose_per_weight",
    (("[body_mass]", -1), ("[mass]", 1), ("[time]", -1)): "dose_rate_per_weight",
    (("[body_mass]", 1),): "body_weight",
}


@lru_cache(maxsize=256)
def _kind_of_units(units: UnitsContainer) -> Kind | None:
    dims = registry()._get_dimensionality(units)
    key = tuple(sorted((str(k), round(float(v))) for k, v in dims.items()))  # type: ignore[arg-type]
    return _DIMENSION_KINDS.get(key)


def kind_of(q: Quantity) -> Kind | None:
    """Return the clinical kind of a quantity (``"mass_rate"``, ``"concentration"``…)."""
    return _kind_of_units(q._units)


def quantity_arg(
    value: object,
    *,
    name: str,
    kinds: Kind | tuple[Kind, ...],
    positive: bool = True,
) -> Quantity:
    """Validate a function argument that must be a quantity of a given kind.

    Args:
        value: A string such as ``"10 mg"`` or a painrx quantity.
        name: The argument's name, used in error messages.
        kinds: The kind (or kinds) accepted.
        positive: Refuse zero and negative values (the default).

    Raises:
        UnitError: A bare number, or a quantity of another kind.
        InputError: A non-finite, zero or negative value.
    """
    accepted = (kinds,) if isinstance(kinds, str) else kinds
    if is_real(value):
        example = _KIND_EXAMPLES[accepted[0]]
        msg = f"{name}={value!r} is a bare number: painrx never guesses a unit; give {example}."
        raise UnitError(msg)
    q = Q(value)
    kind = kind_of(q)
    if kind not in accepted:
        wanted = " or ".join(_KIND_EXAMPLES[k] for k in accepted)
        got = f"{kind.replace('_', ' ')}" if kind else "an unsupported combination"
        msg = f"{name}={format(q)!r} is {got}; expected {wanted}."
        raise UnitError(msg)
    if positive and not q.magnitude > 0:
        msg = f"{name}={format(q)!r} must be greater than zero."
        raise InputError(msg)
    return q


def as_body_weight(weight: Quantity) -> Quantity:
    """Return a patient weight (``kg`` or ``lb``) as a body weight in ``kg``.

    Body weight cancels the per-kg denominator of a weight-based dose, so
    ``dose_rate * as_body_weight(w)`` is an absolute rate.
    """
    kind = kind_of(weight)
    if kind == "body_weight":
        return weight
    if kind != "mass":
        msg = f"{format(weight)!r} is not a body weight; give e.g. '70 kg'."
        raise UnitError(msg)
    reg = registry()
    return reg.Quantity(magnitude(weight, "kg"), reg.UnitsContainer({_KG_BODY.pint_name: 1}))


@lru_cache(maxsize=1024)
def _factor(units: UnitsContainer, target: str) -> float:
    reg = registry()
    return float(reg.Quantity(1.0, units).m_as(_unit_for(target)))


def magnitude(q: Quantity, unit: str) -> float:
    """Return the magnitude of ``q`` in ``unit`` through a cached conversion factor.

    Raises:
        UnitError: If ``q`` cannot be expressed in ``unit``.
    """
    return float(q.magnitude) * _factor(q._units, unit)


_DISPLAY_ORDER = ("mass", "volume", "weight", "time", "duration", "length")
_BY_PINT_NAME: dict[str, _Atom] = {
    a.pint_name: a for a in _ALIASES.values() if a is not _KG_BODY
} | {"kilogram_body": _KG_BODY}


def _format(units: UnitsContainer, token: Callable[[_Atom], str], *, ucum: bool) -> str:
    num: list[str] = []
    den: list[str] = []
    items = sorted(
        units.items(),
        key=lambda kv: (
            _DISPLAY_ORDER.index(_BY_PINT_NAME[kv[0]].category)
            if kv[0] in _BY_PINT_NAME
            else len(_DISPLAY_ORDER)
        ),
    )
    for name, raw_power in items:
        power = float(raw_power)  # type: ignore[arg-type]
        atom = _BY_PINT_NAME.get(name)
        if atom is None:
            msg = f"Unit {name!r} has no painrx spelling."
            raise UnitError(msg)
        exp = abs(power)
        text = token(atom)
        if exp != 1:
            shown = f"{exp:g}"
            text = f"{text}{shown}" if ucum else f"{text}^{shown}"
        (num if power > 0 else den).append(text)
    top = ".".join(num) if ucum else "*".join(num)
    if not top:
        top = "1"
    if not den:
        return top if num else ""
    if ucum and len(den) > 1:
        return f"{top}/({'.'.join(den)})"
    return "/".join([top, *den])


@lru_cache(maxsize=512)
def _format_display(units: UnitsContainer) -> str:
    return _format(units, lambda a: a.display, ucum=False)


def format_units(q: Quantity) -> str:
    """Return the unit of ``q`` as painrx writes it (``"mg/kg/h"``, ``"mcg"``…)."""
    return _format_display(q._units)


@lru_cache(maxsize=512)
def _format_ucum(units: UnitsContainer) -> str:
    return _format(units, lambda a: a.ucum, ucum=True)


# pint's unit format codes, written after any number format: ".2f~P", "~L", "H".
_PINT_SPEC = re.compile(r"(?P<number>.*?)(?P<unit>[~PLHDC]+)")
# Spelled-out names for pint's codes without "~" (painrx's own units read as pint's).
_LONG_NAMES = {"kilogram_body": "kilogram", "clinical_month": "month"}


def _ordered_units(q: Quantity, *, short: bool) -> list[tuple[str, float]]:
    items = sorted(
        q._units.items(),
        key=lambda kv: _DISPLAY_ORDER.index(_BY_PINT_NAME[kv[0]].category),
    )
    return [
        (
            _BY_PINT_NAME[name].display if short else _LONG_NAMES.get(name, name),
            float(power),  # type: ignore[arg-type]
        )
        for name, power in items
    ]


def format_quantity(q: Quantity, spec: str = "") -> str:
    """Return ``q`` as text, honouring Python's and pint's format codes.

    Without a unit code the unit is written as painrx writes it (``"mg/kg/h"``) after
    the number formatted by ``spec``. pint's unit codes (``~`` for symbols, ``P``
    pretty, ``L`` LaTeX, ``H`` HTML, ``D`` default, ``C`` compact) may follow a number
    format, as in pint: ``f"{q:.2f~P}"``. Jupyter asks for ``L`` to show a quantity.

    >>> q = Q("0.25 mg/kg/h")
    >>> f"{q}", f"{q:.1f}", f"{q:~P}", f"{q:.2f~D}"
    ('0.25 mg/kg/h', '0.2 mg/kg/h', '0.25 mg/kg/h', '0.25 mg / kg / h')
    >>> print(f"{q:~L}")
    0.25\\ \\frac{\\mathrm{mg}}{\\left(\\mathrm{kg} \\cdot \\mathrm{h}\\right)}
    >>> f"{q:P}", f"{Q('2 mg/mL'):~H}"
    ('0.25 milligram/kilogram/hour', '2 mg/mL')
    """
    match = _PINT_SPEC.fullmatch(spec)
    try:
        if match is None:
            if not spec and not isinstance(cast("object", q.magnitude), float):
                return str(q)
            return f"{format(q.magnitude, spec or 'g')} {format_units(q)}".rstrip()
        codes = match.group("unit")
        formatter = registry().formatter.get_formatter(codes)
        number = formatter.format_magnitude(q.magnitude, match.group("number") or "g")
    except (ValueError, TypeError) as exc:
        msg = (
            f"Format {spec!r} does not apply to a quantity ({exc}); use a number format "
            "such as '.2f', optionally followed by pint's unit codes ~, P, L, H, D or C."
        )
        raise InputError(msg) from None
    units = _ordered_units(q, short="~" in codes)
    text = formatter.format_unit(units, codes.replace("~", ""), sort_func=None)
    joint = "\\ " if "L" in codes else " "
    return f"{number}{joint}{text}" if text else number


def to_ucum(q: Quantity) -> str:
    """Return the UCUM code of the unit of ``q``, for FHIR ``Quantity.code``.

    >>> to_ucum(Q("0.25 mg/kg/h"))
    'mg/(kg.h)'
    >>> to_ucum(Q("2 mcg/kg/min")), to_ucum(Q("12.5 mL/h")), to_ucum(Q("25 mcg/h"))
    ('ug/(kg.min)', 'mL/h', 'ug/h')
    """
    return _format_ucum(q._units)
