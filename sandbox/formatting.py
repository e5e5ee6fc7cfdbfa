"""Telegram's formatted text rules, as strict as Telegram: its HTML subset, lengths, emptiness.

`parse_html` follows the Bot API server's own HTML parser (tdlib's ``parse_html``): the same
tags, the same entity decoding (``&lt; &gt; &amp; &quot;`` and numeric references, with or
without the ``;``) and the same refusals with the same wording, including the byte offset
in UTF-8. Lengths are counted in UTF-16 code units after parsing and after stripping the
surrounding whitespace, as Telegram counts them. Where the sandbox differs it is stricter:
a numeric reference to any surrogate half is refused (Telegram refuses an unpaired one), and
every link is kept as written (Telegram silently drops links it cannot check).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSONDict = dict[str, Any]

MAX_TEXT_UTF16 = 4096
MAX_CAPTION_UTF16 = 1024
SUPPORTED_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler",
     "tg-emoji", "span", "pre", "code", "blockquote"}
)
SIMPLE_ENTITY_TYPES = {
    "b": "bold", "strong": "bold",
    "i": "italic", "em": "italic",
    "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler",
}
NAMED_CHARACTERS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
SPACES = frozenset(" \t\r\n\v")
MAX_CODE_POINT = 0x10FFFF
UNPAIRED_SURROGATE = ("Text contains invalid Unicode characters after decoding HTML entities, "
                      "check for unmatched surrogate code units")


class FormattingError(ValueError):
    """Text Telegram refuses; the message is the part after ``Bad Request: ``."""


@dataclass(frozen=True)
class FormattedText:
    """What a Telegram client receives: plain text and its entities (UTF-16 offsets)."""

    text: str
    entities: tuple[JSONDict, ...] = ()

    @property
    def utf16_length(self) -> int:
        return utf16_length(self.text)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def formatted(text: str, parse_mode: str | None, entities: list[JSONDict] | None = None,
              ) -> FormattedText:
    """`text` as Telegram stores it: parsed (HTML only; the bot formats with HTML), stripped.

    Explicit `entities` win over a parse mode, as in the Bot API.
    """
    if entities:
        return _stripped(text, [dict(e) for e in entities])
    if (parse_mode or "").upper() != "HTML":
        return _stripped(text, [])
    plain, parsed = parse_html(text)
    return _stripped(plain, parsed)


def message_text(text: str | None, parse_mode: str | None,
                 entities: list[JSONDict] | None = None) -> FormattedText:
    """A message text, or the refusal Telegram gives (empty, too long, unparsable)."""
    shown = formatted(text or "", parse_mode, entities)
    if not shown.text:
        raise FormattingError("message text is empty")
    if shown.utf16_length > MAX_TEXT_UTF16:
        raise FormattingError("message is too long")
    return shown


def caption_text(caption: str | None, parse_mode: str | None,
                 entities: list[JSONDict] | None = None) -> FormattedText:
    """A media caption (may be empty), or Telegram's refusal (too long, unparsable)."""
    shown = formatted(caption or "", parse_mode, entities)
    if shown.utf16_length > MAX_CAPTION_UTF16:
        raise FormattingError("message caption is too long")
    return shown


def _stripped(text: str, entities: list[JSONDict]) -> FormattedText:
    """Drop surrounding whitespace and clip the entities to what is left (empty ones go)."""
    start = len(text) - len(text.lstrip())
    kept = text.strip()
    shift, end = utf16_length(text[:start]), utf16_length(text[:start]) + utf16_length(kept)
    clipped = []
    for entity in entities:
        begin = max(entity["offset"], shift)
        finish = min(entity["offset"] + entity["length"], end)
        if finish > begin:
            clipped.append({**entity, "offset": begin - shift, "length": finish - begin})
    return FormattedText(kept, tuple(clipped))


# ----- HTML --------------------------------------------------------------------------------------


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int
    text_start: int


@dataclass
class _HtmlParser:
    """One pass over the text, as tdlib's ``parse_html`` does it (positions are code points)."""

    source: str
    position: int = 0
    utf16_offset: int = 0
    out: list[str] = field(default_factory=list)
    open_tags: list[_OpenTag] = field(default_factory=list)
    entities: list[JSONDict] = field(default_factory=list)

    def char(self, index: int | None = None) -> str:
        """The character at `index` (default: the current one); '' past the end."""
        at = self.position if index is None else index
        return self.source[at] if at < len(self.source) else ""

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def error(self, message: str) -> FormattingError:
        return FormattingError(f"can't parse entities: {message}")

    def run(self) -> tuple[str, list[JSONDict]]:
        while self.position < len(self.source):
            current = self.source[self.position]
            if current == "&" and self.take_character_reference(self.out):
                continue
            if current != "<":
                self.emit(current)
                self.position += 1
            elif self.char(self.position + 1) == "/":
                self.end_tag()
            else:
                self.start_tag()
        if self.open_tags:
            raise self.error("Can't find end tag corresponding to start tag "
                             f'"{self.open_tags[-1].name}"')
        entities = [_without_code_language(e) for e in self.entities]
        return "".join(self.out), sorted(entities, key=lambda e: (e["offset"], -e["length"]))

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.utf16_offset += utf16_length(text)

    def take_character_reference(self, sink: list[str]) -> bool:
        """Decode ``&name;`` / ``&#n;`` / ``&#xh;`` at the position into `sink`; False if none."""
        decoded, end = _character_reference(self.source, self.position)
        if decoded is None:
            return False
        if sink is self.out:
            self.emit(decoded)
        else:
            sink.append(decoded)
        self.position = end
        return True

    def at_space(self) -> bool:
        """tdlib counts the end of the text (its NUL) as a space."""
        return not self.char() or self.char() in SPACES

    def skip_spaces(self) -> None:
        while self.char() and self.at_space():
            self.position += 1

    def read_until_space_or(self, stops: str) -> str:
        start = self.position
        while not self.at_space() and self.char() not in stops:
            self.position += 1
        return self.source[start:self.position]

    def start_tag(self) -> None:
        begin = self.position
        self.position += 1
        raw_name = self.read_until_space_or(">")
        if not self.char():
            raise self.error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        name = raw_name.lower()
        if name not in SUPPORTED_TAGS:
            raise self.error(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}')
        argument = self.attributes(name, begin)
        self.position += 1  # the '>'
        if name == "span" and argument != "spoiler":
            raise self.error('Tag "span" must have class "tg-spoiler" at byte offset '
                             f"{self.byte_offset(begin)}")
        self.open_tags.append(_OpenTag(name, argument, self.utf16_offset, len(self.out)))

    def attributes(self, tag: str, begin: int) -> str:
        """Read the attributes up to '>'; returns the one argument Telegram keeps for `tag`."""
        argument = ""
        while self.char() != ">":
            self.skip_spaces()
            if self.char() == ">":
                break
            attribute = self.read_until_space_or("=>")
            if not attribute:
                raise self.error(f'Empty attribute name in the tag "{tag}" at byte offset '
                                 f"{self.byte_offset(begin)}")
            self.skip_spaces()
            if self.char() != "=":
                if tag == "blockquote" and attribute == "expandable":
                    argument = "expandable"
                    continue
                raise self.error('Expected equal sign in declaration of an attribute of the tag '
                                 f'"{tag}" at byte offset {self.byte_offset(begin)}')
            self.position += 1
            self.skip_spaces()
            if not self.char():
                raise self.error(f'Unclosed start tag "{tag}" at byte offset '
                                 f"{self.byte_offset(begin)}")
            value = self.attribute_value()
            if not self.char():
                raise self.error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            argument = _tag_argument(tag, attribute, value, argument)
        return argument

    def attribute_value(self) -> str:
        quote = self.char()
        if quote not in ("'", '"'):
            start = self.position
            while self.char() and (self.char().isascii() and self.char().isalnum()
                                   or self.char() in ".-"):
                self.position += 1
            if not self.at_space() and self.char() != ">":
                raise self.error("Unexpected end of name token at byte offset "
                                 f"{self.byte_offset(start)}")
            return self.source[start:self.position].lower()
        self.position += 1
        value: list[str] = []
        while self.char() and self.char() != quote:
            if self.char() == "&" and self.take_character_reference(value):
                continue
            value.append(self.char())
            self.position += 1
        if self.char() == quote:
            self.position += 1
        return "".join(value)

    def end_tag(self) -> None:
        begin = self.position
        if not self.open_tags:
            raise self.error(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        self.position += 2
        name = self.read_until_space_or(">").lower()
        self.skip_spaces()
        if self.char() != ">":
            raise self.error(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        self.position += 1
        opened = self.open_tags[-1]
        if name and name != opened.name:
            raise self.error(f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                             f'expected "</{opened.name}>", found "</{name}>"')
        self.open_tags.pop()
        if self.utf16_offset > opened.offset:
            self.close_entity(opened)

    def close_entity(self, opened: _OpenTag) -> None:
        span = {"offset": opened.offset, "length": self.utf16_offset - opened.offset}
        if opened.name in SIMPLE_ENTITY_TYPES:
            self.entities.append({"type": SIMPLE_ENTITY_TYPES[opened.name], **span})
        elif opened.name == "tg-emoji":
            if not opened.argument.isdigit() or int(opened.argument) == 0:
                raise self.error("Invalid custom emoji identifier specified")
            self.entities.append({"type": "custom_emoji", **span,
                                  "custom_emoji_id": opened.argument})
        elif opened.name == "a":
            url = opened.argument or "".join(self.out[opened.text_start:])
            self.entities.append({"type": "text_link", **span, "url": url})
        elif opened.name == "blockquote":
            kind = "expandable_blockquote" if opened.argument else "blockquote"
            self.entities.append({"type": kind, **span})
        else:
            self.close_code_or_pre(opened, span)

    def close_code_or_pre(self, opened: _OpenTag, span: JSONDict) -> None:
        """``<pre><code class="language-x">`` is one pre entity with a language."""
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and (last["offset"], last["length"]) == (
            span["offset"], span["length"])
        if opened.name == "pre":
            if same_span and last is not None and last["type"] == "code" and last.get("language"):
                last["type"] = "pre"
            else:
                self.entities.append({"type": "pre", **span})
            return
        if same_span and last is not None and last["type"] == "pre" and opened.argument:
            last["language"] = opened.argument
            return
        entity = {"type": "code", **span}
        if opened.argument:
            entity["language"] = opened.argument
        self.entities.append(entity)


def _tag_argument(tag: str, attribute: str, value: str, current: str) -> str:
    if tag == "a" and attribute == "href":
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value.removeprefix("language-")
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value.removeprefix("tg-")
    if tag == "tg-emoji" and attribute == "emoji-id":
        return value
    return current


def _character_reference(source: str, start: int) -> tuple[str | None, int]:
    """The character ``&…`` at `start` stands for and where it ends; (None, start) if none."""
    end = start + 1
    if source[end:end + 1] == "#":
        end += 1
        hexadecimal = source[end:end + 1] == "x"
        end += hexadecimal
        digits = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        value = 0
        while end < len(source) and source[end] in digits:
            value = value * (16 if hexadecimal else 10) + int(source[end], 16)
            end += 1
            if value >= MAX_CODE_POINT:
                return None, start
        if value == 0 or end - start >= 10:
            return None, start
        if 0xD800 <= value <= 0xDFFF:
            raise FormattingError(f"can't parse entities: {UNPAIRED_SURROGATE}")
        decoded = chr(value)
    else:
        while end < len(source) and source[end].isascii() and source[end].isalpha():
            end += 1
        named = NAMED_CHARACTERS.get(source[start + 1:end])
        if named is None:
            return None, start
        decoded = named
    return decoded, end + 1 if source[end:end + 1] == ";" else end


def parse_html(text: str) -> tuple[str, list[JSONDict]]:
    """Plain text and entities of `text` in Telegram's HTML, or `FormattingError` as Telegram."""
    return _HtmlParser(text).run()


def _without_code_language(entity: JSONDict) -> JSONDict:
    """A language counts only on ``pre``; Telegram drops it from inline code."""
    if entity["type"] != "code":
        return entity
    return {key: value for key, value in entity.items() if key != "language"}
