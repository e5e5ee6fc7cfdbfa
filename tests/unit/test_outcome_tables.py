"""The tables that map a service's outcome to how a handler answers, without a database or
Telegram: every outcome has its answer, and the ones a handler does not answer itself fall
through (None) to the refusal its buttons share."""

from __future__ import annotations

from bot.domain.pb.ballot import Refusal, RefusalReason
from bot.i18n import I18n
from bot.rendering import Answer, Rendered
from bot.rendering import ballots as ballot_view
from bot.rendering import budget as budget_view
from bot.rendering import moderation as moderation_view
from bot.rendering.common import stale_button
from bot.services.ballots import BallotOutcome, BallotResult
from bot.services.budget import ExportOutcome, ProjectOutcome, ProjectResult
from bot.services.moderation import ActOutcome, ActResult
from bot.services.work_items import WorkItemView, WorkKind
from tests.conftest import START

EN = I18n().get("en")


def handled_item() -> WorkItemView:
    return WorkItemView(1, WorkKind.PENDING, "proposal", 3, {}, START, "Kim", START,
                        "approve", None)


def test_a_work_item_action_that_ran_has_no_refusal() -> None:
    for outcome in (ActOutcome.DONE, ActOutcome.NO_EFFECT):
        assert moderation_view.act_refusal(EN, ActResult(outcome, handled_item())) is None


def test_a_work_item_action_that_did_not_run_is_refused_with_its_reason() -> None:
    item = handled_item()
    assert moderation_view.act_refusal(EN, ActResult(ActOutcome.INVALID)) \
        == moderation_view.button_expired(EN)
    assert moderation_view.act_refusal(EN, ActResult(ActOutcome.NOT_FOUND)) \
        == moderation_view.item_missing(EN)
    assert moderation_view.act_refusal(EN, ActResult(ActOutcome.ALREADY_HANDLED, item)) \
        == moderation_view.already_handled(EN, item)
    assert moderation_view.act_refusal(EN, ActResult(ActOutcome.DONE)) \
        == moderation_view.item_missing(EN)  # ran, but the item is gone


def test_the_ballot_submit_answers_its_own_outcomes_and_leaves_the_rest() -> None:
    empty = ballot_view.submit_answer(EN, BallotResult(BallotOutcome.EMPTY), confirmed=True)
    assert empty == Answer(ballot_view.empty_text(EN), alert=True)
    refusal = Refusal(RefusalReason.OVER_BUDGET)
    refused = BallotResult(BallotOutcome.REFUSED, refusal=refusal)
    assert ballot_view.submit_answer(EN, refused, confirmed=False) \
        == Answer(ballot_view.refusal_text(EN, refusal), alert=True)
    for outcome in (BallotOutcome.OK, BallotOutcome.SAME, BallotOutcome.CLOSED):
        assert ballot_view.submit_answer(EN, BallotResult(outcome), confirmed=True) is None


def test_a_ballot_press_that_cannot_act_is_told_why() -> None:
    closed = ballot_view.press_refusal(EN, BallotResult(BallotOutcome.CLOSED), START)
    assert closed.alert and closed.redraw == Rendered(closed.text or "")
    assert ballot_view.press_refusal(EN, BallotResult(BallotOutcome.STALE), START) \
        == Answer(stale_button(EN), alert=True)  # nothing to redraw it with


def test_round_commands_map_their_outcomes() -> None:
    assert budget_view.export_refusal(EN, 4, ExportOutcome.READY) is None
    assert budget_view.export_refusal(EN, 4, ExportOutcome.UNKNOWN_ROUND) \
        == budget_view.unknown_round(EN, 4)
    assert budget_view.export_refusal(EN, 4, ExportOutcome.NOT_CLOSED) \
        == budget_view.export_not_closed(EN)
    unknown = ProjectResult(ProjectOutcome.UNKNOWN_ROUND)
    assert budget_view.import_reply(EN, 4, unknown) == budget_view.unknown_round(EN, 4)
    added = ProjectResult(ProjectOutcome.ADDED, project_id=9)
    assert budget_view.project_reply(EN, 4, "Benches", added) \
        == budget_view.project_added(EN, 4, 9, "Benches", False)
