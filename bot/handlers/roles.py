"""Admins grant and revoke roles: /grant <telegram id> moderator|admin, /revoke <telegram id>,
/staff. People listed in ADMIN_TELEGRAM_IDS stay admins (the setting always wins)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from bot.domain.permissions import Role
from bot.domain.permissions import Action
from bot.handlers.access import permitted
from bot.handlers.common import actor_of, translator_for
from bot.handlers.context import GonggamContext
from bot.rendering import roles as view
from bot.services import roles

PRIVATE = filters.ChatType.PRIVATE
GRANTABLE = {"moderator": Role.MODERATOR, "admin": Role.ADMIN}


@permitted(Action.GRANT)
async def grant(update: Update, context: GonggamContext) -> None:
    """/grant <telegram id> moderator|admin"""
    t = translator_for(update, context)
    args = context.args or []
    if len(args) != 2 or not _is_id(args[0]) or args[1] not in GRANTABLE:
        await _reply(update, view.grant_usage(t))
        return
    await _change(update, context, int(args[0]), GRANTABLE[args[1]])


@permitted(Action.REVOKE)
async def revoke(update: Update, context: GonggamContext) -> None:
    """/revoke <telegram id> — back to resident."""
    t = translator_for(update, context)
    args = context.args or []
    if len(args) != 1 or not _is_id(args[0]):
        await _reply(update, view.revoke_usage(t))
        return
    await _change(update, context, int(args[0]), Role.RESIDENT)


async def _change(update: Update, context: GonggamContext, telegram_id: int, role: Role) -> None:
    services = context.services
    actor = actor_of(update)
    async with context.transaction() as session:
        outcome = await roles.set_role(session, telegram_id=telegram_id, role=role, actor=actor,
                                       now=services.clock.now(),
                                       bootstrap_ids=services.settings.admin_telegram_ids)
    await _reply(update, view.role_change_reply(translator_for(update, context), outcome, role))


@permitted(Action.LIST_STAFF)
async def staff(update: Update, context: GonggamContext) -> None:
    """/staff — admins and moderators."""
    services = context.services
    async with context.transaction() as session:
        members = await roles.list_staff(session, services.settings.admin_telegram_ids)
    if update.effective_message is not None:
        await update.effective_message.reply_html(
            view.staff_list(translator_for(update, context), members))


def _is_id(raw: str) -> bool:
    return raw.isdigit() and len(raw) <= 18


async def _reply(update: Update, text: str) -> None:
    """Plain text: usage lines contain <placeholders> that are not HTML."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(text)


def register(application: Application) -> None:
    for command, callback in (("grant", grant), ("revoke", revoke), ("staff", staff)):
        application.add_handler(CommandHandler(command, callback, filters=PRIVATE))
