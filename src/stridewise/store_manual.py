"""The store's part of the runner's log: sessions logged by hand, their merge with a recording
that arrives later (and the split that undoes it), saved routines, and RPE filled in for many
sessions at once.

A session logged by hand is a source row of the source ``manual`` (no import brings it), merged
into ``sessions`` like any source row; the athlete's chosen training area and notes are kept as
the session's overrides (the same edits the Athlete page makes), so they survive every import
and rebuild. Mixed into :class:`stridewise.store.Store`; every method that reads or writes one
athlete's data takes the athlete's name first.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from stridewise import derived
from stridewise.errors import UsageError
from stridewise.exercises import Routine
from stridewise.manual import (
    MANUAL_SOURCE,
    check_entry,
    clean_sets,
    match_manual,
    now_local,
)
from stridewise.schema import AREAS, make_session_id, normalise, sets_to_json
from stridewise.store_schema import T

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.store import Store

_UNSET: Any = ...


@dataclass(frozen=True)
class ManualResult:
    """What logging a session by hand did: the stored session's id and, when the entry was
    joined with a recording of the same training already stored, that session's sources."""

    session_id: str
    merged_with: str = ""

    def summary(self) -> str:
        if self.merged_with:
            return (f"Saved, and merged with the recording already stored ({self.merged_with}); "
                    "your RPE, notes and sets are kept.")
        return "Saved."


def _helpers() -> Any:
    from stridewise import store as st  # the store module imports this one

    return st


class ManualLogMixin:
    """Methods of :class:`~stridewise.store.Store` for the runner's log."""

    # ------------------------------------------------------------------ matching

    def _match_manual_rows(self: Store, conn: Connection, athlete: str,
                           rows: pd.DataFrame) -> pd.Series:
        """For recorded rows of an import not matched otherwise: the session logged by hand
        (and not yet merged with a recording) they are the same training as, or NA."""
        if rows.empty:
            return pd.Series(pd.NA, index=rows.index, dtype=object)
        return match_manual(rows, self._day_candidates(conn, athlete, rows["start"],
                                                       manual_only=True))

    @staticmethod
    def _day_candidates(conn: Connection, athlete: str, starts: pd.Series, *,
                        manual_only: bool) -> pd.DataFrame:
        """Stored sessions of ``athlete`` on the days of ``starts``: those only logged by hand
        (``manual_only``), or those holding no entry logged by hand."""
        st = _helpers()
        s = T["sessions"]
        days = pd.to_datetime(starts).dt.normalize()
        lo = days.min().to_pydatetime()
        hi = (days.max() + pd.Timedelta(days=1)).to_pydatetime()
        q = (sa.select(s.c.session_id, sa.type_coerce(s.c.start, sa.Text).label("start"),
                       s.c.sport, s.c.duration_s, s.c.sources)
             .where(s.c.athlete == athlete, s.c.start >= lo, s.c.start < hi))
        if manual_only:  # few rows even for a bulk import spanning years
            q = q.where(s.c.sources == MANUAL_SOURCE)
        cand = st._frame(conn.execute(q))
        if cand.empty:
            return cand
        cand["start"] = st._to_datetime(cand["start"])
        srcs = cand["sources"].astype(str).str.split(", ")
        has_manual = srcs.map(lambda xs: MANUAL_SOURCE in xs)
        keep = (srcs.map(lambda xs: xs == [MANUAL_SOURCE]) if manual_only else ~has_manual)
        cand = cand.loc[keep & cand["start"].dt.normalize().isin(set(days))]
        return cand.reset_index(drop=True)

    # ------------------------------------------------------------------ sessions by hand

    def add_manual_session(self: Store, athlete: str, *, duration_s: float,
                           sport: str = "strength", area: str | None = None,
                           start: datetime | None = None, rpe: float | None = None,
                           title: str = "", notes: str = "",
                           sets: Iterable[Mapping[str, Any]] | None = None) -> ManualResult:
        """Log a session by hand for ``athlete``.

        ``start``: the athlete-local wall-clock start (default: now in the athlete's zone).
        ``area``: the training area the athlete chose (kept as their edit of the session; None
        lets the classification decide). ``rpe``: CR-10 (0-10). ``sets``: set records
        (exercise, reps, weight_kg, seconds, side). When a recording of the same training is
        already stored (same day, compatible sport, similar duration) the entry joins it.
        Refused with one sentence when a value cannot be a session.
        """
        name = self._clean_name(athlete)
        entry = {"duration_s": duration_s, "sport": sport, "area": area, "start": start,
                 "rpe": rpe, "title": title, "notes": notes, "sets": clean_sets(sets)}

        def tx(conn: Connection) -> ManualResult:
            (result,) = self._add_manual(conn, name, [entry])
            derived.touch(conn, [name])
            return result

        return self._write(tx)

    def add_manual_sessions(self: Store, athlete: str,
                            entries: Sequence[Mapping[str, Any]]) -> list[ManualResult]:
        """:meth:`add_manual_session` for several entries (dicts of its keyword arguments) in
        one write: all are stored or none."""
        name = self._clean_name(athlete)
        clean = [{**e, "sets": clean_sets(e.get("sets"))} for e in entries]

        def tx(conn: Connection) -> list[ManualResult]:
            out = self._add_manual(conn, name, clean)
            derived.touch(conn, [name])
            return out

        return list(self._write(tx)) if clean else []

    def _add_manual(self: Store, conn: Connection, name: str,
                    entries: Sequence[Mapping[str, Any]]) -> list[ManualResult]:
        """Store entries logged by hand (inside the caller's write): each joins a recording of
        the same training already stored, at most one entry per recording, or stands alone."""
        st = _helpers()
        self._ensure_athlete(conn, name, False)
        a = T["athletes"]
        tz = conn.execute(sa.select(a.c.tz).where(a.c.name == name)).scalar()
        taken: set[str] = set()
        recs, targets, edits = [], [], []
        for entry in entries:
            when = entry.get("start") or now_local(tz)
            sport, area = entry.get("sport", "strength"), entry.get("area")
            title, notes = str(entry.get("title") or ""), str(entry.get("notes") or "")
            duration_s, rpe = entry["duration_s"], entry.get("rpe")
            check_entry(start=when, sport=sport, area=area, duration_s=duration_s, rpe=rpe,
                        title=title, notes=notes)
            sid = make_session_id(name, MANUAL_SOURCE, uuid.uuid4().hex)
            row = self._manual_row(name, sid, when, sport, title, duration_s, rpe,
                                   entry.get("sets") or [])
            cand = self._day_candidates(conn, name, row["start"], manual_only=False)
            cand = cand.loc[~cand["session_id"].isin(taken)] if len(cand) else cand
            hit = match_manual(row, cand).iat[0]
            target = sid if pd.isna(hit) else str(hit)
            taken.add(target)
            recs.append(row.rename(columns={"session_id": "source_session_id"}).assign(
                session_id=target, first_import_id=0, tz=None))
            targets.append((sid, target))
            edits.append((target, area or None, notes.strip() or None))
        conn.execute(sa.insert(T["source_sessions"]), st._records(pd.concat(recs)))
        self._rebuild(conn, sorted(taken))
        for target, area, notes in edits:
            self._write_overrides(conn, target, area=area, notes=notes)
        s = T["sessions"]
        out = []
        for sid, target in targets:
            merged = "" if target == sid else str(conn.execute(
                sa.select(s.c.sources).where(s.c.session_id == target)).scalar() or "")
            out.append(ManualResult(target, merged))
        return out

    @staticmethod
    def _manual_row(name: str, sid: str, when: datetime, sport: str, title: str,
                    duration_s: float, rpe: float | None,
                    sets: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
        return normalise(pd.DataFrame([{
            "athlete": name, "session_id": sid, "start": pd.Timestamp(when).floor("s"),
            "sport": sport, "title": title.strip(), "area": "",
            "duration_s": float(duration_s), "moving_s": float(duration_s),
            "rpe": float("nan") if rpe is None else float(rpe), "sets": sets_to_json(sets),
            "source": MANUAL_SOURCE, "source_file": "", "source_id": sid}]))

    @staticmethod
    def _write_overrides(conn: Connection, session_id: str, **vals: Any) -> None:
        """Set override fields (area, rpe, notes) of one session; other fields keep theirs."""
        st = _helpers()
        ov = T["overrides"]
        cur = conn.execute(sa.select(ov.c.area, ov.c.rpe, ov.c.notes)
                           .where(ov.c.session_id == session_id)).mappings().first()
        row = {"area": None, "rpe": None, "notes": None, **(dict(cur) if cur else {})}
        row.update({k: v for k, v in vals.items() if v is not _UNSET})
        conn.execute(sa.delete(ov).where(ov.c.session_id == session_id))
        if any(v is not None for v in row.values()):
            conn.execute(sa.insert(ov).values(session_id=session_id, updated_at=st._now(),
                                              **row))

    def _manual_source(self: Store, conn: Connection, athlete: str,
                       session_id: str) -> dict[str, Any]:
        """The entry logged by hand in the stored session ``session_id`` of ``athlete``."""
        ss = T["source_sessions"]
        row = conn.execute(sa.select(ss.c.source_session_id, ss.c.session_id).where(
            ss.c.athlete == athlete, ss.c.source == MANUAL_SOURCE,
            sa.or_(ss.c.session_id == session_id, ss.c.source_session_id == session_id))
        ).mappings().first()
        if row is None:
            raise UsageError("That session was not logged by hand here; edit it on the "
                             "Athlete page instead.")
        return dict(row)

    def update_manual_session(self: Store, athlete: str, session_id: str, *,
                              start: Any = _UNSET, sport: Any = _UNSET, area: Any = _UNSET,
                              duration_s: Any = _UNSET, rpe: Any = _UNSET, title: Any = _UNSET,
                              notes: Any = _UNSET, sets: Any = _UNSET) -> None:
        """Change fields of a session ``athlete`` logged by hand (fields not given keep their
        value); a merged session keeps its recording."""
        name = self._clean_name(athlete)
        clean = clean_sets(sets) if sets is not _UNSET else None

        def tx(conn: Connection) -> None:
            src = self._manual_source(conn, name, session_id)
            ss = T["source_sessions"]
            cur = conn.execute(sa.select(ss.c.start, ss.c.sport, ss.c.duration_s, ss.c.rpe,
                                         ss.c.title).where(
                ss.c.source_session_id == src["source_session_id"])).mappings().one()
            new_start = cur["start"] if start is _UNSET else start
            if isinstance(new_start, str):
                new_start = datetime.fromisoformat(new_start)
            vals = {
                "start": new_start, "sport": cur["sport"] if sport is _UNSET else sport,
                "duration_s": cur["duration_s"] if duration_s is _UNSET else duration_s,
                "rpe": cur["rpe"] if rpe is _UNSET else rpe,
                "title": cur["title"] if title is _UNSET else str(title or ""),
            }
            check_entry(start=vals["start"], sport=vals["sport"],
                        area=None if area is _UNSET else area, duration_s=vals["duration_s"],
                        rpe=vals["rpe"], title=vals["title"],
                        notes="" if notes is _UNSET else str(notes or ""))
            upd = dict(vals, moving_s=float(vals["duration_s"]))
            if clean is not None:
                upd["sets"] = sets_to_json(clean)
            conn.execute(sa.update(ss).where(
                ss.c.source_session_id == src["source_session_id"]).values(**upd))
            self._rebuild(conn, [src["session_id"]])
            self._write_overrides(
                conn, src["session_id"],
                area=_UNSET if area is _UNSET else (area or None),
                notes=_UNSET if notes is _UNSET else (str(notes or "").strip() or None))
            derived.touch(conn, [name])

        self._write(tx)

    def delete_manual_session(self: Store, athlete: str, session_id: str) -> bool:
        """Remove the entry ``athlete`` logged by hand in session ``session_id``. A recording
        merged with it stays (as its own session); returns True when the whole session went."""
        name = self._clean_name(athlete)

        def tx(conn: Connection) -> bool:
            src = self._manual_source(conn, name, session_id)
            ss = T["source_sessions"]
            conn.execute(sa.delete(ss).where(ss.c.source_session_id == src["source_session_id"]))
            gone = self._rebuild(conn, [src["session_id"]])
            derived.touch(conn, [name])
            return bool(gone)

        return bool(self._write(tx))

    def split_session(self: Store, athlete: str, session_id: str) -> list[str]:
        """Undo a merge: every source row of session ``session_id`` but one becomes a session
        of its own again. The entry logged by hand takes the athlete's edits (area, RPE, notes)
        with it. Returns the ids of the sessions split off."""
        name = self._clean_name(athlete)

        def tx(conn: Connection) -> list[str]:
            ss, ov = T["source_sessions"], T["overrides"]
            rows = conn.execute(sa.select(ss.c.source_session_id, ss.c.source).where(
                ss.c.session_id == session_id, ss.c.athlete == name)
                .order_by(ss.c.source_session_id)).all()
            if len(rows) < 2:
                raise UsageError("That session is not merged from several sources; there is "
                                 "nothing to split.")
            ids = [str(r[0]) for r in rows]
            keep = session_id if session_id in ids else next(
                (i for i, src in rows if src != MANUAL_SOURCE), ids[0])
            off = [i for i in ids if i != keep]
            for i in off:
                conn.execute(sa.update(ss).where(ss.c.source_session_id == i)
                             .values(session_id=i))
            manual_off = [i for i, src in rows if src == MANUAL_SOURCE and i in off]
            if manual_off:  # the athlete's edits belong to what they logged
                cur = conn.execute(sa.select(ov.c.area, ov.c.rpe, ov.c.notes, ov.c.updated_at)
                                   .where(ov.c.session_id == session_id)).mappings().first()
                if cur is not None:
                    conn.execute(sa.delete(ov).where(ov.c.session_id == session_id))
                    conn.execute(sa.insert(ov).values(session_id=manual_off[0], **dict(cur)))
            self._rebuild(conn, [session_id, *off])
            derived.touch(conn, [name])
            return off

        return list(self._write(tx))

    # ------------------------------------------------------------------ batch RPE

    def set_rpes(self: Store, athlete: str, values: Mapping[str, float | None]) -> int:
        """Set the RPE (0-10; None clears) of several of ``athlete``'s sessions in one write,
        as the same edits :meth:`~stridewise.store.Store.set_override` makes. Returns how many
        sessions changed."""
        name = self._clean_name(athlete)
        clean: dict[str, float | None] = {}
        for sid, v in values.items():
            if v is None or (isinstance(v, float) and v != v):
                clean[str(sid)] = None
                continue
            try:
                x = float(v)
            except (TypeError, ValueError) as exc:
                raise UsageError(f"RPE must be a number from 0 to 10, not {v!r}.") from exc
            if not 0.0 <= x <= 10.0:
                raise UsageError(f"RPE must be between 0 and 10, not {x:g}.")
            clean[str(sid)] = x

        def tx(conn: Connection) -> int:
            s = T["sessions"]
            mine = set(conn.execute(sa.select(s.c.session_id).where(
                s.c.athlete == name, s.c.session_id.in_(list(clean)))).scalars())
            missing = sorted(set(clean) - mine)
            if missing:
                raise UsageError(f"{name} has no stored session with the id '{missing[0]}'.")
            for sid, x in clean.items():
                self._write_overrides(conn, sid, rpe=x)
            derived.touch(conn, [name])
            return len(clean)

        return int(self._write(tx)) if clean else 0

    # ------------------------------------------------------------------ routines

    def routines(self: Store, athlete: str) -> list[Routine]:
        """The routines ``athlete`` saved, by name."""
        r = T["routines"]
        rows = self._read(lambda c: c.execute(
            sa.select(r.c.name, r.c.area, r.c.minutes, r.c.items_json)
            .where(r.c.athlete == athlete).order_by(r.c.name)).all())
        return [Routine.from_dict({"name": n, "area": a, "minutes": m,
                                   "items": json.loads(i or "[]")}) for n, a, m, i in rows]

    def save_routine(self: Store, athlete: str, routine: Routine) -> None:
        """Save (or replace) ``athlete``'s routine of that name."""
        name = self._clean_name(athlete)
        title = routine.name.strip()
        if not title or len(title) > 200:
            raise UsageError("A routine needs a name of at most 200 characters.")
        if routine.area not in AREAS:
            raise UsageError(f"'{routine.area}' is not a training area.")
        if not 0 < float(routine.minutes) <= 24 * 60:
            raise UsageError("A routine's duration must be more than 0 and at most 24 hours.")
        if not routine.items:
            raise UsageError("A routine needs at least one exercise.")
        clean_sets([{"exercise": i.exercise, "reps": i.reps, "seconds": i.seconds,
                     "weight_kg": i.weight_kg} for i in routine.items])
        st = _helpers()
        r = T["routines"]

        def tx(conn: Connection) -> None:
            self._ensure_athlete(conn, name, False)
            conn.execute(sa.delete(r).where(r.c.athlete == name, r.c.name == title))
            conn.execute(sa.insert(r).values(
                athlete=name, name=title, area=routine.area, minutes=float(routine.minutes),
                items_json=json.dumps(routine.to_dict()["items"], ensure_ascii=False),
                updated_at=st._now()))

        self._write(tx, bump=False)

    def delete_routine(self: Store, athlete: str, name: str) -> None:
        """Forget ``athlete``'s routine ``name``."""
        r = T["routines"]
        self._write(lambda c: c.execute(sa.delete(r).where(r.c.athlete == athlete,
                                                           r.c.name == name)), bump=False)

