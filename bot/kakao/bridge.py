"""The Kakao bridge: a KakaoTalk turn runs through the very handlers a Telegram update does.

One turn, one resident at a time (turns of one resident queue behind each other):

1. The resident is found by their botUserKey's keyed hash, or made a 공감 user with a
   synthetic Telegram id (bot/services/kakao_accounts.py); the turn is counted.
2. The turn becomes a Telegram-shaped update from that identity, with a synthetic update id
   (negative, unique per account and turn; see `bot.domain.kakao`): an utterance becomes a
   private text message, a pressed button of ours (its callback data in `clientExtra`, or
   its label as the utterance) a callback query on the message it sat on, as the previous
   answer showed it.
3. The real Application handles it while a `Capture` takes everything sent to that chat
   (bot/kakao/capture.py); the pushes held for the resident are shown after it, and
   forgotten only once the answer showing them has been handed to Kakao (`KakaoReply`).
4. `bot.kakao.render` turns what was shown into the skill response, within Kakao's limits;
   what the response showed is stored for the next turn's presses.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any
from weakref import WeakValueDictionary

from sqlalchemy.exc import IntegrityError
from telegram import MessageEntity, Update

from bot.clock import Clock
from bot.db.engine import FastLane
from bot.domain.account_links import LINK_UTTERANCE, UNLINK_UTTERANCE
from bot.domain.digest import DIGEST_KIND
from bot.domain.kakao import KakaoChannel, kakao_key_hash, synthetic_update_id
from bot.domain.text_messages import TEXT_UTTERANCE
from bot.handlers.context import GonggamApplication
from bot.i18n import N_, I18n
from bot.kakao.capture import Capture, Toast, View, capturing, view_of
from bot.kakao.payload import Press, SkillRequest
from bot.kakao.render import Page, Reply, rest_page, turn_page
from bot.rendering import Rendered
from bot.rendering.common import menu_keyboard
from bot.rendering.notifications import NotificationRenderer
from bot.services.kakao_accounts import (
    HeldNotice,
    KakaoTurn,
    begin_turn,
    end_turn,
    forget_held_notices,
    held_notices,
)

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]
# Kakao's skill payload carries no name; the greeting addresses the resident with this one.
KAKAO_DISPLAY_NAME = "이웃"
MESSAGES_KEPT = 20  # the latest messages shown, whose buttons a later press may name
MORE_LABEL = N_("Next ▶")  # 「다음 ▶」
# A turn's hold lapses if its process died mid-turn; longer than a slow turn may take (Kakao
# takes its callback for a minute), so that a live turn never loses it.
TURN_HELD_FOR = timedelta(seconds=90)
FIRST_PAUSE_SECONDS = 0.05  # waiting for another replica's turn of the same resident
LAST_PAUSE_SECONDS = 0.5
MEANT_AS_IS = (LINK_UTTERANCE, UNLINK_UTTERANCE, TEXT_UTTERANCE)  # run even as first words


@dataclass
class Conversation:
    """What the previous answers showed one resident (stored as JSON on their account)."""

    next_message_id: int = 1
    messages: dict[int, JSONDict] = field(default_factory=dict)
    replies: list[Reply] = field(default_factory=list)
    rest: JSONDict | None = None

    @classmethod
    def from_json(cls, stored: JSONDict) -> Conversation:
        return cls(
            int(stored.get("next_message_id", 1)),
            {int(key): value for key, value in stored.get("messages", {}).items()},
            [Reply.from_json(reply) for reply in stored.get("replies", [])],
            stored.get("rest"),
        )

    def to_json(self) -> JSONDict:
        kept = sorted(self.messages)[-MESSAGES_KEPT:]
        return {"next_message_id": self.next_message_id,
                "messages": {str(key): self.messages[key] for key in kept},
                "replies": [reply.__dict__ for reply in self.replies], "rest": self.rest}

    def press_for(self, utterance: str) -> Press | None:
        """A button shown last as a quick reply that sends its label (no block id)."""
        for reply in self.replies:
            if reply.callback is not None and reply.label == utterance:
                return Press(reply.callback, reply.message_id)
        return None

    def wants_more(self, utterance: str) -> bool:
        return self.rest is not None and any(
            reply.more and reply.label == utterance for reply in self.replies)

    def remember(self, page: Page, capture: Capture) -> None:
        self.next_message_id = capture.next_message_id
        self.messages = capture.messages
        self.replies, self.rest = page.replies, page.rest


@dataclass(frozen=True)
class KakaoReply:
    """A turn's skill response and the held pushes it shows, to forget once handed over."""

    response: JSONDict
    held_ids: tuple[int, ...] = ()


@dataclass
class KakaoBridge:
    """Runs Kakao turns through the Application (see the module docstring)."""

    application: GonggamApplication
    fast_lane: FastLane
    clock: Clock
    channel: KakaoChannel
    secret_keys: tuple[str, ...] = field(repr=False)
    i18n: I18n
    public_base_url: str = ""  # where a Telegram link to a proposal points instead
    _locks: WeakValueDictionary[str, asyncio.Lock] = field(
        default_factory=WeakValueDictionary, init=False)

    async def answer(
        self, request: SkillRequest, watch: Callable[[Capture], None] | None = None
    ) -> KakaoReply:
        """The skill response to `request`; `watch` is given the turn's capture as soon as
        it exists (to answer with what it has when the turn takes too long)."""
        hashes = [kakao_key_hash(request.user_key, key) for key in self.secret_keys]
        lock = self._locks.get(hashes[0]) or asyncio.Lock()
        self._locks[hashes[0]] = lock
        async with lock:
            turn = await self._begin(hashes)
            try:
                page, held, conversation = await self._turn(request, turn, watch)
            except BaseException:
                await self.fast_lane.run(partial(
                    end_turn, account_id=turn.account_id, token=turn.token))
                raise
            if not await self.fast_lane.run(partial(
                    end_turn, account_id=turn.account_id, token=turn.token,
                    conversation=conversation.to_json())):
                log.warning("a Kakao turn outlived its hold; what it showed is not kept")
        return KakaoReply(page.response, held)

    async def _turn(
        self, request: SkillRequest, turn: KakaoTurn, watch: Callable[[Capture], None] | None
    ) -> tuple[Page, tuple[int, ...], Conversation]:
        conversation = Conversation.from_json(turn.conversation)
        # a stale or repeated 「다음 ▶」 with nothing left runs as any other utterance
        more = request.wants_more or conversation.wants_more(request.utterance)
        if more and conversation.rest is not None:
            return self._more(conversation.rest, conversation, turn), (), conversation
        page, held = await self._run(request, turn, conversation, watch)
        return page, held, conversation

    async def handed_over(self, reply: KakaoReply) -> None:
        """`reply` has gone to Kakao: the held pushes it showed are not shown again."""
        await self.fast_lane.run(partial(forget_held_notices, ids=reply.held_ids))

    def so_far(self, capture: Capture | None, notice: str, language: str = "ko") -> JSONDict:
        """What a turn that is still running has shown, with `notice` first."""
        shown: list[int | Toast] = [Toast(notice)]
        if capture is not None:
            shown += list(capture.shown)
        views = dict(capture.views) if capture is not None else {}
        return turn_page(shown, views, block_id=self.channel.block_id,
                         more_label=self._more_label(language),
                         public_base_url=self.public_base_url).response

    async def _begin(self, hashes: list[str]) -> KakaoTurn:
        """The turn's resident, once this process holds their turn: while another replica
        runs one, this waits for it (a request that waits too long gets the quick answer,
        `bot.web.kakao`). Two first contacts that raced for one synthetic id: the loser
        tries again (and gets the next one)."""
        token, pause = secrets.token_hex(16), FIRST_PAUSE_SECONDS
        while True:
            now = self.clock.now()
            work = partial(begin_turn, key_hashes=hashes, now=now, token=token,
                           hold_until=now + TURN_HELD_FOR)
            try:
                turn = await self.fast_lane.run(work)
            except IntegrityError:
                log.info("two new Kakao residents took one id at once; trying again")
                turn = await self.fast_lane.run(work)
            if turn is not None:
                return turn
            await asyncio.sleep(pause)
            pause = min(pause * 2, LAST_PAUSE_SECONDS)

    def _more(self, rest: JSONDict, conversation: Conversation, turn: KakaoTurn) -> Page:
        page = rest_page(rest, block_id=self.channel.block_id,
                         more_label=self._more_label(turn.language))
        conversation.replies, conversation.rest = page.replies, page.rest
        return page

    async def _run(
        self, request: SkillRequest, turn: KakaoTurn, conversation: Conversation,
        watch: Callable[[Capture], None] | None,
    ) -> tuple[Page, tuple[int, ...]]:
        press = request.press or conversation.press_for(request.utterance)
        capture = self._capture(turn, conversation, press)
        if watch is not None:
            watch(capture)
        update = self._update(turn, request.utterance, press, capture)
        with capturing(capture):
            await self.application.process_update(update)
        held = await self.fast_lane.run(partial(held_notices, user_id=turn.user_id))
        if held:
            capture.show(_view(self._held(held)))
        page = turn_page(capture.shown, capture.views, block_id=self.channel.block_id,
                         more_label=self._more_label(turn.language),
                         pressed=_pressed_view(press, capture),
                         standing_menu=menu_keyboard(self.i18n.get(turn.language)).to_dict(),
                         public_base_url=self.public_base_url)
        conversation.remember(page, capture)
        return page, tuple(notice.id for notice in held)

    def _capture(
        self, turn: KakaoTurn, conversation: Conversation, press: Press | None
    ) -> Capture:
        bot = self.application.bot
        chat = {"id": turn.telegram_id, "type": "private", "first_name": KAKAO_DISPLAY_NAME}
        bot_user = {"id": bot.id, "is_bot": True, "first_name": bot.first_name,
                    "username": bot.username}
        query_id = f"kakao-{turn.account_id}-{turn.turn}" if press is not None else None
        # Messages kept from earlier turns are in this resident's chat, whatever its id was
        # then: linking or unlinking accounts (bot/services/account_links.py) changes it.
        messages = {key: {**message, "chat": chat}
                    for key, message in conversation.messages.items()}
        return Capture(chat, bot_user, int(self.clock.now().timestamp()),
                       conversation.next_message_id, query_id, messages,
                       language=turn.language)

    def _update(
        self, turn: KakaoTurn, utterance: str, press: Press | None, capture: Capture
    ) -> Update:
        sender = {"id": turn.telegram_id, "is_bot": False, "first_name": KAKAO_DISPLAY_NAME,
                  "language_code": turn.language}
        update_id = synthetic_update_id(turn.account_id, turn.turn)
        if press is not None:
            body: JSONDict = {"callback_query": {
                "id": capture.query_id, "from": sender, "chat_instance": f"kakao-{turn.user_id}",
                "data": press.callback, "message": self._pressed(press, capture)}}
        else:
            first = turn.turn == 1 and not self._meant_as_is(utterance, turn.language)
            body = {"message": self._message("" if first else utterance, sender, capture)}
        parsed = Update.de_json({"update_id": update_id, **body}, self.application.bot)
        assert parsed is not None
        return parsed

    def _message(self, utterance: str, sender: JSONDict, capture: Capture) -> JSONDict:
        """The utterance as a private text message; an empty one (Kakao's welcome, or a
        resident's first words, 「안녕하세요」 say) is /start: the greeting and the menu."""
        text = utterance if utterance.strip() else "/start"
        message: JSONDict = {"message_id": capture.next_message_id, "date": capture.date,
                             "chat": capture.chat, "from": sender, "text": text}
        capture.next_message_id += 1
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": MessageEntity.BOT_COMMAND, "offset": 0,
                                    "length": len(command)}]
        return message

    @staticmethod
    def _pressed(press: Press, capture: Capture) -> JSONDict:
        """The message the button sat on, as last shown; one no longer known reads as
        Telegram's inaccessible message (date 0), which the handlers already expect."""
        known = capture.messages.get(press.message_id or 0)
        if known is not None:
            return known
        return {"message_id": press.message_id or 0, "date": 0, "chat": capture.chat}

    def _held(self, held: list[HeldNotice]) -> Rendered:
        """The pushes held for the resident, rendered as Telegram would have sent them: one
        alone, several as one message in the daily digest's layout (「… 소식」)."""
        renderer, username = NotificationRenderer(self.i18n), self.application.bot.username
        items = [item for notice in held for item in _items(notice)]
        if len(items) == 1:
            return renderer(items[0]["kind"], items[0]["params"], held[0].language, username)
        return renderer.render_digest(items, held[-1].language, username)

    def _meant_as_is(self, utterance: str, language: str) -> bool:
        """A first utterance that must run as typed: a command, a label of the menu (from a
        button of the channel's own menu), linking words and codes (「연결 123456」), or a
        number for 알림톡 (「알림톡 010-…」: the consent must not be lost);
        anything else (「안녕하세요」) gets the greeting a Telegram resident's /start gets."""
        typed = utterance.strip()
        labels = menu_keyboard(self.i18n.get(language)).to_dict()["keyboard"]
        return (typed.startswith("/") or typed.isdigit()
                or any(words.match(typed) for words in MEANT_AS_IS)
                or any(typed == _label(button) for row in labels for button in row))

    def _more_label(self, language: str) -> str:
        return self.i18n.get(language).gettext(MORE_LABEL)


def _pressed_view(press: Press | None, capture: Capture) -> tuple[int, View] | None:
    """The pressed message as it stands after the turn (a redraw counts)."""
    if press is None or press.message_id is None:
        return None
    message_id = press.message_id
    view = capture.views.get(message_id)
    known = capture.messages.get(message_id)
    if view is None and known is None:
        return None
    return message_id, view or view_of(known)


def _label(button: str | JSONDict) -> str:
    return button if isinstance(button, str) else str(button.get("text", ""))


def _items(notice: HeldNotice) -> list[JSONDict]:
    """A held push as digest items (a held digest, for a resident who chose one, is many)."""
    if notice.kind == DIGEST_KIND:
        return list(notice.params["items"])
    return [{"kind": notice.kind, "params": notice.params}]


def _view(rendered: Rendered) -> View:
    markup = rendered.reply_markup.to_dict() if rendered.reply_markup is not None else None
    return View(rendered.text, markup, rendered.photo)
