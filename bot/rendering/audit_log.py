"""Texts of the /audit viewer: a page of entries (who, what, when in KST, before → after)."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import AuditPage
from bot.domain.text import truncate_for_display
from bot.i18n import Translator
from bot.rendering import Rendered
from bot.services.audit import AuditFilter, AuditPageRows, AuditRow

CHANGE_LIMIT = 160


def usage(t: Translator) -> str:
    return t.gettext("Usage: /audit [actor=…] [action=…] [subject=…]\n"
                     "Examples: /audit action=assign · /audit subject=proposal:12")


def page(t: Translator, shown: AuditPageRows, where: AuditFilter, tag: str) -> Rendered:
    head = t.gettext("🗂 Audit log · page {page}/{pages} · {total} entries").format(
        page=shown.page + 1, pages=shown.pages, total=shown.total)
    lines = [head, *_filter_line(t, where)]
    if not shown.rows:
        lines.append(t.gettext("No entries match."))
    lines.extend(entry(t, row) for row in shown.rows)
    return Rendered("\n\n".join(lines), _pager(shown, tag))


def _filter_line(t: Translator, where: AuditFilter) -> list[str]:
    parts = [f"{key}={escape(value)}" for key, value in
             (("actor", where.actor), ("action", where.action), ("subject", where.subject))
             if value]
    return [t.gettext("Filter: {filter}").format(filter=" ".join(parts))] if parts else []


def entry(t: Translator, row: AuditRow) -> str:
    lines = [
        f"<b>#{row.id}</b> · {t.moment(row.at)}",
        f"👤 {escape(row.actor)}",
        f"🔧 {escape(row.action)} · {escape(row.subject)}",
    ]
    change = _change(row.before, row.after)
    if change:
        lines.append(escape(change, quote=False))
    return "\n".join(lines)


def _change(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """`before → after`, short: only the keys that changed when both sides are known."""
    if before and after:
        keys = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
        before = {k: before.get(k) for k in keys}
        after = {k: after.get(k) for k in keys}
    text = " → ".join(_compact(side) for side in (before, after) if side is not None)
    return truncate_for_display(text, CHANGE_LIMIT) if text else ""


def _compact(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _pager(shown: AuditPageRows, tag: str) -> InlineKeyboardMarkup | None:
    buttons = []
    if shown.page > 0:
        buttons.append(_page_button("◀", AuditPage(shown.page - 1, tag)))
    if shown.page + 1 < shown.pages:
        buttons.append(_page_button("▶", AuditPage(shown.page + 1, tag)))
    return InlineKeyboardMarkup([buttons]) if buttons else None


def _page_button(arrow: str, data: AuditPage) -> InlineKeyboardButton:
    return InlineKeyboardButton(arrow, callback_data=data.pack())


def stale(t: Translator) -> str:
    return t.gettext("This list is out of date. Please send /audit again.")
