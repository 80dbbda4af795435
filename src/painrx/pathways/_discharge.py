"""Discharge: the scheduled non-opioids to continue, and the referral if pain persists."""

from __future__ import annotations

from painrx.pathways._builder import Builder
from painrx.units import Quantity, format_units

__all__ = ["discharge", "referral"]


def _duration(q: Quantity) -> str:
    unit = format_units(q)
    return f"{q.magnitude:g} {unit}{'' if q.magnitude == 1 else 's'}"


def discharge(b: Builder) -> None:
    cfg = b.data.discharge
    spec = b.spec("discharge_scheduled_analgesia")
    given = [
        name
        for name, yes in (
            (b.data.acetaminophen["drug"], "acetaminophen" in b.items),
            (b.data.nsaid["drug"], b.nsaid_given),
        )
        if yes
    ]
    b.add(
        "discharge_scheduled_analgesia",
        rationale=spec.rationale.format(
            days_min=cfg["scheduled_days_min"], days_max=cfg["scheduled_days_max"]
        ),
        detail=f"Scheduled at discharge: {' and '.join(given) or 'none (see above)'}.",
    )


def referral(b: Builder) -> None:
    spec = b.spec("referral_persistent_pain")
    after = _duration(b.data.referral_after)
    b.add(spec.code, rationale=spec.rationale.format(after=after))
