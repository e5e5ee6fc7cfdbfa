"""Outbox notices as 알림톡 texts: which registered template, filled with which values.

Only notices about a proposal go by text (the ones that matter to residents who are not on
Telegram): the department's answer, the review result and the proposal's status changes,
the debate's opening and close, the end of the 공감 period, and a generic 「처리 상황이
바뀌었어요」 for the rest. Every value is masked for personal data as published texts are, and
kept to one line. Other notices return None: they wait for the resident's next Kakao turn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from bot.domain.events import (
    AboutProposal,
    AnswerPublished,
    DebateClosed,
    DebateOpened,
    DebateSummaryReady,
    Event,
    ProposalExpired,
    StatusChanged,
    event_from_row,
)
from bot.domain.lifecycle import ProposalStatus
from bot.domain.quiet_hours import QuietHours
from bot.domain.text import mask_personal_data
from bot.domain.text_messages import (
    ANSWER,
    DEBATE,
    EXPIRED,
    GENERIC,
    STATUS,
    TextMessage,
    shortened,
)
from bot.i18n import N_, Translator
from bot.rendering.labels import status_label
from bot.rendering.notifications import ANSWER_KINDS, DECISIONS

E = TypeVar("E", bound=Event)
Filler = Callable[[Translator, Any, str], TextMessage]
LMS_TITLE = N_("공감 news")


def text_message(t: Translator, kind: str, params: dict[str, Any], public_base_url: str
                 ) -> TextMessage | None:
    """The outbox row's notice as a filled 알림톡 template; None if it does not go by text."""
    event = event_from_row(kind, params)
    if not isinstance(event, AboutProposal):
        return None
    link = f"{public_base_url.rstrip('/')}/p/{event.proposal_id}"
    filler = _FILLERS.get(type(event), _generic)
    message = filler(t, event, link)
    return TextMessage(message.template, {name: _clean(value)
                                          for name, value in message.values.items()})


def lms_title(t: Translator) -> str:
    return t.gettext(LMS_TITLE)


def _clean(value: str) -> str:
    masked, _ = mask_personal_data(value)
    return shortened(masked)


def _answer(t: Translator, event: AnswerPublished, link: str) -> TextMessage:
    kind = t.gettext(ANSWER_KINDS.get(event.answer_kind, ANSWER_KINDS["final"]))
    if event.decision in DECISIONS:
        kind = f"{kind} · {t.gettext(DECISIONS[event.decision])}"
    return TextMessage(ANSWER, {"제목": event.title, "부서": event.department, "종류": kind,
                                "요지": event.summary, "링크": event.url or link})


def _status(t: Translator, event: StatusChanged, link: str) -> TextMessage:
    status = status_label(t, ProposalStatus(event.status))
    return TextMessage(STATUS, {"제목": event.title, "상황": status, "링크": link})


def _debate_opened(t: Translator, event: DebateOpened, link: str) -> TextMessage:
    text = t.gettext("A debate has opened. It closes at the end of {day}.").format(
        day=t.deadline(event.closes_at))
    return TextMessage(DEBATE, {"제목": event.title, "내용": text, "링크": link})


def _debate_closed(t: Translator, event: DebateClosed | DebateSummaryReady, link: str
                   ) -> TextMessage:
    text = t.gettext("The debate has closed. The department answers by {day}.").format(
        day=t.deadline(event.answer_due))
    return TextMessage(DEBATE, {"제목": event.title, "내용": text, "링크": link})


def _expired(t: Translator, event: ProposalExpired, link: str) -> TextMessage:
    return TextMessage(EXPIRED, {"제목": event.title, "공감": str(event.count),
                                 "목표": str(event.threshold), "링크": link})


def _generic(t: Translator, event: Any, link: str) -> TextMessage:
    return TextMessage(GENERIC, {"제목": str(event.title), "링크": link})


_FILLERS: dict[type[Event], Filler] = {
    AnswerPublished: _answer,
    StatusChanged: _status,
    DebateOpened: _debate_opened,
    DebateClosed: _debate_closed,
    DebateSummaryReady: _debate_closed,
    ProposalExpired: _expired,
}


# ----- /text: the resident's own number -----------------------------------------------------


def number_status(t: Translator, masked: str | None, refused: bool, quiet: QuietHours) -> str:
    """What 「알림톡」 (or /text) alone shows: the number in use (masked), or how to give one."""
    if masked is None:
        return t.gettext(
            "📱 You can get the news of the proposals you follow as a KakaoTalk notice "
            "(알림톡), also when you have not written here for a while. Send 알림톡 and your "
            "mobile number, like this: 알림톡 010-1234-5678\nThe number is kept encrypted, used "
            "only for these notices, and erased when you send 알림톡 끄기.")
    if refused:
        return t.gettext(
            "📱 The number {number} could not be reached, so your news waits here again. Send "
            "알림톡 with the number again, or erase it with 알림톡 끄기.").format(number=masked)
    return t.gettext(
        "📱 The news of the proposals you follow goes as a KakaoTalk notice to {number}, and as "
        "a text message when that cannot go. Nothing is sent between {start} and {end} unless "
        "urgent.\nTo stop and erase the number, send 알림톡 끄기.").format(
        number=masked, start=quiet.start.strftime("%H:%M"), end=quiet.end.strftime("%H:%M"))


def number_saved(t: Translator, masked: str) -> str:
    return t.gettext(
        "✅ From now on your news goes as a KakaoTalk notice to {number} (a text message when "
        "that cannot go). To stop and erase the number, send 알림톡 끄기.").format(number=masked)


def number_removed(t: Translator, removed: bool) -> str:
    if not removed:
        return t.gettext("There is no number to erase.")
    return t.gettext("Your number is erased. Your news waits here for your next message, "
                     "as before.")


def not_a_mobile_number(t: Translator) -> str:
    return t.gettext("That is not a mobile number. Send it like this: 알림톡 010-1234-5678")


def texts_not_for_telegram(t: Translator) -> str:
    return t.gettext("On Telegram your news already comes here, so no number is needed.")


def texts_unavailable(t: Translator) -> str:
    return t.gettext("KakaoTalk notices are not available here yet.")
