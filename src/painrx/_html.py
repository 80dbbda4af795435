"""The small HTML tables result objects show in Jupyter (``_repr_html_``)."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from painrx.errors import Alert

__all__ = ["key_value_table"]


def key_value_table(
    title: str, rows: Iterable[tuple[str, object]], alerts: Iterable[Alert] = ()
) -> str:
    """Return an HTML table of ``(label, value)`` rows, then a list of ``alerts`` if any."""
    body = "".join(
        f"<tr><th style='text-align:left'>{escape(k)}</th><td>{escape(str(v))}</td></tr>"
        for k, v in rows
    )
    notes = "".join(
        f"<li><b>{escape(a.code)}</b> ({a.severity.name.lower()}): {escape(a.message)}</li>"
        for a in alerts
    )
    listed = f"<ul>{notes}</ul>" if notes else ""
    return f"<table><caption>{escape(title)}</caption>{body}</table>{listed}"
