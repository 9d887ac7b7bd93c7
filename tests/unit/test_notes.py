"""notes.visible_notes is the one place that decides who reads which note."""

from __future__ import annotations

import pandas as pd
import pytest

from stridewise.errors import UsageError
from stridewise.notes import NOTE_COLUMNS, check_note, current_notes, note_history, visible_notes


def _notes() -> pd.DataFrame:
    rows = [
        # note 1: coach-private by c1, later made athlete-visible by c1
        (1, 1, "ana", "2026-11-23", None, "coach", "c1", "coach", "private draft", "2026-11-24"),
        (1, 2, "ana", "2026-11-23", None, "athlete", "c1", "coach", "for ana", "2026-11-25"),
        (2, 1, "ana", "2026-11-23", None, "staff", "c2", "staff", "staff only", "2026-11-24"),
        (3, 1, "ben", "2026-11-23", None, "athlete", "c1", "coach", "for ben", "2026-11-24"),
        (4, 1, "ana", None, "s1", "coach", "c2", "coach", "c2 private", "2026-11-26"),
    ]
    df = pd.DataFrame(rows, columns=NOTE_COLUMNS)
    df["created_at"] = pd.to_datetime(df["created_at"])
    return df


def _texts(df: pd.DataFrame) -> set[str]:
    return set(df["text"])


def test_the_athlete_reads_only_athlete_visible_notes_about_themself() -> None:
    got = visible_notes(_notes(), "athlete", "ana")
    assert _texts(got) == {"for ana"}
    assert _texts(visible_notes(_notes(), "athlete", "ben")) == {"for ben"}


def test_an_earlier_private_version_stays_hidden_from_the_athlete() -> None:
    got = visible_notes(_notes(), "athlete", "ana")
    assert list(got["version"]) == [2]
    assert "private draft" not in _texts(visible_notes(_notes(), "staff", "c2"))


def test_coach_private_notes_are_read_by_their_author_only() -> None:
    assert _texts(visible_notes(_notes(), "coach", "c1")) == {
        "private draft", "for ana", "staff only", "for ben"}
    assert _texts(visible_notes(_notes(), "coach", "c2")) == {
        "for ana", "staff only", "for ben", "c2 private"}
    assert "c2 private" not in _texts(visible_notes(_notes(), "staff", "c3"))


def test_personal_mode_reads_everything_and_an_unknown_role_nothing() -> None:
    assert len(visible_notes(_notes(), "personal", "me")) == len(_notes())
    assert visible_notes(_notes(), "admin?", "c1").empty
    assert visible_notes(_notes(), "", "").empty


def test_the_filter_does_not_mutate_its_input() -> None:
    notes = _notes()
    before = notes.copy()
    visible_notes(notes, "athlete", "ana")
    pd.testing.assert_frame_equal(notes, before)


def test_current_version_and_history() -> None:
    cur = current_notes(_notes())
    assert len(cur) == 4
    assert cur.loc[cur["note_id"] == 1, "text"].item() == "for ana"
    assert list(note_history(_notes(), 1)["text"]) == ["private draft", "for ana"]
    # a coach who may not read the newer version sees the newest one they may read
    staff = current_notes(visible_notes(_notes(), "staff", "c9"))
    assert staff.loc[staff["note_id"] == 1, "text"].item() == "for ana"


def test_check_note() -> None:
    assert check_note(" hi\x00 ", "staff", week="2026-11-23") == ("hi", "staff")
    with pytest.raises(UsageError, match="week or to one session"):
        check_note("hi", "staff")
