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
import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

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


# ---- personal data -------------------------------------------------------------------------

_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
# After NFKC: minus signs (⁻ and ₋ fold to −), the heavy and modifier minus, and ㅡ (Hangul
# EU, typed as a dash on Korean keyboards; NFKC turns it into the conjoining U+1173).
_MINUS_SIGNS = frozenset("\u2212\u2796\u02d7\u1173")
_SLASHES = frozenset("/\u2044\u2215\u29f8")
# . · ・ ㆍ (Hangul ARAEA, folded to U+119E) ‧ ∙ 。
_DOTS = frozenset(".\u00b7\u30fb\u119e\u2027\u2219\u3002")
_BLANKS = frozenset("\u115f\u1160")  # Hangul fillers (ㅤ): they look like spaces
_KEYCAP = "\u20e3"
_FOLD_UNITS = re.compile(r"(?P<plain>[\x20-\x7e\n가-힣]+)|(?P<other>.)", re.DOTALL)
_MAYBE_PERSONAL = re.compile(r"[0-9@]|[^\x00-\x7f가-힣]")
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])(?P<first>[A-Za-z0-9])[A-Za-z0-9._%+\-*]* ?@ ?"
    r"(?P<domain>[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*"
    r"[A-Za-z0-9])?)*\.[A-Za-z]{2,})"
)
_GAP = r"(?: *[-/.()] *| +)"
_NUMBER_CHAIN = re.compile(
    r"(?:(?P<intl>\+ *82)" + _GAP + r"?)?(?P<chain>[0-9]+(?:" + _GAP + r"[0-9]+)*)"
)
_DIGIT_GROUP = re.compile(r"[0-9]+")
_DOMESTIC_HEAD = re.compile(r"0(?:1[016789]|2|[3-6][1-5]|70)")
_INTERNATIONAL_HEAD = re.compile(r"1[016789]|2|[3-6][1-5]|70")
_BIRTH_DATE = re.compile(r"[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])")
_RRN_BACK_FIRST = frozenset("12345678")
_MIN_NATIONAL_DIGITS = 8  # 2 123 4567 after +82
_MAX_NUMBER_DIGITS = 13

_Group = tuple[int, str, str]  # offset in the folded text, digits, the gap before them


def mask_personal_data(text: str) -> tuple[str, list[str]]:
    """Mask resident numbers, phone numbers and e-mails; return the text and the kinds found.

    Matching runs on a folded copy of the text; only the matched stretches change, so the
    rest keeps its own characters. Folding: NFKC (full-width ０１０ and ＠, circled ①),
    every decimal digit to 0-9, invisible characters (format characters such as zero-width
    spaces and joiners, variation selectors, the keycap mark) removed, any space (NBSP,
    ideographic space, Hangul filler, tab) to a space, any dash (Unicode Pd, minus signs,
    ㅡ) to ``-``, any slash to ``/``, any dot (· ・ ㆍ ‧ ∙ 。) to ``.``.

    Numbers: a *chain* is digit groups joined by gaps, a gap being spaces and/or one ``-``,
    ``/``, ``.``, ``(`` or ``)`` on a single line (commas, colons and line breaks end it).
    A stretch of whole groups of a chain is personal data when its digits are
    - a phone number: 010/011/016-019, 02, 0[3-6][1-5] or 070, then 3-4 digits, then 4
      digits; after ``+82`` the same without the leading 0 (with or without ``(0)``);
    - a resident number: a valid YYMMDD, a first back digit 1-8, 6 more digits;
    and each of its parts (area/mobile head, middle, last; or birth date, back) is either
    unbroken or spelled out digit by digit with one and the same gap (``0 1 0 1 2 3 4``).
    From each group the longest such stretch wins. The head of a phone number and the
    birth date of a resident number stay, every other digit becomes ``*``, the gaps stay
    folded (``010–1234–5678`` → ``010-****-****``, ``01012345678`` → ``010********``).
    Ordinary numbers do not qualify: amounts (``1,234,567원``, ``3억 5,000만 원``) have commas
    or do not start with 0, dates (``2026-12-07``) and years start with the year, counts and
    제안 numbers are too short, ``0.5 1.5 2.5`` mixes its gaps, and a 16-digit order number
    has no whole-group stretch of the right length. The price of the rule: a 13-digit run
    that starts with a valid YYMMDD (``9001012234567``) is taken for a resident number.

    E-mails (``hong.gildong@example.com``, ``ｈｏｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ``, one space around
    ``@`` allowed) keep the first character and the domain: ``h***@example.com``. A masked
    address is still an address (``*`` is allowed in the local part), so the digits of its
    domain are never read as a number and masking stays idempotent: a masked text masks
    to itself.
    """
    if not _MAYBE_PERSONAL.search(text):
        return text, []
    folded = _fold(text)
    emails = [_email_mask(match) for match in _EMAIL.finditer(folded.text)]
    numbers = _number_masks(_blank_out(folded.text, emails))
    masks = sorted(emails + numbers, key=lambda mask: mask.start)
    found = {mask.kind for mask in masks}
    kinds = [kind for kind in (KIND_RRN, KIND_PHONE, KIND_EMAIL) if kind in found]
    return _apply_masks(text, folded, masks), kinds


@dataclass(frozen=True)
class _Folded:
    """The folded text, the original index of each folded character, and where each
    original character's folding starts (one entry more than the original has characters)."""

    text: str
    origin: list[int]
    starts: list[int]


@dataclass(frozen=True)
class _Mask:
    """A stretch [start, end) of the folded text, its masked form and the kind of data
    (None: an e-mail address masked before, kept only so that it is not read as a number)."""

    start: int
    end: int
    replacement: str
    kind: str | None


@dataclass(frozen=True)
class _Bound:
    """A group boundary inside a candidate number: after `at` digits, with this gap."""

    at: int
    gap: str


@dataclass(frozen=True)
class _Hit:
    """Groups first..last of a chain form a number; its first `keep` digits stay."""

    last: int
    keep: int
    kind: str


def _fold(text: str) -> _Folded:
    pieces: list[str] = []
    origin: list[int] = []
    starts: list[int] = []
    size = 0
    for unit in _FOLD_UNITS.finditer(text):
        if unit["plain"] is not None:
            piece = unit["plain"]
            starts.extend(range(size, size + len(piece)))
            origin.extend(range(unit.start(), unit.end()))
        else:
            piece = _fold_char(unit["other"])
            starts.append(size)
            origin.extend([unit.start()] * len(piece))
        pieces.append(piece)
        size += len(piece)
    starts.append(size)
    return _Folded("".join(pieces), origin, starts)


def _fold_char(char: str) -> str:
    if unicodedata.category(char) == "Cf" or _is_variation_selector(char) or char == _KEYCAP:
        return ""
    return "".join(_fold_simple(part) for part in unicodedata.normalize("NFKC", char))


def _fold_simple(char: str) -> str:
    if char in _LINE_BREAKS:
        return "\n"
    if char.isspace() or char in _BLANKS:
        return " "
    category = unicodedata.category(char)
    if category == "Nd":
        return str(unicodedata.decimal(char))
    if category == "Pd" or char in _MINUS_SIGNS:
        return "-"
    if char in _SLASHES:
        return "/"
    if char in _DOTS:
        return "."
    return char


def _email_mask(match: re.Match[str]) -> _Mask:
    replacement = f"{match['first']}***@{match['domain']}"
    already_masked = match.group() == replacement
    return _Mask(match.start(), match.end(), replacement, None if already_masked else KIND_EMAIL)


def _blank_out(text: str, masks: list[_Mask]) -> str:
    """The text with the masked stretches replaced by NULs (so their digits are no number)."""
    for mask in masks:
        text = text[: mask.start] + "\0" * (mask.end - mask.start) + text[mask.end :]
    return text


def _number_masks(text: str) -> list[_Mask]:
    masks: list[_Mask] = []
    for chain in _NUMBER_CHAIN.finditer(text):
        if len(chain["chain"]) < _MIN_NATIONAL_DIGITS:
            continue  # the common case: a year, an amount, a count
        groups = _digit_groups(text, chain.start("chain"), chain.end("chain"))
        masks.extend(_chain_masks(text, groups, international=chain["intl"] is not None))
    return masks


def _digit_groups(text: str, start: int, end: int) -> list[_Group]:
    """The digit groups of a chain: offset, digits and the gap before (empty for the first)."""
    groups: list[_Group] = []
    previous_end = start
    for group in _DIGIT_GROUP.finditer(text, start, end):
        groups.append((group.start(), group.group(), text[previous_end : group.start()]))
        previous_end = group.end()
    return groups


def _chain_masks(text: str, groups: list[_Group], *, international: bool) -> list[_Mask]:
    masks: list[_Mask] = []
    first = 0
    while first < len(groups):
        rule = _international_number if international and first == 0 else _domestic_number
        hit = _longest_number(groups, first, rule)
        if hit is None:
            first += 1
            continue
        masks.append(_number_mask(text, groups[first : hit.last + 1], hit))
        first = hit.last + 1
    return masks


def _longest_number(
    groups: list[_Group],
    first: int,
    rule: Callable[[str, list[_Bound]], tuple[str, int] | None],
) -> _Hit | None:
    digits = ""
    bounds: list[_Bound] = []
    hit: _Hit | None = None
    for last in range(first, len(groups)):
        if last > first:
            bounds.append(_Bound(len(digits), groups[last][2]))
        digits += groups[last][1]
        if len(digits) > _MAX_NUMBER_DIGITS:
            break
        if (found := rule(digits, bounds)) is not None:
            hit = _Hit(last, found[1], found[0])
    return hit


def _domestic_number(digits: str, bounds: list[_Bound]) -> tuple[str, int] | None:
    """(kind, digits kept) when the digits with these group boundaries are a number."""
    if _is_resident_number(digits, bounds):
        return KIND_RRN, 6
    head = _phone_head(digits, bounds, _DOMESTIC_HEAD)
    return None if head is None else (KIND_PHONE, head)


def _international_number(digits: str, bounds: list[_Bound]) -> tuple[str, int] | None:
    """After +82: the national number, with or without its trunk 0."""
    trunk = 1 if digits.startswith("0") else 0
    national_bounds = [_Bound(b.at - trunk, b.gap) for b in bounds if b.at > trunk]
    head = _phone_head(digits[trunk:], national_bounds, _INTERNATIONAL_HEAD)
    return None if head is None else (KIND_PHONE, trunk + head)


def _is_resident_number(digits: str, bounds: list[_Bound]) -> bool:
    return (
        len(digits) == 13
        and _BIRTH_DATE.fullmatch(digits[:6]) is not None
        and digits[6] in _RRN_BACK_FIRST
        and _parts_are_whole_or_spelled(bounds, (0, 6, 13))
    )


def _phone_head(digits: str, bounds: list[_Bound], heads: re.Pattern[str]) -> int | None:
    """The length of the head when the digits are head, 3-4 digits and 4 digits."""
    head = heads.match(digits)
    if head is None:
        return None
    size = head.end()
    middle = len(digits) - size - 4
    if middle not in (3, 4):
        return None
    cuts = (0, size, size + middle, len(digits))
    return size if _parts_are_whole_or_spelled(bounds, cuts) else None


def _parts_are_whole_or_spelled(bounds: list[_Bound], cuts: tuple[int, ...]) -> bool:
    """Each part between two cuts has no group boundary inside, or one after every digit,
    all with the same gap (``0 1 0`` is spelled out, ``0.5 1`` is two decimals)."""
    for start, end in itertools.pairwise(cuts):
        gaps = [bound.gap for bound in bounds if start < bound.at < end]
        if gaps and (len(gaps) != end - start - 1 or len(set(gaps)) != 1):
            return False
    return True


def _number_mask(text: str, groups: list[_Group], hit: _Hit) -> _Mask:
    start, end = groups[0][0], groups[-1][0] + len(groups[-1][1])
    hidden: set[int] = set()
    seen = 0
    for offset, digits, _gap in groups:
        for index in range(len(digits)):
            if seen >= hit.keep:
                hidden.add(offset + index)
            seen += 1
    replacement = "".join(
        "*" if index in hidden else text[index] for index in range(start, end)
    )
    return _Mask(start, end, replacement, hit.kind)


def _apply_masks(text: str, folded: _Folded, masks: list[_Mask]) -> str:
    """The original text with each masked stretch (widened to whole original characters,
    and over the invisible ones that follow) replaced by its folded, masked form."""
    out: list[str] = []
    cursor = 0
    for mask in masks:
        first, after = folded.origin[mask.start], folded.origin[mask.end - 1] + 1
        if first < cursor:
            continue
        while after < len(text) and folded.starts[after] == folded.starts[after + 1]:
            after += 1  # invisible characters right after a number (keycaps) go with it
        lead = folded.text[folded.starts[first] : mask.start]
        tail = folded.text[mask.end : folded.starts[after]]
        out.extend((text[cursor:first], lead, mask.replacement, tail))
        cursor = after
    out.append(text[cursor:])
    return "".join(out)


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


HASHED_PHONE_PREFIX = "hmac-sha256:"


def hashed_phone(phone: str, secret_key: str) -> str:
    """A shared phone number as it may be kept until handled: its keyed hash, marked, so
    that `phone_hash` of it gives the same value as of the number itself."""
    return HASHED_PHONE_PREFIX + (phone_hash(phone, secret_key) or "")


def phone_hash(phone: str, secret_key: str) -> str | None:
    """A keyed hash of a Korean phone number (+82 and spacing ignored), or None without
    digits: enough to tell people apart, useless if leaked. Numbers are never stored."""
    if phone.startswith(HASHED_PHONE_PREFIX):  # hashed on arrival (see `hashed_phone`)
        return phone.removeprefix(HASHED_PHONE_PREFIX)
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", phone) if "0" <= ch <= "9")
    if digits.startswith("82"):
        digits = "0" + digits[2:]
    if not digits:
        return None
    return hmac.new(secret_key.encode(), digits.encode(), hashlib.sha256).hexdigest()
