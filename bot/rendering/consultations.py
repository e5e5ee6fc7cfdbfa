"""Texts and buttons of 「구가 묻습니다」: the list of open questions, the background with the
vote buttons, the replies to a vote and an opinion, the staff's form, and the notices."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import ConsultOpinion, ConsultRead, ConsultVote
from bot.domain.consultations import USAGE_LINES
from bot.domain.events import ConsultationClosed, ConsultationOpened
from bot.i18n import Translator
from bot.rendering import Rendered
from bot.rendering.registry import EventRegistry
from bot.services.consultations import (
    ConsultationView,
    CreateOutcome,
    CreateResult,
    OpinionOutcome,
    VoteOutcome,
)

CONSULTATION_TEMPLATES: EventRegistry[str] = EventRegistry()
CONSULTATION_KEYBOARDS: EventRegistry[InlineKeyboardMarkup | None] = EventRegistry()


def read_button(t: Translator, consultation_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(t.gettext("📖 Read and take part"),
                                callback_data=ConsultRead(consultation_id).pack())


def listing(t: Translator, open_now: list[ConsultationView]) -> Rendered:
    if not open_now:
        return Rendered(t.gettext("The district is not asking anything of you right now. "
                                  "We will tell you when it does."))
    until = t.gettext("until {when}")
    lines = [t.gettext("🏛 <b>The district asks</b>")]
    lines += [f"· {escape(c.title)} — {until.format(when=t.deadline(c.closes_at))}"
              for c in open_now]
    rows = [[InlineKeyboardButton(f"📖 {c.title[:30]}", callback_data=ConsultRead(c.id).pack())]
            for c in open_now]
    return Rendered("\n".join(lines), InlineKeyboardMarkup(rows))


def background(t: Translator, found: ConsultationView, choice: int | None) -> Rendered:
    """The background, each option with its main argument, the question, and the buttons:
    the options (the chosen one ticked) and, once voted, 「✍️ 의견 남기기」."""
    parts = [f"🏛 <b>{escape(found.title)}</b>", escape(found.background)]
    arguments = [f"<b>{escape(option)}</b>: {escape(argument)}"
                 for option, argument in zip(found.options, found.arguments, strict=True)
                 if argument]
    if arguments:
        parts.append(t.gettext("<b>Main arguments</b>") + "\n" + "\n".join(arguments))
    parts.append(f"❓ <b>{escape(found.question)}</b>")
    parts.append(t.gettext("Open until {when}. You can change your choice until then.").format(
        when=t.deadline(found.closes_at)))
    if choice is not None:
        parts.append(t.gettext("Your choice: {option}").format(
            option=escape(found.options[choice])))
    buttons = [[InlineKeyboardButton(("✅ " if n == choice else "") + option,
                                     callback_data=ConsultVote(found.id, n).pack())]
               for n, option in enumerate(found.options)]
    if choice is not None:
        buttons.append([InlineKeyboardButton(t.gettext("✍️ Leave an opinion"),
                                             callback_data=ConsultOpinion(found.id).pack())])
    return Rendered("\n\n".join(parts), InlineKeyboardMarkup(buttons))


def vote_answer(t: Translator, outcome: VoteOutcome) -> str:
    """The pop-up after a vote button."""
    return {
        VoteOutcome.RECORDED: t.gettext("Thank you! Your choice is recorded."),
        VoteOutcome.CHANGED: t.gettext("Your choice is changed."),
        VoteOutcome.UNCHANGED: t.gettext("This is already your choice."),
        VoteOutcome.NOT_OPEN: t.gettext("This question is not open for votes now."),
        VoteOutcome.NOT_IN_AUDIENCE: t.gettext(
            "This question is for other residents (see who it asks on its page)."),
        VoteOutcome.BAD_CHOICE: t.gettext("This button is out of date. Please open the "
                                          "question again with /consult."),
    }[outcome]


def opinion_prompt(t: Translator) -> str:
    return t.gettext("✍️ Please write your opinion in one message (10 to 1,000 characters). It "
                     "is shown under your choice; personal data is hidden. /cancel stops.")


def opinion_answer(t: Translator, outcome: OpinionOutcome) -> str:
    return {
        OpinionOutcome.POSTED: t.gettext("Thank you! Your opinion is posted under your choice."),
        OpinionOutcome.NOT_VOTED: t.gettext("Please choose first; your opinion goes under "
                                            "your choice."),
        OpinionOutcome.NOT_OPEN: t.gettext("This question is closed; opinions can no longer "
                                           "be added."),
        OpinionOutcome.EMPTY: t.gettext("Please write your opinion in words."),
        OpinionOutcome.TOO_SHORT: t.gettext("Please write at least 10 characters."),
        OpinionOutcome.TOO_LONG: t.gettext("Please keep it under 1,000 characters."),
        OpinionOutcome.FLAGGED: t.gettext(
            "Your opinion has words our operating rules do not allow, so it is not posted. "
            "Please write it again in other words."),
    }[outcome]


def usage(t: Translator, problem: str | None = None) -> str:
    """Plain text: the form, after what was wrong with the last try."""
    head = [problem] if problem else []
    return "\n".join([*head, t.gettext("Write the consultation like this, a setting a line:"),
                      *USAGE_LINES])


def created(t: Translator, result: CreateResult, page: str) -> str:
    """Plain text."""
    if result.outcome is CreateOutcome.NO_DEPARTMENT:
        return t.gettext("No single department has that name. See /departments and write its "
                         "name or number after 부서.")
    return t.gettext(
        "Consultation #{id} is saved. It opens on its first day and its audience is told; "
        "add a photo or a document with the caption /consult_attach {id}. Page: {page}"
    ).format(id=result.consultation_id, page=page)


def attached(t: Translator, done: bool) -> str:
    """Plain text."""
    if done:
        return t.gettext("Attached: residents see it with the background.")
    return t.gettext("There is no such open or upcoming consultation.")


@CONSULTATION_TEMPLATES.of(ConsultationOpened)
def _opened(t: Translator, event: ConsultationOpened) -> str:
    return t.gettext(
        "🏛 The district asks: 「{title}」\n❓ {question}\nRead the background and give your "
        "view until {when}."
    ).format(title=escape(event.title), question=escape(event.question),
             when=t.deadline(event.closes_at))


@CONSULTATION_KEYBOARDS.of(ConsultationOpened)
def _opened_buttons(t: Translator, event: ConsultationOpened) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[read_button(t, event.consultation_id)]])


@CONSULTATION_TEMPLATES.of(ConsultationClosed)
def _closed(t: Translator, event: ConsultationClosed) -> str:
    total = sum(event.votes)
    lines = [f"· {escape(option)}: {votes} ({round(100 * votes / total) if total else 0}%)"
             for option, votes in zip(event.options, event.votes, strict=True)]
    return "\n".join([
        t.gettext("🏛 「{title}」 is closed. {n} residents took part:").format(
            title=escape(event.title), n=total),
        *lines,
        t.gettext("The department in charge answers next; we will tell you. Page: {url}").format(
            url=event.url),
    ])


@CONSULTATION_KEYBOARDS.of(ConsultationClosed)
def _closed_buttons(t: Translator, event: ConsultationClosed) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t.gettext("📊 See the results"),
                                                       url=event.url)]])
