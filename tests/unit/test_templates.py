"""Templates translate `_("a literal")` when they are compiled, and anything else as they run."""

from __future__ import annotations

from dataclasses import dataclass

import jinja2
import jinja2.runtime
import pytest
from markupsafe import escape

from bot.i18n import SUPPORTED_LANGUAGES, I18n
from bot.rendering.templates import html_templates

MESSAGE = "Please check the fields marked below."
FORMATTED = "Now: {status}"


@dataclass(frozen=True)
class Shouting:
    def _(self, text: str) -> str:
        return text.upper()


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_literals_and_expressions_translate_alike(language: str) -> None:
    t = I18n().get(language)
    templates = html_templates(t)
    source = "|".join((f'{{{{ _("{MESSAGE}") }}}}', f"{{{{ _('{MESSAGE}') }}}}",
                       "{{ _(message) }}", f'{{{{ _("{FORMATTED}").format(status="<b>") }}}}'))

    drawn = templates.from_string(source).render(message=MESSAGE)

    translated = str(escape(t.gettext(MESSAGE)))
    formatted = str(escape(t.gettext(FORMATTED).format(status="<b>")))
    assert drawn == "|".join((translated, translated, translated, formatted))


def test_only_a_lone_literal_is_translated_at_compile_time() -> None:
    t = I18n().get("ko")
    templates = html_templates(t)

    drawn = templates.from_string(
        '{{ _("Pre" ~ "view") }}|{{ shout._("Preview") }}|{{ _("Preview") }}'
    ).render(shout=Shouting())

    assert drawn == f"{t.gettext('Preview')}|PREVIEW|{t.gettext('Preview')}"
    assert t.gettext("Preview") != "Preview"  # the Korean catalog has it


def test_a_literal_is_translated_text_in_the_compiled_template() -> None:
    t = I18n().get("ko")
    code = html_templates(t).compile('{{ _("Preview") }}|{{ _(message) }}', raw=True)
    assert f"yield '{t.gettext('Preview')}|'" in code  # a constant, escaped already
    assert code.count("context.call(") == 1  # _(message), as it runs


def test_quick_calls_still_pass_the_context_to_whoever_asks_for_it() -> None:
    """Macros, built-in methods and plain functions are called directly; a function marked
    `pass_context` (or `pass_environment`) still gets what it asked for, and a callable
    that raises StopIteration still gives an undefined value, as with Jinja's own calls."""
    templates = html_templates(I18n().get("ko"))

    @jinja2.pass_context
    def who(context: jinja2.runtime.Context) -> str:
        return str(context["name"])

    @jinja2.pass_environment
    def autoescaping(environment: jinja2.Environment) -> bool:
        return bool(environment.autoescape)

    def stopping() -> str:
        raise StopIteration

    source = ("{% macro hello(n) %}[{{ n }}]{% endmacro %}{% block b %}"
              "{% for x in [1] %}{{ hello(who()) }} {{ '{}+{}'.format(x, plain(x)) }} "
              "{{ autoescaping() }} {{ stopping() is undefined }}{% endfor %}{% endblock %}")
    drawn = templates.from_string(source).render(
        name="민지", who=who, plain=lambda x: x * 2, autoescaping=autoescaping,
        stopping=stopping)
    assert drawn == "[민지] 1+2 True True"
