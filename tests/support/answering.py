"""A department's final answer to a followed proposal, published through the services: what
the end-to-end tests of pushes, ratings and the KakaoTalk channel start from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.app import Runtime
from bot.db.models import User
from bot.domain.answers import AnswerForm, AnswerKind
from bot.domain.deadlines import BusinessCalendar
from bot.domain.lifecycle import ProposalStatus
from bot.services import answers, departments
from bot.services.wakes import woken
from tests.support.factories import follow, make_proposal, make_user
from tests.support.service_settings import review_start

FINAL = AnswerForm(AnswerKind.FINAL, "김담당",
                   "내년 3월까지 산책로 전 구간에 가로등을 설치하겠습니다.",
                   decision="accepted", expected_completion="2027-03-31", budget="1억 2천만 원")


async def final_answer_followed_by(runtime: Runtime, *, author: int,
                                   followers: Sequence[int | User]) -> int:
    """A proposal of `author` (a Telegram id) awaiting its answer, followed by `followers`
    (Telegram ids, the author's among them if listed, or users made elsewhere); the
    department publishes `FINAL` and the followers' pushes go to the outbox."""
    now, settings = runtime.clock.now(), runtime.settings
    async with runtime.sessionmaker() as session, session.begin():
        writer = await make_user(session, author, now)
        proposal = await make_proposal(session, writer, now, title="공원 산책로 가로등 설치",
                                       status=ProposalStatus.AWAITING_ANSWER,
                                       answer_due=now + timedelta(days=30))
        for follower in followers:
            user = (await session.merge(follower) if isinstance(follower, User)
                    else writer if follower == author else await make_user(session, follower, now))
            await follow(session, user, proposal, now)
        department = await departments.create_department(session, name="공원녹지과", now=now)
        link = await departments.assign_department(session, proposal.id, department, now=now,
                                                   **review_start(settings))
    async with runtime.sessionmaker() as session, session.begin():
        view = await answers.resolve_link(session, link.token or "", now, settings.secret_key)
        assert view is not None
        result = await answers.submit_answer(
            session, view, FINAL, idempotency_key="final", now=now, policy=settings.policy,
            venues=settings.venues, calendar=BusinessCalendar())
        assert result.outcome is answers.AnswerOutcome.PUBLISHED
    runtime.application.services.wake(*woken(session))
    return proposal.id
