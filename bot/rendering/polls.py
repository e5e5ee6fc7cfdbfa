"""Texts of quick polls: the /polls opt-in, the staff command's replies, and the results."""

from __future__ import annotations

from datetime import datetime
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import PollsOptIn
from bot.domain.events import PollResultsReady
from bot.i18n import N_, Translator
from bot.rendering import Rendered
from bot.rendering.registry import EventRegistry
from bot.services.polls import (
    MAX_HOURS,
    MAX_OPTION,
    MAX_OPTIONS,
    MAX_QUESTION,
    MIN_HOURS,
    MIN_OPTIONS,
    CreateOutcome,
    CreateResult,
)

BAR_CELLS = 10

PROBLEMS: dict[CreateOutcome, str] = {
    CreateOutcome.BAD_HOURS: N_("The poll must run {min_hours} to {max_hours} hours."),
    CreateOutcome.NO_QUESTION: N_("Please write the question."),
    CreateOutcome.QUESTION_TOO_LONG: N_("The question can have at most {question} characters."),
    CreateOutcome.BAD_OPTION_COUNT: N_("A poll needs {min_options} to {max_options} options."),
    CreateOutcome.OPTION_TOO_LONG: N_("Each option can have at most {option} characters."),
    CreateOutcome.DUPLICATE_OPTIONS: N_("Two options are the same."),
}


def opt_in_view(t: Translator, opted_in: bool) -> Rendered:
    """The /polls message: where the resident stands and the one toggle button."""
    if opted_in:
        text = t.gettext("📊 You receive resident polls. You can stop at any time.")
        button = InlineKeyboardButton(t.gettext("📊 Stop receiving resident polls"),
                                      callback_data=PollsOptIn(0).pack())
    else:
        text = t.gettext("📊 Resident polls ask quick priority questions. Would you like them?")
        button = InlineKeyboardButton(t.gettext("📊 Receive resident polls"),
                                      callback_data=PollsOptIn(1).pack())
    return Rendered(text, InlineKeyboardMarkup([[button]]))


def usage(t: Translator) -> str:
    """HTML: the <placeholders> are escaped."""
    return escape(t.gettext(
        "Usage: /poll_new <hours> | <question> | <option 1> | <option 2> [| …] [| multi] "
        "[| group=<chat id>]"
    ))


def problem(t: Translator, outcome: CreateOutcome) -> str:
    text = t.gettext(PROBLEMS[outcome]).format(
        min_hours=MIN_HOURS, max_hours=MAX_HOURS, question=MAX_QUESTION, option=MAX_OPTION,
        min_options=MIN_OPTIONS, max_options=MAX_OPTIONS,
    )
    return f"{text}\n{usage(t)}"


def create_reply(t: Translator, result: CreateResult) -> str:
    """/poll_new: the poll created (how many copies, until when), or why not."""
    if result.outcome is not CreateOutcome.CREATED:
        return problem(t, result.outcome)
    assert result.poll_id is not None and result.closes_at is not None
    return created(t, result.poll_id, result.copies, result.closes_at)


def created(t: Translator, poll_id: int, copies: int, closes_at: datetime) -> str:
    return t.gettext("📊 Poll no. {id} is on its way to {copies} chats. It closes {when}.").format(
        id=poll_id, copies=copies, when=t.deadline(closes_at))


def bar(votes: int, voters: int) -> str:
    """▰▰▰▱▱▱▱▱▱▱: the share of voters who chose an option, in ten cells."""
    filled = round(BAR_CELLS * votes / voters) if voters else 0
    return "▰" * filled + "▱" * (BAR_CELLS - filled)


POLL_TEMPLATES: EventRegistry[str] = EventRegistry()


@POLL_TEMPLATES.of(PollResultsReady)
def results(t: Translator, event: PollResultsReady) -> str:
    """The announced results; options arrive sorted, most votes first."""
    voters = int(event.voters)
    lines = [t.gettext("📊 Poll results: {question}").format(question=escape(event.question))]
    for text, votes in event.options:
        share = round(100 * votes / voters) if voters else 0
        lines.append(f"{bar(votes, voters)} {escape(str(text))} — {votes} ({share}%)")
    lines.append(t.ngettext("{n} resident voted.", "{n} residents voted.", voters).format(
        n=voters))
    return "\n".join(lines)

