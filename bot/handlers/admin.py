"""/admin: an inline, paginated menu for moderators and admins.

The sections are listed in one place, `SECTIONS`: each has a key (used in the button data),
a label, the action whose rule decides who may open it, and a function that renders one page
of it. Other parts of the bot plug in by adding a `Section` there. Every press asks the
permission rules again: the tracking handler re-reads the role from the database for every
update.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.buttons import AdminMenu
from bot.domain.lifecycle import ProposalStatus
from bot.domain.permissions import Action
from bot.handlers import admin_lists
from bot.handlers.access import ask, permits, permitted
from bot.handlers.common import translator_for
from bot.handlers.context import GonggamContext, Session
from bot.handlers.shape import Press, on_press
from bot.i18n import Translator
from bot.rendering import Rendered
from bot.rendering import admin_menu as view
from bot.rendering import callbacks as callbacks_view
from bot.services import (
    admin_overview,
    audit,
    callbacks,
    departments,
    stats,
    text_contacts,
    work_items,
)
from bot.settings import Settings

log = logging.getLogger(__name__)
PRIVATE = filters.ChatType.PRIVATE
PAGE = view.PAGE_SIZE


@dataclass(frozen=True)
class MenuRequest:
    """What a section needs to draw one page."""

    t: Translator
    detail: str
    page: int
    settings: Settings
    now: datetime


SectionRenderer = Callable[[Session, MenuRequest], Awaitable[Rendered]]


@dataclass(frozen=True)
class Section:
    key: str  # its label is rendering.admin_menu.SECTION_LABELS[key]
    action: Action  # whoever may do it may open the section
    render: SectionRenderer


async def _queue(session: Session, r: MenuRequest) -> Rendered:
    items, total = await work_items.open_items(session, offset=r.page * PAGE, limit=PAGE)
    return view.queue(r.t, items, total, r.page)


async def _proposals(session: Session, r: MenuRequest) -> Rendered:
    try:
        status = ProposalStatus(r.detail)
    except ValueError:
        return view.status_overview(r.t, await admin_overview.status_counts(session))
    lines, total = await admin_overview.proposals_with_status(
        session, status, offset=r.page * PAGE, limit=PAGE)
    return view.proposals_page(r.t, status, lines, total, r.page)


async def _overdue(session: Session, r: MenuRequest) -> Rendered:
    lines, total = await admin_overview.overdue_answers(session, r.now, offset=r.page * PAGE,
                                                        limit=PAGE)
    return view.overdue(r.t, lines, total, r.page)


async def _departments(session: Session, r: MenuRequest) -> Rendered:
    return view.departments(r.t, await departments.list_departments(session), r.page)


async def _taxonomy(session: Session, r: MenuRequest) -> Rendered:
    return view.taxonomy(r.t, r.settings.categories, r.settings.areas,
                         await admin_overview.category_departments(session))


async def _rounds(session: Session, r: MenuRequest) -> Rendered:
    found, total = await admin_overview.budget_rounds(session, offset=r.page * PAGE, limit=PAGE)
    return view.rounds(r.t, found, total, r.page)


async def _polls(session: Session, r: MenuRequest) -> Rendered:
    found, total = await admin_overview.polls(session, offset=r.page * PAGE, limit=PAGE)
    return view.polls(r.t, found, total, r.page)


async def _codes(session: Session, r: MenuRequest) -> Rendered:
    found, total = await admin_overview.verification_batches(
        session, offset=r.page * PAGE, limit=PAGE)
    return view.codes(r.t, found, total, r.page)


async def _broadcasts(session: Session, r: MenuRequest) -> Rendered:
    found, total = await admin_overview.broadcasts(session, offset=r.page * PAGE, limit=PAGE)
    return view.broadcasts(r.t, found, total, r.page)


async def _stats(session: Session, r: MenuRequest) -> Rendered:
    return view.statistics(r.t, await stats.compute_stats(session, r.now),
                           _public_url(r.settings, "/stats"))


async def _exports(session: Session, r: MenuRequest) -> Rendered:
    return view.exports(r.t, _public_url(r.settings, "/data"))


async def _audit(session: Session, r: MenuRequest) -> Rendered:
    shown = await audit.query_audit(session, audit.AuditFilter(), page=r.page, per_page=PAGE)
    return view.audit(r.t, shown)


def _public_url(settings: Settings, path: str) -> str:
    return settings.public_base_url.rstrip("/") + path


async def _roles(session: Session, r: MenuRequest) -> Rendered:
    return view.roles_help(r.t)


async def _moderation(session: Session, r: MenuRequest) -> Rendered:
    return view.moderation_help(r.t)


async def _callbacks(session: Session, r: MenuRequest) -> Rendered:
    unreachable = await session.run_sync(
        lambda sync: text_contacts.unreachable_numbers(sync.connection()))
    return callbacks_view.waiting(r.t, await callbacks.open_count(session), *unreachable)


SECTIONS: tuple[Section, ...] = (
    Section("queue", Action.HANDLE_WORK_ITEM, _queue),
    Section("proposals", Action.OPEN_ADMIN_MENU, _proposals),
    Section("overdue", Action.OPEN_ADMIN_MENU, _overdue),
    Section("departments", Action.LIST_DEPARTMENTS, _departments),
    Section("taxonomy", Action.OPEN_ADMIN_MENU, _taxonomy),
    Section("rounds", Action.OPEN_ADMIN_MENU, _rounds),
    Section("polls", Action.POLL_ADMIN, _polls),
    Section("moderation", Action.OPEN_ADMIN_MENU, _moderation),
    Section("codes", Action.ISSUE_CODES, _codes),
    Section("stats", Action.STATS, _stats),
    Section("broadcasts", Action.BROADCAST, _broadcasts),
    Section("exports", Action.EXPORT, _exports),
    Section("audit", Action.AUDIT, _audit),
    Section("roles", Action.GRANT, _roles),
    Section("callbacks", Action.CALL_BACK, _callbacks),
)
BY_KEY = {section.key: section for section in SECTIONS}


@permitted(Action.OPEN_ADMIN_MENU)
async def open_menu(update: Update, context: GonggamContext) -> None:
    """/admin, or /admin <number|keyword> to find a proposal."""
    if context.args:
        await admin_lists.search_command(update, context)
        return
    rendered = await _main(update, context)
    if update.effective_message is not None:
        await update.effective_message.reply_html(rendered.text,
                                                  reply_markup=rendered.reply_markup)


async def _main(update: Update, context: GonggamContext) -> Rendered:
    t = translator_for(update, context)
    allowed = [s.key for s in SECTIONS if permits(context, s.action)]
    async with context.transaction() as session:
        _, open_count = await work_items.open_items(session, offset=0, limit=0)
    return view.main_menu(t, allowed, open_count)


@permitted(Action.OPEN_ADMIN_MENU)
@on_press(AdminMenu)
async def press(menu: Press[AdminMenu]) -> None:
    """A menu button: ask the rules again (for the section's own action too), then redraw."""
    choice = menu.data
    if choice.section == view.PAGE_LABEL:  # the page number between ◀ and ▶
        await menu.ack()
        return
    if choice.section == "menu":
        await menu.show(await _main(menu.update, menu.context))
        return
    section = BY_KEY.get(choice.section)
    if section is None or choice.page < 0:
        log.warning("admin menu: unknown section %r or page %s", choice.section, choice.page)
        await menu.ack()
        return
    if await ask(menu.update, menu.context, section.action):
        await menu.show(await _section_page(menu, section))


async def _section_page(menu: Press[AdminMenu], section: Section) -> Rendered:
    request = MenuRequest(menu.t, menu.data.detail, menu.data.page,
                          menu.context.services.settings, menu.now)
    async with menu.context.transaction() as session:
        return await section.render(session, request)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("admin", open_menu, filters=PRIVATE))
    application.add_handler(CallbackQueryHandler(press, pattern=AdminMenu.matches))
