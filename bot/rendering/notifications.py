"""Texts of outbox notices, rendered at delivery time in the recipient's language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.lifecycle import ProposalStatus
from bot.handlers.callbacks import OpenProposal
from bot.i18n import I18n, Translator
from bot.rendering import Rendered
from bot.rendering.proposals import status_label

Template = Callable[[Translator, dict[str, Any]], str]


def _title(p: dict[str, Any]) -> str:
    return escape(str(p["title"]))


def _when(t: Translator, p: dict[str, Any], key: str) -> str:
    return t.deadline(datetime.fromisoformat(p[key]))


TEMPLATES: dict[str, Template] = {
    "proposal_expired": lambda t, p: t.gettext(
        "⏰ The endorsement period of 「{title}」 has ended with {count} of {threshold} "
        "endorsements, so it is closed. Thank you for taking part."
    ).format(title=_title(p), count=p["count"], threshold=p["threshold"]),
    "debate_closed": lambda t, p: t.gettext(
        "🗳 The debate on 「{title}」 has closed. The department must answer by {due}."
    ).format(title=_title(p), due=_when(t, p, "answer_due")),
    "threshold_reached": lambda t, p: t.gettext(
        "🎉 「{title}」 has {count} endorsements! The department now reviews it. "
        "Review due: {due}"
    ).format(title=_title(p), count=p["count"], due=_when(t, p, "review_due")),
    "almost_there": lambda t, p: t.gettext(
        "📣 Only {missing} more 공감 and 「{title}」 goes to the department."
    ).format(title=_title(p), missing=p["missing"]),
    "halfway": lambda t, p: t.gettext(
        "⏳ Half of the endorsement period of 「{title}」 is over: {count}/{threshold} so far."
    ).format(title=_title(p), count=p["count"], threshold=p["threshold"]),
    "closing_soon": lambda t, p: t.gettext(
        "⏳ {days} days left for 「{title}」, with {count}/{threshold} endorsements. "
        "Share it with your neighbours!"
    ).format(title=_title(p), days=p["days"], count=p["count"], threshold=p["threshold"]),
    "proposal_withdrawn": lambda t, p: t.gettext(
        "The author has withdrawn 「{title}」. Thank you for your 공감."
    ).format(title=_title(p)),
    "proposal_approved": lambda t, p: t.gettext(
        "✅ 「{title}」 has been checked and published. Now gather 공감!"
    ).format(title=_title(p)),
    "proposal_rejected": lambda t, p: t.gettext(
        "「{title}」 could not be published. Reason: {reason}"
    ).format(title=_title(p), reason=escape(str(p["reason"]))),
    "status_changed": lambda t, p: t.gettext(
        "🔔 「{title}」 is now: {status}."
    ).format(title=_title(p), status=status_label(t, ProposalStatus(p["status"]))),
    "moderation_pending": lambda t, p: t.gettext(
        "🕒 New proposal #{id} 「{title}」 waits for approval{flag}."
    ).format(id=p["proposal_id"], title=_title(p),
             flag=t.gettext(" (flagged by the language check)") if p.get("flagged") else ""),
    "moderation_threshold": lambda t, p: t.gettext(
        "📋 #{id} 「{title}」 reached {count} endorsements: please assign a department."
    ).format(id=p["proposal_id"], title=_title(p), count=p["count"]),
}


class NotificationRenderer:
    """Turns an outbox row's kind and parameters into a message."""

    def __init__(self, i18n: I18n) -> None:
        self._i18n = i18n

    def __call__(self, kind: str, params: dict[str, Any], language: str) -> Rendered:
        template = TEMPLATES.get(kind)
        if template is None:
            raise KeyError(f"no template for outbox kind {kind!r}")
        t = self._i18n.get(language)
        return Rendered(template(t, params), _open_button(t, params))


def _open_button(t: Translator, params: dict[str, Any]) -> InlineKeyboardMarkup | None:
    proposal_id = params.get("proposal_id")
    if not isinstance(proposal_id, int):
        return None
    button = InlineKeyboardButton(
        t.gettext("View the proposal"), callback_data=OpenProposal(proposal_id).pack()
    )
    return InlineKeyboardMarkup([[button]])
