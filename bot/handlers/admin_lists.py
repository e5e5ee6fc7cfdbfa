"""/admin's working screens: a work item opened from the queue, the proposal lists (filters,
order, search, page jumps), the staff view of one proposal with its actions, and bulk
approve / reject / assign of selected lines.

Every press parses the list's code again (a forged one gets the stale-button pop-up) and asks
the rules for its own action. The keyword typed last and the selected lines are the staff
member's `user_data` (never in button data: Hangul does not fit 64 bytes, ten numbers
neither); a bulk action re-checks each line in its own service call.
"""

from __future__ import annotations

from html import escape
from typing import cast

from telegram import Message
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.buttons import AdminBulk, AdminItem, AdminList, AdminPick, AdminProposal, MergeConfirm
from bot.domain.admin_lists import ListQuery, page_count, parse_query, typed_number, typed_page
from bot.domain.permissions import Action
from bot.handlers.access import ask, permitted
from bot.handlers.common import Awaiting
from bot.handlers.moderation import (
    acting_of,
    hide_and_settle,
    merge_into,
    restore_and_settle,
    tell_copies,
)
from bot.handlers.pending import AwaitingAdminPage, AwaitingAdminSearch, AwaitingMergeTarget
from bot.handlers.shape import Press, Said, Turn, on_message, on_press
from bot.rendering import Rendered
from bot.rendering import admin_lists as view
from bot.rendering import admin_menu as menu_view
from bot.rendering import moderation as moderation_view
from bot.rendering.assigning import choose_department
from bot.rendering.notifications import NotificationRenderer
from bot.services import admin_lists, departments, work_items
from bot.services.admin_lists import StaffLine
from bot.services.hiding import HIDE_REASONS, PROPOSAL
from bot.services.moderation import ActOutcome

PRIVATE = filters.ChatType.PRIVATE
KEYWORD_KEY = "admin_keyword"
SELECTION_KEY = "admin_selection"


# ----- the queue's items ----------------------------------------------------------------------


@permitted(Action.HANDLE_WORK_ITEM)
@on_press(AdminItem)
async def open_item(press: Press[AdminItem]) -> None:
    """The item as the staff chats got it (same text, same buttons), with ↩️ to the queue."""
    async with press.context.transaction() as session:
        item = await work_items.load_item(session, press.data.item_id)
    if item is None or not item.open:
        await press.alert(moderation_view.closed_item(press.t, item))
        return
    render = NotificationRenderer(press.context.services.i18n)
    notice = render(*moderation_view.notice_of(item), press.t.language)
    await press.show(menu_view.queue_item(press.t, notice, press.data.page))


# ----- the lists ------------------------------------------------------------------------------


def _selection(turn: Turn) -> frozenset[int]:
    chosen = (turn.context.user_data or {}).get(SELECTION_KEY)
    return chosen if isinstance(chosen, frozenset) else frozenset()


def _select(turn: Turn, chosen: frozenset[int]) -> None:
    if turn.context.user_data is not None:
        turn.context.user_data[SELECTION_KEY] = chosen


def _keyword(turn: Turn) -> str | None:
    keyword = (turn.context.user_data or {}).get(KEYWORD_KEY)
    return keyword if isinstance(keyword, str) else None


async def _fetch(turn: Turn, query: ListQuery) -> tuple[list[StaffLine], int]:
    """One page of the list (a keyword's matches or the filtered proposals) and its total."""
    settings = turn.context.services.settings
    async with turn.context.transaction() as session:
        if query.keyword:
            return await admin_lists.keyword_page(session, _keyword(turn) or "", query.page)
        return await admin_lists.proposal_page(
            session, query, areas=settings.areas, categories=settings.categories, now=turn.now)


async def _list_page(turn: Turn, query: ListQuery,
                     fetched: tuple[list[StaffLine], int] | None = None) -> tuple[Rendered, int]:
    """The list's page (`fetched` already, or now) and how many pages it has."""
    settings, keyword = turn.context.services.settings, _keyword(turn)
    lines, total = fetched or await _fetch(turn, query)
    if not query.selecting:
        _select(turn, frozenset())
    shown = view.describe(turn.t, query, settings.areas, settings.categories, keyword)
    return (view.proposal_list(turn.t, query, lines, total, shown, _selection(turn)),
            page_count(total))


def _query(turn: Press[AdminList] | Press[AdminProposal] | Press[AdminPick] | Press[AdminBulk]
           ) -> ListQuery | None:
    query = parse_query(turn.data.query)
    if query is not None and query.keyword and _keyword(turn) is None:
        return None  # the keyword was typed in another life of the bot
    return query


@permitted(Action.OPEN_ADMIN_MENU)
@on_press(AdminList)
async def list_pressed(press: Press[AdminList]) -> None:
    query, action = _query(press), press.data.action
    if query is None or action not in LIST_ACTIONS:
        await press.alert(view.stale(press.t))
        return
    await LIST_ACTIONS[action](press, query)


async def _show(press: Press[AdminList], query: ListQuery) -> None:
    await press.show((await _list_page(press, query))[0])


async def _ask_search(press: Press[AdminList], query: ListQuery) -> None:
    press.context.expect(AwaitingAdminSearch())
    await press.ack()
    await cast(Message, press.query.message).reply_text(view.search_prompt(press.t))


async def _ask_page(press: Press[AdminList], query: ListQuery) -> None:
    pages = page_count((await _fetch(press, query))[1])
    press.context.expect(AwaitingAdminPage(query.code()))
    await press.ack()
    await cast(Message, press.query.message).reply_text(view.page_prompt(press.t, pages))


async def _picker(press: Press[AdminList], query: ListQuery) -> None:
    settings = press.context.services.settings
    await press.show(view.picker(press.t, query, press.data.action, settings.areas,
                                 settings.categories))


LIST_ACTIONS = {"show": _show, "search": _ask_search, "page": _ask_page, "status": _picker,
                "area": _picker, "category": _picker}


@permitted(Action.OPEN_ADMIN_MENU)
@on_message
async def typed_search(said: Said) -> None:
    """The text after 🔍, or `/admin <number|keyword>`."""
    said.context.take_pending(AwaitingAdminSearch)
    await search_for(said, said.message.text or "")


async def search_for(said: Said, text: str) -> None:
    """A number opens that proposal's staff view; anything else lists the matches."""
    number = typed_number(text)
    if number is not None:
        await said.send(await _card(said, number, ListQuery()) or Rendered(
            view.not_found(said.t)))
        return
    if said.context.user_data is not None:
        said.context.user_data[KEYWORD_KEY] = " ".join(text.split())[:100]
    await said.send((await _list_page(said, ListQuery(keyword=True)))[0])


@permitted(Action.OPEN_ADMIN_MENU)
@on_message
async def typed_page_number(said: Said) -> None:
    pending = said.context.take_pending(AwaitingAdminPage)
    query = parse_query(pending.query) if pending is not None else None
    if query is None:
        return
    pages = page_count((await _fetch(said, query))[1])
    page = typed_page(said.message.text or "", pages)
    if page is None:
        said.context.expect(AwaitingAdminPage(query.code()))
        await said.reply(view.page_refused(said.t, pages))
        return
    await said.send((await _list_page(said, query.at(page)))[0])


# ----- one proposal ---------------------------------------------------------------------------


async def _card(turn: Turn, proposal_id: int, query: ListQuery) -> Rendered | None:
    async with turn.context.transaction() as session:
        found = await admin_lists.staff_view(session, proposal_id)
    return None if found is None else view.staff_card(turn.t, found, query)


@permitted(Action.OPEN_ADMIN_MENU)
@on_press(AdminProposal)
async def proposal_pressed(press: Press[AdminProposal]) -> None:
    query, action = _query(press), press.data.action
    if query is None or action not in CARD_ACTIONS:
        await press.alert(view.stale(press.t))
        return
    permission, run = CARD_ACTIONS[action]
    if await ask(press.update, press.context, permission):
        await run(press, query)


async def _redraw_card(press: Press[AdminProposal], query: ListQuery,
                       toast: str | None = None) -> None:
    card = await _card(press, press.data.proposal_id, query)
    if card is None:
        await press.alert(view.not_found(press.t))
        return
    await press.ack(toast)
    await press.redraw(card)


async def _view(press: Press[AdminProposal], query: ListQuery) -> None:
    await _redraw_card(press, query)


def _reason(press: Press[AdminProposal] | Press[AdminBulk]) -> str | None:
    """The code of the reason the button names, None when there is no such reason."""
    arg = press.data.arg
    return HIDE_REASONS[arg] if 0 <= arg < len(HIDE_REASONS) else None


async def _decide(press: Press[AdminProposal], query: ListQuery) -> None:
    action = press.data.action
    reason = _reason(press) if action == "reject" else None
    if action == "reject" and reason is None:
        await press.alert(view.stale(press.t))
        return
    text = moderation_view.reject_reason_text(press.t, reason) if reason is not None else ""
    async with press.context.transaction() as session:
        result = await admin_lists.decide_pending(session, press.data.proposal_id, action,
                                                  acting_of(press), text)
    if result.outcome is ActOutcome.DONE and result.item is not None:
        await _redraw_card(press, query, moderation_view.act_reply(press.t, result.outcome))
        await tell_copies(press, result.item, except_chat=0)
        return
    await press.alert(moderation_view.pending_decided(press.t, done=False, approving=True))


async def _reasons(press: Press[AdminProposal], query: ListQuery) -> None:
    action = "reject" if press.data.action == "reasons" else "hide"
    await press.show(view.reasons(press.t, press.data.proposal_id, query, action))


async def _hide(press: Press[AdminProposal], query: ListQuery) -> None:
    reason = _reason(press)
    if reason is None:
        await press.alert(view.stale(press.t))
        return
    outcome = await hide_and_settle(press, PROPOSAL, press.data.proposal_id, reason)
    await _redraw_card(press, query, moderation_view.hide_reply(press.t, outcome, hiding=True))


async def _restore(press: Press[AdminProposal], query: ListQuery) -> None:
    outcome = await restore_and_settle(press, PROPOSAL, press.data.proposal_id, "")
    await _redraw_card(press, query,
                       moderation_view.hide_reply(press.t, outcome, hiding=False))


async def _assign(press: Press[AdminProposal], query: ListQuery) -> None:
    """The /assign buttons (their own handler assigns), and ↩️ back to the proposal."""
    proposal_id = press.data.proposal_id
    async with press.context.transaction() as session:
        choices = await departments.assignment_choices(session, proposal_id, "")
    if choices is None:
        await press.alert(view.not_found(press.t))
        return
    shown = choose_department(press.t, proposal_id, choices)
    rows = list(shown.reply_markup.inline_keyboard) if shown.reply_markup else []
    await press.show(Rendered(shown.text, view.with_rows(
        rows, view.back_to_card(press.t, proposal_id, query))))


async def _merge(press: Press[AdminProposal], query: ListQuery) -> None:
    """🔗: the next text is the number of the proposal this one duplicates."""
    press.context.expect(AwaitingMergeTarget(press.data.proposal_id))
    await press.ack()
    await cast(Message, press.query.message).reply_text(
        view.merge_target_prompt(press.t, press.data.proposal_id))


@permitted(Action.MERGE)
@on_message
async def typed_merge_target(said: Said) -> None:
    """The number after 🔗: one question names both proposals before anything moves."""
    pending = said.context.take_pending(AwaitingMergeTarget)
    target = typed_number(said.message.text or "")
    if pending is not None and target is None:
        said.context.expect(pending)  # a typo keeps the question open
        await said.reply(view.merge_target_refused(said.t))
        return
    if pending is None or target is None:
        return
    async with said.context.transaction() as session:
        source = await admin_lists.staff_view(session, pending.proposal_id)
        kept = await admin_lists.staff_view(session, target)
    if source is None or kept is None:
        await said.reply(view.not_found(said.t))
        return
    await said.send(view.merge_question(said.t, source, kept))


@permitted(Action.MERGE)
@on_press(MergeConfirm)
async def merge_confirmed(press: Press[MergeConfirm]) -> None:
    source, target = press.data.source_id, press.data.target_id
    result = await merge_into(press, source, target)
    await press.show(Rendered(escape(moderation_view.merge_reply(press.t, result, source,
                                                                 target))))


CARD_ACTIONS = {
    "view": (Action.OPEN_ADMIN_MENU, _view),
    "approve": (Action.APPROVE, _decide),
    "reasons": (Action.REJECT, _reasons),
    "reject": (Action.REJECT, _decide),
    "hides": (Action.HIDE, _reasons),
    "hide": (Action.HIDE, _hide),
    "restore": (Action.RESTORE, _restore),
    "assign": (Action.ASSIGN, _assign),
    "merge": (Action.MERGE, _merge),
}


# ----- bulk actions ---------------------------------------------------------------------------


@permitted(Action.OPEN_ADMIN_MENU)
@on_press(AdminPick)
async def pick(press: Press[AdminPick]) -> None:
    """☐/☑ one line, or select the whole page."""
    query = _query(press)
    if query is None or not query.selecting:
        await press.alert(view.stale(press.t))
        return
    chosen, picked, fetched = _selection(press), press.data.proposal_id, await _fetch(press, query)
    if picked == 0:
        chosen |= {line.id for line in fetched[0]}
    else:
        chosen = chosen - {picked} if picked in chosen else chosen | {picked}
    _select(press, chosen)
    await press.show((await _list_page(press, query, fetched))[0])


@permitted(Action.OPEN_ADMIN_MENU)
@on_press(AdminBulk)
async def bulk(press: Press[AdminBulk]) -> None:
    query, action, chosen = _query(press), press.data.action, _selection(press)
    if query is None or action not in query.bulk_actions or not query.selecting:
        await press.alert(view.stale(press.t))
        return
    if not chosen:
        await press.alert(view.nothing_selected(press.t))
        return
    if await ask(press.update, press.context, BULK_PERMISSIONS[action]):
        await _bulk_step(press, query, sorted(chosen))


BULK_PERMISSIONS = {"approve": Action.APPROVE, "reject": Action.REJECT, "assign": Action.ASSIGN}


async def _bulk_step(press: Press[AdminBulk], query: ListQuery, chosen: list[int]) -> None:
    """Choose the reason or the department, then ask once, then do it and sum it up."""
    action, arg, t = press.data.action, press.data.arg, press.t
    if action == "reject" and arg < 0:
        await press.show(view.bulk_reasons(t, query, len(chosen)))
        return
    if action == "assign" and arg < 0:
        await press.show(view.bulk_departments(t, query, await _departments(press), len(chosen)))
        return
    detail = await _bulk_detail(press)
    if detail is None:
        await press.alert(view.stale(t))
        return
    if not press.data.confirmed:
        await press.show(view.bulk_question(t, query, action, arg, len(chosen), detail))
        return
    await _bulk_do(press, query, chosen, detail)


async def _departments(turn: Turn) -> list[departments.DepartmentView]:
    async with turn.context.transaction() as session:
        return [d for d in await departments.list_departments(session)]


async def _bulk_detail(press: Press[AdminBulk]) -> str | None:
    """The reason's label or the department's name the button names ("" for approval);
    None when it names none."""
    if press.data.action == "approve":
        return ""
    if press.data.action == "reject":
        reason = _reason(press)
        return None if reason is None else moderation_view.reject_reason_text(press.t, reason)
    names = {d.id: d.name for d in await _departments(press)}
    return names.get(press.data.arg)


async def _bulk_do(press: Press[AdminBulk], query: ListQuery, chosen: list[int],
                   detail: str) -> None:
    acting, action = acting_of(press), press.data.action
    async with press.context.transaction() as session:
        if action == "assign":
            result = await admin_lists.assign_many(session, chosen, press.data.arg, acting)
        else:
            result = await admin_lists.decide_many(session, chosen, action, acting, detail)
    _select(press, frozenset())
    await press.show(view.bulk_summary(press.t, query, action, result))
    for item in result.claimed:
        await tell_copies(press, item, except_chat=0)


@on_message
async def search_command(said: Said) -> None:
    """`/admin <number|keyword>`: /admin's handler hands it over once the rules allowed it."""
    await search_for(said, " ".join(said.args))


def register(application: Application) -> None:
    for kind, callback in ((AdminItem, open_item), (AdminList, list_pressed),
                           (AdminProposal, proposal_pressed), (AdminPick, pick),
                           (AdminBulk, bulk)):
        application.add_handler(CallbackQueryHandler(callback, pattern=kind.matches))
    text = PRIVATE & filters.TEXT & ~filters.COMMAND
    application.add_handler(MessageHandler(
        text & Awaiting(application, AwaitingAdminSearch), typed_search))
    application.add_handler(MessageHandler(
        text & Awaiting(application, AwaitingAdminPage), typed_page_number))
    application.add_handler(MessageHandler(
        text & Awaiting(application, AwaitingMergeTarget), typed_merge_target))
    application.add_handler(CallbackQueryHandler(merge_confirmed, pattern=MergeConfirm.matches))
