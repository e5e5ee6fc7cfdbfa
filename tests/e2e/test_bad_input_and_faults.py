"""Bad input gets a short polite Korean answer or is ignored; faults lose nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import OutboxMessage, OutboxStatus
from bot.domain.events import ProposalExpired
from bot.services.outbox import enqueue
from sandbox import SandboxClient, SandboxServer, SandboxState
from sandbox.client import Resident
from tests.conftest import START
from tests.support.harness import running_bot, settings_for
from tests.support.tcp_proxy import TcpProxy

DELAYED = "조금 늦어지고 있어요"


async def test_a_10000_character_text_gets_a_polite_length_notice(
    runtime: Runtime, residents: SandboxClient
) -> None:
    minji = residents.resident(4001, "민지")
    await minji.say("가" * 10_000)
    reply = await minji.wait_for_message("메시지가 너무 길어요")
    assert "4,000자 이내" in reply.text


async def test_only_zero_width_characters_count_as_empty(
    runtime: Runtime, residents: SandboxClient
) -> None:
    minji = residents.resident(4002, "민지")
    await minji.say("\u200b\u200c\u200d\ufeff\u2060")
    await minji.wait_for_message("메시지가 비어 있어요")


async def test_free_text_and_emoji_get_the_menu(
    runtime: Runtime, residents: SandboxClient
) -> None:
    minji = residents.resident(4003, "민지")
    await minji.say("🙂🙂")
    await minji.wait_for_message("메시지가 비어 있어요")
    await minji.say("안녕하세요")
    reply = await minji.wait_for_message("아래 메뉴에서 골라 주세요")
    assert reply.reply_keyboard is not None


async def test_unknown_commands_and_photos_are_answered(
    runtime: Runtime, residents: SandboxClient
) -> None:
    minji = residents.resident(4004, "민지")
    await minji.say("/frobnicate")
    await minji.wait_for_message("모르는 명령어예요")
    await minji.send_photo()
    await minji.wait_for_message("글자로 된 메시지만")


async def test_the_budget_button_says_so_honestly_when_no_vote_is_open(
    runtime: Runtime, residents: SandboxClient
) -> None:
    minji = residents.resident(4005, "민지")
    await minji.say("💰 주민참여예산")
    reply = await minji.wait_for_message("💰")
    assert "아직 준비 중이에요" not in (reply.text or "") and not reply.buttons


@pytest.mark.parametrize(
    "data",
    ["zz:1:999", "e:2:999", "l:2:ko", "l:1:xx:yy", "n:1:abc", "\x00garbage", "l:1:" + "a" * 60],
)
async def test_forged_or_stale_button_data_is_answered_and_changes_nothing(
    runtime: Runtime, residents: SandboxClient, data: str
) -> None:
    minji = residents.resident(4006, "민지")
    await minji.say("/settings")
    card = await minji.wait_for_message("알림이 켜져 있어요")
    query_id = await minji.press_data(card, data)
    answer = await minji.wait_for_callback_answer(query_id)
    assert answer is not None and answer.text is not None
    assert "더 이상 쓸 수 없어요" in answer.text
    assert minji.inbox()[-1].text == card.text and not minji.inbox()[-1].edited


async def test_a_button_for_a_missing_proposal_says_so(
    runtime: Runtime, residents: SandboxClient
) -> None:
    minji = residents.resident(4011, "민지")
    await minji.say("/settings")
    card = await minji.wait_for_message("알림이 켜져 있어요")
    answer = await minji.wait_for_callback_answer(await minji.press_data(card, "e:1:999"))
    assert answer is not None and "찾을 수 없어요" in (answer.text or "")


async def test_a_language_outside_the_catalogs_changes_nothing(
    runtime: Runtime, residents: SandboxClient
) -> None:
    minji = residents.resident(4007, "민지")
    await minji.say("/lang")
    prompt = await minji.wait_for_message("어떤 언어로")
    query_id = await minji.press_data(prompt, "l:1:fr")
    await minji.wait_for_callback_answer(query_id)
    await minji.say("/start")
    await minji.wait_for_message("안녕하세요")


async def test_a_malformed_update_is_survived(
    runtime: Runtime, residents: SandboxClient, sandbox_state: SandboxState
) -> None:
    sandbox_state.push_update({"message": {"message_id": "not a number", "chat": None}})
    sandbox_state.push_update({"callback_query": {"id": "q", "data": "l:1:en"}})
    minji = residents.resident(4008, "민지")
    await minji.say("/start")
    await minji.wait_for_message("안녕하세요")


async def test_the_same_update_processed_twice_answers_once(
    runtime: Runtime, residents: SandboxClient
) -> None:
    minji = residents.resident(4009, "민지")
    await minji.say("/start")
    await minji.wait_for_message("안녕하세요")
    before = len(minji.inbox())
    payload = {
        "update_id": 987654,
        "message": {
            "message_id": 77, "date": 1764000000, "text": "/help",
            "chat": {"id": 4009, "type": "private", "first_name": "민지"},
            "from": {"id": 4009, "is_bot": False, "first_name": "민지", "language_code": "ko"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }
    for _ in range(2):
        await runtime.application.process_update(Update.de_json(payload, runtime.bot))
    assert len(minji.inbox()) == before + 1
    assert runtime.metrics.duplicate_updates._value.get() == 1


@pytest.fixture
async def proxied_postgres(
    request: pytest.FixtureRequest,
) -> AsyncIterator[tuple[str, TcpProxy]]:
    url = request.getfixturevalue("postgres_database")
    from bot.db.engine import create_engine
    from tests.support.databases import migrate_url, truncate_all

    await migrate_url(url)
    engine = create_engine(url)
    await truncate_all(engine)
    await engine.dispose()
    parts = urlsplit(url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    await proxy.start()
    netloc = f"{parts.username}@127.0.0.1:{proxy.port}"
    yield urlunsplit(parts._replace(netloc=netloc)), proxy
    await proxy.stop()


@pytest.mark.postgres
async def test_a_database_outage_delays_updates_and_delivers_every_push_once(
    proxied_postgres: tuple[str, TcpProxy], postgres_database: str, sandbox: SandboxServer,
    sandbox_state: SandboxState, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    """The bot loses its database in the middle of a push burst: sends already on their way
    are marked once it is back, pushes that another replica queues meanwhile go out too, and
    a resident who writes during the outage is told once that it takes longer, then answered
    when the database is back (the update stayed with Telegram, unconfirmed)."""
    url, proxy = proxied_postgres
    minji = residents.resident(4010, "민지")
    before, during = range(41_000, 41_200), range(41_200, 41_300)
    people = [residents.resident(chat, f"주민{chat}") for chat in (*before, *during)]
    other_replica = create_engine(postgres_database)  # reaches the database all along
    queue = create_sessionmaker(other_replica)
    sandbox_state.slow_down("sendMessage", 0.02)  # sends are in flight when the cut comes
    try:
        await queue_pushes(queue, before)
        async with running_bot(settings_for(url, sandbox), clock) as runtime:
            assert await sandbox_state.wait_until(
                lambda: len(sandbox_state.calls_to("sendMessage")) >= 50, 60
            )
            await proxy.stop()
            await minji.say("/help")
            await minji.wait_for_message(DELAYED)
            await minji.say("/settings")  # told once per outage, not once per message
            await queue_pushes(queue, during)

            await proxy.start()
            runtime.dispatcher.wake()
            assert await sandbox_state.wait_until(
                lambda: all(pushes_in(person) for person in people), 60
            )
            await minji.wait_for_message("/propose", after=0)
            await minji.wait_for_message("알림", after=0)
            assert sum(DELAYED in (m.text or "") for m in minji.inbox()) == 1
        # stopped: every send in flight has been marked
        async with queue() as session:
            statuses = dict((await session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )).all())
    finally:
        await other_replica.dispose()
    assert statuses == {OutboxStatus.SENT: 300}
    received = Counter(pushes_in(person) for person in people)
    assert received == {1: 300}, received


async def queue_pushes(queue: async_sessionmaker[AsyncSession], chats: range) -> None:
    notice = ProposalExpired(proposal_id=1, title="공원 가로등", count=3, threshold=50, key="1")
    async with queue() as session, session.begin():
        for chat in chats:
            await enqueue(session, chat_id=chat, notice=notice, now=START)


def pushes_in(person: Resident) -> int:
    return sum("공감 기간이 끝났어요" in (m.text or "") for m in person.inbox())
