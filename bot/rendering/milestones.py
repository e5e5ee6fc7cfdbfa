"""Texts of the promises kept after an accepting answer: the department's reminders before
each step of its plan and when one is late, the followers' notice of a late step, and the
request for a progress update."""

from __future__ import annotations

from html import escape

from bot.domain.events import MilestoneDue, MilestoneLate, MilestoneOverdue, ProgressRequested
from bot.i18n import Translator
from bot.rendering.registry import EventRegistry

MILESTONE_TEMPLATES: EventRegistry[str] = EventRegistry()


@MILESTONE_TEMPLATES.of(MilestoneDue)
def _due(t: Translator, event: MilestoneDue) -> str:
    return t.gettext(
        "🗓 Proposal #{id} 「{title}」: step {position} of your plan, 「{step}」, is due by "
        "{due}. Once it is done, post a progress update and write {position} under the steps "
        "reached:\n{url}"
    ).format(id=event.proposal_id, title=escape(event.title), position=event.position,
             step=escape(event.step), due=t.deadline(event.due), url=event.url)


@MILESTONE_TEMPLATES.of(MilestoneLate)
def _late(t: Translator, event: MilestoneLate) -> str:
    return t.gettext(
        "❗ Proposal #{id} 「{title}」: step {position} of your plan, 「{step}」, was due by "
        "{due} and is not marked reached. Its public page now shows it as late. Please post a "
        "progress update:\n{url}"
    ).format(id=event.proposal_id, title=escape(event.title), position=event.position,
             step=escape(event.step), due=t.deadline(event.due), url=event.url)


@MILESTONE_TEMPLATES.of(MilestoneOverdue)
def _overdue(t: Translator, event: MilestoneOverdue) -> str:
    return t.gettext(
        "⏳ A promised step of 「{title}」 is late: 「{step}」 was due by {due}. The department "
        "has been told, and we will let you know when it moves."
    ).format(title=escape(event.title), step=escape(event.step), due=t.deadline(event.due))


@MILESTONE_TEMPLATES.of(ProgressRequested)
def _progress(t: Translator, event: ProgressRequested) -> str:
    return t.gettext(
        "📊 Proposal #{id} 「{title}」: no progress update since {since}. Please tell residents "
        "where the work stands, in a few lines with the percent done:\n{url}"
    ).format(id=event.proposal_id, title=escape(event.title),
             since=t.day(t.local_day(event.since)), url=event.url)
