"""Benchmarks of issue 18 (codes in): NDC batch pricing and FHIR reading, same-run ratios.

Targets of issue 18, asserted by ``make bench`` (``make test`` asserts the looser
guards of ``benchmarks/_ratio.py``):

* ``mme_prescriptions(..., table_id="CDC_NDC_2018")`` over 1,000,000 claims rows with
  an ``ndc`` column (11-digit text, as claims files carry it; NDCs drawn from the CDC
  file with real quantities and days supplies, many rows exactly on a threshold) at
  most 2x a baseline of
  ``pandas.merge`` of the NDC column against the product table plus the numpy formula.
  Measured about 1.6x on the 2-core development host while other work ran (the rows on
  a threshold are decided exactly, which the baseline does not do);
* :func:`painrx.fhir.read_orders` of a 1,000-order Bundle at most 2x ``json.loads`` plus
  ``fhir.resources`` (R4B) parsing of the same Bundle: measured about 0.2x.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from benchmarks._ratio import check, ratio
from painrx import fhir
from painrx.batch import mme_prescriptions
from painrx.catalog import NDC_SYSTEM, RXNORM_SYSTEM
from painrx.opioids import ndc_products

N = 1_000_000
ORDERS = 1_000


def _measure(candidate: Callable[[], Any], baseline: Callable[[], Any]) -> Callable[[], float]:
    # One independent measurement; `check` keeps the best of up to three, because
    # background load on a shared host only slows a run.
    return lambda: ratio(candidate, baseline, repeat=5)


@pytest.fixture(scope="module")
def claims() -> pd.DataFrame:
    rng = np.random.default_rng(18)
    ndcs = np.array(sorted(ndc_products()), dtype=object)
    days = rng.choice(np.array([3.0, 5.0, 7.0, 10.0, 14.0, 30.0]), N)
    per_day = rng.choice(np.array([1.0, 2.0, 3.0, 4.0, 6.0]), N)
    return pd.DataFrame(
        {
            "ndc": ndcs[rng.integers(0, len(ndcs), N)],
            "quantity": days * per_day,
            "days_supply": days,
        }
    )


def test_ndc_batch_within_2x_of_merge_and_formula(claims: pd.DataFrame) -> None:
    products = ndc_products().values()
    table = pd.DataFrame(
        {
            "ndc": [p.ndc for p in products],
            "strength": [p.strength for p in products],
            "factor": [p.factor for p in products],
        }
    )

    def baseline() -> Any:
        merged = claims.merge(table, on="ndc", how="left")
        strength = merged["strength"].to_numpy(dtype=float)
        factor = merged["factor"].to_numpy(dtype=float)
        quantity = merged["quantity"].to_numpy()
        return strength * (quantity / merged["days_supply"].to_numpy()) * factor

    check(
        "NDC batch / pandas.merge + formula",
        _measure(lambda: mme_prescriptions(claims, table_id="CDC_NDC_2018"), baseline),
        target=2.0,
        guard=3.0,
    )


@pytest.fixture(scope="module")
def bundle_text() -> str:
    oxycodone = {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/1"},
        "authoredOn": "2026-11-02",
        "medicationCodeableConcept": {"coding": [{"system": RXNORM_SYSTEM, "code": "1049621"}]},
        "dosageInstruction": [
            {
                "timing": {"repeat": {"frequency": 1, "period": 6, "periodUnit": "h"}},
                "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "tablet"}}],
            }
        ],
        "dispenseRequest": {
            "quantity": {"value": 120, "unit": "tablet"},
            "expectedSupplyDuration": {"value": 30, "unit": "days", "code": "d"},
        },
    }
    patch = copy.deepcopy(oxycodone)
    patch["medicationCodeableConcept"] = {"coding": [{"system": NDC_SYSTEM, "code": "00093690045"}]}
    text = copy.deepcopy(oxycodone)
    text["medicationCodeableConcept"] = {"text": "ibuprofen 400 mg tablet"}
    text.pop("dispenseRequest")
    entries = []
    for i in range(ORDERS):
        resource = copy.deepcopy((oxycodone, patch, text)[i % 3])
        resource["id"] = f"order-{i}"
        entries.append(
            {"fullUrl": f"urn:uuid:00000000-0000-0000-0000-{i:012d}", "resource": resource}
        )
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries})


def test_fhir_reading_within_2x_of_fhir_resources(bundle_text: str) -> None:
    from fhir.resources.R4B.bundle import Bundle

    assert len(fhir.read_orders(json.loads(bundle_text))) == ORDERS
    check(
        "FHIR 1,000-order Bundle / json + fhir.resources",
        _measure(
            lambda: fhir.read_orders(json.loads(bundle_text)),
            lambda: Bundle.model_validate(json.loads(bundle_text)),
        ),
        target=2.0,
        guard=3.0,
    )
