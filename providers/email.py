"""Email through django-anymail: any ESP it supports, chosen by settings.

``AnymailEmailProvider`` sends through ``settings.EMAIL_BACKEND`` (or the
backend given in its options); the subclasses pin one ESP each, so two
ESPs can be configured side by side for failover. A provider's name comes
from the ESP (``brevo-email``, ``mailjet-email``, ``amazon-ses-email``),
the same name the tracking webhooks report, so receipts find their
notification.

Receipts come through anymail's tracking webhooks
(``/anymail/<esp>/tracking/``) and its ``tracking`` signal, mapped here to
``ReceiptEvent``s (see ``receipt_for_tracking_event``).
"""

import functools
import logging
import threading
from typing import ClassVar

import requests
from anymail.exceptions import (
    AnymailAPIError,
    AnymailError,
    AnymailRecipientsRefused,
)
from anymail.signals import AnymailTrackingEvent
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils.module_loading import import_string
from django.utils.text import slugify

from . import http
from .base import (
    EmailProvider,
    OutgoingEmail,
    ProviderPermanentError,
    ProviderTemporaryError,
    ReceiptEvent,
    SendResult,
)
from .receipts import hand_to_sink, parse_notification_id, stable_event_id

logger = logging.getLogger(__name__)


def email_provider_name(esp_name: str) -> str:
    """Our provider name for an anymail ESP name ("Amazon SES" →
    "amazon-ses-email")."""
    return f"{slugify(esp_name)}-email"


# Backends that keep, print or drop messages instead of handing them to a
# mail server: fine in development, a silent loss anywhere else. Their
# subclasses count too (anymail's console backend is one of anymail's
# test backend and of Django's console backend).
NON_DELIVERING_BACKENDS = (
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "anymail.backends.test.EmailBackend",
)


@functools.cache
def backend_delivers(backend_path: str) -> bool:
    """Whether the email backend at ``backend_path`` hands messages to a
    mail server (an ESP's API or SMTP), rather than keeping, printing or
    dropping them. An unimportable path counts as delivering: sending
    through it fails loudly."""
    try:
        backend = import_string(backend_path)
    except ImportError:
        return True
    kept = tuple(import_string(path) for path in NON_DELIVERING_BACKENDS)
    return not (isinstance(backend, type) and issubclass(backend, kept))


def _esp_name(backend_path: str) -> str:
    backend = import_string(backend_path)
    esp_name = getattr(backend, "esp_name", None)
    if isinstance(esp_name, str):
        return esp_name
    # A Django backend (locmem, console, smtp): name it after its module.
    return backend.__module__.rsplit(".", 1)[-1]


class AnymailEmailProvider(EmailProvider):
    """Email through an anymail backend (``settings.EMAIL_BACKEND`` unless
    the ``backend`` option or a subclass names one)."""

    backend_path: ClassVar[str] = ""

    def __init__(self, *, backend: str = "") -> None:
        self._backend_path = backend or self.backend_path or settings.EMAIL_BACKEND
        self._name = email_provider_name(_esp_name(self._backend_path))
        self._local = threading.local()

    @property
    def name(self) -> str:
        return self._name

    @property
    def backend(self) -> str:
        """The dotted path of the email backend this provider sends through."""
        return self._backend_path

    @property
    def delivers(self) -> bool:
        """False for a backend that keeps or prints messages (locmem,
        console, …): refused outside development, as the fakes are."""
        return backend_delivers(self._backend_path)

    def send_email(self, email: OutgoingEmail) -> SendResult:
        message = self._message(email)

        try:
            message.send()
        except AnymailRecipientsRefused as error:
            raise ProviderPermanentError(
                f"{self.name} refused the recipient", provider=self.name
            ) from error
        except AnymailAPIError as error:
            raise self._api_error(error) from error
        except AnymailError as error:
            # Invalid address, unsupported feature, unserialisable data:
            # our message is wrong for this ESP.
            raise ProviderPermanentError(
                f"{self.name} cannot send this message: {error.__class__.__name__}",
                provider=self.name,
                status="technical-failure",
            ) from error

        return self._result(email, message)

    def _message(self, email: OutgoingEmail) -> EmailMultiAlternatives:
        headers = dict(email.headers)
        if email.unsubscribe_url:
            # RFC 8058 one-click unsubscribe, required by large mailbox
            # providers for bulk senders.
            headers["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.text_body,
            from_email=email.from_email,
            to=[email.to],
            reply_to=[email.reply_to] if email.reply_to else None,
            headers=headers,
            connection=self._connection(),
        )
        if email.html_body:
            message.attach_alternative(email.html_body, "text/html")
        message.metadata = {"notification_id": str(email.notification_id)}
        message.tags = list(email.tags)
        return message

    def _connection(self):
        # One open connection per thread: anymail's HTTP backends keep
        # their session (and TLS connection) between messages.
        connection = getattr(self._local, "connection", None)
        if connection is None:
            try:
                connection = get_connection(self._backend_path, fail_silently=False)
            except ImproperlyConfigured as error:
                raise ProviderPermanentError(
                    f"{self.name} is not configured: {error}",
                    provider=self.name,
                    status="technical-failure",
                    provider_fault=True,
                ) from error
            connection.open()
            self._local.connection = connection
        return connection

    def _result(self, email: OutgoingEmail, message) -> SendResult:
        status = getattr(message, "anymail_status", None)
        if status is None:
            # A plain Django backend (development): no ESP reference.
            return SendResult(
                provider=self.name, provider_reference=str(email.notification_id)
            )
        if status.status and status.status <= {"failed"}:
            raise ProviderPermanentError(
                f"{self.name} could not send the message",
                provider=self.name,
                status="technical-failure",
            )
        return SendResult(
            provider=self.name, provider_reference=str(status.message_id or "")
        )

    def _api_error(self, error: AnymailAPIError):
        cause = error.__cause__
        # Anymail raises network failures as a subclass of both its own
        # error and the original ``requests`` exception.
        if isinstance(error, requests.ConnectionError | requests.Timeout):
            return http.network_error(self.name, error)
        if cause is not None and _is_boto_network_error(cause):
            return _boto_network_error(self.name, cause)
        if isinstance(error.response, dict):
            return _amazon_ses_error(self.name, error.response)
        status = error.status_code or 0
        retry_after = None
        if error.response is not None and hasattr(error.response, "headers"):
            retry_after = http.retry_after_seconds(error.response)
        return http.error_for_http_status(
            self.name, status, _short_detail(error), retry_after=retry_after
        )


class BrevoEmailProvider(AnymailEmailProvider):
    backend_path = "anymail.backends.brevo.EmailBackend"


class MailjetEmailProvider(AnymailEmailProvider):
    backend_path = "anymail.backends.mailjet.EmailBackend"


class AmazonSesEmailProvider(AnymailEmailProvider):
    """Amazon SES v2; set the region (eu-west-3, Paris) in
    ``ANYMAIL["AMAZON_SES_CLIENT_PARAMS"]``."""

    backend_path = "anymail.backends.amazon_ses.EmailBackend"


class ScalewayEmailProvider(AnymailEmailProvider):
    """Scaleway TEM (fr-par). Anymail does not parse its webhooks yet, so
    its notifications stay ``sending`` until the time-out."""

    backend_path = "anymail.backends.scaleway.EmailBackend"


def _short_detail(error: AnymailAPIError) -> str:
    # The first line only: anymail appends the ESP's whole response, which
    # may echo the recipient.
    return str(error.args[0]).splitlines()[0][:200] if error.args else ""


# Amazon SES v2 error codes (botocore ClientError) that do not follow
# from the HTTP status alone.
SES_TEMPORARY_CODES = {
    "TooManyRequestsException",
    "LimitExceededException",
    "Throttling",
    "ThrottlingException",
    # Sending paused or the account suspended: fail over meanwhile.
    "SendingPausedException",
    "AccountSuspendedException",
}
SES_ACCOUNT_CODES = {
    "MailFromDomainNotVerifiedException",
    "NotFoundException",
    "AccessDeniedException",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
}


def _amazon_ses_error(provider: str, response: dict):
    code = response.get("Error", {}).get("Code", "")
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    detail = f"{code} (HTTP {status})"
    if code in SES_TEMPORARY_CODES or status == 429:
        return ProviderTemporaryError(f"{provider}: {detail}", provider=provider)
    if code in SES_ACCOUNT_CODES:
        return ProviderPermanentError(
            f"{provider}: {detail}",
            provider=provider,
            status="technical-failure",
            provider_fault=True,
        )
    return http.error_for_http_status(provider, status or 400, code)


def _is_boto_network_error(cause: BaseException) -> bool:
    try:
        from botocore.exceptions import ConnectionError, HTTPClientError
    except ImportError:  # boto3 is only needed for Amazon SES
        return False
    return isinstance(cause, ConnectionError | HTTPClientError)


def _boto_network_error(provider: str, cause: BaseException) -> ProviderTemporaryError:
    from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError

    if isinstance(cause, ConnectTimeoutError | EndpointConnectionError):
        return ProviderTemporaryError(
            f"Could not connect to {provider}: {cause.__class__.__name__}",
            provider=provider,
        )
    return ProviderTemporaryError(
        f"No answer from {provider}: {cause.__class__.__name__}",
        provider=provider,
        ambiguous=True,
    )


# Receipts: anymail's normalised tracking events to our statuses.
#
# - ``deferred`` and soft bounces the ESP will retry are not final: they
#   change nothing, and the ESP reports the outcome later;
# - a soft bounce the ESP gave up on (Brevo ``soft_bounce``, Mailjet
#   ``hard_bounce: false``, SES ``Transient``/``Undetermined``, reason
#   ``timed_out``) is a temporary-failure; any other bounce is permanent;
# - a rejection is permanent when its reason is about the recipient
#   (invalid, bounced, blocked, spam, unsubscribed), technical otherwise;
# - ``failed`` (the ESP could not send it) is a technical-failure;
# - a complaint proves the email arrived: it counts as ``delivered``, and
#   the raw report is kept for operators;
# - opens, clicks, (un)subscriptions and autoreplies are not tracked.
EMAIL_EVENT_STATUSES: dict[str, str | None] = {
    "queued": None,
    "sent": None,
    "deferred": None,
    "delivered": "delivered",
    "bounced": "permanent-failure",
    "rejected": "technical-failure",
    "failed": "technical-failure",
    "complained": "delivered",
    "opened": None,
    "clicked": None,
    "unsubscribed": None,
    "subscribed": None,
    "autoresponded": None,
    "unknown": None,
}
REJECT_REASON_STATUSES = {
    "invalid": "permanent-failure",
    "bounced": "permanent-failure",
    "blocked": "permanent-failure",
    "spam": "permanent-failure",
    "unsubscribed": "permanent-failure",
    "timed_out": "temporary-failure",
}


def _is_soft_bounce(event: AnymailTrackingEvent) -> bool:
    raw = event.esp_event if isinstance(event.esp_event, dict) else {}
    if event.reject_reason == "timed_out":
        return True
    if raw.get("event") == "soft_bounce":  # Brevo
        return True
    if raw.get("hard_bounce") is False:  # Mailjet
        return True
    bounce = raw.get("bounce")
    if isinstance(bounce, dict) and "bounceType" in bounce:  # Amazon SES
        return bounce["bounceType"] != "Permanent"
    return False


def tracking_event_status(event: AnymailTrackingEvent) -> str | None:
    """Our status for an anymail tracking event, or ``None`` when the
    event changes nothing."""
    status = EMAIL_EVENT_STATUSES.get(event.event_type)
    if event.event_type == "bounced" and _is_soft_bounce(event):
        return "temporary-failure"
    if event.event_type == "rejected":
        return REJECT_REASON_STATUSES.get(event.reject_reason, status)
    return status


def receipt_for_tracking_event(
    event: AnymailTrackingEvent, esp_name: str
) -> ReceiptEvent | None:
    """The ``ReceiptEvent`` for an anymail tracking event, or ``None``."""
    status = tracking_event_status(event)
    if status is None:
        return None
    notification_id = parse_notification_id(
        (event.metadata or {}).get("notification_id")
    )
    reference = str(event.message_id or "")
    if not reference and notification_id is None:
        return None
    raw = (
        event.esp_event
        if isinstance(event.esp_event, dict)
        else {"raw": str(event.esp_event)}
    )
    # Brevo and Mailjet send no event id: hash the report instead, so the
    # same report sent again is stored once.
    event_id = event.event_id or stable_event_id(
        esp_name, event.event_type, reference, payload=raw
    )
    return ReceiptEvent(
        provider=email_provider_name(esp_name),
        provider_event_id=str(event_id),
        provider_reference=reference,
        status=status,
        occurred_at=event.timestamp,
        notification_id=notification_id,
        description=" ".join(filter(None, [event.event_type, event.reject_reason])),
        payload=raw,
    )


def handle_tracking_event(sender, event, esp_name, **kwargs) -> None:
    """Receiver of ``anymail.signals.tracking``: hand the receipt to the
    pipeline. An error propagates, so that anymail answers 5xx and the ESP
    sends the report again."""
    receipt = receipt_for_tracking_event(event, esp_name)
    if receipt is None:
        return
    hand_to_sink([receipt])
