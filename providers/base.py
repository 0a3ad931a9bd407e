"""The provider adapter interface: plain dataclasses in and out, and two
exceptions that say whether a failure is worth retrying.

Adapters know no model of ours; the delivery pipeline builds an
``OutgoingEmail`` or ``OutgoingSms`` before any HTTP call, so no database
connection waits on a slow provider.
"""

import abc
import datetime as dt
from dataclasses import dataclass, field
from typing import ClassVar
from uuid import UUID


class ProviderError(Exception):
    """Base of every error an adapter raises."""

    def __init__(self, message: str, *, provider: str = "") -> None:
        super().__init__(message)
        self.provider = provider


class ProviderTemporaryError(ProviderError):
    """The provider could not take the message now (timeout, 5xx, 429): the
    same message may succeed later, here or at another provider."""

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        retry_after: float | None = None,
        ambiguous: bool = False,
    ) -> None:
        super().__init__(message, provider=provider)
        self.retry_after = retry_after
        # True when the request may have reached the provider (a read
        # time-out): resending may deliver twice.
        self.ambiguous = ambiguous


class ProviderPermanentError(ProviderError):
    """The provider refused this message for good (bad recipient, rejected
    content): sending it again would fail again."""

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        status: str = "permanent-failure",
        provider_fault: bool = False,
    ) -> None:
        super().__init__(message, provider=provider)
        # The notification status this refusal ends in: permanent-failure
        # (the recipient is bad) or technical-failure (our request is bad).
        self.status = status
        # True when the refusal is about our account at this provider
        # (credentials, configuration, sender not allowed) rather than the
        # message: another provider may well take it.
        self.provider_fault = provider_fault


class ReceiptAuthenticationError(ProviderError):
    """A receipt webhook came without valid credentials or signature: the
    view answers 401 and stores nothing."""


class ReceiptParseError(ProviderError):
    """An authenticated receipt webhook whose body we cannot read: the view
    answers 400 (retrying the same body would not help)."""


@dataclass(frozen=True)
class OutgoingEmail:
    notification_id: UUID
    to: str
    subject: str
    html_body: str
    text_body: str
    from_email: str
    reply_to: str = ""
    unsubscribe_url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    # Labels for the provider's own statistics (never personal data).
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutgoingSms:
    notification_id: UUID
    to: str
    body: str
    sender: str


@dataclass(frozen=True)
class SendResult:
    provider: str
    provider_reference: str
    # Some gateways report a final status synchronously (for example a
    # message to an international number is only ever "sent").
    status: str | None = None


@dataclass(frozen=True)
class ReceiptEvent:
    """One provider report on one message, normalised.

    ``provider_event_id`` is unique per provider event and stable when the
    provider sends the same report again, so storing it under a unique
    constraint makes a replay a no-op. ``payload`` is the raw report, kept
    for support; it may hold the recipient, so it is personal data."""

    provider: str
    provider_event_id: str
    provider_reference: str
    status: str
    occurred_at: dt.datetime | None = None
    notification_id: UUID | None = None
    description: str = ""
    payload: dict = field(default_factory=dict)


class EmailProvider(abc.ABC):
    name: ClassVar[str]

    @abc.abstractmethod
    def send_email(self, email: OutgoingEmail) -> SendResult:
        """Hand the email to the provider and return its reference.

        Raise ``ProviderTemporaryError`` for failures worth retrying and
        ``ProviderPermanentError`` for refusals."""


class SmsProvider(abc.ABC):
    name: ClassVar[str]

    @abc.abstractmethod
    def send_sms(self, sms: OutgoingSms) -> SendResult:
        """Hand the SMS to the gateway and return its reference.

        Raise ``ProviderTemporaryError`` for failures worth retrying and
        ``ProviderPermanentError`` for refusals."""

    def parse_receipts(self, request) -> list[ReceiptEvent]:
        """Turn a receipt webhook into normalised events.

        Raise ``ReceiptAuthenticationError`` when the request is not
        authenticated; the view answers 401 before storing anything."""
        raise NotImplementedError
