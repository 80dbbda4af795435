"""Hostile values for the fuzz suite: what a careless file, a hurried user or an attacker sends.

Each strategy draws values that a public painrx function must refuse with a painrx error
(or accept, if they happen to be valid), quickly and with a short message.
"""

from __future__ import annotations

import datetime as dt
import decimal
import fractions
from typing import Any

import numpy as np
from hypothesis import strategies as st

import painrx as rx

#: Longest message a refusal may print (the bad value is quoted at most 100 characters).
MAX_MESSAGE = 700

huge_numbers = st.sampled_from(
    [10**400, -(10**400), 10**309, 2**1024, decimal.Decimal("1e999"), decimal.Decimal("NaN")]
)
odd_numbers = st.sampled_from(
    [
        float("nan"),
        float("inf"),
        -float("inf"),
        -1,
        0,
        0.0,
        -0.0,
        5e-324,
        complex(1, 2),
        fractions.Fraction(1, 3),
        decimal.Decimal("2.5"),
        True,
        False,
    ]
)
odd_objects = st.sampled_from(
    [None, [], {}, (), set(), b"10 mg", object(), np.array([1.0, 2.0]), np.float64("nan")]
)
# Text that has fooled parsers: look-alike digits, zero-width and control characters,
# expression bombs, unit slips and sheer size.
hostile_text = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\u200b10 mg",
            "１０ mg",
            "10\u00a0mg",
            "1e309 mg",
            "-5 mg",
            "nan mg",
            "inf mg",
            "10 mg" * 40,
            "(" * 200 + "mg" + ")" * 200,
            "mg/" * 300,
            "10 ** 10 ** 10 mg",
            "10 kilogram_body",
            "5 Mg",
            "10 mcg/day",
            "=cmd|' /C calc'!A0",
            "oxycodone " + "x" * 5000,
            "x" * 100_000,
        ]
    ),
    st.text(max_size=300),
)
pint_oddities = st.sampled_from(
    [
        rx.Q(1.0, "mg") * float("nan"),
        rx.Q(1.0, "mg") * float("inf"),
        rx.Q(10.0, "mg/kg/h"),
        rx.Q(5.0, "mL"),
    ]
)
# Quantities built on painrx's registry directly, with magnitudes Q never makes (built
# lazily: hypothesis hashes sampled values, and pint cannot hash 10**400 mg).
odd_magnitudes = st.sampled_from(
    [10**400, fractions.Fraction(1, 3), decimal.Decimal("2.5"), complex(1, 2)]
).map(lambda magnitude: rx.units.registry().Quantity(magnitude, "mg"))
#: Numbers for a function that also takes a unit (``Q(value, "mg")``).
numbers_with_unit = st.one_of(huge_numbers, odd_numbers)
hostile_values = st.one_of(
    huge_numbers, odd_numbers, odd_objects, hostile_text, pint_oddities, odd_magnitudes
)

#: A valid value for each required parameter name of a public function.
PLAUSIBLE: dict[str, Any] = {
    "drug": "oxycodone",
    "dose": "5 mg",
    "daily_dose": "30 mg/day",
    "weight": "70 kg",
    "height": "175 cm",
    "sex": "male",
    "concentration": "1 mg/mL",
    "percent": 10,
    "interval": "7 day",
    "to": "morphine",
    "strength": "5 mg",
    "quantity": 60,
    "days_supply": 10,
    "meds": ["ibuprofen"],
    "doses": [],
    "prescriptions": [],
    "start": dt.date(2026, 1, 1),
    "end": dt.date(2026, 1, 5),
    "rate": "10 mL/h",
    "programmed": "1 mg/mL",
    "actual": "2 mg/mL",
    "drug_amount": "200 mg",
    "diluent_volume": "200 mL",
    "profile_id": "ketamine/perioperative_analgesia",
    "patient": None,
    "pain_severity": 6,
    "name": "oxycodone",
    "value": "5 mg",
    "code": "x",
    "severity": rx.Severity.MINOR,
    "message": "m",
    "id": "X",
    "title": "t",
    "year": 2020,
    "citation": "c",
}
