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

from telegram import KeyboardButton, Message, ReplyKeyboardMarkup
from telegram.ext import Application, CallbackQueryHandler

from bot.buttons import BallotPage, BallotSubmit, BallotTap
from bot.domain.pb.ballot import Action, Ineligible
from bot.handlers.context import GonggamContext
from bot.handlers.shape import Data, Press, Said, on_message, on_press
from bot.i18n import Translator
from bot.rendering import Answer, Rendered
from bot.rendering import ballots as view
from bot.rendering.budget import budget_news_view
from bot.rendering.common import menu_keyboard, stale_button
from bot.services import ballots
from bot.services.ballots import BallotOutcome, BallotResult, LatestResults, RoundBrief
from bot.services.budget import budget_news_opt_in, round_url

log = logging.getLogger(__name__)

DETAILS = "i"  # the name button on a cumulative ballot: show the project, change nothing


@on_message
async def open_budget(said: Said) -> None:
    """/budget and the menu button: the open round's ballot, a choice of rounds, or when the
    next round opens."""
    now = said.now
    async with said.context.transaction() as session:
        rounds = await ballots.open_rounds(session, now)
        upcoming = None if rounds else await ballots.next_round(session, now)
        latest = None if rounds else await ballots.latest_results(session, said.user_id)
        news = bool(rounds) or await budget_news_opt_in(session, said.user_id)
    if not rounds:
        await _reply_nothing_open(said, upcoming, latest, news)
    elif len(rounds) > 1:
        await said.send(view.pick_round(said.t, rounds))
    else:
        await _reply_ballot(said, rounds[0].id)


async def _reply_nothing_open(
    said: Said, upcoming: RoundBrief | None, latest: LatestResults | None, news: bool
) -> None:
    """When the next vote opens and the latest results; then, to a resident who has not
    asked for budget news yet, the offer to hear of the next vote."""
    base_url = said.context.services.settings.venues.public_base_url
    url = round_url(base_url, latest.id) if latest is not None else None
    await said.message.reply_html(view.nothing_open(said.t, upcoming, latest, url),
                                  reply_markup=menu_keyboard(said.t))
    if not news:
        await said.send(budget_news_view(said.t, opted_in=False))


async def _reply_ballot(said: Said, round_id: int) -> None:
    now = said.now
    async with said.context.transaction() as session:
        result = await ballots.show_ballot(session, round_id=round_id, user_id=said.user_id,
                                           now=now)
    if result.ineligible is Ineligible.NEEDS_CONTACT:
        await _ask_for_contact(said.message.reply_text, said.t, result)
        return
    await said.send(_shown(said.t, result, said.context, edit=False))


@on_press(BallotPage)
async def show_page(press: Press[BallotPage]) -> None:
    """◀ ▶, a round picked from the list, ✏️ change, and 🗳 continue from a reminder."""
    target = press.data
    async with press.context.transaction() as session:
        result = await ballots.show_ballot(
            session, round_id=target.round_id, user_id=press.user_id, now=press.now,
            page=None if target.page < 0 else target.page,
            round_version=target.round_version or None,
        )
    if result.outcome is not BallotOutcome.OK:
        await _refuse(press, result)
        return
    await press.show(_shown(press.t, result, press.context, edit=bool(target.edit)))


@on_press(BallotTap)
async def tap(press: Press[BallotTap]) -> None:
    """✅/⬜ on a project, or ➖/➕ on a cumulative ballot: saved at once, or refused."""
    target = press.data
    if target.action == DETAILS:
        await _show_details(press)
        return
    if target.action not in {a.value for a in Action}:
        await press.alert(stale_button(press.t))
        return
    async with press.context.transaction() as session:
        result = await ballots.tap(
            session, round_id=target.round_id, round_version=target.round_version,
            user_id=press.user_id, project_id=target.project_id, action=Action(target.action),
            page=target.page, now=press.now,
        )
    log.info("ballot tap in round %s: %s", target.round_id, result.outcome)
    await _answer_or_refuse(press, result, view.tap_answer(press.t, result, target.project_id))


@on_press(BallotSubmit)
async def submit(press: Press[BallotSubmit]) -> None:
    """📨 shows the summary and asks; ✅ records the ballot and shows the receipt."""
    target = press.data
    use_case = ballots.submit if target.confirmed else ballots.review
    async with press.context.transaction() as session:
        result = await use_case(
            session, round_id=target.round_id, round_version=target.round_version,
            user_id=press.user_id, now=press.now,
        )
    log.info("ballot %s in round %s: %s", "submit" if target.confirmed else "review",
             target.round_id, result.outcome)
    answer = view.submit_answer(press.t, result, confirmed=bool(target.confirmed))
    await _answer_or_refuse(press, result, answer)


async def _answer_or_refuse(
    press: Press[Data], result: BallotResult, answer: Answer | None
) -> None:
    """The button's own answer, or (None) the refusal every ballot button shares."""
    if answer is None:
        await _refuse(press, result)
        return
    await press.answer(answer)


async def _show_details(press: Press[BallotTap]) -> None:
    async with press.context.transaction() as session:
        round_ = await ballots.load_round(session, press.data.round_id)
    project = round_.project(press.data.project_id) if round_ is not None else None
    if project is None:
        await press.alert(stale_button(press.t))
        return
    await press.alert(view.project_details(press.t, project))


async def _refuse(press: Press[Data], result: BallotResult) -> None:
    """A press that cannot act: say why, and redraw the message as things are now; a
    resident whose number is needed is asked for it under the ballot just pressed."""
    await press.answer(view.press_refusal(press.t, result, press.now))
    needs_contact = (result.outcome is BallotOutcome.NOT_ELIGIBLE
                     and result.ineligible is Ineligible.NEEDS_CONTACT)
    if needs_contact and press.query.message is not None:
        await _ask_for_contact(cast(Message, press.query.message).reply_text, press.t, result)


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
