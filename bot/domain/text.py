"""Text hygiene for resident input: normalisation, meaningfulness, personal-data masking.

Invisible characters: every format character (Unicode category Cf: zero-width space and
joiners, word joiner, BOM, Mongolian vowel separator, bidi controls, soft hyphen …) is
removed, with two exceptions that keep emoji intact: a zero-width joiner (U+200D) between
two emoji (👩‍💻, ❤️‍🔥) and emoji tag characters after a black flag (🏴󠁧󠁢󠁳󠁣󠁴󠁿). Variation
selectors are kept when they follow a visible character (❤️, 1️⃣) and dropped when orphaned.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

ZERO_WIDTH_JOINER = "\u200d"
ELLIPSIS = "…"
KIND_RRN = "rrn"
KIND_PHONE = "phone"
KIND_EMAIL = "email"

_BLACK_FLAG = "\U0001f3f4"
_TAG_RANGE = range(0xE0020, 0xE0080)
_EMOJI_RANGES = (
    range(0x1F000, 0x1FB00),
    range(0x2600, 0x27C0),
    range(0x2300, 0x2400),
    range(0x2B00, 0x2C00),
    range(0x2190, 0x2200),
)
_EXTRA_LINE_BREAKS = re.compile(r"\n{3,}")
_SPACE_RUNS = re.compile(r" {2,}")


def normalise_text(text: str) -> str:
    """NFC, no invisible/control characters, single spaces, trimmed lines, ≤ 1 blank line."""
    text = unicodedata.normalize("NFC", text)
    text = "\n".join(text.splitlines())
    text = _drop_invisible(_map_spaces_and_controls(text))
    lines = (_SPACE_RUNS.sub(" ", line).strip() for line in text.split("\n"))
    text = _EXTRA_LINE_BREAKS.sub("\n\n", "\n".join(lines)).strip()
    return unicodedata.normalize("NFC", text)


def _map_spaces_and_controls(text: str) -> str:
    """Tabs and other spaces become one ASCII space; control characters except \\n go."""
    out: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if char == "\n":
            out.append(char)
        elif char == "\t" or category == "Zs":
            out.append(" ")
        elif category in ("Cc", "Cs") or (category == "Cf" and not _maybe_emoji_part(char)):
            continue
        else:
            out.append(char)
    return "".join(out)


def _maybe_emoji_part(char: str) -> bool:
    return char == ZERO_WIDTH_JOINER or ord(char) in _TAG_RANGE


def _drop_invisible(text: str) -> str:
    """Keep joiners, tags and variation selectors only where they belong to an emoji."""
    out: list[str] = []
    for index, char in enumerate(text):
        previous = text[index - 1] if index else ""
        following = text[index + 1] if index + 1 < len(text) else ""
        if char == ZERO_WIDTH_JOINER:
            keep = _ends_emoji(previous) and _is_emoji(following)
        elif ord(char) in _TAG_RANGE:
            keep = previous == _BLACK_FLAG or (previous != "" and ord(previous) in _TAG_RANGE)
        elif _is_variation_selector(char):
            keep = previous != "" and not previous.isspace()
        else:
            keep = True
        if keep:
            out.append(char)
    return "".join(out)


def _is_emoji(char: str) -> bool:
    if not char:
        return False
    code = ord(char)
    return any(code in span for span in _EMOJI_RANGES) or unicodedata.category(char) == "So"


def _ends_emoji(char: str) -> bool:
    return bool(char) and (_is_emoji(char) or _is_variation_selector(char))


def _is_variation_selector(char: str) -> bool:
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def is_meaningful(text: str) -> bool:
    """True when the normalised text has at least one letter or digit."""
    return any(unicodedata.category(char)[0] in "LN" for char in normalise_text(text))


_EMAIL = re.compile(
    r"(?<![\w.%+-])(?P<first>[A-Za-z0-9])(?P<rest>[A-Za-z0-9._%+-]*)"
    r"@(?P<domain>[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*"
    r"[A-Za-z0-9])?)*\.[A-Za-z]{2,})"
)
_RRN = re.compile(
    r"(?<!\d)(?P<birth>\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))"
    r"(?P<sep>\s?-\s?|\s?)(?P<back>[1-8]\d{6})(?!\d)"
)
_SEP = r"(?:\s?[-.]\s?|\s)?"
_PHONE = re.compile(
    r"(?<![\d+])(?P<head>(?:\+82" + _SEP + r"(?:\(0\)\s?)?(?:1[016789]|2|[3-6][1-5]|70))"
    r"|01[016789]|02|0[3-6][1-5]|070)"
    r"(?P<tail>" + _SEP + r"\d{3,4}" + _SEP + r"\d{4})(?!\d)"
)


def mask_personal_data(text: str) -> tuple[str, list[str]]:
    """Mask resident numbers, phone numbers and e-mails; return the text and the kinds found."""
    text, emails = _EMAIL.subn(_mask_email, text)
    text, resident_numbers = _RRN.subn(_mask_rrn, text)
    text, phones = _PHONE.subn(_mask_phone, text)
    found = ((KIND_RRN, resident_numbers), (KIND_PHONE, phones), (KIND_EMAIL, emails))
    return text, [kind for kind, count in found if count]


def _mask_email(match: re.Match[str]) -> str:
    return f"{match['first']}***@{match['domain']}"


def _mask_rrn(match: re.Match[str]) -> str:
    return f"{match['birth']}{match['sep']}{'*' * 7}"


def _mask_phone(match: re.Match[str]) -> str:
    return match["head"] + re.sub(r"\d", "*", match["tail"])


def truncate_for_display(text: str, limit: int, ellipsis: str = ELLIPSIS) -> str:
    """``text`` cut to at most ``limit`` code points, ending in an ellipsis when cut."""
    if limit < len(ellipsis):
        raise ValueError(f"limit {limit} is shorter than the ellipsis")
    if len(text) <= limit:
        return text
    cut = _grapheme_safe_cut(text, limit - len(ellipsis))
    return text[:cut].rstrip() + ellipsis


def _grapheme_safe_cut(text: str, cut: int) -> int:
    """Move ``cut`` left until it does not split a combining, joined or flag sequence."""
    while 0 < cut < len(text) and _continues_cluster(text, cut):
        cut -= 1
    return cut


def _continues_cluster(text: str, index: int) -> bool:
    char, previous = text[index], text[index - 1]
    if previous == ZERO_WIDTH_JOINER or 0xD800 <= ord(previous) <= 0xDBFF:
        return True
    if _is_regional_indicator(char) and _is_regional_indicator(previous):
        run = 0
        while index - run - 1 >= 0 and _is_regional_indicator(text[index - run - 1]):
            run += 1
        return run % 2 == 1
    return _extends_previous(char)


def _extends_previous(char: str) -> bool:
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me")
        or char == ZERO_WIDTH_JOINER
        or _is_variation_selector(char)
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or code in _TAG_RANGE
        or 0x1160 <= code <= 0x11FF  # conjoining Hangul vowels and finals
    )


def _is_regional_indicator(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def phone_hash(phone: str, secret_key: str) -> str | None:
    """A keyed hash of a Korean phone number (+82 and spacing ignored), or None without
    digits: enough to tell people apart, useless if leaked. Numbers are never stored."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("82"):
        digits = "0" + digits[2:]
    if not digits:
        return None
    return hmac.new(secret_key.encode(), digits.encode(), hashlib.sha256).hexdigest()
