"""Printable HTML reports: content, self-containment, print CSS and escaping of user text."""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from stridewise import reports
from stridewise import risk as risk_mod
from stridewise.schema import AREAS

EVIL = "<img src=x onerror=alert(1)>"
SAFE_TAGS = {"html", "head", "meta", "title", "style", "body", "div", "header", "h1", "h2",
             "p", "br", "section", "ul", "li", "span", "i", "b", "table", "thead", "tbody",
             "tr", "th", "td", "svg", "rect", "line", "text", "polyline", "circle", "footer"}
GENERATED = datetime(2026, 3, 2, 9, 0)


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)


def parse(html: str) -> TagCollector:
    p = TagCollector()
    p.feed(html)
    return p


def make_weekly(athlete: str = "Ann", weeks: int = 10) -> pd.DataFrame:
    rows = []
    for w, week in enumerate(pd.date_range("2026-01-05", periods=weeks, freq="7D")):
        for i, area in enumerate(AREAS):
            n = 0 if area == "other" else 1 + (w + i) % 3
            rows.append({"athlete": athlete, "week": week, "area": area, "sessions": n,
                         "minutes": n * 30.0,
                         "distance_km": n * 5.0 if area == "endurance" else 0.0,
                         "load": n * 150.0})
    return pd.DataFrame(rows)


def make_risk(days: int = 70, level: str = "high",
              reasons: str = "longest run 42 % above your longest in the last 30 days; "
                             "no stability work for 19 days") -> pd.DataFrame:
    dates = pd.date_range("2026-01-05", periods=days, freq="D")
    ratio = np.linspace(0.9, 1.4, days)
    ratio[:27] = np.nan
    ratio[30] = np.inf
    return pd.DataFrame({
        "date": dates, "load": 200.0, "acute_7d": 200.0, "chronic_28d": 180.0,
        "acwr_coupled": ratio, "chronic_21d": 170.0, "acwr_uncoupled": ratio,
        "ewma_acute": 210.0, "ewma_chronic": 190.0, "acwr_ewma": ratio, "monotony": 1.6,
        "strain": 2200.0, "ctl": 55.0, "atl": 70.0, "tsb": -15.0, "ramp": 2.0,
        "run_km_7d": 42.0, "run_km_change_pct": 35.0, "spike_pct": 42.0,
        "risk_level": ["not enough data"] * (days - 1) + [level],
        "reasons": [""] * (days - 1) + [reasons],
    })


def make_balance(athlete: str = "Ann", scale: float = 1.0) -> pd.DataFrame:
    targets = {"endurance": 3.0, "strength": 2.0, "plyometrics": 1.0, "stability": 2.0,
               "flexibility": 3.0, "other": np.nan}
    rows = []
    for i, area in enumerate(AREAS):
        spw = 0.0 if area == "other" else 0.5 * (i + 1) * scale
        t = targets[area]
        rows.append({"athlete": athlete, "area": area, "sessions": spw * 4,
                     "minutes": spw * 160, "share_pct": 10.0, "sessions_per_week": spw,
                     "target_per_week": t, "pct_of_target": spw / t * 100 if t == t else np.nan,
                     "days_since": float(i * 4)})
    return pd.DataFrame(rows)


def athlete_html(**kw) -> str:
    args = {"weekly": make_weekly(), "risk": make_risk(), "balance": make_balance(),
            "generated": GENERATED}
    args.update(kw)
    return reports.athlete_report_html(kw.pop("athlete", "Ann"), **args)


# --------------------------------------------------------------------------- athlete report


def test_athlete_report_is_self_contained_printable_html():
    html = athlete_html()
    assert html.startswith("<!DOCTYPE html>")
    assert "@media print" in html and "size:A4" in html
    assert "print-color-adjust:exact" in html
    tags = parse(html)
    assert set(tags.tags) <= SAFE_TAGS
    assert "script" not in tags.tags and "link" not in tags.tags and "img" not in tags.tags
    assert not [v for k, v in tags.attrs if k in ("src", "href")]
    assert "url(" not in html and "@import" not in html


def test_athlete_report_shows_kpis_risk_balance_and_weeks():
    html = athlete_html(weeks=8)
    assert "Ann" in html
    assert ">High<" in html
    assert "<li>longest run 42 % above your longest in the last 30 days</li>" in html
    assert "<li>no stability work for 19 days</li>" in html
    assert "42.0 km" in html                            # running km, last 7 days (assessment text)
    assert "+35 % vs your usual week" in html            # its change
    assert "Heuristic version 2.1" in html
    assert "Balance vs weekly targets" in html
    for label in ("Endurance", "Strength", "Plyometrics", "Stability", "Flexibility"):
        assert label in html
    # weekly table: newest first, exactly `weeks` rows
    body = html.split("Weekly volume, last 8 weeks")[1]
    weeks = re.findall(r'<td class="nw">(\d+ \w+ 2026)</td>', body)
    assert weeks[0] == "9 Mar 2026" and len(weeks) == 8
    assert "<svg" in html and "<polyline" in html     # weekly bars and the ACWR line
    assert "heuristic" in html and "not a diagnosis" in html


def test_athlete_report_escapes_all_user_text():
    html = reports.athlete_report_html(
        EVIL, weekly=make_weekly(EVIL), risk=make_risk(reasons=f"title {EVIL}; ok"),
        balance=make_balance(EVIL), note="<script>alert(2)</script>", generated=GENERATED)
    assert EVIL not in html
    assert "<script>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    tags = parse(html)
    assert "img" not in tags.tags and "script" not in tags.tags
    assert not [k for k, _ in tags.attrs if k.startswith("on")]


def test_athlete_report_title_is_escaped_too():
    html = athlete_html(title="Ann & <b>co</b>")
    assert "<title>Stridewise report – Ann &amp; &lt;b&gt;co&lt;/b&gt;</title>" in html
    assert "<h1>Ann &amp; &lt;b&gt;co&lt;/b&gt;</h1>" in html


def test_athlete_report_with_no_data_never_raises():
    html = reports.athlete_report_html("Ann", generated=GENERATED)
    assert "No sessions in this range" in html
    assert "Not enough data" in html
    empty = reports.athlete_report_html("Ann", weekly=make_weekly().iloc[0:0],
                                        risk=make_risk().iloc[0:0],
                                        balance=make_balance().iloc[0:0])
    assert "No sessions in this range" in empty


def test_athlete_report_filters_to_the_athlete_and_converts_miles():
    weekly = pd.concat([make_weekly("Ann"), make_weekly("Bob").assign(minutes=999.0)])
    html = athlete_html(weekly=weekly, units="mi")
    assert "999" not in html
    assert f"{42 / 1.609344:.1f} mi" in html
    assert "Distances in mi" in html


def test_athlete_report_does_not_mutate_inputs():
    weekly, risk, balance = make_weekly(), make_risk(), make_balance()
    copies = weekly.copy(), risk.copy(), balance.copy()
    reports.athlete_report_html("Ann", weekly=weekly, risk=risk, balance=balance)
    for frame, copy in zip((weekly, risk, balance), copies, strict=True):
        pd.testing.assert_frame_equal(frame, copy)


# --------------------------------------------------------------------------- squad report


def make_squad() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    risks = []
    for name, level, acwr in (("Cleo", "low", 1.0), ("Ann", "high", 1.6),
                              ("Bob", "moderate", 1.35), ("Dee", "not enough data", np.nan),
                              ("Eve", "high", 1.9)):
        r = make_risk(level=level, reasons=f"reason of {name}; second")
        r["athlete"] = name
        r["acwr_uncoupled"] = acwr  # the default ratio
        r["coverage_days_pct"] = 75.0
        risks.append(r)
    risk_all = pd.concat(risks, ignore_index=True)
    balance_all = pd.concat([make_balance(n, 0.5 + i * 0.3)
                             for i, n in enumerate(["Ann", "Bob", "Cleo", "Dee", "Eve"])])
    weekly_all = pd.concat([make_weekly(n) for n in ["Ann", "Bob", "Cleo", "Dee", "Eve"]])
    return risk_all, balance_all, weekly_all


def test_squad_roster_triage_order_and_columns():
    risk_all, balance_all, _ = make_squad()
    roster = reports.squad_roster(risk_all, balance_all)
    assert roster["athlete"].tolist() == ["Eve", "Ann", "Bob", "Cleo", "Dee"]
    assert roster["top_reason"].tolist()[0] == "reason of Eve"
    # days since comes from the balance table when the risk table lacks it
    assert roster.loc[0, "days_since_strength"] == 4.0
    assert roster.loc[0, "date"] == pd.Timestamp("2026-03-15")
    assert roster["rank"].tolist() == [1, 2, 3, 4, 5]
    assert roster.loc[0, "acwr_name"] == "Acute:chronic ratio (7:21)"
    assert roster.loc[0, "heuristic_version"] == risk_mod.HEURISTIC_VERSION
    empty = reports.squad_roster(None)
    assert len(empty) == 0 and "risk_level" in empty.columns


def test_squad_report_content_and_escaping():
    risk_all, balance_all, weekly_all = make_squad()
    risk_all = risk_all.replace({"athlete": {"Eve": EVIL}})
    balance_all = balance_all.replace({"athlete": {"Eve": EVIL}})
    html = reports.squad_report_html(f"Club {EVIL}", risk_all=risk_all,
                                     balance_all=balance_all, weekly_all=weekly_all,
                                     generated=GENERATED)
    assert EVIL not in html
    tags = parse(html)
    assert set(tags.tags) <= SAFE_TAGS
    assert "5 athletes: 2 high · 1 moderate · 1 low · 1 not enough data" in html
    roster = html.split("Roster (triage order)")[1].split("</table>")[0]
    order = re.findall(r'<td class="name">([^<]+)</td>', roster)
    assert order == ["&lt;img src=x onerror=alert(1)&gt;", "Ann", "Bob", "Cleo", "Dee"]
    heat = html.split("Balance: % of weekly target")[1].split("</table>")[0]
    assert "background:#" in heat and "%" in heat
    assert "Squad weekly volume" in html


def test_squad_report_empty_is_friendly():
    html = reports.squad_report_html("Club", generated=GENERATED)
    assert html.count("No sessions in this range") >= 2
    assert "0 athletes" in html


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(("pct", "bg"), [(0, "#d55e00"), (150, "#0072b2"), (400, "#0072b2")])
def test_balance_cell_colour_ends(pct, bg):
    assert reports.balance_cell_colour(pct)[0] == bg


def test_balance_cell_colour_missing_is_grey_and_text_contrasts():
    assert reports.balance_cell_colour(np.nan)[0] == "#f3f4f6"
    assert reports.balance_cell_colour(0)[1] == "#ffffff"       # dark background, white text
    assert reports.balance_cell_colour(95)[1] == "#111111"      # pale background, dark text


def test_svg_helpers():
    table = pd.DataFrame({"endurance": [0.0, 0.0]}, index=pd.to_datetime(["2026-01-05",
                                                                          "2026-01-12"]))
    assert reports.weekly_bars_svg(table) == ""
    dates = pd.date_range("2026-01-01", periods=6)
    svg = reports.acwr_svg(dates, [1.0, 1.1, np.inf, 1.2, 1.3, np.nan])
    assert svg.count("<polyline") == 2
    assert reports.acwr_svg(dates, [np.nan] * 6) == ""


def test_weekly_bars_svg_marks_the_partial_week_pale_and_so_far():
    weeks = pd.to_datetime(["2026-01-05", "2026-01-12", "2026-01-19"])
    table = pd.DataFrame({"endurance": [100.0, 120.0, 20.0], "strength": [30.0, 0.0, 10.0]},
                         index=weeks)
    svg = reports.weekly_bars_svg(table, partial=[False, False, True])
    rects = re.findall(r"<rect [^>]*>", svg)
    pale = [r for r in rects if 'opacity="0.4"' in r]
    assert len(rects) == 5 and len(pale) == 2      # both bars of the last week, none other
    assert "19 Jan so far</text>" in svg and "12 Jan so far" not in svg
    assert svg.count("(so far: not over yet)") == 2
    plain = reports.weekly_bars_svg(table)
    assert "opacity" not in plain and "so far" not in plain
    with pytest.raises(ValueError):
        reports.weekly_bars_svg(table, partial=[True])


@pytest.mark.parametrize("as_of, partial_label", [
    ("2026-03-11", "9 Mar"),     # Wednesday: the week of 9 Mar is not over
    ("2026-03-15", None),        # Sunday: every week shown is complete
])
def test_reports_mark_the_current_week_in_table_and_chart_alike(as_of, partial_label):
    risk = make_risk(days=70)
    risk = risk[risk["date"] <= pd.Timestamp(as_of)]
    athlete = athlete_html(weeks=8, risk=risk)
    risk_all, balance_all, weekly_all = make_squad()
    risk_all = risk_all[risk_all["date"] <= pd.Timestamp(as_of)]
    squad = reports.squad_report_html("Club", risk_all=risk_all, balance_all=balance_all,
                                      weekly_all=weekly_all, generated=GENERATED)
    for html in (athlete, squad):
        chart = re.search(r"<svg[^>]*Weekly min by training area.*?</svg>", html).group(0)
        table_so_far = re.findall(r'<td class="nw">([^<]+) \(so far\)</td>', html)
        chart_so_far = re.findall(r">([^<]+) so far</text>", chart)
        if partial_label is None:
            assert table_so_far == [] and chart_so_far == [] and "opacity" not in chart
        else:
            assert table_so_far == [partial_label + " 2026"]
            assert chart_so_far == [partial_label]
            assert 'opacity="0.4"' in chart


def test_report_file_name():
    assert reports.report_file_name("Ann <Lee>", datetime(2026, 3, 2).date()) == \
        "stridewise-report-ann-lee-2026-03-02.html"


def test_reports_accept_concatenated_frames_with_repeated_index_labels():
    risk = pd.concat([make_risk().assign(athlete="Ann"),
                      make_risk(level="low", reasons="").assign(athlete="Bob")])
    balance = pd.concat([make_balance("Ann"), make_balance("Bob")])
    html = athlete_html(risk=risk, balance=balance)
    assert ">High<" in html                         # Ann's latest day, not Bob's
    squad = reports.squad_report_html("Club", risk_all=risk, balance_all=balance)
    assert "2 athletes: 1 high · 1 low" in squad


def test_settings_choose_units_and_the_ratio_that_drives_the_level():
    from stridewise.settings import RiskSettings, Settings

    risk = make_risk()
    risk["acwr_ewma"] = 0.55
    settings = Settings(units="mi", risk=RiskSettings(acwr_metric="ewma", acwr_low=0.7,
                                                      acwr_high=1.2, acwr_very_high=1.4))
    html = athlete_html(risk=risk, settings=settings)
    assert "Acute:chronic (EWMA 7/28)" in html and ">0.55<" in html
    assert "below usual · usual 0.7–1.2" in html
    assert "Distances in mi" in html
    assert "Distances in km" in athlete_html(risk=risk, settings=settings, units="km")
    roster = reports.squad_roster(risk.assign(athlete="Ann"), acwr_variant="ewma")
    assert roster.loc[0, "acwr"] == 0.55
    assert roster.loc[0, "acwr_name"] == "Acute:chronic ratio (EWMA 7/28)"
    from stridewise.errors import UsageError
    with pytest.raises(UsageError):
        athlete_html(units="furlongs")


def test_squad_report_shows_spike_band():
    risk = make_risk().assign(athlete="Ann", spike_band="moderate")
    html = reports.squad_report_html("Club", risk_all=risk)
    assert "moderate (+42\u202f%)" in html


def test_squad_report_no_spike_band_shows_a_dash():
    risk = make_risk().assign(athlete="Ann", spike_band="none", spike_pct=-40.0)
    html = reports.squad_report_html("Club", risk_all=risk)
    assert "none (" not in html and "−40" not in html
