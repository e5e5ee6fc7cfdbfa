"""One deadline at a time, named and explained: the same line on the Telegram card and on the
web pages (「검토가 끝나 토론이 열렸어요 · 토론 마감 1월 1일(금)까지 · 그 뒤 답변 기한
2월 1일(월)까지」)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from bot.domain.answer_clock import DueChange, DueKind, NamedDeadline
from bot.domain.deadlines import end_of_day
from bot.i18n import N_, Translator

DUE_NAMES: dict[DueKind, str] = {
    DueKind.REVIEW: N_("Review due {when}"),
    DueKind.DEBATE: N_("Debate closes {when}"),
    DueKind.ANSWER: N_("Answer due {when}"),
}
CHANGES: dict[DueChange, str] = {
    DueChange.REVIEW_STARTED: N_("The department is reviewing it"),
    DueChange.REVIEW_RESTARTED: N_("A re-review was granted, so the review started again"),
    DueChange.DEBATE_OPENED: N_("The review is done and the debate is open"),
    DueChange.DEBATE_EXTENDED: N_("The debate was extended by {days} days ({reason})"),
    DueChange.DEBATE_CLOSED: N_("The debate has closed and the department answers next"),
}


def deadline_line(t: Translator, deadline: NamedDeadline,
                  quote: Callable[[str], str] = str) -> str:
    """Why, which deadline and when, and during a debate the answer deadline that follows;
    `quote` escapes the extension's reason (html.escape for Telegram's HTML)."""
    extension = deadline.extension
    why = t.gettext(CHANGES[deadline.change]).format(
        days=extension.days if extension else 0,
        reason=quote(extension.reason) if extension else "")
    parts = [why, due_text(t, deadline.kind, deadline)]
    if deadline.answer_due_after is not None:
        parts.append(t.gettext("then answer due {when}").format(
            when=t.deadline(deadline.answer_due_after)))
    return " · ".join(parts)


def due_text(t: Translator, kind: DueKind, deadline: NamedDeadline) -> str:
    """「토론 마감 1월 1일(금)까지」"""
    return t.gettext(DUE_NAMES[kind]).format(when=t.deadline(deadline.at))


def expected_answer_line(t: Translator, expected: date) -> str:
    """The final answer date the latest interim answer gave."""
    return t.gettext("Final answer expected on {date}").format(
        date=t.deadline(end_of_day(expected)))
