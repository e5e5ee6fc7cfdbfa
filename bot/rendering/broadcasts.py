"""Texts and keyboards of broadcasts: the admin's steps, the progress report, the message."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import BroadcastAction, BroadcastAudience
from bot.domain.events import BroadcastMessage
from bot.i18n import N_, Translator
from bot.rendering import Rendered
from bot.rendering.registry import EventRegistry
from bot.services.broadcasts import (
    MAX_TEXT,
    AudienceCount,
    AudienceKind,
    DraftOutcome,
    Preview,
    Progress,
    SendOutcome,
)

LIST = -1
KIND_LABELS: dict[AudienceKind, str] = {
    AudienceKind.ALL: N_("Everyone"),
    AudienceKind.AREA: N_("A 동"),
    AudienceKind.ROUND: N_("Voters of a budget round"),
    AudienceKind.CATEGORY: N_("Followers of a category"),
}
VALUE_QUESTIONS: dict[AudienceKind, str] = {
    AudienceKind.AREA: N_("📣 Which 동 should receive it?"),
    AudienceKind.ROUND: N_("📣 The voters of which budget round should receive it?"),
    AudienceKind.CATEGORY: N_("📣 The followers of which category should receive it?"),
}
VALUE_LABELS: dict[AudienceKind, str] = {
    AudienceKind.AREA: N_("residents of {value}"),
    AudienceKind.ROUND: N_("voters of {value}"),
    AudienceKind.CATEGORY: N_("followers of the category {value}"),
}
SEND_PROBLEMS: dict[SendOutcome, str] = {
    SendOutcome.EMPTY_AUDIENCE: N_("Nobody would receive this message. Please choose another "
                                   "audience."),
    SendOutcome.NO_AUDIENCE: N_("Please choose who should receive the message first."),
    SendOutcome.ALREADY: N_("This message was already sent or cancelled. Nothing was sent "
                            "again."),
    SendOutcome.GONE: N_("This message no longer exists. Please start again with /broadcast."),
}


def ask_for_text(t: Translator) -> Rendered:
    text = t.gettext("📣 Please send the message for residents now, as one text message "
                     "(at most {limit} characters).").format(limit=MAX_TEXT)
    return Rendered(text, InlineKeyboardMarkup([[_button(t.gettext("Cancel"),
                                                         BroadcastAction(0, "cancel"))]]))


def draft_problem(t: Translator, outcome: DraftOutcome, length: int) -> str:
    if outcome is DraftOutcome.TOO_LONG:
        return t.gettext("This message has {length} characters; Telegram allows at most {limit}. "
                         "Please send a shorter one.").format(length=length, limit=MAX_TEXT)
    return t.gettext("Please send the message as text. Nothing was saved.")


def choose_kind(t: Translator, broadcast_id: int) -> Rendered:
    rows = [[_button(t.gettext(label), BroadcastAudience(broadcast_id, kind.value,
                                                         0 if kind is AudienceKind.ALL else LIST))]
            for kind, label in KIND_LABELS.items()]
    rows.append([_button(t.gettext("Cancel"), BroadcastAction(broadcast_id, "cancel"))])
    text = t.gettext("📣 Above is the message as residents will see it. Who should receive it?")
    return Rendered(text, InlineKeyboardMarkup(rows))


def choose_value(
    t: Translator, broadcast_id: int, kind: AudienceKind, choices: Sequence[tuple[int, str]]
) -> Rendered:
    """A button per 동, round or category (two a row); the value is an index or a round id."""
    buttons = [_button(label, BroadcastAudience(broadcast_id, kind.value, value))
               for value, label in choices]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([_button(t.gettext("◀ Back"), BroadcastAction(broadcast_id, "back"))])
    if not choices:
        return Rendered(t.gettext("There is nothing to choose here yet."),
                        InlineKeyboardMarkup(rows))
    return Rendered(t.gettext(VALUE_QUESTIONS.get(kind, N_("📣 Choose one:"))),
                    InlineKeyboardMarkup(rows))


def audience_label(t: Translator, kind: AudienceKind, value: str | None) -> str:
    """「신도림동 주민」, 「2027 주민참여예산 투표 대상자」: who receives it, in one phrase."""
    if value is None or kind is AudienceKind.ALL:
        return t.gettext(KIND_LABELS[kind])
    return t.gettext(VALUE_LABELS[kind]).format(value=value)


def preview(
    t: Translator, shown: Preview, audience_label: str, held_until: datetime | None = None
) -> Rendered:
    """The audience, its count and who is left out; `held_until` during quiet hours."""
    count = shown.count
    lines = [
        t.gettext("📣 Audience: {audience}").format(audience=escape(audience_label)),
        t.ngettext("It will go to {n} resident.", "It will go to {n} residents.",
                   count.recipients).format(n=count.recipients),
        *_left_out(t, count),
    ]
    if held_until is not None:
        lines.append(t.gettext("🌙 It is quiet time now: the message goes out from {when}.")
                     .format(when=t.moment(held_until)))
    rows = [[_button(t.gettext("◀ Choose another audience"),
                     BroadcastAction(shown.broadcast_id, "back"))],
            [_button(t.gettext("Cancel"), BroadcastAction(shown.broadcast_id, "cancel"))]]
    if count.recipients:
        send = t.ngettext("📣 Send to {n} resident", "📣 Send to {n} residents",
                          count.recipients).format(n=count.recipients)
        rows.insert(0, [_button(send, BroadcastAction(shown.broadcast_id, "send"))])
    else:
        lines.append(t.gettext(SEND_PROBLEMS[SendOutcome.EMPTY_AUDIENCE]))
    return Rendered("\n".join(lines), InlineKeyboardMarkup(rows))


def _left_out(t: Translator, count: AudienceCount) -> list[str]:
    lines = []
    if count.muted:
        lines.append(t.ngettext("{n} resident who turned off all notifications is left out.",
                                "{n} residents who turned off all notifications are left out.",
                                count.muted).format(n=count.muted))
    if count.unreachable:
        lines.append(t.ngettext("{n} resident who blocked the bot is left out.",
                                "{n} residents who blocked the bot are left out.",
                                count.unreachable).format(n=count.unreachable))
    return lines


def send_problem(t: Translator, outcome: SendOutcome) -> str:
    return t.gettext(SEND_PROBLEMS[outcome])


def cancelled(t: Translator) -> str:
    return t.gettext("📣 Cancelled. Nothing was sent.")


def progress(t: Translator, shown: Progress) -> str:
    """「전송 중 120/200 · 차단 2」 while sending, the final counts at the end."""
    if not shown.finished:
        return t.gettext("📣 Sending {done}/{total} · blocked {blocked}").format(
            done=shown.done, total=shown.total, blocked=shown.blocked)
    lines = [
        t.gettext("📣 Sent. Delivered {delivered} · blocked {blocked} · failed {failed}").format(
            delivered=shown.delivered, blocked=shown.blocked, failed=shown.failed),
        *_left_out(t, AudienceCount(shown.total, shown.muted, shown.unreachable)),
    ]
    return "\n".join(lines)


def starting(t: Translator, count: AudienceCount) -> str:
    return t.gettext("📣 Sending {done}/{total} · blocked {blocked}").format(
        done=0, total=count.recipients, blocked=0)


def _button(text: str, data: BroadcastAudience | BroadcastAction) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data.pack())


def framed(t: Translator, text_html: str) -> str:
    """The admin's words between a header that says who speaks and a footer that says how
    to turn such messages off (the preview shows the same)."""
    header = escape(t.gettext("📣 Notice from the district office"))
    footer = escape(t.gettext("Notification settings: /settings"))
    return f"<b>{header}</b>\n\n{text_html}\n\n{footer}"


BROADCAST_TEMPLATES: EventRegistry[str] = EventRegistry()


@BROADCAST_TEMPLATES.of(BroadcastMessage)
def _message(t: Translator, event: BroadcastMessage) -> str:
    """The admin's own words, as Telegram formatted them (HTML made from their entities)."""
    return framed(t, event.text)
