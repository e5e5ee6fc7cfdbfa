"""Shared fixtures: a fake clock, real databases per backend, the sandbox and the running bot."""

from __future__ import annotations

import inspect
import logging
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import Runtime
from bot.clock import ShiftableClock, fake_clock
from bot.db.engine import create_engine, create_sessionmaker
from sandbox import SandboxClient, SandboxServer, SandboxState
from tests.support.databases import (
    PostgresTestDatabase,
    create_postgres_database,
    drop_postgres_database,
    empty_postgres,
    make_sqlite_template,
    rolled_back_sessionmaker,
    sqlite_copy,
)
from tests.support.harness import running_bot, settings_for
from tests.support.hypothesis_profiles import hypothesis_profile, register_hypothesis_profiles
from tests.support.kinds import MisplacedTest, kind_of_test

# 2026-11-24 15:00 KST, a Tuesday afternoon (outside quiet hours).
START = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
TESTS = Path(__file__).resolve().parent
# Fixtures a `rollback` test must not take: they reach the database outside its transaction.
ROLLBACK_FORBIDS = frozenset({"database_url", "engine", "postgres_database", "runtime"})

register_hypothesis_profiles()
hypothesis_settings.load_profile(hypothesis_profile(os.environ))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test unit, integration, e2e or browser by its directory, and refuse to run
    a test whose directory is lighter than its fixtures need (see tests/support/kinds.py)."""
    misplaced: list[str] = []
    for item in items:
        declared = [marker.name for marker in item.iter_markers()]
        try:
            kind = kind_of_test(
                item.path.relative_to(TESTS), getattr(item, "fixturenames", ()), declared
            )
        except MisplacedTest as misplacement:
            misplaced.append(f"{item.nodeid}: {misplacement}")
            continue
        if kind not in declared:
            item.add_marker(kind)
    if misplaced:
        raise pytest.UsageError("\n".join(misplaced))


@pytest.fixture
def clock() -> ShiftableClock:
    return fake_clock(START)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_test_database() -> Iterator[PostgresTestDatabase]:
    """One PostgreSQL database per test process (each pytest-xdist worker has its own)."""
    url = create_postgres_database()
    try:
        yield PostgresTestDatabase(url)
    finally:
        drop_postgres_database(url)


@pytest.fixture
def postgres_database(postgres_test_database: PostgresTestDatabase) -> str:
    """The PostgreSQL database for a test that may commit rows to it."""
    postgres_test_database.dirty = True
    return postgres_test_database.url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def rolls_back(request: pytest.FixtureRequest) -> bool:
    """True for a test marked `rollback`, which may then ask for `sessionmaker` only."""
    if request.node.get_closest_marker("rollback") is None:
        return False
    direct = set(inspect.signature(request.function).parameters) & ROLLBACK_FORBIDS
    if direct:
        pytest.fail(f"a rollback test commits through `sessionmaker` only, not {sorted(direct)}",
                    pytrace=False)
    return True


@pytest.fixture
async def database_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> str:
    """A migrated, empty database of the requested backend.

    On PostgreSQL a test marked `rollback` skips the truncation when the test before it left
    nothing behind (see `sessionmaker`).
    """
    if backend == "sqlite":
        return sqlite_copy(sqlite_template, tmp_path)
    database: PostgresTestDatabase = request.getfixturevalue("postgres_test_database")
    if not rolls_back(request):
        request.getfixturevalue("postgres_database")
        await empty_postgres(database)
    elif database.dirty or not database.migrated:
        await empty_postgres(database)
        database.dirty = False
    return database.url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def sessionmaker(
    engine: AsyncEngine, backend: str, request: pytest.FixtureRequest
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The product's sessionmaker; for a `rollback` test on PostgreSQL, one whose sessions
    share a transaction rolled back at the end, instead of truncating every table before."""
    if backend == "postgres" and rolls_back(request):
        async with rolled_back_sessionmaker(engine) as sessionmaker:
            yield sessionmaker
    else:
        yield create_sessionmaker(engine)


@pytest.fixture
def sandbox_state() -> SandboxState:
    return SandboxState()


@pytest.fixture
async def sandbox(sandbox_state: SandboxState) -> AsyncIterator[SandboxServer]:
    async with SandboxServer(sandbox_state) as server:
        yield server


@pytest.fixture
def residents(sandbox_state: SandboxState) -> SandboxClient:
    return SandboxClient(sandbox_state)


@pytest.fixture
async def runtime(
    database_url: str, sandbox: SandboxServer, clock: ShiftableClock
) -> AsyncIterator[Runtime]:
    async with running_bot(settings_for(database_url, sandbox), clock) as running:
        yield running


@pytest.fixture
def no_failed_updates(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """For e2e tests: a handler that crashed would still get a polite reply, so fail the test
    on its error log instead (use with `pytestmark = pytest.mark.usefixtures(...)`)."""
    yield
    failures = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not failures, failures
