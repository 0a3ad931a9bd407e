"""Reads for notifications."""

import uuid

from .models import Notification


def notification_get(
    *, service_id: uuid.UUID, notification_id: uuid.UUID
) -> Notification | None:
    return (
        Notification.objects.select_related("template_version")
        .filter(service_id=service_id, id=notification_id)
        .first()
    )
