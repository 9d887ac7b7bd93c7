"""Every CSV/text session log: decode, find the table, recognise the app, delegate.

:func:`read` is what the dispatcher calls for anything that is not a zip, FIT, XML, JSON or
HRM file. It

1. decodes the bytes (UTF-8 with/without BOM, UTF-16, Windows-1252) and refuses binary data;
2. recognises multi-section files (Polar Flow session, Wahoo app, Epson) before table parsing;
3. parses the table (delimiter sniffed, title lines skipped, duplicated headers kept apart);
4. recognises the app that wrote it — Strava, Garmin Connect, Runkeeper, MapMyRun,
   TrainingPeaks, intervals.icu, Zepp, WHOOP, Health Export, Hevy, Fitbod, ... — or refuses
   files that hold no sessions (daily wellness, daily activity totals) with a sentence;
5. otherwise uses the mapping the user confirmed (``ctx.mapping`` or a saved profile keyed by
   :func:`header_signature`), or the generic importer when it is confident, and raises
   :class:`~stridewise.errors.NeedsMapping` when it is not.
"""

from __future__ import annotations

import csv
import hashlib
import warnings
from collections.abc import Mapping

import pandas as pd

from stridewise.errors import (
    ImportRefused,
    NeedsMapping,
    StridewiseError,
    UnexpectedReadError,
    UnreadableFile,
    UnsupportedFormat,
)
from stridewise.ingest import csv_apps, csv_garmin, csv_generic, csv_strava
from stridewise.ingest.base import ImportReport, ReadContext, SkippedRow
from stridewise.ingest.csvtable import (
    MAX_CELL_CHARS,
    Table,
    decode,
    header_key,
    parse_table,
    parse_utf8,
    utf8_head,
    utf8_payload,
)

__all__ = ["guess_mapping", "header_signature", "load_table", "preview_with_mapping", "read"]

#: Longest file accepted as CSV text (characters).
_MAX_CHARS = 200 * 1024 * 1024


def header_signature(columns: list[str]) -> str:
    """A stable signature of a CSV header (order-sensitive, case/accent/space-insensitive).

    Used as the key of saved mapping profiles: the same export layout gives the same signature.
    """
    keys = "\x1f".join(header_key(str(c)) for c in columns)
    return hashlib.sha1(keys.encode("utf-8")).hexdigest()[:16]


def load_table(data: bytes, file_name: str) -> Table:
    """Decode and parse ``data`` into a :class:`Table`; typed errors only."""
    if not data or not data.strip(b" \t\r\n\x00"):
        raise UnreadableFile(f"{file_name} is empty: there is nothing to import.")
    table = _fast_table(data, file_name)
    if table is not None:
        return table
    text, encoding = decode(data, file_name)
    return _table_from_text(text, encoding, file_name, data)


def _utf8_payload(data: bytes, encoding: str) -> bytes | None:
    if encoding == "UTF-8":
        return data
    if encoding == "UTF-8 with BOM":
        return data[3:]
    return None


def _fast_table(data: bytes, file_name: str, ctx: ReadContext | None = None) -> Table | None:
    """Big UTF-8 files: the table without decoding the whole text first (see
    ``csvtable.parse_utf8``); None when the general path is needed (it gives the same table).
    With ``ctx`` (an import, not a preview), a Strava export whose header shows it is one is
    read without the columns the Strava importer does not use, unless a mapping applies."""
    if len(data) <= 1_000_000 or len(data) > _MAX_CHARS:
        return None
    found = utf8_payload(data)
    if found is None:
        return None
    payload, encoding = found
    head = utf8_head(payload, 4 * 4096 + 4)[:4096]
    start = head.lstrip()[:1]
    if not start or start in ("<", "{", "[") or csv_apps.may_be_sectioned(head):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return parse_utf8(payload, file_name, encoding,
                          None if ctx is None else (lambda cols: _strava_columns(cols, ctx)))


def _strava_columns(columns: list[str], ctx: ReadContext) -> list[int] | None:
    if ctx.mapping or header_signature(columns) in ctx.mapping_profiles:
        return None
    return csv_strava.needed_columns(columns)


def _table_from_text(text: str, encoding: str, file_name: str,
                     data: bytes | None = None) -> Table:
    if len(text) > _MAX_CHARS:
        raise UnreadableFile(f"{file_name} is too large to read as CSV.")
    if text.lstrip().startswith(("<", "{", "[")) and "," not in text[:200]:
        raise UnsupportedFormat(
            f"{file_name} looks like XML/JSON text, not a CSV table; upload it with its proper "
            "file ending (.tcx, .gpx, .xml, .json).")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = _utf8_payload(data, encoding) if data is not None else None
        table = parse_table(text, file_name, encoding, raw)
    return table


def read(data: bytes, file_name: str, ctx: ReadContext) -> ImportReport:
    """Import a CSV/text session log (see the module docstring). Raises typed errors only."""
    try:
        return _read(data, file_name, ctx)
    except StridewiseError:
        raise
    except csv.Error as exc:
        # the csv module only fails on the text itself (a stray line break inside a field,
        # a cell beyond its size limit): the file is damaged, not misread
        raise UnreadableFile(
            f"{file_name} has a line that cannot be read as CSV ({exc}); the file seems "
            "damaged, so export it again.") from exc
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError,
            UnicodeError, pd.errors.ParserError) as exc:
        # a sentence for the user, typed as unforeseen so that tests treat it as our bug
        raise UnexpectedReadError(
            f"{file_name} could not be read as a CSV session log ({type(exc).__name__}: "
            f"{exc}).") from exc


def _read(data: bytes, file_name: str, ctx: ReadContext) -> ImportReport:
    ctx.report_progress(0.0, f"reading {file_name}")
    if not data or not data[:1_000_000].strip(b" \t\r\n\x00") and not data.strip(
            b" \t\r\n\x00"):
        raise UnreadableFile(f"{file_name} is empty: there is nothing to import.")
    table = _fast_table(data, file_name, ctx)
    if table is not None:
        encoding = table.encoding
    else:
        text, encoding = decode(data, file_name)
        special = csv_apps.read_sectioned(text, file_name, ctx)
        if special is not None:
            return _with_notes(special, encoding)
        table = _table_from_text(text, encoding, file_name, data)
    if table.truncated_last is not None and len(table) <= 1:
        raise UnreadableFile(
            f"{file_name} holds only a header and one incomplete row; the file seems to be cut "
            "off. Export it again.")
    if len(table) == 0:
        raise UnreadableFile(
            f"{file_name} has a header line but no data rows: there is nothing to import.")
    cut: SkippedRow | None = None
    if table.truncated_last is not None:
        found, width = table.truncated_last
        line = int(table.record_lines[-1]) if len(table) else None
        cut = SkippedRow(line, f"incomplete: the row has {found} of {width} fields; the file "
                               "seems to be cut off here")
        table.data = table.data.iloc[:-1]
        table.__dict__.pop("record_lines", None)
        if len(table) == 0:
            raise UnreadableFile(
                f"{file_name} holds only a header and one incomplete row; the file seems to "
                "be cut off. Export it again.")
    report = _dispatch(table, file_name, ctx)
    if cut is not None:
        report.skipped.append(cut)
        report.warnings.append("the file seems to be cut off: its last row is incomplete")
    if report.n_sessions == 0:
        first = report.skipped[0] if report.skipped else None
        why = f" (row {first.row}: {first.reason})" if first is not None else ""
        raise ImportRefused(
            f"{file_name} was read as {report.format} but none of its "
            f"{len(report.skipped) or len(table)} rows is a session that can be imported{why}.",
            kind=report.format)
    ctx.report_progress(1.0, f"read {file_name}")
    return _with_notes(report, encoding, table)


def _with_notes(report: ImportReport, encoding: str, table: Table | None = None) -> ImportReport:
    if encoding == "Windows-1252":
        report.assumptions.append(
            "the file is not UTF-8; it was read as Windows-1252 (Western European)")
    if table is not None and table.cut_cells:
        report.warnings.append(
            f"{table.cut_cells} cell(s) longer than {MAX_CELL_CHARS:,} characters were cut to "
            "that length")
    if table is not None and table.first_data_line > 2:
        report.warnings.insert(0, f"{table.first_data_line - 2} title line(s) before the "
                                  "header were skipped")
    return report


def _dispatch(table: Table, file_name: str, ctx: ReadContext) -> ImportReport:
    if ctx.mapping:
        return csv_generic.read_mapped(table, ctx, file_name, dict(ctx.mapping))
    sig = header_signature(table.columns)
    if sig in ctx.mapping_profiles:
        report = csv_generic.read_mapped(table, ctx, file_name, dict(ctx.mapping_profiles[sig]))
        report.assumptions.insert(0, "columns mapped with the mapping you saved for this layout")
        return report
    if csv_strava.detect(table):
        return csv_strava.read(table, ctx, file_name)
    if csv_garmin.detect(table):
        return csv_garmin.read(table, ctx, file_name)
    app = csv_apps.detect(table)
    if app is not None:
        return app(table, ctx, file_name)
    guess, confident = csv_generic.guess(table)
    if confident:
        return csv_generic.read_mapped(table, ctx, file_name, guess, guessed=True)
    if "date" not in guess:
        shown = ", ".join(f"'{c}'" for c in table.columns[:4])
        more = ", ..." if len(table.columns) > 4 else ""
        raise NeedsMapping(
            f"{file_name} is a CSV table, but none of its columns ({shown}{more}) is "
            "recognisably a date; if it is a training log, match its columns to date, "
            "duration, distance and type by hand.", columns=list(table.columns), guess=guess)
    raise NeedsMapping(
        f"{file_name} is a CSV table whose columns Stridewise does not recognise with "
        "confidence; match its columns to date, duration, distance and type to import it.",
        columns=list(table.columns), guess=guess)


def guess_mapping(columns: list[str]) -> dict[str, str]:
    """Best guess of canonical field -> column name for a header (for the mapping form)."""
    return csv_generic.guess_from_columns(list(columns))


def preview_with_mapping(data: bytes, file_name: str, ctx: ReadContext,
                         mapping: Mapping[str, str], rows: int = 20) -> pd.DataFrame:
    """The first ``rows`` sessions a mapping would import (canonical columns), for the form's
    live preview. Raises typed errors (e.g. when the mapped date column has no dates)."""
    table = load_table(data, file_name)
    report = csv_generic.read_mapped(table, ctx, file_name, dict(mapping), limit=rows)
    if report.n_sessions == 0 and report.skipped:
        first = report.skipped[0]
        raise NeedsMapping(
            f"With this mapping none of the first {min(rows, len(table))} rows can be imported "
            f"(row {first.row}: {first.reason}); check the duration and date columns.",
            columns=list(table.columns), guess=dict(mapping))
    return report.sessions.head(rows)
