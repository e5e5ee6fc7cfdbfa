"""Issue #14: arriving by a shared link, a wizard that explains itself, and stale buttons."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import Runtime
from bot.db.models import Proposal
from bot.domain.proposals import PROBLEM_MAX_CHARS, TITLE_MAX_CHARS, TITLE_MIN_CHARS
from sandbox import SandboxClient
from sandbox.client import Resident, SentMessage
from tests.e2e.test_proposals_e2e import reach_preview, write_proposal

pytestmark = pytest.mark.usefixtures("no_failed_updates")

MENU = (
    "✍️ 제안하기", "🔎 제안 둘러보기", "🙋 내 활동", "💰 주민참여예산", "⚙️ 알림 설정", "❓ 도움말",
)


def keyboard_shown(resident: Resident) -> tuple[str, ...] | None:
    """The reply keyboard a Telegram client shows now: the last one the bot sent (a persistent
    keyboard stays until another replaces or removes it); None if none or removed."""
    bot_id = resident.state.bot.id
    for message in reversed(resident.state.chat(resident.chat_id).messages):
        markup = message.reply_markup or {}
        if message.sender_id != bot_id or not ({"keyboard", "remove_keyboard"} & set(markup)):
            continue
        if "remove_keyboard" in markup or not markup.get("is_persistent"):
            return None
        rows = markup["keyboard"]
        return tuple(b if isinstance(b, str) else b["text"] for row in rows for b in row)
    return None


def has_way_back(resident: Resident, screen: SentMessage) -> bool:
    """A screen leaves a way back to the menu: a button on it, or the persistent keyboard."""
    menu_button = any("메뉴" in label for label in screen.button_texts)
    return menu_button or keyboard_shown(resident) == MENU


async def proposal_id(runtime: Runtime) -> int:
    async with runtime.sessionmaker() as session:
        found = await session.scalar(select(Proposal.id))
    assert found is not None
    return found


async def test_a_newcomer_by_a_shared_link_gets_the_card_and_the_menu_everywhere(
    runtime: Runtime, residents: SandboxClient
) -> None:
    minji, guest = residents.resident(14001, "민지"), residents.resident(14002, "손님")
    await write_proposal(minji)
    await guest.say(f"/start p{await proposal_id(runtime)}")
    card = await guest.wait_for_message("공원 산책로 가로등 설치")
    assert "👍 공감" in card.button_texts
    menu = await guest.wait_for_message(predicate=lambda m: m.reply_keyboard is not None)
    assert menu.reply_keyboard is not None
    assert tuple(label for row in menu.reply_keyboard for label in row) == MENU
    assert "공감 50개" in (menu.text or "") and "30일" in (menu.text or "")
    screens = [
        ("🔎 제안 둘러보기", "인기"), ("/my", None), ("/budget", None), ("⚙️ 알림 설정", "알림"),
    ]
    for said, expected in screens:
        await guest.say(said)
        screen = await guest.wait_for_message(expected)
        assert has_way_back(guest, screen), (said, screen.describe())
    listing = await guest.wait_for_message("인기", after=0)
    await guest.press(listing, "1")
    opened = await guest.wait_for_message("현황·문제점", after=listing.message_id)
    assert has_way_back(guest, opened)


async def test_every_wizard_step_has_back_and_cancel_and_states_its_limit(
    runtime: Runtime, residents: SandboxClient
) -> None:
    minji = residents.resident(14101, "민지")
    await minji.say("/propose")
    title = await minji.wait_for_message("1/7")
    assert title.button_texts == ["✖️ 취소"]
    limit = f"제목은 {TITLE_MIN_CHARS}자 이상 {TITLE_MAX_CHARS}자까지 쓸 수 있어요"
    assert limit in (title.text or "")
    await minji.say("놀이터 그늘막 설치 요청")
    problem = await minji.wait_for_message("2/7")
    assert f"{PROBLEM_MAX_CHARS:,}자까지 쓸 수 있어요" in (problem.text or "")
    assert problem.button_texts[-2:] == ["◀️ 이전", "✖️ 취소"]
    await minji.press(problem, "◀️ 이전")
    again = await minji.wait_for_message("1/7", after=problem.message_id)
    await minji.say("놀이터 그늘막 설치해 주세요")
    problem = await minji.wait_for_message("2/7", after=again.message_id)
    await minji.press(problem, "✖️ 취소")
    await minji.wait_for_message("초안을 저장했어요", after=problem.message_id)
    async with runtime.sessionmaker() as session:
        assert await session.scalar(select(Proposal.id)) is None


async def test_every_step_up_to_the_preview_has_back_and_cancel(
    runtime: Runtime, residents: SandboxClient
) -> None:
    suji = residents.resident(14102, "수지")
    preview = await reach_preview(suji)
    steps = [m for m in suji.bot_messages() if "/7" in (m.text or "")]
    assert len(steps) == 7
    assert all(m.button_texts[-1] == "✖️ 취소" for m in steps)
    assert all("◀️ 이전" in m.button_texts for m in steps if "1/7" not in (m.text or ""))
    assert preview.button_texts[-2:] == ["◀️ 이전", "✖️ 취소"]
    await suji.press(preview, "◀️ 이전")
    photo = await suji.wait_for_message("7/7", after=preview.message_id)
    await suji.press(photo, "✖️ 취소")
    await suji.wait_for_message("초안을 저장했어요", after=photo.message_id)


async def test_back_from_a_part_changed_on_the_preview_returns_to_the_preview(
    runtime: Runtime, residents: SandboxClient
) -> None:
    minji = residents.resident(14151, "민지")
    preview = await reach_preview(minji)
    unknown = await minji.wait_for_callback_answer(await minji.press_data(preview, "we:1:cover"))
    assert unknown.text is not None and "지난 단계" in unknown.text
    await minji.press(preview, "✏️ 제목")
    title = await minji.wait_for_message("1/7", after=preview.message_id)
    assert title.button_texts == ["◀️ 이전", "✖️ 취소"]
    await minji.press(title, "◀️ 이전")
    again = await minji.wait_for_message("미리 보기", after=title.message_id)
    assert "공원 산책로 가로등 설치" in (again.text or "")


async def test_after_publishing_the_resident_learns_what_happens_next(
    runtime: Runtime, residents: SandboxClient
) -> None:
    policy = runtime.settings.policy
    minji = residents.resident(14201, "민지")
    preview = await reach_preview(minji)
    await minji.press(preview, "✅ 게시하기")
    published = await minji.wait_for_message("게시되었어요", after=preview.message_id)
    text = published.text or ""
    days, threshold = policy.collection_days, policy.endorsement_threshold
    assert f"{days}일 안에 주민 {threshold}명이 공감하면" in text
    assert f"{policy.review_days}일 안에 실현할 수 있는지 검토해요" in text
    assert f"{policy.answer_days}일 안에 부서가 답변해요" in text
    assert "이 대화방에서 알려 드려요" in text


async def test_old_wizard_buttons_answer_with_an_explanation(
    runtime: Runtime, residents: SandboxClient
) -> None:
    minji = residents.resident(14301, "민지")
    preview = await reach_preview(minji)
    photo_step = next(m for m in minji.bot_messages() if "7/7" in (m.text or ""))
    await minji.press(preview, "✅ 게시하기")
    await minji.wait_for_message("게시되었어요", after=preview.message_id)
    ended = await minji.wait_for_callback_answer(await minji.press(preview, "✏️ 제목"))
    assert ended.show_alert and "/propose" in (ended.text or "")
    await minji.say("/propose")
    await minji.wait_for_message("1/7")
    old_skip = await minji.wait_for_callback_answer(await minji.press(photo_step, "건너뛰기 ⏭"))
    assert old_skip.text is not None and "지난 단계" in old_skip.text
    old_back = await minji.wait_for_callback_answer(await minji.press(photo_step, "◀️ 이전"))
    assert old_back.text is not None and "지난 단계" in old_back.text


async def test_similar_proposals_are_offered_right_after_the_title(
    runtime: Runtime, residents: SandboxClient
) -> None:
    minji, jihun = residents.resident(14401, "민지"), residents.resident(14402, "지훈")
    await write_proposal(minji, "공원 가로등 설치")
    await jihun.say("/propose")
    await jihun.wait_for_message("1/7")
    await jihun.say("공원 가로등 설치 요청")
    offer = await jihun.wait_for_message("비슷한 제안")
    assert "공원 가로등 설치" in (offer.text or "")
    assert offer.button_texts == ["📄 1번 읽기", "👍 1번에 공감", "✍️ 그래도 새로 쓸게요"]
    assert not any("2/7" in (m.text or "") for m in jihun.bot_messages())
    await jihun.press(offer, "📄 1번 읽기")
    card = await jihun.wait_for_message("현황·문제점", after=offer.message_id)
    assert "공원 가로등 설치" in (card.text or "")
    endorsed = await jihun.wait_for_callback_answer(await jihun.press(offer, "👍 1번에 공감"))
    assert endorsed.text is not None and "공감" in endorsed.text
    await jihun.press(offer, "✍️ 그래도 새로 쓸게요")
    await jihun.wait_for_message("2/7", after=card.message_id)
    await jihun.say("밤에 공원이 너무 어두워서 무서워요.")
    await jihun.wait_for_message("3/7")
