"""Coach's notes: on an athlete's week or on one session, with a visibility, kept with history.

A note has versions: every edit adds a version (nothing is overwritten), the highest version is
the current text. Each version records its text, visibility, author, the author's role and when
it was written. The store keeps the rows (table ``notes``); this module holds the pure rules.

Visibility (``VISIBILITIES``):

* ``coach`` — coach-private: only its author reads it;
* ``staff`` — the coaching staff (coaches, staff) read it, the athlete does not;
* ``athlete`` — athlete-visible: staff and the athlete the note is about read it.

:func:`visible_notes` is the one place that decides who reads which note: every page, report
and digest filters notes through it with the reader's role and id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import pandas as pd

from stridewise.errors import UsageError

__all__ = ["VISIBILITIES", "VISIBILITY_LABELS", "ROLES", "MAX_NOTE_CHARS", "NOTE_COLUMNS",
           "visible_notes", "current_notes", "note_history", "check_note", "empty_notes"]

VISIBILITIES: Final[tuple[str, ...]] = ("coach", "staff", "athlete")
VISIBILITY_LABELS: Final[Mapping[str, str]] = {
    "coach": "Coach-private", "staff": "Staff", "athlete": "Athlete-visible"}
#: Reader roles. ``personal``: the single user of personal mode (no accounts), who wrote every
#: note and reads all of them. ``coach`` and ``staff`` are club staff; ``athlete`` reads notes
#: about themself only.
ROLES: Final[tuple[str, ...]] = ("personal", "coach", "staff", "athlete")
MAX_NOTE_CHARS: Final[int] = 5000
NOTE_COLUMNS: Final[list[str]] = ["note_id", "version", "athlete", "week", "session_id",
                                  "visibility", "author", "author_role", "text", "created_at"]


def empty_notes() -> pd.DataFrame:
    """A notes frame with no rows (the store's column layout)."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in NOTE_COLUMNS})


def visible_notes(notes: pd.DataFrame, viewer_role: str, viewer_id: str) -> pd.DataFrame:
    """The rows of ``notes`` that a reader with ``viewer_role`` and ``viewer_id`` may read.

    ``viewer_id`` is the reader's user name (``author`` of the notes they wrote) and, for an
    athlete, the athlete name the notes are about. Rules: an author always reads their own
    notes; ``personal`` reads everything; ``coach`` and ``staff`` read staff and
    athlete-visible notes; ``athlete`` reads athlete-visible notes about themself only. An
    unknown role reads nothing. Works row by row, so an older version that was private stays
    hidden after a later version made the note visible. Does not mutate ``notes``.
    """
    if notes.empty:
        return notes.copy()
    vis = notes["visibility"].astype(str)
    own = notes["author"].astype(str) == str(viewer_id)
    if viewer_role == "personal":
        keep = pd.Series(True, index=notes.index)
    elif viewer_role in ("coach", "staff"):
        keep = vis.isin(["staff", "athlete"]) | own
    elif viewer_role == "athlete":
        keep = (vis == "athlete") & (notes["athlete"].astype(str) == str(viewer_id))
    else:
        keep = pd.Series(False, index=notes.index)
    return notes.loc[keep].copy()


def current_notes(notes: pd.DataFrame) -> pd.DataFrame:
    """The current (highest) version of each note, newest note first. Filter with
    :func:`visible_notes` first: a reader then sees the newest version they may read."""
    if notes.empty:
        return notes.copy()
    latest = notes.sort_values(["note_id", "version"]).groupby("note_id", sort=False).tail(1)
    return latest.sort_values(["created_at", "note_id"], ascending=False).reset_index(drop=True)


def note_history(notes: pd.DataFrame, note_id: int) -> pd.DataFrame:
    """Every version of one note, oldest first."""
    rows = notes.loc[notes["note_id"] == note_id]
    return rows.sort_values("version").reset_index(drop=True)


def check_note(text: object, visibility: object, *, week: object = None,
               session_id: object = None) -> tuple[str, str]:
    """(text, visibility) cleaned, or :class:`UsageError` with one sentence: a note needs some
    text (at most :data:`MAX_NOTE_CHARS` characters), a known visibility, and a week or a
    session it belongs to."""
    body = str(text or "").replace("\x00", "").strip()
    if not body:
        raise UsageError("A note needs some text.")
    if len(body) > MAX_NOTE_CHARS:
        raise UsageError(f"A note can hold at most {MAX_NOTE_CHARS:,} characters "
                         f"(this one has {len(body):,}).")
    vis = str(visibility or "")
    if vis not in VISIBILITIES:
        raise UsageError(f"A note's visibility is one of coach-private, staff or "
                         f"athlete-visible, not {vis!r}.")
    if not week and not session_id:
        raise UsageError("A note belongs to an athlete's week or to one session.")
    return body, vis
