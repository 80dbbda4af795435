"""Re-pin the SHA-256 of every clinical data file after a reviewed change.

Run through ``make checksums``; commit the changed ``src/painrx/data/checksums.json``
together with the data change so the review sees both. The pins ship inside the
package: painrx verifies every table against them when it reads it, and refuses a
table that differs (see ``painrx.tables._files``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "painrx" / "data"
PINS = DATA / "checksums.json"


def checksums(data: Path = DATA) -> dict[str, str]:
    """Return ``{path relative to painrx/data: sha256}`` for every data file but the pins."""
    return {
        path.relative_to(data).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(data.rglob("*"))
        if path.is_file() and path.name != PINS.name and "__pycache__" not in path.parts
    }


def write(data: Path = DATA) -> int:
    """Write the pins of ``data`` into its ``checksums.json``; return how many files."""
    pins = checksums(data)
    (data / PINS.name).write_text(json.dumps(pins, indent=2, sort_keys=True) + "\n", "utf-8")
    return len(pins)


if __name__ == "__main__":
    print(f"pinned {write()} data files in {PINS.relative_to(ROOT)}")
