"""Profanity and abuse check: a flagged text goes to moderation, it is never rejected here.

Why not korcen. korcen 1.0.3 (the usual Korean keyword filter) was tried on civic prose and
evasions. It strips every space before matching, so ordinary proposals were flagged: 도시 발전,
공개 논의, 시설 관리 발전, 이슈 발생, 질병 신고, 도시 방재, 시방서, 게놈, 5개년 계획, 애널리스트,
어머니 아빠, 자위소방대; while plain 씨발, "시 1 발" and "씨 발 놈" were missed. Importing it
also replaces ``sys.stdout`` (colorama), may print, and reads custom word files from the
working directory. So this is a compact checker of our own.

How it reads a text (never logged, never stored):

1. NFKC (full-width letters, circled letters, compatibility jamo: "ㅅㅣ발" becomes "시발"),
   case-folded; leftover conjoining jamo become compatibility jamo (ㅅㅂ stays ㅅㅂ).
2. The text is cut into fragments at whitespace and at real word separators (· , / brackets
   quotes and similar). Inside a fragment every other non-letter is filler and dropped, so
   "씨*발", "씨-발", "시1발" and "개.새.끼" close up; "도시·발전" stays two fragments.
3. Neighbouring fragments are joined when either of them is a single character: "시 1 발",
   "씨 발 놈", "ㅅ ㅂ", "개 새끼" close up; "도시 발전" and "공개 논의" do not.
4. Patterns are matched on that skeleton (digit patterns such as 시8 on a second skeleton that
   keeps digits). Stems that are also parts of ordinary words (시발, 병신, 등신, 씨바 …) count
   only at the end of a fragment or before a typical insult ending (놈, 년, 새끼, 아, 같은 …):
   "도시발전", "질병신고", "등신대" pass, "시발놈", "병신같은" do not.
5. An allowlist of ordinary words that contain such a stem (시발점, 시발역, 시발택시 …) covers
   a match; the text is flagged when any match is left uncovered.

Decisions: a bare "시발" is flagged (nearly always the curse; the moderator can release it);
"병신년" alone is flagged, "병신년(丙申年)" with its hanja is not; 꺼져 and 닥쳐 count only in
their insulting forms (꺼져라, 입 닥쳐), since 가로등이 꺼져 and 위기가 닥쳐 are civic prose;
보지/자지 are left out (돌보지 않는, 모자지원 …), as are 미친 alone (영향을 미친), 졸라 (졸라매다)
and 개소리 (개 소리). Accepted: "개 새끼를 낳았어요" is flagged; a moderator releases it.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

PROFANITY = "profanity"
INSULT = "insult"
SEXUAL = "sexual"
HATE = "hate"
FAMILY = "family"
THREAT = "threat"
CATEGORIES = (PROFANITY, INSULT, SEXUAL, HATE, FAMILY, THREAT)


@dataclass(frozen=True)
class AbuseVerdict:
    """Whether a text should go to moderation, and the kinds of abuse seen."""

    flagged: bool
    categories: tuple[str, ...]


# What follows a curse that is also part of ordinary words: the end of the fragment, a space
# (next fragment), or a typical insult ending or particle.
_ENDING = (
    r"(?=$| |놈|넘|년|련|뇬|롬|럼|새|색|쌔|섀|끼|아|야|라|것|거|같|가튼|스럽|탱|들|이|가|은|는"
    r"|을|를|도|의|개|진짜|존나|뭐|왜|좀|[ㄱ-ㅎㅏ-ㅣ]|[a-z])"
)

# (category, regex, strict): a strict match must end a fragment or be followed by ``_ENDING``.
_PATTERNS: tuple[tuple[str, str, bool], ...] = (
    # 씨발 and its spellings; 씨바 spares 씨 바로/바람/바닥…, 씨발 spares 홍 씨 발언.
    (PROFANITY, r"(?<!아저)(?<!아조)[씨씌쒸쓔쑤싀]이*(?:발|빨|팔|벌|뻘|펄|봘|부랄|부럴)", True),
    (PROFANITY, r"(?<!아저)씨이*바(?![로람닥다깥꾸꿔뀌뀐쁘뻐탕])", True),
    (PROFANITY, r"[시쉬슈]이*(?:발|빨|팔|벌|뻘|펄|봘)", True),
    (PROFANITY, r"[ㅅㅆ]ㅂ|[ㅅㅆ](?:발|빨|팔|바|벌)|[시씨]ㅂ|tlqkf|ssibal|sibal|shibal", False),
    (PROFANITY, r"좆|좃같|좇같|ㅈ같|ㅈ까|조까(?!지)|졷같|ㅈㄴ|(?<![보생공의잔현온기])존나", False),
    (PROFANITY, r"지랄|지럴|ㅈㄹ|wlfkf|옘병|얨병|(?<![전감화역])염병|썅", False),
    (PROFANITY, r"꺼져라|꺼져버려|꺼지라고|입닥|닥쳐라|닥치라고|아가리 ?(?:닥|해|좀)", False),
    (PROFANITY, r"ㅗ(?!ㅜㅑ)", False),
    (
        PROFANITY,
        (
            r"(?<![a-z])(?:fuck[a-z]*|fck|fuk|motherfuck[a-z]*|shit(?:s|ty|head)?|bullshit"
            r"|wtf|stfu)(?![a-z])"
        ),
        False,
    ),
    # Insults.
    (INSULT, r"병신|븅신|빙신|병싄|등신(?![대불상])", True),
    (INSULT, r"ㅄ|ㅂㅅ|ㅂ신|병ㅅ|qudtls", False),
    (INSULT, r"개(?:새|쌔|섀|세|쎄|샛|쉐|쇄|쉑|색)(?:끼|기|키|꺄|캬|히)|rotorl|rotprl", False),
    (INSULT, r"(?:씹|십|쌍|느그|니|미친)(?:새|쌔|섀|색)(?:끼|기|키|꺄|캬)", False),
    (INSULT, r"[이저그](?:새|쌔|섀)(?:끼|키|꺄|캬)(?=$|야|들|가|는|ㅋ)", False),
    (INSULT, r"새끼(?:야|들아)|[ㅅㅆ]ㄲ|[ㅅㅆ]끼", False),
    (INSULT, r"개(?:자식|놈|잡놈|잡년|같은|같네)|호로(?:새|자식|놈)|후레자식", False),
    (
        INSULT,
        r"미친(?:놈|년|넘|새|색|자식|것들)|미췬|ㅁㅊ|또라이|돌아이|멍청이|머저리|찐따",
        False,
    ),
    (
        INSULT,
        r"(?<![a-z])(?:bitch(?:es)?|assholes?|cunts?|sluts?|whores?|bastards?|dickhead)(?![a-z])",
        False,
    ),
    (INSULT, r"빡대가리|돌대가리|저능아|쌍놈|쌍년|썅년|잡년|걸레년|화냥년|창녀", False),
    # Sexual.
    (
        SEXUAL,
        r"섹스|쎅스|섹쓰|(?<![a-z])sex(?![a-z])|개보지|보짓|딸딸이|야동|씹(?:할|창|년|놈|질|물|덕)",
        False,
    ),
    # Family (패드립).
    (
        FAMILY,
        r"느금|ㄴㄱㅁ|느그(?:엄마|애미|애비|어미|아빠)|(?:니|너|너네)(?:애미|애비|에미|어미)",
        False,
    ),
    (FAMILY, r"애미(?:뒤|디|죽|없)|애비(?:없|뒤|디|죽)|엠창|엄창", False),
    # Hate speech against groups.
    (HATE, r"한남충|한녀충|맘충|급식충|틀딱|노인충|똥꼬충|김치녀|김치남|된장녀|개저씨", False),
    (HATE, r"짱깨|짱께|짱개|쪽바리|깜둥이|빨갱이", False),
    # Threats.
    (
        THREAT,
        r"죽여버|죽여 ?버릴|죽일(?:놈|년|새끼)|뒤져라|뒤져버려|뒈져|뒈질|디져라|디질래",
        False,
    ),
    (THREAT, r"(?:찔러|패|쳐)죽", False),
)

# Patterns read on the skeleton that keeps digits (8 reads 팔, 18 reads 씹팔).
_DIGIT_PATTERNS: tuple[tuple[str, str, bool], ...] = (
    (PROFANITY, r"(?<![가-힣0-9])[시씨ㅅㅆ]8(?![0-9가-힣a-z])|[시씨]8(?:놈|년|새)", False),
    (PROFANITY, r"(?<![0-9])18(?:놈|새끼|색기|년아)", False),
    (INSULT, r"(?<![가-힣0-9])개년(?!도|계획|간|차|째)", True),
)

# Ordinary words containing a matched stem; a match inside one of these does not count.
ALLOWLIST: tuple[str, ...] = (
    "시발점",
    "시발역",
    "시발택시",
    "시발자동차",
    "시발차",
    "시발유",
    "시발착",
    "시발버스",
    "시발 ?역",
    "병신년 ?丙申年",
    "丙申年 ?병신년",
    "병신 ?丙申",
    "전염병",
    "감염병",
    "화염병",
    "ㅗㅜㅑ",
)

_SEPARATORS = frozenset(" ,/()[]{}<>·ㆍ・、。，「」『』〈〉《》【】\"'“”‘’:;…|\\")
_MIDDLE_FINGER = "\U0001f595"


# NFKC turns compatibility jamo (ㅅ, ㅄ) into conjoining ones; this turns the leftovers back.
def _conjoining_to_compatibility() -> dict[str, str]:
    table: dict[str, str] = {}
    for code in range(0x1100, 0x1200):
        name = unicodedata.name(chr(code), "")
        for kind in ("CHOSEONG ", "JUNGSEONG ", "JONGSEONG "):
            if name.startswith("HANGUL " + kind):
                letter = "HANGUL LETTER " + name.removeprefix("HANGUL " + kind)
                with contextlib.suppress(KeyError):  # a letter with no compatibility form
                    table[chr(code)] = unicodedata.lookup(letter)
    return table


_CONJOINING_TO_COMPATIBILITY: Mapping[str, str] = MappingProxyType(_conjoining_to_compatibility())


@dataclass(frozen=True)
class _Rule:
    category: str
    pattern: re.Pattern[str]
    strict: bool


@dataclass(frozen=True)
class _Skeleton:
    text: str
    fragment_ends: frozenset[int]


def _compile(patterns: tuple[tuple[str, str, bool], ...]) -> tuple[_Rule, ...]:
    return tuple(
        _Rule(category, re.compile(regex), strict) for category, regex, strict in patterns
    )


_RULES = _compile(_PATTERNS)
_DIGIT_RULES = _compile(_DIGIT_PATTERNS)
_ENDING_RE = re.compile(_ENDING)
_ALLOWED = re.compile("|".join(f"(?:{word})" for word in ALLOWLIST))


def check_abuse(text: str) -> AbuseVerdict:
    """Flag profanity, insults, sexual abuse, 패드립, hate speech and threats for moderation."""
    prepared = _prepare(text)
    found: set[str] = set()
    if _MIDDLE_FINGER in prepared:
        found.add(PROFANITY)
    for skeleton, rules in (
        (_skeleton(prepared, keep_digits=False), _RULES),
        (_skeleton(prepared, keep_digits=True), _DIGIT_RULES),
    ):
        allowed = [match.span() for match in _ALLOWED.finditer(skeleton.text)]
        for rule in rules:
            if rule.category not in found and _rule_hits(rule, skeleton, allowed):
                found.add(rule.category)
    categories = tuple(category for category in CATEGORIES if category in found)
    return AbuseVerdict(flagged=bool(categories), categories=categories)


def _rule_hits(rule: _Rule, skeleton: _Skeleton, allowed: list[tuple[int, int]]) -> bool:
    """True when ``rule`` matches somewhere that no allowlisted word covers."""
    for match in rule.pattern.finditer(skeleton.text):
        start, end = match.span()
        if rule.strict and not (
            end in skeleton.fragment_ends or _ENDING_RE.match(skeleton.text, end)
        ):
            continue
        if not any(low <= start and end <= high for low, high in allowed):
            return True
    return False


def _prepare(text: str) -> str:
    """NFKC, case-folded, conjoining jamo as compatibility jamo, every space an ASCII space."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(_compatibility_jamo(char) for char in text)


def _compatibility_jamo(char: str) -> str:
    if char.isspace():
        return " "
    return _CONJOINING_TO_COMPATIBILITY.get(char, char)


def _skeleton(text: str, *, keep_digits: bool) -> _Skeleton:
    """Letters only, fragments split at separators, single-character fragments joined up."""
    fragments = [fragment for fragment in _fragments(text, keep_digits=keep_digits) if fragment]
    parts: list[str] = []
    ends: set[int] = set()
    length = 0
    for index, fragment in enumerate(fragments):
        if index and len(fragments[index - 1]) > 1 and len(fragment) > 1:
            parts.append(" ")
            length += 1
        parts.append(fragment)
        length += len(fragment)
        ends.add(length)
    return _Skeleton("".join(parts), frozenset(ends))


def _fragments(text: str, *, keep_digits: bool) -> Iterator[str]:
    current: list[str] = []
    for char in text:
        if char in _SEPARATORS:
            yield "".join(current)
            current = []
        elif _is_letter(char) or (keep_digits and char.isdigit()):
            current.append(char)
    yield "".join(current)


def _is_letter(char: str) -> bool:
    return unicodedata.category(char).startswith("L")
