"""Fewer, fuller messages (issue #14, point 6) through the real bot and the sandbox: one
message per event per person, the daily digest, and old proposal cards brought up to date
when tapped."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.models import User
from bot.domain.events import Event, Halfway, ProposalWithdrawn
from bot.domain.policy import Policy
from bot.services.outbox import enqueue_for_users
from bot.services.wakes import woken
from sandbox import SandboxClient, SandboxServer
from sandbox.client import Resident, SentMessage
from tests.conftest import START
from tests.e2e.test_debates_e2e import mark_feasible, seed
from tests.support.factories import follow, make_proposal, make_user
from tests.support.harness import running_bot, settings_for

Maker = async_sessionmaker[AsyncSession]
NOTE = "예산 확보가 가능합니다. 주민 의견을 듣겠습니다."


async def test_the_review_result_and_the_debate_invitation_arrive_as_one_message(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    author = residents.resident(8101, "민지")
    endorser = residents.resident(8102, "영수")
    settings = settings_for(database_url, sandbox)
    async with running_bot(settings, clock) as runtime:
        pid = await seed(runtime.sessionmaker, 8101, [8102])
        await mark_feasible(runtime, pid, settings)
        for resident in (author, endorser):
            message = await resident.wait_for_message("🗳", after=0)
            text = message.text or ""
            # the result first, then the invitation; the department's note is said once
            assert text.index("📨") < text.index("🗳") and text.count(NOTE) == 1, text
            assert "공원녹지과" in text and f"/p/{pid}" in text
            assert f"p:1:{pid}" in [data for row in message.buttons for _, data in row]
        await endorser.press_data(message, f"p:1:{pid}")
        card = await endorser.wait_for_message("현황·문제점", after=message.message_id)
        assert f"ds:1:{pid}:for" in [data for row in card.buttons for _, data in row]
    for resident in (author, endorser):
        pushes = [m for m in resident.inbox() if "현황·문제점" not in (m.text or "")]
        assert len(pushes) == 1, [m.text for m in pushes]


async def test_a_tap_on_an_old_card_brings_it_up_to_date_and_an_unchanged_card_is_not_edited(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    first, *others = [residents.resident(8201 + n, name)
                      for n, name in enumerate(["민지", "영수", "지훈"])]
    settings = replace(settings_for(database_url, sandbox), policy=Policy(endorsement_threshold=3))
    async with running_bot(settings, clock) as runtime:
        async with runtime.sessionmaker() as session, session.begin():
            owner = await make_user(session, 8200, START)
            pid = (await make_proposal(session, owner, START, collect_until=START
                                       + timedelta(days=30))).id
        old_card = await endorse_on_card(first, pid)
        assert "1/3" in (old_card.text or "")
        for resident in others:
            await endorse_on_card(resident, pid)
        assert "1/3" in (first.message(old_card.message_id).text or "")  # shown earlier
        await first.press_data(old_card, f"rp:1:{pid}")  # 🚩 on the old card
        current = await first.wait_for_edit(old_card)
        assert "3/3" in (current.text or "") and "1/3" not in (current.text or "")
        assert f"e:1:{pid}" not in [data for row in current.buttons for _, data in row]
        prompt = await first.wait_for_message(predicate=asks_reason, after=current.message_id)
        edits = len(sandbox.state.calls_to("editMessageText"))
        await first.press_data(current, f"rp:1:{pid}")  # nothing changed since
        await first.wait_for_message(predicate=asks_reason, after=prompt.message_id)
        assert len(sandbox.state.calls_to("editMessageText")) == edits
        assert first.message(current.message_id).edit_count == current.edit_count


async def endorse_on_card(resident: Resident, proposal_id: int) -> SentMessage:
    """Open the card by its shared link and tap 공감; the card as it is afterwards."""
    await resident.say(f"/start p{proposal_id}")
    card = await resident.wait_for_message("현황·문제점")
    await resident.press_data(card, f"e:1:{proposal_id}")
    return await resident.wait_for_edit(card)


def asks_reason(message: SentMessage) -> bool:
    return any(data.startswith("rr:") for row in message.buttons for _, data in row)


async def test_news_once_a_day_comes_as_one_digest_urgent_notices_at_once_and_off_releases(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    reader = residents.resident(8301, "수아")
    settings = settings_for(database_url, sandbox)  # digest at 19:00 KST; START is 15:00 KST
    async with running_bot(settings, clock) as runtime:
        first, second = await followed_proposals(runtime.sessionmaker, 8301)
        await reader.say("/settings")
        screen = await reader.wait_for_message("📬")
        await reader.press_data(screen, "dg:1:1")
        screen = await reader.wait_for_edit(screen)
        assert "19:00" in (screen.text or "") and "dg:1:0" in str(screen.buttons)
        await tell(runtime, clock, 8301, Halfway(first, "공원 가로등 설치", 20, 50, key="h"))
        await tell(runtime, clock, 8301, Halfway(second, "골목길 CCTV 설치", 30, 50, key="h2"))
        await tell(runtime, clock, 8301, ProposalWithdrawn(first, "공원 가로등 설치", key="w",
                                                    urgent=True))
        urgent = await reader.wait_for_message(predicate=lambda m: "CCTV" not in str(m.text),
                                               after=screen.message_id)
        assert "📬" not in (urgent.text or "") and len(reader.inbox()) == 2  # the rest waits
        await clock.advance(timedelta(hours=4))  # 19:00 KST
        digest = await reader.wait_for_message("📬", after=urgent.message_id)
        text = digest.text or ""
        assert text.index("공원 가로등 설치") < text.index("골목길 CCTV 설치"), text
        assert [data for row in digest.buttons for _, data in row] == [
            f"p:1:{first}", f"p:1:{second}"]
        await reader.press_data(digest, f"p:1:{second}")
        await reader.wait_for_message("현황·문제점", after=digest.message_id)
        later = reader.last_message().message_id
        await tell(runtime, clock, 8301, Halfway(first, "공원 가로등 설치", 25, 50, key="h3"))
        await reader.press_data(screen, "dg:1:0")  # off: what waits goes now
        released = await reader.wait_for_message("25/50", after=later)
        assert "📬" not in (released.text or "")
    assert len([m for m in reader.inbox() if "📬" in (m.text or "").split("\n")[0]]) == 1


async def followed_proposals(sessionmaker: Maker, telegram_id: int) -> tuple[int, int]:
    async with sessionmaker() as session, session.begin():
        reader = await make_user(session, telegram_id, START)
        owner = await make_user(session, 8300, START)
        ids = []
        for title in ("공원 가로등 설치", "골목길 CCTV 설치"):
            proposal = await make_proposal(session, owner, START, title=title)
            await follow(session, reader, proposal, START)
            ids.append(proposal.id)
    return ids[0], ids[1]


async def tell(runtime: Runtime, clock: ShiftableClock, telegram_id: int, notice: Event
               ) -> None:
    """A notice for one resident, as a service writes it, a minute after the previous one."""
    async with runtime.sessionmaker() as session, session.begin():
        user_id = await session.scalar(select(User.id).where(User.telegram_id == telegram_id))
        assert user_id is not None
        await enqueue_for_users(session, [user_id], notice, clock.now())
    await clock.advance(timedelta(minutes=1))
    runtime.application.services.wake(*woken(session))
