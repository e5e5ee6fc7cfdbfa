"""Texts of answer ratings, 재심의, the department, debate and role commands, without a
database: every outcome has its own text, in Korean, with its values filled in."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

import pytest

from bot.domain.permissions import Role
from bot.i18n import I18n
from bot.rendering import answers as view
from bot.rendering import assigning as assigning_view
from bot.rendering import roles as roles_view
from bot.services.answers import RatingOutcome, ReReviewOutcome
from bot.services.debates import ExtendOutcome
from bot.services.departments import AssignOutcome, AssignResult, DepartmentView
from bot.services.roles import RoleOutcome, StaffMember

KO = I18n().get("ko")
EN = I18n().get("en")
HANGUL = range(0xAC00, 0xD7A4)


def is_korean(text: str) -> bool:
    return any(ord(char) in HANGUL for char in text)


@pytest.mark.parametrize(("outcomes", "render"), [
    (RatingOutcome, lambda t, outcome: view.rating_reply(t, outcome, False)),
    (ReReviewOutcome, view.re_review_reply),
    (ExtendOutcome, view.debate_extend_reply),
    (AssignOutcome, lambda t, outcome: assigning_view.assign_reply(t, 7, assigned(outcome))),
    (RoleOutcome, lambda t, outcome: roles_view.role_change_reply(t, outcome, Role.MODERATOR)),
], ids=["rating", "re-review", "extend", "assign", "role"])
def test_every_outcome_has_its_own_korean_text(
    outcomes: type[StrEnum], render: object,
) -> None:
    texts = [render(KO, outcome) for outcome in outcomes]  # type: ignore[operator]
    assert all(is_korean(text) for text in texts)
    assert len(set(texts)) == len(texts)


def assigned(outcome: AssignOutcome = AssignOutcome.ASSIGNED) -> AssignResult:
    link_expires_at = datetime(2026, 12, 16, 6, 0, tzinfo=UTC)  # 15:00 KST
    return AssignResult(outcome, "abc", "https://example.org/r/abc", 1, "안전총괄과",
                        link_expires_at)


def test_the_assigned_reply_names_the_department_and_when_the_link_expires() -> None:
    assert assigning_view.assign_reply(KO, 7, assigned()) == (
        "제안 7번을 안전총괄과에 배정했어요. 아래 답변 링크는 12월 16일(수) 오후 3:00까지 "
        "쓸 수 있어요:\nhttps://example.org/r/abc")
    assert "https://example.org/r/abc" in assigning_view.assign_reply(EN, 7, assigned())
    assert "{url}" not in assigning_view.assign_reply(EN, 7, AssignResult(AssignOutcome.NOT_FOUND))


def test_an_added_department_is_named_with_the_right_particle() -> None:
    assert view.department_added(KO, 3, "안전총괄과") == (
        "안전총괄과를 추가했어요. 부서 번호는 3번이에요.")
    assert view.department_added(KO, 4, "도시계획국") == (
        "도시계획국을 추가했어요. 부서 번호는 4번이에요.")


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
