"""The PostgreSQL store sizes its connection pool from STRIDEWISE_DB_POOL_*."""

from __future__ import annotations

import pytest

from stridewise.errors import StoreError
from stridewise.store import Store

pytestmark = pytest.mark.postgres


def test_pool_size_and_overflow_from_environment(pg_test_database: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIDEWISE_DB_POOL_SIZE", "3")
    monkeypatch.setenv("STRIDEWISE_DB_MAX_OVERFLOW", "1")
    monkeypatch.setenv("STRIDEWISE_DB_POOL_TIMEOUT", "1")
    with Store(pg_test_database) as store:
        pool = store.engine.pool
        assert pool.size() == 3
        assert pool._max_overflow == 1  # noqa: SLF001 - QueuePool has no public getter
        # four connections may be checked out at once; a fifth waits and gives up
        held = [store.engine.connect() for _ in range(4)]
        try:
            with pytest.raises(Exception, match="QueuePool limit"):
                store.engine.connect()
        finally:
            for c in held:
                c.close()
        assert store.athletes() is not None


def test_bad_pool_setting_is_a_store_error(pg_test_database: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIDEWISE_DB_POOL_SIZE", "lots")
    with pytest.raises(StoreError, match="STRIDEWISE_DB_POOL_SIZE='lots' is not valid"):
        Store(pg_test_database)
