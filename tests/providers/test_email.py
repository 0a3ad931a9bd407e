"""Email through anymail: the message each ESP receives, and how its
answers map to our errors. Brevo and Mailjet are mocked at HTTP with
``responses``; Amazon SES (eu-west-3) at botocore's ``before-send`` hook,
so botocore builds and parses the real requests."""

import base64
import email
import json

import botocore.session
import pytest
import requests
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError

from providers.base import OutgoingEmail, ProviderPermanentError, ProviderTemporaryError
from providers.email import (
    AmazonSesEmailProvider,
    AnymailEmailProvider,
    BrevoEmailProvider,
    MailjetEmailProvider,
)
from tests.providers.conftest import payload, payload_text, sent_json

BREVO_URL = "https://api.brevo.com/v3/smtp/email"
MAILJET_URL = "https://api.mailjet.com/v3.1/send"
SES_URL = "https://email.eu-west-3.amazonaws.com/v2/email/outbound-emails"


@pytest.fixture(autouse=True)
def _anymail_settings(settings):
    settings.ANYMAIL = {
        "BREVO_API_KEY": "xkeysib-test",
        "MAILJET_API_KEY": "mj-public",
        "MAILJET_SECRET_KEY": "mj-private",
        "REQUESTS_TIMEOUT": (3.05, 10),
        "WEBHOOK_SECRET": ["esp:hook-secret"],
    }


def outgoing(notification_id, **fields):
    values = {
        "to": "camille.martin@example.org",
        "subject": "Votre dossier est complet",
        "html_body": "<p>Votre dossier est complet.</p>",
        "text_body": "Votre dossier est complet.",
        "from_email": "Préfecture du Rhône <prefecture.du.rhone@notifications.example>",
        "reply_to": "accueil@rhone.gouv.fr",
        "unsubscribe_url": "https://notifications.example/unsubscribe/abc",
        "tags": ("notifications",),
    }
    values.update(fields)
    return OutgoingEmail(notification_id=notification_id, **values)


# Brevo


def test_brevo_receives_sender_reply_to_headers_and_metadata(
    responses, notification_id
):
    responses.post(BREVO_URL, json=payload("brevo", "send_success.json"), status=201)

    result = BrevoEmailProvider().send_email(outgoing(notification_id))

    assert result.provider == "brevo-email"
    assert (
        result.provider_reference == "<202611141522.12345678901@smtp-relay.mailin.fr>"
    )
    body = sent_json(responses)
    assert body["sender"] == {
        "email": "prefecture.du.rhone@notifications.example",
        "name": "Préfecture du Rhône",
    }
    assert body["to"] == [{"email": "camille.martin@example.org"}]
    assert body["replyTo"] == {"email": "accueil@rhone.gouv.fr"}
    assert body["subject"] == "Votre dossier est complet"
    assert body["htmlContent"] == "<p>Votre dossier est complet.</p>"
    assert body["textContent"] == "Votre dossier est complet."
    assert body["tags"] == ["notifications"]
    headers = body["headers"]
    assert (
        headers["List-Unsubscribe"] == "<https://notifications.example/unsubscribe/abc>"
    )
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert json.loads(headers["X-Mailin-custom"]) == {
        "notification_id": str(notification_id)
    }
    assert responses.calls[0].request.headers["api-key"] == "xkeysib-test"


def test_no_unsubscribe_headers_when_not_asked(responses, notification_id):
    responses.post(BREVO_URL, json=payload("brevo", "send_success.json"), status=201)

    BrevoEmailProvider().send_email(
        outgoing(notification_id, unsubscribe_url="", reply_to="")
    )

    body = sent_json(responses)
    assert "List-Unsubscribe" not in body["headers"]
    assert "List-Unsubscribe-Post" not in body["headers"]
    assert "replyTo" not in body


@pytest.mark.parametrize(
    ("http_status", "body_file", "provider_fault"),
    [
        (401, "send_error_unauthorized.json", True),
        (400, "send_error_invalid.json", False),
    ],
)
def test_brevo_client_errors_are_technical_failures(
    responses, notification_id, http_status, body_file, provider_fault
):
    responses.post(BREVO_URL, json=payload("brevo", body_file), status=http_status)

    with pytest.raises(ProviderPermanentError) as caught:
        BrevoEmailProvider().send_email(outgoing(notification_id))

    assert caught.value.status == "technical-failure"
    assert caught.value.provider_fault is provider_fault
    assert "camille.martin" not in str(caught.value)


@pytest.mark.parametrize(
    ("http_status", "headers", "retry_after", "ambiguous"),
    [
        (429, {"Retry-After": "12"}, 12, False),
        (503, {}, None, False),
        (500, {}, None, True),
    ],
)
def test_brevo_throttling_and_outages_are_temporary(
    responses, notification_id, http_status, headers, retry_after, ambiguous
):
    responses.post(
        BREVO_URL, json={"message": "later"}, status=http_status, headers=headers
    )

    with pytest.raises(ProviderTemporaryError) as caught:
        BrevoEmailProvider().send_email(outgoing(notification_id))

    assert caught.value.retry_after == retry_after
    assert caught.value.ambiguous is ambiguous


@pytest.mark.parametrize(
    ("exception", "ambiguous"),
    [(requests.ConnectTimeout(), False), (requests.ReadTimeout(), True)],
)
def test_brevo_network_failures_are_temporary(
    responses, notification_id, exception, ambiguous
):
    responses.post(BREVO_URL, body=exception)

    with pytest.raises(ProviderTemporaryError) as caught:
        BrevoEmailProvider().send_email(outgoing(notification_id))

    assert caught.value.ambiguous is ambiguous
    assert responses.calls[0].request.req_kwargs["timeout"] == (3.05, 10)


def test_brevo_connection_is_reused_between_messages(responses, notification_id):
    responses.post(BREVO_URL, json=payload("brevo", "send_success.json"), status=201)
    provider = BrevoEmailProvider()

    provider.send_email(outgoing(notification_id))
    first_connection = provider._connection()
    provider.send_email(outgoing(notification_id))

    assert provider._connection() is first_connection
    assert len(responses.calls) == 2


def test_missing_api_key_is_a_provider_fault(responses, notification_id, settings):
    settings.ANYMAIL = {}

    with pytest.raises(ProviderPermanentError) as caught:
        BrevoEmailProvider().send_email(outgoing(notification_id))

    assert caught.value.provider_fault is True
    assert len(responses.calls) == 0


# Mailjet


def test_mailjet_receives_metadata_and_headers(responses, notification_id):
    responses.post(
        MAILJET_URL, json=payload("mailjet", "send_success.json"), status=200
    )

    result = MailjetEmailProvider().send_email(outgoing(notification_id))

    assert result.provider == "mailjet-email"
    assert result.provider_reference == "576460754655154659"
    body = sent_json(responses)
    message = body["Messages"][0]
    assert message["To"] == [{"Email": "camille.martin@example.org"}]
    assert body["Globals"]["From"] == {
        "Email": "prefecture.du.rhone@notifications.example",
        "Name": "Préfecture du Rhône",
    }
    assert body["Globals"]["ReplyTo"] == {"Email": "accueil@rhone.gouv.fr"}
    assert body["Globals"]["Headers"]["List-Unsubscribe-Post"] == (
        "List-Unsubscribe=One-Click"
    )
    assert json.loads(body["Globals"]["EventPayload"]) == {
        "notification_id": str(notification_id)
    }
    assert responses.calls[0].request.headers["Authorization"].startswith("Basic ")


def test_mailjet_message_error_is_a_technical_failure(responses, notification_id):
    body = payload("mailjet", "send_error_invalid.json")
    responses.post(MAILJET_URL, json=body, status=400)

    with pytest.raises(ProviderPermanentError) as caught:
        MailjetEmailProvider().send_email(outgoing(notification_id))

    assert caught.value.status == "technical-failure"


def test_mailjet_bad_credentials_are_a_provider_fault(responses, notification_id):
    text = payload_text("mailjet", "send_error_unauthorized.txt")
    responses.post(MAILJET_URL, body=text, status=401, content_type="text/plain")

    with pytest.raises(ProviderPermanentError) as caught:
        MailjetEmailProvider().send_email(outgoing(notification_id))

    assert caught.value.provider_fault is True


# Amazon SES, Paris region


class _RawBody:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **kwargs):
        yield self._body


@pytest.fixture
def ses(settings):
    """Amazon SES in eu-west-3 answering with recorded bodies: queue
    ``(status, error type or "", payload file)`` answers or exceptions in
    ``ses.answers``; requests land in ``ses.requests``."""

    class Ses:
        answers: list = []
        requests: list = []

    session = botocore.session.get_session()

    def answer(request, **kwargs):
        Ses.requests.append(request)
        planned = Ses.answers.pop(0)
        if isinstance(planned, Exception):
            raise planned
        status, error_type, body_file = planned
        headers = {"x-amzn-errortype": error_type} if error_type else {}
        headers["content-type"] = "application/json"
        body = payload_text("amazon_ses", body_file).encode()
        return AWSResponse(request.url, status, headers, _RawBody(body))

    session.register("before-send.sesv2.SendEmail", answer)
    settings.ANYMAIL = {
        "AMAZON_SES_SESSION_PARAMS": {
            "botocore_session": session,
            "aws_access_key_id": "AKIAEXAMPLEEXAMPLE00",
            "aws_secret_access_key": "example-secret",
        },
        "AMAZON_SES_CLIENT_PARAMS": {
            "region_name": "eu-west-3",
            "config": {"retries": {"total_max_attempts": 1}},
        },
    }
    return Ses


def test_ses_paris_receives_raw_mime_with_headers_and_metadata(ses, notification_id):
    ses.answers.append((200, "", "send_success.json"))

    result = AmazonSesEmailProvider().send_email(outgoing(notification_id))

    assert result.provider == "amazon-ses-email"
    assert result.provider_reference == (
        "0107018c1a2b3c4d-5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9-000000"
    )
    [request] = ses.requests
    assert request.url == SES_URL
    raw = json.loads(request.body)["Content"]["Raw"]["Data"]
    mime = email.message_from_bytes(base64.b64decode(raw))
    assert mime["To"] == "camille.martin@example.org"
    assert mime["Reply-To"] == "accueil@rhone.gouv.fr"
    assert mime["List-Unsubscribe"] == "<https://notifications.example/unsubscribe/abc>"
    assert mime["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert json.loads(mime["X-Metadata"]) == {"notification_id": str(notification_id)}
    assert mime["X-Tag"] == "notifications"


@pytest.mark.parametrize(
    ("answer", "error_class", "check"),
    [
        (
            (400, "MessageRejected", "send_error_message_rejected.json"),
            ProviderPermanentError,
            lambda error: (
                error.status == "technical-failure" and not error.provider_fault
            ),
        ),
        (
            (403, "AccessDeniedException", "send_error_access_denied.json"),
            ProviderPermanentError,
            lambda error: error.provider_fault,
        ),
        (
            (429, "TooManyRequestsException", "send_error_throttled.json"),
            ProviderTemporaryError,
            lambda error: not error.ambiguous,
        ),
        (
            (500, "InternalFailure", "send_error_throttled.json"),
            ProviderTemporaryError,
            lambda error: error.ambiguous,
        ),
    ],
)
def test_ses_errors_are_mapped(ses, notification_id, answer, error_class, check):
    ses.answers.append(answer)

    with pytest.raises(error_class) as caught:
        AmazonSesEmailProvider().send_email(outgoing(notification_id))

    assert check(caught.value)
    assert len(ses.requests) == 1  # botocore did not retry behind our back


@pytest.mark.parametrize(
    ("exception", "ambiguous"),
    [
        (ConnectTimeoutError(endpoint_url=SES_URL), False),
        (ReadTimeoutError(endpoint_url=SES_URL), True),
    ],
)
def test_ses_timeouts_are_temporary(ses, notification_id, exception, ambiguous):
    ses.answers.append(exception)

    with pytest.raises(ProviderTemporaryError) as caught:
        AmazonSesEmailProvider().send_email(outgoing(notification_id))

    assert caught.value.ambiguous is ambiguous


# Chosen by settings alone


def test_generic_provider_follows_email_backend(responses, notification_id, settings):
    settings.EMAIL_BACKEND = "anymail.backends.mailjet.EmailBackend"
    responses.post(
        MAILJET_URL, json=payload("mailjet", "send_success.json"), status=200
    )

    provider = AnymailEmailProvider()
    result = provider.send_email(outgoing(notification_id))

    assert provider.name == "mailjet-email"
    assert result.provider == "mailjet-email"


def test_generic_provider_with_a_django_backend_uses_our_id(notification_id, settings):
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    result = AnymailEmailProvider().send_email(outgoing(notification_id))

    assert result.provider_reference == str(notification_id)
    assert mail.outbox[-1].extra_headers["List-Unsubscribe-Post"] == (
        "List-Unsubscribe=One-Click"
    )
