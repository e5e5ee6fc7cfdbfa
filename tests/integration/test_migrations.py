"""Migrations: up from empty, down to nothing, up again, on both backends; models agree."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, TableClause, column, insert, inspect, select, table
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_engine
from bot.db.migrate import alembic_config, downgrade, is_at_head, upgrade
from bot.db.models import Base, ProposalTerm
from tests.conftest import BACKENDS
from tests.support.databases import create_postgres_database, drop_postgres_database


@pytest.fixture(params=BACKENDS)
async def empty_engine(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}")
        yield engine
        await engine.dispose()
        return
    url = create_postgres_database()
    engine = create_engine(url)
    try:
        yield engine
    finally:
        await engine.dispose()
        drop_postgres_database(url)


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


def revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


async def test_upgrade_to_head_and_back_down_to_nothing(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine)
    assert await is_at_head(empty_engine)
    assert {t.name for t in Base.metadata.sorted_tables} <= await table_names(empty_engine)
    await downgrade(empty_engine, "base")
    assert await table_names(empty_engine) <= {"alembic_version"}
    assert not await is_at_head(empty_engine)
    await upgrade(empty_engine)
    assert await is_at_head(empty_engine)


async def test_every_revision_steps_up_down_and_up_again(empty_engine: AsyncEngine) -> None:
    previous = "base"
    for revision in revisions():
        await upgrade(empty_engine, revision)
        await downgrade(empty_engine, previous)
        await upgrade(empty_engine, revision)
        previous = revision
    assert await is_at_head(empty_engine)


async def test_models_and_migrations_agree(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine)

    def diff(sync: Connection) -> list[object]:
        context = MigrationContext.configure(sync, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with empty_engine.connect() as connection:
        assert await connection.run_sync(diff) == []


async def _terms(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set((await connection.execute(select(ProposalTerm.term))).scalars())


def _as_of_then(name: str, row: dict[str, object]) -> TableClause:
    """The table with only the row's columns: later migrations add columns the model has."""
    return table(name, *(column(key) for key in row))


async def test_reindexing_stores_what_is_asked_and_goes_back_to_the_rules(
    empty_engine: AsyncEngine,
) -> None:
    """0011 changes what proposal_terms holds, not its shape: every proposal is re-indexed."""
    await upgrade(empty_engine, "0010")
    now = datetime(2026, 12, 1, tzinfo=UTC)
    async with empty_engine.begin() as connection:
        user = {
            "id": 1, "telegram_id": 1, "language": "ko", "language_chosen": True,
            "role": "resident", "muted_all": False, "unreachable": False, "created_at": now,
            "last_seen_at": now,
        }
        await connection.execute(insert(_as_of_then("users", user)), [user])
        proposal = {
            "id": 1, "author_id": 1, "title": "역삼1동 골목 CCTV 설치",
            "problem": "밤길이 무서워요.", "solution": "", "effect": "", "status": "collecting",
            "hidden": False, "flagged": False, "endorsement_count": 0, "created_at": now,
        }
        await connection.execute(insert(_as_of_then("proposals", proposal)), [proposal])
        await connection.execute(insert(ProposalTerm.__table__), [
            {"proposal_id": 1, "term": "골목", "weight": 2},
        ])
    await upgrade(empty_engine, "0011")
    assert {"!+", "!hcctv", "@역삼동", "cctv", "골목"} <= await _terms(empty_engine)
    await downgrade(empty_engine, "0010")
    terms = await _terms(empty_engine)
    assert {"cctv", "골목", "#방범"} <= terms
    assert not any(term.startswith(("!", "@")) for term in terms)


# The send budget books on PostgreSQL only; SQLite has its tables, unused.
@pytest.mark.parametrize(
    "empty_engine", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
async def test_0020_carries_a_groups_recent_slots_over_to_its_chat_row_and_back(
    empty_engine: AsyncEngine,
) -> None:
    await upgrade(empty_engine, "0019")
    group, private = -100, 7
    async with empty_engine.begin() as connection:
        await connection.exec_driver_sql(
            f"INSERT INTO send_budget_chats (chat_id, next_slot) VALUES ({group}, 30), "
            f"({private}, 5)")
        await connection.exec_driver_sql(
            f"INSERT INTO send_budget_group_sends (chat_id, slot) VALUES ({group}, 20), "
            f"({group}, 10)")
    await upgrade(empty_engine, "0020")
    async with empty_engine.connect() as connection:
        rows = (await connection.exec_driver_sql(
            "SELECT chat_id, recent_slots FROM send_budget_chats ORDER BY chat_id")).all()
    assert [tuple(row) for row in rows] == [(group, [10, 20]), (private, None)]
    await downgrade(empty_engine, "0019")
    async with empty_engine.connect() as connection:
        slots = (await connection.exec_driver_sql(
            "SELECT chat_id, slot FROM send_budget_group_sends ORDER BY slot")).all()
    assert [tuple(row) for row in slots] == [(group, 10), (group, 20)]


async def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'wal.sqlite3'}")
    try:
        async with engine.connect() as connection:
            mode = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
            timeout = (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar()
            foreign_keys = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
    finally:
        await engine.dispose()
    assert (mode, timeout, foreign_keys) == ("wal", 5000, 1)
