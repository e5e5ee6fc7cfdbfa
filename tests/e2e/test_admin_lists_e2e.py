"""Issue #15 (1b, 3): /admin as a working desk for 400 proposals, through the real bot.

A work item opens from the queue with its own buttons and a ↩️ that survives the action; a
proposal is found by number or keyword; a list is filtered, sorted and jumped to page 4 of
40; a bulk approval skips (and counts) the line another moderator handled meanwhile; forged
and stale presses get a pop-up. Matched on button data, numbers and titles."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.models import OutboxMessage, Proposal, User, WorkItem
from bot.domain.events import ModerationPending
from bot.domain.lifecycle import ProposalStatus
from bot.services.departments import create_department
from bot.services.search import index_proposal
from bot.services.wakes import Wake
from bot.services.work_items import WorkKind, post_work_item
from sandbox import SandboxClient, SandboxServer
from sandbox.client import Resident, SentMessage
from tests.conftest import START
from tests.e2e.test_moderation_e2e import data_of
from tests.e2e.test_staff_private_queue_e2e import Staff, staff_without_a_group
from tests.support.factories import make_user
from tests.support.harness import running_bot, settings_for, staff_on_duty

pytestmark = pytest.mark.usefixtures("no_failed_updates")

ADMIN, MODERATOR, AUTHOR, RESIDENT = 8901, 8902, 8910, 8911
AREAS, CATEGORIES = ("구로1동", "신도림동"), ("교통", "환경")


@dataclass
class Desk:
    runtime: Runtime
    admin: Resident
    moderator: Resident


@pytest.fixture
async def desk(
    database_url: str, sandbox: SandboxServer, clock: ShiftableClock, residents: SandboxClient,
) -> AsyncIterator[Desk]:
    settings = settings_for(database_url, sandbox, admin_telegram_ids=frozenset({ADMIN}),
                            areas=AREAS, categories=CATEGORIES, staff_private_queue=False)
    admin, moderator = residents.resident(ADMIN, "관리자"), residents.resident(MODERATOR, "김모더")
    async with running_bot(settings, clock) as runtime:
        await staff_on_duty(admin, moderator)
        yield Desk(runtime, admin, moderator)


async def _author(runtime: Runtime) -> User:
    async with runtime.sessionmaker() as session, session.begin():
        found = await session.scalar(select(User).where(User.telegram_id == AUTHOR))
        return found or await make_user(session, AUTHOR, START)


async def seed_collecting(runtime: Runtime, count: int) -> list[int]:
    """`count` proposals in 구로1동 gathering 공감, number i with i 공감 (0 … count-1)."""
    author = await _author(runtime)
    async with runtime.sessionmaker() as session, session.begin():
        proposals = [Proposal(
            author_id=author.id, title=f"주민 제안 {i:03d}", problem="밤에 골목이 어두워요.",
            solution="조명을 달아 주세요.", effect="안전해져요.", area=AREAS[0],
            category=CATEGORIES[i % 2], status=ProposalStatus.COLLECTING, hidden=False,
            endorsement_count=i, created_at=START + timedelta(minutes=i), published_at=START,
            collect_until=START + timedelta(days=30, minutes=i)) for i in range(count)]
        session.add_all(proposals)
        await session.flush()
        return [p.id for p in proposals]


async def seed_pending(runtime: Runtime, titles: list[str]) -> list[int]:
    """Proposals waiting for approval, each with its open work item, indexed for search."""
    author, venues = await _author(runtime), runtime.application.services.settings.venues
    ids = []
    async with runtime.sessionmaker() as session, session.begin():
        for title in titles:
            proposal = Proposal(
                author_id=author.id, title=title, problem=f"{title}을 부탁드려요.",
                solution="가로등을 설치해 주세요.", effect="밤길이 안전해져요.",
                status=ProposalStatus.PENDING_MODERATION, hidden=False, endorsement_count=0,
                created_at=START)
            session.add(proposal)
            await session.flush()
            await index_proposal(session, proposal.id, title, proposal.problem)
            await post_work_item(session, venues, kind=WorkKind.PENDING, subject_kind="proposal",
                                 subject_id=proposal.id, now=START,
                                 notice=ModerationPending(proposal.id, title,
                                                          key=str(proposal.id)))
            ids.append(proposal.id)
    return ids


async def status_of(runtime: Runtime, proposal_id: int) -> str | None:
    async with runtime.sessionmaker() as session:
        return await session.scalar(select(Proposal.status).where(Proposal.id == proposal_id))


async def go(person: Resident, message: SentMessage, data: str) -> SentMessage:
    await person.press_data(person.message(message.message_id), data)
    return await person.wait_for_edit(person.message(message.message_id))


async def popup(person: Resident, message: SentMessage, data: str) -> str:
    answer = await person.wait_for_callback_answer(await person.press_data(message, data))
    assert answer.show_alert, answer
    return answer.text or ""


async def menu_of(person: Resident) -> SentMessage:
    await person.say("/admin")
    return await person.wait_for_message("🛠")


def datas(message: SentMessage) -> list[str]:
    return [data for row in message.buttons for _, data in row if data]


async def test_an_item_opens_from_the_queue_and_its_back_button_survives_approval(
    desk: Desk,
) -> None:
    first, second = await seed_pending(desk.runtime, ["공원 가로등 설치", "버스 정류장 그늘막"])
    queue = await go(desk.moderator, await menu_of(desk.moderator), "am:1:queue:-:0")
    assert [text for text, _ in queue.buttons[0]] == ["1", "2"]  # a button per line
    item = await go(desk.moderator, queue, data_of(queue, "ai:1:"))
    assert f"{first}" in item.text and "공원 가로등 설치" in item.text
    approve = data_of(item, ":approve:")
    assert approve.startswith("wk:1:") and data_of(item, ":reasons:")  # the group's buttons
    handled = await go(desk.moderator, item, approve)
    assert "김모더" in handled.text.split("\n\n")[-1]
    assert datas(handled) == ["am:1:queue:-:0"]  # the item's buttons went, ↩️ stayed
    assert await status_of(desk.runtime, first) == ProposalStatus.COLLECTING
    back = await go(desk.moderator, handled, "am:1:queue:-:0")
    assert "버스 정류장 그늘막" in back.text and "공원 가로등 설치" not in back.text
    assert await status_of(desk.runtime, second) == ProposalStatus.PENDING_MODERATION


async def test_a_proposal_is_found_by_number_and_by_keyword(desk: Desk) -> None:
    ids = await seed_pending(desk.runtime, ["공원 가로등 설치", "버스 정류장 그늘막"])
    await desk.moderator.say(f"/admin {ids[1]}")
    card = await desk.moderator.wait_for_message(f"#{ids[1]}")
    assert "버스 정류장 그늘막" in card.text and "상태:" in card.text
    assert data_of(card, f"ap:1:{ids[1]}:approve:")
    await desk.moderator.say("/admin 가로등")
    found = await desk.moderator.wait_for_message("📋")
    assert "공원 가로등 설치" in found.text and "그늘막" not in found.text
    prompt_at = found.message_id
    await desk.moderator.press_data(found, data_of(found, "al:1:search:"))
    await desk.moderator.wait_for_message("검색어", after=prompt_at)
    await desk.moderator.say("그늘막")
    again = await desk.moderator.wait_for_message("📋")
    assert "버스 정류장 그늘막" in again.text and "가로등 설치" not in again.text
    opened = await go(desk.moderator, again, data_of(again, f"ap:1:{ids[1]}:view:"))
    assert f"#{ids[1]}" in opened.text and data_of(opened, "al:1:show:q")  # back to the results


async def test_filter_sort_and_jump_to_page_4_of_40(desk: Desk) -> None:
    ids = await seed_collecting(desk.runtime, 400)
    overview = await go(desk.moderator, await menu_of(desk.moderator), "am:1:proposals:-:0")
    listed = await go(desk.moderator, overview, "al:1:show:s1-p0")
    assert "400" in listed.text and len([d for d in datas(listed) if d.startswith("ap:")]) == 10
    picker = await go(desk.moderator, listed, data_of(listed, "al:1:area:"))
    in_area = await go(desk.moderator, picker, "al:1:show:s1-a0-p0")
    by_endorsements = await go(desk.moderator, in_area, data_of(in_area, "-Se-p0"))
    text = by_endorsements.text
    assert text.index("공감 399") < text.index("공감 398")  # the most 공감 first
    pager = [t for row in by_endorsements.buttons for t, _ in row]
    assert {"·1·", "2", "40"} <= set(pager)  # this page, the next, the last
    await desk.moderator.press_data(by_endorsements, data_of(by_endorsements, "al:1:page:"))
    prompt = await desk.moderator.wait_for_message("40", after=by_endorsements.message_id)
    await desk.moderator.say("41")
    await desk.moderator.wait_for_message("1부터 40까지", after=prompt.message_id)
    await desk.moderator.say("4")
    page4 = await desk.moderator.wait_for_message("📋")
    shown = [f"#{ids[i]} " for i in range(369, 359, -1)]
    assert all(line in page4.text for line in shown), page4.text
    assert "·4·" in [t for row in page4.buttons for t, _ in row]
    opened = await go(desk.moderator, page4, f"ap:1:{ids[365]}:view:0:s1-a0-Se-p3")
    assert "공감 365" in opened.text and "구로1동" in opened.text
    assert data_of(opened, "al:1:show:s1-a0-Se-p3")  # back to page 4


async def test_bulk_approval_skips_the_one_another_moderator_handled(desk: Desk) -> None:
    ids = await seed_pending(desk.runtime, ["가로등 하나", "가로등 둘", "가로등 셋"])
    listed = await go(desk.moderator, await menu_of(desk.moderator), "al:1:show:s0-p0")
    selecting = await go(desk.moderator, listed, data_of(listed, "-m-p0"))
    whole = await go(desk.moderator, selecting, data_of(selecting, "ak:1:0:"))
    assert sum(text.startswith("☑ #") for row in whole.buttons for text, _ in row) == 3
    await desk.admin.say(f"/approve {ids[1]}")  # another moderator is quicker for one
    await desk.admin.wait_for_message()
    question = await go(desk.moderator, whole, data_of(whole, "ab:1:approve:"))
    assert "3건을 승인할까요?" in question.text
    summary = await go(desk.moderator, question, data_of(question, "ab:1:approve:0:1:"))
    assert "2건을 승인했어요" in summary.text and "1건은 건너뛰었어요" in summary.text
    assert [await status_of(desk.runtime, i) for i in ids] == [ProposalStatus.COLLECTING] * 3
    stale = await popup(desk.moderator, summary, data_of(question, "ab:1:approve:0:1:"))
    assert "선택" in stale  # nothing is selected any more


async def test_forged_and_stale_presses_get_a_polite_popup(
    desk: Desk, residents: SandboxClient,
) -> None:
    (pid,) = await seed_pending(desk.runtime, ["공원 가로등 설치"])
    screen = await menu_of(desk.moderator)
    for forged in ("al:1:show:zz", "al:1:nonsense:p0", f"ap:1:{pid}:explode:0:p0",
                   f"ap:1:{pid}:reject:99:p0", "ap:1:99999:view:0:p0", "ab:1:approve:0:1:s0-m-p0",
                   "al:1:show:q-p0"):
        assert await popup(desk.moderator, screen, forged), forged
    resident = residents.resident(RESIDENT, "주민")
    await resident.say("/start")
    hello = await resident.wait_for_message()
    assert await popup(resident, hello, f"ap:1:{pid}:approve:0:p0")
    assert await status_of(desk.runtime, pid) == ProposalStatus.PENDING_MODERATION
    await desk.admin.say(f"/approve {pid}")
    await desk.admin.wait_for_message()
    async with desk.runtime.sessionmaker() as session:
        item_id = await session.scalar(select(WorkItem.id).where(WorkItem.subject_id == pid))
    assert "관리자" in await popup(desk.moderator, screen, f"ai:1:{item_id}:0")  # who did it


async def test_the_staff_view_rejects_hides_restores_and_assigns(desk: Desk) -> None:
    rejected, kept = await seed_pending(desk.runtime, ["광고 글입니다", "공원 벤치 설치"])
    async with desk.runtime.sessionmaker() as session, session.begin():
        await create_department(session, name="도로과", now=START)
    await desk.moderator.say(f"/admin {rejected}")
    card = await desk.moderator.wait_for_message(f"#{rejected}")
    reasons = await go(desk.moderator, card, data_of(card, ":reasons:"))
    assert len(reasons.buttons) == 6  # the five reject reasons and ↩️
    decided = await go(desk.moderator, reasons, f"ap:1:{rejected}:reject:0:p0")
    assert await status_of(desk.runtime, rejected) == ProposalStatus.REJECTED
    assert ":approve:" not in " ".join(datas(decided))  # nothing left to approve
    await desk.moderator.say(f"/admin {kept}")
    card = await desk.moderator.wait_for_message(f"#{kept}")
    why = await go(desk.moderator, card, data_of(card, ":hides:"))
    hidden = await go(desk.moderator, why, f"ap:1:{kept}:hide:1:p0")
    assert "🙈" in hidden.text and data_of(hidden, ":restore:")
    shown = await go(desk.moderator, hidden, data_of(hidden, ":restore:"))
    assert data_of(shown, ":hides:")
    async with desk.runtime.sessionmaker() as session, session.begin():
        proposal = await session.get(Proposal, kept)
        assert proposal is not None
        proposal.status = ProposalStatus.UNDER_REVIEW
    card = await go(desk.moderator, shown, f"ap:1:{kept}:view:0:p0")
    offered = await go(desk.moderator, card, data_of(card, ":assign:"))
    assert "도로과" in [t for row in offered.buttons for t, _ in row]
    assert data_of(offered, f"ap:1:{kept}:view:")  # ↩️ back to the proposal
    assigned = await go(desk.moderator, offered, data_of(offered, "asg:1:"))
    assert "도로과" in assigned.text


async def test_the_staff_view_merges_a_duplicate_after_one_question(desk: Desk) -> None:
    _, duplicate, kept = await seed_collecting(desk.runtime, 3)
    await desk.moderator.say(f"/admin {duplicate}")
    card = await desk.moderator.wait_for_message(f"#{duplicate}")
    await desk.moderator.wait_for_callback_answer(
        await desk.moderator.press_data(card, data_of(card, ":merge:")))
    await desk.moderator.wait_for_message("남길 제안의 번호")
    await desk.moderator.say("두 번째 거요")
    await desk.moderator.wait_for_message("번호만 보내 주세요")  # the question stays open
    await desk.moderator.say(str(kept))
    question = await desk.moderator.wait_for_message("합칠까요?")
    assert "주민 제안 001" in question.text and "주민 제안 002" in question.text
    assert await status_of(desk.runtime, duplicate) == ProposalStatus.COLLECTING  # not yet
    done = await go(desk.moderator, question, data_of(question, "mgc:1:"))
    assert f"제안 {duplicate}번을 {kept}번으로 합쳤어요" in done.text and done.buttons == ()
    async with desk.runtime.sessionmaker() as session:
        merged_into = await session.scalar(
            select(Proposal.merged_into_id).where(Proposal.id == duplicate))
    assert merged_into == kept


async def test_bulk_reject_with_a_reason_and_bulk_assign(desk: Desk) -> None:
    ids = await seed_pending(desk.runtime, ["광고 하나", "광고 둘"])
    async with desk.runtime.sessionmaker() as session, session.begin():
        await create_department(session, name="도로과", now=START)
    listed = await go(desk.moderator, await menu_of(desk.moderator), "al:1:show:s0-m-p0")
    for pid in ids:
        listed = await go(desk.moderator, listed, f"ak:1:{pid}:s0-m-p0")
    reasons = await go(desk.moderator, listed, data_of(listed, "ab:1:reject:-1:"))
    question = await go(desk.moderator, reasons, data_of(reasons, "ab:1:reject:1:0:"))
    assert "2건을 거절할까요?" in question.text
    summary = await go(desk.moderator, question, data_of(question, "ab:1:reject:1:1:"))
    assert "2건을 거절했어요" in summary.text and "건너뛰" not in summary.text
    assert {await status_of(desk.runtime, i) for i in ids} == {ProposalStatus.REJECTED}
    async with desk.runtime.sessionmaker() as session, session.begin():
        for pid in ids:
            proposal = await session.get(Proposal, pid)
            assert proposal is not None
            proposal.status = ProposalStatus.UNDER_REVIEW
    listed = await go(desk.moderator, summary, "al:1:show:s2-m-p0")
    listed = await go(desk.moderator, listed, data_of(listed, "ak:1:0:"))
    offered = await go(desk.moderator, listed, data_of(listed, "ab:1:assign:-1:"))
    question = await go(desk.moderator, offered, data_of(offered, "ab:1:assign:"))
    assert "2건을 도로과에 배정할까요?" in question.text
    summary = await go(desk.moderator, question, data_of(question, ":1:s2-m-p0"))
    assert "2건을 배정했어요" in summary.text


async def copies_recorded(runtime: Runtime, count: int) -> None:
    """Wait until the dispatcher has recorded the item's copies as sent (it does so just after
    Telegram has them): only a recorded copy can be found and edited later."""
    query = (select(func.count()).select_from(OutboxMessage)
             .where(OutboxMessage.work_item_id.is_not(None),
                    OutboxMessage.telegram_message_id.is_not(None)))
    for _ in range(500):
        async with runtime.sessionmaker() as session:
            if await session.scalar(query) == count:
                return
        await asyncio.sleep(0.01)  # a bounded wait for the dispatcher, not a timing assertion
    raise AssertionError(f"the dispatcher did not record {count} copies")


@pytest.fixture
async def two_private_queues(
    database_url: str, sandbox: SandboxServer, clock: ShiftableClock, residents: SandboxClient,
) -> AsyncIterator[Staff]:
    async for cast in staff_without_a_group(database_url, sandbox, clock, residents,
                                            private_queue=True):
        yield cast


async def test_approving_from_admin_tells_every_private_copy(two_private_queues: Staff) -> None:
    staff = two_private_queues
    (pid,) = await seed_pending(staff.runtime, ["공원 가로등 설치"])
    staff.runtime.application.services.wake(Wake.TELEGRAM_OUTBOX)
    theirs = await staff.admin.wait_for_message("공원 가로등 설치", after=0)
    mine = await staff.moderator.wait_for_message("공원 가로등 설치", after=0)
    await copies_recorded(staff.runtime, 2)
    await staff.moderator.say(f"/admin {pid}")
    card = await staff.moderator.wait_for_message(f"#{pid}")
    await go(staff.moderator, card, data_of(card, ":approve:"))
    for person, copy in ((staff.admin, theirs), (staff.moderator, mine)):
        told = await person.wait_for_edit(copy)
        assert "김모더" in told.text.split("\n\n")[-1] and told.buttons == ()
