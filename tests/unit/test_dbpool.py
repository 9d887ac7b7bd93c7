"""Pool sizes for a PostgreSQL store come from STRIDEWISE_DB_POOL_* and fit the server."""

from __future__ import annotations

import pytest

from stridewise.dbpool import PoolSettings, connections_needed, fits, pool_settings
from stridewise.errors import StoreError


def test_defaults_when_unset_or_empty() -> None:
    assert pool_settings({}) == PoolSettings()
    assert pool_settings({"STRIDEWISE_DB_POOL_SIZE": "  "}) == PoolSettings()


def test_values_are_read_and_passed_to_the_engine() -> None:
    p = pool_settings({"STRIDEWISE_DB_POOL_SIZE": "8", "STRIDEWISE_DB_MAX_OVERFLOW": "0",
                       "STRIDEWISE_DB_POOL_TIMEOUT": "2.5", "STRIDEWISE_DB_POOL_RECYCLE": "-1"})
    assert (p.size, p.max_overflow, p.timeout_s, p.recycle_s) == (8, 0, 2.5, -1)
    assert p.max_connections == 8
    assert p.engine_kwargs() == {"pool_size": 8, "max_overflow": 0, "pool_timeout": 2.5,
                                 "pool_recycle": -1}


@pytest.mark.parametrize("var,value", [
    ("STRIDEWISE_DB_POOL_SIZE", "0"),
    ("STRIDEWISE_DB_POOL_SIZE", "five"),
    ("STRIDEWISE_DB_POOL_SIZE", "2.5"),
    ("STRIDEWISE_DB_MAX_OVERFLOW", "-1"),
    ("STRIDEWISE_DB_POOL_TIMEOUT", "0"),
    ("STRIDEWISE_DB_POOL_RECYCLE", "-5"),
])
def test_bad_values_are_one_sentence(var: str, value: str) -> None:
    with pytest.raises(StoreError) as err:
        pool_settings({var: value})
    msg = err.value.message
    assert msg.startswith(f"{var}='{value}' is not valid") and msg.endswith(".")
    assert "\n" not in msg


def test_connection_arithmetic_against_max_connections() -> None:
    # 4 processes × (5 + 5) + 5 headroom = 45 ≤ 100 − 3
    pool = PoolSettings(size=5, max_overflow=5)
    assert connections_needed(4, pool) == 45
    assert fits(4, pool)
    # 10 processes × (5 + 5) + 5 = 105 > 97: too many for PostgreSQL's default
    assert not fits(10, pool)
    assert fits(10, pool, max_connections=200)
    # the boundary: exactly max_connections − reserved still fits
    assert fits(1, PoolSettings(size=90, max_overflow=2), headroom=5)
    assert not fits(1, PoolSettings(size=90, max_overflow=3), headroom=5)
    with pytest.raises(ValueError):
        connections_needed(0, pool)
