"""One truth: the demo squad rendered through every view says the same level, the same named
ratio with the same value, the same triage order and the same unit.

Views: Home tiles, Athlete tiles and reasons, the Squad roster, the roster CSV, the athlete and
squad report HTML, and the CLI (`risk --store --latest`). The expected values are the library's
assessments (stridewise.assessment), which every view is meant to format without recomputing.
"""

from __future__ import annotations

import io
import math
import re
from datetime import date, timedelta
from html import escape
from pathlib import Path

import pandas as pd
import pytest
from apphelpers import no_exception, run_page

from stridewise import cli, pipeline
from stridewise.assessment import assess_all
from stridewise.review import review_week
from stridewise.ui import athlete_view as av
from stridewise.ui import fmt, summary
from stridewise.ui import squad_view as sv
from stridewise.ui.state import View

#: The athletes the issue measured (and one calm one) go through the page-by-page checks.
PAGE_ATHLETES = ("Chloe Martin", "Dev Patel", "Ben Carter", "Ana Silva")


def _unescape(md: str) -> str:
    return re.sub(r"\\(.)", r"\1", md)


def _same(a: float, b: float) -> bool:
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return b == pytest.approx(a, abs=5e-3)


def _truth(store, today: date):
    settings = pipeline.store_settings(store)
    analysis = pipeline.analyse_store(store, settings=settings, end=pd.Timestamp(today))
    names = list(store.athletes()["name"])
    found = assess_all(analysis, settings=settings, as_of=today, athletes=names)
    return settings, analysis, found


def _cli_latest(units: str | None = None) -> pd.DataFrame:
    out, err = io.StringIO(), io.StringIO()
    argv = ["risk", "--store", "--latest", "--as-of", date.today().isoformat()]
    if units:
        argv += ["--display-units", units]
    assert cli.main(argv, out=out, err=err) == 0, err.getvalue()
    assert "heuristic version 2.1" in err.getvalue()
    return pd.read_csv(io.StringIO(out.getvalue()), keep_default_na=False,
                       na_values=[""])


def _check_every_view(store, units: str) -> None:
    today = date.today()
    settings, analysis, truth = _truth(store, today)
    assert settings.units == units
    order = [a.athlete for a in truth]
    by = {a.athlete: a for a in truth}
    ratio_name = truth[0].ratio_name
    assert ratio_name == "Acute:chronic ratio (7:21)"  # the setting's default: uncoupled
    short = ratio_name.replace("Acute:chronic ratio", "Acute:chronic")
    levels = [a.level for a in truth]
    assert len(set(levels)) >= 2  # the demo squad is not all one colour
    other = "mi" if units == "km" else "km"

    # --- Squad page roster ------------------------------------------------------------------
    at = run_page("squad")
    no_exception(at)
    # the roster opens on the last full week: the assessments as of its last day
    week_end = review_week(today, settings.week_start) + timedelta(days=6)
    full = assess_all(analysis, settings=settings, as_of=week_end, athletes=order)
    default = at.dataframe[0].value
    assert list(default["Athlete"]) == [a.athlete for a in full]
    assert list(default["Top reason"]) == [a.top_reason for a in full]
    assert f"Running {units}, last full week" in default.columns
    # the "last 7 days" window is the same figures as every other view
    at.segmented_control(key="squad_window").set_value("last_7").run()
    no_exception(at)
    shown = at.dataframe[0].value
    assert list(shown["Athlete"]) == order
    assert list(shown["Risk"]) == [fmt.risk_label(a.level) for a in truth]
    assert short in shown.columns
    assert f"Running {units}, last 7 days" in shown.columns
    assert not [c for c in shown.columns if f" {other}" in c or f"({other})" in c]
    for _, row in shown.iterrows():
        a = by[row["Athlete"]]
        assert row["Top reason"] == a.top_reason
        assert _same(a.ratio.value if math.isfinite(a.ratio.value) else math.nan,
                     float(row[short]))
        assert _same(a.metrics["run_km_7d"].value, float(row[f"Running {units}, last 7 days"]))

    # --- roster CSV and the printable squad report (the Squad page's own builders) -------------
    roster = summary.roster(analysis, store.athletes(), today, settings)
    view = View(analysis, today, False, settings, ("one-truth",))
    items = {label: make for label, make, _, _ in sv.export_items(view, roster, order)}
    csv = pd.read_csv(io.BytesIO(items["Roster CSV"]()), keep_default_na=False, na_values=[""])
    assert list(csv["athlete"]) == order
    assert list(csv["risk_level"]) == levels
    assert set(csv["acwr_name"]) == {ratio_name}
    assert f"run_{units}_7d" in csv.columns and f"run_{other}_7d" not in csv.columns
    for _, row in csv.iterrows():
        a = by[row["athlete"]]
        assert _same(a.ratio.value, float(row["acwr"]))
        assert (row["top_reason"] if isinstance(row["top_reason"], str) else "") == a.top_reason
    weekly_csv = pd.read_csv(io.BytesIO(items["Weekly CSV"]()))
    assert f"distance_{units}" in weekly_csv.columns
    assert f"distance_{other}" not in weekly_csv.columns

    html = items["Printable squad report"]()
    table = html.split("Roster (triage order)")[1].split("</table>")[0]
    assert re.findall(r'<td class="name">([^<]+)</td>', table) == [escape(n) for n in order]
    badges = re.findall(r'<span class="badge"[^>]*>([^<]+)</span>', table)
    assert badges == [fmt.risk_label(x) for x in levels]
    assert f">{escape(short)}<" in table and f"Run {units}, 7 d" in table
    for a in truth:
        if math.isfinite(a.ratio.value):
            assert f">{a.ratio.value:.2f}<" in table
        if a.top_reason:
            assert escape(a.top_reason) in table
    assert "Heuristic version 2.1" in html

    # --- CLI ------------------------------------------------------------------------------
    out = _cli_latest()
    assert list(out["athlete"]) == order
    assert list(out["risk_level"]) == levels
    assert set(out["acwr_name"]) == {ratio_name}
    assert f"run_{units}_7d" in out.columns
    for _, row in out.iterrows():
        a = by[row["athlete"]]
        assert _same(a.ratio.value, float(row["acwr"]))
        assert (row["top_reason"] if isinstance(row["top_reason"], str) else "") == a.top_reason

    # --- Home and Athlete pages, and the athlete report --------------------------------------
    home = run_page("home")
    for name in PAGE_ATHLETES:
        a = by[name]
        home.selectbox(key="home_athlete").select(name).run()
        no_exception(home)
        metrics = {m.label: m.value for m in home.metric}
        assert metrics["Injury-risk signal"] == fmt.risk_label(a.level)
        assert metrics[short] == a.ratio.text
        assert metrics["Running, last 7 days"] == a.metrics["run_km_7d"].text
        assert a.metrics["run_km_7d"].text.endswith(f" {units}") or \
            a.metrics["run_km_7d"].text == "—"
        captions = [_unescape(c.value) for c in home.caption]
        if a.top_reason:
            assert a.top_reason in captions

        page = run_page("athlete", at=home)
        no_exception(page)
        assert page.title[0].value == fmt.md_escape(name)
        metrics = {m.label: m.value for m in page.metric}
        assert metrics["Injury-risk signal"] == fmt.risk_label(a.level)
        assert metrics[short] == a.ratio.text
        assert metrics["Running, last 7 days"] == a.metrics["run_km_7d"].text
        listed = [_unescape(m.value)[2:] for m in page.markdown if m.value.startswith("- ")]
        reasons = [r for r in listed if r in a.reason_texts]
        assert reasons == a.reason_texts
        panel = [d.value for d in page.dataframe if "Metric" in d.value.columns][0]
        assert panel.set_index("Metric").loc[ratio_name, "Now"] == a.ratio.text
        if units == "mi":
            assert not [r for r in a.reason_texts if " km" in r]

        start = av.data_span(analysis, name, today)[0]
        report = {label: make for label, make, _, _ in
                  av.export_items(analysis, name, start, today, settings)}["Printable report"]()
        assert f">{escape(fmt.risk_label(a.level))}<" in report
        assert f'<div class="value">{escape(a.ratio.text)}</div>' in report
        assert f">{escape(short)}<" in report
        assert f"Distances in {units}" in report
        assert re.search(r"Sessions, last 7 days</div><div class=\"value\">"
                         + str(a.sessions_7d) + "<", report)
        items_html = re.findall(r"<li>([^<]*)</li>", report)
        assert [i for i in items_html if i in {escape(t) for t in a.reason_texts}] == \
            [escape(t) for t in a.reason_texts[:6]]
        home = page
        home.switch_page("app.py")
        home.run()


def test_the_demo_squad_agrees_on_every_view(demo_db: Path, store) -> None:
    _check_every_view(store, "km")


def test_miles_everywhere(demo_db: Path, store) -> None:
    saved = store.settings() or {}
    store.save_settings({**saved, "units": "mi"})
    _check_every_view(store, "mi")
    out = _cli_latest()
    assert "run_mi_7d" in out.columns  # the saved unit, unless --display-units says otherwise
    assert "run_km_7d" in _cli_latest("km").columns
