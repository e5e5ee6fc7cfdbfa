"""/audit (admins): the latest audit entries, filtered, a page at a time with ◀ ▶."""

from __future__ import annotations

import hashlib

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.buttons import AuditPage
from bot.domain.permissions import Action
from bot.handlers.access import permitted
from bot.handlers.shape import Press, Said, on_message, on_press
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
@on_message
async def show_audit(said: Said) -> None:
    where = parse_filter(said.message.text or "")
    if where is None:
        await said.reply_html(view.usage(said.t))
        return
    said.context.user_data[FILTER_KEY] = where  # type: ignore[index]
    async with said.context.transaction() as session:
        shown = await query_audit(session, where, page=0, per_page=PER_PAGE)
    await said.send(view.page(said.t, shown, where, filter_tag(where)))


@permitted(Action.AUDIT)
@on_press(AuditPage)
async def turn_page(press: Press[AuditPage]) -> None:
    where = press.context.user_data.get(FILTER_KEY)  # type: ignore[union-attr]
    if not isinstance(where, AuditFilter) or filter_tag(where) != press.data.tag:
        await press.alert(view.stale(press.t))
        return
    async with press.context.transaction() as session:
        shown = await query_audit(session, where, page=press.data.page, per_page=PER_PAGE)
    await press.show(view.page(press.t, shown, where, press.data.tag))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("audit", show_audit, filters=PRIVATE))
    application.add_handler(CallbackQueryHandler(turn_page, pattern=AuditPage.matches))
