"""What the batch asks of :mod:`painrx.opioids`: the table and policy checks, the scalar path.

Shared by the batch over drug names (``_frames``), the one over NDCs (``_ndc``) and
``painrx validate`` (``_validate``), so the dependency runs one way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from painrx.errors import InputError
from painrx.types import MMETable, ThresholdPolicyId

if TYPE_CHECKING:
    from painrx.batch._core import KeyResult
    from painrx.errors import Alert

__all__ = ["check_mme_table", "scalar_mme", "threshold_levels"]


def scalar_mme(table_id: str, thresholds: str | None) -> Any:
    """The scalar MME of one resolved key and its numbers, for the rows the batch leaves to it."""
    from painrx import opioids
    from painrx.units import Q

    def one(
        key: KeyResult, strength: float, quantity: float, days: float
    ) -> tuple[float, tuple[Alert, ...]]:
        result = opioids.mme_prescription(
            cast("str", key.drug),
            strength=Q(float(strength), cast("str", key.unit)),
            quantity=Q(float(quantity), "mL") if key.volume else float(quantity),
            days_supply=float(days),
            route=key.route,
            form=key.form,
            # Ids from the batch's own arguments: mme_prescription refuses an unknown one.
            table=cast("MMETable", table_id),
            thresholds=cast("ThresholdPolicyId | None", thresholds),
        )
        return result.value, result.alerts

    return one


def threshold_levels(policy: str | None) -> list[tuple[float, str]]:
    """The (MME/day, alert code) levels of a threshold policy; none for None.

    Raises:
        InputError: An unknown policy id (from :func:`painrx.opioids.threshold_policy`).
    """
    if policy is None:
        return []
    from painrx import opioids

    return [
        (float(level.mme), level.alert.code) for level in opioids.threshold_policy(policy).levels
    ]


def check_mme_table(table_id: str) -> None:
    """Refuse an MME table id that :func:`painrx.opioids.mme_tables` does not list.

    Raises:
        InputError: Naming the accepted ids.
    """
    from painrx import opioids

    ids = [p.id for p in opioids.mme_tables()]
    if table_id not in ids:
        msg = f"Unknown MME table {table_id!r}; accepted: {', '.join(ids)}."
        raise InputError(msg)
