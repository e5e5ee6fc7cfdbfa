"""Ballot texts and keyboards: the running line in Korean exactly as residents read it, ✅ on
chosen projects, buttons that fit Telegram's 64 bytes, and the reminder's continue button.

The Korean lines come from a small stand-in catalogue (the real one is merged later), so
the test checks the formatting around the translation: amounts, counts and order.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.buttons import BallotPage, BallotTap, parse_any
from bot.domain.pb.ballot import BallotRules, BallotType, Refusal, RefusalReason, summarize
from bot.i18n import I18n
from bot.rendering import ballots as view
from bot.rendering.notifications import NotificationRenderer
from bot.services.ballots import (
    BallotState,
    LatestBallot,
    LatestResults,
    ProjectLine,
    RoundView,
)

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
    assert labels[:2] == ["✅ 1. 사업 1 · 1억 원", "⬜ 2. 사업 2 · 1억 원"]
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


EN = I18n().get("en")


def buttons(rendered: view.Rendered) -> list[tuple[str, str]]:
    assert rendered.reply_markup is not None
    return [(b.text, str(b.callback_data)) for row in rendered.reply_markup.inline_keyboard
            for b in row]


def test_a_project_button_shows_the_cost_and_a_long_title_is_shortened() -> None:
    rules = BallotRules(BallotType.APPROVAL_BUDGET, 3 * EOK)
    long = ProjectLine(2_000_000_001, "어린이공원 둘레길 가로등 설치와 보행로 야간 조명 개선 사업",
                       "", 3_000 * MAN)
    round_ = RoundView(2_000_000_000, "예산", rules, True, "voting", NOW, NOW, (long,))
    (label, data), *_ = buttons(view.ballot_view(KO, BallotState(round_, {long.id: 1}, 0)))
    assert label.startswith("✅ 1. 어린이공원") and label.endswith("… · 3,000만 원")
    assert len(label) <= 40 and len(data.encode()) <= 64
    points = BallotRules(BallotType.CUMULATIVE, 3 * EOK, points_total=10, points_per_project=5)
    round_ = RoundView(2_000_000_000, "예산", points, True, "voting", NOW, NOW, (long,))
    labels = [text for text, _ in buttons(view.ballot_view(KO, BallotState(round_, {}, 0)))]
    assert labels[:3] == ["➖", "1. 어린이공원 둘레길… · 0 · 3,000만 원", "➕"]


def test_the_chosen_projects_are_listed_on_every_page() -> None:
    rules = BallotRules(BallotType.APPROVAL_BUDGET, 3 * EOK)
    round_ = round_of(rules, [EOK // 10] * 7)
    chosen = {round_.projects[0].id: 1, round_.projects[6].id: 1}
    second_page = view.ballot_view(EN, BallotState(round_, chosen, 1)).text
    assert "Chosen: 사업 1, 사업 7" in second_page
    assert "Chosen:" not in view.ballot_view(EN, BallotState(round_, {}, 1)).text
    points = BallotRules(BallotType.CUMULATIVE, 3 * EOK, points_total=10, points_per_project=5)
    cumulative = round_of(points, [EOK] * 2)
    text = view.ballot_view(EN, BallotState(cumulative, {cumulative.projects[1].id: 3}, 0)).text
    assert "Chosen: 사업 2 3 points" in text


def test_changing_a_submitted_ballot_starts_on_the_first_page() -> None:
    rules = BallotRules(BallotType.APPROVAL_BUDGET, 3 * EOK)
    round_ = round_of(rules, [EOK // 10] * 7)
    state = BallotState(round_, {round_.projects[6].id: 1}, 1, {round_.projects[6].id: 1},
                        "K7QM-3XPD", NOW)
    (_, data), = buttons(view.receipt_view(EN, state, just_submitted=True))
    assert parse_any(data) == BallotPage(round_.id, round_.version, 0, 1)


def test_a_refused_tap_names_the_project_and_the_money_left() -> None:
    rules = BallotRules(BallotType.APPROVAL_BUDGET, EOK)
    round_ = RoundView(1, "예산", rules, True, "voting", NOW, NOW, (
        ProjectLine(1, "공원 화장실 개선", "", 7_500 * MAN),
        ProjectLine(2, "하천 산책로 정비", "", 4_000 * MAN)))
    state = BallotState(round_, {1: 1}, 0)
    refusal = Refusal(RefusalReason.OVER_BUDGET, 1_500 * MAN, EOK)
    assert view.tap_refusal_text(EN, refusal, state, 2) == (
        "Adding 「하천 산책로 정비」 (₩40,000,000) would go over the budget by ₩15,000,000. "
        "Budget left: ₩25,000,000.")
    # a project no longer on the ballot: the general reason
    assert "₩15,000,000" in view.tap_refusal_text(EN, refusal, state, 99)


def test_the_k_and_points_refusals_name_the_project() -> None:
    choose = round_of(BallotRules(BallotType.CHOOSE_K, 3 * EOK, max_choices=1), [EOK] * 2)
    state = BallotState(choose, {choose.projects[0].id: 1}, 0)
    text = view.tap_refusal_text(EN, Refusal(RefusalReason.TOO_MANY_CHOICES, 1, 1), state,
                                 choose.projects[1].id)
    assert "「사업 2」" in text and "1 projects" in text
    points = round_of(BallotRules(BallotType.CUMULATIVE, 3 * EOK, points_total=4,
                                  points_per_project=2), [EOK] * 3)
    state = BallotState(points, {points.projects[0].id: 2, points.projects[1].id: 2}, 0)
    text = view.tap_refusal_text(EN, Refusal(RefusalReason.TOO_MANY_POINTS, 1, 4), state,
                                 points.projects[2].id)
    assert "All 4 points" in text and "「사업 3」" in text
    text = view.tap_refusal_text(EN, Refusal(RefusalReason.TOO_MANY_ON_ONE, 1, 2), state,
                                 points.projects[0].id)
    assert text.startswith("「사업 1」 already has 2 points")


def test_the_korean_over_budget_refusal_reads_as_written() -> None:
    """Needs the merged catalogue (the wording is in /tmp/ko_ux_budget.json)."""
    rules = BallotRules(BallotType.APPROVAL_BUDGET, EOK)
    round_ = RoundView(1, "예산", rules, True, "voting", NOW, NOW, (
        ProjectLine(1, "공원 화장실 개선", "", 7_500 * MAN),
        ProjectLine(2, "하천 산책로 정비", "", 4_000 * MAN)))
    text = view.tap_refusal_text(KO, Refusal(RefusalReason.OVER_BUDGET, 1_500 * MAN, EOK),
                                 BallotState(round_, {1: 1}, 0), 2)
    assert text == ("「하천 산책로 정비」(4,000만 원) 사업을 더하면 예산을 1,500만 원 넘어요. "
                    "남은 예산: 2,500만 원")


def test_nothing_open_points_to_the_latest_results_and_an_unsent_ballot() -> None:
    url = "https://gonggam.example/budget/4"
    latest = LatestResults(4, "2027 주민참여예산", LatestBallot.DRAFT_ONLY)
    text = view.nothing_open(EN, None, latest, url)
    assert "「2027 주민참여예산」" in text and url in text
    assert "never submitted, so it did not count" in text and "check again" not in text
    changed = view.nothing_open(EN, None, LatestResults(4, "예산", LatestBallot.CHANGES_UNSENT),
                                url)
    assert "earlier ballot is the one that counted" in changed
    counted = view.nothing_open(EN, None, LatestResults(4, "예산", LatestBallot.COUNTED), url)
    assert url in counted and "submitted" not in counted
    assert "check again" in view.nothing_open(EN, None)


def test_a_reminder_for_unsent_changes_says_the_earlier_ballot_counts() -> None:
    renderer = NotificationRenderer(I18n())
    params = {"round_id": 7, "name": "2027 주민참여예산",
              "closes_at": (NOW + timedelta(days=3)).isoformat(), "count": 2, "changed": True}
    for kind in ("budget_reminder_48h", "budget_reminder_6h"):
        rendered = renderer(kind, params, "en")
        assert "earlier ballot still counts" in rendered.text
        assert "earlier" not in renderer(kind, params | {"changed": False}, "en").text
        assert rendered.reply_markup is not None
        assert parse_any(rendered.reply_markup.inline_keyboard[0][0].callback_data) == \
            BallotPage(7, 0, -1, 1)
