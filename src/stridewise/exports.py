"""File exports: CSV, Parquet and Excel bytes from DataFrames (for download buttons and the CLI).

Spreadsheet formula injection (OWASP "CSV Injection"): a text cell that begins with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return can be run as a formula when the file is opened in a
spreadsheet. In CSV such cells get a leading single quote (the widely used neutralisation);
the full-width forms (``＝ ＋ － ＠``) that some spreadsheet locales also accept are treated the
same. Real numbers, negative ones included, stay numbers: only text cells are touched, and a
text cell that is just a plain number (``-12.5``) is left alone because it cannot be a formula.
In Excel files, text is always stored as a text cell (never a formula) and marked with Excel's
own "quote prefix" so that editing it keeps it text; the text itself is shown unchanged.

All functions are pure: they never mutate their inputs.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, Final

import numpy as np
import pandas as pd

from stridewise.errors import UsageError

#: First characters that make a spreadsheet treat a text cell as a formula.
FORMULA_PREFIXES: Final[tuple[str, ...]] = ("=", "+", "-", "@", "\t", "\r",
                                            "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
# Characters XML 1.0 (and so .xlsx) cannot hold.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: Excel's limits.
EXCEL_MAX_ROWS: Final = 1_048_576
EXCEL_MAX_COLS: Final = 16_384
EXCEL_MAX_CELL_CHARS: Final = 32_767
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could run ``text`` as a formula (plain numbers are not)."""
    return bool(text) and text.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.match(text)


def neutralise(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is formula-like text; anything else unchanged."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def _is_text_column(s: pd.Series) -> bool:
    return (pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype)
            or isinstance(s.dtype, pd.CategoricalDtype))


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose formula-like text cells and column names are neutralised.

    Numeric, boolean and datetime columns are returned as they are.
    """
    out = df.copy()
    for i in range(df.shape[1]):
        s = df.iloc[:, i]
        if _is_text_column(s):
            if isinstance(s.dtype, pd.CategoricalDtype):
                s = s.astype(object)
            out.isetitem(i, s.map(neutralise, na_action="ignore"))
    out.columns = [neutralise(c) if isinstance(c, str) else c for c in df.columns]
    return out


def _naive_datetimes(df: pd.DataFrame) -> pd.DataFrame:
    """Copy with timezone-aware datetime columns turned into naive wall-clock times."""
    out = df.copy()
    for i in range(df.shape[1]):
        s = df.iloc[:, i]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out.isetitem(i, s.dt.tz_localize(None))
    return out


def csv_bytes(df: pd.DataFrame, *, index: bool = False, bom: bool = False) -> bytes:
    """``df`` as UTF-8 CSV bytes with formula-like text neutralised.

    NaN/None cells are empty, ±inf is written as ``inf``/``-inf``, datetimes as ISO text (dates
    only when every value is midnight). ``bom=True`` prefixes a UTF-8 byte-order mark, which
    makes Excel on Windows read non-ASCII text correctly.
    """
    if df is None:
        raise UsageError("There is no table to export.")
    data = neutralise_frame(_naive_datetimes(df))
    if index:
        data = data.reset_index()
        data.columns = [neutralise(c) if isinstance(c, str) else c for c in data.columns]
    text = data.to_csv(index=False, na_rep="", lineterminator="\r\n")
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def parquet_bytes(df: pd.DataFrame, *, index: bool = False) -> bytes:
    """``df`` as Parquet bytes (pyarrow; values unchanged, dtypes kept).

    Column names are written as text. A text column that also holds numbers is written as
    text. Raises :class:`UsageError` when two columns share a name (Parquet needs unique names).
    """
    import pyarrow as pa

    if df is None:
        raise UsageError("There is no table to export.")
    data = df if index else df.reset_index(drop=True)
    names = [str(c) for c in data.columns]
    dup = next((n for i, n in enumerate(names) if n in names[:i]), None)
    if dup is not None:
        raise UsageError(f"The table has the column '{dup}' twice; Parquet needs unique "
                         "column names.")
    data = data.set_axis(names, axis=1)
    buf = io.BytesIO()
    try:
        data.to_parquet(buf, engine="pyarrow", index=index)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # Mixed object columns (text and numbers): write those as text.
        fixed = data.copy()
        for i in range(fixed.shape[1]):
            s = fixed.iloc[:, i]
            if pd.api.types.is_object_dtype(s.dtype):
                fixed.isetitem(i, s.map(lambda v: v if isinstance(v, str) else str(v),
                                        na_action="ignore").astype("str"))
        buf = io.BytesIO()
        fixed.to_parquet(buf, engine="pyarrow", index=index)
    return buf.getvalue()


def sheet_name(name: object, taken: set[str] | None = None) -> str:
    """A valid, unique Excel sheet name from ``name`` (≤ 31 chars, no ``[]:*?/\\``)."""
    text = _SHEET_BAD.sub("_", _ILLEGAL_XML.sub("", str(name))).strip().strip("'") or "Sheet"
    text = text[:31]
    taken = taken if taken is not None else set()
    candidate, n = text, 2
    while candidate.casefold() in {t.casefold() for t in taken}:
        suffix = f" ({n})"
        candidate = text[: 31 - len(suffix)] + suffix
        n += 1
    return candidate


def _excel_value(value: Any) -> tuple[Any, str]:
    """(value to write, kind) for one cell; kind is "text", "number", "date", "datetime",
    "empty" or "other"."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None, "empty"
    if isinstance(value, (bool, np.bool_)):
        return bool(value), "other"
    if isinstance(value, (int, np.integer)):
        return int(value), "number"
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return None, "empty"
        if math.isinf(v):   # Excel has no infinity: written as text
            return ("inf" if v > 0 else "-inf"), "text"
        return v, "number"
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is not None:
            value = value.tz_localize(None)
        return value.to_pydatetime(), "datetime"
    if isinstance(value, np.datetime64):
        ts = pd.Timestamp(value)
        return (None, "empty") if pd.isna(ts) else (ts.to_pydatetime(), "datetime")
    if isinstance(value, datetime):
        return value.replace(tzinfo=None), "datetime"
    if isinstance(value, date):
        return value, "date"
    if isinstance(value, (pd.Timedelta, timedelta, np.timedelta64)):
        td = pd.Timedelta(value)
        return (None, "empty") if pd.isna(td) else (td.total_seconds(), "number")
    if isinstance(value, time):
        return value.isoformat(), "text"
    text = value if isinstance(value, str) else str(value)
    text = _ILLEGAL_XML.sub("", text)
    if len(text) > EXCEL_MAX_CELL_CHARS:
        text = text[: EXCEL_MAX_CELL_CHARS - 1] + "…"
    return text, "text"


def excel_bytes(sheets: Mapping[str, pd.DataFrame], *, index: bool = False) -> bytes:
    """An .xlsx workbook (openpyxl) with one sheet per ``{name: DataFrame}`` entry.

    Header row bold and frozen, columns sized to their content, datetimes naive (wall clock)
    with date formats, NaN empty, ±inf as the text ``inf``/``-inf``. Text is always stored as
    text (never as a formula; formula-like text gets Excel's quote prefix). Sheet names are
    made valid and unique. Raises :class:`UsageError` when a table exceeds Excel's size limits.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    if not sheets:
        raise UsageError("There is nothing to export: no tables were given.")
    wb = Workbook(write_only=True)   # streams rows: fast and light on memory
    taken: set[str] = set()
    bold = Font(bold=True)
    for raw_name, frame in sheets.items():
        data = pd.DataFrame() if frame is None else (frame.reset_index() if index else frame)
        if len(data) + 1 > EXCEL_MAX_ROWS or data.shape[1] > EXCEL_MAX_COLS:
            raise UsageError(f"The table '{raw_name}' has {len(data):,} rows and "
                             f"{data.shape[1]} columns, more than an Excel sheet can hold; "
                             "export it as CSV or Parquet instead.")
        name = sheet_name(raw_name, taken)
        taken.add(name)
        ws = wb.create_sheet(name)
        headers = [_excel_value(str(c))[0] for c in data.columns]
        columns = []
        for j, head in enumerate(headers, start=1):
            values, width = _excel_column(data.iloc[:, j - 1], ws)
            columns.append(values)
            ws.column_dimensions[get_column_letter(j)].width = min(max(max(width,
                                                                           len(head)) + 2, 8), 60)
        ws.freeze_panes = "A2"
        header_cells = []
        for head in headers:
            cell = WriteOnlyCell(ws)
            _set_text(cell, head)
            cell.font = bold
            header_cells.append(cell)
        ws.append(header_cells)
        for row in zip(*columns, strict=True):
            ws.append(row)
        if data.shape[1] and len(data):
            ws.auto_filter.ref = f"A1:{get_column_letter(data.shape[1])}{len(data) + 1}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _excel_column(s: pd.Series, ws: Any) -> tuple[list[Any], int]:
    """Cell values of one column for a write-only sheet, and a width estimate (characters).

    Fast paths per dtype; only formula-like text needs a cell object (stored as text with the
    quote prefix). Datetimes: naive; a column of midnights is written as dates.
    """
    from openpyxl.cell import WriteOnlyCell

    n = len(s)
    head = s.iloc[:200]
    if pd.api.types.is_bool_dtype(s.dtype):
        return [None if pd.isna(v) else bool(v) for v in s.tolist()], 5
    if pd.api.types.is_numeric_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype):
        arr = s.to_numpy(dtype=float, na_value=np.nan)
        if pd.api.types.is_integer_dtype(s.dtype) and not s.isna().any():
            values: list[Any] = s.astype("int64").tolist()
        else:
            values = [None if v != v else ("inf" if v == math.inf else "-inf")
                      if v in (math.inf, -math.inf) else v for v in arr.tolist()]
        width = max((len(f"{v:g}") if isinstance(v, float) else len(str(v))
                     for v in values[:200] if v is not None), default=0)
        return values, width
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        d = s.dt.tz_localize(None) if isinstance(s.dtype, pd.DatetimeTZDtype) else s
        valid = d.dropna()
        dates_only = bool(len(valid)) and bool((valid == valid.dt.normalize()).all())
        py = d.dt.to_pydatetime() if n else []
        values = [None if pd.isna(v) else (v.date() if dates_only else v) for v in py]
        return values, 10 if dates_only else 19
    out: list[Any] = []
    for v in s.tolist():
        value, kind = _excel_value(v)
        if kind == "text" and is_formula_like(value):
            cell = WriteOnlyCell(ws)
            _set_text(cell, value)
            out.append(cell)
        else:
            out.append(value)
    width = max((len(str(v)) for v in head.tolist() if isinstance(v, str)), default=0)
    return out, width


def _set_text(cell: Any, text: str) -> None:
    """Store ``text`` in ``cell`` as a text cell, never a formula."""
    cell.value = text
    cell.data_type = "s"   # openpyxl would otherwise store "=..." as a formula
    if is_formula_like(text):
        cell.quotePrefix = True   # Excel keeps the cell text when it is edited


def export_file_name(*parts: object, ext: str) -> str:
    """A safe download file name such as ``stridewise-ann-lee-weekly.csv`` from free text."""
    words = []
    for p in ("stridewise", *parts):
        plain = unicodedata.normalize("NFKD", str(p)).encode("ascii", "ignore").decode("ascii")
        slug = re.sub(r"[^0-9A-Za-z]+", "-", plain).strip("-").lower()
        if slug:
            words.append(slug)
    return "-".join(words)[:120] + "." + ext.lstrip(".")
