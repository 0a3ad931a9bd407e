"""Retention: what the delivery pipeline keeps of a notification whose
personal data is erased (``notifications.actions.retention``)."""

from ..models import DeliveryAttempt


def attempt_errors_erase(*, notification_ids: list) -> int:
    """Blank the error texts of these notifications' attempts (a provider
    may quote the recipient in them); outcomes and durations stay."""
    attempts = DeliveryAttempt.objects.filter(notification_id__in=notification_ids)
    return attempts.exclude(error="").update(error="")
