"""Text folding and the readable vocabulary files under ``stridewise/data/vocab/``.

One folding rule serves the sport normaliser (:mod:`stridewise.ingest.sports`) and the
classifier (:mod:`stridewise.classify`), so a word written in a data file and the same word in
an export always compare equal:

* case folded, ``ø æ ß œ ł đ ð þ ı`` spelled out, accents removed from Latin, Greek and Cyrillic
  letters (``Löpning`` -> ``lopning``, ``Пла́вание`` -> ``плавание``);
* CJK, kana and Hangul kept as they are (a kana's voicing mark is part of the letter);
* emoji kept as words of their own (skin tones, gender signs and joiners dropped).

The vocabulary files are CSV with a header row; lines whose first cell starts with ``#`` are
comments. Their provenance is in ``data/vocab/README.md``.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Final

__all__ = ["fold", "words", "read_vocab", "is_cjk", "EMOJI_RE", "WORD_CHARS"]

_TRANSLIT: Final = str.maketrans({
    "ø": "o", "æ": "ae", "ß": "ss", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
    "’": "'", "ı": "i", "ё": "е",
    # Arabic and Persian spell yeh and kaf differently; tatweel only stretches a word; a
    # zero-width non-joiner (Persian "پیاده‌روی") and a soft hyphen join parts of one word.
    "ي": "ی", "ى": "ی", "ك": "ک", "ـ": None, "\u200c": " ", "\u00ad": None,
})
# Pictographs (sports, body, objects) and dingbats; modifiers are removed before matching.
EMOJI_RE: Final = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B50\u2B55]")
_EMOJI_NOISE: Final = re.compile("[\U0001F3FB-\U0001F3FF\u200D\uFE0E\uFE0F\u2640\u2642]")
# CJK ideographs, kana, Hangul syllables: scripts whose marks are part of the letter.
_CJK: Final = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_SPACELESS: Final = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]")


def is_cjk(text: str) -> bool:
    """True if ``text`` is written in a script without spaces between words (CJK, kana, Thai)."""
    return bool(_SPACELESS.search(text))


def _strip_marks(text: str) -> str:
    if text.isascii():  # no marks to strip, and NFKD/NFC leave ASCII as it is
        return text
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch) and out and (
                ord(out[-1]) < 0x0590 or 0x0591 <= ord(ch) <= 0x065F or ord(ch) == 0x0670):
            continue  # an accent on a Latin/Greek/Cyrillic letter; Hebrew and Arabic vowel marks
        # (the vowel signs of Indic and Thai script are letters of the word: kept)
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


@lru_cache(maxsize=65536)
def fold(text: object, split_camel: bool = True) -> str:
    """``text`` folded for comparison (see the module docstring); "" for non-text.

    Punctuation is kept (the tokeniser decides what it means); runs of white space become one
    space. With ``split_camel`` camelCase is split ("HomeWorkout" -> "home workout").
    """
    if not isinstance(text, str):
        return ""
    t = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text) if split_camel else text
    t = _EMOJI_NOISE.sub("", t)
    t = t.casefold().translate(_TRANSLIT)
    t = _strip_marks(t)
    t = EMOJI_RE.sub(lambda m: f" {m.group(0)} ", t)
    return re.sub(r"\s+", " ", t).strip()


# A word: letters and digits of any script, with the combining vowel signs of Indic, Thai and
# other Brahmic scripts inside it ("दौड़", "วิ่ง"; Python's \w leaves those signs out).
WORD_CHARS: Final = "(?:[^\\W_]|[\u0900-\u0dff\u0e00-\u0eff\u0f00-\u109f\u1780-\u17ff])"
_WORDS: Final = re.compile(WORD_CHARS + "+")


def words(text: object, split_camel: bool = True) -> list[str]:
    """The words of ``fold(text)``: letters/digits runs (any script) and single emoji."""
    t = fold(text, split_camel)
    out: list[str] = []
    for tok in t.split(" "):
        if EMOJI_RE.fullmatch(tok):
            out.append(tok)
        else:
            out.extend(_WORDS.findall(tok))
    return out


def read_vocab(name: str) -> list[dict[str, str]]:
    """Rows of ``stridewise/data/vocab/<name>`` as dicts (comment lines skipped)."""
    text = resources.files("stridewise").joinpath(f"data/vocab/{name}").read_text(
        encoding="utf-8")
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader)]
    rows: list[dict[str, str]] = []
    for row in reader:
        if not row or not row[0].strip() or row[0].lstrip().startswith("#"):
            continue
        rows.append({h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)})
    return rows
