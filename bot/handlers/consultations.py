"""「구가 묻습니다」 in the chat: `/consult` lists what the district asks the resident, a tap
reads the background and shows the vote buttons, ✍️ takes an opinion; admins write one with
`/consult_new` and add a photo or a document captioned `/consult_attach <number>`."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.buttons import ConsultOpinion, ConsultRead, ConsultVote
from bot.domain.consultations import ConsultationError, parse_consultation
from bot.domain.council import as_number
from bot.domain.permissions import Action
from bot.handlers.access import permitted
from bot.handlers.common import Awaiting, actor_of, translator_for
from bot.handlers.context import GonggamContext
from bot.handlers.pending import AwaitingConsultationOpinion
from bot.handlers.shape import Press, Said, on_message, on_press
from bot.rendering import consultations as view
from bot.services import consultations
from bot.services.consultations import ConsultationView, OpinionOutcome

PRIVATE = filters.ChatType.PRIVATE
ATTACH_CAPTION = filters.CaptionRegex(r"^/consult_attach(@\w+)?\s+\d+")


@permitted(Action.VOTE_CONSULTATION)
@on_message
async def list_open(said: Said) -> None:
    async with said.context.transaction() as session:
        open_now = await consultations.open_for(session, said.user_id, said.now)
    await said.send(view.listing(said.t, open_now))


@permitted(Action.VOTE_CONSULTATION)
@on_press(ConsultRead)
async def read(press: Press[ConsultRead]) -> None:
    """The background (with its photo or document), then the question and its buttons."""
    async with press.context.transaction() as session:
        found = await consultations.view(session, press.data.consultation_id)
        choice = await consultations.my_choice(session, press.data.consultation_id,
                                               press.user_id)
    if found is None or not found.is_open(press.now):
        await press.alert(view.vote_answer(press.t, consultations.VoteOutcome.NOT_OPEN))
        return
    await press.ack()
    await _send_attachments(press, found)
    rendered = view.background(press.t, found, choice)
    await press.context.bot.send_message(press.update.effective_chat.id,  # type: ignore[union-attr]
                                         rendered.text, parse_mode="HTML",
                                         reply_markup=rendered.reply_markup)


async def _send_attachments(press: Press[ConsultRead], found: ConsultationView) -> None:
    chat = press.update.effective_chat
    if chat is None:
        return
    if found.photo_file_id:
        await press.context.bot.send_photo(chat.id, found.photo_file_id)
    if found.document_file_id:
        await press.context.bot.send_document(chat.id, found.document_file_id)


@permitted(Action.VOTE_CONSULTATION)
@on_press(ConsultVote)
async def choose(press: Press[ConsultVote]) -> None:
    """A vote, or a changed one; the message shows the choice ticked."""
    data = press.data
    async with press.context.transaction() as session:
        outcome = await consultations.vote(session, data.consultation_id, press.user_id,
                                           data.choice, press.now)
        found = await consultations.view(session, data.consultation_id)
    await press.ack(view.vote_answer(press.t, outcome), alert=outcome not in CHOSEN)
    if found is not None and outcome in CHOSEN:
        await press.redraw(view.background(press.t, found, data.choice))


CHOSEN = frozenset({consultations.VoteOutcome.RECORDED, consultations.VoteOutcome.CHANGED})
RETRY = frozenset({OpinionOutcome.TOO_SHORT, OpinionOutcome.TOO_LONG, OpinionOutcome.EMPTY,
                   OpinionOutcome.FLAGGED})  # the next message may be the opinion again


@permitted(Action.WRITE_OPINION)
@on_press(ConsultOpinion)
async def start_opinion(press: Press[ConsultOpinion]) -> None:
    press.context.expect(AwaitingConsultationOpinion(press.data.consultation_id))
    await press.ack()
    message = press.query.message
    if message is not None:
        await press.context.bot.send_message(message.chat.id, view.opinion_prompt(press.t))


@permitted(Action.WRITE_OPINION)
async def receive_opinion(update: Update, context: GonggamContext) -> None:
    """The text after ✍️; a too short or too long one can be sent again."""
    message, pending = update.effective_message, context.pending
    if message is None or context.user is None or not isinstance(
            pending, AwaitingConsultationOpinion):
        return
    async with context.transaction() as session:
        outcome = await consultations.add_opinion(session, pending.consultation_id,
                                                  context.user.id, message.text or "",
                                                  context.services.clock.now())
    if outcome not in RETRY:
        context.take_pending(AwaitingConsultationOpinion)
    await message.reply_text(view.opinion_answer(translator_for(update, context), outcome))


@permitted(Action.CONSULTATION_ADMIN)
@on_message
async def create(said: Said) -> None:
    """`/consult_new <title>`, then one setting a line (`USAGE_LINES`)."""
    settings = said.context.services.settings
    try:
        form = parse_consultation(said.message.text or "", settings.areas, settings.categories,
                                  said.now.astimezone(settings.policy.timezone).date())
    except ConsultationError as error:
        await said.reply(view.usage(said.t, str(error) if said.args else None))
        return
    async with said.context.transaction() as session:
        result = await consultations.create(
            session, form, author_id=said.user_id, actor=actor_of(said.update), now=said.now,
            policy=settings.policy, venues=settings.venues)
    page = f"{settings.public_base_url}/consultation/{result.consultation_id}"
    await said.reply(view.created(said.t, result, page))


@permitted(Action.CONSULTATION_ADMIN)
@on_message
async def attach(said: Said) -> None:
    """A photo or a document captioned `/consult_attach <number>`: part of the background."""
    caption = (said.message.caption or "").split()
    number = as_number(caption[1]) if len(caption) > 1 else None
    photo = said.message.photo[-1].file_id if said.message.photo else None
    document = said.message.document.file_id if said.message.document else None
    async with said.context.transaction() as session:
        done = number is not None and await consultations.attach(
            session, number, photo=photo, document=document, actor=actor_of(said.update),
            now=said.now)
    await said.reply(view.attached(said.t, done))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("consult", list_open, filters=PRIVATE))
    application.add_handler(CommandHandler("consult_new", create, filters=PRIVATE))
    application.add_handler(MessageHandler(
        PRIVATE & (filters.PHOTO | filters.Document.ALL) & ATTACH_CAPTION, attach))
    application.add_handler(CallbackQueryHandler(read, pattern=ConsultRead.matches))
    application.add_handler(CallbackQueryHandler(choose, pattern=ConsultVote.matches))
    application.add_handler(CallbackQueryHandler(start_opinion, pattern=ConsultOpinion.matches))
    application.add_handler(MessageHandler(
        PRIVATE & filters.TEXT & ~filters.COMMAND
        & Awaiting(application, AwaitingConsultationOpinion), receive_opinion))
