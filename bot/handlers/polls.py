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
from bot.handlers.answering import answer_query
from bot.handlers.common import actor_of, pressed, translator_for
from bot.handlers.context import GonggamContext
from bot.rendering import polls as view
from bot.services import polls
from bot.services.polls import CreateOutcome, PollRequest

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
    multiple, group, options = False, None, []
    for part in parts[2:]:
        if part.lower() in MULTI_WORDS:
            multiple = True
        elif part.lower().startswith("group="):
            chat = part.split("=", 1)[1].strip()
            if not chat.lstrip("-").isdigit():
                return None
            group = int(chat)
        else:
            options.append(part)
    return PollRequest(int(parts[0]), parts[1], tuple(options), multiple, group)


@permitted(Action.POLL_ADMIN)
async def new_poll(update: Update, context: GonggamContext) -> None:
    """/poll_new — staff only; the role is re-checked now, not trusted from the menu."""
    t = translator_for(update, context)
    message = update.effective_message
    assert message is not None
    request = parse_poll_command(message.text or "")
    if request is None:
        await message.reply_html(view.usage(t))
        return
    services = context.services
    async with context.transaction() as session:
        result = await polls.create_poll(
            session, request, now=services.clock.now(),
            actor=actor_of(update),
        )
    if result.outcome is not CreateOutcome.CREATED:
        await message.reply_html(view.problem(t, result.outcome))
        return
    assert result.poll_id is not None and result.closes_at is not None
    await message.reply_html(view.created(t, result.poll_id, result.copies, result.closes_at))


async def show_opt_in(update: Update, context: GonggamContext) -> None:
    if context.user is None or update.effective_message is None:
        return
    async with context.transaction() as session:
        opted_in = await polls.polls_opt_in(session, context.user.id)
    rendered = view.opt_in_view(translator_for(update, context), opted_in)
    await update.effective_message.reply_html(rendered.text, reply_markup=rendered.reply_markup)


async def toggle_opt_in(update: Update, context: GonggamContext) -> None:
    button = pressed(update, context, PollsOptIn)
    if button is None:
        return
    query, choice = button
    assert context.user is not None  # `pressed` checked it
    opted_in = bool(choice.opt_in)
    async with context.transaction() as session:
        await polls.set_polls_opt_in(session, context.user.id, opted_in)
    await answer_query(query)
    rendered = view.opt_in_view(translator_for(update, context), opted_in)
    if query.message is not None and rendered.text != getattr(query.message, "text", None):
        await query.edit_message_text(rendered.text, reply_markup=rendered.reply_markup)


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
