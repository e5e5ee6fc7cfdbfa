"""Real databases for the tests: a migrated SQLite file per test, a PostgreSQL database per test
process (one per pytest-xdist worker), emptied before each test or rolled back after it.

PostgreSQL tests skip with the reason when no server answers, unless REQUIRE_POSTGRES=1,
in which case they fail: CI must never pass by silently skipping them.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.db.models import Base

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_required() -> bool:
    return os.environ.get("REQUIRE_POSTGRES") == "1"


def postgres_unavailable(reason: str) -> None:
    message = f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {reason}"
    if postgres_required():
        pytest.fail(message + " (REQUIRE_POSTGRES=1)", pytrace=False)
    pytest.skip(message)


def _in_own_loop(make: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run a coroutine on a private loop in a thread (fixtures may be set up inside a loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: asyncio.run(make())).result()


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def create_postgres_database() -> str:
    """A fresh, empty database for this test run; returns its SQLAlchemy URL."""
    name = f"gonggam_test_{uuid.uuid4().hex[:10]}"
    try:
        _in_own_loop(lambda: _admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        postgres_unavailable(f"{type(error).__name__}: {error}")
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"


def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    _in_own_loop(lambda: _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def migrate_url(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def make_sqlite_template(directory: Path) -> Path:
    path = directory / "template.sqlite3"
    _in_own_loop(lambda: migrate_url(f"sqlite+aiosqlite:///{path}"))
    return path


def sqlite_copy(template: Path, directory: Path) -> str:
    target = directory / f"db-{uuid.uuid4().hex[:8]}.sqlite3"
    shutil.copyfile(template, target)
    return f"sqlite+aiosqlite:///{target}"


async def truncate_all(engine: AsyncEngine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@dataclass
class PostgresTestDatabase:
    """This test process's PostgreSQL database and what the tests before left in it.

    `dirty` is set for every test that may commit rows (all but those rolled back), so a
    rolled-back test truncates only after such a test, not before each of its own kind.
    """

    url: str
    migrated: bool = False
    dirty: bool = True


async def empty_postgres(database: PostgresTestDatabase) -> None:
    """Migrate and truncate the database, as every PostgreSQL test finds it."""
    await migrate_url(database.url)
    engine = create_engine(database.url)
    try:
        await truncate_all(engine)
    finally:
        await engine.dispose()
    database.migrated = True


@asynccontextmanager
async def rolled_back_sessionmaker(
    engine: AsyncEngine,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions that share one connection inside a transaction rolled back at the end.

    Each session joins that transaction with a SAVEPOINT, so its commit and rollback behave
    as usual for the code under test while nothing reaches the database for the next test.
    One connection means one session at a time: tests that race sessions cannot use it.
    """
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            sessionmaker = create_sessionmaker(engine)
            sessionmaker.configure(bind=connection, join_transaction_mode="create_savepoint")
            yield sessionmaker
        finally:
            await transaction.rollback()
