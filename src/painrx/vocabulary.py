"""The closed vocabulary of the painrx API: routes, forms, frequencies, sex, bounds.

Every option is matched case-insensitively against its aliases and returned under
its canonical name; anything else is an :class:`~painrx.errors.InputError` that
lists what is accepted. The plausibility bounds are input guards defined by the
painrx API contract ("Plausibility bounds"), not clinical dosing limits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Final, Literal

from painrx.errors import InputError
from painrx.units import is_real

__all__ = [
    "AGE_YEARS",
    "BODY_WEIGHT_KG",
    "FORMS",
    "FREQUENCIES",
    "HEIGHT_CM",
    "MAX_DAILY_MME",
    "MAX_PUMP_RATE_ML_H",
    "ROUTES",
    "Form",
    "Route",
    "Sex",
    "doses_per_day",
    "form",
    "frequency_label",
    "route",
    "sex",
]

Route = Literal[
    "oral",
    "iv",
    "sc",
    "im",
    "transdermal",
    "buccal",
    "sublingual",
    "nasal",
    "epidural",
    "intrathecal",
    "rectal",
    "topical",
]
Form = Literal[
    "tablet",
    "capsule",
    "er_tablet",
    "solution",
    "patch",
    "buccal_tablet",
    "lozenge",
    "buccal_film",
    "nasal_spray",
    "oral_spray",
    "injection",
]
Sex = Literal["male", "female"]

#: Canonical route → accepted aliases (case-insensitive).
ROUTES: Final[Mapping[str, tuple[str, ...]]] = {
    "oral": ("po", "by mouth", "per os"),
    "iv": ("intravenous",),
    "sc": ("sq", "subq", "subcut", "subcutaneous"),
    "im": ("intramuscular",),
    "transdermal": ("td", "patch"),
    "buccal": (),
    "sublingual": ("sl",),
    "nasal": ("intranasal",),
    "epidural": (),
    "intrathecal": ("it",),
    "rectal": ("pr",),
    "topical": (),
}

#: Canonical form → accepted aliases (case-insensitive).
FORMS: Final[Mapping[str, tuple[str, ...]]] = {
    "tablet": ("tab", "tabs", "tablets"),
    "capsule": ("cap", "caps", "capsules"),
    "er_tablet": (
        "er tablet",
        "er",
        "sr",
        "extended-release tablet",
        "extended release tablet",
        "modified-release tablet",
        "er_tab",
    ),
    "solution": ("oral solution", "liquid", "syrup", "elixir"),
    "patch": ("transdermal patch",),
    "buccal_tablet": ("buccal tablet",),
    "lozenge": ("troche",),
    "buccal_film": ("buccal film", "film"),
    "nasal_spray": ("nasal spray",),
    "oral_spray": ("oral spray", "sublingual spray"),
    "injection": ("inj", "injectable"),
}

#: Frequency code → administrations per day.
FREQUENCIES: Final[Mapping[str, float]] = {
    "QD": 1.0,
    "daily": 1.0,
    "BID": 2.0,
    "TID": 3.0,
    "QID": 4.0,
    "q4h": 6.0,
    "q6h": 4.0,
    "q8h": 3.0,
    "q12h": 2.0,
    "q24h": 1.0,
    "q72h": 1.0 / 3.0,
}

# Input guards from the API contract's "Plausibility bounds" (inclusive ranges).
BODY_WEIGHT_KG: Final = (0.3, 400.0)
HEIGHT_CM: Final = (30.0, 250.0)
AGE_YEARS: Final = (0.0, 125.0)
MAX_DAILY_MME: Final = 10_000.0
MAX_PUMP_RATE_ML_H: Final = 999.0


def _index(table: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for canonical, aliases in table.items():
        for name in (canonical, *aliases):
            index[name.lower().replace("_", " ")] = canonical
    return index


_ROUTE_INDEX = _index(ROUTES)
_FORM_INDEX = _index(FORMS)
_FREQUENCY_INDEX = {k.lower(): k for k in FREQUENCIES} | {"od": "QD", "once daily": "QD"}
_SEX_INDEX: dict[str, Sex] = {"male": "male", "m": "male", "female": "female", "f": "female"}


def _lookup(value: object, index: Mapping[str, str], what: str, accepted: str) -> str:
    if isinstance(value, str):
        found = index.get(" ".join(value.strip().lower().replace("_", " ").split()))
        if found is not None:
            return found
    msg = f"Unknown {what} {value!r}; accepted: {accepted}."
    raise InputError(msg)


def route(value: object) -> Route:
    """Return the canonical route for ``value`` (``"PO"`` → ``"oral"``).

    >>> route("PO"), route("SQ"), route("patch")
    ('oral', 'sc', 'transdermal')
    """
    return _lookup(value, _ROUTE_INDEX, "route", ", ".join(ROUTES))  # type: ignore[return-value]


def form(value: object) -> Form:
    """Return the canonical dose form for ``value`` (``"tab"`` → ``"tablet"``)."""
    return _lookup(value, _FORM_INDEX, "form", ", ".join(FORMS))  # type: ignore[return-value]


def sex(value: object) -> Sex:
    """Return ``"male"`` or ``"female"`` (aliases ``M``/``F``)."""
    return _lookup(value, _SEX_INDEX, "sex", "male, female (M, F)")  # type: ignore[return-value]


def doses_per_day(frequency: object) -> float:
    """Return administrations per day for a frequency code or a number.

    >>> doses_per_day("BID"), doses_per_day("q6h"), doses_per_day(3)
    (2.0, 4.0, 3.0)

    Raises:
        InputError: An unknown code, or a number that is not finite and positive.
    """
    if is_real(frequency):
        value = float(frequency)  # type: ignore[arg-type] # is_real guarantees __float__
        if not (math.isfinite(value) and value > 0):
            msg = f"frequency={frequency!r} must be a finite number of times per day above 0."
            raise InputError(msg)
        return value
    code = _lookup(frequency, _FREQUENCY_INDEX, "frequency", ", ".join(FREQUENCIES))
    return FREQUENCIES[code]


def frequency_label(frequency: object) -> str:
    """Return the canonical code of a frequency (``"bid"`` → ``"BID"``), or the number."""
    if is_real(frequency):
        return f"{doses_per_day(frequency):g}/day"
    return _lookup(frequency, _FREQUENCY_INDEX, "frequency", ", ".join(FREQUENCIES))
