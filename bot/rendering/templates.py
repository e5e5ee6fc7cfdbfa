"""The one place Jinja2 environments are built: for the web pages (bot/web) and for the
files handed to people (printable pages). The templates live in bot/web/templates."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache, partial
from pathlib import Path
from types import BuiltinMethodType, FunctionType, MethodType
from typing import Any, cast

import jinja2
from jinja2.ext import Extension
from jinja2.lexer import TOKEN_STRING, Token, TokenStream
from jinja2.runtime import Context, Macro

from bot.i18n import Translator

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "web" / "templates"


def html_templates(t: Translator, **extra_globals: Any) -> jinja2.Environment:
    """Autoescaped HTML translated through `t`; an undefined name is an error, not blank.

    Every template gets `moment` and `deadline` for times; callers add their own globals.
    Templates are compiled once and not checked for changes on disk again: checking cost a
    `stat` for every template and import on every page drawn.
    """
    env = QuickCallEnvironment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        auto_reload=False,
        autoescape=True,
        extensions=["jinja2.ext.i18n", TranslatedLiterals],
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        t.gettext, t.ngettext, newstyle=False)
    env.globals.update(moment=t.moment, deadline=t.deadline, **extra_globals)
    return env


_PLAIN_CALLABLES = frozenset({FunctionType, MethodType, type(lru_cache()(len)), partial})


class QuickCallContext(Context):
    """A context whose `call` goes straight to the callables our templates call.

    Jinja sends every call in a template (a macro, `.format`, a helper) through
    `Context.call`, which asks each callable, with several `hasattr`s, whether it wants the
    context or the environment passed in (`pass_context`). A macro, a built-in method such as
    `str.format`, and a function, method or cached function without that mark never do
    (Jinja reads the mark with the same `hasattr`): they are called directly,
    which is all but a few of the thirty-odd calls of a page. Anything else takes Jinja's
    own path.
    """

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        kind = type(__obj)
        if kind is Macro or kind is BuiltinMethodType or (
                kind in _PLAIN_CALLABLES and not hasattr(__obj, "jinja_pass_arg")):
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:  # as Jinja: undefined, not a stopped template
                return __self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception")
        return super().call(__obj, *args, **kwargs)


class QuickCallEnvironment(jinja2.Environment):
    context_class = QuickCallContext


class TranslatedLiterals(Extension):
    """`_("a literal")` translated once, when a template is compiled.

    An environment translates through one translator (`html_templates`), so a literal's
    translation never changes while it lives; at run time Jinja would call gettext through
    two layers of its context on every page drawn (about a dozen times a page), and as a
    constant the text is even escaped at compile time. `_()` of anything but one literal, and
    `ngettext`, are left to the i18n extension.
    """

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        translate = cast(Callable[[str], str], self.environment.globals["gettext"])
        after_dot = False
        while not stream.eos:
            token = next(stream)
            if not after_dot and token.test("name:_") and stream.current.test("lparen") \
                    and stream.look().test("string"):
                opening, literal = next(stream), next(stream)
                if stream.current.test("rparen"):
                    next(stream)
                    yield Token(token.lineno, TOKEN_STRING, translate(literal.value))
                else:
                    yield from (token, opening, literal)
                after_dot = False
                continue
            after_dot = token.test("dot")  # `x._("...")` is someone's method, not gettext
            yield token
