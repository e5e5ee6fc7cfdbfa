"""Reading and writing the Pabulib .pb format: quirks accepted, bad files refused by line."""

from __future__ import annotations

from fractions import Fraction

import pytest

from bot.domain.pb import PbFormatError, VoteType, file_selected, format_pb, parse_pb
from bot.domain.pb.pbfile import format_amount, parse_amount

GOOD = '''META
key;value
description;Test
budget;363734.88
vote_type;approval
max_length;2
PROJECTS
project_id;cost;name;selected
10;100000;"Zakup strojów dla ""Małych Słowianek""";1
9;200000.50;"a;b";0
XII.1;5;plain;1
VOTES
voter_id;vote;age
v1;10,9;30
v2;XII.1;none
v3;;40
'''


def test_parses_ids_as_strings_money_exactly_and_quoted_names() -> None:
    e = parse_pb(GOOD)
    assert e.budget == Fraction(9093372, 25)
    assert e.vote_type is VoteType.APPROVAL
    assert [p.id for p in e.projects] == ["10", "9", "XII.1"]
    assert e.project("9").cost == Fraction(400001, 2)
    assert e.project("10").column("name") == 'Zakup strojów dla "Małych Słowianek"'
    assert e.project("9").column("name") == "a;b"
    assert e.ballots[0].projects == ("10", "9") and e.ballots[2].projects == ()
    assert e.ballots[1].fields == (("age", "none"),)
    assert e.max_length == 2
    assert file_selected(e) == ("10", "XII.1")


@pytest.mark.parametrize(
    "text",
    [
        "\ufeff" + GOOD,
        GOOD.replace("\n", "\r\n"),
        GOOD.replace("\n", "\r\n", 5),
        GOOD.replace("\n", "\n\n"),
    ],
    ids=["bom", "crlf", "mixed", "blank-lines"],
)
def test_bom_crlf_mixed_endings_and_blank_lines_are_accepted(text: str) -> None:
    assert parse_pb(text) == parse_pb(GOOD)


def test_cumulative_points_are_aligned_with_the_vote() -> None:
    text = GOOD.replace("vote_type;approval", "vote_type;cumulative").replace(
        "voter_id;vote;age\nv1;10,9;30\nv2;XII.1;none\nv3;;40",
        "voter_id;vote;points\nv1;10,9;2,1\nv2;XII.1;3",
    )
    e = parse_pb(text)
    assert e.ballots[0].points == (2, 1)
    assert dict(e.ballot_points(e.ballots[0])) == {"10": 2, "9": 1}


def error_for(text: str) -> PbFormatError:
    with pytest.raises(PbFormatError) as caught:
        parse_pb(text)
    return caught.value


def test_missing_section_is_named() -> None:
    error = error_for(GOOD[: GOOD.index("VOTES")])
    assert "missing VOTES section" in error.english and error.line == 12
    assert "VOTES" in error.korean
    error = error_for(GOOD.replace("PROJECTS\n", "", 1))
    assert "PROJECTS" in error.english


def test_file_must_start_with_meta() -> None:
    error = error_for("hello\n" + GOOD)
    assert error.line == 1 and "META" in error.english


def test_non_numeric_cost_names_the_line() -> None:
    error = error_for(GOOD.replace(";5;plain", ";five;plain"))
    assert error.line == 11 and "cost is not a number" in error.english
    assert "사업비" in error.korean


def test_non_numeric_budget_names_the_line() -> None:
    error = error_for(GOOD.replace("363734.88", "lots"))
    assert error.line == 4 and "budget" in error.english


def test_unknown_project_in_a_vote_names_the_line_and_the_id() -> None:
    error = error_for(GOOD.replace("v2;XII.1;none", "v2;XII.2;none"))
    assert error.line == 15 and "'XII.2'" in error.english and "XII.2" in error.korean


def test_other_refusals() -> None:
    assert "twice" in error_for(GOOD.replace("v1;10,9;30", "v1;10,10;30")).english
    assert "fields" in error_for(GOOD.replace("v1;10,9;30", "v1;10,9")).english
    assert "duplicate" in error_for(GOOD.replace("XII.1;5", "10;5")).english
    assert "vote_type" in error_for(GOOD.replace("approval", "quadratic")).english
    assert "no cost" in error_for(GOOD.replace(";cost;", ";price;")).english
    points = GOOD.replace("vote_type;approval", "vote_type;cumulative").replace(
        "voter_id;vote;age\nv1;10,9;30", "voter_id;vote;points\nv1;10,9;1"
    )
    assert "points" in error_for(points.split("v2;")[0]).english


def test_write_then_read_round_trips() -> None:
    e = parse_pb(GOOD)
    text = format_pb(e)
    assert "\r" not in text and '"a;b"' in text and "budget;363734.88" in text
    assert parse_pb(text) == e


@pytest.mark.parametrize(
    ("value", "text"),
    [(Fraction(5), "5"), (Fraction(9093372, 25), "363734.88"), (Fraction(1, 8), "0.125"),
     (Fraction(-3, 2), "-1.5")],
)
def test_amounts_are_written_exactly(value: Fraction, text: str) -> None:
    assert format_amount(value) == text
    assert parse_amount(text) == value


def test_amounts_without_a_finite_decimal_are_refused() -> None:
    with pytest.raises(ValueError):
        format_amount(Fraction(1, 3))
    with pytest.raises(ValueError):
        parse_amount("1e5")
    assert parse_amount("0,5") == Fraction(1, 2)
