"""Account (club mode): who has access to my data, grants and revokes, my audit log, download
everything, delete my account; a coach's athletes; an admin's users, invitations, squads and
audit log."""

from __future__ import annotations

from stridewise.ui import account_view, widgets

store = widgets.setup_page("Account", ":material/account_circle:")
account_view.render(store)
