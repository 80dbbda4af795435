"""How results show themselves: the HTML Jupyter displays and the short text ``print`` shows.

One look for every result type: a table whose caption says what was computed,
numbers always with their unit (painrx's clinical spelling), alerts as a list with
their severity in capitals, and the source as a link when it has an address. The
short text of ``str(result)`` ends the same way: ``"…; alerts: a, b"``.

>>> from painrx.errors import Alert, Severity
>>> alerts_text((Alert("mme_threshold_50", Severity.MODERATE, "Reassess."),))
'alerts: mme_threshold_50 (MODERATE)'
>>> alerts_text(())
'no alerts'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from html import escape
from typing import TYPE_CHECKING

from painrx.errors import Alert

if TYPE_CHECKING:
    from painrx.provenance import Provenance

__all__ = ["alerts_html", "alerts_text", "key_value_table", "source_html", "table_html"]


def alerts_text(alerts: Iterable[Alert]) -> str:
    """Return ``"alerts: code (SEVERITY), …"`` (a repeated code once, ``×2``), or ``"no alerts"``."""
    counts = Counter(f"{a.code} ({a.severity.name})" for a in alerts)
    shown = [text if n == 1 else f"{text} ×{n}" for text, n in counts.items()]
    return f"alerts: {', '.join(shown)}" if shown else "no alerts"


def source_html(source: Provenance | None) -> str:
    """Return a source as ``ID: title (year)``, the id linked to its address when known."""
    if source is None:
        return ""
    name = escape(source.id)
    if source.url:
        name = f'<a href="{escape(source.url, quote=True)}">{name}</a>'
    return f"{name}: {escape(source.title)} ({source.year})"


def alerts_html(alerts: Iterable[Alert]) -> str:
    """Return alerts as a list: severity in capitals, code, message, linked source."""
    items = []
    for a in alerts:
        cited = f" <small>({source_html(a.source)})</small>" if a.source is not None else ""
        items.append(
            f"<li><b>{escape(a.severity.name)}</b> <code>{escape(a.code)}</code>: "
            f"{escape(a.message)}{cited}</li>"
        )
    return f"<ul>{''.join(items)}</ul>" if items else ""


def key_value_table(
    title: str,
    rows: Iterable[tuple[str, object]],
    alerts: Iterable[Alert] = (),
    source: Provenance | None = None,
) -> str:
    """Return an HTML table of ``(label, value)`` rows, then the alerts and the source.

    Values are shown with ``str``: a quantity reads ``"20 mg/day"``, never a bare number.
    """
    body = "".join(
        f"<tr><th style='text-align:left'>{escape(k)}</th><td>{escape(str(v))}</td></tr>"
        for k, v in rows
    )
    cited = f"<p>Source: {source_html(source)}</p>" if source is not None else ""
    return f"<table><caption>{escape(title)}</caption>{body}</table>{alerts_html(alerts)}{cited}"


def table_html(
    title: str,
    header: Iterable[str],
    rows: Iterable[Iterable[object]],
    alerts: Iterable[Alert] = (),
    source: Provenance | None = None,
) -> str:
    """Return an HTML table with a header row, then the alerts and the source."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    cited = f"<p>Source: {source_html(source)}</p>" if source is not None else ""
    return (
        f"<table><caption>{escape(title)}</caption><tr>{head}</tr>{body}</table>"
        f"{alerts_html(alerts)}{cited}"
    )
