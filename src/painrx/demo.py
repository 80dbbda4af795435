"""A worked example for ``make demo`` (``python -m painrx.demo``).

One post-operative patient, followed through each painrx capability: MME screening,
the seed article's oxycodone↔morphine equivalents, a ketamine pump rate, an
interaction check, a discharge taper, and the care plan they compose.
"""

from __future__ import annotations

import painrx as rx

__all__ = ["main"]


def _heading(title: str) -> None:
    print(f"\n== {title} ==")


def main() -> None:
    """Print the worked example."""
    apixaban = rx.Medication("apixaban", dose="5 mg", frequency="BID")
    patient = rx.Patient(age=54, weight="82 kg", height="178 cm", sex="male")
    print("painrx", rx.__version__, "— decision support; check every result against the label.")
    print("Patient: 54-year-old man, 82 kg, 178 cm, on apixaban 5 mg BID,")
    print("severe neuropathic posterior leg pain after InterStim lead removal.")

    _heading("Opioid risk screening (MME is not for choosing a dose)")
    screen = rx.mme("oxycodone", "5 mg", frequency="q4h", table="CDC_2022")
    codes = ", ".join(a.code for a in screen.alerts) or "none"
    print(f"oxycodone 5 mg q4h = {screen.value:g} MME/day under {screen.table} ", end="")
    print(f"(factor {screen.factor:g}); alerts: {codes}")

    _heading("Equianalgesic doses from the seed article (ratios='SEED')")
    oral = rx.convert_opioid("oxycodone", "5 mg", to="morphine", ratios="SEED")
    iv = rx.convert_opioid("oxycodone", "1 mg", to="morphine", route="iv", ratios="SEED")
    print(f"oxycodone 5 mg PO ≈ morphine {oral.dose} PO (ratio {oral.ratio:g})")
    print(f"oxycodone 1 mg IV ≈ morphine {iv.dose} IV (ratio {iv.ratio:g})")

    _heading("Ketamine 0.125–0.25 mg/kg/h at 1 mg/mL (seed regimen)")
    for dose in ("0.125 mg/kg/h", "0.25 mg/kg/h"):
        rate = rx.infusion_rate(
            dose, "82 kg", "1 mg/mL", profile="ketamine/perioperative_analgesia"
        )
        print(
            f"{dose}: program {rate.display_rate} mL/h "
            f"({rate.dose_rate:.2f}; delivers {rate.delivered:.3f})"
        )

    _heading("Interaction check: ibuprofen with apixaban")
    report = rx.check_interactions(["Ibuprofen 400 mg tablet", apixaban], patient=patient)
    for finding in report.findings:
        print(f"{finding.severity.name} [{finding.rule_id}] {finding.management}")

    _heading("Discharge taper: oxycodone 5 mg q4h, 20% of the current dose a day (Hyland 2023)")
    schedule = rx.taper(
        "oxycodone",
        "30 mg/day",
        percent=20,
        interval="1 day",
        basis="current",
        stop_at="2.5 mg/day",
        strengths=["5 mg"],
        doses_per_day=6,
        equal_doses=False,
        duration_of_use="5 day",
    )
    for row in schedule.to_rows():
        print(f"day {row['day']:>2}: {row['daily_dose']:>22}  {row['tablets_per_dose']}")
    codes = ", ".join(sorted({a.code for a in schedule.alerts})) or "none"
    print(f"alerts: {codes}")

    _heading("The care plan these compose")
    plan = rx.post_interstim_removal_plan(
        patient, pain_severity=8, neuropathic=True, current_meds=[apixaban]
    )
    for item in plan.items:
        if item.kind in {"medication", "avoid"}:
            print(f"[{item.kind}] {item.name} — source: {item.source.id}")
    print("\nFull plan: rx.post_interstim_removal_plan(...).to_markdown(); FHIR: .to_fhir()")


if __name__ == "__main__":
    main()
