"""Quantity arguments take text or a painrx quantity (``QuantityLike``), never a bare number."""

from __future__ import annotations

import painrx as rx
from painrx.units import Quantity

weight: Quantity = rx.Q("80 kg")
rate = rx.infusion_rate("0.25 mg/kg/h", weight, "1 mg/mL", pump_resolution="0.1 mL/h")
pump: Quantity = rate.rate
rx.bolus(rx.Q(0.35, "mg/kg"), "80 kg", "10 mg/mL")
rx.delivered_dose(
    "20 mL/h", "1 mg/mL", rx.dosing_weight("120 kg", "170 cm", "male", basis="adjusted")
)
rx.concentration_check("20 mL/h", programmed="1 mg/mL", actual="10 mg/mL", weight="80 kg")
rx.prepare("500 mg", "250 mL")

rx.infusion_rate(0.25, "80 kg", "1 mg/mL")  # type: ignore[arg-type]
rx.infusion_rate("0.25 mg/kg/h", 80, "1 mg/mL")  # type: ignore[arg-type]
rx.bolus("0.35 mg/kg", "80 kg", None)  # type: ignore[arg-type]
rx.dosing_weight("120 kg", "170 cm", "male", basis="lean")  # type: ignore[arg-type]
