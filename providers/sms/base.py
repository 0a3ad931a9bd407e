"""What the HTTP SMS adapters share: settings, receipt-webhook
authentication, JSON bodies and status mapping.

Receipt webhooks are authenticated with a secret per provider
(``<PROVIDER>["RECEIPT_SECRETS"]``, a list so a secret can be rotated),
given by the gateway in whichever way it supports: as the password of HTTP
Basic credentials (``https://user:secret@host/receipts/sms/<name>/``), as a
Bearer token, or as the last path segment
(``/receipts/sms/<name>/<secret>/``) for gateways that can do neither.
A path secret shows in access logs: prefer Basic where the gateway offers
it. Secrets are compared in constant time; without any configured secret
every receipt is refused.
"""

import base64
import binascii
import hmac
import json
import logging
from typing import ClassVar
from urllib.parse import urljoin

from django.conf import settings
from django.urls import reverse

from ..base import (
    ProviderPermanentError,
    ReceiptAuthenticationError,
    ReceiptEvent,
    ReceiptParseError,
    SmsProvider,
)

logger = logging.getLogger(__name__)

# GSM 03.38: the default alphabet and its extension table. A message with
# any other character must be sent as UCS-2 (70 characters a part).
GSM7_CHARACTERS = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
    "\f^{}\\[~]|€"
)


def is_gsm7(text: str) -> bool:
    return all(character in GSM7_CHARACTERS for character in text)


class HttpSmsProvider(SmsProvider):
    """An SMS gateway reached over HTTP, configured by one settings dict."""

    #: The settings dict holding this gateway's credentials and options.
    settings_name: ClassVar[str]
    #: Keys of that dict without which the adapter cannot send.
    required_settings: ClassVar[tuple[str, ...]] = ()
    #: The gateway's delivery statuses mapped to ours; ``None`` means the
    #: report changes nothing (the status is not tracked).
    STATUSES: ClassVar[dict[str, str | None]]

    @property
    def config(self) -> dict:
        return getattr(settings, self.settings_name, {}) or {}

    def sender_for(self, requested: str) -> str:
        sender = requested or self.config.get("DEFAULT_SENDER", "")
        if not sender:
            raise ProviderPermanentError(
                f"No sender for {self.name}: set {self.settings_name}"
                "['DEFAULT_SENDER'] or give the service an SMS sender",
                provider=self.name,
                status="technical-failure",
            )
        return sender

    def receipt_url(self) -> str:
        """The receipt webhook's public URL, to give the gateway with each
        message, or "" when ``RECEIPT_WEBHOOK_BASE_URL`` is not set."""
        base_url = getattr(settings, "RECEIPT_WEBHOOK_BASE_URL", "")
        if not base_url:
            return ""
        path = reverse("providers:sms-receipt", kwargs={"provider_name": self.name})
        return urljoin(base_url, path)

    # Receipts

    def parse_receipts(self, request) -> list[ReceiptEvent]:
        self.authenticate(request)
        body = self.read_body(request)
        return [event for event in self.events_from(body) if event is not None]

    def events_from(self, body) -> list[ReceiptEvent | None]:
        """Turn an authenticated, decoded body into events."""
        raise NotImplementedError

    def authenticate(self, request) -> None:
        """Raise ``ReceiptAuthenticationError`` unless the request carries
        one of the configured receipt secrets."""
        secrets = [
            secret for secret in self.config.get("RECEIPT_SECRETS", []) if secret
        ]
        if not secrets:
            raise ReceiptAuthenticationError(
                f"No receipt secret is configured for {self.name}", provider=self.name
            )
        offered = _offered_credentials(request)
        if not offered:
            raise ReceiptAuthenticationError("Missing credentials", provider=self.name)
        # Compare every pair, so timing says nothing about which matched.
        matches = [
            hmac.compare_digest(candidate.encode(), secret.encode())
            for candidate in offered
            for secret in secrets
        ]
        if not any(matches):
            raise ReceiptAuthenticationError("Wrong credentials", provider=self.name)

    def read_body(self, request):
        content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip()
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return request.POST.dict()
        try:
            return json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise ReceiptParseError(
                f"{self.name} receipt is not JSON", provider=self.name
            ) from error

    def status_for(self, vendor_status: str) -> str | None:
        """Our status for the gateway's, or ``None`` (logged when the
        gateway's status is not in the table at all)."""
        if vendor_status in self.STATUSES:
            return self.STATUSES[vendor_status]
        logger.warning(
            "Provider %s sent an unknown delivery status %r",
            self.name,
            vendor_status,
            extra={"provider": self.name},
        )
        return None

    def event(self, **fields) -> ReceiptEvent | None:
        """A ``ReceiptEvent``, or ``None`` when it could match no
        notification (neither a provider reference nor our id)."""
        if not fields.get("provider_reference") and not fields.get("notification_id"):
            logger.warning(
                "Provider %s sent a receipt without any reference",
                self.name,
                extra={"provider": self.name},
            )
            return None
        return ReceiptEvent(provider=self.name, **fields)


def _offered_credentials(request) -> list[str]:
    offered = []
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        _user, separator, password = decoded.partition(":")
        if separator and password:
            offered.append(password)
    elif scheme.lower() == "bearer" and value.strip():
        offered.append(value.strip())
    match = getattr(request, "resolver_match", None)
    path_secret = match.kwargs.get("secret", "") if match else ""
    if path_secret:
        offered.append(path_secret)
    return offered
