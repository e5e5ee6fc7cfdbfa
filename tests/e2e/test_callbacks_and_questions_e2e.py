"""Issue #15 points 8 and 9 through the real bot and the sandbox.

8: a proposal typed in with /offline and the resident's consent: its news waits on the
「📞 전화로 알려 주세요」 list (not in the moderator's chat), the list shows the contact and the
Korean words to pass on, ✅ takes it off, and the closed proposal's contact is then erased; every
view, ✅ and the erasure are in the audit log, and the contact in none of them.
9: 「운영진에게 묻기」: refused questions are told why and the bot keeps waiting, a good one
reaches the moderators' group masked with 💬 답하기, the first moderator's next private message
goes to the resident, a second answer is not sent, and 🙋 내 활동 lists a waiting question.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.models import AuditEntry, OutboxMessage, Proposal, StaffQuestion
from bot.domain.policy import Policy
from sandbox import SandboxClient, SandboxServer
from sandbox.client import Group, Resident
from tests.support.harness import running_bot, settings_for, staff_on_duty

pytestmark = pytest.mark.usefixtures("no_failed_updates")

MODERATORS = -100779
ADMIN, MOD1, MOD2, RESIDENT = 8901, 8902, 8903, 8904
TITLE = "경로당 난방비 지원"
FORM = (f"/offline 전화\n제목: {TITLE}\n내용: 겨울마다 경로당 난방비가 부족해요.\n"
        "동: 구로1동\n이름: 김민수\n연락처: 010-1234-5678\n연락 동의: 예")


@dataclass
class Cast:
    runtime: Runtime
    mod1: Resident
    mod2: Resident
    moderators: Group


@pytest.fixture(params=[MODERATORS, None], ids=["group", "private chats"])
async def cast(
    database_url: str, sandbox: SandboxServer, clock: ShiftableClock, residents: SandboxClient,
    request: pytest.FixtureRequest,
) -> AsyncIterator[Cast]:
    """The bot with an admin and two moderators, and a moderators' group or none (work items
    then go to each staff member's private chat)."""
    moderators = residents.group(MODERATORS, "공감 운영진")
    settings = settings_for(database_url, sandbox, policy=Policy(endorsement_threshold=3),
                            moderator_chat_id=request.param,
                            admin_telegram_ids=frozenset({ADMIN}),
                            contact_key="c" * 40, contact_key_configured=True)
    admin = residents.resident(ADMIN, "관리자")
    mod1, mod2 = residents.resident(MOD1, "김모더"), residents.resident(MOD2, "이모더")
    async with running_bot(settings, clock) as runtime:
        await staff_on_duty(admin, mod1, mod2)
        yield Cast(runtime, mod1, mod2, moderators)


async def audit_log(runtime: Runtime) -> list[AuditEntry]:
    async with runtime.sessionmaker() as session:
        return list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


async def every_copy_marked_sent(runtime: Runtime) -> None:
    """The copies arrived; wait (without a clock) until the dispatcher has also marked them
    sent, as it has long done when a person answers: only sent copies can be edited later."""
    while True:
        async with runtime.sessionmaker() as session:
            waiting = await session.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.work_item_id.is_not(None), OutboxMessage.status != "sent"))
        if not waiting:
            return
        await asyncio.sleep(0)


async def test_an_offline_residents_news_waits_to_be_phoned_and_the_contact_goes_at_the_close(
    cast: Cast, clock: ShiftableClock,
) -> None:
    await cast.mod1.say(FORM)
    done = await cast.mod1.wait_for_message("/callbacks")
    assert "1234" not in done.text
    await clock.advance(timedelta(days=31))  # the 공감 window ends below the threshold
    await cast.mod2.say("/admin")
    menu = await cast.mod2.wait_for_message()
    await cast.mod2.press(menu, "📞 전화로 알려 주세요")
    section = await cast.mod2.wait_for_edit(menu)
    assert "1명" in section.text and "010" not in section.text  # no contact before the list
    await cast.mod2.say("/callbacks")
    screen = await cast.mod2.wait_for_message("010-1234-5678")
    assert "김민수" in screen.text and TITLE in screen.text and "(1/1)" in screen.text
    assert not [m for m in cast.mod1.bot_messages()
                if m.message_id > done.message_id and TITLE in (m.text or "")]
    pressed = await cast.mod2.press(screen, "✅ 전화 완료")
    assert "감사합니다" in ((await cast.mod2.wait_for_callback_answer(pressed)).text or "")
    emptied = await cast.mod2.wait_for_edit(screen)
    assert "전화를 기다리는 분이 없어요" in emptied.text and "1234" not in emptied.text
    async with cast.runtime.sessionmaker() as session:
        stored = await session.scalar(select(Proposal).where(Proposal.title == TITLE))
    assert stored is not None and stored.status == "expired"
    assert stored.offline_contact_secret is None
    entries = await audit_log(cast.runtime)
    actions = [e.action for e in entries]
    assert actions.count("proposal.contact_erased") == 1 and actions.count("callback.done") == 1
    assert actions.count("callback.view") >= 1
    assert all("1234" not in f"{e.before} {e.after}" for e in entries)


async def test_a_question_reaches_the_staff_masked_and_the_first_answer_comes_back(
    cast: Cast, residents: SandboxClient,
) -> None:
    minji = residents.resident(RESIDENT, "민지")
    await minji.say("/start")
    await minji.wait_for_message()
    await minji.say("/ask")
    assert "1,000" in (await minji.wait_for_message()).text
    refusals = (("  \u200b\u200b ", "찾지 못했어요"), ("가" * 2000, "1,000자보다 길어요"))
    for refused, why in refusals:
        await minji.say(refused)
        assert why in (await minji.wait_for_message()).text
    await minji.say("경로당은 몇 시에 열어요? 제 번호는 010-2222-3333이에요.")
    assert "감사합니다" in (await minji.wait_for_message()).text
    grouped = cast.runtime.application.services.settings.moderator_chat_id is not None
    where, other = (cast.moderators, cast.moderators) if grouped else (cast.mod1, cast.mod2)
    item = await where.wait_for_message("경로당은 몇 시에", after=0)
    copy = await other.wait_for_message("경로당은 몇 시에", after=0)
    assert "2222" not in item.text and "💬 답하기" in item.button_texts
    await every_copy_marked_sent(cast.runtime)
    await cast.mod1.wait_for_callback_answer(await cast.mod1.press(item, "💬 답하기"))
    await cast.mod1.wait_for_message("답변을 이 대화방에", after=0)
    await minji.say("/my")
    assert "경로당은 몇 시에" in (await minji.wait_for_message()).text
    await cast.mod1.say("오전 9시에 열어요. 감사합니다.")
    await cast.mod1.wait_for_message("보내고 있어요")
    answer = await minji.wait_for_message("오전 9시에 열어요")
    assert "운영진이 질문에 답했어요" in answer.text
    assert "💬 운영진에게 묻기" in answer.button_texts
    for chat, message in ((where, item), (other, copy)):
        handled = await chat.wait_for_edit(message)
        assert "김모더" in handled.text and handled.buttons == ()
    late = await cast.mod2.press_data(copy, copy.buttons[0][0][1] or "")
    assert "이미 답변한" in ((await cast.mod2.wait_for_callback_answer(late)).text or "")
    async with cast.runtime.sessionmaker() as session:
        question = await session.scalar(select(StaffQuestion))
    assert question is not None and question.answer == "오전 9시에 열어요. 감사합니다."
    assert question.text.endswith("010-2222-3333이에요.")  # the resident's words as given
    actions = [e.action for e in await audit_log(cast.runtime)]
    assert actions.count("question.ask") == 1 and actions.count("question.answer") == 1


async def test_a_moderator_the_bot_cannot_write_to_is_told_to_open_a_private_chat(
    cast: Cast, residents: SandboxClient,
) -> None:
    if cast.runtime.application.services.settings.moderator_chat_id is None:
        pytest.skip("the button is pressed in the moderators' group")
    minji = residents.resident(RESIDENT, "민지")
    await minji.say("/ask 주차장은 몇 시에 열어요?")
    await minji.wait_for_message("감사합니다")
    item = await cast.moderators.wait_for_message("주차장은", after=0)
    cast.mod2.block_bot()
    answer = await cast.mod2.wait_for_callback_answer(await cast.mod2.press(item, "💬 답하기"))
    assert answer.show_alert and "/start" in (answer.text or "")
    cast.mod2.block_bot(False)
    await cast.mod1.wait_for_callback_answer(await cast.mod1.press(item, "💬 답하기"))
    await cast.mod1.wait_for_message("답변을 이 대화방에", after=0)
