"""SMS receipt webhooks end to end through the URL: authentication
first, nothing stored when refused, replays stored once."""

import json
import logging

import pytest
from django.test import Client

from tests.providers import sinks
from tests.providers.conftest import SECRET, basic_auth, make_notification, payload

SINCH_URL = "/receipts/sms/sinch-sms/"


def post(url: str, body, authorization: str | None = None, client=None, **extra):
    if authorization:
        extra["HTTP_AUTHORIZATION"] = authorization
    data = body if isinstance(body, str) else json.dumps(body)
    return (client or Client()).post(
        url, data=data, content_type="application/json", **extra
    )


def test_receipt_with_basic_credentials_reaches_the_sink():
    report = payload("sinch", "receipt_delivered.json")

    response = post(SINCH_URL, report, authorization=basic_auth())

    assert response.status_code == 200
    [event] = sinks.collected
    assert (event.provider, event.status) == ("sinch-sms", "delivered")


def test_receipt_with_secret_in_path_reaches_the_sink():
    report = payload("octopush", "receipt_delivered.json")

    response = post(f"/receipts/sms/octopush-sms/{SECRET}/", report)

    assert response.status_code == 200
    assert [event.status for event in sinks.collected] == ["delivered"]


def test_receipt_without_credentials_gets_401_and_stores_nothing(caplog):
    caplog.set_level(logging.WARNING)

    response = post(SINCH_URL, payload("sinch", "receipt_delivered.json"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    assert sinks.collected == []
    assert "Refused a receipt webhook for sinch-sms" in caplog.text


@pytest.mark.parametrize(
    ("url", "authorization"),
    [
        (SINCH_URL, basic_auth("guessed")),
        (SINCH_URL, "Bearer guessed"),
        ("/receipts/sms/sinch-sms/guessed/", None),
        (SINCH_URL, "Basic !!!not-base64"),
    ],
)
def test_receipt_with_wrong_credentials_gets_403_and_stores_nothing(
    url, authorization, caplog
):
    caplog.set_level(logging.WARNING)

    response = post(url, payload("sinch", "receipt_delivered.json"), authorization)

    assert response.status_code == 403
    assert sinks.collected == []
    assert "guessed" not in caplog.text


def test_receipts_refused_when_no_secret_is_configured(settings):
    settings.SINCH_SMS = {**settings.SINCH_SMS, "RECEIPT_SECRETS": []}

    response = post(SINCH_URL, payload("sinch", "receipt_delivered.json"), basic_auth())

    assert response.status_code == 403
    assert sinks.collected == []


@pytest.mark.django_db
def test_unknown_provider_gets_404():
    response = post("/receipts/sms/nobody/", {}, basic_auth())

    assert response.status_code == 404


def test_only_post_is_allowed():
    response = Client().get(SINCH_URL, HTTP_AUTHORIZATION=basic_auth())

    assert response.status_code == 405


def test_oversized_body_gets_413_before_authentication(settings):
    settings.RECEIPT_WEBHOOK_MAX_BYTES = 100
    report = {**payload("sinch", "receipt_delivered.json"), "padding": "x" * 200}

    response = post(SINCH_URL, report, basic_auth())

    assert response.status_code == 413
    assert sinks.collected == []


def test_unreadable_body_gets_400():
    response = post(SINCH_URL, "{not json", basic_auth())

    assert response.status_code == 400
    assert sinks.collected == []


def test_failing_sink_gets_503_so_the_gateway_retries(settings, caplog):
    settings.PROVIDER_RECEIPT_SINK = "tests.providers.sinks.fail"
    report = payload("octopush", "receipt_delivered.json")

    response = post(f"/receipts/sms/octopush-sms/{SECRET}/", report)

    assert response.status_code == 503
    assert "Could not store receipts from octopush-sms" in caplog.text
    assert SECRET not in caplog.text


def test_no_csrf_token_needed():
    client = Client(enforce_csrf_checks=True)

    response = post(
        SINCH_URL,
        payload("sinch", "receipt_delivered.json"),
        basic_auth(),
        client=client,
    )

    assert response.status_code == 200


def test_replay_reaches_the_sink_with_the_same_event_id():
    report = payload("brevo_sms", "receipt_delivered.json")

    for _ in range(3):
        post("/receipts/sms/brevo-sms/", report, basic_auth())

    assert len({event.provider_event_id for event in sinks.collected}) == 1
    assert len(sinks.collected) == 3


@pytest.mark.django_db(transaction=True)
def test_replay_is_stored_once_and_applied_once(settings):
    from deliveries.models import DeliveryReceipt

    settings.PROVIDER_RECEIPT_SINK = "deliveries.receipts.receipt_accept"
    notification = make_notification(
        channel="sms",
        provider="sinch-sms",
        provider_reference="01FC66621VWXYZ119Z8PMV1QPQ",
    )
    report = {**payload("sinch", "receipt_delivered.json"), "client_reference": ""}

    statuses = [post(SINCH_URL, report, basic_auth()).status_code for _ in range(3)]

    assert statuses == [200, 200, 200]
    [receipt] = DeliveryReceipt.objects.all()
    assert receipt.notification_id == notification.id
    assert receipt.processed_at is not None
    notification.refresh_from_db()
    assert notification.status == "delivered"
