"""The guards against hostile files, one quirk per test: capped unpacking, safe numbers, XML
entities in every encoding, CSV width and cell caps, text cleaning, the size check before a
file is read, and the zip budget shared by the worker processes."""

from __future__ import annotations

import gzip
import io
import math
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from stridewise.errors import StridewiseError, UnexpectedReadError, UnreadableFile
from stridewise.ingest import csvfile, read_bytes, read_path, sniff_format, stravazip
from stridewise.ingest.base import ReadContext
from stridewise.ingest.csvtable import MAX_COLUMNS, cap_cells
from stridewise.ingest.safeio import gunzip_capped
from stridewise.ingest.safenum import safe_float, safe_int
from stridewise.ingest.xmlutil import clean_xml, declares_entities
from stridewise.schema import TEXT_MAX_CHARS, normalise

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "fit"))
import fitbuilder as fb  # noqa: E402

# ------------------------------------------------------------------------------- gunzip


def test_gunzip_reads_concatenated_members() -> None:
    data = gzip.compress(b"abc") + gzip.compress(b"def")
    assert gunzip_capped(data, "x.gz", 100) == b"abcdef"


def test_gunzip_stops_at_the_cap_counting_every_member() -> None:
    member = gzip.compress(b"\0" * 1000)
    assert len(gunzip_capped(member * 3, "x.gz", 3000)) == 3000
    with pytest.raises(UnreadableFile) as err:
        gunzip_capped(member * 4, "x.gz", 3000)
    assert "unpacks to more than" in err.value.message


def test_gunzip_never_produces_more_than_the_cap() -> None:
    """A bomb of 1 GB is refused after producing at most cap + 1 bytes (fast, small)."""
    bomb = gzip.compress(b"\0" * (64 << 20), 9) * 16
    with pytest.raises(UnreadableFile):
        gunzip_capped(bomb, "bomb.gz", 1 << 20)


@pytest.mark.parametrize("data", [gzip.compress(b"hello world" * 100, mtime=0)[:-10],
                                  b"\x1f\x8b" + b"\x00" * 30], ids=["cut short", "zeros"])
def test_gunzip_damage_is_one_sentence(data: bytes) -> None:
    with pytest.raises(UnreadableFile) as err:
        gunzip_capped(data, "d.csv.gz", 10_000)
    assert "damaged gzip" in err.value.message


def test_dispatcher_refuses_a_csv_gzip_bomb_without_unpacking_it(monkeypatch) -> None:
    import stridewise.ingest as ingest

    monkeypatch.setattr(ingest, "MAX_FILE_BYTES", 10_000)
    bomb = gzip.compress(b"Date,Title,Time\n" + b"2024-01-01,Run,00:30:00\n" * 10_000)
    with pytest.raises(UnreadableFile) as err:
        read_bytes(bomb, "b.csv.gz")
    assert "unpacks to more than" in err.value.message


# ------------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("v, want", [
    (3.9, 3), (-2.5, -2), ("7", 7), (float("inf"), None), (float("-inf"), None),
    (float("nan"), None), (1e308, None), ("1e400", None), (None, None), ("x", None),
    (True, None), (2**53, 2**53)])
def test_safe_int(v: object, want: int | None) -> None:
    assert safe_int(v) == want


@pytest.mark.parametrize("v, want", [(1.5, 1.5), ("2", 2.0), ("inf", None), ("1e400", None),
                                     (float("nan"), None), (None, None), ([1], None)])
def test_safe_float(v: object, want: float | None) -> None:
    assert safe_float(v) == want


def test_zepp_sport_code_of_infinity_is_other_not_a_crash(corpus_dir: Path) -> None:
    path = corpus_dir / "other_csv" / "zepp_life_amazfit_SPORT_2021-2022_bom_numeric_types.csv"
    lines = path.read_bytes().split(b"\n")
    head = lines[0].lstrip(b"\xef\xbb\xbf").decode().split(",")
    col = next(i for i, c in enumerate(head) if c.strip().lower() == "type")
    cells = lines[1].split(b",")
    cells[col] = b"1e400"
    lines[1] = b",".join(cells)
    r = read_bytes(b"\n".join(lines), "zepp.csv")
    assert "other" in set(r.sessions["sport"])


def test_hevy_reps_of_infinity_become_unknown(corpus_dir: Path) -> None:
    path = corpus_dir / "other_csv" / "hevy_strength_workouts_set_level_2024-2026.csv"
    lines = path.read_bytes().split(b"\n")[:40]
    head = lines[0].decode()
    assert "reps" in head
    import csv

    rows = list(csv.reader(io.StringIO(b"\n".join(lines).decode())))
    k = rows[0].index("reps")
    rows[1][k] = "inf"
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    r = read_bytes(buf.getvalue().encode(), "hevy.csv")
    assert r.n_sessions >= 1


# ------------------------------------------------------------------------------- XML

LAUGHS = ('<?xml version="1.0" encoding="{enc}"?>\n<!DOCTYPE gpx [<!ENTITY a "lol">'
          '<!ENTITY b "&a;&a;&a;&a;">]>\n<gpx version="1.1"><trk><name>&b;</name></trk></gpx>')


@pytest.mark.parametrize("codec, declared, bom", [
    ("utf-8", "UTF-8", b""), ("utf-16-le", "UTF-16", b"\xff\xfe"),
    ("utf-16-be", "UTF-16", b"\xfe\xff"), ("utf-16-le", "UTF-16", b""),
    ("latin-1", "ISO-8859-1", b""), ("utf-8", "UTF-8", b"\xef\xbb\xbf")])
def test_entity_declarations_are_refused_in_every_encoding(codec: str, declared: str,
                                                           bom: bytes) -> None:
    data = bom + LAUGHS.format(enc=declared).encode(codec)
    assert declares_entities(data.lstrip(b"\xef\xbb\xbf"))
    with pytest.raises(UnreadableFile) as err:
        read_bytes(data, "laughs.gpx")
    assert "declares XML entities" in err.value.message


def test_a_parameter_entity_hidden_in_utf16_without_bom_is_found() -> None:
    text = '<!DOCTYPE x [<!ENTITY % p "x">]><x/>'
    assert declares_entities(text.encode("utf-16-le"))


def test_utf16_gpx_without_entities_is_read_as_gpx() -> None:
    gpx = ('<?xml version="1.0" encoding="UTF-16"?><gpx version="1.1" creator="t" '
           'xmlns="http://www.topografix.com/GPX/1/1"><trk><name>Morning</name><type>running'
           '</type><trkseg><trkpt lat="52.0" lon="13.0"><time>2024-03-04T06:30:00Z</time>'
           '</trkpt><trkpt lat="52.01" lon="13.0"><time>2024-03-04T06:40:00Z</time></trkpt>'
           '</trkseg></trk></gpx>').encode("utf-16")
    assert sniff_format(gpx, "m.gpx") == "gpx"
    assert not declares_entities(gpx)
    r = read_bytes(gpx, "m.gpx")
    assert r.n_sessions == 1
    assert r.sessions["distance_m"].iloc[0] == pytest.approx(1112, rel=0.01)


def test_xml_and_json_past_their_tree_limits_are_refused(monkeypatch) -> None:
    from stridewise.ingest import otherformats, xmlutil

    monkeypatch.setattr(xmlutil, "MAX_TREE_BYTES", 100)
    monkeypatch.setattr(otherformats, "MAX_JSON_BYTES", 100)
    gpx = b'<gpx version="1.1">' + b"<trk></trk>" * 20 + b"</gpx>"
    with pytest.raises(UnreadableFile) as err:
        read_bytes(gpx, "g.gpx")
    assert "GPX document" in err.value.message and "one by one" in err.value.message
    with pytest.raises(UnreadableFile) as err:
        read_bytes(b'[{"start_epoch_ms": 1}' + b" " * 200 + b"]", "n.json")
    assert "JSON file" in err.value.message


def test_clean_xml_keeps_a_plain_document() -> None:
    body = clean_xml(b"  \xef\xbb\xbf<?xml version='1.0'?><a>1</a>", "a.xml")
    assert body.startswith(b"<?xml")


# ------------------------------------------------------------------------------- CSV


def test_header_wider_than_the_cap_is_refused_before_its_rows() -> None:
    head = ",".join(f"c{i}" for i in range(MAX_COLUMNS + 1))
    data = (head + "\n" + ",".join("1" for _ in range(MAX_COLUMNS + 1)) + "\n").encode()
    with pytest.raises(UnreadableFile) as err:
        read_bytes(data, "wide.csv")
    assert "more than the 1,000 columns" in err.value.message


def test_cells_longer_than_the_cap_are_cut_and_counted() -> None:
    df = pd.DataFrame({0: pd.array(["a" * 20_000, "b"], dtype="str"),
                       1: pd.array(["c", "d" * 10_001], dtype="str")})
    out = cap_cells(df)
    assert out.attrs["cut_cells"] == 2
    assert out[0].str.len().tolist() == [10_000, 1]
    assert df[0].str.len().iloc[0] == 20_000  # input untouched


def test_long_title_is_cut_with_a_note() -> None:
    data = (b"id,date,name,type,description,elapsed_time,distance,commute,gear,filename\n"
            b"1,2024-03-04 06:30:00," + b"y" * 50_000 + b",Run,,1800,5000.0,false,,\n"
            b"2,2024-03-05 06:30:00,Short,Run,,1800,5000.0,false,,\n")
    r = read_bytes(data, "s.csv")
    assert r.sessions["title"].str.len().max() == TEXT_MAX_CHARS
    assert any("cut to that length" in w for w in r.warnings)


def test_line_the_csv_module_cannot_split_is_refused_as_damaged(corpus_dir: Path) -> None:
    """A stray carriage return inside an unquoted field of a Polar Flow session file."""
    data = (corpus_dir / "other_csv" / "polar_flow_session_2015-11-01_cycling.csv").read_bytes()
    data = data.replace(b"Hana Kysela", b"Hana\rKysela", 1)
    with pytest.raises(StridewiseError) as err:
        csvfile.read(data, "p.csv", ReadContext())
    assert not isinstance(err.value, UnexpectedReadError)
    assert "cannot be read as CSV" in err.value.message


# ------------------------------------------------------------------------------- text


def test_normalise_removes_nul_and_cuts_text() -> None:
    df = pd.DataFrame({"start": [datetime(2024, 1, 1)], "sport": ["run"],
                       "title": ["Easy\x00run" + "z" * 20_000], "duration_s": [60.0],
                       "athlete": ["a\x00b"], "session_id": ["x"], "sets": ["[]"]})
    out = normalise(df)
    assert out["title"].iloc[0].startswith("Easyrun") and len(out["title"].iloc[0]) == 10_000
    assert out["athlete"].iloc[0] == "ab"
    assert "\x00" in df["title"].iloc[0]  # input untouched


# ------------------------------------------------------------------------------- size


def test_size_is_checked_before_the_file_is_read(tmp_path: Path, monkeypatch) -> None:
    p = tmp_path / "huge.csv"
    with p.open("wb") as fh:
        fh.truncate(300 * 2**20)  # sparse: no disk used
    read = []
    real = Path.open

    def spy(self, *a, **k):  # the file may be opened, never read to the end
        fh = real(self, *a, **k)
        orig = fh.read
        fh.read = lambda *x: read.append(x) or orig(*x)  # type: ignore[method-assign]
        return fh

    monkeypatch.setattr(Path, "open", spy)
    with pytest.raises(UnreadableFile) as err:
        read_path(p)
    assert "above the 200 MB limit" in err.value.message
    assert read == []


# ------------------------------------------------------------------------------- zip


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _fits(n: int) -> dict[str, bytes]:
    return {f"a/{i}.fit.gz": gzip.compress(fb.activity(
        [{"start": datetime(2023, 1, 1 + i % 28, 6 + i // 28), "sport": 1, "elapsed": 1000 + i,
          "distance": 3000}]).bytes()) for i in range(n)}


@pytest.mark.parametrize("parallel", [False, True], ids=["one process", "worker processes"])
def test_zip_budget_holds_for_the_whole_zip(monkeypatch, parallel: bool) -> None:
    files = _fits(24)
    one = len(gzip.decompress(next(iter(files.values()))))
    monkeypatch.setattr(stravazip, "PARALLEL_MIN_FILES", 4 if parallel else 10**9)
    monkeypatch.setattr(stravazip, "MAX_READ_BYTES", 10 * (one + 200))
    with pytest.raises(UnreadableFile) as err:
        read_bytes(_zip(files), "e.zip")
    assert "unpacks to more than" in err.value.message
    monkeypatch.setattr(stravazip, "MAX_READ_BYTES", 30 * (one + 200))
    assert read_bytes(_zip(files), "e.zip").n_sessions == 24


def test_zip_members_unpacked_by_workers_match_one_process(monkeypatch) -> None:
    data = _zip({**_fits(20), "broken.fit.gz": b"\x1f\x8b" + b"\x00" * 30})
    monkeypatch.setattr(stravazip, "PARALLEL_MIN_FILES", 10**9)
    serial = read_bytes(data, "e.zip")
    monkeypatch.setattr(stravazip, "PARALLEL_MIN_FILES", 4)
    parallel = read_bytes(data, "e.zip")
    assert serial.sessions.equals(parallel.sessions)
    assert serial.warnings == parallel.warnings
    assert any("damaged gzip" in w for w in parallel.warnings)
    assert not math.isnan(parallel.sessions["distance_m"].sum())
