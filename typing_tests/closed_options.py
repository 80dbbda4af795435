"""Closed options are Literal types: a wrong table, method or definition fails in mypy."""

from __future__ import annotations

import datetime as dt

import painrx as rx
from painrx.types import MMETable, RatioTable

# Accepted: the ids the data files define.
rx.mme("oxycodone", "10 mg", frequency="BID", table="CDC_2022", thresholds="CDC_2016")
rx.mme_prescription(
    "oxycodone", strength="10 mg", quantity=60, days_supply=30, table="CDC_NDC_2018"
)
rx.convert_opioid("oxycodone", "5 mg", to="morphine", ratios="SEED")
rx.rotate("morphine", "120 mg/day", to="methadone", method="MSD_METHADONE")
day = dt.date(2026, 1, 1)
rx.mme_over_period([], start=day, end=day, definition="on_therapy_days", table="NIH_HEAL_2025")
table: MMETable = "ANZCA_2021"
rx.mme("oxycodone", "30 mg/day", table=table)

# Refused: a table edition that does not exist, a misspelt method or definition.
rx.mme("oxycodone", "30 mg/day", table="CDC_2023")  # type: ignore[arg-type]
rx.mme("oxycodone", "30 mg/day", thresholds="CDC_2022")  # type: ignore[arg-type]
rx.convert_opioid("oxycodone", "5 mg", to="morphine", ratios="MSD")  # type: ignore[arg-type]
rx.rotate("morphine", "120 mg/day", to="methadone", method="RIPAMONTI")  # type: ignore[arg-type]
rx.mme_over_period([], start=day, end=day, definition="average")  # type: ignore[arg-type]
rx.check_interactions(["warfarin"], on_unknown="ignore")  # type: ignore[arg-type]
rx.taper("oxycodone", "30 mg/day", percent=10, interval="7 day", basis="initial")  # type: ignore[arg-type]

# A plain str from elsewhere must be narrowed first (the run time refuses a wrong one).
text: str = "CDC_2022"
rx.mme("oxycodone", "30 mg/day", table=text)  # type: ignore[arg-type]
ratios: RatioTable = "BNF"
rx.convert_opioid("morphine", "10 mg", to="oxycodone", ratios=ratios)
