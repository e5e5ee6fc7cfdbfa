"""A blank answer form drawn once with slots is the form the macros draw for the request."""

from __future__ import annotations

import pytest

from bot.domain.answers import AnswerKind
from bot.i18n import DEFAULT_LANGUAGE, I18n
from bot.settings import Settings
from bot.web.blank_forms import CSRF_SLOT, BlankForms
from bot.web.pages import FORM_KINDS, FormView, build_templates

SETTINGS = Settings(secret_key="k" * 64, public_base_url="http://gonggam.test")


@pytest.mark.parametrize("kind", FORM_KINDS)
def test_a_filled_blank_form_is_what_the_macro_draws(kind: AnswerKind) -> None:
    templates = build_templates(I18n().get(DEFAULT_LANGUAGE), SETTINGS)
    blank = BlankForms(templates, {kind: FormView(kind, CSRF_SLOT)})
    macros = templates.get_template("_forms.html").make_module()
    csrf, token, today = "7.final.n'o\"nce.1.", "to<k>en&", "2026-12-07"

    filled = blank.fill(kind, csrf, token, today)

    drawn = macros.answer_form(FormView(kind, csrf), token, today)
    assert filled == drawn
    assert "&lt;k&gt;" in filled and "n&#39;o&#34;nce" in filled


def test_a_form_with_anything_in_it_is_not_blank() -> None:
    assert FormView(AnswerKind.INTERIM, "t").blank
    assert not FormView(AnswerKind.INTERIM, "t", values={"text": ""}).blank
    assert not FormView(AnswerKind.INTERIM, "t", errors={"text": "required"}).blank
    assert not FormView(AnswerKind.INTERIM, "t", message="expired").blank
