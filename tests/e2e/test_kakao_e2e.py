"""The resident's core in KakaoTalk: Kakao's documented skill requests posted to the real
`/kakao/skill` endpoint of the running bot (the real Application, on SQLite and PostgreSQL),
every response checked against Kakao's limits (tests/support/kakao.py)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select, update
from telegram import Update
from telegram.ext import TypeHandler

from bot.app import Runtime
from bot.db.engine import FastLane
from bot.db.models import (
    BudgetBallot,
    Endorsement,
    KakaoAccount,
    Proposal,
    SatisfactionVote,
    User,
)
from bot.domain.kakao import KAKAO_ID_BASE, SECRET_HEADER
from bot.i18n import I18n
from bot.kakao.payload import parse_skill_request
from bot.rendering.common import delayed_but_kept
from bot.services.kakao_accounts import begin_turn
from bot.web.kakao import KAKAO_SKILL_PATH, MAX_BODY_BYTES
from sandbox import SandboxClient, SandboxState
from tests.integration.test_budget_ballot_services import make_round
from tests.support.kakao import (
    SECRET,
    KakaoAnswer,
    KakaoResident,
    answered_for,
    assert_within_kakao_limits,
    kakao_chats_telegram_saw,
    kakao_user_row,
    published_proposal,
    skill_payload,
)

pytestmark = pytest.mark.usefixtures("no_failed_updates")

MENU = ["✍️ 제안하기", "🔎 제안 둘러보기", "🙋 내 활동", "💰 주민참여예산", "⚙️ 알림 설정",
        "❓ 도움말"]


def kakao_user(client: TestClient, key: str) -> KakaoResident:
    return KakaoResident(client, key)


async def test_start_greets_and_the_menu_becomes_quick_replies(
    kakao_bot: Runtime, kakao_client: TestClient
) -> None:
    minji = kakao_user(kakao_client, "botUserKey-minji")
    greeting = await minji.say("/start")
    assert "안녕하세요, 이웃님!" in greeting.text and "공감 50개" in greeting.text
    assert greeting.labels == MENU
    assert all(reply["action"] == "message" and reply["messageText"] == reply["label"]
               for reply in greeting.quick_replies)
    async with kakao_bot.sessionmaker() as session:
        account = (await session.scalars(select(KakaoAccount))).one()
        user = await session.get(User, account.user_id)
    assert user is not None and user.telegram_id >= KAKAO_ID_BASE
    assert "botUserKey-minji" not in account.key_hash and len(account.key_hash) == 64


async def test_a_residents_first_words_get_the_greeting_and_a_menu_label_runs_as_is(
    kakao_client: TestClient,
) -> None:
    minji = kakao_user(kakao_client, "botUserKey-first-words")
    first = await minji.say("안녕하세요")  # not a menu label: the greeting, not "choose"
    assert "안녕하세요, 이웃님!" in first.text and first.labels == MENU
    again = await minji.say("안녕하세요")  # after the first turn, as Telegram answers it
    assert "안녕하세요, 이웃님!" not in again.text and again.labels == MENU
    yeongsu = kakao_user(kakao_client, "botUserKey-first-label")
    browse = await yeongsu.say("🔎 제안 둘러보기")  # the channel's own menu button
    assert "안녕하세요, 이웃님!" not in browse.text
    suah = kakao_user(kakao_client, "botUserKey-first-alimtalk")
    texts = await suah.say("알림톡 010-1234-5678")  # consent given as first words: not lost
    assert "안녕하세요, 이웃님!" not in texts.text and "알림톡" in texts.text


async def test_help_and_the_menu_answer_like_their_commands(kakao_client: TestClient) -> None:
    minji = kakao_user(kakao_client, "botUserKey-help")
    await minji.say("/start")
    helped = await minji.press("❓ 도움말")
    assert "/propose" in helped.text and "담당 부서가 검토하고 답변해야 해요" in helped.text
    settings = await minji.press("⚙️ 알림 설정")
    assert "알림이 켜져 있어요" in settings.text
    off = settings.reply("🔕 알림 끄기")
    assert off["action"] == "block" and off["extra"]["cb"]
    muted = await minji.press("🔕 알림 끄기")
    assert "알림이 꺼져 있어요" in muted.text and "🔔 알림 켜기" in muted.labels


async def test_browse_open_a_card_endorse_and_withdraw(
    kakao_bot: Runtime, kakao_client: TestClient
) -> None:
    pid = await published_proposal(kakao_bot)
    yeongsu = kakao_user(kakao_client, "botUserKey-yeongsu")
    listing = await yeongsu.say("🔎 제안 둘러보기")
    assert "공원 산책로 가로등 설치" in listing.text and "1" in listing.labels
    card = await yeongsu.press("1")
    assert "현황·문제점" in card.text and "👍 공감" in card.labels
    endorsed = await yeongsu.press("👍 공감")
    assert "1/50" in endorsed.text and "↩️ 공감 취소" in endorsed.labels
    assert await endorsements_of(kakao_bot, pid) == 1
    withdrawn = await yeongsu.press("↩️ 공감 취소")
    assert "공감을 취소했어요." in withdrawn.text and "👍 공감" in withdrawn.labels
    assert await endorsements_of(kakao_bot, pid) == 0


async def endorsements_of(runtime: Runtime, proposal_id: int) -> int:
    async with runtime.sessionmaker() as session:
        count = await session.scalar(select(func.count()).select_from(Endorsement)
                                     .where(Endorsement.proposal_id == proposal_id))
    return int(count or 0)


async def test_search_by_keyword_and_my_activity(
    kakao_bot: Runtime, kakao_client: TestClient
) -> None:
    await published_proposal(kakao_bot)
    suah = kakao_user(kakao_client, "botUserKey-suah")
    empty = await suah.say("🙋 내 활동")
    assert "아직 제안이나 공감한 제안이 없어요" in empty.text
    assert empty.labels == MENU  # the menu stays, as Telegram's reply keyboard does
    results = await suah.say("/proposals 가로등을")
    assert "검색 결과" in results.text and "공원 산책로 가로등 설치" in results.text
    await suah.press("1")
    await suah.press("👍 공감")
    mine = await suah.say("/my")
    assert "내가 공감한 제안" in mine.text and "공원 산책로 가로등 설치" in mine.text


async def test_the_wizard_refuses_bad_input_keeps_a_draft_and_publishes(
    kakao_bot: Runtime, kakao_client: TestClient
) -> None:
    jihun = kakao_user(kakao_client, "botUserKey-jihun")
    assert "1/7" in (await jihun.say("/propose")).text
    assert "너무 길어요" in (await jihun.say("가" * 81)).text
    assert "비어 있어요" in (await jihun.say("\u200b\u200b\u200b")).text
    assert "비어 있어요" in (await jihun.say("🙂🙂🙂🙂🙂🙂")).text
    assert "2/7" in (await jihun.say("놀이터 그늘막 설치 요청")).text
    assert "3/7" in (await jihun.say("여름에 놀이터가 너무 뜨거워서 아이들이 놀 수 없어요.")).text
    assert "초안을 저장했어요" in (await jihun.say("/cancel")).text
    offer = await jihun.say("/propose")
    assert "이어서 쓸까요" in offer.text and "놀이터 그늘막 설치 요청" in offer.text
    assert "3/7" in (await jihun.press("이어서 쓰기 ✍️")).text
    assert "4/7" in (await jihun.say("놀이터에 그늘막을 설치해 주세요.")).text
    assert "5/7" in (await jihun.say("여름에도 아이들이 안전하게 놀 수 있어요.")).text
    assert "6/7" in (await jihun.say("구로 1동")).text
    assert "7/7" in (await jihun.press("건너뛰기 ⏭")).text
    preview = await jihun.press("건너뛰기 ⏭")
    assert "미리 보기" in preview.text and "구로1동" in preview.text
    assert "게시되었어요" in (await jihun.press("✅ 게시하기")).text
    async with kakao_bot.sessionmaker() as session:
        titles = list(await session.scalars(select(Proposal.title)))
    assert titles == ["놀이터 그늘막 설치 요청"]


async def test_an_answer_reaches_a_kakao_follower_in_the_telegram_words_and_is_rated(
    kakao_bot: Runtime, kakao_client: TestClient, residents: SandboxClient,
    sandbox_state: SandboxState,
) -> None:
    jihun = residents.resident(5102, "지훈")
    yeongsu = kakao_user(kakao_client, "botUserKey-rater")
    await yeongsu.say("/start")
    await answered_for(kakao_bot, 5102, await kakao_user_row(kakao_bot))
    push = await jihun.wait_for_message("📨", after=0)
    assert kakao_bot.kakao is not None
    await kakao_bot.kakao.notices.until_held(1)
    assert kakao_chats_telegram_saw(sandbox_state) == []
    news = await yeongsu.say("/my")
    for line in filter(None, push.text.splitlines()):
        assert line in news.text  # the same notice, in the same words
    assert news.labels[:2] == ["🙂 만족", "🙁 불만족"]
    rated = await yeongsu.press("🙁 불만족")
    assert "불만족으로 기록했어요" in rated.texts[0]
    assert "어떤 점이 아쉬웠나요" in rated.text and "✓ 🙁 불만족" in rated.labels
    thanked = await yeongsu.press("답변이 늦어요")
    assert "감사합니다" in thanked.text
    async with kakao_bot.sessionmaker() as session:
        vote = (await session.scalars(select(SatisfactionVote))).one()
    assert (vote.satisfied, vote.reason_code) == (False, "late")


def label_with(answer: KakaoAnswer, part: str) -> str:
    """The quick reply whose label contains `part` (long labels are cut to Kakao's 14)."""
    found = [label for label in answer.labels if part in label]
    assert found, f"no quick reply with {part!r} among {answer.labels}"
    return found[0]


async def test_the_budget_ballot_is_voted_refused_over_budget_and_submitted(
    kakao_bot: Runtime, kakao_client: TestClient
) -> None:
    async with kakao_bot.sessionmaker() as session, session.begin():
        await make_round(session, kakao_bot.clock.now())
    minji = kakao_user(kakao_client, "botUserKey-voter")
    ballot = await minji.say("💰 주민참여예산")
    assert "💰" in ballot.text and "3억 원" in ballot.text
    ballot = await minji.press(label_with(ballot, "1. 가로등"))
    assert label_with(ballot, "1. 가로등").startswith("✅")
    for project in ("2. 놀이터", "3. 작은"):
        ballot = await minji.press(label_with(ballot, project))
    assert "2억 7,000만 원" in ballot.text
    ballot = await minji.press(label_with(ballot, "▶"))
    refused = await minji.press(label_with(ballot, "6. 공원"))  # 2억 more: over the budget
    assert "1억 7,000만 원" in refused.texts[0]
    confirm = await minji.press(label_with(refused, "📨"))
    assert "작은 도서관" in confirm.text and "2억 7,000만 원" in confirm.text
    receipt = await minji.press(label_with(confirm, "✅"))
    assert "🧾" in receipt.text
    async with kakao_bot.sessionmaker() as session:
        stored = (await session.scalars(select(BudgetBallot))).one()
    assert stored.submitted_at is not None and len(stored.choices or {}) == 3
    assert stored.receipt is not None and stored.receipt in receipt.text


# ----- Kakao's 5 seconds: the callback, or what the turn has so far -----------------------


@dataclass
class SlowTurn:
    """A handler that holds turns saying 「천천히」 until released (before anything else)."""

    entered: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, update: Update, _context: object) -> None:
        if update.message is not None and update.message.text == "천천히":
            self.entered.set()
            await self.release.wait()


@dataclass
class CallbackReceiver:
    """Kakao's side of `useCallback`: a local server that takes the posted response."""

    bodies: list[dict[str, Any]] = field(default_factory=list)
    posted: asyncio.Event = field(default_factory=asyncio.Event)

    async def take(self, request: web.Request) -> web.Response:
        self.bodies.append(await request.json())
        self.posted.set()
        return web.json_response({"taskId": "kakao-task", "status": "SUCCESS"})


@pytest.fixture
def slow(kakao_bot: Runtime) -> SlowTurn:
    """Turns saying 「천천히」 wait for the test; the quick answer comes once one is held."""
    slow_turn = SlowTurn()
    kakao_bot.application.add_handler(TypeHandler(Update, slow_turn), group=-2)
    assert kakao_bot.kakao is not None
    kakao_bot.kakao.deadline = slow_turn.entered.wait
    return slow_turn


async def test_a_slow_turn_answers_use_callback_and_posts_the_response_when_done(
    kakao_bot: Runtime, kakao_client: TestClient, slow: SlowTurn
) -> None:
    receiver = CallbackReceiver()
    app = web.Application()
    app.router.add_post("/callback/{token}", receiver.take)
    async with TestServer(app) as callback_server:
        url = str(callback_server.make_url("/callback/one-time-token"))
        minji = kakao_user(kakao_client, "botUserKey-slow")
        await minji.say("/start")  # first contact: the greeting
        waiting = await minji.say("천천히", callback_url=url)
        assert waiting.body["useCallback"] is True
        assert waiting.body["data"]["text"] == delayed_but_kept(I18n().get("ko"))
        assert receiver.bodies == []
        slow.release.set()
        await receiver.posted.wait()
    [final] = receiver.bodies
    assert_within_kakao_limits(final)
    assert "아래 메뉴에서 골라 주세요" in KakaoAnswer(final).text


async def test_a_slow_turn_without_a_callback_answers_with_what_it_has(
    kakao_bot: Runtime, kakao_client: TestClient, slow: SlowTurn
) -> None:
    minji = kakao_user(kakao_client, "botUserKey-slow-no-callback")
    await minji.say("/start")  # first contact: the greeting
    waiting = await minji.say("천천히")
    assert waiting.texts[0] == delayed_but_kept(I18n().get("ko"))
    assert kakao_bot.kakao is not None
    kakao_bot.kakao.deadline = asyncio.Event().wait  # the next turn has all the time it needs
    slow.release.set()
    later = await minji.say("/help")  # queued behind the slow turn, then answered
    assert "/propose" in later.text


async def test_the_slow_turn_notice_speaks_the_residents_language(
    kakao_bot: Runtime, kakao_client: TestClient, slow: SlowTurn
) -> None:
    emma = kakao_user(kakao_client, "botUserKey-slow-english")
    await emma.say("/start")
    async with kakao_bot.sessionmaker() as session, session.begin():
        await session.execute(update(User).where(User.telegram_id >= KAKAO_ID_BASE)
                              .values(language="en", language_chosen=True))
    waiting = await emma.say("천천히")
    assert waiting.texts[0] == delayed_but_kept(I18n().get("en"))
    assert waiting.texts[0] != delayed_but_kept(I18n().get("ko"))
    assert kakao_bot.kakao is not None
    kakao_bot.kakao.deadline = asyncio.Event().wait
    slow.release.set()


@dataclass
class WatchedLane:
    """A replica's fast lane that says when a turn found the resident's turn held elsewhere."""

    lane: FastLane
    found_busy: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self, work: Any) -> Any:
        result = await self.lane.run(work)
        if getattr(work, "func", None) is begin_turn and result is None:
            self.found_busy.set()
        return result


async def test_two_replicas_never_run_one_residents_turns_side_by_side(
    kakao_bot: Runtime, kakao_client: TestClient, slow: SlowTurn,
) -> None:
    minji = kakao_user(kakao_client, "botUserKey-two-replicas")
    await minji.say("/start")
    assert kakao_bot.kakao is not None
    here = kakao_bot.kakao.bridge
    lane = WatchedLane(here.fast_lane)
    elsewhere = replace(here, fast_lane=lane)  # its own in-process locks: only the database
    slow_turn = asyncio.create_task(here.answer(parse_skill_request(
        skill_payload("botUserKey-two-replicas", "천천히"))))
    await slow.entered.wait()
    help_turn = asyncio.create_task(elsewhere.answer(parse_skill_request(
        skill_payload("botUserKey-two-replicas", "/help"))))
    busy = asyncio.ensure_future(lane.found_busy.wait())
    await asyncio.wait({help_turn, busy}, return_when=asyncio.FIRST_COMPLETED)
    assert busy.done() and not help_turn.done()  # the other replica found the turn held
    async with kakao_bot.sessionmaker() as session:
        account = (await session.scalars(select(KakaoAccount))).one()
    assert account.turns == 2
    slow.release.set()
    await slow_turn
    helped = KakaoAnswer((await help_turn).response)
    assert "/propose" in helped.text
    async with kakao_bot.sessionmaker() as session:
        account = (await session.scalars(select(KakaoAccount))).one()
    assert (account.turns, account.turn_token, account.turn_until) == (3, None, None)


async def test_held_news_a_slow_turn_could_not_hand_over_is_shown_by_the_next_turn(
    kakao_bot: Runtime, kakao_client: TestClient, residents: SandboxClient, slow: SlowTurn,
) -> None:
    jihun = residents.resident(5103, "지훈")
    yeongsu = kakao_user(kakao_client, "botUserKey-held-slow")
    await yeongsu.say("/start")
    await answered_for(kakao_bot, 5103, await kakao_user_row(kakao_bot))
    push = await jihun.wait_for_message("📨", after=0)
    assert kakao_bot.kakao is not None
    await kakao_bot.kakao.notices.until_held(1)
    waiting = await yeongsu.say("천천히")  # no callback URL: what it has, the news not yet
    assert "📨" not in waiting.text
    kakao_bot.kakao.deadline = asyncio.Event().wait
    slow.release.set()
    news = await yeongsu.say("/my")  # queued behind the slow turn, which has finished
    first_line = next(filter(None, push.text.splitlines()))
    assert first_line in news.text
    again = await yeongsu.say("/my")
    assert first_line not in again.text  # handed over once: not shown twice


async def test_a_callback_url_on_a_host_not_allowed_is_never_posted_to(
    kakao_bot: Runtime, kakao_client: TestClient, slow: SlowTurn
) -> None:
    receiver = CallbackReceiver()
    app = web.Application()
    app.router.add_post("/internal/admin", receiver.take)
    async with TestServer(app, host="localhost") as inside:
        url = str(inside.make_url("/internal/admin"))  # localhost: not in the tests' list
        minji = kakao_user(kakao_client, "botUserKey-ssrf")
        await minji.say("/start")  # first contact: the greeting
        waiting = await minji.say("천천히", callback_url=url)
        assert "useCallback" not in waiting.body
        assert waiting.texts[0] == delayed_but_kept(I18n().get("ko"))
        assert kakao_bot.kakao is not None
        kakao_bot.kakao.deadline = asyncio.Event().wait
        slow.release.set()
        await minji.say("/help")  # queued behind the slow turn: that one has finished
    assert receiver.bodies == []


async def test_a_stale_next_page_press_with_nothing_left_is_answered_not_a_server_error(
    kakao_bot: Runtime, kakao_client: TestClient
) -> None:
    minji = kakao_user(kakao_client, "botUserKey-stale-more")
    await minji.say("/start")
    answer = await minji.say("다음 ▶", extra={"more": 1})  # 200, within limits (say checks)
    assert answer.text


async def test_a_body_that_arrives_in_pieces_is_read_whole(
    kakao_bot: Runtime, kakao_client: TestClient
) -> None:
    body = json.dumps(skill_payload("botUserKey-pieces", "/help")).encode()

    async def in_two_pieces() -> AsyncIterator[bytes]:
        yield body[: len(body) // 2]
        yield body[len(body) // 2 :]

    response = await kakao_client.post(
        KAKAO_SKILL_PATH, data=in_two_pieces(),
        headers={"Content-Type": "application/json", SECRET_HEADER: SECRET})
    assert response.status == 200
    assert_within_kakao_limits(await response.json())


# ----- refused requests ----------------------------------------------------------------------

MARKER = "쑥갓카카오표지 010-2847-3916"


async def post_raw(client: TestClient, body: bytes, headers: dict[str, str]) -> int:
    response = await client.post(KAKAO_SKILL_PATH, data=body,
                                 headers={"Content-Type": "application/json", **headers})
    return response.status


async def test_requests_without_the_secret_malformed_or_for_another_bot_are_refused_untraced(
    kakao_bot: Runtime, kakao_client: TestClient, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    good = json.dumps(skill_payload("botUserKey-refused", MARKER)).encode()
    secret = {SECRET_HEADER: SECRET}
    assert await post_raw(kakao_client, good, {}) == 403
    assert await post_raw(kakao_client, good, {SECRET_HEADER: SECRET + "x"}) == 403
    assert await post_raw(kakao_client, b'{"userRequest": "' + MARKER.encode(), secret) == 400
    missing_user = skill_payload("botUserKey-refused", MARKER)
    del missing_user["userRequest"]["user"]
    assert await post_raw(kakao_client, json.dumps(missing_user).encode(), secret) == 400
    not_a_string = skill_payload("botUserKey-refused", MARKER)
    not_a_string["userRequest"]["utterance"] = {"text": MARKER}
    assert await post_raw(kakao_client, json.dumps(not_a_string).encode(), secret) == 400
    other_bot = json.dumps(skill_payload("botUserKey-refused", MARKER, bot_id="another-bot"))
    assert await post_raw(kakao_client, other_bot.encode(), secret) == 403
    assert await post_raw(kakao_client, b"x" * (MAX_BODY_BYTES + 10), secret) == 400
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    assert "쑥갓카카오표지" not in logged and "2847" not in logged
    assert "botUserKey-refused" not in logged
    assert logged.count("a Kakao skill request refused") == 7
    async with kakao_bot.sessionmaker() as session:
        assert (await session.scalars(select(KakaoAccount))).first() is None


async def test_without_a_skill_secret_the_channel_is_off(runtime: Runtime) -> None:
    async with TestClient(TestServer(runtime.web_app())) as client:
        body = json.dumps(skill_payload("botUserKey-off", "/start")).encode()
        assert await post_raw(client, body, {SECRET_HEADER: SECRET}) == 404
