"""Memory use of the app's server process (a club's server keeps one process for every
visitor, so its peak resident size is what a host must provision).

Two allocator settings, applied once when the app first runs a page:

* pyarrow's own pool (mimalloc) keeps freed blocks for reuse; the store's derived tables are
  decoded through pyarrow on every squad read, so that reserve grows with the squad. The system
  allocator hands the memory back to the same place as the rest of Python's.
* glibc gives each thread that allocates under contention an arena of its own, up to 8 per
  core; Streamlit runs every visitor's script on its own thread, so freed memory ends up spread
  over many arenas that are rarely returned. Two arenas are enough on a server of a few cores
  (glibc ``mallopt(M_ARENA_MAX)``; the ``MALLOC_ARENA_MAX`` environment variable, if set, is
  left to win).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

_M_ARENA_MAX = -8  # glibc malloc.h
ARENAS = 2
_done = False


def tune() -> None:
    """Apply both settings (once per process; quietly nothing where they do not exist)."""
    global _done
    if _done:
        return
    _done = True
    try:
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())
    except (ImportError, NotImplementedError):  # pragma: no cover - pyarrow is a dependency
        pass
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    name = ctypes.util.find_library("c")
    if not name:  # pragma: no cover - not glibc (e.g. musl, macOS)
        return
    try:
        libc = ctypes.CDLL(name)
        if hasattr(libc, "mallopt"):
            libc.mallopt(_M_ARENA_MAX, ARENAS)
    except OSError:  # pragma: no cover
        pass
