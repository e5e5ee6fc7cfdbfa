"""Texts of /grant, /revoke and /staff (admins)."""

from __future__ import annotations

from html import escape

from bot.domain.permissions import Role
from bot.i18n import Translator
from bot.services.roles import RoleOutcome, StaffMember


def grant_usage(t: Translator) -> str:
    """Plain text: the <placeholders> are not HTML."""
    return t.gettext("Usage: /grant <telegram id> moderator|admin")


def revoke_usage(t: Translator) -> str:
    """Plain text: the <placeholders> are not HTML."""
    return t.gettext("Usage: /revoke <telegram id>")


def role_change_reply(t: Translator, outcome: RoleOutcome, role: Role) -> str:
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


def staff_list(t: Translator, members: list[StaffMember]) -> str:
    """HTML: admins and moderators, those from ADMIN_TELEGRAM_IDS marked."""
    lines = [t.gettext("<b>Staff</b>")]
    for member in members:
        mark = " " + t.gettext("(from the setting)") if member.bootstrap else ""
        label = t.gettext("admin") if member.role is Role.ADMIN else t.gettext("moderator")
        lines.append(f"· <code>{member.telegram_id}</code> — {label}{mark}")
    lines.append(escape(t.gettext("Change with /grant <telegram id> moderator|admin and "
                                  "/revoke <telegram id>.")))
    return "\n".join(lines)
