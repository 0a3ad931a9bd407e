"""Reads for the delivery pipeline and its operators."""

from django.db.models import Count

from notifications.models import Notification

from .models import AttemptOutcome, DeliveryAttempt, DeliveryReceipt, ReceiptOutcome


def notifications_needing_reconciliation():
    """Notifications a provider may have received twice (or once while we
    recorded a failure): an attempt's outcome was unknown, and it was sent
    again or given up."""
    return Notification.objects.filter(needs_reconciliation=True).order_by(
        "-created_at"
    )


def reconciliation_counts() -> dict[str, int]:
    """The counts operators watch (and the fault-injection tests assert):
    notifications flagged for reconciliation, attempts whose outcome is
    unknown, attempts still in progress, receipts set aside."""
    return {
        "notifications_needing_reconciliation": (
            notifications_needing_reconciliation().count()
        ),
        "attempts_unknown": DeliveryAttempt.objects.filter(
            outcome=AttemptOutcome.UNKNOWN
        ).count(),
        "attempts_in_progress": DeliveryAttempt.objects.filter(
            outcome=AttemptOutcome.IN_PROGRESS
        ).count(),
        "receipts_orphaned": DeliveryReceipt.objects.filter(
            outcome=ReceiptOutcome.ORPHAN
        ).count(),
    }


def notification_status_counts() -> dict[str, int]:
    return dict(
        Notification.objects.values_list("status")
        .annotate(count=Count("id"))
        .values_list("status", "count")
    )


def receipts_for_notification(*, notification_id) -> list:
    """The receipts applied to a notification, oldest first (for the back
    office's status history)."""
    return list(
        DeliveryReceipt.objects.filter(notification_id=notification_id).order_by(
            "occurred_at", "received_at"
        )
    )
