"""The closed vocabulary of the painrx API: routes, forms, frequencies, sex, bounds.

Every option is matched case-insensitively against its aliases and returned under
its canonical name; anything else is an :class:`~painrx.errors.InputError` that
lists what is accepted. The plausibility bounds are input guards defined by the
painrx API contract ("Plausibility bounds"), not clinical dosing limits.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Final, Literal

from painrx.errors import InputError
from painrx.units import is_real, real_float

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
    "is_prn",
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
    "er_capsule",
    "solution",
    "patch",
    "buccal_tablet",
    "lozenge",
    "buccal_film",
    "sublingual_film",
    "nasal_spray",
    "oral_spray",
    "injection",
    "suppository",
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
        "extended release oral tablet",
    ),
    # Extended-release capsules are long-acting like ER tablets: KADIAN and AVINZA
    # (morphine), XTAMPZA ER (oxycodone), ZOHYDRO ER (hydrocodone), CONZIP (tramadol) are
    # "extended-release capsules" in their prescribing information (DailyMed), and RxNorm
    # names the form "Extended Release Oral Capsule".
    "er_capsule": (
        "er capsule",
        "er cap",
        "extended-release capsule",
        "extended release capsule",
        "extended release oral capsule",
        "modified-release capsule",
    ),
    "solution": ("oral solution", "liquid", "syrup", "elixir"),
    "patch": ("transdermal patch",),
    "buccal_tablet": ("buccal tablet",),
    "lozenge": ("troche",),
    # A bare "film" is the buccal film of the MME tables (the CDC file's "Fentanyl, film"),
    # unless the route is sublingual: SUBOXONE film is sublingual, BELBUCA film buccal
    # (their prescribing information). See form().
    "buccal_film": ("buccal film", "film"),
    "sublingual_film": ("sublingual film",),
    "nasal_spray": ("nasal spray",),
    "oral_spray": ("oral spray", "sublingual spray"),
    "injection": ("inj", "injectable", "injectable solution"),
    "suppository": ("supp", "suppositories"),
}

#: Frequency code → administrations per day. Also read: "every N hours" and "qNh" (24/N),
#: an interval range "q4-6h" (its shortest interval), "N times a day", and a trailing
#: "PRN" / "as needed" (see :func:`is_prn`).
FREQUENCIES: Final[Mapping[str, float]] = {
    "QD": 1.0,
    "daily": 1.0,
    "nightly": 1.0,
    "BID": 2.0,
    "TID": 3.0,
    "QID": 4.0,
    "q2h": 12.0,
    "q3h": 8.0,
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
_FREQUENCY_INDEX = {k.lower(): k for k in FREQUENCIES} | {
    "od": "QD",
    "once daily": "QD",
    "qhs": "nightly",
    "at bedtime": "nightly",
    "at night": "nightly",
}
_FREQUENCY_ACCEPTED = (
    f"{', '.join(FREQUENCIES)}, 'every N hours' or 'qNh', 'N times a day', "
    "each optionally followed by PRN, or a number per day"
)
# An as-needed order counts at its most frequent schedule (see is_prn).
_PRN = re.compile(r"\s*(?:\bprn\b|\bas needed\b|\bas required\b)$")
# "q4h", "q4-6h", "every 4 hours", "every 4 to 6 hours": the shortest interval counts.
_EVERY = re.compile(
    r"(?:q|every )(\d+(?:\.\d+)?)(?:(?:-| to )\d+(?:\.\d+)?)? ?(?:h|hr|hrs|hour|hours)"
)
# "4 times a day", "3-4 times daily", "4x/day": the largest count counts.
_TIMES = re.compile(
    r"(?:\d+(?:-| to ))?(\d+(?:\.\d+)?) ?(?:times|x) ?(?:a day|daily|per day|/day|/d)"
)
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


def form(value: object, route: str | None = None) -> Form:
    """Return the canonical dose form for ``value`` (``"tab"`` → ``"tablet"``).

    ``route`` (canonical) settles a bare "film": sublingual, else buccal.

    >>> form("tab"), form("film"), form("film", route="sublingual")
    ('tablet', 'buccal_film', 'sublingual_film')
    """
    if route == "sublingual" and isinstance(value, str) and _clean(value) == "film":
        return "sublingual_film"
    return _lookup(value, _FORM_INDEX, "form", ", ".join(FORMS))  # type: ignore[return-value]


def sex(value: object) -> Sex:
    """Return ``"male"`` or ``"female"`` (aliases ``M``/``F``)."""
    return _lookup(value, _SEX_INDEX, "sex", "male, female (M, F)")  # type: ignore[return-value]


def _clean(value: str) -> str:
    return " ".join(value.strip().lower().replace("_", " ").split())


def is_prn(frequency: object) -> bool:
    """Return True for an as-needed frequency (``"q4h PRN"``, ``"every 6 hours as needed"``).

    painrx counts an as-needed order at its most frequent schedule (the CDC/CQF MME
    calculator's "most aggressive dosing"), so the caller can say so.

    >>> is_prn("q4h PRN"), is_prn("q4h"), is_prn(2)
    (True, False, False)
    """
    return isinstance(frequency, str) and _PRN.search(_clean(frequency)) is not None


def _per_day_text(text: str, given: str) -> tuple[float, str]:
    """Return (administrations per day, canonical label) for a frequency text without PRN."""
    code = _FREQUENCY_INDEX.get(text)
    if code is not None:
        return FREQUENCIES[code], code
    every = _EVERY.fullmatch(text)
    if every is not None and float(every.group(1)) > 0:
        hours = float(every.group(1))
        return 24.0 / hours, f"q{hours:g}h"
    times = _TIMES.fullmatch(text)
    if times is not None and float(times.group(1)) > 0:
        count = float(times.group(1))
        return count, f"{count:g}/day"
    msg = f"Unknown frequency {given!r}; accepted: {_FREQUENCY_ACCEPTED}."
    raise InputError(msg)


def _parse_frequency(frequency: object) -> tuple[float, str]:
    if not isinstance(frequency, str):
        msg = f"Unknown frequency {frequency!r}; accepted: {_FREQUENCY_ACCEPTED}."
        raise InputError(msg)
    text = _clean(frequency)
    prn = _PRN.search(text)
    if prn is None:
        return _per_day_text(text, frequency)
    return _per_day_text(text[: prn.start()].strip(), frequency)


def doses_per_day(frequency: object) -> float:
    """Return administrations per day for a frequency code, a text or a number.

    An interval range counts at its shortest interval and an as-needed (PRN) order at
    its schedule: the most a prescription allows.

    >>> doses_per_day("BID"), doses_per_day("q6h"), doses_per_day(3)
    (2.0, 4.0, 3.0)
    >>> doses_per_day("q4h PRN"), doses_per_day("every 3 hours"), doses_per_day("4 times a day")
    (6.0, 8.0, 4.0)
    >>> doses_per_day("q4-6h"), doses_per_day("nightly")
    (6.0, 1.0)

    Raises:
        InputError: An unknown code, or a number that is not finite and positive.
    """
    if is_real(frequency):
        value = real_float(frequency)
        if not (math.isfinite(value) and value > 0):
            msg = f"frequency={frequency!r} must be a finite number of times per day above 0."
            raise InputError(msg)
        return value
    return _parse_frequency(frequency)[0]


def frequency_label(frequency: object) -> str:
    """Return the canonical label of a frequency's schedule (``"bid"`` → ``"BID"``).

    An as-needed order gets its schedule's label (:func:`is_prn` tells it apart).

    >>> frequency_label("bid"), frequency_label("every 4 hours as needed"), frequency_label(3)
    ('BID', 'q4h', '3/day')
    """
    if is_real(frequency):
        return f"{doses_per_day(frequency):g}/day"
    return _parse_frequency(frequency)[1]
