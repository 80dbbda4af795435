"""What every painrx picture shares: the optional matplotlib import and the Axes to draw on.

Pictures are an extra (``pip install 'painrx[plot]'``): matplotlib is imported only
when a ``plot`` method is called, so ``import painrx`` never loads it.
"""

from __future__ import annotations

from typing import Any

from painrx.errors import MissingDependencyError

__all__ = ["axes"]


def axes(ax: Any = None) -> Any:
    """Return ``ax``, or a new Axes on a new figure when it is None.

    Raises:
        MissingDependencyError: matplotlib is not installed.
    """
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        msg = "painrx's pictures need matplotlib: install it with pip install 'painrx[plot]'."
        raise MissingDependencyError(msg) from None
    _, new = plt.subplots(figsize=(7, 3.6), layout="constrained")
    return new
