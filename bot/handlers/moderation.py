"""Moderators' commands and the buttons of the work items in the moderators' chat.

Commands: /hide p|o <number> <reason>, /restore p|o <number> [reason], /merge <A> <B>,
/ban <telegram id> <days|permanent> <reason>, /unban <telegram id>,
/approve <number>, /reject <number> <reason>, /offline (a form in one message).
Every command and every button re-checks the role at the time of the action.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.buttons import WorkAct
from bot.domain.permissions import Action
from bot.domain.text_messages import mobile_number
from bot.handlers.access import permitted
from bot.handlers.common import edit_buttons_in_place
from bot.handlers.context import GonggamContext
from bot.handlers.shape import Press, Said, Turn, on_message, on_press
from bot.rendering import moderation as view
from bot.services import admin_lists, bans, hiding, moderation, work_items
from bot.services.admin_lists import Acting
from bot.services.hiding import HIDE_REASONS, OPINION, PROPOSAL, HideOutcome
from bot.services.moderation import ActOutcome, Moderator, OfflineForm
from bot.services.work_items import WorkKind
from bot.work_item_copies import edit_handled_copies

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
@on_message
async def hide(said: Said) -> None:
    """/hide p|o <number> <reason>"""
    target = _target(said.args, reason_required=True)
    if target is None:
        await said.reply(view.hide_usage(said.t))
        return
    outcome = await hide_and_settle(said, *target)
    await said.reply(view.hide_reply(said.t, outcome, hiding=True))


async def hide_and_settle(turn: Turn, kind: str, number: int, reason: str) -> HideOutcome:
    """Hide the content and settle its open items as 'keep hidden' (hidden now or already)."""
    moderator, now = moderator_of(turn.update, turn.context), turn.now
    async with turn.context.transaction() as session:
        outcome = await hiding.hide_content(session, kind=kind, content_id=number,
                                            reason=reason, actor=moderator.actor, now=now)
        if outcome is not HideOutcome.NOT_FOUND:
            await moderation.settle_items(session, kind, number, "keep", moderator=moderator,
                                          now=now, kinds=SETTLED_BY_COMMANDS, note=reason)
    return outcome


@permitted(Action.RESTORE)
@on_message
async def restore(said: Said) -> None:
    """/restore p|o <number> [reason] — the reason, when given, is told to the author."""
    target = _target(said.args, reason_required=False)
    if target is None:
        await said.reply(view.restore_usage(said.t))
        return
    outcome = await restore_and_settle(said, *target)
    await said.reply(view.hide_reply(said.t, outcome, hiding=False))


async def restore_and_settle(turn: Turn, kind: str, number: int, reason: str) -> HideOutcome:
    """Restore the content and settle its open items as 'restore'."""
    moderator, now = moderator_of(turn.update, turn.context), turn.now
    async with turn.context.transaction() as session:
        outcome = await hiding.restore_content(session, kind=kind, content_id=number,
                                               actor=moderator.actor, now=now, reason=reason)
        if outcome is HideOutcome.DONE:
            await moderation.settle_items(session, kind, number, "restore", moderator=moderator,
                                          now=now, kinds=SETTLED_BY_COMMANDS, note=reason)
    return outcome


def _target(args: list[str] | None, *, reason_required: bool) -> tuple[str, int, str] | None:
    """`p|o <number> [reason…]` as (content kind, id, reason); None when malformed."""
    words = args or []
    if len(words) < (3 if reason_required else 2) or words[0] not in TARGETS \
            or not words[1].isdigit():
        return None
    return TARGETS[words[0]], int(words[1]), " ".join(words[2:])


@permitted(Action.APPROVE)
@on_message
async def approve(said: Said) -> None:
    """/approve <number> — publish a proposal waiting for moderation."""
    await _decide_pending(said, approving=True)


@permitted(Action.REJECT)
@on_message
async def reject(said: Said) -> None:
    """/reject <number> <reason> — the free-text way of refusing a waiting proposal."""
    await _decide_pending(said, approving=False)


async def _decide_pending(said: Said, *, approving: bool) -> None:
    args = said.args
    if not args or not args[0].isdigit() or (not approving and len(args) < 2):
        await said.reply(view.decide_pending_usage(said.t))
        return
    action = "approve" if approving else "reject"
    done = await _decide(said, int(args[0]), action, " ".join(args[1:]))
    await said.reply(view.pending_decided(said.t, done=done, approving=approving))


async def _decide(said: Said, number: int, action: str, reason: str) -> bool:
    """Approve or reject the proposal's pending item; whether that took effect."""
    async with said.context.transaction() as session:
        result = await admin_lists.decide_pending(session, number, action, acting_of(said),
                                                  reason)
    if result.outcome is ActOutcome.DONE and result.item is not None:
        await tell_copies(said, result.item, except_chat=0)
    return result.outcome is ActOutcome.DONE


def acting_of(turn: Turn) -> Acting:
    """The moderator behind the update and what a decision of theirs needs."""
    services = turn.context.services
    return Acting(moderator_of(turn.update, turn.context), turn.now, services.settings.policy,
                  services.settings.venues, services.settings.secret_key,
                  services.settings.smtp_url, services.calendar)


# ----- merge, ban ---------------------------------------------------------------------------


@permitted(Action.MERGE)
@on_message
async def merge(said: Said) -> None:
    """/merge <A> <B> — A is a duplicate of B: its 공감 move to B."""
    args = said.args
    if len(args) != 2 or not all(a.isdigit() for a in args):
        await said.reply(view.merge_usage(said.t))
        return
    result = await merge_into(said, int(args[0]), int(args[1]))
    await said.reply(view.merge_reply(said.t, result, int(args[0]), int(args[1])))


async def merge_into(turn: Turn, source: int, target: int) -> moderation.MergeResult:
    """Merge the duplicate `source` into `target` (for /merge and /admin's 🔗)."""
    moderator, services = moderator_of(turn.update, turn.context), turn.context.services
    async with turn.context.transaction() as session:
        return await moderation.merge_proposals(
            session, source_id=source, target_id=target, actor=moderator.actor,
            actor_id=moderator.user_id, now=services.clock.now(),
            policy=services.settings.policy, venues=services.settings.venues,
            secret_key=services.settings.secret_key, smtp_url=services.settings.smtp_url,
            calendar=services.calendar)


@permitted(Action.BAN)
@on_message
async def ban(said: Said) -> None:
    """/ban <telegram id> <days|permanent|영구> <reason>"""
    args = said.args
    permanent = len(args) > 1 and args[1].lower() in PERMANENT_WORDS
    if len(args) < 3 or not _is_id(args[0]) or not (args[1].isdigit() or permanent):
        await said.reply(view.ban_usage(said.t))
        return
    days = None if permanent else int(args[1])
    actor = moderator_of(said.update, said.context).actor
    async with said.context.transaction() as session:
        outcome = await bans.ban_user(session, telegram_id=int(args[0]), days=days,
                                      reason=" ".join(args[2:]), actor=actor, now=said.now)
    await said.reply(view.ban_reply(said.t, outcome))


@permitted(Action.UNBAN)
@on_message
async def unban(said: Said) -> None:
    """/unban <telegram id>"""
    args = said.args
    if len(args) != 1 or not _is_id(args[0]):
        await said.reply(view.unban_usage(said.t))
        return
    actor = moderator_of(said.update, said.context).actor
    async with said.context.transaction() as session:
        outcome = await bans.unban_user(session, telegram_id=int(args[0]), actor=actor,
                                        now=said.now)
    await said.reply(view.unban_reply(said.t, outcome))


# ----- offline intake -------------------------------------------------------------------------


OFFLINE_CHANNELS = {"종이": "paper", "paper": "paper", "전화": "phone", "phone": "phone",
                    "주민센터": "center", "center": "center"}
FORM_KEYS = {"제목": "title", "title": "title", "내용": "body", "body": "body",
             "동": "area", "area": "area", "분야": "category", "category": "category",
             "이름": "name", "name": "name", "연락처": "contact", "contact": "contact",
             "텔레그램": "telegram", "telegram": "telegram",
             "연락 동의": "consent", "연락동의": "consent", "consent": "consent",
             "문자 동의": "texts", "문자동의": "texts", "texts": "texts"}
CONSENT_WORDS = {"예": True, "네": True, "동의": True, "yes": True,
                 "아니오": False, "아니요": False, "no": False}


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
@on_message
async def offline(said: Said) -> None:
    """/offline — enter a proposal received on paper, by phone or at a 동 주민센터."""
    settings = said.context.services.settings
    parsed = parse_offline_form(said.message.text or "")
    form = _offline_form(parsed, settings.areas, settings.categories)
    if form is None:
        await said.reply(view.offline_usage(said.t))
        return
    try:
        proposal_id = await _enter_offline(said, form)
    except moderation.UnknownResident:
        await said.reply(view.offline_unknown_resident(said.t, form.telegram_id))
        return
    await said.reply(view.offline_done(said.t, proposal_id, form))


async def _enter_offline(said: Said, form: OfflineForm) -> int:
    moderator, settings = moderator_of(said.update, said.context), said.context.services.settings
    async with said.context.transaction() as session:
        return await moderation.enter_offline_proposal(
            session, form=form, moderator_id=moderator.user_id, actor=moderator.actor,
            now=said.now, policy=settings.policy, secret_key=settings.secret_key,
            contact_key=settings.contact_key)


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
    return _with_contact(OfflineForm(channel, title, body, area, category), fields)


def _with_contact(form: OfflineForm, fields: dict[str, str]) -> OfflineForm | None:
    """The form of a resident reached by phone or in person: name, contact and whether they
    agreed to be called back, and to get its news by 알림톡/SMS (a mobile number then); an
    unclear answer refuses the form."""
    consent = CONSENT_WORDS.get(fields.get("consent", "no").lower())
    texts = CONSENT_WORDS.get(fields.get("texts", "no").lower())
    if not fields.get("name") or not fields.get("contact") or consent is None or texts is None:
        return None
    if texts and mobile_number(fields["contact"]) is None:
        return None
    return replace(form, name=fields["name"], contact=fields["contact"], callback=consent,
                   texts=texts)


# ----- work item buttons ----------------------------------------------------------------------


@permitted(Action.HANDLE_WORK_ITEM)
@on_press(WorkAct)
async def press_work_item(press: Press[WorkAct]) -> None:
    async with press.context.transaction() as session:
        item = await work_items.load_item(session, press.data.item_id)
    if item is None:
        log.warning("work item button for unknown item %s", press.data.item_id)
    if item is None or not item.open:
        await press.alert(view.closed_item(press.t, item))
        return
    if press.data.action in ("reasons", "back", "other", "ckind"):
        await _browse_item(press, item)
        return
    await _act(press, item)


async def _browse_item(press: Press[WorkAct], item: work_items.WorkItemView) -> None:
    """The buttons that change nothing: the reject reasons, back to the actions, and the
    hint for a reason of one's own."""
    t, action = press.t, press.data.action
    if action == "other":
        await press.alert(view.own_reason_hint(t, item.subject_id))
        return
    markup = (view.reject_reasons_keyboard(t, item.id) if action == "reasons"
              else view.complaint_departments_keyboard(t, item, press.data.arg)
              if action == "ckind" else view.open_item_keyboard(t, item))
    current = getattr(press.query.message, "reply_markup", None)
    await press.ack()
    await edit_buttons_in_place(press.query, view.with_navigation(markup, current))


async def _act(press: Press[WorkAct], item: work_items.WorkItemView) -> None:
    reason_text = _reject_reason(press, item)
    if reason_text is None:
        await press.alert(view.button_expired(press.t))
        return
    result = await _act_on_item(press, item, reason_text)
    refusal = view.act_refusal(press.t, result)
    if refusal is not None:
        if result.outcome is ActOutcome.INVALID:
            log.warning("work item %s (%s): action %s refused", item.id, item.kind,
                        press.data.action)
        await press.alert(refusal)
        return
    await press.ack(view.act_reply(press.t, result.outcome))
    await _mark_handled(press, result)
    await _update_other_copies(press, result)


def _reject_reason(press: Press[WorkAct], item: work_items.WorkItemView) -> str | None:
    """The reason told to the author of a rejection ("" for other actions); None when the
    button names a reason that does not exist."""
    if press.data.action != "reject":
        return ""
    if not 0 <= press.data.arg < len(HIDE_REASONS):
        log.warning("work item %s: reject reason %s does not exist", item.id, press.data.arg)
        return None
    return view.reject_reason_text(press.t, HIDE_REASONS[press.data.arg])


async def _act_on_item(
    press: Press[WorkAct], item: work_items.WorkItemView, reason_text: str
) -> moderation.ActResult:
    services, message = press.context.services, press.query.message
    async with press.context.transaction() as session:
        return await moderation.act_on_item(
            session, item, press.data.action, moderator=moderator_of(press.update, press.context),
            now=services.clock.now(), policy=services.settings.policy,
            venues=services.settings.venues, secret_key=services.settings.secret_key,
            smtp_url=services.settings.smtp_url, calendar=services.calendar,
            argument=press.data.arg, reason_text=reason_text,
            message_id=message.message_id if message else None)


async def _mark_handled(press: Press[WorkAct], result: moderation.ActResult) -> None:
    """Edit the item's message: who did what (which department, which reason) and when;
    the buttons go away (but ↩️ back to the /admin queue). A long item is shortened so the
    handled line always fits."""
    item, message = result.item, press.query.message
    if message is None or item is None or item.claimed_at is None:
        return
    line = view.item_handled_line(press.t, item, press.data.arg,
                                  no_effect=result.outcome is ActOutcome.NO_EFFECT)
    text = view.with_handled_line(getattr(message, "text_html", None) or "",
                                  getattr(message, "text", None) or "", line)
    await press.query.edit_message_text(
        text, parse_mode="HTML", reply_markup=view.with_navigation(
            None, getattr(message, "reply_markup", None)))


async def _update_other_copies(press: Press[WorkAct], result: moderation.ActResult) -> None:
    item, message = result.item, press.query.message
    if item is None or item.claimed_at is None or message is None:
        return
    await tell_copies(press, item, except_chat=message.chat.id, argument=press.data.arg)


async def tell_copies(turn: Turn, item: work_items.WorkItemView, *, except_chat: int,
                      argument: int = 0) -> None:
    """A handled item's copies in the staff chats other than `except_chat` (0: in all of
    them) say who did what and lose their buttons; a copy that cannot be edited (deleted,
    too old) is left as it is: its buttons answer that the item was handled."""
    async with turn.context.transaction() as session:
        copies = await work_items.other_copies(session, item.id, except_chat=except_chat)
    await edit_handled_copies(turn.context.bot, turn.context.services.i18n, copies, item,
                              argument)


def _is_id(raw: str) -> bool:
    return raw.lstrip("-").isdigit() and len(raw) <= 18


def register(application: Application) -> None:
    """Commands in private chats with the bot; work item buttons wherever the item is."""
    application.add_handler(CallbackQueryHandler(press_work_item, pattern=WorkAct.matches))
    for command, callback in (
        ("hide", hide), ("restore", restore), ("merge", merge), ("ban", ban), ("unban", unban),
        ("approve", approve), ("reject", reject), ("offline", offline),
    ):
        application.add_handler(CommandHandler(command, callback, filters=PRIVATE))
