"""「📞 전화로 알려 주세요」: one call-back a screen, with the contact and what to tell."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import AdminMenu, CallbackDone, CallbackPage
from bot.domain.events import event_from_row
from bot.i18n import N_, Translator
from bot.rendering import Rendered
from bot.rendering.notifications import NotificationRenderer
from bot.services.callbacks import CallbackPage as Page
from bot.services.callbacks import CallbackView, DoneOutcome
from bot.services.text_contacts import UnreachableNumber

log = logging.getLogger(__name__)
Button = InlineKeyboardButton
SECTION_LABEL = N_("📞 Tell them by phone")
RESIDENT_LANGUAGE = "ko"  # residents who proposed offline are told in Korean


def callback_screen(t: Translator, render: NotificationRenderer, page: Page,
                    index: int) -> Rendered:
    """The `index`-th open call-back: whom to phone, about what, and the words to pass on."""
    title = t.gettext(SECTION_LABEL)
    if page.item is None:
        return Rendered(f"<b>{title}</b>\n\n" + t.gettext("Nobody is waiting for a call."),
                        InlineKeyboardMarkup([_back(t)]))
    item = page.item
    body = "\n".join([
        f"<b>{title}</b> ({index + 1}/{page.total})",
        t.gettext("Proposal #{id} 「{title}」").format(id=item.proposal_id,
                                                     title=escape(item.title)),
        _contact_line(t, item),
        t.gettext("News of {when}").format(when=t.moment(item.created_at)),
        "", t.gettext("<b>Please tell them:</b>"), _notice_text(render, item),
    ])
    return Rendered(body, _keyboard(t, item.id, index, page.total))


def _contact_line(t: Translator, item: CallbackView) -> str:
    if item.contact is None:
        return t.gettext("Contact: erased or unreadable (the proposal's contact key changed?)")
    return t.gettext("Contact: {name} · {phone}").format(
        name=escape(item.contact.name), phone=escape(item.contact.phone))


def _notice_text(render: NotificationRenderer, item: CallbackView) -> str:
    try:
        event = event_from_row(item.kind, item.params)
    except (KeyError, TypeError, ValueError):
        log.exception("call-back %s (%s) cannot be rendered", item.id, item.kind)
        return "?"
    return render.render(event, RESIDENT_LANGUAGE).text


def _keyboard(t: Translator, item_id: int, index: int, total: int) -> InlineKeyboardMarkup:
    nav = []
    if index > 0:
        nav.append(Button("◀", callback_data=CallbackPage(index - 1).pack()))
    if index + 1 < total:
        nav.append(Button("▶", callback_data=CallbackPage(index + 1).pack()))
    done = Button(t.gettext("✅ Phoned: done"), callback_data=CallbackDone(item_id, index).pack())
    return InlineKeyboardMarkup([row for row in ([done], nav, _back(t)) if row])


def _back(t: Translator) -> list[Button]:
    return [Button(t.gettext("↩️ Back"), callback_data=AdminMenu("menu", "-", 0).pack())]


def waiting(t: Translator, count: int, unreachable_count: int = 0,
            unreachable: Sequence[UnreachableNumber] = ()) -> Rendered:
    """The /admin section: how many wait, and the list (opening it is audited); below, the
    KakaoTalk residents' numbers that 알림톡 and SMS could not reach."""
    title = t.gettext(SECTION_LABEL)
    text = t.ngettext("{count} resident waits for a call.", "{count} residents wait for a call.",
                      count).format(count=count)
    rows = [[Button(t.gettext("📞 Open the list"), callback_data=CallbackPage(0).pack())]]
    body = f"<b>{title}</b>\n\n{text}\n" + t.gettext(
        "Each opening of the list, which shows their contacts, is written to the audit log.")
    if unreachable_count:
        body += "\n\n" + _unreachable(t, unreachable_count, unreachable)
    return Rendered(body, InlineKeyboardMarkup([*(rows if count else []), _back(t)]))


def _unreachable(t: Translator, count: int, numbers: Sequence[UnreachableNumber]) -> str:
    """Numbers the provider refused or never reached: their residents' news waits in
    KakaoTalk until they give a working number in /text."""
    head = t.ngettext(
        "📵 {count} KakaoTalk resident's number cannot be reached by 알림톡 or SMS; their "
        "news waits in KakaoTalk until they give a working number:",
        "📵 {count} KakaoTalk residents' numbers cannot be reached by 알림톡 or SMS; their "
        "news waits in KakaoTalk until they give a working number:", count).format(count=count)
    lines = [t.gettext("{number} · since {when} (code {code})").format(
        number=number.masked, when=t.moment(number.since), code=escape(number.code or "-"))
        for number in numbers]
    return "\n".join([head, *lines])


def done_reply(t: Translator, outcome: DoneOutcome) -> str:
    return {
        DoneOutcome.DONE: t.gettext("Marked as done. Thank you."),
        DoneOutcome.ALREADY_DONE: t.gettext("Someone has already marked this call as done."),
        DoneOutcome.NOT_FOUND: t.gettext("This call-back does not exist."),
    }[outcome]
