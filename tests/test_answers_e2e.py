"""A push owed by a saved answer survives a crash: it is delivered after restart, exactly once."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ShiftableClock
from bot.domain.answers import AnswerForm, AnswerKind
from bot.domain.deadlines import BusinessCalendar
from bot.domain.lifecycle import ProposalStatus
from bot.sandbox import SandboxClient, SandboxServer
from bot.services import answers, departments
from tests.conftest import START
from tests.support.factories import follow, make_proposal, make_user
from tests.support.harness import running_bot, settings_for


async def test_an_answer_saved_before_a_crash_is_pushed_once_after_restart(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient,
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock,
) -> None:
    minji = residents.resident(7301, "민지")
    settings = settings_for(database_url, sandbox)
    async with sessionmaker() as session, session.begin():
        author = await make_user(session, 7301, START)
        proposal = await make_proposal(session, author, START, status=ProposalStatus.UNDER_REVIEW)
        await follow(session, author, proposal, START)
        department = await departments.create_department(session, name="도로과", now=START)
        link = await departments.assign_department(session, proposal.id, department, now=START,
                                                   settings=settings)
    async with sessionmaker() as session, session.begin():
        view = await answers.resolve_link(session, link.token or "", START, settings.secret_key)
        assert view is not None
        form = AnswerForm(AnswerKind.FEASIBILITY, "김담당", "충분히 검토할 수 있는 제안입니다.",
                          decision="feasible")
        result = await answers.submit_answer(session, view, form, idempotency_key="once",
                                             now=START, settings=settings,
                                             calendar=BusinessCalendar())
    assert result.outcome is answers.AnswerOutcome.PUBLISHED  # …and then the process died

    async with running_bot(settings, clock) as runtime:
        await minji.wait_for_message("검토 결과", after=0)
        await runtime.dispatcher.stop()
    async with running_bot(settings, clock) as again:
        await again.dispatcher.stop()
        assert await again.dispatcher.run_once() == 0  # nothing left to claim
        assert await again.dispatcher.backlog() == 0
    assert len([m for m in minji.inbox() if "검토 결과" in m.text]) == 1
