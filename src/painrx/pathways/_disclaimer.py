"""The disclaimer printed at the top of every rendering of a plan (Markdown, HTML, JSON, FHIR).

A leaf module, so the plan model and the FHIR export both import it without importing
each other.
"""

from __future__ import annotations

from typing import Final

__all__ = ["DISCLAIMER"]

#: Printed at the top of every rendering of a plan.
DISCLAIMER: Final = (
    "Decision support only: painrx orders nothing. Every item is a suggestion for a "
    "clinician to review against the patient, local protocols and the current product labels."
)
