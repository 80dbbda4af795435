"""How many threads a compiled batch loop runs: one rule for the fast pass and the text kernels."""

from __future__ import annotations

import os
import threading

from painrx.errors import InputError

__all__ = ["cores", "thread_count"]


def cores() -> int:
    """Return the number of cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def thread_count(n: int, rows_per_thread: int) -> int:
    """Return how many threads run a compiled loop over ``n`` rows.

    ``PAINRX_THREADS`` sets it; by default the usable cores, at least
    ``rows_per_thread`` rows each, and one when the caller is itself a worker thread
    (Dask's threaded scheduler already runs batches side by side).

    Raises:
        InputError: ``PAINRX_THREADS`` is not a whole number of at least 1.
    """
    text = os.environ.get("PAINRX_THREADS", "").strip()
    if text:
        try:
            wanted = int(text)
        except ValueError:
            wanted = 0
        if wanted < 1:
            msg = f"PAINRX_THREADS must be a whole number of threads of at least 1, not {text!r}."
            raise InputError(msg)
    elif threading.current_thread() is not threading.main_thread():
        return 1
    else:
        wanted = cores()
    return max(1, min(wanted, n // rows_per_thread))
