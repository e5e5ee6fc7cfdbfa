"""The shared shape of a handler: the opening every button and command repeats, done once.

`@on_press(Kind)` decodes the pressed button (a foreign or malformed press, or one from an
untracked user, is ignored as `pressed` always did) and hands the handler a `Press`: the
query, the decoded data, the translator and the ways a press is answered. `@on_message`
does the same for a command or a message, handing a `Said`. Both stack under
`@permitted(Action.X)`, so a handler body is: parse, call one service in
`context.transaction()`, map the outcome to a reply.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any, Generic, TypeVar

from telegram import CallbackQuery, Message, Update

from bot.buttons import CallbackData
from bot.handlers.answering import answer_query
from bot.handlers.common import edit_in_place, pressed, translator_for
from bot.handlers.context import GonggamContext
from bot.i18n import Translator
from bot.rendering import Answer, Rendered

Data = TypeVar("Data", bound=CallbackData)
Handler = Callable[[Update, GonggamContext], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Turn:
    """What every handler starts from: the update, its context and the user's translator."""

    update: Update
    context: GonggamContext
    t: Translator

    @property
    def user_id(self) -> int:
        """The tracked user's database id (both decorators refuse an untracked user)."""
        return self.context.tracked_user.id

    @property
    def now(self) -> datetime:
        return self.context.services.clock.now()


@dataclass(frozen=True)
class Press(Turn, Generic[Data]):
    """A pressed button of kind `Data`, decoded."""

    query: CallbackQuery
    data: Data

    async def ack(self, text: str | None = None, *, alert: bool = False) -> None:
        """Answer the button: silently, with a toast, or with a pop-up (`alert`)."""
        await answer_query(self.query, text, alert=alert)

    async def alert(self, text: str) -> None:
        """Answer the button with a pop-up."""
        await answer_query(self.query, text, alert=True)

    async def answer(self, answer: Answer) -> None:
        """Answer the button as `answer` says, then redraw its message if it says so."""
        await answer_query(self.query, answer.text, alert=answer.alert)
        if answer.redraw is not None:
            await edit_in_place(self.query, answer.redraw)

    async def show(self, rendered: Rendered) -> None:
        """Answer the button, then redraw its message."""
        await answer_query(self.query)
        await edit_in_place(self.query, rendered)

    async def redraw(self, rendered: Rendered) -> None:
        """Redraw the pressed message (the button was answered already)."""
        await edit_in_place(self.query, rendered)


@dataclass(frozen=True)
class Said(Turn):
    """A command or a message from a tracked user."""

    message: Message

    @property
    def args(self) -> list[str]:
        """The words after a command (empty for a plain message)."""
        return self.context.args or []

    async def reply(self, text: str) -> None:
        """Plain text (usage lines contain <placeholders> that are not HTML)."""
        await self.message.reply_text(text)

    async def reply_html(self, text: str) -> None:
        await self.message.reply_html(text)

    async def send(self, rendered: Rendered) -> None:
        await self.message.reply_html(rendered.text, reply_markup=rendered.reply_markup)


PressHandler = Callable[[Press[Data]], Coroutine[Any, Any, None]]
SaidHandler = Callable[[Said], Coroutine[Any, Any, None]]


def on_press(kind: type[Data]) -> Callable[[PressHandler[Data]], Handler]:
    """Run the handler with the decoded press of a `kind` button; ignore anything else."""

    def shape(handler: PressHandler[Data]) -> Handler:
        @wraps(handler)
        async def run(update: Update, context: GonggamContext) -> None:
            button = pressed(update, context, kind)
            if button is None:
                return
            query, data = button
            await handler(Press(update, context, translator_for(update, context), query, data))

        return run

    return shape


def on_message(handler: SaidHandler) -> Handler:
    """Run the handler with the message of a tracked user; ignore anything else."""

    @wraps(handler)
    async def run(update: Update, context: GonggamContext) -> None:
        message = update.effective_message
        if message is None or context.user is None:
            return
        await handler(Said(update, context, translator_for(update, context), message))

    return run
