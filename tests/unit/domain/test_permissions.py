"""The permission rules, one row per action: resident, banned resident, moderator, admin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.permissions import (
    PERMANENT,
    Action,
    Actor,
    Allowed,
    Ban,
    RefusalReason,
    Refused,
    Role,
    Subject,
    may,
    subject_rules,
)

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
BAN = Ban(NOW + timedelta(days=7), "repeated advertising")

RESIDENT = Actor(1, Role.RESIDENT)
BANNED = Actor(2, Role.RESIDENT, BAN)
MODERATOR = Actor(3, Role.MODERATOR)
ADMIN = Actor(4, Role.ADMIN)

OK = "allowed"
BANNED_ = "banned"
MODS = "moderators only"
ADMINS = "admins only"

#                              resident  banned    moderator admin
TABLE: dict[Action, tuple[str, str, str, str]] = {
    Action.PROPOSE:            (OK,      BANNED_,  OK,       OK),
    Action.ENDORSE:            (OK,      BANNED_,  OK,       OK),
    Action.REPORT:             (OK,      BANNED_,  OK,       OK),
    Action.CHOOSE_STANCE:      (OK,      BANNED_,  OK,       OK),
    Action.WRITE_OPINION:      (OK,      BANNED_,  OK,       OK),
    Action.LIKE:               (OK,      BANNED_,  OK,       OK),
    Action.RATE_ANSWER:        (OK,      BANNED_,  OK,       OK),
    Action.ASK_RE_REVIEW:      (OK,      BANNED_,  OK,       OK),
    Action.ASK_STAFF:          (OK,      BANNED_,  OK,       OK),
    Action.POST_WORKGROUP_UPDATE: (OK,    BANNED_,  OK,       OK),
    Action.WITHDRAW_PROPOSAL:  (OK,      OK,       OK,       OK),
    Action.SEE_UNPUBLISHED:    (OK,      OK,       OK,       OK),
    Action.APPLY_COUNCIL:      (OK,      OK,       OK,       OK),
    Action.VOTE_ASSEMBLY:      (OK,      OK,       OK,       OK),
    Action.VOTE_CONSULTATION:  (OK,      OK,       OK,       OK),
    Action.OPEN_ADMIN_MENU:    (MODS,    MODS,     OK,       OK),
    Action.HANDLE_WORK_ITEM:   (MODS,    MODS,     OK,       OK),
    Action.APPROVE:            (MODS,    MODS,     OK,       OK),
    Action.REJECT:             (MODS,    MODS,     OK,       OK),
    Action.HIDE:               (MODS,    MODS,     OK,       OK),
    Action.RESTORE:            (MODS,    MODS,     OK,       OK),
    Action.MERGE:              (MODS,    MODS,     OK,       OK),
    Action.BAN:                (MODS,    MODS,     OK,       OK),
    Action.UNBAN:              (MODS,    MODS,     OK,       OK),
    Action.ENTER_OFFLINE:      (MODS,    MODS,     OK,       OK),
    Action.HIDE_OPINION:       (MODS,    MODS,     OK,       OK),
    Action.LIST_DEPARTMENTS:   (MODS,    MODS,     OK,       OK),
    Action.ASSIGN:             (MODS,    MODS,     OK,       OK),
    Action.DECIDE_RE_REVIEW:   (MODS,    MODS,     OK,       OK),
    Action.DEBATE_ADMIN:       (MODS,    MODS,     OK,       OK),
    Action.POLL_ADMIN:         (MODS,    MODS,     OK,       OK),
    Action.EXPORT:             (MODS,    MODS,     OK,       OK),
    Action.STATS:              (MODS,    MODS,     OK,       OK),
    Action.CALL_BACK:          (MODS,    MODS,     OK,       OK),
    Action.ASSEMBLY_DESK:      (MODS,    MODS,     OK,       OK),
    Action.PROPOSE_AS_DISTRICT: (MODS,   MODS,     OK,       OK),
    Action.WORKGROUP_MANAGE:   (MODS,    MODS,     OK,       OK),
    Action.ADD_DEPARTMENT:     (ADMINS,  ADMINS,   ADMINS,   OK),
    Action.GRANT:              (ADMINS,  ADMINS,   ADMINS,   OK),
    Action.REVOKE:             (ADMINS,  ADMINS,   ADMINS,   OK),
    Action.LIST_STAFF:         (ADMINS,  ADMINS,   ADMINS,   OK),
    Action.BROADCAST:          (ADMINS,  ADMINS,   ADMINS,   OK),
    Action.ISSUE_CODES:        (ADMINS,  ADMINS,   ADMINS,   OK),
    Action.AUDIT:              (ADMINS,  ADMINS,   ADMINS,   OK),
    Action.ROUND_ADMIN:        (ADMINS,  ADMINS,   ADMINS,   OK),
    Action.COUNCIL_ADMIN:      (ADMINS,  ADMINS,   ADMINS,   OK),
    Action.ASSEMBLY_ADMIN:     (ADMINS,  ADMINS,   ADMINS,   OK),
    Action.CONSULTATION_ADMIN: (ADMINS,  ADMINS,   ADMINS,   OK),
    Action.GOVERNANCE_ADMIN:   (ADMINS,  ADMINS,   ADMINS,   OK),
}
EXPECTED = {
    OK: Allowed(),
    BANNED_: Refused(RefusalReason.BANNED, BAN),
    MODS: Refused(RefusalReason.MODERATORS_ONLY),
    ADMINS: Refused(RefusalReason.ADMINS_ONLY),
}


def test_the_table_has_a_row_for_every_action() -> None:
    assert set(TABLE) == set(Action)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize(
    ("column", "actor"), [(0, RESIDENT), (1, BANNED), (2, MODERATOR), (3, ADMIN)],
    ids=["resident", "banned resident", "moderator", "admin"],
)
def test_every_action_for_every_kind_of_actor(action: Action, column: int, actor: Actor) -> None:
    assert may(actor, action, now=NOW) == EXPECTED[TABLE[action][column]]


def test_a_ban_ends_at_its_instant() -> None:
    assert may(BANNED, Action.ENDORSE, now=BAN.until) == Allowed()
    assert may(BANNED, Action.ENDORSE, now=BAN.until - timedelta(seconds=1)) == Refused(
        RefusalReason.BANNED, BAN)


def test_a_banned_moderator_keeps_staff_actions_but_not_contributions() -> None:
    banned_moderator = Actor(5, Role.MODERATOR, BAN)
    assert may(banned_moderator, Action.HIDE, now=NOW) == Allowed()
    assert may(banned_moderator, Action.PROPOSE, now=NOW) == Refused(RefusalReason.BANNED, BAN)


def test_nobody_known_gets_no_staff_action() -> None:
    assert may(None, Action.HIDE, now=NOW) == Refused(RefusalReason.MODERATORS_ONLY)
    assert may(None, Action.AUDIT, now=NOW) == Refused(RefusalReason.ADMINS_ONLY)


@pytest.mark.parametrize(("action", "reason"), [(Action.ENDORSE, RefusalReason.OWN_PROPOSAL),
                                               (Action.LIKE, RefusalReason.OWN_OPINION)])
def test_no_endorsement_or_like_for_ones_own(action: Action, reason: RefusalReason) -> None:
    assert may(RESIDENT, action, Subject(author_id=RESIDENT.user_id), now=NOW) == Refused(
        reason)
    assert may(RESIDENT, action, Subject(author_id=99), now=NOW) == Allowed()


def test_only_the_author_asks_for_a_re_review() -> None:
    assert may(RESIDENT, Action.ASK_RE_REVIEW, Subject(author_id=RESIDENT.user_id),
               now=NOW) == Allowed()
    assert may(RESIDENT, Action.ASK_RE_REVIEW, Subject(author_id=99), now=NOW) == Refused(
        RefusalReason.NOT_AUTHOR)


AUTHOR = Subject(author_id=RESIDENT.user_id)
SOMEONE_ELSES = Subject(author_id=99)
NO_AUTHOR = Subject(author_id=None)  # entered offline for someone without Telegram


#  action, the acting person, the subject → the answer; the actor's role and ban aside
SUBJECT_TABLE: list[tuple[Action, Actor, Subject, Allowed | Refused]] = [
    (Action.ENDORSE, RESIDENT, AUTHOR, Refused(RefusalReason.OWN_PROPOSAL)),
    (Action.ENDORSE, RESIDENT, SOMEONE_ELSES, Allowed()),
    (Action.ENDORSE, RESIDENT, NO_AUTHOR, Allowed()),
    (Action.ENDORSE, MODERATOR, Subject(author_id=MODERATOR.user_id),
     Refused(RefusalReason.OWN_PROPOSAL)),
    (Action.LIKE, RESIDENT, AUTHOR, Refused(RefusalReason.OWN_OPINION)),
    (Action.WITHDRAW_PROPOSAL, RESIDENT, AUTHOR, Allowed()),
    (Action.WITHDRAW_PROPOSAL, RESIDENT, SOMEONE_ELSES, Refused(RefusalReason.NOT_AUTHOR)),
    (Action.WITHDRAW_PROPOSAL, RESIDENT, NO_AUTHOR, Refused(RefusalReason.NOT_AUTHOR)),
    (Action.WITHDRAW_PROPOSAL, BANNED, Subject(author_id=BANNED.user_id), Allowed()),
    (Action.WITHDRAW_PROPOSAL, ADMIN, SOMEONE_ELSES, Refused(RefusalReason.NOT_AUTHOR)),
    (Action.SEE_UNPUBLISHED, RESIDENT, AUTHOR, Allowed()),
    (Action.SEE_UNPUBLISHED, BANNED, Subject(author_id=BANNED.user_id), Allowed()),
    (Action.SEE_UNPUBLISHED, MODERATOR, SOMEONE_ELSES, Refused(RefusalReason.NOT_AUTHOR)),
    (Action.ASK_RE_REVIEW, RESIDENT, AUTHOR, Allowed()),
    (Action.ASK_RE_REVIEW, RESIDENT, SOMEONE_ELSES, Refused(RefusalReason.NOT_AUTHOR)),
    (Action.RATE_ANSWER, RESIDENT, AUTHOR, Allowed()),
    (Action.RATE_ANSWER, RESIDENT, Subject(author_id=99, follower_ids=frozenset({1})),
     Allowed()),
    (Action.RATE_ANSWER, RESIDENT, Subject(author_id=99, follower_ids=frozenset({7})),
     Refused(RefusalReason.NOT_FOLLOWER)),
    (Action.RATE_ANSWER, BANNED, Subject(author_id=BANNED.user_id),
     Refused(RefusalReason.BANNED, BAN)),
]


@pytest.mark.parametrize(("action", "actor", "subject", "expected"), SUBJECT_TABLE)
def test_the_rules_about_whose_the_subject_is(
    action: Action, actor: Actor, subject: Subject, expected: Allowed | Refused,
) -> None:
    assert may(actor, action, subject, now=NOW) == expected


@pytest.mark.parametrize(("action", "actor", "subject", "expected"), SUBJECT_TABLE)
def test_a_service_that_settled_the_ban_asks_the_subject_rules_alone(
    action: Action, actor: Actor, subject: Subject, expected: Allowed | Refused,
) -> None:
    """Services check the ban before they load the subject, then the subject's rules."""
    alone = subject_rules(actor.user_id, action, subject)
    assert alone == (Allowed() if expected == Refused(RefusalReason.BANNED, BAN) else expected)


def test_a_ban_is_told_before_the_subject_rules() -> None:
    assert may(BANNED, Action.LIKE, Subject(author_id=BANNED.user_id), now=NOW) == Refused(
        RefusalReason.BANNED, BAN)


def test_a_permanent_ban_knows_it() -> None:
    assert Ban(PERMANENT, "spam").permanent
    assert not BAN.permanent
