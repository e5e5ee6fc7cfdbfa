"""Engine and session factory; SQLite gets WAL, a busy timeout and foreign keys."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

import sqlalchemy
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 5000


def create_engine(database_url: str, **options: Any) -> AsyncEngine:
    """An async engine for `database_url` with the pragmas and pool settings we rely on."""
    if database_url.startswith("sqlite"):
        engine = create_async_engine(
            database_url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **options
        )
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
        return engine
    return create_async_engine(database_url, pool_pre_ping=True, pool_recycle=600, **options)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, emit BEGIN (see `_begin_immediate`).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    """Take SQLite's write lock when a transaction starts, not halfway through it.

    A deferred transaction that reads and then writes fails at once with "database is
    locked" when another writer committed in between (the busy timeout does not apply);
    starting immediately makes concurrent writers queue on the busy timeout instead.
    """
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def ping(engine: AsyncEngine) -> None:
    """Raise if the database cannot be reached."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


def describe_url(database_url: str) -> str:
    """The URL with its password hidden, for messages and logs."""
    return make_url(database_url).render_as_string(hide_password=True)


class FastLane:
    """Runs one small synchronous transaction function as cheaply as the backend allows.

    Every update pays for recording itself, so that transaction must be cheap. Through
    aiosqlite each statement crosses to the driver's thread and back several times; on
    SQLite the fast lane instead runs the whole transaction on one dedicated thread with the
    plain sqlite3 driver (one hop). On PostgreSQL it runs the same function on the async
    engine, where asyncpg is already cheap.
    """

    def __init__(self, database_url: str, engine: AsyncEngine) -> None:
        self._engine = engine
        self._sync: Engine | None = None
        self._thread: ThreadPoolExecutor | None = None
        if database_url.startswith("sqlite"):
            url = make_url(database_url).set(drivername="sqlite+pysqlite")
            self._sync = sqlalchemy.create_engine(
                url, pool_size=1, max_overflow=0,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            )
            event.listen(self._sync, "connect", _configure_sqlite)
            event.listen(self._sync, "begin", _begin_immediate)
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-fast-lane")

    async def run(self, work: Callable[[Connection], T]) -> T:
        """Run `work(connection)` inside one transaction and return its result."""
        if self._sync is not None and self._thread is not None:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._thread, partial(self._in_transaction, work))
        async with self._engine.begin() as connection:
            return await connection.run_sync(work)

    def _in_transaction(self, work: Callable[[Connection], T]) -> T:
        assert self._sync is not None
        with self._sync.begin() as connection:
            return work(connection)

    def dispose(self) -> None:
        """Close the fast lane's connection and thread; safe to call more than once."""
        if self._sync is not None and self._thread is not None:
            self._thread.submit(self._sync.dispose).result()
            self._thread.shutdown(wait=True)
            self._thread = None
