"""Log: add a session by hand (phone-first: a routine in three taps), fill in RPE for many
sessions at once, and edit, delete or split what was logged by hand."""

from __future__ import annotations

from stridewise.ui import log_view, widgets

store = widgets.setup_page("Log", ":material/edit_note:")
log_view.render(store)
