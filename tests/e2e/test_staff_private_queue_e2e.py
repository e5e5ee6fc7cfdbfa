"""Issue #15 point 1: without a moderators' group, work items reach each moderator's and
admin's private chat with the group's buttons; the first to act handles it, and the other
copies then say who did what. A setting turns the private copies off."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.models import OutboxMessage, Proposal, User
from bot.domain.events import ModerationPending
from bot.domain.policy import Policy
from bot.services import work_items
from bot.services.departments import create_department
from bot.services.wakes import woken
from bot.services.work_items import WorkKind
from sandbox import SandboxClient, SandboxServer
from sandbox.client import Resident
from tests.conftest import START
from tests.e2e.test_moderation_e2e import open_card, seed
from tests.support.harness import running_bot, settings_for, staff_on_duty

pytestmark = pytest.mark.usefixtures("no_failed_updates")

ADMIN, MODERATOR, RESIDENT = 8501, 8502, 8503


@dataclass
class Staff:
    runtime: Runtime
    admin: Resident
    moderator: Resident


async def staff_without_a_group(
    database_url: str, sandbox: SandboxServer, clock: ShiftableClock, residents: SandboxClient,
    *, private_queue: bool,
) -> AsyncIterator[Staff]:
    settings = settings_for(database_url, sandbox, policy=Policy(endorsement_threshold=2),
                            admin_telegram_ids=frozenset({ADMIN}),
                            staff_private_queue=private_queue)
    assert settings.moderator_chat_id is None
    admin, moderator = residents.resident(ADMIN, "관리자"), residents.resident(MODERATOR, "김모더")
    async with running_bot(settings, clock) as runtime:
        await staff_on_duty(admin, moderator)
        yield Staff(runtime, admin, moderator)


@pytest.fixture
async def staff(
    database_url: str, sandbox: SandboxServer, clock: ShiftableClock, residents: SandboxClient,
) -> AsyncIterator[Staff]:
    async for cast in staff_without_a_group(database_url, sandbox, clock, residents,
                                            private_queue=True):
        yield cast


@pytest.fixture
async def staff_opted_out(
    database_url: str, sandbox: SandboxServer, clock: ShiftableClock, residents: SandboxClient,
) -> AsyncIterator[Staff]:
    async for cast in staff_without_a_group(database_url, sandbox, clock, residents,
                                            private_queue=False):
        yield cast


async def reach_the_threshold(runtime: Runtime, residents: SandboxClient) -> int:
    async with runtime.sessionmaker() as session, session.begin():
        await create_department(session, name="도로과", now=START)
        await create_department(session, name="공원녹지과", now=START)
    pid = await seed(runtime, RESIDENT)
    for n in range(2):
        voter = residents.resident(8510 + n, f"주민{n}")
        card = await open_card(voter, pid)
        await voter.wait_for_callback_answer(await voter.press_data(card, f"e:1:{pid}"))
    return pid


async def test_both_staff_get_the_item_and_the_other_copy_says_who_assigned_what(
    staff: Staff, residents: SandboxClient,
) -> None:
    pid = await reach_the_threshold(staff.runtime, residents)
    mine = await staff.moderator.wait_for_message("📋", after=0)
    theirs = await staff.admin.wait_for_message("📋", after=0)
    assert {"도로과", "공원녹지과"} <= set(mine.button_texts) == set(theirs.button_texts)
    await staff.moderator.wait_for_callback_answer(await staff.moderator.press(mine, "도로과"))
    handled = await staff.moderator.wait_for_edit(mine)
    told = await staff.admin.wait_for_edit(theirs)
    for copy in (handled, told):
        assert copy.buttons == ()
        assert "김모더" in copy.text.split("\n\n")[-1] and "도로과" in copy.text.split("\n\n")[-1]
        assert f"#{pid}" in copy.text or "가로등" in copy.text  # the item itself is still there
    stale = await staff.admin.press_data(theirs, mine.buttons[0][0][1] or "")
    answer = await staff.admin.wait_for_callback_answer(stale)
    assert "김모더" in (answer.text or "")  # a stale button says who handled it
    async with staff.runtime.sessionmaker() as session:
        assert await session.scalar(select(Proposal.department_id).where(Proposal.id == pid))


async def test_the_setting_turns_the_private_copies_off(
    staff_opted_out: Staff, residents: SandboxClient,
) -> None:
    await reach_the_threshold(staff_opted_out.runtime, residents)
    async with staff_opted_out.runtime.sessionmaker() as session:
        copies = await session.scalar(select(func.count()).select_from(OutboxMessage)
                                      .where(OutboxMessage.work_item_id.is_not(None)))
    assert copies == 0
    assert not [m for m in staff_opted_out.admin.bot_messages() if "📋" in (m.text or "")]


async def test_a_copy_still_on_its_way_when_the_item_is_handled_is_settled_once_sent(
    staff: Staff, residents: SandboxClient,
) -> None:
    """The item is handled before its copies leave (as when a moderator acts while the
    dispatcher is sending): each copy, once sent, is edited to say who did it."""
    pid = await seed(staff.runtime, RESIDENT)
    async with staff.runtime.sessionmaker() as session, session.begin():
        moderator = await session.scalar(select(User.id).where(User.telegram_id == MODERATOR))
        assert moderator is not None
        item = await work_items.post_work_item(
            session, staff.runtime.settings.venues, kind=WorkKind.PENDING,
            subject_kind="proposal", subject_id=pid, now=START,
            notice=ModerationPending(pid, "공원 산책로 가로등 설치", key=str(pid)))
        assert item is not None
        await work_items.claim(session, item, user_id=moderator, name="김모더",
                               action="approve", now=START)
    staff.runtime.application.services.wake(*woken(session))
    for person in (staff.admin, staff.moderator):
        copy = await person.wait_for_message("게시 승인", after=0)
        settled = copy if not copy.buttons else await person.wait_for_edit(copy)
        assert settled.buttons == () and "김모더" in settled.text.split("\n\n")[-1]
