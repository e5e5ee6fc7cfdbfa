"""/codes_new (admins: a batch of verification codes, delivered as files) and /verify."""

from __future__ import annotations

import logging

from telegram import InputFile
from telegram.ext import Application, CommandHandler, filters

from bot.domain.permissions import Action
from bot.handlers.access import permitted
from bot.handlers.common import actor_of
from bot.handlers.shape import Said, on_message
from bot.rendering import verification as view
from bot.services import verification
from bot.services.verification import BatchRequest, BatchResult, IssuedBatch, RedeemOutcome

log = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE


def parse_batch_command(text: str) -> BatchRequest | None:
    """`/codes_new <동> <count> <days>`; None when the shape is wrong.

    The ranges are the service's to check.
    """
    parts = text.split()
    if len(parts) != 4 or not parts[2].isdigit() or not parts[3].isdigit():
        return None
    return BatchRequest(parts[1], int(parts[2]), int(parts[3]))


@permitted(Action.ISSUE_CODES)
@on_message
async def new_codes(said: Said) -> None:
    """The codes exist in clear only in the two files sent here, once."""
    request = parse_batch_command(said.message.text or "")
    if request is None:
        await said.reply_html(view.codes_usage(said.t))
        return
    areas = said.context.services.settings.areas
    result = await _create_batch(said, request)
    if result.batch is None:
        await said.reply_html(view.batch_problem(said.t, result.outcome, request.area, areas))
        return
    await _send_batch(said, result.batch)


async def _create_batch(said: Said, request: BatchRequest) -> BatchResult:
    settings = said.context.services.settings
    async with said.context.transaction() as session:
        return await verification.create_batch(
            session, request, areas=settings.areas, secret_key=settings.secret_key,
            actor=actor_of(said.update), now=said.now,
        )


async def _send_batch(said: Said, batch: IssuedBatch) -> None:
    """The announcement, then the codes as a spreadsheet and as a page to print."""
    stem = view.batch_file_stem(batch)
    await said.reply_html(view.batch_created(said.t, batch))
    await said.message.reply_document(InputFile(view.batch_csv(said.t, batch),
                                                filename=f"{stem}.csv"))
    printable = view.batch_printable(said.t, batch, said.context.bot.username)
    await said.message.reply_document(InputFile(printable, filename=f"{stem}.html"))


@on_message
async def verify(said: Said) -> None:
    typed = (said.message.text or "").partition(" ")[2].strip()
    if not typed:
        await said.reply_html(view.verify_usage(said.t))
        return
    settings = said.context.services.settings
    async with said.context.transaction() as session:
        result = await verification.redeem_code(
            session, user_id=said.user_id, typed=typed, secret_key=settings.secret_key,
            now=said.now, previous_key=settings.secret_key_previous,
        )
    if result.outcome not in (RedeemOutcome.VERIFIED, RedeemOutcome.ALREADY_YOURS):
        log.info("verification refused for user %s: %s", said.user_id, result.outcome)
    await said.reply_html(view.redeem_reply(said.t, result))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("codes_new", new_codes, filters=PRIVATE))
    application.add_handler(CommandHandler("verify", verify, filters=PRIVATE))
