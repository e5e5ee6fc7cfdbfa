"""Texts of the 협치회의: the staff's and members' replies, the notices to members, staff,
the head's office and proposals' followers, and the labels the public pages share."""

from __future__ import annotations

from html import escape

from bot.domain.events import (
    GovernanceAppointed,
    GovernanceConvened,
    GovernanceDecided,
    GovernancePlaced,
    GovernanceRecommended,
    GovernanceRequestsReached,
    RecommendationAnswered,
    RecommendationOverdue,
    RecommendationReminder,
)
from bot.domain.governance import DISMISS, PLACEABLE, Choice, MeetingKind, Outcome, Problem, Role
from bot.domain.lifecycle import ProposalStatus
from bot.i18n import N_, Translator
from bot.rendering.labels import status_label
from bot.rendering.registry import EventRegistry
from bot.services.governance import (
    AppointOutcome,
    AppointResult,
    AttendOutcome,
    AttendResult,
    ConveneResult,
    DecideOutcome,
    DecideResult,
    MinutesOutcome,
    PlaceOutcome,
    PlaceResult,
    RecommendOutcome,
    RecommendResult,
    RequestOutcome,
    RequestResult,
    RespondOutcome,
    VoteOutcome,
    VoteResult,
)

GOVERNANCE_TEMPLATES: EventRegistry[str] = EventRegistry()
ROLE_LABELS = {Role.CHAIR: N_("chair (위원장)"), Role.MEMBER: N_("member (위원)")}
KIND_LABELS = {MeetingKind.REGULAR: N_("regular meeting"),
               MeetingKind.EXTRAORDINARY: N_("extraordinary meeting")}
CHOICE_LABELS = {Choice.YES: N_("in favour"), Choice.NO: N_("against"),
                 Choice.ABSTAIN: N_("abstained")}
OUTCOME_LABELS = {Outcome.PASSED: N_("passed"), Outcome.REJECTED: N_("not passed")}
USAGE = {
    "member": N_("/hyeopchi_member <telegram id> <위원장|위원|해촉> <name>: the person must "
                 "have started the bot."),
    "meeting": N_("/hyeopchi_meeting <정기|임시> <YYYY-MM-DD> <HH:MM> <place>"),
    "request": N_("/hyeopchi_request <reason>: members ask for an extraordinary meeting."),
    "agenda": N_("/hyeopchi_agenda <meeting> <proposal number>, or for a closed consultation: "
                 "/hyeopchi_agenda <meeting> 의견 <consultation number>"),
    "attend": N_("/hyeopchi_attend <meeting> <telegram id> [telegram id…]"),
    "vote": N_("/hyeopchi_vote <meeting> <item> <찬성|반대|기권>"),
    "decide": N_("/hyeopchi_decide <meeting> <item>"),
    "minutes": N_("/hyeopchi_minutes <meeting>, then the minutes from the next line"),
    "recommend": N_("/hyeopchi_recommend <meeting> <item> <text of the recommendation>"),
    "response": N_("/hyeopchi_response <recommendation> <the office's response>"),
}
PROBLEMS = {
    Problem.USAGE: USAGE["meeting"],
    Problem.BAD_MOMENT: N_("Write the date and time like 2027-03-02 14:00."),
    Problem.PAST: N_("That moment has passed: a meeting is convened for a later time."),
    Problem.TOO_LONG: N_("The text is too long."),
}
NO_MEETING = N_("There is no meeting {id}.")
NO_ITEM = N_("Meeting {meeting} has no item {item}.")
NOT_ALLOWED = N_("Only the chair (위원장) or an admin can do this.")
NOT_MEMBER = N_("Only members of the 협치회의 can do this.")


def usage(t: Translator, command: str) -> str:
    return escape(t.gettext(USAGE[command]))


def problem(t: Translator, found: Problem) -> str:
    return escape(t.gettext(PROBLEMS[found]))


def role_label(t: Translator, role: Role) -> str:
    return t.gettext(ROLE_LABELS[role])


def kind_label(t: Translator, kind: MeetingKind) -> str:
    return t.gettext(KIND_LABELS[kind])


def choice_label(t: Translator, choice: Choice) -> str:
    return t.gettext(CHOICE_LABELS[choice])


def outcome_label(t: Translator, outcome: Outcome) -> str:
    return t.gettext(OUTCOME_LABELS[outcome])


def no_meeting(t: Translator, meeting_id: int) -> str:
    return t.gettext(NO_MEETING).format(id=meeting_id)


def no_item(t: Translator, meeting_id: int, number: int) -> str:
    return t.gettext(NO_ITEM).format(meeting=meeting_id, item=number)


# ----- replies ----------------------------------------------------------------------------


def appointed(t: Translator, result: AppointResult) -> str:
    member, outcome = result.member, result.outcome
    if outcome is AppointOutcome.NO_USER:
        return t.gettext("Nobody with that Telegram id has started the bot yet. Ask them to "
                         "send /start first.")
    if outcome is AppointOutcome.NOT_MEMBER:
        return t.gettext("That person is not a member of the 협치회의.")
    if outcome is AppointOutcome.NO_NAME:
        return usage(t, "member")
    if outcome is AppointOutcome.CHAIR_TAKEN and result.chair is not None:
        return t.gettext("{name} is the chair now. There is one chair at a time: make them "
                         "a member or dismiss them first.").format(
            name=escape(result.chair.name))
    assert member is not None
    texts = {
        AppointOutcome.APPOINTED: N_("✅ {name} is appointed: {role}. They have been told."),
        AppointOutcome.CHANGED: N_("✅ {name} is now: {role}."),
        AppointOutcome.UNCHANGED: N_("{name} is already: {role}."),
        AppointOutcome.DISMISSED: N_("✅ {name} is dismissed from the 협치회의. They have "
                                     "been told."),
    }
    return t.gettext(texts[outcome]).format(name=escape(member.name),
                                            role=role_label(t, member.role))


def convened(t: Translator, result: ConveneResult, url: str) -> str:
    meeting = result.meeting
    text = t.gettext("✅ Meeting {id} ({kind}) is convened for {moment} at {place}. "
                     "{told} members are told.\n{url}").format(
        id=meeting.id, kind=kind_label(t, meeting.kind), moment=t.moment(meeting.starts_at),
        place=escape(meeting.place), told=result.told, url=escape(url))
    if result.requests_closed:
        text += "\n" + t.gettext("It answers {n} open requests for an extraordinary "
                                 "meeting.").format(n=result.requests_closed)
    return text


def requested(t: Translator, result: RequestResult) -> str:
    if result.outcome is RequestOutcome.NOT_MEMBER:
        return t.gettext(NOT_MEMBER)
    counts = t.gettext("Open requests: {count} (a third of the members is {needed}).").format(
        count=result.open_requests, needed=result.needed)
    if result.outcome is RequestOutcome.ALREADY:
        return t.gettext("You have asked already; your request stays open until an "
                         "extraordinary meeting is convened.") + "\n" + counts
    if result.outcome is RequestOutcome.REACHED:
        return t.gettext("✅ Your request is in. A third of the members have asked: the "
                         "admins are told to convene an extraordinary meeting.") + "\n" + counts
    return t.gettext("✅ Your request is in.") + "\n" + counts


def placed(t: Translator, result: PlaceResult, meeting_id: int, proposal_id: int) -> str:
    if result.outcome is PlaceOutcome.NO_MEETING:
        return no_meeting(t, meeting_id)
    if result.outcome is PlaceOutcome.NO_PROPOSAL:
        return t.gettext("There is no public proposal #{id}.").format(id=proposal_id)
    if result.outcome is PlaceOutcome.NOT_PLACEABLE and result.status is not None:
        allowed = ", ".join(status_label(t, s) for s in ProposalStatus if s in PLACEABLE)
        return t.gettext("#{id} cannot go on the agenda now ({status}). Only a proposal the "
                         "department found feasible can: {allowed}.").format(
            id=proposal_id, status=status_label(t, result.status), allowed=allowed)
    if result.outcome is PlaceOutcome.ALREADY:
        return t.gettext("#{id} is item {item} of meeting {meeting} already.").format(
            id=proposal_id, item=result.number, meeting=meeting_id)
    return t.gettext("✅ #{id} 「{title}」 is item {item} of meeting {meeting}. {told} "
                     "followers are told.").format(
        id=proposal_id, title=escape(result.title), item=result.number, meeting=meeting_id,
        told=result.told)


def quorum_line(t: Translator, present: int, members: int, missing: int) -> str:
    if missing:
        return t.gettext("Present: {present} of {members} members. No quorum: {missing} more "
                         "must attend.").format(present=present, members=members,
                                                missing=missing)
    return t.gettext("Present: {present} of {members} members. Quorate.").format(
        present=present, members=members)


def attended(t: Translator, result: AttendResult, meeting_id: int) -> str:
    if result.outcome is AttendOutcome.NOT_ALLOWED:
        return t.gettext(NOT_ALLOWED)
    if result.outcome is AttendOutcome.NO_MEETING:
        return no_meeting(t, meeting_id)
    lines = [t.gettext("✅ Attendance of meeting {id} recorded: {names}").format(
        id=meeting_id, names=escape(", ".join(result.added)) or "-")]
    if result.unknown:
        lines.append(t.gettext("Not members: {ids}").format(
            ids=", ".join(map(str, result.unknown))))
    lines.append(quorum_line(t, result.present, result.members, result.missing))
    return "\n".join(lines)


def voted(t: Translator, result: VoteResult, meeting_id: int, number: int) -> str:
    outcome = result.outcome
    if outcome is VoteOutcome.NOT_MEMBER:
        return t.gettext(NOT_MEMBER)
    if outcome is VoteOutcome.NO_ITEM:
        return no_item(t, meeting_id, number)
    if outcome is VoteOutcome.DECIDED:
        return t.gettext("This item has been decided: votes are closed.")
    if outcome is VoteOutcome.NOT_PRESENT:
        return t.gettext("Only members recorded as present can vote. Ask the chair to record "
                         "your attendance.")
    choice = choice_label(t, result.choice) if result.choice else "-"
    if outcome is VoteOutcome.ALREADY:
        return t.gettext("You have voted on this item already ({choice}). One vote per "
                         "member: it cannot be changed.").format(choice=choice)
    return t.gettext("✅ Your vote on item {item} 「{title}」: {choice}.").format(
        item=number, title=escape(result.title), choice=choice)


def counts_line(t: Translator, yes: int, no: int, abstain: int, present: int) -> str:
    return t.gettext("in favour {yes}, against {no}, abstained {abstain} of {present} "
                     "present").format(yes=yes, no=no, abstain=abstain, present=present)


def decided(t: Translator, result: DecideResult, meeting_id: int, number: int) -> str:
    outcome = result.outcome
    if outcome is DecideOutcome.NOT_ALLOWED:
        return t.gettext(NOT_ALLOWED)
    if outcome is DecideOutcome.NO_ITEM:
        return no_item(t, meeting_id, number)
    if outcome is DecideOutcome.NO_QUORUM:
        return t.gettext("Not decided: there is no quorum. Present: {present} of {members} "
                         "members; {missing} more must attend.").format(
            present=result.present, members=result.members, missing=result.missing)
    if outcome is DecideOutcome.ALREADY:
        return t.gettext("Item {item} has been decided already: it cannot be decided "
                         "again.").format(item=number)
    assert result.result is not None
    counts = counts_line(t, result.tally.yes, result.tally.no, result.tally.abstain,
                         result.present)
    return t.gettext("✅ Item {item} 「{title}」: {outcome} ({counts}). {told} followers are "
                     "told.").format(item=number, title=escape(result.title),
                                     outcome=outcome_label(t, result.result), counts=counts,
                                     told=result.told)


def minutes_written(t: Translator, outcome: MinutesOutcome, meeting_id: int, url: str) -> str:
    if outcome is MinutesOutcome.NO_MEETING:
        return no_meeting(t, meeting_id)
    return t.gettext("✅ The minutes of meeting {id} are published: {url}").format(
        id=meeting_id, url=escape(url))


def recommended(t: Translator, result: RecommendResult, meeting_id: int, number: int) -> str:
    outcome = result.outcome
    if outcome is RecommendOutcome.NO_ITEM:
        return no_item(t, meeting_id, number)
    if outcome is RecommendOutcome.NOT_PASSED:
        return t.gettext("Only an item that passed can become a recommendation.")
    assert result.due_at is not None
    if outcome is RecommendOutcome.ALREADY:
        return t.gettext("This item is recommendation {id} already (answer due by "
                         "{due}).").format(id=result.recommendation_id,
                                           due=t.deadline(result.due_at))
    told = (t.gettext("{office} is told.").format(office=escape(result.office))
            if result.office else t.gettext("No department is marked as the head's office: "
                                            "the staff are told."))
    return escape(t.gettext("✅ Recommendation {id} to the district head. The answer is due "
                            "by {due}. {told}\nRecord the answer: /hyeopchi_response {id} "
                            "<text>")).format(
        id=result.recommendation_id, due=t.deadline(result.due_at), told=told)


def responded(t: Translator, outcome: RespondOutcome, recommendation_id: int) -> str:
    if outcome is RespondOutcome.NOT_FOUND:
        return t.gettext("There is no recommendation {id}.").format(id=recommendation_id)
    if outcome is RespondOutcome.ALREADY:
        return t.gettext("Recommendation {id} has been answered already.").format(
            id=recommendation_id)
    return t.gettext("✅ The answer to recommendation {id} is published and its followers "
                     "are told.").format(id=recommendation_id)


def overview_link(t: Translator, url: str) -> str:
    return t.gettext("🤝 The 협치회의: its members, meetings, decisions and recommendations to "
                     "the district head are public:\n{url}").format(url=escape(url))


# ----- notices ----------------------------------------------------------------------------


@GOVERNANCE_TEMPLATES.of(GovernanceAppointed)
def _appointed(t: Translator, event: GovernanceAppointed) -> str:
    if event.role == DISMISS:
        return t.gettext("You have been dismissed from the 협치회의. Thank you for your "
                         "work.")
    return t.gettext("🤝 You are appointed to the 협치회의 as {role}. Meetings will be "
                     "announced here.\n{url}").format(role=role_label(t, Role(event.role)),
                                                      url=escape(event.url))


@GOVERNANCE_TEMPLATES.of(GovernanceConvened)
def _convened(t: Translator, event: GovernanceConvened) -> str:
    return t.gettext("📅 A 협치회의 {kind} is convened: {moment}, {place}. The agenda is "
                     "on its page:\n{url}").format(
        kind=kind_label(t, MeetingKind(event.meeting_kind)), moment=t.moment(event.starts_at),
        place=escape(event.place), url=escape(event.url))


@GOVERNANCE_TEMPLATES.of(GovernanceRequestsReached)
def _reached(t: Translator, event: GovernanceRequestsReached) -> str:
    reasons = "\n".join(f"• {escape(reason)}" for reason in event.reasons)
    return escape(t.gettext("📣 {requests} of {members} members ask for an extraordinary "
                            "협치회의 meeting (a third is enough). Convene it: "
                            "/hyeopchi_meeting 임시 <date> <time> <place>\n{reasons}")).format(
        requests=event.requests, members=event.members, reasons=reasons)


@GOVERNANCE_TEMPLATES.of(GovernancePlaced)
def _placed(t: Translator, event: GovernancePlaced) -> str:
    return t.gettext("🤝 「{title}」 is on the agenda of the 협치회의 (상정), meeting of "
                     "{moment}. We will tell you what it decides.\n{url}").format(
        title=escape(event.title), moment=t.moment(event.starts_at), url=escape(event.url))


@GOVERNANCE_TEMPLATES.of(GovernanceDecided)
def _decided(t: Translator, event: GovernanceDecided) -> str:
    counts = counts_line(t, event.yes, event.no, event.abstain, event.present)
    return t.gettext("🤝 The 협치회의 has decided on 「{title}」: {outcome} ({counts}).\n"
                     "{url}").format(title=escape(event.title),
                                     outcome=outcome_label(t, Outcome(event.outcome)),
                                     counts=counts, url=escape(event.url))


@GOVERNANCE_TEMPLATES.of(GovernanceRecommended)
def _recommended(t: Translator, event: GovernanceRecommended) -> str:
    return t.gettext("📨 The 협치회의 recommends to the district head on 「{title}」 "
                     "(recommendation {id}):\n{text}\nThe answer is due by {due}.\n"
                     "{url}").format(title=escape(event.title), id=event.recommendation_id,
                                     text=escape(event.text), due=t.deadline(event.due),
                                     url=escape(event.url))


@GOVERNANCE_TEMPLATES.of(RecommendationReminder)
def _reminder(t: Translator, event: RecommendationReminder) -> str:
    if event.overdue:
        text = N_("❗ Recommendation {id} of the 협치회의 on 「{title}」 was due for an "
                  "answer by {due}. It is shown as late. Please answer.\n{url}")
    else:
        text = N_("⏰ Recommendation {id} of the 협치회의 on 「{title}」 is due for an answer "
                  "by {due}.\n{url}")
    return t.gettext(text).format(id=event.recommendation_id, title=escape(event.title),
                                  due=t.deadline(event.due), url=escape(event.url))


@GOVERNANCE_TEMPLATES.of(RecommendationOverdue)
def _overdue(t: Translator, event: RecommendationOverdue) -> str:
    return t.gettext("⏳ The district head's office has not answered the 협치회의's "
                     "recommendation on 「{title}」, due by {due}. It is shown as late, and "
                     "we will tell you when it answers.\n{url}").format(
        title=escape(event.title), due=t.deadline(event.due), url=escape(event.url))


@GOVERNANCE_TEMPLATES.of(RecommendationAnswered)
def _answered(t: Translator, event: RecommendationAnswered) -> str:
    return t.gettext("📬 The district head's office answered the 협치회의's recommendation "
                     "on 「{title}」:\n{response}\n{url}").format(
        title=escape(event.title), response=escape(event.response), url=escape(event.url))
