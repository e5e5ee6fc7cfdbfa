"""Staff commands: the role is re-checked on every use, and the work lands where it should."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from sqlalchemy import select

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.models import Proposal
from bot.domain.lifecycle import ProposalStatus
from sandbox import SandboxClient, SandboxServer
from tests.conftest import START
from tests.support.factories import make_proposal, make_user
from tests.support.harness import running_bot, settings_for

ADMIN = 9900


@pytest.fixture
async def staff_bot(
    database_url: str, sandbox: SandboxServer, clock: ShiftableClock
) -> AsyncIterator[Runtime]:
    settings = replace(settings_for(database_url, sandbox), admin_telegram_ids=frozenset({ADMIN}))
    async with running_bot(settings, clock) as runtime:
        yield runtime


async def under_review(runtime: Runtime) -> int:
    async with runtime.sessionmaker() as session, session.begin():
        author = await make_user(session, 9901, START)
        proposal = await make_proposal(session, author, START, status=ProposalStatus.UNDER_REVIEW)
        return proposal.id


async def test_an_admin_adds_a_department_assigns_and_opens_a_debate(
    staff_bot: Runtime, residents: SandboxClient
) -> None:
    admin = residents.resident(ADMIN, "관리자")
    pid = await under_review(staff_bot)
    await admin.say("/department_add 공원녹지과")
    await admin.wait_for_message("공원녹지과를 추가했어요. 부서 번호는 1번이에요.")
    await admin.say("/department_add 공원녹지과")  # the same name again: said, not a failure
    await admin.wait_for_message("이미 있는 부서예요: 공원녹지과 (부서 번호 1). 바꾼 것은 없어요.")
    await admin.say("/departments")
    await admin.wait_for_message("1. 공원녹지과")
    await admin.say(f"/assign {pid} 1")
    assigned = await admin.wait_for_message("배정했어요")
    assert f"제안 {pid}번을 공원녹지과에 배정했어요." in assigned.text
    assert "까지 쓸 수 있어요" in assigned.text
    assert f"{staff_bot.settings.public_base_url}/r/" in assigned.text
    await admin.say(f"/debate_open {pid}")
    await admin.wait_for_message("토론을 열었어요")
    await admin.say(f"/debate_extend {pid} 20 주민 요청")
    await admin.wait_for_message("1~14일")
    await admin.say(f"/debate_extend {pid} 7 주민 요청이 많아서")
    await admin.wait_for_message("연장했어요")
    await admin.say(f"/debate_extend {pid} 7 한 번 더")
    await admin.wait_for_message("한 번만")
    async with staff_bot.sessionmaker() as session:
        assert await session.scalar(select(Proposal.status)) == ProposalStatus.IN_DEBATE


async def test_a_resident_cannot_use_staff_commands(
    staff_bot: Runtime, residents: SandboxClient
) -> None:
    pid = await under_review(staff_bot)
    mallory = residents.resident(9902, "말로리")
    for command in ("/departments", f"/assign {pid} 1", f"/rereview_decide {pid} yes",
                    f"/debate_open {pid}", "/opinion_hide 1 스팸"):
        await mallory.say(command)
        await mallory.wait_for_message("운영진만")
    await mallory.say("/department_add 가짜과")
    await mallory.wait_for_message("관리자만")
    async with staff_bot.sessionmaker() as session:
        proposal = await session.get(Proposal, pid)
    assert proposal is not None and proposal.department_id is None
    assert proposal.status == ProposalStatus.UNDER_REVIEW
