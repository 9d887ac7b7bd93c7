"""Typed errors that carry one user-facing sentence.

Every error that can reach a user derives from :class:`StridewiseError`; its ``message`` is a
plain sentence that says what happened and what to do. Pages and the CLI show ``message`` and
never a traceback.
"""

from __future__ import annotations


class StridewiseError(Exception):
    """Base class; ``message`` is a complete sentence meant for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


class ImportRefused(StridewiseError):
    """The file was understood but holds no sessions we can import (e.g. a wellness export).

    ``kind`` names what the file is ("Garmin wellness file", "FIT monitoring file", ...).
    """

    def __init__(self, message: str, kind: str = "") -> None:
        super().__init__(message)
        self.kind = kind


class UnreadableFile(StridewiseError):
    """The file cannot be read at all: empty, binary junk, corrupt, wrong encoding, ..."""


class UnexpectedReadError(UnreadableFile):
    """An importer failed in a way it did not foresee (a bug or a quirk not yet handled).

    The user still gets one sentence; tests treat this class as a failure of ours.
    """


class UnsupportedFormat(UnreadableFile):
    """The file is readable but its format is not one Stridewise recognises."""


class NeedsMapping(StridewiseError):
    """A CSV whose columns could not be recognised with confidence.

    ``columns`` lists the header; ``guess`` is the best mapping found so far
    (canonical field -> column name), for a mapping form to start from.
    """

    def __init__(self, message: str, columns: list[str] | None = None,
                 guess: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.columns = list(columns or [])
        self.guess = dict(guess or {})


class SchemaError(StridewiseError):
    """A DataFrame does not follow the canonical session schema; names column and row."""

    def __init__(self, message: str, column: str | None = None, row: int | None = None) -> None:
        super().__init__(message)
        self.column = column
        self.row = row


class StoreError(StridewiseError):
    """The database could not be opened, migrated or written."""


class UsageError(StridewiseError):
    """Bad command-line or API usage (wrong arguments, unknown athlete, ...)."""
