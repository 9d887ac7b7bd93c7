"""Formatting helpers for the pages: units, durations, safe text.

Pure functions (no streamlit import) so they are testable on their own. User text (titles,
athlete names) is shown through :func:`md_escape` wherever it goes into Markdown, so it renders
as the literal characters the user typed and never as HTML or Markdown markup.
"""

from __future__ import annotations

import math
import re
from typing import Final

from stridewise.charts import AREA_LABELS

KM_PER_MILE: Final = 1.609344

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&\"'=@^])")


#: Badge colours (st.badge palette) and plain words for the risk levels.
RISK_STYLE: Final[dict[str, tuple[str, str, str]]] = {
    # level: (badge colour, icon, label)
    "high": ("red", ":material/error:", "High"),
    "moderate": ("orange", ":material/warning:", "Moderate"),
    "low": ("green", ":material/check_circle:", "Low"),
    "not enough data": ("gray", ":material/help:", "Not enough data"),
}
#: Sort order for triage: high risk first.
RISK_ORDER: Final[dict[str, int]] = {"high": 0, "moderate": 1, "low": 2, "not enough data": 3}


def md_escape(text: object) -> str:
    """``text`` with every Markdown/HTML-significant character backslash-escaped.

    CommonMark lets any ASCII punctuation be escaped, so the result renders as exactly the
    characters of ``text`` (``<img src=x>`` shows as text, ``**x**`` is not bold). Newlines
    become spaces.
    """
    s = "" if text is None else str(text)
    s = s.replace("\r", " ").replace("\n", " ")
    return _MD_SPECIAL.sub(r"\\\1", s)


def area_label(area: str) -> str:
    return AREA_LABELS.get(area, area.replace("_", " ").capitalize() if area else "Unclassified")


def risk_label(level: str) -> str:
    return RISK_STYLE.get(level, ("gray", "", level.capitalize()))[2]


def is_missing(x: object) -> bool:
    if x is None:
        return True
    try:
        return bool(math.isnan(float(x)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def km_to_unit(km: float, units: str) -> float:
    """Kilometres in the display unit ("km" or "mi")."""
    return km / KM_PER_MILE if units == "mi" else km


def unit_to_km(value: float, units: str) -> float:
    return value * KM_PER_MILE if units == "mi" else value


def fmt_distance(km: float | None, units: str, digits: int = 1) -> str:
    """``12.3 km`` / ``7.6 mi``; an em dash when unknown."""
    if is_missing(km):
        return "—"
    return f"{km_to_unit(float(km), units):,.{digits}f} {units}"  # type: ignore[arg-type]


def fmt_minutes(minutes: float | None) -> str:
    """Minutes as ``45 min`` or ``3 h 05 min``."""
    if is_missing(minutes):
        return "—"
    m = int(round(float(minutes)))  # type: ignore[arg-type]
    if m < 60:
        return f"{m} min"
    return f"{m // 60} h {m % 60:02d} min"


def fmt_minutes_short(minutes: float | None) -> str:
    """Minutes for narrow cards: ``45 min`` below two hours, else hours (``7.5 h``)."""
    if is_missing(minutes):
        return "—"
    m = float(minutes)  # type: ignore[arg-type]
    return f"{m:.0f} min" if m < 120 else f"{m / 60:.1f} h"


def fmt_pct(pct: float | None, *, signed: bool = True, digits: int = 0) -> str:
    """A percentage such as ``+12 %``; ``—`` when unknown, ``new`` for +inf."""
    if pct is None or (isinstance(pct, float) and math.isnan(pct)):
        return "—"
    if math.isinf(pct):
        return "new" if pct > 0 else "—"
    return f"{pct:+.{digits}f} %" if signed else f"{pct:.{digits}f} %"


def fmt_ratio(x: float | None) -> str:
    """An ACWR-like ratio: ``1.12``; ``no base yet`` for x/0; ``—`` for NaN."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if math.isinf(x):
        return "no base yet"
    return f"{x:.2f}"


def fmt_days(days: float | None) -> str:
    """Days since something: ``today``, ``1 day``, ``12 days``, ``never``."""
    if is_missing(days):
        return "never"
    d = int(days)  # type: ignore[arg-type]
    if d <= 0:
        return "today"
    return "1 day" if d == 1 else f"{d} days"


def safe_file_part(name: str) -> str:
    """A name made safe for a download file name."""
    s = re.sub(r"[^A-Za-z0-9._-]+", "_", name.strip()).strip("._")
    return s or "athlete"
