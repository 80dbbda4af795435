"""``to_dict()``, ``to_rows()`` and ``to_fhir()`` return TypedDicts: keys and value types check."""

from __future__ import annotations

import painrx as rx
from painrx.types import MMEResultDict, QuantityDict, TaperRow

data: MMEResultDict = rx.mme("oxycodone", "10 mg", frequency="BID").to_dict()
mme_per_day: float = data["value"]
daily: QuantityDict = data["daily_dose"]
unit: str = daily["unit"]
codes: list[str] = data["alerts"]
rotation = rx.rotate("oxycodone", "60 mg/day", to="hydromorphone").to_dict()
low, high = rotation["breakthrough"]
rows: list[TaperRow] = rx.taper("oxycodone", "30 mg/day", percent=25, interval="7 day").to_rows()
per_dose: str = rows[0]["tablets_per_dose"]
patient = rx.Patient(age=54, weight="82 kg")
bundle = rx.post_interstim_removal_plan(patient, pain_severity=6).to_fhir()
entries = bundle["entry"]

data["vale"]  # type: ignore[typeddict-item]
rows[0]["tablets"]  # type: ignore[typeddict-item]
wrong: str = data["value"]  # type: ignore[assignment]
bundle["resourceType"] = "CarePlan"  # type: ignore[typeddict-item]
