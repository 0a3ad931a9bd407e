"""Reads for the delivery pipeline."""

import datetime as dt

from django.utils import timezone

from notifications.models import Notification
from notifications.statuses import NotificationStatus

RELAY_DELAY = dt.timedelta(seconds=15)
RELAY_BATCH = 1000


def notifications_to_relay() -> list[tuple]:
    """Notifications still ``created`` after the relay delay, oldest
    first."""
    cutoff = timezone.now() - RELAY_DELAY
    return list(
        Notification.objects.filter(
            status=NotificationStatus.CREATED, created_at__lt=cutoff
        )
        .order_by("created_at")
        .values_list("id", "channel")[:RELAY_BATCH]
    )


def receipts_for_notification(*, notification_id) -> list:
    """The receipts applied to a notification, oldest first (for the back
    office's status history)."""
    from .models import DeliveryReceipt

    return list(
        DeliveryReceipt.objects.filter(notification_id=notification_id).order_by(
            "occurred_at", "received_at"
        )
    )
