"""Octopush: request payloads, error codes and receipts against recorded
Octopush bodies (HTTP mocked with ``responses``)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from providers.base import (
    OutgoingSms,
    ProviderPermanentError,
    ProviderTemporaryError,
    ReceiptAuthenticationError,
)
from providers.sms import OctopushSmsProvider
from tests.providers.conftest import payload, receipt_request, sent_json

SEND_URL = "https://api.octopush.com/v1/public/sms-campaign/send"


def sms(notification_id, **fields):
    values = {
        "to": "+33612345678",
        "body": "Votre code : 123456",
        "sender": "PREFECTURE",
    }
    values.update(fields)
    return OutgoingSms(notification_id=notification_id, **values)


def test_send_posts_octopush_payload_with_request_id(responses, notification_id):
    responses.post(SEND_URL, json=payload("octopush", "send_success.json"), status=201)

    result = OctopushSmsProvider().send_sms(sms(notification_id))

    assert result.provider == "octopush-sms"
    assert result.provider_reference == "sms_5fec89fe97109"
    assert sent_json(responses) == {
        "recipients": [{"phone_number": "+33612345678"}],
        "text": "Votre code : 123456",
        "type": "sms_premium",
        "purpose": "alert",
        "sender": "PREFECTURE",
        "request_id": str(notification_id),
        "with_replies": False,
    }
    headers = responses.calls[0].request.headers
    assert headers["api-login"] == "ops@example.gouv.fr"
    assert headers["api-key"] == "octopush-test-key"


def test_send_asks_for_simulation_when_configured(responses, notification_id, settings):
    settings.OCTOPUSH = {**settings.OCTOPUSH, "SIMULATION": True}
    responses.post(SEND_URL, json=payload("octopush", "send_success.json"), status=201)

    OctopushSmsProvider().send_sms(sms(notification_id))

    assert sent_json(responses)["simulation_mode"] is True


def test_send_treats_duplicate_request_id_as_already_sent(responses, notification_id):
    body = payload("octopush", "send_error_duplicate.json")
    responses.post(SEND_URL, json=body, status=400)

    result = OctopushSmsProvider().send_sms(sms(notification_id))

    assert result.provider == "octopush-sms"
    assert result.provider_reference == ""
    # Its receipts will never match: final at once, not at the time-out.
    assert result.status == "sent"


def test_send_maps_no_credit_to_temporary_error(responses, notification_id):
    responses.post(
        SEND_URL, json=payload("octopush", "send_error_credit.json"), status=400
    )

    with pytest.raises(ProviderTemporaryError) as caught:
        OctopushSmsProvider().send_sms(sms(notification_id))

    assert caught.value.ambiguous is False


@pytest.mark.parametrize(
    ("http_status", "body_file", "status", "provider_fault"),
    [
        (400, "send_error_recipient.json", "permanent-failure", False),
        (401, "send_error_login.json", "technical-failure", True),
        (400, "send_error_login.json", "technical-failure", False),
    ],
)
def test_send_maps_refusals(
    responses, notification_id, http_status, body_file, status, provider_fault
):
    responses.post(SEND_URL, json=payload("octopush", body_file), status=http_status)

    with pytest.raises(ProviderPermanentError) as caught:
        OctopushSmsProvider().send_sms(sms(notification_id))

    assert caught.value.status == status
    assert caught.value.provider_fault is provider_fault


def test_send_without_ticket_is_ambiguous(responses, notification_id):
    responses.post(SEND_URL, json={"number_of_contacts": 1}, status=201)

    with pytest.raises(ProviderTemporaryError) as caught:
        OctopushSmsProvider().send_sms(sms(notification_id))

    assert caught.value.ambiguous is True


def test_send_maps_server_error_to_temporary_error(responses, notification_id):
    responses.post(SEND_URL, body="upstream down", status=503)

    with pytest.raises(ProviderTemporaryError):
        OctopushSmsProvider().send_sms(sms(notification_id))


@pytest.mark.parametrize(
    ("body_file", "status", "reference"),
    [
        ("receipt_delivered.json", "delivered", "sms_5fec89fe97109"),
        ("receipt_not_delivered.json", "temporary-failure", "sms_5fec89fe97110"),
        ("receipt_blacklisted.json", "permanent-failure", "sms_5fec89fe97111"),
    ],
)
def test_receipts_map_octopush_statuses(body_file, status, reference):
    report = payload("octopush", body_file)

    [event] = OctopushSmsProvider().parse_receipts(receipt_request(report))

    assert (event.provider, event.status) == ("octopush-sms", status)
    assert event.provider_reference == reference
    assert event.payload == report


def test_receipt_time_is_read_as_paris_time():
    report = payload("octopush", "receipt_delivered.json")

    [event] = OctopushSmsProvider().parse_receipts(receipt_request(report))

    paris = ZoneInfo("Europe/Paris")
    assert event.occurred_at == dt.datetime(2026, 11, 4, 11, 11, 45, tzinfo=paris)


def test_receipts_accept_form_encoded_reports():
    from django.test import RequestFactory

    from tests.providers.conftest import basic_auth

    request = RequestFactory().post(
        "/receipts/sms/octopush-sms/",
        data={"message_id": "sms_1", "status": "DELIVERED"},
        HTTP_AUTHORIZATION=basic_auth(),
    )

    [event] = OctopushSmsProvider().parse_receipts(request)

    assert (event.provider_reference, event.status) == ("sms_1", "delivered")


def test_receipts_unknown_status_is_logged_and_skipped(caplog):
    report = {**payload("octopush", "receipt_delivered.json"), "status": "MARTIAN"}

    events = OctopushSmsProvider().parse_receipts(receipt_request(report))

    assert events == []
    assert "unknown delivery status 'MARTIAN'" in caplog.text
    assert "+33600000000" not in caplog.text


def test_receipts_refused_without_configured_secret(settings):
    settings.OCTOPUSH = {**settings.OCTOPUSH, "RECEIPT_SECRETS": []}
    report = payload("octopush", "receipt_delivered.json")

    with pytest.raises(ReceiptAuthenticationError):
        OctopushSmsProvider().parse_receipts(receipt_request(report))
