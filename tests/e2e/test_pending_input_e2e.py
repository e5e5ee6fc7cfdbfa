"""One question at a time: a resident owes the bot at most one one-message answer, and the
latest question asked replaces any earlier one (through the real bot and the sandbox)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ShiftableClock
from bot.db.models import Opinion
from sandbox import SandboxClient, SandboxServer
from sandbox.client import Resident, SentMessage
from tests.e2e.test_debates_e2e import mark_feasible, seed, take_part
from tests.support.harness import running_bot, settings_for

SEARCH = "lf:1:search"


# The fallback's line: the text was taken as nothing in particular.
MENU = "아래 메뉴에서 골라 주세요"

def offers_search(message: SentMessage) -> bool:
    return SEARCH in [data for row in message.buttons for _, data in row]


async def ask_to_write_opinion(resident: Resident, proposal_id: int) -> SentMessage:
    card = await take_part(resident, proposal_id, "for", None)
    await resident.press_data(card, f"dw:1:{proposal_id}:1")
    return await resident.wait_for_message("✍️", after=card.message_id)


async def opinions_stored(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Opinion)) or 0)


async def test_a_search_after_the_opinion_prompt_leaves_the_next_sentence_unposted(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    """✍️, then 🔍 and a keyword: the next unrelated sentence is not a public opinion."""
    minji = residents.resident(8401, "민지")
    settings = settings_for(database_url, sandbox)
    async with running_bot(settings, clock) as runtime:
        pid = await seed(runtime.sessionmaker, 8402, [8401])
        await mark_feasible(runtime, pid, settings)
        await minji.say("/proposals")
        listing = await minji.wait_for_message(predicate=offers_search)
        prompt = await ask_to_write_opinion(minji, pid)
        await minji.press_data(listing, SEARCH)
        asked = await minji.wait_for_message("가로등, 주차", after=prompt.message_id)
        await minji.say("가로등")
        results = await minji.wait_for_message("「가로등」")
        assert results.message_id > asked.message_id
        await minji.say("오늘 저녁에 구청 앞에서 만나요.")
        # waits name their text: the department's answer may be pushed at any moment
        reply = await minji.wait_for_message(MENU)
        assert not [m for m in minji.inbox() if m.message_id > asked.message_id
                    and "💬" in (m.text or "")]
        assert reply.message_id > results.message_id
        assert await opinions_stored(runtime.sessionmaker) == 0


async def test_the_opinion_prompt_after_a_search_prompt_takes_the_text_as_the_opinion(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    """🔍, then ✍️: the latest question wins, so the text is the opinion, not a keyword."""
    minji = residents.resident(8411, "민지")
    settings = settings_for(database_url, sandbox)
    async with running_bot(settings, clock) as runtime:
        pid = await seed(runtime.sessionmaker, 8412, [8411])
        await mark_feasible(runtime, pid, settings)
        await minji.say("/proposals")
        listing = await minji.wait_for_message(predicate=offers_search)
        await minji.press_data(listing, SEARCH)
        await minji.wait_for_message("가로등, 주차", after=listing.message_id)
        prompt = await ask_to_write_opinion(minji, pid)
        await minji.say("밤길이 어두워서 가로등이 꼭 필요하다고 생각해요.")
        posted = await minji.wait_for_message("💬")
        assert posted.message_id > prompt.message_id
        await minji.say("가로등")
        await minji.wait_for_message(MENU)  # not a keyword any more either
        assert await opinions_stored(runtime.sessionmaker) == 1


async def test_opening_the_menu_drops_the_opinion_being_written(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    minji = residents.resident(8421, "민지")
    settings = settings_for(database_url, sandbox)
    async with running_bot(settings, clock) as runtime:
        pid = await seed(runtime.sessionmaker, 8422, [8421])
        await mark_feasible(runtime, pid, settings)
        prompt = await ask_to_write_opinion(minji, pid)
        await minji.say("/start")
        menu = await minji.wait_for_message("안녕하세요")
        assert menu.message_id > prompt.message_id
        await minji.say("이건 의견이 아니라 그냥 해 본 말이에요.")
        await minji.wait_for_message(MENU)
        assert await opinions_stored(runtime.sessionmaker) == 0
