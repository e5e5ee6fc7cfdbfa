"""Participatory budgeting: the election model, the Pabulib file format and counting rules."""

from bot.domain.pb.model import Ballot, Election, Project, VoteType
from bot.domain.pb.pbfile import PbFormatError, file_selected, format_pb, parse_pb
from bot.domain.pb.rules import Outcome, Rule, TieBreak, tally

__all__ = [
    "Ballot",
    "Election",
    "Outcome",
    "PbFormatError",
    "Project",
    "Rule",
    "TieBreak",
    "VoteType",
    "file_selected",
    "format_pb",
    "parse_pb",
    "tally",
]
