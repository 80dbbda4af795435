"""Weight-based infusions: pump rates, delivered doses, boluses and dosing weights.

Every limit, concentration and formula constant comes from a cited data file under
``painrx/data/infusions/`` (see :func:`infusion_profile`). The arithmetic keeps the
ordered dose, the exact rate and the pump's displayed rate apart, and always
back-calculates the dose the displayed rate really delivers.

>>> import painrx as rx
>>> r = rx.infusion_rate("0.25 mg/kg/h", "80 kg", "1 mg/mL",
...                      profile="ketamine/perioperative_analgesia")
>>> r.rate, r.display_rate, r.dose_rate
(<Quantity(20.0, 'mL/h')>, Decimal('20.0'), <Quantity(20.0, 'mg/h')>)

A weight-based dose and an absolute rate are different things; painrx never
multiplies one into the other:

>>> rx.infusion_rate("12 mg/h", "80 kg", "1 mg/mL")
Traceback (most recent call last):
...
painrx.errors.UnitError: dose='12 mg/h' is an absolute dose rate, not a weight-based one ...
"""

from painrx._public import publish
from painrx.infusions._orders import (
    Basis,
    Bolus,
    Concentration,
    ConcentrationCheck,
    DoseLimit,
    DoseLimits,
    DosingWeight,
    InfusionProfile,
    InfusionRate,
    adjusted_body_weight,
    bolus,
    concentration_check,
    delivered_dose,
    dosing_weight,
    ideal_body_weight,
    infusion_profile,
    infusion_profiles,
    infusion_rate,
    prepare,
    profile_limits,
)

__all__ = [
    "Basis",
    "Bolus",
    "Concentration",
    "ConcentrationCheck",
    "DoseLimit",
    "DoseLimits",
    "DosingWeight",
    "InfusionProfile",
    "InfusionRate",
    "adjusted_body_weight",
    "bolus",
    "concentration_check",
    "delivered_dose",
    "dosing_weight",
    "ideal_body_weight",
    "infusion_profile",
    "infusion_profiles",
    "infusion_rate",
    "prepare",
    "profile_limits",
]

publish(__name__, globals(), __all__)
