"""Debates in chat: stance buttons, writing opinions, the opinion list, 👍 and reports; plus
the messages residents post in a debate's forum topic."""

from __future__ import annotations

import logging
from datetime import datetime
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
from bot.handlers.common import Awaiting, translator_for
from bot.handlers.context import GonggamApplication, GonggamContext
from bot.handlers.pending import AwaitingOpinion
from bot.handlers.shape import Data, Press, on_press
from bot.rendering import Rendered
from bot.rendering import debates as view
from bot.rendering import proposals as card_view
from bot.rendering.common import stale_button
from bot.services import browse, debates
from bot.services.browse import ProposalCard
from bot.services.debates import DebateTally, OpinionOutcome, StanceOutcome

log = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE
# Outcomes after which the resident may simply send the text again.
RETRY = frozenset({OpinionOutcome.EMPTY, OpinionOutcome.TOO_SHORT, OpinionOutcome.TOO_LONG})


@on_press(DebateStanceChoice)
async def choose_stance(press: Press[DebateStanceChoice]) -> None:
    choice = press.data
    if choice.stance not in {s.value for s in Stance}:
        await press.alert(stale_button(press.t))
        return
    stance = Stance(choice.stance)
    async with press.context.transaction() as session:
        result = await debates.choose_stance(
            session, proposal_id=choice.proposal_id, user_id=press.user_id, stance=stance,
            now=press.now,
        )
    await press.ack(view.stance_reply(press.t, result.outcome, stance, result.closes_at),
                    alert=result.outcome is StanceOutcome.CLOSED)
    await _refresh_card(press, choice.proposal_id)


@on_press(DebateWrite)
async def start_or_cancel_writing(press: Press[DebateWrite]) -> None:
    if press.data.start:
        await _start_writing(press)
        return
    press.context.take_pending(AwaitingOpinion)
    await press.ack()
    await press.query.edit_message_text(view.writing_cancelled(press.t))


async def _start_writing(press: Press[DebateWrite]) -> None:
    """Wait for the opinion while the debate is open; otherwise say when it closed."""
    proposal_id = press.data.proposal_id
    async with press.context.transaction() as session:
        tally = await debates.load_tally(session, proposal_id, press.user_id, press.now)
    if tally is None or not tally.open:
        await press.alert(view.closed_text(press.t, tally.closes_at if tally else None))
        return
    press.context.expect(AwaitingOpinion(proposal_id))
    await press.ack()
    prompt = view.opinion_prompt(press.t, proposal_id, tally.title)
    await cast(Message, press.query.message).reply_html(prompt.text,
                                                        reply_markup=prompt.reply_markup)


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


@on_press(DebateOpinions)
async def show_opinions(press: Press[DebateOpinions]) -> None:
    target = press.data
    refusal = await _redraw_opinions(press, target.proposal_id, target.sort, target.page)
    await press.ack(refusal, alert=refusal is not None)


async def _redraw_opinions(
    press: Press[Data], proposal_id: int, sort: str, page_number: int,
) -> str | None:
    """Show one page of opinions in place (also after a 👍, so the count is current).

    Answers nothing (the caller answers the button once); returns why it could not draw.
    """
    if sort not in {s.value for s in OpinionSort}:
        return stale_button(press.t)
    now = press.now
    async with press.context.transaction() as session:
        page = await debates.list_opinions(
            session, proposal_id, sort=OpinionSort(sort), page=page_number,
            viewer_id=press.user_id, now=now,
        )
    if page is None:
        return card_view.proposal_not_found(press.t)
    await press.redraw(view.opinions_page(press.t, page, now))
    return None


@permitted(Action.LIKE)
@on_press(LikeOpinion)
async def like(press: Press[LikeOpinion]) -> None:
    target = press.data
    async with press.context.transaction() as session:
        result = await debates.like_opinion(
            session, opinion_id=target.opinion_id, user_id=press.user_id, now=press.now,
        )
    await press.ack(view.like_reply(press.t, result.outcome, result.count))
    if result.outcome is debates.LikeOutcome.LIKED:  # a page it cannot draw stays as it is
        await _redraw_opinions(press, target.proposal_id, target.sort, target.page)


@on_press(ReportOpinion)
async def ask_report_reason(press: Press[ReportOpinion]) -> None:
    await press.ack()
    rendered = view.report_reasons(press.t, press.data.opinion_id)
    await cast(Message, press.query.message).reply_html(rendered.text,
                                                        reply_markup=rendered.reply_markup)


@permitted(Action.REPORT)
@on_press(ReportOpinionReason)
async def report(press: Press[ReportOpinionReason]) -> None:
    target = press.data
    async with press.context.transaction() as session:
        recorded = await debates.report_opinion(
            session, opinion_id=target.opinion_id, user_id=press.user_id,
            reason=target.reason, now=press.now, policy=press.context.services.settings.policy,
            venues=press.context.services.settings.venues,
        )
    await press.ack()
    await press.query.edit_message_text(view.opinion_report_reply(press.t, recorded))


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


async def _refresh_card(press: Press[DebateStanceChoice], proposal_id: int) -> None:
    """Edit the card in place with the current state and live counts (a stale card catches up)."""
    if press.query.message is None:
        return
    now = press.now
    async with press.context.transaction() as session:
        card = await browse.load_card(session, proposal_id, press.user_id,
                                      press.context.services.deadline_rules)
        tally = await debates.load_tally(session, proposal_id, press.user_id, now)
    if card is not None:
        await press.redraw(_card(press, card, tally, now))


def _card(
    press: Press[DebateStanceChoice], card: ProposalCard, tally: DebateTally | None,
    now: datetime,
) -> Rendered:
    settings = press.context.services.settings
    return card_view.card(
        press.t, card, press.user_id, settings.policy.endorsement_threshold, now,
        press.context.bot.username, settings.public_base_url, debate=tally,
    )


def register(application: Application) -> None:
    """Before the fallbacks: the opinion text, the debate buttons, and the forum topic."""
    application.add_handler(MessageHandler(
        PRIVATE & filters.TEXT & ~filters.COMMAND & Awaiting(application, AwaitingOpinion),
        receive_opinion,
    ))
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
