"""Issue #14 (8): a proposal can carry a place, shared from the wizard's 동 step.

The place suggests its 동, is kept to about 10 m, and is published as a map link on the card
and on the public page. A place outside the district is refused in Korean.
"""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import Runtime
from bot.db.models import Proposal
from sandbox import SandboxClient
from sandbox.client import Resident, SentMessage
from tests.e2e.test_wizard_and_links_e2e import MENU, proposal_id

pytestmark = pytest.mark.usefixtures("no_failed_updates")

MAP_LINK = "https://map.kakao.com/link/map/"
NEAR_GURO3 = (37.48412345, 126.89623456)  # rounded: 37.4841, 126.8962


async def reach_the_area_step(author: Resident) -> SentMessage:
    """Write the four parts; returns the 동 question (the place offer comes just before it)."""
    await author.say("/propose")
    for question, answer in (
        ("1/7", "구로디지털단지역 앞 횡단보도 신호 연장"),
        ("2/7", "출근 시간에 사람이 많아서 신호가 짧아 건너기 어려워요."),
        ("3/7", "보행 신호를 10초 더 길게 해 주세요."),
        ("4/7", "어르신과 아이들도 안전하게 건널 수 있어요."),
    ):
        await author.wait_for_message(question)
        await author.say(answer)
    return await author.wait_for_message("5/7")


def location_keyboard(author: Resident, offer: SentMessage) -> list[dict[str, object]]:
    """The reply keyboard's buttons on the place offer, as sent to Telegram."""
    message = author.state.chat(author.chat_id).find(offer.message_id)
    assert message is not None and message.reply_markup is not None
    return [button for row in message.reply_markup["keyboard"] for button in row]


async def test_a_shared_place_suggests_its_area_and_is_published_as_a_map_link(
    runtime: Runtime, residents: SandboxClient
) -> None:
    minji = residents.resident(14501, "민지")
    area_step = await reach_the_area_step(minji)
    offer = await minji.wait_for_message("위치 보내기", after=area_step.message_id - 2)
    assert offer.message_id < area_step.message_id and "공개돼요" in (offer.text or "")
    buttons = location_keyboard(minji, offer)
    assert buttons[0] == {"text": "📍 위치 보내기", "request_location": True}
    assert buttons[1]["text"] == "⏭ 위치 없이"

    await minji.share_location(*NEAR_GURO3)
    saved = await minji.wait_for_message("제안에 담았어요")
    assert "구로3동 근처예요" in (saved.text or "")
    assert saved.reply_keyboard is not None  # the menu is back in place of the location button
    assert tuple(label for row in saved.reply_keyboard for label in row) == MENU
    area = await minji.wait_for_message("5/7", after=saved.message_id)
    assert "보내신 위치는 구로3동 근처예요" in (area.text or "")
    await minji.press(area, "📍 구로3동 (추천)")
    await minji.press(await minji.wait_for_message("6/7"), "건너뛰기 ⏭")
    await minji.press(await minji.wait_for_message("7/7"), "건너뛰기 ⏭")
    preview = await minji.wait_for_message("미리 보기")
    assert "📍 구로3동" in (preview.text or "") and "지도에서 위치 보기" in (preview.text or "")
    assert f"{MAP_LINK}" in (preview.raw_text or "") and "37.4841,126.8962" in (
        preview.raw_text or "")
    await minji.press(preview, "✅ 게시하기")
    await minji.wait_for_message("게시되었어요")

    pid = await proposal_id(runtime)
    async with runtime.sessionmaker() as session:
        row = await session.scalar(select(Proposal).where(Proposal.id == pid))
    assert row is not None and (row.area, row.latitude, row.longitude) == (
        "구로3동", 37.4841, 126.8962)
    await assert_the_card_and_the_page_show_the_map(runtime, residents, pid)


async def assert_the_card_and_the_page_show_the_map(
    runtime: Runtime, residents: SandboxClient, pid: int
) -> None:
    neighbour = residents.resident(14502, "영수")
    await neighbour.say(f"/start p{pid}")
    card = await neighbour.wait_for_message("현황·문제점")
    links = dict(button for row in card.buttons for button in row)
    url = links.get("🗺 지도에서 위치 보기")
    assert url is not None and url.startswith(MAP_LINK) and url.endswith(",37.4841,126.8962")
    assert "126.89623456" not in (card.raw_text or "") + url
    async with TestClient(TestServer(runtime.web_app())) as web:
        page = await web.get(f"/p/{pid}")
        html = await page.text()
    assert page.status == 200
    assert "지도에서 위치 보기" in html and f'href="{url}"' in html.replace("&amp;", "&")


async def test_a_place_outside_the_district_is_refused_and_one_can_go_on_without(
    runtime: Runtime, residents: SandboxClient
) -> None:
    minji = residents.resident(14601, "민지")
    await reach_the_area_step(minji)
    await minji.share_location(37.5665, 126.9780)  # 서울시청, outside 구로구
    refused = await minji.wait_for_message("구 밖이라서")
    assert "위치 없이" in (refused.text or "")
    await minji.say("⏭ 위치 없이")
    fine = await minji.wait_for_message("위치 없이 진행할게요")
    assert fine.reply_keyboard is not None and "✍️ 제안하기" in fine.reply_keyboard[0]
    area = await minji.wait_for_message("5/7", after=fine.message_id)
    assert "추천" not in " ".join(area.button_texts)
    await minji.say("구로 3동")
    await minji.press(await minji.wait_for_message("6/7"), "건너뛰기 ⏭")
    await minji.press(await minji.wait_for_message("7/7"), "건너뛰기 ⏭")
    preview = await minji.wait_for_message("미리 보기")
    assert "지도" not in (preview.text or "")
