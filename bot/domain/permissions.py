"""Who may do what: every permission rule of the bot, as one pure function.

`may(actor, action, subject, now=…)` answers `Allowed` or `Refused(reason)`. Handlers ask it
before they call a service (through `bot.handlers.access.permitted`); the services that
write residents' contributions ask it again with the actor read in their own transaction, so
a handler that forgets the check still cannot let a banned resident through.

Three kinds of rule:
- staff actions need a least role (moderator or admin); a ban does not matter for them
  (staff cannot be banned, see `bot.services.bans.ban_user`);
- residents' contributions (proposing, 공감, reports, debate, ratings, 재심의) are open to
  everyone whose ban is not running, and some refuse one's own subject;
- an author's own actions (withdrawing, seeing one's proposal before it is published) are
  open to the author alone, ban or not.

The rules about the subject (whose it is, who follows it) apply when a subject is given: a
service asks `may` again once it has loaded the subject, or, with the actor's role and ban
settled already, asks `subject_rules` alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

PERMANENT = datetime(9999, 12, 31, tzinfo=UTC)  # the end of a ban "for ever"


class Role(StrEnum):
    RESIDENT = "resident"
    MODERATOR = "moderator"
    ADMIN = "admin"


_RANK = {Role.RESIDENT: 0, Role.MODERATOR: 1, Role.ADMIN: 2}


class Action(StrEnum):
    """Every command and button kind that has a rule."""

    # residents' contributions: refused while a ban runs
    PROPOSE = "propose"
    ENDORSE = "endorse"
    REPORT = "report"
    CHOOSE_STANCE = "choose_stance"
    WRITE_OPINION = "write_opinion"
    LIKE = "like"
    RATE_ANSWER = "rate_answer"
    ASK_RE_REVIEW = "ask_re_review"
    ASK_STAFF = "ask_staff"  # 「운영진에게 묻기」
    POST_WORKGROUP_UPDATE = "post_workgroup_update"  # a 워킹그룹 member's report on the work
    # the author's own: open to the author alone, ban or not
    WITHDRAW_PROPOSAL = "withdraw_proposal"
    SEE_UNPUBLISHED = "see_unpublished"
    APPLY_COUNCIL = "apply_council"  # one's own application to the 주민자치회, ban or not
    VOTE_ASSEMBLY = "vote_assembly"  # one's own vote at the 주민총회, ban or not
    VOTE_CONSULTATION = "vote_consultation"  # one's own answer to 「구가 묻습니다」, ban or not
    # moderators (and admins)
    OPEN_ADMIN_MENU = "open_admin_menu"
    HANDLE_WORK_ITEM = "handle_work_item"
    APPROVE = "approve"
    REJECT = "reject"
    HIDE = "hide"
    RESTORE = "restore"
    MERGE = "merge"
    BAN = "ban"
    UNBAN = "unban"
    ENTER_OFFLINE = "enter_offline"
    HIDE_OPINION = "hide_opinion"
    LIST_DEPARTMENTS = "list_departments"
    ASSIGN = "assign"
    DECIDE_RE_REVIEW = "decide_re_review"
    DEBATE_ADMIN = "debate_admin"
    POLL_ADMIN = "poll_admin"
    EXPORT = "export"
    STATS = "stats"
    CALL_BACK = "call_back"  # the call-back list: offline residents' contacts in the clear
    ASSEMBLY_DESK = "assembly_desk"  # a polling place: check-in by the roll, paper totals
    PROPOSE_AS_DISTRICT = "propose_as_district"  # 「구 제안」: the district's own proposal
    WORKGROUP_MANAGE = "workgroup_manage"  # who is in a proposal's 워킹그룹
    # admins only
    ADD_DEPARTMENT = "add_department"  # where reply links and e-mails go: configuration
    GRANT = "grant"
    REVOKE = "revoke"
    LIST_STAFF = "list_staff"
    BROADCAST = "broadcast"
    ISSUE_CODES = "issue_codes"
    AUDIT = "audit"
    ROUND_ADMIN = "round_admin"
    COUNCIL_ADMIN = "council_admin"  # 주민자치회 recruitments, completers, the lottery's table
    ASSEMBLY_ADMIN = "assembly_admin"  # 주민총회: creating, committee scores, the count
    CONSULTATION_ADMIN = "consultation_admin"  # 「구가 묻습니다」: writing and attaching
    GOVERNANCE_ADMIN = "governance_admin"  # 협치회의: members, meetings, agenda, 권고


class RefusalReason(StrEnum):
    BANNED = "banned"
    MODERATORS_ONLY = "moderators_only"
    ADMINS_ONLY = "admins_only"
    OWN_PROPOSAL = "own_proposal"
    OWN_OPINION = "own_opinion"
    NOT_AUTHOR = "not_author"
    NOT_FOLLOWER = "not_follower"


CONTRIBUTIONS = frozenset({
    Action.PROPOSE, Action.ENDORSE, Action.REPORT, Action.CHOOSE_STANCE,
    Action.WRITE_OPINION, Action.LIKE, Action.RATE_ANSWER, Action.ASK_RE_REVIEW,
    Action.ASK_STAFF, Action.POST_WORKGROUP_UPDATE,
})
ADMIN_ACTIONS = frozenset({
    Action.ADD_DEPARTMENT, Action.GRANT, Action.REVOKE, Action.LIST_STAFF, Action.BROADCAST,
    Action.ISSUE_CODES, Action.AUDIT, Action.ROUND_ADMIN, Action.COUNCIL_ADMIN,
    Action.ASSEMBLY_ADMIN,
    Action.GOVERNANCE_ADMIN,
    Action.CONSULTATION_ADMIN,
})
OWN_ACTIONS = frozenset({Action.WITHDRAW_PROPOSAL, Action.SEE_UNPUBLISHED, Action.APPLY_COUNCIL,
                         Action.VOTE_ASSEMBLY, Action.VOTE_CONSULTATION})
MODERATOR_ACTIONS = frozenset(Action) - CONTRIBUTIONS - ADMIN_ACTIONS - OWN_ACTIONS
NOT_ON_ONES_OWN = {  # no 공감 for one's own proposal, no 👍 for one's own opinion
    Action.ENDORSE: RefusalReason.OWN_PROPOSAL, Action.LIKE: RefusalReason.OWN_OPINION,
}
AUTHOR_ONLY = frozenset({Action.ASK_RE_REVIEW, Action.WITHDRAW_PROPOSAL,
                         Action.SEE_UNPUBLISHED})
FOLLOWERS_ONLY = frozenset({Action.RATE_ANSWER})  # its followers, and its author


@dataclass(frozen=True)
class Ban:
    until: datetime
    reason: str

    @property
    def permanent(self) -> bool:
        return self.until >= PERMANENT


@dataclass(frozen=True)
class Actor:
    """The person acting, as far as the rules need to know them."""

    user_id: int | None
    role: Role
    ban: Ban | None = None

    def ban_running(self, now: datetime) -> Ban | None:
        return self.ban if self.ban is not None and self.ban.until > now else None


@dataclass(frozen=True)
class Subject:
    """What the action is about, where a rule depends on it: whose it is, and (for rating a
    proposal's answer) who follows it."""

    author_id: int | None = None
    follower_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Allowed:
    pass


@dataclass(frozen=True)
class Refused:
    reason: RefusalReason
    ban: Ban | None = None  # with BANNED: until when and why, to tell the person


ALLOWED = Allowed()


def may(
    actor: Actor | None, action: Action, subject: Subject | None = None, *, now: datetime
) -> Allowed | Refused:
    """Whether `actor` (None: nobody we know) may do `action` on `subject` at `now`."""
    if action in ADMIN_ACTIONS:
        return _least_role(actor, Role.ADMIN)
    if action in MODERATOR_ACTIONS:
        return _least_role(actor, Role.MODERATOR)
    acting_id = actor.user_id if actor is not None else None
    if action in OWN_ACTIONS:
        return subject_rules(acting_id, action, subject)
    ban = actor.ban_running(now) if actor is not None else None
    if ban is not None:
        return Refused(RefusalReason.BANNED, ban)
    return subject_rules(acting_id, action, subject)


def _least_role(actor: Actor | None, minimum: Role) -> Allowed | Refused:
    if actor is not None and _RANK[actor.role] >= _RANK[minimum]:
        return ALLOWED
    return Refused(RefusalReason.ADMINS_ONLY if minimum is Role.ADMIN
                   else RefusalReason.MODERATORS_ONLY)


def subject_rules(
    acting_id: int | None, action: Action, subject: Subject | None
) -> Allowed | Refused:
    """The rules about whose the subject is, alone: for a service that has settled the
    actor's role and ban already (or whose action has none), once the subject is loaded."""
    if subject is None:
        return ALLOWED
    author_id = subject.author_id
    if action in NOT_ON_ONES_OWN and author_id is not None and author_id == acting_id:
        return Refused(NOT_ON_ONES_OWN[action])
    if action in AUTHOR_ONLY and author_id != acting_id:
        return Refused(RefusalReason.NOT_AUTHOR)
    if action in FOLLOWERS_ONLY and acting_id != author_id \
            and acting_id not in subject.follower_ids:
        return Refused(RefusalReason.NOT_FOLLOWER)
    return ALLOWED
