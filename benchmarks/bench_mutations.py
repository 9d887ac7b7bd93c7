"""Mutated real files through every reader: counts of outcomes, zero unforeseen errors wanted.

Every file of ../shared/corpus (real exports written by others) is mutated in memory —
flipped and inserted bytes, extreme numbers and dates in CSV cells and XML values, extreme
FIT field values, cut, repeated or deleted spans, gzip and zip wrapping — and read with
``stridewise.ingest.read_bytes``. Each outcome is one of: imported (and the sessions pass
schema validation), refused with a typed error, ``UnexpectedReadError`` (a reader failed in a
way it did not foresee: a bug), or any other exception escaping (a crash). The run is
deterministic for a given seed.

    .venv/bin/python benchmarks/bench_mutations.py [--n 10000] [--seed 13] [--workers 2]

Prints counts per outcome and per format, the slowest reads, and the signature of every
``UnexpectedReadError`` / crash (exception type and message start), then exits 1 if any.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import io
import multiprocessing
import random
import re
import struct
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from stridewise.errors import StridewiseError, UnexpectedReadError  # noqa: E402
from stridewise.ingest import ReadContext, read_bytes  # noqa: E402
from stridewise.schema import validate  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"

NASTY_NUMBERS = [b"1e308", b"-1e308", b"1e400", b"-1e400", b"9" * 40, b"-9" * 20, b"NaN",
                 b"inf", b"-inf", b"0", b"-0", b"1,610", b"1.234.567,89", b"0x1F", b"1e-400",
                 b"18446744073709551616", b"4294967295", b"2147483648", b"-2147483649"]
NASTY_DATES = [b"0001-01-01", b"1677-09-21 00:12:43", b"9999-12-31 23:59:59",
               b"2262-04-12 00:00:00", b"1900-01-01", b"0000-00-00", b"2024-02-30",
               b"31/12/9999", b"Jan 1, 0001, 1:00:00 AM", b"1970-01-01T00:00:00Z",
               b"2024-13-45T99:99:99", b"-2024-01-01", b"+275760-09-13"]
NASTY_TEXT = [b"", b"--", b'"', b"\x00", b"\n", b"\r", b"\t", b";", b",", b"=1+1",
              b"\xff\xfe", b"\xef\xbb\xbf", "💥".encode(), b"\\", b"<", b"&amp;", b"]]>",
              b"99:99:99", b"-00:00:01", b"1:00:00:00:00", b"x" * 300]
NASTY = NASTY_NUMBERS + NASTY_DATES + NASTY_TEXT
FIT_WORDS = [0, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 1, 0x0FFFFFFF, 0x10000000, 0xFFFF]


def corpus_files(max_text_bytes: int = 256 * 1024) -> list[tuple[str, bytes]]:
    """Every corpus file; CSV/text files longer than ``max_text_bytes`` are cut at the last
    line break before it (reading a 1 MB CSV ninety times adds time, not new cases)."""
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "MANIFEST.md")
    out = []
    for p in files:
        data = p.read_bytes()
        if p.suffix.lower() in (".csv", ".txt") and len(data) > max_text_bytes:
            data = data[:data.rfind(b"\n", 0, max_text_bytes) + 1]
        out.append((str(p.relative_to(CORPUS)), data))
    return out


def _span(rng: random.Random, n: int, most: int = 400) -> tuple[int, int]:
    a = rng.randrange(max(1, n))
    return a, min(n, a + rng.randint(1, most))


def _cell(rng: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    i = rng.randrange(min(len(lines), 60)) if len(lines) > 1 else 0
    delim = max((b",", b";", b"\t"), key=lambda d: lines[0].count(d))
    cells = lines[i].split(delim)
    cells[rng.randrange(len(cells))] = rng.choice(NASTY)
    lines[i] = delim.join(cells)
    return b"\n".join(lines)


_XML_VALUE = re.compile(rb">([^<>]{1,40})<")


def _xml_value(rng: random.Random, data: bytes) -> bytes:
    found = [m.span(1) for _, m in zip(range(5000), _XML_VALUE.finditer(data), strict=False)]
    if not found:
        return data
    a, b = rng.choice(found)
    return data[:a] + rng.choice(NASTY) + data[b:]


def _fit_word(rng: random.Random, data: bytes) -> bytes:
    if len(data) < 20:
        return data
    pos = rng.randrange(14, len(data) - 4)
    return data[:pos] + struct.pack("<I", rng.choice(FIT_WORDS)) + data[pos + 4:]


def mutate(rng: random.Random, name: str, data: bytes) -> tuple[str, bytes, str]:
    """(file name, mutated bytes, what was done)."""
    ops = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        n = len(data)
        op = rng.choice(["flip", "insert", "delete", "truncate", "repeat", "cell", "cell",
                         "xml", "fit", "fit"])
        if op == "flip" and n:
            b = bytearray(data)
            for _ in range(rng.randint(1, 20)):
                b[rng.randrange(n)] = rng.randrange(256)
            data = bytes(b)
        elif op == "insert":
            pos = rng.randrange(n + 1)
            data = data[:pos] + rng.choice(NASTY + [rng.randbytes(rng.randint(1, 40))]) + data[pos:]
        elif op == "delete" and n:
            a, b = _span(rng, n)
            data = data[:a] + data[b:]
        elif op == "truncate" and n:
            data = data[:rng.randrange(n)]
        elif op == "repeat" and n:
            a, b = _span(rng, n, 2000)
            data = data[:b] + data[a:b] * rng.randint(1, 5) + data[b:]
        elif op == "cell" and name.endswith((".csv", ".txt")):
            data = _cell(rng, data)
        elif op == "xml" and name.endswith((".tcx", ".gpx", ".xml", ".sml")):
            data = _xml_value(rng, data)
        elif op == "fit" and name.endswith(".fit"):
            data = _fit_word(rng, data)
        else:
            continue
        ops.append(op)
    wrap = rng.random()
    base = name.rsplit("/", 1)[-1]
    if wrap < 0.05:
        return base + ".gz", gzip.compress(data, 1), "+".join(ops + ["gzip"])
    if wrap < 0.08:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr(base, data)
            zf.writestr("other/" + base, data[: len(data) // 2])
        return "wrapped.zip", buf.getvalue(), "+".join(ops + ["zip"])
    return base, data, "+".join(ops)


def _run(job: tuple[int, int, str, bytes]) -> tuple[str, str, str, float, str]:
    """(outcome, format group, signature, seconds, detail)."""
    seed, index, name, data = job
    rng = random.Random(f"{seed}:{index}")
    fname, mutated, ops = mutate(rng, name, data)
    group = name.split("/", 1)[0]
    t0 = time.perf_counter()
    try:
        report = read_bytes(mutated, fname, ReadContext(athlete="bench"))
        validate(report.sessions)
        outcome, sig = "imported", ""
    except UnexpectedReadError as exc:
        cause = exc.__cause__
        outcome = "unexpected"
        sig = f"{type(cause).__name__ if cause else 'UnexpectedReadError'}: {exc.message[:160]}"
    except StridewiseError as exc:
        outcome, sig = "refused", ""
        if not exc.message.strip().endswith((".", "?", ")")):
            outcome, sig = "unexpected", f"no full sentence: {exc.message[:160]}"
    except Exception as exc:  # noqa: BLE001 - that is what the benchmark counts
        outcome, sig = "crash", f"{type(exc).__name__}: {str(exc)[:160]}"
    return outcome, group, sig, time.perf_counter() - t0, f"{name} [{ops}]"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=10_000, help="mutated files to read")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--max-text-kb", type=int, default=256,
                    help="cut CSV/text base files to this many KB (whole lines)")
    args = ap.parse_args()
    files = corpus_files(args.max_text_kb * 1024)
    if not files:
        print(f"no corpus at {CORPUS}")
        return 2
    jobs = [(args.seed, i, *files[i % len(files)]) for i in range(args.n)]
    t0 = time.perf_counter()
    ctx = multiprocessing.get_context("fork")
    results = []
    with ctx.Pool(args.workers, maxtasksperchild=500) as pool:
        for r in pool.imap(_run, jobs, chunksize=16):
            results.append(r)
            if r[0] in ("unexpected", "crash"):
                print(f"  [{len(results)}] {r[0]}: {r[2]}  ({r[4]})", flush=True)
            if len(results) % 1000 == 0:
                done = collections.Counter(x[0] for x in results)
                print(f"  ... {len(results)} read, {time.perf_counter() - t0:.0f} s: "
                      f"{dict(done)}", flush=True)
    wall = time.perf_counter() - t0
    counts = collections.Counter(r[0] for r in results)
    per_group: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for outcome, group, *_ in results:
        per_group[group][outcome] += 1
    print(f"{args.n} mutated files from {len(files)} corpus files (seed {args.seed}), "
          f"{wall:.0f} s on {args.workers} worker(s)")
    for k in ("imported", "refused", "unexpected", "crash"):
        print(f"  {k:10s} {counts.get(k, 0):6d}")
    print("per format folder: " + "; ".join(
        f"{g} " + "/".join(str(c.get(k, 0)) for k in ("imported", "refused", "unexpected",
                                                       "crash"))
        for g, c in sorted(per_group.items())) + "  (imported/refused/unexpected/crash)")
    slow = sorted(results, key=lambda r: -r[3])[:5]
    print("slowest reads: " + "; ".join(f"{r[3]:.2f} s {r[4]}" for r in slow))
    bad = collections.Counter((r[0], r[2]) for r in results if r[0] in ("unexpected", "crash"))
    example = {(r[0], r[2]): r[4] for r in results if r[0] in ("unexpected", "crash")}
    for (outcome, sig), n in bad.most_common():
        print(f"  {outcome} x{n}: {sig}\n      e.g. {example[(outcome, sig)]}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
