"""Words of a proposal's timeline on its public page (bot/domain/timeline.py): what happened,
who acted, and how it compares with what was promised."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from bot.domain.complaints import RECEIVED, ROUTED_NOTE
from bot.domain.consultations import ASKED, CLOSED_NOTE
from bot.domain.lifecycle import ProposalStatus
from bot.domain.timeline import DECIDED, PLACED, WORKGROUP_REPORT, Actor, Entry, Promise
from bot.i18n import N_, Translator
from bot.rendering.labels import ANSWER_KIND_LABELS, DECISION_LABELS, status_label

S = ProposalStatus
CHANGES: dict[str, str] = {
    S.COLLECTING: N_("Proposal published; gathering 공감 began"),
    S.UNDER_REVIEW: N_("Enough 공감: the department's review began"),
    S.IN_DEBATE: N_("The residents' debate opened"),
    S.AWAITING_ANSWER: N_("The debate closed; the final answer is awaited"),
    S.EXPIRED: N_("The 공감 period ended below the threshold"),
    RECEIVED: N_("민원 received"),
    ROUTED_NOTE: N_("민원 passed to the department in charge"),
    WORKGROUP_REPORT: N_("A report from the 워킹그룹"),
    ASKED: N_("The district asked residents"),
    PLACED: N_("Put on the 협치회의's agenda (상정)"),
    CLOSED_NOTE: N_("Residents' views gathered; the department's answer is awaited"),
}
ACTORS: dict[Actor, str] = {
    Actor.RESIDENT: N_("the proposer"),
    Actor.MODERATOR: N_("moderators"),
    Actor.DISTRICT: N_("the district (district proposal)"),
    Actor.WORKGROUP: N_("the residents' 워킹그룹"),
    Actor.GOVERNANCE: N_("the 협치회의"),
    Actor.SYSTEM: N_("automatic (deadline or 공감 threshold)"),
}
PROMISES: dict[Promise, str] = {
    Promise.KEPT: N_("✅ kept: promised by {day}"),
    Promise.LATE: N_("⚠️ {days} days later than promised ({day})"),
    Promise.OVERDUE: N_("❗ promised by {day}: {days} days overdue"),
    Promise.PENDING: N_("promised by {day}"),
}


def timeline_what(t: Translator, entry: Entry) -> str:
    """What happened (or, for a step ahead, what is promised)."""
    if entry.what == "step":
        return t.gettext("Step of the plan: 「{step}」").format(step=entry.title)
    if entry.what == "completion":
        return t.gettext("The work is complete") if entry.happened else t.gettext(
            "Expected completion of the work")
    if entry.what in ANSWER_KIND_LABELS:
        kind = t.gettext(ANSWER_KIND_LABELS[entry.what])
        if entry.decision in DECISION_LABELS:
            return f"{kind}: {t.gettext(DECISION_LABELS[entry.decision])}"
        return f"{kind} ({entry.percent}%)" if entry.percent is not None else kind
    if entry.what == DECIDED:
        return t.gettext("The 협치회의 passed it") if entry.decision == "passed" else t.gettext(
            "The 협치회의 did not pass it")
    if entry.what in CHANGES:
        return t.gettext(CHANGES[entry.what])
    return status_label(t, ProposalStatus(entry.what))  # the other states, by their names


def actor_label(t: Translator, entry: Entry) -> str:
    """Who acted: the office and the official who answered, or who else."""
    if entry.actor is Actor.DEPARTMENT:
        return " · ".join(part for part in (entry.office, entry.official) if part)
    return t.gettext(ACTORS[entry.actor])


def promise_label(t: Translator, entry: Entry) -> str:
    """The promise beside it, kept or not; empty when nothing was promised."""
    if entry.promise is None or entry.promised is None:
        return ""
    return t.gettext(PROMISES[entry.promise]).format(day=t.day(entry.promised), days=entry.days)


TimelineRow = tuple[str, str, str, str, str]  # its class, day, what, who and promise


def timeline_rows(t: Translator, day_label: Callable[[date], str],
                  entries: Sequence[Entry]) -> list[TimelineRow]:
    """The timeline's lines, every word of them worked out here: a page draws each one with
    no call back into Python (four calls an entry, most of what the timeline cost)."""
    return [(_row_class(entry), day_label(entry.day), timeline_what(t, entry),
             actor_label(t, entry), promise_label(t, entry)) for entry in entries]


def _row_class(entry: Entry) -> str:
    happened = "done" if entry.happened else "ahead"
    return f"{happened} {entry.promise}" if entry.promise else happened
