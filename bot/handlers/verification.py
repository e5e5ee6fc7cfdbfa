"""/codes_new (admins: a batch of verification codes, delivered as files) and /verify."""

from __future__ import annotations

import logging

from telegram import InputFile, Update
from telegram.ext import Application, CommandHandler, filters

from bot.domain.permissions import Action
from bot.handlers.access import permitted
from bot.handlers.common import actor_of, translator_for
from bot.handlers.context import GonggamContext
from bot.rendering import verification as view
from bot.services import verification
from bot.services.verification import BatchRequest, RedeemOutcome

log = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE


def parse_batch_command(text: str) -> BatchRequest | None:
    """`/codes_new <동> <count> <days>`; None when the shape is wrong (ranges are the service's)."""
    parts = text.split()
    if len(parts) != 4 or not parts[2].isdigit() or not parts[3].isdigit():
        return None
    return BatchRequest(parts[1], int(parts[2]), int(parts[3]))


@permitted(Action.ISSUE_CODES)
async def new_codes(update: Update, context: GonggamContext) -> None:
    """The codes exist in clear only in the two files sent here, once."""
    t = translator_for(update, context)
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    request = parse_batch_command(message.text or "")
    if request is None:
        await message.reply_html(view.codes_usage(t))
        return
    services = context.services
    async with context.transaction() as session:
        result = await verification.create_batch(
            session, request, areas=services.settings.areas,
            secret_key=services.settings.secret_key,
            actor=actor_of(update), now=services.clock.now(),
        )
    if result.batch is None:
        await message.reply_html(
            view.batch_problem(t, result.outcome, request.area, services.settings.areas))
        return
    batch = result.batch
    stem = view.batch_file_stem(batch)
    await message.reply_html(view.batch_created(t, batch))
    await message.reply_document(InputFile(view.batch_csv(t, batch), filename=f"{stem}.csv"))
    printable = view.batch_printable(t, batch, context.bot.username)
    await message.reply_document(InputFile(printable, filename=f"{stem}.html"))


async def verify(update: Update, context: GonggamContext) -> None:
    message = update.effective_message
    if message is None or context.user is None:
        return
    t = translator_for(update, context)
    typed = (message.text or "").partition(" ")[2].strip()
    if not typed:
        await message.reply_html(view.verify_usage(t))
        return
    services = context.services
    async with context.transaction() as session:
        result = await verification.redeem_code(
            session, user_id=context.user.id, typed=typed,
            secret_key=services.settings.secret_key, now=services.clock.now(),
            previous_key=services.settings.secret_key_previous,
        )
    if result.outcome not in (RedeemOutcome.VERIFIED, RedeemOutcome.ALREADY_YOURS):
        log.info("verification refused for user %s: %s", context.user.id, result.outcome)
    await message.reply_html(view.redeem_reply(t, result))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("codes_new", new_codes, filters=PRIVATE))
    application.add_handler(CommandHandler("verify", verify, filters=PRIVATE))
