"""/audit (admins): the latest audit entries, filtered, a page at a time with ◀ ▶."""

from __future__ import annotations

import hashlib

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.buttons import AuditPage
from bot.domain.permissions import Action
from bot.handlers.access import permitted
from bot.handlers.answering import answer_query
from bot.handlers.common import edit_in_place, translator_for
from bot.handlers.context import GonggamContext
from bot.rendering import audit_log as view
from bot.services.audit import AUDIT_FILTER_KEYS, AuditFilter, query_audit

PRIVATE = filters.ChatType.PRIVATE
PER_PAGE = 5
FILTER_KEY = "audit_filter"


def parse_filter(text: str) -> AuditFilter | None:
    """`key=value` words after the command (actor, action, subject); None for anything else."""
    values: dict[str, str] = {}
    for word in text.split()[1:]:
        key, sep, value = word.partition("=")
        if not sep or key.lower() not in AUDIT_FILTER_KEYS or not value:
            return None
        values[key.lower()] = value
    return AuditFilter(**values)


def filter_tag(where: AuditFilter) -> str:
    """A short name for a filter, carried by the page buttons to spot a stale list."""
    return hashlib.sha256(repr(where).encode()).hexdigest()[:10]


@permitted(Action.AUDIT)
async def show_audit(update: Update, context: GonggamContext) -> None:
    message = update.effective_message
    assert message is not None
    t = translator_for(update, context)
    where = parse_filter(message.text or "")
    if where is None:
        await message.reply_html(view.usage(t))
        return
    context.user_data[FILTER_KEY] = where  # type: ignore[index]
    async with context.transaction() as session:
        shown = await query_audit(session, where, page=0, per_page=PER_PAGE)
    rendered = view.page(t, shown, where, filter_tag(where))
    await message.reply_html(rendered.text, reply_markup=rendered.reply_markup)


@permitted(Action.AUDIT)
async def turn_page(update: Update, context: GonggamContext) -> None:
    query = update.callback_query
    data = AuditPage.parse(query.data) if query is not None else None
    if query is None or data is None:
        return
    t = translator_for(update, context)
    where = context.user_data.get(FILTER_KEY)  # type: ignore[union-attr]
    if not isinstance(where, AuditFilter) or filter_tag(where) != data.tag:
        await answer_query(query, view.stale(t), alert=True)
        return
    async with context.transaction() as session:
        shown = await query_audit(session, where, page=data.page, per_page=PER_PAGE)
    rendered = view.page(t, shown, where, data.tag)
    await answer_query(query)
    await edit_in_place(query, rendered)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("audit", show_audit, filters=PRIVATE))
    application.add_handler(CallbackQueryHandler(turn_page, pattern=AuditPage.matches))
