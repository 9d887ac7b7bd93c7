"""Low-level CSV handling shared by the CSV importers: bytes -> text -> a positional table.

* :func:`decode` turns bytes into text (UTF-8 with/without BOM, UTF-16, Windows-1252) and
  refuses binary data with a sentence.
* :func:`parse_table` finds the delimiter and the header line (skipping title lines such as
  ``Aktivitäten von ...``), and parses the rest into a :class:`Table` whose data columns are
  positions ``0..n-1`` so duplicated header names (Strava's two ``Distance`` columns) stay
  distinct.
* :func:`finish_report` checks required values and plausible ranges, reports skipped rows with
  their line numbers, and hands over to ``base.finish_sessions``.
"""

from __future__ import annotations

import csv
import html
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from stridewise.errors import UnreadableFile, UnsupportedFormat
from stridewise.ingest.base import (
    DEFAULT_PACE_S_PER_KM,
    ImportReport,
    ReadContext,
    SkippedRow,
    finish_sessions,
)
from stridewise.ingest.sports import sport_key
from stridewise.schema import COLUMNS, RANGES, TEXT_MAX_CHARS

DELIMITERS = (",", ";", "\t", "|")


# --------------------------------------------------------------------------- decoding

def _looks_binary(data: bytes) -> bool:
    head = data[:65536]
    if not head:
        return False
    if b"\x00" in head:
        return True
    ctrl = len(head) - len(head.translate(None, _CONTROL))
    return ctrl / len(head) > 0.01


_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def decode(data: bytes, file_name: str) -> tuple[str, str]:
    """(text, encoding name) of CSV bytes; raises UnreadableFile for binary data."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"{file_name} claims to be UTF-16 text but is damaged.") from exc
    if len(data) >= 4 and data[1:2] == b"\x00" and data[3:4] == b"\x00" and data[0:1] != b"\x00":
        try:
            return data.decode("utf-16-le"), "UTF-16"
        except UnicodeDecodeError:
            pass
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8 with BOM"
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                f"{file_name} starts like UTF-8 text but contains bytes that are not UTF-8; "
                "it may be damaged.") from exc
    if _looks_binary(data):
        raise UnreadableFile(
            f"{file_name} is not a text/CSV file (it contains binary data); export your "
            "activities as CSV, FIT, TCX or GPX and upload that.")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    if text.count("\ufffd") > max(3, len(text) // 200):
        raise UnreadableFile(
            f"{file_name} is neither UTF-8 nor Windows-1252 text; save it as UTF-8 CSV and "
            "upload it again.")
    return text, "Windows-1252"


# --------------------------------------------------------------------------- headers

_TAG = re.compile(r"<[^>]*>")


def clean_header(name: object) -> str:
    """Header cell text without HTML markup, entities, BOM or surrounding spaces."""
    t = "" if name is None else str(name)
    if "<" in t:
        t = _TAG.sub("", t)
    if "&" in t:
        t = html.unescape(t)
    return t.replace("\ufeff", "").strip().strip('"').strip()


_NON_LATIN = re.compile(r"[^\W\d_\u0000-\u024f\u1e00-\u1eff]")


def header_key(name: str) -> str:
    """Comparison key of a header: lower-case, accent-free words.

    ``Ø Herzfrequenz`` -> ``o herzfrequenz``; ``start_date_local`` -> ``start date local``.
    Headers in other scripts (Cyrillic, Greek, CJK, Hangul, ...) keep their letters:
    ``平均心率`` -> ``平均心率``, ``Средняя ЧСС`` -> ``средняя чсс``.
    """
    text = clean_header(name).replace("’", "'")
    if _NON_LATIN.search(text):
        t = unicodedata.normalize("NFKC", text).casefold()
        return re.sub(r"[\W_]+", " ", t).strip()
    return sport_key(text)


# --------------------------------------------------------------------------- table

@dataclass
class Table:
    """A parsed CSV: cleaned header names and positional string columns.

    ``data`` has integer column labels ``0..n-1`` and string values ("" for empty cells).
    ``first_data_line`` is the 1-based line of the first data record in the file.
    """

    columns: list[str]
    data: pd.DataFrame
    delimiter: str
    encoding: str
    text: str = ""
    body_offset: int = 0  # character offset of the first data line in ``text``
    first_data_line: int = 2
    #: (fields found, fields expected) when the last record was cut off, else None.
    truncated_last: tuple[int, int] | None = None
    #: Valid UTF-8 bytes of the whole text when ``text`` has not been decoded yet (big files
    #: read by :func:`parse_utf8`); :meth:`full_text` decodes them on first use.
    payload: bytes | memoryview | None = None
    #: Columns not read yet (``data`` holds empty text there) and what reads them; see
    #: :func:`parse_utf8`. :meth:`column` (and ``find``/``col``) read them on first use.
    pending: set[int] | None = None
    loader: Callable[[list[int]], dict[int, pd.Series]] | None = None
    #: cells longer than :data:`MAX_CELL_CHARS` that were cut to that length
    cut_cells: int = 0

    def column(self, i: int) -> pd.Series:
        """Data column ``i``."""
        if self.pending and i in self.pending and self.loader is not None:
            for j, values in self.loader([i]).items():
                self.data[j] = values.iloc[: len(self.data)].set_axis(self.data.index)
                self.pending.discard(j)
        return self.data[i]

    def full_text(self) -> str:
        """The file's text (after the BOM, line ends as LF); ``body_offset`` indexes it."""
        if self.payload is not None:
            self.text = bytes(self.payload).decode("utf-8")
            self.payload = None
        return self.text

    @cached_property
    def keys(self) -> list[str]:
        return [header_key(c) for c in self.columns]

    def __len__(self) -> int:
        return len(self.data)

    def index_of(self, *names: str, occurrence: int = 0) -> int | None:
        """Position of the ``occurrence``-th column whose key equals one of ``names``' keys."""
        wanted = {header_key(n) for n in names}
        hits = [i for i, k in enumerate(self.keys) if k in wanted]
        if len(hits) > occurrence:
            return hits[occurrence]
        return None

    def find(self, *names: str, occurrence: int = 0) -> pd.Series | None:
        i = self.index_of(*names, occurrence=occurrence)
        return None if i is None else self.column(i)

    def count(self, *names: str) -> int:
        wanted = {header_key(n) for n in names}
        return sum(k in wanted for k in self.keys)

    def col(self, i: int | None) -> pd.Series | None:
        return None if i is None or i >= self.data.shape[1] else self.column(i)

    def empty_text(self) -> pd.Series:
        return pd.Series([""] * len(self.data), index=self.data.index, dtype="str")

    @cached_property
    def record_lines(self) -> np.ndarray:
        """1-based file line where each data record starts (exact with multi-line cells)."""
        body = self.full_text()[self.body_offset:]
        if "\n" not in body or body.count("\n") == len(self.data):
            return np.arange(len(self.data)) + self.first_data_line
        starts = []
        reader = csv.reader(io.StringIO(body), delimiter=self.delimiter)
        prev = 0
        for row in reader:
            if row and any(c.strip() for c in row):
                starts.append(prev + self.first_data_line)
            prev = reader.line_num
        arr = np.asarray(starts[: len(self.data)], dtype=int)
        if len(arr) < len(self.data):
            arr = np.arange(len(self.data)) + self.first_data_line
        return arr


def _split_lines(text: str, limit: int = 60) -> list[str]:
    """The first ``limit`` lines (each cut to 20,000 characters) without splitting it all."""
    lines = text[:200_000].splitlines()[:limit]
    if len(lines) < limit and len(text) > 200_000:
        lines = text[:5_000_000].splitlines()[:limit]
    return [ln[:20_000] for ln in lines]


def sniff_delimiter(lines: Sequence[str]) -> str:
    """The delimiter that gives the most consistent multi-field rows in ``lines``."""
    best, best_score = ",", -1.0
    for d in DELIMITERS:
        counts = []
        for ln in lines:
            if ln.strip():
                try:
                    counts.append(len(next(csv.reader([ln], delimiter=d))))
                except csv.Error:
                    counts.append(1)
        if not counts:
            continue
        multi = [c for c in counts if c > 1]
        if not multi:
            continue
        mode = max(set(multi), key=multi.count)
        score = multi.count(mode) * min(mode, 50) / len(counts)
        if score > best_score:
            best, best_score = d, score
    return best


def find_header(lines: Sequence[str], delimiter: str) -> int | None:
    """Index of the header line: the first line with at least two named fields that the next
    lines roughly match in width (skips title lines and blank-ish lines); None if none."""
    widths = []
    for ln in lines:
        try:
            widths.append(len(next(csv.reader([ln], delimiter=delimiter))) if ln.strip() else 0)
        except (csv.Error, StopIteration):
            widths.append(0)
    for i, w in enumerate(widths):
        if w < 2:
            continue
        fields = next(csv.reader([lines[i]], delimiter=delimiter))
        named = sum(bool(f.strip()) for f in fields)
        if named < 2:
            continue
        rest = [x for x in widths[i + 1:i + 6] if x > 0]
        # A title line with a stray comma is followed by much wider rows; a header is not.
        if not rest or any(x <= w + max(2, w // 2) for x in rest):
            return i
    return None


def parse_table(text: str, file_name: str, encoding: str, raw: bytes | None = None) -> Table:
    """Parse CSV text into a :class:`Table` (title lines skipped, delimiter sniffed).

    ``raw`` may be the UTF-8 bytes ``text`` was decoded from (BOM removed); the body is then
    handed to the Arrow parser without re-encoding.
    """
    if "\r" in text:
        raw = None
    if "\r" in text:  # CRLF, classic Mac CR, and stray CRs all become LF
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    head_lines = _split_lines(text)
    if not any(ln.strip() for ln in head_lines):
        raise UnreadableFile(f"{file_name} is empty: there is nothing to import.")
    delim = sniff_delimiter(head_lines[:30])
    h = find_header(head_lines, delim)
    if h is None:
        raise UnreadableFile(
            f"{file_name} does not look like a table: no line with two or more columns "
            "separated by commas, semicolons or tabs was found.")
    # Character offset of the header line and of the body.
    offset = 0
    for _ in range(h):
        nl = text.find("\n", offset)
        offset = nl + 1 if nl >= 0 else len(text)
    header_row = next(csv.reader([head_lines[h].rstrip("\r")], delimiter=delim))
    nl = text.find("\n", offset)
    body_offset = nl + 1 if nl >= 0 else len(text)
    columns = [clean_header(c) for c in header_row]
    while columns and columns[-1] == "":
        columns.pop()
    if len(columns) < 2:
        raise UnreadableFile(
            f"{file_name} does not look like a table: no line with two or more columns "
            "separated by commas, semicolons or tabs was found.")
    check_width(columns, file_name)
    body = text[body_offset:]
    body_bytes = None
    if raw is not None:
        start = len(text[:body_offset].encode("utf-8"))
        body_bytes = memoryview(raw)[start:]
    data = cap_cells(_read_body(body, delim, len(columns), file_name, body_bytes))
    cut_cells = int(data.attrs.get("cut_cells", 0))
    data = data.iloc[:, : len(columns)] if data.shape[1] > len(columns) else data
    for j in range(data.shape[1], len(columns)):
        data[j] = ""
    data.columns = list(range(len(columns)))
    _check_header_names(columns, file_name, _sample_rows(head_lines[h + 1:], delim))
    return Table(columns=columns, data=data, delimiter=delim, encoding=encoding, text=text,
                 body_offset=body_offset, first_data_line=h + 2,
                 truncated_last=_truncated_tail(body, delim, len(columns)), cut_cells=cut_cells)


#: Bytes decoded for the header search of big UTF-8 files (at least 200,000 characters).
_HEAD_BYTES = 1_000_000
_SPACE_BYTES = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"  # what str.isspace() means in ASCII


def utf8_payload(data: bytes) -> tuple[bytes, str] | None:
    """(UTF-8 bytes after any BOM, encoding name) when :func:`decode` would read ``data`` as
    UTF-8, found without building the text (Arrow checks the bytes); else None."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    if len(data) >= 4 and data[1:2] == b"\x00" and data[3:4] == b"\x00" and data[0:1] != b"\x00":
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        payload, encoding = data[3:], "UTF-8 with BOM"
    elif _looks_binary(data):
        return None
    else:
        payload, encoding = data, "UTF-8"
    offsets = pa.py_buffer(np.array([0, len(payload)], dtype=np.int64))
    try:
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(payload)]
                              ).validate(full=True)
    except pa.ArrowInvalid:
        return None
    return payload, encoding


def utf8_head(payload: bytes, n_bytes: int) -> str:
    """The text of the first ``n_bytes`` of valid UTF-8 ``payload`` (cut at a character)."""
    cut = min(n_bytes, len(payload))
    while 0 < cut < len(payload) and (payload[cut] & 0xC0) == 0x80:
        cut -= 1
    return payload[:cut].decode("utf-8")


def parse_utf8(payload: bytes, file_name: str, encoding: str,
               columns_for: Callable[[list[str]], list[int] | None] | None = None,
               ) -> Table | None:
    """:func:`parse_table` of a big UTF-8 file without decoding its whole text: the header is
    found in the first megabyte and the body goes to Arrow as bytes; the text is decoded only
    if something asks for it (``Table.full_text``). None when the file needs the general path
    (CR line ends, leading spaces, ragged rows, a header or first lines that do not fit in the
    first megabyte, ...); that path then gives exactly the same table.

    ``columns_for(header)`` may name the only columns the caller will read (None: all); the
    others are then read only if asked for through ``Table.column``/``find``/``col``."""
    if len(payload) <= _HEAD_BYTES or b"\r" in payload:
        return None
    head = utf8_head(payload, _HEAD_BYTES)
    if len(head) < 200_000:
        return None
    lines = head[:200_000].splitlines()[:60]
    if len(lines) < 60:
        return None  # the general path looks further
    head_lines = [ln[:20_000] for ln in lines]
    if not any(ln.strip() for ln in head_lines):
        return None
    delim = sniff_delimiter(head_lines[:30])
    h = find_header(head_lines, delim)
    if h is None:
        return None
    offset = 0
    for _ in range(h):
        nl = head.find("\n", offset)
        if nl < 0:
            return None
        offset = nl + 1
    nl = head.find("\n", offset)
    if nl < 0:
        return None
    body_offset = nl + 1
    header_row = next(csv.reader([head_lines[h]], delimiter=delim))
    columns = [clean_header(c) for c in header_row]
    while columns and columns[-1] == "":
        columns.pop()
    if len(columns) < 2:
        return None
    check_width(columns, file_name)
    body_bytes = memoryview(payload)[len(head[:body_offset].encode("utf-8")):]
    first = bytes(body_bytes[:4096]).lstrip(_SPACE_BYTES)[:1]
    if not first or first[0] >= 0x80 or bytes(body_bytes[:1]) == b" ":
        return None  # blank-looking or leading-space bodies: general path
    tail = _truncated_tail_bytes(body_bytes, delim, len(columns))
    if tail is False:
        return None
    width = len(columns)
    wanted = columns_for(columns) if columns_for is not None else None
    if wanted is not None:
        wanted = sorted({i for i in wanted if 0 <= i < width})
    data = _read_body_arrow(body_bytes, delim, width, wanted)
    if data is None:
        return None
    data = cap_cells(data)
    cut_cells = int(data.attrs.get("cut_cells", 0))
    pending: set[int] | None = None
    loader = None
    if wanted is not None:
        pending = set(range(width)) - set(wanted)
        blank = pd.arrays.ArrowStringArray(
            pa.repeat(pa.scalar("", pa.large_string()), len(data)), dtype=_STR)
        data = pd.DataFrame({i: data[i] if i not in pending else blank for i in range(width)},
                            copy=False)

        def loader(idx: list[int]) -> dict[int, pd.Series]:
            more = _read_body_arrow(body_bytes, delim, width, idx)
            if more is None:  # cannot happen: the same bytes parsed a moment ago
                raise UnreadableFile(f"{file_name} could not be read again.")
            more = cap_cells(more)
            return {i: more[i] for i in idx}
    data.columns = list(range(width))
    _check_header_names(columns, file_name, _sample_rows(head_lines[h + 1:], delim))
    return Table(columns=columns, data=data, delimiter=delim, encoding=encoding,
                 body_offset=body_offset, first_data_line=h + 2,
                 truncated_last=tail, payload=payload,  # type: ignore[arg-type]
                 pending=pending, loader=loader, cut_cells=cut_cells)


def _truncated_tail_bytes(body: memoryview, delim: str,
                          width: int) -> tuple[int, int] | None | bool:
    """:func:`_truncated_tail` on UTF-8 bytes without CRs; False when it cannot be decided
    from the last 250,000 bytes."""
    t = bytes(body[-250_000:]).rstrip(b" \t\x00")
    if not t:
        return False
    if t.endswith(b"\n") or width < 3:
        return None
    nl = t.rfind(b"\n")
    if nl < 0 or len(t) - nl - 1 > 200_000:
        return False
    return _truncated_tail(t[nl + 1:].decode("utf-8"), delim, width)


#: Longest cell kept, in characters; longer ones are cut (a title or note is never this long,
#: and every later step — sport names, classification, exports — reads these texts).
MAX_CELL_CHARS = TEXT_MAX_CHARS
#: Most columns read from one table (activity exports have at most about a hundred).
MAX_COLUMNS = 1000
#: Longest cell the row-by-row reader accepts, in characters.
MAX_FIELD_CHARS = 16 * 1024 * 1024


def cap_cells(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every cell longer than :data:`MAX_CELL_CHARS` cut to that length; the
    number cut is in ``attrs["cut_cells"]``. Vectorised; does not mutate ``df``."""
    cut = 0
    cols: dict[object, pd.Series] = {}
    for c in df.columns:
        s = df[c]
        lengths = s.str.len()
        long = (lengths > MAX_CELL_CHARS).fillna(False).to_numpy(dtype=bool)
        if long.any():
            s = s.copy()
            s[long] = s[long].str.slice(0, MAX_CELL_CHARS)
            cut += int(long.sum())
        cols[c] = s
    if not cut:
        return df
    out = pd.DataFrame(cols, copy=False)
    out.attrs["cut_cells"] = cut
    return out


def check_width(columns: list[str], file_name: str) -> None:
    """Refuse a header wider than :data:`MAX_COLUMNS` before its rows are read."""
    if len(columns) > MAX_COLUMNS:
        raise UnreadableFile(
            f"{file_name} has more than the {MAX_COLUMNS:,} columns an activity list can have "
            f"(its header names {len(columns):,} in its first 20,000 characters); it is not an "
            "activity export.")


_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("date", re.compile(r"\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2})?.*)?|"
                        r"\d{1,2}[./]\d{1,2}[./]\d{2,4}( \d{1,2}:\d{2}(:\d{2})?.*)?|"
                        r"\d{4}/\d{1,2}/\d{1,2}.*")),
    ("duration", re.compile(r"\d{1,3}:\d{2}(:\d{2})?([.,]\d+)?")),
    ("number", re.compile(r"[-+]?\d[\d.,' ]*")),
)


def _kind(cell: str) -> str:
    """"date", "duration", "number" or "text": what a cell's value looks like."""
    t = cell.strip()
    for name, rx in _KINDS:
        if rx.fullmatch(t):
            return name
    return "text"


def _sample_rows(lines: Sequence[str], delim: str, limit: int = 20) -> list[list[str]]:
    rows = []
    for ln in lines[:limit]:
        if ln.strip():
            try:
                rows.append(next(csv.reader([ln], delimiter=delim)))
            except (csv.Error, StopIteration):
                continue
    return rows


def _check_header_names(columns: list[str], file_name: str,
                        sample: Sequence[Sequence[str]] = ()) -> None:
    """Refuse text whose 'header' is prose or numbers rather than column names, and tables
    whose first line is already a data row (a date, numbers and durations where the rows
    below hold the same kinds of values: the header row is missing)."""
    named = [c for c in columns if c]
    longish = sum(len(c) > 80 or len(c.split()) >= 5 for c in named)
    numeric = sum(bool(re.fullmatch(r"[-+]?[\d.,:/ ]+", c)) for c in named)
    if named and sample:
        kinds = [_kind(c) for c in columns]
        same = 0
        dated = False
        valued = 0
        for j, k in enumerate(kinds):
            if k == "text":
                continue
            valued += 1
            below = [_kind(r[j]) for r in sample if j < len(r) and r[j].strip()]
            if below and sum(b == k for b in below) >= 0.6 * len(below):
                same += 1
                dated = dated or k == "date"
        if same and (dated or same >= max(2, valued // 2 + 1)):
            shown = ", ".join(f"'{c}'" for c in columns[:4] if c)
            more = ", ..." if len(columns) > 4 else ""
            raise UnsupportedFormat(
                f"{file_name} starts with a row of values ({shown}{more}) where the column "
                "names should be: the header row is missing. Add a first line naming the "
                "columns (for example date, type, duration, distance) and upload it again.")
    if not named or longish > len(named) / 2 or numeric > len(named) / 2:
        raise UnsupportedFormat(
            f"{file_name} is not a CSV table with a header line of column names; Stridewise "
            "reads activity lists (CSV), FIT, TCX, GPX and zip exports.")


def _truncated_tail(body: str, delim: str, width: int) -> tuple[int, int] | None:
    """(fields, width) when the file ends without a newline inside a short last record."""
    body = body.rstrip(" \t\x00")
    if not body or body.endswith(("\n", "\r")) or width < 3:
        return None
    tail = body[-200_000:]
    start = tail.rfind("\n") + 1
    last = tail[start:]
    try:
        n = len(next(csv.reader([last], delimiter=delim)))
    except (csv.Error, StopIteration):
        return None
    quotes_open = last.count('"') % 2 == 1
    if n < width or quotes_open:
        return (n, width)
    return None


def _read_body(body: str, delim: str, width: int, file_name: str,
               body_bytes: memoryview | None = None) -> pd.DataFrame:
    if not body or body.isspace():  # (not body.strip(): the same test without a copy)
        return pd.DataFrame({i: pd.Series([], dtype="str") for i in range(width)})
    names = list(range(width))
    fast = None
    if body[:1] != " ":  # leading-space layouts need skipinitialspace
        fast = _read_body_arrow(body_bytes if body_bytes is not None else body.encode("utf-8"),
                                delim, width)
    if fast is not None:
        return fast
    try:
        df = pd.read_csv(io.StringIO(body), sep=delim, header=None, names=names, dtype=str,
                         keep_default_na=False, na_filter=False, skipinitialspace=True,
                         skip_blank_lines=True, engine="c", index_col=False,
                         on_bad_lines="error")
    except pd.errors.ParserError:
        try:
            df = _read_body_lenient(body, delim, width)
        except csv.Error as exc:
            raise UnreadableFile(
                f"{file_name} has a row that cannot be read as CSV ({exc}); a cell may be far "
                "too long or a quote may be left open.") from exc
    except (ValueError, UnicodeError, csv.Error) as exc:
        raise UnreadableFile(f"{file_name} could not be read as CSV ({exc}).") from exc
    # Rows that are blank in every field (e.g. a line of spaces) are not records.
    return df.fillna("")


def _read_body_arrow(body_bytes: bytes | memoryview, delim: str,
                     width: int, only: list[int] | None = None) -> pd.DataFrame | None:
    """Fast parse with pyarrow; None when the rows do not all have ``width`` fields (the
    pandas/python readers then handle ragged rows). With ``only``, just those columns are
    converted (labelled by position; every row is still checked).

    ``body_bytes`` must be valid UTF-8 (callers decoded or checked them), so cells are read as
    binary and viewed as text without a second check.
    """
    names = [str(i) for i in range(width)]
    positions = list(range(width)) if only is None else sorted(set(only))
    block = 1 << 22
    for _attempt in range(2):
        try:
            return _arrow_frame(body_bytes, delim, names, positions, only, block)
        except pa.ArrowInvalid as exc:
            # a row longer than a block (one huge cell): once more with one block for all
            if "straddl" not in str(exc) or block >= len(body_bytes) + 1:
                return None
            block = min(len(body_bytes) + 1, 1 << 30)
        except (pa.ArrowException, ValueError, UnicodeError):
            return None
    return None


def _arrow_frame(body_bytes: bytes | memoryview, delim: str, names: list[str],
                 positions: list[int], only: list[int] | None, block: int) -> pd.DataFrame:
    tbl = pacsv.read_csv(
        pa.BufferReader(pa.py_buffer(body_bytes)),
        # One thread: measured faster than Arrow's pool for all-text columns (~18 vs ~22 ms
        # for 10,000 x 99 cells on 2 cores).
        read_options=pacsv.ReadOptions(column_names=names, block_size=block,
                                       use_threads=False),
        parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.large_binary() for n in names}, strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            include_columns=None if only is None else [names[i] for i in positions]))
    # Each column wrapped as pandas' default "str" array directly (cheaper than to_pandas).
    return pd.DataFrame({i: pd.arrays.ArrowStringArray(_as_text(col), dtype=_STR)
                         for i, col in zip(positions, tbl.columns, strict=True)}, copy=False)


def _as_text(col: pa.ChunkedArray) -> pa.ChunkedArray:
    return pa.chunked_array([c.view(pa.large_string()) for c in col.chunks],
                            type=pa.large_string())


_STR = pd.StringDtype("pyarrow", na_value=np.nan)


def _read_body_lenient(body: str, delim: str, width: int) -> pd.DataFrame:
    """Python-csv fallback for rows wider than the header: extra fields beyond the header are
    kept in an overflow column so callers can report those rows."""
    rows: list[list[str]] = []
    if csv.field_size_limit() < MAX_FIELD_CHARS:
        csv.field_size_limit(MAX_FIELD_CHARS)
    for row in csv.reader(io.StringIO(body), delimiter=delim, skipinitialspace=True):
        if not row or not any(c.strip() for c in row):
            continue
        if len(row) > width:
            extra = [c for c in row[width:] if c.strip()]
            row = row[:width] + (["\x00overflow"] if extra else [])
        rows.append(row)
    df = pd.DataFrame(rows, dtype="str")
    return df.fillna("")


def overflow_rows(table: Table) -> np.ndarray:
    """Boolean mask of records that had more non-empty fields than the header."""
    n = len(table.columns)
    if table.data.shape[1] <= n:
        return np.zeros(len(table.data), dtype=bool)
    return (table.data[n] == "\x00overflow").to_numpy()


# --------------------------------------------------------------------------- finishing

def finish_report(rows: pd.DataFrame, table: Table | None, ctx: ReadContext, *, source: str,
                  file_name: str, fmt: str, assumptions: Iterable[str] = (),
                  warnings: Iterable[str] = (), skipped: Iterable[SkippedRow] = (),
                  units: str | None = None, keep: Iterable[str] = (),
                  line_of: Callable[[int], int] | None = None) -> ImportReport:
    """Check and finish importer rows into an :class:`ImportReport`.

    ``rows`` holds canonical columns plus ``row_number`` (file line). Rows without a readable
    start or duration are skipped with their reason; implausible optional values become NaN
    with a note; an implausible duration falls back to the moving time where that is
    plausible. ``keep`` names extra columns to keep (e.g. ``strava_filename``). With
    ``line_of``, ``row_number`` holds record positions that ``line_of`` turns into file lines
    (only for rows that are reported, so big clean files never pay for line counting).
    """
    ln: Callable[[int], int] = line_of or int
    keep = list(keep)
    skipped_rows = list(skipped)
    notes = list(warnings)
    out = rows.copy(deep=False)  # columns are replaced, never modified in place
    if "row_number" not in out.columns:
        out["row_number"] = np.arange(len(out)) + 1
    # start (an optional ``start_reason`` column says why a row has none)
    bad_start = out["start"].isna().to_numpy()
    if bad_start.any():
        why = (out["start_reason"].to_numpy(dtype=object)[bad_start]
               if "start_reason" in out.columns else [""] * int(bad_start.sum()))
        for rn, reason in zip(out["row_number"].to_numpy()[bad_start], why, strict=True):
            skipped_rows.append(SkippedRow(ln(int(rn)),
                                           reason if isinstance(reason, str) and reason
                                           else "no readable date/time"))
        out = out.loc[~bad_start]
    # duration: fall back to moving time, then skip
    dur = _numeric(out["duration_s"]) if "duration_s" in out else None
    if dur is None:
        out["duration_s"] = np.nan
        dur = out["duration_s"]
    mov = _numeric(out["moving_s"]) if "moving_s" in out else dur * np.nan
    lo, hi = RANGES["duration_s"]
    implausible = dur.notna() & ((dur < lo) | (dur > hi))
    if implausible.any():
        use_moving = implausible & mov.notna() & (mov >= lo) & (mov <= hi)
        for rn, d in zip(out.loc[use_moving, "row_number"], dur[use_moving], strict=True):
            notes.append(f"row {ln(int(rn))}: elapsed time of {d / 86400:.1f} days is not "
                         "plausible; the moving time was used instead")
        dur = dur.where(~use_moving, mov)
        implausible = implausible & ~use_moving
    if dur.isna().any():
        dur = dur.where(dur.notna(), mov.where((mov >= lo) & (mov <= hi)))
    # A session with a distance but no time (or 0 s) is still a session: its duration is
    # estimated from the pace of the file's other sessions of that sport and marked.
    estimated = pd.Series(False, index=out.index)
    if "distance_m" in out.columns:
        dist = _numeric(out["distance_m"])
        no_time = (dur.isna() | dur.le(0)) & ~implausible & dist.gt(0)
        if no_time.any():
            guess, sentence = estimate_durations(out["sport"].astype("str"), dist, dur, no_time)
            got = no_time & guess.notna()
            if got.any():
                dur = dur.where(~got, guess)
                estimated = got
                notes.append(sentence.format(n=int(got.sum())))
    out["duration_s"] = dur
    if estimated.any():
        out["duration_estimated"] = estimated
        keep = [*keep, "duration_estimated"]
    missing = (dur.isna() | implausible).to_numpy()
    if missing.any():
        for rn, d in zip(out.loc[missing, "row_number"], dur[missing], strict=True):
            reason = ("no duration" if pd.isna(d) else
                      f"duration of {d:g} s is not plausible")
            skipped_rows.append(SkippedRow(ln(int(rn)), reason))
        out = out.loc[~missing]
    if "moving_s" in out:
        m = _numeric(out["moving_s"])
        out["moving_s"] = m.where((m >= 0) & (m <= out["duration_s"] * 1.0001 + 1))
    # optional ranges
    for col, (clo, chi) in RANGES.items():
        if col in ("duration_s", "moving_s") or col not in out.columns:
            continue
        v = _numeric(out[col])
        bad = v.notna() & ((v < clo) | (v > chi))
        if bad.any():
            first = ln(int(out.loc[bad, "row_number"].iloc[0]))
            notes.append(f"{int(bad.sum())} implausible {col.replace('_', ' ')} value(s) were "
                         f"left empty (first at row {first})")
            v = v.where(~bad)
        out[col] = v
    cols = [c for c in out.columns if c in COLUMNS or c == "row_number" or c in keep]
    sessions, dups = finish_sessions(out[cols], ctx, source=source, file_name=file_name)
    skipped_rows.extend(SkippedRow(None if d.row is None else ln(d.row), d.reason) for d in dups)
    skipped_rows.sort(key=lambda s: (s.row is None, s.row or 0))
    return ImportReport(file_name=file_name, format=fmt, sessions=sessions,
                        skipped=skipped_rows, assumptions=list(dict.fromkeys(assumptions)),
                        warnings=notes, units=units)  # type: ignore[arg-type]


def estimate_durations(sport: pd.Series, dist_m: pd.Series, dur_s: pd.Series,
                       wanted: pd.Series) -> tuple[pd.Series, str]:
    """Durations (s) for the ``wanted`` sessions from their distance: at the median pace of the
    file's timed sessions of the same sport, else at :data:`DEFAULT_PACE_S_PER_KM`; NaN for
    sports without either. Also the report sentence (``{n}`` = sessions estimated)."""
    timed = dur_s.gt(0) & dist_m.gt(0) & ~wanted
    pace = (dur_s[timed] / (dist_m[timed] / 1000.0)).groupby(sport[timed]).median()
    per_km = sport.map(pace).where(lambda p: p.notna(), sport.map(DEFAULT_PACE_S_PER_KM))
    guess = (dist_m / 1000.0 * per_km).where(wanted)
    used = [f"{sp.replace('_', ' ')} {int(v // 60)}:{int(round(v % 60)):02d} per km"
            for sp, v in pace.items() if (wanted & sport.eq(sp)).any()]
    basis = ("the median pace of this file's timed sessions of the same sport ("
             + ", ".join(used) + ")" if used else "a typical pace for the sport")
    sentence = ("{n} session(s) have a distance but no recorded time; they were kept with "
                f"their duration estimated from {basis} and marked duration_estimated, so "
                "their minutes and load are estimates")
    return guess, sentence


def _numeric(s: pd.Series) -> pd.Series:
    """``pd.to_numeric(s, errors="coerce")`` without the pass over columns that already are
    float64."""
    return s if s.dtype == np.float64 else pd.to_numeric(s, errors="coerce")


def text_or_empty(s: pd.Series | None, n: int, index: pd.Index) -> pd.Series:
    if s is None:
        return pd.Series([""] * n, index=index, dtype="str")
    return s.astype("str").str.strip()
