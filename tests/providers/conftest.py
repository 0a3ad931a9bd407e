"""Fixtures for the provider tests: recorded payloads, a collecting
receipt sink, credentials for every gateway, and a clean registry."""

import json
import uuid
from pathlib import Path

import pytest
import responses as responses_lib

from providers import fake, registry, sns
from tests.providers import sinks

PAYLOADS = Path(__file__).parent / "payloads"

SECRET = "s3cr3t-receipts-Zq9"
BASIC_USER = "notifications"


def payload(vendor: str, name: str):
    """A recorded provider payload (JSON) from payloads/<vendor>/."""
    return json.loads((PAYLOADS / vendor / name).read_text())


def payload_text(vendor: str, name: str) -> str:
    return (PAYLOADS / vendor / name).read_text()


@pytest.fixture(autouse=True)
def _provider_settings(settings):
    settings.PROVIDER_RECEIPT_SINK = "tests.providers.sinks.collect"
    settings.BREVO_SMS = {
        "API_KEY": "xkeysib-test",
        "API_URL": "https://api.brevo.com/v3/",
        "DEFAULT_SENDER": "NOTIF",
        "TAG": "",
        "RECEIPT_SECRETS": [SECRET],
    }
    settings.OCTOPUSH = {
        "API_LOGIN": "ops@example.gouv.fr",
        "API_KEY": "octopush-test-key",
        "API_URL": "https://api.octopush.com/v1/public/",
        "DEFAULT_SENDER": "NOTIF",
        "SMS_TYPE": "sms_premium",
        "SIMULATION": False,
        "RECEIPT_SECRETS": [SECRET],
    }
    settings.SINCH_SMS = {
        "SERVICE_PLAN_ID": "plan42",
        "API_TOKEN": "sinch-test-token",
        "API_URL": "https://eu.sms.api.sinch.com/xms/v1/",
        "DEFAULT_SENDER": "NOTIF",
        "DELIVERY_REPORT": "per_recipient_final",
        "RECEIPT_SECRETS": ["old-secret", SECRET],
    }
    settings.RECEIPT_WEBHOOK_BASE_URL = ""
    sinks.collected.clear()
    registry.reset()
    sns.forget_certificates()
    fake.reset()
    yield
    sinks.collected.clear()
    registry.reset()
    fake.reset()


@pytest.fixture
def responses():
    with responses_lib.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def notification_id():
    return uuid.uuid4()


def sent_json(mock, index: int = -1) -> dict:
    """The JSON body of a request ``responses`` intercepted."""
    return json.loads(mock.calls[index].request.body)


def basic_auth(password: str = SECRET, user: str = BASIC_USER) -> str:
    import base64

    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return f"Basic {token}"


def receipt_request(body, *, authorization: str | None = None):
    """A POSTed receipt, as the gateway sends it (Basic credentials by
    default)."""
    from django.test import RequestFactory

    data = body if isinstance(body, str) else json.dumps(body)
    headers = {}
    if authorization is None:
        authorization = basic_auth()
    if authorization:
        headers["HTTP_AUTHORIZATION"] = authorization
    return RequestFactory().post(
        "/receipts/sms/x/", data=data, content_type="application/json", **headers
    )


def make_notification(*, channel: str = "email", status: str = "sending", **fields):
    """A notification row as the pipeline leaves it after handing it over."""
    from notifications.models import Notification
    from tests import factories

    service = factories.service()
    if channel == "email":
        template = factories.email_template(service=service)
    else:
        template = factories.sms_template(service=service)
    return Notification.objects.create(
        service=service,
        template=template,
        template_version=template.versions.get(),
        channel=channel,
        recipient="camille.martin@example.org"
        if channel == "email"
        else "+33612345678",
        status=status,
        **fields,
    )
