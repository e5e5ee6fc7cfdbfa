"""A KakaoTalk resident's turn is held by one process at a time, on both databases: a second
turn waits, a hold whose process died lapses, and a process whose hold lapsed keeps nothing."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db.engine import FastLane
from bot.db.models import KakaoAccount
from bot.services.kakao_accounts import begin_turn, end_turn
from tests.conftest import START

HASHES = ["a" * 64]
HELD_FOR = timedelta(seconds=30)


async def test_a_held_turn_waits_lapses_and_is_let_go_only_by_its_holder(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    lane = FastLane(database_url, engine)

    def begin(token: str, now: object = START) -> object:
        return partial(begin_turn, key_hashes=HASHES, now=now, token=token,
                       hold_until=START + HELD_FOR)

    first = await lane.run(begin("replica-a"))
    assert first is not None and first.turn == 1
    assert await lane.run(begin("replica-b")) is None  # held by replica a
    died_at = START + HELD_FOR  # replica a died mid-turn: its hold lapses
    taken_over = await lane.run(partial(begin_turn, key_hashes=HASHES, now=died_at,
                                        token="replica-b", hold_until=died_at + HELD_FOR))
    assert taken_over is not None and taken_over.turn == 2
    assert not await lane.run(partial(end_turn, account_id=first.account_id,
                                      token="replica-a", conversation={"stale": True}))
    assert await lane.run(partial(end_turn, account_id=first.account_id,
                                  token="replica-b", conversation={"kept": True}))
    async with sessionmaker() as session:
        account = (await session.scalars(select(KakaoAccount))).one()
    assert (account.conversation, account.turn_token, account.turn_until) == (
        {"kept": True}, None, None)
    lane.dispose()
