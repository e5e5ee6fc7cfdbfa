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
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 5000
READS_ONLY = "gonggam_reads_only"  # an execution option: see `reading`

# What a database that is down or unreachable raises, whichever the backend and driver.
DATABASE_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    sqlalchemy.exc.DBAPIError,
    ConnectionError,
    OSError,
    TimeoutError,
)

# The database cannot be reached (connection lost or refused, pool exhausted, SQLite busy).
UNREACHABLE_DATABASE = (DBAPIError, OSError, PoolTimeoutError)


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


def _configure_sqlite(
    dbapi_connection: Any, _record: Any, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS
) -> None:
    # Let SQLAlchemy, not the driver, emit BEGIN (see `_begin_immediate`).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    """Take SQLite's write lock when a transaction starts, not halfway through it.

    A deferred transaction that reads and then writes fails at once with "database is
    locked" when another writer committed in between (the busy timeout does not apply);
    starting immediately makes concurrent writers queue on the busy timeout instead.
    A transaction of `reading` never writes: it begins deferred and, in WAL mode, reads
    beside a writer instead of queueing for its lock.
    """
    connection.exec_driver_sql(_begin_statement(connection))


def _begin_on_driver(connection: Connection) -> None:
    """`_begin_immediate` for the fast lane's plain sqlite3 connections, sent straight to the
    driver: through SQLAlchemy's execution (context, cursor result, events) the BEGIN cost
    several times what SQLite takes, twice an update. Its errors are raised as SQLAlchemy
    raises them, so the lane still tells a locked database from anything else."""
    statement = _begin_statement(connection)
    driver_error = connection.dialect.loaded_dbapi.Error
    cursor = connection.connection.cursor()
    try:
        cursor.execute(statement)
    except driver_error as error:
        raise DBAPIError.instance(statement, None, error, driver_error) from error
    finally:
        cursor.close()


def _begin_statement(connection: Connection) -> str:
    reads_only = connection.get_execution_options().get(READS_ONLY, False)
    return "BEGIN" if reads_only else "BEGIN IMMEDIATE"


def reading(engine: AsyncEngine) -> AsyncEngine:
    """The same engine and pool, for transactions that only read (public pages, open
    data): on SQLite they take no write lock; elsewhere nothing changes."""
    return engine.execution_options(**{READS_ONLY: True})


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
    aiosqlite each statement crosses to the driver's thread and back several times. On
    SQLite the fast lane first runs the whole transaction right here, on the plain sqlite3
    driver, with no busy wait: a local write of a few rows takes a fraction of a
    millisecond. If another connection holds the write lock, waiting here would stall the
    event loop (and could wait on a transaction that needs the loop to finish), so it hands
    the work to one dedicated thread that waits with the usual busy timeout instead. On
    PostgreSQL it runs the same function on the async engine, where asyncpg is already cheap.

    A lane made with `reads_only` runs transactions that only read, like `reading`: on SQLite
    they begin deferred, so in WAL mode they read beside a writer instead of queueing for its
    lock, and a page read costs one hop instead of one per statement.

    The inline connection is held open between transactions: taking it from the pool and
    giving it back (a `Connection` made, its checkout and reset) cost more than a small
    transaction's statements. Only the event loop's thread uses it, one transaction at a
    time (`run` does not await while it is in use).
    """

    def __init__(
        self, database_url: str, engine: AsyncEngine, *, reads_only: bool = False
    ) -> None:
        self._engine = reading(engine) if reads_only else engine
        self._reads_only = reads_only
        self._inline: Engine | None = None
        self._held: Connection | None = None  # the inline engine's connection, once opened
        self._waiting: Engine | None = None
        self._thread: ThreadPoolExecutor | None = None
        if database_url.startswith("sqlite"):
            url = make_url(database_url).set(drivername="sqlite+pysqlite")
            self._inline = _sync_sqlite(url, busy_timeout_ms=0)
            self._waiting = _sync_sqlite(url, busy_timeout_ms=SQLITE_BUSY_TIMEOUT_MS)
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-fast-lane")

    async def run(self, work: Callable[[Connection], T]) -> T:
        """Run `work(connection)` inside one transaction and return its result."""
        if self._inline is None or self._waiting is None or self._thread is None:
            async with self._engine.begin() as connection:
                return await connection.run_sync(work)
        try:
            return _work_in_transaction(self._inline_connection(), work)
        except OperationalError as error:
            if "locked" not in str(error.orig) and "busy" not in str(error.orig):
                raise
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._thread,
            partial(_in_transaction, self._waiting, work, reads_only=self._reads_only),
        )

    def _inline_connection(self) -> Connection:
        """The held inline connection, opened again if it was closed or invalidated."""
        assert self._inline is not None
        held = self._held
        if held is None or held.closed or held.invalidated:
            if held is not None:
                held.close()
            held = self._held = _connected(self._inline, reads_only=self._reads_only)
        return held

    def dispose(self) -> None:
        """Close the fast lane's connections and thread; safe to call more than once."""
        if self._held is not None:
            self._held.close()
            self._held = None
        if self._inline is not None:
            self._inline.dispose()
        if self._waiting is not None and self._thread is not None:
            self._thread.submit(self._waiting.dispose).result()
            self._thread.shutdown(wait=True)
            self._thread = None


def _sync_sqlite(url: Any, *, busy_timeout_ms: int) -> Engine:
    engine = sqlalchemy.create_engine(
        url, pool_size=1, max_overflow=0,
        connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
    )
    event.listen(engine, "connect", partial(_configure_sqlite, busy_timeout_ms=busy_timeout_ms))
    event.listen(engine, "begin", _begin_on_driver)
    return engine


def _connected(engine: Engine, *, reads_only: bool) -> Connection:
    connection = engine.connect()
    if reads_only:
        connection = connection.execution_options(**{READS_ONLY: True})
    return connection


def _work_in_transaction(connection: Connection, work: Callable[[Connection], T]) -> T:
    with connection.begin():
        return work(connection)


def _in_transaction(engine: Engine, work: Callable[[Connection], T], *, reads_only: bool) -> T:
    with _connected(engine, reads_only=reads_only) as connection:
        return _work_in_transaction(connection, work)
