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


# Retention (see notifications.actions.retention): each channel's period is
# a field of the service.
RETENTION_FIELDS = {"email": "email_retention_days", "sms": "sms_retention_days"}


def retention_groups(*, now: dt.datetime) -> list[tuple[str, int, dt.datetime]]:
    """``(channel, days, cutoff)`` for each retention period in use."""
    from services.models import Service

    return [
        (channel, days, now - dt.timedelta(days=days))
        for channel, field in RETENTION_FIELDS.items()
        for days in sorted(set(Service.objects.values_list(field, flat=True)))
    ]


def notifications_past_retention(
    *, channel: str, days: int, cutoff: dt.datetime
) -> QuerySet[Notification]:
    """Notifications of the services keeping ``channel`` for ``days``,
    created before ``cutoff``, final and not yet erased (oldest first)."""
    from .statuses import FINAL_STATUSES

    return Notification.objects.filter(
        redacted_at__isnull=True,
        channel=channel,
        created_at__lt=cutoff,
        status__in=sorted(FINAL_STATUSES),
        **{f"service__{RETENTION_FIELDS[channel]}": days},
    ).order_by("created_at")


def received_texts_past_retention(
    *, days: int, cutoff: dt.datetime
) -> QuerySet[ReceivedTextMessage]:
    return ReceivedTextMessage.objects.filter(
        created_at__lt=cutoff, service__sms_retention_days=days
    )


def personal_data_past_retention_counts(*, now: dt.datetime) -> dict[str, int]:
    """What a retention run would erase now."""
    groups = retention_groups(now=now)
    return {
        "notifications": sum(
            notifications_past_retention(channel=c, days=d, cutoff=cut).count()
            for c, d, cut in groups
        ),
        "received_texts": sum(
            received_texts_past_retention(days=d, cutoff=cut).count()
            for c, d, cut in groups
            if c == "sms"
        ),
    }
