"""Quick polls in chat: /polls (opt in or out), /poll_new for staff, and the poll answers."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    PollAnswerHandler,
    filters,
)

from bot.buttons import PollsOptIn
from bot.domain.permissions import Action
from bot.handlers.access import permitted
from bot.handlers.common import actor_of
from bot.handlers.context import GonggamContext
from bot.handlers.shape import Press, Said, on_message, on_press
from bot.rendering import polls as view
from bot.services import polls
from bot.services.polls import PollRequest

log = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE
MULTI_WORDS = frozenset({"multi", "multiple", "복수"})


def parse_poll_command(text: str) -> PollRequest | None:
    """`/poll_new <hours> | <question> | <option> | <option> [| …] [| multi] [| group=<id>]`.

    None when the shape is wrong (no hours, a bad group id); counts and lengths are the
    service's to check, so that its outcomes name the problem.
    """
    _, _, rest = text.partition(" ")
    parts = [part.strip() for part in rest.split("|")]
    if len(parts) < 2 or not parts[0].isdigit():
        return None
    extras = _options_and_words(parts[2:])
    if extras is None:
        return None
    options, multiple, group = extras
    return PollRequest(int(parts[0]), parts[1], options, multiple, group)


def _options_and_words(
    parts: list[str],
) -> tuple[tuple[str, ...], bool, int | None] | None:
    """The options, and whether `multi` and `group=<id>` were among them; None for a bad id."""
    multiple, group, options = False, None, []
    for part in parts:
        if part.lower() in MULTI_WORDS:
            multiple = True
        elif part.lower().startswith("group="):
            chat = part.split("=", 1)[1].strip()
            if not chat.lstrip("-").isdigit():
                return None
            group = int(chat)
        else:
            options.append(part)
    return tuple(options), multiple, group


@permitted(Action.POLL_ADMIN)
@on_message
async def new_poll(said: Said) -> None:
    """/poll_new — staff only; the role is re-checked now, not trusted from the menu."""
    request = parse_poll_command(said.message.text or "")
    if request is None:
        await said.reply_html(view.usage(said.t))
        return
    async with said.context.transaction() as session:
        result = await polls.create_poll(session, request, now=said.now,
                                         actor=actor_of(said.update))
    await said.reply_html(view.create_reply(said.t, result))


@on_message
async def show_opt_in(said: Said) -> None:
    async with said.context.transaction() as session:
        opted_in = await polls.polls_opt_in(session, said.user_id)
    await said.send(view.opt_in_view(said.t, opted_in))


@on_press(PollsOptIn)
async def toggle_opt_in(press: Press[PollsOptIn]) -> None:
    opted_in = bool(press.data.opt_in)
    async with press.context.transaction() as session:
        await polls.set_polls_opt_in(session, press.user_id, opted_in)
    await press.ack()
    rendered = view.opt_in_view(press.t, opted_in)
    message = press.query.message
    if message is not None and rendered.text != getattr(message, "text", None):
        await press.query.edit_message_text(rendered.text, reply_markup=rendered.reply_markup)


async def poll_answer(update: Update, context: GonggamContext) -> None:
    """A vote, a changed vote or a retraction (empty option list) on any copy of a poll."""
    answer = update.poll_answer
    if answer is None or context.user is None:
        return  # an anonymous chat voter: not a resident we can count
    async with context.transaction() as session:
        outcome = await polls.record_vote(
            session, telegram_poll_id=answer.poll_id, user_id=context.user.id,
            option_ids=list(answer.option_ids), now=context.services.clock.now(),
        )
    log.info("poll answer on %s: %s", answer.poll_id, outcome)


def register(application: Application) -> None:
    """Before the fallbacks (their command catch-all would answer /polls otherwise)."""
    application.add_handler(CommandHandler("polls", show_opt_in, filters=PRIVATE))
    application.add_handler(CommandHandler("poll_new", new_poll, filters=PRIVATE))
    application.add_handler(CallbackQueryHandler(toggle_opt_in, pattern=PollsOptIn.matches))
    application.add_handler(PollAnswerHandler(poll_answer))
