"""Loading the compiled batch pass (numba) in the background, so that no call stalls on it.

Importing numba and loading the cached machine code of the kernels takes about a
second in a fresh process; on a machine without the cache, numba compiles each
variant (one per integer width of the codes) for 1-7 s. The first batch call that
may use the compiled pass starts this work in a daemon thread and goes on with the
numpy pass, which gives the same results; later calls use the compiled pass once it
is loaded. So no call waits for numba longer than the numpy pass takes, and once
loaded, no call compiles or loads anything (the common variants are loaded with it).

Compiled code is cached on disk by numba (``cache=True``, see "Caching" in the numba
documentation): next to the package when it is writable, else in the user's cache
directory (``NUMBA_CACHE_DIR`` chooses another).
"""

from __future__ import annotations

import importlib
import os
import threading
import warnings
from collections.abc import Callable
from typing import Any

__all__ = ["Loader"]


class Loader:
    """Loads the compiled kernels once, in a daemon thread, and hands them out when ready."""

    def __init__(self, warm: Callable[[Any], None], module: str = "painrx.batch._kernel") -> None:
        """Load ``module`` and pass it to ``warm`` (which loads its common variants)."""
        self._warm = warm
        self._name = module
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._module: Any = None
        self._error: BaseException | None = None
        self._warned = False

    def start(self) -> None:
        """Start loading, once (a no-op when started already)."""
        with self._lock:
            if self._thread is not None:
                return
            # numba colours its compiler messages with colorama, whose init/deinit pair
            # reassigns sys.stdout and sys.stderr around every message; from this thread
            # that undoes any redirection the caller's thread makes meanwhile (a
            # contextlib.redirect_stdout, pytest's capsys). Without colours numba never
            # touches the streams. Set before numba is imported, unless the caller chose.
            os.environ.setdefault("NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING", "1")
            self._thread = threading.Thread(
                target=self._load, name="painrx-numba-loader", daemon=True
            )
            self._thread.start()

    def _load(self) -> None:
        try:
            module = importlib.import_module(self._name)
            self._warm(module)
            self._module = module
        except ImportError:
            # numba is not installed: the numpy pass is the batch path.
            pass
        except Exception as exc:  # noqa: BLE001 # any failure to load numba means: use numpy
            self._error = exc
        finally:
            self._done.set()

    def get(self, *, wait: bool) -> Any:
        """Return the kernels' module, or None when it is not loaded (yet) or cannot be.

        Starts loading if needed; with ``wait``, waits until it is done. A failure
        to load is reported once, as a warning in the calling thread.
        """
        self.start()
        if wait:
            self._done.wait()
        if not self._done.is_set():
            return None
        if self._error is not None:
            if not self._warned:
                self._warned = True
                exc = self._error
                # numba is installed but unusable (say, no writable cache directory):
                # the numpy pass gives the same results, only slower.
                warnings.warn(
                    f"painrx: numba is installed but the compiled batch pass could not be "
                    f"loaded ({type(exc).__name__}: {exc}); using the numpy pass.",
                    RuntimeWarning,
                    stacklevel=3,
                )
            return None
        return self._module
