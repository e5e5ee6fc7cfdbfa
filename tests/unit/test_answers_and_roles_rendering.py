"""Texts of answer ratings, 재심의, the department, debate and role commands, without a
database: every outcome has its own text, in Korean, with its values filled in."""

from __future__ import annotations

from enum import StrEnum

import pytest

from bot.domain.permissions import Role
from bot.i18n import I18n
from bot.rendering import answers as view
from bot.rendering import roles as roles_view
from bot.services.answers import RatingOutcome, ReReviewOutcome
from bot.services.debates import ExtendOutcome
from bot.services.departments import AssignOutcome, DepartmentView
from bot.services.roles import RoleOutcome, StaffMember

KO = I18n().get("ko")
EN = I18n().get("en")
HANGUL = range(0xAC00, 0xD7A4)


def is_korean(text: str) -> bool:
    return any(ord(char) in HANGUL for char in text)


@pytest.mark.parametrize(("outcomes", "render"), [
    (RatingOutcome, view.rating_reply),
    (ReReviewOutcome, view.re_review_reply),
    (ExtendOutcome, view.debate_extend_reply),
    (AssignOutcome, lambda t, outcome: view.assign_reply(t, outcome, None)),
    (RoleOutcome, lambda t, outcome: roles_view.role_change_reply(t, outcome, Role.MODERATOR)),
], ids=["rating", "re-review", "extend", "assign", "role"])
def test_every_outcome_has_its_own_korean_text(
    outcomes: type[StrEnum], render: object,
) -> None:
    texts = [render(KO, outcome) for outcome in outcomes]  # type: ignore[operator]
    assert all(is_korean(text) for text in texts)
    assert len(set(texts)) == len(texts)


def test_the_assigned_reply_carries_the_reply_link() -> None:
    url = "https://example.org/r/abc"
    assert url in view.assign_reply(EN, AssignOutcome.ASSIGNED, url)
    assert "{url}" not in view.assign_reply(EN, AssignOutcome.NOT_FOUND, None)


def test_the_department_list_marks_the_head_office_and_an_empty_list_says_how_to_add() -> None:
    assert "/department_add" in view.department_list(EN, [])
    head = DepartmentView(id=3, name="기획예산과", chat_id=None, head_office=True, archived=False)
    assert view.department_list(EN, [head]).startswith("3. 기획예산과 🏛")


def test_the_role_change_names_the_new_role() -> None:
    assert "a moderator" in roles_view.role_change_reply(EN, RoleOutcome.CHANGED, Role.MODERATOR)
    assert "an admin" in roles_view.role_change_reply(EN, RoleOutcome.ALREADY, Role.ADMIN)


def test_the_staff_list_marks_admins_from_the_setting_and_escapes_the_usage_line() -> None:
    members = [StaffMember(1, Role.ADMIN, True), StaffMember(2, Role.MODERATOR, False)]
    text = roles_view.staff_list(EN, members)
    assert "<code>1</code> — admin (from the setting)" in text
    assert "<code>2</code> — moderator" in text and "<code>2</code> — moderator (" not in text
    assert "&lt;telegram id&gt;" in text
