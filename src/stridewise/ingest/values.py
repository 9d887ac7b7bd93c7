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
        t = clean_text(col.head(2000)).dropna()
        if t.empty:
            continue
        t = t.str.replace(r"[\s\u00a0\u202f']", "", regex=True)
        comma += int(t.str.fullmatch(_COMMA_DEC.pattern).sum())
        point += int(t.str.fullmatch(_POINT_DEC.pattern).sum())
    if comma == point == 0:
        return None
    return "," if comma > point else "."


def parse_numbers(s: pd.Series | None, decimal: Decimal | None = None) -> pd.Series:
    """Localised number texts -> float64 (NaN for placeholders and text that is no number).

    Per value: spaces/apostrophes are group separators; with both ``,`` and ``.`` the last one is
    the decimal mark; a lone mark followed by exactly three digits (``1,500``, ``2.932``) is a
    thousands separator unless ``decimal`` says that mark is the decimal one; otherwise a lone
    mark is decimal. ``decimal`` defaults to what the column itself shows (see
    :func:`infer_decimal`). Plain numbers take a vectorised fast path.
    """
    if s is None:
        return pd.Series(dtype="float64")
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return s.astype("float64")
    fast = _arrow_floats(s)
    if fast is None:
        fast = pd.to_numeric(s, errors="coerce").astype("float64")
    elif decimal != "," and not s.astype("string").str.contains(",", regex=False).any():
        return fast  # every cell was a plain number or empty
    unparsed = fast.isna() & s.notna()
    if unparsed.any():
        txt = s[unparsed].astype("string").str.strip().str.lower()
        unparsed.loc[unparsed] = ~txt.isin(PLACEHOLDERS).fillna(True).to_numpy()
    v = fast.to_numpy()
    with np.errstate(invalid="ignore"):
        nonint = np.isfinite(v) & (v != np.floor(v))
        three = nonint & np.isclose(v * 1000, np.round(v * 1000)) & ~np.isclose(
            v * 100, np.round(v * 100))
    if decimal is None and unparsed.any():
        comma = int(s[unparsed].astype("string").str.strip().str.replace(
            r"[\s\u00a0\u202f']", "", regex=True).str.fullmatch(_COMMA_DEC.pattern)
            .fillna(False).sum())
        point = int((nonint & ~three).sum())
        decimal = None if comma == point == 0 else ("," if comma > point else ".")
    redo = unparsed.to_numpy() | (nonint if decimal == "," else np.zeros(len(v), dtype=bool))
    if not redo.any():
        return fast
    out = fast.copy()
    out[redo] = _parse_slow(s[redo], decimal).to_numpy()
    return out


def _arrow_floats(s: pd.Series) -> pd.Series | None:
    """All cells plain numbers or blank -> float64 via one Arrow cast; else None."""
    try:
        arr = pa.array(s.array) if isinstance(s.dtype, pd.StringDtype) else pa.array(
            s.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        trimmed = pc.utf8_trim_whitespace(arr)
        blank = pc.equal(trimmed, "")
        cleaned = pc.if_else(blank, pa.scalar(None, pa.string()), trimmed)
        out = pc.cast(cleaned, pa.float64())
    except (pa.ArrowException, TypeError, ValueError):
        return None
    return pd.Series(out.to_numpy(zero_copy_only=False), index=s.index, dtype="float64")


def _parse_slow(s: pd.Series, decimal: Decimal | None) -> pd.Series:
    t = clean_text(s)
    t = t.str.replace(r"[\s\u00a0\u202f'’%]", "", regex=True)
    t = t.str.replace(r"^\+", "", regex=True)
    has_c = t.str.contains(",", regex=False).fillna(False)
    has_p = t.str.contains(".", regex=False).fillna(False)
    both = has_c & has_p
    if both.any():
        last_c = t.str.rfind(",")
        last_p = t.str.rfind(".")
        comma_last = both & (last_c > last_p)
        point_last = both & ~comma_last
        t = t.mask(comma_last, t.str.replace(".", "", regex=False).str.replace(",", ".",
                                                                              regex=False))
        t = t.mask(point_last, t.str.replace(",", "", regex=False))
    only_c = has_c & ~has_p
    if only_c.any():
        grouped = t.str.fullmatch(r"[+-]?\d{1,3}(,\d{3})+").fillna(False)
        thousands = only_c & grouped & (decimal != ",")
        multi = only_c & t.str.count(",").fillna(0).gt(1)
        t = t.mask(thousands | multi, t.str.replace(",", "", regex=False))
        t = t.mask(only_c & ~(thousands | multi), t.str.replace(",", ".", regex=False))
    only_p = has_p & ~has_c
    if only_p.any() and decimal == ",":
        grouped = t.str.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+").fillna(False)
        t = t.mask(only_p & grouped, t.str.replace(".", "", regex=False))
    return pd.to_numeric(t.astype(object), errors="coerce").astype("float64")


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
    ``:00`` and reach 24 hours or more is read as Excel's mangled ``mm:ss:00``.
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
        if all_zero and (bool((a[three] >= 24).any()) or n3 >= 5):
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

    def sentences(self) -> list[str]:
        """What the import report should say about how these dates were read."""
        return [t for t in (self.assumption, self.note) if t]


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
    t = clean_text(s)
    present = t.notna()
    if not present.any():
        return DateResult(pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]"))
    # Fast path: one strict format for the whole column (the common exports).
    sample = t[present]
    head = sample.head(20)
    arr = None
    for fmt in _FAST_FORMATS:
        try:
            pd.to_datetime(head, format=fmt, errors="raise")
        except (ValueError, TypeError):
            continue
        try:  # Arrow's strptime is several times faster than pandas' on big columns
            arr = pa.array(sample.to_numpy(dtype=object), type=pa.string()) if arr is None \
                else arr
            ts = pc.strptime(arr, format=fmt, unit="s", error_is_null=False)
            parsed = pd.Series(ts.to_pandas(), index=sample.index)
        except (pa.ArrowException, ValueError, TypeError):
            try:
                parsed = pd.to_datetime(sample, format=fmt, errors="raise")
            except (ValueError, TypeError):
                continue
        out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
        out[present] = parsed.astype("datetime64[ns]")
        return DateResult(out, "YMD" if fmt.startswith("%Y") else None)
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
    any_offset = False
    for u, (nums, month, hms, off) in split.items():
        ts = _assemble(nums, month, hms, used_order)
        if ts is not None and off:
            any_offset = True
            ts = _apply_offset(str(u), ts)
        results[u] = ts
    vals = sample.astype(object).map(results)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    out[present] = pd.to_datetime(vals, errors="coerce").astype("datetime64[ns]")
    if triples and order is not None:
        note = f"dates read as {names.get(order, order)} as you chose"
    return DateResult(out, used_order if triples else None, assumption, any_offset, note)


def _assemble(nums: list[str], month: int | None, hms: tuple[int, int, int] | None,
              order: str | None) -> pd.Timestamp | None:
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
        if not 1900 <= year <= 2200:
            return None
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
