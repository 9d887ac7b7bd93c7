"""The import path at club scale: no statement an import runs walks a whole session or derived
table (every lookup by an index), checked on SQLite's query plans of the statements issued."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from store_helpers import days, report

from stridewise.store import Store

#: Tables that grow with the club's history: a full scan of one costs O(every athlete).
BIG = ("sessions", "source_sessions", "import_sessions", "derived_weekly", "derived_daily",
       "derived_roster", "overrides", "wellness")


def test_no_statement_of_an_import_scans_a_big_table(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "plans.db"))
    for name in ("ana", "bo", "cy"):
        store.upsert_athlete(name)
        store.import_report(report(name, "strava_csv", days("2024-01-01", 40), sport="run",
                                   distance_m=8_000.0), athlete=name)
    seen: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ARG001
        if statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "INSERT")):
            seen.append((statement, parameters))

    sa.event.listen(store.engine, "before_cursor_execute", capture)
    try:  # one more athlete's export, and the same file again (a re-import)
        store.upsert_athlete("dee")
        rep = report("dee", "strava_csv", days("2024-02-01", 30), sport="run",
                     distance_m=6_000.0)
        store.import_report(rep, athlete="dee")
        store.import_report(rep, athlete="dee")
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", capture)
    assert len(seen) > 10
    scans = []
    with store.engine.connect() as conn:
        raw = conn.connection.driver_connection
        for statement, params in seen:
            if statement.lstrip().upper().startswith("INSERT") and "SELECT" not in \
                    statement.upper():
                continue
            one = params[0] if isinstance(params, list) and params and isinstance(
                params[0], (tuple, dict)) else params
            plan = raw.execute("EXPLAIN QUERY PLAN " + statement, one or ()).fetchall()
            for row in plan:
                detail = str(row[-1])
                if detail.startswith("SCAN ") and detail.split()[1] in BIG \
                        and "USING" not in detail:
                    scans.append((detail, statement[:160]))
    store.close()
    assert not scans, scans
