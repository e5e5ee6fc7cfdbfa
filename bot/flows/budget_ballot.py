"""/budget: the participatory-budget ballot in chat (pick a round, page through projects,
toggle choices or move points, submit with a confirmation, see the receipt).

There is no ConversationHandler: the draft and its page live in the database (saved on
every tap), so a restart, a pause or a reminder tapped days later all land on the same
screen. Every button carries the round id and version; the service re-checks the round,
the person's eligibility and the rules on every press.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

from telegram import CallbackQuery, KeyboardButton, Message, ReplyKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler

from bot.buttons import BallotPage, BallotSubmit, BallotTap
from bot.domain.pb.ballot import Action, Ineligible, RefusalReason
from bot.handlers.answering import answer_query
from bot.handlers.common import edit_in_place, pressed, translator_for
from bot.handlers.context import GonggamContext
from bot.i18n import Translator
from bot.rendering import Rendered
from bot.rendering import ballots as view
from bot.rendering.common import menu_keyboard, stale_button
from bot.services import ballots
from bot.services.ballots import BallotOutcome, BallotResult
from bot.services.budget import round_url

log = logging.getLogger(__name__)

DETAILS = "i"  # the name button on a cumulative ballot: show the project, change nothing
STALE_REFUSALS = frozenset({RefusalReason.UNKNOWN_PROJECT, RefusalReason.WRONG_ACTION})


async def open_budget(update: Update, context: GonggamContext) -> None:
    """/budget and the menu button: the open round's ballot, a choice of rounds, or when the
    next round opens."""
    message = update.effective_message
    if message is None or context.user is None:
        return
    t = translator_for(update, context)
    now = context.services.clock.now()
    async with context.transaction() as session:
        rounds = await ballots.open_rounds(session, now)
        upcoming = None if rounds else await ballots.next_round(session, now)
        latest = None if rounds else await ballots.latest_results(session, context.user.id)
    if not rounds:
        url = round_url(context.services.settings, latest.id) if latest is not None else None
        await message.reply_html(view.nothing_open(t, upcoming, latest, url),
                                 reply_markup=menu_keyboard(t))
    elif len(rounds) > 1:
        rendered = view.pick_round(t, rounds)
        await message.reply_html(rendered.text, reply_markup=rendered.reply_markup)
    else:
        await _reply_ballot(update, context, rounds[0].id)


async def _reply_ballot(update: Update, context: GonggamContext, round_id: int) -> None:
    message = update.effective_message
    assert message is not None and context.user is not None
    t = translator_for(update, context)
    now = context.services.clock.now()
    async with context.transaction() as session:
        result = await ballots.show_ballot(session, round_id=round_id, user_id=context.user.id,
                                           now=now)
    if result.ineligible is Ineligible.NEEDS_CONTACT:
        await _ask_for_contact(message.reply_text, t, result)
        return
    rendered = _shown(t, result, context, edit=False)
    await message.reply_html(rendered.text, reply_markup=rendered.reply_markup)


async def show_page(update: Update, context: GonggamContext) -> None:
    """◀ ▶, a round picked from the list, ✏️ change, and 🗳 continue from a reminder."""
    button = pressed(update, context, BallotPage)
    if button is None:
        return
    query, target = button
    t = translator_for(update, context)
    async with context.transaction() as session:
        result = await ballots.show_ballot(
            session, round_id=target.round_id, user_id=context.tracked_user.id,
            now=context.services.clock.now(), page=None if target.page < 0 else target.page,
            round_version=target.round_version or None,
        )
    if result.outcome is not BallotOutcome.OK:
        await _refuse(query, t, result, context)
        return
    await answer_query(query)
    await edit_in_place(query, _shown(t, result, context, edit=bool(target.edit)))


async def tap(update: Update, context: GonggamContext) -> None:
    """✅/⬜ on a project, or ➖/➕ on a cumulative ballot: saved at once, or refused."""
    button = pressed(update, context, BallotTap)
    if button is None:
        return
    query, target = button
    t = translator_for(update, context)
    if target.action == DETAILS:
        await _show_details(update, context, query, target)
        return
    if target.action not in {a.value for a in Action}:
        await answer_query(query, stale_button(t), alert=True)
        return
    async with context.transaction() as session:
        result = await ballots.tap(
            session, round_id=target.round_id, round_version=target.round_version,
            user_id=context.tracked_user.id,
            project_id=target.project_id, action=Action(target.action), page=target.page,
            now=context.services.clock.now(),
        )
    log.info("ballot tap in round %s: %s", target.round_id, result.outcome)
    if result.outcome is BallotOutcome.REFUSED and result.refusal is not None:
        refusal = view.tap_refusal_text(t, result.refusal, result.state, target.project_id)
        await answer_query(query, refusal, alert=True)
        if result.refusal.reason in STALE_REFUSALS and result.state is not None:
            await edit_in_place(query, view.ballot_view(t, result.state))
        return
    if result.outcome is not BallotOutcome.OK or result.state is None:
        await _refuse(query, t, result, context)
        return
    await answer_query(query)
    await edit_in_place(query, view.ballot_view(t, result.state))


async def submit(update: Update, context: GonggamContext) -> None:
    """📨 shows the summary and asks; ✅ records the ballot and shows the receipt."""
    button = pressed(update, context, BallotSubmit)
    if button is None:
        return
    query, target = button
    t = translator_for(update, context)
    use_case = ballots.submit if target.confirmed else ballots.review
    async with context.transaction() as session:
        result = await use_case(
            session, round_id=target.round_id, round_version=target.round_version,
            user_id=context.tracked_user.id, now=context.services.clock.now(),
        )
    log.info("ballot %s in round %s: %s", "submit" if target.confirmed else "review",
             target.round_id, result.outcome)
    state = result.state
    if result.outcome is BallotOutcome.OK and state is not None:
        await answer_query(query)
        rendered = (view.receipt_view(t, state, just_submitted=True) if target.confirmed
                    else view.confirm_view(t, state))
        await edit_in_place(query, rendered)
    elif result.outcome is BallotOutcome.SAME and state is not None:
        await answer_query(query, view.already_recorded(t))
        await edit_in_place(query, view.receipt_view(t, state, just_submitted=bool(target.confirmed)))
    elif result.outcome is BallotOutcome.EMPTY:
        await answer_query(query, view.empty_text(t), alert=True)
    elif result.outcome is BallotOutcome.REFUSED and result.refusal is not None:
        await answer_query(query, view.refusal_text(t, result.refusal), alert=True)
    else:
        await _refuse(query, t, result, context)


async def _show_details(
    update: Update, context: GonggamContext, query: CallbackQuery, target: BallotTap
) -> None:
    t = translator_for(update, context)
    async with context.transaction() as session:
        round_ = await ballots.load_round(session, target.round_id)
    project = round_.project(target.project_id) if round_ is not None else None
    if project is None:
        await answer_query(query, stale_button(t), alert=True)
        return
    await answer_query(query, view.project_details(t, project), alert=True)


async def _refuse(
    query: CallbackQuery, t: Translator, result: BallotResult, context: GonggamContext
) -> None:
    """A press that cannot act: say why, and redraw the message as things are now."""
    now = context.services.clock.now()
    state = result.state
    if result.outcome is BallotOutcome.CLOSED:
        text = view.closed_text(t, result.round, now)
        await answer_query(query, text, alert=True)
        await edit_in_place(query, Rendered(text))
    elif result.outcome is BallotOutcome.NOT_ELIGIBLE and result.ineligible is not None:
        await answer_query(query, view.ineligible_text(t, result.ineligible, result.round),
                           alert=True)
        if result.ineligible is Ineligible.NEEDS_CONTACT and query.message is not None:
            # the ballot card was just pressed, so its message is accessible
            await _ask_for_contact(cast(Message, query.message).reply_text, t, result)
    elif result.outcome is BallotOutcome.STALE and state is not None:
        await answer_query(query, view.stale_text(t), alert=True)
        await edit_in_place(query, view.ballot_view(t, state))
    elif result.outcome is BallotOutcome.LOCKED and state is not None:
        await answer_query(query, view.locked_text(t), alert=True)
        await edit_in_place(query, view.receipt_view(t, state, just_submitted=False))
    else:
        await answer_query(query, stale_button(t), alert=True)


def _shown(
    t: Translator, result: BallotResult, context: GonggamContext, *, edit: bool
) -> Rendered:
    """What /budget (or a page button) shows: the receipt once submitted, else the ballot."""
    state = result.state
    if result.outcome is BallotOutcome.OK and state is not None:
        if state.submitted and not state.has_unsent_changes and not edit:
            return view.receipt_view(t, state, just_submitted=False)
        return view.ballot_view(t, state)
    if result.outcome is BallotOutcome.NOT_ELIGIBLE and result.ineligible is not None:
        return Rendered(view.ineligible_text(t, result.ineligible, result.round))
    return Rendered(view.closed_text(t, result.round, context.services.clock.now()))


async def _ask_for_contact(
    reply: Callable[..., Awaitable[Any]], t: Translator, result: BallotResult
) -> None:
    """The same one-tap contact request as 공감 with ENDORSEMENT_REQUIRES=contact; the shared
    number is stored by the proposals module's contact handler."""
    assert result.ineligible is not None
    button = KeyboardButton(view.share_phone_label(t), request_contact=True)
    await reply(
        view.ineligible_text(t, result.ineligible, result.round),
        reply_markup=ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True),
    )


def register(application: Application) -> None:
    """The buttons; /budget itself is registered with the other menu commands in start.py.
    Before the fallbacks, whose catch-all answers unknown buttons as stale."""
    application.add_handler(CallbackQueryHandler(show_page, pattern=BallotPage.matches))
    application.add_handler(CallbackQueryHandler(tap, pattern=BallotTap.matches))
    application.add_handler(CallbackQueryHandler(submit, pattern=BallotSubmit.matches))
