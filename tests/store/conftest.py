"""Store fixtures: every store test runs on SQLite (a temp file) and on a real PostgreSQL.

PostgreSQL comes from ``STRIDEWISE_TEST_PG_URL`` (its user needs CREATEDB) or, when unset, from
a throwaway server started by ``scripts/pg_for_tests.sh`` (which installs Debian's postgresql
when missing and we are root). Without PostgreSQL the postgres cases are skipped locally and
FAIL when ``CI`` is set. The tests use a database of their own on that server, emptied (schema
dropped and re-created) before each test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(HERE) not in sys.path:  # store_helpers, also for spawned worker processes
    sys.path.insert(0, str(HERE))
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from stridewise.store import Store  # noqa: E402

PG_SCRIPT = ROOT / "scripts" / "pg_for_tests.sh"


def _no_postgres(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required under CI: {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """URL of a PostgreSQL server whose user may create databases."""
    url = os.environ.get("STRIDEWISE_TEST_PG_URL", "").strip()
    if url:
        yield url
        return
    folder = tempfile.mkdtemp(prefix="stridewise-pg-")
    try:
        proc = subprocess.run(["bash", str(PG_SCRIPT), "start", folder], capture_output=True,
                              text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        _no_postgres(f"{PG_SCRIPT.name} could not run ({exc})")
    if proc.returncode != 0 or not proc.stdout.strip():
        shutil.rmtree(folder, ignore_errors=True)
        _no_postgres(f"{PG_SCRIPT.name} failed: {proc.stderr.strip()[-800:]}")
    try:
        yield proc.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(["bash", str(PG_SCRIPT), "stop", folder], capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_test_database(pg_server_url: str) -> Iterator[str]:
    """A database of our own on the server (dropped at the end), emptied before each test."""
    base = sa.make_url(pg_server_url)
    name = f"sw_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.SQLAlchemyError as exc:
        admin.dispose()
        _no_postgres(f"cannot create a test database at {base!r} ({exc})")
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL (or path) of an empty database on each backend."""
    if request.param == "sqlite":
        yield str(tmp_path / "db" / "stridewise.db")
        return
    url = request.getfixturevalue("pg_test_database")
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as conn:  # a clean slate: no tables, nothing left by the last test
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    yield url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """An open store on a fresh database, on SQLite and on PostgreSQL."""
    s = Store(db_url)
    try:
        yield s
    finally:
        s.close()
