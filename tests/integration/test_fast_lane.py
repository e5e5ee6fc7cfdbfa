"""The fast lane: a small transaction in one hop, and a polite wait when SQLite is busy."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from bot.db.engine import FastLane, create_engine
from bot.db.migrate import upgrade


def count_updates(connection: Connection) -> int:
    return int(connection.execute(text("SELECT count(*) FROM inbound_updates")).scalar_one())


def add_update(update_id: int) -> Callable[[Connection], int]:
    def work(connection: Connection) -> int:
        connection.execute(
            text("INSERT INTO inbound_updates (update_id, received_at) "
                 "VALUES (:u, '2026-11-24 06:00:00')"), {"u": update_id})
        return count_updates(connection)
    return work


async def test_work_waits_for_another_writer_instead_of_failing(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'lane.sqlite3'}"
    engine = create_engine(url)
    await upgrade(engine)
    lane = FastLane(url, engine)
    try:
        assert await lane.run(add_update(1)) == 1  # nobody else writing: done inline
        async with engine.begin() as other_writer:
            await other_writer.execute(text(
                "INSERT INTO inbound_updates (update_id, received_at) "
                "VALUES (2, '2026-11-24 06:00:00')"))
            waiting = asyncio.create_task(lane.run(add_update(3)))
            for _ in range(5):
                await asyncio.sleep(0)
            assert not waiting.done(), "the lane must wait for the other writer's lock"
        assert await waiting == 3
        assert await lane.run(add_update(4)) == 4  # the lock is free: inline again
    finally:
        lane.dispose()
        await engine.dispose()


async def test_a_failed_transaction_rolls_back_and_the_next_one_commits(tmp_path: Path) -> None:
    """The inline connection is held between transactions: a failure must not leave it
    inside the failed one, nor lose it once its database connection is invalidated."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'lane.sqlite3'}"
    engine = create_engine(url)
    await upgrade(engine)
    lane = FastLane(url, engine)

    def fails_after_writing(connection: Connection) -> None:
        add_update(1)(connection)
        raise RuntimeError("the handler's work failed")

    def invalidates(connection: Connection) -> None:
        connection.invalidate()
        raise ConnectionError("the database went away")

    try:
        with pytest.raises(RuntimeError):
            await lane.run(fails_after_writing)
        assert await lane.run(add_update(2)) == 1
        with pytest.raises(ConnectionError):
            await lane.run(invalidates)
        assert await lane.run(add_update(3)) == 2
    finally:
        lane.dispose()
        await engine.dispose()


async def test_the_lane_commits_on_every_backend(database_url: str) -> None:
    engine = create_engine(database_url)
    lane = FastLane(database_url, engine)
    try:
        assert await lane.run(add_update(10)) == 1
    finally:
        lane.dispose()
        await engine.dispose()
