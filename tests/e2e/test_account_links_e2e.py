"""Linking a KakaoTalk and a Telegram account through the real Application: Kakao's skill
requests posted to the real `/kakao/skill` endpoint, Telegram's updates through the sandbox,
on SQLite and PostgreSQL.

Replies are matched on language-neutral marks (🔗 ✅ ❓ ⛔ ⌛ ⏳) and on the commands they name,
so that the checks hold before and after the Korean catalogue has the texts.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.models import (
    AccountLinkCode,
    AuditEntry,
    Endorsement,
    KakaoHeldNotice,
    User,
)
from bot.domain.kakao import KAKAO_ID_BASE
from sandbox import SandboxClient, SandboxState
from sandbox.client import Resident
from tests.support.kakao import (
    KakaoAnswer,
    KakaoResident,
    answered_for,
    kakao_chats_telegram_saw,
    kakao_user_row,
    published_proposal,
)

pytestmark = pytest.mark.usefixtures("no_failed_updates")

CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def code_in(text: str) -> str:
    found = set(CODE.findall(text))  # shown alone and in the words to send
    assert len(found) == 1, text
    return found.pop()


async def telegram_says(resident: Resident, text: str, mark: str) -> str:
    await resident.say(text)
    return (await resident.wait_for_message(mark)).text or ""


async def telegram_code(resident: Resident) -> str:
    shown = await telegram_says(resident, "/link", "🔗")
    assert "연결 " in shown  # the words to send in KakaoTalk
    return code_in(shown)


async def endorse_in_kakao(minji: KakaoResident) -> None:
    await minji.say("🔎 제안 둘러보기")
    await minji.press("1")
    await minji.press("👍 공감")


async def users(runtime: Runtime) -> list[User]:
    async with runtime.sessionmaker() as session:
        return list(await session.scalars(select(User).order_by(User.id)))


async def audit_actions(runtime: Runtime) -> list[str]:
    async with runtime.sessionmaker() as session:
        return list(await session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("account.%"))
            .order_by(AuditEntry.id)))


async def test_a_kakao_resident_with_history_links_a_new_telegram_account_once(
    kakao_bot: Runtime, kakao_client: TestClient, residents: SandboxClient,
    sandbox_state: SandboxState,
) -> None:
    await published_proposal(kakao_bot)
    minji = KakaoResident(kakao_client, "botUserKey-link-minji")
    await endorse_in_kakao(minji)
    shown = await minji.say("연결")
    assert "🔗" in shown.text and "/link " in shown.text  # the words to send in Telegram
    code = code_in(shown.text)
    telegram = residents.resident(7101, "민지")
    await telegram_says(telegram, "/start", "공감")
    linked = await telegram_says(telegram, f"/link {code}", "✅")
    assert "/unlink" not in linked
    again = await telegram_says(telegram, f"/link {code}", "✅")  # the same code, sent twice
    assert "/unlink" in again  # 「already linked」, naming how to undo it

    survivor = await kakao_user_row(kakao_bot)
    assert survivor.telegram_id == 7101  # the Telegram id joined the Kakao user
    assert [user.telegram_id for user in await users(kakao_bot)] == [5001, 7101]
    mine = await telegram_says(telegram, "/my", "가로등")
    assert "공원 산책로 가로등 설치" in mine
    assert "공원 산책로 가로등 설치" in (await minji.say("/my")).text
    assert await audit_actions(kakao_bot) == ["account.linked"]

    await answered_for(kakao_bot, 7102, survivor)  # the linked resident's push: Telegram
    await telegram.wait_for_message("📨", after=0)
    async with kakao_bot.sessionmaker() as session:
        assert (await session.scalars(select(KakaoHeldNotice))).first() is None
    assert kakao_chats_telegram_saw(sandbox_state) == []


async def test_a_telegram_resident_links_a_new_kakao_account_from_the_menu_and_unlinks(
    kakao_bot: Runtime, kakao_client: TestClient, residents: SandboxClient,
) -> None:
    proposal_id = await published_proposal(kakao_bot)
    telegram = residents.resident(7201, "영수")
    await telegram_says(telegram, "/start", "공감")
    await endorse_through_telegram(telegram, proposal_id)
    yeongsu = KakaoResident(kakao_client, "botUserKey-link-yeongsu")
    await yeongsu.say("/start")
    settings = await yeongsu.press("⚙️ 알림 설정")
    shown = await yeongsu.press(label_with(settings, "🔗"))
    assert "🔗" in shown.text
    own = await yeongsu.say(f"연결 {code_in(shown.text)}")  # its own code, in its own app
    assert "❓" in own.text

    linked = await yeongsu.say(f"연결 {await telegram_code(telegram)}")
    assert "✅" in linked.text and "/unlink" not in linked.text
    mute = settings.reply("🔕 알림 끄기")  # a button shown before the link, pressed after it
    muted = await yeongsu.say(mute["messageText"], extra=mute["extra"])
    assert "🔔 알림 켜기" in muted.labels
    assert (await kakao_user_row(kakao_bot)).telegram_id == 7201  # Kakao joined the Telegram user
    assert all(user.telegram_id < KAKAO_ID_BASE for user in await users(kakao_bot))
    assert "공원 산책로 가로등 설치" in (await yeongsu.say("/my")).text
    refused = await yeongsu.say("연결")  # a linked account gets no new code
    assert "/unlink" in refused.text and not CODE.search(refused.text)

    unlinked = await yeongsu.say("연결 해제")
    assert "✅" in unlinked.text
    kakao_user = await kakao_user_row(kakao_bot)
    assert kakao_user.telegram_id >= KAKAO_ID_BASE  # a fresh Kakao-only user again
    assert "공원 산책로 가로등 설치" not in (await yeongsu.say("/my")).text
    assert "공원 산책로 가로등 설치" in await telegram_says(telegram, "/my", "가로등")
    not_linked = await telegram_says(telegram, "/unlink", "/link")
    assert "✅" not in not_linked
    assert await audit_actions(kakao_bot) == ["account.linked", "account.unlinked"]


def label_with(answer: KakaoAnswer, part: str) -> str:
    found = [label for label in answer.labels if part in label]
    assert found, f"no quick reply with {part!r} among {answer.labels}"
    return found[0]


async def endorse_through_telegram(resident: Resident, proposal_id: int) -> None:
    await resident.say(f"/start p{proposal_id}")
    card = await resident.wait_for_message("현황·문제점")
    await resident.press(card, "👍 공감")
    await resident.wait_for_edit(card)


async def test_two_accounts_with_history_are_not_linked(
    kakao_bot: Runtime, kakao_client: TestClient, residents: SandboxClient,
) -> None:
    proposal_id = await published_proposal(kakao_bot)
    telegram = residents.resident(7301, "하늘")
    await telegram_says(telegram, "/start", "공감")
    await endorse_through_telegram(telegram, proposal_id)
    haneul = KakaoResident(kakao_client, "botUserKey-link-haneul")
    await endorse_in_kakao(haneul)
    code = await telegram_code(telegram)
    refused = await haneul.say(f"연결 {code}")
    assert "⛔" in refused.text and "/ask" in refused.text
    async with kakao_bot.sessionmaker() as session:
        endorsements = await session.scalar(select(func.count()).select_from(Endorsement))
        unused = await session.scalar(select(func.count()).select_from(AccountLinkCode)
                                      .where(AccountLinkCode.used_at.is_(None)))
    assert endorsements == 2 and unused == 1  # nothing moved, the code still unused
    assert len(await users(kakao_bot)) == 3
    assert await audit_actions(kakao_bot) == []


async def test_expired_wrong_forged_and_same_app_codes_are_refused_politely(
    kakao_bot: Runtime, kakao_client: TestClient, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    first, second = residents.resident(7401, "지훈"), residents.resident(7402, "수아")
    for resident in (first, second):
        await telegram_says(resident, "/start", "공감")
    same_app = await telegram_says(second, f"/link {await telegram_code(first)}", "⛔")
    assert "/link" not in same_app  # two Telegram accounts: the code is for the other app

    jihun = KakaoResident(kakao_client, "botUserKey-link-jihun")
    code = await telegram_code(first)
    await clock.advance(timedelta(minutes=10, seconds=1))
    assert "⌛" in (await jihun.say(f"연결 {code}")).text
    assert "❓" in (await jihun.say("연결 12ab56")).text  # not six digits: a wrong code
    fresh = await telegram_code(first)
    wrong = "000000" if fresh != "000000" else "999999"
    for _ in range(3):
        assert "❓" in (await jihun.say(f"연결 {wrong}")).text
    assert "⏳" in (await jihun.say(f"연결 {wrong}")).text  # the fifth wrong code
    assert "⏳" in (await jihun.say(f"연결 {fresh}")).text  # even the right one waits
    await clock.advance(timedelta(hours=1))
    fresh = await telegram_code(first)
    assert "✅" in (await jihun.say(f"연결 {fresh}")).text
    assert (await kakao_user_row(kakao_bot)).telegram_id == 7401
