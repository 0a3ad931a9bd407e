"""Reads for notifications and received text messages.

Every read is scoped by the caller's service: another service's ids find
nothing.
"""

import datetime as dt
import uuid

from django.db.models import Q, QuerySet

from .models import Notification, ReceivedTextMessage
from .statuses import NotificationStatus

S = NotificationStatus

# Notify's filter words that stand for several statuses.
STATUS_EXPANSIONS = {
    "failed": [
        S.TECHNICAL_FAILURE,
        S.TEMPORARY_FAILURE,
        S.PERMANENT_FAILURE,
        "validation-failed",
        "virus-scan-failed",
        "returned-letter",
    ],
    "accepted": [S.CREATED, S.SENDING],
    "received": [S.DELIVERED],
}

# What the API's notification object shows besides the row: the pinned
# template version, and who sent it from the back office (its
# ``created_by_name``), joined so a page of 250 costs one query.
API_RELATED = ("template_version", "created_by")


def notification_get(
    *, service_id: uuid.UUID, notification_id: uuid.UUID
) -> Notification | None:
    """A notification of the service, any key type; ``None`` once its
    personal data is erased (it is gone, as in Notify)."""
    return (
        Notification.objects.select_related(*API_RELATED)
        .filter(service_id=service_id, id=notification_id, redacted_at__isnull=True)
        .first()
    )


def expand_statuses(statuses: list[str]) -> list[str]:
    expanded: list[str] = []
    for status in statuses:
        for value in STATUS_EXPANSIONS.get(status, [status]):
            if value not in expanded:
                expanded.append(str(value))
    return expanded


def notification_list(
    *,
    service_id: uuid.UUID,
    key_type: str,
    statuses: list[str] | None = None,
    channels: list[str] | None = None,
    client_reference: str | None = None,
    older_than: uuid.UUID | None = None,
    include_jobs: bool = False,
    limit: int = 250,
) -> list[Notification]:
    """A page of the service's notifications sent with this key type,
    newest first; ``older_than`` continues after that notification."""
    notifications = Notification.objects.select_related(*API_RELATED).filter(
        service_id=service_id, key_type=key_type, redacted_at__isnull=True
    )
    if statuses:
        notifications = notifications.filter(status__in=expand_statuses(statuses))
    if channels:
        notifications = notifications.filter(channel__in=channels)
    if client_reference is not None:
        notifications = notifications.filter(client_reference=client_reference)
    if not include_jobs:
        notifications = notifications.filter(job__isnull=True)
    if older_than is not None:
        notifications = _older_than(notifications, service_id, older_than)
        if notifications is None:
            return []
    return list(notifications.order_by("-created_at", "-id")[:limit])


def _older_than(notifications: QuerySet, service_id, older_than) -> QuerySet | None:
    created_at = (
        Notification.objects.filter(service_id=service_id, id=older_than)
        .values_list("created_at", flat=True)
        .first()
    )
    if created_at is None:
        return None
    # Ties on created_at are broken by id, so no page skips a notification.
    return notifications.filter(
        Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=older_than)
    )


def notification_count_since(
    *, service_id: uuid.UUID | str, kind: str, since: dt.datetime
) -> int:
    """How many notifications counted against a daily limit the service
    accepted since ``since`` (``kind``: email, sms or international_sms)."""
    notifications = Notification.objects.filter(
        service_id=service_id, created_at__gte=since
    ).exclude(key_type="test")
    if kind == "international_sms":
        return notifications.filter(channel="sms", international=True).count()
    return notifications.filter(channel=kind).count()


def received_text_message_list(
    *, service_id: uuid.UUID, older_than: uuid.UUID | None = None, limit: int = 250
) -> list[ReceivedTextMessage]:
    messages = ReceivedTextMessage.objects.filter(service_id=service_id)
    if older_than is not None:
        created_at = (
            messages.filter(id=older_than).values_list("created_at", flat=True).first()
        )
        if created_at is None:
            return []
        messages = messages.filter(
            Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=older_than)
        )
    return list(messages.order_by("-created_at", "-id")[:limit])
