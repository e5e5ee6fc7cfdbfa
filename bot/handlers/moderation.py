"""Moderators' commands and the buttons of the work items in the moderators' chat.

Commands: /hide p|o <number> <reason>, /restore p|o <number> [reason], /merge <A> <B>,
/ban <telegram id> <days|permanent> <reason>, /unban <telegram id>,
/approve <number>, /reject <number> <reason>, /offline (a form in one message).
Every command and every button re-checks the role at the time of the action.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.buttons import WorkAct
from bot.domain.permissions import Action
from bot.handlers.access import permitted
from bot.handlers.answering import answer_query
from bot.handlers.common import pressed, translator_for
from bot.handlers.context import GonggamContext
from bot.rendering import moderation as view
from bot.services import bans, hiding, moderation, work_items
from bot.services.hiding import HIDE_REASONS, OPINION, PROPOSAL, HideOutcome
from bot.services.moderation import ActOutcome, Moderator, OfflineForm
from bot.services.work_items import WorkKind

log = logging.getLogger(__name__)
PRIVATE = filters.ChatType.PRIVATE
TARGETS = {"p": PROPOSAL, "o": OPINION}
SETTLED_BY_COMMANDS = frozenset({WorkKind.REPORTED, WorkKind.FLAGGED_OPINION})
PERMANENT_WORDS = frozenset({"permanent", "영구"})  # /ban <id> 영구 <reason> works as well


def moderator_of(update: Update, context: GonggamContext) -> Moderator:
    """Who acts: the database user, the Telegram name shown on handled items, the audit actor."""
    user = update.effective_user
    assert user is not None and context.user is not None
    return Moderator(context.user.id, user.full_name or str(user.id), f"telegram:{user.id}")


# ----- hide, restore, approve, reject ---------------------------------------------------------


@permitted(Action.HIDE)
async def hide(update: Update, context: GonggamContext) -> None:
    """/hide p|o <number> <reason>"""
    t = translator_for(update, context)
    target = _target(context.args, reason_required=True)
    if target is None:
        await _reply(update, view.hide_usage(t))
        return
    kind, number, reason = target
    moderator = moderator_of(update, context)
    services = context.services
    now = services.clock.now()
    async with context.transaction() as session:
        outcome = await hiding.hide_content(session, kind=kind, content_id=number,
                                            reason=reason, actor=moderator.actor, now=now)
        if outcome is not HideOutcome.NOT_FOUND:  # hidden now or already: 'keep hidden'
            await moderation.settle_items(session, kind, number, "keep", moderator=moderator,
                                          now=now, kinds=SETTLED_BY_COMMANDS, note=reason)
    await _reply(update, view.hide_reply(t, outcome, hiding=True))


@permitted(Action.RESTORE)
async def restore(update: Update, context: GonggamContext) -> None:
    """/restore p|o <number> [reason] — the reason, when given, is told to the author."""
    t = translator_for(update, context)
    target = _target(context.args, reason_required=False)
    if target is None:
        await _reply(update, view.restore_usage(t))
        return
    kind, number, reason = target
    moderator = moderator_of(update, context)
    services = context.services
    now = services.clock.now()
    async with context.transaction() as session:
        outcome = await hiding.restore_content(session, kind=kind, content_id=number,
                                               actor=moderator.actor, now=now, reason=reason)
        if outcome is HideOutcome.DONE:
            await moderation.settle_items(session, kind, number, "restore", moderator=moderator,
                                          now=now, kinds=SETTLED_BY_COMMANDS, note=reason)
    await _reply(update, view.hide_reply(t, outcome, hiding=False))


def _target(args: list[str] | None, *, reason_required: bool) -> tuple[str, int, str] | None:
    """`p|o <number> [reason…]` as (content kind, id, reason); None when malformed."""
    words = args or []
    if len(words) < (3 if reason_required else 2) or words[0] not in TARGETS \
            or not words[1].isdigit():
        return None
    return TARGETS[words[0]], int(words[1]), " ".join(words[2:])


@permitted(Action.APPROVE)
async def approve(update: Update, context: GonggamContext) -> None:
    """/approve <number> — publish a proposal waiting for moderation."""
    await _decide_pending(update, context, approving=True)


@permitted(Action.REJECT)
async def reject(update: Update, context: GonggamContext) -> None:
    """/reject <number> <reason> — the free-text way of refusing a waiting proposal."""
    await _decide_pending(update, context, approving=False)


async def _decide_pending(update: Update, context: GonggamContext, *, approving: bool) -> None:
    t = translator_for(update, context)
    args = context.args or []
    if not args or not args[0].isdigit() or (not approving and len(args) < 2):
        await _reply(update, view.decide_pending_usage(t))
        return
    number, reason = int(args[0]), " ".join(args[1:])
    moderator = moderator_of(update, context)
    services = context.services
    now = services.clock.now()
    async with context.transaction() as session:
        items = [i for i in await work_items.open_items_for(session, PROPOSAL, number)
                 if i.kind is WorkKind.PENDING]
        result = None
        if items:
            result = await moderation.act_on_item(
                session, items[0], "approve" if approving else "reject", moderator=moderator,
                now=now, settings=services.settings, calendar=services.calendar,
                reason_text=reason)
    done = result is not None and result.outcome is ActOutcome.DONE
    await _reply(update, view.pending_decided(t, done=done, approving=approving))


# ----- merge, ban ---------------------------------------------------------------------------


@permitted(Action.MERGE)
async def merge(update: Update, context: GonggamContext) -> None:
    """/merge <A> <B> — A is a duplicate of B: its 공감 move to B."""
    t = translator_for(update, context)
    args = context.args or []
    if len(args) != 2 or not all(a.isdigit() for a in args):
        await _reply(update, view.merge_usage(t))
        return
    moderator = moderator_of(update, context)
    services = context.services
    async with context.transaction() as session:
        result = await moderation.merge_proposals(
            session, source_id=int(args[0]), target_id=int(args[1]), actor=moderator.actor,
            actor_id=moderator.user_id, now=services.clock.now(), settings=services.settings,
            calendar=services.calendar)
    await _reply(update, view.merge_reply(t, result, int(args[0]), int(args[1])))


@permitted(Action.BAN)
async def ban(update: Update, context: GonggamContext) -> None:
    """/ban <telegram id> <days|permanent|영구> <reason>"""
    t = translator_for(update, context)
    args = context.args or []
    permanent = len(args) > 1 and args[1].lower() in PERMANENT_WORDS
    if len(args) < 3 or not _is_id(args[0]) or not (args[1].isdigit() or permanent):
        await _reply(update, view.ban_usage(t))
        return
    days = None if permanent else int(args[1])
    moderator = moderator_of(update, context)
    services = context.services
    async with context.transaction() as session:
        outcome = await bans.ban_user(session, telegram_id=int(args[0]), days=days,
                                      reason=" ".join(args[2:]), actor=moderator.actor,
                                      now=services.clock.now())
    await _reply(update, view.ban_reply(t, outcome))


@permitted(Action.UNBAN)
async def unban(update: Update, context: GonggamContext) -> None:
    """/unban <telegram id>"""
    t = translator_for(update, context)
    args = context.args or []
    if len(args) != 1 or not _is_id(args[0]):
        await _reply(update, view.unban_usage(t))
        return
    moderator = moderator_of(update, context)
    services = context.services
    async with context.transaction() as session:
        outcome = await bans.unban_user(session, telegram_id=int(args[0]), actor=moderator.actor,
                                        now=services.clock.now())
    await _reply(update, view.unban_reply(t, outcome))


# ----- offline intake -------------------------------------------------------------------------


OFFLINE_CHANNELS = {"종이": "paper", "paper": "paper", "전화": "phone", "phone": "phone",
                    "주민센터": "center", "center": "center"}
FORM_KEYS = {"제목": "title", "title": "title", "내용": "body", "body": "body",
             "동": "area", "area": "area", "분야": "category", "category": "category",
             "이름": "name", "name": "name", "연락처": "contact", "contact": "contact",
             "텔레그램": "telegram", "telegram": "telegram"}


def parse_offline_form(text: str) -> tuple[str, dict[str, str]] | None:
    """`/offline 종이` then `제목: …`, `내용: …`, `동: …`, `분야: …`, `이름: …`, `연락처: …`
    and, for a resident who uses the bot, `텔레그램: <telegram id>`."""
    lines = [line.strip() for line in text.strip().splitlines()]
    head = lines[0].split() if lines else []
    if len(head) != 2 or head[1] not in OFFLINE_CHANNELS:
        return None
    fields: dict[str, str] = {}
    for line in lines[1:]:
        key, colon, value = line.partition(":")
        name = FORM_KEYS.get(key.strip().lower())
        if colon and name and value.strip():
            fields[name] = " ".join(value.split())
    return OFFLINE_CHANNELS[head[1]], fields


def _match(value: str | None, options: tuple[str, ...]) -> str | None:
    """The configured 동 or 분야 meant by `value` ("구로 1동" → "구로1동", "복지" → "복지·건강");
    None when not given, "" when it matches none or several."""
    if not value:
        return None
    squeezed = value.replace(" ", "")
    exact = [o for o in options if o.replace(" ", "") == squeezed]
    starting = [o for o in options if o.replace(" ", "").startswith(squeezed)]
    found = exact or starting
    return found[0] if len(found) == 1 else ""


@permitted(Action.ENTER_OFFLINE)
async def offline(update: Update, context: GonggamContext) -> None:
    """/offline — enter a proposal received on paper, by phone or at a 동 주민센터."""
    t = translator_for(update, context)
    message = update.effective_message
    parsed = parse_offline_form(message.text or "") if message else None
    settings = context.services.settings
    form = _offline_form(parsed, settings.areas, settings.categories)
    if form is None:
        await _reply(update, view.offline_usage(t))
        return
    moderator = moderator_of(update, context)
    services = context.services
    try:
        async with context.transaction() as session:
            proposal_id = await moderation.enter_offline_proposal(
                session, form=form, moderator_id=moderator.user_id, actor=moderator.actor,
                now=services.clock.now(), policy=settings.policy, secret_key=settings.secret_key)
    except moderation.UnknownResident:
        await _reply(update, view.offline_unknown_resident(t, form.telegram_id))
        return
    await _reply(update, view.offline_done(t, proposal_id, form))


def _offline_form(
    parsed: tuple[str, dict[str, str]] | None, areas: tuple[str, ...],
    categories: tuple[str, ...],
) -> OfflineForm | None:
    if parsed is None:
        return None
    channel, fields = parsed
    title, body = fields.get("title", ""), fields.get("body", "")
    area, category = _match(fields.get("area"), areas), _match(fields.get("category"), categories)
    if not 5 <= len(title) <= 80 or len(body) < 10 or area == "" or category == "":
        return None
    if "telegram" in fields:  # a resident who uses the bot: no contact needed
        raw = fields["telegram"]
        if not _is_id(raw):
            return None
        return OfflineForm(channel, title, body, area, category, telegram_id=int(raw))
    if not fields.get("name") or not fields.get("contact"):
        return None
    return OfflineForm(channel, title, body, area, category, fields["name"], fields["contact"])


# ----- work item buttons ----------------------------------------------------------------------


@permitted(Action.HANDLE_WORK_ITEM)
async def press_work_item(update: Update, context: GonggamContext) -> None:
    button = pressed(update, context, WorkAct)
    if button is None:
        return
    query, press = button
    t = translator_for(update, context)
    async with context.transaction() as session:
        item = await work_items.load_item(session, press.item_id)
    if item is None:
        log.warning("work item button for unknown item %s", press.item_id)
        await answer_query(query, view.item_missing(t), alert=True)
        return
    if not item.open:
        await answer_query(query, view.already_handled(t, item), alert=True)
        return
    if press.action in ("reasons", "back"):
        params = {**item.params, "work_item_id": item.id, "work_kind": str(item.kind)}
        markup = (view.reject_reasons_keyboard(t, item.id) if press.action == "reasons"
                  else view.work_item_keyboard(t, params))
        await answer_query(query)
        await query.edit_message_reply_markup(markup)
        return
    if press.action == "other":
        await answer_query(query, view.own_reason_hint(t, item.subject_id), alert=True)
        return
    await _act(update, context, item, press)


async def _act(
    update: Update, context: GonggamContext, item: work_items.WorkItemView, press: WorkAct
) -> None:
    query = update.callback_query
    assert query is not None
    t = translator_for(update, context)
    reason_text = ""
    if press.action == "reject":
        if not 0 <= press.arg < len(HIDE_REASONS):
            log.warning("work item %s: reject reason %s does not exist", item.id, press.arg)
            await answer_query(query, view.button_expired(t), alert=True)
            return
        reason_text = view.reject_reason_text(t, HIDE_REASONS[press.arg])
    services = context.services
    message = query.message
    async with context.transaction() as session:
        result = await moderation.act_on_item(
            session, item, press.action, moderator=moderator_of(update, context),
            now=services.clock.now(), settings=services.settings, calendar=services.calendar,
            argument=press.arg, reason_text=reason_text,
            message_id=message.message_id if message else None)
    if result.outcome is ActOutcome.INVALID:
        log.warning("work item %s (%s): action %s refused", item.id, item.kind, press.action)
        await answer_query(query, view.button_expired(t), alert=True)
        return
    if result.outcome is ActOutcome.NOT_FOUND or result.item is None:
        await answer_query(query, view.item_missing(t), alert=True)
        return
    if result.outcome is ActOutcome.ALREADY_HANDLED:
        await answer_query(query, view.already_handled(t, result.item), alert=True)
        return
    await answer_query(query, view.act_reply(t, result.outcome))
    await _mark_handled(update, context, result, press.arg)


async def _mark_handled(
    update: Update, context: GonggamContext, result: moderation.ActResult, argument: int = 0,
) -> None:
    """Edit the item's message: who did what (which department, which reason) and when;
    the buttons go away. A long item is shortened so the handled line always fits."""
    query = update.callback_query
    item = result.item
    if query is None or query.message is None or item is None or item.claimed_at is None:
        return
    t = translator_for(update, context)
    line = view.handled_line(t, item.claimed_by_name or "", item.action or "", item.claimed_at,
                             view.handled_detail(item, argument))
    if result.outcome is ActOutcome.NO_EFFECT:
        line += " " + view.no_change_mark(t)
    message = query.message
    text = view.with_handled_line(getattr(message, "text_html", None) or "",
                                  getattr(message, "text", None) or "", line)
    await query.edit_message_text(text, parse_mode="HTML", reply_markup=None)


def _is_id(raw: str) -> bool:
    return raw.lstrip("-").isdigit() and len(raw) <= 18


async def _reply(update: Update, text: str) -> None:
    """Plain text: usage lines contain <placeholders> that are not HTML."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(text)


def register(application: Application) -> None:
    """Commands in private chats with the bot; work item buttons wherever the item is."""
    application.add_handler(CallbackQueryHandler(press_work_item, pattern=WorkAct.matches))
    for command, callback in (
        ("hide", hide), ("restore", restore), ("merge", merge), ("ban", ban), ("unban", unban),
        ("approve", approve), ("reject", reject), ("offline", offline),
    ):
        application.add_handler(CommandHandler(command, callback, filters=PRIVATE))
