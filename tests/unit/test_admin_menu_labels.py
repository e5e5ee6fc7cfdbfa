"""The /admin menu's section labels live in rendering: one per section, each translated."""

from __future__ import annotations

from bot.handlers.admin import SECTIONS
from bot.i18n import I18n
from bot.rendering.admin_menu import SECTION_LABELS, main_menu


def test_every_section_has_exactly_one_label() -> None:
    assert [section.key for section in SECTIONS] == list(SECTION_LABELS)


def test_the_menu_shows_the_translated_labels_of_the_allowed_sections_in_order() -> None:
    menu = main_menu(I18n().get("ko"), ["stats", "queue"], 3)
    assert menu.reply_markup is not None
    labels = [button.text for row in menu.reply_markup.inline_keyboard for button in row]
    assert len(labels) == 2
    assert labels[0].startswith("📈") and labels[1].startswith("📥")
    assert labels != ["📈 Statistics", "📥 Work items"]  # the Korean catalogue has them
