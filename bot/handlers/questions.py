"""「운영진에게 묻기」: /ask (or its button), the question as the next message, and the staff's
💬 답하기 with the answer as their next private message (bot/services/questions.py)."""

from __future__ import annotations

from telegram.error import Forbidden
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.buttons import AnswerQuestion, AskStaff
from bot.domain.permissions import Action
from bot.handlers.access import permitted
from bot.handlers.common import Awaiting, actor_of
from bot.handlers.moderation import tell_copies
from bot.handlers.pending import AwaitingAnswer, AwaitingQuestion
from bot.handlers.shape import Press, Said, on_message, on_press
from bot.rendering import questions as view
from bot.services import questions, work_items
from bot.services.questions import AnswerOutcome, AskOutcome, Staff

PRIVATE = filters.ChatType.PRIVATE


@permitted(Action.ASK_STAFF)
@on_message
async def ask_command(said: Said) -> None:
    """/ask alone waits for the question; /ask <question> asks at once."""
    words = (said.message.text or "").split(maxsplit=1)
    if len(words) < 2:
        said.context.expect(AwaitingQuestion())
        await said.reply(view.ask_prompt(said.t))
        return
    await _ask(said, words[1])


@permitted(Action.ASK_STAFF)
@on_press(AskStaff)
async def ask_button(press: Press[AskStaff]) -> None:
    press.context.expect(AwaitingQuestion())
    await press.ack()
    await press.context.bot.send_message(press.query.from_user.id, view.ask_prompt(press.t))


@permitted(Action.ASK_STAFF)
@on_message
async def receive_question(said: Said) -> None:
    """The question after /ask; an empty or too long one leaves the bot waiting."""
    await _ask(said, said.message.text or "")


async def _ask(said: Said, text: str) -> None:
    venues = said.context.services.settings.venues
    async with said.context.transaction() as session:
        result = await questions.ask(session, user_id=said.user_id, text=text, now=said.now,
                                     venues=venues)
    if result.outcome is AskOutcome.INVALID:
        said.context.expect(AwaitingQuestion())  # nothing is lost: the resident may resend
    else:
        said.context.take_pending(AwaitingQuestion)
    await said.reply_html(view.ask_reply(said.t, result))


@permitted(Action.HANDLE_WORK_ITEM)
@on_press(AnswerQuestion)
async def press_answer(press: Press[AnswerQuestion]) -> None:
    """💬 답하기, in the moderators' group or a private copy: the answer is asked for in the
    staff member's private chat with the bot."""
    async with press.context.transaction() as session:
        item = await work_items.load_item(session, press.data.item_id)
    if item is None or not item.open or item.kind is not work_items.WorkKind.QUESTION:
        await press.alert(view.already_answered(press.t))
        return
    try:
        await press.context.bot.send_message(
            press.query.from_user.id, view.answer_prompt(press.t, item.subject_id))
    except Forbidden:  # never opened a private chat with the bot: it cannot ask them there
        await press.alert(view.open_private_chat_first(press.t))
        return
    press.context.expect(AwaitingAnswer(item.id, item.subject_id))
    await press.ack(view.answer_prompt_toast(press.t))


@permitted(Action.HANDLE_WORK_ITEM)
@on_message
async def receive_answer(said: Said) -> None:
    pending = said.context.pending
    if not isinstance(pending, AwaitingAnswer):
        return
    user = said.message.from_user
    staff = Staff(said.user_id, user.full_name if user else "?", actor_of(said.update))
    async with said.context.transaction() as session:
        result = await questions.answer(session, item_id=pending.item_id,
                                        text=said.message.text or "", staff=staff, now=said.now)
    if result.outcome is not AnswerOutcome.INVALID:
        said.context.take_pending(AwaitingAnswer)
    await said.reply_html(view.answer_reply(said.t, result))
    if result.outcome is AnswerOutcome.SENT:
        await _mark_copies(said, pending.item_id)


async def _mark_copies(said: Said, item_id: int) -> None:
    """Every staff chat's copy of the question says who answered, and loses 💬 답하기."""
    async with said.context.transaction() as session:
        item = await work_items.load_item(session, item_id)
    if item is not None:
        await tell_copies(said, item, except_chat=0)


def register(application: Application) -> None:
    for kind, callback in ((AwaitingQuestion, receive_question),
                           (AwaitingAnswer, receive_answer)):
        application.add_handler(MessageHandler(
            PRIVATE & filters.TEXT & ~filters.COMMAND & Awaiting(application, kind), callback))
    application.add_handler(CommandHandler("ask", ask_command, filters=PRIVATE))
    application.add_handler(CallbackQueryHandler(ask_button, pattern=AskStaff.matches))
    application.add_handler(CallbackQueryHandler(press_answer, pattern=AnswerQuestion.matches))
