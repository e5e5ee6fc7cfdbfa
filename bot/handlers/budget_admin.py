"""Admin commands of participatory-budget rounds: /round_new, /rounds, /project_add,
/round_import, /round_export. Every command re-checks the admin role when it runs.

Forms arrive in the command's own message (`/round_new` then `key: value` lines), so there is
no half-finished state to lose or to resume: a bad form is answered with the bad lines and an
example, and the admin sends the corrected message again.
"""

from __future__ import annotations

from telegram import InputFile
from telegram.ext import Application, CommandHandler, filters

from bot.domain.pb.rounds import parse_project_form, parse_round_form
from bot.domain.permissions import Action
from bot.handlers.access import permitted
from bot.handlers.common import actor_of
from bot.handlers.shape import Said, on_message
from bot.rendering import budget as view
from bot.services import budget
from bot.services.budget import Export

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


@permitted(Action.ROUND_ADMIN)
@on_message
async def new_round(said: Said) -> None:
    """/round_new followed by the form; without one, the example to copy."""
    t, settings, now = said.t, said.context.services.settings, said.now
    _, form = split_command(said.message.text or "")
    if not form.strip():
        await said.reply_html(view.round_usage(t))
        return
    parsed = parse_round_form(form, now=now, tz=settings.policy.timezone, areas=settings.areas)
    if parsed.spec is None:
        await said.reply_html(view.form_problems(t, parsed.problems, view.round_usage(t)))
        return
    async with said.context.transaction() as session:
        round_id = await budget.create_round(session, parsed.spec, now=now,
                                             actor=actor_of(said.update))
    await said.reply_html(view.round_created(t, round_id, parsed.spec))


@permitted(Action.ROUND_ADMIN)
@on_message
async def list_rounds(said: Said) -> None:
    async with said.context.transaction() as session:
        rounds = await budget.list_rounds(session)
    base_url = said.context.services.settings.venues.public_base_url
    await said.reply_html(view.rounds_list(
        said.t, rounds, lambda round_id: budget.round_url(base_url, round_id)))


@permitted(Action.ROUND_ADMIN)
@on_message
async def add_project(said: Said) -> None:
    """/project_add <round> followed by the project form."""
    t = said.t
    words, form = split_command(said.message.text or "")
    round_id = round_number(words)
    if round_id is None or not form.strip():
        await said.reply_html(view.project_usage(t, round_id))
        return
    parsed = parse_project_form(form, areas=said.context.services.settings.areas)
    if parsed.spec is None:
        await said.reply_html(
            view.form_problems(t, parsed.problems, view.project_usage(t, round_id)))
        return
    async with said.context.transaction() as session:
        result = await budget.add_project(session, round_id, parsed.spec, now=said.now,
                                          actor=actor_of(said.update))
    await said.reply_html(view.project_reply(t, round_id, parsed.spec.title, result))


@permitted(Action.ROUND_ADMIN)
@on_message
async def import_projects(said: Said) -> None:
    """/round_import <round>: accepted proposals with a budget become projects, once."""
    round_id = await _admin_round_argument(said, "round_import")
    if round_id is None:
        return
    async with said.context.transaction() as session:
        result = await budget.import_accepted(session, round_id, now=said.now,
                                              actor=actor_of(said.update))
    await said.reply_html(view.import_reply(said.t, round_id, result))


async def _admin_round_argument(said: Said, command: str) -> int | None:
    """The round number after `/command`, for admins; None (after saying why) otherwise."""
    round_id = round_number(split_command(said.message.text or "")[0])
    if round_id is None:
        await said.reply_html(view.round_usage_id(said.t, command))
    return round_id


@permitted(Action.ROUND_ADMIN)
@on_message
async def export_round(said: Said) -> None:
    """/round_export <round>: the anonymous ballots as `.pb` and `.csv` documents."""
    round_id = await _admin_round_argument(said, "round_export")
    if round_id is None:
        return
    async with said.context.transaction() as session:
        export = await budget.export_round(session, round_id, now=said.now,
                                           actor=actor_of(said.update))
    refusal = view.export_refusal(said.t, round_id, export.outcome)
    if refusal is not None:
        await said.reply_html(refusal)
        return
    await _send_export(said, round_id, export)


async def _send_export(said: Said, round_id: int, export: Export) -> None:
    caption = view.export_caption(said.t, round_id, export.ballots)
    await said.message.reply_document(
        InputFile(export.pb_text.encode("utf-8"), filename=f"budget-round-{round_id}.pb"),
        caption=caption)
    await said.message.reply_document(
        InputFile(export.csv_bytes, filename=f"budget-round-{round_id}.csv"), caption=caption)


def register(application: Application) -> None:
    """Before the fallbacks (their command catch-all would answer these otherwise)."""
    for command, callback in (
        ("round_new", new_round), ("rounds", list_rounds), ("project_add", add_project),
        ("round_import", import_projects), ("round_export", export_round),
    ):
        application.add_handler(CommandHandler(command, callback, filters=PRIVATE))
