"""Tokenised matching of vocabulary terms in titles and exercise names.

A text is folded (:func:`stridewise.vocab.fold`) and cut into words; a term is one or more words,
each possibly with ``*`` wildcards inside the word (``stretch*``, ``*core``). Matching rules:

* **Whole words only.** ``run`` never matches inside ``brunch``; a phrase matches whole words in
  order. At each place the longest term wins, so ``walking lunge`` is read before ``walking``
  could be, and a neutral phrase such as ``pre run`` consumes its words.
* **Hyphen compounds are one unit.** In ``Pre-Run`` or ``Strength-End`` a term must cover the
  whole compound (``pre run``, ``box jump`` in ``Box-Jump``), or its head (the last part, as in
  ``Trail-Run`` -> ``run``) unless the compound begins with a time/negation prefix (pre, post,
  after, anti, non, vor, nach, ...), or its modifier when the head is a generic word
  (``Core-Training`` -> ``core``). ``strength`` alone does not match ``Strength-End``.
* **Closed compounds** of Germanic and Finnic languages: a word also matches a term of at least
  four letters that it ends with (``Morgonlöpning`` -> ``lopning``; the rest must be 3+ letters),
  and a word ending in a generic head (training, einheit, trening, treeni, ...) is also read
  without it (``Rumpfstabilitätstraining`` -> ``rumpfstabilitats`` -> ``rumpf*``).
* **CJK / kana / Thai** have no spaces: such a term matches inside a word of those scripts.
* **Emoji** are words of their own.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from stridewise.vocab import EMOJI_RE, WORD_CHARS, fold, is_cjk

__all__ = ["Term", "Match", "Matcher", "tokens"]

#: First parts of a hyphen compound that make it a time/negation modifier, not the activity.
PREFIXES: Final = frozenset({
    "pre", "post", "after", "before", "anti", "non", "vor", "nach", "apres", "avant", "pos",
    "efter", "etter", "fore", "ennen", "jalkeen", "przed", "po", "pred",
})
#: Heads of compounds that say nothing of the content ("Core-Training", "Yogaeinheit").
GENERIC_HEADS: Final = (
    "training", "trainings", "traning", "traening", "trening", "treningsokt", "einheit", "session",
    "workout", "workouts", "ubungen", "ubung", "ovelser", "ovningar", "ovelse", "okt", "treeni",
    "harjoitus", "harjoitukset", "kurs", "stunde", "programm", "program", "flow", "class",
    "klasse", "day", "routine", "circuit", "zirkel", "pass", "tag",
)
_GENERIC_SET: Final = frozenset(GENERIC_HEADS)
#: Characters of a text that are read (titles and exercise names are short).
MAX_CHARS: Final = 400
_COMPOUND_LANGS: Final = frozenset({"de", "sv", "no", "da", "nl", "fi"})
_HYPHENS: Final = "[-\u2010\u2011\u2012]"
_WORD_RE: Final = re.compile(f"{WORD_CHARS}+(?:{_HYPHENS}{WORD_CHARS}+)*|" + EMOJI_RE.pattern)


@dataclass(frozen=True)
class Term:
    """One vocabulary entry. ``text`` as written in the data file; ``area`` ("" for a neutral
    phrase); ``tier`` explicit | activity | hint | neutral; ``lang`` a language code or ""."""

    text: str
    area: str
    tier: str = "activity"
    lang: str = ""
    label: str = ""

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(fold(self.text).replace("-", " ").split())


@dataclass(frozen=True)
class Match:
    term: Term
    start: int  # first token
    end: int  # one past the last token
    text: str  # the matched words, folded, space-joined
    compound: bool = False  # found as the head (or the modifier) of a closed compound word


@dataclass(frozen=True)
class _Tok:
    word: str
    group: int  # hyphen-compound id (tokens of one compound share it)
    part: int  # position inside the compound
    size: int  # parts in the compound


def tokens(text: object) -> list[_Tok]:
    """Folded words of ``text`` with their hyphen-compound structure."""
    out: list[_Tok] = []
    for g, m in enumerate(_WORD_RE.finditer(fold(text))):
        parts = re.split(_HYPHENS, m.group(0))
        for i, p in enumerate(parts):
            out.append(_Tok(p, g, i, len(parts)))
    return out


@dataclass
class _WordIndex:
    """Single-word patterns -> payload ids, matched against one word."""

    exact: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    prefix: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    suffix: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    infix: list[tuple[str, int]] = field(default_factory=list)
    other: list[tuple[re.Pattern[str], int]] = field(default_factory=list)
    cjk: list[tuple[str, int]] = field(default_factory=list)
    head: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def add(self, pattern: str, pid: int, compound: bool) -> None:
        if "*" not in pattern:
            if is_cjk(pattern):
                self.cjk.append((pattern, pid))
            else:
                self.exact[pattern].append(pid)
                if compound and len(pattern) >= 4:
                    self.head[pattern].append(pid)
            return
        core = pattern.strip("*")
        if pattern.count("*") == 1 and pattern.endswith("*"):
            self.prefix[core].append(pid)
        elif pattern.count("*") == 1 and pattern.startswith("*"):
            self.suffix[core].append(pid)
        elif pattern.count("*") == 2 and pattern.startswith("*") and pattern.endswith("*"):
            self.infix.append((core, pid))
        else:
            rx = ".*".join(re.escape(p) for p in pattern.split("*"))
            self.other.append((re.compile(rx), pid))

    def lookup(self, word: str) -> list[int]:
        """Payload ids whose pattern matches the whole word, in insertion order of kinds."""
        hits: list[int] = list(self.exact.get(word, ()))
        for n in range(1, len(word) + 1):
            ids = self.prefix.get(word[:n])
            if ids:
                hits.extend(ids)
            ids = self.suffix.get(word[-n:])
            if ids:
                hits.extend(ids)
        hits.extend(pid for core, pid in self.infix if core in word)
        hits.extend(pid for rx, pid in self.other if rx.fullmatch(word))
        if self.cjk and is_cjk(word):
            hits.extend(pid for s, pid in self.cjk if s in word and _cjk_at(word, s))
        if not hits and word.startswith(_AR_ARTICLE) and len(word) > 4:
            hits = self.lookup(word[2:])  # "اليوغا" is "the yoga"
        return hits

    def lookup_compound(self, word: str) -> list[int]:
        """Ids matched through a closed compound: the word's head, or the word less a generic
        head (see the module docstring)."""
        if is_cjk(word) or len(word) < 7:
            return []
        hits: list[int] = []
        # a generic head says nothing: the modifier carries the content
        # ("Gleichgewichtstraining" is balance work, not "gewichtstraining")
        for head in GENERIC_HEADS:
            if word.endswith(head) and len(word) - len(head) >= 3:
                stem = word[: -len(head)]
                for s in (stem, stem[:-1] if stem.endswith("s") else ""):
                    if len(s) >= 3:
                        hits.extend(self.lookup(s))
        if hits:
            return hits
        for n in range(len(word) - 3, 3, -1):  # the longest known head first
            ids = self.head.get(word[-n:])
            if ids:
                hits.extend(ids)
        return hits


_KATAKANA: Final = re.compile("[\u30a0-\u30ff]+")
#: The Arabic article, written as part of the word.
_AR_ARTICLE: Final = "\u0627\u0644"


def _cjk_at(word: str, term: str) -> list[int]:
    """Where ``term`` occurs in the CJK ``word``. A short katakana term must end its katakana
    word, as Japanese compounds end in their head: "ラン" in "朝ラン" and "ナイトラン", not in
    "ランチ" (lunch) or "フランス"."""
    out = []
    start = word.find(term)
    short_kana = len(term) <= 2 and _KATAKANA.fullmatch(term) is not None
    while start >= 0:
        end = start + len(term)
        if not (short_kana and end < len(word) and _KATAKANA.match(word[end])):
            out.append(start)
        start = word.find(term, start + 1)
    return out


def _cjk_hits(word: str, cjk: Sequence[tuple[str, int]]) -> list[int]:
    """Terms found in a CJK word, longest first and without overlaps ("プランク" holds "ラン"
    but is not a run), in reading order."""
    found = []
    for s, pid in cjk:
        for start in _cjk_at(word, s):
            found.append((start, start + len(s), pid))
    taken: list[tuple[int, int, int]] = []
    for a, b, pid in sorted(found, key=lambda t: (t[0] - t[1], t[0])):
        if all(b <= x or a >= y for x, y, _ in taken):
            taken.append((a, b, pid))
    return [pid for _, _, pid in sorted(taken)]


class Matcher:
    """Finds vocabulary terms in texts (see the module docstring). Terms earlier in ``terms``
    win over later ones with the same words."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self.terms: list[Term] = []
        self._first = _WordIndex()
        self._patterns: list[tuple[str, ...]] = []
        seen: dict[tuple[str, ...], int] = {}
        for t in terms:
            w = t.words
            if w in seen:
                # the same word listed again for a compounding language ("mobilisation" in
                # German too) also ends compounds ("Hüftmobilisation")
                pid = seen[w]
                if (len(w) == 1 and t.lang in _COMPOUND_LANGS and "*" not in w[0]
                        and len(w[0]) >= 4 and not is_cjk(w[0])
                        and pid not in self._first.head.get(w[0], ())):
                    self._first.head[w[0]].append(pid)
                continue
            if not w:
                continue
            seen[w] = len(self.terms)
            pid = len(self.terms)
            self.terms.append(t)
            self._patterns.append(w)
            self._first.add(w[0], pid, compound=len(w) == 1 and t.lang in _COMPOUND_LANGS)
        self._single: dict[str, re.Pattern[str]] = {}

    def _word_ok(self, pattern: str, word: str) -> bool:
        if "*" not in pattern:
            return pattern == word or (is_cjk(pattern) and bool(_cjk_at(word, pattern)))
        rx = self._single.get(pattern)
        if rx is None:
            rx = re.compile(".*".join(re.escape(p) for p in pattern.split("*")))
            self._single[pattern] = rx
        return rx.fullmatch(word) is not None

    @staticmethod
    def _span_ok(toks: Sequence[_Tok], i: int, j: int) -> bool:
        """May a term cover tokens i..j-1 given the hyphen compounds they touch?"""
        a, b = toks[i], toks[j - 1]
        if a.group == b.group and a.size > 1:
            last = a.size - 1
            if a.part == 0 and b.part == last:
                return True  # the whole compound ("Box-Jump", "Pre-Run")
            if a.part == b.part == last:
                return toks[i - a.part].word not in PREFIXES  # its head ("Trail-Run")
            # its modifier before a generic head ("Core-Training")
            return (a.part == 0 and b.part == last - 1 and toks[j].word in _GENERIC_SET
                    and a.word not in PREFIXES)
        return a.part == 0 and b.part == b.size - 1

    def find(self, text: object) -> list[Match]:
        """Non-overlapping matches, left to right, the longest term at each place (in the first
        :data:`MAX_CHARS` characters: a title is a line, and the time per text stays bounded)."""
        toks = tokens(text[:MAX_CHARS] if isinstance(text, str) else text)
        out: list[Match] = []
        i = 0
        n = len(toks)
        while i < n:
            best: tuple[int, int] | None = None  # (end, pid)
            best_key = (0, 0, 0)
            cands = self._first.lookup(toks[i].word)
            for pid in cands:
                pat = self._patterns[pid]
                j = i + len(pat)
                # the longest term; among equals the most specific (most literal letters),
                # then the first in the vocabulary
                key = (j, len("".join(pat).replace("*", "")), -pid)
                if j > n or key <= best_key:
                    continue
                if all(self._word_ok(pat[k], toks[i + k].word) for k in range(1, len(pat))) \
                        and self._span_ok(toks, i, j):
                    best, best_key = (j, pid), key
            if best is None and toks[i].size == 1:
                for pid in self._first.lookup_compound(toks[i].word):
                    if len(self._patterns[pid]) == 1:
                        best = (i + 1, -1 - pid)  # negative: a compound match
                        break
            if self._first.cjk and is_cjk(toks[i].word):
                # a CJK run may hold several terms ("ジャンプスクワット"): keep them all
                hits = _cjk_hits(toks[i].word, self._first.cjk)
                if len(hits) > 1:
                    for pid in hits:
                        out.append(Match(self.terms[pid], i, i + 1, self.terms[pid].text))
                    i += 1
                    continue
            if best is None:
                i += 1
                continue
            j, pid = best
            compound = pid < 0
            pid = -1 - pid if compound else pid
            text = " ".join(t.word for t in toks[i:j])
            if is_cjk(text):
                text = self.terms[pid].text  # the term found inside the CJK run
            out.append(Match(self.terms[pid], i, j, text, compound))
            i = j
        return out
