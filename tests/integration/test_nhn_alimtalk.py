"""The NHN Cloud 알림톡 provider against a local fake speaking its documented API v2.3."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.domain.text_messages import GENERIC, STATUS, TextChannel, TextMessage
from bot.texting.nhn import NhnAlimtalk, NhnCredentials, _report, _send_result, idempotency_key
from bot.texting.provider import Lookup, SendOutcome, TextRequest
from tests.support.nhn_fake import APPKEY, SECRET, SENDER_KEY, FakeNhn

pytestmark = pytest.mark.integration

NUMBER = "01012345678"
START = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
SHORT = TextMessage(GENERIC, {"제목": "경로당 난방", "링크": "https://g.kr/p/1"})
LONG = TextMessage(STATUS, {"제목": "구민체육센터 야간 개방을 늘려 주세요" * 2,
                            "상황": "부서 검토 중", "링크": "https://g.kr/p/2"})


@pytest.fixture
async def fake() -> AsyncIterator[FakeNhn]:
    server = FakeNhn()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def provider_for(fake: FakeNhn, *, secret: str = SECRET, timeout: float = 5.0) -> NhnAlimtalk:
    credentials = NhnCredentials(APPKEY, secret, SENDER_KEY, "0226000000", fake.base_url)
    return NhnAlimtalk(credentials, timeout=timeout)


def request(message: TextMessage = SHORT, *, key: str = "row-1",
            number: str = NUMBER) -> TextRequest:
    return TextRequest(idempotency_key(key), number, message, "공감 알림")


async def test_an_accepted_alimtalk_carries_its_template_values_and_sms_fallback(
    fake: FakeNhn,
) -> None:
    provider = provider_for(fake)
    result = await provider.send(request())
    await provider.close()
    assert result.outcome is SendOutcome.ACCEPTED
    assert result.message_id == "202612070000000001/1"
    sent = fake.accepted[0]
    assert sent["templateCode"] == GENERIC.code
    assert sent["templateParameter"] == SHORT.values
    assert sent["resendParameter"]["resendType"] == "SMS"
    assert sent["resendParameter"]["resendContent"] == SHORT.text
    assert "resendTitle" not in sent["resendParameter"]


async def test_a_text_over_90_bytes_falls_back_to_lms_with_a_title(fake: FakeNhn) -> None:
    provider = provider_for(fake)
    await provider.send(request(LONG))
    await provider.close()
    resend = fake.accepted[0]["resendParameter"]
    assert (resend["resendType"], resend["resendTitle"]) == ("LMS", "공감 알림")


async def test_a_wrong_secret_key_fails_without_retry(fake: FakeNhn) -> None:
    provider = provider_for(fake, secret="wrong")
    result = await provider.send(request())
    await provider.close()
    assert (result.outcome, result.error_code) == (SendOutcome.FAILED, "-1001")
    assert fake.accepted == []


@pytest.mark.parametrize(("fault", "outcome"), [("5xx", SendOutcome.UNKNOWN),
                                                 ("429", SendOutcome.RETRY)])
async def test_a_server_error_or_rate_limit_is_retried_and_the_retry_goes_once(
    fake: FakeNhn, fault: str, outcome: SendOutcome,
) -> None:
    provider = provider_for(fake)
    fake.fail_next(fault)
    first = await provider.send(request())
    second = await provider.send(request())
    await provider.close()
    assert first.outcome is outcome  # after a 5xx, NHN may have taken it: unknown
    assert second.outcome is SendOutcome.ACCEPTED
    assert len(fake.accepted) == 1


async def test_a_timeout_is_unknown_and_the_list_says_whether_it_went(fake: FakeNhn) -> None:
    provider = provider_for(fake, timeout=0.2)
    fake.fail_next("timeout", "lost-answer")
    never_taken = await provider.send(request(key="row-1"))
    taken_unanswered = await provider.send(request(key="row-2"))
    not_found = await provider.find(request(key="row-1"), START)
    found = await provider.find(request(key="row-2"), START)
    await provider.close()
    assert never_taken.outcome is taken_unanswered.outcome is SendOutcome.UNKNOWN
    assert not_found == Lookup(taken=False)
    assert found == Lookup(True, "202612070000000001/1")
    assert len(fake.accepted) == 1


async def test_a_refused_connection_is_retried_as_never_sent() -> None:
    fake = FakeNhn()
    await fake.start()
    provider = provider_for(fake)
    await fake.stop()  # nothing listens on its port any more
    result = await provider.send(request())
    await provider.close()
    assert result.outcome is SendOutcome.RETRY


async def test_a_list_query_that_fails_cannot_tell(fake: FakeNhn) -> None:
    provider = provider_for(fake, secret="wrong")
    assert await provider.find(request(), START) is None
    await provider.close()


async def test_a_repeat_of_a_request_that_went_through_is_a_duplicate_not_a_second_text(
    fake: FakeNhn,
) -> None:
    provider = provider_for(fake)
    first = await provider.send(request(key="row-7"))
    again = await provider.send(request(key="row-7"))
    other = await provider.send(request(key="row-8"))
    await provider.close()
    assert [first.outcome, again.outcome, other.outcome] == [
        SendOutcome.ACCEPTED, SendOutcome.DUPLICATE, SendOutcome.ACCEPTED]
    assert len(fake.accepted) == 2


async def test_a_number_the_provider_refuses_is_rejected(fake: FakeNhn) -> None:
    fake.invalid.add("01099990000")
    provider = provider_for(fake)
    result = await provider.send(request(number="01099990000"))
    await provider.close()
    assert (result.outcome, result.error_code) == (SendOutcome.REJECTED, "-4019")


async def test_the_report_says_delivered_as_alimtalk_or_by_the_sms_fallback(
    fake: FakeNhn,
) -> None:
    fake.not_on_kakao.add("01055556666")
    provider = provider_for(fake)
    kakao = await provider.send(request(key="a"))
    no_kakao = await provider.send(request(key="b", number="01055556666"))
    assert kakao.message_id is not None and no_kakao.message_id is not None
    delivered = await provider.report(kakao.message_id, TextChannel.SMS)
    fallback = await provider.report(no_kakao.message_id, TextChannel.SMS)
    await provider.close()
    assert delivered is not None and (delivered.delivered, delivered.channel) == (
        True, TextChannel.ALIMTALK)
    assert fallback is not None and (fallback.delivered, fallback.channel) == (
        True, TextChannel.SMS)


async def test_a_report_not_final_yet_is_none(fake: FakeNhn) -> None:
    provider = provider_for(fake)
    sent = await provider.send(request())
    fake.pending = True
    assert sent.message_id is not None
    assert await provider.report(sent.message_id, TextChannel.SMS) is None
    await provider.close()


def _answer(code: int, results: list[dict[str, object]] | None) -> dict[str, object]:
    return {"header": {"resultCode": code, "resultMessage": "", "isSuccessful": code == 0},
            "message": {"requestId": "r", "sendResults": results}}


def test_only_a_refused_recipient_number_is_rejected() -> None:
    invalid = [{"recipientSeq": 1, "resultCode": -4019, "resultMessage": "Invalid number."}]
    template = [{"recipientSeq": 1, "resultCode": -3049, "resultMessage": "not matched"}]
    assert _send_result(_answer(-1031, invalid)).outcome is SendOutcome.REJECTED
    assert _send_result(_answer(0, invalid)).outcome is SendOutcome.REJECTED
    failed = _send_result(_answer(0, template))
    assert (failed.outcome, failed.error_code) == (SendOutcome.FAILED, "-3049")
    assert _send_result(_answer(-1031, template)).outcome is SendOutcome.FAILED
    assert _send_result(_answer(-1031, None)).outcome is SendOutcome.FAILED
    assert _send_result(_answer(0, None)).outcome is SendOutcome.FAILED
    assert _send_result(_answer(-2999, invalid)).outcome is SendOutcome.FAILED  # no longer


async def test_a_report_that_will_never_be_final_says_so(fake: FakeNhn) -> None:
    provider = provider_for(fake)
    unknown = await provider.report("2026120700000099999/1", TextChannel.SMS)  # -1016
    await provider.close()
    assert unknown is not None and (unknown.lost, unknown.error_code) == (True, "-1016")
    cancelled = _report({"messageStatus": "CANCEL", "resultCode": None}, TextChannel.SMS)
    assert cancelled is not None and cancelled.lost and not cancelled.delivered


async def test_a_listed_message_with_another_grouping_key_is_not_taken_for_ours(
    fake: FakeNhn,
) -> None:
    provider = provider_for(fake)
    await provider.send(request(key="someone-else"))
    fake.ignore_grouping_key = True  # as if NHN listed every message of the period
    assert await provider.find(request(key="row-1"), START) == Lookup(taken=False)
    await provider.close()
