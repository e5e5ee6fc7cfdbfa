"""Texts and the chart of budget rounds: the results caption fits a photo, the chart is a PNG
with or without a Korean font, and the outbox renders the results as a photo."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.buttons import BallotPage
from bot.domain.events import BudgetResults
from bot.i18n import I18n, Translator
from bot.rendering import budget as view
from bot.rendering import canvas
from bot.rendering.canvas import korean_font
from bot.rendering.charts import Bar, BarChart, horizontal_bars_png
from bot.rendering.notifications import NotificationRenderer

PNG = b"\x89PNG\r\n\x1a\n"


def results(count: int) -> dict[str, Any]:
    projects = [{"id": n, "title": f"사업 {n}", "cost": 1_000_000 * n, "votes": 100 - n,
                 "points": 100 - n, "selected": n <= count // 2, "supported": True}
                for n in range(1, count + 1)]
    return {"budget": 300_000_000, "total_cost": 123_450_000, "ballot_type": "approval_budget",
            "projects": projects, "selected": [p["id"] for p in projects if p["selected"]]}


def notice(funded: int) -> dict[str, Any]:
    return {"round_id": 3, "name": "2027 <주민>참여예산", "budget": 300_000_000,
            "total_cost": 123_450_000, "ballots": 40, "eligible": 160,
            "funded": [[f"아주 긴 이름의 주민 사업 {n}", 1_000_000] for n in range(funded)],
            "url": "https://gonggam.example/budget/3",
            "photo_url": "https://gonggam.example/budget/3/chart.png"}


def caption(t: Translator, params: dict[str, Any]) -> str:
    """The results notice of an outbox row with these parameters."""
    return view.results_notice(t, BudgetResults.from_params(params))


def test_the_results_caption_fits_a_photo_and_points_to_the_page() -> None:
    t = I18n().get("en")
    short = caption(t, notice(3))
    assert "2027 &lt;주민&gt;참여예산" in short and "(25%)" in short
    assert short.count("✅") == 3 and short.endswith("https://gonggam.example/budget/3")
    long = caption(t, notice(200))
    assert len(long) <= 4096 and "more" in long and long.endswith("/budget/3")
    assert "No project" in caption(t, notice(0))
    # a list too long for a photo caption goes out as a message, the chart left to the page
    render = NotificationRenderer(I18n())
    assert render("budget_results", notice(3), "en").photo is not None
    assert render("budget_results", notice(200), "en").photo is None


def test_the_results_name_every_project_with_why_and_the_money_left() -> None:
    t = I18n().get("en")
    data = notice(0) | {
        "funded": [["공원 화장실 개선", 18_000_000, 12]], "budget": 30_000_000,
        "total_cost": 18_000_000,
        "unfunded": [["도서관 책 구입", 15_000_000, 9, "did_not_fit", 12_000_000],
                     ["경로당 냉난방기", 15_000_000, 12, "lost_tie", 12_000_000],
                     ["골목 CCTV", 40_000_000, 3, "over_budget", None],
                     ["벽화 그리기", 1_000_000, 0, "no_votes", None]],
    }
    text = caption(t, data)
    assert "▫️ 도서관 책 구입 — 9 votes · ₩15,000,000 (more than the ₩12,000,000 left)" in text
    assert "tie-break" in text and "whole budget" in text and "nobody chose it" in text
    assert "Left unspent: ₩12,000,000" in text
    assert text.index("✅") < text.index("▫️")
    ko = caption(I18n().get("ko"), data)
    assert "남은 예산 1,200만 원보다 비싸요" in ko and "남은 예산: 1,200만 원" in ko
    # a long list is cut at the end of the unfunded ones, the page link kept
    many = data | {"unfunded": [[f"아주 긴 이름의 주민 사업 {n}", 1_000_000, 1, "did_not_fit",
                                 0] for n in range(200)]}
    cut = caption(t, many)
    assert len(cut) <= 4096 and "✅ 공원 화장실 개선" in cut and cut.endswith("/budget/3")


def test_the_owner_of_an_unsent_ballot_hears_it_did_not_count_above_the_results() -> None:
    t = I18n().get("en")
    text = caption(t, notice(2) | {"unsent": "draft"})
    assert text.startswith("Your ballot was not submitted") and "✅" in text
    assert caption(t, notice(2) | {"unsent": "changes"}).startswith("Your last changes")
    assert not caption(t, notice(2)).startswith("Your")


def test_the_outbox_renders_the_results_as_a_photo_with_a_caption() -> None:
    rendered = NotificationRenderer(I18n())("budget_results", notice(2), "ko")
    assert rendered.photo == "https://gonggam.example/budget/3/chart.png"
    assert "https://gonggam.example/budget/3" in rendered.text
    opened = NotificationRenderer(I18n())("budget_round_opened", {
        "round_id": 3, "name": "예산", "budget": 100_000_000, "projects": 4,
        "closes_at": "2026-12-14T15:00:00+00:00", "url": "https://gonggam.example/budget/3",
    }, "ko")
    assert opened.photo is None and "/budget" in opened.text


def test_the_results_chart_highlights_funded_projects_and_notes_the_budget() -> None:
    t = I18n().get("ko")
    chart = view.results_chart(t, "2027 주민참여예산", results(6))
    assert [b.highlighted for b in chart.bars] == [True, True, True, False, False, False]
    assert chart.bars[0].label.startswith("사업 1\n") and chart.bars[0].value == 99
    assert chart.note is not None and "41%" in chart.note
    assert horizontal_bars_png(chart).startswith(PNG)


def test_the_results_chart_lays_the_funded_costs_against_a_budget_line() -> None:
    t = I18n().get("ko")
    data = results(6) | {"selected": [3, 1, 2]}  # the order the rule funded them
    strip = view.results_chart(t, "2027 주민참여예산", data).budget
    assert strip is not None
    assert strip.budget == 300_000_000 and strip.costs == (3_000_000, 1_000_000, 2_000_000)
    assert strip.budget_label == "예산 3억 원" and "1억 2,345만 원" in strip.used_label
    chart = view.results_chart(t, "2027 주민참여예산", data)
    without = BarChart(chart.title, chart.bars, chart.value_axis, chart.note, chart.legend)
    assert _png_height(horizontal_bars_png(chart)) > _png_height(horizontal_bars_png(without))


def _png_height(png: bytes) -> int:
    """The image height from the PNG header (IHDR), without an image library."""
    return int.from_bytes(png[20:24], "big")


def test_a_chart_without_a_korean_font_is_still_drawn_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    def no_font(*args: object, **kwargs: object) -> str:
        raise ValueError("no such font")

    monkeypatch.setattr(canvas.font_manager, "findfont", no_font)
    monkeypatch.setattr(canvas.font_manager, "findSystemFonts", lambda *a, **k: [])
    korean_font.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="bot.rendering.canvas"):
            assert korean_font() is None
        assert "fonts-noto-cjk" in caplog.text
        monkeypatch.undo()  # matplotlib needs its own lookup to draw; ours stays cached as None
        chart = BarChart("결과", (Bar("가", 3, True), Bar("나", 1)), "표")
        assert horizontal_bars_png(chart).startswith(PNG)
    finally:
        korean_font.cache_clear()


def test_the_korean_font_is_found_when_installed() -> None:
    korean_font.cache_clear()
    font = korean_font()
    if font is None:
        pytest.skip("fonts-noto-cjk is not installed here")
    path = str(font.get_file())
    assert "CJK" in path or "KR" in path or "Nanum" in path


OPENED = {"round_id": 3, "name": "예산", "budget": 100_000_000, "projects": 4,
          "closes_at": "2026-12-14T15:00:00+00:00", "url": "https://gonggam.example/budget/3"}


def test_the_opening_post_has_a_button_that_opens_the_ballot_in_the_bot() -> None:
    rendered = NotificationRenderer(I18n())(
        "budget_round_opened", OPENED, "en", bot_username="gonggam_bot")
    assert rendered.reply_markup is not None
    (button,), = rendered.reply_markup.inline_keyboard
    assert button.url == "https://t.me/gonggam_bot?start=budget"
    assert "/budget" not in rendered.text.replace(OPENED["url"], "")
    assert "button below" in rendered.text and OPENED["url"] in rendered.text
    # without the username (a bot not initialised yet) there is no button to point at
    plain = NotificationRenderer(I18n())("budget_round_opened", OPENED, "en")
    assert plain.reply_markup is None and "with /budget" in plain.text


def test_the_results_say_how_many_projects_were_chosen_with_their_votes() -> None:
    t = I18n().get("en")
    data = notice(0) | {"funded": [["공원 화장실 개선", 18_000_000, 12],
                                   ["도서관 책 구입", 15_000_000, 1]]}
    text = caption(t, data)
    assert "2 projects were chosen (₩123,450,000 of the ₩300,000,000 budget)." in text
    assert "✅ 공원 화장실 개선 — 12 votes · ₩18,000,000" in text
    assert "✅ 도서관 책 구입 — 1 vote · ₩15,000,000" in text
    points = caption(t, data | {"ballot_type": "cumulative"})
    assert "✅ 공원 화장실 개선 — 12 points · ₩18,000,000" in points
    # a notice queued before the counts were stored still renders
    assert "✅ 아주 긴 이름의 주민 사업 0 — ₩1,000,000" in caption(t, notice(1))
    funded = [[f"아주 긴 이름의 주민 사업 {n}", 1_000_000, 1_234] for n in range(80)]
    many = data | {"funded": funded}
    assert len(caption(t, many)) <= 4096


def test_the_korean_results_head_reads_as_written() -> None:
    """Needs the merged catalogue (the wording is in /tmp/ko_ux_budget.json)."""
    data = notice(0) | {"funded": [["공원 화장실 개선", 18_000_000, 12]], "total_cost": 93_000_000,
                        "budget": 100_000_000}
    text = caption(I18n().get("ko"), data)
    assert "사업 1개를 뽑았어요 (예산 1억 원 중 9,300만 원)." in text
    assert "✅ 공원 화장실 개선 — 12표 · 1,800만 원" in text


def test_the_budget_news_push_names_the_round_the_deadline_and_opens_the_ballot() -> None:
    rendered = NotificationRenderer(I18n())("budget_vote_open", {
        "round_id": 3, "name": "2027 <우리> 예산", "budget": 300_000_000, "projects": 6,
        "closes_at": "2026-12-16T15:00:00+00:00"}, "ko")
    assert "「2027 &lt;우리&gt; 예산」" in rendered.text
    assert "12월 16일(수)까지 사업 6개 중에서 골라 주세요 (예산 3억 원)." in rendered.text
    assert "/budget_news" in rendered.text and rendered.photo is None
    assert rendered.reply_markup is not None
    (button,), = rendered.reply_markup.inline_keyboard
    assert button.callback_data == BallotPage(3, 0, -1, 0).pack()
