"""Answers that cannot slip (issue #15, points 4, 5 and 11's progress push) through the real
bot, the sandbox, the web pages and a local SMTP server, the fake clock jumping through the
windows:

- one deadline at a time, named and explained, on the card, the public page and the pushes
  (a debate shows its close and the answer deadline that follows; an extension says why);
- a 중간답변 is asked for at the middle of the answer window (the department's chat and
  e-mail), must give the expected date of the final answer, and its absence is flagged at D-3
  (「중간답변 없음」 on the public page, the moderators, the department's e-mail);
- followers hear when the expected date moves, and a progress update with its percent;
- an overdue final answer escalates, one step per business day: the department, the head's
  e-mail (set with /department_head), the moderators, each once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.models import OutboxMessage
from bot.domain.answers import next_reminder
from bot.domain.deadlines import SEOUL, BusinessCalendar, end_of_day, official_deadline
from bot.domain.lifecycle import ProposalStatus
from bot.services import departments
from bot.services.answer_steps import first_answer_step
from bot.services.wakes import woken
from bot.settings import Settings
from sandbox import SandboxClient, SandboxServer
from sandbox.client import Group, Resident
from tests.conftest import START
from tests.e2e.test_moderation_e2e import open_card
from tests.integration.test_email import Inbox, smtp  # noqa: F401  (the SMTP fixture)
from tests.integration.test_reply_pages import Scene, confirm_data, preview
from tests.support.factories import follow, make_proposal, make_user
from tests.support.harness import running_bot, settings_for
from tests.support.service_settings import review_start

pytestmark = pytest.mark.usefixtures("no_failed_updates")

ADMIN, AUTHOR, YEONGSU = 8801, 8802, 8803
MODERATORS, DEPARTMENT = -100881, -100882
MAIL, HEAD = "park@gu.example", "chief@gu.example"
CALENDAR = BusinessCalendar()
CLOSED = end_of_day(date(2026, 11, 23))  # the debate closed the day before START
DUE = official_deadline(CLOSED, 30, CALENDAR)  # 12월 23일(수)
TITLE = "공원 산책로 가로등 설치"


def kst(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SEOUL).astimezone(UTC)


def staff_settings(database_url: str, sandbox: SandboxServer, port: int = 0) -> Settings:
    settings = settings_for(database_url, sandbox, moderator_chat_id=MODERATORS,
                            public_base_url="http://gonggam.test")
    smtp_url = f"smtp://127.0.0.1:{port}" if port else None
    return replace(settings, admin_telegram_ids=frozenset({ADMIN}), smtp_url=smtp_url)


async def proposal_in(
    runtime: Runtime, status: ProposalStatus, **fields: object
) -> tuple[int, str]:
    """The author's proposal in `status`, followed by 영수, assigned to 공원녹지과 (chat and
    e-mail); returns its number and the reply link's token."""
    settings = runtime.settings
    async with runtime.sessionmaker() as session, session.begin():
        author = await make_user(session, AUTHOR, START)
        proposal = await make_proposal(session, author, START, title=TITLE, status=status,
                                       **fields)
        await follow(session, author, proposal, START)
        await follow(session, await make_user(session, YEONGSU, START), proposal, START)
        department = await departments.create_department(
            session, name="공원녹지과", now=START, chat_id=DEPARTMENT, emails=MAIL)
        link = await departments.assign_department(session, proposal.id, department, now=START,
                                                   **review_start(settings))
    runtime.application.services.wake(*woken(session))
    assert link.token is not None
    return proposal.id, link.token


async def awaiting_answer(runtime: Runtime) -> tuple[int, str]:
    """The debate closed 11/23: the answer is due 12/23, its steps and reminders armed."""
    return await proposal_in(
        runtime, ProposalStatus.AWAITING_ANSWER, debate_closes_at=CLOSED, answer_due=DUE,
        next_reminder_at=next_reminder(DUE, START, calendar=CALENDAR),
        answer_step_at=first_answer_step(CLOSED, DUE, START, CALENDAR))


async def jump_to(clock: ShiftableClock, instant: datetime) -> None:
    await clock.advance(instant - clock.now())


def after_last(chat: Resident | Group) -> int:
    return max((m.message_id for m in chat.history()), default=0)


async def mails(runtime: Runtime, address: str) -> list[str]:
    """The kinds of e-mail written to `address` (the clock's jump ran the machine already)."""
    async with runtime.sessionmaker() as session:
        rows = await session.scalars(
            select(OutboxMessage.kind).where(OutboxMessage.channel == "email",
                                             OutboxMessage.address == address)
            .order_by(OutboxMessage.id))
        return list(rows)


async def public_page(runtime: Runtime, proposal_id: int) -> str:
    """The public page as a first visitor sees it (pages keep a copy for two seconds of
    real time, across the fake clock's jumps)."""
    async with TestClient(TestServer(runtime.web_app())) as web:
        return await (await web.get(f"/p/{proposal_id}")).text()


async def publish(web: TestClient, scene: Scene, kind: str, fields: dict[str, str]) -> int:
    """Preview then publish one answer on the reply page; the preview's status."""
    status, html = await preview(web, scene, kind, fields)
    if status == 200:
        await web.post(f"{scene.url}/publish", data=confirm_data(html, scene))
    return status


async def test_a_debate_names_its_close_then_the_answer_deadline_and_says_why_it_moved(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    admin, author = residents.resident(ADMIN, "관리자"), residents.resident(AUTHOR, "민지")
    settings = staff_settings(database_url, sandbox)
    async with running_bot(settings, clock) as runtime:
        pid, _ = await proposal_in(runtime, ProposalStatus.IN_DEBATE,
                                   debate_closes_at=end_of_day(date(2026, 12, 9)))
        opened = ("검토가 끝나 토론이 열렸어요 · 토론 마감: 12월 9일(수)까지 · "
                  "그 뒤 답변 기한: 2027년 1월 8일(금)까지")
        assert opened in (await open_card(author, pid)).text
        assert opened in await public_page(runtime, pid)

        await admin.say(f"/debate_extend {pid} 7 주민 의견이 많아서")
        await admin.wait_for_message("연장했어요")
        told = await author.wait_for_message("연장되어")  # the push says why and what follows
        assert "사유: 주민 의견이 많아서" in told.text
        assert "토론이 끝나면 담당 부서가 2027년 1월 15일(금)까지 답변해야 해요." in told.text
        extended = ("토론이 7일 연장됐어요(사유: 주민 의견이 많아서) · "
                    "토론 마감: 12월 16일(수)까지 · 그 뒤 답변 기한: 2027년 1월 15일(금)까지")
        assert extended in (await open_card(author, pid)).text
        assert extended in await public_page(runtime, pid)

        mark = after_last(author)
        await jump_to(clock, kst(date(2026, 12, 17)))  # the debate closes
        summary = await author.wait_for_message("토론이 마감되었어요", after=mark)
        assert "2027년 1월 15일(금)까지" in summary.text  # what the debate's screens promised
        closed = "토론이 끝나 이제 부서가 답변할 차례예요 · 답변 기한: 2027년 1월 15일(금)까지"
        assert closed in (await open_card(author, pid)).text
        assert closed in await public_page(runtime, pid)


async def test_no_interim_answer_is_asked_for_flagged_then_the_late_answer_escalates(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
    smtp: tuple[Inbox, int],  # noqa: F811
) -> None:
    _, port = smtp  # e-mails are delivered to a local server; the outbox shows what went
    admin = residents.resident(ADMIN, "관리자")
    moderators = residents.group(MODERATORS, "공감 운영진")
    office = residents.group(DEPARTMENT, "공원녹지과")
    async with running_bot(staff_settings(database_url, sandbox, port), clock) as runtime:
        pid, _ = await awaiting_answer(runtime)
        await admin.say("/department_head 1 nobody")
        await admin.wait_for_message("사용법: /department_head")
        await admin.say(f"/department_head 1 {HEAD}")
        await admin.wait_for_message(f"부서에 알린 다음 날 {HEAD}에도 알려요")

        await jump_to(clock, kst(date(2026, 12, 8)))  # the middle of the window
        asked = await office.wait_for_message("중간답변을 올려 주세요")
        assert f"제안 {pid}번" in asked.text and "답변 기한 12월 23일(수)까지" in asked.text
        assert (await mails(runtime, MAIL))[-1:] == ["interim_requested"]
        assert "중간답변 없음" not in await public_page(runtime, pid)

        await jump_to(clock, kst(date(2026, 12, 21)))  # D-3 falls on a Sunday: Monday 12/21
        flagged = await moderators.wait_for_message("중간답변 없음")
        assert f"#{pid}" in flagged.text and flagged.buttons
        assert (await mails(runtime, MAIL))[-1:] == ["interim_missing"]
        assert "중간답변 없음" in await public_page(runtime, pid)

        await jump_to(clock, kst(date(2026, 12, 24)))  # the first business day after 12/23
        await office.wait_for_message("늦었어요")
        mark = after_last(moderators)
        await jump_to(clock, kst(date(2026, 12, 28)))  # 12/25 Christmas, then the weekend
        assert await mails(runtime, HEAD) == ["answer_escalated"]
        assert not [m for m in moderators.history() if m.message_id > mark]
        await jump_to(clock, kst(date(2026, 12, 29)))
        overdue = await moderators.wait_for_message("답변 기한 초과", after=mark)
        assert f"제안 {pid}번" in overdue.text and overdue.buttons
        await jump_to(clock, kst(date(2026, 12, 30)))
        late_items = [m for m in moderators.history() if m.message_id > mark]
        assert len(late_items) == 1  # each step once
        assert await mails(runtime, HEAD) == ["answer_escalated"]


async def test_interim_dates_are_required_published_and_their_moves_and_progress_pushed(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    author, yeongsu = residents.resident(AUTHOR, "민지"), residents.resident(YEONGSU, "영수")
    office = residents.group(DEPARTMENT, "공원녹지과")
    async with running_bot(staff_settings(database_url, sandbox), clock) as runtime, \
            TestClient(TestServer(runtime.web_app())) as web:
        pid, token = await awaiting_answer(runtime)
        scene = Scene(pid, token)
        interim = {"text": "예산 부서와 협의하고 있어요. 결과가 나오면 답변드릴게요.",
                   "official_name": "김담당", "expected_completion": ""}
        assert await publish(web, scene, "interim", interim) == 422  # the date is required
        first = {**interim, "expected_completion": "2026-12-20"}
        assert await publish(web, scene, "interim", first) == 200
        push = await yeongsu.wait_for_message("중간 답변을 올렸어요")
        assert "최종 답변 예상일: 12월 20일(일)" in push.text

        await jump_to(clock, kst(date(2026, 12, 1)))  # a week later the date moves
        moved = {**interim, "text": "현장 조사가 늦어지고 있어요. 조금 더 기다려 주세요.",
                 "expected_completion": "2027-01-06"}
        assert await publish(web, scene, "interim", moved) == 200
        told = await yeongsu.wait_for_message("바뀌었어요", after=push.message_id)
        assert "예상 답변일이 12월 20일(일)에서 2027년 1월 6일(수)로 바뀌었어요." in told.text
        assert "최종 답변 예상일: 2027년 1월 6일(수)" in (await open_card(author, pid)).text
        assert "최종 답변 예상일: 2027년 1월 6일(수)" in await public_page(runtime, pid)

        await jump_to(clock, kst(date(2026, 12, 21)))  # middle and D-3 passed: nothing asked
        assert not [m for m in office.history() if "중간답변" in m.text]
        assert "중간답변 없음" not in await public_page(runtime, pid)

        final = {"decision": "accepted", "text": "내년 3월까지 산책로 전 구간에 설치하겠습니다.",
                 "official_name": "김담당", "expected_completion": "2027-03-31",
                 "budget": "1억 2천만 원"}
        assert await publish(web, scene, "final", final) == 200
        answered = await yeongsu.wait_for_message("최종 답변", after=told.message_id)
        progress = {"text": "설계를 마치고 공사 업체를 정했어요.", "official_name": "김담당",
                    "percent": "40"}
        assert await publish(web, scene, "progress", progress) == 200
        update = await yeongsu.wait_for_message("40%", after=answered.message_id)
        assert "진행" in update.text and TITLE in update.text
