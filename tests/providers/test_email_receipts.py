"""Email receipts: recorded ESP tracking payloads POSTed to anymail's
webhook URLs, with and without the Basic ``WEBHOOK_SECRET``; what reaches
the receipt sink."""

import base64
import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from django.test import Client

from providers.email import receipt_for_tracking_event
from providers.urls import TRACKING_WEBHOOKS
from tests.providers import sinks
from tests.providers.conftest import make_notification, payload

ROOT = Path(__file__).resolve().parents[2]
AUTH = "Basic " + base64.b64encode(b"esp:hook-secret").decode()
BREVO_NOTIFICATION = uuid.UUID("2f0b8a8e-2a5e-4a59-9d3c-6c5f1a7e4b21")
SES_NOTIFICATION = uuid.UUID("8e2f6b3a-1c4d-4e5f-8a9b-0c1d2e3f4a5b")
CERT_URL = (
    "https://sns.eu-west-3.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem"
)
TOPIC = "arn:aws:sns:eu-west-3:123456789012:ses-notifications"


@pytest.fixture(autouse=True)
def _webhook_secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": ["esp:hook-secret"]}
    settings.AMAZON_SES_SNS_TOPIC_ARNS = [TOPIC]
    settings.AMAZON_SES_VERIFY_SNS_SIGNATURES = True


def post(path: str, body, authorization: str | None = AUTH, client=None, **headers):
    if authorization:
        headers["HTTP_AUTHORIZATION"] = authorization
    client = client or Client()
    return client.post(
        path, data=json.dumps(body), content_type="application/json", **headers
    )


# Brevo


@pytest.mark.parametrize(
    ("body_file", "status"),
    [
        ("tracking_delivered.json", "delivered"),
        ("tracking_hard_bounce.json", "permanent-failure"),
        ("tracking_soft_bounce.json", "temporary-failure"),
    ],
)
def test_brevo_reports_reach_the_sink(body_file, status):
    report = payload("brevo", body_file)

    response = post("/anymail/brevo/tracking/", report)

    assert response.status_code == 200
    [event] = sinks.collected
    assert event.provider == "brevo-email"
    assert event.status == status
    assert event.notification_id == BREVO_NOTIFICATION
    assert event.provider_reference == "<202611141522.12345678901@smtp-relay.mailin.fr>"
    assert event.payload == report


def test_brevo_open_is_not_tracked():
    response = post(
        "/anymail/brevo/tracking/", payload("brevo", "tracking_opened.json")
    )

    assert response.status_code == 200
    assert sinks.collected == []


@pytest.mark.parametrize(
    "authorization", [None, "Basic " + base64.b64encode(b"esp:wrong").decode()]
)
def test_brevo_report_refused_without_the_webhook_secret(authorization):
    report = payload("brevo", "tracking_delivered.json")

    response = post("/anymail/brevo/tracking/", report, authorization=authorization)

    assert response.status_code == 400
    assert sinks.collected == []


@pytest.mark.parametrize(
    "url", ["/anymail/brevo/tracking/", "/anymail/mailjet/tracking/"]
)
@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"'])
def test_unreadable_report_gets_400_not_500(url, body):
    response = Client(raise_request_exception=False).post(
        url, data=body, content_type="application/json", HTTP_AUTHORIZATION=AUTH
    )

    assert response.status_code == 400
    assert sinks.collected == []


def test_unknown_brevo_event_is_accepted_and_ignored():
    response = post("/anymail/brevo/tracking/", {"event": "teleported", "email": "x"})

    assert response.status_code == 200
    assert sinks.collected == []


def test_brevo_replay_has_the_same_event_id():
    report = payload("brevo", "tracking_delivered.json")

    post("/anymail/brevo/tracking/", report)
    post("/anymail/brevo/tracking/", report)
    post("/anymail/brevo/tracking/", payload("brevo", "tracking_hard_bounce.json"))

    first, replay, bounce = sinks.collected
    assert first.provider_event_id == replay.provider_event_id
    assert bounce.provider_event_id != first.provider_event_id


def test_failing_sink_makes_the_esp_retry(settings):
    settings.PROVIDER_RECEIPT_SINK = "tests.providers.sinks.fail"
    report = payload("brevo", "tracking_delivered.json")

    response = post(
        "/anymail/brevo/tracking/", report, client=Client(raise_request_exception=False)
    )

    assert response.status_code == 500


@pytest.mark.django_db(transaction=True)
def test_replayed_report_is_stored_once_by_the_real_sink(settings):
    from deliveries.models import DeliveryReceipt

    settings.PROVIDER_RECEIPT_SINK = "deliveries.receipts.receipt_accept"
    notification = make_notification(
        id=BREVO_NOTIFICATION,
        provider="brevo-email",
        provider_reference="<202611141522.12345678901@smtp-relay.mailin.fr>",
    )
    report = payload("brevo", "tracking_delivered.json")

    responses = [post("/anymail/brevo/tracking/", report) for _ in range(3)]

    assert [response.status_code for response in responses] == [200, 200, 200]
    [receipt] = DeliveryReceipt.objects.all()
    assert receipt.provider == "brevo-email"
    assert receipt.payload == report
    notification.refresh_from_db()
    assert notification.status == "delivered"


# Mailjet


def test_mailjet_sent_means_delivered():
    report = payload("mailjet", "tracking_sent.json")

    response = post("/anymail/mailjet/tracking/", report)

    assert response.status_code == 200
    [event] = sinks.collected
    assert (event.provider, event.status) == ("mailjet-email", "delivered")
    assert event.provider_reference == "576460754655154659"
    assert event.notification_id == uuid.UUID("7d3e1f0a-5b8c-4c1e-9a77-0f2e3d4c5b6a")
    assert event.occurred_at == dt.datetime.fromtimestamp(1794669740, tz=dt.UTC)


def test_mailjet_grouped_bounces_split_hard_and_soft():
    response = post(
        "/anymail/mailjet/tracking/",
        payload("mailjet", "tracking_grouped_bounces.json"),
    )

    assert response.status_code == 200
    hard, soft = sinks.collected
    assert hard.status == "permanent-failure"
    assert soft.status == "temporary-failure"
    assert hard.provider_event_id != soft.provider_event_id


def test_mailjet_report_refused_without_the_webhook_secret():
    report = payload("mailjet", "tracking_sent.json")

    response = post("/anymail/mailjet/tracking/", report, authorization=None)

    assert response.status_code == 400
    assert sinks.collected == []


# Amazon SES (eu-west-3) through SNS


@pytest.fixture(scope="module")
def sns_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, certificate.public_bytes(serialization.Encoding.PEM)


def sns_message(sns_key, event_file: str, **changes) -> dict:
    """The recorded SNS envelope around an SES event, signed as SNS signs
    (SignatureVersion 2: SHA256 over the canonical fields)."""
    key, _ = sns_key
    message = payload("amazon_ses", "sns_envelope.json")
    message["MessageId"] = str(uuid.uuid4())
    message["Message"] = json.dumps(payload("amazon_ses", event_file))
    canonical = "".join(
        f"{name}\n{message[name]}\n"
        for name in ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
    )
    signature = key.sign(canonical.encode(), padding.PKCS1v15(), hashes.SHA256())
    message["Signature"] = base64.b64encode(signature).decode()
    message.update(changes)
    return message


def post_sns(message: dict, authorization: str | None = AUTH):
    return post(
        "/anymail/amazon_ses/tracking/",
        message,
        authorization=authorization,
        HTTP_X_AMZ_SNS_MESSAGE_TYPE=message["Type"],
        HTTP_X_AMZ_SNS_MESSAGE_ID=message["MessageId"],
    )


@pytest.mark.parametrize(
    ("event_file", "status"),
    [
        ("event_delivery.json", "delivered"),
        ("event_bounce_permanent.json", "permanent-failure"),
        ("event_bounce_transient.json", "temporary-failure"),
    ],
)
def test_ses_events_with_valid_signature_reach_the_sink(
    responses, sns_key, event_file, status
):
    responses.get(CERT_URL, body=sns_key[1])
    message = sns_message(sns_key, event_file)

    response = post_sns(message)

    assert response.status_code == 200
    [event] = sinks.collected
    assert (event.provider, event.status) == ("amazon-ses-email", status)
    assert event.provider_event_id == message["MessageId"]
    assert event.notification_id == SES_NOTIFICATION
    assert event.provider_reference == (
        "0107018c1a2b3c4d-5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9-000000"
    )


def test_ses_certificate_is_fetched_once(responses, sns_key):
    responses.get(CERT_URL, body=sns_key[1])

    post_sns(sns_message(sns_key, "event_delivery.json"))
    post_sns(sns_message(sns_key, "event_bounce_permanent.json"))

    assert len(sinks.collected) == 2
    assert len(responses.calls) == 1


def test_ses_event_with_forged_signature_is_refused(responses, sns_key):
    responses.get(CERT_URL, body=sns_key[1])
    message = sns_message(sns_key, "event_delivery.json")
    message["Message"] = message["Message"].replace("Delivery", "Bounce", 1)

    response = post_sns(message)

    assert response.status_code == 400
    assert sinks.collected == []


def test_ses_certificate_from_elsewhere_is_never_fetched(responses, sns_key):
    message = sns_message(
        sns_key, "event_delivery.json", SigningCertURL="https://evil.example/sns.pem"
    )

    response = post_sns(message)

    assert response.status_code == 400
    assert len(responses.calls) == 0
    assert sinks.collected == []


def test_ses_event_from_another_topic_is_refused(responses, sns_key):
    responses.get(CERT_URL, body=sns_key[1])
    message = sns_message(
        sns_key, "event_delivery.json", TopicArn="arn:aws:sns:eu-west-3:999:other"
    )

    response = post_sns(message)

    assert response.status_code == 400
    assert sinks.collected == []


def test_ses_unreadable_body_gets_400(responses):
    response = Client(raise_request_exception=False).post(
        "/anymail/amazon_ses/tracking/",
        data="not json",
        content_type="text/plain",
        HTTP_AUTHORIZATION=AUTH,
        HTTP_X_AMZ_SNS_MESSAGE_TYPE="Notification",
    )

    assert response.status_code == 400
    assert len(responses.calls) == 0


def test_ses_event_without_credentials_is_refused_before_any_fetch(responses, sns_key):
    response = post_sns(sns_message(sns_key, "event_delivery.json"), authorization=None)

    assert response.status_code == 401
    assert len(responses.calls) == 0
    assert sinks.collected == []


# The mapping table


@pytest.mark.parametrize(
    ("event_type", "reject_reason", "status"),
    [
        ("queued", None, None),
        ("sent", None, None),
        ("deferred", None, None),
        ("opened", None, None),
        ("clicked", None, None),
        ("delivered", None, "delivered"),
        ("complained", "spam", "delivered"),
        ("bounced", "bounced", "permanent-failure"),
        ("bounced", "timed_out", "temporary-failure"),
        ("rejected", "blocked", "permanent-failure"),
        ("rejected", "invalid", "permanent-failure"),
        ("rejected", "other", "technical-failure"),
        ("failed", None, "technical-failure"),
    ],
)
def test_tracking_events_map_to_our_statuses(event_type, reject_reason, status):
    from anymail.signals import AnymailTrackingEvent

    event = AnymailTrackingEvent(
        event_type=event_type,
        reject_reason=reject_reason,
        message_id="m-1",
        esp_event={"raw": True},
        metadata={"notification_id": str(BREVO_NOTIFICATION)},
    )

    receipt = receipt_for_tracking_event(event, "Brevo")

    assert (receipt.status if receipt else None) == status


def test_tracking_event_without_any_reference_is_dropped():
    from anymail.signals import AnymailTrackingEvent

    event = AnymailTrackingEvent(event_type="delivered", esp_event={}, metadata={})

    assert receipt_for_tracking_event(event, "Brevo") is None


# The URL table


def test_tracking_urls_are_anymails():
    from anymail import urls as anymail_urls

    theirs = {
        (str(pattern.pattern), pattern.name)
        for pattern in anymail_urls.urlpatterns
        if pattern.name.endswith("_tracking_webhook")
    }
    ours = {(route, name) for route, _, name in TRACKING_WEBHOOKS}

    assert ours == theirs


def test_loading_the_urls_does_not_load_boto3():
    # boto3 costs each process about 35 MB: only an SES report loads it.
    script = (
        "import sys, django; django.setup(); import config.urls; "
        "from django.urls import reverse; "
        "print(reverse('anymail:amazon_ses_tracking_webhook'), 'boto3' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}

    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    assert completed.stdout.split() == ["/anymail/amazon_ses/tracking/", "False"]
