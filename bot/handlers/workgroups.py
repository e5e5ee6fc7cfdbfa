"""A proposal's 워킹그룹: staff attach residents (`/workgroup`, `/workgroup_remove`); members
report on the work (`/workgroup_update`), which staff approve as a work item."""

from __future__ import annotations

from telegram.ext import Application, CommandHandler, filters

from bot.domain.council import as_number
from bot.domain.permissions import Action
from bot.handlers.access import permitted
from bot.handlers.common import actor_of
from bot.handlers.shape import Said, on_message
from bot.rendering import workgroups as view
from bot.services import workgroups

PRIVATE = filters.ChatType.PRIVATE


def telegram_id(word: str) -> int | None:
    """A Telegram id, typed in digits (full-width ones too)."""
    return int(word) if word.isdecimal() and len(word) <= 15 else None


@permitted(Action.WORKGROUP_MANAGE)
@on_message
async def manage(said: Said) -> None:
    """/workgroup <proposal> [telegram ids…]: add them (none: list the members)."""
    proposal_id = as_number(said.args[0]) if said.args else None
    ids = [telegram_id(word) for word in said.args[1:]]
    if proposal_id is None or None in ids:
        await said.reply(view.members_usage(said.t))
        return
    async with said.context.transaction() as session:
        result = await workgroups.add_members(session, proposal_id,
                                              [i for i in ids if i is not None],
                                              actor=actor_of(said.update), now=said.now)
    await said.reply(view.members_reply(said.t, proposal_id, result))


@permitted(Action.WORKGROUP_MANAGE)
@on_message
async def remove(said: Said) -> None:
    proposal_id = as_number(said.args[0]) if len(said.args) == 2 else None
    member = telegram_id(said.args[1]) if proposal_id is not None else None
    if proposal_id is None or member is None:
        await said.reply(view.members_usage(said.t))
        return
    async with said.context.transaction() as session:
        result = await workgroups.remove_member(session, proposal_id, member,
                                                actor=actor_of(said.update), now=said.now)
    await said.reply(view.members_reply(said.t, proposal_id, result))


@permitted(Action.POST_WORKGROUP_UPDATE)
@on_message
async def report(said: Said) -> None:
    """/workgroup_update <proposal> <text>: a member's report, held for the staff."""
    proposal_id = as_number(said.args[0]) if said.args else None
    text = (said.message.text or "").split(maxsplit=2)[2:] if proposal_id else []
    if proposal_id is None or not text:
        await said.reply(view.update_usage(said.t))
        return
    async with said.context.transaction() as session:
        result = await workgroups.post_update(
            session, proposal_id, said.context.tracked_user.id, text[0], now=said.now,
            venues=said.context.services.settings.venues)
    await said.reply(view.post_reply(said.t, result))


def register(application: Application) -> None:
    for name, handler in {"workgroup": manage, "workgroup_remove": remove,
                          "workgroup_update": report}.items():
        application.add_handler(CommandHandler(name, handler, filters=PRIVATE))
