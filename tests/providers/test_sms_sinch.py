"""Sinch SMS (EU region): request payloads, error mapping and receipts
against recorded Sinch bodies (HTTP mocked with ``responses``)."""

import datetime as dt
import uuid

import pytest

from providers.base import (
    OutgoingSms,
    ProviderPermanentError,
    ProviderTemporaryError,
    ReceiptAuthenticationError,
)
from providers.sms import SinchSmsProvider
from tests.providers.conftest import basic_auth, payload, receipt_request, sent_json

SEND_URL = "https://eu.sms.api.sinch.com/xms/v1/plan42/batches"


def sms(notification_id, **fields):
    values = {
        "to": "+33612345678",
        "body": "Votre code : 123456",
        "sender": "PREFECTURE",
    }
    values.update(fields)
    return OutgoingSms(notification_id=notification_id, **values)


def test_send_posts_batch_to_eu_region(responses, notification_id):
    responses.post(SEND_URL, json=payload("sinch", "send_success.json"), status=201)

    result = SinchSmsProvider().send_sms(sms(notification_id))

    assert result.provider == "sinch-sms"
    assert result.provider_reference == "01FC66621VWXYZ119Z8PMV1QPQ"
    assert sent_json(responses) == {
        "from": "PREFECTURE",
        "to": ["+33612345678"],
        "body": "Votre code : 123456",
        "delivery_report": "per_recipient_final",
        "client_reference": str(notification_id),
    }
    headers = responses.calls[0].request.headers
    assert headers["Authorization"] == "Bearer sinch-test-token"


def test_send_gives_callback_url_when_configured(responses, notification_id, settings):
    settings.RECEIPT_WEBHOOK_BASE_URL = "https://u:pw@notifications.example/"
    responses.post(SEND_URL, json=payload("sinch", "send_success.json"), status=201)

    SinchSmsProvider().send_sms(sms(notification_id))

    callback_url = sent_json(responses)["callback_url"]
    assert callback_url == "https://u:pw@notifications.example/receipts/sms/sinch-sms/"


@pytest.mark.parametrize(
    ("http_status", "body_file", "provider_fault"),
    [
        (400, "send_error_syntax.json", False),
        (401, "send_error_unauthorized.json", True),
    ],
)
def test_send_maps_client_errors_to_technical_failure(
    responses, notification_id, http_status, body_file, provider_fault
):
    responses.post(SEND_URL, json=payload("sinch", body_file), status=http_status)

    with pytest.raises(ProviderPermanentError) as caught:
        SinchSmsProvider().send_sms(sms(notification_id))

    assert caught.value.status == "technical-failure"
    assert caught.value.provider_fault is provider_fault
    assert payload("sinch", body_file)["code"] in str(caught.value)


def test_send_maps_throttling_with_http_date_retry_after(responses, notification_id):
    responses.post(
        SEND_URL, status=429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}
    )

    with pytest.raises(ProviderTemporaryError) as caught:
        SinchSmsProvider().send_sms(sms(notification_id))

    # A date in the past: retry now rather than never.
    assert caught.value.retry_after == 0


def test_receipt_carries_our_notification_id():
    report = payload("sinch", "receipt_delivered.json")

    [event] = SinchSmsProvider().parse_receipts(receipt_request(report))

    assert event.provider == "sinch-sms"
    assert event.status == "delivered"
    assert event.provider_reference == "01FC66621VWXYZ119Z8PMV1QPQ"
    assert event.notification_id == uuid.UUID("6f1c0c0e-6c0a-4f43-9f2b-3f2b6f4a1d11")
    assert event.occurred_at == dt.datetime(
        2026, 11, 14, 15, 22, 19, 210000, tzinfo=dt.UTC
    )


@pytest.mark.parametrize(
    ("body_file", "status"),
    [
        ("receipt_expired.json", "temporary-failure"),
        ("receipt_rejected.json", "permanent-failure"),
    ],
)
def test_receipts_map_sinch_statuses(body_file, status):
    [event] = SinchSmsProvider().parse_receipts(
        receipt_request(payload("sinch", body_file))
    )

    assert event.status == status


def test_receipt_with_foreign_client_reference_still_matches_by_batch():
    [event] = SinchSmsProvider().parse_receipts(
        receipt_request(payload("sinch", "receipt_rejected.json"))
    )

    assert event.notification_id is None
    assert event.provider_reference == "01FC66621VWXYZ119Z8PMV1QPS"


def test_batch_summaries_are_ignored():
    report = payload("sinch", "receipt_batch_summary.json")

    assert SinchSmsProvider().parse_receipts(receipt_request(report)) == []


def test_receipts_accept_any_of_the_rotated_secrets():
    report = payload("sinch", "receipt_delivered.json")
    request = receipt_request(report, authorization=basic_auth("old-secret"))

    assert len(SinchSmsProvider().parse_receipts(request)) == 1


def test_receipts_refuse_secret_given_as_user_name():
    report = payload("sinch", "receipt_delivered.json")
    request = receipt_request(report, authorization=basic_auth("", user="old-secret"))

    with pytest.raises(ReceiptAuthenticationError):
        SinchSmsProvider().parse_receipts(request)
