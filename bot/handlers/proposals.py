"""Browsing proposals, their cards, 공감, sharing, muting, reporting and withdrawing."""

from __future__ import annotations

import logging
from typing import cast

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.buttons import (
    Endorse,
    ListFilters,
    ListPage,
    MuteProposal,
    OpenProposal,
    ReportProposal,
    ReportReason,
    Unendorse,
    WithdrawProposal,
)
from bot.domain.lifecycle import ProposalStatus
from bot.domain.permissions import Action
from bot.handlers.access import permitted
from bot.handlers.answering import answer_query
from bot.handlers.common import Awaiting, edit_in_place, pressed, translator_for
from bot.handlers.context import GonggamContext
from bot.handlers.pending import AwaitingSearch, PendingEndorsement
from bot.rendering import Rendered
from bot.rendering import moderation as moderation_view
from bot.rendering import proposals as view
from bot.rendering.common import menu_keyboard
from bot.services import browse, debates, proposals
from bot.services.debates import DebateTally
from bot.services.proposals import EndorseOutcome, WithdrawOutcome
from bot.services.search import search
from bot.telegram_errors import is_message_to_edit_gone, is_not_modified

log = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE
LoadedCard = tuple[browse.ProposalCard, DebateTally | None]
REPORT_CARDS = "report_cards"  # proposal id → the card whose 🚩 was pressed (to mark it)


async def show_list(update: Update, context: GonggamContext) -> None:
    """/proposals [keyword]: a keyword searches; otherwise the popular list."""
    if context.args:
        await _reply_search(update, context, " ".join(context.args))
        return
    await _send(update, await _list_view(update, context, ListPage("pop", "all", 0)))


async def turn_page(update: Update, context: GonggamContext) -> None:
    button = pressed(update, context, ListPage)
    if button is None:
        return
    query, page = button
    await answer_query(query)
    await edit_in_place(query, await _list_view(update, context, page))


async def choose_filter(update: Update, context: GonggamContext) -> None:
    button = pressed(update, context, ListFilters)
    if button is None:
        return
    query, choice = button
    await answer_query(query)
    t = translator_for(update, context)
    if choice.kind == "search":
        context.expect(AwaitingSearch())
        await cast(Message, query.message).reply_text(view.search_prompt(t))
        return
    picker = (
        view.area_picker(t, context.services.settings.areas, "new")
        if choice.kind == "area"
        else view.status_picker(t, "new")
    )
    await edit_in_place(query, picker)


async def search_keyword(update: Update, context: GonggamContext) -> None:
    """The text after tapping 🔍: a one-shot keyword search."""
    context.take_pending(AwaitingSearch)
    await _reply_search(update, context, cast(Message, update.effective_message).text or "")


async def open_card(update: Update, context: GonggamContext) -> None:
    button = pressed(update, context, OpenProposal)
    if button is None:
        return
    query, target = button
    await answer_query(query)
    await _send_card(update, context, target.proposal_id)


async def open_deep_link(update: Update, context: GonggamContext, proposal_id: int) -> None:
    """`/start p<id>` from a shared link."""
    await _send_card(update, context, proposal_id)


@permitted(Action.ENDORSE)
async def endorse(update: Update, context: GonggamContext) -> None:
    button = pressed(update, context, Endorse)
    if button is None:
        return
    query, target = button
    services = context.services
    async with context.transaction() as session:
        result = await proposals.endorse(
            session, proposal_id=target.proposal_id, user_id=context.tracked_user.id,
            now=services.clock.now(), policy=services.settings.policy,
            venues=services.settings.venues, secret_key=services.settings.secret_key,
            smtp_url=services.settings.smtp_url, calendar=services.calendar,
        )
    await _after_endorsement(update, context, target.proposal_id, result)


async def unendorse(update: Update, context: GonggamContext) -> None:
    button = pressed(update, context, Unendorse)
    if button is None:
        return
    query, target = button
    async with context.transaction() as session:
        result = await proposals.withdraw_endorsement(
            session, proposal_id=target.proposal_id, user_id=context.tracked_user.id
        )
    await _after_endorsement(update, context, target.proposal_id, result)


async def receive_contact(update: Update, context: GonggamContext) -> None:
    """The phone number shared for ENDORSEMENT_REQUIRES=contact: hashed, then the 공감 retried."""
    message = update.effective_message
    contact = message.contact if message else None
    if message is None or contact is None or context.user is None:
        return
    t = translator_for(update, context)
    if contact.user_id != update.effective_user.id:  # type: ignore[union-attr]
        await message.reply_text(view.share_own_number(t))
        return
    services = context.services
    async with context.transaction() as session:
        await proposals.record_phone(
            session, user_id=context.user.id, phone=contact.phone_number,
            secret_key=services.settings.secret_key,
        )
    pending = context.take_pending(PendingEndorsement)
    await message.reply_text(view.number_stored(t), reply_markup=menu_keyboard(t))
    if pending is not None:
        async with context.transaction() as session:
            result = await proposals.endorse(
                session, proposal_id=pending.proposal_id, user_id=context.user.id,
                now=services.clock.now(), policy=services.settings.policy,
                venues=services.settings.venues, secret_key=services.settings.secret_key,
                smtp_url=services.settings.smtp_url, calendar=services.calendar,
            )
        reply = view.endorse_reply(t, result.outcome, result.count,
                                   services.settings.policy.endorsement_threshold)
        await message.reply_text(reply)


async def mute(update: Update, context: GonggamContext) -> None:
    button = pressed(update, context, MuteProposal)
    if button is None:
        return
    query, target = button
    async with context.transaction() as session:
        await proposals.set_muted(session, proposal_id=target.proposal_id, user_id=context.tracked_user.id,
                                  muted=bool(target.muted), now=context.services.clock.now())
    t = translator_for(update, context)
    await answer_query(query, view.mute_reply(t, bool(target.muted)))
    await _refresh_card(update, context, target.proposal_id)


async def ask_report_reason(update: Update, context: GonggamContext) -> None:
    button = pressed(update, context, ReportProposal)
    if button is None:
        return
    query, target = button
    t = translator_for(update, context)
    async with context.transaction() as session:
        card = await browse.load_card(session, target.proposal_id, context.tracked_user.id)
    if card is not None and card.viewer_reported:
        await answer_query(query, view.already_reported(t))
        return
    await answer_query(query)
    if query.message is not None:
        cards = context.user_data.setdefault(REPORT_CARDS, {})  # type: ignore[union-attr]
        cards[target.proposal_id] = query.message.message_id
    await _send(update, moderation_view.report_reasons(t, target.proposal_id))


async def report(update: Update, context: GonggamContext) -> None:
    button = pressed(update, context, ReportReason)
    if button is None:
        return
    query, target = button
    cards = context.user_data.get(REPORT_CARDS) or {}  # type: ignore[union-attr]
    card_message = cards.pop(target.proposal_id, None)
    if target.reason == moderation_view.REPORT_CANCEL:
        await answer_query(query)
        await query.edit_message_text(
            moderation_view.report_cancelled(translator_for(update, context)))
        return
    async with context.transaction() as session:
        recorded = await proposals.report_proposal(
            session, proposal_id=target.proposal_id, user_id=context.tracked_user.id,
            reason=target.reason, now=context.services.clock.now(),
            settings=context.services.settings,
        )
    t = translator_for(update, context)
    await answer_query(query)
    await query.edit_message_text(view.report_reply(t, recorded))
    if recorded and isinstance(card_message, int):
        await _mark_reported(update, context, target.proposal_id, card_message)


async def _mark_reported(
    update: Update, context: GonggamContext, proposal_id: int, message_id: int
) -> None:
    """Redraw the card the 🚩 was pressed on, so its button shows the report."""
    rendered = await _card_view(update, context, proposal_id)
    chat = update.effective_chat
    if rendered is None or chat is None:
        return
    try:
        await context.bot.edit_message_text(rendered.text, chat_id=chat.id,
                                            message_id=message_id, parse_mode="HTML",
                                            reply_markup=rendered.reply_markup)
    except BadRequest as error:  # the card was deleted, or is already up to date
        if not (is_not_modified(error) or is_message_to_edit_gone(error)):
            raise
        log.info("could not mark card %s as reported: %s", message_id, error)


async def withdraw(update: Update, context: GonggamContext) -> None:
    button = pressed(update, context, WithdrawProposal)
    if button is None:
        return
    query, target = button
    t = translator_for(update, context)
    if not target.confirmed:
        async with context.transaction() as session:
            card = await browse.load_card(session, target.proposal_id, context.tracked_user.id)
        await answer_query(query)
        if card is not None and card.is_author(context.tracked_user.id):
            await _send(update, view.withdraw_confirmation(t, card.id, card.title))
        return
    async with context.transaction() as session:
        outcome = await proposals.withdraw_proposal(
            session, proposal_id=target.proposal_id, user_id=context.tracked_user.id,
            now=context.services.clock.now(),
        )
    text = view.withdraw_reply(t, outcome)
    await answer_query(query, text, alert=outcome is not WithdrawOutcome.WITHDRAWN)
    if outcome is WithdrawOutcome.WITHDRAWN:
        await query.edit_message_text(text)


async def _after_endorsement(
    update: Update, context: GonggamContext, proposal_id: int, result: proposals.EndorseResult
) -> None:
    query = update.callback_query
    assert query is not None
    t = translator_for(update, context)
    threshold = context.services.settings.policy.endorsement_threshold
    text = view.endorse_reply(t, result.outcome, result.count, threshold)
    if result.outcome is EndorseOutcome.NEEDS_CONTACT:
        context.expect(PendingEndorsement(proposal_id))
        await answer_query(query)
        await cast(Message, query.message).reply_text(
            text, reply_markup=view.share_contact_keyboard(t))
        return
    await answer_query(query, text, alert=result.outcome is EndorseOutcome.THRESHOLD_REACHED)
    await _refresh_card(update, context, proposal_id)


async def _refresh_card(update: Update, context: GonggamContext, proposal_id: int) -> None:
    """Edit the card in place with the current state (a stale card catches up)."""
    query = update.callback_query
    rendered = await _card_view(update, context, proposal_id)
    if query is None or rendered is None:
        return
    await edit_in_place(query, rendered)


async def _send_card(update: Update, context: GonggamContext, proposal_id: int) -> None:
    loaded = await _load_card(context, proposal_id)
    message = update.effective_message
    if loaded is None or message is None:
        await _send(update, Rendered(view.proposal_not_found(translator_for(update, context))))
        return
    card, _tally = loaded
    if card.photo_file_id and not card.hidden:
        await message.reply_photo(card.photo_file_id)
    await _send(update, _render_card(update, context, loaded))


async def _card_view(update: Update, context: GonggamContext, proposal_id: int) -> Rendered | None:
    loaded = await _load_card(context, proposal_id)
    return _render_card(update, context, loaded) if loaded else None


async def _load_card(context: GonggamContext, proposal_id: int) -> LoadedCard | None:
    """The card and, while it is debated, the live stance counts."""
    if context.user is None:
        return None
    async with context.transaction() as session:
        card = await browse.load_card(session, proposal_id, context.user.id)
        if card is None:
            return None
        tally = None
        if card.status is ProposalStatus.IN_DEBATE:
            tally = await debates.load_tally(session, proposal_id, context.user.id,
                                             context.services.clock.now())
    return card, tally


def _render_card(update: Update, context: GonggamContext, loaded: LoadedCard) -> Rendered:
    assert context.user is not None
    card, tally = loaded
    services = context.services
    if card.hidden and card.is_author(context.user.id):
        return moderation_view.hidden_own_card(translator_for(update, context), card)
    return view.card(translator_for(update, context), card, context.user.id,
                     services.settings.policy.endorsement_threshold, services.clock.now(),
                     context.bot.username, services.settings.public_base_url, debate=tally)


async def _list_view(update: Update, context: GonggamContext, page: ListPage) -> Rendered:
    services = context.services
    t = translator_for(update, context)
    sort = browse.Sort(page.sort) if page.sort in {s.value for s in browse.Sort} else browse.Sort.POPULAR
    area, status, heading = None, None, view.sort_heading(t, sort)
    if page.filter.startswith("a") and page.filter[1:].isdigit():
        areas = services.settings.areas
        area = areas[int(page.filter[1:])] if int(page.filter[1:]) < len(areas) else None
        heading = f"📍 {area}" if area else heading
    elif page.filter.startswith("s") and page.filter[1:].isdigit():
        index = int(page.filter[1:])
        status = view.STATUS_FILTERS[index] if index < len(view.STATUS_FILTERS) else None
        heading = view.status_label(t, status) if status else heading
    async with context.transaction() as session:
        found = await browse.list_proposals(
            session, sort=sort, page=page.page, now=services.clock.now(), area=area, status=status
        )
    return view.proposal_list(t, found, sort.value, page.filter if (area or status) else "all",
                              services.settings.policy.endorsement_threshold,
                              services.clock.now(), heading)


async def _reply_search(update: Update, context: GonggamContext, keyword: str) -> None:
    services = context.services
    t = translator_for(update, context)
    async with context.transaction() as session:
        hits = await search(session, keyword, limit=10, offset=0,
                            statuses=frozenset(ProposalStatus) - {
                                ProposalStatus.PENDING_MODERATION, ProposalStatus.REJECTED})
        items = await browse.proposals_by_ids(session, [hit.proposal_id for hit in hits])
    rendered = view.search_results(t, keyword, [i for i in items if not i.hidden],
                                   services.settings.policy.endorsement_threshold,
                                   services.clock.now())
    await _send(update, rendered)


async def _send(update: Update, rendered: Rendered) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_html(rendered.text, reply_markup=rendered.reply_markup)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("proposals", show_list, filters=PRIVATE))
    application.add_handler(
        MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND & Awaiting(application, AwaitingSearch),
                       search_keyword)
    )
    application.add_handler(MessageHandler(PRIVATE & filters.CONTACT, receive_contact))
    for pattern, callback in (
        (ListPage, turn_page), (ListFilters, choose_filter), (OpenProposal, open_card),
        (Endorse, endorse), (Unendorse, unendorse), (MuteProposal, mute),
        (ReportProposal, ask_report_reason), (ReportReason, report), (WithdrawProposal, withdraw),
    ):
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern.matches))
