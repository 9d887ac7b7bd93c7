"""Connection-pool sizing for a PostgreSQL store shared by several app processes.

Every app process (and every command-line run) holds its own SQLAlchemy pool: at most
``pool_size + max_overflow`` connections to the server at once. A club that runs N Streamlit
processes behind a reverse proxy therefore needs

    N × (pool_size + max_overflow) + headroom  ≤  max_connections − superuser_reserved_connections

on the PostgreSQL server (PostgreSQL's defaults: ``max_connections`` 100,
``superuser_reserved_connections`` 3; see the PostgreSQL manual, "Connections and
Authentication"). The sizes come from environment variables so that every process of one
deployment is configured the same way (docs/deploy.md has the worked arithmetic):

``STRIDEWISE_DB_POOL_SIZE``      connections kept open per process (default 5, SQLAlchemy's default)
``STRIDEWISE_DB_MAX_OVERFLOW``   extra connections a process may open under load (default 5)
``STRIDEWISE_DB_POOL_TIMEOUT``   seconds a page waits for a free connection (default 30)
``STRIDEWISE_DB_POOL_RECYCLE``   seconds after which a connection is replaced (default 1800;
                                 -1 never), so a proxy or firewall that drops idle connections
                                 does not break a page

SQLite files ignore these: SQLite has no server and its connections are local file handles.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from stridewise.errors import StoreError

#: PostgreSQL's default ``max_connections`` and ``superuser_reserved_connections``.
PG_DEFAULT_MAX_CONNECTIONS = 100
PG_DEFAULT_RESERVED_CONNECTIONS = 3


@dataclass(frozen=True)
class PoolSettings:
    """Pool sizes for one process. ``timeout_s`` and ``recycle_s`` are in seconds."""

    size: int = 5
    max_overflow: int = 5
    timeout_s: float = 30.0
    recycle_s: int = 1800

    @property
    def max_connections(self) -> int:
        """The most connections one process opens at once."""
        return self.size + self.max_overflow

    def engine_kwargs(self) -> dict[str, float | int]:
        """Keyword arguments for :func:`sqlalchemy.create_engine` (QueuePool)."""
        return {"pool_size": self.size, "max_overflow": self.max_overflow,
                "pool_timeout": self.timeout_s, "pool_recycle": self.recycle_s}


_VARS = {
    "STRIDEWISE_DB_POOL_SIZE": ("size", int, 1, 1000),
    "STRIDEWISE_DB_MAX_OVERFLOW": ("max_overflow", int, 0, 1000),
    "STRIDEWISE_DB_POOL_TIMEOUT": ("timeout_s", float, 0.1, 3600),
    "STRIDEWISE_DB_POOL_RECYCLE": ("recycle_s", int, -1, 7 * 24 * 3600),
}


def pool_settings(env: Mapping[str, str] | None = None) -> PoolSettings:
    """The pool sizes named by the ``STRIDEWISE_DB_POOL_*`` variables in ``env`` (default:
    the process environment); unset or empty variables keep the defaults.

    Raises :class:`StoreError` with one sentence for a value that is not a number in range.
    """
    source = os.environ if env is None else env
    values: dict[str, float | int] = {}
    for var, (field, kind, low, high) in _VARS.items():
        raw = str(source.get(var, "") or "").strip()
        if not raw:
            continue
        try:
            value = kind(raw)
        except ValueError:
            value = None
        if value is None or not (low <= value <= high):
            what = "a whole number" if kind is int else "a number of seconds"
            raise StoreError(f"{var}={raw!r} is not valid: it must be {what} from {low} to "
                             f"{high}.")
        values[field] = value
    return PoolSettings(**values)  # type: ignore[arg-type]


def connections_needed(processes: int, pool: PoolSettings, *, headroom: int = 5) -> int:
    """Server connections a deployment of ``processes`` app processes can open at once, plus
    ``headroom`` for command-line runs (import, backup, ``users``) and an operator's psql."""
    if processes < 1:
        raise ValueError("processes must be at least 1")
    return processes * pool.max_connections + headroom


def fits(processes: int, pool: PoolSettings, *,
         max_connections: int = PG_DEFAULT_MAX_CONNECTIONS,
         reserved: int = PG_DEFAULT_RESERVED_CONNECTIONS, headroom: int = 5) -> bool:
    """Whether the deployment stays within the server's ``max_connections`` less the
    connections reserved for superusers."""
    return connections_needed(processes, pool, headroom=headroom) <= max_connections - reserved
