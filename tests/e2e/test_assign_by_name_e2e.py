"""Issue #15 point 2: assignment by name, by number or by tap, and a double tap that keeps
the reply link it showed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.app import Runtime
from bot.db.models import Proposal, ReplyLink
from bot.domain.lifecycle import ProposalStatus
from bot.services.departments import create_department, set_category_department
from sandbox import SandboxClient
from tests.conftest import START
from tests.e2e.test_staff_commands import ADMIN, staff_bot  # noqa: F401  (the fixture)
from tests.support.factories import make_proposal, make_user

pytestmark = pytest.mark.usefixtures("no_failed_updates")

DEPARTMENTS = ("도로과", "안전총괄과", "교통행정과", "교통정책팀")


async def district_with_a_proposal(runtime: Runtime, category: str = "안전") -> int:
    """Four departments, 안전총괄과 the default of 안전, and a proposal under review."""
    async with runtime.sessionmaker() as session, session.begin():
        ids = {name: await create_department(session, name=name, now=START, actor="test")
               for name in DEPARTMENTS}
        await set_category_department(session, category="안전", department_id=ids["안전총괄과"],
                                      now=START, actor="test")
        author = await make_user(session, 9951, START)
        proposal = await make_proposal(session, author, START, category=category,
                                       status=ProposalStatus.UNDER_REVIEW)
        return proposal.id


async def department_of(runtime: Runtime, proposal_id: int) -> tuple[int | None, int]:
    async with runtime.sessionmaker() as session:
        department = await session.scalar(
            select(Proposal.department_id).where(Proposal.id == proposal_id))
        live = await session.scalar(select(func.count()).select_from(ReplyLink).where(
            ReplyLink.proposal_id == proposal_id, ReplyLink.revoked_at.is_(None)))
    return department, int(live or 0)


async def test_a_name_typed_loosely_assigns_and_says_until_when_the_link_works(
    staff_bot: Runtime, residents: SandboxClient  # noqa: F811
) -> None:
    admin = residents.resident(ADMIN, "관리자")
    pid = await district_with_a_proposal(staff_bot)
    await admin.say(f"/assign {pid} 도로 과")
    reply = await admin.wait_for_message("배정했어요")
    assert f"제안 {pid}번을 도로과에 배정했어요." in reply.text
    assert "까지 쓸 수 있어요" in reply.text and "/r/" in reply.text
    await admin.say(f"/assign {pid} 2")  # a number still works
    reply = await admin.wait_for_message("배정했어요")
    assert "안전총괄과에 배정했어요" in reply.text


async def test_nothing_typed_offers_every_department_with_the_default_first_and_a_tap_assigns(
    staff_bot: Runtime, residents: SandboxClient  # noqa: F811
) -> None:
    admin = residents.resident(ADMIN, "관리자")
    pid = await district_with_a_proposal(staff_bot)
    await admin.say(f"/assign {pid}")
    choices = await admin.wait_for_message("어느 부서")
    assert choices.button_texts[0] == "안전총괄과"
    assert sorted(choices.button_texts) == sorted(DEPARTMENTS)
    await admin.press(choices, "교통정책팀")
    done = await admin.wait_for_edit(choices)
    assert "교통정책팀에 배정했어요" in done.text and done.button_texts == []
    assert (await department_of(staff_bot, pid))[1] == 1


async def test_several_matches_are_offered_and_a_double_tap_keeps_the_first_link(
    staff_bot: Runtime, residents: SandboxClient  # noqa: F811
) -> None:
    admin = residents.resident(ADMIN, "관리자")
    pid = await district_with_a_proposal(staff_bot)
    await admin.say(f"/assign {pid} 교통")
    choices = await admin.wait_for_message("여럿")
    assert sorted(choices.button_texts) == ["교통정책팀", "교통행정과"]
    data = next(b["callback_data"] for row in admin._current(choices).inline_keyboard
                for b in row if b["text"] == "교통행정과")
    first = await admin.press(choices, "교통행정과")
    second = await admin.press_data(choices, str(data))
    await admin.wait_for_callback_answer(first)
    answer = await admin.wait_for_callback_answer(second)
    done = admin.message(choices.message_id)
    assert "교통행정과에 배정했어요" in done.text
    assert "이미" in (answer.text or "")
    async with staff_bot.sessionmaker() as session:
        issued = await session.scalar(select(func.count()).select_from(ReplyLink).where(
            ReplyLink.proposal_id == pid))
    assert issued == 1  # the second tap issued no new link, so the one shown still works


async def test_a_name_that_matches_nothing_lists_the_departments(
    staff_bot: Runtime, residents: SandboxClient  # noqa: F811
) -> None:
    admin = residents.resident(ADMIN, "관리자")
    pid = await district_with_a_proposal(staff_bot)
    await admin.say(f"/assign {pid} 세무과")
    choices = await admin.wait_for_message("「세무과」에 맞는 부서가 없어요")
    assert len(choices.button_texts) == len(DEPARTMENTS)
    assert (await department_of(staff_bot, pid)) == (None, 0)


async def test_a_proposal_still_collecting_is_refused_before_any_button(
    staff_bot: Runtime, residents: SandboxClient  # noqa: F811
) -> None:
    admin = residents.resident(ADMIN, "관리자")
    async with staff_bot.sessionmaker() as session, session.begin():
        author = await make_user(session, 9952, START)
        pid = (await make_proposal(session, author, START)).id
    await admin.say(f"/assign {pid}")
    await admin.wait_for_message("부서 검토 단계 이후")
    await admin.say("/assign 9999 도로과")
    await admin.wait_for_message("그런 제안이 없어요")
    await admin.say("/assign 도로과")
    usage = await admin.wait_for_message("사용법")
    assert "<제안 번호>" in usage.text  # sent as plain text: Telegram would refuse it as HTML
