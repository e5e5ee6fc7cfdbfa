"""재심의 through the real bot and the sandbox: the author of a proposal found not feasible asks
once with a reason (others, a short reason and a second request are refused), a moderator
decides with /rereview_decide, the author and the followers are told, and a granted request
restarts the review clock, whose reminder then reaches the department."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.models import Proposal
from bot.domain.deadlines import BusinessCalendar, official_deadline
from bot.domain.lifecycle import ProposalStatus
from bot.domain.permissions import Role
from bot.services import departments
from sandbox import SandboxClient, SandboxServer
from sandbox.client import Resident
from tests.conftest import START
from tests.support.factories import follow, make_proposal, make_user
from tests.support.harness import running_bot, settings_for
from tests.support.service_settings import review_start

pytestmark = pytest.mark.usefixtures("no_failed_updates")

AUTHOR, NEIGHBOUR, MODERATOR = 8801, 8802, 8803
DEPARTMENT_CHAT = -100880
REASON = "올해 예산 사정이 바뀌었으니 다시 검토해 주세요"


async def not_feasible(runtime: Runtime) -> int:
    """A proposal the department found not feasible, followed by its author and a neighbour;
    the moderator is one by role (no moderators' group: items come to the private chat)."""
    async with runtime.sessionmaker() as session, session.begin():
        author = await make_user(session, AUTHOR, START)
        neighbour = await make_user(session, NEIGHBOUR, START)
        await make_user(session, MODERATOR, START, role=Role.MODERATOR)
        proposal = await make_proposal(session, author, START, title="하천 산책로 야간 조명",
                                       status=ProposalStatus.UNDER_REVIEW,
                                       review_due=START + timedelta(days=14))
        for user in (author, neighbour):
            await follow(session, user, proposal, START)
        department = await departments.create_department(session, name="치수과", now=START,
                                                         chat_id=DEPARTMENT_CHAT)
        await departments.assign_department(session, proposal.id, department, now=START,
                                            **review_start(runtime.settings))
        proposal.status = ProposalStatus.NOT_FEASIBLE
        proposal.next_reminder_at = None
    return proposal.id


async def asks(resident: Resident, text: str) -> str:
    await resident.say(text)
    return (await resident.wait_for_message()).text


async def stored(runtime: Runtime, proposal_id: int) -> Proposal:
    async with runtime.sessionmaker() as session:
        found = await session.get(Proposal, proposal_id)
    assert found is not None
    return found


async def test_the_author_asks_once_and_a_granted_re_review_restarts_the_review_clock(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    author, neighbour = residents.resident(AUTHOR, "민지"), residents.resident(NEIGHBOUR, "영수")
    moderator = residents.resident(MODERATOR, "운영자")
    department = residents.group(DEPARTMENT_CHAT, "치수과")
    async with running_bot(settings_for(database_url, sandbox), clock) as runtime:
        pid = await not_feasible(runtime)
        assert "작성자만" in await asks(neighbour, f"/rereview {pid} {REASON}")
        assert "10자 이상" in await asks(author, f"/rereview {pid} 다시요")
        assert "운영진에게 전했어요" in await asks(author, f"/rereview {pid} {REASON}")
        item = await moderator.wait_for_message("재심의를 요청했어요", after=0)
        assert REASON in item.text and f"제안 {pid}번" in item.text
        assert "한 번만" in await asks(author, f"/rereview {pid} {REASON} 한 번 더")
        assert "운영진만" in await asks(neighbour, f"/rereview_decide {pid} yes")

        await clock.advance(timedelta(days=2))
        decided_at = clock.now()
        assert "결정을 기록했어요" in await asks(moderator, f"/rereview_decide {pid} yes")
        for resident in (author, neighbour):
            told = await resident.wait_for_message("다시 부서 검토를 받아요", after=0)
            assert "하천 산책로 야간 조명" in told.text
        assert "처리할 재심의 요청이 없어요" in await asks(moderator, f"/rereview_decide {pid} no")

        reviewed = await stored(runtime, pid)
        due = official_deadline(decided_at, 14, BusinessCalendar())
        assert reviewed.status == ProposalStatus.UNDER_REVIEW and reviewed.review_due == due
        assert reviewed.next_reminder_at is not None
        await clock.advance(reviewed.next_reminder_at - clock.now())  # the restarted clock
        reminder = await department.wait_for_message("1주일 남았어요", after=0)
        assert f"제안 {pid}번" in reminder.text


async def test_a_declined_re_review_keeps_it_not_feasible_and_says_so(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    author, neighbour = residents.resident(AUTHOR, "민지"), residents.resident(NEIGHBOUR, "영수")
    moderator = residents.resident(MODERATOR, "운영자")
    async with running_bot(settings_for(database_url, sandbox), clock) as runtime:
        pid = await not_feasible(runtime)
        assert "운영진에게 전했어요" in await asks(author, f"/rereview {pid} {REASON}")
        await moderator.wait_for_message("재심의를 요청했어요", after=0)
        assert "결정을 기록했어요" in await asks(moderator, f"/rereview_decide {pid} no")
        for resident in (author, neighbour):
            await resident.wait_for_message("실행 어려움으로 확정되었어요", after=0)
        assert (await stored(runtime, pid)).status == ProposalStatus.NOT_FEASIBLE
        assert "한 번만" in await asks(author, f"/rereview {pid} {REASON}")
