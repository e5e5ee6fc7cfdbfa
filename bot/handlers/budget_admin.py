"""Admin commands of participatory-budget rounds: /round_new, /rounds, /project_add,
/round_import, /round_export. Every command re-checks the admin role when it runs.

Forms arrive in the command's own message (`/round_new` then `key: value` lines), so there is
no half-finished state to lose or to resume: a bad form is answered with the bad lines and an
example, and the admin sends the corrected message again.
"""

from __future__ import annotations

from telegram import InputFile, Message, Update
from telegram.ext import Application, CommandHandler, filters

from bot.domain.pb.rounds import parse_project_form, parse_round_form
from bot.domain.permissions import Action
from bot.handlers.access import permitted
from bot.handlers.common import actor_of, translator_for
from bot.handlers.context import GonggamContext
from bot.rendering import budget as view
from bot.services import budget
from bot.services.budget import ExportOutcome, ProjectOutcome, ProjectResult

PRIVATE = filters.ChatType.PRIVATE


def split_command(text: str) -> tuple[list[str], str]:
    """The words of the command line (after the command) and the form on the lines below."""
    first, _, form = text.partition("\n")
    return first.split()[1:], form


def round_number(words: list[str]) -> int | None:
    if len(words) != 1 or not words[0].lstrip("#").isdigit():
        return None
    number = int(words[0].lstrip("#"))
    return number if 0 < number < 2**31 else None


def _message(update: Update) -> Message:
    message = update.effective_message
    assert message is not None
    return message


@permitted(Action.ROUND_ADMIN)
async def new_round(update: Update, context: GonggamContext) -> None:
    """/round_new followed by the form; without one, the example to copy."""
    t = translator_for(update, context)
    message = _message(update)
    _, form = split_command(message.text or "")
    if not form.strip():
        await message.reply_html(view.round_usage(t))
        return
    services = context.services
    now = services.clock.now()
    parsed = parse_round_form(form, now=now, tz=services.settings.policy.timezone,
                              areas=services.settings.areas)
    if parsed.spec is None:
        await message.reply_html(view.form_problems(t, parsed.problems, view.round_usage(t)))
        return
    async with context.transaction() as session:
        round_id = await budget.create_round(session, parsed.spec, now=now, actor=actor_of(update))
    await message.reply_html(view.round_created(t, round_id, parsed.spec))


@permitted(Action.ROUND_ADMIN)
async def list_rounds(update: Update, context: GonggamContext) -> None:
    async with context.transaction() as session:
        rounds = await budget.list_rounds(session)
    settings = context.services.settings
    await _message(update).reply_html(view.rounds_list(
        translator_for(update, context), rounds,
        lambda round_id: budget.round_url(settings, round_id)))


@permitted(Action.ROUND_ADMIN)
async def add_project(update: Update, context: GonggamContext) -> None:
    """/project_add <round> followed by the project form."""
    t = translator_for(update, context)
    message = _message(update)
    words, form = split_command(message.text or "")
    round_id = round_number(words)
    if round_id is None or not form.strip():
        await message.reply_html(view.project_usage(t, round_id))
        return
    services = context.services
    parsed = parse_project_form(form, areas=services.settings.areas)
    if parsed.spec is None:
        await message.reply_html(
            view.form_problems(t, parsed.problems, view.project_usage(t, round_id)))
        return
    async with context.transaction() as session:
        result = await budget.add_project(session, round_id, parsed.spec,
                                          now=services.clock.now(), actor=actor_of(update))
    if result.outcome is ProjectOutcome.ADDED:
        assert result.project_id is not None
        await message.reply_html(view.project_added(t, round_id, result.project_id,
                                                    parsed.spec.title, result.over_budget))
        return
    await message.reply_html(_refusal(context, update, round_id, result))


@permitted(Action.ROUND_ADMIN)
async def import_projects(update: Update, context: GonggamContext) -> None:
    """/round_import <round>: accepted proposals with a budget become projects, once."""
    round_id = await _admin_round_argument(update, context, "round_import")
    if round_id is None:
        return
    t = translator_for(update, context)
    message = _message(update)
    services = context.services
    async with context.transaction() as session:
        result = await budget.import_accepted(session, round_id, now=services.clock.now(),
                                              actor=actor_of(update))
    if result.outcome is ProjectOutcome.ADDED:
        await message.reply_html(view.imported(t, round_id, result.added, result.already))
        return
    await message.reply_html(_refusal(context, update, round_id, result))


async def _admin_round_argument(
    update: Update, context: GonggamContext, command: str
) -> int | None:
    """The round number after `/command`, for admins; None (after saying why) otherwise."""
    message = _message(update)
    round_id = round_number(split_command(message.text or "")[0])
    if round_id is None:
        await message.reply_html(view.round_usage_id(translator_for(update, context), command))
    return round_id


def _refusal(context: GonggamContext, update: Update, round_id: int,
             result: ProjectResult) -> str:
    t = translator_for(update, context)
    if result.outcome is ProjectOutcome.UNKNOWN_ROUND:
        return view.unknown_round(t, round_id)
    return view.not_preparing(t)


@permitted(Action.ROUND_ADMIN)
async def export_round(update: Update, context: GonggamContext) -> None:
    """/round_export <round>: the anonymous ballots as `.pb` and `.csv` documents."""
    round_id = await _admin_round_argument(update, context, "round_export")
    if round_id is None:
        return
    t = translator_for(update, context)
    message = _message(update)
    services = context.services
    async with context.transaction() as session:
        export = await budget.export_round(session, round_id, now=services.clock.now(),
                                           actor=actor_of(update))
    if export.outcome is ExportOutcome.UNKNOWN_ROUND:
        await message.reply_html(view.unknown_round(t, round_id))
        return
    if export.outcome is ExportOutcome.NOT_CLOSED:
        await message.reply_html(view.export_not_closed(t))
        return
    caption = view.export_caption(t, round_id, export.ballots)
    await message.reply_document(
        InputFile(export.pb_text.encode("utf-8"), filename=f"budget-round-{round_id}.pb"),
        caption=caption)
    await message.reply_document(
        InputFile(export.csv_bytes, filename=f"budget-round-{round_id}.csv"), caption=caption)


def register(application: Application) -> None:
    """Before the fallbacks (their command catch-all would answer these otherwise)."""
    for command, callback in (
        ("round_new", new_round), ("rounds", list_rounds), ("project_add", add_project),
        ("round_import", import_projects), ("round_export", export_round),
    ):
        application.add_handler(CommandHandler(command, callback, filters=PRIVATE))
