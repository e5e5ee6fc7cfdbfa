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
from bot.handlers.common import Awaiting, edit_in_place, translator_for
from bot.handlers.context import GonggamContext
from bot.handlers.pending import AwaitingSearch, PendingEndorsement
from bot.handlers.shape import Data, Press, Said, Turn, on_message, on_press
from bot.i18n import Translator
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


@on_press(ListPage)
async def turn_page(press: Press[ListPage]) -> None:
    await press.ack()
    await press.redraw(await _list_view(press.update, press.context, press.data))


@on_press(ListFilters)
async def choose_filter(press: Press[ListFilters]) -> None:
    await press.ack()
    t, kind = press.t, press.data.kind
    if kind == "search":
        press.context.expect(AwaitingSearch())
        await cast(Message, press.query.message).reply_text(view.search_prompt(t))
        return
    picker = (
        view.area_picker(t, press.context.services.settings.areas, "new")
        if kind == "area"
        else view.status_picker(t, "new")
    )
    await press.redraw(picker)


async def search_keyword(update: Update, context: GonggamContext) -> None:
    """The text after tapping 🔍: a one-shot keyword search."""
    context.take_pending(AwaitingSearch)
    await _reply_search(update, context, cast(Message, update.effective_message).text or "")


@on_press(OpenProposal)
async def open_card(press: Press[OpenProposal]) -> None:
    await press.ack()
    await _send_card(press.update, press.context, press.data.proposal_id)


async def open_deep_link(update: Update, context: GonggamContext, proposal_id: int) -> None:
    """`/start p<id>` from a shared link."""
    await _send_card(update, context, proposal_id)


@permitted(Action.ENDORSE)
@on_press(Endorse)
async def endorse(press: Press[Endorse]) -> None:
    result = await _endorse(press, press.data.proposal_id)
    await _after_endorsement(press, press.data.proposal_id, result)


async def _endorse(turn: Turn, proposal_id: int) -> proposals.EndorseResult:
    services = turn.context.services
    async with turn.context.transaction() as session:
        return await proposals.endorse(
            session, proposal_id=proposal_id, user_id=turn.user_id,
            now=turn.now, policy=services.settings.policy,
            venues=services.settings.venues, secret_key=services.settings.secret_key,
            smtp_url=services.settings.smtp_url, calendar=services.calendar,
        )


@on_press(Unendorse)
async def unendorse(press: Press[Unendorse]) -> None:
    async with press.context.transaction() as session:
        result = await proposals.withdraw_endorsement(
            session, proposal_id=press.data.proposal_id, user_id=press.user_id
        )
    await _after_endorsement(press, press.data.proposal_id, result)


@on_message
async def receive_contact(said: Said) -> None:
    """The phone number shared for ENDORSEMENT_REQUIRES=contact: hashed, then the 공감 retried."""
    contact = said.message.contact
    if contact is None:
        return
    if contact.user_id != getattr(said.update.effective_user, "id", None):
        await said.reply(view.share_own_number(said.t))
        return
    async with said.context.transaction() as session:
        await proposals.record_phone(session, user_id=said.user_id, phone=contact.phone_number,
                                     secret_key=said.context.services.settings.secret_key)
    pending = said.context.take_pending(PendingEndorsement)
    await said.message.reply_text(view.number_stored(said.t), reply_markup=menu_keyboard(said.t))
    if pending is not None:
        await _endorse_again(said, pending.proposal_id)


async def _endorse_again(said: Said, proposal_id: int) -> None:
    """The 공감 that waited for the number, now that it is stored."""
    result = await _endorse(said, proposal_id)
    threshold = said.context.services.settings.policy.endorsement_threshold
    await said.reply(view.endorse_reply(said.t, result.outcome, result.count, threshold))


@on_press(MuteProposal)
async def mute(press: Press[MuteProposal]) -> None:
    target = press.data
    async with press.context.transaction() as session:
        await proposals.set_muted(session, proposal_id=target.proposal_id, user_id=press.user_id,
                                  muted=bool(target.muted), now=press.now)
    await press.ack(view.mute_reply(press.t, bool(target.muted)))
    await _refresh_card(press.update, press.context, target.proposal_id)


@on_press(ReportProposal)
async def ask_report_reason(press: Press[ReportProposal]) -> None:
    target = press.data
    async with press.context.transaction() as session:
        card = await browse.load_card(session, target.proposal_id, press.user_id)
    await _refresh_card(press.update, press.context, target.proposal_id)  # a stale card
    if card is not None and card.viewer_reported:
        await press.ack(view.already_reported(press.t))
        return
    await press.ack()
    if press.query.message is not None:
        cards = press.context.user_data.setdefault(REPORT_CARDS, {})  # type: ignore[union-attr]
        cards[target.proposal_id] = press.query.message.message_id
    await _send(press.update, moderation_view.report_reasons(press.t, target.proposal_id))


@on_press(ReportReason)
async def report(press: Press[ReportReason]) -> None:
    target = press.data
    cards = press.context.user_data.get(REPORT_CARDS) or {}  # type: ignore[union-attr]
    card_message = cards.pop(target.proposal_id, None)
    if target.reason == moderation_view.REPORT_CANCEL:
        await press.ack()
        await press.query.edit_message_text(moderation_view.report_cancelled(press.t))
        return
    recorded = await _report(press)
    await press.ack()
    await press.query.edit_message_text(view.report_reply(press.t, recorded))
    if recorded and isinstance(card_message, int):
        await _mark_reported(press.update, press.context, target.proposal_id, card_message)


async def _report(press: Press[ReportReason]) -> bool:
    async with press.context.transaction() as session:
        return await proposals.report_proposal(
            session, proposal_id=press.data.proposal_id, user_id=press.user_id,
            reason=press.data.reason, now=press.now,
            policy=press.context.services.settings.policy,
            venues=press.context.services.settings.venues,
        )


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


@on_press(WithdrawProposal)
async def withdraw(press: Press[WithdrawProposal]) -> None:
    if not press.data.confirmed:
        await _confirm_withdrawal(press)
        return
    async with press.context.transaction() as session:
        outcome = await proposals.withdraw_proposal(
            session, proposal_id=press.data.proposal_id, user_id=press.user_id, now=press.now,
        )
    text = view.withdraw_reply(press.t, outcome)
    await press.ack(text, alert=outcome is not WithdrawOutcome.WITHDRAWN)
    if outcome is WithdrawOutcome.WITHDRAWN:
        await press.query.edit_message_text(text)


async def _confirm_withdrawal(press: Press[WithdrawProposal]) -> None:
    """The first press asks the author to confirm (nobody else is asked)."""
    async with press.context.transaction() as session:
        card = await browse.load_card(session, press.data.proposal_id, press.user_id)
    await press.ack()
    await _refresh_card(press.update, press.context, press.data.proposal_id)  # a stale card
    if card is not None and card.is_author(press.user_id):
        await _send(press.update, view.withdraw_confirmation(press.t, card.id, card.title))


async def _after_endorsement(
    press: Press[Data], proposal_id: int, result: proposals.EndorseResult
) -> None:
    t = press.t
    threshold = press.context.services.settings.policy.endorsement_threshold
    text = view.endorse_reply(t, result.outcome, result.count, threshold)
    if result.outcome is EndorseOutcome.NEEDS_CONTACT:
        press.context.expect(PendingEndorsement(proposal_id))
        await press.ack()
        await cast(Message, press.query.message).reply_text(
            text, reply_markup=view.share_contact_keyboard(t))
        return
    await press.ack(text, alert=result.outcome is EndorseOutcome.THRESHOLD_REACHED)
    await _refresh_card(press.update, press.context, proposal_id)


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
        card = await browse.load_card(session, proposal_id, context.user.id,
                                      context.services.deadline_rules)
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
    known_sorts = {s.value for s in browse.Sort}
    sort = browse.Sort(page.sort) if page.sort in known_sorts else browse.Sort.POPULAR
    area, status, heading = _list_filter(t, page.filter, services.settings.areas,
                                         view.sort_heading(t, sort))
    async with context.transaction() as session:
        found = await browse.list_proposals(
            session, sort=sort, page=page.page, now=services.clock.now(), area=area, status=status
        )
    return view.proposal_list(t, found, sort.value, page.filter if (area or status) else "all",
                              services.settings.policy.endorsement_threshold,
                              services.clock.now(), heading)


def _list_filter(
    t: Translator, raw: str, areas: tuple[str, ...], heading: str
) -> tuple[str | None, ProposalStatus | None, str]:
    """`a<index>` (a 동) or `s<index>` (a status) as the list's filter and its heading;
    anything else filters nothing and keeps `heading`."""
    index = int(raw[1:]) if raw[1:].isdigit() else None
    if raw.startswith("a") and index is not None:
        area = areas[index] if index < len(areas) else None
        return area, None, f"📍 {area}" if area else heading
    if raw.startswith("s") and index is not None:
        status = view.STATUS_FILTERS[index] if index < len(view.STATUS_FILTERS) else None
        return None, status, view.status_label(t, status) if status else heading
    return None, None, heading


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
        MessageHandler(
            PRIVATE & filters.TEXT & ~filters.COMMAND & Awaiting(application, AwaitingSearch),
            search_keyword,
        )
    )
    application.add_handler(MessageHandler(PRIVATE & filters.CONTACT, receive_contact))
    for pattern, callback in (
        (ListPage, turn_page), (ListFilters, choose_filter), (OpenProposal, open_card),
        (Endorse, endorse), (Unendorse, unendorse), (MuteProposal, mute),
        (ReportProposal, ask_report_reason), (ReportReason, report), (WithdrawProposal, withdraw),
    ):
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern.matches))
