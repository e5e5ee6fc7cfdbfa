"""The hidden inputs of the forms on a page, as a browser would post them back."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class FormParser(HTMLParser):
    """The hidden inputs of every form on a page, keyed by the form's id (or its action)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._current = self.forms.setdefault(values.get("id") or values["action"], {})
        elif tag == "input" and self._current is not None and values.get("type") == "hidden":
            self._current[values["name"]] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def forms_of(html: str) -> dict[str, dict[str, str]]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def page_text(html: str) -> str:
    """A page's words as one line: tags dropped, every run of white space one space (so a
    test can look for a sentence however the template breaks it)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
