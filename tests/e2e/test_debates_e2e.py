"""Debates through the real bot and the sandbox: opening, stances, opinions, the 30-day close,
the forum mirror, and a crash in the middle of the closing.

Texts are matched on language-neutral marks (emoji, numbers, ids) and buttons are pressed by
their callback data, so the checks hold before and after the Korean catalogue has them.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.models import DebateSummaryRow, Endorsement, Opinion, Proposal
from bot.domain.answers import AnswerForm, AnswerKind
from bot.domain.deadlines import BusinessCalendar, resident_deadline
from bot.domain.lifecycle import ProposalStatus
from bot.services import answers, debates, departments
from bot.services.wakes import woken
from bot.settings import Settings
from sandbox import SandboxClient, SandboxServer, SandboxState
from sandbox.client import Resident, SentMessage
from tests.conftest import START
from tests.support.factories import follow, make_proposal, make_user
from tests.support.harness import running_bot, settings_for
from tests.support.service_settings import review_start

Maker = async_sessionmaker[AsyncSession]
FORUM = -100900
CLOSES = resident_deadline(START, 30)
# The 30-day window ends at 24:00 of its 30th day (초일불산입); a day later, at 15:00, it has
# closed and the summary is not held by quiet hours.
PAST_THE_CLOSE = timedelta(days=31)


async def seed(sessionmaker: Maker, author: int, endorsers: list[int],
               status: ProposalStatus = ProposalStatus.UNDER_REVIEW) -> int:
    async with sessionmaker() as session, session.begin():
        owner = await make_user(session, author, START)
        fields: dict[str, object] = {"title": "공원 산책로 가로등 설치"}
        if status is ProposalStatus.IN_DEBATE:
            fields["debate_closes_at"] = CLOSES
        proposal = await make_proposal(session, owner, START, status=status, **fields)
        await follow(session, owner, proposal, START)
        for telegram_id in endorsers:
            user = await make_user(session, telegram_id, START)
            session.add(Endorsement(proposal_id=proposal.id, user_id=user.id, created_at=START))
            await follow(session, user, proposal, START)
    return proposal.id


async def mark_feasible(runtime: Runtime, proposal_id: int, settings: Settings) -> None:
    """The department's feasibility answer, as the reply page submits it."""
    async with runtime.sessionmaker() as session, session.begin():
        department = await departments.create_department(session, name="공원녹지과", now=START)
        link = await departments.assign_department(session, proposal_id, department, now=START,
                                                   **review_start(settings))
    async with runtime.sessionmaker() as session, session.begin():
        view = await answers.resolve_link(session, link.token or "", START, settings.secret_key)
        assert view is not None
        form = AnswerForm(AnswerKind.FEASIBILITY, "김담당",
                          "예산 확보가 가능합니다. 주민 의견을 듣겠습니다.", decision="feasible")
        await answers.submit_answer(session, view, form, idempotency_key="feasible", now=START,
                                    policy=settings.policy, venues=settings.venues,
                                    calendar=BusinessCalendar())
    runtime.application.services.wake(*woken(session))


async def open_card(resident: Resident, proposal_id: int, invitation: SentMessage) -> SentMessage:
    await resident.press_data(invitation, f"p:1:{proposal_id}")
    return await resident.wait_for_message("현황·문제점", after=invitation.message_id)


async def take_part(resident: Resident, proposal_id: int, stance: str, opinion: str | None
                    ) -> SentMessage:
    invitation = await resident.wait_for_message("🗳", after=0)
    card = await open_card(resident, proposal_id, invitation)
    assert f"ds:1:{proposal_id}:for" in [data for row in card.buttons for _, data in row]
    await resident.press_data(card, f"ds:1:{proposal_id}:{stance}")
    card = await resident.wait_for_edit(card)
    if opinion is not None:
        await resident.press_data(card, f"dw:1:{proposal_id}:1")
        prompt = await resident.wait_for_message("✍️", after=card.message_id)
        await resident.say(opinion)
        await resident.wait_for_message("💬", after=prompt.message_id)
    return card


async def summaries_in(resident: Resident) -> list[SentMessage]:
    return [m for m in resident.inbox() if "%)" in (m.text or "")]


async def test_a_debate_opens_residents_take_part_and_it_closes_once_after_30_days(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    author = residents.resident(8001, "민지")
    voters = [
        residents.resident(8002 + n, name)
        for n, name in enumerate(["영수", "지훈", "수아", "하늘"])
    ]
    settings = settings_for(database_url, sandbox)
    async with running_bot(settings, clock) as runtime:
        pid = await seed(runtime.sessionmaker, 8001, [v.user_id for v in voters])
        await mark_feasible(runtime, pid, settings)
        await take_part(voters[0], pid, "for", "가로등이 있으면 공원 산책로가 훨씬 안전해져요.")
        await take_part(voters[1], pid, "for",
                        "공원 가로등 설치에 찬성합니다. 밤에 너무 어두워요.")
        card = await take_part(voters[2], pid, "against",
                               "예산 낭비입니다. 공원보다 골목길 가로등이 먼저예요.")
        assert "✓" in " ".join(card.button_texts)  # the chosen stance is ticked
        # changing one's mind: the latest choice counts
        await voters[2].press_data(card, f"ds:1:{pid}:neutral")
        card = await voters[2].wait_for_edit(card)
        assert " 2 · " in card.text and " 0 · " in card.text  # 찬성 2, 반대 0, 중립 1
        # the same opinion twice in a row: recorded once
        await voters[0].say("가로등이 있으면 공원 산책로가 훨씬 안전해져요.")
        await voters[0].wait_for_message()  # not awaiting an opinion any more: the fallback
        # an empty or too short opinion can be sent again
        invitation = await voters[3].wait_for_message("🗳", after=0)
        fourth = await open_card(voters[3], pid, invitation)
        await voters[3].press_data(fourth, f"dw:1:{pid}:1")
        await voters[3].wait_for_message("✍️", after=fourth.message_id)
        await voters[3].say("좋아요")
        await voters[3].wait_for_message("10")
        await voters[3].say("가" * 1200)
        await voters[3].wait_for_message("1,000")
        async with runtime.sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(Opinion)) == 3

        await clock.advance(PAST_THE_CLOSE)
        for voter in voters[:4]:  # the fourth follows too: its summary comes before its reply
            await voter.wait_for_message("%)", after=0)
        await author.wait_for_message("%)", after=0)  # the author reads the summary too
        # a stale card: the stance tap explains that (and when) the debate closed
        tap = await voters[0].press_data(card, f"ds:1:{pid}:against")
        answer = await voters[0].wait_for_callback_answer(tap)
        assert answer.show_alert
        await voters[3].say("이제라도 의견을 남기고 싶어요. 가로등 찬성합니다.")
        late = await voters[3].wait_for_message()
        assert re.search(r"\d+월 \d+일\(.\)까지\)", late.text), late.text

        async with runtime.sessionmaker() as session:
            proposal = await session.get(Proposal, pid)
            stored = await session.scalar(select(func.count()).select_from(DebateSummaryRow))
        assert proposal is not None and proposal.status == ProposalStatus.AWAITING_ANSWER
        assert stored == 1
        summary = (await summaries_in(voters[0]))[0].text or ""
        assert "67%" in summary and "33%" in summary and "가로등" in summary
    for voter in voters:  # the fourth never took part but follows it: told how it ended too
        assert len(await summaries_in(voter)) == 1


async def test_a_tied_debate_says_so_and_its_author_gets_the_summary_once(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    author = residents.resident(8051, "민지")
    pro, con = residents.resident(8052, "영수"), residents.resident(8053, "지훈")
    settings = settings_for(database_url, sandbox)
    async with running_bot(settings, clock) as runtime:
        pid = await seed(runtime.sessionmaker, 8051, [8052, 8053])  # the author follows it
        await mark_feasible(runtime, pid, settings)
        await take_part(pro, pid, "for", "밤에 산책로가 너무 어두워서 꼭 필요해요.")
        await take_part(con, pid, "against", "공원보다 골목길 가로등이 먼저라고 생각해요.")
        await clock.advance(PAST_THE_CLOSE)
        for person in (author, pro, con):
            summary = await person.wait_for_message("%)", after=0)
            assert "찬성·반대 동률" in summary.text and "각 1명" in summary.text
            assert "(50%)" in summary.text and "많아요" not in summary.text
        async with runtime.sessionmaker() as session:
            page = await debates.summary_text(session, pid)
        assert page is not None and "결과: 찬성·반대 동률(각 1명)" in page
        await runtime.dispatcher.stop()
        assert await runtime.dispatcher.run_once() == 0  # nothing else was queued for anyone
    closing = [m for m in author.inbox() if "마감" in (m.text or "")]
    assert len(await summaries_in(author)) == 1 and len(closing) == 1  # no second "closed"


async def test_the_forum_topic_is_opened_posted_to_and_closed(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
    sandbox_state: SandboxState,
) -> None:
    forum = residents.group(FORUM, "구로 토론방", is_forum=True)
    minji, yeongsu = residents.resident(8101, "민지"), residents.resident(8102, "영수")
    settings = replace(settings_for(database_url, sandbox), debate_forum_chat_id=FORUM)
    async with running_bot(settings, clock) as runtime:
        pid = await seed(runtime.sessionmaker, 8101, [8102])
        await mark_feasible(runtime, pid, settings)
        assert await sandbox_state.wait_until(lambda: bool(forum.topic_ids()), 5)
        (name, thread), = forum.topic_ids().items()
        assert name.startswith(f"#{pid} ")
        opening = await forum.wait_for_message(  # after the "topic created" service message
            "공원", after=0, predicate=lambda m: not (m.text or "").startswith("토픽 생성"))
        assert opening.message_thread_id == thread  # the summary opens the topic
        assert await sandbox_state.wait_until(
            lambda: opening.message_id in sandbox_state.chat(FORUM).pinned_message_ids, 5
        ), "the summary is pinned"
        card = await take_part(yeongsu, pid, "against", None)
        await yeongsu.say_in(forum, "예산이 너무 많이 드는 사업이라 반대합니다.", thread)
        await minji.say_in(forum, "산책로가 어두워서 꼭 필요한 사업입니다!", thread)
        await minji.say_in(forum, "네", thread)  # chatter: not an opinion
        # updates are handled in order: once this list shows, the forum messages were recorded
        await yeongsu.press_data(card, f"do:1:{pid}:new:0")
        listing = await yeongsu.wait_for_edit(card)
        assert "반대합니다" in listing.text and "꼭 필요한" in listing.text
        async with runtime.sessionmaker() as session:
            stances = dict((await session.execute(select(Opinion.text, Opinion.stance))).all())
        assert stances == {"예산이 너무 많이 드는 사업이라 반대합니다.": "against",
                           "산책로가 어두워서 꼭 필요한 사업입니다!": "neutral"}

        await clock.advance(PAST_THE_CLOSE)
        assert await sandbox_state.wait_until(lambda: forum.is_topic_closed(thread), 5)
        result = await forum.wait_for_message("%)", after=opening.message_id)
        assert result.message_thread_id == thread
        # a message in the closed topic is not recorded
        await minji.say_in(forum, "닫힌 뒤에 남기는 의견입니다. 늦었나요?", thread)
        await minji.say("/help")
        await minji.wait_for_message()
        async with runtime.sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(Opinion)) == 2
    methods = [call.method for call in sandbox_state.calls]
    assert methods.count("createForumTopic") == 1 and methods.count("closeForumTopic") == 1


async def test_without_a_forum_no_topic_is_created(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    minji = residents.resident(8201, "민지")
    settings = settings_for(database_url, sandbox)
    async with running_bot(settings, clock) as runtime:
        assert runtime.forum is None
        pid = await seed(runtime.sessionmaker, 8201, [])
        await mark_feasible(runtime, pid, settings)
        await minji.wait_for_message("🗳", after=0)


async def test_a_crash_in_the_middle_of_the_closing_sends_one_summary(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
    sessionmaker: Maker, monkeypatch: pytest.MonkeyPatch,
) -> None:
    minji, yeongsu = residents.resident(8301, "민지"), residents.resident(8302, "영수")
    settings = settings_for(database_url, sandbox)
    pid = await seed(sessionmaker, 8301, [8302], ProposalStatus.IN_DEBATE)
    async with sessionmaker() as session, session.begin():
        user = await session.scalar(select(Endorsement.user_id))
        assert user is not None
        await debates.choose_stance(session, proposal_id=pid, user_id=user,
                                    stance=debates.Stance.FOR, now=START)

    def crash(*_: object, **__: object) -> None:
        raise RuntimeError("the process died while closing")

    async with running_bot(settings, clock) as runtime:
        monkeypatch.setattr(debates.closing, "summarise", crash)
        await clock.advance(PAST_THE_CLOSE)  # the close fails and rolls back
        async with runtime.sessionmaker() as session:
            assert (await session.get(Proposal, pid)).status == ProposalStatus.IN_DEBATE  # type: ignore[union-attr]
    monkeypatch.undo()
    async with running_bot(settings, clock):  # start-up reconciles: the overdue close runs
        await yeongsu.wait_for_message("%)", after=0)
        # the author's "closed" notice is paced right behind the summary: let it go out too,
        # or stopping here hands it to the next start-up and run_once() below finds it
        await minji.wait_for_message("🗳", after=0)
    async with running_bot(settings, clock) as again:
        assert await again.machine.run_due() == 0
        await again.dispatcher.stop()
        assert await again.dispatcher.run_once() == 0
    assert len(await summaries_in(yeongsu)) == 1
    assert len(await summaries_in(minji)) == 1  # the author, who did not take part, too


async def test_cancel_drops_an_opinion_being_written(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    minji = residents.resident(8201, "민지")
    settings = settings_for(database_url, sandbox)
    async with running_bot(settings, clock) as runtime:
        pid = await seed(runtime.sessionmaker, 8202, [8201])
        await mark_feasible(runtime, pid, settings)
        card = await take_part(minji, pid, "for", None)
        await minji.press_data(card, f"dw:1:{pid}:1")
        await minji.wait_for_message("✍️", after=card.message_id)
        await minji.say("/cancel")
        await minji.wait_for_message("취소했어요")
        await minji.say("이건 의견이 아니라 그냥 해 본 말이에요.")
        await minji.wait_for_message("아래 메뉴에서 골라 주세요")
        async with runtime.sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(Opinion)) == 0


async def test_a_thumbs_up_redraws_the_list_with_the_new_count(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    minji, yeongsu = residents.resident(8301, "민지"), residents.resident(8302, "영수")
    settings = settings_for(database_url, sandbox)
    async with running_bot(settings, clock) as runtime:
        pid = await seed(runtime.sessionmaker, 8303, [8301, 8302])
        await mark_feasible(runtime, pid, settings)
        await take_part(minji, pid, "for", "밤길이 어두워서 꼭 필요한 사업이라고 생각해요.")
        card = await take_part(yeongsu, pid, "neutral", None)
        await yeongsu.press_data(card, f"do:1:{pid}:new:0")
        listing = await yeongsu.wait_for_edit(card)
        assert "👍 0" in listing.text
        await yeongsu.press(listing, "👍 1")
        liked = await yeongsu.wait_for_edit(listing)
        assert "👍 1" in liked.text
        again = await yeongsu.press(liked, "👍 1")
        answer = await yeongsu.wait_for_callback_answer(again)
        assert answer is not None and "이미" in (answer.text or "")
