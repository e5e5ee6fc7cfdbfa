"""The daily digest's message: one short line per item in order, a button per proposal (or
the item's own), bounded in length; and the claimed rows it is sent as."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import InlineKeyboardButton

from bot.dispatcher import Claimed, digest_row
from bot.domain.digest import DIGEST_KIND
from bot.domain.events import BudgetRoundOpened, Halfway, ProposalWithdrawn
from bot.i18n import I18n
from bot.rendering.digest import MAX_BUTTONS, MAX_LINES, DigestItem, brief, digest_message
from bot.rendering.notifications import NotificationRenderer

en = I18n().get("en")
WHEN = datetime(2026, 12, 7, 6, tzinfo=UTC)


def buttons_of(items: list[DigestItem]) -> list[str]:
    markup = digest_message(en, items).reply_markup
    assert markup is not None
    return [str(b.callback_data or b.url) for row in markup.inline_keyboard for b in row]


def test_each_item_is_one_numbered_line_in_order() -> None:
    text = digest_message(en, [DigestItem("first <b>line</b>\nmore", (1, "가")),
                               DigestItem("second line", (2, "나"))]).text
    assert "(2 items)" in text
    assert text.index("1. first line") < text.index("2. second line")
    assert "more" not in text


def test_a_long_first_line_is_cut_and_stays_valid_html() -> None:
    line = brief("<b>" + "가" * 300 + " &amp; 나</b>")
    assert line.endswith("…") and len(line) <= 140 and "<" not in line


def test_one_button_per_proposal_and_the_own_button_of_other_items() -> None:
    link = InlineKeyboardButton("vote", url="https://t.me/gonggam_bot?start=budget")
    items = [DigestItem("a", (3, "공원 가로등")), DigestItem("b", (4, "CCTV")),
             DigestItem("c", (3, "공원 가로등")), DigestItem("d", button=link),
             DigestItem("e")]
    assert buttons_of(items) == ["p:1:3", "p:1:4", "https://t.me/gonggam_bot?start=budget"]


def test_a_long_digest_lists_the_first_items_and_counts_the_rest() -> None:
    items = [DigestItem(f"item {n}", (n, f"제안 {n}")) for n in range(MAX_LINES + 5)]
    rendered = digest_message(en, items)
    assert f"{MAX_LINES}. item {MAX_LINES - 1}" in rendered.text
    assert f"item {MAX_LINES}\n" not in rendered.text and "5 more" in rendered.text
    assert len(buttons_of(items)) == MAX_BUTTONS
    assert len(rendered.text) < 4096


def claimed(row_id: int, kind: str, attempts: int = 1) -> Claimed:
    return Claimed(row_id, 77, None, kind, {"n": row_id}, "ko", attempts, "key:token", WHEN)


def test_the_rows_of_a_digest_are_sent_as_one_message_in_their_order() -> None:
    merged = digest_row([claimed(4, "halfway"), claimed(9, "closing_soon", 3)])
    assert (merged.id, merged.chat_id, merged.kind, merged.token) == (4, 77, DIGEST_KIND,
                                                                    "key:token")
    assert merged.params == {"items": [{"kind": "halfway", "params": {"n": 4}},
                                       {"kind": "closing_soon", "params": {"n": 9}}]}
    assert merged.attempts == 3


def test_the_renderer_turns_a_digest_row_into_one_message_with_working_buttons() -> None:
    notices = [Halfway(5, "공원 가로등 설치", 20, 50), ProposalWithdrawn(6, "골목길 CCTV"),
               BudgetRoundOpened(2, "2027 주민참여예산", 100_000_000, WHEN, 12,
                                 "https://gonggam.test/b/2")]
    items = [{"kind": n.kind, "params": n.to_params()} for n in notices]
    items.append({"kind": "no_such_kind", "params": {}})  # left out, not fatal
    rendered = NotificationRenderer(I18n())(DIGEST_KIND, {"items": items}, "ko", "gonggam_bot")
    assert rendered.text.index("공원 가로등 설치") < rendered.text.index("골목길 CCTV")
    assert "3." in rendered.text and "4." not in rendered.text
    assert rendered.reply_markup is not None
    data = [b.callback_data or b.url for row in rendered.reply_markup.inline_keyboard
            for b in row]
    assert data[:2] == ["p:1:5", "p:1:6"] and len(data) == 3
