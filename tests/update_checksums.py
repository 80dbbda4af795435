"""Re-pin the SHA-256 of every clinical data file after a reviewed change.

Run through ``make checksums``; commit the changed ``tests/table_checksums.json``
together with the data change so the review sees both.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "painrx" / "data"
PINS = ROOT / "tests" / "table_checksums.json"


def checksums() -> dict[str, str]:
    """Return ``{path relative to painrx/data: sha256}`` for every TOML data file."""
    return {
        path.relative_to(DATA).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(DATA.rglob("*.toml"))
    }


if __name__ == "__main__":
    PINS.write_text(json.dumps(checksums(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"pinned {len(checksums())} data files in {PINS.relative_to(ROOT)}")
