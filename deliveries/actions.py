"""Handing notifications to providers and applying their receipts.

Every change of status goes through a conditional update built from
``notifications.statuses``, so a task that runs twice, or a receipt that
comes twice or late, changes nothing the second time.
"""

import logging
import uuid

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from notifications.models import Notification
from notifications.statuses import NotificationStatus, sources_for
from providers import fake, registry
from providers.base import (
    OutgoingEmail,
    OutgoingSms,
    ProviderPermanentError,
    ProviderTemporaryError,
    ReceiptEvent,
)
from services.models import KeyType
from templates_app import rendering

from .models import AttemptOutcome, DeliveryAttempt, DeliveryReceipt

logger = logging.getLogger(__name__)

S = NotificationStatus


def notification_transition(
    *, notification_id: uuid.UUID, status: str, **fields
) -> bool:
    """Move a notification to ``status`` if the state machine allows it from
    its current status; return whether it moved."""
    now = timezone.now()
    updated = Notification.objects.filter(
        id=notification_id, status__in=sources_for(status)
    ).update(status=status, updated_at=now, **fields)
    return updated == 1


def notification_claim(*, notification_id: uuid.UUID) -> bool:
    """Take a notification for sending (``created → sending``). Only one
    claimer wins; the others do nothing."""
    return notification_transition(notification_id=notification_id, status=S.SENDING)


def _from_email(service) -> str:
    local_part = rendering.email_local_part(service.sender_name)
    return f"{service.sender_name} <{local_part}@{settings.EMAIL_SENDER_DOMAIN}>"


def _outgoing(notification: Notification) -> OutgoingEmail | OutgoingSms:
    version = notification.template_version
    if notification.channel == "email":
        rendered = rendering.render_email(
            subject=version.subject,
            body=version.body,
            personalisation=notification.personalisation,
            service_name=notification.service.name,
            branding=notification.service.branding,
            unsubscribe_url=notification.one_click_unsubscribe_url or "",
            # Limits were checked when the notification was accepted.
            check_length=False,
        )
        return OutgoingEmail(
            notification_id=notification.id,
            to=notification.normalised_recipient,
            subject=rendered.subject,
            html_body=rendered.html,
            text_body=rendered.text,
            from_email=_from_email(notification.service),
            reply_to=notification.reply_to,
            unsubscribe_url=notification.one_click_unsubscribe_url,
        )
    prefix = notification.service.name if notification.service.sms_prefix else ""
    rendered = rendering.render_sms(
        body=version.body,
        personalisation=notification.personalisation,
        prefix=prefix,
        check_length=False,
    )
    return OutgoingSms(
        notification_id=notification.id,
        to=notification.normalised_recipient,
        body=rendered.content,
        sender=notification.reply_to,
    )


def _provider_for(notification: Notification):
    # Test keys never reach a real provider: the fake one gives them the
    # simulated outcomes of GOV.UK Notify's test keys.
    if notification.key_type == KeyType.TEST:
        if notification.channel == "email":
            return fake.FakeEmailProvider()
        return fake.FakeSmsProvider()
    return registry.get_provider(notification.channel)


def _finish_attempt(attempt: DeliveryAttempt, outcome: str, **fields) -> None:
    attempt.outcome = outcome
    attempt.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(attempt, name, value)
    attempt.save()


def notification_deliver(*, notification_id: uuid.UUID) -> None:
    """Claim a notification and hand it to its provider, outside any
    transaction. Raise ``ProviderTemporaryError`` when it is worth retrying
    (the notification is handed back to ``created`` first)."""
    if not notification_claim(notification_id=notification_id):
        logger.info(
            "Notification %s already claimed",
            notification_id,
            extra={"notification_id": str(notification_id)},
        )
        return

    notification = Notification.objects.select_related(
        "service", "template_version"
    ).get(id=notification_id)
    message = _outgoing(notification)
    provider = _provider_for(notification)
    attempt = DeliveryAttempt.objects.create(
        notification_id=notification_id,
        provider=provider.name,
        started_at=timezone.now(),
    )
    try:
        if isinstance(message, OutgoingEmail):
            result = provider.send_email(message)
        else:
            result = provider.send_sms(message)
    except ProviderTemporaryError as error:
        _finish_attempt(attempt, AttemptOutcome.TEMPORARY_ERROR, error=str(error))
        notification_transition(notification_id=notification_id, status=S.CREATED)
        raise
    except ProviderPermanentError as error:
        _finish_attempt(attempt, AttemptOutcome.PERMANENT_ERROR, error=str(error))
        notification_transition(notification_id=notification_id, status=error.status)
        logger.warning(
            "Provider %s refused notification %s",
            provider.name,
            notification_id,
            extra={"provider": provider.name, "notification_id": str(notification_id)},
        )
        return

    _finish_attempt(
        attempt, AttemptOutcome.ACCEPTED, provider_reference=result.provider_reference
    )
    Notification.objects.filter(id=notification_id).update(
        sent_at=attempt.finished_at,
        provider=result.provider,
        provider_reference=result.provider_reference,
    )
    logger.info(
        "Notification %s handed to %s in %s ms",
        notification_id,
        provider.name,
        attempt.duration_ms,
        extra={
            "notification_id": str(notification_id),
            "provider": provider.name,
            "duration_ms": attempt.duration_ms,
        },
    )


def receipt_store(*, event: ReceiptEvent) -> DeliveryReceipt | None:
    """Store a receipt once per provider event; ``None`` for a replay."""
    try:
        return DeliveryReceipt.objects.create(
            provider=event.provider,
            provider_event_id=event.provider_event_id,
            provider_reference=event.provider_reference,
            notification_id=event.notification_id,
            status=event.status,
            occurred_at=event.occurred_at,
            payload=event.payload,
        )
    except IntegrityError:
        return None


def receipt_apply(*, receipt_id: uuid.UUID) -> bool:
    """Apply a stored receipt to its notification; return ``False`` when
    the notification is not known yet (the caller retries)."""
    receipt = DeliveryReceipt.objects.get(id=receipt_id)
    if receipt.processed_at is not None:
        return True

    notification_id = receipt.notification_id
    if notification_id is None:
        notification_id = (
            Notification.objects.filter(
                provider=receipt.provider, provider_reference=receipt.provider_reference
            )
            .values_list("id", flat=True)
            .first()
        )
    if notification_id is None:
        return False

    moved = notification_transition(
        notification_id=notification_id, status=receipt.status
    )
    DeliveryReceipt.objects.filter(id=receipt_id).update(
        processed_at=timezone.now(), notification_id=notification_id
    )
    logger.info(
        "Receipt %s for notification %s: %s (%s)",
        receipt_id,
        notification_id,
        receipt.status,
        "applied" if moved else "ignored",
        extra={"notification_id": str(notification_id), "receipt_id": str(receipt_id)},
    )
    return True
