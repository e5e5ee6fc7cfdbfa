"""Call-backs of offline proposals and residents' questions on both backends: the contact's
encryption round trip, notices diverted to the list, the erasure at the close (once, audited),
the audited views; questions kept, limited, answered once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import AuditEntry, CallbackItem, OutboxMessage, Proposal, StaffQuestion, User
from bot.domain.lifecycle import ProposalStatus as S
from bot.domain.permissions import Role
from bot.domain.policy import Policy
from bot.domain.questions import DAILY_LIMIT, OPEN_LIMIT, LimitReached, TextProblem
from bot.domain.venues import Venues
from bot.services import callbacks, moderation, questions
from bot.services.callbacks import DoneOutcome
from bot.services.contact_vault import Contact, unseal
from bot.services.lifecycle import transition
from bot.services.moderation import OfflineForm
from bot.services.proposals import set_muted, withdraw_proposal
from bot.services.questions import AnswerOutcome, AskOutcome, Staff
from tests.conftest import START
from tests.support.factories import make_user

Maker = async_sessionmaker[AsyncSession]
KEY = "c" * 40
SECRET = "k" * 40
POLICY = Policy(endorsement_threshold=3)
MODERATORS = -100500
VENUES = Venues(moderator_chat_id=MODERATORS)
PHONE = "010-1234-5678"


async def moderator(sessionmaker: Maker, telegram_id: int = 900) -> User:
    async with sessionmaker() as session, session.begin():
        return await make_user(session, telegram_id, START, role=Role.MODERATOR)


async def offline(sessionmaker: Maker, mod: User, *, consent: bool = True) -> int:
    form = OfflineForm("phone", "경로당 난방비 지원", "겨울마다 경로당 난방비가 부족해요.",
                       "구로1동", None, "김민수", PHONE, callback=consent)
    async with sessionmaker() as session, session.begin():
        return await moderation.enter_offline_proposal(
            session, form=form, moderator_id=mod.id, actor="telegram:900", now=START,
            policy=POLICY, secret_key=SECRET, contact_key=KEY)


async def stored(sessionmaker: Maker, proposal_id: int) -> Proposal:
    async with sessionmaker() as session:
        proposal = await session.get(Proposal, proposal_id)
        assert proposal is not None
        return proposal


async def audit(sessionmaker: Maker, action: str) -> list[AuditEntry]:
    async with sessionmaker() as session:
        return list(await session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                          .order_by(AuditEntry.id)))


async def count(sessionmaker: Maker, model: type, *where: object) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where))
                   or 0)


async def close(sessionmaker: Maker, proposal_id: int, mod: User) -> None:
    """The author of record withdraws it: a final state (WITHDRAWN)."""
    async with sessionmaker() as session, session.begin():
        await withdraw_proposal(session, proposal_id=proposal_id, user_id=mod.id,
                                now=START + timedelta(days=1))


# ----- call-backs ----------------------------------------------------------------------------


async def test_with_consent_the_contact_is_kept_encrypted_and_opens_with_the_key(
    sessionmaker: Maker,
) -> None:
    mod = await moderator(sessionmaker)
    with_consent, without = await offline(sessionmaker, mod), await offline(
        sessionmaker, mod, consent=False)
    secret = (await stored(sessionmaker, with_consent)).offline_contact_secret
    assert secret is not None and "1234" not in secret and "김민수" not in secret
    assert unseal(secret, KEY) == Contact("김민수", PHONE)
    assert (await stored(sessionmaker, without)).offline_contact_secret is None
    entries = await audit(sessionmaker, "proposal.offline")
    assert [e.after["callback_consent"] for e in entries if e.after] == [True, False]
    assert all("1234" not in str(e.after) for e in entries)


async def test_the_authors_notices_go_on_the_list_not_to_the_moderator(
    sessionmaker: Maker,
) -> None:
    mod = await moderator(sessionmaker)
    pid = await offline(sessionmaker, mod)
    async with sessionmaker() as session, session.begin():
        assert await transition(session, pid, expected=S.COLLECTING, new=S.UNDER_REVIEW,
                                now=START)
    assert await count(sessionmaker, OutboxMessage, OutboxMessage.chat_id == mod.telegram_id) == 0
    async with sessionmaker() as session, session.begin():
        page = await callbacks.open_page(session, page=0, contact_key=KEY, actor="telegram:900",
                                         now=START)
    assert page.total == 1 and page.item is not None
    assert page.item.kind == "status_changed" and page.item.contact == Contact("김민수", PHONE)
    views = await audit(sessionmaker, "callback.view")
    assert [(v.subject, v.after) for v in views] == [
        (f"proposal:{pid}", {"callback_item": page.item.id})]
    assert "1234" not in str(views[0].after)


async def test_without_consent_the_moderator_still_hears_as_before(sessionmaker: Maker) -> None:
    mod = await moderator(sessionmaker)
    pid = await offline(sessionmaker, mod, consent=False)
    async with sessionmaker() as session, session.begin():
        await transition(session, pid, expected=S.COLLECTING, new=S.UNDER_REVIEW, now=START)
    assert await count(sessionmaker, CallbackItem) == 0


async def test_the_contact_is_erased_once_the_closed_proposals_last_call_is_done(
    sessionmaker: Maker,
) -> None:
    mod = await moderator(sessionmaker)
    pid = await offline(sessionmaker, mod)
    async with sessionmaker() as session, session.begin():
        await transition(session, pid, expected=S.COLLECTING, new=S.WITHDRAWN, now=START)
    assert await count(sessionmaker, CallbackItem) == 1  # the closing news, still to phone
    assert (await stored(sessionmaker, pid)).offline_contact_secret is not None
    async with sessionmaker() as session:
        item_id = await session.scalar(select(CallbackItem.id))
    assert item_id is not None
    for expected in (DoneOutcome.DONE, DoneOutcome.ALREADY_DONE):
        async with sessionmaker() as session, session.begin():
            assert await callbacks.mark_done(session, item_id, user_id=mod.id,
                                             actor="telegram:900", now=START) is expected
    assert (await stored(sessionmaker, pid)).offline_contact_secret is None
    async with sessionmaker() as session, session.begin():
        assert not await callbacks.erase_if_closed(session, pid, actor="system", now=START)
    erased = await audit(sessionmaker, "proposal.contact_erased")
    assert [(e.subject, e.after) for e in erased] == [(f"proposal:{pid}", {"contact": None})]
    assert len(await audit(sessionmaker, "callback.done")) == 1


async def test_a_close_with_nobody_waiting_erases_the_contact_at_once(sessionmaker: Maker) -> None:
    mod = await moderator(sessionmaker)
    pid = await offline(sessionmaker, mod)
    await close_muted(sessionmaker, pid, mod)  # muted and withdrawn: no call-back is made
    assert (await stored(sessionmaker, pid)).offline_contact_secret is None
    assert len(await audit(sessionmaker, "proposal.contact_erased")) == 1


async def close_muted(sessionmaker: Maker, proposal_id: int, mod: User) -> None:
    async with sessionmaker() as session, session.begin():
        await set_muted(session, proposal_id=proposal_id, user_id=mod.id, muted=True, now=START)
    await close(sessionmaker, proposal_id, mod)


# ----- questions -----------------------------------------------------------------------------


async def ask(sessionmaker: Maker, user: User, text: str, minutes: int = 0
              ) -> questions.AskResult:
    async with sessionmaker() as session, session.begin():
        return await questions.ask(session, user_id=user.id, text=text, venues=VENUES,
                                   now=START + timedelta(minutes=minutes))


async def test_a_question_is_kept_as_typed_and_reaches_the_queue_masked(
    sessionmaker: Maker,
) -> None:
    async with sessionmaker() as session, session.begin():
        resident = await make_user(session, 501, START)
    text = f"제 번호 {PHONE}로 연락 주실 수 있나요?"
    result = await ask(sessionmaker, resident, text)
    assert result.outcome is AskOutcome.ASKED and result.question_id is not None
    async with sessionmaker() as session:
        question = await session.get(StaffQuestion, result.question_id)
        posted = await session.scalar(select(OutboxMessage).where(
            OutboxMessage.chat_id == MODERATORS))
    assert question is not None and question.text == text and question.work_item_id
    assert posted is not None and posted.kind == "staff_question"
    assert "1234" not in str(posted.params) and posted.params["question_id"] == question.id
    asked = await audit(sessionmaker, "question.ask")
    assert asked[0].after == {"characters": len(text)}
    assert asked[0].actor == f"user:{resident.id}"


@pytest.mark.parametrize(("text", "problem"), [
    ("  \u200b\u200b ", TextProblem.EMPTY), ("가" * 2000, TextProblem.TOO_LONG)])
async def test_an_empty_or_too_long_question_is_refused_and_nothing_is_kept(
    sessionmaker: Maker, text: str, problem: TextProblem,
) -> None:
    async with sessionmaker() as session, session.begin():
        resident = await make_user(session, 502, START)
    result = await ask(sessionmaker, resident, text)
    assert (result.outcome, result.problem) == (AskOutcome.INVALID, problem)
    assert await count(sessionmaker, StaffQuestion) == 0


async def test_open_and_daily_limits(sessionmaker: Maker) -> None:
    async with sessionmaker() as session, session.begin():
        resident = await make_user(session, 503, START)
    for n in range(OPEN_LIMIT):
        assert (await ask(sessionmaker, resident, f"질문 {n}", n)).outcome is AskOutcome.ASKED
    refused = await ask(sessionmaker, resident, "또 질문", 10)
    assert (refused.outcome, refused.limit) == (AskOutcome.LIMITED, LimitReached.OPEN)
    async with sessionmaker() as session, session.begin():  # all answered: the day counts
        await session.execute(StaffQuestion.__table__.update().values(answered_at=START))
    for n in range(DAILY_LIMIT - OPEN_LIMIT):
        assert (await ask(sessionmaker, resident, f"더 {n}", 20 + n)).outcome is AskOutcome.ASKED
    daily = await ask(sessionmaker, resident, "하나 더", 30)
    assert (daily.outcome, daily.limit) == (AskOutcome.LIMITED, LimitReached.DAILY)
    assert daily.retry_at == START + timedelta(hours=24)


async def test_the_first_answer_reaches_the_resident_and_a_second_is_not_sent(
    sessionmaker: Maker,
) -> None:
    mod, other = await moderator(sessionmaker), await moderator(sessionmaker, 901)
    async with sessionmaker() as session, session.begin():
        resident = await make_user(session, 504, START)
    asked = await ask(sessionmaker, resident, "경로당은 몇 시에 문을 열어요?")
    async with sessionmaker() as session:
        item_id = await session.scalar(select(StaffQuestion.work_item_id))
    assert item_id is not None
    answers = []
    for who, text in ((mod, "오전 9시에 열어요."), (other, "아침 9시요.")):
        async with sessionmaker() as session, session.begin():
            answers.append(await questions.answer(
                session, item_id=item_id, text=text, now=START,
                staff=Staff(who.id, "김모더", f"telegram:{who.telegram_id}")))
    assert [a.outcome for a in answers] == [AnswerOutcome.SENT, AnswerOutcome.ALREADY_ANSWERED]
    assert answers[1].answered_by == "김모더"
    async with sessionmaker() as session:
        sent = list(await session.scalars(select(OutboxMessage).where(
            OutboxMessage.chat_id == resident.telegram_id)))
        question = await session.get(StaffQuestion, asked.question_id)
        waiting = await questions.open_questions(session, resident.id)
    assert [m.kind for m in sent] == ["staff_question_answered"]
    assert sent[0].params["answer"] == "오전 9시에 열어요."
    assert question is not None and question.answer == "오전 9시에 열어요." and waiting == []
    assert [e.subject for e in await audit(sessionmaker, "question.answer")] == [
        f"question:{asked.question_id}"]
