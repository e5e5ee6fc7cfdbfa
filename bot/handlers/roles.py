"""Admins grant and revoke roles: /grant <telegram id> moderator|admin, /revoke <telegram id>,
/staff. People listed in ADMIN_TELEGRAM_IDS stay admins (the setting always wins)."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from bot.domain.permissions import Role
from bot.domain.permissions import Action
from bot.handlers.access import permitted
from bot.handlers.common import actor_of, translator_for
from bot.handlers.context import GonggamContext
from bot.i18n import Translator
from bot.services import roles
from bot.services.roles import RoleOutcome

PRIVATE = filters.ChatType.PRIVATE
GRANTABLE = {"moderator": Role.MODERATOR, "admin": Role.ADMIN}


@permitted(Action.GRANT)
async def grant(update: Update, context: GonggamContext) -> None:
    """/grant <telegram id> moderator|admin"""
    t = translator_for(update, context)
    args = context.args or []
    if len(args) != 2 or not _is_id(args[0]) or args[1] not in GRANTABLE:
        await _reply(update, t.gettext("Usage: /grant <telegram id> moderator|admin"))
        return
    await _change(update, context, int(args[0]), GRANTABLE[args[1]])


@permitted(Action.REVOKE)
async def revoke(update: Update, context: GonggamContext) -> None:
    """/revoke <telegram id> — back to resident."""
    t = translator_for(update, context)
    args = context.args or []
    if len(args) != 1 or not _is_id(args[0]):
        await _reply(update, t.gettext("Usage: /revoke <telegram id>"))
        return
    await _change(update, context, int(args[0]), Role.RESIDENT)


async def _change(update: Update, context: GonggamContext, telegram_id: int, role: Role) -> None:
    services = context.services
    actor = actor_of(update)
    async with context.transaction() as session:
        outcome = await roles.set_role(session, telegram_id=telegram_id, role=role, actor=actor,
                                       now=services.clock.now(),
                                       bootstrap_ids=services.settings.admin_telegram_ids)
    await _reply(update, _texts(translator_for(update, context), outcome, role))


def _texts(t: Translator, outcome: RoleOutcome, role: Role) -> str:
    return {
        RoleOutcome.CHANGED: t.gettext("Done: they are now {role}.").format(
            role=role_label(t, role)),
        RoleOutcome.ALREADY: t.gettext("They are already {role}.").format(
            role=role_label(t, role)),
        RoleOutcome.UNKNOWN_USER: t.gettext(
            "Nobody with that Telegram id has used the bot. Ask them to send /start first."),
        RoleOutcome.LAST_ADMIN: t.gettext(
            "This is the last admin. Make someone else an admin first."),
        RoleOutcome.BOOTSTRAP: t.gettext(
            "This admin is listed in the ADMIN_TELEGRAM_IDS setting, which always wins. "
            "Remove the id there first."),
    }[outcome]


def role_label(t: Translator, role: Role) -> str:
    return {Role.ADMIN: t.gettext("an admin"), Role.MODERATOR: t.gettext("a moderator"),
            Role.RESIDENT: t.gettext("a resident")}[role]


@permitted(Action.LIST_STAFF)
async def staff(update: Update, context: GonggamContext) -> None:
    """/staff — admins and moderators."""
    services = context.services
    async with context.transaction() as session:
        members = await roles.list_staff(session, services.settings.admin_telegram_ids)
    t = translator_for(update, context)
    lines = [t.gettext("<b>Staff</b>")]
    for member in members:
        mark = " " + t.gettext("(from the setting)") if member.bootstrap else ""
        label = t.gettext("admin") if member.role is Role.ADMIN else t.gettext("moderator")
        lines.append(f"· <code>{member.telegram_id}</code> — {label}{mark}")
    lines.append(escape(t.gettext("Change with /grant <telegram id> moderator|admin and "
                                  "/revoke <telegram id>.")))
    if update.effective_message is not None:
        await update.effective_message.reply_html("\n".join(lines))


def _is_id(raw: str) -> bool:
    return raw.isdigit() and len(raw) <= 18


async def _reply(update: Update, text: str) -> None:
    """Plain text: usage lines contain <placeholders> that are not HTML."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(text)


def register(application: Application) -> None:  # type: ignore[type-arg]
    for command, callback in (("grant", grant), ("revoke", revoke), ("staff", staff)):
        application.add_handler(CommandHandler(command, callback, filters=PRIVATE))
