"""ingest.values: localised numbers, durations, dates and booleans (one quirk, one test)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from stridewise.ingest.values import (
    clean_text,
    infer_decimal,
    parse_bool,
    parse_dates,
    parse_durations,
    parse_numbers,
)


def nums(values: list[str], decimal: str | None = None) -> list[float]:
    return parse_numbers(pd.Series(values, dtype="str"), decimal).tolist()  # type: ignore[arg-type]


def same(a: list[float], b: list[float]) -> bool:
    return all((math.isnan(x) and math.isnan(y)) or x == pytest.approx(y)
               for x, y in zip(a, b, strict=True))


def test_placeholders_become_nan() -> None:
    assert clean_text(pd.Series(["--", " ", "n/a", "--:--:--", "x"])).isna().tolist() == [
        True, True, True, True, False]


def test_decimal_comma_and_point() -> None:
    assert nums(["3,40", "4.23"]) == [3.4, 4.23]


def test_thousands_comma_in_point_file() -> None:  # Garmin swims "1,500", calories "1,132"
    assert nums(["1,500", "9.16", "1,132"]) == [1500.0, 9.16, 1132.0]


def test_thousands_dot_in_comma_file() -> None:  # steps "2.932" next to "3,40"
    assert nums(["2.932", "3,40"]) == [2932.0, 3.4]
    assert nums(["2.932"], ",") == [2932.0]


def test_both_marks_last_is_decimal() -> None:
    assert nums(["1.234,5", "1,234.5", "12 345,6", "1'234.5"]) == [1234.5, 1234.5, 12345.6,
                                                                  1234.5]


def test_text_and_placeholders_are_nan() -> None:
    assert same(nums(["--", "", "abc", "49% E / 51% D"]), [math.nan] * 4)


def test_infer_decimal_needs_evidence() -> None:
    assert infer_decimal(pd.Series(["1,500", "2.000"])) is None
    assert infer_decimal(pd.Series(["2,9", "1,14"]), pd.Series(["2.932"])) == ","
    assert infer_decimal(pd.Series(["4.23", "2,81", "5.30"])) == "."


def test_numeric_dtype_passes_through() -> None:
    assert parse_numbers(pd.Series([1, 2])).tolist() == [1.0, 2.0]


@pytest.mark.parametrize(("text", "secs"), [
    ("00:36:26", 2186.0), ("1:05:11", 3911.0), ("00:08:02.2", 482.2), ("00:01:39,6", 99.6),
    ("26:42", 1602.0), ("--:--:--", math.nan), ("", math.nan), ("1d 02:00:00", 93600.0),
])
def test_durations(text: str, secs: float) -> None:
    got = parse_durations(pd.Series([text]), excel_fix=False).iloc[0]
    assert (math.isnan(got) and math.isnan(secs)) or got == pytest.approx(secs)


def test_two_part_hours_minutes() -> None:  # Danish Garmin "Tid" 0:45
    assert parse_durations(pd.Series(["0:45", "1:02"]), two_part="hm").tolist() == [2700.0,
                                                                                   3720.0]


def test_excel_mangled_minutes_seconds() -> None:  # "30:48" re-saved as "30:48:00"
    s = pd.Series(["30:48:00", "34:14:00", "45:01:00"])
    assert parse_durations(s).tolist() == [1848.0, 2054.0, 2701.0]


def test_plain_numbers_use_unit() -> None:
    assert parse_durations(pd.Series(["90", "1,5"]), number_unit_s=60).tolist() == [5400.0,
                                                                                   90.0]


@pytest.mark.parametrize(("texts", "first"), [
    (["Jan 4, 2020, 2:57:37 PM"], "2020-01-04 14:57:37"),
    (["23 jun. 2017 15:52:12"], "2017-06-23 15:52:12"),
    (["11 ago 2014, 16:27:28"], "2014-08-11 16:27:28"),
    (["Fr, 25 Mai 2012 20:31"], "2012-05-25 20:31:00"),
    (["lun., 30 juin 2014 7:03"], "2014-06-30 07:03:00"),
    (["mar., 24 juin 2014 6:49"], "2014-06-24 06:49:00"),  # 'mar' is Tuesday, not March
    (["Sept. 3, 2015"], "2015-09-03 00:00:00"),
    (["7 Apr 2026, 10:14"], "2026-04-07 10:14:00"),
    (["2014/12/19"], "2014-12-19 00:00:00"),
    (["2026-03-24T17:11:22"], "2026-03-24 17:11:22"),
    (["12:30 AM Jan 5, 2021"], "2021-01-05 00:30:00"),
])
def test_dates_many_languages(texts: list[str], first: str) -> None:
    assert str(parse_dates(pd.Series(texts)).values.iloc[0]) == first


def test_numeric_order_inferred_from_column() -> None:
    r = parse_dates(pd.Series(["12/11/20 11:59", "11/28/20 10:00"]))
    assert r.order == "MDY" and r.assumption is None
    assert str(r.values.iloc[0]) == "2020-12-11 11:59:00"
    r = parse_dates(pd.Series(["18.02.12", "19.02.12"]))
    assert r.order == "DMY" and str(r.values.iloc[0]) == "2012-02-18 00:00:00"


def test_ambiguous_order_is_reported_and_overridable() -> None:
    r = parse_dates(pd.Series(["03/04/2021"]))
    assert r.order == "MDY" and "day-first or month-first" in (r.assumption or "")
    assert str(parse_dates(pd.Series(["03/04/2021"]), order="DMY").values.iloc[0]) == \
        "2021-04-03 00:00:00"


def test_utc_offset_converted_to_utc() -> None:
    r = parse_dates(pd.Series(["2022-08-05 02:18:07+0200"]))
    assert r.utc_offset and str(r.values.iloc[0]) == "2022-08-05 00:18:07"


def test_unreadable_dates_are_nat() -> None:
    r = parse_dates(pd.Series(["not a date", "", "2020-13-45"]))
    assert r.values.isna().all()


def test_booleans_in_many_languages() -> None:
    assert parse_bool(pd.Series(["true", "FALSE", " Ja", "Nej", "Sim", "igen", None])).tolist() \
        == [True, False, True, False, True, True, False]


def test_blank_date_cells_do_not_shift_later_values():
    import pandas as pd

    from stridewise.ingest.values import parse_dates

    got = parse_dates(pd.Series(["", "2024-06-11 02:46:25", "2024-06-10 04:43:44"])).values
    assert pd.isna(got.iloc[0])
    assert list(got.iloc[1:]) == [pd.Timestamp("2024-06-11 02:46:25"),
                                  pd.Timestamp("2024-06-10 04:43:44")]
