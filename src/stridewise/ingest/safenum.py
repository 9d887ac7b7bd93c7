"""Numeric conversions that never raise on hostile values.

``int(float("inf"))`` raises OverflowError and ``int(float("nan"))`` ValueError; a cell such as
``1e400`` or ``inf`` in an app's CSV must become "no value", not an import failure.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["MAX_SAFE_INT", "safe_float", "safe_int"]

#: Largest magnitude kept as an integer (beyond it floats lose whole numbers anyway).
MAX_SAFE_INT = 2**53


def safe_float(v: Any) -> float | None:
    """``v`` as a finite float, or None for missing, non-numeric, NaN or infinite values."""
    if v is None or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError, OverflowError):
        return None
    return f if math.isfinite(f) else None


def safe_int(v: Any) -> int | None:
    """``v`` truncated to an int like ``int()``, or None where ``int()`` would fail or the value
    is beyond :data:`MAX_SAFE_INT` in magnitude."""
    f = safe_float(v)
    if f is None or abs(f) > MAX_SAFE_INT:
        return None
    return int(f)
