"""A dose × weight chart of an infusion profile: pump rate by weight, soft and hard limits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from painrx._plotting import axes
from painrx.units import Q, QuantityLike, magnitude, quantity_arg

if TYPE_CHECKING:
    from painrx.infusions._data import InfusionProfile

__all__ = ["plot_profile", "rate_table"]

#: Weights (kg) of the chart's x axis: adults from 40 to 150 kg by 10.
WEIGHTS_KG = tuple(range(40, 151, 10))
_STYLE = {
    "soft_min": ("tab:green", ":"),
    "soft_max": ("tab:orange", "--"),
    "hard_min": ("tab:red", ":"),
    "hard_max": ("tab:red", "-"),
}


def rate_table(
    profile: InfusionProfile,
    concentration: QuantityLike | None = None,
    weights_kg: tuple[float, ...] = WEIGHTS_KG,
) -> dict[str, tuple[float, ...]]:
    """Return the pump rate (mL/h) at each of the profile's infusion limits, by weight.

    ``rate = limit × weight / concentration``; the concentration defaults to the
    profile's first standard one. Keys are the limits that are set (``"soft_max"``…).

    >>> import painrx as rx
    >>> table = rate_table(rx.infusion_profile("ketamine/perioperative_analgesia"),
    ...                    weights_kg=(80,))
    >>> table["soft_max"], table["hard_max"]
    ((20.0,), (80.0,))
    """
    conc = (
        profile.concentrations[0].value
        if concentration is None
        else quantity_arg(concentration, name="concentration", kinds="concentration")
    )
    mg_per_ml = magnitude(conc, "mg/mL")
    rows: dict[str, tuple[float, ...]] = {}
    for name, limit in profile.infusion.items():
        per_kg_h = magnitude(limit.value, "mg/kg/h")
        rows[name] = tuple(per_kg_h * w / mg_per_ml for w in weights_kg)
    return rows


def plot_profile(
    profile: InfusionProfile,
    concentration: QuantityLike | None = None,
    ax: Any = None,
) -> Any:
    """Draw pump rate against weight for each limit, shading the soft range; return the Axes."""
    ax = axes(ax)
    conc = profile.concentrations[0].value if concentration is None else Q(concentration)
    table = rate_table(profile, conc)
    for name, rates in table.items():
        colour, style = _STYLE[name]
        limit = getattr(profile.infusion, name)
        ax.plot(
            WEIGHTS_KG,
            rates,
            style,
            color=colour,
            label=f"{name.replace('_', ' ')} {limit.value} ({limit.source.id})",
        )
    if "soft_min" in table and "soft_max" in table:
        ax.fill_between(
            WEIGHTS_KG, table["soft_min"], table["soft_max"], color="tab:green", alpha=0.12
        )
    ax.set_xlabel("dosing weight (kg)")
    ax.set_ylabel(f"pump rate (mL/h) at {conc}")
    ax.set_title(f"{profile.title}\n{profile.id}", fontsize="medium")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", fontsize="small")
    return ax
