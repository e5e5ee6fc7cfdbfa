"""/export <proposals|answers|debates|rounds> [csv|json] (staff): the open data as a file."""

from __future__ import annotations

import logging

from telegram import InputFile, Update
from telegram.ext import Application, CommandHandler, filters

from bot.domain.permissions import Action
from bot.handlers.access import permitted
from bot.handlers.common import actor_of, translator_for
from bot.handlers.context import GonggamContext
from bot.rendering import exports as files
from bot.services.exports import Dataset, export_for_staff

log = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE


# Staff may name the datasets in Korean too (the usage text shows these names).
KOREAN_NAMES = {"제안": Dataset.PROPOSALS, "답변": Dataset.ANSWERS, "토론": Dataset.DEBATES,
                "예산": Dataset.ROUNDS}


def parse_export(text: str) -> tuple[Dataset, str] | None:
    words = text.lower().split()[1:]
    if not 1 <= len(words) <= 2:
        return None
    dataset = KOREAN_NAMES.get(words[0]) or (Dataset(words[0]) if words[0] in set(Dataset)
                                              else None)
    fmt = words[1] if len(words) == 2 else "csv"
    return (dataset, fmt) if dataset is not None and fmt in files.FORMATS else None


@permitted(Action.EXPORT)
async def send_export(update: Update, context: GonggamContext) -> None:
    message = update.effective_message
    assert message is not None
    t = translator_for(update, context)
    wanted = parse_export(message.text or "")
    if wanted is None:
        await message.reply_text(files.export_usage(t))
        return
    dataset, fmt = wanted
    services = context.services
    generated_at = services.clock.now().isoformat()
    actor = actor_of(update)
    async with context.transaction() as session:
        records = await export_for_staff(session, dataset, actor=actor, fmt=fmt,
                                         now=services.clock.now())
    data = (files.dataset_csv(dataset, records) if fmt == "csv"
            else files.dataset_json(dataset, records, generated_at))
    log.info("export of %s (%s, %s records) for %s", dataset, fmt, len(records), actor)
    await message.reply_document(
        InputFile(data, filename=files.file_name(dataset, fmt, generated_at)),
        caption=files.export_caption(t, len(records)),
    )


def register(application: Application) -> None:
    application.add_handler(CommandHandler("export", send_export, filters=PRIVATE))
