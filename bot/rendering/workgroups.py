"""Texts of a proposal's 워킹그룹: joining, the staff's replies to commands, the report
published to the followers, and its author told of the decision."""

from __future__ import annotations

from html import escape

from bot.domain.events import WorkgroupJoined, WorkgroupNews, WorkgroupUpdateDecided
from bot.i18n import Translator
from bot.rendering.registry import EventRegistry
from bot.services.workgroups import (
    UPDATE_LIMITS,
    MembersOutcome,
    MembersResult,
    PostOutcome,
    PostResult,
)

WORKGROUP_TEMPLATES: EventRegistry[str] = EventRegistry()


@WORKGROUP_TEMPLATES.of(WorkgroupJoined)
def _joined(t: Translator, event: WorkgroupJoined) -> str:
    return t.gettext(
        "🛠 You are now in the 워킹그룹 of proposal #{id} 「{title}」: you follow the work with "
        "the department. To report what you see, send\n/workgroup_update {id} what you saw\n"
        "Staff check each report before the followers get it."
    ).format(id=event.proposal_id, title=escape(event.title))


@WORKGROUP_TEMPLATES.of(WorkgroupNews)
def _news(t: Translator, event: WorkgroupNews) -> str:
    return t.gettext(
        "🛠 The 워킹그룹 reports on 「{title}」:\n{text}\n\nThe whole record: {url}"
    ).format(title=escape(event.title), text=escape(event.text), url=event.url)


@WORKGROUP_TEMPLATES.of(WorkgroupUpdateDecided)
def _decided(t: Translator, event: WorkgroupUpdateDecided) -> str:
    if event.approved:
        return t.gettext("✅ Your report on 「{title}」 is published. Thank you!").format(
            title=escape(event.title))
    return t.gettext(
        "Your report on 「{title}」 was not published. Staff may contact you about it."
    ).format(title=escape(event.title))


def members_usage(t: Translator) -> str:
    """Plain text: the <placeholders> are not HTML."""
    return t.gettext("Usage: /workgroup <proposal> [telegram ids…] · "
                     "/workgroup_remove <proposal> <telegram id>")


def update_usage(t: Translator) -> str:
    """Plain text: the <placeholders> are not HTML."""
    return t.gettext("Usage: /workgroup_update <proposal> <what you saw of the work>")


def members_reply(t: Translator, proposal_id: int, result: MembersResult) -> str:
    """Plain text."""
    if result.outcome is MembersOutcome.NOT_FOUND:
        return t.gettext("There is no proposal #{id}, or no such member.").format(
            id=proposal_id)
    if result.outcome is MembersOutcome.NOT_ACCEPTED:
        return t.gettext(
            "Proposal #{id} is not being carried out: a 워킹그룹 follows work the department "
            "accepted and has not completed.").format(id=proposal_id)
    lines = [t.gettext("워킹그룹 of #{id}: {members}").format(
        id=proposal_id, members=", ".join(map(str, result.members)) or "—")]
    if result.unknown:
        lines.append(t.gettext("Not found (they must start the bot first): {ids}").format(
            ids=", ".join(map(str, result.unknown))))
    return "\n".join(lines)


def post_reply(t: Translator, result: PostResult) -> str:
    """Plain text."""
    low, high = UPDATE_LIMITS
    return {
        PostOutcome.POSTED: t.gettext(
            "Thank you! Staff will check your report, then the followers get it."),
        PostOutcome.NOT_MEMBER: t.gettext(
            "Only members of this proposal's 워킹그룹 can report on its work."),
        PostOutcome.NOT_CARRIED_OUT: t.gettext("This proposal is not being carried out now."),
        PostOutcome.TOO_SHORT: t.gettext(
            "Please write at least {n} characters about what you saw.").format(n=low),
        PostOutcome.TOO_LONG: t.gettext(
            "Please keep it under {n} characters.").format(n=f"{high:,}"),
    }[result.outcome]
