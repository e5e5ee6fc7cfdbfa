"""`store_updates` stores a batch in one statement and reports which updates are new;
`was_handled` tells a redelivery from a new update."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import FastLane, create_engine
from bot.db.models import InboundUpdate
from bot.services.intake import Mark, RawUpdate, mark_handled, store_updates, was_handled
from tests.conftest import START


@pytest.fixture
async def lane(database_url: str) -> AsyncIterator[tuple[FastLane, AsyncEngine]]:
    engine = create_engine(database_url)
    fast_lane = FastLane(database_url, engine)
    yield fast_lane, engine
    fast_lane.dispose()
    await engine.dispose()


async def store(fast_lane: FastLane, updates: list[RawUpdate]) -> set[int]:
    return await fast_lane.run(partial(store_updates, updates=updates, worker="w1", now=START))


def raw(update_id: int) -> RawUpdate:
    return RawUpdate(update_id, {"update_id": update_id, "message": {"text": "/start"}})


async def test_a_batch_reports_its_new_updates_and_stores_each_once(
    lane: tuple[FastLane, AsyncEngine],
) -> None:
    fast_lane, engine = lane
    unparsable = RawUpdate(903, None)  # kept only as a seen id, handled already
    assert await store(fast_lane, [raw(901), raw(902), unparsable]) == {901, 902}
    assert await store(fast_lane, [raw(902), raw(904), raw(903)]) == {904}  # redeliveries
    assert await store(fast_lane, []) == set()
    async with engine.connect() as connection:
        rows = (await connection.execute(
            select(InboundUpdate.update_id, InboundUpdate.payload, InboundUpdate.worker,
                   InboundUpdate.handled_at).order_by(InboundUpdate.update_id))).all()
    assert [row.update_id for row in rows] == [901, 902, 903, 904]
    assert rows[0].payload == {"update_id": 901, "message": {"text": "/start"}}
    assert {row.worker for row in rows} == {"w1"}
    assert [row.handled_at is not None for row in rows] == [False, False, True, False]


async def test_a_handled_update_is_found_again_through_the_lane(
    lane: tuple[FastLane, AsyncEngine],
) -> None:
    """`was_handled` reads straight from the driver on SQLite's fast lane (`PreparedSelect`):
    a handled update is a redelivery, an unhandled one is not, and an update that never came
    through the intake is stored from then on."""
    fast_lane, _engine = lane
    await store(fast_lane, [raw(911), raw(912)])
    assert await fast_lane.run(partial(mark_handled, update_id=911, now=START)) is Mark.MARKED
    seen = [await fast_lane.run(partial(was_handled, update_id=update_id, now=START))
            for update_id in (911, 912, 913, 913)]
    assert seen == [True, False, False, False]
    assert await fast_lane.run(partial(mark_handled, update_id=913, now=START)) is Mark.MARKED
    assert await fast_lane.run(partial(was_handled, update_id=913, now=START)) is True
