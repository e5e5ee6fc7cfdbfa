"""/export <proposals|answers|debates|rounds|departments> [csv|json] (staff): open data files."""

from __future__ import annotations

import logging

from telegram import InputFile
from telegram.ext import Application, CommandHandler, filters

from bot.domain.permissions import Action
from bot.handlers.access import permitted
from bot.handlers.common import actor_of
from bot.handlers.shape import Said, on_message
from bot.rendering import exports as files
from bot.services.exports import Dataset, Record, export_for_staff

log = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE


# Staff may name the datasets in Korean too (the usage text shows these names).
KOREAN_NAMES = {"제안": Dataset.PROPOSALS, "답변": Dataset.ANSWERS, "토론": Dataset.DEBATES,
                "예산": Dataset.ROUNDS, "부서": Dataset.DEPARTMENTS}


def parse_export(text: str) -> tuple[Dataset, str] | None:
    words = text.lower().split()[1:]
    if not 1 <= len(words) <= 2:
        return None
    dataset = KOREAN_NAMES.get(words[0]) or (Dataset(words[0]) if words[0] in set(Dataset)
                                              else None)
    fmt = words[1] if len(words) == 2 else "csv"
    return (dataset, fmt) if dataset is not None and fmt in files.FORMATS else None


@permitted(Action.EXPORT)
@on_message
async def send_export(said: Said) -> None:
    wanted = parse_export(said.message.text or "")
    if wanted is None:
        await said.reply(files.export_usage(said.t))
        return
    dataset, fmt = wanted
    generated_at, actor = said.now.isoformat(), actor_of(said.update)
    async with said.context.transaction() as session:
        records = await export_for_staff(session, dataset, actor=actor, fmt=fmt, now=said.now)
    document = _export_file(dataset, fmt, records, generated_at)
    log.info("export of %s (%s, %s records) for %s", dataset, fmt, len(records), actor)
    await said.message.reply_document(document, caption=files.export_caption(said.t, len(records)))


def _export_file(
    dataset: Dataset, fmt: str, records: list[Record], generated_at: str
) -> InputFile:
    data = (files.dataset_csv(dataset, records) if fmt == "csv"
            else files.dataset_json(dataset, records, generated_at))
    return InputFile(data, filename=files.file_name(dataset, fmt, generated_at))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("export", send_export, filters=PRIVATE))
