"""Broadcast drafts, audiences and the once-only confirmation, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import AuditEntry, BudgetRound, OutboxMessage, User
from bot.domain.events import BroadcastMessage
from bot.i18n import I18n
from bot.rendering import broadcasts as view
from bot.services.broadcasts import (
    MAX_TEXT,
    Audience,
    AudienceCount,
    AudienceKind,
    DraftOutcome,
    Preview,
    Progress,
    SendOutcome,
    cancel,
    choose_audience,
    confirm,
    count_audience,
    create_draft,
    record_report,
    sending_progress,
)
from tests.conftest import START
from tests.support.factories import follow, make_proposal, make_user


async def draft(
    session: AsyncSession, text: str = "안내드립니다."
) -> tuple[DraftOutcome, int | None]:
    return await create_draft(session, plain_text=text, text_html=text, admin_chat_id=1,
                              actor="telegram:1", now=START)


async def make_round(session: AsyncSession, eligibility: str, area: str | None = None) -> int:
    budget_round = BudgetRound(
        name="2027 주민참여예산", budget_krw=100_000_000, ballot_type="approval_budget",
        eligibility=eligibility, area=area, rule="greedy", tie_break="cheapest",
        changeable=True, phase="voting", opens_at=START, closes_at=START + timedelta(days=7),
        created_at=START, created_by="telegram:1")
    session.add(budget_round)
    await session.flush()
    return budget_round.id


@pytest.mark.parametrize(("text", "outcome"), [
    ("", DraftOutcome.EMPTY), ("  \n ", DraftOutcome.EMPTY), (None, DraftOutcome.EMPTY),
    ("가" * (MAX_TEXT + 1), DraftOutcome.TOO_LONG), ("가" * MAX_TEXT, DraftOutcome.CREATED),
])
async def test_drafts_need_text_that_telegram_accepts(
    sessionmaker: async_sessionmaker[AsyncSession], text: str | None, outcome: DraftOutcome,
) -> None:
    async with sessionmaker() as session, session.begin():
        got, broadcast_id = await create_draft(session, plain_text=text, text_html=text or "",
                                               admin_chat_id=1, actor="telegram:1", now=START)
    assert got is outcome and (broadcast_id is not None) == (outcome is DraftOutcome.CREATED)


async def test_audiences_and_who_is_left_out(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session, session.begin():
        await make_user(session, 1, START, verified_area="신도림동")
        author = await make_user(session, 2, START)
        await make_user(session, 3, START, verified_area="신도림동", muted_all=True)
        await make_user(session, 4, START, verified_area="신도림동", unreachable=True)
        phone = await make_user(session, 5, START, phone_hash="h" * 64)
        other = await make_user(session, 6, START, verified_area="구로1동")
        proposal = await make_proposal(session, author, START, area="신도림동",
                                       category="교통·주차")
        await follow(session, phone, proposal, START)
        await follow(session, other, proposal, START)
        assert await count_audience(session, Audience(AudienceKind.ALL)) == AudienceCount(4, 1, 1)
        assert await count_audience(session, Audience(AudienceKind.AREA, "신도림동")) == \
            AudienceCount(2, 1, 1)
        assert await count_audience(session, Audience(AudienceKind.CATEGORY, "교통·주차")) == \
            AudienceCount(2, 0, 0)
        everyone = await make_round(session, "everyone")
        contact = await make_round(session, "contact")
        local = await make_round(session, "verified", "구로1동")
        anywhere = await make_round(session, "verified")
        counts = {
            key: (await count_audience(session, Audience(AudienceKind.ROUND, str(round_id)))
                  ).recipients
            for key, round_id in (("everyone", everyone), ("contact", contact),
                                  ("local", local), ("anywhere", anywhere), ("none", 999))
        }
    assert counts == {"everyone": 4, "contact": 1, "local": 1, "anywhere": 2, "none": 0}


async def test_confirming_twice_sends_once_and_is_audited(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session, session.begin():
        for telegram_id in (1, 2, 3):
            await make_user(session, telegram_id, START)
        _, broadcast_id = await draft(session)
    assert broadcast_id is not None
    async with sessionmaker() as session, session.begin():
        assert (await confirm(session, broadcast_id, progress_message_id=7, actor="telegram:1",
                              now=START))[0] is SendOutcome.NO_AUDIENCE
        assert await choose_audience(session, broadcast_id, Audience(AudienceKind.ALL))
    outcomes = []
    for _ in range(2):
        async with sessionmaker() as session, session.begin():
            outcomes.append((await confirm(session, broadcast_id, progress_message_id=7,
                                           actor="telegram:1", now=START))[0])
    assert outcomes == [SendOutcome.SENDING, SendOutcome.ALREADY]
    async with sessionmaker() as session, session.begin():
        rows = list(await session.scalars(select(OutboxMessage)))
        assert await cancel(session, broadcast_id, actor="telegram:1", now=START) is False
        assert await choose_audience(session, broadcast_id, Audience(AudienceKind.ALL)) is None
        audit = (await session.scalars(select(AuditEntry))).one()
        [progress] = await sending_progress(session)
    assert len(rows) == 3 and {r.broadcast_id for r in rows} == {broadcast_id}
    assert {r.kind for r in rows} == {"broadcast"} and rows[0].params["text"] == "안내드립니다."
    assert audit.action == "broadcast.send"
    assert audit.after is not None and audit.after["recipients"] == 3
    assert (progress.total, progress.done, progress.finished) == (3, 0, False)


async def test_an_empty_audience_is_refused_and_nothing_is_queued(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session, session.begin():
        await make_user(session, 1, START, verified_area="구로1동")
        _, broadcast_id = await draft(session)
        assert broadcast_id is not None
        preview = await choose_audience(session, broadcast_id, Audience(AudienceKind.AREA, "항동"))
        assert preview is not None and preview.count.recipients == 0
        outcome, _ = await confirm(session, broadcast_id, progress_message_id=None,
                                   actor="telegram:1", now=START)
        queued = await session.scalar(select(func.count()).select_from(OutboxMessage))
    assert outcome is SendOutcome.EMPTY_AUDIENCE and queued == 0


async def test_progress_counts_delivered_blocked_and_finishes(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session, session.begin():
        for telegram_id in (1, 2, 3):
            await make_user(session, telegram_id, START)
        _, broadcast_id = await draft(session)
        assert broadcast_id is not None
        await choose_audience(session, broadcast_id, Audience(AudienceKind.ALL))
        await confirm(session, broadcast_id, progress_message_id=7, actor="a", now=START)
    async with sessionmaker() as session, session.begin():
        rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        rows[0].status, rows[1].status, rows[2].status = "sent", "dropped", "sent"
    async with sessionmaker() as session, session.begin():
        [progress] = await sending_progress(session)
        assert (progress.delivered, progress.blocked, progress.finished) == (2, 1, True)
        await record_report(session, progress, START)
    async with sessionmaker() as session:
        assert await sending_progress(session) == []
        assert await session.scalar(select(func.count()).select_from(User)) == 3


async def test_a_cancelled_draft_cannot_be_sent(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session, session.begin():
        await make_user(session, 1, START)
        _, broadcast_id = await draft(session)
        assert broadcast_id is not None
        await choose_audience(session, broadcast_id, Audience(AudienceKind.ALL))
        assert await cancel(session, broadcast_id, actor="telegram:1", now=START) is True
        outcome, _ = await confirm(session, broadcast_id, progress_message_id=None,
                                   actor="telegram:1", now=START)
        actions = list(await session.scalars(select(AuditEntry.action)))
        queued = await session.scalar(select(func.count()).select_from(OutboxMessage))
    assert outcome is SendOutcome.ALREADY and queued == 0
    assert actions == ["broadcast.cancel"]


# ----- the admin's wording and what residents receive (Korean: needs the merged catalogue) ---


def test_the_value_question_and_the_audience_line_read_naturally() -> None:
    ko = I18n().get("ko")
    questions = {kind: view.choose_value(ko, 1, kind, [(0, "x")]).text
                 for kind in (AudienceKind.AREA, AudienceKind.ROUND, AudienceKind.CATEGORY)}
    assert questions[AudienceKind.AREA] == "📣 어느 동에 보낼까요?"
    assert questions[AudienceKind.ROUND] == "📣 어느 주민참여예산의 투표 대상자에게 보낼까요?"
    assert questions[AudienceKind.CATEGORY] == "📣 어느 분야의 구독자에게 보낼까요?"
    assert view.audience_label(ko, AudienceKind.AREA, "신도림동") == "신도림동 주민"
    assert view.audience_label(ko, AudienceKind.ROUND, "2027 주민참여예산") == (
        "2027 주민참여예산 투표 대상자")
    assert view.audience_label(ko, AudienceKind.ALL, None) == "전체 주민"
    preview = view.preview(ko, Preview(1, "", Audience(AudienceKind.AREA, "신도림동"),
                                       AudienceCount(6, 0, 0)), "신도림동 주민")
    assert preview.text.splitlines()[0] == "📣 받는 사람: 신도림동 주민"


def test_residents_get_a_header_and_a_footer_and_the_report_counts_people() -> None:
    ko = I18n().get("ko")
    message = view.BROADCAST_TEMPLATES.render(ko, BroadcastMessage(1, "<b>총회</b> 안내"))
    assert message == "<b>📣 구청 알림</b>\n\n<b>총회</b> 안내\n\n알림 설정: /settings"
    done = Progress(broadcast_id=1, admin_chat_id=1, progress_message_id=None, total=6,
                    delivered=5, blocked=1, failed=0, muted=0, unreachable=0, reported=None)
    assert view.progress(ko, done) == "📣 전송 완료: 5명 받음 · 1명은 봇을 차단함 · 실패 0"
    assert MAX_TEXT + len(view.framed(ko, "")) <= 4096  # the frame always fits
