"""Texts of outbox notices, rendered at delivery time in the recipient's language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import Any

from bot.rendering import Rendered
from bot.i18n import I18n, Translator

Template = Callable[[Translator, dict[str, Any]], str]


def _proposal_expired(t: Translator, p: dict[str, Any]) -> str:
    return t.gettext(
        "⏰ The endorsement period of 「{title}」 has ended with {count} of {threshold} "
        "endorsements, so it is closed. Thank you for taking part."
    ).format(title=escape(p["title"]), count=p["count"], threshold=p["threshold"])


def _debate_closed(t: Translator, p: dict[str, Any]) -> str:
    due = t.deadline(datetime.fromisoformat(p["answer_due"]))
    return t.gettext(
        "🗳 The debate on 「{title}」 has closed. The department must answer by {due}."
    ).format(title=escape(p["title"]), due=due)


TEMPLATES: dict[str, Template] = {
    "proposal_expired": _proposal_expired,
    "debate_closed": _debate_closed,
}


class NotificationRenderer:
    """Turns an outbox row's kind and parameters into a message."""

    def __init__(self, i18n: I18n) -> None:
        self._i18n = i18n

    def __call__(self, kind: str, params: dict[str, Any], language: str) -> Rendered:
        template = TEMPLATES.get(kind)
        if template is None:
            raise KeyError(f"no template for outbox kind {kind!r}")
        return Rendered(template(self._i18n.get(language), params))
