"""CSV/Parquet/Excel exports: formula neutralisation, numbers stay numbers, round trips."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stridewise import exports
from stridewise.errors import UsageError


def read_csv_cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


@pytest.mark.parametrize(("text", "expected"), [
    ("=1+1", "'=1+1"),
    ("+SUM(A1)", "'+SUM(A1)"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1)", "'@SUM(1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("\uff1d1+1", "'\uff1d1+1"),      # full-width equals sign
    ("Easy run", "Easy run"),
    ("5k - tempo", "5k - tempo"),     # only the first character matters
    ("-12.5", "-12.5"),               # a plain number as text cannot be a formula
    ("+3", "+3"),
    ("-", "'-"),
    ("", ""),
])
def test_neutralise(text, expected):
    assert exports.neutralise(text) == expected


def test_neutralise_leaves_non_text_alone():
    assert exports.neutralise(-5) == -5
    assert exports.neutralise(-5.5) == -5.5
    assert exports.neutralise(None) is None


def test_csv_neutralises_text_but_keeps_numbers():
    df = pd.DataFrame({
        "title": ["=HYPERLINK(\"http://x\")", "-5 km easy", "@home", "Morning Run", None],
        "delta": [-3.0, -0.5, 0.0, 2.0, np.nan],
        "count": [-1, 2, 3, 4, 5],
    })
    cells = read_csv_cells(exports.csv_bytes(df))
    assert cells[0] == ["title", "delta", "count"]
    assert [r[0] for r in cells[1:]] == ["'=HYPERLINK(\"http://x\")", "'-5 km easy", "'@home",
                                         "Morning Run", ""]
    assert [r[1] for r in cells[1:]] == ["-3.0", "-0.5", "0.0", "2.0", ""]
    assert [r[2] for r in cells[1:]] == ["-1", "2", "3", "4", "5"]


def test_csv_inf_nan_and_dates():
    df = pd.DataFrame({"acwr": [np.inf, np.nan, 1.25, -np.inf],
                       "week": pd.to_datetime(["2026-01-05", "2026-01-12", "2026-01-19",
                                               "2026-01-26"])})
    cells = read_csv_cells(exports.csv_bytes(df))
    assert [r[0] for r in cells[1:]] == ["inf", "", "1.25", "-inf"]
    assert cells[1][1] == "2026-01-05"


def test_csv_neutralises_header_and_handles_str_and_category_dtypes():
    df = pd.DataFrame({"=evil": pd.Series(["+x", "ok"], dtype="str"),
                       "cat": pd.Categorical(["@a", "b"])})
    cells = read_csv_cells(exports.csv_bytes(df))
    assert cells[0] == ["'=evil", "cat"]
    assert cells[1] == ["'+x", "'@a"]


def test_csv_tz_aware_datetimes_become_wall_clock_and_bom_option():
    df = pd.DataFrame({"t": pd.to_datetime(["2026-01-05 07:30"]).tz_localize("Europe/Oslo"),
                       "name": ["Åsa"]})
    data = exports.csv_bytes(df, bom=True)
    assert data.startswith(b"\xef\xbb\xbf")
    cells = read_csv_cells(data[3:])
    assert cells[1] == ["2026-01-05 07:30:00", "Åsa"]


def test_csv_does_not_mutate_input():
    df = pd.DataFrame({"title": ["=1+1"], "x": [-1.0]})
    before = df.copy()
    exports.csv_bytes(df)
    exports.excel_bytes({"s": df})
    pd.testing.assert_frame_equal(df, before)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(max_size=12), min_size=1, max_size=8))
def test_csv_no_cell_can_start_a_formula(texts):
    df = pd.DataFrame({"t": texts})
    cells = read_csv_cells(exports.csv_bytes(df))
    for original, row in zip(texts, cells[1:], strict=False):
        cell = row[0] if row else ""
        if cell.startswith(exports.FORMULA_PREFIXES):
            assert exports._PLAIN_NUMBER.match(cell), cell
        # the neutralised text always still contains the original
        assert cell in (original, "'" + original) or "\r" in original or "\n" in original


def test_parquet_round_trip():
    df = pd.DataFrame({
        "athlete": ["Ann", "Bob"], "start": pd.to_datetime(["2026-01-05 07:00",
                                                            "2026-01-06 18:30"]),
        "load": [350.0, np.nan], "acwr": [np.inf, 1.1], "sessions": [3, 4],
        "title": ["=1+1", "Tempo"],
    })
    back = pd.read_parquet(io.BytesIO(exports.parquet_bytes(df)))
    assert list(back.columns) == list(df.columns)
    assert back["title"].tolist() == ["=1+1", "Tempo"]     # data format: values unchanged
    assert np.isinf(back["acwr"][0]) and np.isnan(back["load"][1])
    assert back["start"].tolist() == df["start"].tolist()
    assert back["sessions"].tolist() == [3, 4]


def test_excel_round_trip_and_neutralisation():
    sessions = pd.DataFrame({
        "title": ["=cmd|' /C calc'!A0", "-5 km", "Easy"],
        "start": pd.to_datetime(["2026-01-05 07:00", "2026-01-06 00:00", None]),
        "acwr": [np.inf, np.nan, 1.2],
        "delta": [-3.5, 0.0, 2.0],
        "n": [1, 2, 3],
        "maybe": pd.array([1, None, 3], dtype="Int64"),
        "flag": [True, False, True],
    })
    weekly = pd.DataFrame({"week": pd.to_datetime(["2026-01-05"]).tz_localize("UTC"),
                           "minutes": [120.0]})
    data = exports.excel_bytes({"Sessions": sessions, "Weekly: summary/2026": weekly})
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Sessions", "Weekly_ summary_2026"]
    ws = wb["Sessions"]
    assert [c.value for c in ws[1]] == ["title", "start", "acwr", "delta", "n", "maybe",
                                        "flag"]
    assert ws["A1"].font.b
    assert ws.freeze_panes == "A2"
    formula = ws["A2"]
    assert formula.value == "=cmd|' /C calc'!A0" and formula.data_type == "s"
    assert formula.quotePrefix
    assert ws["A3"].value == "-5 km" and ws["A3"].data_type == "s"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert ws["B2"].value == datetime(2026, 1, 5, 7, 0)
    assert ws["B3"].value == datetime(2026, 1, 6)
    assert ws["B4"].value is None
    assert ws["C2"].value == "inf" and ws["C3"].value is None
    assert ws["D2"].value == -3.5 and ws["D2"].data_type == "n"
    assert ws["E4"].value == 3
    assert ws["F2"].value == 1 and ws["F3"].value is None
    assert ws["G2"].value is True
    wk = wb["Weekly_ summary_2026"]
    assert wk["A2"].value == datetime(2026, 1, 5) and wk["A2"].value.tzinfo is None
    assert wk["A2"].number_format == "yyyy-mm-dd"          # a column of midnights: dates
    back = pd.read_excel(io.BytesIO(data), sheet_name="Sessions")
    assert back["delta"].tolist() == [-3.5, 0.0, 2.0]


def test_excel_strips_illegal_characters_and_unique_sheet_names():
    df = pd.DataFrame({"title": ["bad\x00\x07char"]})
    data = exports.excel_bytes({"a": df, "A": df, "x" * 40: df})
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["a", "A (2)", "x" * 31]
    assert wb["a"]["A2"].value == "badchar"


def test_excel_empty_frames_and_errors():
    data = exports.excel_bytes({"empty": pd.DataFrame({"a": []}), "none": None})
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert [c.value for c in wb["empty"][1]] == ["a"]
    with pytest.raises(UsageError):
        exports.excel_bytes({})
    with pytest.raises(UsageError):
        exports.csv_bytes(None)


def test_export_file_name_is_safe():
    assert exports.export_file_name("Jürgen Müller", "weekly", ext="csv") == \
        "stridewise-jurgen-muller-weekly.csv"
    assert exports.export_file_name("../../etc/passwd", ext=".xlsx") == \
        "stridewise-etc-passwd.xlsx"


def test_parquet_mixed_text_numbers_and_odd_column_names():
    df = pd.DataFrame({"mixed": ["x", 1.5, None], 7: [1, 2, 3]})
    back = pd.read_parquet(io.BytesIO(exports.parquet_bytes(df)))
    assert list(back.columns) == ["mixed", "7"]
    assert back["mixed"].tolist()[:2] == ["x", "1.5"] and pd.isna(back["mixed"][2])
    with pytest.raises(UsageError, match="twice"):
        exports.parquet_bytes(pd.DataFrame([[1, 2]], columns=["a", "a"]))


def test_csv_and_excel_keep_duplicate_column_names():
    df = pd.DataFrame([[1, "=x"]], columns=["a", "a"])
    assert read_csv_cells(exports.csv_bytes(df)) == [["a", "a"], ["1", "'=x"]]
    wb = openpyxl.load_workbook(io.BytesIO(exports.excel_bytes({"s": df})))
    assert [c.value for c in wb["s"][2]] == [1, "=x"]
