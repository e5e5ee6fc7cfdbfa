"""A commit wakes exactly the background loops it left work for, and only after it committed.

The handler transaction is the committer here, on the runtime as `build_runtime` wires it (not
started): each loop's `wake` is counted, so the tests see the routing from the service that
wrote the work, through the committer, to the loop.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import Runtime, build_runtime
from bot.background import BackgroundLoop
from bot.clock import ShiftableClock
from bot.db.models import OutboxMessage
from bot.domain.events import ProposalExpired
from bot.domain.lifecycle import ProposalStatus
from bot.handlers.context import GonggamContext
from bot.services import broadcasts, debates
from bot.services.broadcasts import Audience, AudienceKind
from bot.services.outbox import enqueue, enqueue_email
from bot.services.polls import PollRequest, create_poll
from bot.settings import Settings
from tests.conftest import START
from tests.support.factories import follow, make_proposal, make_user

EXPIRED = ProposalExpired(proposal_id=1, title="가로등", count=3, threshold=50, key="1")
FORUM = -800


@pytest.fixture
async def wired(database_url: str, clock: ShiftableClock) -> AsyncIterator[Runtime]:
    """Every loop present: SMTP (the mail dispatcher) and a forum chat (the forum mirror)."""
    settings = Settings(telegram_bot_token="1:offline", database_url=database_url,
                        secret_key="k" * 64, smtp_url="smtp://127.0.0.1:1",
                        debate_forum_chat_id=FORUM)
    runtime = build_runtime(settings, clock)
    yield runtime
    runtime.application.services.fast_lane.dispose()
    await runtime.engine.dispose()


@pytest.fixture
def woken(wired: Runtime, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times each of the runtime's loops was woken."""
    counts: Counter[str] = Counter()
    loops: dict[str, BackgroundLoop | None] = {
        "dispatcher": wired.dispatcher, "mail": wired.mail_dispatcher,
        "poll sender": wired.polls, "broadcast progress": wired.broadcasts,
        "forum mirror": wired.forum,
    }
    for name, loop in loops.items():
        assert loop is not None, f"the runtime has no {name}"
        monkeypatch.setattr(loop, "wake", lambda name=name: counts.update([name]))
    return counts


@pytest.fixture
def context(wired: Runtime) -> GonggamContext:
    return GonggamContext(wired.application)


async def outbox_rows(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


async def test_a_telegram_row_wakes_the_dispatcher_once_after_the_commit_and_nothing_else(
    context: GonggamContext, woken: Counter[str], wired: Runtime
) -> None:
    async with context.transaction() as session:
        await enqueue(session, chat_id=5, notice=EXPIRED, now=START)
        await enqueue(session, chat_id=6, notice=EXPIRED, now=START)
        assert woken == Counter()
    assert woken == Counter({"dispatcher": 1})
    assert await outbox_rows(wired.sessionmaker) == 2


async def test_an_email_row_wakes_the_mail_dispatcher_only(
    context: GonggamContext, woken: Counter[str]
) -> None:
    async with context.transaction() as session:
        await enqueue_email(session, address="road@guro.go.kr", notice=EXPIRED, now=START)
    assert woken == Counter({"mail": 1})


async def test_a_new_poll_wakes_the_poll_sender_only(
    context: GonggamContext, woken: Counter[str]
) -> None:
    async with context.transaction() as session:
        await make_user(session, 7001, START, polls_opt_in=True)
    request = PollRequest(hours=24, question="먼저 할 사업은?", options=("가로등", "놀이터"))
    async with context.transaction() as session:
        created = await create_poll(session, request, now=START, actor="telegram:1")
    assert created.copies == 1
    assert woken == Counter({"poll sender": 1})


async def test_a_confirmed_broadcast_wakes_the_dispatcher_and_its_progress_report(
    context: GonggamContext, woken: Counter[str]
) -> None:
    async with context.transaction() as session:
        await make_user(session, 7001, START)
        _, broadcast_id = await broadcasts.create_draft(
            session, plain_text="안내", text_html="안내", admin_chat_id=1, actor="telegram:1",
            now=START)
        assert broadcast_id is not None
        await broadcasts.choose_audience(session, broadcast_id, Audience(AudienceKind.ALL))
    assert woken == Counter()
    async with context.transaction() as session:
        await broadcasts.confirm(session, broadcast_id, progress_message_id=None,
                                 actor="telegram:1", now=START)
    assert woken == Counter({"dispatcher": 1, "broadcast progress": 1})


async def test_an_opened_debate_wakes_the_dispatcher_and_the_forum_mirror(
    context: GonggamContext, woken: Counter[str], wired: Runtime
) -> None:
    async with context.transaction() as session:
        author = await make_user(session, 100, START)
        proposal = await make_proposal(session, author, START,
                                       status=ProposalStatus.UNDER_REVIEW)
        await follow(session, author, proposal, START)
    settings = wired.settings
    async with context.transaction() as session:
        assert await debates.open_debate(session, proposal.id, now=START,
                                         policy=settings.policy, venues=settings.venues,
                                         actor="운영자") is debates.OpenOutcome.OPENED
    assert woken == Counter({"dispatcher": 1, "forum mirror": 1})


async def test_a_commit_without_work_for_a_loop_wakes_none(
    context: GonggamContext, woken: Counter[str]
) -> None:
    async with context.transaction() as session:
        await make_user(session, 7001, START)
    assert woken == Counter()


async def test_a_row_already_in_the_outbox_wakes_nothing_again(
    context: GonggamContext, woken: Counter[str]
) -> None:
    async with context.transaction() as session:
        await enqueue(session, chat_id=5, notice=EXPIRED, now=START)
    async with context.transaction() as session:
        assert not await enqueue(session, chat_id=5, notice=EXPIRED, now=START)
    assert woken == Counter({"dispatcher": 1})


async def test_a_rolled_back_transaction_wakes_none(
    context: GonggamContext, woken: Counter[str], wired: Runtime
) -> None:
    with pytest.raises(LookupError):
        async with context.transaction() as session:
            await enqueue(session, chat_id=5, notice=EXPIRED, now=START)
            raise LookupError("the handler failed after writing")
    assert woken == Counter()
    assert await outbox_rows(wired.sessionmaker) == 0


async def test_without_smtp_an_email_row_wakes_no_other_loop(
    database_url: str, clock: ShiftableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = build_runtime(Settings(telegram_bot_token="1:offline", database_url=database_url,
                                     secret_key="k" * 64), clock)
    woken: list[str] = []
    monkeypatch.setattr(runtime.dispatcher, "wake", lambda: woken.append("dispatcher"))
    try:
        assert runtime.mail_dispatcher is None
        async with GonggamContext(runtime.application).transaction() as session:
            await enqueue_email(session, address="road@guro.go.kr", notice=EXPIRED, now=START)
        assert woken == []
    finally:
        runtime.application.services.fast_lane.dispose()
        await runtime.engine.dispose()
