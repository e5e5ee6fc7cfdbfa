"""Debates in chat: stance buttons, writing opinions, the opinion list, 👍 and reports; plus
the messages residents post in a debate's forum topic."""

from __future__ import annotations

import logging
from typing import cast

from telegram import Message, Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.buttons import (
    DebateOpinions,
    DebateStanceChoice,
    DebateWrite,
    LikeOpinion,
    ReportOpinion,
    ReportOpinionReason,
)
from bot.domain.debate import OpinionSort, Stance
from bot.domain.permissions import Action
from bot.handlers.access import permitted
from bot.handlers.answering import answer_query
from bot.handlers.common import Awaiting, edit_in_place, pressed, translator_for
from bot.handlers.context import GonggamApplication, GonggamContext
from bot.handlers.pending import AwaitingOpinion
from bot.rendering import debates as view
from bot.rendering import proposals as card_view
from bot.rendering.common import stale_button
from bot.services import browse, debates
from bot.services.debates import OpinionOutcome, StanceOutcome

log = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE
# Outcomes after which the resident may simply send the text again.
RETRY = frozenset({OpinionOutcome.EMPTY, OpinionOutcome.TOO_SHORT, OpinionOutcome.TOO_LONG})


async def choose_stance(update: Update, context: GonggamContext) -> None:
    button = pressed(update, context, DebateStanceChoice)
    if button is None:
        return
    query, choice = button
    t = translator_for(update, context)
    if choice.stance not in {s.value for s in Stance}:
        await answer_query(query, stale_button(t), alert=True)
        return
    stance = Stance(choice.stance)
    async with context.transaction() as session:
        result = await debates.choose_stance(
            session, proposal_id=choice.proposal_id, user_id=context.tracked_user.id,
            stance=stance, now=context.services.clock.now(),
        )
    await answer_query(query, view.stance_reply(t, result.outcome, stance, result.closes_at),
                       alert=result.outcome is StanceOutcome.CLOSED)
    await _refresh_card(update, context, choice.proposal_id)


async def start_or_cancel_writing(update: Update, context: GonggamContext) -> None:
    button = pressed(update, context, DebateWrite)
    if button is None:
        return
    query, target = button
    t = translator_for(update, context)
    if not target.start:
        context.take_pending(AwaitingOpinion)
        await answer_query(query)
        await query.edit_message_text(view.writing_cancelled(t))
        return
    async with context.transaction() as session:
        tally = await debates.load_tally(session, target.proposal_id, context.tracked_user.id,
                                         context.services.clock.now())
    if tally is None or not tally.open:
        await answer_query(query, view.closed_text(t, tally.closes_at if tally else None),
                           alert=True)
        return
    context.expect(AwaitingOpinion(target.proposal_id))
    await answer_query(query)
    prompt = view.opinion_prompt(t, target.proposal_id, tally.title)
    await cast(Message, query.message).reply_html(prompt.text, reply_markup=prompt.reply_markup)


@permitted(Action.WRITE_OPINION)
async def receive_opinion(update: Update, context: GonggamContext) -> None:
    """The text after ✍️: one opinion (a too short or too long one can be sent again)."""
    message = update.effective_message
    pending = context.pending
    if message is None or context.user is None or not isinstance(pending, AwaitingOpinion):
        return
    proposal_id = pending.proposal_id
    async with context.transaction() as session:
        result = await debates.write_opinion(
            session, proposal_id=proposal_id, user_id=context.user.id, text=message.text or "",
            now=context.services.clock.now(), venues=context.services.settings.venues,
        )
    if result.outcome not in RETRY:
        context.take_pending(AwaitingOpinion)
    rendered = view.opinion_answer(translator_for(update, context), result.outcome,
                                   proposal_id, result.closes_at)
    await message.reply_html(rendered.text, reply_markup=rendered.reply_markup)


async def show_opinions(update: Update, context: GonggamContext) -> None:
    button = pressed(update, context, DebateOpinions)
    if button is None:
        return
    query, target = button
    refusal = await _redraw_opinions(update, context, target.proposal_id, target.sort,
                                     target.page)
    await answer_query(query, refusal, alert=refusal is not None)


async def _redraw_opinions(
    update: Update, context: GonggamContext, proposal_id: int, sort: str, page_number: int,
) -> str | None:
    """Show one page of opinions in place (also after a 👍, so the count is current).

    Answers nothing (the caller answers the button once); returns why it could not draw.
    """
    query = update.callback_query
    assert query is not None
    t = translator_for(update, context)
    if sort not in {s.value for s in OpinionSort}:
        return stale_button(t)
    now = context.services.clock.now()
    async with context.transaction() as session:
        page = await debates.list_opinions(
            session, proposal_id, sort=OpinionSort(sort), page=page_number,
            viewer_id=context.tracked_user.id, now=now,
        )
    if page is None:
        return card_view.proposal_not_found(t)
    await edit_in_place(query, view.opinions_page(t, page, now))
    return None


@permitted(Action.LIKE)
async def like(update: Update, context: GonggamContext) -> None:
    button = pressed(update, context, LikeOpinion)
    if button is None:
        return
    query, target = button
    async with context.transaction() as session:
        result = await debates.like_opinion(
            session, opinion_id=target.opinion_id, user_id=context.tracked_user.id,
            now=context.services.clock.now(),
        )
    await answer_query(query, view.like_reply(translator_for(update, context), result.outcome,
                                              result.count))
    if result.outcome is debates.LikeOutcome.LIKED:  # a page it cannot draw stays as it is
        await _redraw_opinions(update, context, target.proposal_id, target.sort, target.page)


async def ask_report_reason(update: Update, context: GonggamContext) -> None:
    button = pressed(update, context, ReportOpinion)
    if button is None:
        return
    query, target = button
    await answer_query(query)
    rendered = view.report_reasons(translator_for(update, context), target.opinion_id)
    await cast(Message, query.message).reply_html(rendered.text, reply_markup=rendered.reply_markup)


@permitted(Action.REPORT)
async def report(update: Update, context: GonggamContext) -> None:
    button = pressed(update, context, ReportOpinionReason)
    if button is None:
        return
    query, target = button
    services = context.services
    async with context.transaction() as session:
        recorded = await debates.report_opinion(
            session, opinion_id=target.opinion_id, user_id=context.tracked_user.id,
            reason=target.reason, now=services.clock.now(), settings=services.settings,
        )
    await answer_query(query)
    await query.edit_message_text(
        view.opinion_report_reply(translator_for(update, context), recorded))


async def forum_message(update: Update, context: GonggamContext) -> None:
    """A message in a debate's forum topic becomes an opinion; the group is not answered.

    Short chatter, repeats and messages after the close are simply not recorded: replying in
    the group to each of them would be noise (and a closed topic takes no bot messages).
    """
    message = update.effective_message
    thread_id = message.message_thread_id if message else None
    if message is None or context.user is None or thread_id is None:
        return
    services = context.services
    async with context.transaction() as session:
        proposal_id = await debates.debate_for_thread(session, message.chat_id, thread_id)
        if proposal_id is None:
            return
        result = await debates.write_opinion(
            session, proposal_id=proposal_id, user_id=context.user.id, text=message.text or "",
            now=services.clock.now(), venues=services.settings.venues, source="forum",
        )
    log.info("forum message in topic %s: %s", thread_id, result.outcome)


async def _refresh_card(update: Update, context: GonggamContext, proposal_id: int) -> None:
    """Edit the card in place with the current state and live counts (a stale card catches up)."""
    query = update.callback_query
    if query is None or query.message is None or context.user is None:
        return
    services = context.services
    now = services.clock.now()
    async with context.transaction() as session:
        card = await browse.load_card(session, proposal_id, context.user.id)
        tally = await debates.load_tally(session, proposal_id, context.user.id, now)
    if card is None:
        return
    rendered = card_view.card(
        translator_for(update, context), card, context.user.id,
        services.settings.policy.endorsement_threshold, now, context.bot.username,
        services.settings.public_base_url, debate=tally,
    )
    await edit_in_place(query, rendered)


def register(application: Application) -> None:
    """Before the fallbacks: the opinion text, the debate buttons, and the forum topic."""
    application.add_handler(MessageHandler(
        PRIVATE & filters.TEXT & ~filters.COMMAND & Awaiting(application, AwaitingOpinion), receive_opinion))
    for pattern, callback in (
        (DebateStanceChoice, choose_stance), (DebateWrite, start_or_cancel_writing),
        (DebateOpinions, show_opinions), (LikeOpinion, like),
        (ReportOpinion, ask_report_reason), (ReportOpinionReason, report),
    ):
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern.matches))
    forum_chat = (application.services.settings.debate_forum_chat_id
                  if isinstance(application, GonggamApplication) else None)
    if forum_chat is not None:
        application.add_handler(MessageHandler(
            filters.Chat(chat_id=forum_chat) & filters.TEXT & ~filters.COMMAND, forum_message))
