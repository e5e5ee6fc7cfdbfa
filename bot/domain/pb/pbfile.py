"""Read and write the Pabulib ``.pb`` format from and to text (the caller does the file I/O).

The format: three sections, each a title line (``META``, ``PROJECTS``, ``VOTES``) and a
header line, then ``;``-separated rows with CSV quoting (``"a;b"``, ``""`` for a quote).
Real files use CRLF, LF or both, and may start with a BOM; all of that is accepted. Project
ids are strings (``c1``, ``XII.10``, ``L13/02/X``), never numbers. Money and points are
parsed exactly (``363734.88`` → ``Fraction(9093372, 25)``; a comma decimal is a dot).

Anything we cannot trust is refused with a ``PbFormatError`` that names the line: a missing
section or header, a cost or budget that is not a number, a vote for an unknown project, a
project twice on a ballot, points not aligned with the vote, a row with the wrong number of
fields. Ballot limits in META (``max_length``…) are kept, not enforced: real files break
them, and the count must still reproduce the city's outcome.

``format_pb`` writes LF line endings and minimal quoting; ``parse_pb(format_pb(e)) == e``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from bot.domain.pb.model import Ballot, Election, Project, VoteType

SECTIONS = ("meta", "projects", "votes")
NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
LINE_BREAK = re.compile(r"\r\n|\r|\n")
BOM = "\ufeff"


class PbFormatError(ValueError):
    """A ``.pb`` text we refuse, with the 1-based line and a Korean and an English reason."""

    def __init__(self, line: int, korean: str, english: str) -> None:
        super().__init__(f"line {line}: {english}")
        self.line = line
        self.korean = korean
        self.english = english


@dataclass(frozen=True)
class _Row:
    line: int
    fields: list[str]


@dataclass
class _Section:
    name: str
    title_line: int
    header: list[str]
    rows: list[_Row]


def parse_amount(text: str) -> Fraction:
    """An exact amount from ``123``, ``363734.88`` or ``0,5``; ``ValueError`` for anything else."""
    value = text.strip()
    if not NUMBER.fullmatch(value):
        raise ValueError(f"not a number: {text!r}")
    return Fraction(Decimal(value.replace(",", ".")))


def format_amount(value: Fraction) -> str:
    """The shortest exact decimal text of ``value``; refuses values with no finite decimal."""
    if value.denominator == 1:
        return str(value.numerator)
    rest, twos, fives = value.denominator, 0, 0
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    if rest != 1:
        raise ValueError(f"{value} has no finite decimal form")
    digits = max(twos, fives)
    whole, fraction = divmod(abs(value.numerator) * 10**digits // value.denominator, 10**digits)
    sign = "-" if value < 0 else ""
    return f"{sign}{whole}.{fraction:0{digits}d}"


def parse_pb(text: str) -> Election:
    """Parse the text of a ``.pb`` file into an ``Election``."""
    sections = _split_sections(_rows(text))
    meta = _parse_meta(sections["meta"])
    budget, vote_type = _required_meta(meta, sections["meta"])
    projects_section = sections["projects"]
    projects = tuple(_parse_projects(projects_section))
    known = {project.id for project in projects}
    ballots = tuple(_parse_votes(sections["votes"], vote_type, known))
    return Election(
        budget=budget,
        vote_type=vote_type,
        projects=projects,
        ballots=ballots,
        meta=tuple(meta),
        project_columns=tuple(projects_section.header),
        vote_columns=tuple(sections["votes"].header),
    )


def format_pb(election: Election) -> str:
    """The ``.pb`` text of ``election`` (LF line endings, CSV quoting where needed)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows(_meta_rows(election))
    writer.writerow(["PROJECTS"])
    writer.writerow(election.project_columns)
    writer.writerows(_project_row(election.project_columns, p) for p in election.projects)
    writer.writerow(["VOTES"])
    writer.writerow(election.vote_columns)
    writer.writerows(_ballot_row(election.vote_columns, b) for b in election.ballots)
    return out.getvalue()


def file_selected(election: Election) -> tuple[str, ...] | None:
    """Ids the city funded (``selected`` = 1), sorted as strings; ``None`` without the column."""
    if "selected" not in election.project_columns:
        return None
    return tuple(sorted(p.id for p in election.projects if p.column("selected") == "1"))


def _rows(text: str) -> Iterator[_Row]:
    text = text.removeprefix(BOM)
    for number, line in enumerate(LINE_BREAK.split(text), start=1):
        if not line.strip():
            continue
        try:
            fields = next(csv.reader([line], delimiter=";", strict=True))
        except csv.Error as error:
            raise PbFormatError(number, "따옴표(\") 처리가 잘못되었습니다", str(error)) from None
        yield _Row(number, [value.strip() for value in fields])


def _split_sections(rows: Iterator[_Row]) -> dict[str, _Section]:
    sections: dict[str, _Section] = {}
    current: _Section | None = None
    last_line = 0
    for row in rows:
        last_line = row.line
        title = row.fields[0].lower() if len(row.fields) == 1 else ""
        if title in SECTIONS:
            current = _open_section(title, row, sections)
            sections[title] = current
        elif current is None:
            raise PbFormatError(
                row.line, "파일이 META 구역으로 시작하지 않습니다", "expected META"
            )
        elif not current.header:
            current.header = row.fields
        else:
            current.rows.append(row)
    for name in SECTIONS:
        _require_section(sections, name, last_line + 1)
    return sections


def _open_section(title: str, row: _Row, sections: dict[str, _Section]) -> _Section:
    if title in sections:
        raise PbFormatError(row.line, f"{title.upper()} 구역이 두 번 나옵니다", "repeated section")
    expected = SECTIONS[len(sections)]
    if title != expected:
        raise PbFormatError(
            row.line,
            f"{expected.upper()} 구역이 없습니다 ({title.upper()} 앞에 있어야 합니다)",
            f"missing {expected.upper()} section before {title.upper()}",
        )
    return _Section(title, row.line, [], [])


def _require_section(sections: dict[str, _Section], name: str, end_line: int) -> None:
    if name not in sections:
        raise PbFormatError(
            end_line, f"{name.upper()} 구역이 없습니다", f"missing {name.upper()} section"
        )
    if not sections[name].header:
        raise PbFormatError(
            sections[name].title_line,
            f"{name.upper()} 구역에 머리글 줄이 없습니다",
            f"{name.upper()} section has no header line",
        )


def _parse_meta(section: _Section) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for row in section.rows:
        if len(row.fields) != 2:
            raise PbFormatError(
                row.line, "META 줄은 key;value 두 칸이어야 합니다", "META rows are key;value"
            )
        pairs.append((row.fields[0], row.fields[1]))
    return pairs


def _required_meta(meta: list[tuple[str, str]], section: _Section) -> tuple[Fraction, VoteType]:
    lines = {key: row.line for (key, _), row in zip(meta, section.rows, strict=True)}
    values = dict(meta)
    for key in ("budget", "vote_type"):
        if key not in values:
            raise PbFormatError(
                section.title_line, f"META에 {key} 값이 없습니다", f"META has no {key}"
            )
    budget = _amount(values["budget"], lines["budget"], "예산(budget)", "budget")
    try:
        vote_type = VoteType(values["vote_type"].lower())
    except ValueError:
        raise PbFormatError(
            lines["vote_type"],
            f"알 수 없는 투표 방식입니다: {values['vote_type']}",
            f"unknown vote_type {values['vote_type']!r}",
        ) from None
    if budget < 0:
        raise PbFormatError(lines["budget"], "예산이 음수입니다", "negative budget")
    return budget, vote_type


def _amount(text: str, line: int, korean_name: str, english_name: str) -> Fraction:
    try:
        return parse_amount(text)
    except ValueError:
        raise PbFormatError(
            line,
            f"{korean_name}이(가) 숫자가 아닙니다: {text!r}",
            f"{english_name} is not a number: {text!r}",
        ) from None


def _columns(section: _Section, required: Sequence[str]) -> dict[str, int]:
    columns = {name: index for index, name in enumerate(section.header)}
    for name in required:
        if name not in columns:
            raise PbFormatError(
                section.title_line + 1,
                f"{section.name.upper()} 머리글에 {name} 칸이 없습니다",
                f"{section.name.upper()} header has no {name} column",
            )
    return columns


def _check_width(section: _Section, row: _Row) -> None:
    if len(row.fields) != len(section.header):
        raise PbFormatError(
            row.line,
            f"칸 수가 머리글과 다릅니다 ({len(row.fields)}칸, 머리글 {len(section.header)}칸)",
            f"{len(row.fields)} fields, the header has {len(section.header)}",
        )


def _extra_fields(header: Sequence[str], row: _Row, skip: set[str]) -> tuple[tuple[str, str], ...]:
    return tuple((k, v) for k, v in zip(header, row.fields, strict=True) if k not in skip)


def _parse_projects(section: _Section) -> Iterator[Project]:
    columns = _columns(section, ("project_id", "cost"))
    seen: set[str] = set()
    for row in section.rows:
        _check_width(section, row)
        project_id = row.fields[columns["project_id"]]
        if not project_id:
            raise PbFormatError(row.line, "사업 ID가 비어 있습니다", "empty project_id")
        if project_id in seen:
            raise PbFormatError(
                row.line,
                f"사업 ID가 중복됩니다: {project_id}",
                f"duplicate project {project_id!r}",
            )
        seen.add(project_id)
        cost = _amount(row.fields[columns["cost"]], row.line, "사업비(cost)", "cost")
        if cost < 0:
            raise PbFormatError(row.line, "사업비가 음수입니다", "negative cost")
        skip = {"project_id", "cost"}
        yield Project(project_id, cost, _extra_fields(section.header, row, skip))


def _parse_votes(section: _Section, vote_type: VoteType, known: set[str]) -> Iterator[Ballot]:
    required = ("voter_id", "vote", "points") if vote_type.has_points else ("voter_id", "vote")
    columns = _columns(section, required)
    skip = set(required)
    for row in section.rows:
        _check_width(section, row)
        projects = _ballot_projects(row, row.fields[columns["vote"]], known)
        points = None
        if vote_type.has_points:
            points = _ballot_points(row, row.fields[columns["points"]], len(projects))
        voter_id = row.fields[columns["voter_id"]]
        yield Ballot(voter_id, projects, points, _extra_fields(section.header, row, skip))


def _split_list(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split(",")) if text.strip() else ()


def _ballot_projects(row: _Row, text: str, known: set[str]) -> tuple[str, ...]:
    projects = _split_list(text)
    for project_id in projects:
        if project_id not in known:
            raise PbFormatError(
                row.line,
                f"투표에 없는 사업 ID가 있습니다: {project_id!r}",
                f"vote names unknown project {project_id!r}",
            )
    if len(set(projects)) != len(projects):
        raise PbFormatError(
            row.line, "한 투표에 같은 사업이 두 번 있습니다", "a project appears twice in one vote"
        )
    return projects


def _ballot_points(row: _Row, text: str, count: int) -> tuple[Fraction, ...]:
    points = tuple(_amount(item, row.line, "점수(points)", "points") for item in _split_list(text))
    if len(points) != count:
        raise PbFormatError(
            row.line,
            f"점수 개수({len(points)})가 사업 수({count})와 다릅니다",
            f"{len(points)} points for {count} projects",
        )
    return points


def _meta_rows(election: Election) -> Iterator[list[str]]:
    typed: dict[str, Fraction | VoteType] = {
        "budget": election.budget, "vote_type": election.vote_type
    }
    written: set[str] = set()
    for key, value in election.meta:
        written.add(key)
        if key == "budget" and _same_amount(value, election.budget):
            yield [key, value]
        elif key in typed:
            yield [key, _typed_text(typed[key])]
        else:
            yield [key, value]
    for key, typed_value in typed.items():
        if key not in written:
            yield [key, _typed_text(typed_value)]


def _typed_text(value: Fraction | VoteType) -> str:
    return value.value if isinstance(value, VoteType) else format_amount(value)


def _same_amount(text: str, value: Fraction) -> bool:
    try:
        return parse_amount(text) == value
    except ValueError:
        return False


def _project_row(columns: Sequence[str], project: Project) -> list[str]:
    values = dict(project.fields)
    values["project_id"] = project.id
    values["cost"] = format_amount(project.cost)
    return [values.get(column, "none") for column in columns]


def _ballot_row(columns: Sequence[str], ballot: Ballot) -> list[str]:
    values = dict(ballot.fields)
    values["voter_id"] = ballot.voter_id
    values["vote"] = ",".join(ballot.projects)
    if ballot.points is not None:
        values["points"] = ",".join(format_amount(p) for p in ballot.points)
    return [values.get(column, "none") for column in columns]
