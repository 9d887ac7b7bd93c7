"""Printable one-page reports: self-contained HTML that prints cleanly to PDF from a browser.

Each report is a single HTML document with inline CSS (A4 page, ``@media print`` rules,
colours kept in print) and charts drawn as inline SVG: no scripts, no external fonts, images or
style sheets, so it can be downloaded, e-mailed and printed anywhere. Every piece of user text
(athlete names, titles, reasons, notes) is escaped with :func:`html.escape`.

Inputs are the library's tables: :func:`stridewise.volume.weekly_volume` (weekly),
:func:`stridewise.risk.daily_metrics` / ``risk_table`` (risk) and :func:`stridewise.risk.balance`
(balance). Missing or empty inputs give a section that says so, never an exception.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from html import escape
from typing import Any, Final

import numpy as np
import pandas as pd

from stridewise.assessment import HEURISTIC_VERSION, TRIAGE_RULE, ratio_name
from stridewise.charts import (
    AREA_COLOURS,
    BALANCE_COLOURSCALE,
    BALANCE_MAX_PCT,
    BAND_COLOURS,
    EMPTY_MESSAGE,
    KM_PER_MILE,
    RISK_COLOURS,
    RISK_LABELS,
    _dates,
    _num,
    _partial,
    area_colour,
    area_label,
)
from stridewise.errors import UsageError
from stridewise.schema import AREAS, TRAINING_AREAS
from stridewise.settings import DEFAULT_SETTINGS, Settings

DISCLAIMER: Final = (
    "The risk level is a heuristic built from training-load research, not a diagnosis. The "
    "acute:chronic workload ratio in particular is contested (Impellizzeri et al. 2020; Lolli "
    "et al. 2019): read it together with how the athlete feels and any pain.")
_VARIANT_SHORT: Final[dict[str, str]] = {"coupled": "7:28", "uncoupled": "7:21", "ewma": "EWMA"}
_RATIO_COLUMNS: Final[dict[str, str]] = {"coupled": "acwr_coupled",
                                         "uncoupled": "acwr_uncoupled", "ewma": "acwr_ewma"}
_SHORT: Final[dict[str, str]] = {"endurance": "Endur.", "strength": "Str.", "plyometrics": "Plyo.",
                                 "stability": "Stab.", "flexibility": "Flex.", "other": "Other"}
_RISK_ORDER: Final[dict[str, int]] = {"high": 0, "moderate": 1, "low": 2, "not enough data": 3}

_CSS: Final = """
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;background:#f3f4f6;color:#1f2328;
 font:10pt/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.page{background:#fff;max-width:210mm;margin:8mm auto;padding:12mm 14mm;
 box-shadow:0 1px 4px rgba(0,0,0,.15)}
header{display:flex;justify-content:space-between;align-items:flex-end;
 border-bottom:2px solid #1f2328;padding-bottom:3mm;margin-bottom:4mm}
h1{font-size:17pt;margin:0;line-height:1.2;overflow-wrap:anywhere}
h2{font-size:11pt;margin:3mm 0 1.2mm;border-bottom:1px solid #d0d7de;padding-bottom:1mm}
.brand{font-size:8.5pt;color:#57606a;text-transform:uppercase;letter-spacing:.08em}
.meta{text-align:right;color:#57606a;font-size:9pt}
.hint{color:#57606a;font-size:8.5pt;margin:0 0 3mm}
.kpis{display:grid;grid-template-columns:repeat(6,1fr);gap:2mm}
.kpi{border:1px solid #d0d7de;border-radius:2mm;padding:1.5mm 2mm}
.kpi .label{font-size:7pt;color:#57606a;text-transform:uppercase;letter-spacing:.04em}
.kpi .value{font-size:13pt;font-weight:650;line-height:1.25;white-space:nowrap}
.kpi .sub{font-size:7.5pt;color:#57606a;line-height:1.25}
.risk{display:flex;gap:4mm;align-items:flex-start;border:1px solid #d0d7de;
 border-left:4mm solid var(--risk);border-radius:2mm;padding:2.5mm 3.5mm;margin-top:3mm}
.risk .level{font-size:13pt;font-weight:700;white-space:nowrap}
.risk ul{margin:0;padding-left:4.5mm}
.badge{display:inline-block;padding:.3mm 2mm;border-radius:3mm;color:#fff;font-weight:600;
 font-size:8.5pt;white-space:nowrap}
table{border-collapse:collapse;width:100%;font-size:8.5pt}
th,td{padding:.55mm 1.4mm;border-bottom:1px solid #e5e7eb;text-align:left;vertical-align:top}
th{font-weight:600;color:#57606a;border-bottom:1px solid #8c959f}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.name{overflow-wrap:anywhere}
td.nw,th.nw{white-space:nowrap}
td.reason{min-width:38mm}
.roster td.name{min-width:22mm}
.roster{font-size:7.5pt}
.roster th,.roster td{padding:.55mm 1mm}
.sw{display:inline-block;width:2.6mm;height:2.6mm;border-radius:.5mm;margin-right:1.5mm;
 vertical-align:-.2mm}
.bar{position:relative;height:3mm;background:#eef0f2;border-radius:1mm;min-width:22mm}
.bar span{position:absolute;left:0;top:0;bottom:0;border-radius:1mm}
.bar i{position:absolute;top:-.6mm;bottom:-.6mm;width:.5mm;background:#1f2328}
.legend{display:flex;flex-wrap:wrap;gap:1mm 4mm;font-size:8pt;color:#57606a;margin:0 0 1mm}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:5mm}
.heat td.cell{text-align:center;font-variant-numeric:tabular-nums}
.empty{color:#57606a;font-style:italic}
footer{margin-top:3mm;padding-top:1.5mm;border-top:1px solid #d0d7de;font-size:8pt;color:#57606a}
svg{display:block;max-width:100%;height:auto}
svg text{font-family:inherit}
section{break-inside:avoid}
@page{size:A4;margin:12mm}
@media print{
 body{background:#fff;font-size:9pt}
 .page{box-shadow:none;margin:0;padding:0;max-width:none}
 .screen-only{display:none}
 thead{display:table-header-group}
 tr{break-inside:avoid}
 h2{break-after:avoid}
}
"""


# ---------------------------------------------------------------------------------------------
# Formatting helpers
# ---------------------------------------------------------------------------------------------


def _isnum(v: Any) -> bool:
    try:
        return v is not None and not pd.isna(v) and not math.isnan(float(v))
    except (TypeError, ValueError):
        return False


def _fmt(v: Any, spec: str = ",.0f", unit: str = "", *, dash: str = "–",
         inf_text: str = "no base yet") -> str:
    """Number text with an optional unit; NaN → dash, ±inf → ``inf_text`` (already escaped)."""
    if not _isnum(v):
        return dash
    f = float(v)
    if math.isinf(f):
        return escape(inf_text)
    text = format(f, spec).replace("-", "−")
    return f"{text}\u202f{escape(unit)}" if unit else text


def _pct_change(v: Any) -> str:
    if not _isnum(v):
        return "–"
    f = float(v)
    if math.isinf(f):
        return "new"
    f = float(round(f)) + 0.0  # -0.3 % reads "0 %", not "−0 %"
    return ("+" if f > 0 else "") + _fmt(f, ",.0f", "%")


def _days_text(v: Any) -> str:
    if not _isnum(v) or math.isinf(float(v)):
        return "none yet"
    d = int(round(float(v)))
    return "today" if d == 0 else ("1 day ago" if d == 1 else f"{d} days ago")


def _col(df: pd.DataFrame | None, name: str) -> bool:
    return df is not None and len(df) > 0 and name in df.columns


def _with(settings: Settings | None, units: str | None, variant: str | None,
          thresholds: tuple[float, float, float] | None) -> Settings:
    """``settings`` (default: the shipped ones) with the explicit overrides applied."""
    from dataclasses import replace

    s = settings or DEFAULT_SETTINGS
    r = s.risk
    if variant:
        r = replace(r, acwr_metric=variant)  # type: ignore[arg-type]
    if thresholds:
        r = replace(r, acwr_low=float(thresholds[0]), acwr_high=float(thresholds[1]),
                    acwr_very_high=float(thresholds[2]))
    return replace(s, risk=r, units=units or s.units)  # type: ignore[arg-type]


def _full_weeks(minutes: pd.DataFrame, as_of: pd.Timestamp | None) -> pd.DataFrame:
    """The weekly table without the current, partial week (weeks that end after ``as_of``)."""
    if minutes.empty or as_of is None:
        return minutes
    return minutes.loc[minutes.index + pd.Timedelta(days=6) <= pd.Timestamp(as_of)]


def weekly_export(weekly: pd.DataFrame, units: str) -> pd.DataFrame:
    """The weekly table for export: ``distance_km`` becomes ``distance_mi`` (in miles) when the
    display unit is miles, so the header always names the unit of its numbers."""
    if units != "mi" or "distance_km" not in weekly.columns:
        return weekly
    out = weekly.assign(distance_km=_num(weekly["distance_km"]) / KM_PER_MILE)
    return out.rename(columns={"distance_km": "distance_mi"})


def _resolve(settings: Settings | None, units: str | None, variant: str | None,
             thresholds: tuple[float, float, float] | None
             ) -> tuple[str, str, tuple[float, float, float]]:
    """Units, ACWR variant and thresholds: explicit values, else ``settings``, else defaults."""
    s = settings or DEFAULT_SETTINGS
    units = units or s.units
    variant = variant or s.risk.acwr_metric
    thresholds = thresholds or (s.risk.acwr_low, s.risk.acwr_high, s.risk.acwr_very_high)
    if units not in ("km", "mi"):
        raise UsageError(f"The distance unit must be km or mi, not {units!r}.")
    if variant not in _RATIO_COLUMNS:
        raise UsageError(f"The ACWR variant must be coupled, uncoupled or ewma, not {variant!r}.")
    low, high, very_high = (float(t) for t in thresholds)
    return units, variant, (low, high, very_high)


def _fresh_index(df: pd.DataFrame | None) -> pd.DataFrame | None:
    """``df`` with a plain 0..n-1 index (inputs may come from a concat with repeated labels)."""
    return None if df is None else df.reset_index(drop=True)


def _hex_to_rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def balance_cell_colour(pct: Any) -> tuple[str, str]:
    """(background, text colour) for a % of target, on the charts' balance scale."""
    if not _isnum(pct):
        return "#f3f4f6", "#57606a"
    x = min(max(float(pct), 0.0), BALANCE_MAX_PCT) / BALANCE_MAX_PCT
    stops = [(float(p), _hex_to_rgb(c)) for p, c in BALANCE_COLOURSCALE]
    for (p0, c0), (p1, c1) in zip(stops, stops[1:], strict=False):
        if x <= p1:
            t = 0.0 if p1 == p0 else (x - p0) / (p1 - p0)
            rgb = tuple(round(a + (b - a) * t) for a, b in zip(c0, c1, strict=True))
            break
    else:
        rgb = stops[-1][1]
    lum = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]
    return "#{:02x}{:02x}{:02x}".format(*rgb), ("#111111" if lum > 140 else "#ffffff")


def _risk_badge(level: str) -> str:
    colour = RISK_COLOURS.get(level, RISK_COLOURS["not enough data"])
    return (f'<span class="badge" style="background:{colour}">'
            f"{escape(RISK_LABELS.get(level, level or 'Not enough data'))}</span>")


def _split_reasons(text: Any) -> list[str]:
    if isinstance(text, (list, tuple)):
        return [str(t) for t in text if str(t).strip()]
    if not isinstance(text, str):
        return []
    return [r.strip() for r in text.split(";") if r.strip()]


def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
            f"<body><div class=\"page\">{body}</div></body></html>\n")


def _header(kind: str, name: str, meta: Sequence[str]) -> str:
    meta_html = "<br>".join(escape(m) for m in meta if m)
    return (f'<header><div><div class="brand">Stridewise · {escape(kind)}</div>'
            f"<h1>{escape(name)}</h1></div><div class=\"meta\">{meta_html}</div></header>"
            '<p class="hint screen-only">To save as PDF: print this page (Ctrl+P / ⌘P) and '
            "choose “Save as PDF”.</p>")


def _footer(generated: datetime | None) -> str:
    when = (generated or datetime.now()).strftime("%-d %b %Y %H:%M")
    return f"<footer>{escape(DISCLAIMER)}<br>Generated by Stridewise on {escape(when)}.</footer>"


def _legend(areas: Iterable[str]) -> str:
    items = "".join(f'<span><i class="sw" style="background:{area_colour(a)}"></i>'
                    f"{escape(area_label(a))}</span>" for a in areas)
    return f'<div class="legend">{items}</div>'


# ---------------------------------------------------------------------------------------------
# Inline SVG charts
# ---------------------------------------------------------------------------------------------


def weekly_bars_svg(table: pd.DataFrame, *, unit: str = "min", width: int = 680,
                    height: int = 110, partial: Sequence[bool] | None = None) -> str:
    """Stacked bars (inline SVG) of a week x area table; empty string when all zero.

    ``partial``: one flag per row; a flagged week (not over yet) is drawn pale and labelled
    "so far", as the app's charts draw it."""
    if table is None or table.empty or float(table.to_numpy().sum()) <= 0:
        return ""
    flags = (np.zeros(len(table), dtype=bool) if partial is None
             else np.asarray(partial, dtype=bool))
    if flags.shape != (len(table),):
        raise ValueError("partial needs one flag per week")
    areas = [a for a in table.columns if float(table[a].sum()) > 0]
    totals = table[areas].sum(axis=1).to_numpy()
    top = float(totals.max()) or 1.0
    left, bottom, right, top_pad = 40, 22, 6, 14
    plot_w, plot_h = width - left - right, height - bottom - top_pad
    n = len(table)
    slot = plot_w / n
    bar_w = max(slot * 0.72, 1.0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" '
             f'aria-label="{escape("Weekly " + unit + " by training area")}">']
    for frac in (0.0, 0.5, 1.0):   # gridlines with labels
        y = top_pad + plot_h * (1 - frac)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#d0d7de" stroke-width="0.6"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 3:.1f}" font-size="8" text-anchor="end" '
                     f'fill="#57606a">{_fmt(top * frac)}</text>')
    parts.append(f'<text x="2" y="9" font-size="8" fill="#57606a">{escape(unit)}</text>')
    label_every = max(1, math.ceil(n / 12))
    for i, (week, row) in enumerate(table[areas].iterrows()):
        x = left + i * slot + (slot - bar_w) / 2
        y_base = top_pad + plot_h
        for area in areas:
            v = float(row[area])
            if v <= 0:
                continue
            h = plot_h * v / top
            y_base -= h
            so_far = " (so far: not over yet)" if flags[i] else ""
            tip = (f"{pd.Timestamp(week):%-d %b %Y}{so_far} · {area_label(area)}: "
                   f"{v:,.0f} {unit}")
            pale = ' opacity="0.4" class="partial"' if flags[i] else ""
            parts.append(f'<rect x="{x:.1f}" y="{y_base:.1f}" width="{bar_w:.1f}" '
                         f'height="{h:.1f}" fill="{area_colour(area)}"{pale}>'
                         f"<title>{escape(tip)}</title></rect>")
        if i % label_every == 0 or i == n - 1 or flags[i]:
            label = f"{pd.Timestamp(week):%-d %b}" + (" so far" if flags[i] else "")
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{height - 8}" font-size="8" '
                         f'text-anchor="middle" fill="#57606a">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def acwr_svg(dates: Sequence[Any], ratio: Sequence[float],
             thresholds: tuple[float, float, float] = (0.8, 1.3, 1.5), *, width: int = 680,
             height: int = 96) -> str:
    """ACWR line (inline SVG) over shaded sweet-spot/caution/high bands; gaps for NaN/inf."""
    r = np.asarray(ratio, dtype=float)
    if r.size == 0 or not np.isfinite(r).any():
        return ""
    low, high, very = thresholds
    finite = r[np.isfinite(r)]
    top = max(2.0, float(finite.max()) * 1.08)
    left, bottom, right, top_pad = 40, 18, 6, 6
    plot_w, plot_h = width - left - right, height - bottom - top_pad
    n = len(r)

    def y(v: float) -> float:
        return top_pad + plot_h * (1 - min(v, top) / top)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" '
             'aria-label="Acute:chronic workload ratio with bands">']
    for y0, y1, colour, label in ((low, high, BAND_COLOURS["sweet"], "usual"),
                                  (high, very, BAND_COLOURS["caution"], "raised"),
                                  (very, top, BAND_COLOURS["high"], "high")):
        parts.append(f'<rect x="{left}" y="{y(y1):.1f}" width="{plot_w}" '
                     f'height="{y(y0) - y(y1):.1f}" fill="{colour}"/>')
        parts.append(f'<text x="{width - right - 2}" y="{(y(y0) + y(y1)) / 2 + 3:.1f}" '
                     f'font-size="7.5" text-anchor="end" fill="#57606a">{label}</text>')
    for v in (0.0, low, very):   # the high edge sits too close to the others to label
        parts.append(f'<text x="{left - 4}" y="{y(v) + 3:.1f}" font-size="8" text-anchor="end" '
                     f'fill="#57606a">{v:g}</text>')
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, v in enumerate(r):
        if np.isfinite(v):
            segment.append(f"{x(i):.1f},{y(float(v)):.1f}")
        elif segment:
            segments.append(segment)
            segment = []
    if segment:
        segments.append(segment)
    for seg in segments:
        if len(seg) == 1:
            cx, cy = seg[0].split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="1.6" fill="#CC79A7"/>')
        else:
            parts.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="#CC79A7" '
                         'stroke-width="1.8" stroke-linejoin="round"/>')
    ds = [pd.Timestamp(d) for d in dates]
    if ds:
        for i in (0, n - 1):
            anchor = "start" if i == 0 else "end"
            parts.append(f'<text x="{x(i):.1f}" y="{height - 5}" font-size="8" '
                         f'text-anchor="{anchor}" fill="#57606a">'
                         f"{escape(f'{ds[i]:%-d %b %Y}')}</text>")
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------


def _week_table(weekly: pd.DataFrame | None, metric: str = "minutes") -> pd.DataFrame:
    if not (_col(weekly, "week") and _col(weekly, "area") and _col(weekly, metric)):
        return pd.DataFrame()
    df = pd.DataFrame({"week": _dates(weekly["week"]), "area": weekly["area"].astype(str),
                       "v": _num(weekly[metric]).fillna(0.0)})
    t = df.pivot_table(index="week", columns="area", values="v", aggfunc="sum", fill_value=0.0)
    ordered = [a for a in AREAS if a in t.columns] + sorted(c for c in t.columns
                                                            if c not in AREAS)
    return t[ordered].sort_index()


def _run_distance(weekly: pd.DataFrame | None) -> tuple[pd.Series | None, str]:
    if _col(weekly, "run_km"):
        s = pd.DataFrame({"w": _dates(weekly["week"]), "v": _num(weekly["run_km"])})
        return s.groupby("w")["v"].sum(min_count=1), "Running"
    if _col(weekly, "distance_km"):   # volume.weekly_volume: running km only
        s = pd.DataFrame({"w": _dates(weekly["week"]), "v": _num(weekly["distance_km"])})
        return s.groupby("w")["v"].sum(min_count=1), "Running"
    return None, ""


def _weekly_section(weekly: pd.DataFrame | None, weeks: int, units: str, heading: str,
                    as_of: pd.Timestamp | None = None) -> str:
    minutes = _week_table(weekly, "minutes")
    if minutes.empty or float(minutes.to_numpy().sum()) <= 0:
        return f'<section><h2>{escape(heading)}</h2><p class="empty">{EMPTY_MESSAGE}.</p></section>'
    minutes = minutes.tail(weeks)
    load = _week_table(weekly, "load").reindex(minutes.index)
    sessions = _week_table(weekly, "sessions").reindex(minutes.index)
    dist, dist_kind = _run_distance(weekly)
    factor = 1.0 if units == "km" else 1.0 / KM_PER_MILE
    areas = [a for a in minutes.columns if float(minutes[a].sum()) > 0]
    head = "".join(f'<th class="num nw" title="{escape(area_label(a))} (min)"><i class="sw" '
                   f'style="background:{area_colour(a)}"></i>{escape(_SHORT.get(a, area_label(a)))}'
                   "</th>" for a in areas)
    dist_head = (f'<th class="num nw">{escape(dist_kind)} {escape(units)}</th>'
                 if dist is not None else "")
    # one rule for "not over yet", shared with the app's charts
    partial = pd.Series(_partial(pd.DatetimeIndex(minutes.index), as_of, "week"),
                        index=minutes.index)
    rows = []
    for week in reversed(minutes.index):
        cells = "".join(f'<td class="num">{_fmt(minutes.at[week, a])}</td>' for a in areas)
        total = float(minutes.loc[week].sum())
        n_sess = float(sessions.loc[week].sum()) if not sessions.empty else float("nan")
        ld = float(load.loc[week].sum()) if not load.empty else float("nan")
        dcell = ""
        if dist is not None:
            dv = dist.get(week, float("nan"))
            dcell = f'<td class="num">{_fmt(dv * factor if _isnum(dv) else dv, ",.1f")}</td>'
        label = f"{week:%-d %b %Y}" + (" (so far)" if partial[week] else "")
        rows.append(f"<tr><td class=\"nw\">{escape(label)}</td>{cells}"
                    f'<td class="num"><b>{_fmt(total)}</b></td>'
                    f'<td class="num">{_fmt(n_sess, ",.0f")}</td>{dcell}'
                    f'<td class="num">{_fmt(ld)}</td></tr>')
    table = (f'<table><thead><tr><th class="nw">Week of</th>{head}<th class="num">Total</th>'
             f'<th class="num">Sess.</th>{dist_head}<th class="num">Load (AU)</th>'
             f"</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    svg = weekly_bars_svg(minutes[areas], unit="min", partial=partial.to_numpy())
    return (f"<section><h2>{escape(heading)}</h2>{_legend(areas)}{svg}{table}"
            '<p class="hint">Minutes per training area; rows newest first; Sess. = sessions '
            "(a mixed session counts once, its minutes split across its areas); "
            "“so far” (pale bar): the current week is not over.</p></section>")


def _balance_section(balance: pd.DataFrame | None) -> str:
    heading = "Balance vs weekly targets (last 4 weeks)"
    if not (_col(balance, "area") and _col(balance, "sessions_per_week")):
        return f'<section><h2>{heading}</h2><p class="empty">{EMPTY_MESSAGE}.</p></section>'
    df = balance.copy()
    g = pd.DataFrame({
        "area": df["area"].astype(str), "spw": _num(df["sessions_per_week"]),
        "target": _num(df["target_per_week"]) if "target_per_week" in df else np.nan,
        "days": _num(df["days_since"]) if "days_since" in df else np.nan,
        "minutes": _num(df["minutes"]) if "minutes" in df else np.nan,
    }).groupby("area", sort=False).agg(spw=("spw", "mean"), target=("target", "mean"),
                                       days=("days", "min"), minutes=("minutes", "mean"))
    rows = []
    for area in [a for a in AREAS if a in g.index] + [a for a in g.index if a not in AREAS]:
        spw, target, days = g.at[area, "spw"], g.at[area, "target"], g.at[area, "days"]
        if not (_isnum(target) and target > 0) and not (_isnum(spw) and spw > 0):
            continue
        pct = spw / target * 100 if _isnum(target) and target > 0 and _isnum(spw) else np.nan
        bg, _ = balance_cell_colour(pct)
        fill = min(float(pct), 150.0) / 150.0 * 100 if _isnum(pct) else 0.0
        bar = (f'<div class="bar"><span style="width:{fill:.0f}%;background:{bg}"></span>'
               f'<i style="left:{100 / 1.5:.1f}%"></i></div>')
        rows.append(f'<tr><td><i class="sw" style="background:{area_colour(area)}"></i>'
                    f"{escape(area_label(area))}</td>"
                    f'<td class="num">{_fmt(spw, ".1f")}</td>'
                    f'<td class="num">{_fmt(target, ".1f")}</td>'
                    f'<td class="num">{_fmt(pct, ".0f", "%")}</td><td>{bar}</td>'
                    f'<td class="num">{_fmt(g.at[area, "minutes"])}</td>'
                    f'<td class="num">{escape(_days_text(days))}</td></tr>')
    if not rows:
        return f'<section><h2>{heading}</h2><p class="empty">{EMPTY_MESSAGE}.</p></section>'
    return (f"<section><h2>{heading}</h2><table><thead><tr><th>Area</th>"
            '<th class="num">Sessions/week</th><th class="num">Target</th>'
            '<th class="num">% of target</th><th>(line = target)</th>'
            '<th class="num">Minutes (4 wk)</th><th class="num">Last session</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></section>")


# ---------------------------------------------------------------------------------------------
# Athlete report
# ---------------------------------------------------------------------------------------------


def _latest(risk: pd.DataFrame | None) -> pd.Series | None:
    if not _col(risk, "date"):
        return None
    d = _dates(risk["date"]).reset_index(drop=True)
    if not d.notna().any():
        return None
    return risk.iloc[int(d.idxmax())]


def _kpi(label: str, value: str, sub: str = "") -> str:
    """One KPI card; ``value`` and ``sub`` must already be escaped/safe."""
    return (f'<div class="kpi"><div class="label">{escape(label)}</div>'
            f'<div class="value">{value}</div><div class="sub">{sub}</div></div>')


def athlete_report_html(athlete: str, *, weekly: pd.DataFrame | None = None,
                        risk: pd.DataFrame | None = None, balance: pd.DataFrame | None = None,
                        settings: Settings | None = None, units: str | None = None,
                        weeks: int = 8, acwr_variant: str | None = None,
                        thresholds: tuple[float, float, float] | None = None,
                        title: str | None = None, note: str | None = None,
                        generated: datetime | None = None, parts: pd.DataFrame | None = None,
                        sessions: pd.DataFrame | None = None,
                        plan_rows: pd.DataFrame | None = None) -> str:
    """A one-page printable HTML report for one athlete.

    Shows: KPIs of the latest week (minutes, sessions, running distance and its change, 7-day
    load, ACWR, fitness/form), the risk level with its reasons, the ACWR of the last 8 weeks on
    its bands, balance vs targets, the plan of the last full week against what was done
    (``plan_rows``, a :func:`stridewise.plans.compliance` frame), and the last ``weeks`` weeks
    of volume (SVG bars + table).
    ``weekly``/``risk``/``balance`` are the athlete's rows of the library tables (any may be
    None). ``settings`` supplies the distance unit, the ACWR variant that drives the risk level
    and its thresholds; ``units``/``acwr_variant``/``thresholds`` override them one by one. All
    text is escaped.
    """
    units, acwr_variant, thresholds = _resolve(settings, units, acwr_variant, thresholds)
    weeks = max(1, int(weeks))
    name = str(athlete) if athlete is not None else ""
    from stridewise.assessment import assess
    weekly, risk, balance = (_fresh_index(f) for f in (weekly, risk, balance))
    if _col(weekly, "athlete") and name:
        mine = weekly[weekly["athlete"].astype(str) == name]
        weekly = mine if len(mine) else weekly
    if _col(risk, "athlete") and name:
        mine = risk[risk["athlete"].astype(str) == name]
        risk = mine if len(mine) else risk
    if _col(balance, "athlete") and name:
        mine = balance[balance["athlete"].astype(str) == name]
        balance = mine if len(mine) else balance
    settings = _with(settings, units, acwr_variant, thresholds)
    last = _latest(risk)
    who = (name if name and _col(risk, "athlete")
           and (risk["athlete"].astype(str) == name).any() else None)
    a = assess(risk if risk is not None else pd.DataFrame({"date": []}), athlete=who,
               settings=settings, parts=parts, sessions=sessions) if last is not None else None
    minutes = _week_table(weekly, "minutes")
    sessions = _week_table(weekly, "sessions")
    as_of = (pd.Timestamp(last["date"]) if last is not None else
             (minutes.index.max() if not minutes.empty else None))

    # KPIs: current figures over the last 7 days; week comparisons on the last full week
    kpis = []
    full = _full_weeks(minutes, as_of)
    if len(full):
        wk = full.index.max()
        total = float(full.loc[wk].sum())
        prev = float(full.iloc[-2].sum()) if len(full) > 1 else float("nan")
        change = (total - prev) / prev * 100 if _isnum(prev) and prev > 0 else float("nan")
        kpis.append(_kpi("Last full week", _fmt(total, ",.0f", "min"),
                         f"week of {escape(f'{wk:%-d %b}')}"
                         + (f"<br>{_pct_change(change)} vs the week before"
                            if _isnum(change) else "")))
    if a is not None and sessions is not None:
        kpis.append(_kpi("Sessions, last 7 days", _fmt(a.sessions_7d, ",.0f"),
                         f"{_fmt(a.minutes_7d, ',.0f', 'min')}"))
    elif not minutes.empty:
        wk = minutes.index.max()
        n = float(sessions.loc[wk].sum()) if not sessions.empty and wk in sessions.index else 0
        kpis.append(_kpi("Sessions", _fmt(n, ",.0f"), "latest week"))
    else:
        kpis.append(_kpi("This week", "–", EMPTY_MESSAGE))
    if a is not None and last is not None:
        m = a.metrics
        kpis.append(_kpi("Running, last 7 days", escape(m["run_km_7d"].text),
                         f"{escape(m['run_km_change_pct'].text)} vs your usual week"))
        load7 = (_num(risk.sort_values("date")["load"]).tail(7).sum()
                 if "load" in risk.columns else np.nan)
        kpis.append(_kpi("Load, last 7 days", _fmt(load7, ",.0f", "AU"),
                         f"monotony {escape(m['monotony'].text)}"))
        r = settings.risk
        kpis.append(_kpi(m["acwr"].name.replace("Acute:chronic ratio", "Acute:chronic"),
                         escape(m["acwr"].text),
                         f"{escape(m['acwr'].band)} · usual {r.acwr_low:g}–{r.acwr_high:g}"))
        kpis.append(_kpi("Fitness", _fmt(last.get("ctl", np.nan), ",.0f"),
                         f"CTL · form (TSB) {_fmt(last.get('tsb', np.nan), ',.0f')}"))
    kpi_html = f'<div class="kpis">{"".join(kpis)}</div>'

    # Risk: the assessment's level and reasons
    if a is not None:
        level = a.level
        reasons = a.reason_texts
        items = "".join(f"<li>{escape(r)}</li>" for r in reasons[:6]) or \
            "<li>Nothing stands out in the recent training.</li>"
        if len(reasons) > 6:
            items += f"<li>…and {len(reasons) - 6} more (see the app)</li>"
        if a.next_run_sentence:
            items += f"<li>{escape(a.next_run_sentence)}</li>"
        risk_html = (f'<div class="risk" style="--risk:{RISK_COLOURS.get(level, "#999999")}">'
                     f'<div><div class="label">Injury-risk heuristic {escape(a.version)}</div>'
                     f'<div class="level">'
                     f"{escape(RISK_LABELS.get(level, level))}</div></div><ul>{items}</ul></div>")
    else:
        risk_html = ('<div class="risk" style="--risk:#999999"><div class="level">Not enough '
                     'data</div><ul><li>No daily load in this range.</li></ul></div>')

    # ACWR sparkline: last 8 weeks
    acwr_html = ""
    ratio_col = _RATIO_COLUMNS[acwr_variant]
    if _col(risk, ratio_col):
        r = risk.assign(_d=_dates(risk["date"])).sort_values("_d").tail(56)
        svg = acwr_svg(r["_d"].tolist(), _num(r[ratio_col]).to_numpy(), thresholds)
        if svg:
            acwr_html = (f"<section><h2>{escape(ratio_name(acwr_variant))}, "
                         f"last 8 weeks</h2>{svg}<p class=\"hint\">Context, not a leading "
                         "sign: the ratio is contested (Impellizzeri et al. 2020; Lolli et al. "
                         "2019; Wang et al. 2020).</p></section>")

    meta = [f"As of {as_of:%-d %b %Y}" if as_of is not None else "", f"Distances in {units}",
            f"Heuristic version {HEURISTIC_VERSION}"]
    body = "".join([
        _header("Athlete report", title or name or "Athlete", meta),
        f"<section>{kpi_html}{risk_html}</section>",
        f'<p class="hint">{escape(note)}</p>' if note else "",
        acwr_html,
        _balance_section(balance),
        plan_section_html(plan_rows, units, "Plan of the last full week: planned vs done"
                          if plan_rows is None or not len(plan_rows) else
                          f"Plan of the week of {pd.Timestamp(plan_rows['week_start'].iloc[0]):%-d %b}: "
                          "planned vs done"),
        _weekly_section(weekly, weeks, units, f"Weekly volume, last {weeks} weeks", as_of),
        _footer(generated),
    ])
    return _page(f"Stridewise report – {title or name}", body)


# ---------------------------------------------------------------------------------------------
# Squad report
# ---------------------------------------------------------------------------------------------


def squad_roster(risk_all: pd.DataFrame | None, balance_all: pd.DataFrame | None = None,
                 acwr_variant: str | None = None, *,
                 settings: Settings | None = None) -> pd.DataFrame:
    """One row per athlete from the latest day of ``risk_all``, in the one triage order.

    Each row is :func:`stridewise.assessment.roster_frame` of the athlete's assessment; days
    since an area missing from ``risk_all`` come from ``balance_all``.
    """
    from stridewise.assessment import assess, roster_frame, triage_sort

    settings = _with(settings, None, acwr_variant, None)
    if not (_col(risk_all, "athlete") and _col(risk_all, "date")):
        return roster_frame([]).iloc[0:0]
    risk_all = risk_all.reset_index(drop=True)
    found = [assess(rows, athlete=str(name), settings=settings)
             for name, rows in risk_all.groupby(risk_all["athlete"].astype(str), sort=True)]
    out = roster_frame(triage_sort(found))
    if _col(balance_all, "days_since") and _col(balance_all, "athlete"):
        b = pd.DataFrame({"athlete": balance_all["athlete"].astype(str).to_numpy(),
                          "area": balance_all["area"].astype(str).to_numpy(),
                          "ds": _num(balance_all["days_since"]).to_numpy()})
        for area in TRAINING_AREAS[1:]:
            c = f"days_since_{area}"
            if f"days_since_{area}" not in risk_all.columns:
                m = b[b["area"] == area].groupby("athlete")["ds"].min()
                out[c] = out["athlete"].map(m).astype(float)
    return out


def squad_report_html(squad: str = "Squad", *, risk_all: pd.DataFrame | None = None,
                      balance_all: pd.DataFrame | None = None,
                      weekly_all: pd.DataFrame | None = None, roster: pd.DataFrame | None = None,
                      settings: Settings | None = None, units: str | None = None,
                      acwr_variant: str | None = None, weeks: int = 8,
                      generated: datetime | None = None,
                      compliance: pd.DataFrame | None = None) -> str:
    """A printable HTML squad report: triage roster, balance heat table, squad weekly volume.

    ``roster`` defaults to :func:`squad_roster` of ``risk_all``/``balance_all`` (pass the page's
    own roster to print exactly what is shown). Long rosters continue on further pages with the
    table header repeated. ``settings`` supplies units and the ACWR variant (``units`` and
    ``acwr_variant`` override). A roster with the plan columns of
    :func:`stridewise.plans.roster_compliance` gets a "Plan" column; ``compliance`` (a
    :func:`stridewise.plans.compliance_summary` frame) adds compliance per area. All text is
    escaped.
    """
    units, acwr_variant, _ = _resolve(settings, units, acwr_variant, None)
    settings = _with(settings, units, acwr_variant, None)
    weeks = max(1, int(weeks))
    risk_all, balance_all, weekly_all, roster = (
        _fresh_index(f) for f in (risk_all, balance_all, weekly_all, roster))
    roster = squad_roster(risk_all, balance_all, settings=settings) if roster is None else roster
    run_col = f"run_{units}_7d"
    ratio_head = (str(roster["acwr_name"].iloc[0]) if "acwr_name" in roster.columns and len(roster)
                  else ratio_name(acwr_variant)).replace("Acute:chronic ratio", "Acute:chronic")
    n = len(roster)
    counts = roster["risk_level"].value_counts() if "risk_level" in roster.columns else {}
    summary = " · ".join(f"{int(counts.get(k, 0))} {RISK_LABELS[k].lower()}"
                         for k in ("high", "moderate", "low", "not enough data")
                         if int(counts.get(k, 0)))
    as_of = (pd.Timestamp(roster["date"].max())
             if "date" in roster.columns and n and roster["date"].notna().any() else None)

    def get(row: pd.Series, c: str) -> Any:
        return row[c] if c in row.index else np.nan

    if n:
        short = {"strength": "Str", "plyometrics": "Plyo", "stability": "Stab",
                 "flexibility": "Flex"}
        head = ("<tr><th>Athlete</th><th>Risk</th><th>Top reason</th>"
                f'<th class="num">{escape(ratio_head)}</th>'
                f'<th class="num">Run {escape(units)}, 7 d</th><th class="num">vs usual</th>'
                '<th class="num">Spike</th>'
                + "".join(f'<th class="num" title="days since {a}">{s}</th>'
                          for a, s in short.items())
                + '<th class="num">Logged</th>'
                + ("<th>Plan last week</th>" if "plan_status" in roster.columns else "")
                + "</tr>")
        rows = []
        for _, row in roster.iterrows():
            run = get(row, run_col)
            spike = get(row, "spike_pct")
            band = get(row, "spike_band")
            if isinstance(band, str) and band.strip():   # risk.spike_band: the named band
                spike_text = (f"{escape(band)} ({_fmt(spike, '+,.0f', '%')})"
                              if band.strip().lower() not in ("none", "no") else "–")
            else:
                spike_text = (_fmt(spike, "+,.0f", "%") if _isnum(spike) and float(spike) > 10
                              else "–")
            reason = get(row, "top_reason")
            reason = reason if isinstance(reason, str) else ""
            days = "".join(
                f'<td class="num">{_fmt(get(row, f"days_since_{a}"), ",.0f", dash="none")}</td>'
                for a in short)
            rows.append(
                f'<tr><td class="name">{escape(str(get(row, "athlete")))}</td>'
                f"<td>{_risk_badge(str(get(row, 'risk_level')))}</td>"
                f'<td class="reason">{escape(reason)}</td>'
                f'<td class="num">{_fmt(get(row, "acwr"), ".2f")}</td>'
                f'<td class="num">{_fmt(run, ",.1f")}</td>'
                f'<td class="num">{_pct_change(get(row, "run_change_pct"))}</td>'
                f'<td class="num">{spike_text}</td>'
                f"{days}"
                f'<td class="num">{_fmt(get(row, "coverage_days_pct"), ".0f", "%")}</td>'
                + (_plan_cell(row) if "plan_status" in roster.columns else "") + "</tr>")
        roster_html = (f'<section><h2>Roster (triage order)</h2><table class="roster"><thead>'
                       f"{head}</thead>"
                       f"<tbody>{''.join(rows)}</tbody></table>"
                       f'<p class="hint">{escape(TRIAGE_RULE)} {escape(ratio_head)}: load of the '
                       "last 7 days vs the usual load (context, contested). Run: "
                       "running distance of the last 7 days; vs usual: vs the weekly mean of "
                       "the 3 weeks before. "
                       "Spike: longest recent run vs the longest of the 30 days before (shown "
                       "above +10 %). Str/Plyo/Stab/Flex: days since the last session of that "
                       "area. Logged: share of the last 28 days with a recorded session.</p>"
                       "</section>")
    else:
        roster_html = f'<section><h2>Roster</h2><p class="empty">{EMPTY_MESSAGE}.</p></section>'

    heat_html = _squad_heat(balance_all, list(roster["athlete"]) if n else None)
    weekly_html = _weekly_section(weekly_all, weeks, units,
                                  f"Squad weekly volume, last {weeks} weeks (all athletes)", as_of)
    meta = [f"{n} athlete{'s' if n != 1 else ''}" + (f": {summary}" if summary else ""),
            f"As of {as_of:%-d %b %Y}" if as_of is not None else "",
            f"Heuristic version {HEURISTIC_VERSION}"]
    body = "".join([_header("Squad report", squad or "Squad", meta), roster_html, heat_html,
                    compliance_section_html(compliance), weekly_html, _footer(generated)])
    return _page(f"Stridewise squad report – {squad}", body)


def _plan_cell(row: pd.Series) -> str:
    """The roster's plan cell: status of last week's plan and the share met."""
    status = str(row.get("plan_status", "") or "")
    if status in ("", "no plan"):
        return "<td>–</td>"
    bg, fg = PLAN_STATUS_COLOURS.get(status, ("#ffffff", "#1f2328"))
    return (f'<td class="cell nw" style="background:{bg};color:{fg}">'
            f"{escape(PLAN_STATUS_WORDS.get(status, status))} "
            f"{_fmt(row.get('plan_share_pct'), '.0f', '%')}</td>")


def _squad_heat(balance_all: pd.DataFrame | None, order: list[str] | None) -> str:
    heading = "Balance: % of weekly target per area (last 4 weeks)"
    if not (_col(balance_all, "athlete") and _col(balance_all, "pct_of_target")):
        return f'<section><h2>{heading}</h2><p class="empty">{EMPTY_MESSAGE}.</p></section>'
    b = pd.DataFrame({"athlete": balance_all["athlete"].astype(str),
                      "area": balance_all["area"].astype(str),
                      "pct": _num(balance_all["pct_of_target"])})
    pivot = b.pivot_table(index="athlete", columns="area", values="pct", aggfunc="mean")
    athletes = [a for a in (order or []) if a in pivot.index] + \
        [a for a in dict.fromkeys(b["athlete"]) if a not in (order or [])]
    areas = [a for a in TRAINING_AREAS if a in pivot.columns]
    head = "".join(f'<th class="num"><i class="sw" style="background:{AREA_COLOURS[a]}"></i>'
                   f"{escape(area_label(a))}</th>" for a in areas)
    rows = []
    for ath in athletes:
        cells = []
        for a in areas:
            v = pivot.at[ath, a] if ath in pivot.index else np.nan
            bg, fg = balance_cell_colour(v)
            cells.append(f'<td class="cell" style="background:{bg};color:{fg}">'
                         f"{_fmt(v, '.0f', '%')}</td>")
        rows.append(f'<tr><td class="name">{escape(ath)}</td>{"".join(cells)}</tr>')
    return (f'<section><h2>{heading}</h2><table class="heat"><thead><tr><th>Athlete</th>{head}'
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table><p class=\"hint\">Orange: "
            "far under target; blue: on or over target.</p></section>")


# ---------------------------------------------------------------------------------------------
# Plans: planned vs done, compliance over weeks
# ---------------------------------------------------------------------------------------------

#: Cell colours (background, text) per compliance status (Okabe-Ito, as on the screens).
PLAN_STATUS_COLOURS: Final[dict[str, tuple[str, str]]] = {
    "done": ("#b3e2d3", "#0b3d2e"), "partly": ("#f5d9a0", "#4a3300"),
    "missed": ("#f0b9a3", "#5c1d00"), "unplanned": ("#c6e5f5", "#0b3954"),
    "open": ("#e5e7eb", "#1f2328"),
}
PLAN_STATUS_WORDS: Final[dict[str, str]] = {"done": "done", "partly": "partly",
                                            "missed": "missed", "unplanned": "unplanned",
                                            "open": "to come"}


def _status_cell(status: Any) -> str:
    st_ = str(status or "")
    bg, fg = PLAN_STATUS_COLOURS.get(st_, ("#ffffff", "#1f2328"))
    return (f'<td class="cell" style="background:{bg};color:{fg}">'
            f"{escape(PLAN_STATUS_WORDS.get(st_, st_))}</td>")


def plan_section_html(rows: pd.DataFrame | None, units: str = "km",
                      heading: str = "Plan: planned vs done") -> str:
    """Planned vs done of one athlete's week (a :func:`stridewise.plans.compliance` frame)."""
    if rows is None or len(rows) == 0:
        return ""
    body = []
    for r in rows.to_dict(orient="records"):
        if r["kind"] == "key_run":
            planned = (f"{_fmt(r['planned_km'], ',.1f')} {units}" if _isnum(r["planned_km"])
                       else "any distance")
            done = f"{_fmt(r['done_km'], ',.1f')} {units}" if r["done_sessions"] else "–"
        else:
            planned = (f"{_fmt(r['planned_sessions'], 'g')} × · "
                       f"{_fmt(r['planned_minutes'], ',.0f')} min")
            done = (f"{_fmt(r['done_sessions'], 'g')} × · "
                    f"{_fmt(r['done_minutes'], ',.0f')} min")
        body.append(f'<tr><td class="name">{escape(str(r["label"]))}</td>'
                    f'<td class="num">{planned}</td><td class="num">{done}</td>'
                    f"{_status_cell(r['status'])}"
                    f'<td>{escape(str(r.get("source") or ""))}</td></tr>')
    return (f"<section><h2>{escape(heading)}</h2><table><thead><tr><th>Item</th>"
            '<th class="num">Planned</th><th class="num">Done</th><th>Status</th>'
            f"<th>From</th></tr></thead><tbody>{''.join(body)}</tbody></table>"
            '<p class="hint">Done: within 20 % of the plan. Key runs are matched to runs on the '
            "planned day ±1 by distance.</p></section>")


def compliance_section_html(summary: pd.DataFrame | None,
                            heading: str = "Plan compliance per area") -> str:
    """Share of plan met per area per athlete and squad (a
    :func:`stridewise.plans.compliance_summary` frame), coloured like the statuses."""
    if summary is None or len(summary) == 0:
        return ""
    areas = [a for a in [*TRAINING_AREAS, "key runs", "all"] if a in set(summary["area"])]
    weeks = int(summary["weeks"].iloc[0])
    words = {"all": "All", "key runs": "Key runs"}
    head = "".join(f'<th class="num">{escape(words.get(a) or area_label(a))}</th>'
                   for a in areas)
    rows = []
    for (scope, name), g in summary.groupby(["scope", "name"], sort=False):
        share = dict(zip(g["area"], g["share"], strict=True))
        cells = []
        for a in areas:
            v = share.get(a)
            if v is None or not _isnum(v):
                cells.append('<td class="num">–</td>')
                continue
            status = "done" if v >= 0.8 else "partly" if v > 0 else "missed"
            bg, fg = PLAN_STATUS_COLOURS[status]
            cells.append(f'<td class="cell" style="background:{bg};color:{fg}">'
                         f"{_fmt(100 * float(v), '.0f', '%')}</td>")
        who = f"Squad {name}" if scope == "squad" else str(name)
        rows.append(f'<tr><td class="name">{escape(who)}</td>{"".join(cells)}</tr>')
    return (f"<section><h2>{escape(heading)}, last {weeks} weeks</h2><table class=\"heat\">"
            f"<thead><tr><th>Athlete or squad</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table><p class=\"hint\">Share of the plan met "
            "(each week counts up to 100 %); green from 80 %.</p></section>")


def report_file_name(name: str, when: date | None = None) -> str:
    """A safe file name for a downloaded report, e.g. ``stridewise-report-ann-2026-11-22.html``."""
    from stridewise.exports import export_file_name
    stamp = (when or date.today()).isoformat()
    return export_file_name("report", name, stamp, ext="html")
