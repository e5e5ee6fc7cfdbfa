"""Admins grant and revoke roles: /grant <telegram id> moderator|admin, /revoke <telegram id>,
/staff. People listed in ADMIN_TELEGRAM_IDS stay admins (the setting always wins)."""

from __future__ import annotations

from telegram.ext import Application, CommandHandler, filters

from bot.domain.permissions import Action, Role
from bot.handlers.access import permitted
from bot.handlers.common import actor_of
from bot.handlers.shape import Said, on_message
from bot.rendering import roles as view
from bot.services import roles

PRIVATE = filters.ChatType.PRIVATE
GRANTABLE = {"moderator": Role.MODERATOR, "admin": Role.ADMIN}


@permitted(Action.GRANT)
@on_message
async def grant(said: Said) -> None:
    """/grant <telegram id> moderator|admin"""
    args = said.args
    if len(args) != 2 or not _is_id(args[0]) or args[1] not in GRANTABLE:
        await said.reply(view.grant_usage(said.t))
        return
    await _change(said, int(args[0]), GRANTABLE[args[1]])


@permitted(Action.REVOKE)
@on_message
async def revoke(said: Said) -> None:
    """/revoke <telegram id> — back to resident."""
    args = said.args
    if len(args) != 1 or not _is_id(args[0]):
        await said.reply(view.revoke_usage(said.t))
        return
    await _change(said, int(args[0]), Role.RESIDENT)


async def _change(said: Said, telegram_id: int, role: Role) -> None:
    settings, actor = said.context.services.settings, actor_of(said.update)
    async with said.context.transaction() as session:
        outcome = await roles.set_role(session, telegram_id=telegram_id, role=role, actor=actor,
                                       now=said.now, bootstrap_ids=settings.admin_telegram_ids)
    await said.reply(view.role_change_reply(said.t, outcome, role))


@permitted(Action.LIST_STAFF)
@on_message
async def staff(said: Said) -> None:
    """/staff — admins and moderators."""
    admin_ids = said.context.services.settings.admin_telegram_ids
    async with said.context.transaction() as session:
        members = await roles.list_staff(session, admin_ids)
    await said.reply_html(view.staff_list(said.t, members))


def _is_id(raw: str) -> bool:
    return raw.isdigit() and len(raw) <= 18


def register(application: Application) -> None:
    for command, callback in (("grant", grant), ("revoke", revoke), ("staff", staff)):
        application.add_handler(CommandHandler(command, callback, filters=PRIVATE))
