"""Brevo transactional SMS: request payloads, error mapping and receipts
against recorded Brevo bodies (HTTP mocked with ``responses``)."""

import datetime as dt

import pytest
import requests

from providers.base import (
    OutgoingSms,
    ProviderPermanentError,
    ProviderTemporaryError,
    ReceiptAuthenticationError,
)
from providers.sms import BrevoSmsProvider
from tests.providers.conftest import payload, receipt_request, sent_json

SEND_URL = "https://api.brevo.com/v3/transactionalSMS/send"


def sms(notification_id, **fields):
    values = {
        "to": "+33612345678",
        "body": "Votre code : 123456",
        "sender": "PREFECTURE",
    }
    values.update(fields)
    return OutgoingSms(notification_id=notification_id, **values)


def test_send_posts_brevo_payload_and_returns_message_id(responses, notification_id):
    responses.post(SEND_URL, json=payload("brevo_sms", "send_success.json"), status=201)

    result = BrevoSmsProvider().send_sms(sms(notification_id))

    assert result.provider == "brevo-sms"
    assert result.provider_reference == "1511882900176220"
    assert sent_json(responses) == {
        "sender": "PREFECTURE",
        "recipient": "33612345678",
        "content": "Votre code : 123456",
        "type": "transactional",
        "unicodeEnabled": False,
    }
    request = responses.calls[0].request
    assert request.headers["api-key"] == "xkeysib-test"
    assert responses.calls[0].request.req_kwargs["timeout"] == (3.05, 10)


def test_send_reads_legacy_response_shape(responses, notification_id):
    body = payload("brevo_sms", "send_success_legacy.json")
    responses.post(SEND_URL, json=body, status=201)

    result = BrevoSmsProvider().send_sms(sms(notification_id))

    assert result.provider_reference == "1511882900176221"


def test_send_asks_for_unicode_when_text_is_not_gsm7(responses, notification_id):
    responses.post(SEND_URL, json=payload("brevo_sms", "send_success.json"), status=201)

    BrevoSmsProvider().send_sms(sms(notification_id, body="Œuvre ✅"))

    assert sent_json(responses)["unicodeEnabled"] is True


def test_send_uses_default_sender_and_receipt_url_from_settings(
    responses, notification_id, settings
):
    settings.RECEIPT_WEBHOOK_BASE_URL = "https://u:pw@notifications.example/"
    responses.post(SEND_URL, json=payload("brevo_sms", "send_success.json"), status=201)

    BrevoSmsProvider().send_sms(sms(notification_id, sender=""))

    body = sent_json(responses)
    assert body["sender"] == "NOTIF"
    assert (
        body["webUrl"] == "https://u:pw@notifications.example/receipts/sms/brevo-sms/"
    )


def test_send_refuses_when_no_sender_anywhere(responses, notification_id, settings):
    settings.BREVO_SMS = {**settings.BREVO_SMS, "DEFAULT_SENDER": ""}

    with pytest.raises(ProviderPermanentError) as caught:
        BrevoSmsProvider().send_sms(sms(notification_id, sender=""))

    assert caught.value.status == "technical-failure"
    assert len(responses.calls) == 0


@pytest.mark.parametrize(
    ("http_status", "body_file", "status", "provider_fault"),
    [
        (400, "send_error_recipient.json", "permanent-failure", False),
        (400, "send_error_sender.json", "technical-failure", False),
        (401, "send_error_unauthorized.json", "technical-failure", True),
    ],
)
def test_send_maps_refusals_to_permanent_errors(
    responses, notification_id, http_status, body_file, status, provider_fault
):
    responses.post(SEND_URL, json=payload("brevo_sms", body_file), status=http_status)

    with pytest.raises(ProviderPermanentError) as caught:
        BrevoSmsProvider().send_sms(sms(notification_id))

    assert caught.value.status == status
    assert caught.value.provider_fault is provider_fault
    assert caught.value.provider == "brevo-sms"


def test_send_maps_no_credit_to_temporary_error(responses, notification_id):
    body = payload("brevo_sms", "send_error_credits.json")
    responses.post(SEND_URL, json=body, status=402)

    with pytest.raises(ProviderTemporaryError) as caught:
        BrevoSmsProvider().send_sms(sms(notification_id))

    assert caught.value.ambiguous is False


def test_send_maps_throttling_to_temporary_error_with_retry_after(
    responses, notification_id
):
    responses.post(SEND_URL, status=429, headers={"Retry-After": "30"})

    with pytest.raises(ProviderTemporaryError) as caught:
        BrevoSmsProvider().send_sms(sms(notification_id))

    assert caught.value.retry_after == 30


@pytest.mark.parametrize(
    ("http_status", "ambiguous"), [(500, True), (502, False), (503, False), (504, True)]
)
def test_send_maps_server_errors_to_temporary_errors(
    responses, notification_id, http_status, ambiguous
):
    responses.post(SEND_URL, body="<html>Bad gateway</html>", status=http_status)

    with pytest.raises(ProviderTemporaryError) as caught:
        BrevoSmsProvider().send_sms(sms(notification_id))

    assert caught.value.ambiguous is ambiguous


@pytest.mark.parametrize(
    ("exception", "ambiguous"),
    [(requests.ConnectTimeout(), False), (requests.ReadTimeout(), True)],
)
def test_send_maps_timeouts(responses, notification_id, exception, ambiguous):
    responses.post(SEND_URL, body=exception)

    with pytest.raises(ProviderTemporaryError) as caught:
        BrevoSmsProvider().send_sms(sms(notification_id))

    assert caught.value.ambiguous is ambiguous


@pytest.mark.parametrize(
    ("body_file", "status", "occurred_at"),
    [
        (
            "receipt_delivered.json",
            "delivered",
            dt.datetime(2026, 11, 14, 15, 22, 17, tzinfo=dt.UTC),
        ),
        (
            "receipt_soft_bounce.json",
            "temporary-failure",
            dt.datetime(2026, 11, 14, 17, 22, 17, tzinfo=dt.UTC),
        ),
        (
            "receipt_sent.json",
            "pending",
            dt.datetime(2026, 11, 14, 15, 22, 10, tzinfo=dt.UTC),
        ),
    ],
)
def test_receipts_map_brevo_statuses(body_file, status, occurred_at):
    report = payload("brevo_sms", body_file)

    [event] = BrevoSmsProvider().parse_receipts(receipt_request(report))

    assert event.provider == "brevo-sms"
    assert event.status == status
    assert event.provider_reference == "1511882900176220"
    assert event.occurred_at == occurred_at
    assert event.payload == report


def test_receipts_read_the_event_field_too():
    report = payload("brevo_sms", "receipt_hard_bounce_event.json")

    [event] = BrevoSmsProvider().parse_receipts(receipt_request(report))

    assert event.status == "permanent-failure"
    assert event.provider_reference == "1511882900176222"


def test_receipts_ignore_untracked_events():
    report = payload("brevo_sms", "receipt_replied.json")

    assert BrevoSmsProvider().parse_receipts(receipt_request(report)) == []


def test_receipt_event_id_is_stable_and_distinct_per_report():
    provider = BrevoSmsProvider()
    delivered = payload("brevo_sms", "receipt_delivered.json")
    bounced = payload("brevo_sms", "receipt_soft_bounce.json")

    [first] = provider.parse_receipts(receipt_request(delivered))
    [again] = provider.parse_receipts(receipt_request(delivered))
    [other] = provider.parse_receipts(receipt_request(bounced))

    assert first.provider_event_id == again.provider_event_id
    assert first.provider_event_id != other.provider_event_id


@pytest.mark.parametrize("authorization", ["", "Basic bm90aWZpY2F0aW9uczp3cm9uZw=="])
def test_receipts_refused_without_the_secret(authorization):
    report = payload("brevo_sms", "receipt_delivered.json")

    with pytest.raises(ReceiptAuthenticationError):
        BrevoSmsProvider().parse_receipts(
            receipt_request(report, authorization=authorization)
        )


def test_receipts_accept_a_bearer_token():
    report = payload("brevo_sms", "receipt_delivered.json")
    request = receipt_request(report, authorization="Bearer s3cr3t-receipts-Zq9")

    assert len(BrevoSmsProvider().parse_receipts(request)) == 1
