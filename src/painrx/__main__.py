"""``python -m painrx``: the painrx command line (see :mod:`painrx.cli`)."""

from __future__ import annotations

import sys

from painrx.cli import main

if __name__ == "__main__":
    sys.exit(main())
