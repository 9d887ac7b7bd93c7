"""Importing a whole Garmin account export into the store, part by part, resumably.

A big export (thousands of activities) takes minutes to read. :func:`import_export` reads it in
parts (:data:`stridewise.ingest.garminexport.PART_FILES` uploaded files each, then one part
with the activity summaries no file matched and the wellness rows) and commits every part as
its own import, recording in the same transaction that the part is done
(:meth:`stridewise.store.Store.import_parts`). When a run is interrupted (Ctrl-C, a crash, a
closed laptop), running the same import again skips the committed parts without reading their
files and continues with the first part not committed; nothing is stored twice (the store is
idempotent per session as well).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from stridewise.ingest import garminexport
from stridewise.ingest.base import ReadContext

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.store import ImportResult, Store

__all__ = ["ArchiveResult", "import_export"]


@dataclass
class ArchiveResult:
    """What an export import did. ``results``: one per part committed in this run.

    resumed: parts already committed by an earlier (interrupted) run and skipped now.
    report_lines: the reading report (formats, assumptions, what could not be read and why).
    """

    file_name: str
    n_parts: int
    resumed: int = 0
    results: list[ImportResult] = field(default_factory=list)
    report_lines: list[str] = field(default_factory=list)
    wellness_rows: int = 0
    unreadable: list[str] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(r.added for r in self.results)

    @property
    def merged(self) -> int:
        return sum(r.merged for r in self.results)

    @property
    def unchanged(self) -> int:
        return sum(r.unchanged + r.updated for r in self.results)

    def summary(self) -> str:
        """One sentence for the user."""
        if self.resumed == self.n_parts:
            return (f"{self.file_name} was already imported completely ({self.n_parts} "
                    "part(s)); nothing was changed.")
        text = (f"{self.file_name}: {self.added} new session(s)")
        if self.merged:
            text += f", {self.merged} merged into sessions already stored"
        if self.unchanged:
            text += f", {self.unchanged} already stored"
        text += f", {self.wellness_rows} wellness value(s)"
        if self.unreadable:
            text += f", {len(self.unreadable)} file(s) could not be read"
        text += f"; {len(self.results)} of {self.n_parts} part(s) committed"
        if self.resumed:
            text += f" (resumed: {self.resumed} part(s) were committed by an earlier run)"
        return text + "."


def import_export(store: Store, source: str | Path | bytes, *, athlete: str,
                  ctx: ReadContext | None = None, file_name: str = "",
                  part_files: int = garminexport.PART_FILES,
                  on_part: Callable[[garminexport.ExportPart, ImportResult], None] | None = None,
                  ) -> ArchiveResult:
    """Import a Garmin account export (zip bytes, zip path or unpacked folder) for ``athlete``.

    Each part is one store transaction; ``on_part`` is called after each commit (progress).
    Raises the importer's one-sentence errors (ImportRefused, UnreadableFile) when the export
    as a whole cannot be read; parts committed before such an error stay committed.
    """
    from stridewise.store import ArchivePart

    ctx = ctx or ReadContext(athlete=athlete)
    with garminexport.open_export(source, ctx, file_name, part_files=part_files) as export:
        done = store.import_parts(athlete, export.parts_key)
        matched = [i for ids in done.values() for i in ids]
        result = ArchiveResult(export.name, export.n_parts, resumed=len(done))
        notes: list[str] = []
        for part in export.parts(skip=sorted(done), matched_before=matched):
            rep = part.report
            res = store.import_report(rep, athlete=athlete, part=ArchivePart(
                export.parts_key, part.index, part.n_parts, part.matched_ids))
            result.results.append(res)
            result.unreadable += rep.unreadable
            result.wellness_rows += len(rep.wellness)
            if part.last:
                result.report_lines = rep.summary_lines() + notes
            else:
                notes += [f"  part {part.index + 1}: {a}" for a in rep.assumptions]
                notes += [f"  note: {w}" for w in rep.warnings]
            if on_part is not None:
                on_part(part, res)
    return result
