"""A broadcast through the real bot and the sandbox: 200 residents of a 동 (two of whom blocked
the bot, one muted everything), the admin's count, a double tap, the paced delivery and the
progress message that ends with the final counts.

The dispatcher runs on a virtual monotonic clock (its `sleep` moves the clock instead of
waiting), with a pacer that records every send, so the rate limits are checked on the
recorded send times without waiting for, or timing, the wall clock.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import Broadcast, OutboxMessage, User
from bot.dispatcher import Pacing
from bot.domain.pacing import SendPacer
from sandbox import SandboxClient, SandboxServer, SandboxState
from sandbox.client import Resident, SentMessage
from tests.conftest import START
from tests.support.factories import make_user
from tests.support.harness import running_bot, settings_for

ADMIN = 9500
AREA = "신도림동"
FIRST_RESIDENT = 20_000
RESIDENTS = 200
TEXT = "구청 소식: 12월 5일 오후 2시, 신도림동 주민센터에서 주민총회가 열립니다."
# What residents receive: who speaks above, how to turn it off below (needs the ko catalog).
FRAMED = f"📣 구청 알림\n\n{TEXT}\n\n알림 설정: /settings"


class VirtualTime:
    """Monotonic seconds that move only when the dispatcher sleeps."""

    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


class RecordingPacer(SendPacer):
    def __init__(self) -> None:
        super().__init__()
        self.sends: list[tuple[int, float]] = []

    def record(self, chat_id: int, now: float) -> None:
        self.sends.append((chat_id, now))
        super().record(chat_id, now)


def virtual_pacing() -> tuple[Pacing, RecordingPacer]:
    """The dispatcher keeps its logic but paces on virtual time, recording every send."""
    pacer, time = RecordingPacer(), VirtualTime()
    return Pacing(pacer, time, time.sleep), pacer


async def add_residents(runtime: Runtime, residents: SandboxClient) -> list[Resident]:
    people = [residents.resident(FIRST_RESIDENT + n, f"주민{n}") for n in range(RESIDENTS + 1)]
    async with runtime.sessionmaker() as session, session.begin():
        for n, person in enumerate(people):
            await make_user(session, person.user_id, START, verified_area=AREA,
                            muted_all=n == RESIDENTS)  # the last one muted everything
        await make_user(session, 30_000, START, verified_area="구로1동")  # another 동
    people[3].block_bot()
    people[150].block_bot()
    return people


def button_data(message: SentMessage, suffix: str) -> str:
    found = [data for row in message.buttons for _, data in row if data and data.endswith(suffix)]
    assert found, f"no button ending in {suffix!r}: {message.describe()}"
    return found[0]


async def test_a_broadcast_reaches_a_dong_once_at_the_dispatchers_pace(
    database_url: str, sandbox: SandboxServer, sandbox_state: SandboxState,
    residents: SandboxClient, clock: ShiftableClock,
) -> None:
    admin = residents.resident(ADMIN, "관리자")
    settings = settings_for(database_url, sandbox, admin_telegram_ids=frozenset({ADMIN}))
    pacing, pacer = virtual_pacing()
    async with running_bot(settings, clock, pacing=pacing) as runtime:
        people = await add_residents(runtime, residents)

        await admin.say("/broadcast")
        await admin.wait_for_message("📣")
        await admin.say("   ")  # nothing to send: refused, still waiting for the text
        await admin.wait_for_message()
        await admin.say(TEXT)
        chooser = await admin.wait_for_message(predicate=lambda m: bool(m.buttons))
        assert FRAMED in [m.text for m in admin.inbox()]  # the preview, as residents see it

        await admin.press_data(chooser, button_data(chooser, ":area:-1"))
        areas = await admin.wait_for_edit(chooser)
        assert areas.text == "📣 어느 동에 보낼까요?"
        await admin.press_data(areas, button_data(areas, ":area:0"))
        preview = await admin.wait_for_edit(areas)
        assert preview.text.splitlines()[0] == f"📣 받는 사람: {AREA} 주민"  # one colon
        assert "200" in preview.text and "1" in preview.text  # 200 recipients, 1 muted
        send = button_data(preview, ":send")
        first = await admin.press_data(preview, send)
        await admin.wait_for_callback_answer(first)
        second = await admin.press_data(preview, send)  # a double tap
        answer = await admin.wait_for_callback_answer(second)
        assert answer.show_alert

        def final(message: SentMessage) -> bool:
            text = message.text or ""
            return "198" in text and "/200" not in text

        assert await sandbox_state.wait_until(lambda: final(admin.message(preview.message_id)), 30)
        report = admin.message(preview.message_id).text or ""
        assert report.splitlines()[0] == "📣 전송 완료: 198명 받음 · 2명은 봇을 차단함 · 실패 0"
    # stopped: the progress pass that showed the final counts has also recorded them
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            broadcast = (await session.scalars(select(Broadcast))).one()
            statuses = dict((await session.execute(
                select(OutboxMessage.status, func.count())
                .where(OutboxMessage.broadcast_id == broadcast.id)
                .group_by(OutboxMessage.status))).all())
            unreachable = set(await session.scalars(
                select(User.telegram_id).where(User.unreachable.is_(True))))
    finally:
        await engine.dispose()

    assert broadcast.status == "done" and broadcast.recipients == 200
    assert broadcast.excluded_muted == 1
    assert statuses == {"sent": 198, "dropped": 2}
    assert unreachable == {people[3].user_id, people[150].user_id}
    for n, person in enumerate(people):
        got = [m for m in person.inbox() if m.text == FRAMED]
        assert len(got) == (0 if n in (3, 150, RESIDENTS) else 1), n
    assert not [m for m in residents.resident(30_000).inbox()]

    # paced: 200 attempts, one per chat, and the admin's own four messages (the prompt, the
    # refusal, the preview and the chooser: replies count in the same budget); never more
    # than 30 in any one second
    notices = [chat for chat, _ in pacer.sends if chat != ADMIN]
    assert len(notices) == len(set(notices)) == 200
    assert len(pacer.sends) - len(notices) == 4
    times = sorted(at for _, at in pacer.sends)
    assert all(times[i + 30] - times[i] >= 1.0 for i in range(len(times) - 30))
