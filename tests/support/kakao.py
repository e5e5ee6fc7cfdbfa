"""A KakaoTalk resident for the tests: posts Kakao i Open Builder's documented skill payload to
the real `/kakao/skill` endpoint and checks every response against Kakao's limits."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.app import Runtime
from bot.db.models import KakaoAccount, User
from bot.domain.kakao import (
    KAKAO_ID_BASE,
    MAX_BASIC_CARD_DESCRIPTION,
    MAX_CARD_BUTTONS,
    MAX_CARD_TITLE,
    MAX_LABEL,
    MAX_LIST_BUTTONS,
    MAX_LIST_ITEMS,
    MAX_OUTPUTS,
    MAX_QUICK_REPLIES,
    MAX_SIMPLE_TEXT,
    MAX_TEXT_CARD_DESCRIPTION,
    SECRET_HEADER,
    KakaoChannel,
)
from bot.services.drafts import save_step
from bot.services.proposals import SubmitOutcome, submit_draft
from bot.settings import Settings
from bot.web.kakao import KAKAO_SKILL_PATH
from sandbox import SandboxServer, SandboxState
from tests.support.answering import final_answer_followed_by
from tests.support.factories import make_user
from tests.support.harness import settings_for

SECRET = "kakao-skill-secret-for-tests"
BOT_ID = "5f1a2b3c4d5e6f7a8b9c0d1e"
BLOCK_ID = "5f1a2b3c4d5e6f7a8b9c0b10"
MORE = "다음 ▶"


def kakao_settings(database_url: str, server: SandboxServer, **overrides: Any) -> Settings:
    channel = KakaoChannel(skill_secret=SECRET, bot_id=BOT_ID, block_id=BLOCK_ID,
                           callback_hosts=("kakao.com", "127.0.0.1"))
    return replace(settings_for(database_url, server, **overrides), kakao=channel)


def skill_payload(
    user_key: str, utterance: str, *, extra: dict[str, Any] | None = None,
    callback_url: str | None = None, bot_id: str = BOT_ID,
) -> dict[str, Any]:
    """A SkillPayload as Kakao documents it (intent, userRequest, bot, action)."""
    user_request: dict[str, Any] = {
        "timezone": "Asia/Seoul",
        "params": {"ignoreMe": "true"},
        "block": {"id": BLOCK_ID, "name": "공감 폴백 블록"},
        "utterance": utterance,
        "lang": "ko",
        "user": {"id": user_key, "type": "botUserKey",
                 "properties": {"botUserKey": user_key, "bot_user_key": user_key}},
    }
    if callback_url is not None:
        user_request["callbackUrl"] = callback_url
    return {
        "intent": {"id": BLOCK_ID, "name": "공감 폴백 블록"},
        "userRequest": user_request,
        "bot": {"id": bot_id, "name": "공감"},
        "action": {"name": "공감 스킬", "clientExtra": extra or {}, "params": {},
                   "id": "5f1a2b3c4d5e6f7a8b9c0a01", "detailParams": {}},
        "contexts": [],
    }


def assert_within_kakao_limits(body: dict[str, Any]) -> None:
    """Kakao's skill response format (version 2.0) and its documented limits."""
    assert body["version"] == "2.0"
    if body.get("useCallback"):
        assert body["useCallback"] is True and body["data"]["text"]
        return
    template = body["template"]
    assert 1 <= len(template["outputs"]) <= MAX_OUTPUTS
    for output in template["outputs"]:
        ((kind, value),) = output.items()
        CHECKS[kind](value)
    replies = template.get("quickReplies", [])
    assert len(replies) <= MAX_QUICK_REPLIES
    for reply in replies:
        _check_button(reply, ("message", "block"))


def _check_simple_text(value: dict[str, Any]) -> None:
    assert 0 < len(value["text"]) <= MAX_SIMPLE_TEXT


def _check_simple_image(value: dict[str, Any]) -> None:
    assert value["imageUrl"].startswith(("https://", "http://")) and value["altText"]


def _check_text_card(value: dict[str, Any]) -> None:
    assert len(value.get("title", "")) <= MAX_CARD_TITLE
    assert len(value.get("description", "")) <= MAX_TEXT_CARD_DESCRIPTION
    assert value.get("title") or value.get("description")
    _check_buttons(value.get("buttons", []), MAX_CARD_BUTTONS)


def _check_basic_card(value: dict[str, Any]) -> None:
    assert len(value.get("description", "")) <= MAX_BASIC_CARD_DESCRIPTION
    assert value["thumbnail"]["imageUrl"]
    _check_buttons(value.get("buttons", []), MAX_CARD_BUTTONS)


def _check_list_card(value: dict[str, Any]) -> None:
    assert value["header"]["title"] and 1 <= len(value["items"]) <= MAX_LIST_ITEMS
    _check_buttons(value.get("buttons", []), MAX_LIST_BUTTONS)


def _check_buttons(buttons: list[dict[str, Any]], most: int) -> None:
    assert len(buttons) <= most
    for button in buttons:
        _check_button(button, ("webLink", "message", "block", "phone", "share"))


def _check_button(button: dict[str, Any], actions: tuple[str, ...]) -> None:
    assert 0 < len(button["label"]) <= MAX_LABEL and button["action"] in actions
    if button["action"] == "block":
        assert button["blockId"] == BLOCK_ID and isinstance(button["extra"], dict)
    elif button["action"] == "message":
        assert button["messageText"]
    elif button["action"] == "webLink":
        assert button["webLinkUrl"].startswith(("https://", "http://"))


CHECKS = {"simpleText": _check_simple_text, "simpleImage": _check_simple_image,
          "textCard": _check_text_card, "basicCard": _check_basic_card,
          "listCard": _check_list_card}


@dataclass(frozen=True)
class KakaoAnswer:
    body: dict[str, Any]

    @property
    def texts(self) -> list[str]:
        found = []
        for output in self.body.get("template", {}).get("outputs", []):
            value = next(iter(output.values()))
            found.append(value.get("text") or value.get("description") or "")
        return found

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def quick_replies(self) -> list[dict[str, Any]]:
        return list(self.body.get("template", {}).get("quickReplies", []))

    @property
    def labels(self) -> list[str]:
        return [reply["label"] for reply in self.quick_replies]

    def reply(self, label: str) -> dict[str, Any]:
        for reply in self.quick_replies:
            if reply["label"] == label:
                return reply
        raise AssertionError(f"no quick reply {label!r} among {self.labels}")


@dataclass
class KakaoResident:
    """One KakaoTalk user (their botUserKey) talking to the skill endpoint."""

    client: TestClient
    user_key: str
    answers: list[KakaoAnswer] = field(default_factory=list)

    @property
    def last(self) -> KakaoAnswer:
        return self.answers[-1]

    async def say(self, utterance: str, **kwargs: Any) -> KakaoAnswer:
        return await self.post(skill_payload(self.user_key, utterance, **kwargs))

    async def press(self, label: str) -> KakaoAnswer:
        """Press a quick reply of the last answer as Kakao does (a block's `extra` comes back
        as `clientExtra`, a message's text as the utterance), paging with 「다음 ▶」 to it."""
        while label not in self.last.labels and MORE in self.last.labels:
            await self._press(self.last.reply(MORE))
        return await self._press(self.last.reply(label))

    async def _press(self, reply: dict[str, Any]) -> KakaoAnswer:
        extra = reply.get("extra") if reply["action"] == "block" else None
        return await self.say(reply["messageText"], extra=extra)

    async def post(self, body: dict[str, Any]) -> KakaoAnswer:
        response = await self.client.post(KAKAO_SKILL_PATH, json=body,
                                          headers={SECRET_HEADER: SECRET})
        assert response.status == 200, await response.text()
        answer = KakaoAnswer(await response.json())
        assert_within_kakao_limits(answer.body)
        self.answers.append(answer)
        return answer


async def published_proposal(runtime: Runtime, title: str = "공원 산책로 가로등 설치") -> int:
    """A Telegram resident's proposal, published through the services."""
    now, settings = runtime.clock.now(), runtime.settings
    async with runtime.sessionmaker() as session, session.begin():
        author = await make_user(session, 5001, now)
        await save_step(session, author.id, now, step="preview", title=title,
                        problem="밤에 공원 산책로가 너무 어두워서 산책하기 무서워요.",
                        solution="산책로를 따라 가로등을 설치해 주세요.",
                        effect="밤에도 안전하게 산책할 수 있어요.")
        submitted = await submit_draft(session, author.id, now, settings.policy,
                                       settings.venues)
    assert submitted.outcome is SubmitOutcome.PUBLISHED and submitted.proposal_id
    return submitted.proposal_id


def kakao_chats_telegram_saw(state: SandboxState) -> list[str]:
    """The Bot API calls that named a Kakao resident's synthetic chat (there must be none)."""
    chats = [str(call.params.get("chat_id", "")) for call in state.calls]
    return [chat for chat in chats if chat.isdigit() and int(chat) >= KAKAO_ID_BASE]


async def kakao_user_row(runtime: Runtime) -> User:
    async with runtime.sessionmaker() as session:
        account = (await session.scalars(select(KakaoAccount))).one()
        user = await session.get(User, account.user_id)
    assert user is not None
    return user


async def answered_for(runtime: Runtime, telegram_follower: int, kakao_follower: User) -> int:
    """A proposal awaiting its answer, followed by a Telegram and a Kakao resident; the
    department publishes its final answer (the followers' pushes go to the outbox)."""
    return await final_answer_followed_by(runtime, author=5101,
                                          followers=[telegram_follower, kakao_follower])
