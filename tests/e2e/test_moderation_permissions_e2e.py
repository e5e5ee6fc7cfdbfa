"""Every moderator and admin command and button, tried by someone without the role.

A resident sends each staff command and forges each work-item and /admin button (the data a
real button would carry); a moderator tries the admin-only ones. Nothing changes, each
attempt is answered, and a warning is logged.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.models import AuditEntry, OutboxMessage, Proposal, Report, User, WorkItem
from bot.domain.policy import Policy
from bot.services.departments import create_department
from sandbox import SandboxClient, SandboxServer
from sandbox.client import Resident
from tests.conftest import START
from tests.support.factories import make_proposal, make_user
from tests.support.harness import running_bot, settings_for

pytestmark = pytest.mark.usefixtures("no_failed_updates")

MODERATORS = -100777
ADMIN, MODERATOR, RESIDENT = 8601, 8602, 8603
MODERATOR_ONLY = "운영진만"
ADMIN_ONLY = "관리자만"
STAFF_COMMANDS = [
    "/hide p {pid} 광고", "/restore p {pid}", "/merge {pid} {other}", "/ban 8604 7 도배",
    "/unban 8604", "/approve {pid}", "/reject {pid} 광고",
    "/offline 전화\n제목: 경로당 난방비 지원\n"
    "내용: 겨울마다 난방비가 부족해요.\n이름: 김민수\n연락처: 010-1234-5678",
    "/admin",
]
ADMIN_COMMANDS = [f"/grant {RESIDENT} admin", f"/revoke {MODERATOR}", "/staff"]
WORK_ACTIONS = ["approve:0", "reasons:0", "back:0", "other:0", "reject:1", "publish:0",
                "keep:0", "restore:0", "assign:{dept}", "remind:0", "noted:0", "accept:0",
                "decline:0"]
MENU_SECTIONS = ["menu", "queue", "proposals", "overdue", "departments", "taxonomy", "rounds",
                 "polls", "moderation", "codes", "stats", "broadcasts", "exports", "audit",
                 "roles"]
ADMIN_SECTIONS = ["broadcasts", "codes", "audit", "roles"]


@dataclass
class World:
    runtime: Runtime
    admin: Resident
    moderator: Resident
    resident: Resident
    pid: int
    other: int
    item: int
    department: int


@pytest.fixture
async def world(
    database_url: str, sandbox: SandboxServer, clock: ShiftableClock, residents: SandboxClient,
) -> AsyncIterator[World]:
    residents.group(MODERATORS, "공감 운영진")
    settings = settings_for(database_url, sandbox, policy=Policy(endorsement_threshold=3),
                            moderator_chat_id=MODERATORS, admin_telegram_ids=frozenset({ADMIN}))
    admin, moderator = residents.resident(ADMIN, "관리자"), residents.resident(MODERATOR, "김모더")
    resident = residents.resident(RESIDENT, "말로리")
    async with running_bot(settings, clock) as runtime:
        for person in (admin, moderator, resident):
            await person.say("/start")
            await person.wait_for_message()
        await admin.say(f"/grant {MODERATOR} moderator")
        await admin.wait_for_message()
        async with runtime.sessionmaker() as session, session.begin():
            author = await make_user(session, 8604, START)
            department = await create_department(session, name="도로과", now=START)
            pid = (await make_proposal(session, author, START)).id
            other = (await make_proposal(session, author, START, title="다른 제안")).id
        reporters = [residents.resident(8610 + n, "신고자") for n in range(3)]
        for reporter in reporters:  # three reports: a REPORTED work item to forge presses on
            await reporter.say(f"/start p{pid}")
            card = await reporter.wait_for_message(f"#{pid}")
            await reporter.wait_for_callback_answer(
                await reporter.press_data(card, f"rr:1:{pid}:spam"))
        async with runtime.sessionmaker() as session:
            item = await session.scalar(select(WorkItem.id))
        assert item is not None
        yield World(runtime, admin, moderator, resident, pid, other, item, department)


async def snapshot(runtime: Runtime) -> tuple[object, ...]:
    """Everything a staff action could change."""
    async with runtime.sessionmaker() as session:
        return await _snapshot(session)


async def _snapshot(session: AsyncSession) -> tuple[object, ...]:
    proposals = (await session.execute(
        select(Proposal.id, Proposal.status, Proposal.hidden, Proposal.department_id,
               Proposal.merged_into_id).order_by(Proposal.id))).all()
    users = (await session.execute(
        select(User.telegram_id, User.role, User.banned_until).order_by(User.id))).all()
    items = (await session.execute(select(WorkItem.id, WorkItem.claimed_by))).all()
    audit = await session.scalar(select(func.count()).select_from(AuditEntry))
    reports = await session.scalar(select(func.count()).select_from(Report))
    outbox = await session.scalar(select(func.count()).select_from(OutboxMessage))
    return (tuple(proposals), tuple(users), tuple(items), audit, reports, outbox)


def refusals(caplog: pytest.LogCaptureFixture) -> int:
    return sum(1 for r in caplog.records
               if r.levelno == logging.WARNING and r.getMessage().startswith("refused"))


async def test_a_resident_is_refused_every_staff_command(
    world: World, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    before = await snapshot(world.runtime)
    for command in STAFF_COMMANDS:
        await world.resident.say(command.format(pid=world.pid, other=world.other))
        await world.resident.wait_for_message(MODERATOR_ONLY)
    for command in ADMIN_COMMANDS:
        await world.resident.say(command)
        await world.resident.wait_for_message(ADMIN_ONLY)
    assert await snapshot(world.runtime) == before
    assert refusals(caplog) == len(STAFF_COMMANDS) + len(ADMIN_COMMANDS)


async def test_a_moderator_is_refused_the_admin_commands(
    world: World, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    before = await snapshot(world.runtime)
    for command in ADMIN_COMMANDS:
        await world.moderator.say(command)
        await world.moderator.wait_for_message(ADMIN_ONLY)
    assert await snapshot(world.runtime) == before
    assert refusals(caplog) == len(ADMIN_COMMANDS)


async def test_forged_work_item_and_menu_buttons_from_a_resident_change_nothing(
    world: World, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    before = await snapshot(world.runtime)
    await world.resident.say(f"/start p{world.pid}")
    message = await world.resident.wait_for_message(f"#{world.pid}")
    forged = [f"wk:1:{world.item}:" + a.format(dept=world.department) for a in WORK_ACTIONS]
    forged += [f"am:1:{section}:-:0" for section in MENU_SECTIONS]
    forged.append("am:1:proposals:collecting:0")
    for data in forged:
        answer = await world.resident.wait_for_callback_answer(
            await world.resident.press_data(message, data))
        assert answer is not None and MODERATOR_ONLY in (answer.text or ""), data
    assert await snapshot(world.runtime) == before
    assert refusals(caplog) == len(forged)


async def test_a_moderator_cannot_open_admin_sections_by_forged_data(
    world: World, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    await world.moderator.say("/admin")
    menu = await world.moderator.wait_for_message("🛠")
    offered = {data.split(":")[2] for row in menu.buttons for _, data in row if data}
    assert offered.isdisjoint(ADMIN_SECTIONS) and "queue" in offered
    for section in ADMIN_SECTIONS:
        answer = await world.moderator.wait_for_callback_answer(
            await world.moderator.press_data(menu, f"am:1:{section}:-:0"))
        assert answer is not None and ADMIN_ONLY in (answer.text or "")
    assert refusals(caplog) == len(ADMIN_SECTIONS)
    assert world.moderator.message(menu.message_id).edit_count == 0


async def test_a_demoted_moderator_is_refused_at_the_time_of_the_press(
    world: World, caplog: pytest.LogCaptureFixture,
) -> None:
    """The role is read again for each update: a revoke takes effect on the next tap."""
    caplog.set_level(logging.WARNING)
    await world.moderator.say("/admin")
    menu = await world.moderator.wait_for_message("🛠")
    await world.admin.say(f"/revoke {MODERATOR}")
    await world.admin.wait_for_message()
    item_message = f"wk:1:{world.item}:restore:0"
    answer = await world.moderator.wait_for_callback_answer(
        await world.moderator.press_data(menu, item_message))
    assert answer is not None and MODERATOR_ONLY in (answer.text or "")
    async with world.runtime.sessionmaker() as session:
        assert await session.scalar(select(Proposal.hidden).where(Proposal.id == world.pid))
        assert await session.scalar(select(WorkItem.claimed_by)) is None
    assert refusals(caplog) == 1


async def test_malformed_arguments_get_the_usage_and_change_nothing(world: World) -> None:
    before = await snapshot(world.runtime)
    for command in ("/hide", "/hide x 1 광고", "/hide p one 광고", "/hide p 1", "/restore p",
                    "/restore q 1", "/merge 1", "/merge a b", "/ban", "/ban 8604 forever 도배",
                    "/unban", "/approve", "/approve x", "/reject 1", "/offline",
                    "/offline 전화\n제목: 짧"):
        await world.moderator.say(command)
        reply = await world.moderator.wait_for_message()
        assert command.split()[0].split("\n")[0] in reply.text, (command, reply.text)
    for command in ("/grant", "/grant 8603 king", "/grant x moderator", "/revoke", "/revoke x"):
        await world.admin.say(command)
        reply = await world.admin.wait_for_message()
        assert command.split()[0] in reply.text, (command, reply.text)
    assert await snapshot(world.runtime) == before


async def test_hide_and_restore_by_command_tell_the_author_and_settle_the_item(
    world: World, residents: SandboxClient,
) -> None:
    author = residents.resident(8604, "작성자")
    await world.moderator.say(f"/restore p {world.pid}")
    await world.moderator.wait_for_message()
    async with world.runtime.sessionmaker() as session:
        assert not await session.scalar(select(Proposal.hidden).where(Proposal.id == world.pid))
        assert await session.scalar(select(WorkItem.action)) == "restore"
    await world.moderator.say(f"/hide p {world.other} 개인정보가 들어 있어요")
    await world.moderator.wait_for_message()
    told = await author.wait_for_message("개인정보가 들어 있어요", after=0)
    assert "다른 제안" in told.text
    await world.moderator.say(f"/hide p {world.other} 또")
    again = await world.moderator.wait_for_message()
    await world.moderator.say(f"/restore p {world.other}")
    restored = await world.moderator.wait_for_message()
    assert again.text != restored.text
    async with world.runtime.sessionmaker() as session:
        hides = await session.scalar(select(func.count()).select_from(AuditEntry)
                                     .where(AuditEntry.action == "proposal.hide"))
        assert not await session.scalar(select(Proposal.hidden).where(Proposal.id == world.other))
    assert hides == 2  # the report threshold's, then the moderator's (the repeat changed nothing)


async def test_unknown_ids_are_answered(world: World) -> None:
    replies = []
    for command in ("/hide p 99999 광고", "/restore o 99999", "/merge 99998 99999",
                    "/ban 55555 3 도배", "/unban 55555", "/approve 99999"):
        await world.moderator.say(command)
        replies.append((await world.moderator.wait_for_message()).text)
    await world.admin.say("/grant 55555 moderator")
    replies.append((await world.admin.wait_for_message()).text)
    assert all(replies) and len(replies) == 7
    assert not any("잠시 후" in reply for reply in replies)  # no failure, a real answer each
    await world.moderator.say(f"/start p{world.pid}")
    card = await world.moderator.wait_for_message(f"#{world.pid}")
    answer = await world.moderator.wait_for_callback_answer(
        await world.moderator.press_data(card, "wk:1:99999:restore:0"))
    assert answer is not None and answer.text
