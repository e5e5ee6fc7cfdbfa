"""The one place Jinja2 environments are built: for the web pages (bot/web) and for the
files handed to people (printable pages). The templates live in bot/web/templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from bot.i18n import Translator

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "web" / "templates"


def html_templates(t: Translator, **extra_globals: Any) -> jinja2.Environment:
    """Autoescaped HTML translated through `t`; an undefined name is an error, not blank.

    Every template gets `moment` and `deadline` for times; callers add their own globals.
    Templates are compiled once and not checked for changes on disk again: checking cost a
    `stat` for every template and import on every page drawn.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        auto_reload=False,
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        t.gettext, t.ngettext, newstyle=False)
    env.globals.update(moment=t.moment, deadline=t.deadline, **extra_globals)
    return env
