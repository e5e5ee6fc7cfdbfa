"""Debate rules: opinion checks, orderings and the closing summary (pure, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.deadlines import resident_deadline
from bot.domain.debate import (
    DebateSummary,
    Leaning,
    OpinionFact,
    OpinionSort,
    Stance,
    TextProblem,
    check_opinion,
    is_repeat,
    leaning,
    order_opinions,
    percentages,
    plain_leaning,
    plain_summary,
    recurring_keywords,
    reminder_at,
    summarise,
    valid_extension,
)

T0 = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
F, A, N = Stance.FOR, Stance.AGAINST, Stance.NEUTRAL


def op(id_: int, user: int, stance: Stance, text: str = "의견입니다 충분히 길게", likes: int = 0,
       minutes: int = 0) -> OpinionFact:
    return OpinionFact(id_, user, stance, text, likes, T0 + timedelta(minutes=minutes))


def test_an_opinion_needs_ten_to_a_thousand_characters_after_normalisation() -> None:
    assert check_opinion("   ").problem is TextProblem.EMPTY
    assert check_opinion("!!! ???").problem is TextProblem.EMPTY
    assert check_opinion("좋아요 찬성").problem is TextProblem.TOO_SHORT
    assert check_opinion("가" * 1001).problem is TextProblem.TOO_LONG
    assert check_opinion("가" * 1000).problem is None
    assert check_opinion("  가로등이   꼭\u200b 필요합니다  ").text == "가로등이 꼭 필요합니다"


def test_personal_data_in_an_opinion_is_masked() -> None:
    checked = check_opinion("제 번호 010-1234-5678 로 연락 주세요, 가로등 찬성입니다")
    assert checked.problem is None and "1234-5678" not in checked.text


def test_the_same_text_within_a_minute_is_a_repeat() -> None:
    assert is_repeat("같은 의견", "같은 의견", T0, T0 + timedelta(seconds=59))
    assert not is_repeat("같은 의견", "같은 의견", T0, T0 + timedelta(seconds=61))
    assert not is_repeat("다른 의견", "같은 의견", T0, T0 + timedelta(seconds=5))
    assert not is_repeat("같은 의견", None, None, T0)


def test_the_reminder_starts_d3_and_extensions_are_one_to_fourteen_days() -> None:
    closes = resident_deadline(datetime(2026, 11, 24, 6, 0, tzinfo=UTC), 30)
    assert closes - reminder_at(closes) == timedelta(days=4)
    assert [valid_extension(d) for d in (0, 1, 14, 15)] == [False, True, True, False]


def test_orderings_newest_top_and_balanced() -> None:
    opinions = [op(1, 1, F, likes=5, minutes=1), op(2, 2, F, likes=1, minutes=2),
                op(3, 3, A, likes=3, minutes=3), op(4, 4, N, likes=9, minutes=4),
                op(5, 5, A, likes=0, minutes=5)]
    assert [o.id for o in order_opinions(opinions, OpinionSort.NEWEST)] == [5, 4, 3, 2, 1]
    assert [o.id for o in order_opinions(opinions, OpinionSort.TOP)] == [4, 1, 3, 2, 5]
    assert [o.id for o in order_opinions(opinions, OpinionSort.BALANCED)] == [1, 3, 2, 5, 4]


def test_percentages_add_up_to_a_hundred_unless_that_breaks_a_tie() -> None:
    assert percentages({F: 1, A: 1, N: 1}) == {F: 33, A: 33, N: 33}  # not 찬성 34%
    assert percentages({F: 1, A: 1, N: 4}) == {F: 16, A: 16, N: 67}
    assert percentages({F: 0, A: 0, N: 0}) == {F: 0, A: 0, N: 0}
    assert percentages({F: 2, A: 1}) == {F: 67, A: 33, N: 0}
    assert percentages({F: 1, A: 2, N: 2}) == {F: 20, A: 40, N: 40}


@given(st.lists(st.integers(min_value=0, max_value=500), min_size=3, max_size=3))
def test_equal_counts_get_equal_shares_and_distinct_counts_sum_to_100(counts: list[int]) -> None:
    shares = percentages(dict(zip((F, A, N), counts, strict=True)))
    if not sum(counts):
        assert sum(shares.values()) == 0
        return
    total = sum(shares.values())
    assert total == 100 if len(set(counts)) == 3 else total >= 98
    for stance, count in zip((F, A, N), counts, strict=True):
        assert abs(shares[stance] - count * 100 / sum(counts)) < 1
        assert all(shares[other] == shares[stance]
                   for other, n in zip((F, A, N), counts, strict=True) if n == count)


def test_the_leaning_names_the_side_with_more_and_a_tie_as_a_tie() -> None:
    assert leaning({F: 3, A: 1, N: 5}) is Leaning.FOR
    assert leaning({F: 1, A: 2}) is Leaning.AGAINST
    assert leaning({F: 2, A: 2, N: 1}) is Leaning.TIED
    assert leaning({N: 4}) is Leaning.NONE
    assert plain_leaning({F: 2, A: 2}) == "결과: 찬성·반대 동률(각 2명)"
    assert plain_leaning({F: 1, A: 3}) == "결과: 반대가 많아요(3명 대 1명)"
    assert plain_leaning({F: 3, A: 1}) == "결과: 찬성이 많아요(3명 대 1명)"
    assert plain_leaning({N: 2}) == ""


def test_the_summary_counts_stances_participants_top_opinions_and_keywords() -> None:
    stances = {1: F, 2: F, 3: A, 9: N}
    opinions = [
        op(10, 1, F, "공원 가로등 설치에 찬성합니다. 밤길이 무서워요", likes=4),
        op(11, 2, F, "가로등이 있으면 공원이 안전해져요", likes=7),
        op(12, 2, F, "아이들 통학길 가로등도 같이 부탁드려요", likes=1),
        op(13, 2, F, "가로등 밝기는 눈부시지 않게 해 주세요", likes=0),
        op(14, 3, A, "예산 낭비입니다. 공원 가로등보다 CCTV가 먼저", likes=2),
        op(15, 7, N, "빛 공해가 걱정되지만 공원 안전도 중요해요", likes=0),  # no stance: 중립
    ]
    summary = summarise(stances, opinions)
    assert summary.counts == {F: 2, A: 1, N: 2}
    assert summary.percents == {F: 40, A: 20, N: 40}
    assert summary.participants == 5 and summary.opinions == 6
    assert [q.id for q in summary.top[F]] == [11, 10, 12]  # three most 공감, of 찬성
    assert [q.id for q in summary.top[A]] == [14]
    assert summary.keywords[:2] == ("가로등", "공원")
    assert all(not k.startswith("#") for k in summary.keywords)
    assert "찬성" not in summary.keywords


def test_keywords_are_recurring_nouns_without_echoed_bigrams() -> None:
    texts = ["불법주차 단속을 해 주세요", "불법주차 때문에 위험해요", "주차장이 부족해요 정말"]
    keywords = recurring_keywords(texts)
    assert "불법주차" in keywords and "법주" not in keywords and "정말" not in keywords


def test_a_debate_nobody_joined_has_an_empty_summary() -> None:
    summary = summarise({}, [])
    assert summary.participants == 0 and summary.keywords == () and summary.top[F] == ()
    assert "참여 0명" in plain_summary(summary)


def test_the_summary_survives_json_and_reads_in_korean() -> None:
    summary = summarise({1: F, 2: A}, [op(1, 1, F, "가로등 설치 찬성합니다 공원", likes=2),
                                       op(2, 2, A, "가로등 설치 반대합니다 공원", likes=1)])
    again = DebateSummary.from_json(summary.to_json())
    assert again == summary
    text = plain_summary(again)
    assert "찬성 1명(50%)" in text and "반대 1명(50%)" in text and "자주 나온 말: " in text
    assert "결과: 찬성·반대 동률(각 1명)" in text
