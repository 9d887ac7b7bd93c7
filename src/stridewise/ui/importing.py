"""The import step behind the Import page: read uploaded files, store them, report per file.

:func:`import_files` is what the page calls for an upload (and what tests can call directly):
each file ends in exactly one :class:`FileOutcome` — imported (with the report), needs a column
mapping (with the columns and the best guess), or refused (with the error's one sentence).
No exception other than those handled here reaches the page.

:func:`apply_zone` saves the athlete's time zone before an import; when it differs from the
stored one, the store re-times the athlete's UTC-sourced sessions and the returned
:class:`ZoneChange` says how many moved, so the import report can say exactly what happened.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from stridewise.errors import NeedsMapping, StridewiseError
from stridewise.ingest import ReadContext, read_bytes

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.store import Store

Status = Literal["imported", "needs_mapping", "refused"]


@dataclass
class FileOutcome:
    """What happened to one uploaded file."""

    file_name: str
    status: Status
    message: str = ""
    format: str = ""
    sessions: int = 0
    added: int = 0
    merged: int = 0
    unchanged: int = 0
    skipped: list[tuple[int | None, str]] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    units: str | None = None
    import_id: int | str | None = None
    athlete: str = ""
    columns: list[str] = field(default_factory=list)
    guess: dict[str, str] = field(default_factory=dict)
    data: bytes | None = None  # kept for a re-read (units) or the mapping form
    already_imported: bool = False
    #: sessions logged by hand that recordings of this file were merged into
    manual_merged: int = 0


@dataclass(frozen=True)
class ZoneChange:
    """The athlete's time zone changed from ``old`` to ``new`` at an import; ``moved`` stored
    sessions (those that came as UTC: Strava, FIT, TCX, GPX, ...) were re-timed."""

    athlete: str
    old: str
    new: str
    moved: int

    def sentence(self, new_sessions: int) -> str:
        """One sentence for the import report, e.g. "12 stored sessions re-timed from UTC to
        Europe/Budapest; 0 new sessions." (``new_sessions``: added by this import)."""
        moved = (f"{self.moved} stored session{'' if self.moved == 1 else 's'} re-timed "
                 f"from {self.old} to {self.new}" if self.moved else
                 f"Time zone changed from {self.old} to {self.new}; no stored session needed "
                 "re-timing")
        return f"{moved}; {new_sessions} new session{'' if new_sessions == 1 else 's'}."


def apply_zone(store: Store, athlete: str, tz: str, *, stored: str | None,
               exists: bool) -> ZoneChange | None:
    """Save ``tz`` as the athlete's zone before an import (creating a new athlete).

    ``stored``: the athlete's zone before (None/"" when none was saved); ``exists``: whether
    the athlete is already stored. For an existing athlete whose zone changes, the store
    re-times the stored UTC-sourced sessions in the same transaction and the change is
    returned; otherwise None. Raises :class:`StridewiseError` (one sentence) for a bad zone.
    """
    old = (stored or "").strip()
    if exists and old == tz:
        return None
    moved = store.upsert_athlete(athlete, tz=tz)
    if not exists:
        return None
    return ZoneChange(athlete=athlete, old=old or "UTC", new=tz, moved=int(moved))


def already_imported_note(outcome: FileOutcome, zone: ZoneChange | None) -> str:
    """What a card says about a file imported before (never "nothing changed" when the zone
    change has just re-timed its sessions)."""
    if zone is not None and zone.moved:
        return ("This exact file was imported before for this athlete: no new sessions from "
                f"it. Its stored sessions follow the new zone ({zone.new}).")
    return "This exact file was imported before for this athlete; nothing changed."


def _ctx(athlete: str, tz: str, units: str | None, mapping: Mapping[str, str] | None,
         profiles: Mapping[str, Mapping[str, str]],
         progress: Callable[[float, str], None] | None) -> ReadContext:
    return ReadContext(athlete=athlete, tz=tz, units=units,  # type: ignore[arg-type]
                       mapping=mapping, mapping_profiles=profiles, progress=progress)


def import_one(store: Store, data: bytes, file_name: str, *, athlete: str, tz: str = "UTC",
               units: str | None = None, mapping: Mapping[str, str] | None = None,
               progress: Callable[[float, str], None] | None = None) -> FileOutcome:
    """Read and store one file; never raises for bad input."""
    try:
        profiles = store.mapping_profiles()
        report = read_bytes(data, file_name, _ctx(athlete, tz, units, mapping, profiles,
                                                   progress))
    except NeedsMapping as exc:
        return FileOutcome(file_name, "needs_mapping", exc.message, athlete=athlete,
                           columns=list(exc.columns), guess=dict(exc.guess), data=data)
    except StridewiseError as exc:
        return FileOutcome(file_name, "refused", exc.message, athlete=athlete)
    try:
        # the zone the reader converted UTC starts to is recorded with them, so a later zone
        # change re-times them from the right clock
        result = store.import_report(report, athlete=athlete, tz=tz)
    except StridewiseError as exc:
        return FileOutcome(file_name, "refused", exc.message, format=report.format,
                           athlete=athlete)
    return FileOutcome(
        file_name, "imported", format=report.format, sessions=report.n_sessions,
        added=int(result.added), merged=int(result.merged), unchanged=int(result.unchanged),
        skipped=[(s.row, s.reason) for s in report.skipped],
        assumptions=list(report.assumptions), warnings=list(report.warnings),
        units=report.units, import_id=result.import_id, athlete=athlete,
        data=data if report.units else None,
        already_imported=bool(getattr(result, "already_imported", False)),
        manual_merged=len(getattr(result, "manual_merged", ()) or ()))


def import_files(store: Store, files: Sequence[tuple[str, bytes]], *, athlete: str,
                 tz: str = "UTC", units: str | None = None,
                 on_file: Callable[[int, int, str], None] | None = None,
                 progress: Callable[[float, str], None] | None = None) -> list[FileOutcome]:
    """Import several files for one athlete; ``on_file(i, n, name)`` before each file."""
    out = []
    n = len(files)
    for i, (name, data) in enumerate(files):
        if on_file is not None:
            on_file(i, n, name)
        out.append(import_one(store, data, name, athlete=athlete, tz=tz, units=units,
                              progress=progress))
    return out


def reread(store: Store, outcome: FileOutcome, *, units: str | None = None,
           mapping: Mapping[str, str] | None = None, tz: str = "UTC") -> FileOutcome:
    """Read a file again with other units or a column mapping, replacing its earlier import."""
    if outcome.data is None:
        return FileOutcome(outcome.file_name, "refused",
                           "The file is no longer in memory; upload it again.",
                           athlete=outcome.athlete)
    if outcome.import_id is not None:
        try:
            store.remove_import(outcome.import_id)
        except StridewiseError as exc:
            return FileOutcome(outcome.file_name, "refused", exc.message,
                               athlete=outcome.athlete)
    new = import_one(store, outcome.data, outcome.file_name, athlete=outcome.athlete, tz=tz,
                     units=units, mapping=mapping)
    if new.status == "imported" and new.data is None and mapping is None:
        new.data = outcome.data
    return new
