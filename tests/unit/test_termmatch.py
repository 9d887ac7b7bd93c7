"""Tokenised matching: whole words, phrases, hyphen and closed compounds, CJK, emoji."""

from __future__ import annotations

from stridewise.termmatch import MAX_CHARS, Matcher, Term, tokens
from stridewise.vocab import fold, words

TERMS = [Term("run", "endurance", "hint", "en"), Term("walking", "endurance", "hint", "en"),
         Term("walking lunge*", "strength", "activity", "en"),
         Term("lunge*", "strength", "activity", "en"), Term("pre run", "", "neutral", "en"),
         Term("warm up", "flexibility", "explicit", "en"),
         Term("strength", "strength", "activity", "en"),
         Term("core", "stability", "explicit", "en"), Term("box jump*", "plyometrics"),
         Term("lopning", "endurance", "hint", "sv"), Term("rumpf*", "stability", "explicit", "de"),
         Term("プランク", "stability", "explicit", "ja"), Term("ラン", "endurance", "hint", "ja"),
         Term("🧘", "flexibility", "explicit", "emoji"), Term("hardcore", "stability", "explicit")]
M = Matcher(TERMS)


def found(text):
    return [(m.text, m.term.area) for m in M.find(text)]


def test_whole_words_longest_phrase_first():
    assert found("Brunch and running") == []
    assert found("Walking Lunges") == [("walking lunges", "strength")]
    assert found("walking, then lunges") == [("walking", "endurance"), ("lunges", "strength")]


def test_hyphen_compounds():
    assert found("Pre-Run Warm-Up") == [("pre run", ""), ("warm up", "flexibility")]
    assert found("Strength-End Bike") == []  # neither part alone
    assert found("Trail-Run") == [("run", "endurance")]  # the head
    assert found("Post-Run") == []  # a prefix makes it a time, not a run
    assert found("Core-Training") == [("core", "stability")]  # before a generic head
    assert found("Box-Jumps") == [("box jumps", "plyometrics")]


def test_closed_compounds_and_wildcards():
    assert found("Morgonlöpning") == [("morgonlopning", "endurance")]
    assert found("Rumpfstabilitätstraining") == [("rumpfstabilitatstraining", "stability")]
    assert found("Hardcore") == [("hardcore", "stability")]
    assert found("Score") == []


def test_cjk_terms_inside_words_without_overlaps_and_emoji():
    assert found("腹筋とプランク") == [("プランク", "stability")]
    assert found("朝ラン") == [("ラン", "endurance")]
    assert found("🧘🏽‍♀️ flow") == [("🧘", "flexibility")]


def test_folding_and_tokens():
    assert fold("Löpning ÆØ ß") == "lopning aeo ss"
    assert words("Пла́вание и ヨガ") == ["плавание", "и", "ヨガ"]
    assert [t.word for t in tokens("Pre-Run x")] == ["pre", "run", "x"]
    assert tokens(None) == []


def test_long_text_is_read_only_up_to_a_bound():
    text = "x " * MAX_CHARS + "core"
    assert found(text) == []
    assert found("core " + "x " * 10_000) == [("core", "stability")]


def test_short_katakana_terms_end_their_word():
    assert found("ナイトラン") == [("ラン", "endurance")]
    assert found("ランチ") == [] and found("ブランチ") == []  # lunch, brunch


def test_a_word_listed_again_for_a_compounding_language_ends_compounds() -> None:
    from stridewise.termmatch import Matcher, Term

    m = Matcher([Term("mobilisation", "flexibility", "explicit", "fr"),
                 Term("mobilisation", "flexibility", "explicit", "de")])
    assert [x.term.area for x in m.find("Hüftmobilisation")] == ["flexibility"]
    only_fr = Matcher([Term("mobilisation", "flexibility", "explicit", "fr")])
    assert only_fr.find("Hüftmobilisation") == []
