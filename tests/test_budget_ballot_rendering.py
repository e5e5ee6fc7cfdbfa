"""Ballot texts and keyboards: the running line in Korean exactly as residents read it, ✅ on
chosen projects, buttons that fit Telegram's 64 bytes, and the reminder's continue button.

The Korean lines come from a small stand-in catalogue (the real one is merged later), so
the test checks the formatting around the translation: amounts, counts and order.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.pb.ballot import BallotRules, BallotType, Refusal, RefusalReason, summarize
from bot.handlers.callbacks import BallotPage, BallotTap, parse_any
from bot.i18n import I18n
from bot.rendering import ballots as view
from bot.rendering.notifications import NotificationRenderer
from bot.services.ballots import BallotState, ProjectLine, RoundView

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
EOK, MAN = 100_000_000, 10_000


KO = I18n().get("ko")


def round_of(rules: BallotRules, costs: list[int], round_id: int = 1) -> RoundView:
    projects = tuple(ProjectLine(10_000_000 + n, f"사업 {n}", "설명", cost)
                     for n, cost in enumerate(costs, start=1))
    return RoundView(round_id, "2027 주민참여예산", rules, True, "voting", NOW,
                     NOW + timedelta(days=3), projects)


def test_the_approval_line_reads_exactly_as_in_the_design() -> None:
    rules = BallotRules(BallotType.APPROVAL_BUDGET, 3 * EOK)
    round_ = round_of(rules, [5_000 * MAN, 4_000 * MAN, 3_000 * MAN, EOK])
    choices = {p.id: 1 for p in round_.projects[:3]}
    assert view.running_line(KO, summarize(rules, round_.costs, choices)) == (
        "선택 3개 · 1억 2,000만 원 / 예산 3억 원 · 남은 예산 1억 8,000만 원")


def test_the_choose_k_and_cumulative_lines() -> None:
    choose = BallotRules(BallotType.CHOOSE_K, 3 * EOK, max_choices=3)
    points = BallotRules(BallotType.CUMULATIVE, 3 * EOK, points_total=10, points_per_project=5)
    costs = {1: EOK, 2: EOK}
    assert view.running_line(KO, summarize(choose, costs, {1: 1, 2: 1})) == "선택 2개 / 최대 3개"
    assert view.running_line(KO, summarize(points, costs, {1: 5, 2: 2})) == "사용 7점 / 10점"


def test_the_ballot_marks_chosen_projects_and_always_shows_the_running_line() -> None:
    rules = BallotRules(BallotType.APPROVAL_BUDGET, 3 * EOK)
    round_ = round_of(rules, [EOK] * 7)
    state = BallotState(round_, {round_.projects[0].id: 1}, 0)
    rendered = view.ballot_view(KO, state)
    assert "선택 1개 · 1억 원 / 예산 3억 원 · 남은 예산 2억 원" in rendered.text
    assert rendered.reply_markup is not None
    labels = [b.text for row in rendered.reply_markup.inline_keyboard for b in row]
    assert labels[:2] == ["✅ 1. 사업 1", "⬜ 2. 사업 2"]
    assert sum(1 for label in labels if label.startswith(("✅", "⬜"))) == 5  # one page


def test_every_button_fits_in_64_bytes_and_carries_the_round_and_its_version() -> None:
    rules = BallotRules(BallotType.CUMULATIVE, 3 * EOK, points_total=10, points_per_project=5)
    round_ = round_of(rules, [EOK] * 12, round_id=2_000_000_000)
    rendered = view.ballot_view(KO, BallotState(round_, {}, 2))
    assert rendered.reply_markup is not None
    decoded = [parse_any(b.callback_data) for row in rendered.reply_markup.inline_keyboard
               for b in row]
    taps = [d for d in decoded if isinstance(d, BallotTap)]
    assert taps and all(d.round_id == round_.id and d.round_version == round_.version
                        for d in taps)
    assert any(isinstance(d, BallotPage) and d.page == 1 for d in decoded)


def test_a_refusal_names_the_excess_in_won() -> None:
    text = view.refusal_text(KO, Refusal(RefusalReason.OVER_BUDGET, 17_000 * MAN, 3 * EOK))
    assert text == "예산보다 1억 7,000만 원 많아요. 다른 사업을 먼저 빼 주세요."


def test_reminders_come_with_a_button_to_continue_the_ballot() -> None:
    renderer = NotificationRenderer(I18n())
    params = {"round_id": 7, "name": "2027 주민참여예산",
              "closes_at": (NOW + timedelta(days=3)).isoformat(), "count": 2}
    for kind in ("budget_reminder_48h", "budget_reminder_6h"):
        rendered = renderer(kind, params, "ko")
        assert "2027 주민참여예산" in rendered.text and "⏰" in rendered.text
        assert rendered.reply_markup is not None
        button = rendered.reply_markup.inline_keyboard[0][0]
        assert parse_any(button.callback_data) == BallotPage(7, 0, -1, 1)
