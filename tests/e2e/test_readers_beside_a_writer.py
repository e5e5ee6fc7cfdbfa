"""Issue #16 point 3: on SQLite, public pages read beside a writer instead of queueing for its
lock. A transaction holds SQLite's write lock (as a slow write would) while sixteen proposal
pages, the statistics and an open-data file are fetched at once: every one answers 200, and
the lock was really held all along (a writer with no patience is refused meanwhile)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from bot.clock import ShiftableClock
from sandbox import SandboxServer
from tests.conftest import START
from tests.support.databases import sqlite_copy
from tests.support.factories import make_proposal, make_user
from tests.support.harness import running_bot, settings_for

READERS = 16


@asynccontextmanager
async def write_lock_held(path: Path) -> AsyncIterator[None]:
    """SQLite's write lock, taken and held by another connection until the block ends. It
    is taken in a thread: the running bot may hold the lock for a moment, and it needs the
    event loop to let go of it."""
    holder = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
    try:
        await asyncio.to_thread(holder.execute, "BEGIN IMMEDIATE")
        holder.execute("UPDATE proposals SET endorsement_count = endorsement_count")
        yield
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()


def writer_refused(path: Path) -> bool:
    """Whether a writer that does not wait is refused now: the lock is held."""
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        return "locked" in str(error)
    finally:
        other.close()
    return False


async def test_sixteen_page_readers_beside_a_writer_get_no_error(
    sqlite_template: Path, tmp_path: Path, sandbox: SandboxServer, clock: ShiftableClock,
) -> None:
    database_url = sqlite_copy(sqlite_template, tmp_path)
    path = Path(database_url.removeprefix("sqlite+aiosqlite:///"))
    async with running_bot(settings_for(database_url, sandbox), clock) as runtime:
        async with runtime.sessionmaker() as session, session.begin():
            author = await make_user(session, 9601, START)
            ids = [(await make_proposal(session, author, START, title=f"골목 가로등 {n}번")).id
                   for n in range(READERS)]
        async with TestClient(TestServer(runtime.web_app())) as web, write_lock_held(path):
            pages = [web.get(f"/p/{pid}") for pid in ids]
            responses = await asyncio.gather(*pages, web.get("/stats"),
                                             web.get("/data/proposals.json"))
            statuses = [response.status for response in responses]
            texts = [await response.text() for response in responses[:READERS]]
            assert writer_refused(path)
    assert statuses == [200] * (READERS + 2)
    assert all(f"골목 가로등 {n}번" in text for n, text in enumerate(texts))
