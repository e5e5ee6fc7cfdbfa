"""An update is marked handled once: by the first write of its handler, in that write's own
commit (a session transaction or a fast-lane write), or else by the application at the end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial

import pytest
from sqlalchemy import select
from telegram import Update
from telegram.ext import Application

from bot.app import Runtime, build_runtime
from bot.clock import ShiftableClock
from bot.db.models import InboundUpdate, User
from bot.handlers.context import GonggamApplication, GonggamContext, UpdateAlreadyHandled
from bot.services.intake import RawUpdate, store_updates
from bot.services.users import set_muted_all
from bot.settings import Settings
from tests.conftest import START
from tests.support.factories import make_user

UPDATE_ID = 41


@pytest.fixture
async def wired(database_url: str, clock: ShiftableClock) -> AsyncIterator[Runtime]:
    """The runtime as `build_runtime` wires it, not started, with update 41 stored."""
    settings = Settings(telegram_bot_token="1:offline", database_url=database_url,
                        secret_key="k" * 64)
    runtime = build_runtime(settings, clock)
    await runtime.application.services.fast_lane.run(partial(
        store_updates, updates=[RawUpdate(UPDATE_ID, {"update_id": UPDATE_ID})],
        worker="test", now=START))
    async with runtime.sessionmaker() as session, session.begin():
        await make_user(session, 7001, START)
    yield runtime
    runtime.application.services.fast_lane.dispose()
    await runtime.engine.dispose()


def handling(runtime: Runtime) -> GonggamContext:
    """A context for (one handling of) update 41."""
    context = GonggamContext(runtime.application)
    context.update_id = UPDATE_ID
    return context


async def muted_and_handled(runtime: Runtime) -> tuple[bool, bool]:
    async with runtime.sessionmaker() as session:
        muted = await session.scalar(select(User.muted_all).where(User.telegram_id == 7001))
        handled_at = await session.scalar(
            select(InboundUpdate.handled_at).where(InboundUpdate.update_id == UPDATE_ID))
    return bool(muted), handled_at is not None


async def user_id(runtime: Runtime) -> int:
    async with runtime.sessionmaker() as session:
        found = await session.scalar(select(User.id).where(User.telegram_id == 7001))
    assert found is not None
    return found


async def test_a_fast_write_marks_the_update_handled_in_its_own_commit(wired: Runtime) -> None:
    mute = partial(set_muted_all, user_id=await user_id(wired), muted=True)
    await handling(wired).fast_write(mute)
    assert await muted_and_handled(wired) == (True, True)


async def test_a_second_handling_of_a_marked_update_rolls_its_fast_write_back(
    wired: Runtime,
) -> None:
    user = await user_id(wired)
    await handling(wired).fast_write(partial(set_muted_all, user_id=user, muted=False))
    with pytest.raises(UpdateAlreadyHandled):
        await handling(wired).fast_write(partial(set_muted_all, user_id=user, muted=True))
    assert await muted_and_handled(wired) == (False, True)


async def test_the_application_marks_only_what_no_handler_write_marked(
    wired: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    application = wired.application
    assert isinstance(application, GonggamApplication)
    marked_at_the_end: list[int] = []

    async def mark(update_id: int) -> None:
        marked_at_the_end.append(update_id)

    async def no_handlers(_application: Application, _update: object) -> None:
        return None

    monkeypatch.setattr(application, "_mark_handled", mark)
    monkeypatch.setattr(Application, "process_update", no_handlers)  # PTB's part: offline
    await handling(wired).fast_write(partial(set_muted_all, user_id=await user_id(wired),
                                             muted=True))
    await application.process_update(Update(UPDATE_ID))
    await application.process_update(Update(UPDATE_ID + 1))  # a handler that only read
    assert marked_at_the_end == [UPDATE_ID + 1]
