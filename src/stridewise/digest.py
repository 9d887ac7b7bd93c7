"""The weekly squad digest: one page per squad for the coach's Monday.

Per squad (the athletes' group; athletes without one form "No group"): the flagged athletes
(moderate or high risk) with their top reason and a suggested next action, compliance with the
plan per area, the chase list, and the notes the digest's reader may see (filtered by
:func:`stridewise.notes.visible_notes`, the one place that decides). Three renderings of one
:class:`Digest`: printable HTML (:func:`digest_html`, like :mod:`stridewise.reports`), a PDF file
(:func:`digest_pdf`, drawn with fpdf2) and plain text for an e-mail body (:func:`digest_text`).

Nothing here recomputes a number: levels and reasons come from the assessments, compliance
from the plans' summary, the chase list from :func:`stridewise.review.chase_list`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any, Final

import pandas as pd

from stridewise.assessment import HEURISTIC_VERSION, Assessment, triage_sort
from stridewise.notes import VISIBILITY_LABELS, current_notes, visible_notes
from stridewise.review import next_action
from stridewise.schema import TRAINING_AREAS

__all__ = ["Digest", "SquadDigest", "Flagged", "build_digest", "digest_html", "digest_pdf",
           "digest_text", "NO_GROUP", "digest_file_name"]

NO_GROUP: Final[str] = "No group"
#: Unicode fonts tried for the PDF (Debian's fonts-dejavu-core); override with
#: STRIDEWISE_PDF_FONT=/path/Regular.ttf (a Bold face beside it is used when found).
_FONT_PATHS: Final[tuple[str, ...]] = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
)
_DISCLAIMER: Final[str] = ("The risk level is a heuristic built from training-load patterns, "
                           "not a diagnosis.")


@dataclass(frozen=True)
class Flagged:
    athlete: str
    level: str
    reason: str
    action: str


@dataclass(frozen=True)
class SquadDigest:
    """One squad's page. ``compliance``: area -> share of plan met (0..1) over ``weeks``.
    ``chase``: rows of the chase list. ``notes``: current notes the reader may see."""

    squad: str
    athletes: tuple[str, ...]
    flagged: tuple[Flagged, ...]
    compliance: Mapping[str, float]
    compliance_weeks: int
    chase: pd.DataFrame
    notes: pd.DataFrame


@dataclass(frozen=True)
class Digest:
    week_start: date
    as_of: date
    generated: datetime
    squads: tuple[SquadDigest, ...]
    reader: str

    @property
    def week_label(self) -> str:
        end = self.week_start + timedelta(days=6)
        return f"{self.week_start:%d %b} – {end:%d %b %Y}"


def build_digest(assessments: Sequence[Assessment], groups: Mapping[str, str], *,
                 week_start: date, as_of: date, chase: pd.DataFrame,
                 notes: pd.DataFrame, reader_role: str, reader_id: str,
                 compliance: pd.DataFrame | None = None, compliance_weeks: int = 4,
                 generated: datetime | None = None,
                 squads: Sequence[str] | None = None) -> Digest:
    """The digest of the squads (``groups``: athlete -> group; ``squads`` picks some).

    ``compliance``: the plans' compliance summary (columns ``scope, name, area, share``;
    squad rows are used). ``notes``: every version of the notes (``Store.notes``): the reader's
    view of them is the current visible version, about the week under review (week notes of
    that week, session notes written since it began).
    """
    names = sorted({a.athlete for a in assessments}, key=str.casefold)
    by_group: dict[str, list[str]] = {}
    for n in names:
        by_group.setdefault(groups.get(n) or NO_GROUP, []).append(n)
    order = sorted(by_group, key=lambda g: (g == NO_GROUP, g.casefold()))
    if squads is not None:
        order = [g for g in order if g in set(squads)]
    seen = visible_notes(notes, reader_role, reader_id)
    cur = current_notes(seen)
    if len(cur):
        wk = cur["week"].astype(str).str.slice(0, 10) == week_start.isoformat()
        ses = cur["session_id"].notna() & (pd.to_datetime(cur["created_at"])
                                           >= pd.Timestamp(week_start))
        cur = cur.loc[wk | ses]
    out = []
    for g in order:
        members = by_group[g]
        mine = triage_sort([a for a in assessments if a.athlete in set(members)])
        flagged = tuple(Flagged(a.athlete, a.level, a.top_reason, next_action(a))
                        for a in mine if a.level in ("high", "moderate"))
        comp: dict[str, float] = {}
        if compliance is not None and len(compliance):
            rows = compliance.loc[(compliance["scope"] == "squad") & (compliance["name"] == g)]
            comp = {str(r["area"]): float(r["share"]) for r in rows.to_dict(orient="records")}
        ch = chase.loc[chase["athlete"].isin(members)] if len(chase) else chase
        nt = cur.loc[cur["athlete"].isin(members)] if len(cur) else cur
        out.append(SquadDigest(g, tuple(members), flagged, comp, compliance_weeks,
                               ch.reset_index(drop=True), nt.reset_index(drop=True)))
    return Digest(week_start, as_of, generated or datetime.now(), tuple(out), reader_role)


def digest_file_name(d: Digest, ext: str) -> str:
    return f"stridewise_digest_{d.week_start:%Y%m%d}.{ext}"


def _n_athletes(n: int) -> str:
    return f"{n} athlete" if n == 1 else f"{n} athletes"


def _share(x: float) -> str:
    return "–" if x is None or not math.isfinite(x) else f"{100.0 * x:.0f} %"


def _comp_items(s: SquadDigest) -> list[tuple[str, str]]:
    keys = [a for a in (*TRAINING_AREAS, "key runs", "all") if a in s.compliance]
    return [("All planned items" if k == "all" else k.capitalize(), _share(s.compliance[k]))
            for k in keys]


def _note_head(r: Mapping[str, Any]) -> str:
    when = pd.Timestamp(r["created_at"])
    what = "session note" if r.get("session_id") else "week note"
    edited = f", version {int(r['version'])}" if int(r.get("version") or 1) > 1 else ""
    return (f"{r['athlete']} · {what} · {VISIBILITY_LABELS.get(str(r['visibility']), '')} · "
            f"{r['author']}, {when:%d %b %H:%M}{edited}")


# ------------------------------------------------------------------------------ text

def digest_text(d: Digest) -> str:
    """The digest as plain text (the e-mail body)."""
    lines = [f"Stridewise weekly squad digest, week of {d.week_label}", ""]
    for s in d.squads:
        lines += [f"== {s.squad} ({_n_athletes(len(s.athletes))}) ==", "Flagged athletes:"]
        lines += [f"- {f.athlete} ({f.level}): {f.reason}\n  Next: {f.action}"
                  for f in s.flagged] or ["- none"]
        items = _comp_items(s)
        lines.append(f"Compliance with the plan, last {s.compliance_weeks} weeks:")
        lines += [f"- {k}: {v}" for k, v in items] or ["- no plan for this squad"]
        lines.append("Chase list:")
        lines += [f"- {r['athlete']}: {r['chase']}" for r in s.chase.to_dict(orient="records")] \
            or ["- nobody"]
        if len(s.notes):
            lines.append("Notes:")
            lines += [f"- {_note_head(r)}: {r['text']}" for r in s.notes.to_dict(orient="records")]
        lines.append("")
    lines.append(f"{_DISCLAIMER} Heuristic version {HEURISTIC_VERSION}.")
    return "\n".join(lines)


# ------------------------------------------------------------------------------ HTML

_CSS: Final[str] = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;margin:0}
.squad{max-width:800px;margin:0 auto;padding:24px;break-after:page;page-break-after:always}
.squad:last-child{break-after:auto;page-break-after:auto}
h1{font-size:22px;margin:0 0 2px}h2{font-size:15px;margin:18px 0 6px;border-bottom:1px solid #ccd}
.meta{color:#52606d;font-size:12px}table{border-collapse:collapse;width:100%;font-size:12px}
td,th{border-bottom:1px solid #e4e7eb;padding:4px 6px;text-align:left;vertical-align:top}
.lvl-high{color:#b3261e;font-weight:600}.lvl-moderate{color:#8a5a00;font-weight:600}
.empty{color:#52606d;font-style:italic;font-size:12px}footer{color:#52606d;font-size:11px;
margin-top:16px}@page{size:A4;margin:12mm}
@media print{.squad{padding:0}}
"""


def digest_html(d: Digest) -> str:
    """The digest as one self-contained HTML document, one printed page per squad."""
    pages = []
    for s in d.squads:
        flagged = "".join(
            f"<tr><td>{escape(f.athlete)}</td><td class=\"lvl-{escape(f.level)}\">"
            f"{escape(f.level)}</td><td>{escape(f.reason)}</td><td>{escape(f.action)}</td></tr>"
            for f in s.flagged)
        flagged_html = (f"<table><tr><th>Athlete</th><th>Risk</th><th>Top reason</th>"
                        f"<th>Suggested next action</th></tr>{flagged}</table>" if flagged
                        else '<p class="empty">Nobody is flagged.</p>')
        items = _comp_items(s)
        comp_html = ("<table><tr>" + "".join(f"<th>{escape(k)}</th>" for k, _ in items)
                     + "</tr><tr>" + "".join(f"<td>{escape(v)}</td>" for _, v in items)
                     + "</tr></table>") if items else '<p class="empty">No plan for this squad.</p>'
        chase = "".join(f"<tr><td>{escape(str(r['athlete']))}</td><td>{escape(str(r['chase']))}"
                        "</td></tr>" for r in s.chase.to_dict(orient="records"))
        chase_html = (f"<table><tr><th>Athlete</th><th>Why</th></tr>{chase}</table>" if chase
                      else '<p class="empty">Nobody to chase.</p>')
        notes = "".join(f"<tr><td>{escape(_note_head(r))}</td><td>{escape(str(r['text']))}</td>"
                        "</tr>" for r in s.notes.to_dict(orient="records"))
        notes_html = (f"<table><tr><th>Note</th><th>Text</th></tr>{notes}</table>" if notes
                      else '<p class="empty">No notes this week.</p>')
        pages.append(
            f'<section class="squad"><div class="meta">Stridewise · weekly squad digest</div>'
            f"<h1>{escape(s.squad)}</h1><div class=\"meta\">Week of {escape(d.week_label)} · "
            f"{_n_athletes(len(s.athletes))} · figures as of {d.as_of:%d %b %Y}</div>"
            f"<h2>Flagged athletes</h2>{flagged_html}"
            f"<h2>Compliance with the plan (last {s.compliance_weeks} weeks)</h2>{comp_html}"
            f"<h2>Chase list</h2>{chase_html}<h2>Notes</h2>{notes_html}"
            f"<footer>{escape(_DISCLAIMER)} Heuristic version {escape(HEURISTIC_VERSION)}. "
            f"Generated {d.generated:%d %b %Y %H:%M}.</footer></section>")
    body = "".join(pages) or '<section class="squad"><p class="empty">No athletes.</p></section>'
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Squad digest, week of {escape(d.week_label)}</title>"
            f"<style>{_CSS}</style></head><body>{body}</body></html>\n")


# ------------------------------------------------------------------------------ PDF

def _font_path() -> Path | None:
    env = os.environ.get("STRIDEWISE_PDF_FONT")
    for p in ((env,) if env else ()) + _FONT_PATHS:
        if p and Path(p).is_file():
            return Path(p)
    return None


def digest_pdf(d: Digest) -> bytes:
    """The digest as a PDF file (A4, one page per squad; a long squad continues on the next).

    Uses a Unicode TrueType font (DejaVu Sans) when one is installed; without it the PDF uses
    Helvetica and characters outside Latin-1 print as "?"."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.set_title(f"Squad digest, week of {d.week_label}")
    pdf.set_creator("Stridewise")
    font = _font_path()
    if font is not None:
        pdf.add_font("body", "", str(font))
        bold = font.with_name(font.stem + "-Bold" + font.suffix)
        pdf.add_font("body", "B", str(bold if bold.is_file() else font))
        family = "body"

        def clean(t: str) -> str:
            return t
    else:
        family = "helvetica"

        def clean(t: str) -> str:
            return t.replace("–", "-").replace("·", "-").encode("latin-1", "replace") \
                .decode("latin-1")

    width = pdf.epw

    def text(t: str, size: float = 9.5, style: str = "", h: float = 4.6) -> None:
        pdf.set_font(family, style, size)
        pdf.multi_cell(width, h, clean(t), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(t: str) -> None:
        pdf.ln(2)
        text(t, 11.5, "B", 6)

    def table(headers: Sequence[str], rows: Sequence[Sequence[str]],
              widths: Sequence[float]) -> None:
        pdf.set_font(family, "", 8.5)
        with pdf.table(col_widths=tuple(widths), text_align="LEFT", line_height=4.2,
                       first_row_as_headings=True) as t:
            r = t.row()
            for h in headers:
                r.cell(clean(h))
            for row in rows:
                r = t.row()
                for c in row:
                    r.cell(clean(c))

    squads = d.squads or (SquadDigest(NO_GROUP, (), (), {}, 4, pd.DataFrame(
        columns=["athlete", "chase"]), pd.DataFrame()),)
    for s in squads:
        pdf.add_page()
        text("Stridewise · weekly squad digest", 8.5)
        text(s.squad, 17, "B", 8)
        text(f"Week of {d.week_label} · {_n_athletes(len(s.athletes))} · figures as of "
             f"{d.as_of:%d %b %Y}", 8.5)
        heading("Flagged athletes")
        if s.flagged:
            table(["Athlete", "Risk", "Top reason", "Suggested next action"],
                  [(f.athlete, f.level, f.reason, f.action) for f in s.flagged], (2, 1.2, 4, 4))
        else:
            text("Nobody is flagged.")
        heading(f"Compliance with the plan (last {s.compliance_weeks} weeks)")
        items = _comp_items(s)
        if items:
            table([k for k, _ in items], [[v for _, v in items]], [1] * len(items))
        else:
            text("No plan for this squad.")
        heading("Chase list")
        if len(s.chase):
            table(["Athlete", "Why"], [(str(r["athlete"]), str(r["chase"]))
                                       for r in s.chase.to_dict(orient="records")], (1, 3))
        else:
            text("Nobody to chase.")
        heading("Notes")
        if len(s.notes):
            table(["Note", "Text"], [(_note_head(r), str(r["text"]))
                                     for r in s.notes.to_dict(orient="records")], (2, 3))
        else:
            text("No notes this week.")
        pdf.ln(3)
        text(f"{_DISCLAIMER} Heuristic version {HEURISTIC_VERSION}. "
             f"Generated {d.generated:%d %b %Y %H:%M}.", 7.5)
    return bytes(pdf.output())


# ------------------------------------------------------------------------------ from a store

def squad_digest(store: Any, analysis: Any, *, as_of: date, settings: Any, reader_role: str,
                 reader_id: str, compliance: pd.DataFrame | None = None,
                 compliance_weeks: int = 4, squads: Sequence[str] | None = None,
                 generated: datetime | None = None) -> Digest:
    """The digest of the stored squad: ``analysis`` is the squad snapshot's analysis (recent
    daily rows and sessions), ``as_of`` its day. The week under review is the last full week."""
    from stridewise import review
    from stridewise.assessment import assess_all

    athletes = store.athletes()
    names = list(athletes["name"])
    groups = dict(zip(athletes["name"], athletes["group"].fillna(""), strict=False))
    found = assess_all(analysis, settings=settings, as_of=as_of, athletes=names)
    week = review.review_week(as_of, getattr(settings, "week_start", "monday"))
    rs = review.ReviewSettings.from_settings(store.settings())
    chase = review.chase_list(names, as_of=as_of, week_start=week,
                              last_start=store.last_session_starts(names),
                              recent_sessions=analysis.sessions,
                              last_checkin=review.last_checkins(store.wellness(names)),
                              settings=rs)
    return build_digest(found, groups, week_start=week, as_of=as_of, chase=chase,
                        notes=store.notes(names), reader_role=reader_role,
                        reader_id=reader_id, compliance=compliance,
                        compliance_weeks=compliance_weeks, generated=generated, squads=squads)


def digest_messages(config: Any, d: Digest) -> tuple[list[Any], list[str]]:
    """One e-mail per squad that has recipients (its page as text and as a PDF attachment);
    returns (messages, squads without recipients)."""
    from dataclasses import replace

    from stridewise.mailer import build_message

    out, skipped = [], []
    for s in d.squads:
        to = config.recipients_for(s.squad)
        if not to:
            skipped.append(s.squad)
            continue
        one = replace(d, squads=(s,))
        out.append(build_message(
            config, to, f"Stridewise digest: {s.squad}, week of {d.week_label}",
            digest_text(one),
            [(digest_file_name(one, "pdf").replace(".pdf", f"_{_slug(s.squad)}.pdf"),
              digest_pdf(one), "application/pdf")]))
    return out, skipped


def _slug(name: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower() or "squad"
