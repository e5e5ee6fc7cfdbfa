"""The reply page's answer forms as nobody has typed in them yet, drawn once per process.

A blank form's HTML depends on its kind and the translator, both fixed for the web app, and
on three values of the request: its form token, the reply link's token in its action, and
today's date as the earliest date a form accepts. Drawing the forms' macros took about two
fifths of drawing the page, so each kind is drawn once at start-up, with slots where those
three values go, and a request fills the slots with the values escaped as the template
escapes them. A form that shows what was typed, errors or a message is drawn by the macros.
"""

from __future__ import annotations

from collections.abc import Mapping

import jinja2
from markupsafe import Markup, escape

# Made of characters autoescaping leaves alone, so a slot comes out of a macro as it went in.
CSRF_SLOT = "@@blank-form-csrf@@"
TOKEN_SLOT = "@@blank-form-link@@"
TODAY_SLOT = "@@blank-form-today@@"


class BlankForms:
    """Each kind's blank form, drawn once by `_forms.html`'s `answer_form` with slots."""

    def __init__(self, templates: jinja2.Environment, blanks: Mapping[str, object]) -> None:
        """`blanks`: per kind, the form as the macros take it, untyped in, with `CSRF_SLOT`
        as its form token."""
        module = templates.get_template("_forms.html").make_module()
        answer_form = module.answer_form  # type: ignore[attr-defined]  # the template's macro
        self._html = {kind: str(answer_form(form, TOKEN_SLOT, TODAY_SLOT))
                      for kind, form in blanks.items()}

    def fill(self, kind: str, csrf: str, token: str, today: str) -> Markup:
        """The blank form of `kind` for one request: its form token, link and date."""
        return Markup(
            self._html[kind]
            .replace(CSRF_SLOT, str(escape(csrf)))
            .replace(TOKEN_SLOT, str(escape(token)))
            .replace(TODAY_SLOT, str(escape(today)))
        )
