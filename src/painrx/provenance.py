"""Where a clinical number comes from.

Every table painrx ships carries a :class:`Provenance`, and every result points at
the one its numbers came from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from painrx.types import ProvenanceDict

__all__ = ["Provenance"]


@attrs.frozen
class Provenance:
    """The cited source of a table, rule set or dosing profile.

    Attributes:
        id: Stable identifier of the table edition, e.g. ``"CDC_2022"``.
        title: Human-readable title of the source.
        year: Year of the edition.
        citation: Full citation a reviewer can look up.
        url: Where the source can be read (empty when none is public).
        edition: Edition or version label as the source states it.
    """

    id: str
    title: str
    year: int
    citation: str
    url: str = ""
    edition: str = ""

    def __attrs_post_init__(self) -> None:
        from painrx.errors import InputError

        for name in ("id", "title", "citation"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                msg = f"Provenance {name}={value!r} must be non-empty text."
                raise InputError(msg)
        for name in ("url", "edition"):
            value = getattr(self, name)
            if not isinstance(value, str):
                msg = f"Provenance {name}={value!r} must be text ('' when there is none)."
                raise InputError(msg)
        if isinstance(self.year, bool) or not isinstance(self.year, int):
            msg = f"Provenance year={self.year!r} must be a whole year such as 2022."
            raise InputError(msg)

    def to_dict(self) -> ProvenanceDict:
        """Return a JSON-ready mapping of the provenance fields."""
        return {
            "id": self.id,
            "title": self.title,
            "year": self.year,
            "citation": self.citation,
            "url": self.url,
            "edition": self.edition,
        }

    def _repr_html_(self) -> str:
        from html import escape

        link = f' <a href="{escape(self.url)}">{escape(self.url)}</a>' if self.url else ""
        return (
            f"<b>{escape(self.id)}</b> — {escape(self.title)} ({self.year}). "
            f"{escape(self.citation)}{link}"
        )
