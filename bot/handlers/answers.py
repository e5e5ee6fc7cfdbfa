"""Residents rating answers and asking for 재심의; staff commands for departments and links."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.buttons import RateAnswer, RatingReason
from bot.domain.permissions import Action
from bot.domain.satisfaction import DissatisfactionReason, listed_reason
from bot.handlers.access import permitted
from bot.handlers.common import Awaiting, actor_of, edit_buttons_in_place, translator_for
from bot.handlers.context import GonggamContext, Session
from bot.handlers.pending import AwaitingRatingReason
from bot.handlers.shape import Press, Said, on_message, on_press
from bot.rendering import Rendered
from bot.rendering import answers as view
from bot.rendering.common import stale_button
from bot.services import answers, debates, departments, head_answers
from bot.services.answers import RatingOutcome, ReasonOutcome

log = logging.getLogger(__name__)
PRIVATE = filters.ChatType.PRIVATE


RATED = frozenset({RatingOutcome.RECORDED, RatingOutcome.UNCHANGED})


@permitted(Action.RATE_ANSWER)
@on_press(RateAnswer)
async def rate(press: Press[RateAnswer]) -> None:
    """🙂 / 🙁: recorded and marked ✓ on the notice; a new 🙁 is asked why (optional)."""
    if press.data.satisfied not in (0, 1):
        await press.alert(stale_button(press.t))
        return
    satisfied, settings = bool(press.data.satisfied), press.context.services.settings
    async with press.context.transaction() as session:
        outcome = await answers.rate_answer(
            session, proposal_id=press.data.proposal_id, user_id=press.user_id,
            satisfied=satisfied, now=press.now, policy=settings.policy, venues=settings.venues,
        )
    await press.ack(view.rating_reply(press.t, outcome, satisfied), alert=outcome not in RATED)
    if outcome in RATED:
        await _mark_choice(press, satisfied)
    if outcome is RatingOutcome.RECORDED and not satisfied:
        await _ask_why(press)


async def _mark_choice(press: Press[RateAnswer], satisfied: bool) -> None:
    """Tick the chosen button on the notice itself; a card's buttons, or a tick that is
    there already (a double tap), stay as they are."""
    message, proposal_id = press.query.message, press.data.proposal_id
    if not isinstance(message, Message) or not view.shows_rating(message.reply_markup,
                                                                 proposal_id):
        return
    await edit_buttons_in_place(press.query,
                                view.rating_buttons(press.t, proposal_id, chosen=satisfied))


async def _ask_why(press: Press[RateAnswer]) -> None:
    question = view.why_question(press.t, press.data.proposal_id,
                                 press.context.services.settings.policy)
    await press.context.bot.send_message(press.query.from_user.id, question.text,
                                         reply_markup=question.reply_markup)


@permitted(Action.RATE_ANSWER)
@on_press(RatingReason)
async def choose_reason(press: Press[RatingReason]) -> None:
    """A listed reason is kept; ✍️ waits for a sentence; 건너뛰기 ends the question."""
    code, proposal_id = press.data.reason, press.data.proposal_id
    if code == view.SKIP_REASON:
        await press.show(Rendered(view.reason_skipped(press.t)))
    elif code == view.TYPE_REASON:
        press.context.expect(AwaitingRatingReason(proposal_id))
        await press.show(Rendered(view.reason_prompt(press.t)))
    elif (reason := listed_reason(code)) is None:
        await press.alert(stale_button(press.t))
    else:
        await _keep_listed_reason(press, reason)


async def _keep_listed_reason(press: Press[RatingReason], reason: DissatisfactionReason) -> None:
    async with press.context.transaction() as session:
        result = await answers.explain_dissatisfaction(
            session, proposal_id=press.data.proposal_id, user_id=press.user_id, reason=reason,
            now=press.now)
    refused = result.outcome is not ReasonOutcome.RECORDED
    await press.ack(view.reason_reply(press.t, result) if refused else None, alert=refused)
    if not refused:
        await press.redraw(Rendered(view.reason_reply(press.t, result)))


@permitted(Action.RATE_ANSWER)
@on_message
async def receive_reason(said: Said) -> None:
    """The sentence after ✍️ (a too short or too long one can be sent again)."""
    pending = said.context.pending
    if not isinstance(pending, AwaitingRatingReason):
        return
    async with said.context.transaction() as session:
        result = await answers.explain_dissatisfaction(
            session, proposal_id=pending.proposal_id, user_id=said.user_id,
            reason=DissatisfactionReason.OTHER, now=said.now, text=said.message.text or "")
    if result.outcome is not ReasonOutcome.INVALID_TEXT:
        said.context.take_pending(AwaitingRatingReason)
    await said.reply(view.reason_reply(said.t, result))


async def ask_re_review(update: Update, context: GonggamContext) -> None:
    """/rereview <proposal number> <reason> — the author's one request for 재심의."""
    t = translator_for(update, context)
    args = context.args or []
    if context.user is None or len(args) < 2 or not args[0].isdigit():
        await _reply(update, view.re_review_usage(t))
        return
    services = context.services
    async with context.transaction() as session:
        outcome = await answers.request_re_review(
            session, proposal_id=int(args[0]), user_id=context.user.id,
            reason=" ".join(args[1:]), now=services.clock.now(),
            venues=services.settings.venues,
        )
    await _reply(update, view.re_review_reply(t, outcome))


@permitted(Action.LIST_DEPARTMENTS)
@on_message
async def list_departments(said: Said) -> None:
    async with said.context.transaction() as session:
        found = await departments.list_departments(session)
    await said.reply(view.department_list(said.t, found))


@permitted(Action.ADD_DEPARTMENT)
@on_message
async def add_department(said: Said) -> None:
    """/department_add <name> — chat ids and e-mails can follow as `chat=<id>` `mail=<a,b>`,
    the department head's e-mail as `head=<e-mail>`; `office=head` marks the district head's
    office, which then gets the links that waited."""
    form = _department_form(said.args)
    if form is None:
        await said.reply(view.department_add_usage(said.t))
        return
    name, chat, mail, office, head = form
    async with said.context.transaction() as session:
        existing = await departments.department_named(session, name)  # names are unique
        department_id = existing or await departments.create_department(
            session, name=name, now=said.now, chat_id=chat, emails=mail, head_office=office,
            actor=actor_of(said.update), head_email=head)
        routed = await _send_waiting_head_links(said, session) if office and not existing else 0
    await said.reply(view.department_added(said.t, department_id, name, routed,
                                           existed=existing is not None))


def _department_form(
    words: list[str],
) -> tuple[str, int | None, str | None, bool, str | None] | None:
    """The name, chat id, e-mails, head's-office mark and head's e-mail typed; None when a
    part cannot be read."""
    options = dict(w.split("=", 1) for w in words if "=" in w)
    name = " ".join(w for w in words if "=" not in w).strip()
    chat, office, head = options.get("chat", ""), options.get("office", ""), options.get("head")
    if (not name or (chat and not chat.lstrip("-").isdigit()) or office not in ("", "head")
            or (head is not None and not departments.is_head_address(head))):
        return None
    return name, int(chat) if chat else None, options.get("mail"), bool(office), head


async def _send_waiting_head_links(said: Said, session: Session) -> int:
    """The proposals routed to the head's office while there was none get their links now."""
    settings = said.context.services.settings
    return await head_answers.route_waiting_to_head(
        session, said.now, policy=settings.policy, venues=settings.venues,
        secret_key=settings.secret_key, smtp_url=settings.smtp_url)


@permitted(Action.ADD_DEPARTMENT)
@on_message
async def set_department_head(said: Said) -> None:
    """/department_head <department number> <e-mail>|- — where an overdue final answer
    escalates after the department (`-` removes the address)."""
    args = said.args
    if (len(args) != 2 or not args[0].isdigit()
            or not (args[1] == "-" or departments.is_head_address(args[1]))):
        await said.reply(view.department_head_usage(said.t))
        return
    address = None if args[1] == "-" else args[1]
    async with said.context.transaction() as session:
        name = await departments.set_head_email(session, int(args[0]), address, now=said.now,
                                                actor=actor_of(said.update))
    await said.reply(view.department_head_set(said.t, name, address))


@permitted(Action.DECIDE_RE_REVIEW)
@on_message
async def decide_re_review(said: Said) -> None:
    """/rereview_decide <proposal number> yes|no"""
    args = said.args
    if len(args) != 2 or not args[0].isdigit() or args[1] not in ("yes", "no"):
        await said.reply(view.re_review_decide_usage(said.t))
        return
    services = said.context.services
    async with said.context.transaction() as session:
        done = await answers.decide_re_review(
            session, proposal_id=int(args[0]), approve=args[1] == "yes",
            moderator=actor_of(said.update),
            now=said.now, policy=services.settings.policy, calendar=services.calendar,
        )
    await said.reply(view.re_review_decided(said.t, done))


@permitted(Action.DEBATE_ADMIN)
@on_message
async def open_debate(said: Said) -> None:
    """/debate_open <proposal number> — open a debate without waiting for the department."""
    args = said.args
    if len(args) != 1 or not args[0].isdigit():
        await said.reply(view.debate_open_usage(said.t))
        return
    settings = said.context.services.settings
    async with said.context.transaction() as session:
        outcome = await debates.open_debate(
            session, int(args[0]), now=said.now, policy=settings.policy,
            venues=settings.venues, actor=actor_of(said.update),
            calendar=said.context.services.calendar,
        )
    await said.reply(view.debate_open_reply(said.t, outcome))


@permitted(Action.DEBATE_ADMIN)
@on_message
async def extend_debate(said: Said) -> None:
    """/debate_extend <proposal number> <days, 1–14> <reason> — once per debate."""
    args = said.args
    if len(args) < 3 or not args[0].isdigit() or not args[1].isdigit():
        await said.reply(view.debate_extend_usage(said.t))
        return
    async with said.context.transaction() as session:
        result = await debates.extend_debate(
            session, int(args[0]), days=int(args[1]), reason=" ".join(args[2:]),
            moderator=actor_of(said.update), now=said.now,
            rules=said.context.services.deadline_rules,
        )
    await said.reply(view.debate_extend_reply(said.t, result.outcome))


@permitted(Action.HIDE_OPINION)
@on_message
async def hide_or_restore_opinion(said: Said) -> None:
    """/opinion_hide <opinion number> <reason> and /opinion_restore <opinion number>."""
    args = said.args
    if not args or not args[0].isdigit():
        await said.reply(view.opinion_hide_usage(said.t))
        return
    hiding = (said.message.text or "").startswith("/opinion_hide")
    done = await _hide_or_restore(said, int(args[0]), hiding=hiding, reason=" ".join(args[1:]))
    await said.reply(view.opinion_hidden_or_restored(said.t, done))


async def _hide_or_restore(said: Said, opinion_id: int, *, hiding: bool, reason: str) -> bool:
    moderator = actor_of(said.update)
    async with said.context.transaction() as session:
        if hiding:
            return await debates.hide_opinion(session, opinion_id=opinion_id,
                                              moderator=moderator, now=said.now, reason=reason)
        return await debates.restore_opinion(session, opinion_id=opinion_id,
                                             moderator=moderator, now=said.now)


async def _reply(update: Update, text: str) -> None:
    """Plain text: usage lines contain <placeholders> that are not HTML."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(text)


def register(application: Application) -> None:
    application.add_handler(MessageHandler(
        PRIVATE & filters.TEXT & ~filters.COMMAND & Awaiting(application, AwaitingRatingReason),
        receive_reason,
    ))
    application.add_handler(CallbackQueryHandler(rate, pattern=RateAnswer.matches))
    application.add_handler(CallbackQueryHandler(choose_reason, pattern=RatingReason.matches))
    for command, callback in (
        ("rereview", ask_re_review), ("departments", list_departments),
        ("department_add", add_department), ("department_head", set_department_head),
        ("rereview_decide", decide_re_review), ("debate_open", open_debate),
        ("debate_extend", extend_debate), ("opinion_hide", hide_or_restore_opinion),
        ("opinion_restore", hide_or_restore_opinion),
    ):
        application.add_handler(CommandHandler(command, callback, filters=PRIVATE))
