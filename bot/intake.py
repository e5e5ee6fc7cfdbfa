"""Update intake: every update is stored before Telegram is told it arrived.

Telegram forgets an update once it is acknowledged: by the webhook's 200, or by the next
`getUpdates` whose offset moves past it. Both paths here store the raw update first (see
`bot.services.intake`), then queue it for PTB; a crash at any instant leaves each update
either handled once or stored and handled after the restart (`resume_backlog`).

Polling is our own small loop rather than PTB's `Updater`: the offset moves on only after
the batch is stored, and stopping cancels the long poll at once (the batch it may have
been receiving is not confirmed, so Telegram sends it again).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from telegram import Update
from telegram.error import TelegramError

from bot.clock import Clock
from bot.db.engine import DATABASE_ERRORS, FastLane
from bot.domain.text import hashed_phone
from bot.i18n import I18n, pick_language
from bot.rendering.common import delayed_but_kept
from bot.services.intake import RawUpdate, store_updates, take_backlog
from bot.telegram_bot import GonggamBot

log = logging.getLogger(__name__)

MAX_UPDATE_ID = 2**63 - 1
MAX_NESTING = 40  # Telegram's deepest update (a reply to a reply with entities) is far less
STALE_AFTER = timedelta(minutes=2)  # another replica's stored update, unhandled this long


class MalformedUpdate(ValueError):
    """The body is not an update Telegram would send; the reason is safe to log."""


def update_id_of(body: object) -> int:
    """The update id of a raw update, or MalformedUpdate with the reason.

    Telegram sends a JSON object with an integer `update_id` and one object-valued field
    (`message`, `callback_query`, …); anything else is refused before it is stored.
    """
    if not isinstance(body, dict):
        raise MalformedUpdate(f"not a JSON object but {type(body).__name__}")
    update_id = body.get("update_id")
    if isinstance(update_id, bool) or not isinstance(update_id, int):
        raise MalformedUpdate("update_id is not an integer")
    if not 0 <= update_id <= MAX_UPDATE_ID:
        raise MalformedUpdate("update_id out of range")
    for key, value in body.items():
        if key != "update_id" and not isinstance(value, dict):
            raise MalformedUpdate(f"field {key!r} is not an object")
    if _nesting(body) > MAX_NESTING:
        raise MalformedUpdate("nested too deeply")
    return update_id


def _private_chat_of(body: object) -> tuple[int, str | None] | None:
    """The private chat (and Telegram's language code) an update comes from, if any."""
    if not isinstance(body, dict):
        return None
    for key in ("message", "callback_query", "edited_message"):
        part = body.get(key)
        sender = part.get("from") if isinstance(part, dict) else None
        if not isinstance(part, dict) or not isinstance(sender, dict):
            continue
        if not isinstance(sender.get("id"), int):
            continue
        message = part.get("message")
        chat = part.get("chat") or (message.get("chat") if isinstance(message, dict) else None)
        chat = chat if isinstance(chat, dict) else sender
        if chat.get("type", "private") == "private":
            language = sender.get("language_code")
            return sender["id"], language if isinstance(language, str) else None
    return None


def _usable_id(body: object) -> int | None:
    """The update id even of a malformed update, so that polling can move past it."""
    update_id = body.get("update_id") if isinstance(body, dict) else None
    if isinstance(update_id, int) and not isinstance(update_id, bool):
        return update_id if 0 <= update_id <= MAX_UPDATE_ID else None
    return None


def _nesting(value: object) -> int:
    """How deep containers nest in `value`, without recursion (an attacker picks the depth)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if deepest > MAX_NESTING:
                break
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


@dataclass
class UpdateIntake:
    """Stores raw updates and feeds the new ones to the PTB Application's queue."""

    bot: GonggamBot
    queue: asyncio.Queue[object]
    fast_lane: FastLane
    clock: Clock
    worker: str
    i18n: I18n
    secret_key: str = field(repr=False)
    _told_delayed: set[int] = field(default_factory=set, init=False)  # told this outage

    async def accept(self, bodies: Sequence[object]) -> int:
        """Store the updates among `bodies`, then queue the ones not seen before.

        Returns the highest update id among them (-1 for none), which Telegram may now be
        told to forget. Raises one of DATABASE_ERRORS when they could not be stored: then
        nothing is acknowledged and Telegram sends them again.
        """
        readable, highest = self._readable(bodies)
        raw = [item for item, _ in readable]
        stored = await self.fast_lane.run(
            partial(store_updates, updates=raw, worker=self.worker, now=self.clock.now())
        )
        self._told_delayed.clear()
        for item, update in readable:
            if item.update_id in stored and update is not None:
                await self.queue.put(update)
        return highest

    async def tell_delayed(self, bodies: Sequence[object]) -> None:
        """The updates could not be stored: tell each sender once per outage that they
        are kept (Telegram holds them until we acknowledge) and will be handled."""
        for body in bodies:
            chat = _private_chat_of(body)
            if chat is None or chat[0] in self._told_delayed:
                continue
            self._told_delayed.add(chat[0])
            t = self.i18n.get(pick_language(None, chat[1]))
            try:
                await self.bot.send_message(chat[0], delayed_but_kept(t))
            except TelegramError:
                log.warning("could not tell chat about the delay")

    async def resume_backlog(self) -> int:
        """Queue the stored updates that a crash left unhandled, oldest first."""
        backlog = await self.fast_lane.run(
            partial(take_backlog, worker=self.worker, now=self.clock.now(),
                    stale_after=STALE_AFTER)
        )
        for item in backlog:
            await self.queue.put(self._parse(item))
        if backlog:
            log.info("resuming %d stored updates left unhandled", len(backlog))
        return len(backlog)

    def _readable(
        self, bodies: Sequence[object]
    ) -> tuple[list[tuple[RawUpdate, Update | None]], int]:
        """Each body with a usable id, as it will be stored and (parsed once) handled."""
        readable: list[tuple[RawUpdate, Update | None]] = []
        highest = -1
        for body in bodies:
            update_id = _usable_id(body)
            if update_id is None:
                log.warning("an update without a usable update_id skipped")
                continue
            highest = max(highest, update_id)
            payload, update = self._prepared(body, update_id)
            readable.append((RawUpdate(update_id, payload), update))
        return readable, highest

    def check(self, body: object) -> dict[str, Any]:
        """`body` as an update PTB can handle, or MalformedUpdate with a loggable reason."""
        update_id_of(body)
        assert isinstance(body, dict)
        self._parsed(body)
        return body

    def _parsed(self, payload: dict[str, Any]) -> Update:
        try:
            update = Update.de_json(payload, self.bot)
        except Exception as error:
            raise MalformedUpdate(f"does not parse ({type(error).__name__})") from None
        assert update is not None
        return update

    def _prepared(
        self, body: object, update_id: int
    ) -> tuple[dict[str, Any] | None, Update | None]:
        """The payload to store and the update to handle, or (None, None) for one to skip
        (stored only as a seen id)."""
        try:
            update_id_of(body)
            assert isinstance(body, dict)
            payload = self._without_phone_number(body)
            return payload, self._parsed(payload)
        except MalformedUpdate as error:
            log.warning("malformed update %s skipped: %s", update_id, error)
            return None, None

    def _without_phone_number(self, body: dict[str, Any]) -> dict[str, Any]:
        """A shared contact's number is replaced by its keyed hash before it is stored:
        no phone number is kept in the clear, not even while the update waits."""
        message = body.get("message")
        contact = message.get("contact") if isinstance(message, dict) else None
        if (not isinstance(message, dict) or not isinstance(contact, dict)
                or not isinstance(contact.get("phone_number"), str)):
            return body
        hashed = hashed_phone(contact["phone_number"], self.secret_key)
        return {**body, "message": {**message, "contact": {**contact, "phone_number": hashed}}}

    def _parse(self, item: RawUpdate) -> Update:
        # unparsable updates (no payload) are stored as handled, never queued
        assert item.payload is not None
        return self._parsed(item.payload)


class PollingIntake:
    """Long polling that confirms a batch to Telegram only after it is stored."""

    def __init__(
        self, intake: UpdateIntake, *, timeout: int = 10, retry_delay: float = 1.0,
        max_retry_delay: float = 30.0,
    ) -> None:
        self._intake = intake
        self._timeout = timeout
        self._retry_delay = retry_delay
        self._max_retry_delay = max_retry_delay
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        self._task = asyncio.create_task(self._poll(), name="gonggam:polling")

    async def stop(self) -> None:
        """Stop at once: an unconfirmed batch in flight is sent again by Telegram."""
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _poll(self) -> None:
        offset: int | None = None
        delay = self._retry_delay
        while True:
            try:
                bodies = await self._intake.bot.fetch_raw_updates(offset, self._timeout)
                highest = await self._intake.accept(bodies)
            except DATABASE_ERRORS as error:
                log.warning("updates not stored (database unreachable: %s); asking again",
                            type(error).__name__)
                await self._intake.tell_delayed(bodies)
            except TelegramError as error:
                log.warning("getUpdates failed: %s", error)
            else:
                delay = self._retry_delay
                if highest >= 0:
                    offset = highest + 1
                continue
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._max_retry_delay)
