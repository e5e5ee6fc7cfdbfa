"""Texts and buttons of 「운영진에게 묻기」: the resident's side and the staff's side."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import AskStaff
from bot.domain.events import QuestionAnswered, QuestionAsked
from bot.domain.questions import DAILY_LIMIT, MAX_CHARS, OPEN_LIMIT, LimitReached, TextProblem
from bot.i18n import Translator
from bot.rendering import Rendered
from bot.rendering.moderation import work_item_keyboard
from bot.rendering.registry import EventRegistry
from bot.services.questions import AnswerOutcome, AnswerResult, AskResult, OpenQuestion

QUESTION_TEMPLATES: EventRegistry[str] = EventRegistry()
QUESTION_KEYBOARDS: EventRegistry[InlineKeyboardMarkup | None] = EventRegistry()
OPEN_QUESTION_CHARS = 60  # a waiting question, recalled in 🙋 내 활동


# ----- the resident -------------------------------------------------------------------------


def ask_prompt(t: Translator) -> str:
    return t.gettext(
        "What would you like to ask the staff? Send your question in one message "
        "(up to {limit} characters). A moderator will answer you here. /cancel stops."
    ).format(limit=f"{MAX_CHARS:,}")


def ask_button(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        t.gettext("💬 Ask the staff"), callback_data=AskStaff().pack())]])


def ask_reply(t: Translator, result: AskResult) -> str:
    """What the resident hears after sending a question: taken, or why not (and that they
    may send it again)."""
    if result.problem is TextProblem.EMPTY:
        return t.gettext("I could not find a question in that message. Please write it in "
                         "words and send it again.")
    if result.problem is TextProblem.TOO_LONG:
        return t.gettext(
            "Your question is longer than {limit} characters. Please shorten it and send it "
            "again: I am still waiting for it."
        ).format(limit=f"{MAX_CHARS:,}")
    if result.limit is LimitReached.OPEN:
        return t.gettext(
            "You already have {count} questions waiting for an answer. Please wait until the "
            "staff answer one of them. Thank you."
        ).format(count=OPEN_LIMIT)
    if result.limit is LimitReached.DAILY:
        return _daily_limit(t, result)
    return t.gettext("Thank you. Your question (no. {id}) has reached the staff; the answer "
                     "will come in this chat.").format(id=result.question_id)


def _daily_limit(t: Translator, result: AskResult) -> str:
    text = t.gettext("You can ask up to {count} questions a day.").format(count=DAILY_LIMIT)
    if result.retry_at is None:
        return text
    return text + " " + t.gettext("You can ask again from {when}. Thank you.").format(
        when=t.moment(result.retry_at))


def with_open_questions(t: Translator, rendered: Rendered,
                        questions: list[OpenQuestion]) -> Rendered:
    """🙋 내 활동 with the resident's questions that wait for an answer, if any."""
    if not questions:
        return rendered
    lines = [t.gettext("<b>My questions to the staff</b> (waiting for an answer)")]
    lines += [f"· {t.moment(q.created_at)} 「{escape(_short(q.text))}」" for q in questions]
    return Rendered(rendered.text + "\n\n" + "\n".join(lines), rendered.reply_markup)


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= OPEN_QUESTION_CHARS else flat[:OPEN_QUESTION_CHARS - 1] + "…"


@QUESTION_TEMPLATES.of(QuestionAnswered)
def _answered(t: Translator, event: QuestionAnswered) -> str:
    return t.gettext(
        "💬 <b>The staff answered your question</b>\n「{question}」\n\n{answer}"
    ).format(question=escape(event.question), answer=escape(event.answer))


@QUESTION_KEYBOARDS.of(QuestionAnswered)
def _ask_again(t: Translator, event: QuestionAnswered) -> InlineKeyboardMarkup:
    return ask_button(t)


# ----- the staff ----------------------------------------------------------------------------


@QUESTION_TEMPLATES.of(QuestionAsked)
def _asked(t: Translator, event: QuestionAsked) -> str:
    return t.gettext(
        "💬 <b>A resident asks</b> (question no. {id})\n\n{text}\n\n"
        "Press 💬 Answer, then send your answer to me in our private chat."
    ).format(id=event.question_id, text=escape(event.text))


@QUESTION_KEYBOARDS.of(QuestionAsked)
def _answer_button(t: Translator, event: QuestionAsked) -> InlineKeyboardMarkup | None:
    return work_item_keyboard(t, event)


def answer_prompt(t: Translator, question_id: int) -> str:
    return t.gettext(
        "Send your answer to question no. {id} as your next message here. It goes to the "
        "resident as you write it. /cancel stops."
    ).format(id=question_id)


def answer_prompt_toast(t: Translator) -> str:
    return t.gettext("Write your answer in your private chat with the bot.")


def open_private_chat_first(t: Translator) -> str:
    return t.gettext("Please start a private chat with the bot first (/start there), then "
                     "press 💬 Answer again.")


def answer_reply(t: Translator, result: AnswerResult) -> str:
    if result.outcome is AnswerOutcome.SENT:
        return t.gettext("Your answer to question no. {id} is on its way to the resident."
                         ).format(id=result.question_id)
    if result.outcome is AnswerOutcome.ALREADY_ANSWERED:
        return t.gettext("{name} has already answered this question; yours was not sent."
                         ).format(name=escape(result.answered_by or "?"))
    if result.outcome is AnswerOutcome.INVALID:
        return t.gettext("That answer is empty or too long. Please send it again.")
    return t.gettext("This question does not exist any more.")


def already_answered(t: Translator) -> str:
    return t.gettext("This question has already been answered.")
