"""Shared parsing of the values found in real exports: numbers, durations, dates, booleans.

Everything here is vectorised over pandas Series where it can be, and looks at a whole column
before deciding something ambiguous (is ``1,500`` one and a half or fifteen hundred? is
``03/04/21`` the 3rd of April or the 4th of March?). Results carry the assumption made so the
import report can say it.

* Numbers: decimal comma or point, thousands separators (``1,132``  ``2.932``  ``1 025``),
  placeholders (``--``, ``n/a``, empty), mixed formats within one column.
* Durations: ``h:mm:ss``, ``mm:ss``, ``h:mm`` (when told), fractions (``00:08:02.2``,
  ``00:01:39,6``), Excel-mangled ``30:48:00`` (minutes shown as hours), plain seconds.
* Dates: ISO, numeric D/M/Y, M/D/Y or Y/M/D (order inferred per column), month names and
  weekday names in English, German, French, Spanish, Italian, Dutch, Danish, Hungarian and
  Portuguese (``Jan 4, 2020, 2:57:37 PM``, ``23 jun. 2017 15:52:12``, ``Fr, 25 Mai 2012 20:31``,
  ``lun., 30 juin 2014 7:03``, ``Sept. 3, 2015``), optional UTC offsets.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "PLACEHOLDERS", "DateResult", "clean_text", "infer_decimal", "parse_bool", "parse_dates",
    "parse_durations", "parse_numbers",
]

#: Cell texts that mean "no value" (compared after strip + lower-case).
PLACEHOLDERS: Final[frozenset[str]] = frozenset({
    "", "-", "--", "---", "—", "–", "n/a", "na", "nan", "none", "null", "nil", "--:--:--",
    "--:--", "-:--", "--:--.-", "#n/a", "#value!", "?",
})

Decimal = Literal[",", "."]


def clean_text(s: pd.Series) -> pd.Series:
    """Stripped text with placeholders turned into NA (object dtype, never mutates ``s``)."""
    t = s.astype("string").str.strip()
    low = t.str.lower()
    return t.mask(low.isin(PLACEHOLDERS) | t.isna())


_PLACEHOLDER_ARRAY: Final = pa.array(sorted(PLACEHOLDERS), type=pa.string())


# --------------------------------------------------------------------------- numbers

_COMMA_DEC = re.compile(r"^[+-]?\d*,(\d{1,2}|\d{4,})$")
_POINT_DEC = re.compile(r"^[+-]?\d*\.(\d{1,2}|\d{4,})$")


def infer_decimal(*columns: pd.Series) -> Decimal | None:
    """The decimal mark the columns use, judged from values that cannot be thousands groups.

    ``"3,40"`` or ``"2,9"`` is evidence for a decimal comma, ``"4.23"`` for a point; values like
    ``1,500`` prove nothing. Returns None when there is no evidence.
    """
    comma = point = 0
    for col in columns:
        if col is None or len(col) == 0 or pd.api.types.is_numeric_dtype(col.dtype):
            continue
        cleaned, present = _clean_arrow(col.head(2000))
        if not present.any():
            continue
        c, p = _decimal_evidence(cleaned.filter(pa.array(present)))
        comma += c
        point += p
    if comma == point == 0:
        return None
    return "," if comma > point else "."


_GROUP_CHARS: Final = re.compile(r"[\s\u00a0\u202f']")
# The same rules for ASCII text in RE2 syntax (Arrow): Python's \s on ASCII, ASCII digits.
_ASCII_GROUP_CHARS: Final = r"[\t\n\v\f\r \x1c-\x1f']"
_ASCII_COMMA_DEC: Final = r"^[+-]?[0-9]*,([0-9]{1,2}|[0-9]{4,})$"
_ASCII_POINT_DEC: Final = r"^[+-]?[0-9]*\.([0-9]{1,2}|[0-9]{4,})$"
#: A number ``pd.to_numeric`` and Arrow's cast both read, with ASCII spaces around it.
_PLAIN_NUMBER: Final = r"^[ \t\n\f\r]*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t\n\f\r]*$"


def _count_matches(arr: pa.Array, pattern: str) -> int:
    return int(pc.sum(pc.match_substring_regex(arr, pattern)).as_py() or 0)


def _decimal_evidence(texts: pa.Array) -> tuple[int, int]:
    """(values that prove a decimal comma, values that prove a decimal point) among stripped,
    present texts, once group separators (spaces, apostrophes) are removed."""
    if len(texts) == 0:
        return 0, 0
    if pc.all(pc.string_is_ascii(texts)).as_py():
        t = pc.replace_substring_regex(texts, _ASCII_GROUP_CHARS, "")
        return _count_matches(t, _ASCII_COMMA_DEC), _count_matches(t, _ASCII_POINT_DEC)
    cleaned = [_GROUP_CHARS.sub("", x) for x in texts.to_pylist()]
    return (sum(_COMMA_DEC.fullmatch(x) is not None for x in cleaned),
            sum(_POINT_DEC.fullmatch(x) is not None for x in cleaned))


def parse_numbers(s: pd.Series | None, decimal: Decimal | None = None) -> pd.Series:
    """Localised number texts -> float64 (NaN for placeholders and text that is no number).

    Per value: spaces/apostrophes are group separators; with both ``,`` and ``.`` the last one is
    the decimal mark; a lone mark followed by exactly three digits (``1,500``, ``2.932``) is a
    thousands separator unless ``decimal`` says that mark is the decimal one; otherwise a lone
    mark is decimal. ``decimal`` defaults to what the column itself shows (see
    :func:`infer_decimal`). Plain numbers take a vectorised fast path (Arrow); only the other
    cells are looked at one by one.
    """
    if s is None:
        return pd.Series(dtype="float64")
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return s.astype("float64")
    raw = _arrow_text(s)
    trimmed = pc.utf8_trim_whitespace(raw)
    blank = pc.fill_null(pc.equal(trimmed, ""), True)
    null_str = pa.scalar(None, trimmed.type)
    try:
        v = pc.cast(pc.if_else(blank, null_str, trimmed), pa.float64())
        v = v.to_numpy(zero_copy_only=False).copy()
        all_plain = True
    except (pa.ArrowException, TypeError, ValueError):
        all_plain = False
        plain = pc.fill_null(pc.match_substring_regex(raw, _PLAIN_NUMBER), False)
        v = pc.cast(pc.if_else(plain, trimmed, null_str), pa.float64())
        v = v.to_numpy(zero_copy_only=False).copy()
        other = ~plain.to_numpy(zero_copy_only=False) & ~blank.to_numpy(zero_copy_only=False)
        if other.any():  # everything else as pd.to_numeric reads it
            pos = np.flatnonzero(other)
            v[pos] = pd.to_numeric(s.iloc[pos], errors="coerce").astype(
                "float64").to_numpy()
    if all_plain and decimal != ",":
        return pd.Series(v, index=s.index, dtype="float64")  # plain numbers or empty cells
    placeholder = pc.or_kleene(
        pc.is_null(trimmed), pc.is_in(pc.utf8_lower(trimmed), value_set=_PLACEHOLDER_ARRAY))
    placeholder = pc.fill_null(placeholder, True).to_numpy(zero_copy_only=False)
    unparsed = np.isnan(v) & ~placeholder
    with np.errstate(invalid="ignore"):
        nonint = np.isfinite(v) & (v != np.floor(v))
        three = nonint & np.isclose(v * 1000, np.round(v * 1000)) & ~np.isclose(
            v * 100, np.round(v * 100))
    if decimal is None and unparsed.any():
        comma = _decimal_evidence(trimmed.filter(pa.array(unparsed)))[0]
        point = int((nonint & ~three).sum())
        decimal = None if comma == point == 0 else ("," if comma > point else ".")
    redo = unparsed | (nonint if decimal == "," else np.zeros(len(v), dtype=bool))
    if redo.any():
        texts = trimmed.filter(pa.array(redo)).to_pylist()
        v[redo] = _parse_slow(texts, placeholder[redo], decimal)
    return pd.Series(v, index=s.index, dtype="float64")


def _arrow_text(s: pd.Series) -> pa.Array:
    """The cells of ``s`` as one Arrow string array (as ``s.astype("string")`` has them)."""
    t = s if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow" \
        else s.astype("string")
    arr = pa.array(t.array)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


_SLOW_DROP = re.compile(r"[\s\u00a0\u202f'’%]")
_GROUPED_COMMA = re.compile(r"[+-]?\d{1,3}(,\d{3})+")
_GROUPED_POINT = re.compile(r"[+-]?\d{1,3}(\.\d{3})+")


def _parse_slow(texts: list[str | None], placeholder: np.ndarray,
                decimal: Decimal | None) -> np.ndarray:
    """Stripped texts that are not plain numbers -> float64, one by one (see
    :func:`parse_numbers` for the rules); ``placeholder`` marks cells that mean "no value"."""
    out: list[str | None] = []
    for text, absent in zip(texts, placeholder, strict=True):
        if text is None or absent:
            out.append(None)
            continue
        t = _SLOW_DROP.sub("", text)
        if t.startswith("+"):
            t = t[1:]
        has_c, has_p = "," in t, "." in t
        if has_c and has_p:
            if t.rfind(",") > t.rfind("."):
                t = t.replace(".", "").replace(",", ".")
            else:
                t = t.replace(",", "")
        elif has_c:
            thousands = decimal != "," and _GROUPED_COMMA.fullmatch(t) is not None
            t = t.replace(",", "") if thousands or t.count(",") > 1 else t.replace(",", ".")
        elif has_p and decimal == "," and _GROUPED_POINT.fullmatch(t) is not None:
            t = t.replace(".", "")
        out.append(t)
    return pd.to_numeric(pd.Series(out, dtype=object), errors="coerce").astype(
        "float64").to_numpy()


# --------------------------------------------------------------------------- booleans

_TRUE: Final = frozenset({"true", "yes", "ja", "oui", "si", "sí", "sim", "igen", "1", "x", "y"})


def parse_bool(s: pd.Series) -> pd.Series:
    """``true``/``Yes``/``Ja``/``Sim``/``Igen``/``1`` -> True, anything else False."""
    return s.astype("string").str.strip().str.lower().isin(_TRUE).fillna(False).astype(bool)


# --------------------------------------------------------------------------- durations

_DUR = re.compile(
    r"^(?:(?P<d>\d+)[d.]\s*)?(?P<a>\d+):(?P<b>\d{1,2})(?::(?P<c>\d{1,2}))?(?:[.,](?P<f>\d+))?$")


def parse_durations(s: pd.Series, *, two_part: Literal["ms", "hm"] = "ms",
                    number_unit_s: float = 1.0, excel_fix: bool = True) -> pd.Series:
    """Duration texts -> seconds (float64, NaN where absent or unreadable).

    ``h:mm:ss`` / ``hh:mm:ss.f`` / ``mm:ss,f``; two-part values are ``mm:ss`` unless
    ``two_part="hm"``; plain numbers are multiplied by ``number_unit_s`` (1 = seconds,
    60 = minutes, 3600 = hours). With ``excel_fix``, a column whose three-part values all end in
    ``:00`` is read as Excel's mangled ``mm:ss:00`` only when read as hours it could not be a
    session log: some value reaches 24 hours, or (five values or more) the typical value is
    six hours or more. ``00:45:00`` stays 45 minutes however many values end in ``:00``
    (durations rounded to the minute are common).
    """
    t = clean_text(s)
    parts = t.str.extract(_DUR.pattern)
    a = pd.to_numeric(parts["a"], errors="coerce")
    b = pd.to_numeric(parts["b"], errors="coerce")
    c = pd.to_numeric(parts["c"], errors="coerce")
    days = pd.to_numeric(parts["d"], errors="coerce").fillna(0.0)
    frac_txt = parts["f"].astype("string")
    frac = pd.to_numeric("0." + frac_txt.fillna("0"), errors="coerce").fillna(0.0)
    three = c.notna()
    if excel_fix and three.any():
        n3 = int(three.sum())
        all_zero = bool((c[three] == 0).all()) and bool((frac[three] == 0).all())
        hours = a[three]
        if all_zero and (bool((hours >= 24).any())
                         or (n3 >= 5 and float(hours.median()) >= 6)):
            # Excel re-saved "30:48" (mm:ss) as "30:48:00": shift every part one place.
            c = c.where(~three, b)
            b = b.where(~three, a)
            a = a.where(~three, 0.0)
    if two_part == "hm":
        secs_two = a * 3600 + b * 60
    else:
        secs_two = a * 60 + b + frac
    secs_three = a * 3600 + b * 60 + c + frac
    secs = pd.Series(np.where(three, secs_three, secs_two), index=s.index, dtype="float64")
    secs = secs + days * 86400
    plain = secs.isna() & t.notna()
    if plain.any():
        nums = parse_numbers(t.where(plain))
        secs = secs.where(~plain, nums * number_unit_s)
    return secs.astype("float64")


# --------------------------------------------------------------------------- dates

_MONTHS: Final[dict[str, int]] = {}
for _num, _names in enumerate((
    "jan january januar janvier enero gennaio januari janeiro janv ene gen janu",
    "feb february februar fevrier febrero febbraio februari fevereiro fev fevr febr",
    "mar march marz mars marzo maart marco maerz marc mrt mart",
    "apr april avril abril aprile abr avr",
    "may mai mayo maggio mei maio mag maj",
    "jun june juni juin junio giugno junho giu",
    "jul july juli juillet julio luglio julho juil lug",
    "aug august aout agosto augustus ago aou",
    "sep sept september septembre septiembre settembre setembro set szept",
    "oct october oktober octobre octubre ottobre outubro okt ott out",
    "nov november novembre noviembre novembro",
    "dec december dezember decembre diciembre dicembre dezembro dez dic",
), start=1):
    for _n in _names.split():
        _MONTHS[_n] = _num

_WEEKDAYS: Final[frozenset[str]] = frozenset(
    "mon tue tues wed thu thur thurs fri sat sun monday tuesday wednesday thursday friday "
    "saturday sunday mo di mi do fr sa so montag dienstag mittwoch donnerstag freitag samstag "
    "sonntag lun mar mer jeu ven sam dim lundi mardi mercredi jeudi vendredi samedi dimanche "
    "lunes martes miercoles jueves viernes sabado domingo mie jue vie sab dom lunedi martedi "
    "mercoledi giovedi venerdi ma wo vr za zo maandag dinsdag woensdag donderdag vrijdag "
    "zaterdag zondag man tir ons tor fre lor son mandag tirsdag onsdag torsdag fredag lordag "
    "sondag seg ter qua qui sex segunda terca quarta quinta sexta h k sze cs p v hetfo kedd "
    "szerda csutortok pentek szombat vasarnap".split())

_FILLERS: Final[frozenset[str]] = frozenset({"de", "of", "the", "um", "a", "at", "le", "el", "om",
                                             "kl", "klo", "alle", "das", "as", "o", "th", "st",
                                             "nd", "rd", "t", "z", "utc", "gmt", "er"})

_TIME = re.compile(
    r"(?<![\d])(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?\s*(am|pm|a\.\s?m\.?|p\.\s?m\.?)?",
    re.IGNORECASE)
_OFFSET = re.compile(r"(?:\s|(?<=\d))(?:z|[+-]\d{2}:?\d{2})$", re.IGNORECASE)


@dataclass(frozen=True)
class DateResult:
    """Parsed date-times and what was assumed to get them.

    values: naive datetime64 (NaT where unreadable). order: "DMY"/"MDY"/"YMD" used for numeric
    dates (None when the column had none). assumption: a sentence when the order was a guess.
    utc_offset: True when the texts carried UTC offsets (values are then converted to UTC).
    """

    values: pd.Series
    order: str | None = None
    assumption: str | None = None
    utc_offset: bool = False
    note: str | None = None
    #: Per row: the date text when it was read but lies outside :data:`YEARS` (else NA).
    out_of_range: pd.Series | None = None
    #: Per row: the date text when it is a placeholder time (:data:`PLACEHOLDER_DATES`).
    placeholder: pd.Series | None = None

    def sentences(self) -> list[str]:
        """What the import report should say about how these dates were read."""
        return [t for t in (self.assumption, self.note) if t]

    def reasons(self) -> pd.Series:
        """Per row, why its date is missing ("" where the date was read): the skipped-row
        reason an importer reports."""
        out = pd.Series("", index=self.values.index, dtype="object")
        missing = self.values.isna()
        out[missing] = "no readable date/time"
        if self.out_of_range is not None:
            bad = self.out_of_range.notna() & missing
            lo, hi = YEARS
            out[bad] = [f"the date '{t}' is outside the years {lo}-{hi}, so it cannot be a "
                        "session date" for t in self.out_of_range[bad]]
        if self.placeholder is not None:
            bad = self.placeholder.notna() & missing
            out[bad] = [f"the date '{t}' is a placeholder that apps write when no date was "
                        "recorded (the start of Unix time or of signed 32-bit time), not a "
                        "session date" for t in self.placeholder[bad]]
        return out


#: Years accepted as session dates; others (year 1, 1677, 9999, sentinels) are refused per row.
YEARS: Final[tuple[int, int]] = (1900, 2200)
#: Date-times that exports write for "no date": Unix time 0 and the most negative signed
#: 32-bit Unix time. Rows carrying them are refused with that reason, never dated by them.
PLACEHOLDER_DATES: Final[tuple[np.datetime64, ...]] = (
    np.datetime64("1970-01-01T00:00:00", "s"), np.datetime64("1901-12-13T20:45:52", "s"))


def _within_years(stamps: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(datetime64[ns] values with out-of-range years and placeholders as NaT, mask of the
    out-of-range ones, mask of the placeholders)."""
    arr = np.asarray(stamps)
    if arr.dtype.kind != "M":
        arr = pd.to_datetime(pd.Series(arr), errors="coerce").to_numpy()
    arr = arr.astype("datetime64[s]")
    present = ~np.isnat(arr)
    years = np.where(present, arr.astype("datetime64[Y]").astype(np.int64) + 1970, YEARS[0])
    bad = present & ((years < YEARS[0]) | (years > YEARS[1]))
    held = present & np.isin(arr, np.array(PLACEHOLDER_DATES))
    arr = arr.copy()
    arr[bad | held] = np.datetime64("NaT")
    return arr.astype("datetime64[ns]"), bad, held


_FAST_FORMATS: Final[tuple[str, ...]] = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d",
    "%b %d, %Y, %I:%M:%S %p", "%b %d, %Y %I:%M:%S %p",
)


def _fold(text: str) -> str:
    t = unicodedata.normalize("NFKD", text.casefold().replace("ø", "o").replace("æ", "ae"))
    return "".join(ch for ch in t if not unicodedata.combining(ch))


def _split_one(text: str) -> tuple[list[str], int | None, tuple[int, int, int] | None, bool]:
    """Tokens of the date part, month from a name, (h, m, s) and whether an offset was seen."""
    t = _fold(text.strip())
    has_offset = bool(_OFFSET.search(t)) and bool(re.search(r"\d{2}:\d{2}|t\d{2}", t))
    if has_offset:
        t = _OFFSET.sub("", t)
    t = re.sub(r"(?<=\d)t(?=\d{2}:)", " ", t)
    hms = None
    m = _TIME.search(t)
    if m:
        h, mi, sec = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        ampm = (m.group(4) or "").replace(" ", "").replace(".", "")
        if ampm == "pm" and h < 12:
            h += 12
        elif ampm == "am" and h == 12:
            h = 0
        hms = (h, mi, sec)
        t = t[:m.start()] + " " + t[m.end():]
    nums: list[str] = []
    months: list[tuple[str, int]] = []
    for tok in re.findall(r"[a-z]+|\d+", t):
        if tok.isdigit():
            nums.append(tok)
        elif tok in _MONTHS:
            months.append((tok, _MONTHS[tok]))
        elif tok in _WEEKDAYS or tok in _FILLERS:
            continue
        elif len(tok) > 3 and tok[:3] in _MONTHS:
            months.append((tok, _MONTHS[tok[:3]]))
        else:
            return [], None, None, False
    if len(months) > 1:  # "mar., 24 juin": 'mar' is Tuesday here, not March
        months = [m for m in months if m[0] not in _WEEKDAYS] or months[-1:]
    if len(months) > 1:
        return [], None, None, False
    month = months[0][1] if months else None
    return nums, month, hms, has_offset


def _year(y: int) -> int:
    if y < 100:
        return 2000 + y if y < 70 else 1900 + y
    return y


def parse_dates(s: pd.Series, *, order: str | None = None) -> DateResult:
    """Date(-time) texts in any of the corpus' languages and orders -> naive datetimes.

    ``order`` ("DMY"/"MDY"/"YMD") decides numeric dates; without it the order is inferred from
    the whole column (a first number above 12 means day-first, a second above 12 month-first;
    a 4-digit first number means year-first) and, if still ambiguous, taken from the separator
    (``.`` day-first, ``/`` month-first) with an assumption sentence. Values with UTC offsets
    are converted to UTC (check ``utc_offset``).
    """
    arr, present = _clean_arrow(s)
    if not present.any():
        return DateResult(pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]"))
    # Fast path: one strict format for the whole column (the common exports).
    sample = arr.filter(pa.array(present))
    head = pd.Series(sample.slice(0, 20).to_pylist(), dtype="string")
    for fmt in _FAST_FORMATS:
        try:
            pd.to_datetime(head, format=fmt, errors="raise")
        except (ValueError, TypeError):
            continue
        fixed = _month_name_format(sample, fmt)
        if fixed is not None:
            parsed = pd.Series(fixed)
        else:
            try:  # Arrow's strptime is several times faster than pandas' on big columns
                ts = pc.strptime(sample, format=fmt, unit="s", error_is_null=False)
                parsed = pd.Series(ts.to_pandas())
            except (pa.ArrowException, ValueError, TypeError):
                try:
                    parsed = pd.to_datetime(pd.Series(sample.to_pylist(), dtype="string"),
                                            format=fmt, errors="raise")
                except (ValueError, TypeError):
                    continue
        values = np.full(len(s), np.datetime64("NaT"), dtype="datetime64[ns]")
        inside, bad, held = _within_years(parsed.to_numpy())
        values[present] = inside
        out = pd.Series(values, index=s.index)
        rejected = placeholder = None
        if bad.any() or held.any():
            texts = np.asarray(sample.to_pylist(), dtype=object)
            rows = np.flatnonzero(present)
            rejected = pd.Series(pd.NA, index=s.index, dtype="object")
            rejected.iloc[rows[bad]] = texts[bad]
            placeholder = pd.Series(pd.NA, index=s.index, dtype="object")
            placeholder.iloc[rows[held]] = texts[held]
        return DateResult(out, "YMD" if fmt.startswith("%Y") else None,
                          out_of_range=rejected, placeholder=placeholder)
    t = clean_text(s)
    sample = t[present]
    uniques = pd.unique(sample.astype(object))
    split = {u: _split_one(str(u)) for u in uniques}
    # Infer the order of all-numeric dates from the whole column.
    triples = [v[0] for v in split.values() if v[1] is None and len(v[0]) >= 3]
    used_order = order
    assumption = note = None
    names = {"DMY": "day/month/year", "MDY": "month/day/year", "YMD": "year/month/day"}
    if triples and used_order is None:
        if any(len(n[0]) == 4 for n in triples):
            used_order = "YMD"
        elif any(int(n[0]) > 12 for n in triples):
            used_order = "DMY"
            ex = next(u for u, v in split.items() if v[0] in triples and int(v[0][0]) > 12)
            note = f"dates read as day/month/year, as values such as '{ex}' show"
        elif any(int(n[1]) > 12 for n in triples):
            used_order = "MDY"
            ex = next(u for u, v in split.items() if v[0] in triples and int(v[0][1]) > 12)
            note = f"dates read as month/day/year, as values such as '{ex}' show"
        else:
            dots = sum("." in str(u) for u in uniques)
            used_order = "DMY" if dots > len(uniques) / 2 else "MDY"
            assumption = (
                f"dates such as '{next(iter(uniques))}' could be day-first or month-first; read "
                f"as {'day/month/year' if used_order == 'DMY' else 'month/day/year'}"
                " (choose the date order to change this)")
    results: dict[object, pd.Timestamp] = {}
    outside: set[object] = set()
    held_texts: set[object] = set()
    any_offset = False
    for u, (nums, month, hms, off) in split.items():
        ts = _assemble(nums, month, hms, used_order)
        if ts is None and _assemble(nums, month, hms, used_order, years=(1, 9999)) is not None:
            outside.add(u)
        if ts is not None and off:
            any_offset = True
            ts = _apply_offset(str(u), ts)
        if ts is not None and np.datetime64(ts.to_datetime64(), "s") in PLACEHOLDER_DATES:
            held_texts.add(u)
            ts = None
        results[u] = ts
    vals = sample.astype(object).map(results)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    out[present] = pd.to_datetime(vals, errors="coerce").astype("datetime64[ns]")
    if triples and order is not None:
        note = f"dates read as {names.get(order, order)} as you chose"
    rejected = placeholder = None
    texts = t.astype(object)
    if outside:
        rejected = pd.Series(pd.NA, index=s.index, dtype="object")
        hit = texts.isin(outside).fillna(False).to_numpy(dtype=bool) & present
        rejected[hit] = texts[hit]
    if held_texts:
        placeholder = pd.Series(pd.NA, index=s.index, dtype="object")
        hit = texts.isin(held_texts).fillna(False).to_numpy(dtype=bool) & present
        placeholder[hit] = texts[hit]
    return DateResult(out, used_order if triples else None, assumption, any_offset, note,
                      out_of_range=rejected, placeholder=placeholder)


def _clean_arrow(s: pd.Series) -> tuple[pa.Array, np.ndarray]:
    """:func:`clean_text` in Arrow: (stripped texts, null where absent; present-mask)."""
    arr = _arrow_text(s)
    trimmed = pc.utf8_trim_whitespace(arr)
    absent = pc.or_kleene(pc.is_null(trimmed),
                          pc.is_in(pc.utf8_lower(trimmed), value_set=_PLACEHOLDER_ARRAY))
    absent = pc.fill_null(absent, True).to_numpy(zero_copy_only=False)
    cleaned = pc.if_else(pa.array(absent), pa.scalar(None, arr.type), trimmed)
    return cleaned, ~absent


_MONTH_ABBR: Final = tuple(
    int.from_bytes(m.encode("ascii"), "big")
    for m in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"))


def _month_name_format(arr: pa.Array, fmt: str) -> np.ndarray | None:
    """``Jun 4, 2024, 6:13:47 AM`` (``%b %d, %Y, %I:%M:%S %p``, also without the comma after
    the year) read straight from the UTF-8 bytes with numpy -> datetime64[s].

    None unless every value has exactly that shape (English month abbreviation, 1-2 digit
    day and hour, ``AM``/``PM``) and a valid calendar date and time; callers then use
    ``strptime``, so the result never differs from it.
    """
    if fmt == "%b %d, %Y, %I:%M:%S %p":
        year_sep = 2
    elif fmt == "%b %d, %Y %I:%M:%S %p":
        year_sep = 1
    else:
        return None
    if arr.type not in (pa.string(), pa.large_string()) or arr.null_count or len(arr) == 0:
        return None
    n = len(arr)
    width = np.int32 if arr.type == pa.string() else np.int64
    offsets = np.frombuffer(arr.buffers()[1], dtype=width)[arr.offset:arr.offset + n + 1]
    data = arr.buffers()[2]
    if data is None:
        return None
    buf = np.concatenate([np.frombuffer(data, dtype=np.uint8), np.zeros(32, dtype=np.uint8)])
    start = offsets[:-1].astype(np.int64)
    length = np.diff(offsets).astype(np.int64)
    ok = (length >= 21) & (length <= 25)

    def byte(pos: np.ndarray | int) -> np.ndarray:
        return buf[start + pos].astype(np.int64)

    def digit(pos: np.ndarray | int) -> np.ndarray:
        return byte(pos) - 48

    def is_digit(pos: np.ndarray | int) -> np.ndarray:
        d = digit(pos)
        return (d >= 0) & (d <= 9)

    code = (byte(0) << 16) | (byte(1) << 8) | byte(2)
    month = np.zeros(n, dtype=np.int64)
    for i, c in enumerate(_MONTH_ABBR, start=1):
        month[code == c] = i
    ok &= (month > 0) & (byte(3) == 32) & is_digit(4)
    two_day = is_digit(5)
    day = np.where(two_day, digit(4) * 10 + digit(5), digit(4))
    p = 4 + 1 + two_day.astype(np.int64)  # ',' after the day
    ok &= (byte(p) == 44) & (byte(p + 1) == 32)
    year = np.zeros(n, dtype=np.int64)
    for k in range(4):
        ok &= is_digit(p + 2 + k)
        year = year * 10 + digit(p + 2 + k)
    q = p + 6
    if year_sep == 2:
        ok &= byte(q) == 44
    ok &= byte(q + year_sep - 1) == 32
    q = q + year_sep  # first hour digit
    ok &= is_digit(q)
    two_hour = is_digit(q + 1)
    hour = np.where(two_hour, digit(q) * 10 + digit(q + 1), digit(q))
    r = q + 1 + two_hour.astype(np.int64)  # ':' after the hour
    ok &= (byte(r) == 58) & is_digit(r + 1) & is_digit(r + 2) & (byte(r + 3) == 58)
    ok &= is_digit(r + 4) & is_digit(r + 5) & (byte(r + 6) == 32) & (byte(r + 8) == 77)
    ampm = byte(r + 7)
    ok &= ((ampm == 65) | (ampm == 80)) & (length == r + 9)
    minute = digit(r + 1) * 10 + digit(r + 2)
    second = digit(r + 4) * 10 + digit(r + 5)
    ok &= (hour >= 1) & (hour <= 12) & (minute <= 59) & (second <= 59) & (day >= 1)
    ok &= (year >= 1) & (year <= 9999)
    if not ok.all():
        return None
    months = (year - 1970) * 12 + (month - 1)
    first = months.astype("datetime64[M]").astype("datetime64[D]")
    days_in_month = ((months + 1).astype("datetime64[M]").astype("datetime64[D]") - first)
    if (day > days_in_month.astype(np.int64)).any():
        return None
    hour24 = hour % 12 + np.where(ampm == 80, 12, 0)
    secs = (first.astype(np.int64) + day - 1) * 86400 + hour24 * 3600 + minute * 60 + second
    return secs.astype("datetime64[s]")


def _assemble(nums: list[str], month: int | None, hms: tuple[int, int, int] | None,
              order: str | None, years: tuple[int, int] = YEARS) -> pd.Timestamp | None:
    try:
        if month is not None:
            if len(nums) < 2:
                return None
            four = [n for n in nums if len(n) == 4]
            year = int(four[0]) if four else _year(int(nums[-1]))
            rest = [n for n in nums if n != (four[0] if four else nums[-1])]
            if not rest:
                return None
            day = int(rest[0])
        else:
            if len(nums) < 3:
                return None
            a, b, c = nums[0], nums[1], nums[2]
            if len(a) == 4 or order == "YMD":
                year, month, day = int(a), int(b), int(c)
            elif order == "MDY":
                month, day, year = int(a), int(b), _year(int(c))
            else:
                day, month, year = int(a), int(b), _year(int(c))
        h, mi, sec = hms or (0, 0, 0)
        if not years[0] <= year <= years[1]:
            return None
        if not YEARS[0] <= year <= YEARS[1]:  # only asked whether it is a valid calendar date
            datetime.datetime(year, month, day, h, mi, sec)
            return pd.Timestamp(2000, 1, 1)
        return pd.Timestamp(year=year, month=month, day=day, hour=h, minute=mi, second=sec)
    except (ValueError, OverflowError):
        return None


def _apply_offset(text: str, ts: pd.Timestamp) -> pd.Timestamp:
    m = re.search(r"([+-])(\d{2}):?(\d{2})$", text.strip())
    if not m:
        return ts  # "Z": already UTC
    sign = 1 if m.group(1) == "+" else -1
    delta = pd.Timedelta(hours=int(m.group(2)), minutes=int(m.group(3)))
    return ts - sign * delta
